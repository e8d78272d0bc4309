#include "app/service_health.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "core/structured_log.h"

namespace fluxstatus::app {
namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::string> ServiceHealth::Stuck() {
  std::optional<std::string> problem;
  for (const auto& check : checks_) {
    if ((problem = check())) break;
  }
  std::lock_guard lock(mu_);
  if (problem.has_value() != last_.has_value()) {
    if (problem) {
      spdlog::error(core::FormatLogLine(NowMs(), "error", "service is stuck: the probes fail until it recovers or restarts",
                                        {{"reason", *problem}}));
    } else {
      spdlog::info(core::FormatLogLine(NowMs(), "info", "service recovered", {{"was", *last_}}));
    }
  }
  last_ = problem;
  return problem;
}

}  // namespace fluxstatus::app
