// GitHubCheckRuns: the exact find, create and update requests, and how every answer to them is
// read (the newest of our runs across pages, other external_ids, 403s that need a GitHub App,
// 404/422, rate limits, 5xx, garbage).
#include <boost/test/unit_test.hpp>

#include "dispatch/github_check_runs.h"
#include "dispatch/provider_factory.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

namespace {

const std::vector<std::pair<std::string, std::string>> kReadHeaders = {
    {"Authorization", "Bearer ghs_install"},
    {"Accept", "application/vnd.github+json, application/json"},
    {"X-GitHub-Api-Version", "2022-11-28"}};
const Credentials kCreds{"ghs_install", ""};

std::vector<std::pair<std::string, std::string>> WriteHeaders() {
  auto headers = kReadHeaders;
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

const GitHubCheckRuns& Gh() {
  static const GitHubCheckRuns gh("r1", "https://github.com/owner/repo", "4242");
  return gh;
}

DesiredCheckRun Run(bool completed = false, std::string conclusion = {}) {
  DesiredCheckRun d;
  d.commit_sha = kSha;
  d.name = "kustomization/apps";
  d.external_id = "fs-r1-0c9c2e41";
  d.phase = core::CheckRunPhase{completed, std::move(conclusion)};
  d.started_at = "2026-12-07T10:00:00Z";
  d.completed_at = completed ? "2026-12-07T10:05:00Z" : "";
  d.output = core::CheckRunOutput{"Health check failed", "**apps** in flux-system", "line 1\nline 2"};
  return d;
}

// A run as list-for-ref shows it, trimmed to what matters here.
std::string Listed(const std::string& id, const std::string& external_id = "fs-r1-0c9c2e41",
                   const std::string& status = "in_progress", const std::string& conclusion = "null") {
  return R"({"id":)" + id + R"(,"name":"kustomization/apps","head_sha":")" + kSha + R"(","external_id":")" +
         external_id + R"(","status":")" + status + R"(","conclusion":)" + conclusion +
         R"(,"output":{"title":"title of )" + id + R"(","summary":"s"}})";
}

