// The real `fluxstatus serve` for the soak test: started on an ephemeral port the first time and
// restarted on that same port and database afterwards (so senders that keep retrying the same
// URL reach the new process), stopped with SIGTERM or SIGKILL, and measured (VmRSS).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fluxstatus::soak {

class ServeProcess {
 public:
  ServeProcess(std::filesystem::path dir, std::string config, std::string db);
  ~ServeProcess();  // SIGKILL if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Starts serve on `port` (0: an ephemeral one, remembered for later starts). Retries for a
  // while if the port is still held; throws with serve's output when it cannot start.
  void Start();
  // SIGTERM and wait up to `grace` (Kubernetes' default 30 s). The exit status as from waitpid
  // and how long the stop took; nullopt status when it had to be killed.
  struct Stopped {
    std::optional<int> status;
    std::chrono::milliseconds took{0};
  };
  Stopped Terminate(std::chrono::seconds grace = std::chrono::seconds(30));
  void Kill();  // SIGKILL and reap

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const;
  // VmRSS of the running process in KiB, 0 when it cannot be read.
  long RssKb() const;
  std::string Output() const;  // serve.out + serve.err of every start
  std::string OutputTail(std::size_t bytes) const;

 private:
  std::filesystem::path dir_;
  std::string config_;
  std::string db_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// `fluxstatus --config CONFIG --db DB ARGS...`, run in `dir`.
CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args);

}  // namespace fluxstatus::soak
