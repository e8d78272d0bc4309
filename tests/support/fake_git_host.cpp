#include "tests/support/fake_git_host.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <cereal/external/base64.hpp>

#include "core/compact_json.h"
#include "core/rfc3339.h"
#include "ingest/http_server.h"
#include "tests/support/fake_git_host_api_parts.h"
#include "tests/support/fake_git_host_apis.h"
#include "tests/support/fake_git_host_app.h"
#include "tests/support/free_port.h"

namespace fluxstatus::testing {
namespace {

using ingest::HttpResponse;

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

const std::string* FakeRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

struct FakeGitHost::State {
  struct Delayed {
    ingest::Responder responder;
    HttpResponse response;
    bool drop_connection = false;  // never answer: close the connection instead
  };

  const Options options;
  uint16_t port = 0;

  mutable std::mutex mu;  // guards everything below up to server_mu
  std::vector<FakeRequest> requests;
  fake::Store store;
  std::deque<HttpResponse> faults;
  int posts_to_drop = 0;
  int restarts_due = 0;  // dropped requests whose listener restart has not finished (delay_mu)
  std::chrono::milliseconds delay{0};
  std::optional<fake::GitHubApp> app;

  std::mutex server_mu;  // guards server and closed; never taken by I/O threads
  std::unique_ptr<ingest::HttpServer> server;
  bool closed = false;  // the destructor has stopped serving for good

  std::mutex delay_mu;  // guards pending and stopping
  std::condition_variable delay_cv;
  std::multimap<std::chrono::steady_clock::time_point, Delayed> pending;
  bool stopping = false;
  std::thread delayer;

  // No port asked for: one below the ephemeral range (FreePort), not the kernel's pick from it.
  // RestartListener binds the port again, and an ephemeral port may meanwhile have become the
  // local end of any outgoing connection on the machine ("Address already in use").
  explicit State(Options o) : options(std::move(o)), port(options.port != 0 ? options.port : FreePort()) {}

  void StartServer() {
    ingest::HttpServerOptions server_options;
    server_options.host = "127.0.0.1";
    server_options.port = port;
    server_options.threads = options.threads;
    server = std::make_unique<ingest::HttpServer>(server_options,
                                                  [this](ingest::HttpRequest&& request, ingest::Responder respond) {
                                                    Handle(std::move(request), std::move(respond));
                                                  });
    server->Start();
  }

  bool Authorized(const ingest::HttpRequest& request, HostKind kind) const {
    if (options.token.empty()) return true;
    if (kind == HostKind::kGitLab) {
      if (const std::string* private_token = request.Header("private-token")) return *private_token == options.token;
    }
    const std::string* auth = request.Header("authorization");
    if (auth == nullptr) return false;
    for (const std::string_view scheme : {"Bearer ", "token "}) {
      if (StartsWithNoCase(*auth, scheme)) return auth->substr(scheme.size()) == options.token;
    }
    if (!StartsWithNoCase(*auth, "Basic ")) return false;
    const std::string pair = cereal::base64::decode(auth->substr(6));
    const auto colon = pair.find(':');
    return colon != std::string::npos && pair.substr(colon + 1) == options.token &&
           (options.username.empty() || pair.substr(0, colon) == options.username);
  }

  // Check runs take the App's installation token for everything, and other tokens for reads.
  fake::CheckRunCaller CheckRunCallerOf(const ingest::HttpRequest& request) const {
    fake::CheckRunCaller caller;
    const std::string* auth = request.Header("authorization");
    if (app && auth != nullptr) {
      for (const std::string_view scheme : {"Bearer ", "token "}) {
        if (StartsWithNoCase(*auth, scheme) && auth->substr(scheme.size()) == app->token) caller.installation = true;
      }
    }
    if (caller.installation) caller.app_id = app->id;
    caller.reader = caller.installation || Authorized(request, HostKind::kGitHub);
    return caller;
  }

  // On an I/O thread. Records, then answers from the fault queue or the host's semantics; the
  // answer goes out now or, with a delay set, from the delayer thread.
  void Handle(ingest::HttpRequest&& request, ingest::Responder respond) {
    HttpResponse response;
    std::chrono::milliseconds wait{0};
    bool drop = false;
    {
      std::lock_guard lock(mu);
      requests.push_back(FakeRequest{request.method, request.target, request.headers, request.body, request.remote});
      wait = delay;
      if (request.method == "POST" && posts_to_drop > 0) {
        --posts_to_drop;
        drop = true;
        wait = std::chrono::milliseconds(0);
      }
      if (!faults.empty()) {
        response = std::move(faults.front());
        faults.pop_front();
      } else {
        const fake::ApiRequest api = fake::ApiRequest::From(request);
        const auto route = fake::Match(api);
        if (auto answer = fake::AnswerGitHubApp(api, request.Header("authorization"), app)) {
          response = std::move(*answer);
        } else if (!route) {
          response = fake::MessageAnswer(404, "Not Found");
        } else if (route->op == fake::Op::kCheckRuns) {
          response = fake::Apply(*route, api, store, CheckRunCallerOf(request));
        } else if (!Authorized(request, route->kind)) {
          response = fake::Unauthorized(route->kind);
        } else {
          response = fake::Apply(*route, api, store);
        }
      }
    }
    if (wait.count() <= 0 && !drop) {
      respond(std::move(response));
      return;
    }
    {
      // A dropped request goes through the delayer too: only another thread may stop the server.
      std::lock_guard lock(delay_mu);
      restarts_due += drop ? 1 : 0;
      pending.emplace(std::chrono::steady_clock::now() + wait, Delayed{std::move(respond), std::move(response), drop});
    }
    delay_cv.notify_all();
  }

