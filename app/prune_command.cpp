// `fluxstatus prune --before DURATION|RFC3339 [--dry-run] [--vacuum]`: deletes old events,
// their status_history, delivery attempts and rejected requests; current_status stays, and
// `rebuild` still reproduces it from the fold snapshot plus the newer events.
#include "app/prune_command.h"

#include "app/wording.h"

#include <chrono>
#include <iostream>
#include <optional>

#include "core/duration.h"
#include "core/rfc3339.h"
#include "store/database.h"
#include "store/retention.h"
#include "store/system_clock.h"

namespace fluxstatus::app {
namespace {

void PrintCounts(const store::PruneReport& r) {
  std::cout << Counted(r.events, "event", "events");
  if (r.through_event_id > 0) {
    std::cout << " (the log up to event " << r.through_event_id;
    if (r.events_kept > 0) std::cout << ", except " << r.events_kept << " that current statuses name";
    std::cout << ")";
  }
  std::cout << ", " << Counted(r.changes, "status_history row", "status_history rows") << ", "
            << Counted(r.attempts, "delivery attempt", "delivery attempts") << ", "
            << Counted(r.rejections, "rejected event", "rejected events");
}

}  // namespace

int RunPrune(const CliContext& ctx, const PruneOptions& opts) {
  const std::int64_t now_ms = store::SystemClock().NowMs();
  const auto cutoff = core::ParseInstantOrAgo(opts.before, now_ms);
  if (!cutoff) {
    std::cerr << "fluxstatus prune: --before '" << opts.before
              << "' is neither a duration (90s, 15m, 2h, 90d) nor RFC 3339 (2026-08-30T00:00:00Z)\n";
    return 2;
  }
  if (*cutoff > now_ms) {
    std::cerr << "fluxstatus prune: --before '" << opts.before << "' is in the future ("
              << core::FormatRfc3339Millis(*cutoff) << "); use 0s to prune everything received until now\n";
    return 2;
  }
  if (opts.dry_run) {
    auto db = store::OpenForReading(ctx.db_path);
    const auto plan = store::PlanPrune(*db, *cutoff);
    std::cout << "prune before " << plan.cutoff << " (dry run, nothing written) would delete ";
    PrintCounts(plan);
    std::cout << "\n";
    return 0;
  }
  auto db = store::OpenForWriting(ctx.db_path, ctx.config.durability);
  const auto report = store::Prune(*db, ctx.config.Catalog(), *cutoff, now_ms);
  std::cout << "pruned before " << report.cutoff << ": ";
  PrintCounts(report);
  std::cout << "; the fold snapshot holds " << Counted(report.snapshot_keys, "status", "statuses") << "\n";
  if (opts.vacuum) {
    const auto [before, after] = store::Vacuum(*db);
    std::cout << "vacuumed: " << before / 1024 << " KiB -> " << after / 1024 << " KiB\n";
  } else if (report.events > 0) {
    std::cout << "the file keeps its size (freed pages are reused); `prune --vacuum` shrinks it\n";
  }
  return 0;
}

}  // namespace fluxstatus::app
