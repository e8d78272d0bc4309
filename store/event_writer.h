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

#include "core/route_catalog.h"
#include "store/database.h"
#include "store/event_store.h"

namespace fluxstatus::store {

struct WriterOptions {
  std::size_t max_batch = 100;          // events per transaction (bench/: ~100 is best here)
  std::size_t max_queued = 10000;       // submissions waiting; beyond it Submit refuses (503)
  std::optional<std::int64_t> max_page_count;  // caps the file size (tests simulate a full disk)
  // A failed commit (full disk, I/O error, corruption) makes /readyz fail only this long: when
  // Kubernetes takes an unready pod out of its Service no event arrives to prove the disk has
  // room again, so readiness must come back by itself and let the next event re-test it.
  std::chrono::milliseconds unready_hold{10000};
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
  EventWriter(std::unique_ptr<SQLite::Database> db, core::RouteCatalog routes, WriterOptions options);
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
  // False for options.unready_hold after a failed commit (unless a commit succeeds again sooner), and
  // while the database file has a Problem() (removed, replaced, read-only).
  bool Healthy() const { return !Unready(); }
  // Why the store cannot take events now (for /readyz), or nullopt. Thread-safe.
  std::optional<std::string> Unready() const;
  std::int64_t commits() const { return commits_.load(); }

 private:
  struct Item {
    std::optional<IncomingEvent> event;
    std::optional<Rejection> rejection;
    std::optional<DeliveryRecord> delivery;
    WriteCompletion done;
  };
  bool Enqueue(Item item);
  void Run();
  void CommitBatch(std::vector<Item>& batch);

  std::unique_ptr<SQLite::Database> db_;
  DatabaseFile file_;  // checked before and after every commit
  EventStore store_;
  WriterOptions options_;
  moodycamel::BlockingConcurrentQueue<Item> queue_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> accepting_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> healthy_{true};
  std::atomic<std::chrono::steady_clock::rep> failed_at_{0};  // steady clock of the last failure
  mutable std::mutex last_error_mu_;
  std::string last_error_;  // the last failed commit's error; guarded by last_error_mu_
  std::atomic<std::int64_t> commits_{0};
  std::atomic<std::int64_t> page_limit_{0};  // 0: unchanged
  std::int64_t applied_page_limit_ = 0;       // writer thread only
  std::function<void()> on_commit_;
  std::thread thread_;
};

}  // namespace fluxstatus::store
