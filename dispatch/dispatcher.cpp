#include "dispatch/dispatcher.h"

#include <algorithm>
#include <future>
#include <random>

#include <spdlog/spdlog.h>

#include "core/structured_log.h"
#include "dispatch/delivery_step.h"
#include "store/database.h"
#include "store/outbox.h"

namespace fluxstatus::dispatch {
namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How long a worker waits for its record to commit before giving up on the step.
constexpr std::chrono::seconds kRecordTimeout{30};

std::string_view ResultName(store::DeliveryRecord::Result r) {
  using R = store::DeliveryRecord::Result;
  switch (r) {
    case R::kSending: return "sending";
    case R::kSynced: return "synced";
    case R::kRetry: return "retry";
    case R::kFailed: return "failed";
    case R::kSkipped: return "skipped";
  }
  return "?";
}

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, std::vector<DispatchRoute> routes, store::EventWriter& writer,
                       DispatchMetrics& metrics)
    : options_(std::move(options)), writer_(writer), metrics_(metrics) {
  for (auto& r : routes) routes_.emplace(r.name, std::move(r));
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
  scheduler_ = std::thread([this] { ScheduleLoop(); });
}

void Dispatcher::Stop() {
  if (stop_.exchange(true)) return;
  Wake();
  if (scheduler_.joinable()) scheduler_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

void Dispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Dispatcher::ScheduleLoop() {
  try {
    auto db = store::OpenForReading(options_.db_path);
    store::Outbox outbox(*db);
    while (!stop_) {
      ScheduleOnce(outbox);
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.poll, [this] { return woken_ || stop_.load(); });
      woken_ = false;
    }
  } catch (const std::exception& e) {
    spdlog::error(core::FormatLogLine(NowMs(), "error", "dispatch scheduler stopped", {{"error", std::string(e.what())}}));
  }
}

std::size_t Dispatcher::ScheduleOnce(store::Outbox& outbox) {
  const std::int64_t now = NowMs();
  const auto backlog = outbox.Measure(now);
  metrics_.Backlog(backlog.pending, backlog.oldest_age_ms);
  std::size_t queued = 0;
  for (auto& row : outbox.Due(now, options_.batch)) {
    if (options_.only && !options_.only(row.key)) continue;
    auto route = routes_.find(row.key.route);
    std::lock_guard lock(mu_);
    if (in_progress_.count(row.key)) continue;
    if (route != routes_.end()) {
      const std::string host = route->second.provider->HostKey();
      auto paused = paused_until_ms_.find(host);
      if (paused != paused_until_ms_.end()) {
        if (paused->second > now) continue;
        paused_until_ms_.erase(paused);
        metrics_.HostPaused(host, false);
      }
    }
    in_progress_.insert(row.key);
    jobs_.enqueue(Job{row.key});
    ++queued;
  }
  return queued;
}

void Dispatcher::WorkerLoop(int index) {
  std::uint64_t seed = std::random_device{}() ^ (static_cast<std::uint64_t>(index) << 32);
  std::map<std::string, CurlTransport> transports;  // by CA file: one handle per host setting
  try {
    auto db = store::OpenForReading(options_.db_path);
    store::Outbox outbox(*db);
    Job job;
    while (!stop_) {
      if (!jobs_.wait_dequeue_timed(job, std::chrono::milliseconds(100))) continue;
      Process(job, outbox, transports, seed);
      Release(job.key);
    }
  } catch (const std::exception& e) {
    spdlog::error(core::FormatLogLine(NowMs(), "error", "dispatch worker stopped",
                                      {{"worker", std::int64_t{index}}, {"error", std::string(e.what())}}));
  }
}

void Dispatcher::Release(const core::StatusKey& key) {
  std::lock_guard lock(mu_);
  in_progress_.erase(key);
}

bool Dispatcher::Record(store::DeliveryRecord record) {
  auto done = std::make_shared<std::promise<bool>>();
  auto committed = done->get_future();
  if (!writer_.SubmitDelivery(std::move(record), [done](const store::WriteOutcome& o) { done->set_value(o.ok); })) {
    return false;
  }
  if (committed.wait_for(kRecordTimeout) != std::future_status::ready) return false;
  return committed.get();
}

