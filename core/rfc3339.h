// RFC 3339 timestamps <-> milliseconds since the epoch. Pure: no clock is read here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fluxstatus::core {

// Parses "2026-11-24T21:03:03Z", "...03.123Z", "...03+02:00" (T or t, Z or z).
// Returns nullopt for anything else, including out-of-range fields.
std::optional<std::int64_t> ParseRfc3339(std::string_view text);

// Formats as UTC with milliseconds: "2026-11-24T21:03:03.000Z" (the SQL contract's form).
std::string FormatRfc3339Millis(std::int64_t epoch_ms);
// Formats as UTC to the second, the fraction dropped: "2026-11-24T21:03:03Z" (GitHub's
// YYYY-MM-DDTHH:MM:SSZ for check runs' started_at and completed_at).
std::string FormatRfc3339Seconds(std::int64_t epoch_ms);

}  // namespace fluxstatus::core
