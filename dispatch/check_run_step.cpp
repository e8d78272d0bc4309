#include "dispatch/check_run_step.h"

#include "core/check_run_fold.h"
#include "core/rfc3339.h"
#include "core/sync_state.h"

namespace fluxstatus::dispatch {
namespace {

using Result = store::DeliveryRecord::Result;

// Our newest run as far as the step knows: what it shows, when known.
struct KnownRun {
  std::string id;
  core::CheckRunPhase phase;
  std::optional<std::string> title;  // known after a lookup
  bool stored = false;               // the id came from the row, not from this step
};

// The run a row's sync columns describe: the stored id, showing the confirmed state. None when
// the row is in flight (a write's answer may be lost) or its confirmation was dropped.
std::optional<KnownRun> StoredRun(const core::SyncInfo& sync) {
  if (sync.in_flight || !sync.host_object_id || sync.host_object_id->empty() || !sync.synced_state) {
    return std::nullopt;
  }
  return KnownRun{*sync.host_object_id, core::CheckRunPhaseOf(*sync.synced_state), std::nullopt, true};
}

// Whether GitHub may hold a run of ours that the row does not describe: a write was in flight
// (its answer may be lost; replay marks keys so too) or the stored id lost its confirmation.
// A key with no id and nothing in flight was never created (every create is marked in flight
// first), so its first run costs no lookup: the guide's 3 calls per failure then fix.
bool MayHaveUnknownRun(const core::SyncInfo& sync) {
  return sync.in_flight || (sync.host_object_id && !sync.host_object_id->empty());
}

class Step {
 public:
  Step(const store::StatusRow& row, const CheckRunProvider& provider, const DesiredCheckRun& desired,
       StepEnvironment& env)
      : row_(row), provider_(provider), desired_(desired), env_(env), rec_(row, env) {}

  StepResult Run() {
    std::optional<KnownRun> run = StoredRun(row_.sync);
    if (run && Shows(*run)) return Synced(run->id);
    if (!run && MayHaveUnknownRun(row_.sync)) {
      auto found = Find();
      if (!found) return rec_.result();  // recorded: a retry, a failure or the lease
      run = *found;
      if (run && Shows(*run)) return Synced(run->id);
    }
    if (run && !run->phase.completed) {
      const auto patched = Patch(run->id);
      if (!patched) return rec_.result();
      if (patched->kind == OutcomeKind::kSynced) return Synced(run->id);
      // A stored run GitHub no longer has (404), or one another App made (403 "Invalid app_id":
      // the route moved to a new App), cannot be moved: this key needs a run of its own.
      const bool lost = patched->http_status == 404 || patched->http_status == 403;
      if (!(run->stored && lost)) return Unsent(*patched);
      rec_.record().host_object_id = "";
    }
    return Create();
  }

 private:
  // Whether `run` already shows the row: a completed run its conclusion (nothing else of a
  // completed run can change), a run in progress its words too.
  bool Shows(const KnownRun& run) const {
    if (run.phase != desired_.phase) return false;
    if (run.phase.completed) return true;
    if (run.title) return *run.title == desired_.output.title;
    return row_.sync.synced_description == row_.fold.description;
  }

  StepResult Synced(const std::string& id) {
    rec_.record().host_object_id = id;
    return rec_.Finish(Result::kSynced, "");
  }

  // Records a write's answer that is not kSynced: a retry (a kReconcile one may have been
  // applied: find before writing again) or a failure.
  StepResult Unsent(const SendOutcome& o) {
    const CallError error{o.http_status, o.error};
    if (o.kind == OutcomeKind::kReconcile) return rec_.Retry(error, o.retry_after, true);
    if (o.kind == OutcomeKind::kRetry) return rec_.Retry(error, o.retry_after, row_.sync.in_flight);
    return rec_.Fail(error);
  }

  // Our newest run on the commit: nullopt inside when GitHub has none; nullopt outside when the
  // step ends here (recorded).
  std::optional<std::optional<KnownRun>> Find() {
    std::optional<KnownRun> newest;
    std::int64_t newest_number = -1;
    for (int page = 1; page <= kMaxListPages; ++page) {
      if (!rec_.Covered(LeaseAction::kList)) return std::nullopt;
      std::chrono::milliseconds took{0};
      const auto reply = rec_.Exchange(provider_.BuildFind(desired_, env_.credentials, page), took);
      if (!reply) return std::nullopt;
      const auto f = provider_.InterpretFind(*reply, desired_, env_.now_ms() / 1000);
      rec_.Note(f.outcome);
      if (f.outcome.kind != OutcomeKind::kSynced) {
        rec_.Attempt(f.outcome.http_status, "list_failed", f.outcome.error, took);
        rec_.Accepted(f.outcome, "finding the check run failed: ");
        return std::nullopt;
      }
      rec_.Attempt(f.outcome.http_status, f.id ? store::kOutcomeFound : "listed", "", took);
      if (f.id && f.id_number > newest_number) {
        newest = {*f.id, f.phase, f.title, false};
        newest_number = f.id_number;
      }
      if (!f.more_pages) break;
    }
    if (newest) rec_.record().host_object_id = newest->id;
    return newest;
  }

