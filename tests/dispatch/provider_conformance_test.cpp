// The provider conformance suite: every Git host provider must build well-formed create and
// list calls and classify every class of answer (garbage included) the same way.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/dispatch/test_support.h"

namespace bdata = boost::unit_test::data;
using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

BOOST_AUTO_TEST_SUITE(ProviderConformance)

BOOST_DATA_TEST_CASE(create_request_is_well_formed_for_every_state, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  BOOST_TEST(provider->Kind() == host.kind);
  BOOST_TEST(!provider->HostKey().empty());
  BOOST_TEST(provider->Endpoint().api_base.starts_with("https://"));
  const std::pair<core::StatusState, std::string> states[] = {{core::StatusState::kPending, host.pending},
                                                              {core::StatusState::kSuccess, host.success},
                                                              {core::StatusState::kFailure, host.failure},
                                                              {core::StatusState::kError, host.error}};
  for (const auto& [state, name] : states) {
    const HttpCall call = provider->BuildCreate(Desired(state), host.creds);
    BOOST_TEST(call.method == "POST");
    BOOST_TEST(call.url.starts_with(provider->Endpoint().api_base + "/"));
    BOOST_TEST(call.url.find(kSha) != std::string::npos);
    const auto auth = CallHeader(call, host.auth_header);
    BOOST_TEST_REQUIRE(auth.has_value());
    BOOST_TEST(!auth->empty());
    BOOST_TEST(CallHeader(call, "Content-Type") == std::optional<std::string>("application/json"));
    BOOST_TEST(!CallHeader(call, "User-Agent").has_value());  // the transport's job
    const auto body = ParseBody(call.body);
    BOOST_TEST_REQUIRE(body.IsObject());
    BOOST_TEST(BodyString(body, host.state_field) == name);
    BOOST_TEST(BodyString(body, host.context_field) == "kustomization/apps/0c9c2e41");
    BOOST_TEST(BodyString(body, "description") == "reconciliation succeeded");
  }
}

BOOST_DATA_TEST_CASE(description_is_capped_on_a_character_boundary, bdata::make(AllHosts()), host) {
  std::string long_text;
  for (int i = 0; i < 400; ++i) long_text += "\xC3\xA9";  // "é": two bytes, one character
  const auto call = Make(host)->BuildCreate(Desired(core::StatusState::kFailure, long_text), host.creds);
  const auto body = ParseBody(call.body);
  BOOST_TEST_REQUIRE(body.IsObject());
  const std::string description = BodyString(body, "description");
  BOOST_TEST(CodePoints(description) == host.description_cap);
  BOOST_TEST(description.ends_with("\xE2\x80\xA6"));
}

