// The sync state machine (core/sync_state.h): each transition as a table of before, input and
// after, with every sync column spelled out.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/sync_state.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::Delivery;
using core::DeliveryResult;
using core::FoldOutcome;
using core::KeyState;
using core::KeySync;
using core::StatusState;
using core::SyncInfo;
using core::SyncState;

namespace fluxstatus::core {

// Boost.Test prints both sides of a failed comparison.
std::ostream& operator<<(std::ostream& os, const SyncInfo& s) {
  auto text = [](const std::optional<std::string>& v) { return v ? '"' + *v + '"' : std::string("null"); };
  return os << "{" << ToString(s.sync_state) << " attempts " << s.attempts << " next "
            << (s.next_attempt_ms ? std::to_string(*s.next_attempt_ms) : "null") << " error " << text(s.last_error)
            << " in_flight " << s.in_flight << " synced " << text(s.synced_state) << "/" << text(s.synced_description)
            << " at " << text(s.synced_at) << " host object " << text(s.host_object_id) << "}";
}

}  // namespace fluxstatus::core

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

// A key that was sent "success / Applied" once and is being retried after two failures.
SyncInfo Retrying() {
  SyncInfo s;
  s.sync_state = SyncState::kPending;
  s.attempts = 2;
  s.last_error = "HTTP 500";
  s.next_attempt_ms = kNow + 4000;
  s.in_flight = true;
  s.synced_state = "pending";
  s.synced_description = "Progressing";
  s.synced_at = "2023-11-14T22:00:00.000Z";
  return s;
}

SyncInfo Failed() {
  SyncInfo s = Retrying();
  s.sync_state = SyncState::kFailed;
  s.attempts = 10;
  s.next_attempt_ms.reset();
  s.in_flight = false;
  return s;
}

// Only the facts about the sink of `old`, in a fresh row of `state`.
SyncInfo FactsOf(const SyncInfo& old, SyncState state) {
  SyncInfo s;
  s.sync_state = state;
  s.in_flight = old.in_flight;
  s.synced_state = old.synced_state;
  s.synced_description = old.synced_description;
  s.synced_at = old.synced_at;
  return s;
}

SyncInfo Fresh(SyncState state) {
  SyncInfo s;
  s.sync_state = state;
  return s;
}

template <class F>
SyncInfo With(SyncInfo s, F change) {
  change(s);
  return s;
}

KeyState Desired(std::int64_t event_id, StatusState state = StatusState::kSuccess,
                 std::string description = "Applied") {
  return {state, std::move(description), "", event_id, event_id * 1000, ""};
}

// ---- SyncAfterFold: the live writer ----

struct FoldCase {
  const char* name;
  std::optional<SyncInfo> before;
  FoldOutcome outcome;
  bool has_sink;
  SyncInfo after;
};
std::ostream& operator<<(std::ostream& os, const FoldCase& c) { return os << c.name; }

const std::vector<FoldCase> kFoldCases = {
    {"new key with a sink is due", std::nullopt, FoldOutcome::kCreated, true, Fresh(SyncState::kPending)},
    {"new key without a sink is skipped", std::nullopt, FoldOutcome::kCreated, false, Fresh(SyncState::kSkipped)},
    {"a change restarts progress, keeps sink facts", Retrying(), FoldOutcome::kChanged, true,
     FactsOf(Retrying(), SyncState::kPending)},
    {"a change without a sink still keeps sink facts", Retrying(), FoldOutcome::kChanged, false,
     FactsOf(Retrying(), SyncState::kSkipped)},
    {"a refresh keeps progress", Retrying(), FoldOutcome::kRefreshed, true, Retrying()},
    {"a refresh retries a failed key", Failed(), FoldOutcome::kRefreshed, true,
     With(Failed(),
          [](SyncInfo& s) {
            s.sync_state = SyncState::kPending;
            s.attempts = 0;
          })},
    {"a refresh without a sink leaves a failed key failed", Failed(), FoldOutcome::kRefreshed, false, Failed()},
    {"a stale event changes nothing", Failed(), FoldOutcome::kStale, true, Failed()},
};

BOOST_DATA_TEST_CASE(sync_after_fold, bdata::make(kFoldCases), c) {
  BOOST_TEST(core::SyncAfterFold(c.before ? &*c.before : nullptr, c.outcome, c.has_sink) == c.after);
}

// ---- SyncAfterRefold: rebuild and replay's per-commit re-fold ----

struct RefoldCase {
  const char* name;
  std::optional<KeySync> before;
  KeyState refolded;
  bool has_sink;
  SyncInfo after;
};
std::ostream& operator<<(std::ostream& os, const RefoldCase& c) { return os << c.name; }

