#include "dispatch/bitbucket.h"

#include "core/compact_json.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"
#include "dispatch/state_words.h"

namespace fluxstatus::dispatch {
namespace {

// {"type": "error", "error": {"message": "...", "detail": "..."}}
std::string ErrorText(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return {};
  const auto it = doc.FindMember("error");
  if (it == doc.MemberEnd()) return {};
  if (!it->value.IsObject()) return FlattenJsonText(it->value);
  std::string text = StringMember(it->value, "message");
  const std::string detail = StringMember(it->value, "detail");
  if (!detail.empty()) text += text.empty() ? detail : ": " + detail;
  return text;
}

}  // namespace

BitbucketProvider::BitbucketProvider(std::string route, std::string_view address)
    : route_(std::move(route)), endpoint_(ResolveAddress(route_, address)) {
  const core::GitAddress a = ParseRouteAddress(route_, address);
  const std::string host = LowerAscii(a.host);
  web_url_ = (host == "bitbucket.org" || host == "www.bitbucket.org" ? std::string("https://bitbucket.org")
                                                                     : a.scheme + "://" + a.host) +
             "/" + a.path;
}

RepoEndpoint BitbucketProvider::ResolveAddress(std::string_view route, std::string_view address) {
  const core::GitAddress a = ParseRouteAddress(route, address);
  if (SplitPath(a.path).size() != 2) {
    ThrowConfigError(route, "bitbucket address '" + std::string(address) + "' must name exactly workspace/repo (got '" +
                                a.path + "')");
  }
  const std::string host = LowerAscii(a.host);
  const std::string base = host == "bitbucket.org" || host == "www.bitbucket.org"
                               ? std::string("https://api.bitbucket.org/2.0")
                               : a.scheme + "://" + a.host + "/2.0";
  return RepoEndpoint{base, a.path};
}

std::string BitbucketProvider::HostKey() const { return AuthorityOf(endpoint_.api_base); }

std::vector<std::pair<std::string, std::string>> BitbucketProvider::Headers(const Credentials& creds) const {
  std::string auth;
  if (!creds.username.empty()) {
    auth = BasicAuth(creds.username, creds.token);
  } else if (const auto colon = creds.token.find(':'); colon != std::string::npos) {
    auth = BasicAuth(std::string_view(creds.token).substr(0, colon), std::string_view(creds.token).substr(colon + 1));
  } else {
    auth = "Bearer " + creds.token;
  }
  return {{"Authorization", auth}, {"Accept", "application/json"}};
}

std::string BitbucketProvider::CommitPath(const std::string& sha) const {
  return endpoint_.api_base + "/repositories/" + endpoint_.repo_id + "/commit/" + PercentEncode(sha) +
         "/statuses/build";
}

HttpCall BitbucketProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("key", Sha1Hex(status.key.context)));
    ar(cereal::make_nvp("state", std::string(kBitbucketStateWords.Name(status.state))));
    ar(cereal::make_nvp("name", CapText(status.key.context, kNameCap)));
    ar(cereal::make_nvp("url", status.target_url.empty() ? web_url_ : CapText(status.target_url, 0)));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
  });
  return JsonPost(CommitPath(status.key.commit_sha), Headers(creds), body);
}

SendOutcome BitbucketProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return ClassifyReply(reply, now_epoch_s, ReplyErrorText(reply, ErrorText));
}

HttpCall BitbucketProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int /*page*/) const {
  HttpCall call;
  call.method = "GET";
  call.url = CommitPath(key.commit_sha) + "/" + Sha1Hex(key.context);
  call.headers = Headers(creds);
  return call;
}

Provider::ListPage BitbucketProvider::InterpretList(const HttpReply& reply, const core::StatusKey& /*key*/,
                                                    std::int64_t now_epoch_s) const {
  return ReadStatusByKey(reply, now_epoch_s, InterpretCreate(reply, now_epoch_s),
                         [](std::string_view word) { return kBitbucketStateWords.Read(word); });
}

HttpCall BitbucketProvider::BuildAccessCheck(const Credentials& creds) const {
  return HttpCall{"GET", endpoint_.api_base + "/repositories/" + endpoint_.repo_id, Headers(creds), ""};
}

}  // namespace fluxstatus::dispatch
