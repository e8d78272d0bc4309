// A text cut to a character limit, as Git hosts count characters (code points, not bytes):
// what every host's description cap and the fleet aggregate's description use. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fluxstatus::core {

// `text` as valid UTF-8 of at most `max_chars` code points: invalid bytes become U+FFFD, and
// a longer text keeps its first max_chars - 1 code points plus "…" (U+2026). Hosts count
// characters, not bytes, so a multi-byte character is never split. max_chars 0 = no cap.
std::string CapText(std::string_view text, std::size_t max_chars);

}  // namespace fluxstatus::core
