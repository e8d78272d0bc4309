// Retention on a real SQLite file: prune deletes a prefix of the log, its history, old
// delivery attempts and rejections, and keeps every current status; afterwards `rebuild`
// seeded from the fold snapshot reproduces current_status and what is left of status_history,
// and events that arrive later (even older ones) fold on top exactly as without the prune.
#include <boost/test/unit_test.hpp>

#include <array>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "store/commit_refold.h"
#include "store/fold_snapshot.h"
#include "store/retention.h"
#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::RouteCatalog;

namespace {

RouteCatalog Routes() {
  return RouteCatalog({Profile("github", true, "simonjaeger/contoso2"), Profile("local", false)});
}

const char* const kAllCurrent = "SELECT * FROM current_status ORDER BY route, repo, commit_sha, context";
const char* const kAllHistory = "SELECT * FROM status_history ORDER BY event_id";

// Event n of a stream over 3 commits x 3 objects x 2 routes; event times come from a few
// seconds, so ties (broken by log order) and out-of-order arrivals are common.
struct Stream {
  std::mt19937 rng{20261128};
  int n = 0;

  std::pair<std::string, EventSpec> Next() {
    static const std::array<std::string, 3> shas = {kShaA, kShaB, kShaC};
    static const std::array<std::string, 3> names = {"apps", "infra", "café"};
    static const std::array<std::array<std::string, 3>, 5> outcomes = {{
        {"info", "ReconciliationSucceeded", "Reconciliation finished in 1.8s"},
        {"info", "Progressing", "Deployment/default/web configured"},
        {"error", "HealthCheckFailed", "timeout waiting for: [Deployment/default/web status: 'InProgress']"},
        {"error", "ReconciliationFailed", "kustomize build failed"},
        {"trace", "Progressing", "trace only"},
    }};
    EventSpec spec;
    spec.name = names[rng() % names.size()];
    const auto& o = outcomes[rng() % outcomes.size()];
    spec.severity = o[0];
    spec.reason = o[1];
    spec.message = o[2];
    spec.revision = "main@sha1:" + shas[rng() % shas.size()];
    spec.time_ms = kBaseMs + static_cast<std::int64_t>(rng() % 8) * 1000;
    spec.extra_metadata = "seq-" + std::to_string(n++);
    return {rng() % 2 ? "github" : "local", spec};
  }
};

// Received n seconds after the base: prune cutoffs are chosen between these.
std::int64_t ReceivedAt(int n) { return kBaseMs + static_cast<std::int64_t>(n) * 1000; }

// Appends `count` events of the stream, received one second apart from `first`.
void AppendStream(EventStore& store, Stream& stream, int first, int count) {
  for (int i = 0; i < count; ++i) {
    auto [route, spec] = stream.Next();
    store.Append(Incoming(route, spec, ReceivedAt(first + i)));
  }
}

std::string Diff(const RebuildCheck& check) {
  std::string out;
  for (const auto& line : check.diff) out += line + "\n";
  return out;
}

// The invariant after any prune: the check passes, a rebuild changes nothing.
void RequireRebuildReproduces(SQLite::Database& db, EventStore& store) {
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST_INFO("rebuild --check diff:\n" << Diff(check));
  BOOST_TEST(check.equal);
  const auto current = QueryRows(db, kAllCurrent);
  const auto history = QueryRows(db, kAllHistory);
  store.Rebuild();
  BOOST_TEST((QueryRows(db, kAllCurrent) == current));
  BOOST_TEST((QueryRows(db, kAllHistory) == history));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Retention)

BOOST_FIXTURE_TEST_CASE(keeps_current_status_and_rebuild_reproduces_it_when_old_events_are_pruned, StoreFixture) {
  EventStore store(*db, Routes());
  Stream stream;
  AppendStream(store, stream, 0, 200);
  const auto current = QueryRows(*db, kAllCurrent);
  BOOST_TEST_REQUIRE(current.size() > 5u);

  const PruneReport r = Prune(*db, Routes(), ReceivedAt(150), ReceivedAt(400));
  BOOST_TEST(r.through_event_id == 150);  // ids 1..150 were received before the cutoff
  BOOST_TEST(r.events > 0);
  BOOST_TEST(r.events + r.events_kept == 150);
  BOOST_TEST(r.changes > 0);
  BOOST_TEST(r.snapshot_keys > 0);
  // Gone: every old event but those a current status names; their history with them.
  BOOST_TEST(Count("events") == 50 + r.events_kept);
  BOOST_TEST(Count("events WHERE id <= 150 AND id NOT IN (SELECT event_id FROM current_status)") == 0);
  BOOST_TEST(Count("status_history WHERE event_id <= 150") == 0);
  BOOST_TEST(Count("status_history") > 0);
  // Kept: every current status, byte for byte.
  BOOST_TEST((QueryRows(*db, kAllCurrent) == current));
  BOOST_TEST(QueryInt(*db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);

  RequireRebuildReproduces(*db, store);
  BOOST_TEST((QueryRows(*db, kAllCurrent) == current));
}

BOOST_AUTO_TEST_CASE(later_events_fold_on_top_of_the_snapshot_as_without_the_prune) {
  // The same events into two databases; one is pruned twice along the way.
  StoreFixture pruned, reference;
  EventStore a(*pruned.db, Routes()), b(*reference.db, Routes());
  Stream sa, sb;
  for (EventStore* s : {&a, &b}) s->Append(Incoming("github", EventSpec{}, ReceivedAt(0)));
  AppendStream(a, sa, 1, 119);
  AppendStream(b, sb, 1, 119);
  Prune(*pruned.db, Routes(), ReceivedAt(100), ReceivedAt(500));

  // After the prune: an event older than the status of its key, which the first event set
  // (stale, still logged), then newer ones.
  EventSpec old_event;
  old_event.time_ms = kBaseMs - 60000;
  old_event.severity = "error";
  old_event.reason = "HealthCheckFailed";
  old_event.message = "arrived late";
  old_event.extra_metadata = "late";
  for (EventStore* s : {&a, &b}) {
    const AppendResult late = s->Append(Incoming("github", old_event, ReceivedAt(120)));
    BOOST_TEST((late.fold == fluxstatus::core::FoldOutcome::kStale));
  }
  AppendStream(a, sa, 121, 80);
  AppendStream(b, sb, 121, 80);
  BOOST_TEST((QueryRows(*pruned.db, kAllCurrent) == QueryRows(*reference.db, kAllCurrent)));
  RequireRebuildReproduces(*pruned.db, a);
  BOOST_TEST((QueryRows(*pruned.db, kAllCurrent) == QueryRows(*reference.db, kAllCurrent)));

  // A second prune moves the horizon on; the history that is left still matches.
  const PruneReport second = Prune(*pruned.db, Routes(), ReceivedAt(180), ReceivedAt(500));
  BOOST_TEST(second.through_event_id == 180);  // the late event took id 121
  BOOST_TEST(FoldSnapshot(*pruned.db).ThroughEventId() == 180);
  BOOST_TEST((QueryRows(*pruned.db, kAllCurrent) == QueryRows(*reference.db, kAllCurrent)));
  BOOST_TEST((QueryRows(*pruned.db, "SELECT * FROM status_history ORDER BY event_id") ==
              QueryRows(*reference.db, "SELECT * FROM status_history WHERE event_id > 180 ORDER BY event_id")));
  RequireRebuildReproduces(*pruned.db, a);
  BOOST_TEST((QueryRows(*pruned.db, kAllCurrent) == QueryRows(*reference.db, kAllCurrent)));
}

BOOST_FIXTURE_TEST_CASE(replay_refold_of_a_commit_starts_from_the_snapshot_when_its_events_were_pruned, StoreFixture) {
  EventStore store(*db, Routes());
  Stream stream;
  AppendStream(store, stream, 0, 80);
  Prune(*db, Routes(), ReceivedAt(60), ReceivedAt(100));
  AppendStream(store, stream, 80, 20);
  const auto current = QueryRows(*db, kAllCurrent);
  const auto history = QueryRows(*db, kAllHistory);
  for (const std::string route : {"github", "local"}) {
    for (const auto& sha : {kShaA, kShaB, kShaC}) {
      BOOST_TEST_CONTEXT(route << " " << sha) {
        const CommitRefold r = RefoldCommitFromLog(*db, Routes(), route, sha);
        BOOST_TEST(r.rows_changed == 0);
      }
    }
  }
  BOOST_TEST((QueryRows(*db, kAllCurrent) == current));
  BOOST_TEST((QueryRows(*db, kAllHistory) == history));
}

BOOST_FIXTURE_TEST_CASE(next_event_gets_a_new_id_when_everything_was_pruned, StoreFixture) {
  EventStore store(*db, Routes());
  Stream stream;
  AppendStream(store, stream, 0, 30);
  const PruneReport r = Prune(*db, Routes(), ReceivedAt(1000), ReceivedAt(1000));
  BOOST_TEST(r.through_event_id == 30);
  BOOST_TEST(QueryInt(*db, "SELECT max(id) FROM events") == 30);  // the newest event stays
  EventSpec newest;
  newest.time_ms = kBaseMs + 100000;  // newer than any status of its key
  const AppendResult next = store.Append(Incoming("github", newest, ReceivedAt(1001)));
  BOOST_TEST(next.id == 31);
  RequireRebuildReproduces(*db, store);
  BOOST_TEST(QueryInt(*db,
                      "SELECT event_id FROM current_status WHERE route = 'github' AND context = "
                      "'kustomization/apps' AND commit_sha = '" +
                          kShaA + "'") == 31);
}

BOOST_FIXTURE_TEST_CASE(deletes_old_delivery_attempts_and_rejections_only, StoreFixture) {
  EventStore store(*db, Routes());
  store.Append(Incoming("github", EventSpec{}, ReceivedAt(0)));
  DeliveryRecord sent;
  sent.key = {"github", "simonjaeger/contoso2", kShaA, "kustomization/apps"};
  sent.sent_event_id = 1;
  sent.result = DeliveryRecord::Result::kRetry;
  for (int at : {10, 20, 30}) {
    DeliveryAttempt attempt{sent.key, "success", ReceivedAt(at), 502, "retry", "bad gateway", 12};
    sent.attempts = {attempt};
    store.RecordDelivery(sent);
    store.Reject({"github", fluxstatus::core::FormatRfc3339Millis(ReceivedAt(at)), "invalid JSON", "{", 1048576});
  }
  const PruneReport plan = PlanPrune(*db, ReceivedAt(25));
  BOOST_TEST(plan.attempts == 2);
  BOOST_TEST(plan.rejections == 2);
  const PruneReport r = Prune(*db, Routes(), ReceivedAt(25), ReceivedAt(40));
  BOOST_TEST(r.attempts == 2);
  BOOST_TEST(r.rejections == 2);
  BOOST_TEST(Count("delivery_attempts") == 1);
  BOOST_TEST(Count("rejected_events") == 1);
  BOOST_TEST(QueryText(*db, "SELECT attempted_at FROM delivery_attempts") ==
             fluxstatus::core::FormatRfc3339Millis(ReceivedAt(30)));
  BOOST_TEST(Count("current_status WHERE sync_state = 'pending' AND attempts = 3") == 1);  // untouched
}

BOOST_FIXTURE_TEST_CASE(dry_run_counts_what_prune_then_deletes_and_writes_nothing, StoreFixture) {
  EventStore store(*db, Routes());
  Stream stream;
  AppendStream(store, stream, 0, 60);
  const auto before = QueryRows(*db,
                                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM status_history),"
                                " (SELECT count(*) FROM fold_snapshot), (SELECT count(*) FROM fold_horizon)");
  const PruneReport plan = PlanPrune(*db, ReceivedAt(40));
  BOOST_TEST((QueryRows(*db,
                        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM status_history),"
                        " (SELECT count(*) FROM fold_snapshot), (SELECT count(*) FROM fold_horizon)") == before));
  const PruneReport done = Prune(*db, Routes(), ReceivedAt(40), ReceivedAt(100));
  BOOST_TEST(plan.through_event_id == done.through_event_id);
  BOOST_TEST(plan.events == done.events);
  BOOST_TEST(plan.events_kept == done.events_kept);
  BOOST_TEST(plan.changes == done.changes);
}

