// The real `fluxstatus serve` for the soak test (tests/support's ServeProcess): started on a
// FreePort() port the first time and restarted on that same port and database afterwards (so
// senders that keep retrying the same URL reach the new process), stopped with SIGTERM or
// SIGKILL, and measured (VmRSS).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/serve_process.h"

namespace fluxstatus::soak {

class ServeProcess : public testing::ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& dir, const std::string& config, const std::string& db);

  // Starts serve, waiting up to 30 s for its start-up line; see testing::ServeProcess::Start.
  void Start() { testing::ServeProcess::Start(std::chrono::seconds(30)); }
  // SIGTERM and wait up to `grace` (Kubernetes' default 30 s). The exit status as from waitpid
  // and how long the stop took; nullopt status when it had to be killed.
  struct Stopped {
    std::optional<int> status;
    std::chrono::milliseconds took{0};
  };
  Stopped Terminate(std::chrono::seconds grace = std::chrono::seconds(30));
  // VmRSS of the running process in KiB, 0 when it cannot be read.
  long RssKb() const;
  // The HTTP status of a GET of `path` (e.g. "/readyz"), 0 without an answer within 5 s.
  long GetStatus(const std::string& path) const;
};

// serve's warnings and errors in `output` by message, most frequent first (" none" without
// any): not a check (a restart makes some), but the first place to look when one fails.
std::string LoggedProblems(const std::string& output);

using CliRun = testing::ProcessResult;
// `fluxstatus --config CONFIG --db DB ARGS...`, run in `dir`.
CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args);

}  // namespace fluxstatus::soak
