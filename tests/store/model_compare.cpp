#include "tests/store/model_compare.h"

#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <vector>

#include "store/commit_statuses.h"
#include "store/outbox.h"
#include "tests/support/sql.h"

namespace fluxstatus::store::model {
namespace {

using fluxstatus::testing::kNullText;
using fluxstatus::testing::QueryRows;
using fluxstatus::testing::Row;
using Rows = std::map<std::string, Row>;  // by the text naming the row

std::string Text(const std::optional<std::string>& s) { return s ? *s : kNullText; }
std::string Text(const std::optional<std::int64_t>& ms) { return ms ? Rfc3339(*ms) : kNullText; }
std::string Number(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : kNullText; }

// The first row that differs (all of its differing columns), and how many differ in all.
std::string DiffRows(const std::string& table, const std::vector<std::string>& columns, const Rows& expected,
                     const Rows& actual) {
  std::string first;
  int differing = 0;
  auto note = [&](const std::string& line) {
    if (differing++ == 0) first = table + " " + line;
  };
  for (const auto& [name, want] : expected) {
    const auto got = actual.find(name);
    if (got == actual.end()) {
      note(name + ": missing from the store");
      continue;
    }
    std::string cols;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (want[i] == got->second[i]) continue;
      cols += "\n    " + columns[i] + ": expected '" + want[i] + "', actual '" + got->second[i] + "'";
    }
    if (!cols.empty()) note(name + ":" + cols);
  }
  for (const auto& [name, row] : actual) {
    if (!expected.count(name)) note(name + ": in the store, not expected by the model");
  }
  if (differing > 1) first += "\n  (" + std::to_string(differing - 1) + " more rows of " + table + " differ)";
  return first;
}

Rows ByLeadingColumns(const std::vector<Row>& rows, std::size_t leading, const std::string& label = "") {
  Rows out;
  for (const auto& row : rows) {
    std::string name = label;
    if (leading == 4) {
      name += Key{row[0], row[1], row[2], row[3]}.Text();
    } else {
      for (std::size_t i = 0; i < leading; ++i) name += (i ? " " : "") + row[i];
    }
    out.emplace(std::move(name), row);
  }
  return out;
}

std::string KeyName(const Key& k) { return k.Text(); }

// Row names that sort in insertion order.
std::string RowName(int n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "row %06d", n);
  return buf;
}

}  // namespace

