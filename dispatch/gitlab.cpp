#include "dispatch/gitlab.h"

#include "core/compact_json.h"
#include "dispatch/gitlab_api.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

std::string_view StateName(core::StatusState s) {
  switch (s) {
    case core::StatusState::kPending: return "pending";
    case core::StatusState::kSuccess: return "success";
    case core::StatusState::kFailure: return "failed";
    case core::StatusState::kError: return "failed";  // GitLab has no separate error state
  }
  return "failed";
}

core::StatusState StateFromName(std::string_view name) {
  if (name == "success") return core::StatusState::kSuccess;
  if (name == "failed") return core::StatusState::kFailure;
  if (name == "pending" || name == "running" || name == "created" || name == "preparing" ||
      name == "waiting_for_resource" || name == "scheduled") {
    return core::StatusState::kPending;
  }
  return core::StatusState::kError;  // canceled, skipped, manual, unknown
}

std::optional<std::int64_t> IdOf(const rapidjson::Value& entry) {
  const auto it = entry.FindMember("id");
  if (it == entry.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

}  // namespace

GitLabProvider::GitLabProvider(std::string route, std::string_view address, std::string_view api_base)
    : route_(std::move(route)), endpoint_(ResolveAddress(route_, address, api_base)) {}

RepoEndpoint GitLabProvider::ResolveAddress(std::string_view route, std::string_view address,
                                            std::string_view api_base) {
  auto [base, project] = ResolveApiRoot(route, "gitlab", address, api_base, "/api/v4");
  if (project.empty()) ThrowConfigError(route, "gitlab address '" + std::string(address) + "' names no project");
  return RepoEndpoint{base, PercentEncode(project)};
}

std::string GitLabProvider::HostKey() const { return AuthorityOf(endpoint_.api_base); }

HttpCall GitLabProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string url = CapText(status.target_url, 0);
  const bool send_url = !url.empty() && CapText(url, kTargetUrlCap) == url;
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", std::string(StateName(status.state))));
    ar(cereal::make_nvp("name", CapText(status.key.context, 0)));
    if (send_url) ar(cereal::make_nvp("target_url", url));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
  });
  return JsonPost(
      endpoint_.api_base + "/projects/" + endpoint_.repo_id + "/statuses/" + PercentEncode(status.key.commit_sha),
      GitLabHeaders(creds), body);
}

SendOutcome GitLabProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  SendOutcome o = ClassifyGitLabReply(reply, now_epoch_s);
  if (reply.status == 409) {
    o.kind = OutcomeKind::kRetry;
  } else if (RefusesTransition(o)) {
    o.kind = OutcomeKind::kReconcile;
  }
  return o;
}

HttpCall GitLabProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int page) const {
  HttpCall call;
  call.method = "GET";
  call.url = endpoint_.api_base + "/projects/" + endpoint_.repo_id + "/repository/commits/" +
             PercentEncode(key.commit_sha) + "/statuses?name=" + PercentEncode(key.context) +
             "&all=true&order_by=id&sort=desc&per_page=100&page=" + std::to_string(page < 1 ? 1 : page);
  call.headers = GitLabHeaders(creds);
  return call;
}

Provider::ListPage GitLabProvider::InterpretList(const HttpReply& reply, const core::StatusKey& key,
                                                 std::int64_t now_epoch_s) const {
  SendOutcome classified = ClassifyGitLabReply(reply, now_epoch_s);
  return ReadStatusArray(reply, std::move(classified), [&](const rapidjson::Value& list, ListPage& page) {
    const bool more = HasNextPage(reply);
    const rapidjson::Value* best = nullptr;
    std::int64_t best_id = 0;
    std::optional<std::int64_t> previous_id;
    bool ascending = true;
    int matches = 0;
    for (const auto& entry : list.GetArray()) {
      if (!entry.IsObject() || StringMember(entry, "name") != key.context) continue;
      const std::int64_t id = IdOf(entry).value_or(0);
      if (previous_id && id <= *previous_id) ascending = false;
      previous_id = id;
      ++matches;
      if (best == nullptr || id > best_id) {
        best = &entry;
        best_id = id;
      }
    }
    if (best != nullptr && !(more && matches >= 2 && ascending)) {
      page.newest_for_context =
          ObservedStatus{StateFromName(StringMember(*best, "status")), StringMember(*best, "description")};
      return;
    }
    page.more_pages = more;
  });
}

HttpCall GitLabProvider::BuildAccessCheck(const Credentials& creds) const {
  return HttpCall{"GET", endpoint_.api_base + "/projects/" + endpoint_.repo_id, GitLabHeaders(creds), ""};
}

}  // namespace fluxstatus::dispatch