BOOST_DATA_TEST_CASE(invalid_utf8_never_reaches_the_body, bdata::make(AllHosts()), host) {
  const auto call =
      Make(host)->BuildCreate(Desired(core::StatusState::kSuccess, "bad \xFF\xC3 bytes", "ctx/\xE2\x82"), host.creds);
  const auto body = ParseBody(call.body);  // RapidJSON's default parse does not validate, so check bytes
  BOOST_TEST_REQUIRE(body.IsObject());
  BOOST_TEST(call.body.find('\xFF') == std::string::npos);
  BOOST_TEST(BodyString(body, "description") == "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

BOOST_DATA_TEST_CASE(list_request_is_a_get_with_credentials, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  const HttpCall call = provider->BuildList(Key(), host.creds, 1);
  BOOST_TEST(call.method == "GET");
  BOOST_TEST(call.body.empty());
  BOOST_TEST(call.url.starts_with(provider->Endpoint().api_base + "/"));
  BOOST_TEST(call.url.find(kSha) != std::string::npos);
  BOOST_TEST(CallHeader(call, host.auth_header).has_value());
}

BOOST_DATA_TEST_CASE(status_classes_map_to_outcome_kinds, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  struct Row {
    int status;
    OutcomeKind kind;
  };
  const Row rows[] = {{200, OutcomeKind::kSynced},    {201, OutcomeKind::kSynced},    {204, OutcomeKind::kSynced},
                      {401, OutcomeKind::kPermanent}, {403, OutcomeKind::kPermanent}, {404, OutcomeKind::kPermanent},
                      {422, OutcomeKind::kPermanent}, {408, OutcomeKind::kRetry},     {429, OutcomeKind::kRetry},
                      {500, OutcomeKind::kRetry},     {502, OutcomeKind::kRetry},     {503, OutcomeKind::kRetry},
                      {0, OutcomeKind::kRetry},       {301, OutcomeKind::kPermanent}};
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT("HTTP " << row.status) {
      const SendOutcome o = provider->InterpretCreate(Reply(row.status), kNow);
      BOOST_TEST(static_cast<int>(o.kind) == static_cast<int>(row.kind));
      BOOST_TEST(o.http_status == row.status);
      BOOST_TEST(o.error.empty() == (row.status >= 200 && row.status < 300));
      BOOST_TEST(o.host_exhausted == (row.status == 429));
    }
  }
}

BOOST_DATA_TEST_CASE(retry_after_seconds_and_http_date_are_honoured, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  const auto secs = provider->InterpretCreate(Reply(429, {{"retry-after", "17"}}), kNow);
  BOOST_TEST(secs.kind == OutcomeKind::kRetry);
  BOOST_TEST(secs.retry_after == std::optional(std::chrono::seconds(17)));
  BOOST_TEST(secs.host_exhausted);
  // kNow + 90 s as an IMF-fixdate.
  const auto date = provider->InterpretCreate(Reply(503, {{"retry-after", "Tue, 19 Jul 2022 05:21:30 GMT"}}), kNow);
  BOOST_TEST(date.kind == OutcomeKind::kRetry);
  BOOST_TEST(date.retry_after == std::optional(std::chrono::seconds(90)));
  BOOST_TEST(!date.host_exhausted);
  const auto junk = provider->InterpretCreate(Reply(503, {{"retry-after", "soon"}}), kNow);
  BOOST_TEST(!junk.retry_after.has_value());
}

BOOST_DATA_TEST_CASE(garbage_bodies_give_an_outcome_and_a_readable_error, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  const std::string bodies[] = {"",
                                "not json",
                                "{",
                                "[1,2",
                                "null",
                                "42",
                                "\"str\"",
                                "[]",
                                "{}",
                                "{\"message\":{\"a\":[1,{\"b\":null}]}}",
                                "{\"error\":7}",
                                "{\"errors\":\"x\"}",
                                "<html><body>Bad gateway</body></html>",
                                std::string("\x00\x01\xFF", 3)};
  for (const auto& body : bodies) {
    BOOST_TEST_CONTEXT("body " << body) {
      const SendOutcome bad = provider->InterpretCreate(Reply(400, {}, body), kNow);
      BOOST_TEST(bad.kind == OutcomeKind::kPermanent);
      BOOST_TEST(!bad.error.empty());
      BOOST_TEST(bad.error.size() <= 1500);
      const SendOutcome ok = provider->InterpretCreate(Reply(201, {}, body), kNow);
      BOOST_TEST(ok.kind == OutcomeKind::kSynced);  // a 2xx is success whatever its body says
      const auto page = provider->InterpretList(Reply(200, {}, body), Key(), kNow);
      BOOST_TEST(!page.newest_for_context.has_value());
      if (page.outcome.kind != OutcomeKind::kSynced) BOOST_TEST(!page.outcome.error.empty());
    }
  }
}

BOOST_DATA_TEST_CASE(list_failures_are_classified_like_creates, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  const auto limited = provider->InterpretList(Reply(429, {{"retry-after", "5"}}), Key(), kNow);
  BOOST_TEST(limited.outcome.kind == OutcomeKind::kRetry);
  BOOST_TEST(limited.outcome.retry_after == std::optional(std::chrono::seconds(5)));
  BOOST_TEST(!limited.more_pages);
  const auto denied = provider->InterpretList(Reply(401, {}, "{\"message\":\"Bad credentials\"}"), Key(), kNow);
  BOOST_TEST(denied.outcome.kind == OutcomeKind::kPermanent);
  BOOST_TEST(!denied.newest_for_context.has_value());
}

BOOST_DATA_TEST_CASE(build_calls_never_throw_on_odd_inputs, bdata::make(AllHosts()), host) {
  const auto provider = Make(host);
  const Credentials empty{};
  BOOST_CHECK_NO_THROW(provider->BuildCreate(Desired(core::StatusState::kError, "", "", ""), empty));
  BOOST_CHECK_NO_THROW(provider->BuildList(Key(""), empty, 0));
  BOOST_CHECK_NO_THROW(provider->BuildList(Key("a/b?c=d&e"), empty, 1000));
}

BOOST_AUTO_TEST_SUITE_END()
