// ParseDuration: CLI and config durations ("250ms", "90s", "15m", "2h", "7d").
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/duration.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;

namespace {

struct ValidCase {
  std::string text;
  std::int64_t ms;
};

std::ostream& operator<<(std::ostream& os, const ValidCase& c) { return os << c.text; }

const std::vector<ValidCase> kValid = {
    {"250ms", 250}, {"90s", 90'000}, {"15m", 900'000}, {"2h", 7'200'000}, {"7d", 604'800'000},
    {"0s", 0},      {"1ms", 1},      {"0ms", 0},       {"1000ms", 1000},  {"36500d", 3'153'600'000'000},
};

const std::vector<std::string> kInvalid = {
    "",
    "5",
    "h",
    "-1s",
    "1.5h",
    "10x",
    "ms",
    "5 s",
    " 5s",
    "5s ",
    "5S",
    "5sec",
    "5M",
    "+5s",
    "5mss",
    "s5",
    "0x10s",
    "99999999999999999999s",  // does not fit in 64 bits
    "9223372036854775807d",   // fits, but not once scaled to milliseconds
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ParseDuration)

BOOST_DATA_TEST_CASE(returns_milliseconds_when_number_has_a_known_unit, bdata::make(kValid), c) {
  const auto d = core::ParseDuration(c.text);
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->count() == c.ms);
}

BOOST_DATA_TEST_CASE(returns_nullopt_when_text_is_not_a_duration, bdata::make(kInvalid), text) {
  const auto d = core::ParseDuration(text);
  BOOST_TEST(!d.has_value(), "parsed as " << (d ? d->count() : 0) << " ms");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ParseInstantOrAgo)

// `replay --since 2h` and `prune --before 90d` count back from now; an RFC 3339 time stands as is.
BOOST_AUTO_TEST_CASE(returns_now_minus_the_duration_or_the_rfc3339_instant) {
  const std::int64_t now_ms = 1795514400000;  // 2026-11-24T10:00:00Z
  BOOST_TEST(core::ParseInstantOrAgo("2h", now_ms).value_or(-1) == now_ms - 7200000);
  BOOST_TEST(core::ParseInstantOrAgo("0s", now_ms).value_or(-1) == now_ms);
  BOOST_TEST(core::ParseInstantOrAgo("2026-11-24T09:00:00Z", now_ms).value_or(-1) == now_ms - 3600000);
  BOOST_TEST(!core::ParseInstantOrAgo("yesterday", now_ms).has_value());
  BOOST_TEST(!core::ParseInstantOrAgo("-2h", now_ms).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
