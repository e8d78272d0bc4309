// Helpers for the dispatch end-to-end tests: Flux event documents, a one-shot libcurl client,
// reads of the inspection views, the dispatcher wired in-process (as
// app/serve_command.cpp wires it) and the real `fluxstatus serve` as a child process, both
// against the in-process FakeGitHost. Loopback only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/retry_policy.h"
#include "dispatch/dispatch_metrics.h"
#include "dispatch/dispatcher.h"
#include "store/event_writer.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/serve_process.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace fluxstatus::dispatch_e2e {

using testing::FakeGitHost;
using testing::FakeRequest;
using testing::FakeStatus;
using testing::HostKind;
using testing::QueryInt;
using testing::QueryRows;
using testing::QueryText;
using testing::Row;
using testing::Sha;
using testing::WaitUntil;

// ---------------------------------------------------------------- events

// One Flux event as the notification-controller forwards it. `sha` empty: no revision metadata
// (an event that names no commit).
struct Ev {
  std::string kind = "Kustomization";
  std::string name = "apps";
  std::string namespace_ = "flux-system";
  std::string severity = "info";
  std::string reason = "ReconciliationSucceeded";
  std::string message = "Reconciliation finished";
  int at = 0;  // seconds after 2026-11-24T10:00:00Z
  std::string sha;
};
// Shorthands for the three states a Kustomization's events fold to.
Ev Progressing(const std::string& sha, int at, const std::string& name = "apps");
Ev Succeeded(const std::string& sha, int at, const std::string& name = "apps");
Ev Failed(const std::string& sha, int at, const std::string& name = "apps");
std::string EventJson(const Ev& ev);

// ---------------------------------------------------------------- HTTP

struct Reply {
  bool answered = false;
  long status = 0;
  std::string body;
  std::string error;
};
Reply HttpPost(const std::string& url, const std::string& body);
Reply HttpGet(const std::string& url);

// ---------------------------------------------------------------- the database

// sync_state of the key with `context` on `sha` ("<none>" without a row).
std::string SyncState(const std::string& db_path, const std::string& sha, const std::string& context);
// The outcomes of the key's delivery_attempts rows, oldest first.
std::vector<std::string> Outcomes(const std::string& db_path, const std::string& sha, const std::string& context);
// attempted_at of the key's delivery_attempts rows as epoch milliseconds, oldest first.
std::vector<std::int64_t> AttemptTimesMs(const std::string& db_path, const std::string& sha,
                                         const std::string& context);
// Waits until every current_status row is synced and there are `keys` of them.
bool WaitAllSynced(const std::string& db_path, std::int64_t keys,
                   std::chrono::milliseconds timeout = std::chrono::seconds(15));

// ---------------------------------------------------------------- the fake host

// What each host calls the context (Bitbucket keys are hashes; their `name` is the context).
std::string ContextOf(HostKind kind, const FakeStatus& s);
// The host's spelling of a host-neutral state.
std::string HostState(HostKind kind, const std::string& state);
// The states the host holds for `context`, oldest first.
std::vector<std::string> HostStates(const FakeGitHost& host, HostKind kind, const std::string& repo,
                                    const std::string& sha, const std::string& context);
// Requests with `method` whose target contains `fragment`.
int CountRequests(const FakeGitHost& host, const std::string& method, const std::string& fragment = "");
// The provider name a route takes for `kind`, and a repository path the fake accepts for it.
std::string ProviderName(HostKind kind);
std::string RepoFor(HostKind kind);
std::string KindName(HostKind kind);

// Posts `desired` straight to the host with `provider`, as a send whose answer was lost would
// have. Throws unless the host accepts it.
void PostDesired(const dispatch::Provider& provider, const dispatch::TransportOptions& options,
                 const std::string& token, const dispatch::DesiredStatus& desired);
// Posts the key's desired status (as current_status holds it in `db_path`) straight to the
// host with the kind's provider, as a send whose answer was lost would have. Throws unless the
// host accepts it.
void PostStatusDirectly(const FakeGitHost& host, HostKind kind, const std::string& token, const std::string& db_path,
                        const std::string& route, const std::string& sha, const std::string& context);

// ---------------------------------------------------------------- in-process dispatch

struct RouteSpec {
  std::string name;
  HostKind kind = HostKind::kGitHub;
  bool with_provider = true;  // false: in the catalog but no Git host (statuses skipped)
  std::string token = "t0ken";
};

