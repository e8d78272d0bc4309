// LogThrottle: a repeating log line is written once, then summarised with a count per window.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/log_throttle.h"

namespace core = fluxstatus::core;

namespace {

// One row of a scenario: at `t`, either an occurrence of `key` (flush = false) with the verdict
// expected, or a Flush expecting `summaries` as "key:count".
struct Step {
  std::int64_t t;
  std::string key;  // empty: Flush
  bool write = false;
  std::int64_t repeated = 0;
  std::vector<std::string> summaries = {};
};

void Run(const std::vector<Step>& steps) {
  core::LogThrottle throttle(std::chrono::milliseconds(1000));
  for (const auto& s : steps) {
    BOOST_TEST_CONTEXT("t=" << s.t << " key=" << (s.key.empty() ? "<flush>" : s.key)) {
      if (s.key.empty()) {
        std::vector<std::string> got;
        for (const auto& summary : throttle.Flush(s.t))
          got.push_back(summary.key + ":" + std::to_string(summary.repeated));
        BOOST_TEST(got == s.summaries, boost::test_tools::per_element());
      } else {
        const auto v = throttle.Note(s.key, s.t);
        BOOST_TEST(v.write == s.write);
        BOOST_TEST(v.repeated == s.repeated);
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(LogThrottle)

BOOST_AUTO_TEST_CASE(a_line_repeating_every_poll_is_written_once_then_once_a_window_with_its_count) {
  Run({
      {0, "record", true, 0},     // first: written
      {100, "record", false, 0},  // repeats in the window: counted
      {200, "record", false, 0},
      {999, "record", false, 0},
      {1000, "record", true, 3},  // a window later: written, carrying the 3 held back
      {1100, "record", false, 0},
      {2100, "record", true, 1},
  });
}

BOOST_AUTO_TEST_CASE(keys_are_counted_apart) {
  Run({
      {0, "lease", true, 0},
      {10, "record", true, 0},
      {20, "lease", false, 0},
      {30, "record", false, 0},
      {40, "record", false, 0},
      {1000, "lease", true, 1},
      {1010, "record", true, 2},
  });
}

BOOST_AUTO_TEST_CASE(flush_reports_held_back_repeats_once_their_window_is_over_and_forgets_quiet_keys) {
  Run({
      {0, "a", true, 0},
      {0, "b", true, 0},
      {500, "a", false, 0},
      {600, "a", false, 0},
      {900, "", false, 0, {}},        // a's window is not over yet
      {1000, "", false, 0, {"a:2"}},  // b had no repeats: nothing to say, and forgotten
      {1200, "b", true, 0},           // so b's next occurrence is written at once
      {1300, "a", false, 0},          // a's count restarted with the summary at 1000
      {2000, "", false, 0, {"a:1"}},
      {3000, "", false, 0, {}},  // a was quiet for a whole window: forgotten
      {3001, "a", true, 0},
  });
}

BOOST_AUTO_TEST_SUITE_END()
