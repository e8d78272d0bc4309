// Opening databases and the schema: versions, the inspection contract's columns, upgrades,
// refusing newer schemas and writes on read-only connections.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "store/database.h"
#include "store/migrator.h"
#include "tests/store/store_fixture.h"
#include "tests/support/sql.h"

using fluxstatus::store::Migrator;
using fluxstatus::store::OpenForReading;
using fluxstatus::store::OpenForWriting;
using fluxstatus::store::SchemaTooNew;
using fluxstatus::store::testing::StoreFixture;
using fluxstatus::testing::ColumnsOf;
using fluxstatus::testing::QueryInt;
using fluxstatus::testing::QueryRows;
using fluxstatus::testing::TempDir;

namespace {

using Columns = std::vector<std::string>;

// The contract's "SQL" section, verbatim: view/table -> columns, in order.
const std::map<std::string, Columns>& ContractColumns() {
  static const std::map<std::string, Columns> contract = {
      {"events",
       {"id", "received_at", "route", "kind", "namespace", "name", "severity", "reason", "message", "revision",
        "commit_sha", "event_time", "body"}},
      {"current_status",
       {"route", "repo", "commit_sha", "context", "state", "description", "target_url", "event_id", "event_time",
        "updated_at", "sync_state", "synced_at", "attempts", "last_error"}},
      {"status_history",
       {"route", "repo", "commit_sha", "context", "state", "description", "event_id", "event_time", "recorded_at"}},
      {"rejected_events", {"id", "received_at", "route", "reason", "body"}},
      {"delivery_attempts",
       {"id", "route", "repo", "commit_sha", "context", "state", "attempted_at", "http_status", "outcome", "error",
        "duration_ms"}},
      // The contract's additions (turn 2).
      {"deployments",
       {"route", "repo", "commit_sha", "environment", "state", "host_deployment_id", "updated_at", "sync_state",
        "last_error"}},
      {"check_runs",
       {"route", "repo", "commit_sha", "context", "state", "host_check_run_id", "updated_at", "sync_state",
        "last_error"}},
  };
  return contract;
}

// Columns a view carries beyond the contract, appended after them (stable, additive only).
// events.no_commit_reason: why commit_sha is NULL (the contract is silent on it; additive);
// delivery_attempts.sink: which sink a call was for; deployments' and check_runs' description
// and attempts: what the host is sent and how often it failed. events.origin is the contract's
// own addition (turn 2), appended after the older extra so no column moves.
const std::map<std::string, Columns>& DocumentedExtras() {
  static const std::map<std::string, Columns> extras = {{"events", {"no_commit_reason", "origin"}},
                                                        {"delivery_attempts", {"sink"}},
                                                        {"deployments", {"description", "attempts"}},
                                                        {"check_runs", {"description", "attempts"}}};
  return extras;
}

// A raw connection to a new file, without fluxstatus's open logic.
std::unique_ptr<SQLite::Database> RawDatabase(const std::string& path) {
  return std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Database)

BOOST_FIXTURE_TEST_CASE(schema_is_at_latest_version_when_fresh_file_is_opened_for_writing, StoreFixture) {
  BOOST_TEST(Migrator::LatestVersion() >= 1);
  BOOST_TEST(QueryInt(*db, "PRAGMA user_version") == Migrator::LatestVersion());
  BOOST_TEST(Migrator::CurrentVersion(*db) == Migrator::LatestVersion());
  BOOST_TEST(Migrator::Pending(*db).empty());
}

BOOST_FIXTURE_TEST_CASE(contract_views_have_exactly_the_contract_columns_when_fresh, StoreFixture) {
  for (const auto& [view, expected] : ContractColumns()) {
    BOOST_TEST_CONTEXT("view " << view) {
      Columns want = expected;
      if (auto extra = DocumentedExtras().find(view); extra != DocumentedExtras().end()) {
        want.insert(want.end(), extra->second.begin(), extra->second.end());
      }
      const Columns got = ColumnsOf(*db, view);
      BOOST_TEST(got == want, boost::test_tools::per_element());
    }
  }
}

BOOST_FIXTURE_TEST_CASE(journal_is_wal_when_opened_for_writing, StoreFixture) {
  BOOST_TEST(fluxstatus::testing::QueryText(*db, "PRAGMA journal_mode") == "wal");
  BOOST_TEST(QueryInt(*db, "PRAGMA foreign_keys") == 1);
}

BOOST_AUTO_TEST_CASE(open_for_writing_throws_schema_too_new_when_user_version_is_higher) {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  {
    auto raw = RawDatabase(path);
    raw->exec("CREATE TABLE from_the_future (x INTEGER)");
    raw->exec("INSERT INTO from_the_future VALUES (42)");
    raw->exec("PRAGMA user_version = " + std::to_string(Migrator::LatestVersion() + 1));
  }
  bool thrown = false;
  try {
    OpenForWriting(path);
  } catch (const SchemaTooNew& e) {
    thrown = true;
    const std::string what = e.what();
    BOOST_TEST_INFO("message: " << what);
    BOOST_TEST(what.find("use a newer fluxstatus binary") != std::string::npos);
    BOOST_TEST(what.find(std::to_string(Migrator::LatestVersion() + 1)) != std::string::npos);
  }
  BOOST_TEST(thrown);
  // Refusing means not touching: the newer schema and its data are intact.
  auto raw = RawDatabase(path);
  BOOST_TEST(QueryInt(*raw, "PRAGMA user_version") == Migrator::LatestVersion() + 1);
  BOOST_TEST(QueryInt(*raw, "SELECT x FROM from_the_future") == 42);
  BOOST_TEST(QueryInt(*raw, "SELECT count(*) FROM sqlite_schema WHERE name = 'event_log'") == 0);
}

BOOST_AUTO_TEST_CASE(open_for_reading_throws_schema_too_new_when_user_version_is_higher) {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  { RawDatabase(path)->exec("PRAGMA user_version = 999"); }
  BOOST_CHECK_EXCEPTION(OpenForReading(path), SchemaTooNew, [](const SchemaTooNew& e) {
    return std::string(e.what()).find("newer fluxstatus") != std::string::npos;
  });
}

// Generic upgrade path: build the schema of version 1, log data with version 1's columns, then
// upgrade to the latest. With only 0001 today, Apply has nothing left to do and this checks
// that it says so and keeps the data; once 0002 exists it exercises the real upgrade.
BOOST_AUTO_TEST_CASE(apply_keeps_data_when_upgrading_from_version_1) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  auto db = RawDatabase(path);
  const auto first = Migrator::ApplyUpTo(*db, 1);
  BOOST_TEST_REQUIRE(first.size() == 1u);
  BOOST_TEST(first.front().name == "0001_init");
  BOOST_TEST(Migrator::CurrentVersion(*db) == 1);
  BOOST_TEST(static_cast<int>(Migrator::Pending(*db).size()) == Migrator::LatestVersion() - 1);

