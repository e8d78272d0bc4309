// `rebuild [--check]`, `migrate [--check]`, refusing newer schemas, `check-config`, `version`,
// and the stock sqlite3 shell on the database.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "store/migrator.h"
#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(RebuildCommand)

BOOST_FIXTURE_TEST_CASE(check_exits_zero_when_database_is_fresh, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto empty = Run({"rebuild", "--check"});
  BOOST_TEST_INFO(Show(empty));
  BOOST_TEST(empty.exit_code == 0);
  BOOST_TEST(Contains(empty.out, "match"));
}

BOOST_FIXTURE_TEST_CASE(check_refuses_and_creates_nothing_when_database_is_missing, CliFixture) {
  const auto r = Run({"rebuild", "--check"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, db_path + " does not exist"));
  BOOST_TEST(!std::filesystem::exists(db_path));
}

BOOST_FIXTURE_TEST_CASE(check_exits_zero_when_only_ingest_wrote, CliFixture) {
  IngestSamples(AllSampleEvents());
  const auto r = Run({"rebuild", "--check"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
}

BOOST_FIXTURE_TEST_CASE(check_exits_one_with_a_diff_when_a_status_was_tampered_with, CliFixture) {
  IngestSamples(AllSampleEvents());
  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    db.exec(
        "UPDATE commit_statuses SET state = 'success', description = 'tampered'"
        " WHERE context = 'kustomization/café-app'");
  }
  const auto check = Run({"rebuild", "--check"});
  BOOST_TEST_INFO(Show(check));
  BOOST_TEST(check.exit_code == 1);
  BOOST_TEST(Contains(check.out, "differ"));
  BOOST_TEST(Contains(check.out, "- current_status"));
  BOOST_TEST(Contains(check.out, "+ current_status"));
  BOOST_TEST(Contains(check.out, "tampered"));
  BOOST_TEST(Contains(check.out, "kustomization/café-app"));
  // --check only reports.
  BOOST_TEST(QueryText(*Db(), "SELECT description FROM current_status WHERE context = 'kustomization/café-app'") ==
             "tampered");

  const auto fix = Run({"rebuild"});
  BOOST_TEST_INFO(Show(fix));
  BOOST_TEST(fix.exit_code == 0);
  BOOST_TEST(Contains(fix.out, "rebuilt from 12 events"));
  BOOST_TEST(QueryText(*Db(), "SELECT state FROM current_status WHERE context = 'kustomization/café-app'") ==
             "failure");
  const auto again = Run({"rebuild", "--check"});
  BOOST_TEST_INFO(Show(again));
  BOOST_TEST(again.exit_code == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(MigrateCommand)

BOOST_FIXTURE_TEST_CASE(check_reports_pending_when_database_is_missing, CliFixture) {
  const auto r = Run({"migrate", "--check"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "pending"));
  BOOST_TEST(!std::filesystem::exists(db_path));  // a check creates nothing
}

BOOST_FIXTURE_TEST_CASE(check_exits_zero_when_database_was_migrated, CliFixture) {
  const auto m = Run({"migrate"});
  BOOST_TEST_INFO(Show(m));
  BOOST_TEST(m.exit_code == 0);
  BOOST_TEST(Contains(m.out, "applied: 0001_init"));
  const auto r = Run({"migrate", "--check"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(!Contains(r.out, "pending:"));
  const auto again = Run({"migrate"});
  BOOST_TEST(again.exit_code == 0);
  BOOST_TEST(!Contains(again.out, "applied:"));
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM current_status") == 0);  // the views exist
}

// `migrate` beside a running serve: it waits out the others' short write transactions (the
// busy timeout every connection has) instead of failing at once with "database is locked".
BOOST_FIXTURE_TEST_CASE(waits_for_another_connections_write_transaction_instead_of_failing, CliFixture) {
  {
    SQLite::Database old(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    fluxstatus::store::Migrator::ApplyUpTo(old, 4);
  }
  SQLite::Database holder(db_path, SQLite::OPEN_READWRITE);
  holder.exec("BEGIN IMMEDIATE");
  auto release = std::async(std::launch::async, [&holder] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    holder.exec("COMMIT");
  });
  const auto m = Run({"migrate"});
  release.get();
  BOOST_TEST_INFO(Show(m));
  BOOST_TEST(m.exit_code == 0);
  BOOST_TEST(Contains(m.out, "applied: 0005_writer_probe"));
}

BOOST_FIXTURE_TEST_CASE(every_verb_refuses_with_newer_message_when_schema_is_newer, CliFixture) {
  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA user_version = 999");
  }
  const auto event =
      Write("e.json",
            "{\"involvedObject\":{\"kind\":\"Kustomization\",\"namespace\":\"flux-system\",\"name\":\"apps\"},"
            "\"severity\":\"info\",\"timestamp\":\"2026-11-24T09:17:31Z\",\"message\":\"m\",\"reason\":\"R\"}");
  const std::vector<std::vector<std::string>> verbs = {{"status"},        {"status", "--json"},  {"sql", "select 1"},
                                                       {"ingest", event}, {"rebuild"},           {"rebuild", "--check"},
                                                       {"migrate"},       {"migrate", "--check"}};
  for (const auto& args : verbs) {
    BOOST_TEST_CONTEXT(args[0] << (args.size() > 1 ? " " + args[1] : "")) {
      const auto r = Run(args);
      BOOST_TEST_INFO(Show(r));
      BOOST_TEST(r.exit_code != 0);
      BOOST_TEST(Contains(r.err, "newer"));
      BOOST_TEST(Contains(r.err, "999"));
    }
  }
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  BOOST_TEST(QueryInt(db, "PRAGMA user_version") == 999);
  BOOST_TEST(QueryInt(db, "SELECT count(*) FROM sqlite_schema") == 0);  // untouched
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ConfigCommand)

BOOST_FIXTURE_TEST_CASE(lists_routes_when_config_is_valid, CliFixture) {
  WriteConfig(
      "listen: \"127.0.0.1:9999\"\n"
      "database: \"statuses.db\"\n"
      "durability: normal\n"
      "routes:\n"
      "  - name: contoso2\n"
      "    provider: github\n"
      "    address: https://github.com/simonjaeger/contoso2\n"
      "    token_file: github-token\n"
      "    context: \"{kind}/{name}\"\n"
      "    match:\n"
      "      - {kind: Kustomization, name: \"*\", namespace: \"*\"}\n"
      "  - name: lab\n"
      "dispatch:\n"
      "  workers: 2\n"
      "  initial_backoff: 250ms\n"
      "  max_backoff: 15m\n");
  Write("github-token", "ghp_test\n");  // check-config reads the secrets, as serve does
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "is valid"));
  BOOST_TEST(Contains(r.out, "2 routes"));
  BOOST_TEST(Contains(r.out, "route contoso2: github simonjaeger/contoso2"));
  BOOST_TEST(Contains(r.out, "route lab: no provider"));
  BOOST_TEST(Contains(r.out, "statuses.db"));
}

BOOST_FIXTURE_TEST_CASE(names_key_and_line_when_key_is_unknown, CliFixture) {
  WriteConfig(
      "routes:\n"
      "  - name: contoso2\n"
      "    provider: github\n"
      "    adress: https://github.com/simonjaeger/contoso2\n");
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "fluxstatus.yaml:4: unknown key 'adress' in routes[0]"));
}

