// The single writer thread: the group commit. HTTP threads submit parsed events; the writer
// takes what is queued (up to max_batch), appends and folds it in ONE transaction, commits
// (fsync), and only then completes each submission. Owns the only read-write connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <concurrentqueue/blockingconcurrentqueue.h>

#include "core/clock.h"
#include "core/route_catalog.h"
#include "store/database.h"
#include "store/event_store.h"
#include "store/system_clock.h"

namespace fluxstatus::store {

struct WriterOptions {
  std::size_t max_batch = 100;                 // events per transaction (bench/: ~100 is best here)
  std::size_t max_queued = 10000;              // submissions waiting; beyond it Submit refuses (503)
  std::optional<std::int64_t> max_page_count;  // caps the file size (tests simulate a full disk)
  // After a failed commit (full disk, I/O error, a lock) the store is unready until a write
  // succeeds again. Kubernetes sends an unready pod no events, so none would prove that the
  // disk has room again: while unready, the writer re-tests by itself this often with a probe
  // write of an event's size (store/writer_probe.h).
  std::chrono::milliseconds probe_every{1000};
};

// What a submission's completion receives. ok=false: nothing was written for it (retryable).
struct WriteOutcome {
  bool ok = false;
  AppendResult result;  // when ok
  std::string error;    // when !ok: "database is full", …
};
using WriteCompletion = std::function<void(const WriteOutcome&)>;

class EventWriter {
 public:
  // `clock` (which must outlive this) times the stall checks and the probe turns, and tells
  // the store whether a delivery's lease is held; the queue waits are real time.
  EventWriter(std::unique_ptr<SQLite::Database> db, core::RouteCatalog routes, WriterOptions options,
              const core::Clock& clock = store::SystemClock());
  ~EventWriter();  // Stop()s

  // Called on the writer thread after every successful commit (e.g. to wake dispatch).
  // Set before Start().
  void SetCommitListener(std::function<void()> listener) { on_commit_ = std::move(listener); }

  void Start();
  // Stops taking submissions, commits everything already queued, completes every submission,
  // joins the thread. Idempotent.
  void Stop();

  // Thread-safe. Returns false (and never calls done) when the writer is stopped or its queue
  // is full: the caller answers 503. Otherwise done is called exactly once, on the writer
  // thread, after the commit (or its failure).
  bool Submit(IncomingEvent event, WriteCompletion done);
  // done (optional) is called after the rejection's commit, so a 400 can be answered only
  // once the body it refuses is safely kept.
  bool SubmitRejection(Rejection rejection, WriteCompletion done = {});
  // A dispatch step; done (optional) is called after its commit like Submit's.
  bool SubmitDelivery(DeliveryRecord record, WriteCompletion done);

  // Caps the database at `pages` pages from the next batch on (PRAGMA max_page_count): how
  // tests fill the "disk" and then make room again. Thread-safe.
  void LimitPages(std::int64_t pages) { page_limit_ = pages; }

  std::size_t QueueDepth() const { return queued_.load(); }
  // True while the last commit (or probe write) succeeded and the file has no Problem().
  bool Healthy() const { return !Unready(); }
  // Readiness: why the store cannot take events now, or nullopt. The last commit or probe
  // failed (its error), or the database file has a Problem() (removed, replaced, read-only).
  // Thread-safe.
  std::optional<std::string> Unready() const;
  // Liveness: why the writer is stuck, or nullopt. Its thread has stopped; or for longer than
  // `stall_after` it has been inside one commit, or has not come round to queued work, or has
  // had no successful commit while events or probes kept failing. A restart is the way out.
  // Thread-safe.
  std::optional<std::string> Stalled(std::chrono::milliseconds stall_after) const;
  // Seconds since the last successful commit (or since Start() before the first one).
  double SecondsSinceLastCommit() const;
  std::int64_t commits() const { return commits_.load(); }
  // Probe writes tried: a test on a manual clock moves it by probe_every and waits for the next.
  std::int64_t probes() const { return probes_.load(); }

 private:
  struct Item {
    std::optional<IncomingEvent> event;
    std::optional<Rejection> rejection;
    std::optional<DeliveryRecord> delivery;
    WriteCompletion done;
  };
  using Ticks = std::chrono::steady_clock::rep;  // steady_clock ticks; 0: not set
  Ticks Now() const { return clock_.Steady().time_since_epoch().count(); }
  std::chrono::milliseconds Since(Ticks then) const;
  bool Enqueue(Item item);
  void Run();
  std::size_t TakeBatch(std::vector<Item>& batch, std::size_t last_batch);
  void CommitBatch(std::vector<Item>& items);
  static void Complete(std::vector<Item>& items, const std::vector<WriteOutcome>& outcomes);
  void ProbeIfUnhealthy();
  void ApplyPageLimit();
  void CommitSucceeded();
  void CommitFailed(const std::string& error);

  const core::Clock& clock_;
  std::unique_ptr<SQLite::Database> db_;
  DatabaseFile file_;  // checked before and after every commit
  EventStore store_;
  WriterOptions options_;
  moodycamel::BlockingConcurrentQueue<Item> queue_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> accepting_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};     // the thread is in Run()
  std::atomic<Ticks> loop_at_{0};        // the last turn of Run()'s loop
  std::atomic<Ticks> batch_started_{0};  // the commit in progress began; 0: none
  std::atomic<Ticks> failing_since_{0};  // the first failure since the last success; 0: the last write worked
  std::atomic<Ticks> last_success_{0};   // the last successful commit or probe (or Start())
  Ticks next_probe_ = 0;                 // writer thread only
  mutable std::mutex last_error_mu_;
  std::string last_error_;  // the last failed commit's error; guarded by last_error_mu_
  std::atomic<std::int64_t> commits_{0};
  std::atomic<std::int64_t> probes_{0};
  std::atomic<std::int64_t> page_limit_{0};  // 0: unchanged
  std::int64_t applied_page_limit_ = 0;      // writer thread only
  std::function<void()> on_commit_;
  std::thread thread_;
};

}  // namespace fluxstatus::store
