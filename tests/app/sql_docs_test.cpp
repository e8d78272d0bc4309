// docs/sql.md kept honest (issue 5, "Audit trail"): every ```sql block in it runs through the
// real `fluxstatus sql` against a database built as a user's is (the sample events ingested,
// dispatched by `serve` to the fake Git host with a rate limit, a refusal and a 502 on the way,
// a rejected request, a route without provider, statuses left pending) and must meet the
// expectation written above it; and every column of every inspection view is documented.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <rapidjson/document.h>

#include "dispatch/http_transport.h"
#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/support/fake_kube_api.h"
#include "tests/support/files.h"
#include "tests/support/sql.h"

namespace fluxstatus::dispatch_e2e {
namespace {

namespace utf = boost::unit_test;

// ---------------------------------------------------------------- the document

std::string DocText() { return testing::ReadFile(FLUXSTATUS_SQL_DOCS); }

// One ```sql block: the heading above it, the expectation comment right before it, the query.
struct DocQuery {
  std::string heading;
  std::string expect;  // the text inside <!-- expect: ... -->, empty when missing
  std::string sql;
};

std::vector<DocQuery> DocQueries() {
  std::vector<DocQuery> out;
  std::istringstream in(DocText());
  std::string line, heading, expect;
  bool in_sql = false;
  DocQuery q;
  static const std::regex kExpect(R"(^<!--\s*expect:\s*(.*?)\s*-->\s*$)");
  while (std::getline(in, line)) {
    if (in_sql) {
      if (line == "```") {
        out.push_back(q);
        in_sql = false;
        expect.clear();
      } else {
        q.sql += line + "\n";
      }
      continue;
    }
    std::smatch m;
    if (line.rfind("#", 0) == 0) {
      heading = line;
      expect.clear();
    } else if (std::regex_match(line, m, kExpect)) {
      expect = m[1];
    } else if (line == "```sql") {
      q = DocQuery{heading, expect, ""};
      in_sql = true;
    } else if (!line.empty()) {
      expect.clear();  // an expectation belongs to the block right below it
    }
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) {
    const auto b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
    parts.push_back(b == std::string::npos ? "" : part.substr(b, e - b + 1));
  }
  return parts;
}

// ---------------------------------------------------------------- checking one result

using Rows = std::vector<std::map<std::string, std::string>>;  // NULL as "NULL"

Rows RowsOf(const rapidjson::Document& doc) {
  Rows rows;
  for (const auto& r : doc["rows"].GetArray()) {
    std::map<std::string, std::string> row;
    for (const auto& m : r.GetObject()) {
      const auto& v = m.value;
      std::string text = "NULL";
      if (v.IsString())
        text = v.GetString();
      else if (v.IsInt64())
        text = std::to_string(v.GetInt64());
      else if (v.IsNumber())
        text = std::to_string(v.GetDouble());
      row[m.name.GetString()] = text;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// `lhs OP rhs` on one row: rhs is a column of the row or a literal; <= and >= compare numbers.
bool Holds(const std::map<std::string, std::string>& row, const std::string& lhs, const std::string& op,
           const std::string& rhs) {
  const auto l = row.find(lhs);
  BOOST_TEST_REQUIRE((l != row.end()), "no column " << lhs);
  const auto r = row.find(rhs);
  const std::string right = r == row.end() ? rhs : r->second;
  if (op == "=") return l->second == right;
  if (op == "!=") return l->second != right;
  if (l->second == "NULL" || right == "NULL") return false;
  const double a = std::stod(l->second), b = std::stod(right);
  return op == "<=" ? a <= b : a >= b;
}

// Checks one `;`-separated expectation clause; an unknown clause fails (a typo must not pass).
void CheckClause(const std::string& clause, const std::vector<std::string>& columns, const Rows& rows) {
  static const std::regex kColumns(R"(columns=(.+))"), kRows(R"(rows(>=|=|<=)(\d+))"),
      kSomeEvery(R"((some|every) (\w+)\s*(!=|<=|>=|=)\s*(.+))"), kNonNull(R"(nonnull (\w+))");
  std::smatch m;
  BOOST_TEST_CONTEXT(clause) {
    if (std::regex_match(clause, m, kColumns)) {
      BOOST_TEST(columns == Split(m[1], ','), boost::test_tools::per_element());
    } else if (std::regex_match(clause, m, kRows)) {
      const std::size_t n = std::stoul(m[2]);
      if (m[1] == ">=")
        BOOST_TEST(rows.size() >= n);
      else if (m[1] == "<=")
        BOOST_TEST(rows.size() <= n);
      else
        BOOST_TEST(rows.size() == n);
    } else if (std::regex_match(clause, m, kSomeEvery)) {
      const auto matching =
          std::count_if(rows.begin(), rows.end(), [&](const auto& row) { return Holds(row, m[2], m[3], m[4]); });
      if (m[1] == "some")
        BOOST_TEST(matching >= 1);
      else
        BOOST_TEST(static_cast<std::size_t>(matching) == rows.size());
    } else if (std::regex_match(clause, m, kNonNull)) {
      for (const auto& row : rows) BOOST_TEST(row.at(m[1]) != "NULL");
    } else {
      BOOST_ERROR("unknown expectation clause");
    }
  }
}

// ---------------------------------------------------------------- the database

std::vector<std::string> SampleArgs(const std::vector<std::string>& names) {
  std::vector<std::string> args;
  for (const auto& n : names) args.push_back(testing::SampleFile("events", n).string());
  return args;
}

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

// POSTs `body` with a bearer token (Serve::Post sends none); the HTTP status, 0 without answer.
long PostWithBearer(const std::string& url, const std::string& token, const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return status;
}

// Built once for the whole module (it takes a few seconds): a service's life in small.
class AuditDatabase {
 public:
  AuditDatabase() {
    FakeGitHost host;
    const auto& d = dir_.path();
    // The cluster `resync` reads: sample 01, a Kustomization that applied a commit no event named.
    testing::FakeKubeApi cluster;
    cluster.SetObjects("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization",
                       testing::KubeListItems(
                           testing::ReadFile(testing::FixturesDir() / "kubernetes" / "01-kustomization-ready.json")));
    cluster.WriteKubeconfig(d / "kubeconfig");
    // gh authenticates its hook, so a request it rejects is kept in rejected_events.
    testing::WriteFile(d / "hook-token", "hook-s3cret\n");
    // gha reports check runs, which only a GitHub App may create: the host mints its token.
    const testing::GitHubAppKeys keys = testing::MakeGitHubAppKeys();
    testing::WriteFile(d / "app.pem", keys.private_pem);
    host.SetGitHubApp("4242", keys.public_pem, "ghs_audit", static_cast<std::int64_t>(std::time(nullptr)) + 3600);
    const std::string config =
        "routes:\n" + RouteYaml(d, host, "gh", HostKind::kGitHub) +
        "    bearer_token_file: " + (d / "hook-token").string() + "\n" + "    report: [status, deployment]\n" +
        RouteYaml(d, host, "gl", HostKind::kGitLab) + "  - name: audit\n    match: [{kind: Kustomization}]\n" +
        "  - name: gha\n    provider: github\n    address: " + host.Address(HostKind::kGitHub, "acme/checks") +
        "\n    github_app_id: \"4242\"\n    github_installation_id: \"1\"\n"
        "    github_private_key_file: " +
        (d / "app.pem").string() + "\n    report: [status, check]\n" + DispatchYaml(1, 3, "50ms", "200ms") +
        "aggregates:\n  - name: fleet\n    route: gh\n    members: [gh, gl]\n"
        "    contexts: [\"kustomization/*\"]\n" +
        "kubernetes:\n  resync_interval: 0\n  kubeconfig: " + (d / "kubeconfig").string() + "\n";
    testing::WriteFile(d / "fluxstatus.yaml", config);
    std::vector<std::string> all;
    for (const auto& p : testing::SampleFiles("events")) all.push_back(p.filename().string());
    Require(RunCli(d, Concat({"ingest", "--route", "gh"}, SampleArgs(all))));
    Require(
        RunCli(d, Concat({"ingest", "--route", "audit"},
                         SampleArgs({"03-kustomization-succeeded.json", "04-kustomization-healthcheck-failed.json"}))));
    Require(RunCli(d, Concat({"ingest", "--route", "gha"}, SampleArgs({"04-kustomization-healthcheck-failed.json"}))));
    // The first calls meet a rate limit, a refusal for good and a bad gateway.
    host.RateLimitNext(1, 1);
    host.FailNext(1, 422, {}, R"({"message":"Validation Failed"})");
    host.FailNext(1, 502);
    {
      Serve serve(d, config);
      BOOST_TEST_REQUIRE(serve.Hook("gl", Progressing(kSha8c1d, 0)).status == 202);
      BOOST_TEST_REQUIRE(serve.Hook("gl", Succeeded(kSha8c1d, 30)).status == 202);
      BOOST_TEST_REQUIRE(
          PostWithBearer(serve.Url("/hook/gh"), "hook-s3cret",
                         R"({"involvedObject":{"kind":"Kustomization"},"note":"a, \"quoted\" value"})") == 400);
      const bool settled = WaitUntil(
          [&] {
            return QueryInt(db_path(), "SELECT count(*) FROM current_status WHERE sync_state = 'pending'") == 0 &&
                   QueryInt(db_path(), "SELECT count(*) FROM deployments WHERE sync_state = 'pending'") == 0 &&
                   QueryInt(db_path(), "SELECT count(*) FROM check_runs WHERE sync_state = 'pending'") == 0 &&
                   QueryInt(db_path(), "SELECT count(*) FROM rejected_events") == 1;
          },
          std::chrono::seconds(30));
      BOOST_TEST_REQUIRE(settled, QueryText(db_path(),
                                            "SELECT group_concat(route || ' ' || context || ' ' || sync_state, '; ')"
                                            " FROM current_status")
                                      << "\nrejected: " << QueryInt(db_path(), "SELECT count(*) FROM rejected_events")
                                      << "\n"
                                      << serve.Output());
      BOOST_TEST_REQUIRE(serve.Stop() == 0);
    }
    // With the service stopped, new events stay pending.
    Require(RunCli(
        d, Concat({"ingest", "--route", "gl"}, SampleArgs({"10-unicode-message.json", "11-long-message.json"}))));
    Require(RunCli(d, Concat({"ingest", "--route", "gha"}, SampleArgs({"03-kustomization-succeeded.json"}))));
    Require(RunCli(d, {"resync"}));  // files sample 01's success on `audit`, the route that matches it
  }

  std::string db_path() const { return (dir_.path() / "fluxstatus.db").string(); }
  const std::filesystem::path& dir() const { return dir_.path(); }

  static const std::string kSha8c1d;

 private:
  static std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  static void Require(const CliRun& r) { BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err); }

  testing::TempDir dir_;
};
const std::string AuditDatabase::kSha8c1d = "8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";

const AuditDatabase& TheDatabase() {
  static const auto db = std::make_unique<AuditDatabase>();
  return *db;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SqlDocs)

BOOST_AUTO_TEST_CASE(every_sql_block_has_a_heading_and_an_expectation) {
  const auto queries = DocQueries();
  BOOST_TEST(queries.size() >= 10u);
  for (const auto& q : queries) {
    BOOST_TEST_CONTEXT(q.sql) {
      BOOST_TEST(q.heading.rfind("### ", 0) == 0u);
      BOOST_TEST(q.expect.find("columns=") != std::string::npos);
      BOOST_TEST(q.expect.find("rows") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_database_holds_what_the_documented_queries_look_at) {
  const std::string db = TheDatabase().db_path();
  // Without these the expectations below would be met by an empty database.
  for (const std::string outcome : {"delivered", "retry", "failed"}) {
    BOOST_TEST(QueryInt(db, "SELECT count(*) FROM delivery_attempts WHERE outcome = '" + outcome + "'") >= 1, outcome);
  }
  for (const std::string state : {"synced", "failed", "pending", "skipped"}) {
    BOOST_TEST(QueryInt(db, "SELECT count(*) FROM current_status WHERE sync_state = '" + state + "'") >= 1, state);
  }
  BOOST_TEST(QueryInt(db, "SELECT count(*) FROM rejected_events") == 1);
  BOOST_TEST(QueryInt(db, "SELECT count(*) FROM events WHERE commit_sha IS NULL") == 2);
}

BOOST_AUTO_TEST_CASE(every_documented_query_runs_and_meets_its_expectation) {
  const auto& db = TheDatabase();
  for (const auto& q : DocQueries()) {
    BOOST_TEST_CONTEXT(q.heading << "\n" << q.sql) {
      const CliRun table = RunCli(db.dir(), {"sql", q.sql});
      BOOST_TEST(table.exit_code == 0, table.err);
      // The CSV header names the columns even when no row comes back.
      const CliRun csv = RunCli(db.dir(), {"sql", "--csv", q.sql});
      BOOST_TEST_REQUIRE(csv.exit_code == 0, csv.err);
      const auto columns = Split(csv.out.substr(0, csv.out.find("\r\n")), ',');
      BOOST_TEST(table.out.rfind(columns.front(), 0) == 0u, table.out);
      const CliRun json = RunCli(db.dir(), {"sql", "--json", q.sql});
      BOOST_TEST_REQUIRE(json.exit_code == 0, json.err);
      rapidjson::Document doc;
      doc.Parse(json.out.c_str());
      BOOST_TEST_REQUIRE(!doc.HasParseError(), json.out);
      const Rows rows = RowsOf(doc);
      BOOST_TEST_INFO("rows: " << json.out.substr(0, 3000));
      BOOST_TEST_REQUIRE(!q.expect.empty());
      for (const auto& clause : Split(q.expect, ';')) {
        if (clause.rfind("index=", 0) == 0) {
          // The plan must read through the index the docs promise (no scan of a growing table).
          const CliRun plan = RunCli(db.dir(), {"sql", "--csv", "EXPLAIN QUERY PLAN " + q.sql});
          BOOST_TEST_REQUIRE(plan.exit_code == 0, plan.err);
          const std::string index = clause.substr(6);
          // "… USING INDEX name (col=?)", or the name last on its line for a scan of a partial index.
          const std::regex uses("USING (COVERING )?INDEX " + index + "( |\r?$)", std::regex::multiline);
          BOOST_TEST(std::regex_search(plan.out, uses), clause << " not in the plan:\n" << plan.out);
        } else {
          CheckClause(clause, columns, rows);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_view_column_is_documented_with_its_type) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml", "{}\n");
  const CliRun migrate = RunCli(dir.path(), {"migrate"});
  BOOST_TEST_REQUIRE(migrate.exit_code == 0, migrate.err);
  SQLite::Database db((dir.path() / "fluxstatus.db").string(), SQLite::OPEN_READONLY);
  std::vector<std::string> relations{"rejected_events", "delivery_attempts"};  // contract tables
  for (const auto& v : testing::QueryRows(db, "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")) {
    relations.push_back(v[0]);
  }
  const std::string doc = DocText();
  for (const auto& rel : relations) {
    BOOST_TEST_CONTEXT(rel) {
      // The relation's section: from "### `rel`" to the next heading.
      const auto start = doc.find("\n### `" + rel + "`\n");
      BOOST_TEST_REQUIRE(start != std::string::npos, "docs/sql.md has no section ### `" << rel << "`");
      const auto end = doc.find("\n#", start + 1);
      const std::string section = doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
      std::vector<std::string> documented;
      static const std::regex kRow(R"(\n\| `(\w+)` \| (\w+) \|)");
      std::map<std::string, std::string> doc_types;
      for (std::sregex_iterator it(section.begin(), section.end(), kRow), last; it != last; ++it) {
        documented.push_back((*it)[1]);
        doc_types[(*it)[1]] = (*it)[2];
      }
      for (const auto& col : testing::QueryRows(db, "SELECT name, type FROM pragma_table_info('" + rel + "')")) {
        BOOST_TEST_CONTEXT(col[0]) {
          BOOST_TEST(doc_types.count(col[0]) == 1u, "column " << col[0] << " of " << rel << " is not documented");
          if (doc_types.count(col[0])) BOOST_TEST(doc_types[col[0]] == col[1]);
        }
      }
      // And nothing documented that the view lacks, in the view's order.
      BOOST_TEST(documented == testing::ColumnsOf(db, rel), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
