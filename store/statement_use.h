// A cached (prepared once, reused) statement in use. Construction resets it (tryReset: reset()
// would rethrow the previous step's error and fail an unrelated later call) and clears its
// bindings; destruction resets it again, on every path including exceptions.
//
// Why the reset at the end matters: a statement left stepped on a row keeps a read transaction
// open on its connection. On the writer's connection that read pins an old snapshot; once any
// other connection writes (the dispatch lease renews every 5 s), the writer's next
// BEGIN IMMEDIATE fails with "database is locked" until restart (issue 12: a byte-identical
// resend, then 5 s of quiet, locked the service).
#pragma once

#include <SQLiteCpp/Statement.h>

namespace fluxstatus::store {

class StatementUse {
 public:
  explicit StatementUse(SQLite::Statement& statement) : statement_(statement) {
    statement_.tryReset();
    statement_.clearBindings();
  }
  ~StatementUse() { statement_.tryReset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  SQLite::Statement& operator*() { return statement_; }
  SQLite::Statement* operator->() { return &statement_; }

 private:
  SQLite::Statement& statement_;
};

}  // namespace fluxstatus::store
