// The real `fluxstatus serve` as a child process, for the suites that test the built binary:
// `[prefix…] fluxstatus --config CONFIG --db DB serve --listen 127.0.0.1:PORT [extra…]`, its
// stdout and stderr in DIR/serve.out and DIR/serve.err. One class for every suite, so starting,
// waiting for, stopping and reading the service is written once. Loopback only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"

namespace fluxstatus::testing {

struct ServeCommand {
  ServeCommand(std::filesystem::path dir_, std::string config_, std::string db_)
      : dir(std::move(dir_)), config(std::move(config_)), db(std::move(db_)) {}

  std::filesystem::path dir;  // where serve.out and serve.err are written
  std::string config;         // --config
  std::string db;             // --db
  // 0: a free port below the ephemeral range (FreePort), kept for later starts.
  std::uint16_t port = 0;
  std::vector<std::string> extra_args;  // after `serve --listen …`
  std::vector<std::string> prefix;      // a wrapper the binary runs under (setpriv …)
  bool keep_output = true;              // append to earlier output (a restart), else truncate
};

class ServeProcess {
 public:
  explicit ServeProcess(ServeCommand command);  // not started yet
  ~ServeProcess();                              // Kill()
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Starts serve without waiting for it (WaitHealthy or WaitExit tell what became of it).
  void Spawn();
  // Starts serve and waits up to `wait` for its start-up log line, which names the port. A
  // restart (or a port the command fixed) is tried again for up to 20 s, while a killed
  // predecessor may still hold the port; a first start on FreePort()'s pick that finds the port
  // taken by another test picks again.
  // Throws std::runtime_error with serve's output when it cannot start.
  void Start(std::chrono::milliseconds wait = std::chrono::seconds(20));
  // Polls GET /healthz until 200, the process exits, or `timeout` passes.
  bool WaitHealthy(std::chrono::milliseconds timeout);

  void Signal(int sig);
  // The exit status as from waitpid (use WIFEXITED…), or nullopt when still running after
  // `timeout` (or not running at all).
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);
  // SIGTERM and WaitExit(grace); SIGKILL when it overran the grace period (then nullopt).
  std::optional<int> Terminate(std::chrono::milliseconds grace);
  void Kill();  // SIGKILL and reap; nothing when not running

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::string& db_path() const { return command_.db; }
  std::string Url(const std::string& path) const;
  std::string Output() const;  // serve.out + serve.err, of every start
  std::string OutputTail(std::size_t bytes) const;

 private:
  std::string OutFile() const;
  std::string ErrFile() const;

  ServeCommand command_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool started_once_ = false;  // the port has been ours: a restart waits for it, never moves
};

// `[prefix…] fluxstatus ARGS…` (the built binary) run to completion in `dir`.
ProcessResult RunFluxstatus(const std::filesystem::path& dir, const std::vector<std::string>& args,
                            const std::vector<std::string>& prefix = {});

}  // namespace fluxstatus::testing
