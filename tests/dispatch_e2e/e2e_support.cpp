#include "tests/dispatch_e2e/e2e_support.h"

#include <SQLiteCpp/Database.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstring>
#include <future>
#include <stdexcept>
#include <thread>

#include "core/flux_json.h"
#include "core/rfc3339.h"
#include "dispatch/http_transport.h"
#include "dispatch/provider_factory.h"
#include "dispatch/token_source.h"
#include "store/system_clock.h"
#include "store/database.h"
#include "store/outbox.h"
#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/spawn.h"

extern char** environ;

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
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto str = [&w](const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("involvedObject");
  w.StartObject();
  w.Key("kind");
  str(ev.kind);
  w.Key("namespace");
  str(ev.namespace_);
  w.Key("name");
  str(ev.name);
  w.Key("apiVersion");
  str("kustomize.toolkit.fluxcd.io/v1");
  w.EndObject();
  w.Key("severity");
  str(ev.severity);
  w.Key("timestamp");
  str(core::FormatRfc3339Millis((INT64_C(1795514400) + ev.at) * 1000).substr(0, 19) + "Z");
  w.Key("message");
  str(ev.message);
  w.Key("reason");
  str(ev.reason);
  if (!ev.sha.empty()) {
    w.Key("metadata");
    w.StartObject();
    w.Key("revision");
    str("main@sha1:" + ev.sha);
    w.EndObject();
  }
  w.Key("reportingController");
  str("kustomize-controller");
  w.EndObject();
  return buffer.GetString();
}

std::string Sha(int seed) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x%032x", static_cast<unsigned>(seed) * 2654435761u, static_cast<unsigned>(seed));
  return std::string(buf, 40);
}

// ---------------------------------------------------------------- waiting

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
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

std::vector<Row> Query(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  return testing::QueryRows(db, sql);
}

std::int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  return testing::QueryInt(db, sql);
}

std::string QueryText(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  return testing::QueryText(db, sql);
}

std::string SyncState(const std::string& db_path, const std::string& sha, const std::string& context) {
  const auto rows = Query(db_path, "SELECT sync_state FROM current_status" + KeyWhere(sha, context));
  return rows.empty() ? "<none>" : rows[0][0];
}

std::vector<std::string> Outcomes(const std::string& db_path, const std::string& sha, const std::string& context) {
  std::vector<std::string> out;
  for (const auto& r :
       Query(db_path, "SELECT outcome FROM delivery_attempts" + KeyWhere(sha, context) + " ORDER BY id")) {
    out.push_back(r[0]);
  }
  return out;
}

std::vector<std::int64_t> AttemptTimesMs(const std::string& db_path, const std::string& sha,
                                         const std::string& context) {
  std::vector<std::int64_t> out;
  for (const auto& r :
       Query(db_path, "SELECT attempted_at FROM delivery_attempts" + KeyWhere(sha, context) + " ORDER BY id")) {
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
    case HostKind::kBitbucketServer:
      return "ACME/app";
    case HostKind::kAzureDevOps:
      return "acme/platform/app";
    case HostKind::kGitHub:
    case HostKind::kGitLab:
    case HostKind::kGitea:
    case HostKind::kBitbucket:
      break;
  }
  return "acme/app";
}

namespace {

void PostDesired(const dispatch::Provider& provider, const dispatch::TransportOptions& options,
                 const std::string& token, const dispatch::DesiredStatus& desired) {
  dispatch::CurlTransport transport(options);
  const auto sent = transport.Send(provider.BuildCreate(desired, {token, ""}));
  if (!sent.reply || sent.reply->status / 100 != 2) {
    throw std::runtime_error("direct post to the fake host failed: " +
                             (sent.reply ? std::to_string(sent.reply->status) + " " + sent.reply->body : sent.error));
  }
}

}  // namespace

void PostStatusDirectly(const FakeGitHost& host, HostKind kind, const std::string& token, const std::string& db_path,
                        const std::string& route, const std::string& sha, const std::string& context) {
  const auto repo = Query(db_path, "SELECT repo FROM current_status WHERE route = " + Quote(route) + " AND" +
                                       KeyWhere(sha, context).substr(6));
  if (repo.empty()) throw std::runtime_error("no status row for " + route + " " + sha + " " + context);
  auto db = store::OpenForReading(db_path);
  store::Outbox outbox(*db);
  const auto row = outbox.Load(core::StatusKey{route, repo[0][0], sha, context});
  if (!row) throw std::runtime_error("no status row for " + route + " " + sha + " " + context);
  const auto provider = dispatch::MakeProvider({route, ProviderName(kind), host.Address(kind, RepoFor(kind)), ""});
  PostDesired(*provider, {}, token, {row->key, row->fold.state, row->fold.description, row->fold.target_url});
}

