// A stateful, in-process fake of the six Git hosts' commit-status APIs (create + list, with
// each host's semantics from git-hosts.md A.1-A.6), of GitHub's and GitLab's deployments
// and GitLab's environments, and of GitHub's check runs (deployments-and-checks.md 1, 2 and
// 4), on 127.0.0.1, for dispatch and
// transport tests: it records every request, checks credentials, and injects faults on demand.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/fake_git_host_check_runs.h"
#include "tests/support/fake_git_host_deployments.h"

namespace fluxstatus::testing {

// Which API a request (or a stored status) belongs to. Every kind is served at once; the
// request path decides (see FakeGitHost).
enum class HostKind { kGitHub, kGitLab, kGitea, kBitbucket, kBitbucketServer, kAzureDevOps };

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One request as received.
struct FakeRequest {
  std::string method;
  std::string target;  // path and query, as sent
  HeaderList headers;  // names lower-cased
  std::string body;
  std::string remote;  // the client's "ip:port": equal for two requests on one connection

  const std::string* Header(std::string_view lower_name) const;
};

// One status as the host holds it, with the host's own spelling of the state.
struct FakeStatus {
  std::int64_t id = 0;
  std::string context;  // GitHub/Gitea context, GitLab name, Bitbucket key, ADO context.name
  std::string state;    // "success", "failed", "SUCCESSFUL", "succeeded", ...
  std::string description;
  std::string target_url;  // Bitbucket "url", ADO "targetUrl"
  std::string name;        // Bitbucket name; ADO context.genre; GitLab ref
  std::string updated_at;  // RFC 3339, when last created or overwritten
};

// Paths served (Bitbucket Server's also under a context path):
//   GitHub   [/api/v3]/repos/{o}/{r}/statuses/{sha} (POST; GET = legacy list alias),
//            [/api/v3]/repos/{o}/{r}/commits/{ref}/statuses (GET),
//            [/api/v3]/app/installations/{id}/access_tokens (POST),
//            [/api/v3]/orgs/{org}/installation, [/api/v3]/users/{user}/installation (GET; see
//            SetGitHubApp and InstallGitHubApp)
//            [/api/v3]/repos/{o}/{r}/deployments (POST, GET ?sha=&ref=&task=&environment=),
//            .../deployments/{id} (GET), .../deployments/{id}/statuses (POST, GET),
//            .../deployments/{id}/statuses/{status_id} (GET); deployments-and-checks.md 1
//            [/api/v3]/repos/{o}/{r}/check-runs (POST), .../check-runs/{id} (GET, PATCH),
//            .../commits/{sha}/check-runs (GET ?check_name=&status=&filter=&app_id=&per_page=
//            &page=, newest first, with Link); deployments-and-checks.md 2
//   GitLab   /api/v4/projects/{id}/statuses/{sha} (POST),
//            /api/v4/projects/{id}/repository/commits/{sha}/statuses (GET),
//            /api/v4/projects/{id}/deployments (POST, GET ?environment=&status=&order_by=&sort=),
//            .../deployments/{deployment_id} (GET, PUT), /api/v4/projects/{id}/environments
//            (POST, GET ?name=&search=&states=), .../environments/{environment_id} (GET, PUT);
//            deployments-and-checks.md 4
//   Gitea    /api/v1/repos/{o}/{r}/statuses/{sha} (POST, GET), /api/v1/repos/{o}/{r}/commits/{ref}/statuses
//   Bitbucket Cloud  /2.0/repositories/{ws}/{repo}/commit/{sha}/statuses (GET list),
//                    .../statuses/build (POST, upsert by key), .../statuses/build/{key} (GET)
//   Bitbucket Server .../rest/api/{latest|1.0}/projects/{P}/repos/{slug}/commits/{sha}/builds
//                    (POST: upsert by key, 204; GET ?key=); not the legacy build-status/1.0
//   Azure DevOps /{org...}/{project}/_apis/git/repositories/{repo}/commits/{sha}/statuses?api-version=
// The `repo` of Statuses() is what the API path names, percent-decoded: "owner/repo",
// "group/sub/project", "workspace/repo", "PROJ/slug", and for ADO "org/project/repo".
// GitLab treats every sha as being on branch "main" unless the POST names a ref.
// Deployments: GitHub takes only a full SHA as a deployment's ref and, with auto_merge left on,
// answers 409 "Conflict merging main into ..." for every one (as if main were always ahead);
// with required_contexts left out, 409 unless every GitHub commit status context held for the
// SHA (Statuses()) is success. GitLab takes any 40-hex sha and any ref.
// Check runs: only the installation token of the App (SetGitHubApp) may create or PATCH them;
// another token the host takes gets 403 "You must authenticate via a GitHub App." (reads
// accept either). A run can be PATCHed only by its App (403 "Invalid app_id ..."), `completed`
// needs a conclusion (422 missing_field), and a conclusion completes the run. Refs are SHAs.
// Credentials and faults apply to these paths as to the statuses'.
//
// Thread-safety: every method may be called from any test thread while requests are served.
class FakeGitHost {
 public:
  struct Options {
    // The credential every API call must carry, in any of the forms the hosts take:
    // Authorization "Bearer T" / "token T" / "Basic base64(user:T)" or GitLab's PRIVATE-TOKEN.
    // Empty: credentials are not checked. A mismatch is answered 401 in the host's shape.
    std::string token;
    std::string username;  // when set, Basic credentials must name this user
    int threads = 1;       // I/O threads; delayed answers never hold one
    uint16_t port = 0;     // 0: FreePort()'s pick (tests); fixed only for the standalone fake-git-host
  };

