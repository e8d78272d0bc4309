// GitHubDeployments: the exact find, create and status requests, and how every answer to them
// is read (ids, Link pagination, 202/409/422, rate limits, 5xx, garbage).
#include <boost/test/unit_test.hpp>

#include "dispatch/github_deployments.h"
#include "tests/dispatch/deployment_test_support.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

namespace {

const std::vector<std::pair<std::string, std::string>> kReadHeaders = {
    {"Authorization", "Bearer ghp_abc"},
    {"Accept", "application/vnd.github+json, application/json"},
    {"X-GitHub-Api-Version", "2022-11-28"}};

std::vector<std::pair<std::string, std::string>> WriteHeaders() {
  auto headers = kReadHeaders;
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

const GitHubDeployments& Gh() {
  static const GitHubDeployments gh("r1", "https://github.com/owner/repo");
  return gh;
}

// A deployment as GitHub lists it, trimmed to what matters here.
std::string Listed(const std::string& id, const std::string& sha = kSha, const std::string& environment = "prod-eu") {
  return R"({"id":)" + id + R"(,"sha":")" + sha + R"(","ref":")" + sha + R"(","environment":")" + environment +
         R"(","task":"deploy"})";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(GitHubDeploymentsTests)

BOOST_AUTO_TEST_CASE(find_request_is_exact) {
  const HttpCall call = Gh().BuildFind(Deployment(core::DeploymentState::kSuccess, "prod/eu"), {"ghp_abc", ""}, 2);
  BOOST_TEST(call.method == "GET");
  BOOST_TEST(call.url == std::string("https://api.github.com/repos/owner/repo/deployments?sha=") + kSha +
                             "&environment=prod%2Feu&per_page=100&page=2");
  BOOST_TEST((call.headers == kReadHeaders));
  BOOST_TEST(call.body.empty());
  BOOST_TEST(Gh().BuildFind(Deployment(), {}, 0).url.ends_with("&page=1"));
}

BOOST_AUTO_TEST_CASE(create_request_is_exact) {
  DesiredDeployment d = Deployment(core::DeploymentState::kInProgress);
  d.production = true;
  const HttpCall call = Gh().BuildCreate(d, {"ghp_abc", ""});
  BOOST_TEST(call.method == "POST");
  BOOST_TEST(call.url == "https://api.github.com/repos/owner/repo/deployments");
  BOOST_TEST((call.headers == WriteHeaders()));
  BOOST_TEST(call.body == std::string("{\"ref\":\"") + kSha +
                              "\",\"environment\":\"prod-eu\",\"auto_merge\":false,\"required_contexts\":[],"
                              "\"description\":\"2/2 contexts ready\",\"production_environment\":true,"
                              "\"transient_environment\":false}");
}

BOOST_AUTO_TEST_CASE(create_sends_the_sha_as_ref_and_the_transient_flag) {
  DesiredDeployment d = Deployment();
  d.ref = "main";
  d.transient = true;
  const auto body = ParseBody(Gh().BuildCreate(d, {}).body);
  BOOST_TEST(BodyString(body, "ref") == kSha);
  BOOST_TEST(body["transient_environment"].GetBool());
  BOOST_TEST(!body["production_environment"].GetBool());
}

