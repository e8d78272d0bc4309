// Bitbucket Cloud and Data Center peculiarities: SHA-1 keys, the auth forms, the required
// url, /scm/ clone URLs with context paths, and the by-key lookup where 404 means "none".
#include <boost/test/unit_test.hpp>

#include "dispatch/bitbucket.h"
#include "dispatch/bitbucket_server.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

BOOST_AUTO_TEST_SUITE(BitbucketProviderTests)

BOOST_AUTO_TEST_CASE(cloud_create_request_is_exact) {
  const BitbucketProvider bb("r1", "https://bitbucket.org/ws/repo.git");
  const HttpCall call = bb.BuildCreate(Desired(core::StatusState::kSuccess), Credentials{"app-pass", "user"});
  BOOST_TEST(call.url ==
             std::string("https://api.bitbucket.org/2.0/repositories/ws/repo/commit/") + kSha + "/statuses/build");
  const std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Basic dXNlcjphcHAtcGFzcw=="},
                                                                    {"Accept", "application/json"},
                                                                    {"Content-Type", "application/json"}};
  BOOST_TEST((call.headers == headers));
  // key: SHA-1 hex of the context, Flux's vector (flux-notification-controller.md §8).
  BOOST_TEST(call.body ==
             "{\"key\":\"534add2e1e94c46fbe0f8e657ba36c652fa8d2dd\",\"state\":\"SUCCESSFUL\",\"name\":"
             "\"kustomization/apps/0c9c2e41\",\"url\":\"https://bitbucket.org/ws/repo\",\"description\":"
             "\"reconciliation succeeded\"}");
}

BOOST_AUTO_TEST_CASE(cloud_auth_forms) {
  const BitbucketProvider bb("r1", "git@bitbucket.org:ws/repo.git");
  const auto auth = [&](Credentials c) {
    return CallHeader(bb.BuildCreate(Desired(core::StatusState::kSuccess), c), "Authorization").value_or("");
  };
  BOOST_TEST(auth({"user:app-pass", ""}) == "Basic dXNlcjphcHAtcGFzcw==");  // Flux's token form
  BOOST_TEST(auth({"access-token", ""}) == "Bearer access-token");
}

BOOST_AUTO_TEST_CASE(cloud_list_gets_by_key_and_404_means_none) {
  const BitbucketProvider bb("r1", "https://bitbucket.org/ws/repo");
  BOOST_TEST(bb.BuildList(Key(), {}, 1).url ==
             std::string("https://api.bitbucket.org/2.0/repositories/ws/repo/commit/") + kSha +
                 "/statuses/build/534add2e1e94c46fbe0f8e657ba36c652fa8d2dd");
  const auto none =
      bb.InterpretList(Reply(404, {}, R"({"type":"error","error":{"message":"No such build status"}})"), Key(), kNow);
  BOOST_TEST(none.outcome.kind == OutcomeKind::kSynced);
  BOOST_TEST(!none.newest_for_context.has_value());
  BOOST_TEST(!none.more_pages);
  const auto found =
      bb.InterpretList(Reply(200, {}, R"({"state":"STOPPED","description":"d","key":"k"})"), Key(), kNow);
  BOOST_TEST_REQUIRE(found.newest_for_context.has_value());
  BOOST_TEST(found.newest_for_context->state == core::StatusState::kError);
}

BOOST_AUTO_TEST_CASE(cloud_error_text) {
  const BitbucketProvider bb("r1", "https://bitbucket.org/ws/repo");
  const auto o = bb.InterpretCreate(
      Reply(400, {}, R"({"type":"error","error":{"message":"Bad request","detail":"url: This field is required."}})"),
      kNow);
  BOOST_TEST(o.error == "Bad request: url: This field is required.");
}

