// Gitea's peculiarities: token auth, subpath installs via api_base, and the list's "status" field.
#include <boost/test/unit_test.hpp>

#include "dispatch/gitea.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

BOOST_AUTO_TEST_SUITE(GiteaProviderTests)

BOOST_AUTO_TEST_CASE(create_request_is_exact) {
  const GiteaProvider gitea("r1", "https://gitea.example.com/owner/repo.git");
  const HttpCall call = gitea.BuildCreate(Desired(core::StatusState::kPending, "progressing"), {"tok", ""});
  BOOST_TEST(call.url == std::string("https://gitea.example.com/api/v1/repos/owner/repo/statuses/") + kSha);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "token tok"}, {"Accept", "application/json"}, {"Content-Type", "application/json"}};
  BOOST_TEST((call.headers == headers));
  BOOST_TEST(call.body ==
             "{\"state\":\"pending\",\"description\":\"progressing\",\"context\":\"kustomization/apps/0c9c2e41\"}");
}

BOOST_AUTO_TEST_CASE(addresses_map_to_api_bases) {
  BOOST_TEST(GiteaProvider("r1", "git@gitea.example.com:owner/repo.git").Endpoint().api_base ==
             "https://gitea.example.com/api/v1");
  const GiteaProvider sub("r1", "https://example.com/git/owner/repo", "https://example.com/git/api/v1");
  BOOST_TEST(sub.Endpoint().api_base == "https://example.com/git/api/v1");
  BOOST_TEST(sub.Endpoint().repo_id == "owner/repo");
  BOOST_CHECK_THROW(GiteaProvider("r1", "https://example.com/git/owner/repo"), ProviderConfigError);
  BOOST_CHECK_THROW(GiteaProvider("r1", "https://example.com/owner/repo", "https://example.com/v1"),
                    ProviderConfigError);
}

BOOST_AUTO_TEST_CASE(list_reads_status_field_and_highest_id) {
  const GiteaProvider gitea("r1", "https://gitea.example.com/o/r");
  BOOST_TEST(gitea.BuildList(Key(), {}, 2).url ==
             std::string("https://gitea.example.com/api/v1/repos/o/r/commits/") + kSha + "/statuses?page=2&limit=50");
  const std::string body = R"([{"id":5,"status":"warning","context":"ctx","description":"w"},)"
                           R"({"id":4,"status":"success","context":"ctx","description":"s"}])";
  const auto page = gitea.InterpretList(Reply(200, {}, body), Key("ctx"), kNow);
  BOOST_TEST_REQUIRE(page.newest_for_context.has_value());
  BOOST_TEST(page.newest_for_context->state == core::StatusState::kFailure);
  BOOST_TEST(page.newest_for_context->description == "w");
  const auto none = gitea.InterpretList(Reply(200, {{"link", "<x>; rel=\"next\""}}, "[]"), Key("ctx"), kNow);
  BOOST_TEST(none.more_pages);
}

BOOST_AUTO_TEST_CASE(error_message_is_read) {
  const GiteaProvider gitea("r1", "https://gitea.example.com/o/r");
  const auto o = gitea.InterpretCreate(Reply(404, {}, R"({"message":"GetRepositoryByName","url":"https://x"})"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kPermanent);
  BOOST_TEST(o.error == "GetRepositoryByName");
}

BOOST_AUTO_TEST_SUITE_END()
