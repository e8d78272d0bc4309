// GitLabDeployments: the exact find, create, state and environment requests, and how every
// answer is read (the newest matching deployment, the state machine's refusals, CI-made
// deployments, paging headers, rate limits, 5xx, garbage).
#include <boost/test/unit_test.hpp>

#include "dispatch/gitlab_deployments.h"
#include "tests/dispatch/deployment_test_support.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

namespace {

using State = core::DeploymentState;

const std::string kProject = "https://gitlab.com/api/v4/projects/group%2Fsub%2Fproj";

const std::vector<std::pair<std::string, std::string>> kReadHeaders = {{"PRIVATE-TOKEN", "glpat-x"},
                                                                       {"Accept", "application/json"}};

std::vector<std::pair<std::string, std::string>> WriteHeaders() {
  auto headers = kReadHeaders;
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

const GitLabDeployments& Gl() {
  static const GitLabDeployments gl("r1", "https://gitlab.com/group/sub/proj.git");
  return gl;
}

// A deployment as GitLab lists it, trimmed to what matters here.
std::string Listed(int id, const std::string& status, const std::string& sha = kSha,
                   const std::string& deployable = "null") {
  return R"({"id":)" + std::to_string(id) + R"(,"iid":1,"ref":"main","sha":")" + sha + R"(","status":")" + status +
         R"(","environment":{"id":9,"name":"prod-eu"},"deployable":)" + deployable + "}";
}

std::string Array(std::initializer_list<std::string> entries) {
  std::string out = "[";
  for (const auto& e : entries) out += (out.size() > 1 ? "," : "") + e;
  return out + "]";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(GitLabDeploymentsTests)

BOOST_AUTO_TEST_CASE(find_request_is_exact) {
  const HttpCall call = Gl().BuildFind(Deployment(State::kSuccess, "prod/eu"), {"glpat-x", ""}, 3);
  BOOST_TEST(call.method == "GET");
  BOOST_TEST(call.url == kProject + "/deployments?environment=prod%2Feu&order_by=id&sort=desc&per_page=100&page=3");
  BOOST_TEST((call.headers == kReadHeaders));
  BOOST_TEST(call.body.empty());
}

BOOST_AUTO_TEST_CASE(create_request_is_exact_and_starts_running) {
  DesiredDeployment d = Deployment(State::kSuccess);
  d.ref = "main";
  d.environment_url = "https://eu.example";
  const HttpCall call = Gl().BuildCreate(d, {"glpat-x", ""});
  BOOST_TEST(call.method == "POST");
  BOOST_TEST(call.url == kProject + "/deployments");
  BOOST_TEST((call.headers == WriteHeaders()));
  BOOST_TEST(call.body == std::string(R"({"environment":"prod-eu","sha":")") + kSha +
                              R"(","ref":"main","tag":false,"status":"running"})");
  d.ref.clear();
  BOOST_TEST(BodyString(ParseBody(Gl().BuildCreate(d, {}).body), "ref") == kSha);
}

BOOST_AUTO_TEST_CASE(state_requests_are_exact_puts) {
  // clang-format off
  const std::pair<State, std::string> rows[] = {
      {State::kInProgress, R"({"status":"running"})"},
      {State::kSuccess, R"({"status":"success"})"},
      {State::kFailure, R"({"status":"failed"})"},
  };
  // clang-format on
  for (const auto& [state, body] : rows) {
    BOOST_TEST_CONTEXT(core::ToString(state)) {
      const HttpCall call = Gl().BuildState("42", Deployment(state), {"glpat-x", ""});
      BOOST_TEST(call.method == "PUT");
      BOOST_TEST(call.url == kProject + "/deployments/42");
      BOOST_TEST((call.headers == WriteHeaders()));
      BOOST_TEST(call.body == body);
    }
  }
}

