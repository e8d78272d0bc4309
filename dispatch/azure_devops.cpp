#include "dispatch/azure_devops.h"

#include "core/compact_json.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

std::string_view StateName(core::StatusState s) {
  switch (s) {
    case core::StatusState::kPending: return "pending";
    case core::StatusState::kSuccess: return "succeeded";
    case core::StatusState::kFailure: return "failed";
    case core::StatusState::kError: return "error";
  }
  return "error";
}

core::StatusState StateFromName(std::string_view name) {
  if (name == "pending" || name == "notSet") return core::StatusState::kPending;
  if (name == "succeeded") return core::StatusState::kSuccess;
  if (name == "failed") return core::StatusState::kFailure;
  return core::StatusState::kError;  // error, notApplicable, unknown
}

std::string ErrorText(const rapidjson::Document& doc) { return StringMember(doc, "message"); }

struct Parsed {
  std::string org_url;  // <scheme>://<host>[/<org or collection path>]
  std::string project, repo, api_version;
};

Parsed Parse(std::string_view route, std::string_view address) {
  const core::GitAddress a = ParseRouteAddress(route, address);
  const std::string host = LowerAscii(a.host);
  const auto seg = SplitPath(a.path);
  const auto fail = [&](std::string_view why) {
    ThrowConfigError(route, "azuredevops address '" + std::string(address) + "' " + std::string(why) +
                                " (expected https://dev.azure.com/{org}/{project}/_git/{repo})");
  };
  if (host == "ssh.dev.azure.com" || host.starts_with("vs-ssh.visualstudio.com")) {
    if (seg.size() != 4 || seg[0] != "v3") fail("is not an ssh v3/{org}/{project}/{repo} path");
    return Parsed{"https://dev.azure.com/" + seg[1], seg[2], seg[3], "7.1"};
  }
  std::size_t git = seg.size();
  for (std::size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == "_git") git = i;
  }
  if (git == seg.size() || git + 2 != seg.size()) fail("must end in /_git/{repo}");
  const std::string& repo = seg[git + 1];
  const bool services = host == "dev.azure.com" || host.ends_with(".visualstudio.com");
  std::string prefix, project;
  if (host == "dev.azure.com" && git == 1) {  // dev.azure.com/{org}/_git/{repo}: project named as repo
    prefix = seg[0];
    project = repo;
  } else {
    if (git == 0) fail("names no project");
    project = seg[git - 1];
    prefix = JoinPath(seg, 0, git - 1);
  }
  if (host == "dev.azure.com" && prefix.find('/') != std::string::npos) fail("has extra path segments");
  if ((host == "dev.azure.com" || !services) && prefix.empty()) fail("names no organization or collection");
  std::string org_url = a.scheme + "://" + a.host;
  if (!prefix.empty()) org_url += "/" + prefix;
  return Parsed{org_url, project, repo, services ? "7.1" : "6.0"};
}

}  // namespace

AzureDevOpsProvider::AzureDevOpsProvider(std::string route, std::string_view address) : route_(std::move(route)) {
  Parsed p = Parse(route_, address);
  // Addresses copied from a browser are already escaped ("My%20Project"): decode, then encode.
  endpoint_ = RepoEndpoint{p.org_url + "/" + PercentEncode(PercentDecode(p.project)) + "/_apis/git/repositories",
                           PercentDecode(p.repo)};
  api_version_ = p.api_version;
  const auto scheme_end = p.org_url.find("://");
  host_key_ = p.org_url.substr(scheme_end + 3);
}

RepoEndpoint AzureDevOpsProvider::ResolveAddress(std::string_view route, std::string_view address) {
  return AzureDevOpsProvider(std::string(route), address).endpoint_;
}

std::string AzureDevOpsProvider::StatusesUrl(const std::string& sha) const {
  return endpoint_.api_base + "/" + PercentEncode(endpoint_.repo_id) + "/commits/" + PercentEncode(sha) +
         "/statuses?api-version=" + api_version_;
}