  // Binds 127.0.0.1 on options.port (FreePort()'s pick when 0) and starts serving. Throws what HttpServer throws.
  explicit FakeGitHost(Options options);
  FakeGitHost();
  // Stops serving; answers still delayed are dropped with their connections.
  ~FakeGitHost();
  FakeGitHost(const FakeGitHost&) = delete;
  FakeGitHost& operator=(const FakeGitHost&) = delete;

  uint16_t port() const;
  std::string BaseUrl() const;  // "http://127.0.0.1:<port>"
  // A route address for `kind` naming `repo` (as Statuses() spells it), from which the
  // providers derive this host's API base: e.g. kGitHub "owner/repo" ->
  // "http://127.0.0.1:<port>/owner/repo" (GHES shape: /api/v3), kBitbucketServer "PROJ/slug"
  // -> ".../scm/PROJ/slug", kAzureDevOps "org/project/repo" -> ".../org/project/_git/repo".
  std::string Address(HostKind kind, std::string_view repo) const;

  std::vector<FakeRequest> Requests() const;
  void ClearRequests();
  // The statuses held for (kind, repo, sha), oldest first (Bitbucket: one per key, in the
  // order the keys first appeared).
  std::vector<FakeStatus> Statuses(HostKind kind, std::string_view repo, std::string_view sha) const;
  // GitHub deployments of `repo` ("owner/repo"), oldest first, each with its statuses oldest
  // first (auto_inactive's included).
  std::vector<FakeDeployment> GitHubDeployments(std::string_view repo) const;
  // GitLab deployments and environments of `project` (as the path names it, decoded: "7",
  // "group/app"), oldest first.
  std::vector<FakeGitLabDeployment> GitLabDeployments(std::string_view project) const;
  std::vector<FakeGitLabEnvironment> GitLabEnvironments(std::string_view project) const;
  // GitHub check runs of `repo` ("owner/repo") on `sha` (any case), named `name` (empty: any),
  // oldest first.
  std::vector<FakeCheckRun> GitHubCheckRuns(std::string_view repo, std::string_view sha,
                                            std::string_view name = {}) const;
  // PATCHes that reached an already completed run, over every repository: GitHub accepts them,
  // but its UI keeps showing the run as it was.
  int GitHubCheckRunPatchesAfterCompletion() const;
  // Adds `run` to `repo` as if another App (run.app_id) had created it; its id and suite are
  // assigned and returned in it. For testing what a client does with runs it may not change.
  FakeCheckRun AddGitHubCheckRun(std::string_view repo, FakeCheckRun run);

  // The next `n` requests (any path) are answered `status` with `headers` and `body` (a JSON
  // {"message": ...} when empty) without being applied. Calls queue up behind each other.
  void FailNext(int n, int status, HeaderList headers = {}, std::string body = {});
  // Shorthands: 429 with Retry-After: retry_after_s; GitHub's primary rate limit: 403 with
  // x-ratelimit-remaining: 0 and x-ratelimit-reset: reset_epoch_s.
  void RateLimitNext(int n, int retry_after_s);
  void GitHubRateLimitNext(int n, std::int64_t reset_epoch_s);
  // Every answer waits `delay` after the request was applied (so a client timing out has
  // still changed the host's state). Zero turns it off.
  void SetDelay(std::chrono::milliseconds delay);
  // Down: the listening socket is closed (connections are refused) and open connections are
  // cut. Back up: listening again on the same port. The stored statuses survive.
  void SetDown(bool down);
  // The next `n` POSTs are applied (the host keeps the status, deployment or check run) and then
  // left unanswered: the host closes the connection, as a host or load balancer that drops a
  // kept-alive connection after reading a request does. Closing it restarts the listener on the same port, which cuts
  // every other open connection too and refuses connections for a moment.
  void DropConnectionAfterNextPosts(int n);
  // Returns once every dropped connection's listener restart has finished, so the next call is
  // not refused: a client sees the drop before the host listens again.
  void AwaitListening() const;

  // Serves GitHub App installation tokens: a POST to .../app/installations/{id}/access_tokens
  // whose Bearer JWT is RS256-signed by `public_key_pem`'s key, has iss == app_id and lasts at
  // most 10 minutes is answered 201 {token, expires_at: expires_at_epoch_s}; otherwise 401.
  // Calling it again changes the App and keeps its installations.
  void SetGitHubApp(std::string app_id, std::string public_key_pem, std::string token, std::int64_t expires_at_epoch_s);
  // Installs the App (set first) on the account `owner` as installation `installation_id`:
  // GET .../orgs/{owner}/installation (an organization) or .../users/{owner}/installation (a
  // user) answers {id, account} to the App's JWT, other owners 404; and from then on only the
  // installed ids get tokens (other ids 404, as GitHub answers for an uninstalled App).
  void InstallGitHubApp(std::string owner, bool organization, std::int64_t installation_id);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// A new 2048-bit RSA key pair for a test GitHub App, as PEM: the private key (PKCS#8) for the
// route's github_private_key_file, the public one (SubjectPublicKeyInfo) for SetGitHubApp.
// Throws std::runtime_error when OpenSSL fails.
struct GitHubAppKeys {
  std::string private_pem, public_pem;
};
GitHubAppKeys MakeGitHubAppKeys();

// base64url (RFC 4648 §5, padding optional), as in a JWT's parts.
std::string DecodeBase64Url(std::string text);

}  // namespace fluxstatus::testing