const std::vector<RefoldCase> kRefoldCases = {
    {"a key new to the table is due", std::nullopt, Desired(7), true, Fresh(SyncState::kPending)},
    {"a key without a sink is skipped, sink facts dropped", KeySync{Desired(7), Retrying()}, Desired(7), false,
     Fresh(SyncState::kSkipped)},
    {"the same status, set by a newer event, keeps progress", KeySync{Desired(7), Failed()}, Desired(9), true,
     Failed()},
    {"another status restarts progress, keeps sink facts", KeySync{Desired(7), Retrying()},
     Desired(9, StatusState::kFailure, "Health check failed"), true, FactsOf(Retrying(), SyncState::kPending)},
    {"a skipped key that gained a sink is due, though its status is the same",
     KeySync{Desired(7), Fresh(SyncState::kSkipped)}, Desired(7), true, Fresh(SyncState::kPending)},
    {"the host's object id is a sink fact",
     KeySync{Desired(7), With(Retrying(), [](SyncInfo& s) { s.host_object_id = "4711"; })},
     Desired(9, StatusState::kFailure, "Health check failed"), true,
     With(FactsOf(Retrying(), SyncState::kPending), [](SyncInfo& s) { s.host_object_id = "4711"; })},
};

BOOST_DATA_TEST_CASE(sync_after_refold, bdata::make(kRefoldCases), c) {
  BOOST_TEST(core::SyncAfterRefold(c.before ? &*c.before : nullptr, c.refolded, c.has_sink) == c.after);
}

// ---- ApplyDelivery: a dispatch step's record ----

Delivery Sent(DeliveryResult result, std::int64_t event_id = 7, std::string state = "success",
              std::string description = "Applied") {
  Delivery d;
  d.sent_event_id = event_id;
  d.sent_state = std::move(state);
  d.sent_description = std::move(description);
  d.result = result;
  d.at_ms = kNow;
  return d;
}

template <class F>
Delivery With(Delivery d, F change) {
  change(d);
  return d;
}

struct DeliveryCase {
  const char* name;
  SyncInfo before;
  KeyState desired;
  Delivery delivery;
  SyncInfo after;
};
std::ostream& operator<<(std::ostream& os, const DeliveryCase& c) { return os << c.name; }

const SyncInfo kSyncedNow = With(Retrying(), [](SyncInfo& s) {
  s.sync_state = SyncState::kSynced;
  s.last_error.reset();
  s.next_attempt_ms.reset();
  s.in_flight = false;
  s.synced_state = "success";
  s.synced_description = "Applied";
  s.synced_at = "2023-11-14T22:13:20.000Z";
});

const std::vector<DeliveryCase> kDeliveryCases = {
    {"sending marks in flight only", Fresh(SyncState::kPending), Desired(7), Sent(DeliveryResult::kSending),
     With(Fresh(SyncState::kPending), [](SyncInfo& s) { s.in_flight = true; })},
    {"sending another state drops the old confirmation: a lost answer leaves the sink unknown", kSyncedNow,
     Desired(9, StatusState::kPending, "Progressing"), Sent(DeliveryResult::kSending, 9, "pending", "Progressing"),
     With(kSyncedNow,
          [](SyncInfo& s) {
            s.in_flight = true;
            s.synced_state.reset();
            s.synced_description.reset();
          })},
    {"sending the confirmed state again keeps the confirmation", kSyncedNow, Desired(7), Sent(DeliveryResult::kSending),
     With(kSyncedNow, [](SyncInfo& s) { s.in_flight = true; })},
    {"a record names the host's object, or that it is gone", Retrying(), Desired(7),
     With(Sent(DeliveryResult::kSending), [](Delivery& d) { d.host_object_id = "4711"; }),
     With(Retrying(),
          [](SyncInfo& s) {
            s.host_object_id = "4711";
            s.synced_state.reset();
            s.synced_description.reset();
          })},
    {"synced: the desired state is on the sink", Retrying(), Desired(7), Sent(DeliveryResult::kSynced), kSyncedNow},
    {"synced by content, though a newer event says the same", Retrying(), Desired(9), Sent(DeliveryResult::kSynced),
     kSyncedNow},
    {"synced an older state: the newer one is due now", Retrying(),
     Desired(9, StatusState::kFailure, "Health check failed"), Sent(DeliveryResult::kSynced),
     With(kSyncedNow,
          [](SyncInfo& s) {
            s.sync_state = SyncState::kPending;
            s.attempts = 0;
            s.last_error = "HTTP 500";
          })},
    {"retry counts the attempt and keeps the backoff", Retrying(), Desired(7),
     With(Sent(DeliveryResult::kRetry),
          [](Delivery& d) {
            d.error = "HTTP 502";
            d.next_attempt_ms = kNow + 8000;
          }),
     With(Retrying(),
          [](SyncInfo& s) {
            s.attempts = 3;
            s.last_error = "HTTP 502";
            s.next_attempt_ms = kNow + 8000;
            s.in_flight = false;
          })},
    {"an uncertain retry stays in flight", Fresh(SyncState::kPending), Desired(7),
     With(Sent(DeliveryResult::kRetry),
          [](Delivery& d) {
            d.error = "timeout";
            d.uncertain = true;
            d.next_attempt_ms = kNow + 1000;
          }),
     With(Fresh(SyncState::kPending),
          [](SyncInfo& s) {
            s.attempts = 1;
            s.last_error = "timeout";
            s.next_attempt_ms = kNow + 1000;
            s.in_flight = true;
          })},
    {"a retry of a superseded state counts nothing", Retrying(),
     Desired(9, StatusState::kFailure, "Health check failed"),
     With(Sent(DeliveryResult::kRetry), [](Delivery& d) { d.next_attempt_ms = kNow + 8000; }),
     With(Retrying(), [](SyncInfo& s) { s.in_flight = false; })},
    {"failed stops retrying", Retrying(), Desired(7),
     With(Sent(DeliveryResult::kFailed), [](Delivery& d) { d.error = "HTTP 422"; }),
     With(Retrying(),
          [](SyncInfo& s) {
            s.sync_state = SyncState::kFailed;
            s.attempts = 3;
            s.last_error = "HTTP 422";
            s.next_attempt_ms.reset();
            s.in_flight = false;
          })},
    {"a failure of a superseded state leaves the key pending", Retrying(), Desired(9, StatusState::kError, "x"),
     Sent(DeliveryResult::kFailed), With(Retrying(), [](SyncInfo& s) { s.in_flight = false; })},
    {"skipped says why", Retrying(), Desired(7),
     With(Sent(DeliveryResult::kSkipped), [](Delivery& d) { d.error = "route 'x' has no provider"; }),
     With(Retrying(),
          [](SyncInfo& s) {
            s.sync_state = SyncState::kSkipped;
            s.last_error = "route 'x' has no provider";
          })},
};

