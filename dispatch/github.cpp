#include "dispatch/github.h"

#include "core/compact_json.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"
#include "dispatch/state_words.h"

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

std::vector<std::pair<std::string, std::string>> GitHubProvider::Headers(const Credentials& creds) const {
  // Accept lists application/json too: GitHub's OpenAPI (and so Prism) only declares that type.
  return {{"Authorization", "Bearer " + creds.token},
          {"Accept", "application/vnd.github+json, application/json"},
          {"X-GitHub-Api-Version", "2022-11-28"}};
}

HttpCall GitHubProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", std::string(kGitHubStateWords.Name(status.state))));
    if (!status.target_url.empty()) ar(cereal::make_nvp("target_url", status.target_url));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
    ar(cereal::make_nvp("context", CapText(status.key.context, 0)));
  });
  return JsonPost(
      endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/statuses/" + PercentEncode(status.key.commit_sha),
      Headers(creds), body);
}

SendOutcome GitHubProvider::Classify(const HttpReply& reply, std::int64_t now_epoch_s) const {
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

SendOutcome GitHubProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  return Classify(reply, now_epoch_s);
}

HttpCall GitHubProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int page) const {
  HttpCall call;
  call.method = "GET";
  call.url = endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/commits/" + PercentEncode(key.commit_sha) +
             "/statuses?per_page=100&page=" + std::to_string(page < 1 ? 1 : page);
  call.headers = Headers(creds);
  return call;
}

Provider::ListPage GitHubProvider::InterpretList(const HttpReply& reply, const core::StatusKey& key,
                                                 std::int64_t now_epoch_s) const {
  return ReadStatusArray(reply, Classify(reply, now_epoch_s), [&](const rapidjson::Value& list, ListPage& page) {
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
  return HttpCall{"GET", endpoint_.api_base + "/repos/" + endpoint_.repo_id, Headers(creds), ""};
}

}  // namespace fluxstatus::dispatch