std::string Rfc3339(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string DiffCurrentStatus(SQLite::Database& reader, const StoreModel& model) {
  static const std::vector<std::string> columns = {
      "route",    "repo",       "commit_sha", "context",    "state",     "description", "target_url",
      "event_id", "event_time", "updated_at", "sync_state", "synced_at", "attempts",    "last_error"};
  Rows expected;
  for (const auto& [key, k] : model.keys()) {
    const Status& s = k.status;
    expected.emplace(KeyName(key), Row{key.route, key.repo, key.commit, key.context, s.state, s.description, kNullText,
                                       std::to_string(s.event_id), Rfc3339(s.event_time_ms), Rfc3339(s.updated_at_ms),
                                       k.sync.sync_state, Text(k.sync.synced_at_ms), std::to_string(k.sync.attempts),
                                       Text(k.sync.last_error)});
  }
  const Rows actual = ByLeadingColumns(
      QueryRows(reader,
                "SELECT route, repo, commit_sha, context, state, description, target_url, event_id,"
                " event_time, updated_at, sync_state, synced_at, attempts, last_error FROM current_status"),
      4);
  return DiffRows("current_status", columns, expected, actual);
}

std::string DiffDispatch(SQLite::Database& reader, const StoreModel& model, std::int64_t now_ms) {
  static const std::vector<std::string> columns = {"next_attempt_ms", "in_flight", "synced_state",
                                                   "synced_description"};
  Rows expected, actual;
  for (const auto& [key, k] : model.keys()) {
    expected.emplace(KeyName(key), Row{Number(k.sync.next_attempt_ms), k.sync.in_flight ? "1" : "0",
                                       Text(k.sync.synced_state), Text(k.sync.synced_description)});
  }
  CommitStatuses statuses(reader);
  for (const auto& r : statuses.All()) {
    actual.emplace(KeyName({r.key.route, r.key.repo, r.key.commit_sha, r.key.context}),
                   Row{Number(r.sync.next_attempt_ms), r.sync.in_flight ? "1" : "0", Text(r.sync.synced_state),
                       Text(r.sync.synced_description)});
  }
  if (auto diff = DiffRows("commit_statuses (dispatch columns)", columns, expected, actual); !diff.empty()) {
    return diff;
  }
  Rows due_expected, due_actual;
  for (const auto& key : model.Due(now_ms)) due_expected.emplace(KeyName(key), Row{"due"});
  Outbox outbox(reader);
  for (const auto& r : outbox.Due(now_ms, 100000)) {
    due_actual.emplace(KeyName({r.key.route, r.key.repo, r.key.commit_sha, r.key.context}), Row{"due"});
  }
  return DiffRows("Outbox::Due at " + Rfc3339(now_ms), {"due"}, due_expected, due_actual);
}

std::string DiffEvents(SQLite::Database& reader, const StoreModel& model) {
  static const std::vector<std::string> columns = {
      "id",     "received_at", "route",    "kind",       "namespace",  "name", "severity",
      "reason", "message",     "revision", "commit_sha", "event_time", "body", "no_commit_reason"};
  Rows expected;
  for (const auto& [id, e] : model.log()) {
    expected.emplace("id " + std::to_string(id),
                     Row{std::to_string(id), Rfc3339(e.received_at_ms), e.route, e.kind, e.namespace_, e.name,
                         e.severity, e.reason, e.message, Text(e.revision), Text(e.commit), Rfc3339(e.event_time_ms),
                         e.body, e.commit ? kNullText : e.no_commit_reason});
  }
  const Rows actual = ByLeadingColumns(
      QueryRows(reader,
                "SELECT id, received_at, route, kind, namespace, name, severity, reason, message, revision,"
                " commit_sha, event_time, body, no_commit_reason FROM events"),
      1, "id ");
  return DiffRows("events", columns, expected, actual);
}

std::string DiffHistory(SQLite::Database& reader, const StoreModel& model) {
  static const std::vector<std::string> columns = {"event_id", "route",       "repo",       "commit_sha", "context",
                                                   "state",    "description", "event_time", "recorded_at"};
  Rows expected;
  for (const auto& h : model.history()) {
    const Status& s = h.status;
    expected.emplace("event " + std::to_string(s.event_id),
                     Row{std::to_string(s.event_id), h.key.route, h.key.repo, h.key.commit, h.key.context, s.state,
                         s.description, Rfc3339(s.event_time_ms), Rfc3339(s.updated_at_ms)});
  }
  std::vector<Row> rows = QueryRows(reader,
                                    "SELECT event_id, route, repo, commit_sha, context, state, description,"
                                    " event_time, recorded_at FROM status_history");
  Rows actual;
  for (auto& row : rows) {
    std::string name = "event " + row[0];
    if (actual.count(name)) name += " (again)";  // one event changes at most one key, once
    actual.emplace(std::move(name), std::move(row));
  }
  return DiffRows("status_history", columns, expected, actual);
}

std::string DiffAttemptsAndRejections(SQLite::Database& reader, const StoreModel& model) {
  static const std::vector<std::string> columns = {"route", "repo",    "commit_sha",  "context",
                                                   "state", "outcome", "attempted_at"};
  Rows expected, actual;
  int n = 0;
  for (const auto& a : model.attempts()) {
    expected.emplace(RowName(++n),
                     Row{a.key.route, a.key.repo, a.key.commit, a.key.context, a.state, a.outcome, Rfc3339(a.at_ms)});
  }
  n = 0;
  for (auto& row : QueryRows(reader,
                             "SELECT route, repo, commit_sha, context, state, outcome, attempted_at"
                             " FROM delivery_attempts ORDER BY id")) {
    actual.emplace(RowName(++n), std::move(row));
  }
  if (auto diff = DiffRows("delivery_attempts", columns, expected, actual); !diff.empty()) return diff;
  expected.clear();
  actual.clear();
  n = 0;
  for (auto at : model.rejections()) expected.emplace(RowName(++n), Row{Rfc3339(at)});
  n = 0;
  for (auto& row : QueryRows(reader, "SELECT received_at FROM rejected_events ORDER BY id")) {
    actual.emplace(RowName(++n), std::move(row));
  }
  return DiffRows("rejected_events", {"received_at"}, expected, actual);
}

}  // namespace fluxstatus::store::model