BOOST_AUTO_TEST_CASE(oauth2_tokens_and_relative_roots_are_handled_as_for_statuses) {
  const HttpCall call = Gl().BuildCreate(Deployment(), {"oauth-tok", "oauth2"});
  BOOST_TEST(CallHeader(call, "Authorization") == std::optional<std::string>("Bearer oauth-tok"));
  BOOST_TEST(!CallHeader(call, "PRIVATE-TOKEN").has_value());
  const GitLabDeployments rooted("r1", "https://h.example/gitlab/g/p", "https://h.example/gitlab/api/v4/");
  BOOST_TEST(rooted.Endpoint().api_base == "https://h.example/gitlab/api/v4");
  BOOST_TEST(rooted.BuildState("7", Deployment(), {}).url ==
             "https://h.example/gitlab/api/v4/projects/g%2Fp/deployments/7");
  BOOST_TEST(rooted.HostKey() == "h.example");
  BOOST_CHECK_THROW(GitLabDeployments("r1", "https://gitlab.com/"), ProviderConfigError);
}

BOOST_AUTO_TEST_CASE(find_replies_are_read) {
  struct Row {
    std::string name;
    State desired;
    HttpReply reply;
    OutcomeKind kind;
    std::string id;
    std::optional<State> state;
    bool more_pages;
  };
  const std::string other(40, 'b');
  const std::vector<std::pair<std::string, std::string>> next = {{"x-next-page", "2"}};
  // clang-format off
  const Row rows[] = {
      {"running, to succeed", State::kSuccess, Reply(200, {}, Array({Listed(10, "running")})), OutcomeKind::kSynced, "10", State::kInProgress, false},
      {"the newest match", State::kFailure, Reply(200, {}, Array({Listed(30, "running", other), Listed(20, "success"), Listed(10, "running")})), OutcomeKind::kSynced, "20", State::kSuccess, false},
      {"failed already", State::kFailure, Reply(200, {}, Array({Listed(20, "failed")})), OutcomeKind::kSynced, "20", State::kFailure, false},
      {"canceled, to fail", State::kFailure, Reply(200, {}, Array({Listed(20, "canceled")})), OutcomeKind::kSynced, "20", std::nullopt, false},
      {"finished, to run again", State::kInProgress, Reply(200, next, Array({Listed(20, "success"), Listed(10, "running")})), OutcomeKind::kSynced, "", std::nullopt, false},
      {"failed, to run again", State::kInProgress, Reply(200, {}, Array({Listed(20, "failed")})), OutcomeKind::kSynced, "", std::nullopt, false},
      {"created, to run", State::kInProgress, Reply(200, {}, Array({Listed(20, "created")})), OutcomeKind::kSynced, "20", std::nullopt, false},
      {"running, to run", State::kInProgress, Reply(200, {}, Array({Listed(20, "running")})), OutcomeKind::kSynced, "20", State::kInProgress, false},
      {"sha compared case-insensitively", State::kSuccess, Reply(200, {}, Array({Listed(5, "running", "2A6C97F6F5DC9166CC2E5D0D95415A386805CA07")})), OutcomeKind::kSynced, "5", State::kInProgress, false},
      {"a CI job's is skipped", State::kSuccess, Reply(200, {}, Array({Listed(20, "running", kSha, R"({"id":5})"), Listed(10, "running")})), OutcomeKind::kSynced, "10", State::kInProgress, false},
      {"an id as a string is skipped", State::kSuccess, Reply(200, {}, R"([{"id":"20","sha":")" + std::string(kSha) + R"(","status":"running"}])"), OutcomeKind::kSynced, "", std::nullopt, false},
      {"none here, X-Next-Page", State::kSuccess, Reply(200, next, Array({Listed(30, "success", other)})), OutcomeKind::kSynced, "", std::nullopt, true},
      {"none here, Link next", State::kSuccess, Reply(200, {{"link", R"(<https://gitlab.com/x?page=2>; rel="next")"}}, "[]"), OutcomeKind::kSynced, "", std::nullopt, true},
      {"none, last page", State::kSuccess, Reply(200, {{"x-next-page", ""}}, "[]"), OutcomeKind::kSynced, "", std::nullopt, false},
      {"garbage", State::kSuccess, Reply(200, {}, "<html>"), OutcomeKind::kPermanent, "", std::nullopt, false},
      {"400", State::kSuccess, Reply(400, {}, R"({"message":"400 Bad request - order_by is invalid"})"), OutcomeKind::kPermanent, "", std::nullopt, false},
      {"429", State::kSuccess, Reply(429, {{"retry-after", "60"}}, "{}"), OutcomeKind::kRetry, "", std::nullopt, false},
      {"500", State::kSuccess, Reply(500, {}, ""), OutcomeKind::kRetry, "", std::nullopt, false},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto found = Gl().InterpretFind(row.reply, Deployment(row.desired), kNow);
      BOOST_TEST(found.outcome.kind == row.kind);
      BOOST_TEST(found.id.value_or("") == row.id);
      BOOST_TEST((found.state == row.state));
      BOOST_TEST(found.more_pages == row.more_pages);
    }
  }
}

