// The recording half of a dispatch step, shared by the commit-status step (delivery_step.h) and
// the deployment step (deployment_step.h): it makes the calls through the environment, counts
// them, keeps an Attempt row per call and the rate-limit figures, and words the step's result
// (retry with backoff, permanent failure, the lease running out). What to call, and when, is
// the steps' own business.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "core/retry_policy.h"
#include "dispatch/http_transport.h"
#include "dispatch/lease_budget.h"
#include "dispatch/provider.h"
#include "store/commit_statuses.h"
#include "store/delivery_attempts.h"
#include "store/event_store.h"

namespace fluxstatus::dispatch {

// What a step is given: the network and the writer are passed in, so the decision logic stays
// testable with plain values.
struct StepEnvironment {
  Credentials credentials;
  std::function<TransportResult(const HttpCall&)> send;
  // Makes the kSending record durable before the POST; false: do not send now.
  std::function<bool(const store::DeliveryRecord&)> persist_sending;
  std::function<std::int64_t()> now_ms;
  core::RetryPolicy policy;
  double jitter01 = 0.5;
  // Whether the dispatch lease still covers `action` and the record after it (lease_budget.h);
  // the dispatcher also says no once it is stopping.
  std::function<bool(LeaseAction)> lease_covers = [](LeaseAction) { return true; };
};

struct StepResult {
  store::DeliveryRecord record;                     // what to record for the key
  std::optional<std::int64_t> pause_host_until_ms;  // the host's budget is gone until then
  RateLimit rate;                                   // last rate-limit figures seen
  int calls = 0;                                    // API calls made (list + create)
  // The lease ended too soon for the next call, so the step stopped before it. The record is
  // then a kSending one that only adds the calls made (the key stays in flight, as it was);
  // with no call made there is nothing to record.
  bool lease_short = false;
};

// Listing stops after this many pages: a context buried deeper is treated as absent.
inline constexpr int kMaxListPages = 10;

// Why a call failed, as last_error words it: the host's HTTP status (none for a transport
// error) and its text.
struct CallError {
  std::optional<int> http_status;
  std::string text;
};

// The Attempt outcome for an answer of this kind ("delivered", "retry", "reconcile", "failed").
std::string OutcomeName(OutcomeKind kind);

// How last_error words a host's answer: "HTTP 500: Server Error"; `text` alone when no status
// was received (a transport error); just "HTTP 500" when the host gave no text.
std::string LastErrorText(std::optional<int> http_status, const std::string& text);

// One step's record in the making, for one row. Not thread-safe; lives for one step. Every
// StepResult it returns is a copy of the record so far, so a step may go on after one (a
// listing's Retry is returned later, unchanged).
class StepRecorder {
 public:
  using Result = store::DeliveryRecord::Result;

  // The record starts as the row's desired state, to be sent.
  StepRecorder(const store::StatusRow& row, StepEnvironment& env);

  // Sends `call` through the environment and counts it.
  TransportResult Call(const HttpCall& call);
  // Keeps the answer's rate-limit figures, and pauses the host when its budget is gone.
  void Note(const SendOutcome& o);
  // One delivery_attempts row for a call that took `duration`.
  void Attempt(std::optional<int> status, const std::string& outcome, const std::string& error,
               std::chrono::milliseconds duration);

  // Every last_error of a failed or retried step is worded by Retry and Fail, through
  // LastErrorText: the host's HTTP status before its words, so a reader sees at once whether
  // the host refused (4xx), broke (5xx) or was never reached (no status).
  StepResult Retry(const CallError& error, std::optional<std::chrono::seconds> host_asked, bool uncertain);
  // A permanent failure; `during` names the call when it was not the create ("listing …: ").
  StepResult Fail(const CallError& error, const std::string& during = "");
  // See StepResult::lease_short.
  StepResult StopForLease();

  // What every step does around its calls (deployment_step, check_run_step):
  // Whether the lease covers the next call; if not, the step stops here (StopForLease).
  bool Covered(LeaseAction action);
  // The call's reply; nullopt when none came (the attempt and a retry are recorded). A lost
  // write may have reached the host, so the key stays in flight, as it does when it was.
  std::optional<HttpReply> Exchange(const HttpCall& call, std::chrono::milliseconds& duration);
  // Records an answer that is not kSynced as the step's end: a retry or a failure (`during`
  // names the call). True when the answer was kSynced.
  bool Accepted(const SendOutcome& o, const std::string& during);
  // Makes a kSending record of the step so far durable (its host id included, its attempts
  // left for the step's result) before a write; false when it could not.
  bool PersistSending();
  // PersistSending before a write, recording a retry when it could not: false, do not send.
  bool SendingRecorded();

  // One write answered by a plain outcome (a PATCH, a state post): the lease, the send recorded
  // first, `call`, its reply read by `read`, an Attempt row. nullopt when the step ends here
  // (recorded: the lease, no record, no reply).
  template <typename Read>
  std::optional<SendOutcome> Write(const HttpCall& call, Read read) {
    if (!Covered(LeaseAction::kSend) || !SendingRecorded()) return std::nullopt;
    std::chrono::milliseconds took{0};
    const auto reply = Exchange(call, took);
    if (!reply) return std::nullopt;
    const SendOutcome o = read(*reply);
    Note(o);
    Attempt(o.http_status, OutcomeName(o.kind), o.error, took);
    return o;
  }

  // One page of a lookup: `call`, its reply read by `read` (a provider's Interpret, giving a
  // struct with `outcome` and an optional `id`), an Attempt row ("found" when the page held the
  // id, else "listed"). nullopt when the step ends here: the lease, no reply, or a refusal
  // (recorded, `during` naming the lookup).
  template <typename Read>
  auto ReadPage(const HttpCall& call, Read read, const std::string& during)
      -> std::optional<decltype(read(std::declval<const HttpReply&>()))> {
    if (!Covered(LeaseAction::kList)) return std::nullopt;
    std::chrono::milliseconds took{0};
    const auto reply = Exchange(call, took);
    if (!reply) return std::nullopt;
    auto page = read(*reply);
    Note(page.outcome);
    if (page.outcome.kind != OutcomeKind::kSynced) {
      Attempt(page.outcome.http_status, "list_failed", page.outcome.error, took);
      Accepted(page.outcome, during);
      return std::nullopt;
    }
    Attempt(page.outcome.http_status, page.id ? store::kOutcomeFound : "listed", "", took);  // every page is a call
    return page;
  }
  StepResult Finish(Result result, const std::string& error);

  // The record so far: a step sets host_object_id, or copies it for a kSending record.
  store::DeliveryRecord& record() { return result_.record; }
  StepResult& result() { return result_; }
  const store::StatusRow& row() const { return row_; }
  StepEnvironment& env() { return env_; }

 private:
  const store::StatusRow& row_;
  StepEnvironment& env_;
  StepResult result_;
};

}  // namespace fluxstatus::dispatch
