// Trimming surrounding characters off text (whitespace by default): secrets read from files
// or the environment, and HTTP header values.
#pragma once

#include <string_view>

namespace fluxstatus::core {

// Spaces, tabs, CR, LF, VT and FF.
inline constexpr std::string_view kWhitespace = " \t\r\n\v\f";

// `text` without the leading and trailing characters that are in `chars`.
constexpr std::string_view Trim(std::string_view text, std::string_view chars = kWhitespace) {
  const auto first = text.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(chars) - first + 1);
}

}  // namespace fluxstatus::core