BOOST_FIXTURE_TEST_CASE(names_key_and_line_when_top_level_key_is_unknown, CliFixture) {
  WriteConfig("listen: \"127.0.0.1:9595\"\ndatabse: x.db\n");
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "fluxstatus.yaml:2: unknown key 'databse'"));
}

BOOST_FIXTURE_TEST_CASE(names_provider_when_provider_is_unknown, CliFixture) {
  WriteConfig(
      "routes:\n"
      "  - name: contoso2\n"
      "    provider: githab\n"
      "    address: https://github.com/simonjaeger/contoso2\n");
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "fluxstatus.yaml:3:"));
  BOOST_TEST(Contains(r.err, "unknown provider 'githab'"));
  BOOST_TEST(Contains(r.err, "github"));  // lists the valid ones
}

BOOST_FIXTURE_TEST_CASE(names_route_when_address_is_invalid, CliFixture) {
  WriteConfig(
      "routes:\n"
      "  - name: lab\n"
      "  - name: contoso2\n"
      "    provider: github\n"
      "    address: \"not a url\"\n");
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "fluxstatus.yaml:5:"));
  BOOST_TEST(Contains(r.err, "route 'contoso2'"));
  BOOST_TEST(Contains(r.err, "not a url"));
}

BOOST_FIXTURE_TEST_CASE(every_verb_refuses_when_config_is_invalid, CliFixture) {
  WriteConfig("routes:\n  - name: contoso2\n    adress: x\n");
  for (const std::string verb : {"status", "ingest", "sql", "rebuild", "migrate"}) {
    BOOST_TEST_CONTEXT(verb) {
      std::vector<std::string> args{verb};
      if (verb == "ingest" || verb == "sql") args.push_back("-");
      const auto r = Run(args);
      BOOST_TEST(r.exit_code == 2);
      BOOST_TEST(Contains(r.err, "unknown key 'adress'"));
    }
  }
  BOOST_TEST(!std::filesystem::exists(db_path));
}

BOOST_FIXTURE_TEST_CASE(fails_when_named_config_file_is_missing, CliFixture) {
  const auto r = Run({"--config", "missing.yaml", "check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "missing.yaml"));
}

BOOST_FIXTURE_TEST_CASE(uses_embedded_defaults_when_no_config_file_exists, CliFixture) {
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "embedded defaults"));
  BOOST_TEST(Contains(r.out, "127.0.0.1:9595"));
  BOOST_TEST(Contains(r.out, "0 routes"));
}

BOOST_FIXTURE_TEST_CASE(prints_the_version_when_asked, CliFixture) {
  const auto r = Run({"version"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.rfind(std::string("fluxstatus ") + FLUXSTATUS_VERSION, 0) == 0);
  BOOST_TEST(Contains(r.out, "schema version"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(SqliteShell)

BOOST_FIXTURE_TEST_CASE(stock_sqlite3_reads_the_views, CliFixture) {
  // scripts/install-deps.sh installs the sqlite3 shell: missing, the check fails, never skips.
  BOOST_TEST_REQUIRE(fluxstatus::testing::OnPath("sqlite3"), "sqlite3 CLI not found on PATH (run `make deps`)");
  IngestSamples(AllSampleEvents());
  const auto r = fluxstatus::testing::RunProcess(
      dir.path(), {"sqlite3", "fluxstatus.db", "select context, state from current_status order by context"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "gitrepository/contoso2|success"));
  BOOST_TEST(Contains(r.out, "kustomization/contoso2|failure"));
  const auto star =
      fluxstatus::testing::RunProcess(dir.path(), {"sqlite3", "fluxstatus.db", "select * from current_status"});
  BOOST_TEST(star.exit_code == 0);
  BOOST_TEST(Contains(star.out, "kustomization/café-app"));
  const auto events =
      fluxstatus::testing::RunProcess(dir.path(), {"sqlite3", "fluxstatus.db", "select count(*) from events"});
  BOOST_TEST(events.out == "12\n");
}

BOOST_AUTO_TEST_SUITE_END()
