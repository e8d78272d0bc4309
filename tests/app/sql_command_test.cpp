// `fluxstatus sql`: read-only queries over the contract's views, as a table, CSV or JSON.
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(SqlCommand)

BOOST_FIXTURE_TEST_CASE(prints_the_count_when_counting_events, CliFixture) {
  IngestSamples(AllSampleEvents());
  const auto r = Run({"sql", "select count(*) from events"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "count(*)"));
  BOOST_TEST(Contains(r.out, "12"));
  const auto csv = Run({"sql", "--csv", "select count(*) as n from events"});
  BOOST_TEST(csv.out == "n\r\n12\r\n");
}

BOOST_FIXTURE_TEST_CASE(quotes_csv_fields_when_they_hold_commas_quotes_or_newlines, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto r = Run({"sql", "--csv",
                      "select 'a,b' as \"x,y\", 'say \"hi\"' as q, 'two' || char(10) || 'lines' as nl,"
                      " 'plain' as p, 42 as i, NULL as n"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out ==
             "\"x,y\",q,nl,p,i,n\r\n"
             "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain,42,\r\n");
}

BOOST_FIXTURE_TEST_CASE(prints_parseable_json_with_column_names_when_json_is_requested, CliFixture) {
  IngestSamples(AllSampleEvents());
  const auto r = Run({"sql", "--json", "select id, name, commit_sha, body from events order by id"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  const auto doc = ParseJson(r.out);
  BOOST_TEST_REQUIRE(doc["rows"].IsArray());
  BOOST_TEST_REQUIRE(doc["rows"].Size() == 12u);
  int nulls = 0;
  for (const auto& row : doc["rows"].GetArray()) {
    BOOST_TEST(row["id"].IsInt64());
    BOOST_TEST(row["name"].IsString());
    BOOST_TEST(row["body"].IsString());
    if (row["commit_sha"].IsNull()) ++nulls;
  }
  BOOST_TEST(nulls == 2);
  // The logged body is itself the JSON that was received.
  rapidjson::Document body;
  body.Parse(doc["rows"][0]["body"].GetString());
  BOOST_TEST(!body.HasParseError());
  BOOST_TEST(std::string(body["involvedObject"]["kind"].GetString()) == "GitRepository");
}

BOOST_FIXTURE_TEST_CASE(refuses_a_second_statement_instead_of_dropping_it, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto two = Run({"sql", "select 1; select 2"});
  BOOST_TEST_INFO(Show(two));
  BOOST_TEST(two.exit_code == 1);
  BOOST_TEST(Contains(two.err, "only one SQL statement"));
  const auto one = Run({"sql", "--csv", "select 7 as n; -- trailing comment"});
  BOOST_TEST_INFO(Show(one));
  BOOST_TEST(one.exit_code == 0);
  BOOST_TEST(one.out == "n\r\n7\r\n");
}

BOOST_FIXTURE_TEST_CASE(fails_with_message_when_statement_writes, CliFixture) {
  IngestSamples(AllSampleEvents());
  for (const std::string sql :
       {"delete from commit_statuses", "update commit_statuses set state = 'success'", "drop view current_status",
        "insert into rejected_events (received_at, route, reason, body)"
        " values ('t', 'r', 'x', x'00')"}) {
    BOOST_TEST_CONTEXT(sql) {
      const auto r = Run({"sql", sql});
      BOOST_TEST_INFO(Show(r));
      BOOST_TEST(r.exit_code == 1);
      BOOST_TEST(Contains(r.err, "opened read-only and this statement would change it"));
      BOOST_TEST(r.out == "");
    }
  }
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM current_status") == 7);
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM current_status WHERE state = 'failure'") == 2);
}

BOOST_FIXTURE_TEST_CASE(creates_no_file_when_statement_would_write_elsewhere, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  // VACUUM INTO writes a copy: SQLite would create the file before failing on a read-only
  // connection, so the statement must be refused before it runs.
  const std::string copy = dir.File("copy.db");
  const auto r = Run({"sql", "vacuum into '" + copy + "'"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "read-only"));
  BOOST_TEST(!std::filesystem::exists(copy));
}

BOOST_FIXTURE_TEST_CASE(refuses_json_and_csv_together, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto r = Run({"sql", "--json", "--csv", "select 1"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "choose one of --json and --csv"));
  BOOST_TEST(r.out == "");
}

BOOST_FIXTURE_TEST_CASE(keeps_sqlite_types_in_json, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto r = Run(
      {"sql", "--json", "select 42 as i, 2.5 as r, NULL as n, 'caf\xc3\xa9 \"q\"' as t, x'00ff' as b, '17' as digits"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  const auto doc = ParseJson(r.out);
  BOOST_TEST_REQUIRE(doc["rows"].Size() == 1u);
  const auto& row = doc["rows"][0];
  BOOST_TEST(row["i"].IsInt64());
  BOOST_TEST(row["i"].GetInt64() == 42);
  BOOST_TEST(row["r"].IsDouble());
  BOOST_TEST(row["r"].GetDouble() == 2.5);
  BOOST_TEST(row["n"].IsNull());
  BOOST_TEST(std::string(row["t"].GetString()) == "caf\xc3\xa9 \"q\"");
  BOOST_TEST(std::string(row["b"].GetString()) == "AP8=");  // blobs travel as base64
  BOOST_TEST(row["digits"].IsString());                     // text stays text
  const auto empty = Run({"sql", "--json", "select 1 as x where 0"});
  BOOST_TEST(ParseJson(empty.out)["rows"].Size() == 0u);
}

BOOST_FIXTURE_TEST_CASE(aligns_columns_by_display_width_when_cells_hold_wide_characters, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  // "日本語" takes six terminal columns, "e" + a combining acute accent one, "ü" one.
  const auto r = Run({"sql",
                      "select '\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e' as a, 'x' as b union all "
                      "select 'abcdef', 'y' union all select 'e' || char(769), 'z' union all "
                      "select '\xc3\xbc', NULL"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.out ==
             "a       b\n"
             "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e  x\n"
             "abcdef  y\n"
             "e\xcc\x81       z\n"
             "\xc3\xbc       NULL\n");
}

BOOST_FIXTURE_TEST_CASE(prints_one_line_per_row_without_control_characters, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto r = Run({"sql", "select 'two' || char(10) || 'lines' as m, 'esc' || char(27) || '[31mred' as e"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.out ==
             "m          e\n"
             "two lines  esc [31mred\n");
}

BOOST_FIXTURE_TEST_CASE(fails_with_message_when_sql_is_invalid, CliFixture) {
  BOOST_TEST_REQUIRE(Run({"migrate"}).exit_code == 0);
  const auto r = Run({"sql", "selec * from events"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "syntax error"));
  BOOST_TEST(r.out == "");
  const auto missing = Run({"sql", "select * from no_such_view"});
  BOOST_TEST(missing.exit_code == 1);
  BOOST_TEST(Contains(missing.err, "no_such_view"));
}

BOOST_FIXTURE_TEST_CASE(fails_with_message_when_database_does_not_exist, CliFixture) {
  const auto r = Run({"sql", "select 1"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "fluxstatus.db"));
  BOOST_TEST(!std::filesystem::exists(db_path));
}

BOOST_AUTO_TEST_SUITE_END()
