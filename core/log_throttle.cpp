#include "core/log_throttle.h"

namespace fluxstatus::core {

LogThrottle::LogThrottle(std::chrono::milliseconds every) : every_ms_(every.count()) {}

LogThrottle::Verdict LogThrottle::Note(std::string_view key, std::int64_t now_ms) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::string(key), Entry{now_ms, 0});
    return {true, 0};
  }
  Entry& e = it->second;
  if (now_ms - e.window_start_ms < every_ms_) {
    ++e.repeated;
    return {false, 0};
  }
  const Verdict v{true, e.repeated};
  e = Entry{now_ms, 0};
  return v;
}

std::vector<LogThrottle::Summary> LogThrottle::Flush(std::int64_t now_ms) {
  std::vector<Summary> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (now_ms - e.window_start_ms < every_ms_) {
      ++it;
    } else if (e.repeated > 0) {
      out.push_back({it->first, e.repeated});
      e = Entry{now_ms, 0};
      ++it;
    } else {
      it = entries_.erase(it);
    }
  }
  return out;
}

}  // namespace fluxstatus::core
