// Slow clients: a head or a body trickled byte by byte is cut off at header_timeout or
// body_timeout however steadily bytes keep arriving, and its connection slot serves the next
// client; the built binary applies the `http:` limits of its configuration.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/hostile/hostile_service.h"
#include "tests/ingest/test_http.h"
#include "tests/support/serve_process.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace ht = fluxstatus::hostile_testing;
using fluxstatus::hostile_testing::EventJson;
using fluxstatus::hostile_testing::HostileService;
using fluxstatus::ingest::HttpServerOptions;
using fluxstatus::ingest::testing::CurlClient;
using fluxstatus::ingest::testing::ErrorMessage;
using fluxstatus::ingest::testing::RawConnection;
using fluxstatus::testing::QueryInt;

const std::vector<std::string> kJson = {"Content-Type: application/json", "Expect:"};

// Sends `data` one byte every 200 ms until the server closes the connection or `limit` passes.
// Returns the bytes sent before the close; nullopt when the server never closed it.
std::optional<std::size_t> TrickleUntilClosed(RawConnection& raw, const std::string& data, std::chrono::seconds limit) {
  std::size_t sent = 0;
  for (const auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
    try {
      raw.Send(data.substr(sent % data.size(), 1));
    } catch (const std::system_error&) {
      return sent;  // reset by the server
    }
    ++sent;
    if (raw.WaitForClose(200ms)) return sent;
  }
  return std::nullopt;
}

// Polls until the server counts `n` open connections (it accepts asynchronously).
bool WaitForOpenConnections(const HostileService& service, std::size_t n) {
  for (const auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (service.open_connections() == n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(slow_clients)

BOOST_AUTO_TEST_CASE(closes_a_trickled_head_after_header_timeout_and_serves_the_next_client_in_its_slot) {
  fluxstatus::testing::TempDir dir;
  HttpServerOptions options;
  options.max_connections = 1;
  options.header_timeout = 1s;
  HostileService service(dir.File("x.db"), options);
  RawConnection slow(service.port());
  BOOST_REQUIRE(WaitForOpenConnections(service, 1));

  CurlClient client;  // the only slot is taken: refused, with a reason
  const auto refused = client.Request("POST", service.Url("/hook/web"), EventJson("refused"), kJson);
  BOOST_TEST(refused.status == 503);
  BOOST_TEST(ErrorMessage(refused.body).value_or("") == "too many connections");

  const auto sent = TrickleUntilClosed(slow, "POST /hook/web HTTP/1.1\r\nHost: x\r\nX-Slow: ", 20s);
  BOOST_REQUIRE(sent.has_value());
  BOOST_TEST(*sent >= 2u);  // bytes kept coming, and still the head was cut off
  BOOST_TEST(slow.received().empty());
  BOOST_TEST(service.WaitForOpenConnectionsAtMost(0, 5s) == 0u);

  const auto served = client.Request("POST", service.Url("/hook/web"), EventJson("served"), kJson);
  BOOST_TEST(served.status == 202);
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 1);
}

BOOST_AUTO_TEST_CASE(closes_a_trickled_body_after_body_timeout_keeping_nothing_and_serves_the_next_client) {
  fluxstatus::testing::TempDir dir;
  HttpServerOptions options;
  options.max_connections = 1;
  options.body_timeout = 1s;
  HostileService service(dir.File("x.db"), options);
  const std::string body = EventJson("slow-body");
  RawConnection slow(service.port());
  slow.Send("POST /hook/web HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n");
  const auto sent = TrickleUntilClosed(slow, body, 20s);
  BOOST_REQUIRE(sent.has_value());
  BOOST_TEST(*sent >= 2u);
  BOOST_TEST(*sent < body.size());  // cut off before the body was complete
  BOOST_TEST(slow.received().empty());
  BOOST_TEST(service.WaitForOpenConnectionsAtMost(0, 5s) == 0u);

  CurlClient client;
  const auto served = client.Request("POST", service.Url("/hook/web"), body, kJson);
  BOOST_TEST(served.status == 202);
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 1);  // only the served one
}

BOOST_AUTO_TEST_CASE(binary_cuts_a_slow_head_at_the_configured_header_timeout_and_serves_the_next_client) {
  fluxstatus::testing::TempDir dir;
  std::ofstream(dir.File("fluxstatus.yaml")) << "http:\n  max_connections: 1\n  header_timeout: 1s\n";
  const auto config_check = ht::RunBinary(dir.path(), {"--config", dir.File("fluxstatus.yaml"), "check-config"});
  BOOST_REQUIRE(config_check.exit_code == 0);
  fluxstatus::testing::ServeCommand command(dir.path(), dir.File("fluxstatus.yaml"), dir.File("x.db"));
  command.keep_output = false;
  fluxstatus::testing::ServeProcess serve(command);  // on a free port it picks
  const std::uint16_t port = serve.port();
  serve.Spawn();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  BOOST_REQUIRE(serve.WaitHealthy(20s));  // each probe's connection closes

  std::this_thread::sleep_for(300ms);  // the probe's connection is gone
  RawConnection slow(port);
  slow.Send("POST /hook/web HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(200ms);  // counted before the next client
  CurlClient client;
  const auto refused = client.Request("POST", url + "/hook/web", ht::EventJson("refused"), kJson);
  BOOST_TEST(refused.status == 503);  // max_connections: 1 applies
  for (int i = 0; i < 100 && !slow.closed_by_peer(); ++i) {
    try {
      slow.Send("X");  // keeps trickling: a byte every 100 ms
    } catch (const std::system_error&) {
      break;
    }
    slow.WaitForClose(100ms);
  }
  BOOST_TEST(slow.closed_by_peer());  // header_timeout: 1s applies
  BOOST_TEST(slow.received().empty());
  fluxstatus::ingest::testing::CurlResult served;
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline && served.status != 202;) {
    served = client.Request("POST", url + "/hook/web", ht::EventJson("served"), kJson);
  }
  BOOST_TEST(served.status == 202);
}

BOOST_AUTO_TEST_SUITE_END()
