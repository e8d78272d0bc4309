// `fluxstatus prune --before DURATION|RFC3339 [--dry-run] [--vacuum]`: retention.
#pragma once

#include <string>

#include "app/cli_context.h"

namespace fluxstatus::app {

struct PruneOptions {
  std::string before;  // "90d" (that long ago) or an RFC 3339 instant
  bool dry_run = false;
  bool vacuum = false;
};

int RunPrune(const CliContext& ctx, const PruneOptions& opts);

}  // namespace fluxstatus::app
