// A route towards an HTTPS Git host with a private CA, through the real `fluxstatus serve`:
// without ca_file the status stays undelivered with a last_error naming the fix and its
// attempts recorded; with ca_file (and, for an mTLS host, the route's client certificate) the
// status reaches the host.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <curl/curl.h>
#include <boost/test/unit_test.hpp>

#include "tests/support/fake_git_host.h"
#include "tests/support/fake_git_host_tls.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/serve_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::HostKind;
using fluxstatus::testing::TempDir;
using fluxstatus::testing::TestPki;
using fluxstatus::testing::TlsFrontDoor;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSha = "89abcdef0123456789abcdef0123456789abcdef";

// POSTs `body` as JSON; the HTTP status, or 0 without an answer.
long Post(const std::string& url, const std::string& body) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return status;
}

// Polls every 50 ms for up to 20 s.
bool WaitUntil(const std::function<bool()>& done) { return fluxstatus::testing::WaitUntil(done, 20s, 50ms); }

// `fluxstatus serve` with one GitHub route towards `address`, plus `tls_yaml` route keys.
class Service {
 public:
  Service(const TempDir& dir, const std::string& address, const std::string& tls_yaml)
      : db_(dir.File("fluxstatus.db")), serve_(Command(dir, db_)) {
    std::ofstream(dir.File("token")) << "t0ken\n";
    std::ofstream(dir.File("fluxstatus.yaml"))
        << "routes:\n  - name: web\n    provider: github\n    address: " << address
        << "\n    token_file: " << dir.File("token") << "\n"
        << tls_yaml << "dispatch:\n  workers: 1\n  max_attempts: 3\n  initial_backoff: 50ms\n  max_backoff: 100ms\n";
    serve_.Spawn();
  }

  // Posts a succeeded Kustomization event for kSha once the service answers.
  bool PostEvent() const {
    fluxstatus::testing::FluxEventSpec spec;
    spec.api_version.clear();
    spec.timestamp = "2026-11-24T10:00:00Z";
    spec.message = "Applied";
    spec.revision = "main@sha1:" + std::string(kSha);
    const std::string event = fluxstatus::testing::FluxEventJson(spec);
    return WaitUntil([&] { return Post(serve_.Url("/hook/web"), event) == 202; });
  }

  // sync_state, last_error and attempts of the one current_status row ("" before it exists).
  std::string Column(const std::string& column) const {
    SQLite::Database db(db_, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement q(db, "SELECT coalesce(CAST(" + column + " AS TEXT), '') FROM current_status");
    return q.executeStep() ? q.getColumn(0).getString() : "";
  }

 private:
  // serve on a free port (ServeProcess picks it), killed (SIGKILL) when the test ends.
  static fluxstatus::testing::ServeCommand Command(const TempDir& dir, const std::string& db) {
    fluxstatus::testing::ServeCommand command(dir.path(), dir.File("fluxstatus.yaml"), db);
    command.keep_output = false;
    return command;
  }

  std::string db_;
  fluxstatus::testing::ServeProcess serve_;
};

std::string HttpsAddress(const FakeGitHost& host, const TlsFrontDoor& front) {
  const std::string plain = host.Address(HostKind::kGitHub, "o/r");  // http://127.0.0.1:<port>/o/r
  return front.BaseUrl() + plain.substr(plain.find('/', std::string("http://").size()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_route)

BOOST_AUTO_TEST_CASE(records_a_last_error_naming_ca_file_when_the_hosts_ca_is_not_trusted) {
  TempDir dir;
  TestPki pki(dir.path());
  FakeGitHost host;
  TlsFrontDoor front(host.port(), pki.server_cert, pki.server_key);
  Service service(dir, HttpsAddress(host, front), "");
  BOOST_REQUIRE(service.PostEvent());
  BOOST_REQUIRE(WaitUntil([&] { return !service.Column("last_error").empty(); }));
  const std::string error = service.Column("last_error");
  BOOST_TEST(error.find("TLS: certificate of 127.0.0.1:" + std::to_string(front.port()) + " is not trusted") !=
                 std::string::npos,
             error);
  BOOST_TEST(error.find("set the route's ca_file") != std::string::npos, error);
  BOOST_TEST(service.Column("sync_state") != "synced");
  BOOST_TEST(std::stoi(service.Column("attempts")) >= 1);
  BOOST_TEST(host.Requests().empty());
}

BOOST_AUTO_TEST_CASE(delivers_to_an_mtls_host_with_ca_file_and_the_routes_client_certificate) {
  TempDir dir;
  TestPki pki(dir.path());
  FakeGitHost host;
  TlsFrontDoor front(host.port(), pki.server_cert, pki.server_key, pki.client_ca_cert);
  Service service(dir, HttpsAddress(host, front),
                  "    ca_file: " + pki.ca_cert + "\n    client_cert_file: " + pki.client_cert +
                      "\n    client_key_file: " + pki.client_key + "\n");
  BOOST_REQUIRE(service.PostEvent());
  BOOST_REQUIRE(WaitUntil([&] { return service.Column("sync_state") == "synced"; }));
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 1u);
  BOOST_TEST(front.failed_handshakes() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
