#include "tests/store/model_run.h"

#include <boost/test/unit_test.hpp>

#include <SQLiteCpp/Transaction.h>

#include "store/commit_refold.h"
#include "store/database.h"
#include "store/replay_window.h"
#include "store/retention.h"
#include "tests/store/model_compare.h"
#include "tests/store/store_fixture.h"

namespace fluxstatus::store::model {
namespace {

// Two routes that send to a Git host and one that only keeps statuses (sync_state skipped).
const std::vector<RouteInfo> kRoutes = {{"gh", "acme/app", true}, {"gl", "group/app", true}, {"local", "", false}};
// Everything after a structural operation, and otherwise every this many steps, is compared
// in full (the log and the history); the statuses and the due keys after every step.
constexpr int kFullCompareEvery = 10;
constexpr int kCheckRebuildEvery = 50;

core::RouteCatalog Catalog() {
  std::vector<core::RouteProfile> profiles;
  for (const auto& r : kRoutes) profiles.push_back(testing::Profile(r.name, r.has_provider, r.repo));
  return core::RouteCatalog(profiles);
}

core::StatusKey ToStore(const Key& k) { return {k.route, k.repo, k.commit, k.context}; }
Key FromStore(const core::StatusKey& k) { return {k.route, k.repo, k.commit_sha, k.context}; }

DeliveryRecord ToStore(const Delivery& d) {
  using R = DeliveryRecord::Result;
  static const std::map<Delivery::Result, R> kResults = {{Delivery::Result::kSending, R::kSending},
                                                         {Delivery::Result::kSynced, R::kSynced},
                                                         {Delivery::Result::kRetry, R::kRetry},
                                                         {Delivery::Result::kFailed, R::kFailed},
                                                         {Delivery::Result::kSkipped, R::kSkipped}};
  DeliveryRecord r;
  r.key = ToStore(d.key);
  r.sent_event_id = d.sent_event_id;
  r.sent_state = d.sent_state;
  r.sent_description = d.sent_description;
  r.result = kResults.at(d.result);
  r.uncertain = d.uncertain;
  r.next_attempt_ms = d.next_attempt_ms;
  r.error = d.error;
  r.at_ms = d.at_ms;
  for (const auto& a : d.attempts) {
    const bool answered = a.outcome != "uncertain" && a.outcome != "transport_error";
    const bool refused = a.outcome == "retry" || a.outcome == "failed" || !answered;
    r.attempts.push_back({ToStore(a.key), a.state, a.at_ms,
                          answered ? std::optional<int>(refused ? 422 : 201) : std::nullopt, a.outcome,
                          refused ? d.error : "", 12});
  }
  return r;
}

const char* ResultName(Delivery::Result r) {
  switch (r) {
    case Delivery::Result::kSending: return "sending";
    case Delivery::Result::kSynced: return "synced";
    case Delivery::Result::kRetry: return "retry";
    case Delivery::Result::kFailed: return "failed";
    case Delivery::Result::kSkipped: return "skipped";
  }
  return "?";
}

// Times in messages: seconds after the base of generated event times.
std::string Seconds(std::int64_t ms) {
  return "+" + std::to_string((ms - testing::kBaseMs) / 1000) + "." + std::to_string((ms % 1000) / 100) + "s";
}

std::string Describe(const SentEvent& e) {
  return e.route + " " + e.kind + "/" + e.name + " " + e.severity + " " + e.reason + " commit " +
         (e.commit ? e.commit->substr(0, 8) : "none") + " time " + Seconds(e.event_time_ms);
}

std::string Names(const std::vector<Key>& keys) {
  std::string out;
  for (const auto& k : keys) out += "\n    " + k.Text();
  return out.empty() ? " none" : out;
}

}  // namespace

ModelRun::ModelRun(std::uint64_t seed, int steps)
    : seed_(seed),
      steps_(steps),
      db_path_(dir_.File("fluxstatus.db")),
      routes_(Catalog()),
      // NORMAL: commits without fsync; what is checked here is what gets written, not durability.
      serve_db_(OpenForWriting(db_path_, Durability::kNormal)),
      serve_(std::make_unique<EventStore>(*serve_db_, routes_)),
      reader_(OpenForReading(db_path_)),
      model_(kRoutes),
      gen_(seed),
      now_ms_(testing::kBaseMs + 60000) {}

void ModelRun::Run() {
  for (step_ = 1; step_ <= steps_; ++step_) {
    try {
      now_ms_ += static_cast<std::int64_t>(gen_.Below(2500));
      Step();
      Compare(compare_all_ || step_ % kFullCompareEvery == 0 || step_ == steps_);
      if (step_ % kCheckRebuildEvery == 0 || step_ == steps_) {
        op_ += ", then rebuild --check";
        CheckRebuild();
      }
    } catch (const std::exception& e) {
      Fail(std::string("the store threw: ") + e.what());
    }
    recent_.push_back(std::to_string(step_) + ": " + op_);
    if (recent_.size() > 8) recent_.pop_front();
  }
}

std::string ModelRun::Summary() const {
  std::string out =
      std::to_string(model_.log().size()) + " events logged, " + std::to_string(model_.keys().size()) + " statuses;";
  for (const auto& [what, n] : counts_) out += " " + what + " " + std::to_string(n);
  return out;
}

void ModelRun::Step() {
  compare_all_ = false;
  const auto roll = gen_.Below(100);
  if (roll < 38)
    AppendNew();
  else if (roll < 48)
    Resend();
  else if (roll < 58)
    AppendBatch();
  else if (roll < 82)
    Deliver();
  else if (roll < 86)
    RefoldCommit();
  else if (roll < 91)
    Replay();
  else if (roll < 95)
    PruneBefore();
  else if (roll < 97)
    Rebuild();
  else {
    op_ = "rebuild --check";
    CheckRebuild();
  }
}

void ModelRun::AppendNew() {
  const std::string route = kRoutes[gen_.Below(kRoutes.size())].name;
  AppendEvents({gen_.Event(route, now_ms_)}, {}, false);
}

// Flux resends the same bytes when an answer is late; now and then another route gets them.
void ModelRun::Resend() {
  if (sent_.empty()) return AppendNew();
  SentEvent e = sent_[gen_.Below(sent_.size())];
  e.received_at_ms = now_ms_;
  if (gen_.OneIn(6)) e.route = kRoutes[gen_.Below(kRoutes.size())].name;
  AppendEvents({e}, {}, false);
}

// The writer's group commit: several events, maybe a rejection and a dispatch result.
void ModelRun::AppendBatch() {
  std::vector<SentEvent> events;
  const auto n = 2 + gen_.Below(5);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!sent_.empty() && gen_.OneIn(4)) {
      SentEvent again = sent_[gen_.Below(sent_.size())];
      again.received_at_ms = now_ms_;
      events.push_back(again);
    } else {
      events.push_back(gen_.Event(kRoutes[gen_.Below(kRoutes.size())].name, now_ms_));
    }
  }
  if (gen_.OneIn(5)) events.push_back(events.front());  // the same bytes twice in one batch
  std::vector<Delivery> deliveries;
  if (gen_.OneIn(3)) deliveries.push_back(gen_.DeliveryFor(model_, now_ms_));
  AppendEvents(events, deliveries, gen_.OneIn(4));
}

