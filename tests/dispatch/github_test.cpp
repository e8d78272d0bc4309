// GitHub's peculiarities: exact request bytes, address forms (github.com, GHE.com, GHES),
// primary and secondary rate limits, and the newest-first list with Link pagination.
#include <boost/test/unit_test.hpp>

#include "dispatch/github.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

BOOST_AUTO_TEST_SUITE(GitHubProviderTests)

BOOST_AUTO_TEST_CASE(create_request_is_exact) {
  const GitHubProvider gh("r1", "https://github.com/owner/repo");
  const HttpCall call = gh.BuildCreate(Desired(core::StatusState::kSuccess, "reconciliation succeeded",
                                               "kustomization/apps/0c9c2e41", "https://ci.example/1"),
                                       Credentials{"ghp_abc", ""});
  BOOST_TEST(call.method == "POST");
  BOOST_TEST(call.url == std::string("https://api.github.com/repos/owner/repo/statuses/") + kSha);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer ghp_abc"},
      {"Accept", "application/vnd.github+json, application/json"},
      {"X-GitHub-Api-Version", "2022-11-28"},
      {"Content-Type", "application/json"}};
  BOOST_TEST((call.headers == headers));
  BOOST_TEST(call.body ==
             "{\"state\":\"success\",\"target_url\":\"https://ci.example/1\",\"description\":"
             "\"reconciliation succeeded\",\"context\":\"kustomization/apps/0c9c2e41\"}");
}

BOOST_AUTO_TEST_CASE(target_url_is_left_out_when_empty) {
  const GitHubProvider gh("r1", "https://github.com/owner/repo");
  const auto body = ParseBody(gh.BuildCreate(Desired(core::StatusState::kPending), {"t", ""}).body);
  BOOST_TEST(!body.HasMember("target_url"));
}

BOOST_AUTO_TEST_CASE(description_of_exactly_140_characters_is_kept) {
  const GitHubProvider gh("r1", "https://github.com/owner/repo");
  const std::string exact(140, 'x');
  BOOST_TEST(BodyString(ParseBody(gh.BuildCreate(Desired(core::StatusState::kSuccess, exact), {}).body),
                        "description") == exact);
  const std::string longer(141, 'x');
  BOOST_TEST(BodyString(ParseBody(gh.BuildCreate(Desired(core::StatusState::kSuccess, longer), {}).body),
                        "description") == std::string(139, 'x') + "\xE2\x80\xA6");
}

BOOST_AUTO_TEST_CASE(addresses_map_to_api_bases) {
  struct Row {
    const char* address;
    const char* base;
    const char* host_key;
  };
  const Row rows[] = {
      {"https://github.com/owner/repo", "https://api.github.com", "api.github.com"},
      {"https://GitHub.com/owner/repo.git", "https://api.github.com", "api.github.com"},
      {"git@github.com:owner/repo.git", "https://api.github.com", "api.github.com"},
      {"ssh://git@github.com/owner/repo", "https://api.github.com", "api.github.com"},
      {"https://www.github.com/owner/repo/", "https://api.github.com", "api.github.com"},
      {"https://octo.ghe.com/owner/repo", "https://api.octo.ghe.com", "api.octo.ghe.com"},
      {"https://ghes.example.com/owner/repo", "https://ghes.example.com/api/v3", "ghes.example.com"},
      {"https://ghes.example.com:8443/owner/repo", "https://ghes.example.com:8443/api/v3", "ghes.example.com:8443"},
      {"http://127.0.0.1:4010/owner/repo", "http://127.0.0.1:4010/api/v3", "127.0.0.1:4010"},
      {"https://api.octo.ghe.com/owner/repo", "https://api.octo.ghe.com", "api.octo.ghe.com"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.address) {
      const GitHubProvider gh("r1", row.address);
      BOOST_TEST(gh.Endpoint().api_base == row.base);
      BOOST_TEST(gh.Endpoint().repo_id == "owner/repo");
      BOOST_TEST(gh.HostKey() == row.host_key);
    }
  }
}

BOOST_AUTO_TEST_CASE(primary_rate_limit_pauses_the_host_until_reset) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const auto o = gh.InterpretCreate(
      Reply(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(kNow + 300)}},
            R"({"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com"})"),
      kNow);
  BOOST_TEST(o.kind == OutcomeKind::kRetry);
  BOOST_TEST(o.host_exhausted);
  BOOST_TEST(o.retry_after == std::optional(std::chrono::seconds(300)));
  BOOST_TEST(o.rate.remaining == std::optional<std::int64_t>(0));
  BOOST_TEST(o.rate.reset_epoch_s == std::optional<std::int64_t>(kNow + 300));
  BOOST_TEST(o.error == "API rate limit exceeded for user ID 1.");
}

