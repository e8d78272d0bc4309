// HttpServer against real clients: libcurl for ordinary traffic, raw sockets for partial heads,
// pipelining and garbage. Every server listens on 127.0.0.1 with an ephemeral port. Here:
// requests and answers, body and head limits, asynchronous and pipelined answers.
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

namespace {

// A server that takes request bodies of up to `max_body_bytes`.
HttpServerOptions WithBodyLimit(std::size_t max_body_bytes) {
  HttpServerOptions options;
  options.max_body_bytes = max_body_bytes;
  return options;
}

// POSTs `body` to / with the `expect` header and requires the echo of the whole of it.
void RequireEchoed(const TestServer& server, const std::string& body, const std::string& expect) {
  CurlClient client;
  const CurlResult result = client.Request("POST", server.Url("/"), body, {expect});
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.body == "POST /\n" + body);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(HttpServerTest)

BOOST_AUTO_TEST_CASE(echoes_method_target_headers_and_body) {
  std::string seen_signature, seen_remote;
  TestServer server([&](HttpRequest&& request, Responder respond) {
    const std::string* signature = request.Header("x-signature");
    seen_signature = signature != nullptr ? *signature : "<missing>";
    seen_remote = request.remote;
    respond(Echo(request));
  });
  CurlClient client;
  const CurlResult result = client.Request("POST", server.Url("/hook/prod?x=1"), R"({"a":1})",
                                           {"Content-Type: application/json", "X-Signature: sha256=ab"});
  BOOST_TEST(result.code == CURLE_OK);
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.body == "POST /hook/prod?x=1\n{\"a\":1}");
  BOOST_TEST(result.Header("server").value_or("") == "fluxstatus");
  BOOST_TEST(result.Header("content-type").value_or("") == "text/plain");
  BOOST_TEST(result.Header("content-length").value_or("") == std::to_string(result.body.size()));
  BOOST_TEST(seen_signature == "sha256=ab");
  BOOST_TEST(seen_remote.rfind("127.0.0.1:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(handler_headers_are_sent_but_framing_headers_are_not_overridden) {
  TestServer server([](HttpRequest&&, Responder respond) {
    HttpResponse response = Text("four");
    response.status = 503;
    response.headers = {{"Retry-After", "7"}, {"Content-Length", "999"}, {"X-Bad", "a\r\nX-Injected: 1"}};
    respond(std::move(response));
  });
  CurlClient client;
  const CurlResult result = client.Request("GET", server.Url());
  BOOST_TEST(result.status == 503);
  BOOST_TEST(result.body == "four");
  BOOST_TEST(result.Header("retry-after").value_or("") == "7");
  BOOST_TEST(result.Header("content-length").value_or("") == "4");
  BOOST_TEST(!result.Header("x-injected").has_value());
}

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection) {
  TestServer server(EchoHandler());
  CurlClient client;
  const CurlResult first = client.Request("POST", server.Url("/a"), "one");
  const CurlResult second = client.Request("POST", server.Url("/b"), "two");
  BOOST_TEST(first.body == "POST /a\none");
  BOOST_TEST(second.body == "POST /b\ntwo");
  BOOST_TEST(first.num_connects == 1);
  BOOST_TEST(second.num_connects == 0);
}

BOOST_AUTO_TEST_CASE(http10_request_is_answered_and_closed) {
  TestServer server(EchoHandler());
  RawConnection raw(server.port());
  raw.Send("GET /old HTTP/1.0\r\n\r\n");
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(raw.received().rfind("HTTP/1.0 200", 0) == 0);
  BOOST_TEST(raw.received().find("Content-Length: 9\r\n") != std::string::npos);
  BOOST_TEST(RawBody(raw.received()) == "GET /old\n");
}

BOOST_AUTO_TEST_CASE(head_request_gets_length_without_body) {
  TestServer server(EchoHandler());
  CurlClient client;
  const CurlResult result = client.Request("HEAD", server.Url("/h"));
  BOOST_TEST(result.code == CURLE_OK);
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.body.empty());
  BOOST_TEST(result.Header("content-length").value_or("") == "8");  // "HEAD /h\n"
}

BOOST_AUTO_TEST_CASE(body_at_the_limit_is_accepted) {
  TestServer server(EchoHandler(), WithBodyLimit(1024));
  RequireEchoed(server, std::string(1024, 'x'), "Expect:");
}

