// The fake Git host's GitHub deployments and deployment statuses (deployments-and-checks.md 1),
// driven through the real libcurl transport as a provider will drive them: what a client of
// the API notices, answers and bodies first.
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/fake_git_host.h"
#include "tests/transport/fake_git_host_client.h"

using Host = fluxstatus::testing::FakeGitHost;
using cereal::make_nvp;
using namespace fluxstatus::testing::fake_client;  // the client, Json, Parse, Str, the SHAs

namespace {

const std::string kDeployments = "/repos/o/r/deployments";

// A create-deployment body. By default what fluxstatus sends: the SHA as ref, auto_merge false
// and required_contexts [] (deployments-and-checks.md 1.7); each setter changes one member,
// std::nullopt leaves it out.
struct Deploy {
  std::optional<std::string> ref = kSha;
  std::optional<std::string> environment;
  std::optional<bool> auto_merge = false;
  std::optional<std::vector<std::string>> required_contexts = std::vector<std::string>{};
  std::optional<bool> production, transient;

  Deploy& Ref(std::optional<std::string> v) { return ref = std::move(v), *this; }
  Deploy& Env(std::string v) { return environment = std::move(v), *this; }
  Deploy& AutoMerge(std::optional<bool> v) { return auto_merge = v, *this; }
  Deploy& Required(std::optional<std::vector<std::string>> v) { return required_contexts = std::move(v), *this; }
  Deploy& Production(bool v) { return production = v, *this; }
  Deploy& Transient(bool v) { return transient = v, *this; }

