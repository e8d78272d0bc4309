// FakeGitHost's API front: requests matched to a host's route, the answers every host shares
// (401, errors) and the repository itself (doctor's access check). Each host's statuses API is
// in its own file, fake_git_host_<host>.cpp.
#include "tests/support/fake_git_host_apis.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/rfc3339.h"
#include "tests/support/fake_git_host_api_parts.h"

namespace fluxstatus::testing::fake {
namespace {

// ---- the repository itself (doctor's access check) -----------------------------------------

// GET of the repository: GitHub/GHES /repos/{o}/{r}, GitLab /projects/{id}, Gitea
// /repos/{o}/{r}, Bitbucket Cloud /repositories/{ws}/{repo}, Bitbucket Server
// .../projects/{P}/repos/{slug}, Azure DevOps .../_apis/git/repositories/{repo}.
std::optional<Route> MatchRepository(const ApiRequest& rq) {
  const auto& s = rq.segments;
  const std::size_t n = s.size();
  const auto at = [&](std::size_t i, std::string_view want) { return i < n && s[i] == want; };
  if (rq.method != "GET") return std::nullopt;
  const auto repository = [](HostKind kind, std::string repo) { return Route{kind, Op::kRepository, repo, "", ""}; };
  const std::size_t gh = at(0, "api") && at(1, "v3") ? 2 : 0;
  if (n == gh + 3 && at(gh, "repos")) return repository(HostKind::kGitHub, s[gh + 1] + "/" + s[gh + 2]);
  if (n == 4 && at(0, "api") && at(1, "v4") && at(2, "projects")) return repository(HostKind::kGitLab, s[3]);
  if (n == 5 && at(0, "api") && at(1, "v1") && at(2, "repos")) return repository(HostKind::kGitea, s[3] + "/" + s[4]);
  if (n == 4 && at(0, "2.0") && at(1, "repositories")) return repository(HostKind::kBitbucket, s[2] + "/" + s[3]);
  if (n >= 7 && at(n - 7, "rest") && at(n - 6, "api") && at(n - 4, "projects") && at(n - 2, "repos")) {
    return repository(HostKind::kBitbucketServer, s[n - 3] + "/" + s[n - 1]);
  }
  if (n >= 6 && at(n - 4, "_apis") && at(n - 3, "git") && at(n - 2, "repositories")) {
    return repository(HostKind::kAzureDevOps, Join(s, 0, n - 4) + "/" + s[n - 1]);
  }
  return std::nullopt;
}

// Every repository exists and the token may write to it (GitHub/Gitea permissions.push,
// GitLab Developer access); FailNext gives the other answers.
HttpResponse Repository(const Route& rt) {
  return Answer(200, Json([&](Ar& ar) {
                  ar(make_nvp("full_name", rt.repo));
                  ar.setNextName("permissions");
                  ar.startNode();
                  if (rt.kind == HostKind::kGitLab) {
                    ar.setNextName("project_access");
                    ar.startNode();
                    ar(make_nvp("access_level", 30));
                    ar.finishNode();
                  } else {
                    ar(make_nvp("admin", false), make_nvp("push", true), make_nvp("pull", true));
                  }
                  ar.finishNode();
                }));
}

std::vector<std::string> Rest(const std::vector<std::string>& segments, std::size_t from) {
  return {segments.begin() + static_cast<std::ptrdiff_t>(from), segments.end()};
}

}  // namespace

// ---- shared -------------------------------------------------------------------------------

ApiRequest ApiRequest::From(const ingest::HttpRequest& request) {
  ApiRequest out;
  out.method = request.method;
  out.body = request.body;
  const std::string_view target = request.target;
  const auto question = target.find('?');
  out.path = std::string(target.substr(0, question));
  for (const auto segment : Split(out.path, '/')) {
    if (!segment.empty()) out.segments.push_back(Decode(segment));
  }
  if (question != std::string_view::npos) {
    for (const auto pair : Split(target.substr(question + 1), '&')) {
      const auto eq = pair.find('=');
      if (!pair.empty())
        out.query.emplace(Decode(pair.substr(0, eq)), eq == pair.npos ? "" : Decode(pair.substr(eq + 1)));
    }
  }
  const std::string* host = request.Header("host");
  out.base_url = "http://" + (host != nullptr ? *host : std::string("127.0.0.1"));
  return out;
}

std::string ApiRequest::Query(const std::string& name, const std::string& fallback) const {
  const auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

int ApiRequest::QueryInt(const std::string& name, int fallback, int min, int max) const {
  const std::string text = Query(name);
  int value = fallback;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) value = fallback;
  return std::clamp(value, min, max);
}

std::string ApiRequest::PageUrl() const {
  std::string url = base_url + path + "?";
  for (const auto& [name, value] : query) url += name == "page" ? "" : Encode(name) + "=" + Encode(value) + "&";
  return url;
}

std::optional<Route> Match(const ApiRequest& rq) {
  if (auto repository = MatchRepository(rq)) return repository;
  const auto& s = rq.segments;
  const std::size_t n = s.size();
  const bool get = rq.method == "GET", post = rq.method == "POST";
  const Op create_or_list = post ? Op::kCreate : Op::kList;
  const auto at = [&](std::size_t i, std::string_view want) { return i < n && s[i] == want; };
  if (at(0, "repos") || (at(0, "api") && at(1, "v3"))) {  // GitHub and GHES
    const std::size_t b = at(0, "api") ? 2 : 0;
    if ((get || post) && n == b + 5 && at(b, "repos") && at(b + 3, "statuses")) {  // GET: legacy list alias
      return Route{HostKind::kGitHub, create_or_list, s[b + 1] + "/" + s[b + 2], s[b + 4], ""};
    }
    if (get && n >= b + 6 && at(b, "repos") && at(b + 3, "commits") && s[n - 1] == "statuses") {
      return Route{HostKind::kGitHub, Op::kList, s[b + 1] + "/" + s[b + 2], Join(s, b + 4, n - 1), ""};
    }
    if (n >= b + 4 && at(b, "repos") && at(b + 3, "deployments")) {  // every method: the handler answers
      return Route{HostKind::kGitHub, Op::kDeployments, s[b + 1] + "/" + s[b + 2], "", "", Rest(s, b + 3)};
    }
    if (n >= b + 4 && at(b, "repos") && at(b + 3, "check-runs")) {  // every method: the handler answers
      return Route{HostKind::kGitHub, Op::kCheckRuns, s[b + 1] + "/" + s[b + 2], "", "", Rest(s, b + 3)};
    }
    if (get && n >= b + 6 && at(b, "repos") && at(b + 3, "commits") && s[n - 1] == "check-runs") {
      return Route{HostKind::kGitHub, Op::kCheckRuns, s[b + 1] + "/" + s[b + 2], Join(s, b + 4, n - 1), "",
                   {"commits"}};
    }
  } else if (at(0, "api") && at(1, "v4") && at(2, "projects")) {  // GitLab
    if (post && n == 6 && at(4, "statuses")) return Route{HostKind::kGitLab, Op::kCreate, s[3], s[5], ""};
    if (get && n == 8 && at(4, "repository") && at(5, "commits") && at(7, "statuses")) {
      return Route{HostKind::kGitLab, Op::kList, s[3], s[6], ""};
    }
    if (n >= 5 && (at(4, "deployments") || at(4, "environments"))) {
      return Route{HostKind::kGitLab, Op::kDeployments, s[3], "", "", Rest(s, 4)};
    }
  } else if (at(0, "api") && at(1, "v1") && at(2, "repos") && n >= 7) {  // Gitea
    if ((get || post) && n == 7 && at(5, "statuses")) {
      return Route{HostKind::kGitea, create_or_list, s[3] + "/" + s[4], s[6], ""};
    }
    if (get && at(5, "commits") && s[n - 1] == "statuses") {
      return Route{HostKind::kGitea, Op::kList, s[3] + "/" + s[4], Join(s, 6, n - 1), ""};
    }
  } else if (at(0, "2.0") && at(1, "repositories") && at(4, "commit") && at(6, "statuses")) {  // Bitbucket Cloud
    const std::string repo = s[2] + "/" + s[3];
    if (get && n == 7) return Route{HostKind::kBitbucket, Op::kList, repo, s[5], ""};
    if (post && n == 8 && at(7, "build")) return Route{HostKind::kBitbucket, Op::kCreate, repo, s[5], ""};
    if (get && n == 9 && at(7, "build")) return Route{HostKind::kBitbucket, Op::kGetOne, repo, s[5], s[8]};
  } else {
    for (std::size_t j = 2; j + 7 <= n; ++j) {  // Azure DevOps: /{org...}/{project}/_apis/git/...
      if ((get || post) && n == j + 7 && at(j, "_apis") && at(j + 1, "git") && at(j + 2, "repositories") &&
          at(j + 4, "commits") && at(j + 6, "statuses")) {
        return Route{HostKind::kAzureDevOps, create_or_list, Join(s, 0, j) + "/" + s[j + 3], s[j + 5], ""};
      }
    }
    for (std::size_t r = 0; r + 10 <= n; ++r) {  // Bitbucket Server, under any context path
      if ((get || post) && n == r + 10 && at(r, "rest") && at(r + 1, "api") && at(r + 3, "projects") &&
          at(r + 5, "repos") && at(r + 7, "commits") && at(r + 9, "builds")) {
        return Route{HostKind::kBitbucketServer, post ? Op::kCreate : Op::kGetOne, s[r + 4] + "/" + s[r + 6], s[r + 8],
                     ""};
      }
    }
  }
  return std::nullopt;
}

ingest::HttpResponse Apply(const Route& route, const ApiRequest& request, Store& store, const CheckRunCaller& caller) {
  if (route.op == Op::kRepository) return Repository(route);
  switch (route.kind) {
    case HostKind::kGitHub: {
      HttpResponse r = route.op == Op::kDeployments ? GitHubDeployments(route, request, store)
                       : route.op == Op::kCheckRuns ? GitHubCheckRuns(route, request, store, caller)
                                                    : GitHub(route, request, store);
      const std::int64_t used = ++store.github_calls;
      const auto reset = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1));
      r.headers.insert(r.headers.end(),
                       {{"X-RateLimit-Limit", "5000"},
                        {"X-RateLimit-Remaining", std::to_string(std::max<std::int64_t>(0, 5000 - used))},
                        {"X-RateLimit-Used", std::to_string(used)},
                        {"X-RateLimit-Reset", std::to_string(reset.count())},
                        {"X-RateLimit-Resource", "core"}});
      return r;
    }
    case HostKind::kGitLab:
      if (route.op != Op::kDeployments) return GitLab(route, request, store);
      return route.rest[0] == "deployments" ? GitLabDeployments(route, request, store)
                                            : GitLabEnvironments(route, request, store);
    case HostKind::kGitea: return Gitea(route, request, store);
    case HostKind::kBitbucket:
    case HostKind::kBitbucketServer: return Bitbucket(route, request, store);
    case HostKind::kAzureDevOps: return AzureDevOps(route, request, store);
  }
  return MessageAnswer(500, "unknown host kind");
}

ingest::HttpResponse Unauthorized(HostKind kind) {
  switch (kind) {
    case HostKind::kGitHub: return Error(kind, 401, "Bad credentials");
    case HostKind::kGitLab: return Error(kind, 401, "401 Unauthorized");
    case HostKind::kGitea: return Error(kind, 401, "token is required");
    case HostKind::kBitbucket: return Error(kind, 401, "Unauthorized");
    case HostKind::kBitbucketServer: return Error(kind, 401, "Authentication failed. Please check your credentials.");
    case HostKind::kAzureDevOps: break;
  }
  HttpResponse r = Answer(401, "", {{"WWW-Authenticate", "Basic realm=\"https://dev.azure.com/\", Bearer"}});
  r.content_type = "text/html";  // Azure DevOps answers a bare 401 with an HTML page
  return r;
}

ingest::HttpResponse MessageAnswer(int status, const std::string& text) {
  return Error(HostKind::kGitHub, status, text);
}

std::string NowText() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return core::FormatRfc3339Millis(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace fluxstatus::testing::fake
