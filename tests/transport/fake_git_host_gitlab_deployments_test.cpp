// The fake Git host's GitLab deployments and environments (deployments-and-checks.md 4), driven
// through the real libcurl transport as a provider will drive them: what a client of the API
// notices, answers and bodies first.
#include <string>

#include <boost/test/unit_test.hpp>

#include "tests/support/fake_git_host.h"
#include "tests/transport/fake_git_host_client.h"

using Host = fluxstatus::testing::FakeGitHost;
using cereal::make_nvp;
using namespace fluxstatus::testing::fake_client;  // the client, Json, Parse, Str, the SHAs

namespace {

const std::string kGitLab = "/api/v4/projects/group%2Fapp";

std::string GitLabDeployment(const std::string& environment, const std::string& status, const char* sha = kSha) {
  return Json([&](Ar& ar) {
    ar(make_nvp("environment", environment), make_nvp("sha", std::string(sha)), make_nvp("ref", std::string("main")),
       make_nvp("tag", false), make_nvp("status", status));
  });
}

std::string GitLabStatus(const std::string& status) {
  return Json([&](Ar& ar) { ar(make_nvp("status", status)); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(FakeGitHostGitLabDeployments)

BOOST_AUTO_TEST_CASE(a_finished_deployment_refuses_to_run_again_with_gitlabs_400) {
  Host host;
  Client c{host};
  const auto created = c.Call("POST", kGitLab + "/deployments", GitLabDeployment("cluster-a", "running"));
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const auto doc = Parse(created.body);
  BOOST_TEST(Str(doc, "status") == "running");
  BOOST_TEST(Str(doc, "sha") == kSha);
  BOOST_TEST(Str(doc["environment"], "name") == "cluster-a");
  BOOST_TEST(doc["deployable"].IsNull());
  const std::string one = kGitLab + "/deployments/" + std::to_string(doc["id"].GetInt64());

  BOOST_TEST(c.Call("PUT", one, GitLabStatus("success")).status == 200);
  const auto again = c.Call("PUT", one, GitLabStatus("running"));
  BOOST_TEST(again.status == 400);
  BOOST_TEST(again.body == R"({"message":{"status":["cannot transition via \"run\""]}})");
  BOOST_TEST(c.Call("PUT", one, GitLabStatus("success")).status == 400);  // same status twice
  BOOST_TEST(Str(Parse(c.Call("GET", one).body), "status") == "success");
  BOOST_TEST(c.Call("PUT", one, GitLabStatus("failed")).status == 200);
  BOOST_TEST(c.Call("PUT", one, GitLabStatus("created")).status == 400);
  BOOST_TEST(c.Call("PUT", kGitLab + "/deployments/999999", GitLabStatus("failed")).status == 404);

  const auto missing = c.Call("POST", kGitLab + "/deployments", R"({"environment":"cluster-a","status":"running"})");
  BOOST_TEST(missing.status == 400);
  BOOST_TEST(Str(Parse(missing.body), "error") == "sha is missing, ref is missing, tag is missing");
  BOOST_TEST(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("cluster-a", "created")).status == 400);
  const auto no_commit = c.Call("POST", kGitLab + "/deployments", GitLabDeployment("cluster-b", "running", "nope"));
  BOOST_TEST(no_commit.status == 400);
  BOOST_TEST(no_commit.body == R"({"message":{"sha":["The commit does not exist"]}})");
  BOOST_TEST(host.GitLabEnvironments("group/app").size() == 2u);  // cluster-b was made before the sha was refused
  const auto held = host.GitLabDeployments("group/app");
  BOOST_TEST_REQUIRE(held.size() == 1u);
  BOOST_TEST(held[0].status == "failed");
}

