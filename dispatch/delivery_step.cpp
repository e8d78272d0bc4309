#include "dispatch/delivery_step.h"

namespace fluxstatus::dispatch {
namespace {

using Result = store::DeliveryRecord::Result;

std::string OutcomeName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kDelivered: return "delivered";
    case OutcomeKind::kRetryable: return "retry";
    case OutcomeKind::kReconcile: return "reconcile";
    case OutcomeKind::kPermanent: return "failed";
  }
  return "failed";
}

class Step {
 public:
  Step(const store::StatusRow& row, StepEnvironment& env) : row_(row), env_(env) {
    auto& r = result_.record;
    r.key = row.key;
    r.sent_event_id = row.fold.event_id;
    r.sent_state = std::string(core::ToString(row.fold.state));
    r.sent_description = row.fold.description;
  }

  StepResult Run() {
    const auto& sync = row_.sync;
    if (!sync.in_flight && sync.synced_state == result_.record.sent_state &&
        sync.synced_description == result_.record.sent_description) {
      return Finish(Result::kSynced, "");  // the host already shows it: no call at all
    }
    if (sync.in_flight) {
      // A send may have reached the host unrecorded: look before posting again.
      auto listed = ListMatches();
      if (result_.lease_short) return StopForLease();
      if (!listed) return result_;  // listing failed: Retry already filled in
      if (*listed) return Finish(Result::kSynced, "");
    }
    if (!env_.lease_covers(LeaseAction::kSend)) return StopForLease();
    store::DeliveryRecord sending = result_.record;
    sending.attempts.clear();  // the listing's attempts are recorded once, with the step's result
    sending.result = Result::kSending;
    sending.at_ms = env_.now_ms();
    if (!env_.persist_sending(sending)) return Retry("could not record the send before making it", std::nullopt, false);

    const DesiredStatus desired{row_.key, row_.fold.state, row_.fold.description, row_.fold.target_url};
    const TransportResult sent = Call(env_.provider.BuildCreate(desired, env_.credentials));
    if (!sent.reply) {
      Attempt(std::nullopt, sent.uncertain ? "uncertain" : "transport_error", sent.error, sent.duration);
      return Retry(sent.error, std::nullopt, sent.uncertain);
    }
    const SendOutcome o = env_.provider.InterpretCreate(*sent.reply, env_.now_ms() / 1000);
    Note(o);
    Attempt(o.http_status, OutcomeName(o.kind), o.error, sent.duration);
    switch (o.kind) {
      case OutcomeKind::kDelivered: return Finish(Result::kSynced, "");
      case OutcomeKind::kRetryable: return Retry(o.error, o.retry_after, false);
      case OutcomeKind::kPermanent: return Finish(Result::kFailed, o.error);
      case OutcomeKind::kReconcile: {
        // GitLab refuses a status that repeats the current state (it cannot transition
        // pending -> pending): when the host holds the desired state, only the description
        // differs and no call can change it, so that counts as synced.
        auto listed = ListMatches(/*state_only=*/true);
        if (result_.lease_short) {
          result_.lease_short = false;  // the POST was answered: an ordinary retry
          return Retry(o.error, std::nullopt, false);
        }
        if (!listed) return result_;
        if (*listed) return Finish(Result::kSynced, "");
        return Finish(Result::kFailed, o.error);
      }
    }
    return Finish(Result::kFailed, o.error);
  }

 private:
  TransportResult Call(const HttpCall& call) {
    ++result_.calls;
    return env_.send(call);
  }

  void Note(const SendOutcome& o) {
    if (o.rate.remaining || o.rate.reset_epoch_s) result_.rate = o.rate;
    if (o.host_exhausted && o.retry_after) {
      result_.pause_host_until_ms = env_.now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(*o.retry_after).count();
    }
  }

  void Attempt(std::optional<int> status, const std::string& outcome, const std::string& error,
               std::chrono::milliseconds duration) {
    store::DeliveryAttempt a;
    a.key = row_.key;
    a.state = result_.record.sent_state;
    a.attempted_at_ms = env_.now_ms() - duration.count();
    a.http_status = status;
    a.outcome = outcome;
    a.error = error;
    a.duration_ms = duration.count();
    result_.record.attempts.push_back(std::move(a));
  }

  // Lists the host's statuses for the key's commit: true/false whether the newest one for the
  // context is the desired status; nullopt when listing failed (then a retry is recorded).
  std::optional<bool> ListMatches(bool state_only = false) {
    for (int page = 1; page <= kMaxListPages; ++page) {
      if (!env_.lease_covers(LeaseAction::kList)) {
        result_.lease_short = true;
        return std::nullopt;
      }
      const TransportResult r = Call(env_.provider.BuildList(row_.key, env_.credentials, page));
      if (!r.reply) {
        Attempt(std::nullopt, "transport_error", r.error, r.duration);
        Retry(r.error, std::nullopt, true);
        return std::nullopt;
      }
      const Provider::ListPage listed = env_.provider.InterpretList(*r.reply, row_.key, env_.now_ms() / 1000);
      Note(listed.outcome);
      if (listed.outcome.kind != OutcomeKind::kDelivered) {
        Attempt(listed.outcome.http_status, "list_failed", listed.outcome.error, r.duration);
        if (listed.outcome.kind == OutcomeKind::kRetryable) Retry(listed.outcome.error, listed.outcome.retry_after, true);
        else Finish(Result::kFailed, "listing statuses failed: " + listed.outcome.error);
        return std::nullopt;
      }
      if (listed.newest_for_context) {
        const bool same = state_only ? listed.newest_for_context->state == row_.fold.state
                                     : HostHasDesired(*listed.newest_for_context, row_.fold.state, row_.fold.description);
        Attempt(listed.outcome.http_status, same ? "already_on_host" : "listed", "", r.duration);
        return same;
      }
      Attempt(listed.outcome.http_status, "listed", "", r.duration);  // every page is a call
      if (!listed.more_pages) return false;
    }
    return false;
  }

  StepResult Retry(const std::string& error, std::optional<std::chrono::seconds> host_asked, bool uncertain) {
    const int attempts = static_cast<int>(row_.sync.attempts) + 1;
    result_.record.uncertain = uncertain;
    if (env_.policy.Exhausted(attempts)) {
      return Finish(Result::kFailed, "gave up after " + std::to_string(attempts) + " attempts: " + error);
    }
    std::optional<std::chrono::milliseconds> asked;
    if (host_asked) asked = std::chrono::duration_cast<std::chrono::milliseconds>(*host_asked);
    result_.record.next_attempt_ms = env_.now_ms() + env_.policy.Delay(attempts, env_.jitter01, asked).count();
    return Finish(Result::kRetry, error);
  }

  // See StepResult::lease_short.
  StepResult StopForLease() {
    result_.lease_short = true;
    Finish(Result::kSending, "the dispatch lease ends before the next call could finish");
    result_.record.uncertain = true;
    return result_;
  }

  StepResult Finish(Result result, const std::string& error) {
    result_.record.result = result;
    result_.record.error = error;
    result_.record.at_ms = env_.now_ms();
    return result_;
  }

  const store::StatusRow& row_;
  StepEnvironment& env_;
  StepResult result_;
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

StepResult RunDeliveryStep(const store::StatusRow& row, StepEnvironment& env) { return Step(row, env).Run(); }

}  // namespace fluxstatus::dispatch