void ModelRun::AppendEvents(const std::vector<SentEvent>& events, const std::vector<Delivery>& deliveries,
                            bool with_rejection) {
  op_ = events.size() == 1 && deliveries.empty() && !with_rejection ? "append " : "group commit: append ";
  for (const auto& e : events) op_ += "[" + Describe(e) + "] ";
  for (const auto& d : deliveries) op_ += "+ delivery " + std::string(ResultName(d.result)) + " for " + d.key.Text();
  if (with_rejection) op_ += "+ a rejection";

  std::vector<IncomingEvent> incoming;
  for (const auto& e : events) incoming.push_back(testing::Incoming(e.route, e.body, e.received_at_ms));
  std::vector<Rejection> rejections;
  if (with_rejection)
    rejections.push_back(
        {"gh", core::FormatRfc3339Millis(now_ms_), "invalid JSON: missing '}'", "{\"kind\":", 1048576});
  std::vector<DeliveryRecord> records;
  for (const auto& d : deliveries) records.push_back(ToStore(d));

  std::vector<AppendOutcome> got;
  if (events.size() == 1 && records.empty() && rejections.empty() && gen_.OneIn(2)) {
    got.emplace_back(serve_->Append(incoming.front()));
  } else {
    got = serve_->AppendBatch(incoming, rejections, records);
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const AppendExpect want = model_.Append(events[i]);
    const auto* result = std::get_if<AppendResult>(&got[i]);
    if (result == nullptr)
      Fail("event " + std::to_string(i + 1) + " of the batch failed: " + std::get<AppendFailure>(got[i]).error);
    CheckAppend(events[i], *result, want);
    ++counts_[ToString(want.outcome)];
    sent_.push_back(events[i]);
  }
  if (with_rejection) model_.Reject(now_ms_);
  for (const auto& d : deliveries) model_.Record(d);
}

