#include "dispatch/gitlab_api.h"

#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

// GitLab answers {"message": "..."} or {"message": {"field": ["..."]}} or {"error": "..."}.
std::string ErrorText(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return {};
  for (const char* name : {"message", "error"}) {
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd()) continue;
    if (std::string text = FlattenJsonText(it->value); !text.empty()) return text;
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> GitLabHeaders(const Credentials& creds) {
  if (creds.username == "oauth2") return {{"Authorization", "Bearer " + creds.token}, {"Accept", "application/json"}};
  return {{"PRIVATE-TOKEN", creds.token}, {"Accept", "application/json"}};
}

SendOutcome ClassifyGitLabReply(const HttpReply& reply, std::int64_t now_epoch_s) {
  return ClassifyReply(reply, now_epoch_s, ReplyErrorText(reply, ErrorText));
}

bool HasNextPage(const HttpReply& reply) {
  const std::string* next_page = reply.Header("x-next-page");
  return (next_page != nullptr && !next_page->empty()) || LinkHasNext(reply.Header("link"));
}

bool RefusesTransition(const SendOutcome& outcome) {
  return outcome.http_status == 400 && LowerAscii(outcome.error).find("cannot transition") != std::string::npos;
}

}  // namespace fluxstatus::dispatch
