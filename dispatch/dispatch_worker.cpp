// The dispatcher's workers: each takes a key from the queue, re-reads it, runs its delivery
// step and records the result (see dispatcher.h).
#include <algorithm>
#include <future>
#include <random>

#include <spdlog/spdlog.h>

#include "core/deployment_fold.h"
#include "core/structured_log.h"
#include "dispatch/check_run_step.h"
#include "dispatch/delivery_step.h"
#include "dispatch/deployment_step.h"
#include "dispatch/dispatcher.h"
#include "store/database.h"
#include "store/event_log.h"

namespace fluxstatus::dispatch {
namespace {

// At shutdown a worker waits at most this much longer for its last record: the writer is
// still running then, so the commit takes milliseconds unless the database is stuck.
constexpr std::chrono::milliseconds kRecordWaitAtStop{1000};

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

core::LogFields KeyFields(const core::StatusKey& key) {
  return {{"route", key.route}, {"commit", key.commit_sha}, {"context", key.context}};
}

// Why the route cannot post the target's sink (nullopt: it can): what the running config lacks
// for a row an earlier config made.
std::optional<std::string> SinkGap(const core::SinkKey& target, const DispatchRoute& route) {
  const core::StatusKey& key = target.key;
  if (target.sink == core::Sink::kCheckRun && !route.checks) {
    return "route '" + key.route + "' reports no check runs (report lacks `check`, or it is no GitHub App route)";
  }
  if (target.sink != core::Sink::kDeployment) return std::nullopt;
  if (!route.deployments) return "route '" + key.route + "': its provider has no deployments";
  const std::string environment(core::EnvironmentOfContext(key.context));
  if (!route.deployment_specs.contains(environment)) {
    return "route '" + key.route + "' has no deployment to environment '" + environment + "' configured";
  }
  return std::nullopt;
}

// The HTTP status of the step's last answered call (0: none answered).
std::int64_t LastHttpStatus(const store::DeliveryRecord& r) {
  for (auto a = r.attempts.rbegin(); a != r.attempts.rend(); ++a) {
    if (a->http_status) return *a->http_status;
  }
  return 0;
}

}  // namespace

void Dispatcher::WorkerLoop(int index) {
  const int thread = kSchedulerThread + 1 + index;
  std::uint64_t seed = std::random_device{}() ^ (static_cast<std::uint64_t>(index) << 32);
  std::map<std::string, CurlTransport> transports;  // by TLS settings (SharingKey): one handle each
  Supervise(thread, [&] {
    auto db = store::OpenForReading(options_.db_path);
    store::Outbox outbox(*db);
    Job job;
    while (!stop_) {
      if (!jobs_.wait_dequeue_timed(job, std::chrono::milliseconds(100))) {
        health_.Succeeded(thread);  // idle on a connection that opened: not failing
        continue;
      }
      // The key is released on every path, an exception included: it stays due in the
      // database and is scheduled again.
      struct KeyInHand {
        Dispatcher& dispatcher;
        const core::SinkKey& target;
        ~KeyInHand() { dispatcher.Release(target); }
      } in_hand{*this, job.target};
      Process(job, *db, outbox, transports, seed);
      health_.Succeeded(thread);
    }
  });
}

void Dispatcher::Release(const core::SinkKey& target) {
  std::lock_guard lock(mu_);
  in_progress_.erase(target);
}

bool Dispatcher::Record(store::DeliveryRecord record) {
  if (options_.lease) record.lease_holder = options_.lease->holder;
  auto done = std::make_shared<std::promise<bool>>();
  auto committed = done->get_future();
  if (!writer_.SubmitDelivery(std::move(record), [done](const store::WriteOutcome& o) { done->set_value(o.ok); })) {
    return false;
  }
  // Real time, not clock_: this is how long the worker blocks, and only the commit ends it.
  const auto deadline = std::chrono::steady_clock::now() + options_.record_wait;
  std::optional<std::chrono::steady_clock::time_point> stop_deadline;
  while (committed.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    const auto now = std::chrono::steady_clock::now();
    if (stop_ && !stop_deadline) stop_deadline = now + kRecordWaitAtStop;
    if (now >= deadline || (stop_deadline && now >= *stop_deadline)) return false;
  }
  return committed.get();
}

void Dispatcher::HoldBack(const core::SinkKey& target, std::optional<std::int64_t> next_attempt_ms) {
  std::lock_guard lock(mu_);
  HeldBack& held = held_back_[target];
  ++held.failed_records;
  held.until_ms = std::max(next_attempt_ms.value_or(0),
                           options_.policy.DueAtMs(held.failed_records, clock_.NowMs(), 0.5, std::nullopt));
}

void Dispatcher::Finish(const core::SinkKey& target, store::DeliveryRecord record,
                        std::chrono::milliseconds call_timeout) {
  if (!LeaseCovers(LeaseAction::kRecord, call_timeout)) {
    // The lease has passed on, or is about to: another process may have synced the key since,
    // so the result is dropped. The calls made are still recorded: a kSending record only adds
    // them (and marks the key in flight, which at worst costs a list), and the store applies
    // even that to the key only while this holder still holds the lease.
    repeating_log_.Write(spdlog::level::warn, "the dispatch lease ran out during a step: its result is not recorded",
                         KeyFields(target.key));
    if (record.attempts.empty()) return;
    record.result = store::DeliveryRecord::Result::kSending;
    Record(std::move(record));
    return;
  }
  const auto next_attempt_ms = record.next_attempt_ms;
  const auto result = record.result;
  if (Record(std::move(record))) {
    health_.Attempted(clock_.Steady());
    std::lock_guard lock(mu_);
    held_back_.erase(target);
    return;
  }
  // The backoff lives in next_attempt_ms, which this record would have written: keep it here
  // instead, or the key would be due again at the next poll.
  HoldBack(target, next_attempt_ms);
  auto fields = KeyFields(target.key);
  fields.emplace_back("result", std::string(ResultName(result)));
  repeating_log_.Write(spdlog::level::warn, "could not record a dispatch step; the key waits before its next try",
                       fields);
}

void Dispatcher::Skip(const Job& job, const store::StatusRow& row, std::string error,
                      std::chrono::milliseconds call_timeout) {
  store::DeliveryRecord skip;
  skip.key = job.target.key;
  skip.sink = job.target.sink;
  skip.sent_event_id = row.fold.event_id;
  skip.result = store::DeliveryRecord::Result::kSkipped;
  skip.error = std::move(error);
  skip.at_ms = clock_.NowMs();
  Finish(job.target, std::move(skip), call_timeout);
}

void Dispatcher::Process(const Job& job, store::Connection& db, store::Outbox& outbox,
                         std::map<std::string, CurlTransport>& transports, std::uint64_t& seed) {
  if (stop_ || !HoldsLease()) return;  // stopping, or the lease was lost while queued: the key stays due
  // Re-read: a state superseded while the job was queued is never sent.
  const auto row = outbox.Load(job.target);
  if (!row || row->sync.sync_state != store::SyncState::kPending) return;
  const core::StatusKey& key = job.target.key;
  auto route_it = routes_.find(key.route);
  if (route_it == routes_.end()) {
    Skip(job, *row, "route '" + key.route + "' has no provider", longest_call_);
    return;
  }
  const DispatchRoute& route = route_it->second;
  if (auto gap = SinkGap(job.target, route)) {
    Skip(job, *row, std::move(*gap), route.transport.timeout);
    return;
  }
  const std::string host = route.provider->HostKey();
  {
    // The host's budget ran out after this job was queued: no call before the pause ends (the
    // key stays due and is scheduled again once it has).
    std::lock_guard lock(mu_);
    if (HostPaused(key.route, clock_.NowMs())) return;
  }
  auto transport = transports.find(route.transport.SharingKey());
  if (transport == transports.end()) {
    transport = transports.emplace(route.transport.SharingKey(), CurlTransport(route.transport)).first;
    transport->second.AbortWhen(&stop_);  // Stop() cuts a hanging call short
  }
  StepResult result = RunStep(*row, route, transport->second, db, seed);
  for (const auto& a : result.record.attempts) metrics_.Attempt(host, a.outcome);
  if (result.rate.remaining) metrics_.RateRemaining(host, *result.rate.remaining);
  if (result.pause_host_until_ms) {
    std::lock_guard lock(mu_);
    paused_until_ms_[host] = std::max(paused_until_ms_[host], *result.pause_host_until_ms);
    metrics_.HostPaused(host, true);
  }
  Report(job.target, host, result);
  if (!result.lease_short || !result.record.attempts.empty()) {
    Finish(job.target, std::move(result.record), route.transport.timeout);
  }
  ++steps_;
}

StepResult Dispatcher::RunStep(const store::StatusRow& row, const DispatchRoute& route, CurlTransport& transport,
                               store::Connection& db, std::uint64_t& seed) {
  std::mt19937_64 rng(seed++);
  const auto call_timeout = route.transport.timeout;
  StepEnvironment env{{},
                      [&](const HttpCall& c) {
                        TransportResult r = transport.Send(c);
                        health_.Attempted(clock_.Steady());
                        return r;
                      },
                      [this](const store::DeliveryRecord& r) { return Record(r); },
                      [this] { return clock_.NowMs(); },
                      options_.policy,
                      std::uniform_real_distribution<double>(0, 1)(rng),
                      // Stopping: no new call either (one in flight is cut short by the transport).
                      [this, call_timeout](LeaseAction action) { return !stop_ && LeaseCovers(action, call_timeout); }};
  try {
    env.credentials = route.tokens->Get(clock_.NowMs() / 1000);
  } catch (const std::exception& e) {
    return CredentialsFailure(row, env, e.what());
  }
  if (row.sink == core::Sink::kCheckRun) {
    const DesiredCheckRun desired =
        DesiredCheckRunOf(row, store::ReadEventFacts(db, row.fold.event_id),
                          store::RecentChanges(db, row.key, kCheckRunHistory), route.cluster);
    return RunCheckRunStep(row, *route.checks, desired, env);
  }
  if (row.sink != core::Sink::kDeployment) return RunDeliveryStep(row, *route.provider, env);
  // Process checked that the route has the provider and the environment's spec.
  const auto& spec = route.deployment_specs.at(std::string(core::EnvironmentOfContext(row.key.context)));
  const DesiredDeployment desired =
      DesiredDeploymentOf(row, spec, route.cluster, store::EventRevision(db, row.fold.event_id));
  return RunDeploymentStep(row, *route.deployments, desired, env);
}

void Dispatcher::Report(const core::SinkKey& target, const std::string& host, const StepResult& result) {
  const auto& r = result.record;
  const std::string sink(core::ToString(target.sink));  // status, aggregate or deployment
  auto fields = KeyFields(target.key);
  fields.emplace_back("sink", sink);
  fields.emplace_back("state", r.sent_state);
  if (r.result == store::DeliveryRecord::Result::kFailed) {
    // Permanent: nothing retries it until its next event or a replay, so it must stand out.
    fields.emplace_back("host", host);
    fields.emplace_back("http_status", LastHttpStatus(r));
    fields.emplace_back("error", r.error);
    spdlog::error(core::FormatLogLine(clock_.NowMs(), "error", sink + " delivery failed", fields));
    return;
  }
  if (result.lease_short && stop_) return;  // cut short by Stop(): nothing to warn about
  if (result.calls == 0 && (r.result == store::DeliveryRecord::Result::kRetry || result.lease_short)) {
    // No call made (the send could not be recorded first, or the lease ends too soon): this
    // repeats every poll while the cause lasts.
    repeating_log_.Write(spdlog::level::warn, r.error, fields);
    return;
  }
  fields.emplace_back("result", std::string(ResultName(r.result)));
  fields.emplace_back("calls", std::int64_t{result.calls});
  fields.emplace_back("error", r.error);
  spdlog::info(core::FormatLogLine(clock_.NowMs(), "info", sink + " dispatched", fields));
}

}  // namespace fluxstatus::dispatch
