#include "dispatch/step_record.h"

#include "core/sync_state.h"

namespace fluxstatus::dispatch {
namespace {

// A refused credential is the usual permanent failure (a revoked or rotated token): last_error
// names the route and the way out, not only the host's wording. A 403 rate limit is retryable
// and never gets here.
bool RefusedCredentials(const CallError& e) { return e.http_status == 401 || e.http_status == 403; }

}  // namespace

std::string OutcomeName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kSynced: return store::kOutcomeSynced;
    case OutcomeKind::kRetry: return store::kOutcomeRetry;
    case OutcomeKind::kReconcile: return "reconcile";
    case OutcomeKind::kPermanent: return "failed";
  }
  return "failed";
}

std::string LastErrorText(std::optional<int> http_status, const std::string& text) {
  if (!http_status || *http_status < 100) return text;  // never answered, or no status line
  const std::string status = "HTTP " + std::to_string(*http_status);
  if (text.empty()) return status;
  // The host's text may already start with it (ReplyErrorText's words for a body without any).
  if (text.rfind(status, 0) == 0 && (text.size() == status.size() || text[status.size()] == ':')) return text;
  return status + ": " + text;
}

StepRecorder::StepRecorder(const store::StatusRow& row, StepEnvironment& env) : row_(row), env_(env) {
  auto& r = result_.record;
  r.key = row.key;
  r.sink = row.sink;
  r.sent_event_id = row.fold.event_id;
  r.sent_state = std::string(core::ToString(row.fold.state));
  r.sent_description = row.fold.description;
}

TransportResult StepRecorder::Call(const HttpCall& call) {
  ++result_.calls;
  return env_.send(call);
}

void StepRecorder::Note(const SendOutcome& o) {
  if (o.rate.remaining || o.rate.reset_epoch_s) result_.rate = o.rate;
  if (o.host_exhausted && o.retry_after) {
    result_.pause_host_until_ms =
        env_.now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(*o.retry_after).count();
  }
}

void StepRecorder::Attempt(std::optional<int> status, const std::string& outcome, const std::string& error,
                           std::chrono::milliseconds duration) {
  store::DeliveryAttempt a;
  a.key = row_.key;
  a.sink = row_.sink;
  a.state = result_.record.sent_state;
  a.attempted_at_ms = env_.now_ms() - duration.count();
  a.http_status = status;
  a.outcome = outcome;
  a.error = error;
  a.duration_ms = duration.count();
  result_.record.attempts.push_back(std::move(a));
}

StepResult StepRecorder::Retry(const CallError& error, std::optional<std::chrono::seconds> host_asked, bool uncertain) {
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

StepResult StepRecorder::Fail(const CallError& error, const std::string& during) {
  if (!RefusedCredentials(error)) return Finish(Result::kFailed, during + LastErrorText(error.http_status, error.text));
  return Finish(Result::kFailed, "HTTP " + std::to_string(*error.http_status) + ": the host refused route '" +
                                     row_.key.route + "' credentials (or their permissions): " + during + error.text +
                                     "; fix the token, then run `fluxstatus replay`");
}

StepResult StepRecorder::StopForLease() {
  result_.lease_short = true;
  Finish(Result::kSending, "the dispatch lease ends before the next call could finish");
  result_.record.uncertain = true;
  return result_;
}

bool StepRecorder::Covered(LeaseAction action) {
  if (env_.lease_covers(action)) return true;
  StopForLease();
  return false;
}

std::optional<HttpReply> StepRecorder::Exchange(const HttpCall& call, std::chrono::milliseconds& duration) {
  const TransportResult r = Call(call);
  duration = r.duration;
  if (r.reply) return r.reply;
  const bool uncertain = r.uncertain || row_.sync.in_flight;
  Attempt(std::nullopt, r.uncertain ? "uncertain" : "transport_error", r.error, r.duration);
  Retry({std::nullopt, r.error}, std::nullopt, uncertain);
  return std::nullopt;
}

bool StepRecorder::Accepted(const SendOutcome& o, const std::string& during) {
  if (o.kind == OutcomeKind::kSynced) return true;
  const CallError error{o.http_status, o.error};
  if (o.kind == OutcomeKind::kRetry)
    Retry(error, o.retry_after, row_.sync.in_flight);
  else
    Fail(error, during);
  return false;
}

bool StepRecorder::PersistSending() {
  store::DeliveryRecord sending = result_.record;
  sending.attempts.clear();
  sending.result = Result::kSending;
  sending.error.clear();
  sending.at_ms = env_.now_ms();
  return env_.persist_sending(sending);
}

bool StepRecorder::SendingRecorded() {
  if (PersistSending()) return true;
  Retry({std::nullopt, "could not record the send before making it"}, std::nullopt, row_.sync.in_flight);
  return false;
}

StepResult StepRecorder::Finish(Result result, const std::string& error) {
  result_.record.result = result;
  result_.record.error = error;
  result_.record.at_ms = env_.now_ms();
  return result_;
}

}  // namespace fluxstatus::dispatch
