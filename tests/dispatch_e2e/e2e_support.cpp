// The dispatch end-to-end helpers of e2e_support.h: events, HTTP, reads of the database and of
// the fake host, posting straight to the host. InProcess: e2e_in_process.cpp; the real binary:
// e2e_serve.cpp.
#include "tests/dispatch_e2e/e2e_support.h"

#include <curl/curl.h>

#include <array>
#include <stdexcept>

#include "core/rfc3339.h"
#include "dispatch/http_transport.h"
#include "dispatch/provider_factory.h"
#include "store/database.h"
#include "store/outbox.h"

namespace fluxstatus::dispatch_e2e {

// ---------------------------------------------------------------- events

Ev Progressing(const std::string& sha, int at, const std::string& name) {
  Ev e;
  e.name = name;
  e.reason = "Progressing";
  e.message = "Applying revision of " + name;
  e.at = at;
  e.sha = sha;
  return e;
}

Ev Succeeded(const std::string& sha, int at, const std::string& name) {
  Ev e;
  e.name = name;
  e.reason = "ReconciliationSucceeded";
  e.message = "Reconciliation of " + name + " finished";
  e.at = at;
  e.sha = sha;
  return e;
}

Ev Failed(const std::string& sha, int at, const std::string& name) {
  Ev e;
  e.name = name;
  e.severity = "error";
  e.reason = "HealthCheckFailed";
  e.message = "Health check of " + name + " failed";
  e.at = at;
  e.sha = sha;
  return e;
}

std::string EventJson(const Ev& ev) {
  testing::FluxEventSpec spec;
  spec.kind = ev.kind;
  spec.namespace_ = ev.namespace_;
  spec.name = ev.name;
  spec.severity = ev.severity;
  spec.timestamp = core::FormatRfc3339Millis((INT64_C(1795514400) + ev.at) * 1000).substr(0, 19) + "Z";
  spec.message = ev.message;
  spec.reason = ev.reason;
  if (!ev.sha.empty()) spec.revision = "main@sha1:" + ev.sha;
  return testing::FluxEventJson(spec);
}

// ---------------------------------------------------------------- HTTP

namespace {

size_t Collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

Reply Perform(const std::string& url, const std::string* body) {
  Reply r;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  const CURLcode code = curl_easy_perform(curl);
  r.answered = code == CURLE_OK;
  if (r.answered)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  else
    r.error = curl_easy_strerror(code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return r;
}

}  // namespace

Reply HttpPost(const std::string& url, const std::string& body) { return Perform(url, &body); }
Reply HttpGet(const std::string& url) { return Perform(url, nullptr); }

// ---------------------------------------------------------------- the database

namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::string KeyWhere(const std::string& sha, const std::string& context) {
  return " WHERE commit_sha = " + Quote(sha) + " AND context = " + Quote(context);
}

}  // namespace

std::string SyncState(const std::string& db_path, const std::string& sha, const std::string& context) {
  const auto rows = QueryRows(db_path, "SELECT sync_state FROM current_status" + KeyWhere(sha, context));
  return rows.empty() ? "<none>" : rows[0][0];
}

std::vector<std::string> Outcomes(const std::string& db_path, const std::string& sha, const std::string& context) {
  std::vector<std::string> out;
  for (const auto& r :
       QueryRows(db_path, "SELECT outcome FROM delivery_attempts" + KeyWhere(sha, context) + " ORDER BY id")) {
    out.push_back(r[0]);
  }
  return out;
}

std::vector<std::int64_t> AttemptTimesMs(const std::string& db_path, const std::string& sha,
                                         const std::string& context) {
  std::vector<std::int64_t> out;
  for (const auto& r :
       QueryRows(db_path, "SELECT attempted_at FROM delivery_attempts" + KeyWhere(sha, context) + " ORDER BY id")) {
    out.push_back(core::ParseRfc3339(r[0]).value_or(-1));
  }
  return out;
}

bool WaitAllSynced(const std::string& db_path, std::int64_t keys, std::chrono::milliseconds timeout) {
  return WaitUntil(
      [&] {
        return QueryInt(db_path, "SELECT count(*) FROM current_status WHERE sync_state = 'synced'") == keys &&
               QueryInt(db_path, "SELECT count(*) FROM current_status") == keys;
      },
      timeout);
}

// ---------------------------------------------------------------- the fake host

std::string ContextOf(HostKind kind, const FakeStatus& s) {
  return kind == HostKind::kBitbucket || kind == HostKind::kBitbucketServer ? s.name : s.context;
}

std::string HostState(HostKind kind, const std::string& state) {
  static const std::map<std::string, std::array<std::string, 6>> kNames = {
      // github, gitlab, gitea, bitbucket, bitbucketserver, azuredevops
      {"pending", {"pending", "pending", "pending", "INPROGRESS", "INPROGRESS", "pending"}},
      {"success", {"success", "success", "success", "SUCCESSFUL", "SUCCESSFUL", "succeeded"}},
      {"failure", {"failure", "failed", "failure", "FAILED", "FAILED", "failed"}},
      {"error", {"error", "failed", "error", "FAILED", "FAILED", "error"}},
  };
  return kNames.at(state)[static_cast<std::size_t>(kind)];
}

std::vector<std::string> HostStates(const FakeGitHost& host, HostKind kind, const std::string& repo,
                                    const std::string& sha, const std::string& context) {
  std::vector<std::string> out;
  for (const auto& s : host.Statuses(kind, repo, sha)) {
    if (ContextOf(kind, s) == context) out.push_back(s.state);
  }
  return out;
}

int CountRequests(const FakeGitHost& host, const std::string& method, const std::string& fragment) {
  int n = 0;
  for (const auto& r : host.Requests()) {
    if (r.method == method && r.target.find(fragment) != std::string::npos) ++n;
  }
  return n;
}

std::string ProviderName(HostKind kind) {
  static const char* const kNames[] = {"github", "gitlab", "gitea", "bitbucket", "bitbucketserver", "azuredevops"};
  return kNames[static_cast<int>(kind)];
}

std::string KindName(HostKind kind) { return ProviderName(kind); }

std::string RepoFor(HostKind kind) {
  switch (kind) {
    case HostKind::kBitbucketServer: return "ACME/app";
    case HostKind::kAzureDevOps: return "acme/platform/app";
    case HostKind::kGitHub:
    case HostKind::kGitLab:
    case HostKind::kGitea:
    case HostKind::kBitbucket: break;
  }
  return "acme/app";
}

void PostDesired(const dispatch::Provider& provider, const dispatch::TransportOptions& options,
                 const std::string& token, const dispatch::DesiredStatus& desired) {
  dispatch::CurlTransport transport(options);
  const auto sent = transport.Send(provider.BuildCreate(desired, {token, ""}));
  if (!sent.reply || sent.reply->status / 100 != 2) {
    throw std::runtime_error("direct post to the fake host failed: " +
                             (sent.reply ? std::to_string(sent.reply->status) + " " + sent.reply->body : sent.error));
  }
}

void PostStatusDirectly(const FakeGitHost& host, HostKind kind, const std::string& token, const std::string& db_path,
                        const std::string& route, const std::string& sha, const std::string& context) {
  const auto repo = QueryRows(db_path, "SELECT repo FROM current_status WHERE route = " + Quote(route) + " AND" +
                                           KeyWhere(sha, context).substr(6));
  if (repo.empty()) throw std::runtime_error("no status row for " + route + " " + sha + " " + context);
  auto db = store::OpenForReading(db_path);
  store::Outbox outbox(*db);
  const auto row = outbox.Load(core::StatusKey{route, repo[0][0], sha, context});
  if (!row) throw std::runtime_error("no status row for " + route + " " + sha + " " + context);
  const auto provider = dispatch::MakeProvider({route, ProviderName(kind), host.Address(kind, RepoFor(kind)), ""});
  PostDesired(*provider, {}, token, {row->key, row->fold.state, row->fold.description, row->fold.target_url});
}

}  // namespace fluxstatus::dispatch_e2e