BOOST_AUTO_TEST_CASE(status_requests_are_exact_for_each_state) {
  struct Row {
    core::DeploymentState state;
    std::string environment_url, log_url, body;
  };
  // clang-format off
  const Row rows[] = {
      {core::DeploymentState::kInProgress, "", "", R"({"state":"in_progress","description":"2/2 contexts ready"})"},
      {core::DeploymentState::kSuccess, "https://eu.example", "https://ci.example/1", R"({"state":"success","description":"2/2 contexts ready","log_url":"https://ci.example/1","environment_url":"https://eu.example"})"},
      {core::DeploymentState::kFailure, "", "https://ci.example/2", R"({"state":"failure","description":"2/2 contexts ready","log_url":"https://ci.example/2"})"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(core::ToString(row.state)) {
      DesiredDeployment d = Deployment(row.state);
      d.environment_url = row.environment_url;
      d.log_url = row.log_url;
      const HttpCall call = Gh().BuildState("42", d, {"ghp_abc", ""});
      BOOST_TEST(call.method == "POST");
      BOOST_TEST(call.url == "https://api.github.com/repos/owner/repo/deployments/42/statuses");
      BOOST_TEST((call.headers == WriteHeaders()));
      BOOST_TEST(call.body == row.body);
    }
  }
}

BOOST_AUTO_TEST_CASE(descriptions_are_capped_at_140_characters) {
  const std::string longer(141, 'x'), capped = std::string(139, 'x') + "\xE2\x80\xA6";
  const DesiredDeployment d = Deployment(core::DeploymentState::kFailure, "prod-eu", longer);
  BOOST_TEST(BodyString(ParseBody(Gh().BuildCreate(d, {}).body), "description") == capped);
  BOOST_TEST(BodyString(ParseBody(Gh().BuildState("1", d, {}).body), "description") == capped);
  const std::string exact(140, 'y');
  BOOST_TEST(
      BodyString(ParseBody(Gh().BuildState("1", Deployment(core::DeploymentState::kSuccess, "e", exact), {}).body),
                 "description") == exact);
}

BOOST_AUTO_TEST_CASE(addresses_resolve_as_for_commit_statuses) {
  const GitHubDeployments ghes("r1", "https://ghes.example.com:8443/owner/repo.git");
  BOOST_TEST(ghes.Endpoint().api_base == "https://ghes.example.com:8443/api/v3");
  BOOST_TEST(ghes.HostKey() == "ghes.example.com:8443");
  BOOST_TEST(ghes.BuildCreate(Deployment(), {}).url ==
             "https://ghes.example.com:8443/api/v3/repos/owner/repo/deployments");
  BOOST_TEST(Gh().HostKey() == "api.github.com");
  BOOST_CHECK_THROW(GitHubDeployments("r1", "https://github.com/owner"), ProviderConfigError);
}

BOOST_AUTO_TEST_CASE(find_replies_are_read) {
  const std::string next = R"(<https://api.github.com/repositories/1/deployments?page=2>; rel="next")";
  // clang-format off
  const FindRow rows[] = {
      {"one match", Reply(200, {}, "[" + Listed("17") + "]"), OutcomeKind::kSynced, "17", false},
      {"the highest id of several", Reply(200, {}, "[" + Listed("17") + "," + Listed("23") + "," + Listed("5") + "]"), OutcomeKind::kSynced, "23", false},
      {"sha compared case-insensitively", Reply(200, {}, "[" + Listed("8", "2A6C97F6F5DC9166CC2E5D0D95415A386805CA07", "Prod-EU") + "]"), OutcomeKind::kSynced, "8", false},
      {"an id past 2^53", Reply(200, {}, "[" + Listed("9007199254740993") + "]"), OutcomeKind::kSynced, "9007199254740993", false},
      {"another sha, more pages", Reply(200, {{"link", next}}, "[" + Listed("3", std::string(40, 'b')) + "]"), OutcomeKind::kSynced, "", true},
      {"another environment", Reply(200, {}, "[" + Listed("3", kSha, "prod-us") + "]"), OutcomeKind::kSynced, "", false},
      {"an id as a string", Reply(200, {}, R"([{"id":"17","sha":")" + std::string(kSha) + R"(","environment":"prod-eu"}])"), OutcomeKind::kSynced, "", false},
      {"a fractional id", Reply(200, {}, "[" + Listed("17.5") + "]"), OutcomeKind::kSynced, "", false},
      {"empty, last page", Reply(200, {}, "[]"), OutcomeKind::kSynced, "", false},
      {"garbage", Reply(200, {}, "<html>oops"), OutcomeKind::kPermanent, "", false},
      {"an object", Reply(200, {}, R"({"id":17})"), OutcomeKind::kPermanent, "", false},
      {"404", Reply(404, {}, R"({"message":"Not Found"})"), OutcomeKind::kPermanent, "", false},
      {"429", Reply(429, {{"retry-after", "30"}}, "{}"), OutcomeKind::kRetry, "", false},
      {"502", Reply(502, {}, "bad gateway"), OutcomeKind::kRetry, "", false},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto found = Gh().InterpretFind(row.reply, Deployment(), kNow);
      BOOST_TEST(found.outcome.kind == row.kind);
      BOOST_TEST(found.id.value_or("") == row.id);
      BOOST_TEST(found.more_pages == row.more_pages);
      BOOST_TEST(!found.state.has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(create_replies_are_read) {
  const std::string conflict =
      R"({"message":"Conflict: Commit status checks failed for feature/abc.","errors":[{"contexts":[{"context":"ci","state":"pending"}],"resource":"Deployment","field":"required_contexts","code":"invalid"}],"status":"409"})";
  // clang-format off
  const CreateRow rows[] = {
      {"201", Reply(201, {}, R"({"id":42,"sha":"a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d","environment":"production"})"), OutcomeKind::kSynced, "42", ""},
      {"201 with an id past 2^53", Reply(201, {}, R"({"id":9007199254740993})"), OutcomeKind::kSynced, "9007199254740993", ""},
      {"201 garbage", Reply(201, {}, "not json"), OutcomeKind::kReconcile, "", "GitHub answered 201 but named no deployment id"},
      {"201 with a string id", Reply(201, {}, R"({"id":"42"})"), OutcomeKind::kReconcile, "", "GitHub answered 201 but named no deployment id"},
      {"202 auto-merge", Reply(202, {}, R"({"message":"Auto-merged master into topic-branch on deployment."})"), OutcomeKind::kPermanent, "", "GitHub created no deployment: it answered 202 (an auto-merge of the default branch: Auto-merged master into topic-branch on deployment.), though fluxstatus sends auto_merge: false"},
      {"202 without a body", Reply(202), OutcomeKind::kPermanent, "", "GitHub created no deployment: it answered 202 (an auto-merge of the default branch), though fluxstatus sends auto_merge: false"},
      {"409 required contexts", Reply(409, {}, conflict), OutcomeKind::kPermanent, "", "Conflict: Commit status checks failed for feature/abc.: invalid (Deployment.required_contexts)"},
      {"409 merge conflict", Reply(409, {}, R"({"message":"Conflict merging main into 51d5509bf49f"})"), OutcomeKind::kPermanent, "", "Conflict merging main into 51d5509bf49f"},
      {"422", Reply(422, {}, R"({"message":"Validation Failed","errors":[{"resource":"Deployment","field":"ref","code":"invalid"}]})"), OutcomeKind::kPermanent, "", "Validation Failed: invalid (Deployment.ref)"},
      {"404", Reply(404, {}, R"({"message":"Not Found"})"), OutcomeKind::kPermanent, "", "Not Found"},
      {"503", Reply(503, {}, ""), OutcomeKind::kRetry, "", "HTTP 503"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto created = Gh().InterpretCreate(row.reply, kNow);
      BOOST_TEST(created.outcome.kind == row.kind);
      BOOST_TEST(created.id.value_or("") == row.id);
      BOOST_TEST(created.outcome.error == row.error);
      BOOST_TEST(created.outcome.http_status == row.reply.status);
      BOOST_TEST(!created.state.has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(rate_limits_pause_the_host_on_every_call) {
  const HttpReply primary =
      Reply(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(kNow + 300)}},
            R"({"message":"API rate limit exceeded for user ID 1."})");
  const HttpReply secondary =
      Reply(403, {{"x-ratelimit-remaining", "4000"}}, R"({"message":"You have exceeded a secondary rate limit."})");
  const std::pair<HttpReply, std::chrono::seconds> cases[] = {{primary, std::chrono::seconds(300)},
                                                              {secondary, std::chrono::seconds(60)}};
  for (const auto& [reply, wait] : cases) {
    for (const SendOutcome& o : {Gh().InterpretFind(reply, Deployment(), kNow).outcome,
                                 Gh().InterpretCreate(reply, kNow).outcome, Gh().InterpretState(reply, kNow)}) {
      BOOST_TEST(o.kind == OutcomeKind::kRetry);
      BOOST_TEST(o.host_exhausted);
      BOOST_TEST(o.retry_after == std::optional(wait));
    }
  }
}

BOOST_AUTO_TEST_CASE(status_replies_are_read) {
  // clang-format off
  const CreateRow rows[] = {
      {"201", Reply(201, {{"location", "https://api.github.com/repos/o/r/deployments/42/statuses/1"}}, R"({"id":1,"state":"success"})"), OutcomeKind::kSynced, "", ""},
      {"201 garbage", Reply(201, {}, "<html>"), OutcomeKind::kSynced, "", ""},
      {"422", Reply(422, {}, R"j({"message":"Validation Failed","errors":[{"message":"description is too long (maximum is 140 characters)"}]})j"), OutcomeKind::kPermanent, "", "Validation Failed: description is too long (maximum is 140 characters)"},
      {"404", Reply(404, {}, R"({"message":"Not Found"})"), OutcomeKind::kPermanent, "", "Not Found"},
      {"429", Reply(429, {{"retry-after", "7"}}, "{}"), OutcomeKind::kRetry, "", "HTTP 429"},
      {"500", Reply(500, {}, R"({"message":"Server Error"})"), OutcomeKind::kRetry, "", "Server Error"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const SendOutcome o = Gh().InterpretState(row.reply, kNow);
      BOOST_TEST(o.kind == row.kind);
      BOOST_TEST(o.error == row.error);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
