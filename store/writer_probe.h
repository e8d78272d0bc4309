// The writer's probe write (table writer_probe, migration 0005). Owns every SQL statement on it.
#pragma once

#include <SQLiteCpp/Database.h>

namespace fluxstatus::store {

// Writes and removes one event-sized row in one committed IMMEDIATE transaction: it succeeds
// only when an event could be committed now (write lock, free pages, WAL append, fsync).
// Throws SQLite::Exception otherwise. Run on the writer's connection, outside a transaction.
void ProbeWrite(SQLite::Database& db);

}  // namespace fluxstatus::store
