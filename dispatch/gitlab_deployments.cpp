#include "dispatch/gitlab_deployments.h"

#include "core/compact_json.h"
#include "dispatch/gitlab.h"
#include "dispatch/gitlab_api.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

std::string_view StatusName(core::DeploymentState state) {
  switch (state) {
    case core::DeploymentState::kInProgress: return "running";
    case core::DeploymentState::kSuccess: return "success";
    case core::DeploymentState::kFailure: return "failed";
  }
  return "running";
}

// Only the statuses fluxstatus sets read as a state; created, blocked, canceled and skipped
// are not one it would ask for, so they never look like a desired state already in place.
std::optional<core::DeploymentState> StateOf(std::string_view status) {
  if (status == "running") return core::DeploymentState::kInProgress;
  if (status == "success") return core::DeploymentState::kSuccess;
  if (status == "failed") return core::DeploymentState::kFailure;
  return std::nullopt;
}

// GitLab's state machine: `run` only from created or blocked (and running is already there);
// succeed and drop from anything, their own state being a no-op the caller can see (4.4).
bool CanMoveTo(std::string_view status, core::DeploymentState desired) {
  if (desired != core::DeploymentState::kInProgress) return true;
  return status == "created" || status == "blocked" || status == "running";
}

// API-made deployments have `deployable: null`; a CI job's cannot be updated through the API.
bool MadeByCi(const rapidjson::Value& entry) {
  const auto it = entry.FindMember("deployable");
  return it != entry.MemberEnd() && !it->value.IsNull();
}

}  // namespace

GitLabDeployments::GitLabDeployments(std::string route, std::string_view address, std::string_view api_base)
    : route_(std::move(route)), endpoint_(GitLabProvider::ResolveAddress(route_, address, api_base)) {}

std::string GitLabDeployments::HostKey() const { return AuthorityOf(endpoint_.api_base); }

std::string GitLabDeployments::ProjectUrl() const { return endpoint_.api_base + "/projects/" + endpoint_.repo_id; }

HttpCall GitLabDeployments::BuildFind(const DesiredDeployment& d, const Credentials& creds, int page) const {
  return HttpCall{"GET",
                  ProjectUrl() + "/deployments?environment=" + PercentEncode(d.environment) +
                      "&order_by=id&sort=desc&per_page=100&page=" + std::to_string(page < 1 ? 1 : page),
                  GitLabHeaders(creds), ""};
}

DeploymentProvider::Found GitLabDeployments::InterpretFind(const HttpReply& reply, const DesiredDeployment& d,
                                                           std::int64_t now_epoch_s) const {
  Found found;
  found.outcome = ClassifyGitLabReply(reply, now_epoch_s);
  rapidjson::Document doc;
  if (!ReadJsonArray(reply, doc, found.outcome, "deployment list")) return found;
  const std::string sha = LowerAscii(d.commit_sha);
  for (const auto& entry : doc.GetArray()) {
    const auto id = IdMember(entry, "id");
    if (!id || MadeByCi(entry) || LowerAscii(StringMember(entry, "sha")) != sha) continue;
    const std::string status = StringMember(entry, "status");
    if (CanMoveTo(status, d.state)) {
      found.id = id;
      found.state = StateOf(status);
    }
    return found;  // newest first: older ones are not the one GitLab shows
  }
  found.more_pages = HasNextPage(reply);
  return found;
}

HttpCall GitLabDeployments::BuildCreate(const DesiredDeployment& d, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("environment", d.environment));
    ar(cereal::make_nvp("sha", d.commit_sha));
    ar(cereal::make_nvp("ref", d.ref.empty() ? d.commit_sha : d.ref));
    ar(cereal::make_nvp("tag", false));
    ar(cereal::make_nvp("status", std::string(StatusName(core::DeploymentState::kInProgress))));
  });
  return JsonPost(ProjectUrl() + "/deployments", GitLabHeaders(creds), body);
}

DeploymentProvider::Created GitLabDeployments::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  Created created;
  created.outcome = ClassifyGitLabReply(reply, now_epoch_s);
  created.id = CreatedId(reply, created.outcome, "GitLab");
  if (rapidjson::Document doc; created.id && ParseJsonBody(reply.body, doc)) {
    created.state = StateOf(StringMember(doc, "status"));
  }
  return created;
}

HttpCall GitLabDeployments::BuildState(const std::string& id, const DesiredDeployment& d,
                                       const Credentials& creds) const {
  const std::string body = core::CompactJson(
      [&](cereal::JSONOutputArchive& ar) { ar(cereal::make_nvp("status", std::string(StatusName(d.state)))); });
  return JsonCall("PUT", ProjectUrl() + "/deployments/" + PercentEncode(id), GitLabHeaders(creds), body);
}

SendOutcome GitLabDeployments::InterpretState(const HttpReply& reply, std::int64_t now_epoch_s) const {
  SendOutcome o = ClassifyGitLabReply(reply, now_epoch_s);
  if (RefusesTransition(o)) o.kind = OutcomeKind::kReconcile;
  return o;
}

HttpCall GitLabDeployments::BuildFindEnvironment(const DesiredDeployment& d, const Credentials& creds) const {
  return HttpCall{"GET", ProjectUrl() + "/environments?name=" + PercentEncode(d.environment), GitLabHeaders(creds), ""};
}

GitLabDeployments::FoundEnvironment GitLabDeployments::InterpretFindEnvironment(const HttpReply& reply,
                                                                                const DesiredDeployment& d,
                                                                                std::int64_t now_epoch_s) const {
  FoundEnvironment found;
  found.outcome = ClassifyGitLabReply(reply, now_epoch_s);
  rapidjson::Document doc;
  if (!ReadJsonArray(reply, doc, found.outcome, "environment list")) return found;
  for (const auto& entry : doc.GetArray()) {
    if (StringMember(entry, "name") != d.environment) continue;
    found.id = IdMember(entry, "id");
    if (!found.id) continue;
    found.external_url = StringMember(entry, "external_url");
    break;
  }
  return found;
}

HttpCall GitLabDeployments::BuildSetExternalUrl(const std::string& environment_id, const DesiredDeployment& d,
                                                const Credentials& creds) const {
  const std::string body = core::CompactJson(
      [&](cereal::JSONOutputArchive& ar) { ar(cereal::make_nvp("external_url", d.environment_url)); });
  return JsonCall("PUT", ProjectUrl() + "/environments/" + PercentEncode(environment_id), GitLabHeaders(creds), body);
}

SendOutcome GitLabDeployments::InterpretSetExternalUrl(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return ClassifyGitLabReply(reply, now_epoch_s);
}

}  // namespace fluxstatus::dispatch
