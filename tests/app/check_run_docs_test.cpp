// docs/check-runs.md kept honest: its example config is what ParseConfig accepts as written,
// and the output it shows is exactly what core::RenderCheckRunOutput produces for the golden
// failure (tests/fixtures/check_run_output_golden.md, checked against the renderer in
// core_tests).
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "app/config.h"

namespace app = fluxstatus::app;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Doc() { return ReadFile(std::string(FLUXSTATUS_FIXTURES_DIR) + "/../../docs/check-runs.md"); }

// The golden file's part after `<!-- output.NAME -->`, without the blank lines around it.
std::string GoldenPart(const std::string& name) {
  const std::string all = ReadFile(std::string(FLUXSTATUS_FIXTURES_DIR) + "/check_run_output_golden.md");
  const std::string marker = "<!-- output." + name + " -->\n";
  auto begin = all.find(marker);
  if (begin == std::string::npos) return "";
  begin += marker.size();
  auto end = all.find("<!-- output.", begin);
  std::string part = all.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  while (!part.empty() && part.back() == '\n') part.pop_back();
  return part;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckRunDocs)

BOOST_AUTO_TEST_CASE(the_guides_config_is_accepted_as_written_and_reports_check_runs) {
  const std::string doc = Doc();
  const auto fence = doc.find("```yaml\n# fluxstatus.yaml");
  BOOST_TEST_REQUIRE(fence != std::string::npos);
  const auto body = fence + 8;
  const std::string yaml = doc.substr(body, doc.find("```", body) - body);
  const app::Config c = app::ParseConfig(yaml, "check-runs.md");
  BOOST_TEST_REQUIRE(c.routes.size() == 1u);
  BOOST_TEST(c.routes[0].report_check);
  BOOST_TEST(c.routes[0].report_status);
}

BOOST_AUTO_TEST_CASE(the_guide_shows_the_renderers_exact_output) {
  const std::string doc = Doc();
  for (const char* part : {"title", "summary", "text"}) {
    const std::string golden = GoldenPart(part);
    BOOST_TEST_CONTEXT("output." << part) {
      BOOST_TEST_REQUIRE(!golden.empty());
      BOOST_TEST(doc.find(golden) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
