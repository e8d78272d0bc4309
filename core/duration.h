// CLI and config durations: "250ms", "90s", "15m", "2h", "7d".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fluxstatus::core {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// A CLI instant (`replay --since`, `prune --before`): a duration ago ("2h" = now_ms - 2 h) or an
// RFC 3339 time; nullopt when it is neither. Milliseconds since the epoch.
std::optional<std::int64_t> ParseInstantOrAgo(std::string_view text, std::int64_t now_ms);

}  // namespace fluxstatus::core
