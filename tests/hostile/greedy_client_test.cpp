// Greedy clients: more connections than the cap, a request head over the limit, chunked bodies
// over the limits, and many requests in one write.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/hostile/hostile_service.h"
#include "tests/ingest/test_http.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using fluxstatus::hostile_testing::AcceptedOf;
using fluxstatus::hostile_testing::EventJson;
using fluxstatus::hostile_testing::HookRequest;
using fluxstatus::hostile_testing::HostileService;
using fluxstatus::hostile_testing::StoredBody;
using fluxstatus::ingest::HttpServerOptions;
using fluxstatus::ingest::testing::CountStatusLines;
using fluxstatus::ingest::testing::CurlClient;
using fluxstatus::ingest::testing::ErrorMessage;
using fluxstatus::ingest::testing::RawConnection;
using fluxstatus::testing::QueryInt;

const std::vector<std::string> kJson = {"Content-Type: application/json", "Expect:"};

// The body of the last answer in a raw byte stream (what follows its blank line).
std::string LastBody(const std::string& raw) {
  const auto at = raw.rfind("\r\n\r\n");
  return at == std::string::npos ? std::string() : raw.substr(at + 4);
}

bool WaitForOpenConnections(const HostileService& service, std::size_t n) {
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline;) {
    if (service.open_connections() == n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// Reads until `n` answers with `status_line` have fully arrived (each ends with its JSON
// body's brace), the peer closes, or `timeout` passes; returns how many arrived.
std::size_t ReadAnswers(RawConnection& raw, std::size_t n, std::string_view status_line,
                        std::chrono::milliseconds timeout) {
  for (const auto deadline = Clock::now() + timeout; Clock::now() < deadline && !raw.closed_by_peer();) {
    raw.ReadUntil("\x01", 50ms);  // never sent: just reads what is there
    const std::string& got = raw.received();
    if (CountStatusLines(got, status_line) >= n && !got.empty() && got.back() == '}') break;
  }
  return CountStatusLines(raw.received(), status_line);
}

struct Streamed {
  std::string answer;     // what the server answered while the client was still sending
  std::size_t sent = 0;   // body bytes the client got into the socket
  bool finished = false;  // the whole body was sent
};

// Streams `head`, then a chunked body of `total` bytes in 16 KiB chunks, without blocking,
// until the server's answer (up to its JSON body's closing brace) arrives or the body is sent.
Streamed StreamChunked(std::uint16_t port, const std::string& head, std::size_t total) {
  Streamed out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr = fluxstatus::ingest::testing::LoopbackAddress(port);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  const std::string chunk = "4000\r\n" + std::string(0x4000, 'x') + "\r\n";
  std::string pending = head;
  const auto deadline = Clock::now() + 60s;
  while (Clock::now() < deadline) {
    pollfd p{fd, static_cast<short>(POLLIN | (pending.empty() && out.finished ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, 100) < 0) break;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.answer.append(buf, static_cast<std::size_t>(n));
      if (out.answer.find("\r\n\r\n") != std::string::npos && out.answer.back() == '}') break;
      continue;
    }
    if (!(p.revents & POLLOUT)) continue;
    if (pending.empty()) {
      if (out.sent >= total) {
        pending = "0\r\n\r\n";
        out.finished = true;
      } else {
        pending = chunk;
        out.sent += 0x4000;
      }
    }
    const ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) break;  // reset by the server
    if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

const std::string kChunkedHead =
    "POST /hook/web HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(greedy_clients)

BOOST_AUTO_TEST_CASE(refuses_connections_over_the_cap_promptly_while_a_served_client_keeps_being_answered) {
  fluxstatus::testing::TempDir dir;
  HttpServerOptions options;
  options.max_connections = 4;
  options.header_timeout = 60s;  // the idle connections inside the cap are not cut during the test
  HostileService service(dir.File("x.db"), options);

  RawConnection keeper(service.port());  // a keep-alive client, served before the flood
  keeper.Send(HookRequest("web", EventJson("before")));
  BOOST_REQUIRE(ReadAnswers(keeper, 1, "HTTP/1.1 202 Accepted\r\n", 10s) == 1u);
  std::vector<std::unique_ptr<RawConnection>> inside;  // fill the cap with idle connections
  for (int i = 0; i < 3; ++i) inside.push_back(std::make_unique<RawConnection>(service.port()));
  BOOST_REQUIRE(WaitForOpenConnections(service, 4));
  std::vector<std::unique_ptr<RawConnection>> flood;  // and 70 more that send nothing
  for (int i = 0; i < 70; ++i) flood.push_back(std::make_unique<RawConnection>(service.port()));

  // The served client is not starved by the flood.
  keeper.Send(HookRequest("web", EventJson("during")));
  BOOST_TEST(ReadAnswers(keeper, 2, "HTTP/1.1 202 Accepted\r\n", 10s) == 2u);
  // Every connection over the cap is closed, long before header_timeout.
  const auto flood_deadline = Clock::now() + 20s;
  std::size_t closed = 0;
  for (auto& raw : flood) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(flood_deadline - Clock::now());
    if (raw->WaitForClose(std::max(left, 0ms))) ++closed;
  }
  BOOST_TEST(closed == flood.size());
  BOOST_TEST(service.WaitForOpenConnectionsAtMost(4, 5s) == 4u);

  // A client over the cap that sends its request is told why, and when to come back.
  RawConnection late(service.port());
  late.Send(HookRequest("web", EventJson("refused")));
  const std::string& refused = late.ReadUntil("}", 10s);
  BOOST_TEST(refused.rfind("HTTP/1.1 503", 0) == 0u);
  BOOST_TEST(refused.find("Retry-After: 1\r\n") != std::string::npos);
  BOOST_TEST(ErrorMessage(LastBody(refused)).value_or("") == "too many connections");

  inside.pop_back();  // once a slot frees, a new client is served
  BOOST_TEST(service.WaitForOpenConnectionsAtMost(3, 5s) == 3u);
  CurlClient client;
  const auto served = client.Request("POST", service.Url("/hook/web"), EventJson("after"), kJson);
  BOOST_TEST(served.status == 202);
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 3);
}

BOOST_AUTO_TEST_CASE(answers_431_json_and_keeps_nothing_when_the_header_block_is_over_the_limit) {
  fluxstatus::testing::TempDir dir;
  HttpServerOptions options;
  options.max_header_bytes = 4096;
  HostileService service(dir.File("x.db"), options);
  RawConnection raw(service.port());
  const std::string body = EventJson("big-head");
  raw.Send("POST /hook/web HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Padding: " +
           std::string(8192, 'p') + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  const std::string& answer = raw.ReadUntil("}", 10s);
  BOOST_TEST(answer.rfind("HTTP/1.1 431", 0) == 0u);
  BOOST_TEST(ErrorMessage(LastBody(answer)).value_or("") == "request header is larger than 4096 bytes");
  BOOST_TEST(raw.WaitForClose(10s));
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_413_before_the_client_finished_when_a_chunked_body_runs_past_the_read_limit) {
  fluxstatus::testing::TempDir dir;
  HttpServerOptions options;
  options.max_body_bytes = 64 * 1024;  // what the server reads at most
  HostileService service(dir.File("x.db"), options, 1024);
  const std::size_t total = 256u << 20;
  const Streamed streamed = StreamChunked(service.port(), kChunkedHead, total);
  BOOST_TEST_MESSAGE("body bytes sent before the 413 arrived: " << streamed.sent);
  BOOST_TEST(streamed.answer.rfind("HTTP/1.1 413", 0) == 0u);
  BOOST_TEST(ErrorMessage(LastBody(streamed.answer)).value_or("") == "body is larger than 65536 bytes");
  // The server stopped reading at its limit: the client could not push the whole body, only
  // what fits the limit, the kernel's socket buffers and the bounded drain after the answer.
  BOOST_TEST(!streamed.finished);
  BOOST_TEST(streamed.sent < total / 4);
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_413_json_when_a_chunked_event_is_over_max_body_bytes) {
  fluxstatus::testing::TempDir dir;
  HostileService service(dir.File("x.db"), HttpServerOptions{}, 1024);
  const Streamed streamed = StreamChunked(service.port(), kChunkedHead, 3 * 0x4000);
  BOOST_TEST(streamed.answer.rfind("HTTP/1.1 413", 0) == 0u);
  BOOST_TEST(ErrorMessage(LastBody(streamed.answer)).value_or("").find("1024 bytes") != std::string::npos);
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_pipelined_requests_in_order_and_commits_each_event_whole) {
  fluxstatus::testing::TempDir dir;
  HostileService service(dir.File("x.db"), HttpServerOptions{});
  std::vector<std::string> bodies;
  std::string burst;
  for (int i = 0; i < 8; ++i) {
    bodies.push_back(EventJson("pipelined" + std::to_string(i)));
    burst += HookRequest("web", bodies.back(), i == 7);
  }
  RawConnection raw(service.port());
  raw.Send(burst);                    // eight requests in one write
  BOOST_TEST(raw.WaitForClose(20s));  // the last one asked for Connection: close
  const std::string& answers = raw.received();
  BOOST_TEST(CountStatusLines(answers, "HTTP/1.1 202 Accepted\r\n") == 8u);

  const std::regex accepted_body(R"(\{"id":\s*\d+,\s*"duplicate":\s*(true|false)\})");
  std::vector<std::int64_t> ids;
  for (auto it = std::sregex_iterator(answers.begin(), answers.end(), accepted_body); it != std::sregex_iterator();
       ++it) {
    const auto accepted = AcceptedOf(it->str());
    BOOST_REQUIRE(accepted.has_value());
    BOOST_TEST(!accepted->second);
    ids.push_back(accepted->first);
  }
  BOOST_REQUIRE(ids.size() == bodies.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) BOOST_TEST(ids[i] > ids[i - 1]);  // answered in the order sent
    BOOST_TEST(StoredBody(dir.File("x.db"), ids[i]).value_or("<none>") == bodies[i]);
  }
  BOOST_TEST(QueryInt(dir.File("x.db"), "SELECT count(*) FROM events") == 8);
}

BOOST_AUTO_TEST_SUITE_END()
