// The reference model behind the store's randomized test (model_test.cpp): what the store must
// hold after each operation, worked out from the documented rules (docs/sql.md, the SQL
// contract, the headers of store/) in a few plain maps. It never calls core::Fold, the store or
// any other product code, so a mistake shared by the live fold, rebuild and re-fold still shows
// as a difference.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace fluxstatus::store::model {

// One commit status: (route, repo, commit, context).
struct Key {
  std::string route, repo, commit, context;
  friend auto operator<=>(const Key&, const Key&) = default;
  std::string Text() const;  // "(gh, acme/app, 69fd…, kustomization/apps)", for messages
};

struct RouteInfo {
  std::string name;
  std::string repo;  // empty for a route without provider
  bool has_provider = false;
};

// One event as the test sends it, with what the store should make of it.
struct SentEvent {
  std::string route;
  std::string body;  // the JSON bytes
  std::int64_t received_at_ms = 0;
  std::string kind, namespace_, name, severity, reason, message;
  std::int64_t event_time_ms = 0;
  std::optional<std::string> revision;  // nullopt: no revision metadata
  std::optional<std::string> commit;    // the commit the revision names, lower-case hex
  std::string no_commit_reason;         // when !commit
  // The status it asks for, when it names a commit and is not a trace event.
  std::string state, description, context;
};

// The status that holds a key, and the event that set (or last repeated) it.
struct Status {
  std::string state, description;
  std::int64_t event_id = 0, event_time_ms = 0, updated_at_ms = 0;
};

// What dispatch did for a key.
struct Sync {
  std::string sync_state = "pending";
  std::optional<std::int64_t> synced_at_ms;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> next_attempt_ms;
  bool in_flight = false;
  std::optional<std::string> synced_state, synced_description;
};

struct KeyRecord {
  Status status;
  Sync sync;
  std::int64_t created_by = 0;  // the id of the event that created the key
  std::vector<Status> held;     // every status the key ever held, oldest first
};

struct HistoryRow {
  Key key;
  Status status;  // updated_at_ms is recorded_at
};

// One delivery_attempts row.
struct AttemptRow {
  Key key;
  std::string state, outcome;
  std::int64_t at_ms = 0;
};

// One dispatch step's result, as a worker records it.
struct Delivery {
  enum class Result { kSending, kSynced, kRetry, kFailed, kSkipped };
  Key key;
  std::int64_t sent_event_id = 0;
  std::string sent_state, sent_description;
  Result result = Result::kRetry;
  bool uncertain = false;
  std::optional<std::int64_t> next_attempt_ms;
  std::string error;
  std::int64_t at_ms = 0;
  std::vector<AttemptRow> attempts;
};

enum class Outcome { kDuplicate, kNoStatus, kCreated, kChanged, kRefreshed, kStale };
const char* ToString(Outcome o);

struct AppendExpect {
  std::int64_t id = 0;  // the new id, or the id of the byte-identical event already logged
  Outcome outcome = Outcome::kNoStatus;
};

struct PruneExpect {
  std::int64_t through = 0, events = 0, events_kept = 0, changes = 0, attempts = 0, rejections = 0, snapshot_keys = 0;
};

// A replay window: events received in [since, until), optionally one route and a commit prefix.
struct Window {
  std::int64_t since_ms = 0;
  std::optional<std::int64_t> until_ms;
  std::optional<std::string> route, commit_prefix;
};

class StoreModel {
 public:
  explicit StoreModel(std::vector<RouteInfo> routes);

  AppendExpect Append(const SentEvent& e);
  void Record(const Delivery& d);
  // `rebuild`: statuses and history are re-derived as they were; a key skipped although its
  // route sends (a dispatcher without the route recorded it so) is due again.
  void Rebuild();
  void Reject(std::int64_t at_ms) { rejections_.push_back(at_ms); }
  // What a prune before cutoff_ms would do (Plan), and doing it (Prune).
  PruneExpect Plan(std::int64_t cutoff_ms) const;
  PruneExpect Prune(std::int64_t cutoff_ms);
  // Replay: the window's events and (route, commit) pairs, and marking a commit for re-sync.
  std::int64_t WindowEvents(const Window& w) const;
  std::vector<std::pair<std::string, std::string>> WindowCommits(const Window& w) const;
  std::vector<Key> WindowKeys(const Window& w) const;
  std::int64_t MarkForResync(const std::string& route, const std::string& commit);
  // A per-commit re-fold: its keys, and how many logged events it reads (those after the horizon).
  std::vector<Key> KeysOf(const std::string& route, const std::string& commit) const;
  std::int64_t EventsAfterHorizon(const std::string& route, const std::string& commit) const;
  // Keys dispatch would pick up at now_ms.
  std::set<Key> Due(std::int64_t now_ms) const;

  const RouteInfo& Route(const std::string& name) const;
  const std::map<Key, KeyRecord>& keys() const { return keys_; }
  const std::map<std::int64_t, SentEvent>& log() const { return log_; }
  const std::vector<HistoryRow>& history() const { return history_; }
  const std::vector<AttemptRow>& attempts() const { return attempts_; }
  const std::vector<std::int64_t>& rejections() const { return rejections_; }
  std::int64_t horizon() const { return horizon_; }
  std::int64_t SnapshotKeys() const;
  std::int64_t EventsAfterHorizon() const;

 private:
  Outcome Fold(const SentEvent& e, std::int64_t id);
  bool InWindow(const SentEvent& e, const Window& w) const;

  std::vector<RouteInfo> routes_;
  std::map<std::int64_t, SentEvent> log_;                               // the events not pruned, by id
  std::map<std::pair<std::string, std::string>, std::int64_t> bodies_;  // (route, body) -> id
  std::int64_t last_id_ = 0;                                            // ids only ever grow, also across a prune
  std::map<Key, KeyRecord> keys_;
  std::vector<HistoryRow> history_;
  std::vector<AttemptRow> attempts_;
  std::vector<std::int64_t> rejections_;  // received_at of each kept rejection
  std::int64_t horizon_ = 0;              // the last event id folded into prune's snapshot
};

}  // namespace fluxstatus::store::model
