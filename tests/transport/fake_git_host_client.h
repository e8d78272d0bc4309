// What the fake Git host's deployments tests share: a client sending through the real libcurl
// transport, JSON bodies written with cereal and answers read with RapidJSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "core/compact_json.h"
#include "dispatch/http_transport.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::testing::fake_client {

using Ar = cereal::JSONOutputArchive;
using cereal::make_nvp;

constexpr const char* kSha = "89abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kOtherSha = "0123456789abcdef0123456789abcdef01234567";

struct Client {
  explicit Client(FakeGitHost& h) : host(h) {}

  FakeGitHost& host;
  dispatch::CurlTransport transport{dispatch::TransportOptions{}};
  std::vector<std::pair<std::string, std::string>> headers;

  dispatch::HttpReply Call(const std::string& method, const std::string& path, const std::string& body = {},
                           const char* type = "application/json") {
    auto h = headers;
    if (!body.empty()) h.emplace_back("Content-Type", type);
    auto result = transport.Send({method, host.BaseUrl() + path, h, body});
    BOOST_TEST_REQUIRE(result.reply.has_value(), result.error);
    return *result.reply;
  }
};

template <class Write>
std::string Json(Write&& write) {
  return core::CompactJson(std::forward<Write>(write));
}

inline rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError(), body);
  return doc;
}

inline std::string Str(const rapidjson::Value& v, const char* name) { return v[name].GetString(); }

}  // namespace fluxstatus::testing::fake_client
