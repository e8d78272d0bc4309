// Warnings that can repeat every poll (a supervised thread restarting, a record that cannot
// commit, a lease that cannot be renewed), written through core::LogThrottle: once, then once
// a window as "… (repeated N times)" with the latest fields. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/log_throttle.h"
#include "core/structured_log.h"

namespace fluxstatus::dispatch {

class RepeatingLog {
 public:
  // `clock` times the windows and stamps the lines; it must outlive this.
  RepeatingLog(std::chrono::milliseconds every, const core::Clock& clock);

  // `msg` is the throttle's key: keep it a fixed text and put what varies in `fields`.
  void Write(spdlog::level::level_enum level, const std::string& msg, core::LogFields fields);
  // Writes the summaries a window old. Call it now and then (the scheduler does, every poll).
  void Flush();

 private:
  const core::Clock& clock_;
  std::mutex mu_;
  core::LogThrottle throttle_;                                                           // guarded by mu_
  std::map<std::string, std::pair<spdlog::level::level_enum, core::LogFields>> latest_;  // by msg; guarded by mu_
};

}  // namespace fluxstatus::dispatch
