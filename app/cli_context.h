// What every verb gets: the loaded configuration and the database path (--config, --db).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.h"

namespace fluxstatus::app {

struct CliContext {
  Config config;
  std::string db_path;  // --db, else FLUXSTATUS_DB, else the config's database
};

// The verbs, one file each. Each returns the process exit code; messages go to stdout/stderr.
struct IngestOptions {
  std::string route;
  std::vector<std::string> files;  // "-" is stdin
};
int RunIngest(const CliContext& ctx, const IngestOptions& opts);

struct StatusOptions {
  std::string route;
  std::string commit;
  std::string state;       // pending | success | failure | error; empty: any
  std::string since;       // a duration ago (2h) or RFC 3339; empty: any time
  std::int64_t limit = 0;  // 0: every row
  bool json = false;
  bool wait = false;           // poll until every matching status is done (exit 0/1/2)
  std::string timeout = "5m";  // how long --wait waits
};
int RunStatus(const CliContext& ctx, const StatusOptions& opts);

struct SqlOptions {
  std::string query;
  bool json = false;
  bool csv = false;
};
int RunSql(const CliContext& ctx, const SqlOptions& opts);

struct ReplayOptions {
  std::string since, until, route, commit;
  bool dry_run = false;
};
int RunReplayCommand(const CliContext& ctx, const ReplayOptions& opts);

struct ResyncOptions {
  bool dry_run = false;
  std::string kubeconfig;  // overrides the config's kubernetes.kubeconfig
  std::string context;
};
int RunResync(const CliContext& ctx, const ResyncOptions& opts);

int RunRebuild(const CliContext& ctx, bool check_only);
int RunMigrate(const CliContext& ctx, bool check_only);
int RunCheckConfig(const CliContext& ctx);

}  // namespace fluxstatus::app
