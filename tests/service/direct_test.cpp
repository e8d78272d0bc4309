// Direct mode: POST / and POST /events with events straight from a controller, routed by each
// route's `match` list.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/service/service_fixtures.h"
#include "tests/service/service_support.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;

namespace {

fluxstatus::core::EventSourceMatch Match(std::string kind, std::string name, std::string ns) {
  fluxstatus::core::EventSourceMatch m;
  m.kind = std::move(kind);
  m.name = std::move(name);
  m.namespace_ = std::move(ns);
  return m;
}

st::InProcessOptions DirectRoutes() {
  auto kustomizations = st::OpenRoute("kustomizations");
  kustomizations.match = {Match("Kustomization", "*", "*")};
  auto apps = st::OpenRoute("apps");
  apps.match = {Match("*", "apps", "flux-system")};
  auto previews = st::OpenRoute("helm-previews");
  previews.match = {Match("HelmRelease", "front*", "preview-*"), Match("HelmRelease", "backend", "*")};
  auto none = st::OpenRoute("hook-only");  // no match list: never takes direct-mode events
  // Its hook demands an HMAC signature, which a direct POST cannot give: its match list only
  // routes resync's statuses, never an unauthenticated direct-mode event.
  auto signed_hook = st::HmacRoute("signed", "s3cret");
  signed_hook.match = {Match("Kustomization", "*", "*")};
  return st::WithRoutes({kustomizations, apps, previews, none, signed_hook});
}

struct Logged {
  std::string route;
  std::string body;
  std::string commit_sha;
};

std::vector<Logged> EventsWithBody(const std::string& db_path, const std::string& body) {
  auto db = st::OpenReader(db_path);
  SQLite::Statement q(*db, "SELECT route, body, commit_sha FROM events WHERE body = ? ORDER BY route");
  q.bind(1, body);
  std::vector<Logged> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                   q.getColumn(2).isNull() ? "<NULL>" : q.getColumn(2).getString()});
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(direct_mode)

BOOST_AUTO_TEST_CASE(lands_on_both_routes_and_lists_them_when_event_matches_two) {
  const std::filesystem::path samples = st::SamplesDir();
  InProcessService svc(DirectRoutes());
  Client client;
  // Kustomization flux-system/apps: "kustomizations" (kind) and "apps" (name + namespace).
  const std::string body = st::ReadFile(samples / "wire" / "01-direct-kustomization-reconciliation-succeeded.json");
  const Answer a = client.Post(svc.Url("/"), body);
  BOOST_TEST(a.status == 202, a.body);
  const auto acc = st::ParseAccepted(a.body);
  BOOST_TEST_REQUIRE(acc.has_value(), a.body);
  BOOST_TEST_REQUIRE(acc->routes.has_value());
  BOOST_TEST((*acc->routes == std::vector<std::string>{"apps", "kustomizations"}));
  BOOST_TEST(acc->duplicate == false);
  BOOST_TEST(acc->id.has_value());

  const auto logged = EventsWithBody(svc.db_path(), body);
  BOOST_TEST_REQUIRE(logged.size() == 2u);
  BOOST_TEST(logged[0].route == "apps");
  BOOST_TEST(logged[1].route == "kustomizations");
  // Group-prefixed metadata (direct form) still names the commit.
  BOOST_TEST(logged[0].commit_sha == "69fdd6276a37f5e42af7f0405a21703b605543d0");
  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 2);
  // `events.origin` says how each came: straight from the controller.
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events WHERE origin = 'direct'") == 2);
  BOOST_TEST(st::QueryInt(*db,
                          "SELECT count(*) FROM current_status WHERE commit_sha = "
                          "'69fdd6276a37f5e42af7f0405a21703b605543d0' AND state = 'success'") == 2);

  // Sent again to /events: a duplicate on both routes, nothing new stored.
  const Answer again = client.Post(svc.Url("/events"), body);
  BOOST_TEST(again.status == 202);
  const auto again_acc = st::ParseAccepted(again.body);
  BOOST_TEST_REQUIRE(again_acc.has_value(), again.body);
  BOOST_TEST(again_acc->duplicate == true);
  BOOST_TEST((again_acc->id == acc->id));
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 2);
}

