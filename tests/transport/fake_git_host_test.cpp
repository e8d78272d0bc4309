// The fake Git host's semantics (git-hosts.md A.1-A.6), its auth checks and fault injection,
// and an end-to-end pass of every real provider through CurlTransport against it.
#include "tests/support/fake_git_host.h"

#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "core/compact_json.h"
#include "dispatch/http_transport.h"
#include "dispatch/provider_factory.h"
#include "dispatch/request_encoding.h"
#include "tests/transport/fake_git_host_client.h"

namespace dispatch = fluxstatus::dispatch;
namespace core = fluxstatus::core;
using Host = fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::HostKind;

namespace {

using fluxstatus::testing::fake_client::kSha;

using Client = fluxstatus::testing::fake_client::Client;
using fluxstatus::testing::fake_client::Json;

std::string Status(const std::string& state, const std::string& context, const std::string& description = "d") {
  return Json([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", state), cereal::make_nvp("context", context),
       cereal::make_nvp("description", description));
  });
}

std::string BuildStatus(const std::string& key, const std::string& state, const std::string& url = "https://ci/1") {
  return Json([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("key", key), cereal::make_nvp("state", state), cereal::make_nvp("url", url),
       cereal::make_nvp("name", std::string("build ") + key));
  });
}

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError(), body);
  return doc;
}

std::string Str(const rapidjson::Value& v, const char* name) { return v[name].GetString(); }

