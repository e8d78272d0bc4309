#include "store/migrator.h"

#include <charconv>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "store/generated_migrations.h"

namespace fluxstatus::store {
namespace {

int VersionOf(std::string_view name) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc{} || ptr == name.data()) {
    throw std::logic_error("migration file name does not start with a number: " + std::string(name));
  }
  return v;
}

}  // namespace

const std::vector<MigrationInfo>& Migrator::Known() {
  static const std::vector<MigrationInfo> known = [] {
    std::vector<MigrationInfo> out;
    for (const auto& m : generated::kMigrations) {
      const int v = VersionOf(m.name);
      if (v != static_cast<int>(out.size()) + 1) {
        throw std::logic_error("migrations must be numbered 0001, 0002, … without gaps: " + std::string(m.name));
      }
      out.push_back({v, std::string(m.name)});
    }
    return out;
  }();
  return known;
}

int Migrator::LatestVersion() { return static_cast<int>(Known().size()); }

int Migrator::CurrentVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

std::vector<MigrationInfo> Migrator::Pending(SQLite::Database& db) {
  const int current = CurrentVersion(db);
  if (current > LatestVersion()) {
    throw SchemaTooNew("database " + db.getFilename() + " has schema version " + std::to_string(current) +
                       ", newer than this fluxstatus knows (" + std::to_string(LatestVersion()) +
                       "): use a newer fluxstatus binary");
  }
  return {Known().begin() + current, Known().end()};
}

std::vector<MigrationInfo> Migrator::Apply(SQLite::Database& db) { return ApplyUpTo(db, LatestVersion()); }

std::vector<MigrationInfo> Migrator::ApplyUpTo(SQLite::Database& db, int version) {
  std::vector<MigrationInfo> applied;
  for (const auto& m : Pending(db)) {
    if (m.version > version) break;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec(std::string(generated::kMigrations[m.version - 1].sql));
    db.exec("PRAGMA user_version = " + std::to_string(m.version));
    tx.commit();
    applied.push_back(m);
  }
  return applied;
}

}  // namespace fluxstatus::store
