// One structured log line as compact JSON: {"time":…,"level":…,"msg":…, fields…}.
// Formatting only; callers pass the time and write the line (spdlog) themselves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fluxstatus::core {

using LogValue = std::variant<std::string, std::int64_t, double, bool>;
using LogFields = std::vector<std::pair<std::string, LogValue>>;

// Never pass secrets here: fields are written as given.
std::string FormatLogLine(std::int64_t time_ms, std::string_view level, std::string_view msg, const LogFields& fields);

}  // namespace fluxstatus::core
