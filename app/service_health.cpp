#include "app/service_health.h"

#include <spdlog/spdlog.h>

#include "core/structured_log.h"

namespace fluxstatus::app {

std::optional<std::string> ServiceHealth::Stuck() {
  std::optional<std::string> problem;
  for (const auto& check : checks_) {
    if ((problem = check())) break;
  }
  std::lock_guard lock(mu_);
  if (problem.has_value() != last_.has_value()) {
    if (problem) {
      spdlog::error(core::FormatLogLine(clock_.NowMs(), "error",
                                        "service is stuck: the probes fail until it recovers or restarts",
                                        {{"reason", *problem}}));
    } else {
      spdlog::info(core::FormatLogLine(clock_.NowMs(), "info", "service recovered", {{"was", *last_}}));
    }
  }
  last_ = problem;
  return problem;
}

}  // namespace fluxstatus::app
