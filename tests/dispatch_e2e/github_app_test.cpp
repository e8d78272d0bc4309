// A GitHub App through the real `fluxstatus serve`, configured as a Flux user has it: the
// installation found by the account it is installed on (github_app_installation_owner) and
// the App's API on its own base URL (github_app_base_url). Two fake hosts keep the App's calls
// and the status calls apart: the route's host accepts only the minted installation token.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <string>
#include <vector>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/serve_support.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {
namespace {

using fluxstatus::testing::GitHubAppKeys;
using fluxstatus::testing::MakeGitHubAppKeys;

const std::string kApps = "kustomization/apps";
const std::string kToken = "ghs_e2e-installation-token";

// The route's host (statuses, installation token only), the App's API installed on the
// organization `acme` as installation 9001, and the route's YAML for `owner`.
struct AppSetup {
  FakeGitHost host{FakeGitHost::Options{kToken, "", 1}};
  FakeGitHost app_api;
  testing::TempDir dir;

  AppSetup() {
    const GitHubAppKeys keys = MakeGitHubAppKeys();
    app_api.SetGitHubApp("4242", keys.public_pem, kToken, static_cast<std::int64_t>(std::time(nullptr)) + 3600);
    app_api.InstallGitHubApp("acme", /*organization=*/true, 9001);
    testing::WriteFile(dir.path() / "app.pem", keys.private_pem);
  }

  std::string Route(const std::string& owner) const {
    return "  - name: gh\n    provider: github\n    address: " + host.Address(HostKind::kGitHub, "acme/app") +
           "\n    github_app_id: \"4242\"\n    github_app_installation_owner: " + owner +
           "\n    github_private_key_file: app.pem\n    github_app_base_url: " + app_api.BaseUrl() + "/api/v3\n";
  }
};

std::vector<std::string> Targets(const FakeGitHost& host) {
  std::vector<std::string> out;
  for (const auto& r : host.Requests()) out.push_back(r.method + " " + r.target);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(GitHubApp)

BOOST_FIXTURE_TEST_CASE(statuses_are_posted_with_the_token_of_the_installation_found_by_owner, AppSetup) {
  Serve serve(dir.path(), ServeConfig(Route("acme")));
  const std::string sha = Sha(70);
  Accepted(serve.Hook("gh", Succeeded(sha, 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));
  Accepted(serve.Hook("gh", Failed(sha, 1, "infra")));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2));

  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, "kustomization/infra") ==
             std::vector<std::string>{"failure"});
  // Looked up once, minted once (the token is cached for the second status), on the App's base.
  BOOST_TEST(Targets(app_api) == (std::vector<std::string>{"GET /api/v3/orgs/acme/installation",
                                                           "POST /api/v3/app/installations/9001/access_tokens"}));
  for (const auto& r : host.Requests()) {
    BOOST_TEST(r.target.find("/api/v3/repos/acme/app/") == 0u, r.target);
    BOOST_TEST_REQUIRE(r.Header("authorization") != nullptr);
    BOOST_TEST(*r.Header("authorization") == "Bearer " + kToken);
  }
  BOOST_TEST(serve.Output().find(kToken) == std::string::npos);  // never logged
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(an_owner_without_the_app_leaves_the_status_pending_with_a_last_error_naming_the_fix, AppSetup) {
  Serve serve(dir.path(), ServeConfig(Route("acme-typo"), DispatchYaml(2, 1000)));
  const std::string sha = Sha(71);
  Accepted(serve.Hook("gh", Succeeded(sha, 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return QueryInt(serve.db_path(), "SELECT attempts FROM current_status") >= 1; }));
  const auto row = QueryRows(serve.db_path(), "SELECT sync_state, last_error FROM current_status");
  BOOST_TEST_REQUIRE(row.size() == 1u);
  BOOST_TEST(row[0][0] == "pending");
  BOOST_TEST(row[0][1].rfind("credentials: GitHub App 4242 is not installed on 'acme-typo': GET " + app_api.BaseUrl() +
                                 "/api/v3/orgs/acme-typo/installation and /users/acme-typo/installation answered 404; "
                                 "install the App on that organization or user, or correct "
                                 "github_app_installation_owner",
                             0) == 0u,
             row[0][1]);
  BOOST_TEST(host.Requests().empty());  // no status call without a token
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