  // Version 1's event_log columns, as 0001_init.sql created them.
  db->exec(
      "INSERT INTO event_log (id, received_at, route, kind, namespace, name, severity, reason, message,"
      " revision, commit_sha, no_commit_reason, event_time, event_time_ms, body_sha256, body) VALUES"
      " (7, '2026-11-24T09:17:31.000Z', 'contoso2', 'Kustomization', 'flux-system', 'apps', 'info',"
      " 'ReconciliationSucceeded', 'done', 'main@sha1:69fdd6276a37f5e42af7f0405a21703b605543d0',"
      " '69fdd6276a37f5e42af7f0405a21703b605543d0', NULL, '2026-11-24T09:17:31.000Z', 1795512451000,"
      " zeroblob(32), '{\"kept\":true}')");
  db->exec(
      "INSERT INTO rejected_events (received_at, route, reason, body)"
      " VALUES ('2026-11-24T09:17:32.000Z', 'contoso2', 'invalid JSON', x'7b')");

  const auto applied = Migrator::Apply(*db);
  BOOST_TEST(static_cast<int>(applied.size()) == Migrator::LatestVersion() - 1);
  BOOST_TEST(Migrator::CurrentVersion(*db) == Migrator::LatestVersion());
  BOOST_TEST(Migrator::Pending(*db).empty());
  BOOST_TEST(Migrator::Apply(*db).empty());  // idempotent

