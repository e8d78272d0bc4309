// HttpServer (see http_server_test.cpp): the head, body and idle timeouts, the connection cap,
// and a Responder misused (dropped, thrown past, called twice, called after the client left).
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

BOOST_AUTO_TEST_CASE(header_timeout_closes_a_partial_head) {
  HttpServerOptions options;
  options.header_timeout = 300ms;
  std::atomic<int> calls{0};
  TestServer server(EchoHandler(&calls), options);
  RawConnection raw(server.port());
  const auto start = Clock::now();
  raw.Send("POST /hook/x HTTP/1.1\r\nHost: x\r\n");  // no blank line: the head never ends
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(Since(start) >= 250ms);
  BOOST_TEST(Since(start) < 3000ms);
  BOOST_TEST(raw.received().empty());
  BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(body_timeout_closes_a_slow_upload) {
  HttpServerOptions options;
  options.body_timeout = 300ms;
  std::atomic<int> calls{0};
  TestServer server(EchoHandler(&calls), options);
  RawConnection raw(server.port());
  const auto start = Clock::now();
  raw.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(Since(start) >= 250ms);
  BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connection_is_closed) {
  HttpServerOptions options;
  options.idle_timeout = 300ms;
  TestServer server(EchoHandler(), options);
  RawConnection raw(server.port());
  raw.Send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_REQUIRE(raw.ReadUntil("GET /idle\n", 5s).find("GET /idle\n") != std::string::npos);
  const auto start = Clock::now();
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(Since(start) >= 250ms);
}

BOOST_AUTO_TEST_CASE(connection_cap_answers_503_with_retry_after) {
  HttpServerOptions options;
  options.max_connections = 2;
  TestServer server(EchoHandler(), options);
  auto first = std::make_unique<RawConnection>(server.port());
  RawConnection second(server.port());
  CurlClient client;
  // Accepts are handled in order, so both raw connections are counted before curl's.
  const CurlResult refused = client.Request("GET", server.Url("/"));
  BOOST_TEST(refused.status == 503);
  BOOST_TEST(refused.Header("retry-after").value_or("") == "1");
  BOOST_TEST(refused.Header("connection").value_or("") == "close");
  BOOST_TEST(ErrorMessage(refused.body).value_or("") == "too many connections");

  first.reset();  // frees a slot once the server sees the EOF
  CurlResult admitted;
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline;) {
    admitted = client.Request("GET", server.Url("/again"));
    if (admitted.status == 200) break;
    std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(admitted.status == 200);
  BOOST_TEST(admitted.body == "GET /again\n");
}

BOOST_AUTO_TEST_CASE(dropped_responder_answers_500) {
  TestServer server([](HttpRequest&&, Responder) {});
  CurlClient client;
  const CurlResult result = client.Request("GET", server.Url());
  BOOST_TEST(result.status == 500);
  BOOST_TEST(ErrorMessage(result.body).value_or("") == "request was not answered");
}

BOOST_AUTO_TEST_CASE(handler_exception_answers_500) {
  TestServer server([](HttpRequest&&, Responder) -> void { throw std::runtime_error("boom"); });
  CurlClient client;
  const CurlResult result = client.Request("GET", server.Url());
  BOOST_TEST(result.status == 500);
  BOOST_TEST(ErrorMessage(result.body).value_or("") == "internal error");
}

BOOST_AUTO_TEST_CASE(invalid_status_is_answered_as_500) {
  TestServer server([](HttpRequest&&, Responder respond) {
    HttpResponse response;
    response.status = 42;
    respond(std::move(response));
  });
  CurlClient client;
  BOOST_TEST(client.Request("GET", server.Url()).status == 500);
}

BOOST_AUTO_TEST_CASE(second_responder_call_is_ignored) {
  TestServer server([](HttpRequest&& request, Responder respond) {
    respond(Echo(request));
    respond(Text("second answer"));
  });
  CurlClient client;
  const CurlResult first = client.Request("POST", server.Url("/1"), "a");
  const CurlResult second = client.Request("POST", server.Url("/2"), "b");
  BOOST_TEST(first.body == "POST /1\na");
  BOOST_TEST(second.body == "POST /2\nb");  // not "second answer" left over from the first
  BOOST_TEST(second.num_connects == 0);
}

BOOST_AUTO_TEST_CASE(answer_after_client_left_is_harmless) {
  PendingRequests pending;
  TestServer server(pending.handler());
  {
    RawConnection raw(server.port());
    raw.Send("GET /gone HTTP/1.1\r\nHost: x\r\n\r\n");
    BOOST_REQUIRE(pending.WaitFor(1, 5s));
  }
  pending.Answer(0, Text("nobody listens"));
  pending.Answer(0, Text("twice"));
  // The server keeps serving.
  std::thread answer([&] {
    if (pending.WaitFor(2, 5s)) pending.Answer(1, Text("still alive"));
  });
  CurlClient client;
  const CurlResult result = client.Request("GET", server.Url("/next"));
  answer.join();
  BOOST_TEST(result.body == "still alive");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::ingest
