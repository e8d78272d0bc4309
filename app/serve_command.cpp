#include "app/serve_command.h"

#include <csignal>
#include <filesystem>
#include <iostream>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/dispatch_wiring.h"
#include "app/resync_setup.h"
#include "app/service_health.h"
#include "app/service_setup.h"
#include "core/structured_log.h"
#include "dispatch/dispatch_metrics.h"
#include "dispatch/dispatcher.h"
#include "ingest/ack_deadlines.h"
#include "ingest/http_server.h"
#include "ingest/ingest_handler.h"
#include "ingest/resync_loop.h"
#include "ingest/secret.h"
#include "store/database.h"
#include "store/dispatch_lease.h"
#include "store/event_writer.h"
#include "store/system_clock.h"

namespace fluxstatus::app {
namespace {

// Time allowed for in-flight requests to get their commits after SIGTERM; the whole
// shutdown stays under Kubernetes' default 30 s grace and the 10 s.
constexpr std::chrono::milliseconds kShutdownGrace{7000};
// A resync's requests each time out after 30 s (5,000 objects take about a second in all), so
// one running this long is stuck, not slow.
constexpr std::chrono::minutes kResyncStuckAfter{30};

void Log(spdlog::level::level_enum level, const std::string& msg, const core::LogFields& fields) {
  spdlog::log(level, core::FormatLogLine(store::SystemClock().NowMs(), spdlog::level::to_string_view(level).data(), msg,
                                         fields));
}

std::uintmax_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

// Log lines are the compact JSON lines core::FormatLogLine writes, on stdout.
void InstallLogger(const std::string& level) {
  auto logger = spdlog::stdout_logger_mt("fluxstatus");
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// SIGTERM/SIGINT are taken by sigwait in RunServe, never by a worker thread: blocked before
// any thread starts, so every thread inherits the mask.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The gauges computed at each scrape of /metrics.
std::vector<ingest::Gauge> ServiceGauges(store::EventWriter& writer, ServiceHealth& health,
                                         const std::string& db_path) {
  return {
      {"fluxstatus_writer_queue_depth", "Events waiting for the writer.", static_cast<double>(writer.QueueDepth())},
      {"fluxstatus_writer_healthy", "1 when the last commit succeeded.", writer.Healthy() ? 1.0 : 0.0},
      {"fluxstatus_writer_last_commit_age_seconds", "Seconds since the last successful commit (or start).",
       writer.SecondsSinceLastCommit()},
      {"fluxstatus_live", "1 while /healthz answers 200 (no thread stopped or stalled).", health.Stuck() ? 0.0 : 1.0},
      {"fluxstatus_database_size_bytes", "Database file plus its write-ahead log.",
       static_cast<double>(FileSize(db_path) + FileSize(db_path + "-wal"))}};
}

ingest::HttpServerOptions ServerOptionsOf(const Config& config, const std::string& host, std::uint16_t port) {
  ingest::HttpServerOptions server_opts;
  server_opts.host = host;
  server_opts.port = port;
  // Bodies up to this size are read so that an authenticated oversized event can be kept in
  // rejected_events; the handler answers 413 above max_body_bytes.
  server_opts.max_body_bytes = std::max<std::size_t>(config.max_body_bytes * 2, 4u << 20);
  server_opts.body_limit_hint = ", not read at all; events are refused above max_body_bytes (" +
                                std::to_string(config.max_body_bytes) + "): raise max_body_bytes in " + config.source;
  server_opts.max_connections = config.http.max_connections;
  server_opts.max_header_bytes = config.http.max_header_bytes;
  server_opts.header_timeout = config.http.header_timeout;
  server_opts.body_timeout = config.http.body_timeout;
  server_opts.idle_timeout = config.http.idle_timeout;
  return server_opts;
}

// The periodic resync from the cluster, when the config (or being in a pod) turns it on.
std::unique_ptr<ingest::ResyncLoop> MakeResyncLoop(const Config& config, const std::string& db_path,
                                                   store::EventWriter& writer, ingest::ResyncMetrics& metrics,
                                                   const core::Clock& clock) {
  const auto every = config.kubernetes.ServeInterval(ingest::InCluster());
  metrics.Enabled(every.count() > 0, static_cast<double>(every.count()) / 1000);
  if (every.count() == 0) return nullptr;
  ingest::ResyncLoopOptions options;
  options.routing_problem = ResyncRoutingProblem(config);
  options.interval = every;
  options.access = [kubernetes = config.kubernetes] { return ChooseClusterAccess(kubernetes); };
  options.db_path = db_path;
  options.routes = ResyncRoutesOf(config);
  return std::make_unique<ingest::ResyncLoop>(std::move(options), writer, metrics, clock);
}

}  // namespace

int RunServe(const CliContext& ctx, const ServeOptions& opts) {
  InstallLogger(opts.log_level);
  const Config& config = ctx.config;
  for (const auto& file : config.SecretFiles()) {
    if (const auto warning = ingest::LoosePermissionsWarning(file)) Log(spdlog::level::warn, *warning, {});
  }
  // Secrets, listen address and Git host routes: the same code check-config runs.
  ServiceSetup setup = PrepareService(config, opts.listen);
  ingest::IngestSettings settings = std::move(setup.ingest);
  const auto [host, port] = setup.listen;

  const sigset_t signals = BlockStopSignals();

  // The one clock every part of the service reads (tests give theirs a manual one).
  const core::Clock& clock = store::SystemClock();
  auto dispatch_routes = std::move(setup.dispatch_routes);
  store::EventWriter writer(store::OpenForWriting(ctx.db_path, config.durability), config.Catalog(), {}, clock);
  dispatch::DispatchMetrics dispatch_metrics;
  dispatch::DispatcherOptions dispatch_options{ctx.db_path, config.dispatch.workers, RetryPolicyOf(config)};
  // Sends only while it holds the database's dispatch lease: a `replay` beside it never sends too.
  dispatch_options.lease = dispatch::DispatcherOptions::Lease{store::NewLeaseHolderId()};
  dispatch::Dispatcher dispatcher(std::move(dispatch_options), std::move(dispatch_routes), writer, dispatch_metrics,
                                  clock);
  writer.SetCommitListener([&dispatcher] { dispatcher.Wake(); });
  // Whatever way this function leaves, the writer thread (which wakes the dispatcher) stops
  // before the dispatcher is destroyed.
  struct StopWriterFirst {
    store::EventWriter& writer;
    ~StopWriterFirst() { writer.Stop(); }
  } stop_writer_first{writer};
  ingest::IngestMetrics metrics;
  ingest::AckDeadlines deadlines;
  const std::string db_path = ctx.db_path;
  ingest::ResyncMetrics resync_metrics;
  const auto resync = MakeResyncLoop(config, db_path, writer, resync_metrics, clock);
  const auto stall_after = config.health.stall_after;
  ServiceHealth health({[&writer, stall_after] { return writer.Stalled(stall_after); },
                        [&dispatcher, stall_after] { return dispatcher.Problem(stall_after); },
                        [&resync]() -> std::optional<std::string> {
                          return resync ? resync->Problem(kResyncStuckAfter) : std::nullopt;
                        }},
                       clock);
  settings.stuck = [&health] { return health.Stuck(); };
  settings.gauges = [&writer, &health, db_path] { return ServiceGauges(writer, health, db_path); };
  settings.more_metrics = [&dispatch_metrics, &resync_metrics] {
    return dispatch_metrics.Render() + resync_metrics.Render();
  };
  ingest::IngestHandler handler(std::move(settings), writer, metrics, deadlines, clock);

  const ingest::HttpServerOptions server_opts = ServerOptionsOf(config, host, port);
  ingest::HttpServer server(server_opts, [&handler](ingest::HttpRequest&& req, ingest::Responder respond) {
    handler(std::move(req), std::move(respond));
  });
  writer.Start();
  dispatcher.Start();
  if (resync) resync->Start();  // before the probes can be asked: a loop not started reads as stopped
  server.Start();
  Log(spdlog::level::info, "fluxstatus started",
      {{"version", std::string(FLUXSTATUS_VERSION)},
       {"listen", host + ":" + std::to_string(server.port())},
       {"database", db_path},
       {"config", config.source},
       {"routes", static_cast<std::int64_t>(config.routes.size())},
       {"resync_every_s",
        static_cast<std::int64_t>(config.kubernetes.ServeInterval(ingest::InCluster()).count() / 1000)}});

  int sig = 0;
  sigwait(&signals, &sig);
  Log(spdlog::level::info, "shutting down", {{"signal", std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT")}});
  handler.SetDraining();
  server.Stop(kShutdownGrace);  // in-flight requests still get their commits and answers
  if (resync) resync->Stop();   // a resync in progress is cut short; the next start resyncs
  dispatcher.Stop();            // jobs in hand finish; the rest stay due in the database
  writer.Stop();                // commits whatever is queued
  Log(spdlog::level::info, "stopped",
      {{"events_accepted", metrics.accepted_total()}, {"transactions", writer.commits()}});
  return 0;
}

}  // namespace fluxstatus::app
