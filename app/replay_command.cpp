// `fluxstatus replay --since DURATION|RFC3339 [--until T] [--route R] [--commit SHA] [--dry-run]`.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "app/cli_context.h"
#include "app/dispatch_wiring.h"
#include "app/table_printer.h"
#include "app/wording.h"
#include "core/duration.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "replay/replay_runner.h"
#include "store/system_clock.h"

namespace fluxstatus::app {
namespace {

// "replay: 120/500 statuses settled …" on stderr, rewritten in place, only on a terminal.
class ProgressLine {
 public:
  ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}
  void Show(const replay::ReplayProgress& p) {
    if (!tty_) return;
    std::string line = "replay: " + std::to_string(p.settled) + "/" + std::to_string(p.keys) + " statuses settled";
    if (!p.waiting_for.empty()) line += ", sent by the running dispatcher " + p.waiting_for;
    std::cerr << "\r" << line << "\x1b[K" << std::flush;
    shown_ = true;
  }
  void Clear() {
    if (shown_) std::cerr << "\r\x1b[K" << std::flush;
  }

 private:
  bool tty_;
  bool shown_ = false;
};

// The window the options name; nullopt after saying on stderr which option is wrong.
std::optional<store::ReplayWindow> WindowOf(const ReplayOptions& opts) {
  const std::int64_t now_ms = store::SystemClock().NowMs();
  store::ReplayWindow window;
  auto since = core::ParseInstantOrAgo(opts.since, now_ms);
  if (!since) {
    std::cerr << "fluxstatus replay: --since '" << opts.since
              << "' is neither a duration (90s, 15m, 2h, 7d) nor RFC 3339\n";
    return std::nullopt;
  }
  window.since_ms = *since;
  if (!opts.until.empty()) {
    window.until_ms = core::ParseInstantOrAgo(opts.until, now_ms);
    if (!window.until_ms) {
      std::cerr << "fluxstatus replay: --until '" << opts.until << "' is neither a duration nor RFC 3339\n";
      return std::nullopt;
    }
  }
  if (!opts.route.empty()) window.route = opts.route;
  if (!opts.commit.empty()) {
    if (!core::IsHexPrefix(opts.commit)) {
      std::cerr << "fluxstatus replay: --commit '" << opts.commit << "' is not a hexadecimal SHA or prefix\n";
      return std::nullopt;
    }
    window.commit = opts.commit;
  }
  return window;
}

void PrintPlan(const CliContext& ctx, const store::ReplayWindow& window, const std::string& range) {
  const auto plan = replay::PlanOnly(ctx.db_path, window);
  std::cout << "replay plan for " << range << ": " << Counted(plan.events, "event", "events");
  if (plan.first_id) std::cout << " (ids " << *plan.first_id << ".." << *plan.last_id << ")";
  std::cout << ", " << Counted(static_cast<std::int64_t>(plan.keys.size()), "status", "statuses")
            << " to re-fold and check against their host\n";
  if (!plan.keys.empty()) {
    TablePrinter table({"COMMIT", "CONTEXT", "STATE", "SYNC", "ROUTE"});
    for (const auto& k : plan.keys) {
      table.AddRow({k.key.commit_sha.substr(0, 12), k.key.context, std::string(core::ToString(k.fold.state)),
                    std::string(store::ToString(k.sync.sync_state)), k.key.route});
    }
    table.Print(std::cout);
  }
}

void PrintSummary(const replay::ReplaySummary& summary, const std::string& range) {
  std::cout << "replayed " << range << ": " << Counted(summary.events, "event", "events") << ", "
            << Counted(summary.commits, "commit", "commits") << ", " << Counted(summary.refolded, "status", "statuses")
            << " re-folded";
  if (summary.corrected > 0) std::cout << " (" << Counted(summary.corrected, "row", "rows") << " corrected)";
  std::cout << ", " << summary.marked << " checked against their host";
  if (summary.marked > 0) {
    if (!summary.other_dispatcher.empty() && !summary.sent_here) {
      std::cout << ", sent by the running dispatcher " << summary.other_dispatcher;
    } else if (!summary.other_dispatcher.empty()) {
      std::cout << ", sent by this replay after " << summary.other_dispatcher << " gave the dispatch lease up";
    }
  }
  std::cout << "\n";
  TablePrinter table({"RE-FOLDED", "ALREADY ON HOST", "SENT", "FAILED", "STILL PENDING"});
  table.AddRow({std::to_string(summary.refolded), std::to_string(summary.already_on_host), std::to_string(summary.sent),
                std::to_string(summary.failed), std::to_string(summary.pending)});
  table.Print(std::cout);
  if (!summary.sync_states.empty()) {
    std::cout << "afterwards:";
    const char* sep = " ";
    for (const auto& [state, n] : summary.sync_states) {
      std::cout << sep << n << " " << state;
      sep = ", ";
    }
    std::cout << "\n";
  }
  if (summary.failed > 0) {
    std::cerr << "fluxstatus replay: " << Counted(summary.failed, "status", "statuses")
              << " failed; see last_error: fluxstatus sql \"select commit_sha, context, last_error from"
                 " current_status where sync_state = 'failed'\"\n";
  }
  if (summary.pending > 0) {
    std::cerr << "fluxstatus replay: " << Counted(summary.pending, "status is", "statuses are")
              << " still pending (their host kept failing); `serve` keeps retrying them\n";
  }
}

}  // namespace

int RunReplayCommand(const CliContext& ctx, const ReplayOptions& opts) {
  const auto parsed = WindowOf(opts);
  if (!parsed) return 2;
  const store::ReplayWindow& window = *parsed;
  const std::string range = core::FormatRfc3339Millis(window.since_ms) + " .. " +
                            (window.until_ms ? core::FormatRfc3339Millis(*window.until_ms) : std::string("now"));
  if (opts.dry_run) {
    PrintPlan(ctx, window, range);
    return 0;
  }
  dispatch::InitCurlGlobal();
  // One log line per key would bury the summary: the progress line and the table say it all;
  // warnings (a lease that cannot be renewed) still show.
  spdlog::set_level(spdlog::level::warn);
  replay::ReplaySettings settings;
  settings.db_path = ctx.db_path;
  settings.durability = ctx.config.durability;
  settings.routes = ctx.config.Catalog();
  settings.dispatch_routes = BuildDispatchRoutes(ctx.config, true);
  settings.options = {ctx.db_path, ctx.config.dispatch.workers, RetryPolicyOf(ctx.config)};
  ProgressLine progress;
  settings.on_progress = [&progress](const replay::ReplayProgress& p) { progress.Show(p); };
  const auto summary = replay::RunReplay(std::move(settings), window);
  progress.Clear();

  PrintSummary(summary, range);
  return summary.failed > 0 || summary.pending > 0 ? 1 : 0;
}

}  // namespace fluxstatus::app
