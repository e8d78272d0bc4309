#include "dispatch/github.h"

#include "core/compact_json.h"
#include "dispatch/github_api.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"
#include "dispatch/state_words.h"

namespace fluxstatus::dispatch {

GitHubProvider::GitHubProvider(std::string route, std::string_view address)
    : route_(std::move(route)), endpoint_(ResolveAddress(route_, address)) {}

RepoEndpoint GitHubProvider::ResolveAddress(std::string_view route, std::string_view address) {
  const core::GitAddress a = ParseRouteAddress(route, address);
  const auto segments = SplitPath(a.path);
  if (segments.size() != 2) {
    ThrowConfigError(
        route, "github address '" + std::string(address) + "' must name exactly owner/repo (got '" + a.path + "')");
  }
  const std::string host = LowerAscii(a.host);
  std::string base;
  if (host == "github.com" || host == "www.github.com") {
    base = "https://api.github.com";
  } else if (host.starts_with("api.")) {
    base = a.scheme + "://" + a.host;
  } else if (host.ends_with(".ghe.com")) {
    base = a.scheme + "://api." + a.host;
  } else {
    base = a.scheme + "://" + a.host + "/api/v3";
  }
  return RepoEndpoint{base, a.path};
}

std::string GitHubProvider::HostKey() const { return AuthorityOf(endpoint_.api_base); }

HttpCall GitHubProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", std::string(kGitHubStateWords.Name(status.state))));
    if (!status.target_url.empty()) ar(cereal::make_nvp("target_url", status.target_url));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
    ar(cereal::make_nvp("context", CapText(status.key.context, 0)));
  });
  return JsonPost(
      endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/statuses/" + PercentEncode(status.key.commit_sha),
      GitHubHeaders(creds), body);
}

SendOutcome GitHubProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return ClassifyGitHubReply(reply, now_epoch_s);
}

HttpCall GitHubProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int page) const {
  HttpCall call;
  call.method = "GET";
  call.url = endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/commits/" + PercentEncode(key.commit_sha) +
             "/statuses?per_page=100&page=" + std::to_string(page < 1 ? 1 : page);
  call.headers = GitHubHeaders(creds);
  return call;
}

Provider::ListPage GitHubProvider::InterpretList(const HttpReply& reply, const core::StatusKey& key,
                                                 std::int64_t now_epoch_s) const {
  return ReadStatusArray(
      reply, ClassifyGitHubReply(reply, now_epoch_s), [&](const rapidjson::Value& list, ListPage& page) {
        const std::string wanted = LowerAscii(key.context);
        for (const auto& entry : list.GetArray()) {
          if (!entry.IsObject() || LowerAscii(StringMember(entry, "context")) != wanted) continue;
          page.newest_for_context =
              ObservedStatus{kGitHubStateWords.Read(StringMember(entry, "state")), StringMember(entry, "description")};
          return;
        }
        page.more_pages = LinkHasNext(reply.Header("link"));
      });
}

HttpCall GitHubProvider::BuildAccessCheck(const Credentials& creds) const {
  return HttpCall{"GET", endpoint_.api_base + "/repos/" + endpoint_.repo_id, GitHubHeaders(creds), ""};
}

}  // namespace fluxstatus::dispatch
