// `fluxstatus doctor [--route R]`: checks each route's settings, secrets and Git host access,
// and says what is wrong in plain words.
#pragma once

#include <string>

#include "app/cli_context.h"

namespace fluxstatus::app {

struct DoctorOptions {
  std::string route;  // empty: every route
};

// Prints one block per route to stdout. Exit code 0 when no route has a problem, 1 otherwise
// (also when no route is configured), 2 when --route names no configured route. Never prints
// a secret.
int RunDoctor(const CliContext& ctx, const DoctorOptions& opts);

}  // namespace fluxstatus::app
