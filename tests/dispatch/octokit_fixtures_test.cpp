// Real recorded GitHub traffic (@octokit/fixtures, MIT, recorded 2022-07-19 against
// api.github.com) fed to GitHubProvider: status codes, X-RateLimit-* headers and bodies nobody
// on this team wrote. The fixtures are read as data; nothing is replayed over the network.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "dispatch/github.h"
#include "tests/dispatch/conformance_env.h"
#include "tests/dispatch/test_support.h"

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using namespace fluxstatus::dispatch::testing;

namespace {

std::filesystem::path Scenario(std::string_view name) {
  return ConformanceDir() / "node_modules/@octokit/fixtures/scenarios/api.github.com" / name / "raw-fixture.json";
}

rapidjson::Document LoadJson(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(ss.str().c_str());
  BOOST_TEST_REQUIRE(doc.IsArray(), path.string() << " is not a JSON array");
  return doc;
}

std::string Field(const rapidjson::Value& v, const char* name) {
  return v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

// One recorded exchange's answer as the transport would hand it over (names lower-cased).
HttpReply RecordedReply(const rapidjson::Value& exchange) {
  HttpReply reply;
  reply.status = exchange["status"].GetInt();
  const auto& raw = exchange["rawHeaders"];
  for (rapidjson::SizeType i = 0; i + 1 < raw.Size(); i += 2) {
    std::string name = raw[i].GetString();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers.emplace_back(name, raw[i + 1].GetString());
  }
  const auto& response = exchange["response"];
  if (response.IsString()) {
    reply.body = response.GetString();
  } else {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
    response.Accept(writer);
    reply.body = buf.GetString();
  }
  return reply;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(OctokitFixtures, *boost::unit_test::precondition(ToolPresentOrCi{
                                           ConformanceDir() / "node_modules/@octokit/fixtures", "@octokit/fixtures"}))

BOOST_AUTO_TEST_CASE(create_status_scenario_is_delivered_and_listed) {
  const auto path = Scenario("create-status");
  if (!RequireTool(path, "@octokit/fixtures")) return;
  const auto doc = LoadJson(path);
  int creates = 0, lists = 0;
  for (const auto& exchange : doc.GetArray()) {
    const std::string method = Field(exchange, "method"), url_path = Field(exchange, "path");
    const auto slash = url_path.find('/', std::string("/repos/octokit-fixture-org/").size());
    if (!url_path.starts_with("/repos/") || slash == std::string::npos) continue;
    const std::string repo_path = url_path.substr(std::string("/repos/").size(), slash - 7);
    const GitHubProvider gh("fixture", "https://github.com/" + repo_path);
    const HttpReply reply = RecordedReply(exchange);
    if (method == "post" && url_path.find("/statuses/") != std::string::npos) {
      ++creates;
      const auto& sent = exchange["body"];
      const std::string sha = url_path.substr(url_path.rfind('/') + 1);
      const DesiredStatus desired{core::StatusKey{"fixture", repo_path, sha, Field(sent, "context")},
                                  *core::StatusStateFromString(Field(sent, "state")), Field(sent, "description"),
                                  Field(sent, "target_url")};
      // Our request for the same status matches the recorded one field for field.
      const HttpCall call = gh.BuildCreate(desired, {"0000000000000000000000000000000000000001", ""});
      BOOST_TEST(call.url == "https://api.github.com" + url_path);
      const auto ours = ParseBody(call.body);
      for (const char* name : {"state", "target_url", "description", "context"}) {
        BOOST_TEST(BodyString(ours, name) == Field(sent, name), name);
      }
      const SendOutcome o = gh.InterpretCreate(reply, kNow);
      BOOST_TEST(o.kind == OutcomeKind::kSynced);
      BOOST_TEST(o.http_status == 201);
      BOOST_TEST(o.rate.reset_epoch_s == std::optional<std::int64_t>(1658208999));
      BOOST_TEST(o.rate.remaining.has_value());
      BOOST_TEST((o.rate.remaining == 4976 || o.rate.remaining == 4975));
      BOOST_TEST(!o.host_exhausted);
      BOOST_TEST(!o.retry_after.has_value());
    } else if (method == "get" && url_path.ends_with("/statuses")) {
      ++lists;
      const std::string sha = url_path.substr(url_path.find("/commits/") + 9, 40);
      const auto failure = gh.InterpretList(reply, core::StatusKey{"fixture", repo_path, sha, "example/1"}, kNow);
      BOOST_TEST(failure.outcome.kind == OutcomeKind::kSynced);
      BOOST_TEST(failure.outcome.rate.remaining == std::optional<std::int64_t>(4974));
      BOOST_TEST_REQUIRE(failure.newest_for_context.has_value());
      BOOST_TEST(failure.newest_for_context->state == core::StatusState::kFailure);
      BOOST_TEST(failure.newest_for_context->description == "create-status failure test");
      const auto success = gh.InterpretList(reply, core::StatusKey{"fixture", repo_path, sha, "EXAMPLE/2"}, kNow);
      BOOST_TEST_REQUIRE(success.newest_for_context.has_value());
      BOOST_TEST(success.newest_for_context->state == core::StatusState::kSuccess);
      const auto absent = gh.InterpretList(reply, core::StatusKey{"fixture", repo_path, sha, "example/3"}, kNow);
      BOOST_TEST(!absent.newest_for_context.has_value());
      BOOST_TEST(!absent.more_pages);  // the recording has no Link header
    }
  }
  BOOST_TEST(creates == 2);
  BOOST_TEST(lists == 1);
}

BOOST_AUTO_TEST_CASE(rate_budget_from_recorded_headers_pauses_after_reset_math) {
  const auto path = Scenario("create-status");
  if (!RequireTool(path, "@octokit/fixtures")) return;
  const auto doc = LoadJson(path);
  HttpReply reply = RecordedReply(doc[2]);
  for (auto& [name, value] : reply.headers) {
    if (name == "x-ratelimit-remaining") value = "0";
  }
  const GitHubProvider gh("fixture", "https://github.com/o/r");
  const SendOutcome o = gh.InterpretCreate(reply, 1658208999 - 120);
  BOOST_TEST(o.kind == OutcomeKind::kSynced);
  BOOST_TEST(o.host_exhausted);
  BOOST_TEST(o.retry_after == std::optional(std::chrono::seconds(120)));
}

BOOST_AUTO_TEST_CASE(errors_scenario_422_is_permanent_with_the_message) {
  const auto path = Scenario("errors");
  if (!RequireTool(path, "@octokit/fixtures")) return;
  const auto doc = LoadJson(path);
  int seen = 0;
  for (const auto& exchange : doc.GetArray()) {
    if (exchange["status"].GetInt() != 422) continue;
    ++seen;
    const SendOutcome o =
        GitHubProvider("fixture", "https://github.com/o/r").InterpretCreate(RecordedReply(exchange), kNow);
    BOOST_TEST(o.kind == OutcomeKind::kPermanent);
    BOOST_TEST(o.http_status == 422);
    BOOST_TEST(o.error == "Validation Failed: invalid (Label.color)");
  }
  BOOST_TEST(seen == 1);
}

BOOST_AUTO_TEST_SUITE_END()
