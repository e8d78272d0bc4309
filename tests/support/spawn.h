// Starts a program in the background for end-to-end tests (the real `fluxstatus serve`):
// stdin from /dev/null, stdout/stderr into files, no inherited descriptors, no blocked signals.
// Header-only.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/files.h"

extern char** environ;

namespace fluxstatus::testing {

// Returns the child's pid; throws std::runtime_error naming the program when it cannot start.
// `append` keeps earlier output in the files (a restarted service), else they are truncated.
inline pid_t SpawnBackground(std::vector<std::string> args, const std::string& out, const std::string& err,
                             bool append) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int mode = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), mode, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), mode, 0644);
  // Nothing else of this process may leak into the child: an inherited copy of a fake host's
  // listening socket or connections would keep them open while the host is "down".
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("posix_spawn " + args.front() + ": " + std::strerror(rc));
  return pid;
}

// Waits for a `fluxstatus serve` started with `--listen 127.0.0.1:PORT` to log its start-up line
// ({"msg": "fluxstatus started",…,"listen": "127.0.0.1:N",…}) in `out` after byte `log_start`.
// Returns the port; 0 when the process exited first (then `pid` is set to -1) or on timeout.
inline std::uint16_t WaitForServePort(pid_t& pid, const std::filesystem::path& out, std::size_t log_start,
                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string marker = "127.0.0.1:";
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return 0;
    }
    std::error_code ec;
    if (std::filesystem::exists(out, ec)) {
      const std::string log = ReadFile(out).substr(log_start);
      const auto line = log.find("fluxstatus started");
      const auto listen = line == std::string::npos ? line : log.find("\"listen\":", line);
      const auto at = listen == std::string::npos ? listen : log.find(marker, listen);
      if (at != std::string::npos) return static_cast<std::uint16_t>(std::stoi(log.substr(at + marker.size())));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

}  // namespace fluxstatus::testing
