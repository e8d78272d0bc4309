// Clients that leave before their answer: each event is then in the log whole or not at all
// (never a partial row), the derived tables still match the log, and the client's resend is
// answered as a duplicate of what was kept or accepted anew.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/hostile/hostile_service.h"
#include "tests/ingest/test_http.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
namespace ht = fluxstatus::hostile_testing;
using fluxstatus::ingest::HttpServerOptions;
using fluxstatus::ingest::testing::CurlClient;
using fluxstatus::testing::QueryInt;

const std::vector<std::string> kJson = {"Content-Type: application/json", "Expect:"};

// Sends `request` on a new connection and leaves at once: with a reset (SO_LINGER 0) when
// `abort`, else with an orderly close. Sends only part of it when `partial`.
void SendAndLeave(std::uint16_t port, const std::string& request, bool abort, bool partial) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr = fluxstatus::ingest::testing::LoopbackAddress(port);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::size_t n = partial ? request.size() - 7 : request.size();
  BOOST_REQUIRE(::send(fd, request.data(), n, MSG_NOSIGNAL) == static_cast<ssize_t>(n));
  if (abort) {
    const linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  }
  ::close(fd);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(leaving_clients)

BOOST_AUTO_TEST_CASE(keeps_each_event_whole_or_not_at_all_and_answers_the_resend_when_clients_leave_before_the_answer) {
  fluxstatus::testing::TempDir dir;
  const std::string db = dir.File("x.db");
  std::vector<std::string> bodies;
  {
    ht::HostileService service(db, HttpServerOptions{});
    for (int i = 0; i < 30; ++i) {
      bodies.push_back(ht::EventJson("leaving" + std::to_string(i)));
      // Whole requests left by reset or by close, and some left mid-body.
      SendAndLeave(service.port(), ht::HookRequest("web", bodies.back()), i % 2 == 0, i % 3 == 2);
    }
    {
      // Accepts are handled in order: once this is answered, every connection above was
      // admitted, and its request (if whole) handed over or its connection closed.
      CurlClient marker;
      BOOST_TEST(marker.Request("GET", service.Url("/healthz")).status == 200);
    }
    BOOST_TEST(service.WaitForOpenConnectionsAtMost(0, 10s) == 0u);
  }  // stopped: whatever was handed to the writer is committed

  // Every kept event is one of the bodies sent, byte for byte; none of those cut mid-body.
  const std::int64_t kept = QueryInt(db, "SELECT count(*) FROM events");
  BOOST_TEST_MESSAGE(kept << " of " << bodies.size() << " events kept after their clients left");
  BOOST_TEST(kept <= static_cast<std::int64_t>(bodies.size()));
  std::vector<bool> stored(bodies.size(), false);
  for (std::int64_t id = 1; id <= QueryInt(db, "SELECT coalesce(max(id), 0) FROM events"); ++id) {
    const auto body = ht::StoredBody(db, id);
    if (!body) continue;
    std::size_t match = bodies.size();
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      if (bodies[i] == *body) match = i;
    }
    BOOST_TEST(match < bodies.size(), "event " << id << " is not one of the bodies sent: " << *body);
    if (match < bodies.size()) {
      BOOST_TEST(match % 3 != 2u, "event " << id << " was cut mid-body yet kept");
      stored[match] = true;
    }
  }
  const auto check = ht::RunBinary(dir.path(), {"--db", db, "rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, "rebuild --check: " << check.output);

  // Resends: a duplicate of what was kept, accepted anew otherwise.
  {
    ht::HostileService service(db, HttpServerOptions{});
    CurlClient client;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      const auto answer = client.Request("POST", service.Url("/hook/web"), bodies[i], kJson);
      BOOST_TEST(answer.status == 202);
      const auto accepted = ht::AcceptedOf(answer.body);
      BOOST_REQUIRE(accepted.has_value());
      BOOST_TEST(accepted->second == stored[i], "resend " << i << ": " << answer.body);
    }
  }
  BOOST_TEST(QueryInt(db, "SELECT count(*) FROM events") == static_cast<std::int64_t>(bodies.size()));
  const auto recheck = ht::RunBinary(dir.path(), {"--db", db, "rebuild", "--check"});
  BOOST_TEST(recheck.exit_code == 0, "rebuild --check: " << recheck.output);
}

BOOST_AUTO_TEST_SUITE_END()
