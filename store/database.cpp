#include "store/database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <SQLiteCpp/Statement.h>

#include "store/migrator.h"

namespace fluxstatus::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Every part of fluxstatus opens the database by path: the writer, each dispatch thread, the
// lease, `replay` beside `serve`. A path that does not name one shared file gives each of them
// a database of its own, so nothing written would ever be sent (`:memory:` did exactly that).
void RequireDatabaseFile(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    throw std::runtime_error("database '" + path + "' is not a file path: fluxstatus needs one database file that "
                             "the writer, the dispatcher and replay all open; give a path such as "
                             "/var/lib/fluxstatus/fluxstatus.db (--db or the config's `database`)");
  }
  const auto absolute = std::filesystem::absolute(path);
  std::error_code ec;
  if (std::filesystem::is_directory(absolute, ec)) {
    throw std::runtime_error("database path " + absolute.string() + " is a directory; give a file inside it, e.g. " +
                             (absolute / "fluxstatus.db").string());
  }
  const auto dir = absolute.parent_path();
  if (!std::filesystem::is_directory(dir, ec)) {
    throw std::runtime_error("the directory " + dir.string() + " of database file " + absolute.string() +
                             " does not exist; create it (mkdir -p " + dir.string() + ") or choose another --db");
  }
}

}  // namespace

std::unique_ptr<SQLite::Database> OpenForWriting(const std::string& path, Durability durability) {
  RequireDatabaseFile(path);
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                               kBusyTimeoutMs);
  db->exec("PRAGMA journal_mode = WAL");
  // We acknowledge an event only after its commit, so FULL makes the ack mean "on disk".
  db->exec(durability == Durability::kFull ? "PRAGMA synchronous = FULL"
                                           : "PRAGMA synchronous = NORMAL");
  db->exec("PRAGMA foreign_keys = ON");
  // Every event is appended inside its own savepoint; SQLite journals the pages a savepoint
  // touches in a sub-journal that spills to a temporary file past 64 KiB, which one event
  // exceeds: ~34 pwrite calls per event (bench/ profile). In memory, it is a memcpy instead.
  db->exec("PRAGMA temp_store = MEMORY");
  Migrator::Apply(*db);
  return db;
}

std::unique_ptr<SQLite::Database> OpenForReading(const std::string& path) {
  RequireDatabaseFile(path);
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY, kBusyTimeoutMs);
  db->exec("PRAGMA query_only = ON");
  if (Migrator::CurrentVersion(*db) == 0) {
    throw std::runtime_error("database " + path + " is not a fluxstatus database (no schema); "
                             "run `fluxstatus migrate` or start `fluxstatus serve` first");
  }
  if (auto pending = Migrator::Pending(*db); !pending.empty()) {
    throw std::runtime_error("database " + path + " has " + std::to_string(pending.size()) +
                             " pending migration(s); run `fluxstatus migrate`");
  }
  return db;
}

std::vector<MigrationInfo> MigrateDatabase(const std::string& path) {
  RequireDatabaseFile(path);
  // The busy timeout lets a migration wait for a running serve's short transactions instead of
  // failing at once with "database is locked".
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
  return Migrator::Apply(db);
}

MigrationStatus InspectMigrations(const std::string& path) {
  RequireDatabaseFile(path);
  SQLite::Database db(path, SQLite::OPEN_READONLY, kBusyTimeoutMs);
  return {Migrator::CurrentVersion(db), Migrator::Pending(db)};
}

DatabaseFile::DatabaseFile(std::string path) : path_(std::move(path)) {
  struct stat st {};
  if (path_.empty() || path_ == ":memory:" || path_.rfind("file:", 0) == 0 || ::stat(path_.c_str(), &st) != 0) return;
  has_file_ = true;
  device_ = st.st_dev;
  inode_ = st.st_ino;
}

std::optional<std::string> DatabaseFile::Problem() const {
  if (!has_file_) return std::nullopt;
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return "database file " + path_ + " was removed while in use; what is written now would be lost "
             "(restore the file and restart)";
    }
    return "database file " + path_ + " cannot be checked: " + std::strerror(errno);
  }
  if (st.st_dev != device_ || st.st_ino != inode_) {
    return "database file " + path_ + " was replaced by another file while in use (restart to use the new one)";
  }
  // Root passes access() on any file of a writable file system, as it can write them too.
  if (::access(path_.c_str(), W_OK) != 0) {
    return "database file " + path_ + " is not writable: " + std::strerror(errno);
  }
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  const std::string dir_name = dir.empty() ? "." : dir.string();
  // SQLite creates its -wal and -shm files (and journals) beside the database.
  if (::access(dir_name.c_str(), W_OK) != 0) {
    return "the directory " + dir_name + " of database file " + path_ + " is not writable: " + std::strerror(errno);
  }
  return std::nullopt;
}

}  // namespace fluxstatus::store
