#include "core/duration.h"

#include <charconv>

#include "core/rfc3339.h"

namespace fluxstatus::core {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() || value < 0) return std::nullopt;
  const std::string_view unit(end, text.data() + text.size() - end);
  long long scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else if (unit == "d")
    scale = 86'400'000;
  else
    return std::nullopt;
  if (value > (1LL << 62) / scale) return std::nullopt;
  return std::chrono::milliseconds{value * scale};
}

std::optional<std::int64_t> ParseInstantOrAgo(std::string_view text, std::int64_t now_ms) {
  if (auto d = ParseDuration(text)) return now_ms - d->count();
  return ParseRfc3339(text);
}

}  // namespace fluxstatus::core