  std::string Body() const {
    return Json([&](Ar& ar) {
      if (ref) ar(make_nvp("ref", *ref));
      if (environment) ar(make_nvp("environment", *environment));
      if (auto_merge) ar(make_nvp("auto_merge", *auto_merge));
      if (production) ar(make_nvp("production_environment", *production));
      if (transient) ar(make_nvp("transient_environment", *transient));
      if (required_contexts) {
        ar.setNextName("required_contexts");
        ar.startNode();
        ar.makeArray();
        for (const auto& c : *required_contexts) ar(c);
        ar.finishNode();
      }
    });
  }
};

std::string DeploymentStatus(const std::string& state, const std::string& description = "d",
                             std::optional<bool> auto_inactive = std::nullopt) {
  return Json([&](Ar& ar) {
    ar(make_nvp("state", state), make_nvp("description", description),
       make_nvp("log_url", std::string("https://ci/log")), make_nvp("environment_url", std::string("https://app")));
    if (auto_inactive) ar(make_nvp("auto_inactive", *auto_inactive));
  });
}

std::string CommitStatus(const std::string& state, const std::string& context) {
  return Json([&](Ar& ar) { ar(make_nvp("state", state), make_nvp("context", context)); });
}

// Creates a deployment and answers its id.
std::int64_t Create(Client& c, const Deploy& d) {
  const auto reply = c.Call("POST", kDeployments, d.Body());
  BOOST_TEST_REQUIRE(reply.status == 201, reply.body);
  return Parse(reply.body)["id"].GetInt64();
}

std::string StatusesOf(std::int64_t id) { return kDeployments + "/" + std::to_string(id) + "/statuses"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(FakeGitHostGitHubDeployments)

BOOST_AUTO_TEST_CASE(a_deployment_is_created_with_its_flags_and_found_by_sha_and_environment) {
  Host host;
  Client c{host};
  const auto created = c.Call("POST", "/api/v3" + kDeployments, Deploy().Env("prod-eu").Body());
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const auto doc = Parse(created.body);
  BOOST_TEST(Str(doc, "sha") == kSha);
  BOOST_TEST(Str(doc, "ref") == kSha);
  BOOST_TEST(Str(doc, "environment") == "prod-eu");
  BOOST_TEST(doc["production_environment"].GetBool() == false);  // the default only for "production"
  BOOST_TEST(doc["transient_environment"].GetBool() == false);
  BOOST_TEST(Str(doc, "statuses_url")
                 .ends_with("/api/v3/repos/o/r/deployments/" + std::to_string(doc["id"].GetInt64()) + "/statuses"));
  Create(c, Deploy().Env("prod-us"));
  Create(c, Deploy().Ref(kOtherSha).Env("prod-eu"));
  const auto production = Parse(c.Call("POST", kDeployments, Deploy().Body()).body);
  BOOST_TEST(Str(production, "environment") == "production");
  BOOST_TEST(production["production_environment"].GetBool() == true);

  const auto found = c.Call("GET", kDeployments + "?sha=" + kSha + "&environment=prod-eu");
  BOOST_TEST(found.status == 200);
  const auto list = Parse(found.body);
  BOOST_TEST_REQUIRE(list.Size() == 1u);
  BOOST_TEST(list[0]["id"].GetInt64() == doc["id"].GetInt64());
  BOOST_TEST(Parse(c.Call("GET", kDeployments + "?environment=nowhere").body).IsArray());
  BOOST_TEST(Parse(c.Call("GET", kDeployments + "?environment=nowhere").body).Size() == 0u);

  const auto page1 = c.Call("GET", kDeployments + "?sha=" + kSha + "&per_page=2");
  BOOST_TEST(Parse(page1.body).Size() == 2u);
  BOOST_TEST(Parse(page1.body)[0]["id"].GetInt64() > Parse(page1.body)[1]["id"].GetInt64());  // newest first
  BOOST_TEST_REQUIRE(page1.Header("link") != nullptr);
  BOOST_TEST(page1.Header("link")->find("sha=" + std::string(kSha)) != std::string::npos, *page1.Header("link"));
  BOOST_TEST(page1.Header("link")->find("page=2>; rel=\"next\"") != std::string::npos, *page1.Header("link"));
  BOOST_TEST(Parse(c.Call("GET", kDeployments + "?sha=" + kSha + "&per_page=2&page=2").body).Size() == 1u);

  const auto one = c.Call("GET", kDeployments + "/" + std::to_string(doc["id"].GetInt64()));
  BOOST_TEST(one.status == 200);
  BOOST_TEST(Str(Parse(one.body), "environment") == "prod-eu");
  BOOST_TEST(c.Call("GET", kDeployments + "/999999").status == 404);
  BOOST_TEST(Parse(one.body)["payload"].IsObject());  // {} when none was given
  BOOST_TEST(Parse(one.body)["payload"].ObjectEmpty());
  const auto with_payload = c.Call("POST", kDeployments,
                                   std::string(R"({"ref":")") + kOtherSha +
                                       R"(","auto_merge":false,"required_contexts":[],"payload":{"n":[1,true,null]}})");
  const auto payload = Parse(with_payload.body);
  BOOST_TEST_REQUIRE(payload["payload"]["n"].Size() == 3u);  // as sent
  BOOST_TEST(payload["payload"]["n"][0].GetInt() == 1);
  BOOST_TEST(payload["payload"]["n"][1].GetBool());
  BOOST_TEST(payload["payload"]["n"][2].IsNull());
  BOOST_TEST(host.GitHubDeployments("o/r").size() == 5u);
}

BOOST_AUTO_TEST_CASE(required_contexts_left_out_is_a_409_while_a_commit_status_is_not_success) {
  Host host;
  Client c{host};
  const std::string statuses = std::string("/repos/o/r/statuses/") + kSha;
  BOOST_TEST(c.Call("POST", statuses, CommitStatus("success", "ci/build")).status == 201);
  BOOST_TEST(c.Call("POST", statuses, CommitStatus("pending", "kustomization/app")).status == 201);

  const auto refused = c.Call("POST", kDeployments, Deploy().Required(std::nullopt).Body());
  BOOST_TEST(refused.status == 409);
  const auto doc = Parse(refused.body);
  BOOST_TEST(Str(doc, "message") == std::string("Conflict: Commit status checks failed for ") + kSha + ".");
  BOOST_TEST(Str(doc["errors"][0], "field") == "required_contexts");
  BOOST_TEST(Str(doc["errors"][0], "code") == "invalid");
  const auto& contexts = doc["errors"][0]["contexts"];
  BOOST_TEST_REQUIRE(contexts.Size() == 2u);
  BOOST_TEST(Str(contexts[1], "context") == "kustomization/app");
  BOOST_TEST(Str(contexts[1], "state") == "pending");
  BOOST_TEST(host.GitHubDeployments("o/r").empty());

  BOOST_TEST(c.Call("POST", kDeployments, Deploy().Body()).status == 201);  // [] bypasses the check
  BOOST_TEST(c.Call("POST", kDeployments, Deploy().Required(std::vector<std::string>{"ci/build"}).Body()).status ==
             201);
  BOOST_TEST(
      c.Call("POST", kDeployments, Deploy().Required(std::vector<std::string>{"kustomization/app"}).Body()).status ==
      409);
  BOOST_TEST(c.Call("POST", statuses, CommitStatus("success", "kustomization/app")).status == 201);
  BOOST_TEST(c.Call("POST", kDeployments, Deploy().Required(std::nullopt).Body()).status == 201);
  BOOST_TEST(host.GitHubDeployments("o/r").size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_deployment_needs_a_ref_and_auto_merge_left_on_is_a_409) {
  Host host;
  Client c{host};
  const auto no_ref = c.Call("POST", kDeployments, Deploy().Ref(std::nullopt).Body());
  BOOST_TEST(no_ref.status == 422);
  BOOST_TEST(Str(Parse(no_ref.body), "message") == "Invalid request.\n\n\"ref\" wasn't supplied.");
  BOOST_TEST(c.Call("POST", kDeployments, Deploy().Ref("main").Body()).status == 422);  // the fake has no branches
  const auto merge = c.Call("POST", kDeployments, Deploy().AutoMerge(std::nullopt).Body());
  BOOST_TEST(merge.status == 409);
  BOOST_TEST(Str(Parse(merge.body), "message") == std::string("Conflict merging main into ") + kSha + ".");
  const auto wrong_type = c.Call("POST", kDeployments, R"({"ref":"x","auto_merge":"no"})");
  BOOST_TEST(wrong_type.status == 422);
  BOOST_TEST(Str(Parse(wrong_type.body), "message").find("'properties/auto_merge', \"no\" is not a boolean") !=
             std::string::npos);
  BOOST_TEST(host.GitHubDeployments("o/r").empty());
}

BOOST_AUTO_TEST_CASE(a_status_is_appended_and_a_description_over_140_characters_is_a_422) {
  Host host;
  Client c{host};
  const auto id = Create(c, Deploy().Env("staging"));
  const auto long_text = c.Call("POST", StatusesOf(id), DeploymentStatus("in_progress", std::string(141, 'x')));
  BOOST_TEST(long_text.status == 422);
  BOOST_TEST(long_text.body.find("description is too long (maximum is 140 characters)") != std::string::npos);
  BOOST_TEST(c.Call("POST", StatusesOf(id), DeploymentStatus("done")).status == 422);
  BOOST_TEST(host.GitHubDeployments("o/r")[0].statuses.empty());

  const auto posted = c.Call("POST", StatusesOf(id), DeploymentStatus("in_progress", std::string(140, 'x')));
  BOOST_TEST_REQUIRE(posted.status == 201, posted.body);
  BOOST_TEST(posted.Header("location") != nullptr);
  const auto doc = Parse(posted.body);
  BOOST_TEST(Str(doc, "state") == "in_progress");
  BOOST_TEST(Str(doc, "environment") == "staging");
  BOOST_TEST(Str(doc, "log_url") == "https://ci/log");
  BOOST_TEST(Str(doc, "target_url") == "https://ci/log");  // log_url sets target_url too
  BOOST_TEST(Str(doc, "environment_url") == "https://app");
  BOOST_TEST(c.Call("POST", StatusesOf(id), DeploymentStatus("success")).status == 201);
  const auto list = Parse(c.Call("GET", StatusesOf(id)).body);
  BOOST_TEST_REQUIRE(list.Size() == 2u);
  BOOST_TEST(Str(list[0], "state") == "success");  // newest first
  const auto held = host.GitHubDeployments("o/r")[0].statuses;
  BOOST_TEST_REQUIRE(held.size() == 2u);
  BOOST_TEST(held[0].state == "in_progress");
  BOOST_TEST(held[1].state == "success");
  BOOST_TEST(c.Call("GET", StatusesOf(id) + "/" + std::to_string(held[1].id)).status == 200);
  BOOST_TEST(c.Call("POST", StatusesOf(999999), DeploymentStatus("success")).status == 404);
}

BOOST_AUTO_TEST_CASE(a_success_makes_prior_successful_deployments_of_its_environment_inactive) {
  Host host;
  Client c{host};
  const auto old = Create(c, Deploy().Env("cluster-a"));
  const auto other_environment = Create(c, Deploy().Env("cluster-b"));
  const auto production = Create(c, Deploy().Env("cluster-a").Production(true));
  const auto transient = Create(c, Deploy().Env("cluster-a").Transient(true));
  const auto failed = Create(c, Deploy().Env("cluster-a"));
  // old's success last: a success inactivates the prior ones, so production's would inactivate it.
  for (const auto id : {production, transient, other_environment, old}) {
    BOOST_TEST(c.Call("POST", StatusesOf(id), DeploymentStatus("success")).status == 201);
  }
  BOOST_TEST(c.Call("POST", StatusesOf(failed), DeploymentStatus("failure")).status == 201);
  const auto newest = Create(c, Deploy().Ref(kOtherSha).Env("cluster-a"));
  BOOST_TEST(c.Call("POST", StatusesOf(newest), DeploymentStatus("in_progress")).status == 201);
  BOOST_TEST(Str(Parse(c.Call("GET", StatusesOf(old)).body)[0], "state") == "success");  // not on in_progress

  BOOST_TEST(c.Call("POST", StatusesOf(newest), DeploymentStatus("success")).status == 201);
  const auto latest = [&](std::int64_t id) { return Str(Parse(c.Call("GET", StatusesOf(id)).body)[0], "state"); };
  BOOST_TEST(latest(old) == "inactive");
  BOOST_TEST(latest(other_environment) == "success");
  BOOST_TEST(latest(production) == "success");
  BOOST_TEST(latest(transient) == "success");
  BOOST_TEST(latest(failed) == "failure");
  BOOST_TEST(latest(newest) == "success");
  BOOST_TEST(host.GitHubDeployments("o/r")[0].statuses.size() == 2u);  // success, then inactive

  const auto later = Create(c, Deploy().Env("cluster-a"));
  BOOST_TEST(c.Call("POST", StatusesOf(later), DeploymentStatus("success", "d", false)).status == 201);
  BOOST_TEST(latest(newest) == "success");  // auto_inactive: false
}

BOOST_AUTO_TEST_CASE(credentials_and_injected_faults_apply_as_for_statuses) {
  Host host(Host::Options{"s3cret", "", 1});
  Client c{host};
  const auto refused = c.Call("POST", kDeployments, Deploy().Body());
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(Str(Parse(refused.body), "message") == "Bad credentials");
  BOOST_TEST(c.Call("GET", kDeployments).status == 401);

  c.headers = {{"Authorization", "Bearer s3cret"}};
  host.FailNext(1, 502);
  BOOST_TEST(c.Call("POST", kDeployments, Deploy().Body()).status == 502);
  BOOST_TEST(host.GitHubDeployments("o/r").empty());  // a fault is not applied
  const auto created = c.Call("POST", kDeployments, Deploy().Body());
  BOOST_TEST(created.status == 201);
  BOOST_TEST(created.Header("x-ratelimit-remaining") != nullptr);
  host.RateLimitNext(1, 3);
  BOOST_TEST(c.Call("POST", StatusesOf(host.GitHubDeployments("o/r")[0].id), DeploymentStatus("success")).status ==
             429);
  BOOST_TEST(host.GitHubDeployments("o/r")[0].statuses.empty());
}

BOOST_AUTO_TEST_SUITE_END()