void ModelRun::CheckAppend(const SentEvent& e, const AppendResult& got, const AppendExpect& want) {
  const std::string what = "event [" + Describe(e) + "]: ";
  Expect(got.duplicate == (want.outcome == Outcome::kDuplicate),
         what + "duplicate expected " + std::to_string(want.outcome == Outcome::kDuplicate) + ", actual " +
             std::to_string(got.duplicate));
  Expect(got.id == want.id, what + "id expected " + std::to_string(want.id) + ", actual " + std::to_string(got.id));
  static const std::map<core::FoldOutcome, Outcome> kOutcomes = {{core::FoldOutcome::kCreated, Outcome::kCreated},
                                                                 {core::FoldOutcome::kChanged, Outcome::kChanged},
                                                                 {core::FoldOutcome::kRefreshed, Outcome::kRefreshed},
                                                                 {core::FoldOutcome::kStale, Outcome::kStale}};
  Outcome actual = got.duplicate ? Outcome::kDuplicate : Outcome::kNoStatus;
  if (got.fold) actual = kOutcomes.at(*got.fold);
  Expect(actual == want.outcome,
         what + "fold outcome expected " + ToString(want.outcome) + ", actual " + ToString(actual));
}

void ModelRun::Deliver() {
  const Delivery d = gen_.DeliveryFor(model_, now_ms_);
  op_ = "delivery " + std::string(ResultName(d.result)) + (d.uncertain ? " (uncertain)" : "") + " for " + d.key.Text() +
        " of event " + std::to_string(d.sent_event_id) + " (" + d.sent_state + ")";
  serve_->AppendBatch({}, {}, std::vector<DeliveryRecord>{ToStore(d)});
  model_.Record(d);
  ++counts_["deliveries"];
}

void ModelRun::RefoldCommit() {
  std::string route = kRoutes[gen_.Below(kRoutes.size())].name;
  std::string commit = Generator::Commits()[gen_.Below(Generator::Commits().size())];
  if (!model_.keys().empty() && !gen_.OneIn(3)) {
    auto it = model_.keys().begin();
    std::advance(it, gen_.Below(model_.keys().size()));
    route = it->first.route;
    commit = it->first.commit;
  }
  op_ = "re-fold commit " + commit.substr(0, 8) + " on " + route;
  compare_all_ = true;
  auto cli = CliConnection();
  SQLite::Transaction tx(*cli, SQLite::TransactionBehavior::IMMEDIATE);
  const CommitRefold r = RefoldCommitFromLog(*cli, routes_, route, commit);
  tx.commit();
  CheckRefold(route, commit, r);
  ++counts_["re-folds"];
}

// A re-fold of a store that the log explains changes nothing, and names the commit's keys.
void ModelRun::CheckRefold(const std::string& route, const std::string& commit, const CommitRefold& got) {
  const std::string what = "re-fold of " + commit.substr(0, 8) + " on " + route + ": ";
  std::vector<Key> keys;
  for (const auto& k : got.keys) keys.push_back(FromStore(k));
  const std::vector<Key> want = model_.KeysOf(route, commit);
  Expect(keys == want, what + "keys expected" + Names(want) + "\n  actual" + Names(keys));
  Expect(got.rows_changed == 0, what + "changed " + std::to_string(got.rows_changed) + " rows of a consistent store");
  const std::int64_t events = model_.EventsAfterHorizon(route, commit);
  Expect(got.events == events,
         what + "events read expected " + std::to_string(events) + ", actual " + std::to_string(got.events));
}

void ModelRun::Replay() {
  const Window w = gen_.WindowFor(model_, now_ms_);
  op_ = "replay since " + Seconds(w.since_ms) + (w.until_ms ? " until " + Seconds(*w.until_ms) : "") +
        (w.route ? " route " + *w.route : "") + (w.commit_prefix ? " commit " + *w.commit_prefix : "");
  compare_all_ = true;
  store::ReplayWindow window{w.since_ms, w.until_ms, w.route, w.commit_prefix};
  auto cli = CliConnection();
  const ReplayPlan plan = PlanReplay(*cli, window);
  const std::int64_t events = model_.WindowEvents(w);
  Expect(plan.events == events,
         "replay plan: events expected " + std::to_string(events) + ", actual " + std::to_string(plan.events));
  std::vector<Key> planned;
  for (const auto& row : plan.keys) planned.push_back(FromStore(row.key));
  const std::vector<Key> want = model_.WindowKeys(w);
  Expect(planned == want, "replay plan: keys expected" + Names(want) + "\n  actual" + Names(planned));

  std::vector<std::pair<std::string, std::string>> commits;
  for (const auto& c : WindowCommits(*cli, window)) commits.emplace_back(c.route, c.commit_sha);
  Expect(commits == model_.WindowCommits(w), "replay: the window's commits differ from the model's");
  SQLite::Transaction tx(*cli, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& [route, commit] : commits) {
    CheckRefold(route, commit, RefoldCommitFromLog(*cli, routes_, route, commit));
    if (!model_.Route(route).has_provider) continue;
    const std::int64_t marked = MarkCommitForResync(*cli, route, commit);
    const std::int64_t expected = model_.MarkForResync(route, commit);
    Expect(marked == expected, "replay: marked " + std::to_string(marked) + " statuses of " + commit.substr(0, 8) +
                                   " on " + route + " for re-sync, expected " + std::to_string(expected));
  }
  tx.commit();
  ++counts_["replays"];
}