struct InProcessOptions {
  int workers = 2;
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{400};
  std::chrono::milliseconds transport_timeout{3000};
  std::optional<dispatch::DispatcherOptions::Lease> lease;  // as serve and replay have one
  std::chrono::milliseconds record_wait{5000};
  std::chrono::milliseconds log_repeats_every{30000};
  // The clock of the writer and the dispatcher (a testing::ManualClock, say); nullptr: the
  // system clock. It must outlive the InProcess.
  const core::Clock* clock = nullptr;
};

// The writer and the dispatcher over a fresh database, routes pointing at `host`. The writer
// runs from construction; the dispatcher from StartDispatcher(), so tests can shape the
// outbox first.
class InProcess {
 public:
  InProcess(FakeGitHost& host, std::vector<RouteSpec> routes, InProcessOptions options = {});
  ~InProcess();
  InProcess(const InProcess&) = delete;
  InProcess& operator=(const InProcess&) = delete;

  void StartDispatcher();
  // Stops the writer: from now on every record is refused, as when the database cannot commit.
  void StopWriter();
  dispatch::Dispatcher& dispatcher() { return *dispatcher_; }
  // Appends one event on `route` and waits for its commit; throws when it fails.
  store::AppendResult Submit(const std::string& route, const Ev& ev);
  // Records a dispatch step directly (as a worker would) and waits for its commit.
  void Record(store::DeliveryRecord record);
  // Records a step's `result` for the key's current state, as a worker would. kSending leaves
  // what a crash between "sending" and the host's answer leaves behind (the key in flight, so
  // the next step lists the host first).
  void RecordForCurrentState(const std::string& route, const std::string& sha, const std::string& context,
                             store::DeliveryRecord::Result result);
  // Posts the key's current desired status straight to the host with the route's provider, as
  // a send whose answer was lost would have.
  void PostDirectly(const std::string& route, const std::string& sha, const std::string& context,
                    const std::string& description_override = {});
  store::StatusRow Row(const std::string& route, const std::string& sha, const std::string& context);

  const std::string& db_path() const { return db_path_; }
  const testing::TempDir& dir() const { return dir_; }
  dispatch::DispatchMetrics& metrics() { return metrics_; }
  std::string Repo(const std::string& route) const;

 private:
  FakeGitHost& host_;
  testing::TempDir dir_;
  std::string db_path_;
  std::map<std::string, RouteSpec> specs_;
  std::map<std::string, dispatch::DispatchRoute> routes_;
  std::unique_ptr<store::EventWriter> writer_;
  dispatch::DispatchMetrics metrics_;
  std::unique_ptr<dispatch::Dispatcher> dispatcher_;
};

// ---------------------------------------------------------------- the real binary

// `fluxstatus --config DIR/fluxstatus.yaml --db DIR/fluxstatus.db serve --listen 127.0.0.1:PORT`
// (tests/support's ServeProcess, PORT from FreePort(), started at construction with
// `config_yaml` written first). SIGKILLed if still running when destroyed, and then its
// output must hold no sanitizer finding.
class Serve : public testing::ServeProcess {
 public:
  Serve(const std::filesystem::path& dir, const std::string& config_yaml);
  ~Serve();

  // POSTs the event (or raw body) to /hook/<route>.
  Reply Hook(const std::string& route, const Ev& ev) const;
  Reply Post(const std::string& path, const std::string& body) const;
  // SIGTERM (or `sig`) and wait up to 15 s; the exit status as from waitpid, -1 if it hung.
  int Stop(int sig = 15);
};

// A route entry of fluxstatus.yaml for `kind` on `host`, with its token file written in `dir`.
std::string RouteYaml(const std::filesystem::path& dir, const FakeGitHost& host, const std::string& name, HostKind kind,
                      const std::string& token = "t0ken");
// The dispatch section: tiny backoffs for tests.
std::string DispatchYaml(int workers = 2, int max_attempts = 10, const std::string& initial_backoff = "50ms",
                         const std::string& max_backoff = "400ms");

// Runs the binary with `args` (after --config/--db of `dir`); exit code and stdout + stderr.
using CliRun = testing::ProcessResult;
CliRun RunCli(const std::filesystem::path& dir, const std::vector<std::string>& args);

}  // namespace fluxstatus::dispatch_e2e
