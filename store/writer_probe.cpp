#include "store/writer_probe.h"

#include <SQLiteCpp/Transaction.h>

namespace fluxstatus::store {
namespace {

// Larger than nearly every event (Flux sends about 1 KiB) and spread over
// many pages, so a database too full for an event refuses the probe too.
constexpr const char* kInsert = "INSERT INTO writer_probe (payload) VALUES (zeroblob(65536))";
constexpr const char* kDelete = "DELETE FROM writer_probe";

}  // namespace

void ProbeWrite(SQLite::Database& db) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  db.exec(kInsert);
  db.exec(kDelete);
  tx.commit();
}

}  // namespace fluxstatus::store
