// CurlTransport against the fake Git host on loopback: what goes on the wire, what comes back,
// connection reuse, and which failures are "uncertain" (the request may have been applied).
#include "dispatch/http_transport.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "core/compact_json.h"
#include "tests/support/scoped_env.h"
#include "tests/support/fake_git_host.h"

namespace dispatch = fluxstatus::dispatch;
using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::HostKind;

namespace {

constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";

dispatch::HttpCall GitHubPost(const FakeGitHost& host, const std::string& state = "success") {
  dispatch::HttpCall call;
  call.method = "POST";
  call.url = host.BaseUrl() + "/api/v3/repos/o/r/statuses/" + kSha;
  call.headers = {{"Authorization", "Bearer t0ken"}, {"Content-Type", "application/json"}};
  call.body = fluxstatus::core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", state), cereal::make_nvp("context", std::string("ci/x")));
  });
  return call;
}

dispatch::HttpCall GitHubList(const FakeGitHost& host) {
  return dispatch::HttpCall{"GET",
                            host.BaseUrl() + "/api/v3/repos/o/r/commits/" + std::string(kSha) + "/statuses",
                            {{"Authorization", "Bearer t0ken"}},
                            ""};
}

dispatch::TransportOptions Fast() {
  dispatch::TransportOptions o;
  o.timeout = std::chrono::milliseconds(5000);
  o.connect_timeout = std::chrono::milliseconds(2000);
  return o;
}

using fluxstatus::testing::ScopedEnv;

}  // namespace

BOOST_AUTO_TEST_SUITE(CurlTransport)

BOOST_AUTO_TEST_CASE(sends_method_headers_and_body_as_given) {
  FakeGitHost host(FakeGitHost::Options{"t0ken", "", 1});
  dispatch::CurlTransport transport(Fast());
  const dispatch::HttpCall call = GitHubPost(host);
  const auto result = transport.Send(call);
  BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
  BOOST_TEST(result.reply->status == 201);
  BOOST_TEST(result.error.empty());
  BOOST_TEST(!result.uncertain);

  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  const auto& r = requests[0];
  BOOST_TEST(r.method == "POST");
  BOOST_TEST(r.target == "/api/v3/repos/o/r/statuses/" + std::string(kSha));
  BOOST_TEST(r.body == call.body);
  BOOST_TEST_REQUIRE(r.Header("authorization") != nullptr);
  BOOST_TEST(*r.Header("authorization") == "Bearer t0ken");
  BOOST_TEST_REQUIRE(r.Header("user-agent") != nullptr);
  BOOST_TEST(*r.Header("user-agent") == std::string("fluxstatus/") + FLUXSTATUS_VERSION);
  BOOST_TEST(r.Header("expect") == nullptr);  // no 100-continue round trip
}

BOOST_AUTO_TEST_CASE(adds_no_form_content_type_to_an_untyped_post) {
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  const auto result = transport.Send({"POST", host.BaseUrl() + "/api/v3/app/installations/1/access_tokens", {}, ""});
  BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].Header("content-type") == nullptr);
  BOOST_TEST_REQUIRE(requests[0].Header("content-length") != nullptr);
  BOOST_TEST(*requests[0].Header("content-length") == "0");
}

BOOST_AUTO_TEST_CASE(lower_cases_reply_header_names) {
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  const auto result = transport.Send(GitHubPost(host));
  BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
  for (const auto& [name, value] : result.reply->headers) {
    BOOST_TEST(std::none_of(name.begin(), name.end(), [](unsigned char c) { return std::isupper(c); }), name);
  }
  // The fake sends "Location" and "X-RateLimit-Remaining"; values keep their spelling.
  BOOST_TEST_REQUIRE(result.reply->Header("location") != nullptr);
  BOOST_TEST(result.reply->Header("location")->find("/api/v3/repos/o/r/statuses/") != std::string::npos);
  BOOST_TEST_REQUIRE(result.reply->Header("x-ratelimit-remaining") != nullptr);
  BOOST_TEST(*result.reply->Header("x-ratelimit-remaining") == "4999");
}

BOOST_AUTO_TEST_CASE(an_empty_reply_header_value_reads_as_empty) {
  // GitLab's last page has "X-Next-Page: " (empty); libcurl 7.88 handed its CR on as the value,
  // which read as "there is a next page".
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  const auto result = transport.Send({"GET", host.BaseUrl() + "/api/v4/projects/o%2Fr/deployments?page=1", {}, ""});
  BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
  BOOST_TEST_REQUIRE(result.reply->Header("x-next-page") != nullptr);
  BOOST_TEST(result.reply->Header("x-next-page")->empty());
  BOOST_TEST(*result.reply->Header("x-page") == "1");
}

