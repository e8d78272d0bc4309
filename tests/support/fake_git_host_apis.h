// Internal to FakeGitHost: the six hosts' commit-status semantics (routing, validation, state,
// answers) as plain functions over a Store, free of sockets and threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ingest/http_server.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/fake_git_host_deployments.h"

namespace fluxstatus::testing::fake {

// Everything the hosts hold. Not synchronised: FakeGitHost calls in with its mutex held.
struct Store {
  std::map<std::tuple<HostKind, std::string, std::string>, std::vector<FakeStatus>> statuses;
  std::map<std::string, std::vector<FakeDeployment>> github_deployments;          // by repo, oldest first
  std::map<std::string, std::vector<FakeGitLabDeployment>> gitlab_deployments;    // by project, oldest first
  std::map<std::string, std::vector<FakeGitLabEnvironment>> gitlab_environments;  // by project
  std::map<std::string, std::vector<FakeCheckRun>> github_check_runs;             // by repo, oldest first
  int check_run_patches_after_completion = 0;
  std::int64_t next_id = 1;
  std::int64_t gitlab_changes = 0;  // orders GitLab deployments by their last change
  std::int64_t github_calls = 0;    // for x-ratelimit-remaining
};

// A request split the way the routes need it.
struct ApiRequest {
  std::string method;
  std::string path;                          // raw, as received
  std::vector<std::string> segments;         // path split on '/', each percent-decoded
  std::map<std::string, std::string> query;  // decoded; the first of repeated names wins
  std::string body;
  std::string base_url;  // "http://<host header>", for Link and Location

  static ApiRequest From(const ingest::HttpRequest& request);
  std::string Query(const std::string& name, const std::string& fallback = {}) const;
  int QueryInt(const std::string& name, int fallback, int min, int max) const;
  // base_url + path + "?" + every query parameter but `page` (encoded), each followed by '&':
  // what Paging::Link adds page=N to.
  std::string PageUrl() const;
};

// kGetOne: one Bitbucket status by key; kRepository: the repository itself (what `fluxstatus
// doctor` reads); kDeployments: anything under GitHub's or GitLab's .../deployments or GitLab's
// .../environments, told apart by Route::rest; kCheckRuns: GitHub's .../check-runs[/{id}] and
// .../commits/{sha}/check-runs (rest "check-runs" [id], or "commits" with the ref in `sha`).
// A GitHub App's own calls are fake_git_host_app.h's.
enum class Op { kCreate, kList, kGetOne, kRepository, kDeployments, kCheckRuns };

struct Route {
  Route() = default;
  // So the statuses' routes, which have no `rest`, need not name it.
  Route(HostKind host, Op operation, std::string repository, std::string commit, std::string status_key,
        std::vector<std::string> after_repository = {})
      : kind(host),
        op(operation),
        repo(std::move(repository)),
        sha(std::move(commit)),
        key(std::move(status_key)),
        rest(std::move(after_repository)) {}

  HostKind kind = HostKind::kGitHub;
  Op op = Op::kList;
  std::string repo;               // as FakeGitHost::Statuses names it
  std::string sha;                // or GitHub/Gitea ref
  std::string key;                // Bitbucket Cloud key from the path
  std::vector<std::string> rest;  // kDeployments: the path after the repository, "deployments", ...
};

// The API `request` addresses, or nullopt (answer 404).
std::optional<Route> Match(const ApiRequest& request);

// Who calls the check-run API: GitHub lets only a GitHub App's installation token write runs
// (deployments-and-checks.md 2.2), and any token read them.
struct CheckRunCaller {
  bool installation = false;  // the token is the App's installation token
  bool reader = false;        // the host takes the token (an installation token included)
  std::string app_id;         // the App's id, when installation
};

// Applies a matched request to `store` and builds the host's answer. Authenticated already,
// except check runs, which `caller` decides.
ingest::HttpResponse Apply(const Route& route, const ApiRequest& request, Store& store,
                           const CheckRunCaller& caller = {});

// The host's 401 answer.
ingest::HttpResponse Unauthorized(HostKind kind);

// A JSON {"message": text} answer with `status` (404s, injected faults).
ingest::HttpResponse MessageAnswer(int status, const std::string& text);

// Current wall-clock time as RFC 3339 (the fake's timestamps only).
std::string NowText();

}  // namespace fluxstatus::testing::fake
