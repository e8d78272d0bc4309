// JudgeResync: whether a status read from the cluster adds anything to the key's stored state.
#include <boost/test/unit_test.hpp>

#include "core/resync_verdict.h"

namespace core = fluxstatus::core;
using core::ResyncVerdict;
using core::StatusState;

namespace {

constexpr std::int64_t kObservedMs = 1'700'000'000'000;

core::KeyState Stored(StatusState state, std::int64_t event_time_ms) {
  core::KeyState k;
  k.state = state;
  k.event_time_ms = event_time_ms;
  return k;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(JudgeResync)

BOOST_AUTO_TEST_CASE(a_key_the_log_never_had_is_appended) {
  BOOST_TEST((core::JudgeResync(StatusState::kSuccess, kObservedMs, std::nullopt) == ResyncVerdict::kAppend));
  BOOST_TEST((core::JudgeResync(StatusState::kPending, kObservedMs, std::nullopt) == ResyncVerdict::kAppend));
}

BOOST_AUTO_TEST_CASE(the_same_state_adds_nothing_whatever_its_time) {
  for (const std::int64_t t : {kObservedMs - 1, kObservedMs, kObservedMs + 1}) {
    BOOST_TEST((core::JudgeResync(StatusState::kFailure, kObservedMs, Stored(StatusState::kFailure, t)) ==
                ResyncVerdict::kSameState));
  }
}

BOOST_AUTO_TEST_CASE(an_event_as_new_or_newer_stands_and_an_older_one_is_overtaken) {
  BOOST_TEST((core::JudgeResync(StatusState::kSuccess, kObservedMs, Stored(StatusState::kFailure, kObservedMs)) ==
              ResyncVerdict::kNewerKnown));
  BOOST_TEST((core::JudgeResync(StatusState::kSuccess, kObservedMs, Stored(StatusState::kFailure, kObservedMs + 1)) ==
              ResyncVerdict::kNewerKnown));
  BOOST_TEST((core::JudgeResync(StatusState::kSuccess, kObservedMs, Stored(StatusState::kFailure, kObservedMs - 1)) ==
              ResyncVerdict::kAppend));
  BOOST_TEST((core::JudgeResync(StatusState::kFailure, kObservedMs, Stored(StatusState::kPending, kObservedMs - 1)) ==
              ResyncVerdict::kAppend));
}

BOOST_AUTO_TEST_CASE(pending_never_downgrades_a_result_however_new) {
  for (const StatusState result : {StatusState::kSuccess, StatusState::kFailure, StatusState::kError}) {
    BOOST_TEST(
        (core::JudgeResync(StatusState::kPending, kObservedMs, Stored(result, 0)) == ResyncVerdict::kPendingKept));
  }
}

BOOST_AUTO_TEST_SUITE_END()
