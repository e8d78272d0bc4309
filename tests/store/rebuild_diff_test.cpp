// `rebuild --check` has to say what differs so a person can act on it: the key in full, the
// column, the stored value and the fresh fold's value; rows only one side has; and it checks
// status_history as well as current_status, in one read transaction that writes nothing.
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::RouteCatalog;

namespace {

RouteCatalog Routes() { return RouteCatalog({Profile("github", true, "simonjaeger/contoso2")}); }

std::string Joined(const RebuildCheck& check) {
  std::string out;
  for (const auto& line : check.diff) out += line + "\n";
  return out;
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Two statuses for kShaA: kustomization/apps failed, kustomization/infra succeeded.
void TwoStatuses(EventStore& store) {
  EventSpec failed;
  failed.severity = "error";
  failed.reason = "HealthCheckFailed";
  failed.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  store.Append(Incoming("github", failed));
  EventSpec infra;
  infra.name = "infra";
  store.Append(Incoming("github", infra));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(RebuildCheckDiff)

BOOST_FIXTURE_TEST_CASE(names_key_column_stored_and_fresh_values_when_a_column_was_edited, StoreFixture) {
  EventStore store(*db, Routes());
  TwoStatuses(store);
  db->exec("UPDATE commit_statuses SET description = 'edited by hand' WHERE context = 'kustomization/apps'");
  const RebuildCheck check = store.CheckRebuild();
  const std::string diff = Joined(check);
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(!check.equal);
  BOOST_TEST(check.statuses_differing == 1);
  BOOST_TEST(check.changes_differing == 0);
  BOOST_TEST_REQUIRE(check.diff.size() == 2u);
  const std::string key = "(route github, repo simonjaeger/contoso2, commit " + kShaA + ", context kustomization/apps)";
  BOOST_TEST(check.diff[0] == "- current_status " + key + ": description 'edited by hand'");
  BOOST_TEST(check.diff[1].rfind("+ current_status " + key + ": description '", 0) == 0);
  BOOST_TEST(Has(check.diff[1], "timeout waiting for: [Deployment/default/web"));  // what the event said
  BOOST_TEST(!Has(diff, "state '"));                                               // only the differing column
  BOOST_TEST(!Has(diff, "kustomization/infra"));
}

BOOST_FIXTURE_TEST_CASE(reports_rows_only_one_side_has_when_rows_were_added_or_removed, StoreFixture) {
  EventStore store(*db, Routes());
  TwoStatuses(store);
  db->exec("DELETE FROM commit_statuses WHERE context = 'kustomization/infra'");
  db->exec(
      "INSERT INTO commit_statuses (route, repo, commit_sha, context, state, description, event_id, event_time,"
      " event_time_ms, updated_at, sync_state) SELECT route, repo, commit_sha, 'kustomization/ghost', state,"
      " description, event_id, event_time, event_time_ms, updated_at, sync_state FROM commit_statuses");
  const RebuildCheck check = store.CheckRebuild();
  const std::string diff = Joined(check);
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(check.statuses_differing == 2);
  BOOST_TEST(Has(diff, "- current_status (route github, repo simonjaeger/contoso2, commit " + kShaA +
                           ", context kustomization/ghost): state 'failure'"));
  BOOST_TEST(Has(diff, "(not in a fresh fold)"));
  BOOST_TEST(Has(diff, "+ current_status (route github, repo simonjaeger/contoso2, commit " + kShaA +
                           ", context kustomization/infra): state 'success'"));
  BOOST_TEST(Has(diff, "(missing from the table)"));
}

BOOST_FIXTURE_TEST_CASE(names_the_event_when_status_history_differs, StoreFixture) {
  EventStore store(*db, Routes());
  TwoStatuses(store);
  db->exec("UPDATE status_changes SET recorded_at = '2020-01-01T00:00:00.000Z' WHERE event_id = 2");
  db->exec("DELETE FROM status_changes WHERE event_id = 1");
  const RebuildCheck check = store.CheckRebuild();
  const std::string diff = Joined(check);
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(check.statuses_differing == 0);
  BOOST_TEST(check.changes_differing == 2);
  BOOST_TEST(Has(diff, "+ status_history event 1 (route github"));
  BOOST_TEST(Has(diff, "(missing from the table)"));
  BOOST_TEST(Has(diff, "- status_history event 2 (route github, repo simonjaeger/contoso2, commit " + kShaA +
                           ", context kustomization/infra): recorded_at '2020-01-01T00:00:00.000Z'"));
  BOOST_TEST(Has(diff, "+ status_history event 2"));
}

BOOST_FIXTURE_TEST_CASE(counts_everything_but_lists_a_bounded_number_of_lines_when_much_differs, StoreFixture) {
  EventStore store(*db, Routes());
  for (int i = 0; i < 150; ++i) {
    EventSpec spec;
    spec.name = "app-" + std::to_string(i);
    store.Append(Incoming("github", spec));
  }
  db->exec("UPDATE commit_statuses SET state = 'error'");
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(check.statuses_differing == 150);
  BOOST_TEST(check.diff.size() == RebuildCheck::kMaxDiffLines);
}

BOOST_FIXTURE_TEST_CASE(check_leaves_the_tables_as_they_were, StoreFixture) {
  EventStore store(*db, Routes());
  TwoStatuses(store);
  db->exec("UPDATE commit_statuses SET state = 'success' WHERE state = 'failure'");
  const auto current = QueryRows(*db, "SELECT * FROM current_status ORDER BY context");
  const auto history = QueryRows(*db, "SELECT * FROM status_history ORDER BY event_id");
  BOOST_TEST(!store.CheckRebuild().equal);
  BOOST_TEST((QueryRows(*db, "SELECT * FROM current_status ORDER BY context") == current));
  BOOST_TEST((QueryRows(*db, "SELECT * FROM status_history ORDER BY event_id") == history));
  // Rebuild fixes both tables in one transaction and restores the indexes it dropped.
  const auto indexes = QueryRows(*db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name");
  store.Rebuild();
  BOOST_TEST(store.CheckRebuild().equal);
  BOOST_TEST((QueryRows(*db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name") == indexes));
}

BOOST_AUTO_TEST_SUITE_END()
