#include "dispatch/repeating_log.h"

#include <string_view>
#include <tuple>
#include <vector>

namespace fluxstatus::dispatch {
namespace {

// The level names the dispatcher's other lines use ("warn", not spdlog's "warning").
std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::info: return "info";
    case spdlog::level::trace:
    case spdlog::level::debug:
    case spdlog::level::critical:
    case spdlog::level::off:
    case spdlog::level::n_levels: break;
  }
  return "debug";
}

void Emit(std::int64_t now_ms, spdlog::level::level_enum level, const std::string& msg, std::int64_t repeated,
          core::LogFields fields) {
  if (repeated > 0) fields.emplace_back("repeated", repeated);
  const std::string text = repeated > 0 ? msg + " (repeated " + std::to_string(repeated) + " times)" : msg;
  spdlog::log(level, core::FormatLogLine(now_ms, LevelName(level), text, fields));
}

}  // namespace

RepeatingLog::RepeatingLog(std::chrono::milliseconds every, const core::Clock& clock)
    : clock_(clock), throttle_(every) {}

void RepeatingLog::Write(spdlog::level::level_enum level, const std::string& msg, core::LogFields fields) {
  core::LogThrottle::Verdict verdict;
  {
    std::lock_guard lock(mu_);
    verdict = throttle_.Note(msg, clock_.NowMs());
    latest_[msg] = {level, fields};
  }
  if (verdict.write) Emit(clock_.NowMs(), level, msg, verdict.repeated, std::move(fields));
}

void RepeatingLog::Flush() {
  std::vector<std::tuple<spdlog::level::level_enum, std::string, std::int64_t, core::LogFields>> due;
  {
    std::lock_guard lock(mu_);
    for (auto& summary : throttle_.Flush(clock_.NowMs())) {
      const auto& [level, fields] = latest_[summary.key];
      due.emplace_back(level, std::move(summary.key), summary.repeated, fields);
    }
  }
  for (auto& [level, msg, repeated, fields] : due) Emit(clock_.NowMs(), level, msg, repeated, std::move(fields));
}

}  // namespace fluxstatus::dispatch