  const auto rows = QueryRows(*db, "SELECT id, route, commit_sha, body FROM events");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == "7");
  BOOST_TEST(rows[0][1] == "contoso2");
  BOOST_TEST(rows[0][2] == "69fdd6276a37f5e42af7f0405a21703b605543d0");
  BOOST_TEST(rows[0][3] == "{\"kept\":true}");
  BOOST_TEST(QueryInt(*db, "SELECT count(*) FROM rejected_events") == 1);
  db.reset();
  // And the upgraded file opens normally for both sides.
  BOOST_CHECK_NO_THROW(OpenForWriting(path));
  BOOST_CHECK_NO_THROW(OpenForReading(path));
}

namespace {

// The message OpenForReading refuses `path` with ("" when it opens).
std::string RefusalOf(const std::string& path) {
  try {
    OpenForReading(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(open_for_reading_names_migrate_when_database_has_no_schema) {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  { RawDatabase(path)->exec("PRAGMA user_version = 0"); }
  const std::string what = RefusalOf(path);
  BOOST_TEST_INFO("message: " << what);
  BOOST_TEST(what.find(path) != std::string::npos);
  BOOST_TEST(what.find("fluxstatus migrate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(open_for_reading_says_not_fluxstatus_when_another_program_owns_the_file) {
  TempDir dir;
  const std::string other = dir.File("other.db");
  { RawDatabase(other)->exec("CREATE TABLE unrelated (x)"); }
  std::string what = RefusalOf(other);
  BOOST_TEST_INFO("message: " << what);
  BOOST_TEST(what.find(other + " is not a fluxstatus database") != std::string::npos);
  BOOST_TEST(what.find("migrate") == std::string::npos);  // migrating it would add our tables to it

  const std::string text = dir.File("notes.txt");
  fluxstatus::testing::WriteFile(text,
                                 "not SQLite at all, but longer than a hundred bytes so that SQLite reads a "
                                 "header from it and finds no magic string at its start\n");
  what = RefusalOf(text);
  BOOST_TEST_INFO("message: " << what);
  BOOST_TEST(what.find(text + " error: file is not a database (not an SQLite file)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(writing_verbs_refuse_to_add_our_tables_to_another_programs_file) {
  TempDir dir;
  const std::string other = dir.File("other.db");
  { RawDatabase(other)->exec("CREATE TABLE unrelated (x)"); }
  for (const auto& open : {std::function<void()>([&] { OpenForWriting(other); }),
                           std::function<void()>([&] { fluxstatus::store::MigrateDatabase(other); })}) {
    std::string what;
    try {
      open();
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    BOOST_TEST(what.find(other + " is not a fluxstatus database (it has other tables)") != std::string::npos, what);
  }
  BOOST_TEST(QueryInt(*RawDatabase(other), "SELECT count(*) FROM sqlite_schema") == 1);  // untouched
  BOOST_TEST(QueryInt(*RawDatabase(other), "PRAGMA user_version") == 0);
}

BOOST_AUTO_TEST_CASE(open_for_reading_fails_when_file_is_missing) {
  TempDir dir;
  const std::string path = dir.File("missing.db");
  BOOST_CHECK_THROW(OpenForReading(path), std::exception);
  BOOST_TEST(!std::filesystem::exists(path));  // reading never creates a database
}

BOOST_FIXTURE_TEST_CASE(read_only_connection_refuses_writes_when_opened_for_reading, StoreFixture) {
  db->exec(
      "INSERT INTO rejected_events (received_at, route, reason, body)"
      " VALUES ('2026-11-24T09:17:32.000Z', 'contoso2', 'invalid JSON', x'7b')");
  auto reader = OpenForReading(db_path);
  BOOST_CHECK_THROW(reader->exec("DELETE FROM rejected_events"), SQLite::Exception);
  BOOST_CHECK_THROW(reader->exec("INSERT INTO rejected_events (received_at, route, reason, body)"
                                 " VALUES ('x', 'y', 'z', x'00')"),
                    SQLite::Exception);
  BOOST_CHECK_THROW(reader->exec("CREATE TABLE sneaky (x)"), SQLite::Exception);
  BOOST_TEST(QueryInt(*reader, "SELECT count(*) FROM rejected_events") == 1);
  BOOST_TEST(QueryInt(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'sneaky'") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
