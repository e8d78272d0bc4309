#include "tests/store/store_model.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace fluxstatus::store::model {
namespace {

bool StartsWithIgnoringCase(const std::string& text, const std::string& prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// A key's dispatch state when its status is new: pending if the route sends, else skipped.
Sync FreshSync(const RouteInfo& route) {
  Sync s;
  s.sync_state = route.has_provider ? "pending" : "skipped";
  return s;
}

}  // namespace

std::string Key::Text() const {
  return "(" + route + ", " + (repo.empty() ? "-" : repo) + ", " + commit + ", " + context + ")";
}

const char* ToString(Outcome o) {
  switch (o) {
    case Outcome::kDuplicate: return "duplicate";
    case Outcome::kNoStatus: return "no status";
    case Outcome::kCreated: return "created";
    case Outcome::kChanged: return "changed";
    case Outcome::kRefreshed: return "refreshed";
    case Outcome::kStale: return "stale";
  }
  return "?";
}

StoreModel::StoreModel(std::vector<RouteInfo> routes) : routes_(std::move(routes)) {}

void StoreModel::Rebuild() {
  for (auto& [key, k] : keys_) {
    if (k.sync.sync_state != "skipped" || !Route(key.route).has_provider) continue;
    Sync fresh = FreshSync(Route(key.route));  // what the host last confirmed stays true
    fresh.in_flight = k.sync.in_flight;
    fresh.synced_state = k.sync.synced_state;
    fresh.synced_description = k.sync.synced_description;
    fresh.synced_at_ms = k.sync.synced_at_ms;
    k.sync = fresh;
  }
}

const RouteInfo& StoreModel::Route(const std::string& name) const {
  for (const auto& r : routes_) {
    if (r.name == name) return r;
  }
  throw std::logic_error("the model has no route " + name);
}

AppendExpect StoreModel::Append(const SentEvent& e) {
  // A byte-identical body on the same route is logged once, for as long as it is in the log.
  if (auto dup = bodies_.find({e.route, e.body}); dup != bodies_.end()) return {dup->second, Outcome::kDuplicate};
  const std::int64_t id = ++last_id_;
  log_.emplace(id, e);
  bodies_.emplace(std::make_pair(e.route, e.body), id);
  if (!e.commit || e.severity == "trace") return {id, Outcome::kNoStatus};
  return {id, Fold(e, id)};
}

// The out-of-order rule: the newest event by event time wins; at equal times the later logged
// one, which is always the one arriving now. A win that repeats the status only moves the key
// on to the new event (and gives a failed sync another chance).
Outcome StoreModel::Fold(const SentEvent& e, std::int64_t id) {
  const RouteInfo& route = Route(e.route);
  const Key key{e.route, route.repo, *e.commit, e.context};
  const Status next{e.state, e.description, id, e.event_time_ms, e.received_at_ms};
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    keys_.emplace(key, KeyRecord{next, FreshSync(route), id, {next}});
    history_.push_back({key, next});
    return Outcome::kCreated;
  }
  KeyRecord& k = it->second;
  if (e.event_time_ms < k.status.event_time_ms) return Outcome::kStale;
  const bool same = k.status.state == next.state && k.status.description == next.description;
  k.status = next;
  k.held.push_back(next);
  if (same) {
    if (k.sync.sync_state == "failed" && route.has_provider) {
      k.sync.sync_state = "pending";
      k.sync.attempts = 0;
      k.sync.next_attempt_ms.reset();
    }
    return Outcome::kRefreshed;
  }
  Sync fresh = FreshSync(route);
  // What the host last confirmed stays true whatever we want it to show next.
  fresh.in_flight = k.sync.in_flight;
  fresh.synced_state = k.sync.synced_state;
  fresh.synced_description = k.sync.synced_description;
  fresh.synced_at_ms = k.sync.synced_at_ms;
  k.sync = fresh;
  history_.push_back({key, next});
  return Outcome::kChanged;
}

// Only what was sent is synced: a result for a state the key no longer wants (a newer one
// arrived meanwhile) records the host's facts and leaves the newer state due.
void StoreModel::Record(const Delivery& d) {
  attempts_.insert(attempts_.end(), d.attempts.begin(), d.attempts.end());
  auto it = keys_.find(d.key);
  if (it == keys_.end()) return;
  Sync& s = it->second.sync;
  const Status& now = it->second.status;
  const bool still_wanted =
      now.event_id == d.sent_event_id || (now.state == d.sent_state && now.description == d.sent_description);
  using R = Delivery::Result;
  switch (d.result) {
    case R::kSending:
      // Another state on its way: what the host shows is unknown until an answer says.
      s.in_flight = true;
      if (s.synced_state != d.sent_state || s.synced_description != d.sent_description) {
        s.synced_state.reset();
        s.synced_description.reset();
      }
      return;
    case R::kSkipped:
      s.sync_state = "skipped";
      s.last_error = d.error;
      return;
    case R::kSynced:
      s.in_flight = false;
      s.synced_state = d.sent_state;
      s.synced_description = d.sent_description;
      s.synced_at_ms = d.at_ms;
      s.next_attempt_ms.reset();
      if (still_wanted) {
        // attempts keeps the count of failed calls it took (tests/dispatch_e2e pins that);
        // docs/sql.md says "0 after a success": the two disagree, reported on issue 12.
        s.sync_state = "synced";
        s.last_error.reset();
      } else {
        s.attempts = 0;
      }
      return;
    case R::kRetry:
    case R::kFailed:
      s.in_flight = d.uncertain;
      if (!still_wanted) return;
      ++s.attempts;
      s.last_error = d.error;
      if (d.result == R::kFailed) {
        s.sync_state = "failed";
        s.next_attempt_ms.reset();
      } else {
        s.next_attempt_ms = d.next_attempt_ms;
      }
      return;
  }
}

