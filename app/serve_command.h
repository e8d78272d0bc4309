// `fluxstatus serve`: the long-lived service.
#pragma once

#include <string>

#include "app/cli_context.h"

namespace fluxstatus::app {

struct ServeOptions {
  std::string listen;  // overrides the config's listen
  std::string log_level = "info";
};

int RunServe(const CliContext& ctx, const ServeOptions& opts);

}  // namespace fluxstatus::app
