// The real `fluxstatus serve` binary's log and start-up errors: compact JSON lines, the shutdown
// line's transaction count, the 404 line for a mistyped Provider address, and a missing HMAC
// key file named with its route and setting.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "tests/service/service_support.h"
#include "tests/support/temp_dir.h"

namespace st = fluxstatus::service_testing;
using st::Client;

namespace {

std::vector<std::string> LinesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string LineWith(const std::string& text, const std::string& part) {
  for (const auto& line : LinesOf(text)) {
    if (line.find(part) != std::string::npos) return line;
  }
  return "<no line with " + part + ">";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(binary_log)

BOOST_AUTO_TEST_CASE(logs_compact_json_lines_and_counts_transactions_at_shutdown) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), "routes:\n  - name: github\n  - name: contoso2\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(std::chrono::seconds(20)), proc.Output());
  Client client;
  st::EventSpec e;
  e.revision = "main@sha1:" + st::Sha(31);
  BOOST_TEST(client.Post(proc.Url("/hook/github"), st::EventJson(e)).status == 202);
  // A typo in the Provider's address: answered 404 and logged, naming what was asked for.
  BOOST_TEST(client.Post(proc.Url("/hook/githbu"), st::EventJson(e)).status == 404);
  proc.Signal(SIGTERM);
  const auto status = proc.WaitExit(std::chrono::seconds(10));
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST((WIFEXITED(*status) && WEXITSTATUS(*status) == 0));

  const std::string output = proc.Output();
  const auto lines = LinesOf(output);
  BOOST_TEST_REQUIRE(lines.size() >= 4u, output);
  for (const auto& line : lines) {
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    BOOST_TEST((!doc.HasParseError() && doc.IsObject()), line);
    BOOST_TEST(line.rfind(R"({"time":")", 0) == 0u, line);
    BOOST_TEST(line.find("\": ") == std::string::npos, line);
    BOOST_TEST(line.find(", \"") == std::string::npos, line);
  }
  const std::string rejected = LineWith(output, R"("msg":"request rejected")");
  BOOST_TEST(
      rejected.find(R"("status":404,"method":"POST","path":"/hook/githbu","route":"githbu","remote":"127.0.0.1:)") !=
          std::string::npos,
      rejected);
  BOOST_TEST(rejected.find(R"("error":"unknown route 'githbu'; the configured routes are: contoso2, github"})") !=
                 std::string::npos,
             rejected);
  const std::string stopped = LineWith(output, R"("msg":"stopped")");
  BOOST_TEST(stopped.find(R"("events_accepted":1,"transactions":)") != std::string::npos, stopped);
  BOOST_TEST(stopped.find("commits") == std::string::npos, stopped);
}

BOOST_AUTO_TEST_CASE(refuses_to_start_naming_route_and_hmac_key_file_when_the_key_file_is_missing) {
  fluxstatus::testing::TempDir dir;
  const std::string missing = dir.File("no-such-dir/hmac-key");
  st::ServiceProcess proc(dir.path(),
                          "routes:\n  - name: github\n  - name: signed\n    hmac_key_file: " + missing + "\n");
  const auto status = proc.WaitExit(std::chrono::seconds(20));
  BOOST_TEST_REQUIRE(status.has_value(), "still running");
  BOOST_TEST((WIFEXITED(*status) && WEXITSTATUS(*status) == 2), proc.Output());
  const std::string output = proc.Output();
  BOOST_TEST(output.find("route 'signed': hmac_key_file " + missing + " cannot be read: No such file or directory") !=
                 std::string::npos,
             output);
}

// A body past what the server reads at all (twice max_body_bytes, at least 4 MiB) is refused
// before it is read; the answer still names the setting a user can raise.
BOOST_AUTO_TEST_CASE(a_body_past_the_read_limit_is_answered_413_naming_max_body_bytes) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), "max_body_bytes: 1024\nroutes:\n  - name: app\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(std::chrono::seconds(20)), proc.Output());
  st::Client client;
  const auto answer = client.Post(proc.Url("/hook/app"), std::string(5u << 20, ' '));
  BOOST_TEST(answer.status == 413);
  const std::string error = st::ErrorOf(answer.body).value_or(answer.body);
  BOOST_TEST(error.find("raise max_body_bytes in") != std::string::npos, error);
  BOOST_TEST(error.find("(1024)") != std::string::npos, error);
}

BOOST_AUTO_TEST_SUITE_END()
