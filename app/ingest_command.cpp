// `fluxstatus ingest [--route R] FILE...|-`: import events from files into the log.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "app/cli_context.h"
#include "core/flux_json.h"
#include "core/rfc3339.h"
#include "ingest/import_reader.h"
#include "store/database.h"
#include "store/event_store.h"
#include "store/system_clock.h"

namespace fluxstatus::app {
namespace {

// Events per transaction: large enough that the fsync per commit stops mattering.
constexpr std::size_t kBatchSize = 2000;

// Picks the route events are filed under when --route is not given: `default` while no route is
// configured (every route name is accepted then), the route when exactly one is configured (the
// only place the events can go), and none when several are: the user must choose.
std::string DefaultRoute(const Config& config) {
  if (config.routes.empty()) return "default";
  if (config.routes.size() == 1) return config.routes.front().name;
  return {};
}

std::string RouteNames(const Config& config) {
  std::string names;
  for (const auto& rc : config.routes) names += (names.empty() ? "" : ", ") + rc.name;
  return names;
}

// One run over all the files: batches the events (one transaction per batch) and counts each
// document or bad line once, so accepted + duplicate + rejected adds up to what was read.
class IngestRun {
 public:
  IngestRun(store::EventStore& events, std::string route, std::size_t max_body_bytes)
      : events_(events), route_(std::move(route)), max_body_bytes_(max_body_bytes) {}

  // `file` is a path or "-" (stdin). A file that cannot be read (or not to its end) is one
  // rejection; what was read before stays imported. A failed commit is not caught: it throws.
  void ImportFile(const std::string& file) {
    const std::string name = file == "-" ? "<stdin>" : file;
    try {
      if (file == "-") return Import(name, std::cin);
      // An ifstream opens a directory without complaint and reads nothing from it.
      std::error_code ec;
      if (std::filesystem::is_directory(file, ec)) {
        throw ingest::ReadError("is a directory, not a file of events; give the files in it, e.g. " +
                                (std::filesystem::path(file) / "*.json").string());
      }
      std::ifstream in(file, std::ios::binary);
      if (!in) throw ingest::ReadError(std::string("cannot read file: ") + std::strerror(errno));
      Import(name, in);
    } catch (const ingest::ReadError& e) {
      std::cerr << name << ": " << e.what() << "\n";
      ++rejected_;
    }
  }

  // Commits what is left and prints the summary; returns the exit code.
  int Finish() {
    Flush();
    std::cout << "accepted " << accepted_ << ", duplicate " << duplicates_ << ", rejected " << rejected_ << "\n";
    return rejected_ == 0 ? 0 : 1;
  }

 private:
  struct InputLine {
    std::string file;
    std::size_t line = 0;
  };

  void Import(const std::string& name, std::istream& in) {
    ingest::ImportReader reader(in, max_body_bytes_);
    while (auto item = reader.Next()) {
      if (const auto* bad = std::get_if<ingest::ImportRejection>(&*item)) {
        Reject({name, bad->line}, bad->reason);
      } else {
        Add({name, std::get<ingest::ImportedDocument>(*item).line},
            std::move(std::get<ingest::ImportedDocument>(*item).body));
      }
    }
  }

  void Add(InputLine where, std::string body) {
    auto parsed = core::ParseFluxEvent(body, max_body_bytes_);
    if (const auto* err = std::get_if<core::ParseError>(&parsed)) return Reject(where, err->message);
    batch_.push_back({route_, core::FormatRfc3339Millis(store::SystemClock().NowMs()), std::move(body),
                      std::move(std::get<core::FluxEvent>(parsed)), core::EventOrigin::kImport});
    lines_.push_back(std::move(where));
    if (batch_.size() >= kBatchSize) Flush();
  }

  void Reject(const InputLine& where, const std::string& reason) {
    std::cerr << where.file << ":" << where.line << ": " << reason << "\n";
    ++rejected_;
  }

  void Flush() {
    const auto outcomes = events_.AppendBatch(batch_);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (const auto* r = std::get_if<store::AppendResult>(&outcomes[i])) {
        r->duplicate ? ++duplicates_ : ++accepted_;
      } else {
        Reject(lines_[i], std::get<store::AppendFailure>(outcomes[i]).error);
      }
    }
    batch_.clear();
    lines_.clear();
  }

  store::EventStore& events_;
  std::string route_;
  std::size_t max_body_bytes_;
  std::vector<store::IncomingEvent> batch_;
  std::vector<InputLine> lines_;  // where each batch_ item came from, for its error message
  std::size_t accepted_ = 0, duplicates_ = 0, rejected_ = 0;
};

}  // namespace

int RunIngest(const CliContext& ctx, const IngestOptions& opts) {
  const std::string route = opts.route.empty() ? DefaultRoute(ctx.config) : opts.route;
  const core::RouteCatalog catalog = ctx.config.Catalog();
  if (route.empty()) {
    std::cerr << "fluxstatus ingest: " << ctx.config.routes.size() << " routes are configured in " << ctx.config.source
              << " (" << RouteNames(ctx.config) << "); choose one with --route\n";
    return 2;
  }
  if (!catalog.Find(route)) {
    std::cerr << "fluxstatus ingest: route '" << route << "' is not configured in " << ctx.config.source
              << "; configured routes: " << RouteNames(ctx.config) << "\n";
    return 2;
  }
  if (opts.route.empty() && !ctx.config.routes.empty()) {
    std::cerr << "fluxstatus ingest: filing the events under route '" << route << "', the only route configured in "
              << ctx.config.source << "\n";
  }
  auto db = store::OpenForWriting(ctx.db_path, ctx.config.durability);
  store::EventStore events(*db, catalog);
  IngestRun run(events, route, ctx.config.max_body_bytes);
  for (const auto& file : opts.files) run.ImportFile(file);
  return run.Finish();
}

}  // namespace fluxstatus::app
