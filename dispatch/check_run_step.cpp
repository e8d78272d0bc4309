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
  bool stored = false;  // the id came from the row, not from this step
};

// The run a row's sync columns describe: the stored id, showing the confirmed state. None when
// the row is in flight (a write's answer may be lost) or its confirmation was dropped.
std::optional<KnownRun> StoredRun(const core::SyncInfo& sync) {
  if (sync.in_flight || !sync.host_object_id || sync.host_object_id->empty() || !sync.synced_state) {
    return std::nullopt;
  }
  return KnownRun{*sync.host_object_id, core::CheckRunPhaseOf(*sync.synced_state), true};
}

class Step {
 public:
  Step(const store::StatusRow& row, const CheckRunProvider& provider, const DesiredCheckRun& desired,
       StepEnvironment& env)
      : row_(row), provider_(provider), desired_(desired), env_(env), rec_(row, env) {}

  StepResult Run() {
    std::optional<KnownRun> run = StoredRun(row_.sync);
    if (run && Shows(*run)) return Synced(run->id);
    // A key never sent (no run stored, nothing in flight) has no run on GitHub: create it. One
    // that was may have one this step does not know of (a lost answer, a replay): find it.
    const bool maybe_on_host = row_.sync.in_flight || (row_.sync.host_object_id && !row_.sync.host_object_id->empty());
    if (!run && maybe_on_host) {
      auto found = Find();
      if (!found) return rec_.result();  // recorded: a retry, a failure or the lease
      run = *found;
      if (run && Shows(*run)) return Synced(run->id);
    }
    if (run && !run->phase.completed) {
      const auto patched = Patch(run->id);
      if (!patched) return rec_.result();
      if (patched->kind == OutcomeKind::kSynced) return Synced(run->id);
      // A stored run GitHub refuses for good (404: gone; 403 "Invalid app_id": made by the App
      // the route had before) cannot be moved: the key gets a run of its own. The old id stays
      // until the new one is known, so a create that fails leaves the next step looking first.
      const bool refused =
          patched->kind == OutcomeKind::kPermanent && (patched->http_status == 404 || patched->http_status == 403);
      if (!(run->stored && refused)) return Unsent(*patched);
    }
    return Create();
  }

 private:
  // Whether `run` already shows the row: a completed run its conclusion (nothing else of a
  // completed run can change); a stored run in progress the words it was confirmed with. A
  // found run in progress is PATCHed: its title (the reason) cannot tell two Progressing
  // messages apart.
  bool Shows(const KnownRun& run) const {
    if (run.phase != desired_.phase) return false;
    if (run.phase.completed) return true;
    return run.stored && row_.sync.synced_description == row_.fold.description;
  }

  StepResult Synced(const std::string& id) {
    rec_.record().host_object_id = id;
    return rec_.Finish(Result::kSynced, "");
  }

  // Records a write's answer that is not kSynced: a failure, or a retry that looks first, as
  // GitHub (or a proxy) may have applied a write it answered 5xx or 408: the key stays in
  // flight, so the next step finds that run rather than create a second.
  StepResult Unsent(const SendOutcome& o) {
    const CallError error{o.http_status, o.error};
    if (o.kind == OutcomeKind::kPermanent) return rec_.Fail(error);
    return rec_.Retry(error, o.retry_after, true);
  }

  // Our newest run on the commit: nullopt inside when GitHub has none; nullopt outside when the
  // step ends here (recorded).
  std::optional<std::optional<KnownRun>> Find() {
    std::optional<KnownRun> newest;
    std::int64_t newest_number = -1;
    for (int page = 1; page <= kMaxListPages; ++page) {
      const auto read = [&](const HttpReply& reply) {
        return provider_.InterpretFind(reply, desired_, env_.now_ms() / 1000);
      };
      const auto f =
          rec_.ReadPage(provider_.BuildFind(desired_, env_.credentials, page), read, "finding the check run failed: ");
      if (!f) return std::nullopt;
      if (f->id && f->id_number > newest_number) {
        newest = {*f->id, f->phase, false};
        newest_number = f->id_number;
      }
      if (!f->more_pages) break;
    }
    if (newest) rec_.record().host_object_id = newest->id;
    return newest;
  }

  // The PATCH's answer; nullopt when the step ends here (recorded).
  std::optional<SendOutcome> Patch(const std::string& id) {
    rec_.record().host_object_id = id;
    return rec_.Write(provider_.BuildUpdate(id, desired_, env_.credentials),
                      [&](const HttpReply& reply) { return provider_.InterpretUpdate(reply, env_.now_ms() / 1000); });
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