// ---------------------------------------------------------------- in-process dispatch

namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class T>
T Await(std::future<T>& f, const char* what) {
  if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    throw std::runtime_error(std::string(what) + ": no commit within 20 s");
  }
  return f.get();
}

}  // namespace

InProcess::InProcess(FakeGitHost& host, std::vector<RouteSpec> routes, InProcessOptions options)
    : host_(host), db_path_(dir_.File("fluxstatus.db")) {
  std::vector<core::RouteProfile> profiles;
  std::vector<dispatch::DispatchRoute> dispatch_routes;
  for (const auto& spec : routes) {
    core::RouteProfile p;
    p.name = spec.name;
    p.repo = RepoFor(spec.kind);
    p.has_provider = spec.with_provider;
    profiles.push_back(p);
    specs_[spec.name] = spec;
    if (!spec.with_provider) continue;
    const std::string token_file = dir_.File(spec.name + ".token");
    testing::WriteFile(token_file, spec.token + "\n");
    dispatch::DispatchRoute d;
    d.name = spec.name;
    d.provider =
        dispatch::MakeProvider({spec.name, ProviderName(spec.kind), host.Address(spec.kind, RepoFor(spec.kind)), ""});
    d.tokens = std::make_shared<dispatch::FileTokenSource>(token_file, "");
    d.transport.timeout = options.transport_timeout;
    d.transport.connect_timeout = std::min(options.transport_timeout, std::chrono::milliseconds(2000));
    routes_[spec.name] = d;
    dispatch_routes.push_back(d);
  }
  const core::Clock& clock = options.clock ? *options.clock : store::SystemClock();
  writer_ = std::make_unique<store::EventWriter>(store::OpenForWriting(db_path_), core::RouteCatalog(profiles),
                                                 store::WriterOptions{}, clock);
  core::RetryPolicy policy;
  policy.max_attempts = options.max_attempts;
  policy.initial_backoff = options.initial_backoff;
  policy.max_backoff = options.max_backoff;
  dispatch::DispatcherOptions dopts;
  dopts.db_path = db_path_;
  dopts.workers = options.workers;
  dopts.policy = policy;
  dopts.poll = std::chrono::milliseconds(20);
  dopts.lease = options.lease;
  dopts.record_wait = options.record_wait;
  dopts.log_repeats_every = options.log_repeats_every;
  dispatcher_ =
      std::make_unique<dispatch::Dispatcher>(dopts, std::move(dispatch_routes), *writer_, metrics_, clock);
  writer_->SetCommitListener([d = dispatcher_.get()] { d->Wake(); });
  writer_->Start();
}

InProcess::~InProcess() {
  dispatcher_->Stop();
  writer_->Stop();
}

void InProcess::StartDispatcher() { dispatcher_->Start(); }

void InProcess::StopWriter() { writer_->Stop(); }

std::string InProcess::Repo(const std::string& route) const { return RepoFor(specs_.at(route).kind); }

store::AppendResult InProcess::Submit(const std::string& route, const Ev& ev) {
  const std::string body = EventJson(ev);
  auto parsed = core::ParseFluxEvent(body);
  if (const auto* err = std::get_if<core::ParseError>(&parsed))
    throw std::runtime_error("bad test event: " + err->message);
  store::IncomingEvent incoming{route, NowMs(), body, std::get<core::FluxEvent>(parsed)};
  auto done = std::make_shared<std::promise<store::WriteOutcome>>();
  auto committed = done->get_future();
  if (!writer_->Submit(std::move(incoming), [done](const store::WriteOutcome& o) { done->set_value(o); })) {
    throw std::runtime_error("the writer refused the event");
  }
  const store::WriteOutcome o = Await(committed, "Submit");
  if (!o.ok) throw std::runtime_error("the event was not committed: " + o.error);
  return o.result;
}

void InProcess::Record(store::DeliveryRecord record) {
  auto done = std::make_shared<std::promise<bool>>();
  auto committed = done->get_future();
  if (!writer_->SubmitDelivery(std::move(record), [done](const store::WriteOutcome& o) { done->set_value(o.ok); })) {
    throw std::runtime_error("the writer refused the delivery record");
  }
  if (!Await(committed, "Record")) throw std::runtime_error("the delivery record was not committed");
}

