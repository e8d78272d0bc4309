#include "dispatch/dispatcher.h"

#include <algorithm>
#include <future>
#include <random>

#include <spdlog/spdlog.h>

#include "core/structured_log.h"
#include "dispatch/delivery_step.h"
#include "store/database.h"
#include "store/outbox.h"
#include "store/replay_window.h"

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

// A refused credential is the usual permanent failure (a revoked or rotated token): last_error
// says so, with the HTTP status and the way out, not only the host's wording.
std::string ExplainFailure(const store::DeliveryRecord& r, const std::string& route) {
  if (r.result != store::DeliveryRecord::Result::kFailed || r.attempts.empty()) return r.error;
  const auto& last = r.attempts.back();
  const bool refused = last.outcome == "failed" || r.error.rfind("listing statuses failed", 0) == 0;
  const auto& status = last.http_status;
  if (!refused || !status || (*status != 401 && *status != 403)) return r.error;  // not e.g. a 403 rate limit
  return "HTTP " + std::to_string(*status) + ": the host refused route '" + route +
         "' credentials (or their permissions): " + r.error + "; fix the token, then run `fluxstatus replay`";
}

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, std::vector<DispatchRoute> routes, store::EventWriter& writer,
                       DispatchMetrics& metrics)
    : options_(std::move(options)), writer_(writer), metrics_(metrics) {
  for (auto& r : routes) routes_.emplace(r.name, std::move(r));
  if (options_.keys) remaining_keys_ = *options_.keys;
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
  std::unique_ptr<store::DispatchLease> lease;
  try {
    auto db = store::OpenForReading(options_.db_path);
    store::Outbox outbox(*db);
    while (!stop_) {
      if (KeepLease(lease)) ScheduleOnce(*db, outbox, lease);
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.poll, [this] { return woken_ || stop_.load(); });
      woken_ = false;
    }
  } catch (const std::exception& e) {
    spdlog::error(core::FormatLogLine(NowMs(), "error", "dispatch scheduler stopped", {{"error", std::string(e.what())}}));
  }
  lease_valid_until_ns_ = 0;
  if (lease) {
    try {
      lease->Release(options_.lease->holder);  // the next dispatcher need not wait for the expiry
    } catch (const std::exception& e) {
      spdlog::warn(core::FormatLogLine(NowMs(), "warn", "could not release the dispatch lease",
                                       {{"error", std::string(e.what())}}));
    }
  }
}

bool Dispatcher::KeepLease(std::unique_ptr<store::DispatchLease>& lease) {
  if (!options_.lease) return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_lease_try_) return HoldsLease();
  const auto& opts = *options_.lease;
  const bool held_before = HoldsLease();
  try {
    if (!lease) lease = std::make_unique<store::DispatchLease>(options_.db_path);
    const store::LeaseAttempt attempt = lease->TryAcquire(opts.holder, NowMs(), opts.ttl.count());
    if (attempt.held) {
      // Sending stops a third of the ttl before the row expires, so a send never overlaps a
      // successor that waited for the expiry, even when this renewal was slow to commit.
      const auto valid_until = now + opts.ttl - opts.ttl / 3;
      lease_valid_until_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(valid_until.time_since_epoch()).count();
      next_lease_try_ = now + opts.renew_every;
      std::lock_guard lock(mu_);
      other_holder_.clear();
    } else {
      next_lease_try_ = now + std::min<std::chrono::milliseconds>(opts.renew_every, std::chrono::seconds(1));
      lease_valid_until_ns_ = 0;
      std::lock_guard lock(mu_);
      if (other_holder_ != attempt.other->holder) {
        spdlog::info(core::FormatLogLine(NowMs(), "info", "another process holds the dispatch lease: not sending",
                                         {{"holder", attempt.other->holder}}));
      }
      other_holder_ = attempt.other->holder;
    }
  } catch (const std::exception& e) {
    // The database is busy or failing: keep sending only while the last renewal is valid.
    next_lease_try_ = now + std::chrono::milliseconds(500);
    spdlog::warn(core::FormatLogLine(NowMs(), "warn", "could not renew the dispatch lease",
                                     {{"error", std::string(e.what())}}));
  }
  const bool held = HoldsLease();
  if (held != held_before) {
    spdlog::info(core::FormatLogLine(NowMs(), "info", held ? "dispatch lease taken" : "dispatch lease lost",
                                     {{"holder", opts.holder}}));
  }
  return held;
}

