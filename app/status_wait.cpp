#include "app/status_wait.h"

#include <string>
#include <thread>
#include <vector>

#include "app/wording.h"
#include "store/status_listing.h"

namespace fluxstatus::app {
namespace {

// One indexed read a second: quick enough for a pipeline, nothing for the service's writer.
constexpr std::chrono::milliseconds kPollInterval{1000};
// Progress lines name at most this many statuses still waiting.
constexpr std::size_t kNamedInProgress = 5;

enum class Progress { kDone, kWaiting, kFailed };

Progress Classify(const store::StatusRow& r) {
  const auto state = r.fold.state;
  if (state == core::StatusState::kFailure || state == core::StatusState::kError ||
      r.sync.sync_state == store::SyncState::kFailed) {
    return Progress::kFailed;
  }
  const bool on_host =
      r.sync.sync_state == store::SyncState::kSynced || r.sync.sync_state == store::SyncState::kSkipped;
  return state == core::StatusState::kSuccess && on_host ? Progress::kDone : Progress::kWaiting;
}

// "kustomization/apps 8c1d2e3f4a5b: pending, sync pending"
std::string Describe(const store::StatusRow& r) {
  return r.key.context + " " + r.key.commit_sha.substr(0, 12) + ": " + std::string(core::ToString(r.fold.state)) +
         ", sync " + std::string(store::ToString(r.sync.sync_state));
}

struct Tally {
  std::vector<const store::StatusRow*> done, waiting, failed;
};

Tally Count(const std::vector<store::StatusRow>& rows) {
  Tally t;
  for (const auto& r : rows) {
    switch (Classify(r)) {
      case Progress::kDone: t.done.push_back(&r); break;
      case Progress::kWaiting: t.waiting.push_back(&r); break;
      case Progress::kFailed: t.failed.push_back(&r); break;
    }
  }
  return t;
}

// "3 statuses: 1 done, 2 waiting (kustomization/apps 8c1d2e3f4a5b: pending, sync pending; …)"
std::string ProgressLine(const std::vector<store::StatusRow>& rows, const Tally& t) {
  if (rows.empty()) return "no matching statuses yet";
  std::string line = Counted(static_cast<std::int64_t>(rows.size()), "status", "statuses") + ": " +
                     std::to_string(t.done.size()) + " done, " + std::to_string(t.waiting.size()) + " waiting";
  for (std::size_t i = 0; i < t.waiting.size() && i < kNamedInProgress; ++i) {
    line += (i == 0 ? " (" : "; ") + Describe(*t.waiting[i]);
  }
  if (t.waiting.size() > kNamedInProgress) line += "; …";
  return t.waiting.empty() ? line : line + ")";
}

std::string Elapsed(std::chrono::steady_clock::time_point start) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  return "[" + std::to_string(s) + "s] ";
}

}  // namespace

int WaitForStatuses(store::Connection& db, const store::StatusFilter& filter, std::chrono::milliseconds timeout,
                    std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  std::string shown;
  for (;;) {
    const auto rows = store::ListStatuses(db, filter);
    const Tally t = Count(rows);
    if (!t.failed.empty()) {
      for (const auto* r : t.failed) {
        out << Elapsed(start) << "failed: " << Describe(*r) << ": " << r->fold.description
            << (r->sync.last_error ? " (host: " + *r->sync.last_error + ")" : std::string()) << "\n";
      }
      return 1;
    }
    if (!rows.empty() && t.waiting.empty()) {
      out << Elapsed(start) << "done: " << Counted(static_cast<std::int64_t>(rows.size()), "status is", "statuses are")
          << " success and synced (or skipped)\n";
      return 0;
    }
    const std::string line = ProgressLine(rows, t);
    if (line != shown) (out << Elapsed(start) << line << "\n").flush();
    shown = line;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      out << Elapsed(start) << "timed out after " << timeout.count() / 1000.0 << "s: " << line << "\n";
      return 2;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
  }
}

}  // namespace fluxstatus::app