std::string Page(const std::vector<std::string>& runs) {
  std::string joined;
  for (const auto& run : runs) joined += (joined.empty() ? "" : ",") + run;
  return R"({"total_count":)" + std::to_string(runs.size()) + R"(,"check_runs":[)" + joined + "]}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(GitHubCheckRunsTests)

BOOST_AUTO_TEST_CASE(find_request_is_exact) {
  DesiredCheckRun d = Run();
  d.name = "kustomization/apps prod&eu";
  const HttpCall call = Gh().BuildFind(d, kCreds, 3);
  BOOST_TEST(call.method == "GET");
  BOOST_TEST(call.url == std::string("https://api.github.com/repos/owner/repo/commits/") + kSha +
                             "/check-runs?check_name=kustomization%2Fapps%20prod%26eu&filter=all&app_id=4242"
                             "&per_page=100&page=3");
  BOOST_TEST((call.headers == kReadHeaders));
  BOOST_TEST(call.body.empty());
  BOOST_TEST(Gh().BuildFind(Run(), kCreds, 0).url.ends_with("&page=1"));
}

BOOST_AUTO_TEST_CASE(create_requests_are_exact) {
  struct Row {
    std::string name;
    DesiredCheckRun d;
    std::string body;
  };
  DesiredCheckRun linked = Run(true, "success");
  linked.details_url = "https://flux.example/apps";
  // clang-format off
  const Row rows[] = {
      {"in progress", Run(), std::string(R"({"name":"kustomization/apps","head_sha":")") + kSha + R"(","external_id":"fs-r1-0c9c2e41","started_at":"2026-12-07T10:00:00Z","status":"in_progress","output":{"title":"Health check failed","summary":"**apps** in flux-system","text":"line 1\nline 2"}})"},
      {"completed", Run(true, "failure"), std::string(R"({"name":"kustomization/apps","head_sha":")") + kSha + R"(","external_id":"fs-r1-0c9c2e41","started_at":"2026-12-07T10:00:00Z","status":"completed","conclusion":"failure","completed_at":"2026-12-07T10:05:00Z","output":{"title":"Health check failed","summary":"**apps** in flux-system","text":"line 1\nline 2"}})"},
      {"with a details_url", linked, std::string(R"({"name":"kustomization/apps","head_sha":")") + kSha + R"(","external_id":"fs-r1-0c9c2e41","started_at":"2026-12-07T10:00:00Z","status":"completed","conclusion":"success","completed_at":"2026-12-07T10:05:00Z","details_url":"https://flux.example/apps","output":{"title":"Health check failed","summary":"**apps** in flux-system","text":"line 1\nline 2"}})"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const HttpCall call = Gh().BuildCreate(row.d, kCreds);
      BOOST_TEST(call.method == "POST");
      BOOST_TEST(call.url == "https://api.github.com/repos/owner/repo/check-runs");
      BOOST_TEST((call.headers == WriteHeaders()));
      BOOST_TEST(call.body == row.body);
    }
  }
}

BOOST_AUTO_TEST_CASE(update_requests_are_exact_and_carry_no_head_sha) {
  struct Row {
    std::string name;
    DesiredCheckRun d;
    std::string body;
  };
  DesiredCheckRun linked = Run();
  linked.details_url = "https://flux.example/apps";
  // clang-format off
  const Row rows[] = {
      {"in progress", Run(), R"({"status":"in_progress","output":{"title":"Health check failed","summary":"**apps** in flux-system","text":"line 1\nline 2"}})"},
      {"with a details_url", linked, R"({"status":"in_progress","details_url":"https://flux.example/apps","output":{"title":"Health check failed","summary":"**apps** in flux-system","text":"line 1\nline 2"}})"},
      {"completed", Run(true, "success"), R"({"status":"completed","conclusion":"success","completed_at":"2026-12-07T10:05:00Z","output":{"title":"Health check failed","summary":"**apps** in flux-system","text":"line 1\nline 2"}})"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const HttpCall call = Gh().BuildUpdate("9007199254740993", row.d, kCreds);
      BOOST_TEST(call.method == "PATCH");
      BOOST_TEST(call.url == "https://api.github.com/repos/owner/repo/check-runs/9007199254740993");
      BOOST_TEST((call.headers == WriteHeaders()));
      BOOST_TEST(call.body == row.body);
    }
  }
}

BOOST_AUTO_TEST_CASE(output_is_kept_within_github_limits_as_valid_utf8) {
  DesiredCheckRun d = Run();
  d.output.title = std::string(300, 't');
  d.output.summary = std::string(70000, 's');
  d.output.text = "bad \xFF byte";
  for (const HttpCall& call : {Gh().BuildCreate(d, kCreds), Gh().BuildUpdate("1", d, kCreds)}) {
    const auto body = ParseBody(call.body);
    BOOST_TEST_REQUIRE(body.IsObject());
    BOOST_TEST(CodePoints(BodyString(body, "output.title")) == core::kCheckRunTitleLimit);
    BOOST_TEST(CodePoints(BodyString(body, "output.summary")) == core::kCheckRunTextLimit);
    BOOST_TEST(BodyString(body, "output.text") == "bad \xEF\xBF\xBD byte");
  }
}

BOOST_AUTO_TEST_CASE(addresses_resolve_as_for_commit_statuses) {
  const GitHubCheckRuns ghes("r1", "https://ghes.example.com:8443/owner/repo.git", "7");
  BOOST_TEST(ghes.Endpoint().api_base == "https://ghes.example.com:8443/api/v3");
  BOOST_TEST(ghes.HostKey() == "ghes.example.com:8443");
  BOOST_TEST(ghes.BuildCreate(Run(), kCreds).url == "https://ghes.example.com:8443/api/v3/repos/owner/repo/check-runs");
  BOOST_TEST(Gh().HostKey() == "api.github.com");
  BOOST_CHECK_THROW(GitHubCheckRuns("r1", "https://github.com/owner", "7"), ProviderConfigError);
}

BOOST_AUTO_TEST_CASE(the_factory_builds_check_runs_for_github_only) {
  const auto gh = MakeCheckRunProvider({"r", "github", "https://github.com/o/r", ""}, "12");
  BOOST_TEST_REQUIRE(dynamic_cast<const GitHubCheckRuns*>(gh.get()) != nullptr);
  BOOST_TEST(gh->BuildFind(Run(), kCreds, 1).url.find("&app_id=12&") != std::string::npos);
  for (const char* kind : {"gitlab", "gitea", "bitbucket", "bitbucketserver", "azuredevops"}) {
    BOOST_TEST(MakeCheckRunProvider({"r", kind, "https://x.example/o/r", ""}, "12") == nullptr, kind);
  }
  struct Row {
    const char* kind;
    const char* api_base;
    const char* app_id;
    const char* fragment;
  };
  const Row rows[] = {
      {"gihtub", "", "12", "unknown provider 'gihtub'"},
      {"github", "https://x/api/v3", "12", "does not take api_base"},
      {"github", "", "", "only a GitHub App can create check runs"},
      {"github", "", "12a", "github_app_id '12a' is not a number"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.fragment) {
      try {
        MakeCheckRunProvider({"my-route", row.kind, "https://github.com/o/r", row.api_base}, row.app_id);
        BOOST_ERROR("no ProviderConfigError");
      } catch (const ProviderConfigError& e) {
        const std::string message = e.what();
        BOOST_TEST(message.starts_with("route 'my-route': "), message);
        BOOST_TEST(message.find(row.fragment) != std::string::npos, message);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(find_replies_are_read) {
  const std::string next = R"(<https://api.github.com/repositories/1/commits/x/check-runs?page=2>; rel="next")";
  const std::string last = R"(<https://api.github.com/repositories/1/commits/x/check-runs?page=1>; rel="prev")";
  std::vector<std::string> full;
  for (int i = 1; i <= 100; ++i) full.push_back(Listed(std::to_string(i), "someone-else"));
  struct Row {
    std::string name;
    HttpReply reply;
    OutcomeKind kind;
    std::string id;
    bool completed;
    std::string conclusion, title;
    bool more_pages;
  };
  // clang-format off
  const Row rows[] = {
      {"one in progress", Reply(200, {}, Page({Listed("17")})), OutcomeKind::kSynced, "17", false, "", "title of 17", false},
      {"the newest by id, not by order", Reply(200, {}, Page({Listed("23", "fs-r1-0c9c2e41", "completed", R"("failure")"), Listed("5"), Listed("31", "fs-r1-0c9c2e41", "completed", R"("success")"), Listed("8")})), OutcomeKind::kSynced, "31", true, "success", "title of 31", false},
      {"other external_ids ignored", Reply(200, {}, Page({Listed("40", "fs-r2-0c9c2e41"), Listed("12"), Listed("41", "")})), OutcomeKind::kSynced, "12", false, "", "title of 12", false},
      {"none of ours", Reply(200, {}, Page({Listed("40", "other")})), OutcomeKind::kSynced, "", false, "", "", false},
      {"a match and a next page", Reply(200, {{"link", next}}, Page({Listed("17")})), OutcomeKind::kSynced, "17", false, "", "title of 17", true},
      {"the last page by Link", Reply(200, {{"link", last}}, Page(full)), OutcomeKind::kSynced, "", false, "", "", false},
      {"a full page without Link", Reply(200, {}, Page(full)), OutcomeKind::kSynced, "", false, "", "", true},
      {"an id past 2^53", Reply(200, {}, Page({Listed("9007199254740993")})), OutcomeKind::kSynced, "9007199254740993", false, "", "title of 9007199254740993", false},
      {"an id as a string", Reply(200, {}, Page({R"({"id":"17","external_id":"fs-r1-0c9c2e41"})"})), OutcomeKind::kSynced, "", false, "", "", false},
      {"a run without output", Reply(200, {}, Page({R"({"id":3,"external_id":"fs-r1-0c9c2e41","status":"queued"})"})), OutcomeKind::kSynced, "3", false, "", "", false},
      {"empty", Reply(200, {}, R"({"total_count":0,"check_runs":[]})"), OutcomeKind::kSynced, "", false, "", "", false},
      {"an array", Reply(200, {}, "[]"), OutcomeKind::kPermanent, "", false, "", "", false},
      {"check_runs not an array", Reply(200, {}, R"({"check_runs":{}})"), OutcomeKind::kPermanent, "", false, "", "", false},
      {"garbage", Reply(200, {}, "<html>oops"), OutcomeKind::kPermanent, "", false, "", "", false},
      {"404", Reply(404, {}, R"({"message":"Not Found"})"), OutcomeKind::kPermanent, "", false, "", "", false},
      {"429", Reply(429, {{"retry-after", "30"}}, "{}"), OutcomeKind::kRetry, "", false, "", "", false},
      {"502", Reply(502, {}, "bad gateway"), OutcomeKind::kRetry, "", false, "", "", false},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto found = Gh().InterpretFind(row.reply, Run(), kNow);
      BOOST_TEST(found.outcome.kind == row.kind);
      BOOST_TEST(found.id.value_or("") == row.id);
      BOOST_TEST(found.phase.completed == row.completed);
      BOOST_TEST(found.phase.conclusion == row.conclusion);
      BOOST_TEST(found.title == row.title);
      BOOST_TEST(found.more_pages == row.more_pages);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_newest_across_pages_compares_by_number) {
  const auto first = Gh().InterpretFind(Reply(200, {}, Page({Listed("999")})), Run(), kNow);
  const auto second = Gh().InterpretFind(Reply(200, {}, Page({Listed("1000")})), Run(), kNow);
  BOOST_TEST(first.id_number == 999);
  BOOST_TEST(second.id_number == 1000);
  BOOST_TEST(second.id_number > first.id_number);  // as text, "1000" < "999"
}

// GitHub's 403 texts (deployments-and-checks.md 2.2), and what the error must name.
const char* const kNoApp = R"({"message":"You must authenticate via a GitHub App.","documentation_url":"x"})";
const char* const kOtherApp =
    R"({"message":"Invalid app_id 15368 - check run can only be modified by the GitHub App that created it."})";
const char* const kFineGrained = R"({"message":"Resource not accessible by personal access token"})";
const char* const kNoPermission = R"({"message":"Resource not accessible by integration"})";

struct ReplyRow {
  std::string name;
  HttpReply reply;
  OutcomeKind kind;
  std::string id;
  std::string error_fragment;  // "" : no error
};

BOOST_AUTO_TEST_CASE(create_replies_are_read) {
  // clang-format off
  const ReplyRow rows[] = {
      {"201", Reply(201, {}, R"({"id":4,"head_sha":"ce58","status":"in_progress","conclusion":null})"), OutcomeKind::kSynced, "4", ""},
      {"201 with an id past 2^53", Reply(201, {}, R"({"id":9007199254740993})"), OutcomeKind::kSynced, "9007199254740993", ""},
      {"201 garbage", Reply(201, {}, "not json"), OutcomeKind::kReconcile, "", "GitHub answered 201 but named no check run id"},
      {"200 with a string id", Reply(200, {}, R"({"id":"4"})"), OutcomeKind::kReconcile, "", "GitHub answered 200 but named no check run id"},
      {"403 a token, not an App", Reply(403, {}, kNoApp), OutcomeKind::kPermanent, "", "You must authenticate via a GitHub App. (only a GitHub App installation token can write check runs: authenticate the route as a GitHub App with the Checks: write permission)"},
      {"403 a fine-grained token", Reply(403, {}, kFineGrained), OutcomeKind::kPermanent, "", "Checks: write"},
      {"403 an App without Checks: write", Reply(403, {}, kNoPermission), OutcomeKind::kPermanent, "", "grant the GitHub App the Checks: write permission"},
      {"403 other", Reply(403, {}, R"({"message":"Forbidden"})"), OutcomeKind::kPermanent, "", "Forbidden"},
      {"422 missing conclusion", Reply(422, {}, R"({"message":"Invalid request.","errors":[{"resource":"CheckRun","field":"conclusion","code":"missing_field"}]})"), OutcomeKind::kPermanent, "", "Invalid request.: missing_field (CheckRun.conclusion)"},
      {"404", Reply(404, {}, R"({"message":"Not Found"})"), OutcomeKind::kPermanent, "", "Not Found"},
      {"429", Reply(429, {{"retry-after", "7"}}, "{}"), OutcomeKind::kRetry, "", "HTTP 429"},
      {"500", Reply(500, {}, R"({"message":"Server Error"})"), OutcomeKind::kRetry, "", "Server Error"},
      {"503 empty", Reply(503, {}, ""), OutcomeKind::kRetry, "", "HTTP 503"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const auto created = Gh().InterpretCreate(row.reply, kNow);
      BOOST_TEST(created.outcome.kind == row.kind);
      BOOST_TEST(created.id.value_or("") == row.id);
      BOOST_TEST(created.outcome.http_status == row.reply.status);
      if (row.error_fragment.empty()) BOOST_TEST(created.outcome.error.empty());
      BOOST_TEST(created.outcome.error.find(row.error_fragment) != std::string::npos, created.outcome.error);
    }
  }
}

BOOST_AUTO_TEST_CASE(update_replies_are_read) {
  // clang-format off
  const ReplyRow rows[] = {
      {"200", Reply(200, {}, R"({"id":4,"status":"completed","conclusion":"success"})"), OutcomeKind::kSynced, "", ""},
      {"200 garbage", Reply(200, {}, "<html>"), OutcomeKind::kSynced, "", ""},
      {"403 another App's run", Reply(403, {}, kOtherApp), OutcomeKind::kPermanent, "", "Invalid app_id 15368 - check run can only be modified by the GitHub App that created it. (the check run was made by another GitHub App, and only its creator may change it)"},
      {"403 a token, not an App", Reply(403, {}, kNoApp), OutcomeKind::kPermanent, "", "Checks: write"},
      {"404 a forgotten run", Reply(404, {}, R"({"message":"Not Found"})"), OutcomeKind::kPermanent, "", "Not Found"},
      {"422", Reply(422, {}, R"({"message":"Validation Failed"})"), OutcomeKind::kPermanent, "", "Validation Failed"},
      {"429", Reply(429, {{"retry-after", "7"}}, "{}"), OutcomeKind::kRetry, "", "HTTP 429"},
      {"502", Reply(502, {}, "bad gateway"), OutcomeKind::kRetry, "", "HTTP 502"},
  };
  // clang-format on
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      const SendOutcome o = Gh().InterpretUpdate(row.reply, kNow);
      BOOST_TEST(o.kind == row.kind);
      BOOST_TEST(o.http_status == row.reply.status);
      if (row.error_fragment.empty()) BOOST_TEST(o.error.empty());
      BOOST_TEST(o.error.find(row.error_fragment) != std::string::npos, o.error);
    }
  }
}

BOOST_AUTO_TEST_CASE(rate_limits_pause_the_host_on_every_call) {
  const HttpReply primary =
      Reply(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(kNow + 300)}},
            R"({"message":"API rate limit exceeded for installation ID 1."})");
  const HttpReply secondary =
      Reply(403, {{"x-ratelimit-remaining", "4000"}}, R"({"message":"You have exceeded a secondary rate limit."})");
  const HttpReply retry_after = Reply(429, {{"retry-after", "45"}}, R"({"message":"secondary rate limit"})");
  const std::pair<HttpReply, std::chrono::seconds> cases[] = {{primary, std::chrono::seconds(300)},
                                                              {secondary, std::chrono::seconds(60)},
                                                              {retry_after, std::chrono::seconds(45)}};
  for (const auto& [reply, wait] : cases) {
    for (const SendOutcome& o : {Gh().InterpretFind(reply, Run(), kNow).outcome,
                                 Gh().InterpretCreate(reply, kNow).outcome, Gh().InterpretUpdate(reply, kNow)}) {
      BOOST_TEST(o.kind == OutcomeKind::kRetry);
      BOOST_TEST(o.host_exhausted);
      BOOST_TEST(o.retry_after == std::optional(wait));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
