// `fluxstatus status [--route R] [--commit SHA-or-prefix] [--json]`.
#include <iostream>

#include "app/cli_context.h"
#include "app/table_printer.h"
#include "core/compact_json.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "store/database.h"
#include "store/status_query.h"

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
         cereal::make_nvp("updated_at", r.updated_at),
         cereal::make_nvp("sync_state", std::string(store::ToString(r.sync.sync_state))));
      core::WriteNullable(ar, "synced_at", r.sync.synced_at);
      ar(cereal::make_nvp("attempts", r.sync.attempts));
      core::WriteNullable(ar, "last_error", r.sync.last_error);
      ar.finishNode();
    }
    ar.finishNode();
  }) << "\n";
}

}  // namespace

int RunStatus(const CliContext& ctx, const StatusOptions& opts) {
  store::StatusFilter filter;
  if (!opts.route.empty()) filter.route = opts.route;
  if (!opts.commit.empty()) {
    if (!core::IsHexPrefix(opts.commit)) {
      std::cerr << "fluxstatus status: --commit '" << opts.commit << "' is not a hexadecimal SHA or prefix\n";
      return 2;
    }
    filter.commit_prefix = opts.commit;
  }
  auto db = store::OpenForReading(ctx.db_path);
  const auto rows = store::QueryStatus(*db, filter);
  if (opts.json) {
    WriteJson(rows);
    return 0;
  }
  if (rows.empty()) {
    std::cout << "no statuses" << (filter.route || filter.commit_prefix ? " match" : " yet") << "\n";
    return 0;
  }
  TablePrinter table({"COMMIT", "CONTEXT", "STATE", "SYNC", "DESCRIPTION", "EVENT TIME", "ROUTE"});
  for (const auto& r : rows) {
    table.AddRow({r.key.commit_sha.substr(0, 12), r.key.context, std::string(core::ToString(r.fold.state)),
                  std::string(store::ToString(r.sync.sync_state)), r.fold.description,
                  core::FormatRfc3339Millis(r.fold.event_time_ms).substr(0, 19) + "Z", r.key.route});
  }
  table.Print(std::cout);
  return 0;
}

}  // namespace fluxstatus::app
