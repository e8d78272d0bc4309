// The fake Git host's GitHub check runs (deployments-and-checks.md 2), driven through the real
// libcurl transport: who may write, the completed/conclusion rules, what a completed run does
// with a PATCH, the listing's filters and pages, and GitHubCheckRuns against it end to end.
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "dispatch/github_check_runs.h"
#include "tests/support/fake_git_host.h"
#include "tests/transport/fake_git_host_client.h"

using Host = fluxstatus::testing::FakeGitHost;
using cereal::make_nvp;
using namespace fluxstatus::testing::fake_client;  // the client, Json, Parse, Str, the SHAs

namespace {

const std::string kRuns = "/repos/o/r/check-runs";
const std::string kInstallationToken = "ghs_install";

// A check-run body; members left nullopt are not sent.
struct RunBody {
  std::optional<std::string> name = "kustomization/apps", head_sha = kSha, external_id = "fs-1";
  std::optional<std::string> status, conclusion, completed_at;
  std::optional<std::string> title = "Progressing", summary = "s";

  RunBody& Status(std::optional<std::string> v) { return status = std::move(v), *this; }
  RunBody& Conclusion(std::optional<std::string> v) { return conclusion = std::move(v), *this; }
  RunBody& Title(std::string v) { return title = std::move(v), *this; }
  RunBody& Name(std::string v) { return name = std::move(v), *this; }
  RunBody& External(std::string v) { return external_id = std::move(v), *this; }
  RunBody& ForPatch() { return name.reset(), head_sha.reset(), external_id.reset(), *this; }

  std::string Json() const {
    return fluxstatus::testing::fake_client::Json([&](Ar& ar) {
      for (const auto& [key, value] : {std::pair{"name", name}, std::pair{"head_sha", head_sha},
                                       std::pair{"external_id", external_id}, std::pair{"status", status},
                                       std::pair{"conclusion", conclusion}, std::pair{"completed_at", completed_at}}) {
        if (value) ar(make_nvp(key, *value));
      }
      if (!title && !summary) return;
      ar.setNextName("output");
      ar.startNode();
      if (title) ar(make_nvp("title", *title));
      if (summary) ar(make_nvp("summary", *summary));
      ar.finishNode();
    });
  }
};

// A host with the App "4242", whose installation token is kInstallationToken, and a PAT the host
// also takes; the client starts with the installation token.
struct ChecksFixture {
  ChecksFixture() : host(Host::Options{"ghp_pat", "", 1, 0}), client(host) {
    host.SetGitHubApp("4242", "", kInstallationToken, 4102444800);
    As(kInstallationToken);
  }
  void As(const std::string& token) { client.headers = {{"Authorization", "Bearer " + token}}; }
  std::int64_t Create(const RunBody& body) {
    const auto reply = client.Call("POST", kRuns, body.Json());
    BOOST_TEST_REQUIRE(reply.status == 201, reply.body);
    return Parse(reply.body)["id"].GetInt64();
  }
  std::string RunPath(std::int64_t id) const { return kRuns + "/" + std::to_string(id); }

