#include "core/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace fluxstatus::core {

std::chrono::milliseconds RetryPolicy::Delay(int attempts, double jitter01,
                                             std::optional<std::chrono::milliseconds> host_asked) const {
  const int exponent = std::clamp(attempts - 1, 0, 40);
  const double base = std::min(static_cast<double>(initial_backoff.count()) * std::ldexp(1.0, exponent),
                               static_cast<double>(max_backoff.count()));
  const double jittered = base * (0.5 + 0.5 * std::clamp(jitter01, 0.0, 1.0));
  auto delay = std::chrono::milliseconds(static_cast<long long>(jittered));
  if (host_asked && *host_asked > delay) delay = *host_asked;
  return delay;
}

}  // namespace fluxstatus::core
