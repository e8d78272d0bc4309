// When to write a log line that can repeat every poll (a failing thread restarting, a record
// that cannot commit, a lease that cannot be renewed): the first occurrence of a key is
// written, repeats within `every` of the last written line are only counted, and the count is
// reported once the window has passed ("… (repeated 97 times)"). Pure: the caller passes the
// time and writes the lines. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fluxstatus::core {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::milliseconds every = std::chrono::seconds(30));

  struct Verdict {
    bool write = false;         // write this occurrence now
    std::int64_t repeated = 0;  // occurrences held back since the key's last written line
  };
  // One occurrence of `key` at now_ms.
  Verdict Note(std::string_view key, std::int64_t now_ms);

  struct Summary {
    std::string key;
    std::int64_t repeated = 0;
  };
  // The keys whose held-back repeats are a window old: report each (then their count starts
  // again). A key quiet for a whole window is forgotten, so its next occurrence is written.
  std::vector<Summary> Flush(std::int64_t now_ms);

 private:
  struct Entry {
    std::int64_t window_start_ms = 0;  // when the last line for the key was written
    std::int64_t repeated = 0;
  };
  std::int64_t every_ms_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace fluxstatus::core
