// ParseRfc3339 and FormatRfc3339Millis: event times and the SQL contract's time text.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/rfc3339.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;

namespace {

// 2026-11-24T21:03:03Z, computed independently (Python datetime).
constexpr std::int64_t kBase = 1795554183000;

struct ValidCase {
  std::string text;
  std::int64_t ms;
};

std::ostream& operator<<(std::ostream& os, const ValidCase& c) { return os << c.text; }

const std::vector<ValidCase> kValid = {
    {"2026-11-24T21:03:03Z", kBase},
    {"2026-11-24t21:03:03z", kBase},
    {"2026-11-24T21:03:03.123Z", kBase + 123},
    {"2026-11-24T21:03:03.1Z", kBase + 100},
    {"2026-11-24T21:03:03.05Z", kBase + 50},
    {"2026-11-24T21:03:03.000Z", kBase},
    {"2026-11-24T21:03:03.123456789Z", kBase + 123},  // beyond ms: truncated, not rounded
    {"2026-11-24T21:03:03.999999Z", kBase + 999},
    {"2026-11-24T23:03:03+02:00", kBase},
    {"2026-11-24T15:33:03-05:30", kBase},
    {"2026-11-24T21:03:03+00:00", kBase},
    {"2026-11-24T21:03:03-00:00", kBase},
    {"2026-11-24T23:03:03.250+02:00", kBase + 250},
    {"2026-11-24T00:30:00+01:00", 1795476600000},  // the previous day in UTC
    {"1970-01-01T00:00:00Z", 0},
    {"1969-12-31T23:59:59.500Z", -500},
    {"2024-02-29T00:00:00Z", 1709164800000},  // leap day
    {"2000-01-01T00:00:00Z", 946684800000},
    {"2016-12-31T23:59:60Z", 1483228800000},  // leap second: folds onto the next second
};

const std::vector<std::string> kInvalid = {
    "",
    "yesterday",
    "2026-11-24T21:03:03",         // no zone
    "2026-11-24T21:03:03.123",     // fraction, no zone
    "2026-11-24",                  // date only
    "2026-11-24T21:03Z",           // no seconds
    "2026-13-01T00:00:00Z",        // month 13
    "2026-00-10T00:00:00Z",        // month 0
    "2026-11-00T00:00:00Z",        // day 0
    "2026-02-30T00:00:00Z",        // Feb 30
    "2025-02-29T00:00:00Z",        // not a leap year
    "2026-04-31T00:00:00Z",        // April 31
    "2026-11-24T24:00:00Z",        // hour 24
    "2026-11-24T21:60:00Z",        // minute 60
    "2026-11-24T21:03:61Z",        // second 61
    "2026-11-24T21:03:03Zjunk",    // garbage after the zone
    "2026-11-24T21:03:03Z ",       // trailing space
    " 2026-11-24T21:03:03Z",       // leading space
    "2026-11-24 21:03:03Z",        // space instead of T
    "2026-11-24T21:03:03.Z",       // empty fraction
    "2026-11-24T21:03:03,123Z",    // comma fraction
    "2026-11-24T21:03:03+0200",    // offset without colon
    "2026-11-24T21:03:03+02",      // offset without minutes
    "2026-11-24T21:03:03+24:00",   // offset hour 24
    "2026-11-24T21:03:03+02:60",   // offset minute 60
    "2026-11-24T21:03:03+02:00Z",  // two zones
    "2026-1-24T21:03:03Z",         // one-digit month
    "26-11-24T21:03:03Z",          // two-digit year
    "2026/11/24T21:03:03Z",        // wrong separators
    "2026-11-24T21-03-03Z",
    "+2026-11-24T21:03:03Z",
};

struct FormatCase {
  std::int64_t ms;
  std::string text;
};

std::ostream& operator<<(std::ostream& os, const FormatCase& c) { return os << c.ms; }

const std::vector<FormatCase> kFormat = {
    {kBase, "2026-11-24T21:03:03.000Z"},         {kBase + 123, "2026-11-24T21:03:03.123Z"},
    {kBase + 7, "2026-11-24T21:03:03.007Z"},     {0, "1970-01-01T00:00:00.000Z"},
    {-500, "1969-12-31T23:59:59.500Z"},          {1709164800000, "2024-02-29T00:00:00.000Z"},
    {4102444799999, "2099-12-31T23:59:59.999Z"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ParseRfc3339)

BOOST_DATA_TEST_CASE(returns_utc_millis_when_text_is_rfc3339, bdata::make(kValid), c) {
  BOOST_TEST(core::ParseRfc3339(c.text) == std::optional<std::int64_t>(c.ms));
}

BOOST_DATA_TEST_CASE(returns_nullopt_when_text_is_not_rfc3339, bdata::make(kInvalid), text) {
  BOOST_TEST(core::ParseRfc3339(text) == std::optional<std::int64_t>());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(FormatRfc3339Millis)

BOOST_AUTO_TEST_CASE(writes_contract_text_when_time_has_whole_seconds) {
  const auto ms = core::ParseRfc3339("2026-11-24T21:03:03Z");
  BOOST_TEST_REQUIRE(ms.has_value());
  BOOST_TEST(core::FormatRfc3339Millis(*ms) == "2026-11-24T21:03:03.000Z");
}

BOOST_DATA_TEST_CASE(writes_utc_with_three_fraction_digits_when_formatting, bdata::make(kFormat), c) {
  BOOST_TEST(core::FormatRfc3339Millis(c.ms) == c.text);
}

BOOST_DATA_TEST_CASE(round_trips_when_formatted_text_is_parsed, bdata::make(kFormat), c) {
  BOOST_TEST(core::ParseRfc3339(core::FormatRfc3339Millis(c.ms)) == std::optional<std::int64_t>(c.ms));
}

BOOST_DATA_TEST_CASE(normalises_to_utc_when_text_has_offset, bdata::make(kValid), c) {
  // Every valid form re-formats as the canonical UTC text of the same instant.
  const auto ms = core::ParseRfc3339(c.text);
  BOOST_TEST_REQUIRE(ms.has_value());
  BOOST_TEST(core::FormatRfc3339Millis(*ms) == core::FormatRfc3339Millis(c.ms));
  BOOST_TEST(core::FormatRfc3339Millis(*ms).back() == 'Z');
}

BOOST_AUTO_TEST_SUITE_END()
