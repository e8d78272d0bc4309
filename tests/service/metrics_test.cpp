// GET /healthz, /readyz and /metrics: what an operator's probes and Prometheus see.
#include <string>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "tests/service/service_fixtures.h"
#include "tests/service/service_support.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;

namespace {

std::string Event(int n) {
  st::EventSpec e;
  e.message = "metrics " + std::to_string(n);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 900);
  return st::EventJson(e);
}

// The "status" member of a probe's JSON answer.
std::string StatusOf(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("status") || !doc["status"].IsString()) return "<none>";
  return doc["status"].GetString();
}

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(probes)

BOOST_AUTO_TEST_CASE(answers_200_when_healthz_and_readyz_probed_on_a_healthy_service) {
  InProcessService svc;
  Client client;
  const Answer health = client.Get(svc.Url("/healthz"));
  BOOST_TEST(health.status == 200);
  BOOST_TEST(StatusOf(health.body) == "ok", health.body);
  const Answer ready = client.Get(svc.Url("/readyz"));
  BOOST_TEST(ready.status == 200);
  BOOST_TEST(StatusOf(ready.body) == "ok", ready.body);
  // HEAD is a GET without the body (what some probes send).
  const Answer head = client.Request("HEAD", svc.Url("/healthz"), "", {}, std::chrono::seconds(5));
  BOOST_TEST(head.answered(), "curl " << head.code);
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
}

BOOST_AUTO_TEST_CASE(counts_accepted_rejected_and_latency_when_metrics_scraped) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("alpha"), st::HmacRoute("beta", st::kSampleHmacKey)}));
  Client client;
  for (int i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/alpha"), Event(i)).status == 202);
  BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/alpha"), Event(0)).status == 202);  // duplicate
  for (int i = 10; i < 12; ++i) {
    const std::string body = Event(i);
    BOOST_TEST_REQUIRE(
        client.Post(svc.Url("/hook/beta"), body, {"X-Signature: " + st::Signature(st::kSampleHmacKey, body)}).status ==
        202);
  }
  for (const std::string& body : {std::string("{}"), std::string(R"({"involvedObject":{}})")}) {
    BOOST_TEST_REQUIRE(
        client.Post(svc.Url("/hook/beta"), body, {"X-Signature: " + st::Signature(st::kSampleHmacKey, body)}).status ==
        400);
  }
  BOOST_TEST_REQUIRE(client.Post(svc.Url("/hook/beta"), Event(20), {"X-Signature: sha256=00"}).status == 401);

  const Answer m = client.Get(svc.Url("/metrics"));
  BOOST_TEST(m.status == 200);
  BOOST_TEST(m.Header("content-type").value_or("").rfind("text/plain", 0) == 0u);
  const std::string& text = m.body;
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_accepted_total{route="alpha"} 3)"), text);
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_accepted_total{route="beta"} 2)"), text);
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_duplicate_total{route="alpha"} 1)"), text);
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_rejected_total{reason="invalid_event",route="beta"} 2)"), text);
  BOOST_TEST(HasLine(text, R"(fluxstatus_events_rejected_total{reason="unauthorized",route="beta"} 1)"), text);
  BOOST_TEST(HasLine(text, "# TYPE fluxstatus_ack_latency_seconds histogram"), text);
  // Every acknowledgement (duplicates too) is one observation.
  BOOST_TEST(HasLine(text, R"(fluxstatus_ack_latency_seconds_bucket{le="+Inf"} 6)"), text);
  BOOST_TEST(HasLine(text, "fluxstatus_ack_latency_seconds_count 6"), text);
  BOOST_TEST(text.find("fluxstatus_ack_latency_seconds_bucket{le=\"0.005\"}") != std::string::npos);
  BOOST_TEST(text.find("fluxstatus_ack_latency_seconds_sum ") != std::string::npos);
  BOOST_TEST(text.find(st::kSampleHmacKey) == std::string::npos);
  // The SQL agrees with the counters.
  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events WHERE route = 'alpha'") == 3);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events WHERE route = 'beta'") == 2);
  BOOST_TEST(st::WaitForCount(svc.db_path(), "SELECT count(*) FROM rejected_events WHERE route = 'beta'", 2) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