BOOST_AUTO_TEST_CASE(secondary_rate_limit_is_retryable_with_retry_after_or_a_minute) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const std::string body =
      R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})";
  const auto with_header = gh.InterpretCreate(Reply(403, {{"retry-after", "42"}}, body), kNow);
  BOOST_TEST(with_header.kind == OutcomeKind::kRetry);
  BOOST_TEST(with_header.host_exhausted);
  BOOST_TEST(with_header.retry_after == std::optional(std::chrono::seconds(42)));
  const auto bare = gh.InterpretCreate(Reply(403, {{"x-ratelimit-remaining", "4000"}}, body), kNow);
  BOOST_TEST(bare.kind == OutcomeKind::kRetry);
  BOOST_TEST(bare.retry_after == std::optional(std::chrono::seconds(60)));
}

BOOST_AUTO_TEST_CASE(plain_403_is_permanent) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const auto o = gh.InterpretCreate(
      Reply(403, {{"x-ratelimit-remaining", "4999"}}, R"({"message":"Resource not accessible by integration"})"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kPermanent);
  BOOST_TEST(!o.host_exhausted);
  BOOST_TEST(o.error == "Resource not accessible by integration");
}

BOOST_AUTO_TEST_CASE(delivered_with_an_empty_budget_still_pauses_the_host) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const auto o = gh.InterpretCreate(
      Reply(201, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(kNow + 10)}}, "{}"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kSynced);
  BOOST_TEST(o.host_exhausted);
  BOOST_TEST(o.retry_after == std::optional(std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_CASE(validation_errors_join_message_and_details) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const auto o = gh.InterpretCreate(
      Reply(
          422, {},
          R"j({"message":"Validation Failed","errors":[{"resource":"Status","code":"custom","field":"description",)j"
          R"j("message":"description is too long (maximum is 140 characters)"},{"resource":"Status","code":"invalid","field":"state"}]})j"),
      kNow);
  BOOST_TEST(o.kind == OutcomeKind::kPermanent);
  BOOST_TEST(o.error ==
             "Validation Failed: description is too long (maximum is 140 characters); invalid (Status.state)");
}

BOOST_AUTO_TEST_CASE(list_request_pages_by_100) {
  const GitHubProvider gh("r1", "https://ghes.example.com/owner/repo");
  const HttpCall call = gh.BuildList(Key(), {"t", ""}, 3);
  BOOST_TEST(call.url == std::string("https://ghes.example.com/api/v3/repos/owner/repo/commits/") + kSha +
                             "/statuses?per_page=100&page=3");
  BOOST_TEST(!CallHeader(call, "Content-Type").has_value());
}

BOOST_AUTO_TEST_CASE(list_takes_the_first_matching_context_newest_first) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const std::string body = R"([{"id":3,"state":"failure","description":"other","context":"ci/other"},)"
                           R"({"id":2,"state":"success","description":"new","context":"Kustomization/Apps/0c9c2e41"},)"
                           R"({"id":1,"state":"pending","description":"old","context":"kustomization/apps/0c9c2e41"}])";
  const auto page = gh.InterpretList(Reply(200, {{"link", "<https://x?page=2>; rel=\"next\""}}, body), Key(), kNow);
  BOOST_TEST(page.outcome.kind == OutcomeKind::kSynced);
  BOOST_TEST_REQUIRE(page.newest_for_context.has_value());
  BOOST_TEST(page.newest_for_context->state == core::StatusState::kSuccess);
  BOOST_TEST(page.newest_for_context->description == "new");
  BOOST_TEST(!page.more_pages);
}

BOOST_AUTO_TEST_CASE(list_without_the_context_follows_link_next) {
  const GitHubProvider gh("r1", "https://github.com/o/r");
  const std::string body = R"([{"id":3,"state":"failure","description":"x","context":"ci/other"}])";
  const auto more = gh.InterpretList(
      Reply(200,
            {{"link",
              "<https://api.github.com/x?page=2>; rel=\"next\", <https://api.github.com/x?page=9>; rel=\"last\""}},
            body),
      Key(), kNow);
  BOOST_TEST(!more.newest_for_context.has_value());
  BOOST_TEST(more.more_pages);
  const auto last = gh.InterpretList(Reply(200, {{"link", "<https://x?page=1>; rel=\"prev\""}}, body), Key(), kNow);
  BOOST_TEST(!last.more_pages);
}

BOOST_AUTO_TEST_SUITE_END()
