#include "replay/replay_runner.h"

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include <SQLiteCpp/Transaction.h>

#include "store/commit_refold.h"
#include "store/delivery_attempts.h"
#include "store/dispatch_lease.h"
#include "store/event_log.h"
#include "store/event_writer.h"

namespace fluxstatus::replay {
namespace {

// The re-fold runs in short write transactions, so a running serve's writer (which waits for
// them, up to its busy timeout) is never held up for long: a transaction ends after this many
// events or this long, whichever comes first. Each commit's keys are re-folded whole inside
// one transaction, so every commit's rows equal a fresh fold when its transaction commits.
constexpr std::int64_t kEventsPerTransaction = 20000;
constexpr std::chrono::milliseconds kTransactionBudget{100};
constexpr std::chrono::milliseconds kProgressEvery{200};

struct Refolded {
  std::vector<core::SinkKey> to_send;
};

Refolded RefoldWindow(store::Connection& db, const ReplaySettings& s, const store::ReplayWindow& window,
                      ReplaySummary& summary) {
  std::set<std::string> with_provider;
  for (const auto& r : s.dispatch_routes) with_provider.insert(r.name);
  const auto commits = store::WindowCommits(db, window);
  summary.commits = static_cast<std::int64_t>(commits.size());
  Refolded out;
  std::size_t i = 0;
  while (i < commits.size()) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const auto started = std::chrono::steady_clock::now();
    std::int64_t events = 0;
    do {
      const auto& c = commits[i++];
      const store::CommitRefold r = store::RefoldCommitFromLog(db, s.routes, c.route, c.commit_sha);
      events += r.events;
      summary.refolded += static_cast<std::int64_t>(r.keys.size());
      summary.corrected += r.rows_changed;
      if (with_provider.count(c.route)) {
        summary.marked += store::MarkCommitForResync(db, c.route, c.commit_sha);
        for (const auto& key : r.keys) out.to_send.push_back({core::Sink::kCommitStatus, key});
        for (const auto& target : r.sink_keys) out.to_send.push_back(target);
      }
    } while (i < commits.size() && events < kEventsPerTransaction &&
             std::chrono::steady_clock::now() - started < kTransactionBudget);
    tx.commit();
  }
  return out;
}

// Waits until no key is pending any more, or none settled for give_up_after.
void AwaitSettled(const ReplaySettings& s, const std::vector<core::SinkKey>& keys, dispatch::Dispatcher& dispatcher,
                  ReplaySummary& summary) {
  auto db = store::OpenForReading(s.db_path);
  std::vector<core::SinkKey> remaining = keys;
  auto last_change = std::chrono::steady_clock::now();
  while (true) {
    const auto started = std::chrono::steady_clock::now();
    std::set<core::SinkKey> pending;
    for (const auto& row : store::LoadStatuses(*db, remaining)) {
      if (row.sync.sync_state == store::SyncState::kPending) pending.insert({row.sink, row.key});
    }
    const std::size_t before = remaining.size();
    std::erase_if(remaining, [&](const core::SinkKey& target) { return !pending.count(target); });
    const auto now = std::chrono::steady_clock::now();
    if (remaining.size() != before) last_change = now;
    ReplayProgress p;
    p.keys = static_cast<std::int64_t>(keys.size());
    p.settled = p.keys - static_cast<std::int64_t>(remaining.size());
    p.waiting_for = dispatcher.OtherLeaseHolder();
    if (!p.waiting_for.empty()) summary.other_dispatcher = p.waiting_for;
    if (dispatcher.HoldsLease()) summary.sent_here = true;
    if (s.on_progress) s.on_progress(p);
    if (remaining.empty() || now - last_change >= s.give_up_after) return;
    // A big window's read takes a while: never spend more than a fifth of the time reading.
    std::this_thread::sleep_for(std::max<std::chrono::steady_clock::duration>(kProgressEvery, 4 * (now - started)));
  }
}

void Tally(const std::string& db_path, const std::vector<core::SinkKey>& keys, std::int64_t attempts_before,
           ReplaySummary& summary) {
  auto db = store::OpenForReading(db_path);
  for (const auto& row : store::LoadStatuses(*db, keys)) {
    ++summary.sync_states[std::string(store::ToString(row.sync.sync_state))];
  }
  summary.failed = summary.sync_states["failed"];
  summary.pending = summary.sync_states["pending"];
  std::erase_if(summary.sync_states, [](const auto& kv) { return kv.second == 0; });
  // delivery_attempts names the key alone: an aggregate's key has its own `fleet/<name>` context.
  std::set<core::StatusKey> mine;
  for (const auto& target : keys) mine.insert(target.key);
  std::set<core::StatusKey> found, created;
  for (const auto& o : store::DeliveryOutcomesAfter(*db, attempts_before)) {
    if (!mine.count(o.key)) continue;
    if (o.outcome == store::kOutcomeAlreadyOnHost)
      found.insert(o.key);
    else if (o.outcome == store::kOutcomeSynced || o.outcome == store::kOutcomeCreated)
      created.insert(o.key);
  }
  // A deployment the host confirmed in this state is not posted again, nor listed (GitHub has
  // no current state to read back): synced without a call, it was already on the host.
  for (const auto& row : store::LoadStatuses(*db, keys)) {
    const bool called = found.count(row.key) || created.count(row.key);
    if (!called && row.sync.sync_state == core::SyncState::kSynced) found.insert(row.key);
  }
  summary.already_on_host = static_cast<std::int64_t>(found.size());
  summary.sent = static_cast<std::int64_t>(created.size());
}

}  // namespace

store::ReplayPlan PlanOnly(const std::string& db_path, const store::ReplayWindow& window) {
  auto db = store::OpenForReading(db_path);
  return store::PlanReplay(*db, window);
}

ReplaySummary RunReplay(ReplaySettings s, const store::ReplayWindow& window) {
  ReplaySummary summary;
  auto db = store::OpenForWriting(s.db_path, s.durability);
  summary.events = store::CountWindowEvents(*db, window);
  const std::int64_t attempts_before = store::LastDeliveryAttemptId(*db);
  const Refolded refolded = RefoldWindow(*db, s, window, summary);
  if (!refolded.to_send.empty()) {
    store::EventWriter writer(std::move(db), s.routes, {});
    dispatch::DispatchMetrics metrics;
    dispatch::DispatcherOptions options = s.options;
    options.db_path = s.db_path;
    options.keys = std::make_shared<const std::vector<core::SinkKey>>(refolded.to_send);
    options.lease = dispatch::DispatcherOptions::Lease{store::NewLeaseHolderId()};
    dispatch::Dispatcher dispatcher(options, std::move(s.dispatch_routes), writer, metrics);
    writer.SetCommitListener([&dispatcher] { dispatcher.Wake(); });
    writer.Start();
    dispatcher.Start();
    AwaitSettled(s, refolded.to_send, dispatcher, summary);
    dispatcher.Stop();  // releases the lease
    writer.Stop();
  }
  Tally(s.db_path, refolded.to_send, attempts_before, summary);
  return summary;
}

}  // namespace fluxstatus::replay
