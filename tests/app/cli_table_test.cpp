// The CLI as a new user meets it (issue 14), one row per promise: the files and database a
// run starts from, its environment and arguments, and the exit code and words it must give.
// Every row runs the real binary in a fresh directory.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/migrator.h"
#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;
namespace data = boost::unit_test::data;

namespace {

const std::string kShaA = "aaaa0d9a4b3e1f6a7b8c9d0e1f2a3b4c5d6e7f00";
const std::string kShaB = "bbbb0d9a4b3e1f6a7b8c9d0e1f2a3b4c5d6e7f00";
const std::string kShaC = "cccc0d9a4b3e1f6a7b8c9d0e1f2a3b4c5d6e7f00";

std::string Event(const std::string& name, const std::string& reason, const std::string& severity,
                  const std::string& time, const std::string& sha) {
  return WireEvent(name, severity, reason, time, reason + " for " + name, sha) + "\n";
}

// Three statuses, one per commit: A succeeded (no provider: skipped), B is in progress, C failed.
const std::string kEvents = Event("apps", "ReconciliationSucceeded", "info", "2026-11-24T09:00:00Z", kShaA) +
                            Event("infra", "Progressing", "info", "2026-11-24T09:10:00Z", kShaB) +
                            Event("web", "HealthCheckFailed", "error", "2026-11-24T10:00:00Z", kShaC);

using Files = std::vector<std::pair<std::string, std::string>>;
const Files kWithEvents = {{"events.jsonl", kEvents}};
const std::vector<std::vector<std::string>> kIngestEvents = {{"ingest", "events.jsonl"}};
const std::vector<std::vector<std::string>> kMigrate = {{"migrate"}};

const std::string kRouteLab = "routes:\n  - name: lab\n";
const std::string kGitHubRoute = "routes:\n  - name: gh\n    provider: github\n    address: https://github.com/a/b\n";

struct CliCase {
  std::string name;
  Files files;                                   // written first, relative to the run's directory
  std::vector<std::vector<std::string>> before;  // runs that must succeed first
  std::vector<std::string> env;                  // NAME=value
  std::vector<std::string> args;
  int exit_code = 0;
  std::string says;         // in stdout or stderr; "{dir}" stands for the run's absolute directory
  std::string never_says;   // neither in stdout nor in stderr (empty: no check)
  std::string file_exists;  // afterwards (empty: no check)
  std::string file_absent;  // afterwards: e.g. a read-only verb created no database
  std::string raw_sql;      // run on ./fluxstatus.db by plain SQLite before the verbs
  int schema_version = -1;  // build ./fluxstatus.db up to this migration first (-1: no)
};

std::ostream& operator<<(std::ostream& out, const CliCase& c) { return out << c.name; }

// The rows name only the columns they check; the rest keep their defaults (no check).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
// One row a line reads as the table it is.
// clang-format off
std::vector<CliCase> Cases() {
  const std::string missing_db = "{dir}/fluxstatus.db does not exist";
  return {
      // --db / --config before or after the verb, and their environment defaults.
      {"db after the verb", {}, {{"--db", "x.db", "migrate"}}, {}, {"status", "--db", "x.db"}, 0, "no statuses yet"},
      {"config after the verb", {{"conf/fs.yaml", kRouteLab}}, {}, {}, {"check-config", "--config", "conf/fs.yaml"}, 0, "conf/fs.yaml is valid"},
      {"FLUXSTATUS_DB", {}, {{"--db", "x.db", "migrate"}}, {"FLUXSTATUS_DB=x.db"}, {"status"}, 0, "no statuses yet"},
      {"FLUXSTATUS_CONFIG", {{"conf/fs.yaml", kRouteLab}}, {}, {"FLUXSTATUS_CONFIG=conf/fs.yaml"}, {"check-config"}, 0, "conf/fs.yaml is valid"},
      {"--config beats FLUXSTATUS_CONFIG", {{"conf/fs.yaml", kRouteLab}}, {}, {"FLUXSTATUS_CONFIG=nope.yaml"}, {"check-config", "--config", "conf/fs.yaml"}, 0, "route lab"},
      {"FLUXSTATUS_CONFIG naming a missing file", {}, {}, {"FLUXSTATUS_CONFIG=nope.yaml"}, {"status"}, 2, "cannot read config file {dir}/nope.yaml"},
      {"--db beats FLUXSTATUS_DB", {}, {{"--db", "x.db", "migrate"}}, {"FLUXSTATUS_DB=y.db"}, {"status", "--db", "x.db"}, 0, "no statuses yet", "", "", "y.db"},
      // Usage, help, version, typos.
      {"bare call prints the usage", {}, {}, {}, {}, 2, "Usage: fluxstatus [--config FILE] [--db PATH] VERB"},
      {"help", {}, {}, {}, {"help"}, 0, "check-config"},
      {"help VERB", {}, {}, {}, {"help", "status"}, 0, "--wait"},
      {"--version", {}, {}, {}, {"--version"}, 0, std::string("fluxstatus ") + FLUXSTATUS_VERSION},
      {"unknown verb suggests the nearest", {}, {}, {}, {"stauts"}, 2, "unknown command 'stauts'; did you mean 'status'?"},
      {"unknown verb far from any", {}, {}, {}, {"frobnicate"}, 2, "unknown command 'frobnicate'", "did you mean"},
      {"one argument too many", {}, {}, {}, {"status", "extra"}, 2, "unexpected argument 'extra'"},
      {"unknown option", {}, {}, {}, {"status", "--bogus"}, 2, "--bogus"},
      // Relative paths in a config file are relative to its folder; --db to the current one.
      {"config database beside the config", {{"conf/fs.yaml", "database: data.db\n"}}, {}, {}, {"migrate", "--config", "conf/fs.yaml"}, 0, "up to date", "", "conf/data.db", "data.db"},
      {"--db stays relative to the current directory", {{"conf/fs.yaml", "database: data.db\n"}}, {}, {}, {"migrate", "--config", "conf/fs.yaml", "--db", "here.db"}, 0, "up to date", "", "here.db", "conf/data.db"},
      {"hmac key beside the config", {{"conf/fs.yaml", kRouteLab + "    hmac_key_file: keys/hmac\n"}, {"conf/keys/hmac", "k"}}, {}, {}, {"check-config", "--config", "conf/fs.yaml"}, 0, "is valid"},
      {"missing hmac key named absolute", {{"conf/fs.yaml", kRouteLab + "    hmac_key_file: keys/hmac\n"}}, {}, {}, {"check-config", "--config", "conf/fs.yaml"}, 2, "route 'lab': hmac_key_file {dir}/conf/keys/hmac cannot be read"},
      {"missing ca_file named absolute", {{"conf/fs.yaml", kGitHubRoute + "    token_file: t\n    ca_file: ca.pem\n"}, {"conf/t", "x"}}, {}, {}, {"check-config", "--config", "conf/fs.yaml"}, 2, "ca_file {dir}/conf/ca.pem cannot be read"},
      // doctor with nothing to check.
      {"doctor without routes", {}, {}, {}, {"doctor"}, 1, "no routes are configured"},
      // check-config refuses what serve refuses, with the same words.
      {"check-config: listen without host", {{"fluxstatus.yaml", "listen: 9595\n"}}, {}, {}, {"check-config"}, 2, "listen '9595' is not host:port"},
      {"serve: listen without host", {{"fluxstatus.yaml", "listen: 9595\n"}}, {}, {}, {"serve"}, 2, "listen '9595' is not host:port"},
      {"check-config: missing token file", {{"fluxstatus.yaml", kGitHubRoute + "    token_file: nope\n"}}, {}, {}, {"check-config"}, 2, "{dir}/nope"},
      {"check-config: unset token variable", {{"fluxstatus.yaml", kGitHubRoute + "    token_env: FLUXSTATUS_TEST_UNSET\n"}}, {}, {}, {"check-config"}, 2, "FLUXSTATUS_TEST_UNSET' is not set"},
      {"check-config: missing hmac key", {{"fluxstatus.yaml", kRouteLab + "    hmac_key_file: nope\n"}}, {}, {}, {"check-config"}, 2, "hmac_key_file {dir}/nope cannot be read"},
      {"serve: missing hmac key", {{"fluxstatus.yaml", kRouteLab + "    hmac_key_file: nope\n"}}, {}, {}, {"serve"}, 2, "hmac_key_file {dir}/nope cannot be read"},
      {"check-config: backoffs reversed", {{"fluxstatus.yaml", "dispatch:\n  initial_backoff: 20m\n"}}, {}, {}, {"check-config"}, 2, "initial_backoff (20m) is longer than max_backoff (10m)"},
      {"check-config: unterminated quote", {{"fluxstatus.yaml", "listen: \"127.0.0.1:9595\ndatabase: x.db\n"}}, {}, {}, {"check-config"}, 2, "fluxstatus.yaml:1: invalid YAML: the quote \" opened here is never closed"},
      {"check-config: database folder missing", {{"fluxstatus.yaml", "database: nodir/x.db\n"}}, {}, {}, {"check-config"}, 1, "{dir}/nodir of database file"},
      // A GitHub App: exactly one of the installation id and owner, as Flux's github provider takes them.
      {"check-config: GitHub App with installation id and owner", {{"fluxstatus.yaml", kGitHubRoute + "    github_app_id: \"1\"\n    github_private_key_file: app.pem\n" + "    github_installation_id: \"2\"\n    github_app_installation_owner: acme\n"}}, {}, {}, {"check-config"}, 2, "route 'gh': a GitHub App needs github_app_id, github_private_key_file and exactly one of github_installation_id and github_app_installation_owner (both are set)"},
      {"check-config: GitHub App without installation", {{"fluxstatus.yaml", kGitHubRoute + "    github_app_id: \"1\"\n    github_private_key_file: app.pem\n"}}, {}, {}, {"check-config"}, 2, "route 'gh': a GitHub App needs github_app_id, github_private_key_file and exactly one of github_installation_id and github_app_installation_owner"},
      {"check-config: GitHub App owner not an account name", {{"fluxstatus.yaml", kGitHubRoute + "    github_app_id: \"1\"\n    github_private_key_file: app.pem\n" + "    github_app_installation_owner: acme/x\n"}}, {}, {}, {"check-config"}, 2, "fluxstatus.yaml:7: route 'gh': github_app_installation_owner 'acme/x' is not a GitHub organization or user name"},
      {"check-config: GitHub App base URL not a URL", {{"fluxstatus.yaml", kGitHubRoute + "    github_app_id: \"1\"\n    github_private_key_file: app.pem\n" + "    github_app_installation_owner: acme\n    github_app_base_url: ghes.example.com/api/v3\n"}}, {}, {}, {"check-config"}, 2, "route 'gh': github_app_base_url 'ghes.example.com/api/v3' is not an http(s) URL"},
      {"check-config: GitHub App key not RSA", {{"fluxstatus.yaml", kGitHubRoute + "    github_app_id: \"1\"\n    github_private_key_file: app.pem\n" + "    github_app_installation_owner: acme\n"}, {"app.pem", "not a key"}}, {}, {}, {"check-config"}, 2, "route 'gh': GitHub App private key file '{dir}/app.pem' holds no RSA private key"},
      // Read-only verbs never create a database.
      {"status on a missing database", {}, {}, {}, {"status"}, 1, missing_db, "", "", "fluxstatus.db"},
      {"sql on a missing database", {}, {}, {}, {"sql", "select 1"}, 1, missing_db, "", "", "fluxstatus.db"},
      {"rebuild --check on a missing database", {}, {}, {}, {"rebuild", "--check"}, 1, missing_db, "", "", "fluxstatus.db"},
      {"replay --dry-run on a missing database", {}, {}, {}, {"replay", "--since", "1h", "--dry-run"}, 1, missing_db, "", "", "fluxstatus.db"},
      {"prune --dry-run on a missing database", {}, {}, {}, {"prune", "--before", "1d", "--dry-run"}, 1, missing_db, "", "", "fluxstatus.db"},
      {"rebuild --check does not migrate", {}, {}, {}, {"rebuild", "--check"}, 1, "pending migration(s); run `fluxstatus migrate`", "", "", "", "", 1},
      // status: columns, filters, routes, --wait.
      {"status columns", kWithEvents, kIngestEvents, {}, {"status"}, 0, "ATTEMPTS"},
      {"status LAST ERROR column", kWithEvents, kIngestEvents, {}, {"status"}, 0, "LAST ERROR"},
      {"status --state", kWithEvents, kIngestEvents, {}, {"status", "--state", "failure"}, 0, "kustomization/web", "kustomization/apps"},
      {"status --state unknown", {}, {}, {}, {"status", "--state", "done"}, 2, "--state"},
      {"status --limit", kWithEvents, kIngestEvents, {}, {"status", "--limit", "1"}, 0, "kustomization/web", "kustomization/infra"},
      {"status --since", kWithEvents, kIngestEvents, {}, {"status", "--since", "2026-11-24T09:05:00Z"}, 0, "kustomization/infra", "kustomization/apps"},
      {"status --since invalid", {}, {}, {}, {"status", "--since", "yesterday"}, 2, "--since 'yesterday'"},
      {"status --route not configured", {{"fluxstatus.yaml", kRouteLab}}, {}, {}, {"status", "--route", "nosuch"}, 2, "configured routes: lab", "", "", "fluxstatus.db"},
      {"status --route unknown without config", kWithEvents, kIngestEvents, {}, {"status", "--route", "nosuch"}, 2, "with statuses: default"},
      {"status --route on an empty database", {}, kMigrate, {}, {"status", "--route", "lab"}, 0, "no statuses match"},
      {"status --wait done", kWithEvents, kIngestEvents, {}, {"status", "--wait", "--commit", kShaA.substr(0, 8)}, 0, "done: 1 status is success"},
      {"status --wait failure", kWithEvents, kIngestEvents, {}, {"status", "--wait", "--commit", kShaC, "--timeout", "30s"}, 1, "failed: kustomization/web"},
      {"status --wait timeout", kWithEvents, kIngestEvents, {}, {"status", "--wait", "--commit", "bbbb", "--timeout", "1s"}, 2, "timed out after 1s: 1 status: 0 done, 1 waiting"},
      {"status --wait nothing yet", {}, kMigrate, {}, {"status", "--wait", "--timeout", "0s"}, 2, "no matching statuses yet"},
      {"status --wait all failing fast", kWithEvents, kIngestEvents, {}, {"status", "--wait"}, 1, "failed: kustomization/web"},
      // ingest: the route without --route, and a directory.
      {"ingest: the only configured route", {{"fluxstatus.yaml", kRouteLab}, {"events.jsonl", kEvents}}, {}, {}, {"ingest", "events.jsonl"}, 0, "filing the events under route 'lab'"},
      {"ingest: no routes configured", kWithEvents, {}, {}, {"ingest", "events.jsonl"}, 0, "accepted 3", "filing"},
      {"ingest: several routes", {{"fluxstatus.yaml", kRouteLab + "  - name: other\n"}, {"events.jsonl", kEvents}}, {}, {}, {"ingest", "events.jsonl"}, 2, "(lab, other); choose one with --route"},
      {"ingest: a directory", {{"conf/x", ""}}, {}, {}, {"ingest", "conf"}, 1, "conf: is a directory"},
      // sql and foreign or old databases.
      {"sql with an empty query", {}, kMigrate, {}, {"sql", ""}, 1, "the query is empty"},
      {"another program's database", {}, {}, {}, {"status"}, 1, "{dir}/fluxstatus.db is not a fluxstatus database", "migrate", "", "", "CREATE TABLE notes (x)"},
      {"an old schema says migrate", {}, {}, {}, {"sql", "select 1"}, 1, "pending migration(s); run `fluxstatus migrate`", "", "", "", "", 2},
      // Counts in the singular.
      {"one event, one status", {{"one.json", Event("apps", "ReconciliationSucceeded", "info", "2026-11-24T09:00:00Z", kShaA)}}, {{"ingest", "one.json"}}, {}, {"rebuild"}, 0, "rebuilt from 1 event: 1 status, 1 status change"},
  };
}
// clang-format on
#pragma GCC diagnostic pop

std::string Expand(std::string text, const std::string& dir) {
  for (auto at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at + dir.size())) {
    text.replace(at, 5, dir);
  }
  return text;
}