BOOST_DATA_TEST_CASE(apply_delivery, bdata::make(kDeliveryCases), c) {
  BOOST_TEST(core::ApplyDelivery(c.before, c.desired, c.delivery) == c.after);
}

// ---- MarkForReplay ----

struct ReplayCase {
  const char* name;
  SyncInfo before;
  std::optional<SyncInfo> after;
};
std::ostream& operator<<(std::ostream& os, const ReplayCase& c) { return os << c.name; }

const SyncInfo kMarked = With(Retrying(), [](SyncInfo& s) {
  s.attempts = 0;
  s.next_attempt_ms.reset();
  s.last_error.reset();
  s.in_flight = true;
});

const std::vector<ReplayCase> kReplayCases = {
    {"a retrying key is due now and listed first", Retrying(), kMarked},
    {"a failed key is tried again", Failed(), kMarked},
    {"a synced key is checked again", kSyncedNow,
     With(kSyncedNow,
          [](SyncInfo& s) {
            s.sync_state = SyncState::kPending;
            s.attempts = 0;
            s.in_flight = true;
          })},
    {"a key without a sink is left alone", Fresh(SyncState::kSkipped), std::nullopt},
};

BOOST_DATA_TEST_CASE(mark_for_replay, bdata::make(kReplayCases), c) {
  const auto after = core::MarkForReplay(c.before);
  BOOST_TEST_REQUIRE(after.has_value() == c.after.has_value());
  if (after) BOOST_TEST(*after == *c.after);
}

// ---- NextAttemptMs: retry or give up ----

struct RetryCase {
  const char* name;
  std::int64_t attempts;
  double jitter01;
  std::optional<std::chrono::milliseconds> host_asked;
  std::optional<std::int64_t> next;
};
std::ostream& operator<<(std::ostream& os, const RetryCase& c) { return os << c.name; }

const std::vector<RetryCase> kRetryCases = {
    {"the first retry waits the initial backoff, jittered", 1, 0.0, std::nullopt, kNow + 500},
    {"the backoff doubles", 3, 1.0, std::nullopt, kNow + 4000},
    {"never sooner than the host asked", 1, 1.0, std::chrono::milliseconds(30000), kNow + 30000},
    {"the last allowed attempt gives up", 10, 0.5, std::nullopt, std::nullopt},
};

BOOST_DATA_TEST_CASE(next_attempt_ms, bdata::make(kRetryCases), c) {
  const core::RetryPolicy policy;  // 10 attempts, 1 s doubling
  BOOST_TEST((core::NextAttemptMs(policy, c.attempts, kNow, c.jitter01, c.host_asked) == c.next));
}

}  // namespace

BOOST_AUTO_TEST_CASE(sync_states_round_trip_through_their_column_text) {
  for (auto s : {SyncState::kPending, SyncState::kSynced, SyncState::kFailed, SyncState::kSkipped}) {
    BOOST_TEST((core::SyncStateFromString(core::ToString(s)) == std::optional<SyncState>(s)));
  }
  BOOST_TEST(!core::SyncStateFromString("delivered").has_value());
}
