// The real clock: the operating system's wall and monotonic clocks behind core::Clock.
#pragma once

#include "core/clock.h"

namespace fluxstatus::store {

// The one system clock of the process (stateless, thread-safe), passed in by app/.
const core::Clock& SystemClock();

}  // namespace fluxstatus::store
