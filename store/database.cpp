#include "store/database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include "store/migrator.h"

namespace fluxstatus::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Every part of fluxstatus opens the database by path: the writer, each dispatch thread, the
// lease, `replay` beside `serve`. A path that does not name one shared file gives each of them
// a database of its own, so nothing written would ever be sent (`:memory:` did exactly that).
void RequireDatabaseFile(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    throw std::runtime_error("database '" + path +
                             "' is not a file path: fluxstatus needs one database file that "
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

// Another program's SQLite file must not be mistaken for an empty fluxstatus database: telling
// the user to migrate it would add our tables to it.
void RequireOwnSchema(SQLite::Database& db, int version, const std::string& absolute) {
  const bool has_tables = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt64() > 0;
  if (version == 0 && !has_tables) {
    throw std::runtime_error("database " + absolute +
                             " is empty (no fluxstatus schema yet); run `fluxstatus "
                             "migrate` or start `fluxstatus serve` first");
  }
  const bool has_log =
      db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'event_log'").getInt64() > 0;
  if (!has_log && version <= Migrator::LatestVersion()) {
    throw std::runtime_error(absolute +
                             " is not a fluxstatus database (it has other tables and no event log); "
                             "check --db or the config's `database`");
  }
}

// SQLITE_NOTADB: another program's file, or fluxstatus's own with a damaged header; the header
// alone cannot tell which, so the message names both ways out.
std::string NotSqliteMessage(const std::string& absolute) {
  return "database " + absolute +
         " error: file is not a database (not an SQLite file): if it is fluxstatus's "
         "database, its header is damaged, restore it from a backup; otherwise check --db or the config's `database`";
}

// Writing: a file with tables but no fluxstatus schema is another program's; migrating it would
// add our tables to it. An empty file (or a new one) is ours to set up.
void RefuseForeignTables(SQLite::Database& db, const std::string& path) {
  int version = 0;
  std::int64_t tables = 0;
  try {
    version = Migrator::CurrentVersion(db);
    tables = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt64();
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() != SQLITE_NOTADB) throw;
    throw std::runtime_error(NotSqliteMessage(std::filesystem::absolute(path).string()));
  }
  if (version == 0 && tables > 0) {
    throw std::runtime_error(std::filesystem::absolute(path).string() +
                             " is not a fluxstatus database (it has other tables); fluxstatus will not add its own "
                             "to it: check --db or the config's `database`");
  }
}

}  // namespace

std::unique_ptr<SQLite::Database> OpenForWriting(const std::string& path, Durability durability) {
  RequireDatabaseFile(path);
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
  RefuseForeignTables(*db, path);
  db->exec("PRAGMA journal_mode = WAL");
  // We acknowledge an event only after its commit, so FULL makes the ack mean "on disk".
  db->exec(durability == Durability::kFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
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
  const std::string absolute = std::filesystem::absolute(path).string();
  // SQLITE_OPEN_READONLY never creates a file, but its error ("unable to open database file")
  // does not say that the file is simply not there.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw std::runtime_error("database " + absolute +
                             " does not exist; give the right --db (or the config's "
                             "`database`), or create it with `fluxstatus migrate`");
  }
  std::unique_ptr<SQLite::Database> db;
  int version = 0;
  try {
    db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY, kBusyTimeoutMs);
    db->exec("PRAGMA query_only = ON");
    version = Migrator::CurrentVersion(*db);
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() != SQLITE_NOTADB) throw;
    throw std::runtime_error(NotSqliteMessage(absolute));
  }
  RequireOwnSchema(*db, version, absolute);
  if (auto pending = Migrator::Pending(*db); !pending.empty()) {
    throw std::runtime_error("database " + absolute + " has " + std::to_string(pending.size()) +
                             " pending migration(s); run `fluxstatus migrate`");
  }
  return db;
}

void RequireDatabasePath(const std::string& path) { RequireDatabaseFile(path); }

std::vector<MigrationInfo> MigrateDatabase(const std::string& path) {
  RequireDatabaseFile(path);
  // The busy timeout lets a migration wait for a running serve's short transactions instead of
  // failing at once with "database is locked".
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
  RefuseForeignTables(db, path);
  return Migrator::Apply(db);
}

MigrationStatus InspectMigrations(const std::string& path) {
  RequireDatabaseFile(path);
  SQLite::Database db(path, SQLite::OPEN_READONLY, kBusyTimeoutMs);
  return {Migrator::CurrentVersion(db), Migrator::Pending(db)};
}

std::pair<std::int64_t, std::int64_t> Vacuum(SQLite::Database& db) {
  auto size = [&] {
    return db.execAndGet("PRAGMA page_count").getInt64() * db.execAndGet("PRAGMA page_size").getInt64();
  };
  const std::int64_t before = size();
  db.exec("VACUUM");
  return {before, size()};
}

std::vector<std::string> DropSecondaryIndexes(SQLite::Database& db, const std::string& table) {
  std::vector<std::pair<std::string, std::string>> found;
  {
    // Explicit indexes only (sql IS NOT NULL): the primary key's index stays.
    SQLite::Statement q(db,
                        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                        " AND tbl_name = ? ORDER BY name");
    q.bind(1, table);
    while (q.executeStep()) found.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
  }
  std::vector<std::string> recreate;
  for (const auto& [name, sql] : found) {
    db.exec("DROP INDEX \"" + name + "\"");  // names come from the schema, not from input
    recreate.push_back(sql);
  }
  return recreate;
}

void CreateIndexes(SQLite::Database& db, const std::vector<std::string>& statements) {
  for (const auto& sql : statements) db.exec(sql);
}

std::optional<ForeignKeyViolation> FirstForeignKeyViolation(SQLite::Database& db) {
  SQLite::Statement q(db, "PRAGMA foreign_key_check");
  if (!q.executeStep()) return std::nullopt;
  return ForeignKeyViolation{q.getColumn(0).getString(), q.getColumn(2).getString()};
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
      return "database file " + path_ +
             " was removed while in use; what is written now would be lost "
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