BOOST_AUTO_TEST_CASE(server_create_request_is_exact) {
  const BitbucketServerProvider bbs("r1", "https://bbs.example.com:7990/ctx/scm/PROJ/repo.git");
  const HttpCall call = bbs.BuildCreate(Desired(core::StatusState::kFailure, "health check failed"), {"tok", ""});
  BOOST_TEST(call.url ==
             std::string("https://bbs.example.com:7990/ctx/rest/api/latest/projects/PROJ/repos/repo/commits/") + kSha +
                 "/builds");
  const std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer tok"},
                                                                    {"Accept", "application/json"},
                                                                    {"X-Atlassian-Token", "no-check"},
                                                                    {"Content-Type", "application/json"}};
  BOOST_TEST((call.headers == headers));
  BOOST_TEST(call.body ==
             "{\"key\":\"534add2e1e94c46fbe0f8e657ba36c652fa8d2dd\",\"state\":\"FAILED\",\"name\":"
             "\"kustomization/apps/0c9c2e41\",\"url\":\"https://bbs.example.com:7990/ctx/projects/PROJ/repos/repo\","
             "\"description\":\"health check failed\"}");
  BOOST_TEST(CallHeader(bbs.BuildCreate(Desired(core::StatusState::kFailure), {"pw", "alice"}), "Authorization") ==
             std::optional<std::string>("Basic YWxpY2U6cHc="));
}

BOOST_AUTO_TEST_CASE(server_addresses_follow_flux_scm_parsing) {
  struct Row {
    const char* address;
    const char* base;
  };
  const Row good[] = {
      {"https://bbs.example.com/scm/PROJ/repo.git", "https://bbs.example.com/rest"},
      {"https://bbs.example.com/bitbucket/scm/PROJ/repo", "https://bbs.example.com/bitbucket/rest"},
      {"https://bbs.example.com/a/b/scm/PROJ/repo.git", "https://bbs.example.com/a/b/rest"},
      {"https://bbs.example.com/scm/scm/PROJ/repo.git", "https://bbs.example.com/scm/rest"},
      {"http://127.0.0.1:4015/scm/PROJ/repo.git", "http://127.0.0.1:4015/rest"},
  };
  for (const auto& row : good) {
    BOOST_TEST_CONTEXT(row.address) {
      const BitbucketServerProvider bbs("r1", row.address);
      BOOST_TEST(bbs.Endpoint().api_base == row.base);
      BOOST_TEST(bbs.Endpoint().repo_id == "PROJ/repo");
    }
  }
  for (const char* bad : {"https://bbs.example.com/PROJ/repo.git", "ssh://git@bbs.example.com:7999/proj/repo.git",
                          "https://bbs.example.com/scm/PROJ/sub/repo.git", "git@bbs.example.com:scm/PROJ/repo.git"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_CHECK_THROW(BitbucketServerProvider("r1", bad), ProviderConfigError); }
  }
}

BOOST_AUTO_TEST_CASE(server_list_and_errors) {
  const BitbucketServerProvider bbs("r1", "https://bbs.example.com/scm/PROJ/repo.git");
  BOOST_TEST(bbs.BuildList(Key(), {}, 1).url ==
             std::string("https://bbs.example.com/rest/api/latest/projects/PROJ/repos/repo/commits/") + kSha +
                 "/builds?key=534add2e1e94c46fbe0f8e657ba36c652fa8d2dd");
  BOOST_TEST(bbs.InterpretList(Reply(404), Key(), kNow).outcome.kind == OutcomeKind::kSynced);
  const auto found =
      bbs.InterpretList(Reply(200, {}, R"({"state":"INPROGRESS","key":"k","description":"p"})"), Key(), kNow);
  BOOST_TEST(found.newest_for_context->state == core::StatusState::kPending);
  const auto o = bbs.InterpretCreate(
      Reply(401, {}, R"({"errors":[{"context":null,"message":"Authentication failed.","exceptionName":"x"}]})"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kPermanent);
  BOOST_TEST(o.error == "Authentication failed.");
}

BOOST_AUTO_TEST_SUITE_END()