HttpCall AzureDevOpsProvider::BuildCreate(const DesiredStatus& status, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("state", std::string(StateName(status.state))));
    ar(cereal::make_nvp("description", CapText(status.description, kDescriptionCap)));
    if (!status.target_url.empty()) ar(cereal::make_nvp("targetUrl", CapText(status.target_url, 0)));
    ar.setNextName("context");
    ar.startNode();
    ar(cereal::make_nvp("name", CapText(status.key.context, 0)));
    ar(cereal::make_nvp("genre", std::string(kGenre)));
    ar.finishNode();
  });
  return JsonPost(StatusesUrl(status.key.commit_sha),
                  {{"Authorization", BasicAuth("", creds.token)}, {"Accept", "application/json"}}, body);
}

SendOutcome AzureDevOpsProvider::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  SendOutcome o = ClassifyReply(reply, now_epoch_s, ReplyErrorText(reply, ErrorText));
  if (reply.status == 203) {
    // Azure DevOps answers a rejected PAT with "203 Non-Authoritative" and a sign-in page,
    // not 401: nothing was stored, and retrying with the same token cannot help.
    o.kind = OutcomeKind::kPermanent;
    o.error =
        "HTTP 203: Azure DevOps answered with a sign-in page (token invalid, expired or without Code (status) scope)";
  }
  return o;
}

HttpCall AzureDevOpsProvider::BuildList(const core::StatusKey& key, const Credentials& creds, int page) const {
  HttpCall call;
  call.method = "GET";
  call.url = StatusesUrl(key.commit_sha) + "&latestOnly=true&top=" + std::to_string(kPageSize) +
             "&skip=" + std::to_string((page < 1 ? 0 : page - 1) * kPageSize);
  call.headers = {{"Authorization", BasicAuth("", creds.token)}, {"Accept", "application/json"}};
  return call;
}

Provider::ListPage AzureDevOpsProvider::InterpretList(const HttpReply& reply, const core::StatusKey& key,
                                                      std::int64_t now_epoch_s) const {
  ListPage page;
  page.outcome = InterpretCreate(reply, now_epoch_s);
  if (page.outcome.kind != OutcomeKind::kSynced) return page;
  rapidjson::Document doc;
  const rapidjson::Value* list = nullptr;
  if (ParseJsonBody(reply.body, doc)) {
    if (doc.IsArray())
      list = &doc;
    else if (doc.IsObject() && doc.HasMember("value") && doc["value"].IsArray())
      list = &doc["value"];
  }
  if (list == nullptr) {
    page.outcome.kind = OutcomeKind::kPermanent;
    page.outcome.error = "status list is neither {count, value} nor a JSON array";
    return page;
  }
  const rapidjson::Value* best = nullptr;
  std::int64_t best_id = 0;
  for (const auto& entry : list->GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("context")) continue;
    const auto& context = entry["context"];
    if (StringMember(context, "name") != key.context || StringMember(context, "genre") != kGenre) continue;
    const auto id = entry.FindMember("id");
    const std::int64_t value = id != entry.MemberEnd() && id->value.IsInt64() ? id->value.GetInt64() : 0;
    if (best == nullptr || value > best_id) {
      best = &entry;
      best_id = value;
    }
  }
  if (best != nullptr) {
    page.newest_for_context =
        ObservedStatus{StateFromName(StringMember(*best, "state")), StringMember(*best, "description")};
    return page;
  }
  page.more_pages = list->Size() >= static_cast<unsigned>(kPageSize);
  return page;
}

HttpCall AzureDevOpsProvider::BuildAccessCheck(const Credentials& creds) const {
  const std::string url = endpoint_.api_base + "/" + PercentEncode(endpoint_.repo_id) + "?api-version=" + api_version_;
  return HttpCall{"GET", url, {{"Authorization", BasicAuth("", creds.token)}, {"Accept", "application/json"}}, ""};
}

}  // namespace fluxstatus::dispatch
