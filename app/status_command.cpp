// `fluxstatus status [--route R] [--commit SHA-or-prefix] [--state S] [--since T] [--limit N]
// [--json | --wait [--timeout D]]`.
#include <algorithm>
#include <chrono>
#include <iostream>

#include "app/cli_context.h"
#include "app/status_wait.h"
#include "app/table_printer.h"
#include "core/compact_json.h"
#include "core/duration.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "store/commit_statuses.h"
#include "store/database.h"
#include "store/status_listing.h"
#include "store/system_clock.h"

namespace fluxstatus::app {
namespace {

void WriteJson(const std::vector<store::StatusRow>& rows) {
  std::cout << core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar.setNextName("statuses");
    ar.startNode();
    ar.makeArray();
    for (const auto& r : rows) {
      ar.startNode();
      ar(cereal::make_nvp("route", r.key.route), cereal::make_nvp("repo", r.key.repo),
         cereal::make_nvp("commit_sha", r.key.commit_sha), cereal::make_nvp("context", r.key.context),
         cereal::make_nvp("state", std::string(core::ToString(r.fold.state))),
         cereal::make_nvp("description", r.fold.description));
      core::WriteNullable(ar, "target_url",
                          r.fold.target_url.empty() ? std::nullopt : std::optional(r.fold.target_url));
      ar(cereal::make_nvp("event_id", r.fold.event_id),
         cereal::make_nvp("event_time", core::FormatRfc3339Millis(r.fold.event_time_ms)),
         cereal::make_nvp("updated_at", r.fold.updated_at),
         cereal::make_nvp("sync_state", std::string(store::ToString(r.sync.sync_state))));
      core::WriteNullable(ar, "synced_at", r.sync.synced_at);
      ar(cereal::make_nvp("attempts", r.sync.attempts));
      core::WriteNullable(ar, "last_error", r.sync.last_error);
      // Beyond current_status's columns: which sink the row is (a check run has its status's key).
      ar(cereal::make_nvp("sink", std::string(core::ToString(r.sink))));
      ar.finishNode();
    }
    ar.finishNode();
  }) << "\n";
}

// Turns the options into a store filter; prints why not and returns false when one is invalid.
bool FillFilter(const StatusOptions& opts, store::StatusFilter& filter) {
  if (!opts.route.empty()) filter.route = opts.route;
  if (!opts.commit.empty()) {
    if (!core::IsHexPrefix(opts.commit)) {
      std::cerr << "fluxstatus status: --commit '" << opts.commit << "' is not a hexadecimal SHA or prefix\n";
      return false;
    }
    filter.commit_prefix = opts.commit;
  }
  if (!opts.state.empty()) filter.state = opts.state;
  if (!opts.since.empty()) {
    const std::int64_t now_ms = store::SystemClock().NowMs();
    filter.since_ms = core::ParseInstantOrAgo(opts.since, now_ms);
    if (!filter.since_ms) {
      std::cerr << "fluxstatus status: --since '" << opts.since
                << "' is neither a duration (90s, 15m, 2h, 7d) nor RFC 3339 (2026-11-24T09:00:00Z)\n";
      return false;
    }
  }
  if (opts.limit > 0) filter.limit = opts.limit;
  return true;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// A --route typo must not read as "no statuses match". Configured routes are the only ones
// (checked before the database is opened); without any, every name is accepted, so the
// database's routes are the known ones, except for --wait, whose route may get its first
// status while it waits.
bool ConfiguredRoute(const Config& config, const std::string& route) {
  std::vector<std::string> names;
  for (const auto& rc : config.routes) names.push_back(rc.name);
  if (names.empty() || std::find(names.begin(), names.end(), route) != names.end()) return true;
  std::cerr << "fluxstatus status: route '" << route << "' is not configured in " << config.source
            << "; configured routes: " << Joined(names) << "\n";
  return false;
}

bool RouteWithStatuses(store::Connection& db, const std::string& route) {
  const auto seen = store::StatusRoutes(db);
  // An empty database knows no route yet: "no statuses match" says all there is.
  if (seen.empty() || std::find(seen.begin(), seen.end(), route) != seen.end()) return true;
  std::cerr << "fluxstatus status: no statuses for route '" << route
            << "' (no routes are configured, so routes are "
               "the names events came in on; with statuses: "
            << Joined(seen) << ")\n";
  return false;
}

void WriteTable(const std::vector<store::StatusRow>& rows) {
  TablePrinter table(
      {"COMMIT", "CONTEXT", "STATE", "SYNC", "ATTEMPTS", "EVENT TIME", "ROUTE", "DESCRIPTION", "LAST ERROR"}, 60);
  for (const auto& r : rows) {
    // A check run has its status's key: say which of the two the row is.
    const std::string context = r.key.context + (r.sink == core::Sink::kCheckRun ? " (check run)" : "");
    table.AddRow({r.key.commit_sha.substr(0, 12), context, std::string(core::ToString(r.fold.state)),
                  std::string(store::ToString(r.sync.sync_state)), std::to_string(r.sync.attempts),
                  core::FormatRfc3339Millis(r.fold.event_time_ms).substr(0, 19) + "Z", r.key.route, r.fold.description,
                  r.sync.last_error.value_or("")});
  }
  table.Print(std::cout);
}

}  // namespace

int RunStatus(const CliContext& ctx, const StatusOptions& opts) {
  store::StatusFilter filter;
  if (!FillFilter(opts, filter)) return 2;
  std::optional<std::chrono::milliseconds> timeout;
  if (opts.wait && !(timeout = core::ParseDuration(opts.timeout))) {
    std::cerr << "fluxstatus status: --timeout '" << opts.timeout << "' is not a duration (90s, 15m, 2h)\n";
    return 2;
  }
  if (filter.route && !ConfiguredRoute(ctx.config, *filter.route)) return 2;
  auto db = store::OpenForReading(ctx.db_path);
  if (filter.route && ctx.config.routes.empty() && !opts.wait && !RouteWithStatuses(*db, *filter.route)) return 2;
  if (opts.wait) return WaitForStatuses(*db, filter, *timeout, std::cout);
  const auto rows = store::ListStatuses(*db, filter);
  if (opts.json) {
    WriteJson(rows);
    return 0;
  }
  if (rows.empty()) {
    const bool filtered = filter.route || filter.commit_prefix || filter.state || filter.since_ms;
    std::cout << "no statuses" << (filtered ? " match" : " yet") << "\n";
    return 0;
  }
  WriteTable(rows);
  return 0;
}

}  // namespace fluxstatus::app
