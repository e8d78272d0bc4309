// A clock that moves only when a test moves it: pass it where the service takes a
// core::Clock (the dispatcher, the writer, the ingest handler) and Advance() it instead of
// sleeping until a lease, a backoff or a throttle window has passed. It starts at the real
// time, so rows it stamps sort among rows stamped by real clocks. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.h"
#include "store/system_clock.h"

namespace fluxstatus::testing {

class ManualClock final : public core::Clock {
 public:
  ManualClock()
      : wall_ms_(store::SystemClock().NowMs()),
        steady_ns_(
            std::chrono::duration_cast<std::chrono::nanoseconds>(store::SystemClock().Steady().time_since_epoch())
                .count()) {}

  std::int64_t NowMs() const override { return wall_ms_.load(); }
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(steady_ns_.load()));
  }

  // Moves wall and steady time forward together.
  void Advance(std::chrono::milliseconds by) {
    wall_ms_ += by.count();
    steady_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(by).count();
  }

 private:
  std::atomic<std::int64_t> wall_ms_;
  std::atomic<std::int64_t> steady_ns_;
};

}  // namespace fluxstatus::testing
