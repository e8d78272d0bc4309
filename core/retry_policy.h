// When to try a Git host call again: exponential backoff with jitter, capped, never sooner
// than the host asked (Retry-After / reset headers). Pure: the caller supplies the jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace fluxstatus::core {

struct RetryPolicy {
  int max_attempts = 10;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{600000};

  // Delay before attempt `attempts + 1`, after `attempts` failed ones (>= 1): initial * 2^(n-1),
  // capped at max_backoff, scaled into [50%, 100%] by jitter01 in [0, 1) so that keys failing
  // together spread out; at least host_asked when the host said when.
  std::chrono::milliseconds Delay(int attempts, double jitter01,
                                  std::optional<std::chrono::milliseconds> host_asked) const;

  // When attempt `attempts + 1` is due, after `attempts` failed ones ending at now_ms: now + Delay.
  std::int64_t DueAtMs(int attempts, std::int64_t now_ms, double jitter01,
                       std::optional<std::chrono::milliseconds> host_asked) const {
    return now_ms + Delay(attempts, jitter01, host_asked).count();
  }

  bool Exhausted(int attempts) const { return attempts >= max_attempts; }
};

}  // namespace fluxstatus::core
