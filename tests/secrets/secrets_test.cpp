// Secrets never reach logs, the database or error messages (developers' guide; issue 8 item 4).
// One run of the real binary goes through every path that logs or stores, with --log-level
// debug, against fake Git hosts that check the credentials (so the secrets are really in use);
// then every byte it printed and every column of every table is searched for each secret.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "tests/service/service_support.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace fluxstatus::secrets_testing {
namespace {

namespace fs = std::filesystem;
using service_testing::Answer;
using service_testing::Client;
using service_testing::EventJson;
using service_testing::EventSpec;
using service_testing::ServiceProcess;
using service_testing::Sha;
using service_testing::Signature;
using testing::FakeGitHost;
using testing::HostKind;
using testing::QueryInt;

// Distinctive values: any of them found anywhere is a leak, never a coincidence.
const std::string kGitHubToken = "ghp_LEAKCHECKgithubTokenFromFile7f3a9c21";
const std::string kGitLabToken = "glpat-LEAKCHECKgitlabTokenFromEnv51d2e8";
const std::string kDownToken = "ghp_LEAKCHECKtokenOfAnUnreachableHost2c4d";
const std::string kHmacKey = "LEAKCHECKhmacKeyMaterial0b6e44aa";
const std::string kBearer = "LEAKCHECKbearerTokenForIngest9a1c77";
const std::string kWrongBearer = "LEAKCHECKwrongBearerPresented3e5f12";
const std::string kWrongHmacKey = "LEAKCHECKwrongHmacKey77d1";
const char* const kGitLabTokenEnv = "FLUXSTATUS_SECRETS_TEST_GITLAB_TOKEN";

const std::vector<std::string>& Secrets() {
  static const std::vector<std::string> secrets = {kGitHubToken, kGitLabToken, kDownToken,
                                                   kHmacKey,     kBearer,      kWrongBearer};
  return secrets;
}

// Writes a secret file readable by its owner only, as a deployment should.
std::string PrivateFile(const fs::path& dir, const std::string& name, const std::string& content) {
  const fs::path path = dir / name;
  testing::WriteFile(path, content);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return path.string();
}

// Where one text came from, for the failure message.
struct Text {
  std::string where;
  std::string bytes;
};

// Every secret, and every "Bearer <secret>"/"token <secret>" form, absent from `text`. Also no
// Authorization or PRIVATE-TOKEN header line at all: none may be logged, whatever it carries.
void ExpectNoSecret(const Text& text) {
  for (const auto& secret : Secrets()) {
    BOOST_TEST(text.bytes.find(secret) == std::string::npos, text.where << " contains the secret " << secret);
  }
  for (const char* header : {"Authorization:", "authorization:", "PRIVATE-TOKEN:", "private-token:"}) {
    BOOST_TEST(text.bytes.find(header) == std::string::npos, text.where << " shows a header " << header);
  }
  BOOST_TEST(text.bytes.find("Bearer LEAKCHECK") == std::string::npos, text.where);
}

// Every column of every row of every table, as bytes (text, blob or number).
std::vector<Text> DatabaseCells(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  std::vector<Text> cells;
  for (const auto& table : testing::QueryRows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")) {
    SQLite::Statement q(db, "SELECT * FROM \"" + table[0] + "\"");
    std::int64_t row = 0;
    while (q.executeStep()) {
      for (int i = 0; i < q.getColumnCount(); ++i) {
        cells.push_back({"table " + table[0] + " row " + std::to_string(row) + " column " + q.getColumnName(i),
                         testing::Bytes(q.getColumn(i))});
      }
      ++row;
    }
  }
  return cells;
}

// Polls every 50 ms for up to 30 s.
bool WaitFor(const std::function<bool()>& done) {
  return testing::WaitUntil(done, std::chrono::seconds(30), std::chrono::milliseconds(50));
}

std::string Event(const std::string& sha, const std::string& name) {
  EventSpec spec;
  spec.name = name;
  spec.revision = "main@sha1:" + sha;
  return EventJson(spec);
}

// One run of the CLI (stdin from /dev/null), its output kept for the search.
testing::ProcessResult Cli(const fs::path& dir, std::vector<std::string> args, std::vector<Text>& texts,
                           int timeout_s = 0) {
  std::string what;
  for (const auto& a : args) what += " " + a;
  args.insert(args.begin(), FLUXSTATUS_BINARY);
  if (timeout_s > 0) args.insert(args.begin(), {"timeout", std::to_string(timeout_s)});
  testing::ProcessResult r = testing::RunProcess(dir, args);
  texts.push_back({"stdout of" + what, r.out});
  texts.push_back({"stderr of" + what, r.err});
  return r;
}

// Sets an environment variable for this test (and the processes it starts) only.
struct ScopedEnv {
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

// fluxstatus.yaml of the test: GitHub with a token file and an HMAC key, GitLab with its token
// in the environment and a bearer token, and a route to a host that is down.
std::string SecretsConfig(const fs::path& dir, const FakeGitHost& github, const FakeGitHost& gitlab,
                          const FakeGitHost& unreachable) {
  return "routes:\n"
         "  - name: gh\n    provider: github\n    address: " +
         github.Address(HostKind::kGitHub, "acme/app") +
         "\n    token_file: " + PrivateFile(dir, "github.token", kGitHubToken + "\n") +
         "\n    hmac_key_file: " + PrivateFile(dir, "hmac.key", kHmacKey + "\n") +
         "\n  - name: gl\n    provider: gitlab\n    address: " + gitlab.Address(HostKind::kGitLab, "acme/app") +
         "\n    token_env: " + kGitLabTokenEnv +
         "\n    bearer_token_file: " + PrivateFile(dir, "bearer.token", kBearer) +
         "\n  - name: down\n    provider: github\n    address: " + unreachable.Address(HostKind::kGitHub, "acme/app") +
         "\n    token_file: " + PrivateFile(dir, "down.token", kDownToken) +
         "\ndispatch:\n  workers: 2\n  max_attempts: 2\n  initial_backoff: 50ms\n  max_backoff: 100ms\n";
}

// `serve --log-level debug` through every path that logs or stores: ingest accepted and refused
// for each reason, dispatch delivered, refused and unreachable. Its output goes to `texts`.
void ServeThroughEveryPath(const fs::path& dir, const std::string& config, FakeGitHost& github,
                           std::vector<Text>& texts) {
  ServiceProcess serve(dir, config, {"--log-level", "debug"}, "fluxstatus.db");
  BOOST_TEST_REQUIRE(serve.WaitHealthy(std::chrono::seconds(20)), serve.Output());
  Client client;
  const auto hook = [&](const std::string& route, const std::string& body, const std::vector<std::string>& headers) {
    return client.Post(serve.Url("/hook/" + route), body, headers);
  };
  const auto signed_by = [](const std::string& key, const std::string& body) {
    return std::vector<std::string>{"X-Signature: " + Signature(key, body)};
  };

  // Ingest: accepted, refused for each reason, and a malformed body on an authenticated route.
  const std::string delivered = Event(Sha(1), "delivered");
  BOOST_TEST(hook("gh", delivered, signed_by(kHmacKey, delivered)).status == 202);
  BOOST_TEST(hook("gh", delivered, signed_by(kWrongHmacKey, delivered)).status == 401);
  BOOST_TEST(hook("gh", delivered, {}).status == 401);
  BOOST_TEST(hook("gh", delivered, {"X-Signature: sha256=" + kHmacKey}).status == 401);
  const std::string malformed = R"({"involvedObject": {"kind": "Kustomization", )";
  BOOST_TEST(hook("gh", malformed, signed_by(kHmacKey, malformed)).status == 400);
  BOOST_TEST(hook("gl", delivered, {"Authorization: Bearer " + kWrongBearer}).status == 401);
  BOOST_TEST(hook("gl", delivered, {"Authorization: " + kBearer}).status == 401);
  BOOST_TEST(hook("gl", delivered, {"Authorization: Bearer " + kBearer}).status == 202);
  BOOST_TEST(QueryInt(serve.db_path(), "SELECT count(*) FROM rejected_events") >= 1);

  // Dispatch: delivered (above), then refused 401, 403, 500 (twice: attempts exhausted) and
  // a host that refuses connections.
  BOOST_TEST_REQUIRE(WaitFor([&] {
                       return QueryInt(serve.db_path(),
                                       "SELECT count(*) FROM commit_statuses WHERE sync_state = 'synced'") == 2;
                     }),
                     serve.Output());
  const std::vector<std::pair<int, int>> failures = {{401, 1}, {403, 1}, {500, 2}};
  std::int64_t failed = 0;
  for (const auto& [status, times] : failures) {
    github.FailNext(times, status);
    const std::string body = Event(Sha(10 + status), "refused-" + std::to_string(status));
    BOOST_TEST(hook("gh", body, signed_by(kHmacKey, body)).status == 202);
    ++failed;
    BOOST_TEST_REQUIRE(WaitFor([&] {
                         return QueryInt(serve.db_path(),
                                         "SELECT count(*) FROM commit_statuses WHERE sync_state = 'failed'") == failed;
                       }),
                       serve.Output());
  }
  BOOST_TEST(hook("down", Event(Sha(20), "unreachable"), {}).status == 202);
  BOOST_TEST_REQUIRE(WaitFor([&] {
                       return QueryInt(serve.db_path(),
                                       "SELECT count(*) FROM commit_statuses WHERE sync_state = 'failed'") == 4;
                     }),
                     serve.Output());

  serve.Signal(SIGTERM);
  BOOST_TEST(serve.WaitExit(std::chrono::seconds(20)).has_value());
  texts.push_back({"stdout of serve", testing::ReadFile(dir / "serve.out")});
  texts.push_back({"stderr of serve", testing::ReadFile(dir / "serve.err")});
}

// The CLI verbs that read the same config and database, including their error paths.
void RunEveryVerb(const fs::path& dir, std::vector<Text>& texts) {
  const std::string config_path = (dir / "fluxstatus.yaml").string();
  const std::string db = (dir / "fluxstatus.db").string();
  const std::vector<std::string> base = {"--config", config_path, "--db", db};
  const auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), base.begin(), base.end());
    return args;
  };
  BOOST_TEST(Cli(dir, with({"check-config"}), texts).exit_code == 0);
  BOOST_TEST(Cli(dir, with({"status"}), texts).exit_code == 0);
  BOOST_TEST(Cli(dir, with({"status", "--json"}), texts).exit_code == 0);
  BOOST_TEST(Cli(dir, with({"sql", "--json", "SELECT * FROM delivery_attempts"}), texts).exit_code == 0);
  BOOST_TEST(Cli(dir, with({"sql", "SELECT * FROM rejected_events"}), texts).exit_code == 0);
  BOOST_TEST(Cli(dir, with({"sql", "SELECT no_such_column FROM commit_statuses"}), texts).exit_code != 0);
  BOOST_TEST(Cli(dir, with({"replay", "--since", "87600h", "--dry-run"}), texts).exit_code == 0);
  BOOST_TEST(Cli(dir, with({"rebuild", "--check"}), texts).exit_code == 0);
  testing::WriteFile(dir / "broken.yaml", testing::ReadFile(config_path) + "tokken: " + kGitHubToken + "\n");
  BOOST_TEST(Cli(dir, {"--config", (dir / "broken.yaml").string(), "check-config"}, texts).exit_code != 0);
  testing::WriteFile(dir / "unset-env.yaml", testing::ReadFile(config_path));
  {
    ::unsetenv(kGitLabTokenEnv);
    // Through timeout(1): should it start after all, the test fails instead of hanging.
    auto r = Cli(dir,
                 {"--config", (dir / "unset-env.yaml").string(), "--db", db, "serve", "--listen", "127.0.0.1:0",
                  "--log-level", "debug"},
                 texts, /*timeout_s=*/20);
    ::setenv(kGitLabTokenEnv, kGitLabToken.c_str(), 1);
    BOOST_TEST(r.exit_code != 0);  // refused to start: the GitLab route has no token
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Secrets)

