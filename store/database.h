// Opening the SQLite database: pragmas for the one writer and for readers, and migrations.
// Also the statements on the file as a whole rather than on one table (VACUUM, the schema's
// index list, the foreign key check). Every module outside store/ gets its connections here.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/migrator.h"

namespace fluxstatus::store {

// A connection opened by one of the Open* functions below. Code outside store/ holds and passes
// it on, but never opens one itself and never runs SQL on it: store's functions do.
using Connection = SQLite::Database;

enum class Durability { kFull, kNormal };  // SQLite synchronous=FULL | NORMAL

// Every Open* refuses a path that is not one shared file (":memory:", "", "file:" URIs), a
// directory, or a file whose directory does not exist, with a message naming the fix.
// Opens (creating if needed) the read-write connection and applies pending migrations.
// WAL journal, foreign keys on, a busy timeout. Throws SchemaTooNew when the file was written
// by a newer fluxstatus, SQLite::Exception for I/O failures. One thread per connection.
std::unique_ptr<SQLite::Database> OpenForWriting(const std::string& path, Durability durability = Durability::kFull);

// `fluxstatus migrate`: applies the pending migrations (creating the file if needed) and returns
// them, waiting out a running serve's transactions like every other connection does.
std::vector<MigrationInfo> MigrateDatabase(const std::string& path);

struct MigrationStatus {
  int current_version = 0;
  std::vector<MigrationInfo> pending;
};
// `migrate --check`: the schema version of an existing file and what is pending; writes nothing.
MigrationStatus InspectMigrations(const std::string& path);

// Opens a read-only connection (query_only), for `sql`, `status` and inspection; never creates
// or changes a file. Refuses, naming the absolute path and the fix: a missing file, another
// program's file (SQLite or not), an empty database, pending migrations, a newer schema.
std::unique_ptr<SQLite::Database> OpenForReading(const std::string& path);

// The checks every Open* makes on the path alone (a file path, not a directory, in a directory
// that exists), without opening anything: `check-config` refuses what `serve` would.
void RequireDatabasePath(const std::string& path);

// Rewrites the file without its free pages (after a prune). Needs the database to itself for
// as long as it takes. Returns the file's size in bytes (pages) before and after.
std::pair<std::int64_t, std::int64_t> Vacuum(SQLite::Database& db);

// Drops the explicit secondary indexes of `table` (inside the caller's transaction) and returns
// the statements that recreate them, read from the schema itself, in index name order.
std::vector<std::string> DropSecondaryIndexes(SQLite::Database& db, const std::string& table);
// Runs statements DropSecondaryIndexes returned.
void CreateIndexes(SQLite::Database& db, const std::vector<std::string>& statements);

// The first row that names a missing row of another table (PRAGMA foreign_key_check): after a
// bulk delete or load made with foreign keys off.
struct ForeignKeyViolation {
  std::string table;   // the row's table
  std::string parent;  // the table it names
};
std::optional<ForeignKeyViolation> FirstForeignKeyViolation(SQLite::Database& db);

// The database file as it was when opened, for a long-lived connection. SQLite notices neither
// a file removed (or replaced) under it, since it goes on writing to the unlinked inode, which
// no later start sees, nor a file or directory made read-only, since its open descriptors
// stay writable while any restart would fail. Problem() checks both with stat() and access():
// cheap enough for every commit and every /readyz. Thread-safe (no state changes after
// construction).
class DatabaseFile {
 public:
  // Records the identity (device, inode) `path` has now: construct it right after opening.
  // In-memory and temporary databases ("", ":memory:") have no file and never have a problem.
  explicit DatabaseFile(std::string path);

  // nullopt while the path names the opened file and the file and its directory are writable
  // by this process; otherwise what is wrong, naming the path.
  std::optional<std::string> Problem() const;

 private:
  std::string path_;
  bool has_file_ = false;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

}  // namespace fluxstatus::store
