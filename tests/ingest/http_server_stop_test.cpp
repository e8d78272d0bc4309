// HttpServer (see http_server_test.cpp): Start and its options, Stop with answers in flight or
// connections idle, and many clients at once.
#include "ingest/http_server.h"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/ingest/http_server_harness.h"
#include "tests/ingest/test_http.h"

namespace fluxstatus::ingest {

using namespace std::chrono_literals;
using namespace testing;

BOOST_AUTO_TEST_SUITE(HttpServerTest)

BOOST_AUTO_TEST_CASE(start_fails_with_the_address_when_the_port_is_taken) {
  TestServer first(EchoHandler());
  HttpServerOptions options;
  options.port = first.port();
  HttpServer second(options, EchoHandler());
  const std::string address = "127.0.0.1:" + std::to_string(first.port());
  try {
    second.Start();
    BOOST_FAIL("Start should have thrown");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find(address) != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected) {
  HttpServerOptions options;
  options.threads = 0;
  BOOST_CHECK_THROW(HttpServer(options, EchoHandler()), std::invalid_argument);
  options = {};
  options.header_timeout = 0ms;
  BOOST_CHECK_THROW(HttpServer(options, EchoHandler()), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(stop_delivers_the_in_flight_answer) {
  PendingRequests pending;
  TestServer server(pending.handler());
  CurlResult result;
  std::thread client([&] { result = CurlClient().Request("POST", server.Url("/hook/x"), "ev"); });
  BOOST_REQUIRE(pending.WaitFor(1, 5s));

  std::atomic<bool> stopped{false};
  const auto start = Clock::now();
  std::thread stopper([&] {
    server.server().Stop(10s);
    stopped = true;
  });
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(!stopped.load());  // Stop waits for the answer...
  pending.Answer(0, Text("committed"));
  client.join();
  stopper.join();
  BOOST_TEST(Since(start) < 5000ms);  // ...but not for the whole grace period
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.body == "committed");
  BOOST_TEST(result.Header("connection").value_or("") == "close");

  const CurlResult after = CurlClient().Request("GET", server.Url("/"), {}, {}, 2s);
  BOOST_TEST(after.code != CURLE_OK);  // no longer listening
  server.server().Stop(1s);            // idempotent
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_connections_at_once) {
  TestServer server(EchoHandler());
  CurlClient client;
  BOOST_TEST(client.Request("GET", server.Url()).status == 200);  // leaves a kept-alive connection
  RawConnection raw(server.port());                               // and one that never speaks
  const auto start = Clock::now();
  server.server().Stop(10s);
  BOOST_TEST(Since(start) < 3000ms);
  BOOST_TEST(raw.WaitForClose(2s));
}

BOOST_AUTO_TEST_CASE(stop_gives_up_after_grace_and_late_answers_are_ignored) {
  PendingRequests pending;
  CurlResult result;
  {
    TestServer server(pending.handler());
    std::thread client([&] { result = CurlClient().Request("GET", server.Url("/never")); });
    BOOST_REQUIRE(pending.WaitFor(1, 5s));
    const auto start = Clock::now();
    server.server().Stop(300ms);
    BOOST_TEST(Since(start) >= 250ms);
    BOOST_TEST(Since(start) < 3000ms);
    client.join();
    BOOST_TEST(result.code != CURLE_OK);  // cut off without an answer
    pending.Answer(0, Text("too late"));  // after Stop: a no-op
  }
  pending.responder(0)(Text("after destruction"));  // after the server is gone: still a no-op
}

BOOST_AUTO_TEST_CASE(sixteen_clients_times_two_hundred_requests_all_answered) {
  constexpr int kClients = 16;
  constexpr int kRequests = 200;
  TestServer server(EchoHandler());
  std::atomic<int> answered{0}, wrong{0};
  std::atomic<long> connections{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      CurlClient client;
      for (int r = 0; r < kRequests; ++r) {
        const std::string body = "client " + std::to_string(c) + " request " + std::to_string(r);
        const CurlResult result = client.Request("POST", server.Url("/load"), body);
        connections += result.num_connects;
        if (result.status == 200 && result.body == "POST /load\n" + body) {
          ++answered;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : clients) thread.join();
  BOOST_TEST(answered.load() == kClients * kRequests);
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(connections.load() == kClients);  // every client kept its connection
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::ingest
