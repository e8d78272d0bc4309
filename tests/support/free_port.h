// A loopback port for a server a test starts as a separate process (which must be told its
// port up front).
#pragma once

#include <cstdint>

namespace fluxstatus::testing {

// A port that was free a moment ago (bound to 127.0.0.1:0, read, closed): the server binds it
// a moment later (a tiny race, acceptable on loopback). Throws std::runtime_error when none.
std::uint16_t FreePort();

}  // namespace fluxstatus::testing
