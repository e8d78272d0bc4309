// `fluxstatus replay --since DURATION|RFC3339 [--until T] [--route R] [--commit SHA] [--dry-run]`.
#include <chrono>
#include <iostream>

#include "app/cli_context.h"
#include "app/dispatch_wiring.h"
#include "app/table_printer.h"
#include "core/duration.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "replay/replay_runner.h"

namespace fluxstatus::app {
namespace {

// Replay gives up waiting for hosts after this long; what is left stays pending for serve.
constexpr std::chrono::minutes kReplayDeadline{5};

std::optional<std::int64_t> ParseWhen(const std::string& text, std::int64_t now_ms) {
  if (auto d = core::ParseDuration(text)) return now_ms - d->count();
  return core::ParseRfc3339(text);
}

}  // namespace

int RunReplayCommand(const CliContext& ctx, const ReplayOptions& opts) {
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  store::ReplayWindow window;
  auto since = ParseWhen(opts.since, now_ms);
  if (!since) {
    std::cerr << "fluxstatus replay: --since '" << opts.since << "' is neither a duration (90s, 15m, 2h, 7d) nor RFC 3339\n";
    return 2;
  }
  window.since_ms = *since;
  if (!opts.until.empty()) {
    window.until_ms = ParseWhen(opts.until, now_ms);
    if (!window.until_ms) {
      std::cerr << "fluxstatus replay: --until '" << opts.until << "' is neither a duration nor RFC 3339\n";
      return 2;
    }
  }
  if (!opts.route.empty()) window.route = opts.route;
  if (!opts.commit.empty()) {
    if (!core::IsHexPrefix(opts.commit)) {
      std::cerr << "fluxstatus replay: --commit '" << opts.commit << "' is not a hexadecimal SHA or prefix\n";
      return 2;
    }
    window.commit = opts.commit;
  }
  const std::string range = core::FormatRfc3339Millis(window.since_ms) + " .. " +
                            (window.until_ms ? core::FormatRfc3339Millis(*window.until_ms) : std::string("now"));
  if (opts.dry_run) {
    const auto plan = replay::PlanOnly(ctx.db_path, window);
    std::cout << "replay plan for " << range << ": " << plan.events << " events";
    if (plan.first_id) std::cout << " (ids " << *plan.first_id << ".." << *plan.last_id << ")";
    std::cout << ", " << plan.keys.size() << " statuses to re-fold and check against their host\n";
    if (!plan.keys.empty()) {
      TablePrinter table({"COMMIT", "CONTEXT", "STATE", "SYNC", "ROUTE"});
      for (const auto& k : plan.keys) {
        table.AddRow({k.key.commit_sha.substr(0, 12), k.key.context, std::string(core::ToString(k.fold.state)),
                      std::string(store::ToString(k.sync.sync_state)), k.key.route});
      }
      table.Print(std::cout);
    }
    return 0;
  }
  dispatch::InitCurlGlobal();
  const auto summary = replay::RunReplay(
      ctx.db_path, ctx.config.durability, ctx.config.Catalog(), BuildDispatchRoutes(ctx.config, true),
      {ctx.db_path, ctx.config.dispatch.workers, RetryPolicyOf(ctx.config)}, window,
      std::chrono::steady_clock::now() + kReplayDeadline);
  std::cout << "replayed " << range << ": " << summary.plan.events << " events, " << summary.marked
            << " statuses re-folded and checked, " << summary.steps << " delivery steps";
  for (const auto& [state, n] : summary.sync_states) std::cout << ", " << n << " " << state;
  std::cout << "\n";
  const auto failed = summary.sync_states.find("failed");
  return failed == summary.sync_states.end() ? 0 : 1;
}

}  // namespace fluxstatus::app
