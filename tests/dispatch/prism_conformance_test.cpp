// Request-shape conformance: every provider's create calls (pending, success, failure) and
// list call go to a Prism 5.14.2 mock of its host's API and must get a 2xx; a deliberately
// broken variant (wrong state name, missing required field, no credentials) must get a 4xx,
// which proves the mock validates. GitHub's deployment requests (find, create, status) and
// check-run requests (find, create, update) go to the same GitHub and GHES mocks. Specs:
// GitHub's and GHES's official descriptions trimmed to the statuses, deployments and check-run
// paths (tests/fixtures/specs), and conformance/specs/.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "dispatch/github_check_runs.h"
#include "dispatch/github_deployments.h"
#include "tests/dispatch/conformance_env.h"
#include "tests/dispatch/deployment_test_support.h"
#include "tests/dispatch/prism_mock.h"
#include "tests/dispatch/test_support.h"
#include "tests/support/temp_dir.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

namespace {

struct MockHost {
  std::string kind;
  std::string spec;            // file name under conformance/specs, or a shared spec
  std::string address;         // {root} is replaced by the mock's root URL
  std::string public_prefix;   // when set, this URL prefix is swapped for the mock's root
  std::string wrong_state;     // a state this host's API must refuse
  std::string required_field;  // a field this host's API must require
  bool checks_auth;            // whether the spec declares security (GitHub's does not)
  Credentials creds;
};

const std::string kShared = FLUXSTATUS_FIXTURES_DIR "/specs/";

std::vector<MockHost> MockHosts() {
  return {
      {"github",
       kShared + "github-deployments.openapi.json",
       "https://github.com/owner/repo",
       "https://api.github.com",
       "succeeded",
       "state",
       false,
       {"ghp_dummy", ""}},
      {"github", "ghes-api-v3.json", "{root}/owner/repo", "", "succeeded", "state", false, {"ghp_dummy", ""}},
      {"gitlab", "gitlab-statuses.openapi.yaml", "{root}/group/sub/proj", "", "failure", "state", true, {"glpat", ""}},
      {"gitea", "gitea-statuses.openapi.yaml", "{root}/owner/repo", "", "succeeded", "state", true, {"tok", ""}},
      {"bitbucket",
       "bitbucket-cloud-statuses.openapi.yaml",
       "https://bitbucket.org/ws/repo",
       "https://api.bitbucket.org",
       "SUCCESS",
       "url",
       true,
       {"app-password", "user"}},
      {"bitbucketserver",
       "bitbucket-server-statuses.openapi.yaml",
       "{root}/scm/PROJ/repo.git",
       "",
       "STOPPED",
       "url",
       true,
       {"http-token", ""}},
      {"azuredevops",
       "azure-devops-statuses.openapi.yaml",
       "https://dev.azure.com/org/project/_git/repo",
       "https://dev.azure.com",
       "success",
       "context",
       true,
       {"pat", ""}},
  };
}

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The GHES spec with every path key prefixed by /api/v3: Prism ignores the server's base path
// (git-hosts.md B.1), while our provider calls <host>/api/v3/repos/….
void WriteGhesWithPrefix(const std::filesystem::path& out) {
  rapidjson::Document doc;
  doc.Parse(ReadText(kShared + "ghes-3.19-deployments.openapi.json").c_str());
  BOOST_TEST_REQUIRE(doc.IsObject());
  rapidjson::Value paths(rapidjson::kObjectType);
  for (auto& m : doc["paths"].GetObject()) {
    const std::string key = std::string("/api/v3") + m.name.GetString();
    paths.AddMember(rapidjson::Value(key.c_str(), doc.GetAllocator()), m.value, doc.GetAllocator());
  }
  doc["paths"] = paths;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  doc.Accept(writer);
  std::ofstream(out) << buf.GetString();
}

// All mocks start at once (startup is mostly CPU-bound waiting), then the suite runs.
struct PrismFarm {
  PrismFarm() {
    instance = this;
    const auto prism = ConformanceDir() / "node_modules/.bin/prism";
    if (!RequireTool(prism, "Prism (@stoplight/prism-cli 5.14.2)")) return;
    if (!RequireTool(kShared + "github-deployments.openapi.json", "the GitHub spec")) return;
    WriteGhesWithPrefix(dir.path() / "ghes-api-v3.json");
    for (const auto& host : MockHosts()) {
      std::filesystem::path spec = host.spec;
      if (spec.is_relative()) {
        spec = std::filesystem::exists(dir.path() / spec) ? dir.path() / spec : ConformanceDir() / "specs" / spec;
      }
      mocks[host.spec] = std::make_unique<PrismMock>(prism, spec, dir.path() / (spec.filename().string() + ".log"));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(75);
    for (auto& [name, mock] : mocks) {
      if (!mock->WaitReady(deadline)) {
        BOOST_ERROR("Prism did not start for " + name + ":\n" + mock->Log());
        mocks.clear();
        return;
      }
    }
    ready = true;
  }
  ~PrismFarm() { instance = nullptr; }

  fluxstatus::testing::TempDir dir;
  std::map<std::string, std::unique_ptr<PrismMock>> mocks;
  bool ready = false;
  static inline PrismFarm* instance = nullptr;
};

// The provider for a host, pointed at its mock, and a function that sends a call there.
struct Target {
  std::unique_ptr<Provider> provider;
  std::string root, public_prefix;
  std::string address;  // the route's address, aimed at the mock