BOOST_AUTO_TEST_CASE(oversized_body_with_content_length_gets_413_json) {
  // What Flux does: Content-Length, no Expect. The whole body is in flight when we answer.
  std::atomic<int> calls{0};
  TestServer server(EchoHandler(&calls), WithBodyLimit(1024));
  CurlClient client;
  const CurlResult result =
      client.Request("POST", server.Url("/hook/x"), std::string(4 * 1024 * 1024, 'x'), {"Expect:"});
  BOOST_TEST(result.code == CURLE_OK);
  BOOST_TEST(result.status == 413);
  BOOST_TEST(result.Header("content-type").value_or("") == "application/json");
  BOOST_TEST(ErrorMessage(result.body).value_or("") == "body is larger than 1024 bytes");
  BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(oversized_body_with_expect_continue_gets_413_before_upload) {
  std::atomic<int> calls{0};
  TestServer server(EchoHandler(&calls), WithBodyLimit(1024));
  CurlClient client;
  const CurlResult result = client.Request("POST", server.Url("/"), std::string(100000, 'x'), {"Expect: 100-continue"});
  BOOST_TEST(result.status == 413);
  BOOST_TEST(ErrorMessage(result.body).value_or("") == "body is larger than 1024 bytes");
  BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(expect_continue_upload_within_limit_is_read) {
  TestServer server(EchoHandler());
  RequireEchoed(server, std::string(5000, 'y'), "Expect: 100-continue");
}

BOOST_AUTO_TEST_CASE(oversized_chunked_body_gets_413) {
  TestServer server(EchoHandler(), WithBodyLimit(1024));
  RawConnection raw(server.port());
  raw.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(2048, 'z') +
           "\r\n0\r\n\r\n");
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(raw.received().rfind("HTTP/1.1 413", 0) == 0);
  BOOST_TEST(ErrorMessage(RawBody(raw.received())).value_or("") == "body is larger than 1024 bytes");
}

BOOST_AUTO_TEST_CASE(oversized_header_gets_431) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  TestServer server(EchoHandler(), options);
  CurlClient client;
  const CurlResult result = client.Request("GET", server.Url("/"), {}, {"X-Big: " + std::string(4000, 'a')});
  BOOST_TEST(result.status == 431);
  BOOST_TEST(ErrorMessage(result.body).value_or("") == "request header is larger than 1024 bytes");
}

BOOST_AUTO_TEST_CASE(malformed_request_gets_400_json_and_close) {
  TestServer server(EchoHandler());
  RawConnection raw(server.port());
  raw.Send("THIS IS NOT HTTP\r\n\r\n");
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(raw.received().rfind("HTTP/1.1 400", 0) == 0);
  BOOST_TEST(raw.received().find("Content-Type: application/json") != std::string::npos);
  BOOST_TEST(ErrorMessage(RawBody(raw.received())).value_or("").rfind("malformed HTTP request", 0) == 0);
}

BOOST_AUTO_TEST_CASE(answers_later_from_another_thread) {
  std::mutex mu;
  std::vector<std::thread> answerers;
  TestServer server([&](HttpRequest&& request, Responder respond) {
    std::lock_guard lock(mu);
    answerers.emplace_back([request = std::move(request), respond = std::move(respond)] {
      std::this_thread::sleep_for(300ms);
      respond(Echo(request));
    });
  });
  CurlClient client;
  const auto start = Clock::now();
  const CurlResult first = client.Request("POST", server.Url("/slow"), "later");
  BOOST_TEST(Since(start) >= 250ms);
  BOOST_TEST(first.body == "POST /slow\nlater");
  const CurlResult second = client.Request("POST", server.Url("/slow"), "again");
  BOOST_TEST(second.body == "POST /slow\nagain");
  BOOST_TEST(second.num_connects == 0);
  std::lock_guard lock(mu);
  for (auto& thread : answerers) thread.join();
}

BOOST_AUTO_TEST_CASE(pipelined_request_waits_for_the_previous_answer) {
  PendingRequests pending;
  TestServer server(pending.handler());
  RawConnection raw(server.port());
  raw.Send("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_REQUIRE(pending.WaitFor(1, 5s));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(pending.count() == 1u);  // the second is not handed over while the first waits
  pending.Answer(0, Text("one"));
  BOOST_REQUIRE(pending.WaitFor(2, 5s));
  BOOST_TEST(pending.target(1) == "/second");
  pending.Answer(1, Text("two"));
  const std::string& raw_bytes = raw.ReadUntil("two", 5s);
  BOOST_TEST(testing::CountStatusLines(raw_bytes, "HTTP/1.1 200 OK\r\n") == 2u);
  BOOST_TEST(raw_bytes.find("one") < raw_bytes.find("two"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::ingest