// Runs `fluxstatus args...` in dir with exactly the case's FLUXSTATUS_* variables.
ProcessResult RunIn(const TempDir& dir, const std::vector<std::string>& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"env", "-u", "FLUXSTATUS_CONFIG", "-u", "FLUXSTATUS_DB"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(FLUXSTATUS_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return fluxstatus::testing::RunProcess(dir.path(), argv);
}

void Prepare(const TempDir& dir, const CliCase& c) {
  for (const auto& [name, bytes] : c.files) {
    std::filesystem::create_directories((dir.path() / name).parent_path());
    WriteFile(dir.path() / name, bytes);
  }
  if (!c.raw_sql.empty() || c.schema_version >= 0) {
    SQLite::Database db(dir.File("fluxstatus.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    if (!c.raw_sql.empty()) db.exec(c.raw_sql);
    if (c.schema_version >= 0) fluxstatus::store::Migrator::ApplyUpTo(db, c.schema_version);
  }
  for (const auto& args : c.before) {
    const auto r = RunIn(dir, {}, args);
    BOOST_TEST_INFO("setup run: " << Show(r));
    BOOST_TEST_REQUIRE(r.exit_code == 0);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CliTable)

BOOST_DATA_TEST_CASE(each_row_gives_its_exit_code_and_message, data::make(Cases()), c) {
  TempDir dir;
  Prepare(dir, c);
  const auto r = RunIn(dir, c.env, c.args);
  const std::string all = r.out + r.err;
  const std::string root = dir.path().string();
  BOOST_TEST_INFO(c.name << "\n" << Show(r));
  BOOST_TEST(r.exit_code == c.exit_code);
  BOOST_TEST_INFO(c.name << "\n" << Show(r));
  BOOST_TEST(Contains(all, Expand(c.says, root)), "expected to read: " << Expand(c.says, root));
  if (!c.never_says.empty()) {
    BOOST_TEST_INFO(c.name << "\n" << Show(r));
    BOOST_TEST(!Contains(all, c.never_says), "expected not to read: " << c.never_says);
  }
  if (!c.file_exists.empty()) BOOST_TEST(std::filesystem::exists(dir.path() / c.file_exists), c.file_exists);
  if (!c.file_absent.empty()) BOOST_TEST(!std::filesystem::exists(dir.path() / c.file_absent), c.file_absent);
}

BOOST_AUTO_TEST_SUITE_END()