  // Closes every connection, the dropped request's included, and listens again on the port.
  void RestartListener() {
    std::lock_guard lock(server_mu);
    if (closed || !server) return;
    server->Stop(std::chrono::milliseconds(0));
    server.reset();
    StartServer();
  }

  // The delayer thread: answers each delayed request when it falls due, until stopping.
  void RunDelayer() {
    std::unique_lock lock(delay_mu);
    while (!stopping) {
      if (pending.empty()) {
        delay_cv.wait(lock);
        continue;
      }
      const auto due = pending.begin()->first;
      if (std::chrono::steady_clock::now() < due) {
        delay_cv.wait_until(lock, due);
        continue;
      }
      auto node = pending.extract(pending.begin());
      lock.unlock();
      if (node.mapped().drop_connection) {
        RestartListener();  // the responder dies after the stop: a no-op, no 500 goes out
        std::lock_guard done(delay_mu);
        --restarts_due;
        delay_cv.notify_all();
      } else {
        node.mapped().responder(std::move(node.mapped().response));
      }
      lock.lock();
    }
  }
};

FakeGitHost::FakeGitHost() : FakeGitHost(Options{}) {}

FakeGitHost::FakeGitHost(Options options) : state_(std::make_shared<State>(std::move(options))) {
  state_->delayer = std::thread([state = state_.get()] { state->RunDelayer(); });
  try {
    std::lock_guard lock(state_->server_mu);
    for (int attempt = 1;; ++attempt) {
      try {
        state_->StartServer();
        break;
      } catch (const std::runtime_error&) {
        // Another test took the picked port a moment ago: pick again, unless it was asked for.
        if (state_->options.port != 0 || attempt == 5) throw;
        state_->port = FreePort();
      }
    }
  } catch (...) {
    {
      std::lock_guard lock(state_->delay_mu);
      state_->stopping = true;
    }
    state_->delay_cv.notify_all();
    state_->delayer.join();
    throw;
  }
}

FakeGitHost::~FakeGitHost() {
  {
    std::lock_guard lock(state_->server_mu);
    state_->closed = true;
    if (state_->server) state_->server->Stop(std::chrono::milliseconds(0));
  }
  {
    std::lock_guard lock(state_->delay_mu);
    state_->stopping = true;
  }
  state_->delay_cv.notify_all();
  state_->delayer.join();
  state_->pending.clear();  // the server is stopped: these responders are no-ops now
}

uint16_t FakeGitHost::port() const { return state_->port; }

std::string FakeGitHost::BaseUrl() const { return "http://127.0.0.1:" + std::to_string(state_->port); }

std::string FakeGitHost::Address(HostKind kind, std::string_view repo) const {
  const std::string r(repo);
  switch (kind) {
    case HostKind::kBitbucketServer: return BaseUrl() + "/scm/" + r;
    case HostKind::kAzureDevOps: {
      const auto slash = r.rfind('/');
      return BaseUrl() + "/" + r.substr(0, slash) + "/_git/" + r.substr(slash + 1);
    }
    case HostKind::kGitHub:
    case HostKind::kGitLab:
    case HostKind::kGitea:
    case HostKind::kBitbucket: break;
  }
  return BaseUrl() + "/" + r;
}

std::vector<FakeRequest> FakeGitHost::Requests() const {
  std::lock_guard lock(state_->mu);
  return state_->requests;
}

void FakeGitHost::ClearRequests() {
  std::lock_guard lock(state_->mu);
  state_->requests.clear();
}

std::vector<FakeStatus> FakeGitHost::Statuses(HostKind kind, std::string_view repo, std::string_view sha) const {
  std::lock_guard lock(state_->mu);
  const auto it = state_->store.statuses.find({kind, std::string(repo), std::string(sha)});
  return it == state_->store.statuses.end() ? std::vector<FakeStatus>{} : it->second;
}

namespace {

template <class Map>
typename Map::mapped_type Held(const Map& map, std::string_view key) {
  const auto it = map.find(std::string(key));
  return it == map.end() ? typename Map::mapped_type{} : it->second;
}

}  // namespace

std::vector<FakeDeployment> FakeGitHost::GitHubDeployments(std::string_view repo) const {
  std::lock_guard lock(state_->mu);
  return Held(state_->store.github_deployments, repo);
}

std::vector<FakeGitLabDeployment> FakeGitHost::GitLabDeployments(std::string_view project) const {
  std::lock_guard lock(state_->mu);
  return Held(state_->store.gitlab_deployments, project);
}

std::vector<FakeGitLabEnvironment> FakeGitHost::GitLabEnvironments(std::string_view project) const {
  std::lock_guard lock(state_->mu);
  return Held(state_->store.gitlab_environments, project);
}

std::vector<FakeCheckRun> FakeGitHost::GitHubCheckRuns(std::string_view repo, std::string_view sha,
                                                       std::string_view name) const {
  std::lock_guard lock(state_->mu);
  std::vector<FakeCheckRun> out;
  for (const FakeCheckRun& run : Held(state_->store.github_check_runs, repo)) {
    if (run.head_sha == fake::Lower(std::string(sha)) && (name.empty() || run.name == name)) out.push_back(run);
  }
  return out;
}

int FakeGitHost::GitHubCheckRunPatchesAfterCompletion() const {
  std::lock_guard lock(state_->mu);
  return state_->store.check_run_patches_after_completion;
}

FakeCheckRun FakeGitHost::AddGitHubCheckRun(std::string_view repo, FakeCheckRun run) {
  std::lock_guard lock(state_->mu);
  return fake::AddCheckRun(state_->store, std::string(repo), std::move(run));
}

void FakeGitHost::FailNext(int n, int status, HeaderList headers, std::string body) {
  HttpResponse r = body.empty() ? fake::MessageAnswer(status, "injected fault: HTTP " + std::to_string(status))
                                : HttpResponse{status, "application/json", std::move(body), {}};
  r.status = status;
  r.headers = std::move(headers);
  std::lock_guard lock(state_->mu);
  for (int i = 0; i < n; ++i) state_->faults.push_back(r);
}

void FakeGitHost::RateLimitNext(int n, int retry_after_s) {
  FailNext(n, 429, {{"Retry-After", std::to_string(retry_after_s)}},
           core::CompactJson([](cereal::JSONOutputArchive& ar) {
             ar(cereal::make_nvp("message", std::string("Rate limit for this resource has been exceeded")));
           }));
}

void FakeGitHost::GitHubRateLimitNext(int n, std::int64_t reset_epoch_s) {
  FailNext(n, 403,
           {{"X-RateLimit-Limit", "5000"},
            {"X-RateLimit-Remaining", "0"},
            {"X-RateLimit-Used", "5000"},
            {"X-RateLimit-Reset", std::to_string(reset_epoch_s)},
            {"X-RateLimit-Resource", "core"}},
           core::CompactJson([](cereal::JSONOutputArchive& ar) {
             ar(cereal::make_nvp("message", std::string("API rate limit exceeded for installation ID 1.")),
                cereal::make_nvp("documentation_url", std::string("https://docs.github.com/rest/rate-limit")));
           }));
}

void FakeGitHost::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mu);
  state_->delay = delay;
}

