// A loopback port for a server a test starts as a separate process (which must be told its
// port up front).
#pragma once

#include <cstdint>

namespace fluxstatus::testing {

// A random loopback port outside the kernel's ephemeral range (below it, on Linux's default) that was free a moment
// ago: the server binds it a moment later. Outgoing connections never take such a port, so only another test picking
// the same one at once could (rare). Throws std::runtime_error when none.
std::uint16_t FreePort();

}  // namespace fluxstatus::testing
