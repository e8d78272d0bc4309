#include "ingest/resync_loop.h"

#include <SQLiteCpp/Exception.h>
#include <spdlog/spdlog.h>

#include "core/rfc3339.h"
#include "core/structured_log.h"
#include "ingest/resync_pass.h"

namespace fluxstatus::ingest {
namespace {

// How long the writer may take to commit one chunk of a resync's events before the resync
// gives up waiting (they stay queued and are committed; only the count is then unknown).
constexpr std::chrono::seconds kAppendWait{60};
// Events submitted before waiting for their commits: a resync of a large cluster must not fill
// the writer's queue, which Flux's own events and dispatch's records share.
constexpr std::size_t kAppendChunk = 500;

std::string ErrorReason(const KubeApiError& e) {
  switch (e.status()) {
    case 0: return "unreachable";
    case 200: return "invalid_response";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    default: return "api_error";
  }
}

}  // namespace

ResyncLoop::ResyncLoop(ResyncLoopOptions options, store::EventWriter& writer, ResyncMetrics& metrics,
                       const core::Clock& clock)
    : options_(std::move(options)), writer_(writer), metrics_(metrics), clock_(clock) {
  options_.client.abort = &stopping_;
}

ResyncLoop::~ResyncLoop() { Stop(); }

void ResyncLoop::Start() {
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void ResyncLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> ResyncLoop::Problem(std::chrono::milliseconds limit) const {
  if (!running_ && !stopping_) return "the resync thread has stopped";
  const std::int64_t started = pass_started_ms_.load();
  if (started == 0) return std::nullopt;
  const std::int64_t ms = clock_.NowMs() - started;
  if (ms <= limit.count()) return std::nullopt;
  return "a resync from the cluster has been running for " + std::to_string(ms / 1000) + " s";
}

void ResyncLoop::Run() {
  while (!stopping_) {
    RunOnce();
    ++passes_;
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, options_.interval, [this] { return stopping_.load(); });
  }
  running_ = false;
}

void ResyncLoop::RunOnce() {
  if (!options_.routing_problem.empty()) {
    metrics_.Failed(clock_.NowMs(), "no_route", 0);
    spdlog::error(core::FormatLogLine(clock_.NowMs(), "error", "resync failed", {{"error", options_.routing_problem}}));
    return;
  }
  const std::int64_t started = clock_.NowMs();
  pass_started_ms_ = started;
  std::string reason;
  std::string error;
  int requests = 0;
  try {
    const ResyncPass pass = PrepareResync(options_.access(), options_.routes, options_.db_path, options_.client);
    requests = pass.requests;
    LogAbsentKinds(AbsentKinds(pass.kinds));
    const std::size_t appended = Append(pass.plan);
    const std::int64_t ended = clock_.NowMs();
    metrics_.Succeeded(ended, static_cast<double>(ended - started) / 1000, pass.plan.objects, appended, requests);
    spdlog::info(core::FormatLogLine(ended, "info", "resync finished",
                                     {{"summary", DescribeResync(pass, appended)},
                                      {"api_requests", static_cast<std::int64_t>(requests)},
                                      {"duration_ms", ended - started}}));
  } catch (const KubeApiError& e) {
    reason = ErrorReason(e);
    error = e.what();
  } catch (const ClusterAccessError& e) {
    reason = "credentials";
    error = e.what();
  } catch (const SQLite::Exception& e) {
    reason = "database";
    error = std::string("database: ") + e.what();
  } catch (const std::exception& e) {  // a bug or resource exhaustion: the next resync tries again
    reason = "internal";
    error = e.what();
  }
  if (!reason.empty() && !stopping_) {
    metrics_.Failed(clock_.NowMs(), reason, requests);
    spdlog::error(core::FormatLogLine(clock_.NowMs(), "error", "resync failed", {{"error", error}}));
  }
  pass_started_ms_ = 0;
}

std::size_t ResyncLoop::Append(const ResyncPlan& plan) {
  auto events = EventsToAppend(plan, core::FormatRfc3339Millis(clock_.NowMs()));
  struct Tally {
    std::mutex mu;
    std::condition_variable done;
    std::size_t waiting = 0, appended = 0, failed = 0;
  };
  auto tally = std::make_shared<Tally>();
  std::size_t refused = 0;
  for (std::size_t i = 0; i < events.size() && !stopping_; ++i) {
    {
      std::lock_guard lock(tally->mu);
      ++tally->waiting;
    }
    const bool queued = writer_.Submit(std::move(events[i]), [tally](const store::WriteOutcome& out) {
      std::lock_guard lock(tally->mu);
      if (!out.ok) {
        ++tally->failed;
      } else if (!out.result.duplicate) {
        ++tally->appended;
      }
      --tally->waiting;
      tally->done.notify_all();
    });
    std::unique_lock lock(tally->mu);
    if (!queued) {
      --tally->waiting;
      ++refused;
    }
    if ((i + 1) % kAppendChunk == 0 || i + 1 == events.size()) {
      tally->done.wait_for(lock, kAppendWait, [&tally] { return tally->waiting == 0; });
    }
  }
  std::lock_guard lock(tally->mu);
  if (refused + tally->failed > 0) {
    spdlog::warn(core::FormatLogLine(
        clock_.NowMs(), "warn", "resync could not append every status; the next resync tries again",
        {{"refused", static_cast<std::int64_t>(refused)}, {"failed", static_cast<std::int64_t>(tally->failed)}}));
  }
  return tally->appended;
}

void ResyncLoop::LogAbsentKinds(const std::vector<std::string>& absent) {
  const std::set<std::string> now(absent.begin(), absent.end());
  if (absent_logged_ == now) return;
  absent_logged_ = now;
  for (const auto& kind : now) {
    spdlog::info(core::FormatLogLine(clock_.NowMs(), "info", "resync skips a kind the cluster does not serve",
                                     {{"kind", kind}, {"why", std::string("its CRD is not installed (404)")}}));
  }
}

}  // namespace fluxstatus::ingest