// Prune takes the log's prefix up to the last event received before the cutoff (never less
// than what an earlier prune took), keeps the events a current status names and the newest
// one, drops their history, and drops delivery attempts and rejections older than the cutoff.
PruneExpect StoreModel::Plan(std::int64_t cutoff_ms) const {
  std::int64_t prefix = log_.empty() ? 0 : log_.rbegin()->first;
  for (const auto& [id, e] : log_) {
    if (e.received_at_ms >= cutoff_ms) {
      prefix = id - 1;
      break;
    }
  }
  PruneExpect p;
  p.through = std::max(prefix, horizon_);
  std::set<std::int64_t> named;
  for (const auto& [key, k] : keys_) named.insert(k.status.event_id);
  for (const auto& [id, e] : log_) {
    if (id > p.through) break;
    if (named.count(id) || id == log_.rbegin()->first)
      ++p.events_kept;
    else
      ++p.events;
  }
  for (const auto& h : history_) p.changes += h.status.event_id <= p.through;
  for (const auto& a : attempts_) p.attempts += a.at_ms < cutoff_ms;
  for (auto at : rejections_) p.rejections += at < cutoff_ms;
  p.snapshot_keys = SnapshotKeys();
  return p;
}

PruneExpect StoreModel::Prune(std::int64_t cutoff_ms) {
  PruneExpect p = Plan(cutoff_ms);
  std::set<std::int64_t> named;
  for (const auto& [key, k] : keys_) named.insert(k.status.event_id);
  const std::int64_t newest = log_.empty() ? 0 : log_.rbegin()->first;
  for (auto it = log_.begin(); it != log_.end() && it->first <= p.through;) {
    if (named.count(it->first) || it->first == newest) {
      ++it;
      continue;
    }
    bodies_.erase({it->second.route, it->second.body});
    it = log_.erase(it);
  }
  std::erase_if(history_, [&](const HistoryRow& h) { return h.status.event_id <= p.through; });
  std::erase_if(attempts_, [&](const AttemptRow& a) { return a.at_ms < cutoff_ms; });
  std::erase_if(rejections_, [&](std::int64_t at) { return at < cutoff_ms; });
  horizon_ = p.through;
  p.snapshot_keys = SnapshotKeys();
  return p;
}

std::int64_t StoreModel::SnapshotKeys() const {
  return std::count_if(keys_.begin(), keys_.end(), [&](const auto& kv) { return kv.second.created_by <= horizon_; });
}

std::int64_t StoreModel::EventsAfterHorizon() const {
  return std::count_if(log_.begin(), log_.end(), [&](const auto& kv) { return kv.first > horizon_; });
}

bool StoreModel::InWindow(const SentEvent& e, const Window& w) const {
  if (e.received_at_ms < w.since_ms) return false;
  if (w.until_ms && e.received_at_ms >= *w.until_ms) return false;
  if (w.route && e.route != *w.route) return false;
  if (w.commit_prefix && (!e.commit || !StartsWithIgnoringCase(*e.commit, *w.commit_prefix))) return false;
  return true;
}

std::int64_t StoreModel::WindowEvents(const Window& w) const {
  return std::count_if(log_.begin(), log_.end(), [&](const auto& kv) { return InWindow(kv.second, w); });
}

std::vector<std::pair<std::string, std::string>> StoreModel::WindowCommits(const Window& w) const {
  std::set<std::pair<std::string, std::string>> commits;
  for (const auto& [id, e] : log_) {
    if (e.commit && InWindow(e, w)) commits.emplace(e.route, *e.commit);
  }
  return {commits.begin(), commits.end()};
}

std::vector<Key> StoreModel::WindowKeys(const Window& w) const {
  std::vector<Key> out;
  for (const auto& [route, commit] : WindowCommits(w)) {
    for (auto& key : KeysOf(route, commit)) out.push_back(std::move(key));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Replay asks the host again for every status of the commit that is sent at all: due now,
// listing first, whatever dispatch had concluded before.
std::int64_t StoreModel::MarkForResync(const std::string& route, const std::string& commit) {
  std::int64_t marked = 0;
  for (auto& [key, k] : keys_) {
    if (key.route != route || key.commit != commit || k.sync.sync_state == "skipped") continue;
    k.sync.sync_state = "pending";
    k.sync.attempts = 0;
    k.sync.next_attempt_ms.reset();
    k.sync.last_error.reset();
    k.sync.in_flight = true;
    ++marked;
  }
  return marked;
}

std::vector<Key> StoreModel::KeysOf(const std::string& route, const std::string& commit) const {
  std::vector<Key> out;
  for (const auto& [key, k] : keys_) {
    if (key.route == route && key.commit == commit) out.push_back(key);
  }
  return out;
}

std::int64_t StoreModel::EventsAfterHorizon(const std::string& route, const std::string& commit) const {
  return std::count_if(log_.begin(), log_.end(), [&](const auto& kv) {
    return kv.first > horizon_ && kv.second.route == route && kv.second.commit == commit;
  });
}

std::set<Key> StoreModel::Due(std::int64_t now_ms) const {
  std::set<Key> due;
  for (const auto& [key, k] : keys_) {
    if (k.sync.sync_state == "pending" && (!k.sync.next_attempt_ms || *k.sync.next_attempt_ms <= now_ms)) {
      due.insert(key);
    }
  }
  return due;
}

}  // namespace fluxstatus::store::model
