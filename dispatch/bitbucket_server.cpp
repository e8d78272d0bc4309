#include "dispatch/bitbucket_server.h"

#include "core/compact_json.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"
#include "dispatch/state_words.h"

namespace fluxstatus::dispatch {
namespace {

std::string ErrorText(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return {};
  const auto it = doc.FindMember("errors");
  if (it == doc.MemberEnd() || !it->value.IsArray()) return StringMember(doc, "message");
  std::string text;
  for (const auto& e : it->value.GetArray()) {
    const std::string one = StringMember(e, "message");
    if (one.empty()) continue;
    if (!text.empty()) text += "; ";
    text += one;
  }
  return text;
}

struct Parsed {
  RepoEndpoint endpoint;
  std::string browse_url;
};

Parsed Parse(std::string_view route, std::string_view address) {
  if (!address.starts_with("https://") && !address.starts_with("http://")) {
    ThrowConfigError(route, "bitbucketserver address '" + std::string(address) +
                                "' must be an http(s) clone URL (…/scm/PROJECT/repo.git)");
  }
  const core::GitAddress a = ParseRouteAddress(route, address);
  const auto segments = SplitPath(a.path);
  std::size_t scm = segments.size();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] == "scm") scm = i;  // the last one wins: a context may itself contain "scm"
  }
  if (scm == segments.size() || segments.size() != scm + 3) {
    ThrowConfigError(route, "bitbucketserver address '" + std::string(address) +
                                "' must end in /scm/PROJECT/repo (got '" + a.path + "')");
  }
  std::string root = a.scheme + "://" + a.host;
  if (scm > 0) root += "/" + JoinPath(segments, 0, scm);
  const std::string& project = segments[scm + 1];
  const std::string& slug = segments[scm + 2];
  return Parsed{RepoEndpoint{root + "/rest", project + "/" + slug}, root + "/projects/" + project + "/repos/" + slug};
}

}  // namespace

BitbucketServerProvider::BitbucketServerProvider(std::string route, std::string_view address)
    : route_(std::move(route)) {
  Parsed p = Parse(route_, address);
  endpoint_ = std::move(p.endpoint);
  browse_url_ = std::move(p.browse_url);
}

RepoEndpoint BitbucketServerProvider::ResolveAddress(std::string_view route, std::string_view address) {
  return Parse(route, address).endpoint;
}

std::string BitbucketServerProvider::HostKey() const { return AuthorityOf(endpoint_.api_base); }

std::vector<std::pair<std::string, std::string>> BitbucketServerProvider::Headers(const Credentials& creds) const {
  // X-Atlassian-Token: no-check keeps Bitbucket's XSRF filter from refusing a non-browser POST.
  return {{"Authorization", creds.username.empty() ? "Bearer " + creds.token : BasicAuth(creds.username, creds.token)},
          {"Accept", "application/json"},
          {"X-Atlassian-Token", "no-check"}};
}

std::string BitbucketServerProvider::BuildsUrl(const std::string& sha) const {
  const auto slash = endpoint_.repo_id.find('/');
  return endpoint_.api_base + "/api/latest/projects/" + endpoint_.repo_id.substr(0, slash) + "/repos/" +
         endpoint_.repo_id.substr(slash + 1) + "/commits/" + PercentEncode(sha) + "/builds";
}

HttpCall BitbucketServerProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string target = CapText(status.target_url, 0);
  const bool target_fits = !target.empty() && CapText(target, kUrlCap) == target;
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("key", Sha1Hex(status.key.context)));
    ar(cereal::make_nvp("state", std::string(kBitbucketStateWords.Name(status.state))));
    ar(cereal::make_nvp("name", CapText(status.key.context, kNameCap)));
    ar(cereal::make_nvp("url", target_fits ? target : browse_url_));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
  });
  return JsonPost(BuildsUrl(status.key.commit_sha), Headers(creds), body);
}

SendOutcome BitbucketServerProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return ClassifyReply(reply, now_epoch_s, ReplyErrorText(reply, ErrorText));
}

HttpCall BitbucketServerProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int /*page*/) const {
  HttpCall call;
  call.method = "GET";
  call.url = BuildsUrl(key.commit_sha) + "?key=" + Sha1Hex(key.context);
  call.headers = Headers(creds);
  return call;
}

Provider::ListPage BitbucketServerProvider::InterpretList(const HttpReply& reply, const core::StatusKey& /*key*/,
                                                          std::int64_t now_epoch_s) const {
  return ReadStatusByKey(reply, now_epoch_s, InterpretCreate(reply, now_epoch_s),
                         [](std::string_view word) { return kBitbucketStateWords.Read(word); });
}

HttpCall BitbucketServerProvider::BuildAccessCheck(const Credentials& creds) const {
  const auto slash = endpoint_.repo_id.find('/');
  return HttpCall{"GET",
                  endpoint_.api_base + "/api/latest/projects/" + endpoint_.repo_id.substr(0, slash) + "/repos/" +
                      endpoint_.repo_id.substr(slash + 1),
                  Headers(creds), ""};
}

}  // namespace fluxstatus::dispatch
