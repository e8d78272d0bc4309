#include "dispatch/delivery_step.h"

#include "core/sync_state.h"

namespace fluxstatus::dispatch {
namespace {

using Result = store::DeliveryRecord::Result;

class Step {
 public:
  Step(const store::StatusRow& row, const Provider& provider, StepEnvironment& env)
      : row_(row), provider_(provider), env_(env), rec_(row, env) {}

  StepResult Run() {
    const auto& sync = row_.sync;
    const auto& record = rec_.record();
    if (!sync.in_flight && sync.synced_state == record.sent_state &&
        sync.synced_description == record.sent_description) {
      return rec_.Finish(Result::kSynced, "");  // the host already shows it: no call at all
    }
    if (sync.in_flight) {
      // A send may have reached the host unrecorded: look before posting again.
      auto listed = ListMatches();
      if (rec_.result().lease_short) return rec_.StopForLease();
      if (!listed) return rec_.result();  // listing failed: Retry already filled in
      if (*listed) return rec_.Finish(Result::kSynced, "");
    }
    if (!env_.lease_covers(LeaseAction::kSend)) return rec_.StopForLease();
    store::DeliveryRecord sending = record;
    sending.attempts.clear();  // the listing's attempts are recorded once, with the step's result
    sending.result = Result::kSending;
    sending.at_ms = env_.now_ms();
    if (!env_.persist_sending(sending)) {
      return rec_.Retry({std::nullopt, "could not record the send before making it"}, std::nullopt, false);
    }

    const DesiredStatus desired{row_.key, row_.fold.state, row_.fold.description, row_.fold.target_url};
    const TransportResult sent = rec_.Call(provider_.BuildCreate(desired, env_.credentials));
    if (!sent.reply) {
      rec_.Attempt(std::nullopt, sent.uncertain ? "uncertain" : "transport_error", sent.error, sent.duration);
      return rec_.Retry({std::nullopt, sent.error}, std::nullopt, sent.uncertain);
    }
    const SendOutcome o = provider_.InterpretCreate(*sent.reply, env_.now_ms() / 1000);
    rec_.Note(o);
    rec_.Attempt(o.http_status, OutcomeName(o.kind), o.error, sent.duration);
    const CallError error{o.http_status, o.error};
    switch (o.kind) {
      case OutcomeKind::kSynced: return rec_.Finish(Result::kSynced, "");
      case OutcomeKind::kRetry: return rec_.Retry(error, o.retry_after, false);
      case OutcomeKind::kPermanent: return rec_.Fail(error);
      case OutcomeKind::kReconcile: {
        // GitLab refuses a status that repeats the current state (it cannot transition
        // pending -> pending): when the host holds the desired state, only the description
        // differs and no call can change it, so that counts as synced.
        auto listed = ListMatches(/*state_only=*/true);
        if (rec_.result().lease_short) {
          rec_.result().lease_short = false;  // the POST was answered: an ordinary retry
          return rec_.Retry(error, std::nullopt, false);
        }
        if (!listed) return rec_.result();
        if (*listed) return rec_.Finish(Result::kSynced, "");
        return rec_.Fail(error);
      }
    }
    return rec_.Fail(error);
  }

 private:
  // Lists the host's statuses for the key's commit: true/false whether the newest one for the
  // context is the desired status; nullopt when listing failed (then a retry is recorded).
  std::optional<bool> ListMatches(bool state_only = false) {
    for (int page = 1; page <= kMaxListPages; ++page) {
      if (!env_.lease_covers(LeaseAction::kList)) {
        rec_.result().lease_short = true;
        return std::nullopt;
      }
      const TransportResult r = rec_.Call(provider_.BuildList(row_.key, env_.credentials, page));
      if (!r.reply) {
        rec_.Attempt(std::nullopt, "transport_error", r.error, r.duration);
        rec_.Retry({std::nullopt, r.error}, std::nullopt, true);
        return std::nullopt;
      }
      const Provider::ListPage listed = provider_.InterpretList(*r.reply, row_.key, env_.now_ms() / 1000);
      rec_.Note(listed.outcome);
      if (listed.outcome.kind != OutcomeKind::kSynced) {
        rec_.Attempt(listed.outcome.http_status, "list_failed", listed.outcome.error, r.duration);
        const CallError error{listed.outcome.http_status, listed.outcome.error};
        if (listed.outcome.kind == OutcomeKind::kRetry)
          rec_.Retry(error, listed.outcome.retry_after, true);
        else
          rec_.Fail(error, "listing statuses failed: ");
        return std::nullopt;
      }
      if (listed.newest_for_context) {
        const bool same = state_only
                              ? listed.newest_for_context->state == row_.fold.state
                              : HostHasDesired(*listed.newest_for_context, row_.fold.state, row_.fold.description);
        rec_.Attempt(listed.outcome.http_status, same ? store::kOutcomeAlreadyOnHost : "listed", "", r.duration);
        return same;
      }
      rec_.Attempt(listed.outcome.http_status, "listed", "", r.duration);  // every page is a call
      if (!listed.more_pages) return false;
    }
    return false;
  }

  const store::StatusRow& row_;
  const Provider& provider_;
  StepEnvironment& env_;
  StepRecorder rec_;
};

}  // namespace

bool HostHasDesired(const ObservedStatus& host, core::StatusState state, const std::string& description) {
  if (host.state != state) return false;
  if (host.description == description) return true;
  static const std::string kEllipsis = "…";
  const std::string& d = host.description;
  if (d.size() >= kEllipsis.size() && d.compare(d.size() - kEllipsis.size(), kEllipsis.size(), kEllipsis) == 0) {
    return description.rfind(d.substr(0, d.size() - kEllipsis.size()), 0) == 0;
  }
  return false;
}

StepResult RunDeliveryStep(const store::StatusRow& row, const Provider& provider, StepEnvironment& env) {
  return Step(row, provider, env).Run();
}

// The route's credentials could not be had (no token file, a GitHub App refusing): no call is
// made, and the key is retried like a transport error. A send in flight stays so.
StepResult CredentialsFailure(const store::StatusRow& row, StepEnvironment& env, const std::string& error) {
  return StepRecorder(row, env).Retry({std::nullopt, "credentials: " + error}, std::nullopt, row.sync.in_flight);
}

}  // namespace fluxstatus::dispatch
