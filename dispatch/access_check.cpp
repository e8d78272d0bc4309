#include "dispatch/access_check.h"

#include <algorithm>
#include <optional>

#include <rapidjson/document.h>

#include "dispatch/reply_reading.h"

namespace fluxstatus::dispatch {
namespace {

std::string HostName(std::string_view kind) {
  if (kind == "github") return "GitHub";
  if (kind == "gitlab") return "GitLab";
  if (kind == "gitea") return "Gitea";
  if (kind == "bitbucket") return "Bitbucket Cloud";
  if (kind == "bitbucketserver") return "Bitbucket Data Center";
  if (kind == "azuredevops") return "Azure DevOps";
  return std::string(kind);
}

// The host's own words (GitHub/GitLab/Gitea {"message"}, Bitbucket {"error":{"message"}} or
// {"errors":[{"message"}]}), quoted after our sentence when there are any.
std::string HostSays(const HttpReply& reply) {
  const std::string text = ReplyErrorText(reply, [](const rapidjson::Document& doc) {
    if (!doc.IsObject()) return std::string();
    for (const char* name : {"message", "error", "errors"}) {
      const auto it = doc.FindMember(name);
      if (it != doc.MemberEnd()) return FlattenJsonText(it->value);
    }
    return std::string();
  });
  return text.starts_with("HTTP ") ? std::string() : " (the host says: " + text + ")";
}

// A boolean member at `path` ("permissions", "push"), if the body has it.
std::optional<bool> BoolAt(const rapidjson::Document& doc, const char* object, const char* member) {
  if (!doc.IsObject()) return std::nullopt;
  const auto o = doc.FindMember(object);
  if (o == doc.MemberEnd() || !o->value.IsObject()) return std::nullopt;
  const auto m = o->value.FindMember(member);
  if (m == o->value.MemberEnd() || !m->value.IsBool()) return std::nullopt;
  return m->value.GetBool();
}

// GitLab's permissions.{project_access,group_access}.access_level: the highest one present.
std::optional<int> GitLabAccessLevel(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return std::nullopt;
  const auto p = doc.FindMember("permissions");
  if (p == doc.MemberEnd() || !p->value.IsObject()) return std::nullopt;
  std::optional<int> best;
  for (const char* name : {"project_access", "group_access"}) {
    const auto a = p->value.FindMember(name);
    if (a == p->value.MemberEnd() || !a->value.IsObject()) continue;
    const auto level = a->value.FindMember("access_level");
    if (level != a->value.MemberEnd() && level->value.IsInt()) best = std::max(best.value_or(0), level->value.GetInt());
  }
  return best;
}

AccessReport ReadSucceeded(std::string_view kind, const HttpReply& reply) {
  const std::string need = RequiredPermission(kind);
  const std::string unproven =
      "the token can read the repository, but a read cannot prove it may post statuses: make sure it is " + need;
  rapidjson::Document doc;
  const bool parsed = ParseJsonBody(reply.body, doc);
  if (kind == "github" || kind == "gitea") {
    const auto push = parsed ? BoolAt(doc, "permissions", "push") : std::nullopt;
    if (!push) return {AccessVerdict::kUnproven, unproven};
    if (*push) return {AccessVerdict::kOk, "ok: the token can read the repository and has write access"};
    if (kind == "gitea") {
      return {AccessVerdict::kNoPermission,
              "the token can read the repository but has no write access to it; Gitea posts statuses only for "
              "users with write access, with " +
                  need};
    }
    // A fine-grained token or App with "Commit statuses: write" can post without push access.
    return {AccessVerdict::kUnproven,
            "the token can read the repository but has no push access: statuses can still be posted by a "
            "fine-grained token or GitHub App with \"Commit statuses: write\", not by a classic token"};
  }
  if (kind == "gitlab") {
    const auto level = parsed ? GitLabAccessLevel(doc) : std::nullopt;
    if (!level) return {AccessVerdict::kUnproven, unproven};
    if (*level < 30) {
      return {AccessVerdict::kNoPermission, "the token's user has access level " + std::to_string(*level) +
                                                " on the project; posting statuses needs the Developer role (30) "
                                                "or higher, with " +
                                                need};
    }
    return {AccessVerdict::kUnproven,
            "the token's user has the Developer role or higher; a read cannot prove the "
            "token's scope: make sure it is " +
                need};
  }
  return {AccessVerdict::kUnproven, unproven};
}

}  // namespace

std::string RequiredPermission(std::string_view kind) {
  if (kind == "github") {
    return "a classic token with the `repo:status` scope (or `repo`), or a fine-grained token or GitHub App with "
           "the repository permission \"Commit statuses: write\"";
  }
  if (kind == "gitlab") return "a token with the `api` scope whose user has the Developer role or higher";
  if (kind == "gitea") return "a token with the `write:repository` scope";
  if (kind == "bitbucket") {
    return "an access token or API token with the `repository:write` scope (Basic auth: username and app "
           "password or API token)";
  }
  if (kind == "bitbucketserver") return "an HTTP access token with Repository write permission";
  if (kind == "azuredevops") return "a personal access token with the Code (status) scope (vso.code_status)";
  return "a token that may post commit statuses";
}

AccessReport InterpretAccessCheck(std::string_view kind, const HttpReply& reply) {
  const std::string host = HostName(kind);
  if (reply.status == 203 && kind == "azuredevops") {
    return {AccessVerdict::kTokenInvalid,
            "token invalid: Azure DevOps answered with a sign-in page (the token is wrong, expired or revoked)"};
  }
  if (reply.status >= 200 && reply.status < 300) return ReadSucceeded(kind, reply);
  const std::string says = HostSays(reply);
  switch (reply.status) {
    case 401:
      return {AccessVerdict::kTokenInvalid,
              "token invalid: " + host + " refused it (HTTP 401: wrong, expired or revoked)" + says};
    case 403: {
      const std::string* remaining = reply.Header("x-ratelimit-remaining");
      if (remaining != nullptr && ParseNonNegative(*remaining) == 0) {
        return {AccessVerdict::kHostError, host + " rate limit exhausted (HTTP 403): try again after the reset" + says};
      }
      return {AccessVerdict::kNoPermission,
              "token lacks the commit-status permission (HTTP 403): it needs to be " + RequiredPermission(kind) + says};
    }
    case 404:
      return {AccessVerdict::kNotFound,
              "repository not found or not visible to the token (HTTP 404): check the "
              "route's address and that the token can see the repository" +
                  says};
    default: return {AccessVerdict::kHostError, host + " answered HTTP " + std::to_string(reply.status) + says};
  }
}

AccessReport Unreachable(std::string_view kind, std::string_view url, std::string_view transport_error) {
  return {AccessVerdict::kUnreachable,
          "cannot reach " + HostName(kind) + " at " + std::string(url) + ": " + std::string(transport_error)};
}

}  // namespace fluxstatus::dispatch
