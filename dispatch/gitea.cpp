#include "dispatch/gitea.h"

#include "core/compact_json.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"
#include "dispatch/state_words.h"

namespace fluxstatus::dispatch {
namespace {

std::string ErrorText(const rapidjson::Document& doc) { return StringMember(doc, "message"); }

}  // namespace

GiteaProvider::GiteaProvider(std::string route, std::string_view address, std::string_view api_base)
    : route_(std::move(route)), endpoint_(ResolveAddress(route_, address, api_base)) {}

RepoEndpoint GiteaProvider::ResolveAddress(std::string_view route, std::string_view address,
                                           std::string_view api_base) {
  auto [base, repo] = ResolveApiRoot(route, "gitea", address, api_base, "/api/v1");
  if (SplitPath(repo).size() != 2) {
    ThrowConfigError(route,
                     "gitea address '" + std::string(address) + "' must name exactly owner/repo (got '" + repo + "')");
  }
  return RepoEndpoint{base, repo};
}

std::string GiteaProvider::HostKey() const { return AuthorityOf(endpoint_.api_base); }

std::vector<std::pair<std::string, std::string>> GiteaProvider::Headers(const Credentials& creds) const {
  return {{"Authorization", "token " + creds.token}, {"Accept", "application/json"}};
}

HttpCall GiteaProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", std::string(kGiteaStateWords.Name(status.state))));
    if (!status.target_url.empty()) ar(cereal::make_nvp("target_url", CapText(status.target_url, 0)));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
    ar(cereal::make_nvp("context", CapText(status.key.context, 0)));
  });
  return JsonPost(
      endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/statuses/" + PercentEncode(status.key.commit_sha),
      Headers(creds), body);
}

SendOutcome GiteaProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return ClassifyReply(reply, now_epoch_s, ReplyErrorText(reply, ErrorText));
}

HttpCall GiteaProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int page) const {
  HttpCall call;
  call.method = "GET";
  call.url = endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/commits/" + PercentEncode(key.commit_sha) +
             "/statuses?page=" + std::to_string(page < 1 ? 1 : page) + "&limit=" + std::to_string(kPageSize);
  call.headers = Headers(creds);
  return call;
}

Provider::ListPage GiteaProvider::InterpretList(const HttpReply& reply, const core::StatusKey& key,
                                                std::int64_t now_epoch_s) const {
  return ReadStatusArray(reply, InterpretCreate(reply, now_epoch_s), [&](const rapidjson::Value& list, ListPage& page) {
    const rapidjson::Value* best = nullptr;
    std::int64_t best_id = 0;
    for (const auto& entry : list.GetArray()) {
      if (!entry.IsObject() || StringMember(entry, "context") != key.context) continue;
      const auto id_it = entry.FindMember("id");
      const std::int64_t id = id_it != entry.MemberEnd() && id_it->value.IsInt64() ? id_it->value.GetInt64() : 0;
      if (best == nullptr || id > best_id) {
        best = &entry;
        best_id = id;
      }
    }
    if (best != nullptr) {
      // Gitea names the field "status" in answers (CommitStatus.State is json:"status").
      std::string state = StringMember(*best, "status");
      if (state.empty()) state = StringMember(*best, "state");
      page.newest_for_context = ObservedStatus{kGiteaStateWords.Read(state), StringMember(*best, "description")};
      return;
    }
    page.more_pages = LinkHasNext(reply.Header("link")) || list.Size() >= static_cast<unsigned>(kPageSize);
  });
}

HttpCall GiteaProvider::BuildAccessCheck(const Credentials& creds) const {
  return HttpCall{"GET", endpoint_.api_base + "/repos/" + endpoint_.repo_id, Headers(creds), ""};
}

}  // namespace fluxstatus::dispatch