  Host host;
  Client client;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(FakeGitHostGitHubChecks, ChecksFixture)

BOOST_AUTO_TEST_CASE(only_the_app_installation_token_writes) {
  As("ghp_pat");
  auto reply = client.Call("POST", kRuns, RunBody().Json());
  BOOST_TEST(reply.status == 403);
  BOOST_TEST(Str(Parse(reply.body), "message") == "You must authenticate via a GitHub App.");
  As("wrong");
  BOOST_TEST(client.Call("POST", kRuns, RunBody().Json()).status == 401);
  As(kInstallationToken);
  const std::int64_t id = Create(RunBody().Status("in_progress"));
  As("ghp_pat");
  BOOST_TEST(client.Call("PATCH", RunPath(id), RunBody().ForPatch().Title("t").Json()).status == 403);
  BOOST_TEST(client.Call("GET", RunPath(id)).status == 200);  // reading needs no App
  BOOST_TEST(client.Call("GET", "/repos/o/r/commits/" + std::string(kSha) + "/check-runs").status == 200);
  BOOST_TEST(host.GitHubCheckRuns("o/r", kSha).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_run_is_created_and_patched_in_place_with_its_history) {
  const std::int64_t id = Create(RunBody().Status("in_progress"));
  auto reply = client.Call("PATCH", RunPath(id),
                           RunBody().ForPatch().Status("completed").Conclusion("failure").Title("Failed").Json());
  BOOST_TEST_REQUIRE(reply.status == 200, reply.body);
  const auto doc = Parse(reply.body);
  BOOST_TEST(Str(doc, "status") == "completed");
  BOOST_TEST(Str(doc, "conclusion") == "failure");
  BOOST_TEST(Str(doc["output"], "title") == "Failed");
  const auto runs = host.GitHubCheckRuns("o/r", kSha, "kustomization/apps");
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(runs[0].id == id);
  BOOST_TEST(runs[0].app_id == "4242");
  BOOST_TEST(runs[0].external_id == "fs-1");
  BOOST_TEST(!runs[0].started_at.empty());
  BOOST_TEST(!runs[0].completed_at.empty());
  BOOST_TEST_REQUIRE(runs[0].history.size() == 2u);
  BOOST_TEST(runs[0].history[0].status == "in_progress");
  BOOST_TEST(runs[0].history[0].output.title == "Progressing");
  BOOST_TEST(runs[0].history[1].status == "completed");
  BOOST_TEST(runs[0].history[1].conclusion == "failure");
  BOOST_TEST(host.GitHubCheckRunPatchesAfterCompletion() == 0);
}

BOOST_AUTO_TEST_CASE(completed_needs_a_conclusion_and_a_conclusion_completes) {
  auto reply = client.Call("POST", kRuns, RunBody().Status("completed").Json());
  BOOST_TEST(reply.status == 422);
  const auto error = Parse(reply.body);
  BOOST_TEST(Str(error["errors"][0], "code") == "missing_field");
  BOOST_TEST(Str(error["errors"][0], "field") == "conclusion");
  const std::int64_t id = Create(RunBody().Conclusion("success"));
  BOOST_TEST(Str(Parse(client.Call("GET", RunPath(id)).body), "status") == "completed");
  const std::int64_t queued = Create(RunBody());
  BOOST_TEST(Str(Parse(client.Call("GET", RunPath(queued)).body), "status") == "queued");
  BOOST_TEST(client.Call("PATCH", RunPath(queued), RunBody().ForPatch().Status("completed").Json()).status == 422);
}

BOOST_AUTO_TEST_CASE(bodies_outside_the_schema_are_refused) {
  const auto with = [](auto change) {
    RunBody body;
    change(body);
    return body.Json();
  };
  const std::string rows[] = {
      with([](RunBody& b) { b.Status("waiting"); }),    // only GitHub Actions may set it
      with([](RunBody& b) { b.Conclusion("stale"); }),  // only GitHub sets it
      with([](RunBody& b) { b.head_sha.reset(); }),
      with([](RunBody& b) { b.name.reset(); }),
      with([](RunBody& b) { b.summary.reset(); }),
      with([](RunBody& b) { b.Conclusion("success").completed_at = "2026-12-07 10:00"; }),
      with([](RunBody& b) { b.head_sha = "main"; }),
  };
  for (const auto& body : rows) {
    BOOST_TEST_CONTEXT(body) { BOOST_TEST(client.Call("POST", kRuns, body).status == 422); }
  }
  BOOST_TEST(client.Call("POST", kRuns, "{oops").status == 400);
  BOOST_TEST(host.GitHubCheckRuns("o/r", kSha).empty());
}

BOOST_AUTO_TEST_CASE(a_completed_run_keeps_its_state_and_late_patches_are_counted) {
  const std::int64_t id = Create(RunBody().Conclusion("failure"));
  const auto reply = client.Call("PATCH", RunPath(id), RunBody().ForPatch().Status("in_progress").Json());
  BOOST_TEST(reply.status == 200);                              // GitHub accepts it ...
  BOOST_TEST(Str(Parse(reply.body), "status") == "completed");  // ... and keeps the run as it was
  BOOST_TEST(host.GitHubCheckRunPatchesAfterCompletion() == 1);
  const auto runs = host.GitHubCheckRuns("o/r", kSha);
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(runs[0].patches_after_completion == 1);
  BOOST_TEST(runs[0].history.size() == 1u);
}

BOOST_AUTO_TEST_CASE(another_apps_run_cannot_be_patched) {
  fluxstatus::testing::FakeCheckRun other;
  other.name = "kustomization/apps";
  other.head_sha = kSha;
  other.app_id = "15368";
  other.status = "in_progress";
  const auto added = host.AddGitHubCheckRun("o/r", other);
  const auto reply = client.Call("PATCH", RunPath(added.id), RunBody().ForPatch().Conclusion("success").Json());
  BOOST_TEST(reply.status == 403);
  BOOST_TEST(Str(Parse(reply.body), "message") ==
             "Invalid app_id 4242 - check run can only be modified by the GitHub App that created it.");
  BOOST_TEST(client.Call("PATCH", RunPath(999999), RunBody().ForPatch().Json()).status == 404);
}

BOOST_AUTO_TEST_CASE(the_listing_filters_and_pages) {
  const std::string list = "/repos/o/r/commits/" + std::string(kSha) + "/check-runs";
  const std::int64_t first = Create(RunBody().Conclusion("failure"));
  const std::int64_t second = Create(RunBody().Status("in_progress"));
  Create(RunBody().Name("other").Status("in_progress"));
  RunBody other_commit;
  other_commit.head_sha = kOtherSha;
  Create(other_commit);
  fluxstatus::testing::FakeCheckRun foreign;
  foreign.name = "kustomization/apps";
  foreign.head_sha = kSha;
  foreign.app_id = "15368";
  host.AddGitHubCheckRun("o/r", foreign);

  auto doc = Parse(client.Call("GET", list + "?check_name=kustomization%2Fapps&filter=all&app_id=4242").body);
  BOOST_TEST(doc["total_count"].GetInt64() == 2);
  BOOST_TEST_REQUIRE(doc["check_runs"].Size() == 2u);
  BOOST_TEST(doc["check_runs"][0]["id"].GetInt64() == second);  // newest first
  BOOST_TEST(doc["check_runs"][1]["id"].GetInt64() == first);
  doc = Parse(client.Call("GET", list + "?check_name=kustomization%2Fapps&app_id=4242").body);  // filter=latest
  BOOST_TEST(doc["total_count"].GetInt64() == 1);
  doc = Parse(client.Call("GET", list + "?check_name=kustomization%2Fapps&filter=all").body);
  BOOST_TEST(doc["total_count"].GetInt64() == 3);
  doc = Parse(client.Call("GET", list + "?filter=all&status=completed").body);
  BOOST_TEST(doc["total_count"].GetInt64() == 1);

  const auto page1 = client.Call("GET", list + "?filter=all&app_id=4242&per_page=2");
  const std::string* link = page1.Header("link");
  BOOST_TEST_REQUIRE(link != nullptr);
  BOOST_TEST(link->find("page=2>; rel=\"next\"") != std::string::npos, *link);
  const auto page2 = client.Call("GET", list + "?filter=all&app_id=4242&per_page=2&page=2");
  BOOST_TEST(Parse(page2.body)["check_runs"].Size() == 1u);
  BOOST_TEST(page2.Header("link")->find("rel=\"next\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_dropped_create_answer_still_leaves_the_run) {
  host.DropConnectionAfterNextPosts(1);
  auto result = client.transport.Send({"POST", host.BaseUrl() + kRuns, client.headers, RunBody().Json()});
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(host.GitHubCheckRuns("o/r", kSha).size() == 1u);
}

// The provider's calls against the fake: what the dispatch step will do, end to end.
BOOST_AUTO_TEST_CASE(github_check_runs_finds_creates_and_patches_on_the_fake) {
  using namespace fluxstatus::dispatch;
  const GitHubCheckRuns provider("r1", host.Address(fluxstatus::testing::HostKind::kGitHub, "o/r"), "4242");
  const Credentials creds{kInstallationToken, ""};
  DesiredCheckRun d;
  d.commit_sha = kSha;
  d.name = "kustomization/apps";
  d.external_id = "fs-r1-1";
  d.started_at = "2026-12-07T10:00:00Z";
  d.output = {"Progressing", "summary", "text"};
  const auto send = [&](const HttpCall& call) {
    auto result = client.transport.Send(call);
    BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
    return *result.reply;
  };
  BOOST_TEST(!provider.InterpretFind(send(provider.BuildFind(d, creds, 1)), d, 0).id.has_value());
  const auto created = provider.InterpretCreate(send(provider.BuildCreate(d, creds)), 0);
  BOOST_TEST_REQUIRE(created.id.has_value(), created.outcome.error);
  d.phase = {true, "failure"};
  d.completed_at = "2026-12-07T10:05:00Z";
  const auto updated = provider.InterpretUpdate(send(provider.BuildUpdate(*created.id, d, creds)), 0);
  BOOST_TEST((updated.kind == OutcomeKind::kSynced), updated.error);
  const auto found = provider.InterpretFind(send(provider.BuildFind(d, creds, 1)), d, 0);
  BOOST_TEST(found.id.value_or("") == *created.id);
  BOOST_TEST((found.phase == fluxstatus::core::CheckRunPhase{true, "failure"}));
  BOOST_TEST(found.title == "Progressing");
  BOOST_TEST(!found.more_pages);
  const auto runs = host.GitHubCheckRuns("o/r", kSha);
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(runs[0].started_at == "2026-12-07T10:00:00Z");
  BOOST_TEST(runs[0].completed_at == "2026-12-07T10:05:00Z");
  BOOST_TEST(host.GitHubCheckRunPatchesAfterCompletion() == 0);
  const auto refused = provider.InterpretCreate(send(provider.BuildCreate(d, {"ghp_pat", ""})), 0);
  BOOST_TEST((refused.outcome.kind == OutcomeKind::kPermanent));
  BOOST_TEST(refused.outcome.error.find("Checks: write") != std::string::npos, refused.outcome.error);
}

BOOST_AUTO_TEST_SUITE_END()
