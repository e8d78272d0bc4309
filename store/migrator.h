// Schema migrations: migrations/NNNN_name.sql, embedded at build time, applied in order at
// open, each in its own transaction, tracked with PRAGMA user_version.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

namespace fluxstatus::store {

// The database was written by a newer fluxstatus: refusing protects its data.
class SchemaTooNew : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationInfo {
  int version;       // NNNN
  std::string name;  // "0001_init"
};

class Migrator {
 public:
  // Every migration this binary knows, in order.
  static const std::vector<MigrationInfo>& Known();
  static int LatestVersion();

  static int CurrentVersion(SQLite::Database& db);
  // Migrations not yet applied to db. Throws SchemaTooNew when db is newer than the binary.
  static std::vector<MigrationInfo> Pending(SQLite::Database& db);
  // Applies the pending ones; returns what it applied. A failing migration rolls back alone.
  static std::vector<MigrationInfo> Apply(SQLite::Database& db);
  // Applies only up to `version` (tests: build an old schema, then upgrade).
  static std::vector<MigrationInfo> ApplyUpTo(SQLite::Database& db, int version);
};

}  // namespace fluxstatus::store
