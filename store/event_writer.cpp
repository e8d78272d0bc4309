#include "store/event_writer.h"

#include <algorithm>
#include <cmath>

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "store/writer_probe.h"

namespace fluxstatus::store {
namespace {

std::string DescribeFailure(const std::exception& e) {
  if (const auto* sq = dynamic_cast<const SQLite::Exception*>(&e)) {
    switch (sq->getErrorCode()) {
      case SQLITE_FULL: return "database is full";
      // Say what the operator must act on; SQLite's own text follows.
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB: return std::string("database file is corrupted (restore it from a backup): ") + e.what();
      case SQLITE_READONLY: return std::string("database is read-only: ") + e.what();
      case SQLITE_IOERR: return std::string("database I/O error: ") + e.what();
      default: break;
    }
  }
  return std::string("database error: ") + e.what();
}

std::string Seconds(std::chrono::milliseconds d) { return std::to_string(d.count() / 1000) + " s"; }

}  // namespace

EventWriter::EventWriter(std::unique_ptr<SQLite::Database> db, core::RouteCatalog routes, WriterOptions options,
                         const core::Clock& clock)
    : clock_(clock),
      db_(std::move(db)),
      file_(db_->getFilename()),
      store_(*db_, std::move(routes), clock),
      options_(options) {
  if (options_.max_page_count) page_limit_ = *options_.max_page_count;
}

EventWriter::~EventWriter() { Stop(); }

std::chrono::milliseconds EventWriter::Since(Ticks then) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::duration(Now() - then));
}

std::optional<std::string> EventWriter::Unready() const {
  if (auto problem = file_.Problem()) return problem;
  if (failing_since_ == 0) return std::nullopt;
  std::lock_guard lock(last_error_mu_);
  return last_error_;
}

std::optional<std::string> EventWriter::Stalled(std::chrono::milliseconds stall_after) const {
  if (!running_ && !stop_) return "the writer thread has stopped";
  if (const Ticks began = batch_started_; began != 0 && Since(began) > stall_after) {
    return "the writer has been inside one commit for " + Seconds(Since(began));
  }
  if (queued_ > 0 && Since(loop_at_) > stall_after) {
    return "the writer has not taken queued events for " + Seconds(Since(loop_at_));
  }
  if (const Ticks since = failing_since_; since != 0 && Since(since) > stall_after) {
    std::lock_guard lock(last_error_mu_);
    return "no successful commit for " + Seconds(Since(last_success_)) + ": " + last_error_;
  }
  return std::nullopt;
}

double EventWriter::SecondsSinceLastCommit() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::duration(Now() - last_success_)).count();
}

void EventWriter::Start() {
  accepting_ = true;
  last_success_ = loop_at_ = Now();
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void EventWriter::Stop() {
  accepting_ = false;
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool EventWriter::Submit(IncomingEvent event, WriteCompletion done) {
  Item item;
  item.event = std::move(event);
  item.done = std::move(done);
  return Enqueue(std::move(item));
}

bool EventWriter::SubmitRejection(Rejection rejection, WriteCompletion done) {
  Item item;
  item.rejection = std::move(rejection);
  item.done = std::move(done);
  return Enqueue(std::move(item));
}

bool EventWriter::SubmitDelivery(DeliveryRecord record, WriteCompletion done) {
  Item item;
  item.delivery = std::move(record);
  item.done = std::move(done);
  return Enqueue(std::move(item));
}

bool EventWriter::Enqueue(Item item) {
  if (!accepting_) return false;
  if (queued_.fetch_add(1) >= options_.max_queued) {
    queued_.fetch_sub(1);
    return false;
  }
  queue_.enqueue(std::move(item));
  return true;
}

void EventWriter::Run() {
  std::vector<Item> batch(options_.max_batch);
  std::size_t last_batch = 0;
  while (true) {
    loop_at_ = Now();
    const std::size_t n = TakeBatch(batch, last_batch);
    if (n == 0) {
      // Stop only once nothing is queued: every accepted submission gets its commit.
      if (stop_ && queued_.load() == 0) break;
      ProbeIfUnhealthy();
      continue;
    }
    last_batch = n;
    std::vector<Item> taken(std::make_move_iterator(batch.begin()),
                            std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(n)));
    queued_.fetch_sub(n);
    batch_started_ = Now();
    CommitBatch(taken);
    batch_started_ = 0;
  }
  running_ = false;
}

std::size_t EventWriter::TakeBatch(std::vector<Item>& batch, std::size_t last_batch) {
  std::size_t n = queue_.wait_dequeue_bulk_timed(batch.begin(), options_.max_batch, std::chrono::milliseconds(50));
  if (n == 0) return 0;
  // The clients the last commit answered are sending their next events right now. Taking
  // only the first arrivals would commit them alone and leave the rest a whole fsync behind
  // (32 clients averaged ~15 events per commit, not 32: bench/). So while this batch is smaller
  // than the last one, wait a little (at most kGather) for the rest; at low load the last
  // batch is small and nobody waits.
  constexpr auto kGather = std::chrono::microseconds(1000);
  const std::size_t want = std::min(last_batch, options_.max_batch);
  const auto gather_until = std::chrono::steady_clock::now() + kGather;
  while (n < want && std::chrono::steady_clock::now() < gather_until) {
    n += queue_.wait_dequeue_bulk_timed(batch.begin() + static_cast<std::ptrdiff_t>(n), want - n,
                                        std::chrono::microseconds(200));
  }
  return n;
}

void EventWriter::ProbeIfUnhealthy() {
  if (failing_since_ == 0 || Now() < next_probe_) return;
  next_probe_ = Now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.probe_every).count();
  if (file_.Problem()) return;  // Unready() names it; a probe would write to the wrong file
  try {
    ApplyPageLimit();
    ProbeWrite(*db_);
    CommitSucceeded();
  } catch (const std::exception& e) {
    CommitFailed(DescribeFailure(e));
  }
  ++probes_;
}