BOOST_AUTO_TEST_CASE(reads_reuse_the_connection_and_each_write_opens_a_fresh_one) {
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  BOOST_TEST(transport.Send(GitHubPost(host)).reply.has_value());
  BOOST_TEST(transport.Send(GitHubList(host)).reply.has_value());
  BOOST_TEST(transport.Send(GitHubList(host)).reply.has_value());
  BOOST_TEST(transport.Send(GitHubPost(host, "failure")).reply.has_value());
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 4u);
  // Same client address and port: the GETs went over the POST's connection.
  BOOST_TEST(requests[1].remote == requests[0].remote);
  BOOST_TEST(requests[2].remote == requests[0].remote);
  // A POST never rides a reused connection (see the next case).
  BOOST_TEST(requests[3].remote != requests[0].remote);
  // The GETs carried no left-over POST settings.
  BOOST_TEST(requests[1].method == "GET");
  BOOST_TEST(requests[1].body.empty());
}

BOOST_AUTO_TEST_CASE(a_post_the_host_reads_and_drops_unanswered_is_uncertain_and_never_resent) {
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  BOOST_TEST_REQUIRE(transport.Send(GitHubList(host)).reply.has_value());  // a kept-alive connection
  host.DropConnectionAfterNextPosts(1);
  const auto result = transport.Send(GitHubPost(host));
  // libcurl re-sends a request silently when a reused connection dies before any answer byte:
  // for a POST the host has read, that is a second status, or (re-send refused) a send wrongly
  // called "certainly not sent".
  BOOST_TEST(!result.reply.has_value(), "answered " << (result.reply ? result.reply->status : 0));
  BOOST_TEST(result.uncertain, result.error);
  BOOST_TEST(result.error.find("may have reached the host") != std::string::npos, result.error);
  int posts = 0;
  for (const auto& r : host.Requests()) posts += r.method == "POST" ? 1 : 0;
  BOOST_TEST(posts == 1);
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 1u);
}

BOOST_AUTO_TEST_CASE(separate_transports_use_separate_connections) {
  FakeGitHost host;
  dispatch::CurlTransport first(Fast()), second(Fast());
  BOOST_TEST(first.Send(GitHubList(host)).reply.has_value());
  BOOST_TEST(second.Send(GitHubList(host)).reply.has_value());
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(requests[0].remote != requests[1].remote);
}

BOOST_AUTO_TEST_CASE(timeout_after_sending_is_uncertain) {
  FakeGitHost host;
  host.SetDelay(std::chrono::milliseconds(3000));
  dispatch::TransportOptions options = Fast();
  options.timeout = std::chrono::milliseconds(300);
  dispatch::CurlTransport transport(options);
  const auto result = transport.Send(GitHubPost(host));
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(result.uncertain);
  BOOST_TEST(result.error.find("Timeout was reached") != std::string::npos, result.error);
  BOOST_TEST(result.error.find("may have reached the host") != std::string::npos, result.error);
  BOOST_TEST(result.duration.count() >= 250);
  BOOST_TEST(result.duration.count() < 2500);
  // Why "uncertain" matters: the host did apply it.
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 1u);

  host.SetDelay(std::chrono::milliseconds(0));  // the handle recovers on a new connection
  const auto again = transport.Send(GitHubList(host));
  BOOST_TEST_REQUIRE(again.reply.has_value(), again.error);
  BOOST_TEST(again.reply->status == 200);
}