BOOST_AUTO_TEST_CASE(lands_on_matching_route_only_when_one_route_matches) {
  const std::filesystem::path samples = st::SamplesDir();
  InProcessService svc(DirectRoutes());
  Client client;
  struct Case {
    const char* file;
    const char* path;
    std::vector<std::string> routes;
  };
  const std::vector<Case> cases = {
      {"05-direct-kustomization-oci-origin-revision.json", "/events", {"kustomizations"}},
      {"09-direct-helmrelease-upgrade-succeeded-commit-annotation.json", "/", {"helm-previews"}},
      {"12-direct-kustomization-build-failed-sha1-only-revision.json", "/", {"kustomizations"}},
  };
  std::int64_t expected_rows = 0;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.file) {
      const std::string body = st::ReadFile(samples / "wire" / c.file);
      const Answer a = client.Post(svc.Url(c.path), body);
      BOOST_TEST(a.status == 202, a.body);
      const auto acc = st::ParseAccepted(a.body);
      BOOST_TEST_REQUIRE((acc && acc->routes), a.body);
      BOOST_TEST(*acc->routes == c.routes);
      const auto logged = EventsWithBody(svc.db_path(), body);
      BOOST_TEST_REQUIRE(logged.size() == c.routes.size());
      for (std::size_t i = 0; i < logged.size(); ++i) BOOST_TEST(logged[i].route == c.routes[i]);
      expected_rows += static_cast<std::int64_t>(c.routes.size());
    }
  }
  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == expected_rows);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events WHERE route = 'hook-only'") == 0);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events WHERE route = 'signed'") == 0);
}

BOOST_AUTO_TEST_CASE(answers_202_with_no_routes_and_logs_nothing_when_no_route_matches) {
  const std::filesystem::path samples = st::SamplesDir();
  InProcessService svc(DirectRoutes());
  Client client;
  // GitRepository flux-system/fleet and HelmRelease cafe-prod/frontend: no match list takes them.
  for (const char* file : {"06-direct-gitrepository-new-artifact-nested-branch.json",
                           "10-direct-helmrelease-install-failed-unicode.json"}) {
    BOOST_TEST_CONTEXT(file) {
      const std::string body = st::ReadFile(samples / "wire" / file);
      for (const char* path : {"/", "/events"}) {
        const Answer a = client.Post(svc.Url(path), body);
        BOOST_TEST(a.status == 202, a.body);
        const auto acc = st::ParseAccepted(a.body);
        BOOST_TEST_REQUIRE((acc && acc->routes), a.body);
        BOOST_TEST(acc->routes->empty());
        BOOST_TEST(!acc->id.has_value());
      }
    }
  }
  BOOST_TEST(st::QueryInt(*st::OpenReader(svc.db_path()), "SELECT count(*) FROM events") == 0);
  BOOST_TEST(st::QueryInt(*st::OpenReader(svc.db_path()), "SELECT count(*) FROM rejected_events") == 0);
  BOOST_TEST(svc.metrics().Render({}).find("fluxstatus_events_unmatched_total 4") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(answers_400_and_keeps_nothing_when_direct_event_invalid) {
  InProcessService svc(DirectRoutes());
  Client client;
  const std::string no_kind = R"({"involvedObject":{"namespace":"flux-system","name":"apps"},"severity":"info",)"
                              R"("timestamp":"2026-11-24T09:17:31Z","message":"m","reason":"ReconciliationSucceeded"})";
  const Answer a = client.Post(svc.Url("/events"), no_kind);
  BOOST_TEST(a.status == 400);
  BOOST_TEST(st::ErrorOf(a.body).value_or("").find("involvedObject.kind") != std::string::npos, a.body);
  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 0);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM rejected_events") == 0);  // unauthenticated: only counted
}

BOOST_AUTO_TEST_SUITE_END()
