// `fluxstatus ingest [--route R] FILE...|-`: import events from files into the log.
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/cli_context.h"
#include "core/flux_json.h"
#include "ingest/event_documents.h"
#include "store/database.h"
#include "store/event_store.h"

namespace fluxstatus::app {
namespace {

// Events per transaction: large enough that the fsync per commit stops mattering.
constexpr std::size_t kBatchSize = 2000;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ReadInput(const std::string& file, std::string& text) {
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

// Picks the route events are filed under when --route is not given.
std::string DefaultRoute(const Config& config) {
  if (config.routes.empty()) return "default";
  if (config.routes.size() == 1) return config.routes.front().name;
  return {};
}

}  // namespace

int RunIngest(const CliContext& ctx, const IngestOptions& opts) {
  const std::string route = opts.route.empty() ? DefaultRoute(ctx.config) : opts.route;
  const core::RouteCatalog catalog = ctx.config.Catalog();
  if (route.empty()) {
    std::cerr << "fluxstatus ingest: " << ctx.config.routes.size()
              << " routes are configured; choose one with --route\n";
    return 2;
  }
  if (!catalog.Find(route)) {
    std::cerr << "fluxstatus ingest: route '" << route << "' is not configured in " << ctx.config.source << "\n";
    return 2;
  }
  auto db = store::OpenForWriting(ctx.db_path, ctx.config.durability);
  store::EventStore events(*db, catalog);

  std::size_t accepted = 0, duplicates = 0, rejected = 0;
  std::vector<store::IncomingEvent> batch;
  auto flush = [&] {
    for (const auto& outcome : events.AppendBatch(batch)) {
      if (const auto* r = std::get_if<store::AppendResult>(&outcome)) {
        r->duplicate ? ++duplicates : ++accepted;
      } else {
        ++rejected;
        std::cerr << "fluxstatus ingest: " << std::get<store::AppendFailure>(outcome).error << "\n";
      }
    }
    batch.clear();
  };
  for (const auto& file : opts.files) {
    const std::string name = file == "-" ? "<stdin>" : file;
    std::string text;
    if (!ReadInput(file, text)) {
      std::cerr << name << ": cannot read file\n";
      ++rejected;
      continue;
    }
    const auto split = ingest::SplitEventDocuments(text);
    for (const auto& doc : split.documents) {
      std::string body = text.substr(doc.offset, doc.length);
      auto parsed = core::ParseFluxEvent(body, ctx.config.max_body_bytes);
      if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
        std::cerr << name << ":" << doc.line << ": " << err->message << "\n";
        ++rejected;
        continue;
      }
      batch.push_back({route, NowMs(), std::move(body), std::move(std::get<core::FluxEvent>(parsed))});
      if (batch.size() >= kBatchSize) flush();
    }
    if (split.error) {
      std::cerr << name << ":" << split.error->line << ": " << split.error->message << "\n";
      ++rejected;
    }
  }
  flush();
  std::cout << "accepted " << accepted << ", duplicate " << duplicates << ", rejected " << rejected << "\n";
  return rejected == 0 ? 0 : 1;
}

}  // namespace fluxstatus::app
