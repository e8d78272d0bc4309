// Counts in messages read by people: "1 status", "2 statuses", "0 statuses".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fluxstatus::app {

inline std::string Counted(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace fluxstatus::app