void EventWriter::ApplyPageLimit() {
  if (const auto limit = page_limit_.load(); limit != 0 && limit != applied_page_limit_) {
    db_->exec("PRAGMA max_page_count = " + std::to_string(limit));
    applied_page_limit_ = limit;
  }
}

void EventWriter::CommitSucceeded() {
  last_success_ = Now();
  failing_since_ = 0;
}

void EventWriter::CommitFailed(const std::string& error) {
  Ticks none = 0;
  failing_since_.compare_exchange_strong(none, Now());
  std::lock_guard lock(last_error_mu_);
  last_error_ = error;
}

void EventWriter::CommitBatch(std::vector<Item>& items) {
  std::vector<IncomingEvent> events;
  std::vector<Rejection> rejections;
  std::vector<DeliveryRecord> deliveries;
  std::vector<std::size_t> event_index;  // items[event_index[k]] submitted events[k]
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].event) {
      events.push_back(std::move(*items[i].event));
      event_index.push_back(i);
    } else if (items[i].rejection) {
      rejections.push_back(std::move(*items[i].rejection));
    } else if (items[i].delivery) {
      deliveries.push_back(std::move(*items[i].delivery));
    }
  }
  // Items that are not events (rejections, deliveries) succeed with the commit.
  std::vector<WriteOutcome> outcomes(items.size(), WriteOutcome{true, {}, {}});
  const auto fail_all = [&](const std::string& error) {
    for (auto& out : outcomes) {
      out.ok = false;
      out.error = error;
    }
  };
  // A removed or read-only file takes nothing: a 202 would acknowledge an event into an
  // unlinked inode (lost at the next start), or into a file no restart can open for writing.
  // Unready() reports it live, so failing_since_ keeps meaning "the last commit failed".
  if (auto problem = file_.Problem()) {
    fail_all(*problem);
    Complete(items, outcomes);
    return;
  }
  try {
    ApplyPageLimit();
    auto results = store_.AppendBatch(events, rejections, deliveries);
    bool item_failed = false;
    for (std::size_t k = 0; k < results.size(); ++k) {
      WriteOutcome& out = outcomes[event_index[k]];
      if (const auto* ok = std::get_if<AppendResult>(&results[k])) {
        out.ok = true;
        out.result = *ok;
      } else {
        out.ok = false;  // outcomes start ok (for rejections, deliveries): a failed event is not
        out.error = std::get<AppendFailure>(results[k]).error;
        item_failed = true;
      }
    }
    // An event that could not be written (e.g. the database is full) makes the store unready
    // as much as a failed commit does, until a batch or a probe writes again.
    if (item_failed) {
      for (const auto& out : outcomes) {
        if (!out.ok) CommitFailed(out.error);
      }
    } else {
      CommitSucceeded();
    }
    ++commits_;
    if (on_commit_) on_commit_();
    // Removed during the commit: it went to the unlinked inode. Answer 503 so the sender
    // resends; if the file comes back with the commit in it, the resend is a duplicate.
    if (auto problem = file_.Problem()) fail_all(*problem);
  } catch (const std::exception& e) {
    // The transaction rolled back: nothing of this batch is in the database.
    fail_all(DescribeFailure(e));
    CommitFailed(DescribeFailure(e));
  }
  Complete(items, outcomes);
}

void EventWriter::Complete(std::vector<Item>& items, const std::vector<WriteOutcome>& outcomes) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].done) continue;
    // A completion that throws must neither kill the writer thread nor cost the others theirs.
    try {
      items[i].done(outcomes[i]);
    } catch (const std::exception&) {
    }
  }
}

}  // namespace fluxstatus::store
