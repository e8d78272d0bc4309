// MakeProvider: the kind table, and that every bad address or kind becomes a
// ProviderConfigError whose message names the route.
#include <boost/test/unit_test.hpp>

#include "dispatch/github_deployments.h"
#include "dispatch/gitlab_deployments.h"
#include "dispatch/provider_factory.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus::dispatch;

BOOST_AUTO_TEST_SUITE(ProviderFactory)

BOOST_AUTO_TEST_CASE(every_kind_builds_its_provider) {
  for (const auto& host : testing::AllHosts()) {
    BOOST_TEST_CONTEXT(host.kind) { BOOST_TEST(testing::Make(host)->Kind() == host.kind); }
  }
  BOOST_TEST(ProviderKinds().size() == 6u);
}

BOOST_AUTO_TEST_CASE(bad_settings_name_the_route) {
  struct Row {
    const char* kind;
    const char* address;
    const char* api_base;
    const char* fragment;  // part of the expected message
  };
  const Row rows[] = {
      {"gihtub", "https://github.com/o/r", "", "unknown provider 'gihtub'"},
      {"", "https://github.com/o/r", "", "unknown provider ''"},
      {"github", "https://github.com/o/r/extra", "", "exactly owner/repo"},
      {"github", "https://github.com/o", "", "does not name a repository"},
      {"github", "ftp://github.com/o/r", "", "not an http(s), ssh or scp-like"},
      {"github", "", "", "address ''"},
      {"github", "https:///o/r", "", "has no host"},
      {"github", "https://github.com/o//r", "", "empty path segment"},
      {"github", "https://github.com/o/r", "https://x/api/v3", "does not take api_base"},
      {"gitea", "https://gitea.example.com/a/b/c", "", "exactly owner/repo"},
      {"gitlab", "https://gitlab.com/g/p", "https://gitlab.com/api/v3", "must end with /api/v4"},
      {"bitbucket", "https://bitbucket.org/ws/repo/x", "", "exactly workspace/repo"},
      {"bitbucketserver", "https://bbs.example.com/PROJ/repo", "", "/scm/PROJECT/repo"},
      {"bitbucketserver", "git@bbs.example.com:PROJ/repo.git", "", "http(s) clone URL"},
      {"azuredevops", "https://dev.azure.com/org/project/repo", "", "/_git/{repo}"},
      {"azuredevops", "https://org.visualstudio.com/_git/repo", "", "names no project"},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.kind << " " << row.address) {
      try {
        MakeProvider({"my-route", row.kind, row.address, row.api_base});
        BOOST_ERROR("no ProviderConfigError");
      } catch (const ProviderConfigError& e) {
        const std::string message = e.what();
        BOOST_TEST(message.starts_with("route 'my-route': "), message);
        BOOST_TEST(message.find(row.fragment) != std::string::npos, message);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(github_and_gitlab_build_their_deployments_and_the_others_none) {
  const auto gh = MakeDeploymentProvider({"r", "github", "https://ghe.example/o/r", ""});
  BOOST_TEST_REQUIRE(dynamic_cast<const GitHubDeployments*>(gh.get()) != nullptr);
  BOOST_TEST(gh->HostKey() == MakeProvider({"r", "github", "https://ghe.example/o/r", ""})->HostKey());
  const auto gl =
      MakeDeploymentProvider({"r", "gitlab", "https://git.example/gl/g/p", "https://git.example/gl/api/v4"});
  BOOST_TEST_REQUIRE(dynamic_cast<const GitLabDeployments*>(gl.get()) != nullptr);
  BOOST_TEST(static_cast<const GitLabDeployments&>(*gl).Endpoint().api_base == "https://git.example/gl/api/v4");
  for (const char* kind : {"gitea", "bitbucket", "bitbucketserver", "azuredevops"}) {
    BOOST_TEST(MakeDeploymentProvider({"r", kind, "https://x.example/o/r", ""}) == nullptr, kind);
  }
  BOOST_CHECK_THROW(MakeDeploymentProvider({"r", "gihtub", "https://github.com/o/r", ""}), ProviderConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