BOOST_AUTO_TEST_CASE(a_repeat_of_the_last_success_is_that_deployment_and_lists_filter_by_environment) {
  Host host;
  Client c{host};
  const auto first = Parse(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("cluster-a", "success")).body);
  const auto repeat = Parse(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("cluster-a", "success")).body);
  BOOST_TEST(repeat["id"].GetInt64() == first["id"].GetInt64());
  // The docs' form-encoded curl --data body works too.
  const auto form = c.Call("POST", kGitLab + "/deployments",
                           std::string("environment=cluster-b&sha=") + kOtherSha + "&ref=main&tag=false&status=running",
                           "application/x-www-form-urlencoded");
  BOOST_TEST(form.status == 201, form.body);
  BOOST_TEST(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("cluster-a", "running", kOtherSha)).status ==
             201);

  const auto listed = c.Call("GET", kGitLab + "/deployments?environment=cluster-a&order_by=id&sort=desc&per_page=1");
  BOOST_TEST(listed.status == 200);
  const auto list = Parse(listed.body);
  BOOST_TEST_REQUIRE(list.Size() == 1u);
  BOOST_TEST(Str(list[0], "sha") == kOtherSha);  // newest first
  BOOST_TEST(*listed.Header("x-total") == "2");
  BOOST_TEST(*listed.Header("x-next-page") == "2");
  // sha is no filter: GitLab ignores it and the client matches sha itself.
  BOOST_TEST(Parse(c.Call("GET", kGitLab + "/deployments?sha=" + std::string(kSha)).body).Size() == 3u);
  BOOST_TEST(Parse(c.Call("GET", kGitLab + "/deployments?status=running").body).Size() == 2u);
  BOOST_TEST(host.GitLabDeployments("group/app").size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_deployment_creates_its_environment_whose_external_url_is_then_set) {
  Host host;
  Client c{host};
  BOOST_TEST(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("prod-eu", "success")).status == 201);
  const auto found = Parse(c.Call("GET", kGitLab + "/environments?name=prod-eu").body);
  BOOST_TEST_REQUIRE(found.Size() == 1u);
  BOOST_TEST(found[0]["external_url"].IsNull());
  BOOST_TEST(Str(found[0], "tier") == "production");                                        // guessed from the name
  BOOST_TEST(Parse(c.Call("GET", kGitLab + "/environments?name=prod").body).Size() == 0u);  // exact
  const std::string one = kGitLab + "/environments/" + std::to_string(found[0]["id"].GetInt64());

  const auto bad = c.Call("PUT", one, R"({"external_url":"ftp://eu.example.com"})");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body.find("external_url") != std::string::npos, bad.body);
  const auto set = c.Call("PUT", one, R"({"external_url":"https://eu.example.com","tier":"production"})");
  BOOST_TEST(set.status == 200, set.body);
  BOOST_TEST(Str(Parse(set.body), "external_url") == "https://eu.example.com");
  const auto got = Parse(c.Call("GET", one).body);
  BOOST_TEST(Str(got, "external_url") == "https://eu.example.com");
  BOOST_TEST(Str(got["last_deployment"], "sha") == kSha);
  const auto deployment = Parse(c.Call("GET", kGitLab + "/deployments").body);
  BOOST_TEST(Str(deployment[0]["environment"], "external_url") == "https://eu.example.com");

  BOOST_TEST(c.Call("POST", kGitLab + "/environments", R"({"name":"prod-eu"})").status == 400);  // taken
  BOOST_TEST(c.Call("POST", kGitLab + "/environments", R"({"name":"/bad"})").status == 400);
  BOOST_TEST(c.Call("POST", kGitLab + "/environments", R"({"name":"qa","tier":"testing"})").status == 201);
  BOOST_TEST(c.Call("GET", kGitLab + "/environments/999999").status == 404);
  const auto held = host.GitLabEnvironments("group/app");
  BOOST_TEST_REQUIRE(held.size() == 2u);
  BOOST_TEST(held[0].external_url == "https://eu.example.com");
}

BOOST_AUTO_TEST_CASE(credentials_and_injected_faults_apply_as_for_statuses) {
  Host host(Host::Options{"s3cret", "", 1});
  Client c{host};
  BOOST_TEST(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("a", "running")).status == 401);
  BOOST_TEST(c.Call("GET", kGitLab + "/environments").status == 401);
  c.headers = {{"PRIVATE-TOKEN", "s3cret"}};
  host.FailNext(1, 500);
  BOOST_TEST(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("a", "running")).status == 500);
  BOOST_TEST(host.GitLabDeployments("group/app").empty());  // a fault is not applied
  BOOST_TEST(host.GitLabEnvironments("group/app").empty());
  BOOST_TEST(c.Call("POST", kGitLab + "/deployments", GitLabDeployment("a", "running")).status == 201);
  BOOST_TEST(host.GitLabDeployments("group/app").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
