// What a user sees when a request is refused or taken: exact compact JSON answers, a `request
// rejected` log line for every refusal, the 404 that lists the routes, the 413 that names
// max_body_bytes, the bounded unknown-route counter, and the accepted-event log line.
#include <regex>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "app/config.h"
#include "tests/service/log_capture.h"
#include "tests/service/service_fixtures.h"
#include "tests/service/service_support.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;
using st::LogCapture;
using st::LogLine;

namespace {

std::string SomeEvent(int n = 0) {
  st::EventSpec e;
  e.message = "rejections " + std::to_string(n);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 4200);
  return st::EventJson(e);
}

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// The `request rejected` lines for this status and path.
std::vector<LogLine> Rejections(const LogCapture& log, int status, const std::string& path) {
  std::vector<LogLine> found;
  for (auto& line : log.WithMsg("request rejected")) {
    if (line.Int("status") == status && line.Str("path") == path) found.push_back(std::move(line));
  }
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rejections)

BOOST_AUTO_TEST_CASE(logs_every_refused_request_with_status_method_path_remote_and_reason) {
  LogCapture log;
  InProcessService svc(st::WithRoutes({st::OpenRoute("known"), st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  const std::string body = SomeEvent();
  struct Case {
    std::string method, target, content_type;
    int status;
    std::string path, route;
  };
  const std::vector<Case> cases = {
      {"POST", "/hook/nosuch", "application/json", 404, "/hook/nosuch", "nosuch"},
      {"POST", "/hook/nosuch?token=QUERYSECRET", "application/json", 404, "/hook/nosuch", "nosuch"},
      {"GET", "/hook/known", "application/json", 405, "/hook/known", "known"},
      {"POST", "/hook/known", "text/plain", 415, "/hook/known", "known"},
      {"POST", "/hook/signed", "application/json", 401, "/hook/signed", "signed"},
      {"POST", "/nope", "application/json", 404, "/nope", ""},
      {"GET", "/events", "application/json", 405, "/events", ""},
      {"POST", "/events", "text/plain", 415, "/events", ""},
      {"POST", "/healthz", "application/json", 405, "/healthz", ""},
  };
  for (const auto& c : cases) {
    const Answer a = client.Request(c.method, svc.Url(c.target), c.method == "GET" ? "" : body,
                                    {"Content-Type: " + c.content_type}, std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(a.status == c.status, c.method << " " << c.target << ": " << a.body);
  }
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.method << " " << c.target) {
      const auto lines = Rejections(log, c.status, c.path);
      BOOST_TEST_REQUIRE(!lines.empty(), log.Text());
      const LogLine& line = lines.front();
      BOOST_TEST(line.Str("level") == "warn", line.text);
      BOOST_TEST(line.Str("method") == c.method, line.text);
      BOOST_TEST(line.Str("remote").rfind("127.0.0.1:", 0) == 0u, line.text);
      BOOST_TEST(line.Str("error") != "<absent>", line.text);
      BOOST_TEST(line.Str("route") == (c.route.empty() ? "<absent>" : c.route), line.text);
    }
  }
  // The query string is not logged: it may carry a token.
  BOOST_TEST(Rejections(log, 404, "/hook/nosuch").size() == 2u, log.Text());
  BOOST_TEST(log.Text().find("QUERYSECRET") == std::string::npos, log.Text());
  BOOST_TEST(log.Text().find(st::kSampleHmacKey) == std::string::npos, log.Text());
}

BOOST_AUTO_TEST_CASE(answers_404_listing_the_configured_routes_when_route_unknown) {
  LogCapture log;
  InProcessService svc(st::WithRoutes({st::OpenRoute("github"), st::OpenRoute("contoso2")}));
  Client client;
  const Answer a = client.Post(svc.Url("/hook/contoso"), SomeEvent());
  BOOST_TEST(a.status == 404);
  BOOST_TEST(a.body == R"({"error":"unknown route 'contoso'; the configured routes are: contoso2, github"})");
  const auto lines = Rejections(log, 404, "/hook/contoso");
  BOOST_TEST_REQUIRE(lines.size() == 1u, log.Text());
  BOOST_TEST(lines.front().Str("error") == ("unknown route 'contoso'; the configured routes are: contoso2, github"));
}

BOOST_AUTO_TEST_CASE(counts_unknown_routes_under_the_requested_name_up_to_ten_then_other) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  for (int i = 0; i < 2; ++i) BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/typo"), SomeEvent()).status == 404);
  for (int i = 1; i <= 12; ++i) {
    BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/scan" + std::to_string(i)), SomeEvent()).status == 404);
  }
  BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/a%20b"), SomeEvent()).status == 404);
  BOOST_TEST_REQUIRE(client.Request("GET", svc.Url("/hook/typo"), "", {}, std::chrono::seconds(10)).status == 405);
  const std::string text = client.Get(svc.Url("/metrics")).body;
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_rejected_total{reason="unknown_route",route="typo"} 2)"), text);
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_rejected_total{reason="method_not_allowed",route="typo"} 1)"), text);
  // "typo" and scan1..scan9 fill the ten names; scan10..12 and the invalid name share one.
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_rejected_total{reason="unknown_route",route="scan9"} 1)"), text);
  BOOST_TEST(text.find(R"(route="scan10")") == std::string::npos, text);
  BOOST_TEST(HasLine(text, R"x(fluxstatus_events_rejected_total{reason="unknown_route",route="(other)"} 4)x"), text);
  BOOST_TEST(text.find(R"(route="")") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(answers_compact_json_with_exact_bodies) {
  auto options = st::WithRoutes({st::OpenRoute("known")});
  options.settings.routes.front().match = {fluxstatus::core::EventSourceMatch{"Kustomization", "*", "*"}};
  InProcessService svc(std::move(options));
  Client client;
  const std::string body = SomeEvent();
  Answer a = client.Post(svc.Url("/hook/known"), body);
  BOOST_TEST(a.status == 202);
  BOOST_TEST(a.body == R"({"id":1,"duplicate":false})");
  a = client.Post(svc.Url("/hook/known"), body);
  BOOST_TEST(a.body == R"({"id":1,"duplicate":true})");
  a = client.Post(svc.Url("/events"), SomeEvent(1));
  BOOST_TEST(a.body == R"({"id":2,"duplicate":false,"routes":["known"]})");
  BOOST_TEST(client.Get(svc.Url("/healthz")).body == R"({"status":"ok"})");
  a = client.Request("GET", svc.Url("/hook/known"), "", {}, std::chrono::seconds(10));
  BOOST_TEST(a.body == R"({"error":"method GET is not allowed on /hook/known; use POST"})");
  a = client.Post(svc.Url("/hook/known"), body, {"Content-Type: text/plain"});
  BOOST_TEST(a.body == R"({"error":"Content-Type text/plain is not JSON; send application/json"})");
  a = client.Post(svc.Url("/hook/known"), R"({"involvedObject": )");
  BOOST_TEST(a.status == 400);
  BOOST_TEST(a.body.rfind(R"({"error":"invalid JSON at byte )", 0) == 0u, a.body);
}

BOOST_AUTO_TEST_CASE(answers_413_naming_max_body_bytes_its_value_and_how_to_raise_it) {
  LogCapture log;
  auto options = st::WithRoutes({st::OpenRoute("known")});
  options.settings.max_body_bytes = 4096;
  InProcessService svc(std::move(options));
  Client client;
  const std::string big(5000, ' ');
  const std::string expected =
      "body is 5000 bytes, over max_body_bytes (4096 bytes); raise max_body_bytes in the configuration to accept "
      "larger events";
  for (const char* path : {"/hook/known", "/events"}) {
    BOOST_TEST_CONTEXT(path) {
      const Answer a = client.Post(svc.Url(path), big);
      BOOST_TEST(a.status == 413);
      BOOST_TEST(a.body == R"({"error":")" + expected + R"("})");
      const auto lines = Rejections(log, 413, path);
      BOOST_TEST_REQUIRE(lines.size() == 1u, log.Text());
      BOOST_TEST(lines.front().Str("error") == expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(accepts_a_3_mib_event_by_default_as_notification_controller_does) {
  constexpr std::size_t kThreeMiB = 3 * 1024 * 1024;  // notification-controller's maxRequestSizeBytes
  BOOST_TEST(fluxstatus::ingest::IngestSettings{}.max_body_bytes == kThreeMiB);
  BOOST_TEST(fluxstatus::app::ParseConfig("routes:\n  - name: a\n", "fluxstatus.yaml").max_body_bytes == kThreeMiB);
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  st::EventSpec spec;
  spec.message = "m";
  const std::size_t overhead = st::EventJson(spec).size() - 1;
  spec.message = std::string(kThreeMiB - overhead, 'm');
  const std::string at_limit = st::EventJson(spec);
  BOOST_TEST_REQUIRE(at_limit.size() == kThreeMiB);
  const Answer a = client.Post(svc.Url("/hook/known"), at_limit);
  BOOST_TEST(a.status == 202, a.body.substr(0, 300));
  BOOST_TEST(client.Post(svc.Url("/hook/known"), at_limit + " ").status == 413);
}

BOOST_AUTO_TEST_CASE(logs_accepted_events_as_compact_json_with_latency_rounded_to_microseconds) {
  LogCapture log;
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  for (int i = 0; i < 5; ++i) BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/known"), SomeEvent(i)).status == 202);
  const auto lines = log.WithMsg("event accepted");
  BOOST_TEST_REQUIRE(lines.size() == 5u, log.Text());
  const std::regex latency(R"("latency_ms":[0-9]+(\.[0-9]{1,3})?[,}])");
  for (const auto& line : lines) {
    BOOST_TEST(line.text.rfind(R"({"time":")", 0) == 0u, line.text);
    BOOST_TEST(line.text.find(R"(,"level":"info","msg":"event accepted","route":"known",)") != std::string::npos,
               line.text);
    BOOST_TEST(std::regex_search(line.text, latency), line.text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
