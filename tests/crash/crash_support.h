// Helpers for the crash and database-fault tests: the real `fluxstatus serve` as a child process
// (optionally as an unprivileged user, so file permissions bind it even when the tests run as
// root), a keep-alive libcurl client, Flux event documents, the CLI, and reads of the database.
// Loopback only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/ingest/test_http.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/serve_process.h"
#include "tests/support/sql.h"
#include "tests/support/wait_until.h"

#include "tests/dispatch_e2e/e2e_support.h"

namespace fluxstatus::crash {

using testing::Row;

// ---------------------------------------------------------------- events

// A Kustomization event for `sha` (40 hex); reason decides the state it folds to. `at` is
// seconds after 2026-11-24T10:00:00Z; `message` makes the body unique.
std::string EventJson(const std::string& name, const std::string& reason, const std::string& sha, std::int64_t at,
                      const std::string& message);
// A 40-hex commit SHA per seed.
using testing::Sha;

// ---------------------------------------------------------------- HTTP

struct Answer {
  bool answered = false;  // false: no HTTP answer (refused, reset, timeout)
  long status = 0;
  std::string body;
  std::string error;  // curl's text when !answered
};

// The ingest tests' CurlClient (one curl easy handle reused, so connections are kept alive),
// answering in the crash tests' terms. One per thread.
class Client {
 public:
  Answer Post(const std::string& url, const std::string& body, std::chrono::milliseconds timeout);
  Answer Get(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  ingest::testing::CurlClient curl_;
};

// The "id" of a 202 {"id":N,"duplicate":B}, or nullopt.
std::optional<std::int64_t> AcceptedId(const std::string& body);
// A member of a JSON object answer ({"error":"…"}, {"status":"…","reason":"…"}), or nullopt.
std::optional<std::string> JsonMember(const std::string& body, const char* name);

// ---------------------------------------------------------------- the real binary

// Who runs the child processes. As root, file permissions do not bind, so the read-only
// scenarios run the binary as `nobody` (setpriv); elsewhere as ourselves.
struct RunAs {
  bool unprivileged = false;  // wrap in setpriv --reuid/--regid 65534
};
// Whether the tests can run a child as an unprivileged user (root + setpriv), or we already
// are one. The reason when not.
std::optional<std::string> CannotDropPrivileges();
// Hands `dir` (and what is in it) to the user the children run as.
void GiveTo(const std::filesystem::path& dir, RunAs as);

// `fluxstatus --config CONFIG --db DB serve --listen 127.0.0.1:PORT`, started at construction:
// tests/support's ServeProcess (PORT from FreePort()), with output appended to DIR/serve.out and
// DIR/serve.err.
class ServeProcess : public testing::ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& dir, const std::string& config, const std::string& db, RunAs as = {});

  // SIGTERM and wait up to 15 s: the exit status as from waitpid, nullopt if it hung (then killed).
  std::optional<int> Terminate() { return testing::ServeProcess::Terminate(std::chrono::seconds(15)); }
};

using CliRun = testing::ProcessResult;
// `fluxstatus --config CONFIG --db DB ARGS...` in `dir`.
CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args, RunAs as = {});

// ---------------------------------------------------------------- waiting and the database
// tests/support's: WaitUntil polls every 20 ms; QueryRows/QueryInt on a path open a fresh
// read-only connection per call, so they see the latest commit.
using testing::QueryInt;
using testing::QueryRows;
using testing::WaitUntil;

}  // namespace fluxstatus::crash