BOOST_AUTO_TEST_CASE(create_replies_are_read) {
  // clang-format off
  const CreateRow rows[] = {
      {"201", Reply(201, {}, Listed(42, "running")), OutcomeKind::kSynced, "42", ""},
      {"201 garbage", Reply(201, {}, "oops"), OutcomeKind::kReconcile, "", "GitLab answered 201 but named no deployment id"},
      {"400 unknown sha", Reply(400, {}, R"({"message":{"sha":["The commit does not exist"]}})"), OutcomeKind::kPermanent, "", "sha: The commit does not exist"},
      {"400 missing field", Reply(400, {}, R"({"error":"tag is missing"})"), OutcomeKind::kPermanent, "", "tag is missing"},
      {"403", Reply(403, {}, R"({"message":"403 Forbidden"})"), OutcomeKind::kPermanent, "", "403 Forbidden"},
      {"409", Reply(409, {}, R"({"message":"409 Conflict"})"), OutcomeKind::kPermanent, "", "409 Conflict"},
      {"422", Reply(422, {}, R"({"message":"422 Unprocessable Entity"})"), OutcomeKind::kPermanent, "", "422 Unprocessable Entity"},
      {"429", Reply(429, {{"ratelimit-remaining", "0"}, {"ratelimit-reset", std::to_string(kNow + 20)}}, ""), OutcomeKind::kRetry, "", "HTTP 429"},
      {"502", Reply(502, {}, "<html>Bad Gateway</html>"), OutcomeKind::kRetry, "", "HTTP 502: <html>Bad Gateway</html>"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto created = Gl().InterpretCreate(row.reply, kNow);
      BOOST_TEST(created.outcome.kind == row.kind);
      BOOST_TEST(created.id.value_or("") == row.id);
      BOOST_TEST(created.outcome.error == row.error);
    }
  }
  BOOST_TEST((Gl().InterpretCreate(rows[0].reply, kNow).state == std::optional(State::kInProgress)));
  BOOST_TEST(
      (Gl().InterpretCreate(Reply(201, {}, Listed(43, "success")), kNow).state == std::optional(State::kSuccess)));
  BOOST_TEST(!Gl().InterpretCreate(rows[1].reply, kNow).state.has_value());
  const auto limited = Gl().InterpretCreate(rows[7].reply, kNow).outcome;
  BOOST_TEST(limited.host_exhausted);
  BOOST_TEST(limited.retry_after == std::optional(std::chrono::seconds(20)));
}

