// FakeGitHost: GitLab's environments API (deployments-and-checks.md 4.6) and what GitLab's
// deployments and environments share (fake_git_host_gitlab_parts.h).
#include <algorithm>
#include <cctype>
#include <regex>

#include "tests/support/fake_git_host_gitlab_parts.h"

namespace fluxstatus::testing::fake {
namespace {

using Environments = std::vector<FakeGitLabEnvironment>;

// Environment#guess_tier's patterns, checked in its order; like it, "nonprod" reads as
// production (gitlab-org/gitlab#377916).
std::string GuessTier(const std::string& name) {
  const auto has = [&](const char* pattern) { return std::regex_search(name, std::regex(pattern, std::regex::icase)); };
  if (has("dev|review|trunk")) return "development";
  if (has("test|tst|int|ac(ce)?pt|qa|qc|control|quality")) return "testing";
  if (has("st(a)?g|mod(e)?l|pre|demo")) return "staging";
  if (has("pr(o)?d|live")) return "production";
  return "other";
}

std::string Slug(const std::string& name) {
  std::string out;
  for (const char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                                                       : '-';
  return out;
}

// external_url and tier as a create or update gives them; an error answer when one is refused.
std::optional<HttpResponse> ApplyFields(const Params& params, FakeGitLabEnvironment& e) {
  if (const auto tier = Param(params, "tier")) {
    if (!OneOf(*tier, {"production", "staging", "testing", "development", "other"})) {
      return GrapeError("tier does not have a valid value");
    }
    e.tier = *tier;
  }
  if (const auto url = Param(params, "external_url")) {
    if (CodePoints(*url) > 255) return ModelError("external_url", "is too long (maximum is 255 characters)");
    if (!url->empty() && !url->starts_with("http://") && !url->starts_with("https://")) {
      return ModelError("external_url", "is blocked: Only allowed schemes are http, https");
    }
    e.external_url = *url;
  }
  if (const auto description = Param(params, "description")) e.description = *description;
  e.updated_at = NowText();
  return std::nullopt;
}

HttpResponse List(const ApiRequest& rq, const Environments& environments) {
  if (rq.query.contains("name") && rq.query.contains("search"))
    return GrapeError("search, name are mutually exclusive");
  Environments items;
  std::copy_if(environments.begin(), environments.end(), std::back_inserter(items), [&](const auto& e) {
    return rq.Query("name", e.name) == e.name && e.name.find(rq.Query("search")) != std::string::npos &&
           rq.Query("states", e.state) == e.state;
  });
  const Paging paging(rq, "per_page", 20, 100, items.size());
  return Answer(200, JsonArray(paging.Of(items), WriteEnvironment), paging.GitLabHeaders(rq, items.size()));
}

HttpResponse Create(const Params& params, Store& store, const std::string& project) {
  const auto name = Param(params, "name");
  if (!name) return GrapeError("name is missing");
  if (auto bad = BadEnvironmentName(*name)) return ModelError("name", *bad);
  if (FindEnvironment(store, project, *name) != nullptr) return ModelError("name", "has already been taken");
  FakeGitLabEnvironment e;
  e.name = *name;
  e.tier = GuessTier(*name);
  e.created_at = NowText();
  if (auto refused = ApplyFields(params, e)) return std::move(*refused);
  e.id = store.next_id++;
  store.gitlab_environments[project].push_back(e);
  return Answer(201, Json([&](Ar& ar) { WriteEnvironment(ar, e); }));
}

// GET one adds last_deployment: the environment's last successful deployment, or null.
HttpResponse GetOne(const Store& store, const std::string& project, const FakeGitLabEnvironment& e) {
  const FakeGitLabDeployment* last = nullptr;
  if (const auto it = store.gitlab_deployments.find(project); it != store.gitlab_deployments.end()) {
    for (const auto& d : it->second) {
      if (d.environment == e.name && d.status == "success") last = &d;
    }
  }
  return Answer(200, Json([&](Ar& ar) {
                  WriteEnvironment(ar, e);
                  ar.setNextName("last_deployment");
                  if (last == nullptr) {
                    ar.writeName();
                    ar.saveValue(nullptr);
                    return;
                  }
                  ar.startNode();
                  WriteGitLabDeployment(ar, *last, nullptr);
                  ar.finishNode();
                }));
}

}  // namespace

bool ReadParams(const ApiRequest& rq, Params& out) {
  out = rq.query;
  const auto first = rq.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return true;
  if (rq.body[first] != '{') {  // form-encoded
    for (const auto pair : Split(rq.body, '&')) {
      std::string text(pair);
      std::replace(text.begin(), text.end(), '+', ' ');
      const auto eq = text.find('=');
      if (!text.empty()) out[Decode(text.substr(0, eq))] = eq == std::string::npos ? "" : Decode(text.substr(eq + 1));
    }
    return true;
  }
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return false;
  for (const auto& member : doc.GetObject()) {
    const std::string name(member.name.GetString(), member.name.GetStringLength());
    const auto& v = member.value;
    if (v.IsString()) out[name] = std::string(v.GetString(), v.GetStringLength());
    if (v.IsBool()) out[name] = v.GetBool() ? "true" : "false";
    if (v.IsInt64()) out[name] = std::to_string(v.GetInt64());
  }
  return true;
}

std::optional<std::string> Param(const Params& params, const std::string& name) {
  const auto it = params.find(name);
  return it == params.end() ? std::nullopt : std::optional<std::string>(it->second);
}

HttpResponse GrapeError(const std::string& text) {
  return Answer(400, Json([&](Ar& ar) { ar(make_nvp("error", text)); }));
}

HttpResponse ModelError(const std::string& field, const std::string& message) {
  return Answer(400, Json([&](Ar& ar) {
                  ar.setNextName("message");
                  ar.startNode();
                  ar.setNextName(field.c_str());
                  ar.startNode();
                  ar.makeArray();
                  ar(message);
                  ar.finishNode();
                  ar.finishNode();
                }));
}

HttpResponse GitLabNotFound() { return Error(HostKind::kGitLab, 404, "404 Not found"); }

std::optional<std::string> BadEnvironmentName(const std::string& name) {
  if (name.empty()) return "can't be blank";
  if (CodePoints(name) > 255) return "is too long (maximum is 255 characters)";
  static const std::regex kAllowed("[a-zA-Z0-9_/${}. -]+");
  if (!std::regex_match(name, kAllowed) || name.front() == '/' || name.back() == '/') {
    return "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start "
           "or end with '/'";
  }
  return std::nullopt;
}

const FakeGitLabEnvironment* FindEnvironment(const Store& store, const std::string& project, const std::string& name) {
  const auto it = store.gitlab_environments.find(project);
  if (it == store.gitlab_environments.end()) return nullptr;
  const auto e = std::find_if(it->second.begin(), it->second.end(), [&](const auto& o) { return o.name == name; });
  return e == it->second.end() ? nullptr : &*e;
}

FakeGitLabEnvironment& FindOrCreateEnvironment(Store& store, const std::string& project, const std::string& name) {
  auto& list = store.gitlab_environments[project];
  const auto it = std::find_if(list.begin(), list.end(), [&](const auto& o) { return o.name == name; });
  if (it != list.end()) return *it;
  FakeGitLabEnvironment e;
  e.id = store.next_id++;
  e.name = name;
  e.tier = GuessTier(name);
  e.created_at = e.updated_at = NowText();
  return list.emplace_back(std::move(e));
}

void WriteEnvironment(Ar& ar, const FakeGitLabEnvironment& e) {
  ar(make_nvp("id", e.id), make_nvp("name", e.name), make_nvp("slug", Slug(e.name)));
  Nullable(ar, "description", e.description);
  Nullable(ar, "external_url", e.external_url);
  ar(make_nvp("state", e.state), make_nvp("tier", e.tier), make_nvp("created_at", e.created_at),
     make_nvp("updated_at", e.updated_at));
}

// /projects/:id/environments: GET (name, search, states; paged), POST; /:environment_id: GET, PUT.
// A PUT's `name` is ignored: it is no parameter of the update since GitLab 16.0 (no renaming).
HttpResponse GitLabEnvironments(const Route& rt, const ApiRequest& rq, Store& store) {
  auto& environments = store.gitlab_environments[rt.repo];
  Params params;
  if (!ReadParams(rq, params)) return GrapeError("the body is neither JSON nor a form");  // the fake's words
  const auto& r = rt.rest;                                                                // "environments" [id]
  if (r.size() == 1 && rq.method == "GET") return List(rq, environments);
  if (r.size() == 1 && rq.method == "POST") return Create(params, store, rt.repo);
  const auto e = std::find_if(environments.begin(), environments.end(),
                              [&](const auto& o) { return r.size() == 2 && std::to_string(o.id) == r[1]; });
  if (e == environments.end()) return GitLabNotFound();
  if (rq.method == "GET") return GetOne(store, rt.repo, *e);
  if (rq.method != "PUT") return GitLabNotFound();
  FakeGitLabEnvironment changed = *e;  // applied only when every field is accepted
  if (auto refused = ApplyFields(params, changed)) return std::move(*refused);
  *e = changed;
  return Answer(200, Json([&](Ar& ar) { WriteEnvironment(ar, *e); }));
}

}  // namespace fluxstatus::testing::fake
