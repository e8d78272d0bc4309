// Reading the store back and holding it against the reference model: the contract's views
// (current_status, events, status_history, delivery_attempts, rejected_events) through a
// read-only connection, and what dispatch reads (the due keys, what the host last confirmed)
// through the store's own query APIs. Each Diff returns "" when the store agrees, else the
// first differing row, naming the table, the key and each differing column.
#pragma once

#include <cstdint>
#include <string>

#include <SQLiteCpp/Database.h>

#include "tests/store/store_model.h"

namespace fluxstatus::store::model {

// RFC 3339 UTC with milliseconds, the contract's form of every time (written here, not taken
// from core/, so the model's expectations stay its own).
std::string Rfc3339(std::int64_t epoch_ms);

std::string DiffCurrentStatus(SQLite::Database& reader, const StoreModel& model);
// next_attempt_ms, in_flight, synced_state and synced_description of each key, and the keys
// dispatch would take at now_ms.
std::string DiffDispatch(SQLite::Database& reader, const StoreModel& model, std::int64_t now_ms);
std::string DiffEvents(SQLite::Database& reader, const StoreModel& model);
std::string DiffHistory(SQLite::Database& reader, const StoreModel& model);
std::string DiffAttemptsAndRejections(SQLite::Database& reader, const StoreModel& model);

}  // namespace fluxstatus::store::model