BOOST_FIXTURE_TEST_CASE(refuses_and_deletes_nothing_when_current_status_disagrees_with_the_log, StoreFixture) {
  EventStore store(*db, Routes());
  store.Append(Incoming("github", EventSpec{}, ReceivedAt(0)));
  EventSpec infra;
  infra.name = "infra";
  store.Append(Incoming("github", infra, ReceivedAt(1)));
  EventSpec other;
  other.name = "other";
  store.Append(Incoming("github", other, ReceivedAt(2)));
  db->exec("UPDATE commit_statuses SET description = 'edited by hand' WHERE context = 'kustomization/apps'");
  std::string what;
  try {
    Prune(*db, Routes(), ReceivedAt(2), ReceivedAt(10));
  } catch (const PruneRefused& e) {
    what = e.what();
  }
  BOOST_TEST_INFO(what);
  BOOST_TEST(what.find("kustomization/apps") != std::string::npos);
  BOOST_TEST(what.find("rebuild") != std::string::npos);
  BOOST_TEST(Count("events") == 3);
  BOOST_TEST(Count("fold_snapshot") == 0);
  BOOST_TEST(QueryInt(*db, "PRAGMA foreign_keys") == 1);  // restored after the refusal
}

BOOST_FIXTURE_TEST_CASE(event_log_stays_append_only_outside_prune, StoreFixture) {
  EventStore store(*db, Routes());
  Stream stream;
  AppendStream(store, stream, 0, 10);
  Prune(*db, Routes(), ReceivedAt(5), ReceivedAt(20));
  BOOST_TEST(Count("event_log_prune_permit") == 0);  // the permit never outlives the prune
  std::string what;
  try {
    db->exec("DELETE FROM event_log WHERE id = (SELECT max(id) FROM event_log)");
  } catch (const std::exception& e) {
    what = e.what();
  }
  BOOST_TEST(what.find("append-only") != std::string::npos);
  BOOST_TEST(QueryInt(*db, "SELECT max(id) FROM events") == 10);
}

BOOST_AUTO_TEST_SUITE_END()
