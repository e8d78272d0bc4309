#include "store/database.h"

#include <SQLiteCpp/Statement.h>

#include "store/migrator.h"

namespace fluxstatus::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

std::unique_ptr<SQLite::Database> OpenForWriting(const std::string& path, Durability durability) {
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                               kBusyTimeoutMs);
  db->exec("PRAGMA journal_mode = WAL");
  // We acknowledge an event only after its commit, so FULL makes the ack mean "on disk".
  db->exec(durability == Durability::kFull ? "PRAGMA synchronous = FULL"
                                           : "PRAGMA synchronous = NORMAL");
  db->exec("PRAGMA foreign_keys = ON");
  Migrator::Apply(*db);
  return db;
}

std::unique_ptr<SQLite::Database> OpenForReading(const std::string& path) {
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

}  // namespace fluxstatus::store
