// Helpers for the end-to-end service tests: a keep-alive libcurl client, HMAC signing, event
// documents, answer parsing, the service wired in-process (as app/serve_command.cpp does) and
// the real binary run as a child process. Everything talks to 127.0.0.1 only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <curl/curl.h>

#include "core/clock.h"
#include "ingest/ack_deadlines.h"
#include "ingest/http_server.h"
#include "ingest/ingest_handler.h"
#include "ingest/ingest_metrics.h"
#include "store/event_writer.h"
#include "tests/support/files.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/in_process_ingest.h"
#include "tests/support/serve_process.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::service_testing {

using testing::OpenReader;
using testing::QueryInt;
using testing::QueryText;
using testing::ReadFile;
using testing::Sha;
using testing::WriteFile;

// ---------------------------------------------------------------- HTTP client

struct Answer {
  CURLcode code = CURLE_OK;  // not CURLE_OK: no HTTP answer at all (connection error, timeout)
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, the final response only

  bool answered() const { return code == CURLE_OK; }
  std::optional<std::string> Header(const std::string& lower_name) const;
};

// One curl easy handle, reused so that connections are kept alive. Not thread-safe: one per
// client thread.
class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // POSTs `body` with `Content-Type: application/json` unless `headers` name a Content-Type.
  Answer Post(const std::string& url, const std::string& body, const std::vector<std::string>& headers = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(20));
  Answer Get(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Any method; a body is sent only when non-empty.
  Answer Request(const std::string& method, const std::string& url, const std::string& body,
                 const std::vector<std::string>& headers, std::chrono::milliseconds timeout);

 private:
  CURL* curl_;
};

// ---------------------------------------------------------------- answers and events

// {"id":N,"duplicate":B[,"routes":[...]]} as answered with 202.
struct Accepted {
  std::optional<std::int64_t> id;  // null when no route took a direct-mode event
  bool duplicate = false;
  std::optional<std::vector<std::string>> routes;
};
// nullopt when `body` is not such an object (with exactly these members).
std::optional<Accepted> ParseAccepted(const std::string& body);

// The "error" member of {"error":"…"} (the only member), or nullopt.
std::optional<std::string> ErrorOf(const std::string& body);

// "sha256=<lower-case hex>" over body with key (algorithm: sha1, sha256, sha384, sha512).
std::string Signature(const std::string& key, const std::string& body, const std::string& algorithm = "sha256");

// A compact Flux event document (forwarded form: un-prefixed metadata). `revision` empty: no
// metadata at all. `message` is JSON-escaped here.
struct EventSpec {
  std::string kind = "Kustomization";
  std::string namespace_ = "flux-system";
  std::string name = "apps";
  std::string severity = "info";
  std::string reason = "ReconciliationSucceeded";
  std::string message = "Reconciliation finished";
  std::string timestamp = "2026-11-24T09:17:31Z";
  std::string revision;  // e.g. "main@sha1:<40 hex>"
};
std::string EventJson(const EventSpec& spec);
// A valid event numbered `n` ("event <n>" on commit Sha(n + 1)), for tests that need any event.
std::string SomeEvent(int n = 0);

// "2026-11-24T10:00:00Z" plus `seconds`.
std::string TimestampPlus(std::int64_t seconds);

// tests/fixtures/samples (wire bodies and events); throws when it is missing, never skips.
std::filesystem::path SamplesDir();

// ---------------------------------------------------------------- SQL on the views

// count(*) of a table or view, through a fresh read-only connection.
std::int64_t CountRows(const std::string& db_path, const std::string& table);
// Polls a count(*) query (fresh connection each time) until it reaches `expected` or `timeout`
// passes; returns the last count. For rows the writer adds after the HTTP answer.
std::int64_t WaitForCount(const std::string& db_path, const std::string& sql, std::int64_t expected,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Exact bytes of a text/blob cell in a one-column query with one bound integer; "<no row>"
// when it returns nothing.
std::string QueryBytes(SQLite::Database& db, const std::string& sql, std::int64_t bind);

// ---------------------------------------------------------------- the service in-process

struct InProcessOptions {
  ingest::IngestSettings settings;  // routes, max_body_bytes, ack_timeout
  core::RouteCatalog catalog;       // what the writer folds with (open by default)
  store::Durability durability = store::Durability::kFull;
  int threads = 2;
  store::WriterOptions writer;
  // The clock of the writer and the handler (a testing::ManualClock, say); nullptr: the system
  // clock. It must outlive the service.
  const core::Clock* clock = nullptr;
};

// The pieces of `fluxstatus serve` (tests/support's InProcessIngest), on an ephemeral loopback
// port with a fresh database in its own temporary directory, and a server that reads bodies of
// up to twice settings.max_body_bytes (at least 4 MiB), so the handler's limit is what answers.
class InProcessService {
 public:
  explicit InProcessService(InProcessOptions options = {});
  ~InProcessService();  // Stop()
  InProcessService(const InProcessService&) = delete;
  InProcessService& operator=(const InProcessService&) = delete;

  std::string Url(const std::string& path) const { return ingest_.Url(path); }
  const std::string& db_path() const { return db_path_; }
  const testing::TempDir& dir() const { return dir_; }
  store::EventWriter& writer() { return ingest_.writer(); }
  ingest::IngestMetrics& metrics() { return ingest_.metrics(); }
  // Server first (in-flight requests get their answers), then the writer. Idempotent.
  void Stop() { ingest_.Stop(); }

 private:
  testing::TempDir dir_;
  std::string db_path_;
  testing::InProcessIngest ingest_;
};

// ---------------------------------------------------------------- the real binary

// `fluxstatus --config <dir>/fluxstatus.yaml --db <dir>/<db> serve --listen 127.0.0.1:<port>
// [extra…]` (tests/support's ServeProcess) on a free port, spawned at construction with
// `config_yaml` written first and without waiting: WaitHealthy or WaitExit tell what became of
// it. Output in <dir>/serve.out and serve.err, truncated at start. Killed (SIGKILL) if still
// running when destroyed.
class ServiceProcess : public testing::ServeProcess {
 public:
  ServiceProcess(const std::filesystem::path& dir, const std::string& config_yaml,
                 const std::vector<std::string>& extra_serve_args = {}, const std::string& db_name = "x.db");
};

// Runs the binary with `args` in `dir` (a one-shot verb such as `rebuild --check`) and returns
// its exit code and stdout.
struct CliResult {
  int exit_code = -1;
  std::string out;
};
CliResult RunCli(const std::filesystem::path& dir, const std::vector<std::string>& args);

}  // namespace fluxstatus::service_testing
