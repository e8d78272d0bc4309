// Azure DevOps peculiarities: address forms (Services, legacy visualstudio.com, Server, ssh),
// Basic ":PAT" auth, the nested context, Retry-After on 2xx, and the {count, value} list.
#include <boost/test/unit_test.hpp>

#include "dispatch/azure_devops.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

BOOST_AUTO_TEST_SUITE(AzureDevOpsProviderTests)

BOOST_AUTO_TEST_CASE(create_request_is_exact) {
  const AzureDevOpsProvider ado("r1", "https://dev.azure.com/org/project/_git/repo");
  const HttpCall call = ado.BuildCreate(
      Desired(core::StatusState::kSuccess, "reconciliation succeeded", "kustomization/apps/0c9c2e41", "https://ci/3"),
      {"pat", ""});
  BOOST_TEST(call.url == std::string("https://dev.azure.com/org/project/_apis/git/repositories/repo/commits/") + kSha +
                             "/statuses?api-version=7.1");
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Basic OnBhdA=="}, {"Accept", "application/json"}, {"Content-Type", "application/json"}};
  BOOST_TEST((call.headers == headers));
  BOOST_TEST(call.body ==
             "{\"state\":\"succeeded\",\"description\":\"reconciliation succeeded\",\"targetUrl\":\"https://ci/3\","
             "\"context\":{\"name\":\"kustomization/apps/0c9c2e41\",\"genre\":\"fluxcd\"}}");
}

BOOST_AUTO_TEST_CASE(addresses_map_to_api_bases) {
  struct Row {
    const char* address;
    const char* base;
    const char* repo;
    const char* host_key;
  };
  const Row rows[] = {
      {"https://dev.azure.com/org/project/_git/repo", "https://dev.azure.com/org/project/_apis/git/repositories",
       "repo", "dev.azure.com/org"},
      {"https://user@dev.azure.com/org/My%20Project/_git/repo",
       "https://dev.azure.com/org/My%20Project/_apis/git/repositories", "repo", "dev.azure.com/org"},
      {"https://dev.azure.com/org/_git/repo", "https://dev.azure.com/org/repo/_apis/git/repositories", "repo",
       "dev.azure.com/org"},
      {"https://org.visualstudio.com/project/_git/repo", "https://org.visualstudio.com/project/_apis/git/repositories",
       "repo", "org.visualstudio.com"},
      {"https://org.visualstudio.com/DefaultCollection/project/_git/repo",
       "https://org.visualstudio.com/DefaultCollection/project/_apis/git/repositories", "repo",
       "org.visualstudio.com/DefaultCollection"},
      {"https://tfs.example.com/tfs/Coll/project/_git/repo",
       "https://tfs.example.com/tfs/Coll/project/_apis/git/repositories", "repo", "tfs.example.com/tfs/Coll"},
      {"git@ssh.dev.azure.com:v3/org/project/repo", "https://dev.azure.com/org/project/_apis/git/repositories", "repo",
       "dev.azure.com/org"},
      {"http://127.0.0.1:4016/org/project/_git/repo", "http://127.0.0.1:4016/org/project/_apis/git/repositories",
       "repo", "127.0.0.1:4016/org"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.address) {
      const AzureDevOpsProvider ado("r1", row.address);
      BOOST_TEST(ado.Endpoint().api_base == row.base);
      BOOST_TEST(ado.Endpoint().repo_id == row.repo);
      BOOST_TEST(ado.HostKey() == row.host_key);
    }
  }
  BOOST_TEST(AzureDevOpsProvider("r1", "https://tfs.example.com/tfs/Coll/project/_git/repo")
                 .BuildList(Key(), {}, 1)
                 .url.find("api-version=6.0") != std::string::npos);
  for (const char* bad : {"https://dev.azure.com/org/project/repo", "https://dev.azure.com/org/a/b/_git/repo",
                          "https://dev.azure.com/_git/repo", "https://tfs.example.com/project/_git/repo/extra",
                          "git@ssh.dev.azure.com:v2/org/project/repo"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_CHECK_THROW(AzureDevOpsProvider("r1", bad), ProviderConfigError); }
  }
}

BOOST_AUTO_TEST_CASE(retry_after_on_success_pauses_the_host) {
  const AzureDevOpsProvider ado("r1", "https://dev.azure.com/org/project/_git/repo");
  const auto o = ado.InterpretCreate(Reply(201, {{"retry-after", "3"}, {"x-ratelimit-remaining", "120"}}, "{}"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kSynced);
  BOOST_TEST(o.host_exhausted);
  BOOST_TEST(o.retry_after == std::optional(std::chrono::seconds(3)));
  BOOST_TEST(o.rate.remaining == std::optional<std::int64_t>(120));
  const auto blocked = ado.InterpretCreate(
      Reply(
          429, {{"x-ratelimit-reset", std::to_string(kNow + 25)}},
          R"({"$id":"1","message":"TF400733: Request was blocked due to exceeding usage of resource 'x'.","typeKey":"RequestBlockedException"})"),
      kNow);
  BOOST_TEST(blocked.kind == OutcomeKind::kRetry);
  BOOST_TEST(blocked.retry_after == std::optional(std::chrono::seconds(25)));
  BOOST_TEST(blocked.error.starts_with("TF400733"));
}

BOOST_AUTO_TEST_CASE(sign_in_page_for_a_bad_pat_is_permanent) {
  const AzureDevOpsProvider ado("r1", "https://dev.azure.com/org/project/_git/repo");
  const auto o = ado.InterpretCreate(Reply(203, {{"content-type", "text/html"}}, "<html>Sign In</html>"), kNow);
  BOOST_TEST(o.kind == OutcomeKind::kPermanent);
  BOOST_TEST(o.error.find("sign-in page") != std::string::npos);
  BOOST_TEST(ado.InterpretList(Reply(203, {}, "<html/>"), Key(), kNow).outcome.kind == OutcomeKind::kPermanent);
}

BOOST_AUTO_TEST_CASE(list_reads_count_value_and_bare_arrays) {
  const AzureDevOpsProvider ado("r1", "https://dev.azure.com/org/project/_git/repo");
  BOOST_TEST(ado.BuildList(Key(), {"pat", ""}, 2).url ==
             std::string("https://dev.azure.com/org/project/_apis/git/repositories/repo/commits/") + kSha +
                 "/statuses?api-version=7.1&latestOnly=true&top=100&skip=100");
  const std::string entries =
      R"([{"id":1,"state":"failed","description":"a","context":{"name":"ctx","genre":"fluxcd"}},)"
      R"({"id":3,"state":"succeeded","description":"b","context":{"name":"ctx","genre":"fluxcd"}},)"
      R"({"id":4,"state":"error","description":"c","context":{"name":"ctx","genre":"other"}}])";
  for (const std::string& body : {"{\"count\":3,\"value\":" + entries + "}", entries}) {
    const auto page = ado.InterpretList(Reply(200, {}, body), Key("ctx"), kNow);
    BOOST_TEST(page.outcome.kind == OutcomeKind::kSynced);
    BOOST_TEST_REQUIRE(page.newest_for_context.has_value());
    BOOST_TEST(page.newest_for_context->state == core::StatusState::kSuccess);
    BOOST_TEST(page.newest_for_context->description == "b");
  }
  const auto none = ado.InterpretList(Reply(200, {}, R"({"count":0,"value":[]})"), Key("ctx"), kNow);
  BOOST_TEST(!none.newest_for_context.has_value());
  BOOST_TEST(!none.more_pages);
}

BOOST_AUTO_TEST_SUITE_END()