std::string Message(const dispatch::HttpReply& reply) {
  const auto doc = Parse(reply.body);
  return doc.IsObject() && doc.HasMember("message") && doc["message"].IsString() ? Str(doc, "message") : "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(FakeGitHost)

BOOST_AUTO_TEST_CASE(github_appends_every_post_and_lists_newest_first_with_paging) {
  Host host;
  Client c{host};
  const std::string create = std::string("/repos/o/r/statuses/") + kSha;
  BOOST_TEST(c.Call("POST", create, Status("pending", "ci/a")).status == 201);
  BOOST_TEST(c.Call("POST", create, Status("success", "ci/a")).status == 201);
  const auto third = c.Call("POST", "/api/v3" + create, Status("success", "ci/a"));  // identical: appended too
  BOOST_TEST(third.status == 201);
  BOOST_TEST(third.Header("location") != nullptr);
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 3u);

  const std::string list = std::string("/repos/o/r/commits/") + kSha + "/statuses";
  const auto page1 = c.Call("GET", list + "?per_page=2");
  auto doc = Parse(page1.body);
  BOOST_TEST_REQUIRE(doc.IsArray());
  BOOST_TEST(doc.Size() == 2u);
  BOOST_TEST(doc[0]["id"].GetInt64() > doc[1]["id"].GetInt64());
  BOOST_TEST(Str(doc[1], "state") == "success");
  BOOST_TEST_REQUIRE(page1.Header("link") != nullptr);
  BOOST_TEST(page1.Header("link")->find("page=2>; rel=\"next\"") != std::string::npos, *page1.Header("link"));
  const auto page2 = c.Call("GET", list + "?per_page=2&page=2");
  doc = Parse(page2.body);
  BOOST_TEST(doc.Size() == 1u);
  BOOST_TEST(Str(doc[0], "state") == "pending");
  BOOST_TEST(page2.Header("link")->find("rel=\"next\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(github_validates_state_and_description_length) {
  Host host;
  Client c{host};
  const std::string create = std::string("/repos/o/r/statuses/") + kSha;
  const auto bad_state = c.Call("POST", create, Status("succeeded", "ci"));
  BOOST_TEST(bad_state.status == 422);
  const auto long_text = c.Call("POST", create, Status("success", "ci", std::string(141, 'x')));
  BOOST_TEST(long_text.status == 422);
  BOOST_TEST(long_text.body.find("description is too long (maximum is 140 characters)") != std::string::npos);
  BOOST_TEST(c.Call("POST", create, Status("success", "ci", std::string(140, 'x'))).status == 201);
}

BOOST_AUTO_TEST_CASE(gitlab_applies_its_transition_rules) {
  Host host;
  Client c{host};
  const std::string create = std::string("/api/v4/projects/group%2Fapp/statuses/") + kSha;
  const auto name = [](const std::string& state) {
    return Json([&](cereal::JSONOutputArchive& ar) {
      ar(cereal::make_nvp("state", state), cereal::make_nvp("name", std::string("flux")));
    });
  };
  const auto first = c.Call("POST", create, name("pending"));
  BOOST_TEST(first.status == 201);
  const auto again = c.Call("POST", create, name("pending"));
  BOOST_TEST(again.status == 400);
  BOOST_TEST(Message(again).starts_with("Cannot transition status via :enqueue from :pending"), again.body);
  BOOST_TEST(c.Call("POST", create, name("running")).status == 201);
  const auto running_twice = c.Call("POST", create, name("running"));
  BOOST_TEST(running_twice.status == 400);
  BOOST_TEST(Message(running_twice) ==
             "Cannot transition status via :run from :running (Reason(s): Status cannot transition via \"run\")");
  BOOST_TEST(c.Call("POST", create, name("success")).status == 201);
  auto held = host.Statuses(HostKind::kGitLab, "group/app", kSha);
  BOOST_TEST_REQUIRE(held.size() == 1u);  // pending -> running -> success, one job updated in place
  BOOST_TEST(held[0].state == "success");
  BOOST_TEST(held[0].name == "main");  // the ref

  BOOST_TEST(c.Call("POST", create, name("success")).status == 201);  // after a terminal state: a new job
  BOOST_TEST(host.Statuses(HostKind::kGitLab, "group/app", kSha).size() == 2u);
  const std::string list = std::string("/api/v4/projects/group%2Fapp/repository/commits/") + kSha + "/statuses";
  BOOST_TEST(Parse(c.Call("GET", list).body).Size() == 1u);  // latest only
  const auto all = c.Call("GET", list + "?name=flux&all=true&sort=desc&per_page=1");
  const auto doc = Parse(all.body);
  BOOST_TEST(doc.Size() == 1u);
  BOOST_TEST(Str(doc[0], "status") == "success");
  BOOST_TEST(*all.Header("x-total") == "2");
  BOOST_TEST(*all.Header("x-next-page") == "2");
}

BOOST_AUTO_TEST_CASE(gitlab_lock_conflict_can_be_injected) {
  Host host;
  Client c{host};
  host.FailNext(1, 409, {}, Json([](cereal::JSONOutputArchive& ar) {
                  ar(cereal::make_nvp("message", std::string("Another update to this commit status is in progress")));
                }));
  const std::string create = std::string("/api/v4/projects/7/statuses/") + kSha;
  const auto conflict = c.Call("POST", create, Status("success", "flux"));
  BOOST_TEST(conflict.status == 409);
  BOOST_TEST(host.Statuses(HostKind::kGitLab, "7", kSha).empty());  // a fault is not applied
  BOOST_TEST(c.Call("POST", create, Status("success", "flux")).status == 201);
  BOOST_TEST(host.Statuses(HostKind::kGitLab, "7", kSha)[0].context == "flux");  // "context" as the name
}

BOOST_AUTO_TEST_CASE(gitea_appends_and_lists_newest_first) {
  Host host;
  Client c{host};
  BOOST_TEST(c.Call("POST", std::string("/api/v1/repos/o/r/statuses/") + kSha, Status("pending", "ci")).status == 201);
  BOOST_TEST(c.Call("POST", std::string("/api/v1/repos/o/r/statuses/") + kSha, Status("warning", "ci")).status == 201);
  BOOST_TEST(c.Call("POST", std::string("/api/v1/repos/o/r/statuses/") + kSha, Status("bogus", "ci")).status == 400);
  const auto reply = c.Call("GET", std::string("/api/v1/repos/o/r/commits/") + kSha + "/statuses");
  const auto doc = Parse(reply.body);
  BOOST_TEST_REQUIRE(doc.Size() == 2u);
  BOOST_TEST(Str(doc[0], "status") == "warning");
  BOOST_TEST(*reply.Header("x-total-count") == "2");
}

BOOST_AUTO_TEST_CASE(bitbucket_cloud_upserts_by_key) {
  Host host;
  Client c{host};
  const std::string build = std::string("/2.0/repositories/ws/repo/commit/") + kSha + "/statuses/build";
  BOOST_TEST(c.Call("POST", build, BuildStatus("k1", "INPROGRESS")).status == 201);
  BOOST_TEST(c.Call("POST", build, BuildStatus("k1", "SUCCESSFUL")).status == 201);
  BOOST_TEST(c.Call("POST", build, BuildStatus("k2", "FAILED")).status == 201);
  const auto held = host.Statuses(HostKind::kBitbucket, "ws/repo", kSha);
  BOOST_TEST_REQUIRE(held.size() == 2u);
  BOOST_TEST(held[0].context == "k1");
  BOOST_TEST(held[0].state == "SUCCESSFUL");
  const auto one = c.Call("GET", build + "/k1");
  BOOST_TEST(one.status == 200);
  BOOST_TEST(Str(Parse(one.body), "state") == "SUCCESSFUL");
  BOOST_TEST(c.Call("GET", build + "/nope").status == 404);
  BOOST_TEST(c.Call("POST", build, BuildStatus("k3", "SUCCESSFUL", "")).status == 400);  // url is required
  const auto list = Parse(c.Call("GET", std::string("/2.0/repositories/ws/repo/commit/") + kSha + "/statuses").body);
  BOOST_TEST(list["size"].GetUint64() == 2u);
  BOOST_TEST(list["values"].Size() == 2u);
}

BOOST_AUTO_TEST_CASE(bitbucket_server_upserts_by_key_and_answers_204) {
  Host host;
  Client c{host};
  const std::string builds = std::string("/ctx/rest/api/latest/projects/PROJ/repos/app/commits/") + kSha + "/builds";
  const auto created = c.Call("POST", builds, BuildStatus("k", "INPROGRESS"));
  BOOST_TEST(created.status == 204);
  BOOST_TEST(created.body.empty());
  BOOST_TEST(c.Call("POST", builds, BuildStatus("k", "FAILED")).status == 204);
  BOOST_TEST(host.Statuses(HostKind::kBitbucketServer, "PROJ/app", kSha).size() == 1u);
  BOOST_TEST(Str(Parse(c.Call("GET", builds + "?key=k").body), "state") == "FAILED");
  BOOST_TEST(c.Call("GET", builds + "?key=other").status == 404);
  const auto blank = c.Call("POST", builds, BuildStatus("k2", "SUCCESSFUL", ""));
  BOOST_TEST(blank.status == 400);
  BOOST_TEST(blank.body.find("\"errors\"") != std::string::npos, blank.body);
}

BOOST_AUTO_TEST_CASE(azure_devops_answers_201_and_count_value_lists) {
  Host host;
  Client c{host};
  const std::string path = std::string("/org/proj/_apis/git/repositories/repo/commits/") + kSha + "/statuses";
  const auto body = [](const std::string& state) {
    return Json([&](cereal::JSONOutputArchive& ar) {
      ar(cereal::make_nvp("state", state));
      ar.setNextName("context");
      ar.startNode();
      ar(cereal::make_nvp("name", std::string("kustomization/app")), cereal::make_nvp("genre", std::string("fluxcd")));
      ar.finishNode();
    });
  };
  BOOST_TEST(c.Call("POST", path + "?api-version=7.1", body("pending")).status == 201);
  BOOST_TEST(c.Call("POST", path + "?api-version=7.1", body("succeeded")).status == 201);
  BOOST_TEST(c.Call("POST", path + "?api-version=7.1", body("success")).status == 400);
  BOOST_TEST(c.Call("POST", path, body("pending")).status == 400);  // api-version is mandatory
  auto doc = Parse(c.Call("GET", path + "?api-version=7.1").body);
  BOOST_TEST(doc["count"].GetUint64() == 2u);
  BOOST_TEST(Str(doc["value"][0], "state") == "succeeded");
  doc = Parse(c.Call("GET", path + "?api-version=7.1&latestOnly=true").body);
  BOOST_TEST(doc["count"].GetUint64() == 1u);
  BOOST_TEST(host.Statuses(HostKind::kAzureDevOps, "org/proj/repo", kSha).size() == 2u);
}

BOOST_AUTO_TEST_CASE(checks_credentials_in_each_hosts_forms) {
  Host host(Host::Options{"s3cret", "", 1});
  Client c{host};
  const auto gh = c.Call("POST", std::string("/repos/o/r/statuses/") + kSha, Status("success", "ci"));
  BOOST_TEST(gh.status == 401);
  BOOST_TEST(Message(gh) == "Bad credentials");
  c.headers = {{"Authorization", "token s3cret"}};
  BOOST_TEST(c.Call("POST", std::string("/repos/o/r/statuses/") + kSha, Status("success", "ci")).status == 201);
  c.headers = {{"PRIVATE-TOKEN", "s3cret"}};
  BOOST_TEST(c.Call("POST", std::string("/api/v4/projects/1/statuses/") + kSha, Status("success", "ci")).status == 201);
  c.headers = {{"Authorization", dispatch::BasicAuth("", "s3cret")}};
  BOOST_TEST(c.Call("GET", std::string("/o/p/_apis/git/repositories/r/commits/") + kSha + "/statuses?api-version=7.1")
                 .status == 200);
  c.headers = {{"Authorization", dispatch::BasicAuth("", "wrong")}};
  const auto ado =
      c.Call("GET", std::string("/o/p/_apis/git/repositories/r/commits/") + kSha + "/statuses?api-version=7.1");
  BOOST_TEST(ado.status == 401);
  BOOST_TEST(ado.Header("www-authenticate") != nullptr);
  c.headers = {{"Authorization", "Bearer wrong"}};
  BOOST_TEST(c.Call("GET", std::string("/2.0/repositories/w/r/commit/") + kSha + "/statuses").status == 401);
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 1u);
}

BOOST_AUTO_TEST_CASE(injects_errors_rate_limits_and_delays) {
  Host host;
  Client c{host};
  const std::string create = std::string("/repos/o/r/statuses/") + kSha;
  host.FailNext(2, 502);
  host.RateLimitNext(1, 7);
  host.GitHubRateLimitNext(1, 1'900'000'000);
  BOOST_TEST(c.Call("POST", create, Status("success", "ci")).status == 502);
  BOOST_TEST(c.Call("POST", create, Status("success", "ci")).status == 502);
  const auto limited = c.Call("POST", create, Status("success", "ci"));
  BOOST_TEST(limited.status == 429);
  BOOST_TEST(*limited.Header("retry-after") == "7");
  const auto exhausted = c.Call("POST", create, Status("success", "ci"));
  BOOST_TEST(exhausted.status == 403);
  BOOST_TEST(*exhausted.Header("x-ratelimit-remaining") == "0");
  BOOST_TEST(*exhausted.Header("x-ratelimit-reset") == "1900000000");
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).empty());
  BOOST_TEST(c.Call("POST", create, Status("success", "ci")).status == 201);
  BOOST_TEST(host.Requests().size() == 5u);

  host.SetDelay(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(c.Call("GET", std::string("/repos/o/r/commits/") + kSha + "/statuses").status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - start) >= std::chrono::milliseconds(300));
}

