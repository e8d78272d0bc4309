// `fluxstatus prune --before DURATION|RFC3339 [--dry-run]` through the real binary: old events
// and their history go, every current status stays, `rebuild --check` still passes, and
// events that arrive afterwards (even older ones) fold on top of what was kept.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;

namespace {

const char* const kAllCurrent = "SELECT * FROM current_status ORDER BY route, repo, commit_sha, context";

// A Kustomization event about kSha8c1d in Flux's wire shape.
std::string Event(const std::string& name, const std::string& severity, const std::string& reason,
                  const std::string& timestamp, const std::string& message) {
  return WireEvent(name, severity, reason, timestamp, message, kSha8c1d);
}

struct PruneFixture : CliFixture {
  void Ingest(const std::string& file, const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    const auto r = Run({"ingest", Write(file, text)});
    BOOST_TEST_INFO(Show(r));
    BOOST_TEST_REQUIRE(r.exit_code == 0);
  }

  void RequireCheckPasses() {
    const auto check = Run({"rebuild", "--check"});
    BOOST_TEST_INFO(Show(check));
    BOOST_TEST_REQUIRE(check.exit_code == 0);
  }

  // Four events over two keys: apps progressing then failed, infra progressing then succeeded.
  void IngestFirstDay() {
    Ingest("day1.jsonl",
           {Event("apps", "info", "Progressing", "2026-11-24T09:00:00Z", "Deployment/default/web configured"),
            Event("apps", "error", "HealthCheckFailed", "2026-11-24T09:01:00Z", "timeout waiting for web"),
            Event("infra", "info", "Progressing", "2026-11-24T09:00:00Z", "Deployment/default/db configured"),
            Event("infra", "info", "ReconciliationSucceeded", "2026-11-24T09:02:00Z", "Reconciliation finished")});
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(PruneCommand)

BOOST_FIXTURE_TEST_CASE(keeps_current_status_and_rebuild_check_passes_when_everything_is_pruned, PruneFixture) {
  IngestFirstDay();
  const auto current = QueryRows(*Db(), kAllCurrent);
  BOOST_TEST_REQUIRE(current.size() == 2u);

  const auto r = Run({"prune", "--before", "0s"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "pruned before "));
  BOOST_TEST(Contains(r.out, "2 events"));  // the two progressing events; the two current ones stay
  BOOST_TEST(Contains(r.out, "4 status_history rows"));
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == 2);
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM status_history") == 0);
  BOOST_TEST((QueryRows(*Db(), kAllCurrent) == current));

  RequireCheckPasses();
  const auto rebuild = Run({"rebuild"});
  BOOST_TEST_INFO(Show(rebuild));
  BOOST_TEST(rebuild.exit_code == 0);
  BOOST_TEST(Contains(rebuild.out, "fold snapshot of 2 statuses"));
  BOOST_TEST((QueryRows(*Db(), kAllCurrent) == current));
}

BOOST_FIXTURE_TEST_CASE(folds_later_events_on_top_when_an_older_one_arrives_after_the_prune, PruneFixture) {
  IngestFirstDay();
  BOOST_TEST_REQUIRE(Run({"prune", "--before", "0s"}).exit_code == 0);
  // Older than the failure that holds apps: logged, not applied. Newer for infra: applied.
  Ingest("late.jsonl",
         {Event("apps", "info", "ReconciliationSucceeded", "2026-11-24T08:59:00Z", "finished long ago"),
          Event("infra", "error", "ReconciliationFailed", "2026-11-24T09:05:00Z", "kustomize build failed")});
  BOOST_TEST(QueryText(*Db(), "SELECT state FROM current_status WHERE context = 'kustomization/apps'") == "failure");
  BOOST_TEST(QueryText(*Db(), "SELECT state FROM current_status WHERE context = 'kustomization/infra'") == "failure");
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM status_history") == 1);  // infra's new failure
  RequireCheckPasses();
  const auto current = QueryRows(*Db(), kAllCurrent);
  BOOST_TEST_REQUIRE(Run({"rebuild"}).exit_code == 0);
  BOOST_TEST((QueryRows(*Db(), kAllCurrent) == current));

  // A second prune folds the late events into the snapshot too.
  const auto second = Run({"prune", "--before", "0s"});
  BOOST_TEST_INFO(Show(second));
  BOOST_TEST(second.exit_code == 0);
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM status_history") == 0);
  BOOST_TEST((QueryRows(*Db(), kAllCurrent) == current));
  RequireCheckPasses();
}

BOOST_FIXTURE_TEST_CASE(dry_run_prints_the_counts_and_writes_nothing, PruneFixture) {
  IngestFirstDay();
  const std::string counts =
      "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM status_history),"
      " (SELECT count(*) FROM fold_snapshot)";
  const auto before = QueryRows(*Db(), counts);
  const auto r = Run({"prune", "--before", "0s", "--dry-run"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "dry run"));
  BOOST_TEST(Contains(r.out, "would delete 2 events"));
  BOOST_TEST((QueryRows(*Db(), counts) == before));
}

BOOST_FIXTURE_TEST_CASE(nothing_older_than_the_cutoff_is_left_alone, PruneFixture) {
  IngestFirstDay();
  const auto r = Run({"prune", "--before", "90d"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "0 events"));
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == 4);
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM status_history") == 4);
}

BOOST_FIXTURE_TEST_CASE(exits_two_naming_the_value_when_before_is_not_a_time, PruneFixture) {
  for (const std::string bad : {"yesterday", "90", "2026-13-01T00:00:00Z", "2999-01-01T00:00:00Z"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto r = Run({"prune", "--before", bad});
      BOOST_TEST_INFO(Show(r));
      BOOST_TEST(r.exit_code == 2);
      BOOST_TEST(Contains(r.err, "--before '" + bad + "'"));
    }
  }
  const auto missing = Run({"prune"});
  BOOST_TEST(missing.exit_code != 0);
  BOOST_TEST(Contains(missing.err, "--before"));
}

BOOST_AUTO_TEST_SUITE_END()
