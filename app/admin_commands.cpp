// `rebuild [--check]`, `migrate [--check]`, `check-config`.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>

#include "app/cli_context.h"
#include "app/resync_setup.h"
#include "app/service_setup.h"
#include "app/wording.h"
#include "ingest/cluster_access.h"
#include "ingest/secret.h"
#include "store/database.h"
#include "store/event_store.h"
#include "store/migrator.h"

namespace fluxstatus::app {
namespace {

// "fleet/production on acme/app via route prod-eu, over prod-eu, prod-us (rule all)", with
// "and deployment to environment production" when it reports one: what the aggregate will
// post, so a reader of check-config's output sees the members it counts.
std::string AggregateLine(const core::FleetAggregate& a) {
  std::string members;
  for (const auto& m : a.members) members += (members.empty() ? "" : ", ") + m;
  const std::string rule =
      a.rule.kind == core::AggregateRule::Kind::kAll ? "all" : "quorum " + std::to_string(a.rule.quorum);
  std::string posted = a.report_status ? "" : " (status folded, not posted)";
  if (a.report_deployment)
    posted += (a.report_status ? " and" : ",") + std::string(" deployment to environment ") + a.name;
  posted += a.report_status || a.report_deployment ? " on " + a.repo + " via route " + a.route
                                                   : " (folded, not posted: report: [])";
  return a.Context() + posted + ", over " + members + " (rule " + rule + ")";
}

// "github acme/app", and whether the route's own statuses are posted at all.
std::string RouteLine(const RouteConfig& r) {
  if (r.provider.empty()) return "no provider (statuses are folded, not sent)";
  return r.provider + " " + r.repo + (r.report_status ? "" : " (statuses are folded, not sent: report lacks status)");
}

// "environment prod-eu on acme/app, over kustomization/*, helmrelease/* (production)": where
// the route's deployments go and which of its contexts make up their state.
std::string DeploymentLine(const RouteConfig& r, const core::DeploymentSpec& d) {
  std::string contexts;
  for (const auto& c : d.contexts) contexts += (contexts.empty() ? "" : ", ") + c;
  std::string flags = d.production ? "production" : "";
  if (d.transient) flags += (flags.empty() ? "" : ", ") + std::string("transient");
  return "environment " + d.environment + " on " + r.repo + ", over " + contexts +
         (flags.empty() ? "" : " (" + flags + ")");
}

}  // namespace

int RunRebuild(const CliContext& ctx, bool check_only) {
  // --check reads only: a missing or unmigrated file is an error, never created or migrated.
  auto db = check_only ? store::OpenForReading(ctx.db_path) : store::OpenForWriting(ctx.db_path, ctx.config.durability);
  store::EventStore events(*db, ctx.config.Catalog());
  if (check_only) {
    const auto check = events.CheckRebuild();
    if (check.equal) {
      std::cout << "derived tables match a fresh fold of the event log\n";
      return 0;
    }
    std::cout << "derived tables differ from a fresh fold of the event log: "
              << Counted(check.statuses_differing, "current_status row", "current_status rows") << ", "
              << Counted(check.changes_differing, "status_history row", "status_history rows") << ", "
              << Counted(check.aggregates_differing, "aggregate_status row", "aggregate_status rows") << ", "
              << Counted(check.deployments_differing, "deployments row", "deployments rows") << ", "
              << Counted(check.check_runs_differing, "check_runs row", "check_runs rows")
              << " (- stored, + fresh fold; only the differing columns)\n";
    for (const auto& line : check.diff) std::cout << line << "\n";
    const auto shown = static_cast<std::int64_t>(check.diff.size());
    if (shown < 2 * (check.statuses_differing + check.changes_differing + check.aggregates_differing +
                     check.deployments_differing + check.check_runs_differing)) {
      std::cout << "(the first " << shown << " lines shown; `fluxstatus rebuild` rewrites them all)\n";
    }
    return 1;
  }
  const auto report = events.Rebuild();
  std::cout << "rebuilt from " << Counted(report.events, "event", "events");
  if (report.snapshot_through > 0) {
    std::cout << " after the fold snapshot of " << Counted(report.snapshot_keys, "status", "statuses")
              << " (events up to " << report.snapshot_through << " were pruned)";
  }
  std::cout << ": " << Counted(report.statuses, "status", "statuses") << ", "
            << Counted(report.changes, "status change", "status changes");
  if (report.aggregates > 0) std::cout << ", " << Counted(report.aggregates, "aggregate", "aggregates");
  if (report.deployments > 0) std::cout << ", " << Counted(report.deployments, "deployment", "deployments");
  if (report.check_runs > 0) std::cout << ", " << Counted(report.check_runs, "check run", "check runs");
  std::cout << "\n";
  return 0;
}

int RunMigrate(const CliContext& ctx, bool check_only) {
  if (check_only) {
    if (!std::filesystem::exists(ctx.db_path)) {
      std::cout << "database " << ctx.db_path << " does not exist; all " << store::Migrator::LatestVersion()
                << " migration(s) are pending\n";
      return 1;
    }
    const store::MigrationStatus status = store::InspectMigrations(ctx.db_path);
    std::cout << "schema version " << status.current_version << " of " << store::Migrator::LatestVersion() << "\n";
    for (const auto& m : status.pending) std::cout << "pending: " << m.name << "\n";
    return status.pending.empty() ? 0 : 1;
  }
  for (const auto& m : store::MigrateDatabase(ctx.db_path)) std::cout << "applied: " << m.name << "\n";
  std::cout << "schema version " << store::Migrator::LatestVersion() << " (up to date)\n";
  return 0;
}

namespace {

// When serve resyncs and whose credentials it uses; `resync` is not tried here (check-config
// works offline), `fluxstatus resync --dry-run` tries it.
// "10m", "90s": as the config spells durations.
std::string ShortDuration(std::chrono::milliseconds d) {
  const auto s = d.count() / 1000;
  return s % 60 == 0 ? std::to_string(s / 60) + "m" : std::to_string(s) + "s";
}

std::string ResyncLine(const KubernetesConfig& k) {
  const auto in_pod = k.ServeInterval(true), elsewhere = k.ServeInterval(false);
  std::string when;
  if (in_pod.count() == 0) {
    when = "off";
  } else if (elsewhere.count() == 0) {
    when = "every " + ShortDuration(in_pod) + " in a pod (off outside one)";
  } else {
    when = "every " + ShortDuration(in_pod);
  }
  if (in_pod.count() == 0) return when + " (`fluxstatus resync` still runs on demand)";
  const std::string access = !k.kubeconfig.empty() ? "kubeconfig " + k.kubeconfig
                                                   : "the pod's service account, else $KUBECONFIG or ~/.kube/config";
  return when + ", through " + access + (k.context.empty() ? "" : ", context " + k.context);
}

}  // namespace

int RunCheckConfig(const CliContext& ctx) {
  const auto& c = ctx.config;
  // The same code serve runs before it starts: listen address, every secret, every Git host
  // route. Throws ConfigError (exit 2) for what serve would refuse.
  const ServiceSetup setup = PrepareService(c, "");
  store::RequireDatabasePath(ctx.db_path);
  std::cout << "config " << c.source << " is valid: listen " << setup.listen.host << ":" << setup.listen.port
            << ", database " << ctx.db_path << ", "
            << Counted(static_cast<std::int64_t>(c.routes.size()), "route", "routes");
  if (!c.aggregates.empty()) {
    std::cout << ", " << Counted(static_cast<std::int64_t>(c.aggregates.size()), "aggregate", "aggregates");
  }
  std::cout << "\n";
  for (const auto& r : c.routes) {
    std::cout << "  route " << r.name << ": " << RouteLine(r) << "\n";
    if (r.deployment)
      std::cout << "  deployment of route " << r.name << ": " << DeploymentLine(r, *r.deployment) << "\n";
    if (r.report_check) {
      std::cout << "  check runs of route " << r.name << ": one per status context on " << r.repo << ", as GitHub App "
                << r.github_app_id << "\n";
    }
  }
  for (const auto& a : c.aggregates) std::cout << "  aggregate " << a.name << ": " << AggregateLine(a) << "\n";
  std::cout << "  resync from the cluster: " << ResyncLine(c.kubernetes) << "\n";
  const std::string problem = ResyncRoutingProblem(c);
  // Only where serve would resync: in a pod (by default), or where the config turns it on.
  if (!problem.empty() && c.kubernetes.ServeInterval(ingest::InCluster()).count() > 0) {
    std::cerr << "warning: " << problem << "\n";
  }
  for (const auto& file : c.SecretFiles()) {
    if (const auto warning = ingest::LoosePermissionsWarning(file)) std::cerr << "warning: " << *warning << "\n";
  }
  return 0;
}

}  // namespace fluxstatus::app
