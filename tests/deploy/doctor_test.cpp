// `fluxstatus doctor` against the fake Git host: for each answer a host can give to the
// access check, the plain-words message a platform engineer needs, and never the token.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/fake_git_host.h"
#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace {

using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::HostKind;
using fluxstatus::testing::ProcessResult;
using fluxstatus::testing::RunProcess;
using fluxstatus::testing::TempDir;
using fluxstatus::testing::WriteFile;

const std::string kToken = "doctor-test-token-7f3a";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct HostCase {
  HostKind kind;
  std::string provider;
  std::string repo;        // as FakeGitHost::Address takes it
  std::string permission;  // what the 403 message must name
};

const std::vector<HostCase> kHosts = {
    {HostKind::kGitHub, "github", "acme/app", "repo:status"},
    {HostKind::kGitLab, "gitlab", "acme/platform/app", "`api` scope"},
    {HostKind::kGitea, "gitea", "acme/app", "write:repository"},
    {HostKind::kBitbucket, "bitbucket", "acme/app", "repository:write"},
    {HostKind::kBitbucketServer, "bitbucketserver", "ACME/app", "Repository write"},
    {HostKind::kAzureDevOps, "azuredevops", "acme/platform/app", "Code (status)"},
};

FakeGitHost::Options WithToken() {
  FakeGitHost::Options options;
  options.token = kToken;
  return options;
}

struct DoctorFixture {
  FakeGitHost host{WithToken()};
  TempDir dir;

  // A config with one route `app` for `hc` on the fake host, its token in a file.
  void Configure(const HostCase& hc, const std::string& token_file_content = kToken + "\n") {
    WriteFile(dir.path() / "git-token", token_file_content);
    WriteFile(dir.path() / "fluxstatus.yaml",
              "routes:\n"
              "  - name: app\n"
              "    provider: " +
                  hc.provider +
                  "\n"
                  "    address: " +
                  host.Address(hc.kind, hc.repo) +
                  "\n"
                  "    token_file: git-token\n");
  }

  ProcessResult Doctor(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{FLUXSTATUS_BINARY, "doctor"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = RunProcess(dir.path(), args);
    BOOST_TEST_INFO("exit " << r.exit_code << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
    BOOST_TEST(!Contains(r.out + r.err, kToken), "doctor printed the token");
    return r;
  }
};

BOOST_AUTO_TEST_SUITE(Doctor)

BOOST_FIXTURE_TEST_CASE(a_working_token_passes_on_every_host, DoctorFixture) {
  for (const auto& hc : kHosts) {
    BOOST_TEST_CONTEXT(hc.provider) {
      Configure(hc);
      host.ClearRequests();
      const auto r = Doctor();
      BOOST_TEST(r.exit_code == 0);
      BOOST_TEST(Contains(r.out, "1 route checked, 0 with problems"));
      BOOST_TEST(!Contains(r.out, "PROBLEM"));
      // One read of the repository, and nothing posted.
      const auto requests = host.Requests();
      BOOST_TEST_REQUIRE(requests.size() == 1u);
      BOOST_TEST(requests[0].method == "GET");
    }
  }
}

BOOST_FIXTURE_TEST_CASE(write_access_is_reported_where_the_host_tells, DoctorFixture) {
  Configure(kHosts[0]);
  const auto r = Doctor();
  BOOST_TEST(Contains(r.out, "access: ok: the token can read the repository and has write access"));
}

BOOST_FIXTURE_TEST_CASE(a_read_that_cannot_prove_write_access_says_so, DoctorFixture) {
  Configure(kHosts[3]);  // Bitbucket Cloud's repository answer says nothing about permissions
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "a read cannot prove it may post statuses"));
  BOOST_TEST(Contains(r.out, "repository:write"));
}

BOOST_FIXTURE_TEST_CASE(a_rejected_token_is_called_invalid_on_every_host, DoctorFixture) {
  for (const auto& hc : kHosts) {
    BOOST_TEST_CONTEXT(hc.provider) {
      Configure(hc, "not-the-token\n");
      const auto r = Doctor();
      BOOST_TEST(r.exit_code == 1);
      BOOST_TEST(Contains(r.out, "access: PROBLEM: token invalid"));
      BOOST_TEST(Contains(r.out, "1 with problems"));
      BOOST_TEST(!Contains(r.out, "not-the-token"));
    }
  }
}