BOOST_AUTO_TEST_CASE(state_replies_are_read_and_refused_transitions_reconcile) {
  // clang-format off
  const CreateRow rows[] = {
      {"200", Reply(200, {}, Listed(42, "success")), OutcomeKind::kSynced, "", ""},
      {"400 refused run", Reply(400, {}, R"({"message":{"status":["cannot transition via \"run\""]}})"), OutcomeKind::kReconcile, "", "status: cannot transition via \"run\""},
      {"400 refused succeed", Reply(400, {}, R"({"message":{"status":["cannot transition via \"succeed\""]}})"), OutcomeKind::kReconcile, "", "status: cannot transition via \"succeed\""},
      {"400 other", Reply(400, {}, R"({"error":"status does not have a valid value"})"), OutcomeKind::kPermanent, "", "status does not have a valid value"},
      {"403 made by CI", Reply(403, {}, R"({"message":"Deployments created using GitLab CI can not be updated using the API"})"), OutcomeKind::kPermanent, "", "Deployments created using GitLab CI can not be updated using the API"},
      {"404", Reply(404, {}, R"({"message":"404 Not found"})"), OutcomeKind::kPermanent, "", "404 Not found"},
      {"503", Reply(503, {{"retry-after", "5"}}, ""), OutcomeKind::kRetry, "", "HTTP 503"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const SendOutcome o = Gl().InterpretState(row.reply, kNow);
      BOOST_TEST(o.kind == row.kind);
      BOOST_TEST(o.error == row.error);
    }
  }
}

BOOST_AUTO_TEST_CASE(environment_requests_are_exact) {
  DesiredDeployment d = Deployment(State::kSuccess, "prod/eu");
  d.environment_url = "https://eu.example/app?x=1";
  const HttpCall find = Gl().BuildFindEnvironment(d, {"glpat-x", ""});
  BOOST_TEST(find.method == "GET");
  BOOST_TEST(find.url == kProject + "/environments?name=prod%2Feu");
  BOOST_TEST((find.headers == kReadHeaders));
  const HttpCall set = Gl().BuildSetExternalUrl("9", d, {"glpat-x", ""});
  BOOST_TEST(set.method == "PUT");
  BOOST_TEST(set.url == kProject + "/environments/9");
  BOOST_TEST((set.headers == WriteHeaders()));
  BOOST_TEST(set.body == R"({"external_url":"https://eu.example/app?x=1"})");
}

BOOST_AUTO_TEST_CASE(environment_replies_are_read) {
  struct Row {
    std::string name;
    HttpReply reply;
    OutcomeKind kind;
    std::string id, external_url;
  };
  // clang-format off
  const Row rows[] = {
      {"found with a link", Reply(200, {}, R"([{"id":9,"name":"prod-eu","external_url":"https://eu.example","tier":"production"}])"), OutcomeKind::kSynced, "9", "https://eu.example"},
      {"found without a link", Reply(200, {}, R"([{"id":9,"name":"prod-eu","external_url":null}])"), OutcomeKind::kSynced, "9", ""},
      {"only another name", Reply(200, {}, R"([{"id":8,"name":"prod-eu-2","external_url":null}])"), OutcomeKind::kSynced, "", ""},
      {"none yet", Reply(200, {}, "[]"), OutcomeKind::kSynced, "", ""},
      {"garbage", Reply(200, {}, "{"), OutcomeKind::kPermanent, "", ""},
      {"401", Reply(401, {}, R"({"message":"401 Unauthorized"})"), OutcomeKind::kPermanent, "", ""},
      {"500", Reply(500, {}, ""), OutcomeKind::kRetry, "", ""},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto found = Gl().InterpretFindEnvironment(row.reply, Deployment(), kNow);
      BOOST_TEST(found.outcome.kind == row.kind);
      BOOST_TEST(found.id.value_or("") == row.id);
      BOOST_TEST(found.external_url == row.external_url);
    }
  }
  BOOST_TEST(Gl().InterpretSetExternalUrl(Reply(200, {}, "{}"), kNow).kind == OutcomeKind::kSynced);
  const SendOutcome refused =
      Gl().InterpretSetExternalUrl(Reply(400, {}, R"({"message":{"external_url":["is too long"]}})"), kNow);
  BOOST_TEST(refused.kind == OutcomeKind::kPermanent);
  BOOST_TEST(refused.error == "external_url: is too long");
}

BOOST_AUTO_TEST_SUITE_END()
