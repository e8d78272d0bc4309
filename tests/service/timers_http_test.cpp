// The HTTP listener's timers in the real `fluxstatus serve` binary, each made to fire between
// two requests of one client: the keep-alive idle timeout, the head and body timeouts, the 1 s
// a connection over the cap gets to send its head, and the 2 s linger after a closing answer.
// After each, the client's next request is answered as usual and every event is stored once
// (docs/ARCHITECTURE.md, "Timers, connections and threads").
#include <sys/resource.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/ingest/test_http.h"
#include "tests/service/timers_support.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using fluxstatus::ingest::testing::CountStatusLines;
using fluxstatus::ingest::testing::CurlClient;
using fluxstatus::ingest::testing::ErrorMessage;
using fluxstatus::ingest::testing::RawConnection;
using fluxstatus::timers_testing::Clock;
using fluxstatus::timers_testing::Event;
using fluxstatus::timers_testing::MsSince;
namespace st = fluxstatus::service_testing;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

const std::vector<std::string> kJson = {"Content-Type: application/json", "Expect:"};

std::string Head(std::size_t content_length, bool close = false) {
  return "POST /hook/app HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(content_length) + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

std::string Request(const std::string& body, bool close = false) { return Head(body.size(), close) + body; }

// The service with one open route and these `http:` settings, healthy, with the probe's own
// connection gone (it would hold the only slot of max_connections: 1).
struct Service {
  explicit Service(const std::string& http_yaml) : proc(dir.path(), "routes:\n  - name: app\nhttp:\n" + http_yaml) {
    BOOST_TEST_REQUIRE(proc.WaitHealthy(20s), proc.Output());
    std::this_thread::sleep_for(300ms);
  }
  std::string Url() const { return proc.Url("/hook/app"); }
  std::int64_t Stored() const { return st::QueryInt(*st::OpenReader(proc.db_path()), "SELECT count(*) FROM events"); }
  std::int64_t Stored(const std::string& body) const {
    return fluxstatus::timers_testing::TimesStored(proc.db_path(), body);
  }

  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc;
};

// A 202 body saying the event was stored now (not a duplicate of one stored before).
bool NewlyStored(const std::string& body) {
  const auto accepted = st::ParseAccepted(body);
  return accepted && !accepted->duplicate;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_timers)

BOOST_AUTO_TEST_CASE(a_keep_alive_client_idle_past_idle_timeout_reconnects_and_each_event_is_stored_once) {
  Service svc("  idle_timeout: 1s\n");
  CurlClient client;
  const auto first = client.Request("POST", svc.Url(), Event(1), kJson);
  BOOST_TEST_REQUIRE(first.status == 202);
  std::this_thread::sleep_for(200ms);
  const auto soon = client.Request("POST", svc.Url(), Event(2), kJson);
  BOOST_TEST(soon.status == 202);
  BOOST_TEST(soon.num_connects == 0);  // within idle_timeout the connection is kept
  std::this_thread::sleep_for(1800ms);
  const auto late = client.Request("POST", svc.Url(), Event(3), kJson);
  BOOST_TEST(late.status == 202, late.body);
  BOOST_TEST(late.num_connects == 1);  // the idle one was closed; the client opened another

  // A client that writes on the connection just as the server closes it gets no answer, and
  // sends again on a new one: the event is stored once, from the resend.
  RawConnection raw(svc.proc.port());
  raw.Send(Request(Event(4)));
  BOOST_TEST_REQUIRE(raw.ReadUntil("}", 10s).rfind("HTTP/1.1 202", 0) == 0u, raw.received());
  const auto idle_from = Clock::now();
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(MsSince(idle_from) >= 900);
  try {
    raw.Send(Request(Event(5)));
  } catch (const std::system_error&) {
    // reset by the server: the request never left
  }
  raw.WaitForClose(200ms);
  BOOST_TEST(CountStatusLines(raw.received(), "HTTP/1.1 ") == 1u);
  const auto resent = client.Request("POST", svc.Url(), Event(5), kJson);
  BOOST_TEST(resent.status == 202);
  BOOST_TEST(NewlyStored(resent.body), resent.body);
  BOOST_TEST(svc.Stored() == 5);
  BOOST_TEST(svc.Stored(Event(5)) == 1);
}

BOOST_AUTO_TEST_CASE(a_head_stalled_past_header_timeout_is_cut_and_its_resend_on_a_new_connection_is_stored) {
  Service svc("  header_timeout: 500ms\n");
  RawConnection raw(svc.proc.port());
  raw.Send(Request(Event(1)));
  BOOST_TEST_REQUIRE(raw.ReadUntil("}", 10s).rfind("HTTP/1.1 202", 0) == 0u, raw.received());
  // Quiet between requests is the idle timeout's (60 s), not the head's: still open.
  BOOST_TEST(!raw.WaitForClose(900ms));
  raw.Send("POST /hook/app HTTP/1.1\r\nHost: x\r\n");  // the next head starts, then stalls
  const auto head_from = Clock::now();
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(MsSince(head_from) >= 400);
  BOOST_TEST(CountStatusLines(raw.received(), "HTTP/1.1 ") == 1u);  // closed without an answer

  CurlClient client;
  const auto resent = client.Request("POST", svc.Url(), Event(2), kJson);
  BOOST_TEST(resent.status == 202);
  BOOST_TEST(NewlyStored(resent.body), resent.body);
  BOOST_TEST(svc.Stored() == 2);
}

BOOST_AUTO_TEST_CASE(a_body_stalled_past_body_timeout_keeps_nothing_and_its_resend_is_stored_once) {
  Service svc("  body_timeout: 500ms\n");
  RawConnection raw(svc.proc.port());
  raw.Send(Request(Event(1)));
  BOOST_TEST_REQUIRE(raw.ReadUntil("}", 10s).rfind("HTTP/1.1 202", 0) == 0u, raw.received());
  const std::string body = Event(2);
  raw.Send(Head(body.size()) + body.substr(0, body.size() / 2));
  const auto body_from = Clock::now();
  BOOST_TEST(raw.WaitForClose(5s));
  BOOST_TEST(MsSince(body_from) >= 400);
  BOOST_TEST(CountStatusLines(raw.received(), "HTTP/1.1 ") == 1u);
  BOOST_TEST(svc.Stored() == 1);  // nothing of the cut body

  CurlClient client;
  const auto resent = client.Request("POST", svc.Url(), body, kJson);
  BOOST_TEST(resent.status == 202);
  BOOST_TEST(NewlyStored(resent.body), resent.body);
  BOOST_TEST(svc.Stored() == 2);
  BOOST_TEST(svc.Stored(body) == 1);
}

BOOST_AUTO_TEST_CASE(a_silent_connection_over_the_cap_is_closed_after_a_second_while_the_served_client_goes_on) {
  Service svc("  max_connections: 1\n");  // header_timeout stays 10 s
  CurlClient keeper;
  BOOST_TEST_REQUIRE(keeper.Request("POST", svc.Url(), Event(1), kJson).status == 202);

  RawConnection silent(svc.proc.port());  // over the cap, and sends nothing
  const auto opened = Clock::now();
  BOOST_TEST(silent.WaitForClose(8s));
  const auto held_ms = MsSince(opened);
  BOOST_TEST(held_ms >= 800);   // it had its second to send a head
  BOOST_TEST(held_ms <= 4000);  // but not header_timeout's 10 s
  BOOST_TEST(silent.received().empty());

  const auto next = keeper.Request("POST", svc.Url(), Event(2), kJson);
  BOOST_TEST(next.status == 202);
  BOOST_TEST(next.num_connects == 0);   // the served client kept its connection throughout
  RawConnection late(svc.proc.port());  // over the cap, with its head: told why and when to retry
  late.Send(Request(Event(3)));
  const std::string& refused = late.ReadUntil("}", 10s);
  BOOST_TEST(refused.rfind("HTTP/1.1 503", 0) == 0u, refused);
  BOOST_TEST(refused.find("Retry-After: 1\r\n") != std::string::npos, refused);
  BOOST_TEST(svc.Stored() == 2);
}

BOOST_AUTO_TEST_CASE(a_lingering_close_gives_its_slot_back_within_two_seconds_to_the_next_client) {
  Service svc("  max_connections: 1\n");
  RawConnection closer(svc.proc.port());  // asks for close, reads its answer, keeps its socket
  closer.Send(Request(Event(1), /*close=*/true));
  BOOST_TEST_REQUIRE(closer.ReadUntil("}", 10s).rfind("HTTP/1.1 202", 0) == 0u, closer.received());
  BOOST_TEST(closer.WaitForClose(2s));  // the server shut its sending side at once
  const auto answered = Clock::now();

  CurlClient next;
  const auto during = next.Request("POST", svc.Url(), Event(2), kJson);
  // While the server drains what the closing client might still send, that connection holds
  // its slot; the linger timer is what bounds it.
  BOOST_TEST(during.status == 503);
  BOOST_TEST(ErrorMessage(during.body).value_or("") == "too many connections");
  fluxstatus::ingest::testing::CurlResult served;
  while (served.status != 202 && MsSince(answered) < 6000) {
    std::this_thread::sleep_for(100ms);
    served = next.Request("POST", svc.Url(), Event(2), kJson);
  }
  BOOST_TEST(served.status == 202);
  BOOST_TEST(MsSince(answered) <= 3500);
  BOOST_TEST(NewlyStored(served.body), served.body);
  BOOST_TEST(svc.Stored() == 2);
}

// Not under AddressSanitizer + UBSan: their runtime needs descriptors of its own (UBSan's vptr
// check opens a pipe to probe memory), so a process at its descriptor limit reports every
// virtual call as "invalid vptr" and aborts: the runtime is tested then, not the service.
BOOST_AUTO_TEST_CASE(an_accept_refused_for_want_of_file_descriptors_is_retried_and_the_next_client_is_served,
                     *boost::unit_test::enable_if<!kAddressSanitizer>()) {
  Service svc("  max_connections: 1024\n");
  const auto pid = fluxstatus::timers_testing::ServePid(svc.proc.db_path());
  BOOST_TEST_REQUIRE(pid.has_value());
  // Room for two more descriptors: later connections wait in the kernel's accept queue while
  // every accept fails (EMFILE) and is tried again after 50 ms.
  const rlim_t room = fluxstatus::timers_testing::OpenFiles(*pid) + 2;
  const rlimit tight{room, room};
  BOOST_TEST_REQUIRE(::prlimit(*pid, RLIMIT_NOFILE, &tight, nullptr) == 0);
  std::vector<std::unique_ptr<RawConnection>> hogs;
  for (int i = 0; i < 6; ++i) hogs.push_back(std::make_unique<RawConnection>(svc.proc.port()));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(fluxstatus::timers_testing::OpenFiles(*pid) == room);  // at the limit: accept fails
  const auto cpu_before = fluxstatus::timers_testing::CpuTime(*pid);
  std::this_thread::sleep_for(1s);
  const auto spent = fluxstatus::timers_testing::CpuTime(*pid) - cpu_before;
  BOOST_TEST(spent.count() < 500, "CPU while accept failed: " << spent.count() << " ms in 1 s");  // no busy loop

  hogs.clear();  // descriptors free up: the waiting connections are accepted (and end)
  CurlClient client;
  const auto from = Clock::now();
  const auto served = client.Request("POST", svc.Url(), Event(1), kJson, 5s);
  BOOST_TEST(served.status == 202, "curl " << served.code << " " << served.status << "\n" << svc.proc.Output());
  BOOST_TEST(MsSince(from) < 2000);
  BOOST_TEST(svc.Stored() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
