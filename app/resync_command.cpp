// `fluxstatus resync [--dry-run] [--kubeconfig F] [--context C]`: read every Flux object of the
// cluster and append, as events of origin `resync`, the statuses they show that the log lacks.
#include <iostream>
#include <span>
#include <string>

#include "app/cli_context.h"
#include "app/resync_setup.h"
#include "app/table_printer.h"
#include "core/rfc3339.h"
#include "ingest/resync_pass.h"
#include "store/database.h"
#include "store/event_store.h"
#include "store/system_clock.h"

namespace fluxstatus::app {
namespace {

// Events per transaction, as the `ingest` verb.
constexpr std::size_t kBatchSize = 2000;

void PrintKinds(const ingest::ResyncPass& pass) {
  for (const auto& k : pass.kinds) {
    if (!k.served) {
      std::cout << k.kind << ": not installed (" << k.resource << " answered 404), skipped\n";
    } else {
      std::cout << k.kind << ": " << k.objects << " objects (" << k.version << ", " << k.requests
                << (k.requests == 1 ? " request" : " requests")
                << (k.restarts > 0 ? ", " + std::to_string(k.restarts) + " restarted after 410 Gone" : "") << ")\n";
    }
  }
}

// What resync appends (or, with --dry-run, would append): one row per status.
void PrintAppends(const ingest::ResyncPlan& plan, bool dry_run) {
  TablePrinter table({"ROUTE", "COMMIT", "CONTEXT", "STATE", "SINCE", "DESCRIPTION"});
  std::size_t rows = 0;
  for (const auto& e : plan.entries) {
    if (e.verdict != core::ResyncVerdict::kAppend) continue;
    table.AddRow({e.key.route, e.key.commit_sha.substr(0, 12), e.key.context, std::string(core::ToString(e.state)),
                  e.observed_at, e.description});
    ++rows;
  }
  if (rows == 0) return;
  std::cout << (dry_run ? "would append:\n" : "appended:\n");
  table.Print(std::cout);
}

// --dry-run: every status left alone and every object without one, each with its reason.
void PrintLeftAlone(const ingest::ResyncPlan& plan) {
  TablePrinter statuses({"ROUTE", "COMMIT", "CONTEXT", "STATE", "SINCE", "LEFT ALONE: WHY"});
  std::size_t rows = 0;
  for (const auto& e : plan.entries) {
    if (e.verdict == core::ResyncVerdict::kAppend) continue;
    statuses.AddRow({e.key.route, e.key.commit_sha.substr(0, 12), e.key.context, std::string(core::ToString(e.state)),
                     e.observed_at, std::string(core::ToString(e.verdict))});
    ++rows;
  }
  if (rows > 0) {
    std::cout << "left alone:\n";
    statuses.Print(std::cout);
  }
  if (plan.skipped_objects.empty()) return;
  TablePrinter objects({"OBJECT", "NO STATUS: WHY"}, 120);
  for (const auto& s : plan.skipped_objects) objects.AddRow({s.object, s.why});
  std::cout << "objects without a status:\n";
  objects.Print(std::cout);
}

std::size_t AppendAll(const CliContext& ctx, const ingest::ResyncPlan& plan) {
  auto events = ingest::EventsToAppend(plan, core::FormatRfc3339Millis(store::SystemClock().NowMs()));
  if (events.empty()) return 0;
  auto db = store::OpenForWriting(ctx.db_path, ctx.config.durability);
  store::EventStore store(*db, ctx.config.Catalog());
  std::size_t appended = 0;
  for (std::size_t at = 0; at < events.size(); at += kBatchSize) {
    const auto batch = std::span(events).subspan(at, std::min(kBatchSize, events.size() - at));
    for (const auto& outcome : store.AppendBatch(batch)) {
      const auto* result = std::get_if<store::AppendResult>(&outcome);
      if (result != nullptr && !result->duplicate) ++appended;
    }
  }
  return appended;
}

}  // namespace

int RunResync(const CliContext& ctx, const ResyncOptions& opts) {
  if (const std::string problem = ResyncRoutingProblem(ctx.config); !problem.empty()) {
    std::cerr << "fluxstatus resync: " << problem << "\n";
    return 2;
  }
  try {
    const ingest::ClusterAccess access = ChooseClusterAccess(ctx.config.kubernetes, opts.kubeconfig, opts.context);
    std::cout << "reading " << access.server << " (" << access.source << ")\n";
    // Migrates the database first, so planning reads the schema this binary knows.
    if (!opts.dry_run) store::OpenForWriting(ctx.db_path, ctx.config.durability);
    const ingest::ResyncPass pass = ingest::PrepareResync(access, ResyncRoutesOf(ctx.config), ctx.db_path);
    PrintKinds(pass);
    PrintAppends(pass.plan, opts.dry_run);
    if (opts.dry_run) PrintLeftAlone(pass.plan);
    std::optional<std::size_t> appended;
    if (!opts.dry_run) appended = AppendAll(ctx, pass.plan);
    std::cout << (opts.dry_run ? "dry run: " : "") << ingest::DescribeResync(pass, appended) << "; " << pass.requests
              << " API requests\n";
    return 0;
  } catch (const ingest::ClusterAccessError& e) {
    std::cerr << "fluxstatus resync: " << e.what() << "\n";
    return 2;
  } catch (const ingest::KubeApiError& e) {
    std::cerr << "fluxstatus resync: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace fluxstatus::app