void Dispatcher::Process(const Job& job, store::Outbox& outbox, std::map<std::string, CurlTransport>& transports,
                         std::uint64_t& seed) {
  // Re-read: a state superseded while the job was queued is never sent.
  const auto row = outbox.Load(job.key);
  if (!row || row->sync.sync_state != store::SyncState::kPending) return;
  auto route_it = routes_.find(job.key.route);
  if (route_it == routes_.end()) {
    store::DeliveryRecord skip;
    skip.key = job.key;
    skip.sent_event_id = row->fold.event_id;
    skip.result = store::DeliveryRecord::Result::kSkipped;
    skip.error = "route '" + job.key.route + "' has no provider";
    skip.at_ms = NowMs();
    Record(std::move(skip));
    return;
  }
  const DispatchRoute& route = route_it->second;
  const std::string host = route.provider->HostKey();
  {
    // The host's budget ran out after this job was queued: no call before the pause ends (the
    // key stays due and is scheduled again once it has).
    std::lock_guard lock(mu_);
    auto paused = paused_until_ms_.find(host);
    if (paused != paused_until_ms_.end() && paused->second > NowMs()) return;
  }
  auto transport = transports.find(route.transport.ca_file);
  if (transport == transports.end()) {
    transport = transports.emplace(route.transport.ca_file, CurlTransport(route.transport)).first;
  }
  std::mt19937_64 rng(seed++);
  StepEnvironment env{*route.provider, {}, [&](const HttpCall& c) { return transport->second.Send(c); },
                      [this](const store::DeliveryRecord& r) { return Record(r); }, NowMs, options_.policy,
                      std::uniform_real_distribution<double>(0, 1)(rng)};
  StepResult result;
  try {
    env.credentials = route.tokens->Get(NowMs() / 1000);
    result = RunDeliveryStep(*row, env);
  } catch (const std::exception& e) {
    // No credentials (missing token file, GitHub App refused): a retryable failure of the key.
    result.record.key = job.key;
    result.record.sent_event_id = row->fold.event_id;
    result.record.sent_state = std::string(core::ToString(row->fold.state));
    result.record.sent_description = row->fold.description;
    result.record.result = store::DeliveryRecord::Result::kRetry;
    result.record.error = std::string("credentials: ") + e.what();
    result.record.at_ms = NowMs();
    const int attempts = static_cast<int>(row->sync.attempts) + 1;
    if (options_.policy.Exhausted(attempts)) result.record.result = store::DeliveryRecord::Result::kFailed;
    result.record.next_attempt_ms = NowMs() + options_.policy.Delay(attempts, 0.5, std::nullopt).count();
  }
  for (const auto& a : result.record.attempts) metrics_.Attempt(host, a.outcome);
  if (result.rate.remaining) metrics_.RateRemaining(host, *result.rate.remaining);
  if (result.pause_host_until_ms) {
    std::lock_guard lock(mu_);
    paused_until_ms_[host] = std::max(paused_until_ms_[host], *result.pause_host_until_ms);
    metrics_.HostPaused(host, true);
  }
  spdlog::info(core::FormatLogLine(
      NowMs(), "info", "status dispatched",
      {{"route", job.key.route}, {"commit", job.key.commit_sha}, {"context", job.key.context},
       {"state", result.record.sent_state}, {"result", std::string(ResultName(result.record.result))},
       {"calls", std::int64_t{result.calls}}, {"error", result.record.error}}));
  Record(std::move(result.record));
  ++steps_;
}

std::int64_t Dispatcher::RunUntilIdle(std::chrono::steady_clock::time_point deadline) {
  auto db = store::OpenForReading(options_.db_path);
  store::Outbox outbox(*db);
  std::map<std::string, CurlTransport> transports;
  std::uint64_t seed = std::random_device{}();
  const std::int64_t before = steps_;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ScheduleOnce(outbox) == 0) break;
    Job job;
    while (jobs_.try_dequeue(job)) {
      Process(job, outbox, transports, seed);
      Release(job.key);
    }
  }
  return steps_ - before;
}

}  // namespace fluxstatus::dispatch
