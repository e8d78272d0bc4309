// Test-only helpers for the Prism conformance suite: run `prism mock` on a free loopback port
// as a child process (own process group, bounded start and stop), and send an HttpCall with
// libcurl. Nothing here is production transport code.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "dispatch/http_exchange.h"

namespace fluxstatus::dispatch::testing {

class PrismMock {
 public:
  // Starts `prism mock -h 127.0.0.1 -p <free port> -v warn --errors <spec>`, logging to
  // `log_file`. Does not wait; call WaitReady. Throws std::runtime_error if fork fails.
  PrismMock(const std::filesystem::path& prism_bin, const std::filesystem::path& spec,
            const std::filesystem::path& log_file);
  ~PrismMock();  // Stop()
  PrismMock(const PrismMock&) = delete;
  PrismMock& operator=(const PrismMock&) = delete;

  // Polls until the port accepts connections. False when the deadline passes or Prism exits
  // first (then Log() says why).
  bool WaitReady(std::chrono::steady_clock::time_point deadline);
  // SIGTERM to the child's process group, SIGKILL after 5 s; idempotent.
  void Stop();

  std::string Root() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path log_file_;
};

// Sends `call` (timeout 20 s). Header names in the reply are lower-cased. status 0 and the
// curl error in body when the request could not be made.
HttpReply SendWithCurl(const HttpCall& call);

}  // namespace fluxstatus::dispatch::testing
