#include "dispatch/delivery_step.h"

#include "core/sync_state.h"

namespace fluxstatus::dispatch {
namespace {

using Result = store::DeliveryRecord::Result;

// Why a call failed, as last_error words it: the host's HTTP status (none for a transport
// error) and its text.
struct CallError {
  std::optional<int> http_status;
  std::string text;
};

// A refused credential is the usual permanent failure (a revoked or rotated token): last_error
// names the route and the way out, not only the host's wording. A 403 rate limit is retryable
// and never gets here.
bool RefusedCredentials(const CallError& e) { return e.http_status == 401 || e.http_status == 403; }

std::string OutcomeName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kSynced: return store::kOutcomeSynced;
    case OutcomeKind::kRetry: return store::kOutcomeRetry;
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
    r.sink = row.sink;
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
    if (!env_.persist_sending(sending)) {
      return Retry({std::nullopt, "could not record the send before making it"}, std::nullopt, false);
    }

    const DesiredStatus desired{row_.key, row_.fold.state, row_.fold.description, row_.fold.target_url};
    const TransportResult sent = Call(env_.provider.BuildCreate(desired, env_.credentials));
    if (!sent.reply) {
      Attempt(std::nullopt, sent.uncertain ? "uncertain" : "transport_error", sent.error, sent.duration);
      return Retry({std::nullopt, sent.error}, std::nullopt, sent.uncertain);
    }
    const SendOutcome o = env_.provider.InterpretCreate(*sent.reply, env_.now_ms() / 1000);
    Note(o);
    Attempt(o.http_status, OutcomeName(o.kind), o.error, sent.duration);
    const CallError error{o.http_status, o.error};
    switch (o.kind) {
      case OutcomeKind::kSynced: return Finish(Result::kSynced, "");
      case OutcomeKind::kRetry: return Retry(error, o.retry_after, false);
      case OutcomeKind::kPermanent: return Fail(error);
      case OutcomeKind::kReconcile: {
        // GitLab refuses a status that repeats the current state (it cannot transition
        // pending -> pending): when the host holds the desired state, only the description
        // differs and no call can change it, so that counts as synced.
        auto listed = ListMatches(/*state_only=*/true);
        if (result_.lease_short) {
          result_.lease_short = false;  // the POST was answered: an ordinary retry
          return Retry(error, std::nullopt, false);
        }
        if (!listed) return result_;
        if (*listed) return Finish(Result::kSynced, "");
        return Fail(error);
      }
    }
    return Fail(error);
  }

  // The route's credentials could not be had (no token file, a GitHub App refusing): no call
  // is made, and the key is retried like a transport error. A send in flight stays so.
  StepResult NoCredentials(const std::string& error) {
    return Retry({std::nullopt, "credentials: " + error}, std::nullopt, row_.sync.in_flight);
  }

 private:
  TransportResult Call(const HttpCall& call) {
    ++result_.calls;
    return env_.send(call);
  }

  void Note(const SendOutcome& o) {
    if (o.rate.remaining || o.rate.reset_epoch_s) result_.rate = o.rate;
    if (o.host_exhausted && o.retry_after) {
      result_.pause_host_until_ms =
          env_.now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(*o.retry_after).count();
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
        Retry({std::nullopt, r.error}, std::nullopt, true);
        return std::nullopt;
      }
      const Provider::ListPage listed = env_.provider.InterpretList(*r.reply, row_.key, env_.now_ms() / 1000);
      Note(listed.outcome);
      if (listed.outcome.kind != OutcomeKind::kSynced) {
        Attempt(listed.outcome.http_status, "list_failed", listed.outcome.error, r.duration);
        const CallError error{listed.outcome.http_status, listed.outcome.error};
        if (listed.outcome.kind == OutcomeKind::kRetry)
          Retry(error, listed.outcome.retry_after, true);
        else
          Fail(error, "listing statuses failed: ");
        return std::nullopt;
      }
      if (listed.newest_for_context) {
        const bool same = state_only
                              ? listed.newest_for_context->state == row_.fold.state
                              : HostHasDesired(*listed.newest_for_context, row_.fold.state, row_.fold.description);
        Attempt(listed.outcome.http_status, same ? store::kOutcomeAlreadyOnHost : "listed", "", r.duration);
        return same;
      }
      Attempt(listed.outcome.http_status, "listed", "", r.duration);  // every page is a call
      if (!listed.more_pages) return false;
    }
    return false;
  }

  // Every last_error of a failed or retried step is worded by Retry and Fail, through
  // LastErrorText: the host's HTTP status before its words, so a reader sees at once whether
  // the host refused (4xx), broke (5xx) or was never reached (no status).
  StepResult Retry(const CallError& error, std::optional<std::chrono::seconds> host_asked, bool uncertain) {
    const std::int64_t attempts = row_.sync.attempts + 1;
    result_.record.uncertain = uncertain;
    const std::string text = LastErrorText(error.http_status, error.text);
    std::optional<std::chrono::milliseconds> asked;
    if (host_asked) asked = std::chrono::duration_cast<std::chrono::milliseconds>(*host_asked);
    const auto next = core::NextAttemptMs(env_.policy, attempts, env_.now_ms(), env_.jitter01, asked);
    if (!next) return Finish(Result::kFailed, "gave up after " + std::to_string(attempts) + " attempts: " + text);
    result_.record.next_attempt_ms = next;
    return Finish(Result::kRetry, text);
  }

  // A permanent failure; `during` names the call when it was not the create ("listing …: ").
  StepResult Fail(const CallError& error, const std::string& during = "") {
    if (!RefusedCredentials(error))
      return Finish(Result::kFailed, during + LastErrorText(error.http_status, error.text));
    return Finish(Result::kFailed, "HTTP " + std::to_string(*error.http_status) + ": the host refused route '" +
                                       row_.key.route + "' credentials (or their permissions): " + during + error.text +
                                       "; fix the token, then run `fluxstatus replay`");
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

std::string LastErrorText(std::optional<int> http_status, const std::string& text) {
  if (!http_status || *http_status < 100) return text;  // never answered, or no status line
  const std::string status = "HTTP " + std::to_string(*http_status);
  if (text.empty()) return status;
  // The host's text may already start with it (ReplyErrorText's words for a body without any).
  if (text.rfind(status, 0) == 0 && (text.size() == status.size() || text[status.size()] == ':')) return text;
  return status + ": " + text;
}

StepResult RunDeliveryStep(const store::StatusRow& row, StepEnvironment& env) { return Step(row, env).Run(); }

StepResult CredentialsFailure(const store::StatusRow& row, StepEnvironment& env, const std::string& error) {
  return Step(row, env).NoCredentials(error);
}

}  // namespace fluxstatus::dispatch
