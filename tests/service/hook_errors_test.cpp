// POST /hook/{route}: every error answer (400, 413, 404, 405, 415) and what is kept of the
// request, against the service wired in-process. Acceptance and authentication: hook_test.cpp.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/service/service_fixtures.h"
#include "tests/service/service_support.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;
using st::SomeEvent;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(answers_400_naming_the_field_and_keeps_body_when_route_authenticated) {
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  const std::string no_name =
      R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system"},"severity":"info",)"
      R"("timestamp":"2026-11-24T09:17:31Z","message":"m","reason":"ReconciliationSucceeded"})";
  const Answer a =
      client.Post(svc.Url("/hook/signed"), no_name, {"X-Signature: " + st::Signature(st::kSampleHmacKey, no_name)});
  BOOST_TEST(a.status == 400);
  const auto err = st::ErrorOf(a.body);
  BOOST_TEST_REQUIRE(err.has_value(), a.body);
  BOOST_TEST(err->find("involvedObject.name is missing") != std::string::npos, *err);

  const std::string not_json = "{\"involvedObject\": ";
  const Answer b =
      client.Post(svc.Url("/hook/signed"), not_json, {"X-Signature: " + st::Signature(st::kSampleHmacKey, not_json)});
  BOOST_TEST(b.status == 400);
  BOOST_TEST(st::ErrorOf(b.body).has_value(), b.body);

  const std::string bad_severity =
      R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"apps"},"severity":"warning",)"
      R"("timestamp":"2026-11-24T09:17:31Z","message":"m","reason":"ReconciliationSucceeded"})";
  const Answer c = client.Post(svc.Url("/hook/signed"), bad_severity,
                               {"X-Signature: " + st::Signature(st::kSampleHmacKey, bad_severity)});
  BOOST_TEST(c.status == 400);
  BOOST_TEST(st::ErrorOf(c.body).value_or("").find("severity") != std::string::npos, c.body);

  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 0);
  BOOST_TEST_REQUIRE(st::WaitForCount(svc.db_path(), "SELECT count(*) FROM rejected_events", 3) == 3);
  // body -> (route, reason). The rows are written after the answers, so their ids need not
  // follow the order of the requests.
  std::map<std::string, std::pair<std::string, std::string>> kept;
  {
    SQLite::Statement q(*db, "SELECT route, reason, body, received_at FROM rejected_events");
    while (q.executeStep()) {
      const SQLite::Column body = q.getColumn(2);
      kept[std::string(static_cast<const char*>(body.getBlob()), static_cast<std::size_t>(body.getBytes()))] = {
          q.getColumn(0).getString(), q.getColumn(1).getString()};
      BOOST_TEST(q.getColumn(3).getString().size() == 24u, q.getColumn(3).getString());  // RFC 3339 with ms
    }
  }
  BOOST_TEST_REQUIRE(kept.size() == 3u);
  BOOST_TEST_REQUIRE(kept.count(no_name) == 1u);
  BOOST_TEST(kept[no_name].first == "signed");
  BOOST_TEST(kept[no_name].second.find("involvedObject.name is missing") != std::string::npos, kept[no_name].second);
  BOOST_TEST(kept.count(not_json) == 1u);
  BOOST_TEST_REQUIRE(kept.count(bad_severity) == 1u);
  BOOST_TEST(kept[bad_severity].second.find("severity") != std::string::npos, kept[bad_severity].second);

  // A 400 that failed authentication first is a 401, and is not kept.
  const Answer unsigned_bad = client.Post(svc.Url("/hook/signed"), no_name);
  BOOST_TEST(unsigned_bad.status == 401);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM rejected_events") == 3);
}

BOOST_AUTO_TEST_CASE(answers_413_and_keeps_body_up_to_limit_when_body_over_max_body_bytes) {
  const std::string token = "token-for-413";
  auto options = st::WithRoutes({st::BearerRoute("tokened", token)});
  options.settings.max_body_bytes = 2048;
  InProcessService svc(std::move(options));
  Client client;
  st::EventSpec spec;
  spec.message = std::string(4000, 'x');
  const std::string big = st::EventJson(spec);
  BOOST_TEST_REQUIRE(big.size() > 2048u);
  const Answer a = client.Post(svc.Url("/hook/tokened"), big, {"Authorization: Bearer " + token});
  BOOST_TEST(a.status == 413);
  const auto err = st::ErrorOf(a.body);
  BOOST_TEST_REQUIRE(err.has_value(), a.body);
  BOOST_TEST(err->find("2048") != std::string::npos, *err);

  // Just at the limit is fine.
  spec.message = "y";
  std::string at_limit = st::EventJson(spec);
  spec.message = std::string(2048 - at_limit.size() + 1, 'y');
  at_limit = st::EventJson(spec);
  BOOST_TEST_REQUIRE(at_limit.size() == 2048u);
  BOOST_TEST(client.Post(svc.Url("/hook/tokened"), at_limit, {"Authorization: Bearer " + token}).status == 202);

  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 1);
  BOOST_TEST_REQUIRE(st::WaitForCount(svc.db_path(), "SELECT count(*) FROM rejected_events", 1) == 1);
  const auto kept = st::QueryBytes(*db, "SELECT body FROM rejected_events WHERE id >= ?", 0);
  BOOST_TEST(kept == big.substr(0, 2048));
  BOOST_TEST(st::QueryText(*db, "SELECT route FROM rejected_events") == "tokened");

  // Far over the server's own read limit (max(2 x max_body_bytes, 4 MiB)): still a JSON 413.
  const Answer huge =
      client.Post(svc.Url("/hook/tokened"), std::string(5u << 20, ' '), {"Authorization: Bearer " + token});
  BOOST_TEST(huge.status == 413);
  BOOST_TEST(st::ErrorOf(huge.body).has_value(), huge.body);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 1);
}

