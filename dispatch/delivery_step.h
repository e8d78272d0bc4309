// One key's trip to its Git host: skip when the host already has it, list first after an
// uncertain send, mark the send durable, post, classify, and say what to record, last_error's
// words included (all of them composed here). The network and the writer are passed in, so the
// decision logic stays testable with plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/retry_policy.h"
#include "dispatch/http_transport.h"
#include "dispatch/lease_budget.h"
#include "dispatch/provider.h"
#include "store/commit_statuses.h"
#include "store/event_store.h"

namespace fluxstatus::dispatch {

struct StepEnvironment {
  const Provider& provider;
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

StepResult RunDeliveryStep(const store::StatusRow& row, StepEnvironment& env);

// The step for a key whose route has no usable credentials now (`error` says why, without a
// secret): no call, a retry with backoff, and after max_attempts a failure.
StepResult CredentialsFailure(const store::StatusRow& row, StepEnvironment& env, const std::string& error);

// How last_error words a host's answer: "HTTP 500: Server Error"; `text` alone when no status
// was received (a transport error); just "HTTP 500" when the host gave no text.
std::string LastErrorText(std::optional<int> http_status, const std::string& text);

// True when the host's status is the desired one (the host may hold the description as the
// provider capped it, ending in "…").
bool HostHasDesired(const ObservedStatus& host, core::StatusState state, const std::string& description);

}  // namespace fluxstatus::dispatch