void InProcess::RecordForCurrentState(const std::string& route, const std::string& sha, const std::string& context,
                                      store::DeliveryRecord::Result result) {
  const auto row = Row(route, sha, context);
  store::DeliveryRecord step;
  step.key = row.key;
  step.sent_event_id = row.fold.event_id;
  step.sent_state = std::string(core::ToString(row.fold.state));
  step.sent_description = row.fold.description;
  step.result = result;
  Record(step);
}

store::StatusRow InProcess::Row(const std::string& route, const std::string& sha, const std::string& context) {
  auto db = store::OpenForReading(db_path_);
  store::Outbox outbox(*db);
  auto row = outbox.Load(core::StatusKey{route, Repo(route), sha, context});
  if (!row) throw std::runtime_error("no status row for " + route + " " + sha + " " + context);
  return *row;
}

void InProcess::PostDirectly(const std::string& route, const std::string& sha, const std::string& context,
                             const std::string& description_override) {
  const store::StatusRow row = Row(route, sha, context);
  const auto& r = routes_.at(route);
  dispatch::DesiredStatus desired{row.key, row.fold.state,
                                  description_override.empty() ? row.fold.description : description_override,
                                  row.fold.target_url};
  PostDesired(*r.provider, r.transport, specs_.at(route).token, desired);
}

// ---------------------------------------------------------------- the real binary

Serve::Serve(const std::filesystem::path& dir, const std::string& config_yaml) : dir_(dir) {
  testing::WriteFile(dir_ / "fluxstatus.yaml", config_yaml);
  const std::string out = (dir_ / "serve.out").string(), err = (dir_ / "serve.err").string();
  const std::string config = (dir_ / "fluxstatus.yaml").string(), db = db_path();
  std::vector<std::string> args = {FLUXSTATUS_BINARY, "--config", config,       "--db", db,
                                   "serve",           "--listen", "127.0.0.1:0"};
  const std::size_t log_start = std::filesystem::exists(out) ? std::filesystem::file_size(out) : 0;
  pid_ = fluxstatus::testing::SpawnBackground(std::move(args), out, err, /*append=*/true);
  port_ = testing::WaitForServePort(pid_, out, log_start, std::chrono::seconds(20));
  const bool started = port_ != 0;
  if (!started || pid_ < 0 || port_ == 0) {
    throw std::runtime_error("fluxstatus serve did not start:\n" + Output());
  }
}

Serve::~Serve() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  const std::string output = Output();
  BOOST_TEST((output.find("Sanitizer") == std::string::npos && output.find("runtime error") == std::string::npos),
             "the service reported a sanitizer finding:\n"
                 << output);
}

std::string Serve::Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

Reply Serve::Hook(const std::string& route, const Ev& ev) const { return Post("/hook/" + route, EventJson(ev)); }

Reply Serve::Post(const std::string& path, const std::string& body) const { return HttpPost(Url(path), body); }

int Serve::Stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int result = -1;
  WaitUntil(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
        result = status;
        pid_ = -1;
        return true;
      },
      std::chrono::seconds(15));
  return result;
}

std::string Serve::Output() const {
  std::string text;
  std::error_code ec;
  for (const char* name : {"serve.out", "serve.err"}) {
    if (std::filesystem::exists(dir_ / name, ec)) text += testing::ReadFile(dir_ / name);
  }
  return text;
}

std::string RouteYaml(const std::filesystem::path& dir, const FakeGitHost& host, const std::string& name, HostKind kind,
                      const std::string& token) {
  const auto token_file = dir / (name + ".token");
  testing::WriteFile(token_file, token + "\n");
  return "  - name: " + name + "\n    provider: " + ProviderName(kind) +
         "\n    address: " + host.Address(kind, RepoFor(kind)) + "\n    token_file: " + token_file.string() + "\n";
}

std::string DispatchYaml(int workers, int max_attempts, const std::string& initial_backoff,
                         const std::string& max_backoff) {
  return "dispatch:\n  workers: " + std::to_string(workers) + "\n  max_attempts: " + std::to_string(max_attempts) +
         "\n  initial_backoff: " + initial_backoff + "\n  max_backoff: " + max_backoff + "\n";
}

CliRun RunCli(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FLUXSTATUS_BINARY, "--config", (dir / "fluxstatus.yaml").string(), "--db",
                                   (dir / "fluxstatus.db").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = testing::RunProcess(dir, argv);
  return CliRun{r.exit_code, r.out, r.err};
}

}  // namespace fluxstatus::dispatch_e2e
