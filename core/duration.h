// CLI and config durations: "250ms", "90s", "15m", "2h", "7d".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace fluxstatus::core {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace fluxstatus::core
