// Bulk deletes and loads (prune, rebuild) with SQLite's per-row foreign key checks off: each
// row written to or deleted from commit_statuses / status_changes / event_log would otherwise
// cost a B-tree lookup (a table scan, for deletes from event_log: the child columns have no
// index). The callers keep the references valid by construction and verify what they cannot
// prove. PRAGMA foreign_keys is a no-op inside a transaction: construct this before BEGIN.
#pragma once

#include <SQLiteCpp/Database.h>

namespace fluxstatus::store {

class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(SQLite::Database& db) : db_(db), was_on_(db.execAndGet("PRAGMA foreign_keys").getInt() != 0) {
    db_.exec("PRAGMA foreign_keys = OFF");
  }
  ~ForeignKeysOff() {
    try {
      if (was_on_) db_.exec("PRAGMA foreign_keys = ON");
    } catch (...) {  // must not mask the caller's own error
    }
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  SQLite::Database& db_;
  bool was_on_;
};

}  // namespace fluxstatus::store
