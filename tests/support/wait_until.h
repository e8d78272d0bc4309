// Bounded polling for the tests that wait on another thread or process.
#pragma once

#include <chrono>
#include <functional>

namespace fluxstatus::testing {

// Polls `done` every `poll` until it is true or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(15),
               std::chrono::milliseconds poll = std::chrono::milliseconds(20));

}  // namespace fluxstatus::testing
