// `replay`: after an outage, re-fold the statuses of the commits seen in a time window from
// their whole history in the log (the same fold as the live writer), mark them due again even
// when they were synced or failed, and send them through the normal dispatcher, which lists
// each key on its host first, so only what the host lacks is posted. Works beside a running
// `serve` (whose dispatcher holds the dispatch lease and sends them; replay waits and reports)
// and offline (replay takes the lease and sends them itself).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/route_catalog.h"
#include "dispatch/dispatcher.h"
#include "store/database.h"
#include "store/replay_window.h"

namespace fluxstatus::replay {

// Where the replay's keys stand while it waits for them.
struct ReplayProgress {
  std::int64_t keys = 0;     // keys to re-sync
  std::int64_t settled = 0;  // no longer pending (synced, failed or skipped)
  std::string waiting_for;   // the other process holding the dispatch lease; empty: us
};

struct ReplaySummary {
  std::int64_t events = 0;                          // events in the window
  std::int64_t commits = 0;                         // (route, commit) pairs in the window
  std::int64_t refolded = 0;                        // statuses re-folded from their whole history
  std::int64_t corrected = 0;                       // of those, rows the re-fold changed (0 when all was in order)
  std::int64_t marked = 0;                          // statuses marked for re-sync
  std::int64_t already_on_host = 0;                 // keys the host listed as already holding the status
  std::int64_t sent = 0;                            // keys posted (created) on the host
  std::map<std::string, std::int64_t> sync_states;  // the marked keys afterwards, by sync_state
  std::int64_t failed = 0;                          // marked keys left failed
  std::int64_t pending = 0;                         // marked keys still pending at the give-up
  bool sent_here = false;                           // this process held the lease and sent
  std::string other_dispatcher;                     // the other lease holder seen (a running serve), if any
};

struct ReplaySettings {
  std::string db_path;
  store::Durability durability = store::Durability::kFull;
  core::RouteCatalog routes;
  std::vector<dispatch::DispatchRoute> dispatch_routes;
  dispatch::DispatcherOptions options;  // workers and retry policy; keys and lease are set here
  // Replay stops waiting when no key settled for this long; what is left stays pending for
  // `serve` (a host still down, a long backoff).
  std::chrono::milliseconds give_up_after{std::chrono::minutes(5)};
  std::function<void(const ReplayProgress&)> on_progress;  // called about 5 times a second
};

// Throws on database errors.
ReplaySummary RunReplay(ReplaySettings settings, const store::ReplayWindow& window);

// --dry-run: the plan only; writes nothing.
store::ReplayPlan PlanOnly(const std::string& db_path, const store::ReplayWindow& window);

}  // namespace fluxstatus::replay