BOOST_AUTO_TEST_CASE(no_token_key_or_authorization_value_reaches_any_output_or_column) {
  FakeGitHost github(FakeGitHost::Options{kGitHubToken, "", 1});
  FakeGitHost gitlab(FakeGitHost::Options{kGitLabToken, "", 1});
  FakeGitHost unreachable(FakeGitHost::Options{kDownToken, "", 1});
  unreachable.SetDown(true);
  testing::TempDir tmp;
  const fs::path dir = tmp.path();
  const ScopedEnv gitlab_token(kGitLabTokenEnv, kGitLabToken);
  std::vector<Text> texts;
  ServeThroughEveryPath(dir, SecretsConfig(dir, github, gitlab, unreachable), github, texts);

  // The hosts saw the credentials, so the searches below look for values that were in use.
  const auto carried = [](const FakeGitHost& host, const char* header, const std::string& value) {
    for (const auto& r : host.Requests()) {
      if (const std::string* h = r.Header(header); h != nullptr && h->find(value) != std::string::npos) return true;
    }
    return false;
  };
  BOOST_TEST(carried(github, "authorization", kGitHubToken));
  BOOST_TEST(carried(gitlab, "private-token", kGitLabToken));

  RunEveryVerb(dir, texts);
  BOOST_TEST(texts.front().bytes.find("dispatch") != std::string::npos);  // the log was searched, not empty
  for (const auto& text : texts) ExpectNoSecret(text);
  const std::string db = (dir / "fluxstatus.db").string();
  const auto cells = DatabaseCells(db);
  BOOST_TEST(cells.size() > 50u);
  for (const auto& cell : cells) ExpectNoSecret(cell);
  // Nor in the file's bytes (free pages, the journal), which the columns would not show.
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    if (fs::exists(db + suffix, ec)) ExpectNoSecret({db + suffix, testing::ReadFile(db + suffix)});
  }
}