  HttpReply Send(HttpCall call) const {
    if (!public_prefix.empty()) {
      BOOST_TEST_REQUIRE(call.url.starts_with(public_prefix));
      call.url = root + call.url.substr(public_prefix.size());
    }
    return SendWithCurl(call);
  }
};

Target Aim(const MockHost& host) {
  const std::string root = PrismFarm::instance->mocks.at(host.spec)->Root();
  std::string address = host.address;
  if (const auto at = address.find("{root}"); at != std::string::npos) address.replace(at, 6, root);
  return Target{MakeProvider({"prism", host.kind, address, ""}), root, host.public_prefix, address};
}

std::string Rewrite(const std::string& body, const std::function<void(rapidjson::Document&)>& edit) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  edit(doc);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  doc.Accept(writer);
  return buf.GetString();
}

bool Is2xx(int s) { return s >= 200 && s < 300; }
bool Is4xx(int s) { return s >= 400 && s < 500; }

// Runs `check` once per GitHub mock (github.com, GHES) with the target aimed at it.
void ForEachGitHubMock(const std::function<void(const MockHost&, const Target&)>& check) {
  if (!PrismFarm::instance || !PrismFarm::instance->ready) return;
  for (const auto& host : MockHosts()) {
    if (host.kind != "github") continue;
    BOOST_TEST_CONTEXT("github (" << host.spec << ")") { check(host, Aim(host)); }
  }
}

// A check run as the dispatch step will want it, in progress.
DesiredCheckRun CheckRun() {
  DesiredCheckRun d;
  d.commit_sha = kSha;
  d.name = "kustomization/apps prod";
  d.external_id = "fs-prism-0c9c2e41";
  d.started_at = "2026-12-07T10:00:00Z";
  d.output = {"Progressing", "**apps** in `flux-system`", "Reconciliation in progress"};
  return d;
}

DesiredCheckRun Completed(std::string conclusion) {
  DesiredCheckRun d = CheckRun();
  d.phase = {true, std::move(conclusion)};
  d.completed_at = "2026-12-07T10:05:00Z";
  d.details_url = "https://flux.example/apps";
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(PrismConformance,
                      *boost::unit_test::precondition(ToolPresentOrCi{ConformanceDir() / "node_modules/.bin/prism",
                                                                      "Prism (@stoplight/prism-cli 5.14.2)"}) *
                          boost::unit_test::fixture<PrismFarm>())

BOOST_AUTO_TEST_CASE(valid_creates_and_lists_are_accepted) {
  if (!PrismFarm::instance || !PrismFarm::instance->ready) return;
  for (const auto& host : MockHosts()) {
    BOOST_TEST_CONTEXT(host.kind << " (" << host.spec << ")") {
      const Target t = Aim(host);
      for (auto state : {core::StatusState::kPending, core::StatusState::kSuccess, core::StatusState::kFailure}) {
        const DesiredStatus status =
            Desired(state, "reconciliation succeeded", "kustomization/apps/0c9c2e41", "https://ci.example/run/1");
        const HttpReply reply = t.Send(t.provider->BuildCreate(status, host.creds));
        BOOST_TEST(Is2xx(reply.status), core::ToString(state) << ": HTTP " << reply.status << " " << reply.body);
        BOOST_TEST(t.provider->InterpretCreate(reply, kNow).kind == OutcomeKind::kSynced);
      }
      const HttpReply list = t.Send(t.provider->BuildList(Key(), host.creds, 1));
      BOOST_TEST(Is2xx(list.status), "list: HTTP " << list.status << " " << list.body);
      BOOST_TEST(t.provider->InterpretList(list, Key(), kNow).outcome.kind == OutcomeKind::kSynced);
    }
  }
}

BOOST_AUTO_TEST_CASE(wrong_state_names_are_refused) {
  if (!PrismFarm::instance || !PrismFarm::instance->ready) return;
  for (const auto& host : MockHosts()) {
    BOOST_TEST_CONTEXT(host.kind << " (" << host.spec << ")") {
      const Target t = Aim(host);
      HttpCall call = t.provider->BuildCreate(Desired(core::StatusState::kSuccess), host.creds);
      call.body = Rewrite(
          call.body, [&](rapidjson::Document& d) { d["state"].SetString(host.wrong_state.c_str(), d.GetAllocator()); });
      const HttpReply reply = t.Send(call);
      BOOST_TEST(Is4xx(reply.status), "HTTP " << reply.status << " " << reply.body);
      BOOST_TEST(t.provider->InterpretCreate(reply, kNow).kind == OutcomeKind::kPermanent);
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_required_fields_are_refused) {
  if (!PrismFarm::instance || !PrismFarm::instance->ready) return;
  for (const auto& host : MockHosts()) {
    BOOST_TEST_CONTEXT(host.kind << " (" << host.spec << ") without " << host.required_field) {
      const Target t = Aim(host);
      HttpCall call = t.provider->BuildCreate(Desired(core::StatusState::kFailure), host.creds);
      call.body = Rewrite(call.body, [&](rapidjson::Document& d) { d.RemoveMember(host.required_field.c_str()); });
      const HttpReply reply = t.Send(call);
      BOOST_TEST(Is4xx(reply.status), "HTTP " << reply.status << " " << reply.body);
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_credentials_are_refused_where_the_spec_checks_them) {
  if (!PrismFarm::instance || !PrismFarm::instance->ready) return;
  for (const auto& host : MockHosts()) {
    if (!host.checks_auth) continue;
    BOOST_TEST_CONTEXT(host.kind) {
      const Target t = Aim(host);
      HttpCall call = t.provider->BuildCreate(Desired(core::StatusState::kSuccess), host.creds);
      std::erase_if(call.headers,
                    [](const auto& h) { return h.first == "Authorization" || h.first == "PRIVATE-TOKEN"; });
      const HttpReply reply = t.Send(call);
      BOOST_TEST(reply.status == 401, "HTTP " << reply.status << " " << reply.body);
    }
  }
}

// Every GitHub deployment request, to the github.com and the GHES mock: the find, the create
// (production and transient flags both ways) and a status per state, with and without URLs.
BOOST_AUTO_TEST_CASE(github_deployment_requests_are_accepted) {
  ForEachGitHubMock([](const MockHost& host, const Target& t) {
    const GitHubDeployments gh("prism", t.address);
    DesiredDeployment d = Deployment(core::DeploymentState::kInProgress, "prod/eu");
    const HttpReply find = t.Send(gh.BuildFind(d, host.creds, 1));
    BOOST_TEST(Is2xx(find.status), "find: HTTP " << find.status << " " << find.body);
    BOOST_TEST(gh.InterpretFind(find, d, kNow).outcome.kind == OutcomeKind::kSynced);
    for (const bool flag : {false, true}) {
      d.production = flag;
      d.transient = !flag;
      const HttpReply create = t.Send(gh.BuildCreate(d, host.creds));
      BOOST_TEST(Is2xx(create.status), "create: HTTP " << create.status << " " << create.body);
      const auto created = gh.InterpretCreate(create, kNow);
      BOOST_TEST(created.outcome.kind == OutcomeKind::kSynced, created.outcome.error);
      BOOST_TEST(created.id.has_value());
    }
    for (const auto state :
         {core::DeploymentState::kInProgress, core::DeploymentState::kSuccess, core::DeploymentState::kFailure}) {
      d.state = state;
      d.environment_url = state == core::DeploymentState::kSuccess ? "https://eu.example" : "";
      d.log_url = state == core::DeploymentState::kInProgress ? "" : "https://ci.example/run/1";
      const HttpReply status = t.Send(gh.BuildState("42", d, host.creds));
      BOOST_TEST(Is2xx(status.status), core::ToString(state) << ": HTTP " << status.status << " " << status.body);
      BOOST_TEST(gh.InterpretState(status, kNow).kind == OutcomeKind::kSynced);
    }
  });
}

// The mocks validate deployment requests too: a create without `ref` and a status with a state
// GitHub does not have are refused.
BOOST_AUTO_TEST_CASE(broken_github_deployment_requests_are_refused) {
  ForEachGitHubMock([](const MockHost& host, const Target& t) {
    const GitHubDeployments gh("prism", t.address);
    HttpCall create = gh.BuildCreate(Deployment(), host.creds);
    create.body = Rewrite(create.body, [](rapidjson::Document& doc) { doc.RemoveMember("ref"); });
    const HttpReply no_ref = t.Send(create);
    BOOST_TEST(Is4xx(no_ref.status), "create without ref: HTTP " << no_ref.status << " " << no_ref.body);
    BOOST_TEST(gh.InterpretCreate(no_ref, kNow).outcome.kind == OutcomeKind::kPermanent);
    HttpCall status = gh.BuildState("42", Deployment(), host.creds);
    status.body = Rewrite(status.body, [](rapidjson::Document& doc) { doc["state"].SetString("succeeded"); });
    const HttpReply wrong = t.Send(status);
    BOOST_TEST(Is4xx(wrong.status), "state succeeded: HTTP " << wrong.status << " " << wrong.body);
    BOOST_TEST(gh.InterpretState(wrong, kNow).kind == OutcomeKind::kPermanent);
  });
}

// Every GitHub check-run request, to the github.com and the GHES mock: the find, a create in
// progress and completed (each conclusion, with a details_url), and an update each way.
BOOST_AUTO_TEST_CASE(github_check_run_requests_are_accepted) {
  ForEachGitHubMock([](const MockHost& host, const Target& t) {
    const GitHubCheckRuns gh("prism", t.address, "4242");
    const HttpReply find = t.Send(gh.BuildFind(CheckRun(), host.creds, 2));
    BOOST_TEST(Is2xx(find.status), "find: HTTP " << find.status << " " << find.body);
    BOOST_TEST(gh.InterpretFind(find, CheckRun(), kNow).outcome.kind == OutcomeKind::kSynced);
    for (const DesiredCheckRun& d : {CheckRun(), Completed("success"), Completed("failure")}) {
      BOOST_TEST_CONTEXT("completed " << d.phase.completed << " " << d.phase.conclusion) {
        const HttpReply create = t.Send(gh.BuildCreate(d, host.creds));
        BOOST_TEST(Is2xx(create.status), "create: HTTP " << create.status << " " << create.body);
        const auto created = gh.InterpretCreate(create, kNow);
        BOOST_TEST(created.outcome.kind == OutcomeKind::kSynced, created.outcome.error);
        BOOST_TEST(created.id.has_value());
        const HttpReply update = t.Send(gh.BuildUpdate("42", d, host.creds));
        BOOST_TEST(Is2xx(update.status), "update: HTTP " << update.status << " " << update.body);
        BOOST_TEST(gh.InterpretUpdate(update, kNow).kind == OutcomeKind::kSynced);
      }
    }
  });
}

// The mocks validate check-run requests too: a create without head_sha, a status GitHub does
// not have, and an update to completed without a conclusion are refused.
BOOST_AUTO_TEST_CASE(broken_github_check_run_requests_are_refused) {
  ForEachGitHubMock([](const MockHost& host, const Target& t) {
    const GitHubCheckRuns gh("prism", t.address, "4242");
    const auto refused = [&](HttpCall call, const std::function<void(rapidjson::Document&)>& edit) {
      call.body = Rewrite(call.body, edit);
      return t.Send(call).status;
    };
    const int no_sha = refused(gh.BuildCreate(CheckRun(), host.creds), [](auto& doc) { doc.RemoveMember("head_sha"); });
    BOOST_TEST(Is4xx(no_sha), "create without head_sha: HTTP " << no_sha);
    const int wrong =
        refused(gh.BuildCreate(CheckRun(), host.creds), [](auto& doc) { doc["status"].SetString("done"); });
    BOOST_TEST(Is4xx(wrong), "status done: HTTP " << wrong);
    const int bare = refused(gh.BuildUpdate("42", Completed("success"), host.creds),
                             [](auto& doc) { doc.RemoveMember("conclusion"); });
    BOOST_TEST(Is4xx(bare), "completed without a conclusion: HTTP " << bare);
  });
}

BOOST_AUTO_TEST_SUITE_END()
