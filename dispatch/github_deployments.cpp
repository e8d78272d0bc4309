#include "dispatch/github_deployments.h"

#include <string>

#include "core/compact_json.h"
#include "dispatch/github.h"
#include "dispatch/github_api.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

// The error a 202 gets: the host made no deployment, and retrying would not make one either.
std::string AutoMergeError(const HttpReply& reply) {
  rapidjson::Document doc;
  const std::string message = ParseJsonBody(reply.body, doc) ? StringMember(doc, "message") : std::string();
  std::string text = "GitHub created no deployment: it answered 202 (an auto-merge of the default branch";
  if (!message.empty()) text += ": " + message;
  return CapText(text + "), though fluxstatus sends auto_merge: false", 255);
}

}  // namespace

GitHubDeployments::GitHubDeployments(std::string route, std::string_view address)
    : route_(std::move(route)), endpoint_(GitHubProvider::ResolveAddress(route_, address)) {}

std::string GitHubDeployments::HostKey() const { return AuthorityOf(endpoint_.api_base); }

std::string GitHubDeployments::DeploymentsUrl() const {
  return endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/deployments";
}

HttpCall GitHubDeployments::BuildFind(const DesiredDeployment& d, const Credentials& creds, int page) const {
  return HttpCall{"GET",
                  DeploymentsUrl() + "?sha=" + PercentEncode(d.commit_sha) + "&environment=" +
                      PercentEncode(d.environment) + "&per_page=100&page=" + std::to_string(page < 1 ? 1 : page),
                  GitHubHeaders(creds), ""};
}

DeploymentProvider::Found GitHubDeployments::InterpretFind(const HttpReply& reply, const DesiredDeployment& d,
                                                           std::int64_t now_epoch_s) const {
  Found found;
  found.outcome = ClassifyGitHubReply(reply, now_epoch_s);
  rapidjson::Document doc;
  if (!ReadJsonArray(reply, doc, found.outcome, "deployment list")) return found;
  const std::string sha = LowerAscii(d.commit_sha), environment = LowerAscii(d.environment);
  std::uint64_t best = 0;
  for (const auto& entry : doc.GetArray()) {
    const auto id = IdMember(entry, "id");
    if (!id || LowerAscii(StringMember(entry, "sha")) != sha ||
        LowerAscii(StringMember(entry, "environment")) != environment) {
      continue;
    }
    // Several can exist (one made by hand, say); the newest is the one GitHub shows.
    if (const std::uint64_t value = std::stoull(*id); !found.id || value > best) {
      best = value;
      found.id = id;
    }
  }
  if (!found.id) found.more_pages = LinkHasNext(reply.Header("link"));
  return found;
}

HttpCall GitHubDeployments::BuildCreate(const DesiredDeployment& d, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("ref", d.commit_sha));
    ar(cereal::make_nvp("environment", d.environment));
    ar(cereal::make_nvp("auto_merge", false));
    ar(cereal::make_nvp("required_contexts", std::vector<std::string>{}));
    ar(cereal::make_nvp("description", CapText(d.description, kDescriptionCap)));
    ar(cereal::make_nvp("production_environment", d.production));
    ar(cereal::make_nvp("transient_environment", d.transient));
  });
  return JsonPost(DeploymentsUrl(), GitHubHeaders(creds), body);
}

DeploymentProvider::Created GitHubDeployments::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  Created created;
  created.outcome = ClassifyGitHubReply(reply, now_epoch_s);
  if (reply.status == 202) {
    created.outcome.kind = OutcomeKind::kPermanent;
    created.outcome.error = AutoMergeError(reply);
    return created;
  }
  created.id = CreatedId(reply, created.outcome, "GitHub");
  return created;
}

HttpCall GitHubDeployments::BuildState(const std::string& id, const DesiredDeployment& d,
                                       const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", std::string(core::ToString(d.state))));
    ar(cereal::make_nvp("description", CapText(d.description, kDescriptionCap)));
    // Left out when empty: an empty environment_url broke clients reading statuses (section 6).
    if (!d.log_url.empty()) ar(cereal::make_nvp("log_url", d.log_url));
    if (!d.environment_url.empty()) ar(cereal::make_nvp("environment_url", d.environment_url));
  });
  return JsonPost(DeploymentsUrl() + "/" + PercentEncode(id) + "/statuses", GitHubHeaders(creds), body);
}

SendOutcome GitHubDeployments::InterpretState(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return ClassifyGitHubReply(reply, now_epoch_s);
}

}  // namespace fluxstatus::dispatch