BOOST_FIXTURE_TEST_CASE(a_403_names_the_permission_the_host_wants, DoctorFixture) {
  for (const auto& hc : kHosts) {
    BOOST_TEST_CONTEXT(hc.provider) {
      Configure(hc);
      host.FailNext(1, 403);
      const auto r = Doctor();
      BOOST_TEST(r.exit_code == 1);
      BOOST_TEST(Contains(r.out, "token lacks the commit-status permission"));
      BOOST_TEST(Contains(r.out, hc.permission));
    }
  }
}

BOOST_FIXTURE_TEST_CASE(a_github_403_with_no_budget_left_is_a_rate_limit_not_a_permission, DoctorFixture) {
  Configure(kHosts[0]);
  host.GitHubRateLimitNext(1, 2000000000);
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "rate limit"));
  BOOST_TEST(!Contains(r.out, "lacks the commit-status permission"));
}

BOOST_FIXTURE_TEST_CASE(a_404_says_repository_not_found_or_not_visible, DoctorFixture) {
  Configure(kHosts[1]);
  host.FailNext(1, 404, {}, R"({"message":"404 Project Not Found"})");
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "repository not found or not visible to the token"));
  BOOST_TEST(Contains(r.out, "404 Project Not Found"));  // the host's own words
}

BOOST_FIXTURE_TEST_CASE(read_only_access_is_a_problem_on_gitea_and_a_caveat_on_github, DoctorFixture) {
  const std::string read_only = R"({"full_name":"acme/app","permissions":{"admin":false,"push":false,"pull":true}})";
  Configure(kHosts[2]);
  host.FailNext(1, 200, {}, read_only);
  const auto gitea = Doctor();
  BOOST_TEST(gitea.exit_code == 1);
  BOOST_TEST(Contains(gitea.out, "no write access"));

  Configure(kHosts[0]);
  host.FailNext(1, 200, {}, read_only);
  const auto github = Doctor();
  BOOST_TEST(github.exit_code == 0);  // a fine-grained token may post statuses without push
  BOOST_TEST(Contains(github.out, "Commit statuses: write"));
}

BOOST_FIXTURE_TEST_CASE(a_gitlab_reporter_cannot_post_statuses, DoctorFixture) {
  Configure(kHosts[1]);
  host.FailNext(1, 200, {}, R"({"permissions":{"project_access":{"access_level":20},"group_access":null}})");
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "Developer role"));
}

BOOST_FIXTURE_TEST_CASE(a_missing_token_file_is_named_and_no_call_is_made, DoctorFixture) {
  Configure(kHosts[0]);
  std::filesystem::remove(dir.path() / "git-token");
  host.ClearRequests();
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "token: PROBLEM:"));
  BOOST_TEST(Contains(r.out, "git-token"));
  BOOST_TEST(host.Requests().empty());
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_host_is_reported_with_its_address, DoctorFixture) {
  Configure(kHosts[0]);
  host.SetDown(true);
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "cannot reach GitHub at " + host.BaseUrl() + "/api/v3/repos/acme/app"));
}

BOOST_FIXTURE_TEST_CASE(an_unreadable_hmac_key_file_is_a_problem, DoctorFixture) {
  Configure(kHosts[0]);
  WriteFile(dir.path() / "fluxstatus.yaml",
            fluxstatus::testing::ReadFile(dir.path() / "fluxstatus.yaml") + "    hmac_key_file: no-such-key\n");
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "hmac key: PROBLEM:"));
  BOOST_TEST(Contains(r.out, "no-such-key"));
}

BOOST_FIXTURE_TEST_CASE(a_bad_config_is_a_configuration_error, DoctorFixture) {
  WriteFile(dir.path() / "fluxstatus.yaml", "routes:\n  - name: app\n    provider: github\n    adress: x\n");
  const auto r = Doctor();
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "unknown key 'adress'"));
}

BOOST_FIXTURE_TEST_CASE(route_limits_the_check_and_an_unknown_route_is_an_error, DoctorFixture) {
  Configure(kHosts[0]);
  const auto only = Doctor({"--route", "app"});
  BOOST_TEST(only.exit_code == 0);
  BOOST_TEST(Contains(only.out, "route app: github acme/app"));
  const auto unknown = Doctor({"--route", "nope"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(Contains(unknown.err, "no route named 'nope'"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