bool Dispatcher::HoldsLease() const {
  if (!options_.lease) return true;
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() < lease_valid_until_ns_.load();
}

std::string Dispatcher::OtherLeaseHolder() const {
  std::lock_guard lock(mu_);
  return other_holder_;
}

std::vector<store::StatusRow> Dispatcher::DueKeys(SQLite::Database& db, store::Outbox& outbox, std::int64_t now) {
  if (!options_.keys) return outbox.Due(now, options_.batch);
  // Keys mode: read the remaining keys; one that is no longer pending is done with.
  std::vector<core::StatusKey> idle;
  {
    std::lock_guard lock(mu_);
    for (const auto& key : remaining_keys_) {
      if (!in_progress_.count(key)) idle.push_back(key);
    }
  }
  std::set<core::StatusKey> still_pending;
  std::vector<store::StatusRow> due;
  for (auto& row : store::LoadStatuses(db, idle)) {
    if (row.sync.sync_state != store::SyncState::kPending) continue;
    still_pending.insert(row.key);
    if (!row.sync.next_attempt_ms || *row.sync.next_attempt_ms <= now) due.push_back(std::move(row));
  }
  const std::set<core::StatusKey> looked(idle.begin(), idle.end());
  std::erase_if(remaining_keys_,
                [&](const core::StatusKey& key) { return looked.count(key) && !still_pending.count(key); });
  return due;
}

bool Dispatcher::Enqueue(const store::StatusRow& row, std::int64_t now) {
  auto route = routes_.find(row.key.route);
  std::lock_guard lock(mu_);
  if (in_progress_.count(row.key)) return false;
  if (route != routes_.end()) {
    const std::string host = route->second.provider->HostKey();
    auto paused = paused_until_ms_.find(host);
    if (paused != paused_until_ms_.end()) {
      if (paused->second > now) return false;
      paused_until_ms_.erase(paused);
      metrics_.HostPaused(host, false);
    }
  }
  in_progress_.insert(row.key);
  jobs_.enqueue(Job{row.key});
  return true;
}

std::size_t Dispatcher::ScheduleOnce(SQLite::Database& db, store::Outbox& outbox,
                                     std::unique_ptr<store::DispatchLease>& lease) {
  const std::int64_t now = NowMs();
  if (!options_.keys) {
    const auto backlog = outbox.Measure(now);
    metrics_.Backlog(backlog.pending, backlog.oldest_age_ms);
  }
  const auto due = DueKeys(db, outbox, now);
  if (!KeepLease(lease)) return 0;  // a long read may have outlived the renewal: renew first
  std::size_t queued = 0;
  for (const auto& row : due) {
    if (Enqueue(row, now)) ++queued;
  }
  return queued;
}

void Dispatcher::WorkerLoop(int index) {
  std::uint64_t seed = std::random_device{}() ^ (static_cast<std::uint64_t>(index) << 32);
  std::map<std::string, CurlTransport> transports;  // by TLS settings (SharingKey): one handle each
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
  if (!HoldsLease()) return;  // the lease was lost while the job was queued: the key stays due
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
  auto transport = transports.find(route.transport.SharingKey());
  if (transport == transports.end()) {
    transport = transports.emplace(route.transport.SharingKey(), CurlTransport(route.transport)).first;
  }
  std::mt19937_64 rng(seed++);
  StepEnvironment env{*route.provider, {}, [&](const HttpCall& c) { return transport->second.Send(c); },
                      [this](const store::DeliveryRecord& r) { return HoldsLease() && Record(r); }, NowMs, options_.policy,
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
  result.record.error = ExplainFailure(result.record, job.key.route);
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

}  // namespace fluxstatus::dispatch
