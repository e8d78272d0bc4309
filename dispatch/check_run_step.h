// One check-run row's trip to GitHub (issue 16): one live run per (route, commit, context),
// updated in place while it is in progress; a completed run never changes again, so a later
// state starts a new run of the same name. The recording (Attempt rows, retries, failures,
// the lease) is StepRecorder's, as for statuses and deployments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/check_run_provider.h"
#include "dispatch/step_record.h"
#include "store/commit_statuses.h"
#include "store/event_log.h"
#include "store/status_changes.h"

namespace fluxstatus::dispatch {

// How many of the key's changes a run's text lists.
inline constexpr std::size_t kCheckRunHistory = 10;

// What `row` (a kCheckRun row) asks GitHub to show: named after its context, in its state, with
// the output made of its event (`event`; nullopt once pruned: the row's own words stand in)
// and its recent changes (`history`, oldest first). started_at is when the state's reconcile
// began: the first of the pending changes right before it, else the event's time.
DesiredCheckRun DesiredCheckRunOf(const store::StatusRow& row, const std::optional<store::EventFacts>& event,
                                  const std::vector<store::ChangeRow>& history, std::string_view cluster);

// The sequence (check_run_provider.h): no call when the stored run already shows the row (a
// completed run: its conclusion; a run in progress: its words too); in flight, or with a stored
// id whose confirmation was dropped, find ours first (a key never written gets its first run
// without a lookup); a run in progress is PATCHed; a completed one (or none) gets a
// new run. A stored run GitHub no longer has (404) is forgotten and a new one created. Every
// record of a known run carries its id (host_object_id).
StepResult RunCheckRunStep(const store::StatusRow& row, const CheckRunProvider& provider,
                           const DesiredCheckRun& desired, StepEnvironment& env);

}  // namespace fluxstatus::dispatch
