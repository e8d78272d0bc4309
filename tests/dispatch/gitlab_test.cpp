// GitLab's peculiarities: project path encoding, relative URL roots via api_base, the 409
// lock and the "Cannot transition status" refusal, and the name-filtered list.
#include <boost/test/unit_test.hpp>

#include "dispatch/gitlab.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

BOOST_AUTO_TEST_SUITE(GitLabProviderTests)

BOOST_AUTO_TEST_CASE(create_request_is_exact) {
  const GitLabProvider gl("r1", "https://gitlab.com/group/sub/proj.git");
  const HttpCall call = gl.BuildCreate(Desired(core::StatusState::kFailure, "health check failed",
                                               "kustomization/apps/0c9c2e41", "https://ci.example/2"),
                                       Credentials{"glpat-x", ""});
  BOOST_TEST(call.url == std::string("https://gitlab.com/api/v4/projects/group%2Fsub%2Fproj/statuses/") + kSha);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"PRIVATE-TOKEN", "glpat-x"}, {"Accept", "application/json"}, {"Content-Type", "application/json"}};
  BOOST_TEST((call.headers == headers));
  BOOST_TEST(call.body ==
             "{\"state\":\"failed\",\"name\":\"kustomization/apps/0c9c2e41\",\"target_url\":"
             "\"https://ci.example/2\",\"description\":\"health check failed\"}");
}

BOOST_AUTO_TEST_CASE(oauth2_username_switches_to_bearer) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const HttpCall call = gl.BuildCreate(Desired(core::StatusState::kSuccess), Credentials{"oauth-tok", "oauth2"});
  BOOST_TEST(CallHeader(call, "Authorization") == std::optional<std::string>("Bearer oauth-tok"));
  BOOST_TEST(!CallHeader(call, "PRIVATE-TOKEN").has_value());
}

BOOST_AUTO_TEST_CASE(overlong_target_url_is_left_out) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const auto body = ParseBody(
      gl.BuildCreate(Desired(core::StatusState::kSuccess, "d", "c", "https://x/" + std::string(250, 'a')), {}).body);
  BOOST_TEST(!body.HasMember("target_url"));
}

BOOST_AUTO_TEST_CASE(addresses_map_to_api_bases) {
  struct Row {
    const char* address;
    const char* api_base;
    const char* base;
    const char* id;
  };
  const Row rows[] = {
      {"https://gitlab.com/group/proj", "", "https://gitlab.com/api/v4", "group%2Fproj"},
      {"git@gitlab.com:group/sub/proj.git", "", "https://gitlab.com/api/v4", "group%2Fsub%2Fproj"},
      {"http://127.0.0.1:4011/group/my.proj", "", "http://127.0.0.1:4011/api/v4", "group%2Fmy.proj"},
      {"https://git.example.com/gitlab/group/proj", "https://git.example.com/gitlab/api/v4/",
       "https://git.example.com/gitlab/api/v4", "group%2Fproj"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.address) {
      const GitLabProvider gl("r1", row.address, row.api_base);
      BOOST_TEST(gl.Endpoint().api_base == row.base);
      BOOST_TEST(gl.Endpoint().repo_id == row.id);
    }
  }
  BOOST_CHECK_THROW(GitLabProvider("r1", "https://git.example.com/group/proj", "https://git.example.com/gitlab/api/v4"),
                    ProviderConfigError);
  BOOST_CHECK_THROW(GitLabProvider("r1", "https://gitlab.com/g/p", "https://gitlab.com/api"), ProviderConfigError);
}

BOOST_AUTO_TEST_CASE(lock_conflict_is_retryable) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const auto o =
      gl.InterpretCreate(Reply(409, {}, R"({"message":"Another update to this commit status is in progress"})"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kRetry);
  BOOST_TEST(!o.host_exhausted);
  BOOST_TEST(o.error == "Another update to this commit status is in progress");
}

BOOST_AUTO_TEST_CASE(transition_refusal_asks_for_reconciliation) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const auto o = gl.InterpretCreate(
      Reply(
          400, {},
          R"j({"message":"Cannot transition status via :enqueue from :pending (Reason(s): Status cannot transition via \"enqueue\")"})j"),
      kNow);
  BOOST_TEST(o.kind == OutcomeKind::kReconcile);
  const auto other = gl.InterpretCreate(Reply(400, {}, R"({"error":"state does not have a valid value"})"), kNow);
  BOOST_TEST(other.kind == OutcomeKind::kPermanent);
  BOOST_TEST(other.error == "state does not have a valid value");
  const auto nested = gl.InterpretCreate(Reply(400, {}, R"({"message":{"name":["is too long"]}})"), kNow);
  BOOST_TEST(nested.error == "name: is too long");
}

BOOST_AUTO_TEST_CASE(rate_limit_headers_are_read) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const auto o = gl.InterpretCreate(
      Reply(429, {{"ratelimit-remaining", "0"}, {"ratelimit-reset", std::to_string(kNow + 30)}}, "Retry later"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kRetry);
  BOOST_TEST(o.host_exhausted);
  BOOST_TEST(o.retry_after == std::optional(std::chrono::seconds(30)));
  BOOST_TEST(o.error == "HTTP 429: Retry later");
  // Some GitLab.com 429s carry no headers at all: retryable, the dispatcher backs off.
  const auto bare = gl.InterpretCreate(Reply(429), kNow);
  BOOST_TEST(bare.kind == OutcomeKind::kRetry);
  BOOST_TEST(!bare.retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(list_request_filters_by_name) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  BOOST_TEST(gl.BuildList(Key("kustomization/a b"), {}, 2).url ==
             std::string("https://gitlab.com/api/v4/projects/g%2Fp/repository/commits/") + kSha +
                 "/statuses?name=kustomization%2Fa%20b&all=true&order_by=id&sort=desc&per_page=100&page=2");
}

BOOST_AUTO_TEST_CASE(list_takes_the_highest_id) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const std::string desc = R"([{"id":9,"status":"success","name":"ctx","description":"new"},)"
                           R"({"id":7,"status":"running","name":"ctx","description":"old"}])";
  const auto page = gl.InterpretList(Reply(200, {{"x-next-page", "2"}}, desc), Key("ctx"), kNow);
  BOOST_TEST_REQUIRE(page.newest_for_context.has_value());
  BOOST_TEST(page.newest_for_context->state == core::StatusState::kSuccess);
  BOOST_TEST(page.newest_for_context->description == "new");
  const auto canceled =
      gl.InterpretList(Reply(200, {}, R"([{"id":1,"status":"canceled","name":"ctx"}])"), Key("ctx"), kNow);
  BOOST_TEST(canceled.newest_for_context->state == core::StatusState::kError);
}

BOOST_AUTO_TEST_CASE(ascending_page_with_more_pages_gives_no_answer_yet) {
  const GitLabProvider gl("r1", "https://gitlab.com/g/p");
  const std::string asc = R"([{"id":1,"status":"failed","name":"ctx"},{"id":2,"status":"success","name":"ctx"}])";
  const auto first = gl.InterpretList(Reply(200, {{"x-next-page", "2"}}, asc), Key("ctx"), kNow);
  BOOST_TEST(!first.newest_for_context.has_value());
  BOOST_TEST(first.more_pages);
  const auto last = gl.InterpretList(Reply(200, {{"x-next-page", ""}}, asc), Key("ctx"), kNow);
  BOOST_TEST_REQUIRE(last.newest_for_context.has_value());
  BOOST_TEST(last.newest_for_context->state == core::StatusState::kSuccess);
}

BOOST_AUTO_TEST_SUITE_END()
