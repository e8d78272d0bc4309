// `fluxstatus ingest`: files, arrays, JSON Lines, stdin; counts; rejections with file:line.
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <tuple>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;
namespace utf = boost::unit_test;

namespace {

// A valid compact event (wire form) for `name` at `timestamp`.
std::string Event(const std::string& name, const std::string& timestamp = "2026-11-24T09:17:31Z",
                  const std::string& sha = "69fdd6276a37f5e42af7f0405a21703b605543d0") {
  return WireEvent(name, "info", "ReconciliationSucceeded", timestamp, "Reconciliation finished", sha);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(IngestCommand)

BOOST_FIXTURE_TEST_CASE(prints_counts_and_exits_zero_when_all_samples_are_ingested, CliFixture) {
  std::vector<std::string> args{"ingest"};
  for (const auto& p : SampleFiles("events")) args.push_back(p.string());
  BOOST_TEST_REQUIRE(args.size() == 13u);

  const auto first = Run(args);
  BOOST_TEST_INFO(Show(first));
  BOOST_TEST(first.exit_code == 0);
  BOOST_TEST(first.out == "accepted 12, duplicate 0, rejected 0\n");
  BOOST_TEST(first.err == "");

  const auto again = Run(args);
  BOOST_TEST_INFO(Show(again));
  BOOST_TEST(again.exit_code == 0);
  BOOST_TEST(again.out == "accepted 0, duplicate 12, rejected 0\n");
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == 12);
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events WHERE origin = 'import'") == 12);
}

BOOST_FIXTURE_TEST_CASE(status_has_one_row_per_commit_and_context_when_samples_are_ingested, CliFixture) {
  IngestSamples(AllSampleEvents());
  auto db = Db();
  const auto rows = QueryRows(
      *db,
      "SELECT commit_sha, context, state, description, sync_state FROM current_status ORDER BY commit_sha, context");
  std::set<std::tuple<std::string, std::string, std::string>> keys;
  for (const auto& r : rows) keys.emplace(r[0], r[1], r[2]);
  const std::set<std::tuple<std::string, std::string, std::string>> expected = {
      {kSha2f5e, "gitrepository/contoso2", "success"}, {kSha2f5e, "kustomization/apps", "success"},
      {kSha2f5e, "kustomization/café-app", "failure"}, {kSha2f5e, "kustomization/contoso2", "success"},
      {kSha8c1d, "kustomization/contoso2", "failure"}, {kSha8c1d, "kustomization/infra", "success"},
      {kSha8c1d, "kustomization/oci-apps", "success"},
  };
  BOOST_TEST(rows.size() == expected.size());  // one row per (commit, context)
  BOOST_TEST((keys == expected));
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r[0] << " " << r[1]) {
      BOOST_TEST(r[4] == "skipped");  // embedded defaults: no provider
      if (r[1] == "kustomization/contoso2" && r[0] == kSha2f5e) BOOST_TEST(r[3] == "reconciliation succeeded");
      if (r[1] == "kustomization/contoso2" && r[0] == kSha8c1d) {
        // 11 (10:11, dry-run failed) is the newest event for this key.
        BOOST_TEST(r[3].rfind("reconciliation failed: Deployment/default/web dry-run failed", 0) == 0);
      }
    }
  }
  // Neither the chart version (08) nor the event without metadata (09) names a commit.
  BOOST_TEST(QueryInt(*db, "SELECT count(*) FROM events WHERE commit_sha IS NULL") == 2);
}

