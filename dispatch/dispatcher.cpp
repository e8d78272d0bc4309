#include "dispatch/dispatcher.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/structured_log.h"
#include "store/database.h"
#include "store/outbox.h"
#include "store/replay_window.h"

namespace fluxstatus::dispatch {
namespace {

std::int64_t SteadyNs(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// A supervised thread's wait before it tries again: 100 ms, doubling while every try fails.
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kLongestBackoff{5000};
// Statuses by sync_state are counted at most this often (a scan of the sync_state index).
constexpr std::chrono::seconds kMeasureEvery{1};

std::vector<std::string> ThreadNames(int workers) {
  std::vector<std::string> names = {"dispatch scheduler"};
  for (int i = 0; i < workers; ++i) names.push_back("dispatch worker " + std::to_string(i));
  return names;
}

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, std::vector<DispatchRoute> routes, store::EventWriter& writer,
                       DispatchMetrics& metrics, const core::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      writer_(writer),
      metrics_(metrics),
      health_(ThreadNames(options_.workers)),
      repeating_log_(options_.log_repeats_every, clock) {
  for (auto& r : routes) {
    longest_call_ = std::max(longest_call_, r.transport.timeout);
    routes_.emplace(r.name, std::move(r));
  }
  if (routes_.empty()) longest_call_ = TransportOptions{}.timeout;
  if (options_.keys) remaining_keys_ = *options_.keys;
  if (options_.lease && options_.lease->ttl.count() <= 0) {
    options_.lease->ttl = LeaseTtlFor({options_.record_wait, longest_call_}, options_.lease->renew_every);
  }
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  started_ = true;
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

std::optional<std::string> Dispatcher::Problem(std::chrono::milliseconds stall_after) const {
  if (!started_ || stop_) return std::nullopt;
  return health_.Problem(clock_.Steady(), stall_after, /*expect_running=*/true);
}

int Dispatcher::WorkersAlive() const { return health_.Running(kSchedulerThread + 1, options_.workers); }

void Dispatcher::Supervise(int thread, const std::function<void()>& incarnation) {
  health_.Started(thread);
  metrics_.WorkersAlive(WorkersAlive());
  auto backoff = kFirstBackoff;
  while (!stop_) {
    std::string error;
    try {
      incarnation();
      continue;  // returns only once stopping
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown exception";
    }
    const bool failing_already = health_.Failed(thread, error, clock_.Steady());
    backoff = failing_already ? std::min(backoff * 2, kLongestBackoff) : kFirstBackoff;
    repeating_log_.Write(
        spdlog::level::err, "dispatch thread failed; it re-opens its connection after a pause",
        {{"thread", thread == kSchedulerThread ? std::string("scheduler") : "worker " + std::to_string(thread - 1)},
         {"error", error},
         {"retry_in_ms", static_cast<std::int64_t>(backoff.count())}});
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, backoff, [this] { return stop_.load(); });
  }
  health_.Exited(thread);
  metrics_.WorkersAlive(WorkersAlive());
  {
    std::lock_guard lock(mu_);  // the scheduler waits for the workers to be gone (ScheduleLoop)
  }
  wake_.notify_all();
}

void Dispatcher::ScheduleLoop() {
  std::unique_ptr<store::DispatchLease> lease;
  Supervise(kSchedulerThread, [&] {
    auto db = store::OpenForReading(options_.db_path);
    store::Outbox outbox(*db);
    while (!stop_) {
      if (KeepLease(lease))
        ScheduleOnce(*db, outbox, lease);
      else
        health_.DueWork(false, clock_.Steady());
      health_.Succeeded(kSchedulerThread);
      repeating_log_.Flush();
      ++polls_;
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.poll, [this] { return woken_ || stop_.load(); });
      woken_ = false;
    }
  });
  {
    // The workers record their last steps (Stop cut their calls short) under the lease: it is
    // given up only once they are gone.
    std::unique_lock lock(mu_);
    wake_.wait(lock, [this] { return WorkersAlive() == 0; });
  }
  lease_valid_until_ns_ = 0;
  if (lease) {
    try {
      lease->Release(options_.lease->holder);  // the next dispatcher need not wait for the expiry
    } catch (const std::exception& e) {
      spdlog::warn(core::FormatLogLine(clock_.NowMs(), "warn", "could not release the dispatch lease",
                                       {{"error", std::string(e.what())}}));
    }
  }
}

bool Dispatcher::KeepLease(std::unique_ptr<store::DispatchLease>& lease) {
  if (!options_.lease) return true;
  const auto now = clock_.Steady();
  if (now < next_lease_try_) return HoldsLease();
  const auto& opts = *options_.lease;
  const bool held_before = HoldsLease();
  try {
    if (!lease) lease = std::make_unique<store::DispatchLease>(options_.db_path);
    const store::LeaseAttempt attempt = lease->TryAcquire(opts.holder, clock_.NowMs(), opts.ttl.count());
    if (attempt.held) {
      lease_valid_until_ns_ = SteadyNs(now + LeaseUsableFor(opts.ttl));
      next_lease_try_ = now + opts.renew_every;
      std::lock_guard lock(mu_);
      other_holder_.clear();
    } else {
      next_lease_try_ = now + std::min<std::chrono::milliseconds>(opts.renew_every, std::chrono::seconds(1));
      lease_valid_until_ns_ = 0;
      std::lock_guard lock(mu_);
      if (other_holder_ != attempt.other->holder) {
        spdlog::info(core::FormatLogLine(clock_.NowMs(), "info",
                                         "another process holds the dispatch lease: not sending",
                                         {{"holder", attempt.other->holder}}));
      }
      other_holder_ = attempt.other->holder;
    }
  } catch (const std::exception& e) {
    // The database is busy or failing: keep sending only while the last renewal is valid, and
    // try again on a new connection.
    lease.reset();
    next_lease_try_ = now + std::chrono::milliseconds(500);
    repeating_log_.Write(spdlog::level::warn, "could not renew the dispatch lease", {{"error", std::string(e.what())}});
  }
  const bool held = HoldsLease();
  if (held != held_before) {
    spdlog::info(core::FormatLogLine(clock_.NowMs(), "info", held ? "dispatch lease taken" : "dispatch lease lost",
                                     {{"holder", opts.holder}}));
  }
  return held;
}

bool Dispatcher::HoldsLease() const {
  if (!options_.lease) return true;
  return SteadyNs(clock_.Steady()) < lease_valid_until_ns_.load();
}

bool Dispatcher::LeaseCovers(LeaseAction action, std::chrono::milliseconds call_timeout) const {
  if (!options_.lease) return true;
  const auto needed = LeaseNeededFor(action, {options_.record_wait, call_timeout});
  return SteadyNs(clock_.Steady() + needed) <= lease_valid_until_ns_.load();
}

std::string Dispatcher::OtherLeaseHolder() const {
  std::lock_guard lock(mu_);
  return other_holder_;
}

std::vector<store::StatusRow> Dispatcher::DueKeys(store::Connection& db, store::Outbox& outbox, std::int64_t now) {
  if (!options_.keys) return outbox.Due(now, options_.batch);
  // Keys mode: read the remaining keys; one that is no longer pending is done with.
  std::vector<core::SinkKey> idle;
  {
    std::lock_guard lock(mu_);
    for (const auto& target : remaining_keys_) {
      if (!in_progress_.count(target)) idle.push_back(target);
    }
  }
  std::set<core::SinkKey> still_pending;
  std::vector<store::StatusRow> due;
  for (auto& row : store::LoadStatuses(db, idle)) {
    if (row.sync.sync_state != store::SyncState::kPending) continue;
    still_pending.insert({row.sink, row.key});
    if (!row.sync.next_attempt_ms || *row.sync.next_attempt_ms <= now) due.push_back(std::move(row));
  }
  const std::set<core::SinkKey> looked(idle.begin(), idle.end());
  std::erase_if(remaining_keys_,
                [&](const core::SinkKey& target) { return looked.count(target) && !still_pending.count(target); });
  return due;
}

bool Dispatcher::HostPaused(const std::string& route, std::int64_t now) const {
  auto r = routes_.find(route);
  if (r == routes_.end()) return false;
  auto paused = paused_until_ms_.find(r->second.provider->HostKey());
  return paused != paused_until_ms_.end() && paused->second > now;
}

bool Dispatcher::Enqueue(const store::StatusRow& row, std::int64_t now) {
  auto route = routes_.find(row.key.route);
  std::lock_guard lock(mu_);
  const core::SinkKey target{row.sink, row.key};
  if (in_progress_.count(target)) return false;
  if (auto held = held_back_.find(target); held != held_back_.end() && held->second.until_ms > now) return false;
  if (route != routes_.end()) {
    const std::string host = route->second.provider->HostKey();
    auto paused = paused_until_ms_.find(host);
    if (paused != paused_until_ms_.end()) {
      if (paused->second > now) return false;
      paused_until_ms_.erase(paused);
      metrics_.HostPaused(host, false);
    }
  }
  in_progress_.insert(target);
  jobs_.enqueue(Job{target});
  return true;
}

void Dispatcher::Measure(store::Outbox& outbox, std::int64_t now) {
  if (options_.keys) return;  // replay: the service's metrics are the service's
  const auto backlog = outbox.Measure(now);
  metrics_.Backlog(backlog.pending, backlog.oldest_age_ms);
  const auto steady = clock_.Steady();
  if (steady < next_measure_) return;
  next_measure_ = steady + kMeasureEvery;
  metrics_.Statuses(outbox.CountBySyncState());
  metrics_.WorkersAlive(WorkersAlive());
}

std::size_t Dispatcher::ScheduleOnce(store::Connection& db, store::Outbox& outbox,
                                     std::unique_ptr<store::DispatchLease>& lease) {
  const std::int64_t now = clock_.NowMs();
  Measure(outbox, now);
  const auto due = DueKeys(db, outbox, now);
  // A long read may have outlived the renewal: renew first. A send is scheduled only while the
  // lease covers one (lease_budget.h); otherwise the keys wait for the next renewal.
  if (!KeepLease(lease) || !LeaseCovers(LeaseAction::kSend, longest_call_)) {
    health_.DueWork(false, clock_.Steady());
    return 0;
  }
  std::size_t queued = 0;
  bool waiting = false;
  {
    std::lock_guard lock(mu_);
    // Keys held back after a failed record still count as waiting: a writer that cannot
    // commit is a stall. Keys of a paused host do not: the host asked for the wait.
    for (const auto& row : due) waiting = waiting || !HostPaused(row.key.route, now);
    std::erase_if(held_back_,
                  [&](const auto& kv) { return kv.second.until_ms + options_.policy.max_backoff.count() < now; });
  }
  health_.DueWork(waiting, clock_.Steady());
  for (const auto& row : due) {
    if (Enqueue(row, now)) ++queued;
  }
  return queued;
}

}  // namespace fluxstatus::dispatch
