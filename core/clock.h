// What the service asks of a clock, as an interface only: core reads no clock, and everything
// that needs the time gets one passed in (app/ passes store::SystemClock(); tests pass a
// ManualClock, tests/support/manual_clock.h, and move it forward instead of sleeping).
#pragma once

#include <chrono>
#include <cstdint>

namespace fluxstatus::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time in milliseconds since the Unix epoch: what the database and the logs keep.
  virtual std::int64_t NowMs() const = 0;
  // Monotonic time for durations and deadlines (lease validity, stall checks, probe turns).
  virtual std::chrono::steady_clock::time_point Steady() const = 0;
};

}  // namespace fluxstatus::core
