// What /healthz and /readyz call stuck: the first problem any of serve's liveness checks
// reports (the writer's, the dispatcher's), logged once at each change, so the restart that
// Kubernetes then makes has its reason in the log.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace fluxstatus::app {

class ServiceHealth {
 public:
  using Check = std::function<std::optional<std::string>()>;  // why stuck, or nullopt
  // `clock` (which must outlive this) stamps the log lines.
  ServiceHealth(std::vector<Check> checks, const core::Clock& clock) : checks_(std::move(checks)), clock_(clock) {}

  // Thread-safe (the HTTP threads and the metrics scrape call it).
  std::optional<std::string> Stuck();

 private:
  std::vector<Check> checks_;
  const core::Clock& clock_;
  std::mutex mu_;
  std::optional<std::string> last_;  // guarded by mu_
};

}  // namespace fluxstatus::app