BOOST_AUTO_TEST_CASE(a_secret_file_others_can_read_is_warned_about_by_name_without_its_content) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path();
  const std::string loose = (dir / "loose.token").string();
  testing::WriteFile(loose, kGitHubToken + "\n");
  fs::permissions(loose,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::replace);
  const std::string tight = PrivateFile(dir, "tight.key", kHmacKey);
  testing::WriteFile(dir / "fluxstatus.yaml",
                     "routes:\n  - name: gh\n    provider: github\n"
                     "    address: https://github.com/acme/app\n    token_file: " +
                         loose + "\n    hmac_key_file: " + tight + "\n");
  std::vector<Text> texts;
  const auto check = Cli(dir, {"--config", (dir / "fluxstatus.yaml").string(), "check-config"}, texts);
  BOOST_TEST(check.exit_code == 0);  // a warning, not an error
  BOOST_TEST(check.err.find("warning: secret file " + loose) != std::string::npos, check.err);
  BOOST_TEST(check.err.find("0644") != std::string::npos, check.err);
  BOOST_TEST(check.err.find(tight) == std::string::npos, check.err);  // only the loose one

  // The service warns at start-up too (it then runs; it is stopped at once).
  {
    ServiceProcess serve(dir, testing::ReadFile(dir / "fluxstatus.yaml"), {}, "fluxstatus.db");
    BOOST_TEST_REQUIRE(serve.WaitHealthy(std::chrono::seconds(20)), serve.Output());
    serve.Signal(SIGTERM);
    BOOST_TEST(serve.WaitExit(std::chrono::seconds(20)).has_value());
    const std::string log = serve.Output();
    BOOST_TEST(log.find("secret file " + loose + " is accessible to group or others") != std::string::npos, log);
    BOOST_TEST(log.find("\"level\":\"warning\"") != std::string::npos, log);
    texts.push_back({"serve", log});
  }
  fs::permissions(loose, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  const auto fixed = Cli(dir, {"--config", (dir / "fluxstatus.yaml").string(), "check-config"}, texts);
  BOOST_TEST(fixed.err.find("warning") == std::string::npos, fixed.err);
  for (const auto& text : texts) ExpectNoSecret(text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::secrets_testing