BOOST_AUTO_TEST_CASE(a_call_hanging_when_the_abort_flag_turns_is_cut_short_as_uncertain) {
  FakeGitHost host;
  host.SetDelay(std::chrono::milliseconds(10000));
  dispatch::CurlTransport transport(Fast());
  std::atomic<bool> stopping{false};
  transport.AbortWhen(&stopping);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stopping = true;
  });
  const auto result = transport.Send(GitHubPost(host));
  stopper.join();
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(result.uncertain, result.error);  // the host has it: a cut send is listed before the next
  BOOST_TEST(result.error.find("shutting down") != std::string::npos, result.error);
  BOOST_TEST(result.duration.count() < 2000);
  BOOST_TEST(host.Statuses(HostKind::kGitHub, "o/r", kSha).size() == 1u);
  // Once the flag is up nothing more is sent.
  const auto after = transport.Send(GitHubList(host));
  BOOST_TEST(!after.reply.has_value());
  BOOST_TEST(!after.uncertain);
  BOOST_TEST(host.Requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(refused_connection_is_certain_and_recovers_when_the_host_returns) {
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  BOOST_TEST(transport.Send(GitHubList(host)).reply.has_value());  // a live connection to drop
  host.SetDown(true);
  const auto first = transport.Send(GitHubPost(host));
  BOOST_TEST(!first.reply.has_value());
  // The pooled connection was closed by the host; curl notices, reconnects, and is refused.
  const auto refused =
      first.error.find("Couldn't connect") != std::string::npos ? first : transport.Send(GitHubPost(host));
  BOOST_TEST(!refused.reply.has_value());
  BOOST_TEST(refused.error.find("Couldn't connect") != std::string::npos, refused.error);
  BOOST_TEST(!refused.uncertain);

  host.SetDown(false);
  const auto back = transport.Send(GitHubPost(host));
  BOOST_TEST_REQUIRE(back.reply.has_value(), back.error);
  BOOST_TEST(back.reply->status == 201);
}

BOOST_AUTO_TEST_CASE(tls_handshake_failure_is_certain) {
  FakeGitHost host;  // speaks plain HTTP, so a TLS client hello gets no TLS answer
  dispatch::CurlTransport transport(Fast());
  auto call = GitHubList(host);
  call.url.replace(0, 4, "https");
  const auto result = transport.Send(call);
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(!result.error.empty());
  BOOST_TEST(!result.uncertain, result.error);
}

BOOST_AUTO_TEST_CASE(missing_ca_file_fails_before_sending) {
  FakeGitHost host;
  dispatch::TransportOptions options = Fast();
  options.ca_file = "/nonexistent/fluxstatus-ca.pem";
  dispatch::CurlTransport transport(options);
  auto call = GitHubList(host);
  call.url.replace(0, 4, "https");
  const auto result = transport.Send(call);
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(!result.uncertain, result.error);
}

BOOST_AUTO_TEST_CASE(oversized_answer_is_an_uncertain_error) {
  FakeGitHost host;
  host.FailNext(1, 200, {}, std::string(dispatch::CurlTransport::kMaxReplyBytes + 1, 'x'));
  dispatch::CurlTransport transport(Fast());
  const auto result = transport.Send(GitHubPost(host));
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(result.uncertain);
  BOOST_TEST(result.error.find("larger than") != std::string::npos, result.error);
  BOOST_TEST(result.error.find("HTTP 200") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_CASE(refuses_header_values_with_line_breaks) {
  FakeGitHost host;
  dispatch::CurlTransport transport(Fast());
  auto call = GitHubList(host);
  call.headers = {{"Authorization", "Bearer secret\r\nX-Injected: 1"}};
  const auto result = transport.Send(call);
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(!result.uncertain);
  BOOST_TEST(result.error.find("Authorization") != std::string::npos, result.error);
  BOOST_TEST(result.error.find("secret") == std::string::npos, result.error);
  BOOST_TEST(host.Requests().empty());
}

BOOST_AUTO_TEST_CASE(honours_http_proxy_from_the_environment) {
  FakeGitHost host;  // plays the proxy: it receives the absolute-form request
  const ScopedEnv proxy("http_proxy", host.BaseUrl());
  const ScopedEnv no_proxy("no_proxy", std::nullopt);
  const ScopedEnv no_proxy_upper("NO_PROXY", std::nullopt);
  dispatch::CurlTransport transport(Fast());
  const auto result =
      transport.Send({"GET", "http://git.example.invalid/api/v3/repos/o/r/commits/abc/statuses", {}, ""});
  BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].target == "http://git.example.invalid/api/v3/repos/o/r/commits/abc/statuses");
}

BOOST_AUTO_TEST_CASE(a_moved_transport_keeps_working) {
  FakeGitHost host;
  dispatch::CurlTransport first(Fast());
  BOOST_TEST(first.Send(GitHubList(host)).reply.has_value());
  dispatch::CurlTransport second = std::move(first);
  BOOST_TEST(second.Send(GitHubList(host)).reply.has_value());
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(requests[0].remote == requests[1].remote);
}

BOOST_AUTO_TEST_SUITE_END()