BOOST_FIXTURE_TEST_CASE(status_keeps_health_check_failure_when_older_success_arrives_later, CliFixture) {
  IngestSamples({"01-gitrepository-new-artifact.json", "02-kustomization-progressing.json",
                 "03-kustomization-succeeded.json", "04-kustomization-healthcheck-failed.json"});
  IngestSamples({"12-out-of-order-older-success.json"});
  const auto r = Run({"status", "--commit", kSha8c1d, "--json"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  const auto doc = ParseJson(r.out);
  BOOST_TEST_REQUIRE(doc.IsObject());
  BOOST_TEST_REQUIRE(doc.HasMember("statuses"));
  const auto& statuses = doc["statuses"];
  BOOST_TEST_REQUIRE(statuses.IsArray());
  BOOST_TEST_REQUIRE(statuses.Size() == 1u);
  const auto& s = statuses[0];
  BOOST_TEST(std::string(s["context"].GetString()) == "kustomization/contoso2");
  BOOST_TEST(std::string(s["state"].GetString()) == "failure");
  const std::string description = s["description"].GetString();
  BOOST_TEST(description.rfind("health check failed: timeout waiting for: ", 0) == 0);
  BOOST_TEST(std::string(s["event_time"].GetString()) == "2026-11-24T10:02:14.000Z");
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == 5);  // 12 was logged all the same
}

BOOST_FIXTURE_TEST_CASE(logs_the_body_byte_for_byte_when_a_wire_sample_is_ingested, CliFixture) {
  const auto file = SampleFile("wire", "10-direct-helmrelease-install-failed-unicode.json");
  const auto r = Run({"ingest", file.string()});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(QueryText(*Db(), "SELECT body FROM events") == ReadFile(file));
}

BOOST_FIXTURE_TEST_CASE(accepts_every_document_when_file_is_a_json_array, CliFixture) {
  const auto file =
      Write("events.json", "[\n  " + Event("apps") + ",\n  " + Event("infra") + ",\n  " + Event("web") + "\n]\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "accepted 3, duplicate 0, rejected 0\n");
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM current_status") == 3);
  // Each array element is logged as its own exact bytes.
  BOOST_TEST(QueryText(*Db(), "SELECT body FROM events WHERE name = 'infra'") == Event("infra"));
}

BOOST_FIXTURE_TEST_CASE(accepts_valid_lines_and_reports_each_bad_line_when_file_is_json_lines, CliFixture) {
  const std::string missing_object =
      "{\"severity\":\"info\",\"timestamp\":\"2026-11-24T09:17:31Z\",\"message\":\"m\",\"reason\":\"R\"}";
  const std::string bad_time = Event("web", "yesterday");
  const auto file =
      Write("events.jsonl", Event("apps") + "\n" + missing_object + "\n" + Event("infra") + "\n" + bad_time + "\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 2\n");
  BOOST_TEST(Contains(r.err, "events.jsonl:2: "));
  BOOST_TEST(Contains(r.err, "involvedObject"));
  BOOST_TEST(Contains(r.err, "events.jsonl:4: "));
  BOOST_TEST(Contains(r.err, "timestamp"));
  BOOST_TEST(!Contains(r.err, "events.jsonl:1:"));
  BOOST_TEST(!Contains(r.err, "events.jsonl:3:"));
  const auto names = QueryRows(*Db(), "SELECT name FROM events ORDER BY id");
  BOOST_TEST_REQUIRE(names.size() == 2u);
  BOOST_TEST(names[0][0] == "apps");
  BOOST_TEST(names[1][0] == "infra");
}

BOOST_FIXTURE_TEST_CASE(reports_line_and_keeps_earlier_documents_when_json_is_broken, CliFixture) {
  const auto file = Write("broken.jsonl", Event("apps") + "\n" + Event("infra") + "\n{\"involvedObject\": {\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 1\n");
  BOOST_TEST(Contains(r.err, "broken.jsonl:"));
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == 2);
}

BOOST_FIXTURE_TEST_CASE(reads_stdin_when_file_is_dash, CliFixture) {
  const auto r = Run({"ingest", "-"}, Event("apps") + "\n" + Event("infra") + "\n");
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 0\n");
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == 2);
}

BOOST_FIXTURE_TEST_CASE(names_stdin_when_a_line_from_stdin_is_rejected, CliFixture) {
  const auto r = Run({"ingest", "-"}, Event("apps") + "\n{\"severity\":\"info\"}\n");
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "<stdin>:2: "));
}

BOOST_FIXTURE_TEST_CASE(accepts_every_document_when_file_is_pretty_printed_multi_document, CliFixture) {
  std::string text;
  for (const auto* n :
       {"01-gitrepository-new-artifact.json", "02-kustomization-progressing.json", "03-kustomization-succeeded.json"}) {
    text += ReadFile(SampleFile("events", n));  // multi-line documents, one after the other
  }
  const auto file = Write("pretty.json", text);
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "accepted 3, duplicate 0, rejected 0\n");
  BOOST_TEST(QueryText(*Db(), "SELECT state FROM current_status WHERE context = 'kustomization/contoso2'") ==
             "success");
}

BOOST_FIXTURE_TEST_CASE(reports_unreadable_file_when_file_does_not_exist, CliFixture) {
  const auto r = Run({"ingest", "no-such-file.json"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "no-such-file.json"));
}

BOOST_FIXTURE_TEST_CASE(refuses_with_message_when_route_is_not_configured, CliFixture) {
  WriteConfig("routes:\n  - name: contoso2\n  - name: fabrikam\n");
  const auto file = Write("e.json", Event("apps"));
  const auto r = Run({"ingest", "--route", "nope", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "'nope'"));
  BOOST_TEST(Contains(r.err, "not configured"));
  BOOST_TEST(!Contains(r.out, "accepted"));
  BOOST_TEST(!std::filesystem::exists(db_path));  // nothing written anywhere
}

BOOST_FIXTURE_TEST_CASE(asks_for_a_route_when_several_are_configured, CliFixture) {
  WriteConfig("routes:\n  - name: contoso2\n  - name: fabrikam\n");
  const auto file = Write("e.json", Event("apps"));
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "--route"));
}

BOOST_FIXTURE_TEST_CASE(files_events_under_the_route_when_route_is_given, CliFixture) {
  WriteConfig("routes:\n  - name: contoso2\n  - name: fabrikam\n");
  const auto r = Run({"ingest", "--route", "fabrikam", Write("e.json", Event("apps"))});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(QueryText(*Db(), "SELECT route FROM events") == "fabrikam");
  BOOST_TEST(QueryText(*Db(), "SELECT route FROM current_status") == "fabrikam");
}

BOOST_AUTO_TEST_SUITE_END()
