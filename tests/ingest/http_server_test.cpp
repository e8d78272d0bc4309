// HttpServer against real clients: libcurl for ordinary traffic, raw sockets for partial heads,
// pipelining and garbage. Every server listens on 127.0.0.1 with an ephemeral port.
#include "ingest/http_server.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/ingest/test_http.h"

namespace fluxstatus::ingest {
namespace {

using namespace std::chrono_literals;
using testing::CurlClient;
using testing::CurlResult;
using testing::ErrorMessage;
using testing::RawConnection;
using Clock = std::chrono::steady_clock;

HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.target + "\n" + request.body;
  return response;
}

HttpResponse Text(std::string body) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// A started server on an ephemeral port of 127.0.0.1.
class TestServer {
 public:
  explicit TestServer(Handler handler, HttpServerOptions options = {})
      : server_(WithEphemeralPort(std::move(options)), std::move(handler)) {
    server_.Start();
  }
  std::string Url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + target;
  }
  uint16_t port() const { return server_.port(); }
  HttpServer& server() { return server_; }

 private:
  static HttpServerOptions WithEphemeralPort(HttpServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
  HttpServer server_;
};

Handler EchoHandler(std::atomic<int>* calls = nullptr) {
  return [calls](HttpRequest&& request, Responder respond) {
    if (calls != nullptr) ++*calls;
    respond(Echo(request));
  };
}

// Keeps every request with its Responder so the test decides when (and whether) to answer.
class PendingRequests {
 public:
  Handler handler() {
    return [this](HttpRequest&& request, Responder respond) {
      std::lock_guard lock(mu_);
      requests_.push_back({std::move(request), std::move(respond)});
      cv_.notify_all();
    };
  }
  bool WaitFor(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  std::string target(std::size_t i) {
    std::lock_guard lock(mu_);
    return requests_.at(i).first.target;
  }
  Responder responder(std::size_t i) {
    std::lock_guard lock(mu_);
    return requests_.at(i).second;
  }
  void Answer(std::size_t i, HttpResponse response) { responder(i)(std::move(response)); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<HttpRequest, Responder>> requests_;
};

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// The body of the single response in a raw byte stream.
std::string RawBody(const std::string& raw) {
  const auto end_of_head = raw.find("\r\n\r\n");
  return end_of_head == std::string::npos ? std::string() : raw.substr(end_of_head + 4);
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
  const CurlResult result =
      client.Request("POST", server.Url("/hook/prod?x=1"), R"({"a":1})",
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
    response.headers = {
        {"Retry-After", "7"}, {"Content-Length", "999"}, {"X-Bad", "a\r\nX-Injected: 1"}};
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
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  TestServer server(EchoHandler(), options);
  CurlClient client;
  const std::string body(1024, 'x');
  const CurlResult result = client.Request("POST", server.Url("/"), body, {"Expect:"});
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.body == "POST /\n" + body);
}

BOOST_AUTO_TEST_CASE(oversized_body_with_content_length_gets_413_json) {
  // What Flux does: Content-Length, no Expect. The whole body is in flight when we answer.
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  TestServer server(EchoHandler(&calls), options);
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
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  TestServer server(EchoHandler(&calls), options);
  CurlClient client;
  const CurlResult result =
      client.Request("POST", server.Url("/"), std::string(100000, 'x'), {"Expect: 100-continue"});
  BOOST_TEST(result.status == 413);
  BOOST_TEST(ErrorMessage(result.body).value_or("") == "body is larger than 1024 bytes");
  BOOST_TEST(calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(expect_continue_upload_within_limit_is_read) {
  TestServer server(EchoHandler());
  CurlClient client;
  const std::string body(5000, 'y');
  const CurlResult result = client.Request("POST", server.Url("/"), body, {"Expect: 100-continue"});
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.body == "POST /\n" + body);
}

BOOST_AUTO_TEST_CASE(oversized_chunked_body_gets_413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  TestServer server(EchoHandler(), options);
  RawConnection raw(server.port());
  raw.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
           std::string(2048, 'z') + "\r\n0\r\n\r\n");
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(raw.received().rfind("HTTP/1.1 413", 0) == 0);
  BOOST_TEST(ErrorMessage(RawBody(raw.received())).value_or("") ==
             "body is larger than 1024 bytes");
}

BOOST_AUTO_TEST_CASE(oversized_header_gets_431) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  TestServer server(EchoHandler(), options);
  CurlClient client;
  const CurlResult result =
      client.Request("GET", server.Url("/"), {}, {"X-Big: " + std::string(4000, 'a')});
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
  BOOST_TEST(
      ErrorMessage(RawBody(raw.received())).value_or("").rfind("malformed HTTP request", 0) == 0);
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