BOOST_AUTO_TEST_CASE(keeps_a_dropped_post_closes_its_connection_and_serves_again) {
  Host host;
  dispatch::CurlTransport transport{dispatch::TransportOptions{}};
  const std::string create = host.BaseUrl() + "/repos/o/r/statuses/" + kSha;
  host.DropConnectionAfterNextPosts(1);
  const auto dropped =
      transport.Send({"POST", create, {{"Content-Type", "application/json"}}, Status("success", "ci")});
  BOOST_TEST(!dropped.reply.has_value());
  BOOST_TEST(dropped.error.find("Empty reply") != std::string::npos, dropped.error);
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 1u);  // applied before the drop
  // The listener restarts: a connection attempt may be refused for a moment.
  dispatch::TransportResult next;
  for (int i = 0; i < 100 && !next.reply; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    next = transport.Send({"POST", create, {{"Content-Type", "application/json"}}, Status("failure", "ci")});
  }
  BOOST_TEST_REQUIRE(next.reply.has_value(), next.error);  // only the next n POSTs are dropped
  BOOST_TEST(next.reply->status == 201);
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

// Every provider, built from a route address the fake hands out, through the real transport:
// the create is delivered, the host holds it under the expected repository, and the list call
// finds the newest status for the context.
BOOST_AUTO_TEST_SUITE(FakeGitHostWithProviders)