BOOST_AUTO_TEST_CASE(answers_404_when_route_unknown_or_path_unknown) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  const std::string body = SomeEvent();
  const Answer unknown_route = client.Post(svc.Url("/hook/unknown"), body);
  BOOST_TEST(unknown_route.status == 404);
  BOOST_TEST(st::ErrorOf(unknown_route.body).value_or("").find("unknown") != std::string::npos, unknown_route.body);
  BOOST_TEST(client.Post(svc.Url("/hook/"), body).status == 404);
  BOOST_TEST(client.Post(svc.Url("/hook/known/extra"), body).status == 404);
  for (const char* path : {"/nope", "/hooks/known", "/hook", "/api/v1/events"}) {
    BOOST_TEST_CONTEXT(path) {
      const Answer a = client.Post(svc.Url(path), body);
      BOOST_TEST(a.status == 404);
      BOOST_TEST(st::ErrorOf(a.body).has_value(), a.body);
      BOOST_TEST(client.Get(svc.Url(path)).status == 404);
    }
  }
  BOOST_TEST(client.Post(svc.Url("/hook/known"), body).status == 202);
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 1);
  BOOST_TEST(st::CountRows(svc.db_path(), "rejected_events") == 0);

  // Without configured routes, any tame name is a route, but not any string.
  InProcessService open;
  const Answer odd = client.Post(open.Url("/hook/a%20b"), body);
  BOOST_TEST(odd.status == 404);
  BOOST_TEST(st::ErrorOf(odd.body).has_value(), odd.body);
  BOOST_TEST(st::CountRows(open.db_path(), "events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_405_with_allow_when_method_wrong) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"GET", "/hook/known", "POST"}, {"PUT", "/hook/known", "POST"}, {"DELETE", "/hook/known", "POST"},
      {"GET", "/events", "POST"},     {"GET", "/", "POST"},           {"POST", "/healthz", "GET"},
      {"DELETE", "/readyz", "GET"},   {"POST", "/metrics", "GET"},
  };
  for (const auto& [method, path, allow] : cases) {
    BOOST_TEST_CONTEXT(method << " " << path) {
      const Answer a = client.Request(method, svc.Url(path), method == "GET" ? "" : SomeEvent(),
                                      {"Content-Type: application/json"}, std::chrono::seconds(10));
      BOOST_TEST(a.status == 405);
      BOOST_TEST(a.Header("allow").value_or("<none>") == allow);
      BOOST_TEST(st::ErrorOf(a.body).has_value(), a.body);
    }
  }
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_415_and_stores_nothing_when_content_type_is_not_json) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known"), st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  const std::string body = SomeEvent();
  for (const char* type : {"text/plain", "text/plain; charset=utf-8", "application/xml", "multipart/form-data"}) {
    BOOST_TEST_CONTEXT(type) {
      const Answer a = client.Post(svc.Url("/hook/known"), body, {std::string("Content-Type: ") + type});
      BOOST_TEST(a.status == 415);
      BOOST_TEST(st::ErrorOf(a.body).has_value(), a.body);
      const Answer s = client.Post(
          svc.Url("/hook/signed"), body,
          {std::string("Content-Type: ") + type, "X-Signature: " + st::Signature(st::kSampleHmacKey, body)});
      BOOST_TEST(s.status == 415);
      const Answer d = client.Post(svc.Url("/events"), body, {std::string("Content-Type: ") + type});
      BOOST_TEST(d.status == 415);
    }
  }
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 0);
  BOOST_TEST(st::CountRows(svc.db_path(), "rejected_events") == 0);
  // application/json with parameters is JSON.
  BOOST_TEST(client.Post(svc.Url("/hook/known"), body, {"Content-Type: application/json; charset=utf-8"}).status ==
             202);
}

BOOST_AUTO_TEST_SUITE_END()
