// The columns of a whole status row, which commit_statuses and sink_targets both start with:
// the key, its folded state (as fold_snapshot has them) and the sync columns. One list, one
// reader and one binder serve both tables; each table's own statements stay in its module.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <SQLiteCpp/Statement.h>

#include "store/commit_statuses.h"

namespace fluxstatus::store {

// For SELECT: the 18 columns ReadStatusRow reads, in order. (Functions, not constants: other
// modules build their statements' text from them during static initialisation.)
const std::string& StatusRowColumns();
// For INSERT: the 19 columns BindStatusRow binds to parameters 1-19 (event_time is derived).
const std::string& StatusRowInsertColumns();

// The current row of a statement that selected kStatusRowColumns first; `table` names the
// table in the error thrown for a value the schema does not allow.
StatusRow ReadStatusRow(SQLite::Statement& q, const char* table);
// Binds `row` to parameters 1-19 in kStatusRowInsertColumns' order.
void BindStatusRow(SQLite::Statement& q, const StatusRow& row);

// The answer to "SELECT count(*), min(updated_at) … WHERE sync_state = 'pending'".
CommitStatuses::PendingCount ReadPendingCount(SQLite::Statement& q);
// The answer to "SELECT sync_state, count(*) … GROUP BY sync_state".
std::map<std::string, std::int64_t> ReadCountsBySyncState(SQLite::Statement& q);

// `fluxstatus status`'s filter as the tail of a SELECT over a table of status rows (" WHERE …
// ORDER BY … [LIMIT ?5]"), and its binding. Only the filters given appear in the WHERE clause,
// and the prefix is bound with its '%': `(?2 IS NULL OR commit_sha LIKE ?2 || '%')` would
// defeat the LIKE optimisation (a full scan).
std::string StatusFilterSql(const StatusFilter& filter);
void BindStatusFilter(SQLite::Statement& q, const StatusFilter& filter);

}  // namespace fluxstatus::store
