#include "dispatch/github_api.h"

#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"

namespace fluxstatus::dispatch {
namespace {

// "Validation Failed: description is too long (maximum is 140 characters)", or for errors
// without a message, their code and field: "Validation Failed: invalid (Label.color)".
std::string ErrorText(const rapidjson::Document& doc) {
  std::string text = StringMember(doc, "message");
  if (!doc.IsObject()) return text;
  const auto errors = doc.FindMember("errors");
  if (errors == doc.MemberEnd() || !errors->value.IsArray()) return text;
  std::string details;
  for (const auto& e : errors->value.GetArray()) {
    std::string one = e.IsString() ? std::string(e.GetString(), e.GetStringLength()) : StringMember(e, "message");
    if (one.empty()) {
      one = StringMember(e, "code");
      const std::string resource = StringMember(e, "resource"), field = StringMember(e, "field");
      if (!field.empty()) one += " (" + (resource.empty() ? field : resource + "." + field) + ")";
    }
    if (one.empty()) continue;
    if (!details.empty()) details += "; ";
    details += one;
  }
  if (details.empty()) return text;
  return text.empty() ? details : text + ": " + details;
}

bool SaysSecondaryRateLimit(const std::string& error) {
  const std::string lower = LowerAscii(error);
  return lower.find("secondary rate limit") != std::string::npos || lower.find("abuse") != std::string::npos;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> GitHubHeaders(const Credentials& creds) {
  return {{"Authorization", "Bearer " + creds.token},
          {"Accept", "application/vnd.github+json, application/json"},
          {"X-GitHub-Api-Version", "2022-11-28"}};
}

SendOutcome ClassifyGitHubReply(const HttpReply& reply, std::int64_t now_epoch_s) {
  SendOutcome o = ClassifyReply(reply, now_epoch_s, ReplyErrorText(reply, ErrorText));
  if ((reply.status == 403 || reply.status == 429) && SaysSecondaryRateLimit(o.error)) {
    // GitHub's order: Retry-After, else the reset time when the budget is 0, else >= 1 min.
    o.kind = OutcomeKind::kRetry;
    o.host_exhausted = true;
    const std::string* retry_header = reply.Header("retry-after");
    if (auto retry = retry_header ? ParseRetryAfter(*retry_header, now_epoch_s) : std::nullopt) {
      o.retry_after = retry;
    } else if (!o.retry_after) {
      o.retry_after = std::chrono::seconds(60);
    }
  }
  return o;
}

}  // namespace fluxstatus::dispatch