  // The PATCH's answer; nullopt when the step ends here (recorded).
  std::optional<SendOutcome> Patch(const std::string& id) {
    rec_.record().host_object_id = id;
    if (!rec_.Covered(LeaseAction::kSend) || !rec_.SendingRecorded()) return std::nullopt;
    std::chrono::milliseconds took{0};
    const auto reply = rec_.Exchange(provider_.BuildUpdate(id, desired_, env_.credentials), took);
    if (!reply) return std::nullopt;
    const SendOutcome o = provider_.InterpretUpdate(*reply, env_.now_ms() / 1000);
    rec_.Note(o);
    rec_.Attempt(o.http_status, OutcomeName(o.kind), o.error, took);
    return o;
  }

  // A new run showing the row. The send is recorded first, so a crash before the answer finds
  // the run rather than create a second.
  StepResult Create() {
    if (!rec_.Covered(LeaseAction::kSend) || !rec_.SendingRecorded()) return rec_.result();
    std::chrono::milliseconds took{0};
    const auto reply = rec_.Exchange(provider_.BuildCreate(desired_, env_.credentials), took);
    if (!reply) return rec_.result();
    const auto c = provider_.InterpretCreate(*reply, env_.now_ms() / 1000);
    rec_.Note(c.outcome);
    rec_.Attempt(c.outcome.http_status, c.id ? store::kOutcomeCreated : OutcomeName(c.outcome.kind), c.outcome.error,
                 took);
    if (c.outcome.kind != OutcomeKind::kSynced) return Unsent(c.outcome);
    if (!c.id)
      return rec_.Retry({c.outcome.http_status, "GitHub created a check run without an id"}, std::nullopt, true);
    return Synced(*c.id);
  }

  const store::StatusRow& row_;
  const CheckRunProvider& provider_;
  const DesiredCheckRun& desired_;
  StepEnvironment& env_;
  StepRecorder rec_;
};

// When the reconcile that led to the row's state began: the oldest of the pending changes
// right before the current one (history is oldest first and ends with it), else its own time.
std::int64_t StartedAtMs(const store::StatusRow& row, const std::vector<store::ChangeRow>& history) {
  std::int64_t started = row.fold.event_time_ms;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->event_id == row.fold.event_id) continue;
    if (it->state != "pending") break;
    if (const auto ms = core::ParseRfc3339(it->event_time)) started = std::min(started, *ms);
  }
  return started;
}

core::CheckRunFacts FactsOf(const store::StatusRow& row, const std::optional<store::EventFacts>& event,
                            const std::vector<store::ChangeRow>& history, std::string_view cluster) {
  core::CheckRunFacts f;
  f.context = row.key.context;
  f.state = std::string(core::ToString(row.fold.state));
  f.cluster = std::string(cluster);
  f.event_time = core::FormatRfc3339Millis(row.fold.event_time_ms);
  if (event) {
    f.reason = event->reason;
    f.message = event->message;
    f.kind = event->kind;
    f.namespace_ = event->namespace_;
    f.name = event->name;
    f.revision = event->revision.value_or("");
  } else {
    f.message = row.fold.description;  // the event was pruned: its status's words are what is left
  }
  for (const auto& change : history) f.history.push_back({change.event_time, change.state, change.description});
  return f;
}

}  // namespace

DesiredCheckRun DesiredCheckRunOf(const store::StatusRow& row, const std::optional<store::EventFacts>& event,
                                  const std::vector<store::ChangeRow>& history, std::string_view cluster) {
  DesiredCheckRun d;
  d.commit_sha = row.key.commit_sha;
  d.name = row.key.context;
  d.external_id = core::CheckRunExternalId(row.key);
  d.phase = core::CheckRunPhaseOf(core::ToString(row.fold.state));
  d.started_at = core::FormatRfc3339Seconds(StartedAtMs(row, history));
  if (d.phase.completed) d.completed_at = core::FormatRfc3339Seconds(row.fold.event_time_ms);
  d.details_url = row.fold.target_url;
  d.output = core::RenderCheckRunOutput(FactsOf(row, event, history, cluster));
  return d;
}

StepResult RunCheckRunStep(const store::StatusRow& row, const CheckRunProvider& provider,
                           const DesiredCheckRun& desired, StepEnvironment& env) {
  return Step(row, provider, desired, env).Run();
}

}  // namespace fluxstatus::dispatch
