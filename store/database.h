// Opening the SQLite database: pragmas for the one writer and for readers, and migrations.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

namespace fluxstatus::store {

enum class Durability { kFull, kNormal };  // SQLite synchronous=FULL | NORMAL

// Opens (creating if needed) the read-write connection and applies pending migrations.
// WAL journal, foreign keys on, a busy timeout. Throws SchemaTooNew when the file was written
// by a newer fluxstatus, SQLite::Exception for I/O failures. One thread per connection.
std::unique_ptr<SQLite::Database> OpenForWriting(const std::string& path,
                                                 Durability durability = Durability::kFull);

// Opens a read-only connection (query_only), for `sql`, `status` and inspection. Refuses a
// database with pending migrations or a newer schema, naming the fix.
std::unique_ptr<SQLite::Database> OpenForReading(const std::string& path);

}  // namespace fluxstatus::store