void ModelRun::PruneBefore() {
  const std::int64_t cutoff = gen_.CutoffFor(model_, now_ms_);
  op_ = "prune before " + Seconds(cutoff);
  compare_all_ = true;
  auto cli = CliConnection();
  auto expect = [&](const char* what, const PruneReport& got, const PruneExpect& want) {
    const std::vector<std::tuple<const char*, std::int64_t, std::int64_t>> fields = {
        {"through_event_id", got.through_event_id, want.through},
        {"events", got.events, want.events},
        {"events_kept", got.events_kept, want.events_kept},
        {"changes", got.changes, want.changes},
        {"attempts", got.attempts, want.attempts},
        {"rejections", got.rejections, want.rejections},
        {"snapshot_keys", got.snapshot_keys, want.snapshot_keys}};
    for (const auto& [name, actual, expected] : fields) {
      Expect(actual == expected, std::string(what) + ": " + name + " expected " + std::to_string(expected) +
                                     ", actual " + std::to_string(actual));
    }
  };
  expect("prune --dry-run", PlanPrune(*cli, cutoff), model_.Plan(cutoff));
  expect("prune", Prune(*cli, routes_, cutoff, now_ms_), model_.Prune(cutoff));
  ++counts_["prunes"];
}

void ModelRun::Rebuild() {
  op_ = "rebuild";
  compare_all_ = true;
  auto cli = CliConnection();
  const RebuildReport r = EventStore(*cli, routes_).Rebuild();
  model_.Rebuild();
  const std::vector<std::tuple<const char*, std::int64_t, std::int64_t>> fields = {
      {"events", r.events, model_.EventsAfterHorizon()},
      {"snapshot_keys", r.snapshot_keys, model_.SnapshotKeys()},
      {"snapshot_through", r.snapshot_through, model_.horizon()},
      {"statuses", r.statuses, static_cast<std::int64_t>(model_.keys().size())},
      {"changes", r.changes, static_cast<std::int64_t>(model_.history().size())}};
  for (const auto& [name, actual, expected] : fields) {
    Expect(actual == expected, std::string("rebuild: ") + name + " expected " + std::to_string(expected) + ", actual " +
                                   std::to_string(actual));
  }
  ++counts_["rebuilds"];
}

void ModelRun::CheckRebuild() {
  auto cli = CliConnection();
  const RebuildCheck check = EventStore(*cli, routes_).CheckRebuild();
  std::string diff;
  for (const auto& line : check.diff) diff += "\n    " + line;
  Expect(check.equal, "rebuild --check is not clean: " + std::to_string(check.statuses_differing) + " statuses and " +
                          std::to_string(check.changes_differing) + " history rows differ" + diff);
  ++counts_["checks"];
}

void ModelRun::Compare(bool everything) {
  std::string diff = DiffCurrentStatus(*reader_, model_);
  if (diff.empty()) diff = DiffDispatch(*reader_, model_, now_ms_);
  if (everything) {
    if (diff.empty()) diff = DiffEvents(*reader_, model_);
    if (diff.empty()) diff = DiffHistory(*reader_, model_);
    if (diff.empty()) diff = DiffAttemptsAndRejections(*reader_, model_);
  }
  Expect(diff.empty(), diff);
}

std::unique_ptr<SQLite::Database> ModelRun::CliConnection() { return OpenForWriting(db_path_, Durability::kNormal); }

void ModelRun::Expect(bool ok, const std::string& what) {
  if (!ok) Fail(what);
}

void ModelRun::Fail(const std::string& what) {
  std::string trail;
  for (const auto& r : recent_) trail += "\n    " + r;
  BOOST_FAIL("store differs from the model: seed "
             << seed_ << ", step " << step_ << " of " << steps_ << ", operation: " << op_ << "\n  " << what
             << "\n  steps before it:" << (trail.empty() ? " none" : trail) << "\n  replay: MODEL_SEED=" << seed_
             << " MODEL_STEPS=" << step_);
  std::abort();  // BOOST_FAIL throws; this is never reached
}

}  // namespace fluxstatus::store::model