void FakeGitHost::SetDown(bool down) {
  std::lock_guard lock(state_->server_mu);
  if (down && state_->server) {
    state_->server->Stop(std::chrono::milliseconds(0));
    state_->server.reset();
  } else if (!down && !state_->server) {
    state_->StartServer();  // same port: the acceptor sets SO_REUSEADDR
  }
}

void FakeGitHost::AwaitListening() const {
  std::unique_lock lock(state_->delay_mu);
  state_->delay_cv.wait(lock, [&] { return state_->restarts_due == 0 || state_->stopping; });
}

void FakeGitHost::DropConnectionAfterNextPosts(int n) {
  std::lock_guard lock(state_->mu);
  state_->posts_to_drop = n;
}

void FakeGitHost::SetGitHubApp(std::string app_id, std::string public_key_pem, std::string token,
                               std::int64_t expires_at_epoch_s) {
  std::lock_guard lock(state_->mu);
  std::vector<fake::AppInstallation> installations;
  if (state_->app) installations = std::move(state_->app->installations);
  state_->app = fake::GitHubApp{std::move(app_id), std::move(public_key_pem), std::move(token), expires_at_epoch_s,
                                std::move(installations)};
}

void FakeGitHost::InstallGitHubApp(std::string owner, bool organization, std::int64_t installation_id) {
  std::lock_guard lock(state_->mu);
  if (!state_->app) throw std::logic_error("InstallGitHubApp before SetGitHubApp");
  state_->app->installations.push_back(fake::AppInstallation{std::move(owner), organization, installation_id});
}

}  // namespace fluxstatus::testing