namespace {
struct Case {
  HostKind kind;
  const char* provider;
  const char* repo;
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.provider; }
const Case kCases[] = {{HostKind::kGitHub, "github", "owner/repo"},
                       {HostKind::kGitLab, "gitlab", "group/sub/app"},
                       {HostKind::kGitea, "gitea", "owner/repo"},
                       {HostKind::kBitbucket, "bitbucket", "ws/repo"},
                       {HostKind::kBitbucketServer, "bitbucketserver", "PROJ/app"},
                       {HostKind::kAzureDevOps, "azuredevops", "org/proj/repo"}};
}  // namespace

BOOST_DATA_TEST_CASE(provider_create_then_list_round_trips, boost::unit_test::data::make(kCases), c) {
  Host host(Host::Options{"tok", "", 1});
  const auto provider = dispatch::MakeProvider({"r", c.provider, host.Address(c.kind, c.repo), ""});
  dispatch::CurlTransport transport(dispatch::TransportOptions{});
  const dispatch::Credentials creds{"tok", ""};
  dispatch::DesiredStatus status;
  status.key = core::StatusKey{"r", c.repo, kSha, "kustomization/app"};
  status.description = "reconciled";
  const std::int64_t now = 1'800'000'000;
  for (const auto state : {core::StatusState::kPending, core::StatusState::kFailure}) {
    status.state = state;
    const auto sent = transport.Send(provider->BuildCreate(status, creds));
    BOOST_TEST_REQUIRE(sent.reply.has_value(), sent.error);
    const auto outcome = provider->InterpretCreate(*sent.reply, now);
    BOOST_TEST((outcome.kind == dispatch::OutcomeKind::kSynced), sent.reply->status << " " << sent.reply->body);
  }
  BOOST_TEST(!host.Statuses(c.kind, c.repo, kSha).empty());

  const auto listed = transport.Send(provider->BuildList(status.key, creds, 1));
  BOOST_TEST_REQUIRE(listed.reply.has_value(), listed.error);
  const auto page = provider->InterpretList(*listed.reply, status.key, now);
  BOOST_TEST((page.outcome.kind == dispatch::OutcomeKind::kSynced), listed.reply->body);
  BOOST_TEST_REQUIRE(page.newest_for_context.has_value(), listed.reply->body);
  BOOST_TEST((page.newest_for_context->state == core::StatusState::kFailure));
  BOOST_TEST(page.newest_for_context->description == "reconciled");
}

BOOST_AUTO_TEST_SUITE_END()
