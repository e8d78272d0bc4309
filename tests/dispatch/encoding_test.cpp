// The shared encodings and reply readers: UTF-8 caps, percent-encoding, Basic and SHA-1
// vectors, Retry-After and HTTP dates, error-text flattening, the hosts' state words.
#include <boost/test/unit_test.hpp>

#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/state_words.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus::dispatch;

BOOST_AUTO_TEST_SUITE(Encodings)

BOOST_AUTO_TEST_CASE(cap_text_counts_code_points_and_adds_an_ellipsis) {
  BOOST_TEST(CapText("hello", 5) == "hello");
  BOOST_TEST(CapText("hello!", 5) == "hell\xE2\x80\xA6");
  BOOST_TEST(CapText("h\xC3\xA9llo!", 3) == "h\xC3\xA9\xE2\x80\xA6");
  BOOST_TEST(CapText("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 1) == "\xE2\x80\xA6");
  BOOST_TEST(CapText("anything", 0) == "anything");
  BOOST_TEST(CapText("", 3) == "");
  BOOST_TEST(CapText("a\xC0\xAFz", 0) == "a\xEF\xBF\xBD\xEF\xBF\xBDz");              // overlong '/'
  BOOST_TEST(CapText("\xED\xA0\x80", 0) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  BOOST_TEST(CapText("\xE2\x82", 0) == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated sequence
}

BOOST_AUTO_TEST_CASE(percent_encoding_keeps_only_unreserved) {
  BOOST_TEST(PercentEncode("group/sub.proj_x-y~z") == "group%2Fsub.proj_x-y~z");
  BOOST_TEST(PercentEncode("a b&c=d?\xC3\xA9") == "a%20b%26c%3Dd%3F%C3%A9");
  BOOST_TEST(PercentDecode("My%20Project%2x%") == "My Project%2x%");
}

BOOST_AUTO_TEST_CASE(basic_auth_and_sha1_vectors) {
  BOOST_TEST(BasicAuth("", "pat") == "Basic OnBhdA==");
  BOOST_TEST(BasicAuth("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617
  BOOST_TEST(Sha1Hex("kustomization/apps/0c9c2e41") == "534add2e1e94c46fbe0f8e657ba36c652fa8d2dd");
  BOOST_TEST(Sha1Hex("kustomization/gitops-system/0c9c2e41") == "c99410a43c260fddd152a40c296bddfa0b8fd879");
}

BOOST_AUTO_TEST_CASE(retry_after_forms) {
  BOOST_TEST(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == std::optional<std::int64_t>(784111777));
  BOOST_TEST(!ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
  BOOST_TEST(!ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  BOOST_TEST(ParseRetryAfter(" 120 ", 0) == std::optional(std::chrono::seconds(120)));
  BOOST_TEST(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 50) ==
             std::optional(std::chrono::seconds(0)));
  BOOST_TEST(!ParseRetryAfter("-5", 0).has_value());
  BOOST_TEST(!ParseRetryAfter("1.5", 0).has_value());
  BOOST_TEST(!ParseRetryAfter("99999999999999999999", 0).has_value());
}

BOOST_AUTO_TEST_CASE(rate_headers_in_both_spellings) {
  const auto x = ReadRateLimit(HttpReply{200, {{"x-ratelimit-remaining", "7"}, {"x-ratelimit-reset", "100"}}, ""});
  BOOST_TEST(x.remaining == std::optional<std::int64_t>(7));
  BOOST_TEST(x.reset_epoch_s == std::optional<std::int64_t>(100));
  const auto plain = ReadRateLimit(HttpReply{200, {{"ratelimit-remaining", "3"}, {"ratelimit-reset", "junk"}}, ""});
  BOOST_TEST(plain.remaining == std::optional<std::int64_t>(3));
  BOOST_TEST(!plain.reset_epoch_s.has_value());
}

BOOST_AUTO_TEST_CASE(error_text_is_bounded_and_printable) {
  const auto noop = [](const rapidjson::Document&) { return std::string(); };
  const HttpReply html{502, {}, "<html>\r\n<body>\tBad   gateway</body>\n</html>"};
  BOOST_TEST(ReplyErrorText(html, noop) == "HTTP 502: <html> <body> Bad   gateway</body> </html>");
  const HttpReply huge{500, {}, std::string(5000, 'x')};
  BOOST_TEST(ReplyErrorText(huge, noop).size() < 260u);
  rapidjson::Document doc;
  BOOST_TEST(ParseJsonBody(R"({"a":["x",{"b":"y"}],"c":3,"d":null})", doc));
  BOOST_TEST(FlattenJsonText(doc) == "a: x; b: y; c: 3");
}

BOOST_AUTO_TEST_CASE(state_words_name_each_state_and_read_the_listed_words_back) {
  using fluxstatus::core::StatusState;
  struct Row {
    const StateWords& words;
    StatusState state;
    std::string_view posted;
    StatusState read_back;  // Bitbucket has no error state: FAILED reads back as failure
  };
  const Row rows[] = {
      {kGitHubStateWords, StatusState::kPending, "pending", StatusState::kPending},
      {kGitHubStateWords, StatusState::kSuccess, "success", StatusState::kSuccess},
      {kGitHubStateWords, StatusState::kFailure, "failure", StatusState::kFailure},
      {kGitHubStateWords, StatusState::kError, "error", StatusState::kError},
      {kBitbucketStateWords, StatusState::kPending, "INPROGRESS", StatusState::kPending},
      {kBitbucketStateWords, StatusState::kSuccess, "SUCCESSFUL", StatusState::kSuccess},
      {kBitbucketStateWords, StatusState::kFailure, "FAILED", StatusState::kFailure},
      {kBitbucketStateWords, StatusState::kError, "FAILED", StatusState::kFailure},
  };
  for (const Row& r : rows) {
    BOOST_TEST(r.words.Name(r.state) == r.posted);
    BOOST_TEST(static_cast<int>(r.words.Read(r.posted)) == static_cast<int>(r.read_back));
  }
  // Words a table does not know read as error; Gitea's "warning" reads as failure, GitHub's not.
  BOOST_TEST(static_cast<int>(kGiteaStateWords.Read("warning")) == static_cast<int>(StatusState::kFailure));
  BOOST_TEST(static_cast<int>(kGitHubStateWords.Read("warning")) == static_cast<int>(StatusState::kError));
  BOOST_TEST(static_cast<int>(kBitbucketStateWords.Read("STOPPED")) == static_cast<int>(StatusState::kError));
}

BOOST_AUTO_TEST_SUITE_END()
