// CompactJson and FormatLogLine: fluxstatus's own JSON is compact standard JSON, with no space
// after a colon or comma, whatever the values hold.
#include "core/compact_json.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "core/structured_log.h"

namespace fluxstatus::core {

BOOST_AUTO_TEST_SUITE(CompactJsonTest)

BOOST_AUTO_TEST_CASE(members_and_values_are_written_without_spaces) {
  const std::string text = CompactJson([](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("id", std::int64_t{1}), cereal::make_nvp("duplicate", false));
    ar(cereal::make_nvp("routes", std::vector<std::string>{"a", "b"}));
    WriteNullable(ar, "none", std::nullopt);
  });
  BOOST_TEST(text == R"({"id":1,"duplicate":false,"routes":["a","b"],"none":null})");
}

BOOST_AUTO_TEST_CASE(numbers_keep_their_exact_form) {
  const std::string text = CompactJson([](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("max", std::numeric_limits<std::int64_t>::max()),
       cereal::make_nvp("min", std::numeric_limits<std::int64_t>::min()), cereal::make_nvp("tenth", 0.1),
       cereal::make_nvp("ms", 1.234), cereal::make_nvp("whole", 2.0), cereal::make_nvp("big", 1e300));
  });
  BOOST_TEST(text == R"({"max":9223372036854775807,"min":-9223372036854775808,"tenth":0.1,"ms":1.234,)"
                     R"("whole":2.0,"big":1e300})");
}

BOOST_AUTO_TEST_CASE(strings_with_colons_commas_and_escapes_are_kept_intact) {
  const std::string value = "a: b, c\n\t\"q\" \\ Grüße ✓ \x01";
  const std::string text = CompactJson([&](cereal::JSONOutputArchive& ar) { ar(cereal::make_nvp("s", value)); });
  BOOST_TEST(text == "{\"s\":\"a: b, c\\n\\t\\\"q\\\" \\\\ Grüße ✓ \\u0001\"}");
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  BOOST_TEST_REQUIRE(!doc.HasParseError());
  BOOST_TEST(std::string(doc["s"].GetString(), doc["s"].GetStringLength()) == value);
}

BOOST_AUTO_TEST_CASE(nested_objects_are_compact_too) {
  const std::string text = CompactJson([](cereal::JSONOutputArchive& ar) {
    ar.setNextName("rows");
    ar.startNode();
    ar.makeArray();
    ar.startNode();
    ar(cereal::make_nvp("n", 1), cereal::make_nvp("t", std::string("x")));
    ar.finishNode();
    ar.finishNode();
  });
  BOOST_TEST(text == R"({"rows":[{"n":1,"t":"x"}]})");
}

BOOST_AUTO_TEST_CASE(a_top_level_array_is_compact_and_an_empty_one_is_empty_text) {
  auto array_of = [](int n) {
    return CompactJson([n](cereal::JSONOutputArchive& ar) {
      ar.makeArray();
      for (int i = 0; i < n; ++i) {
        ar.startNode();
        ar(cereal::make_nvp("i", i));
        ar.finishNode();
      }
    });
  };
  BOOST_TEST(array_of(2) == R"([{"i":0},{"i":1}])");
  BOOST_TEST(array_of(0) == "");  // as cereal writes it: callers substitute "[]"
}

BOOST_AUTO_TEST_CASE(log_lines_are_compact) {
  const std::string line = FormatLogLine(
      0, "info", "stopped",
      {{"events_accepted", std::int64_t{3}}, {"transactions", std::int64_t{2}}, {"latency_ms", 0.487}, {"ok", true}});
  BOOST_TEST(line == R"({"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"stopped","events_accepted":3,)"
                     R"("transactions":2,"latency_ms":0.487,"ok":true})");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::core
