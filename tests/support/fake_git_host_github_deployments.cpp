// FakeGitHost: GitHub's deployments and deployment statuses (deployments-and-checks.md 1):
// create with GitHub's 409s (auto_merge, required_contexts), list with filters and paging, get
// one, and statuses (append, list, get one) with auto_inactive.
#include <algorithm>
#include <cctype>

#include "tests/support/fake_git_host_api_parts.h"

namespace fluxstatus::testing::fake {
namespace {

using Deployments = std::vector<FakeDeployment>;
using DeploymentStatuses = std::vector<FakeDeploymentStatus>;

constexpr const char* kCreateDocs = "https://docs.github.com/rest/deployments/deployments#create-a-deployment";
constexpr const char* kStatusDocs = "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status";

HttpResponse ValidationFailed(const std::string& field, const std::string& message) {
  return GitHubValidationFailed("DeploymentStatus", field, message, kStatusDocs);
}

HttpResponse NotFound() {
  return Answer(
      404, Json([](Ar& ar) {
        ar(make_nvp("message", std::string("Not Found")),
           make_nvp("documentation_url", std::string("https://docs.github.com/rest/deployments/deployments")));
      }));
}

// A parsed JSON value written into cereal's archive as it is (the deployment's payload).
void WriteValue(Ar& ar, const rapidjson::Value& v) {
  if (v.IsObject() || v.IsArray()) {
    ar.startNode();
    if (v.IsArray()) ar.makeArray();
    if (v.IsArray())
      for (const auto& item : v.GetArray()) WriteValue(ar, item);
    else
      for (const auto& member : v.GetObject()) {
        ar.setNextName(member.name.GetString());
        WriteValue(ar, member.value);
      }
    ar.finishNode();
    return;
  }
  ar.writeName();
  if (v.IsString()) ar.saveValue(std::string(v.GetString(), v.GetStringLength()));
  if (v.IsBool()) ar.saveValue(v.GetBool());
  if (v.IsInt64()) ar.saveValue(v.GetInt64());
  if (v.IsNumber() && !v.IsInt64()) ar.saveValue(v.GetDouble());
  if (v.IsNull()) ar.saveValue(nullptr);
}

void WriteCreator(Ar& ar) {
  ar.setNextName("creator");
  ar.startNode();
  ar(make_nvp("login", std::string("fake-user")), make_nvp("id", 1), make_nvp("type", std::string("User")));
  ar.finishNode();
}

void WriteDeployment(Ar& ar, const FakeDeployment& d, const std::string& repo_url) {
  const std::string url = repo_url + "/deployments/" + std::to_string(d.id);
  rapidjson::Document payload;
  payload.Parse(d.payload.c_str());
  ar(make_nvp("url", url), make_nvp("id", d.id), make_nvp("node_id", "DE_" + std::to_string(d.id)),
     make_nvp("sha", d.sha), make_nvp("ref", d.ref), make_nvp("task", d.task));
  ar.setNextName("payload");
  WriteValue(ar, payload);
  ar(make_nvp("original_environment", d.original_environment), make_nvp("environment", d.environment),
     make_nvp("description", d.description));
  WriteCreator(ar);
  const std::string updated = d.statuses.empty() ? d.created_at : d.statuses.back().created_at;
  ar(make_nvp("created_at", d.created_at), make_nvp("updated_at", updated), make_nvp("statuses_url", url + "/statuses"),
     make_nvp("repository_url", repo_url), make_nvp("transient_environment", d.transient_environment),
     make_nvp("production_environment", d.production_environment));
}

void WriteStatus(Ar& ar, const FakeDeploymentStatus& s, const FakeDeployment& d, const std::string& repo_url) {
  const std::string deployment_url = repo_url + "/deployments/" + std::to_string(d.id);
  ar(make_nvp("url", deployment_url + "/statuses/" + std::to_string(s.id)), make_nvp("id", s.id),
     make_nvp("node_id", "DES_" + std::to_string(s.id)), make_nvp("state", s.state));
  WriteCreator(ar);
  ar(make_nvp("description", s.description), make_nvp("environment", s.environment), make_nvp("target_url", s.log_url),
     make_nvp("created_at", s.created_at), make_nvp("updated_at", s.created_at),
     make_nvp("deployment_url", deployment_url), make_nvp("repository_url", repo_url),
     make_nvp("environment_url", s.environment_url), make_nvp("log_url", s.log_url));
}

bool IsFullSha(const std::string& ref) {
  return ref.size() == 40 &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// The newest state of every commit-status context on `sha`, in the order the contexts first
// appeared: what GitHub checks when required_contexts is left to its default.
std::vector<std::pair<std::string, std::string>> LatestStates(const Store& store, const std::string& repo,
                                                              const std::string& sha) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, list] : store.statuses) {
    if (std::get<0>(key) != HostKind::kGitHub || std::get<1>(key) != repo || Lower(std::get<2>(key)) != sha) continue;
    for (const FakeStatus& s : list) {
      const auto it =
          std::find_if(out.begin(), out.end(), [&](const auto& o) { return Lower(o.first) == Lower(s.context); });
      if (it == out.end())
        out.emplace_back(s.context, s.state);
      else
        it->second = s.state;
    }
  }
  return out;
}

// GitHub's 409 when a required context is not success; each checked context is listed. A named
// context with no status at all is listed as "missing" (the fake's word: GitHub's is unknown).
std::optional<HttpResponse> RequiredContextsConflict(const Store& store, const std::string& repo,
                                                     const std::string& ref,
                                                     const std::optional<std::vector<std::string>>& required) {
  auto checked = LatestStates(store, repo, Lower(ref));
  if (required) {
    std::vector<std::pair<std::string, std::string>> named;
    for (const std::string& context : *required) {
      const auto it =
          std::find_if(checked.begin(), checked.end(), [&](const auto& o) { return Lower(o.first) == Lower(context); });
      named.emplace_back(context, it == checked.end() ? "missing" : it->second);
    }
    checked = std::move(named);
  }
  if (std::all_of(checked.begin(), checked.end(), [](const auto& c) { return c.second == "success"; }))
    return std::nullopt;
  return Answer(409, Json([&](Ar& ar) {
                  ar(make_nvp("message", "Conflict: Commit status checks failed for " + ref + "."));
                  ar.setNextName("errors");
                  ar.startNode();
                  ar.makeArray();
                  ar.startNode();
                  ar.setNextName("contexts");
                  ar.startNode();
                  ar.makeArray();
                  for (const auto& [context, state] : checked) {
                    ar.startNode();
                    ar(make_nvp("context", context), make_nvp("state", state));
                    ar.finishNode();
                  }
                  ar.finishNode();
                  ar(make_nvp("resource", std::string("Deployment")),
                     make_nvp("field", std::string("required_contexts")), make_nvp("code", std::string("invalid")));
                  ar.finishNode();
                  ar.finishNode();
                  ar(make_nvp("documentation_url", std::string(kCreateDocs)), make_nvp("status", std::string("409")));
                }));
}

HttpResponse CreateDeployment(const Route& rt, const ApiRequest& rq, Store& store, const std::string& repo_url) {
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return Error(rt.kind, 400, "Problems parsing JSON");
  Body body(doc);
  FakeDeployment d;
  d.task = "deploy";
  d.environment = "production";
  bool auto_merge = true;
  body.String("ref", d.ref);
  body.String("environment", d.environment);
  body.String("task", d.task);
  body.String("description", d.description);
  body.Bool("auto_merge", auto_merge);
  d.production_environment = d.environment == "production";  // the default follows the name
  body.Bool("production_environment", d.production_environment);
  body.Bool("transient_environment", d.transient_environment);
  const auto required = body.Strings("required_contexts");
  if (const rapidjson::Value* payload = body.Get("payload")) d.payload = JsonText(*payload);
  if (!body.error().empty()) return InvalidRequest(body.error(), kCreateDocs);
  if (body.Get("ref") == nullptr) return InvalidRequest("\"ref\" wasn't supplied.", kCreateDocs);
  // The fake holds no branches or tags: only a full SHA names a commit.
  if (!IsFullSha(d.ref)) {
    return Answer(422, Json([&](Ar& ar) {
                    ar(make_nvp("message", "No ref found for: " + d.ref),
                       make_nvp("documentation_url", std::string(kCreateDocs)));
                  }));
  }
  // Every SHA counts as behind main with a conflicting merge, as the simplytestme/website#130
  // SHA did: a client that leaves auto_merge on sees GitHub's 409, not a deployment.
  if (auto_merge) {
    return Answer(409, Json([&](Ar& ar) {
                    ar(make_nvp("message", "Conflict merging main into " + d.ref + "."),
                       make_nvp("documentation_url", std::string(kCreateDocs)), make_nvp("status", std::string("409")));
                  }));
  }
  if (auto conflict = RequiredContextsConflict(store, rt.repo, d.ref, required)) return std::move(*conflict);
  d.id = store.next_id++;
  d.sha = Lower(d.ref);
  d.original_environment = d.environment;
  d.created_at = NowText();
  auto& deployments = store.github_deployments[rt.repo];
  deployments.push_back(d);
  return Answer(201, Json([&](Ar& ar) { WriteDeployment(ar, d, repo_url); }),
                {{"Location", repo_url + "/deployments/" + std::to_string(d.id)}});
}

// Newest first, as GitHub lists them (the spec states no order).
HttpResponse ListDeployments(const ApiRequest& rq, const Deployments& deployments, const std::string& repo_url) {
  Deployments items;
  const auto keep = [&](const std::string& name, const std::string& value) {
    return !rq.query.contains(name) || rq.Query(name) == value;
  };
  for (auto it = deployments.rbegin(); it != deployments.rend(); ++it) {
    if (keep("sha", it->sha) && keep("ref", it->ref) && keep("task", it->task) && keep("environment", it->environment))
      items.push_back(*it);
  }
  const Paging paging(rq, "per_page", 30, 100, items.size());
  HeaderList headers;
  paging.Link(headers, rq.PageUrl());
  return Answer(200,
                JsonArray(paging.Of(items), [&](Ar& ar, const FakeDeployment& d) { WriteDeployment(ar, d, repo_url); }),
                headers);
}

// auto_inactive: a success inactivates the prior non-transient, non-production deployments of
// the same environment whose latest state is success (deployments-and-checks.md 1.5).
void Inactivate(Deployments& deployments, const FakeDeployment& current, Store& store) {
  for (FakeDeployment& o : deployments) {
    if (o.id >= current.id || o.environment != current.environment || o.transient_environment ||
        o.production_environment || o.statuses.empty() || o.statuses.back().state != "success")
      continue;
    o.statuses.push_back(FakeDeploymentStatus{store.next_id++, "inactive", "", o.environment, "", "", NowText()});
  }
}

HttpResponse CreateStatus(const ApiRequest& rq, Deployments& deployments, FakeDeployment& d, Store& store,
                          const std::string& repo_url) {
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return Error(HostKind::kGitHub, 400, "Problems parsing JSON");
  Body body(doc);
  FakeDeploymentStatus s;
  std::string target_url, environment;
  bool auto_inactive = true;
  body.String("state", s.state);
  body.String("description", s.description);
  body.String("log_url", s.log_url);
  body.String("target_url", target_url);
  body.String("environment", environment);
  body.String("environment_url", s.environment_url);
  body.Bool("auto_inactive", auto_inactive);
  if (!body.error().empty()) return InvalidRequest(body.error(), kStatusDocs);
  if (body.Get("state") == nullptr) return InvalidRequest("\"state\" wasn't supplied.", kStatusDocs);
  if (!OneOf(s.state, {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"})) {
    return ValidationFailed("state", "state is not included in the list");
  }
  if (CodePoints(s.description) > 140) {
    return ValidationFailed("description", "description is too long (maximum is 140 characters)");
  }
  if (s.log_url.empty()) s.log_url = target_url;  // log_url replaces target_url; either sets both
  if (!environment.empty()) d.environment = environment;
  s.id = store.next_id++;
  s.environment = d.environment;
  s.created_at = NowText();
  d.statuses.push_back(s);
  if (s.state == "success" && auto_inactive) Inactivate(deployments, d, store);
  const std::string url = repo_url + "/deployments/" + std::to_string(d.id) + "/statuses/" + std::to_string(s.id);
  return Answer(201, Json([&](Ar& ar) { WriteStatus(ar, s, d, repo_url); }), {{"Location", url}});
}

}  // namespace

HttpResponse GitHubDeployments(const Route& rt, const ApiRequest& rq, Store& store) {
  const std::string repo_url = rq.base_url + (rq.path.starts_with("/api/v3/") ? "/api/v3" : "") + "/repos/" + rt.repo;
  auto& deployments = store.github_deployments[rt.repo];
  const auto& r = rt.rest;  // "deployments" [id ["statuses" [status_id]]]
  const bool get = rq.method == "GET", post = rq.method == "POST";
  if (r.size() == 1 && post) return CreateDeployment(rt, rq, store, repo_url);
  if (r.size() == 1 && get) return ListDeployments(rq, deployments, repo_url);
  const auto d = r.size() < 2 ? deployments.end()
                              : std::find_if(deployments.begin(), deployments.end(),
                                             [&](const auto& o) { return std::to_string(o.id) == r[1]; });
  if (d == deployments.end() || r.size() > 4 || (r.size() > 2 && r[2] != "statuses")) return NotFound();
  if (r.size() == 2 && get) return Answer(200, Json([&](Ar& ar) { WriteDeployment(ar, *d, repo_url); }));
  if (r.size() == 3 && post) return CreateStatus(rq, deployments, *d, store, repo_url);
  const auto write = [&](Ar& ar, const FakeDeploymentStatus& s) { WriteStatus(ar, s, *d, repo_url); };
  if (r.size() == 3 && get) {
    const DeploymentStatuses newest_first(d->statuses.rbegin(), d->statuses.rend());
    const Paging paging(rq, "per_page", 30, 100, newest_first.size());
    HeaderList headers;
    paging.Link(headers, rq.PageUrl());
    return Answer(200, JsonArray(paging.Of(newest_first), write), headers);
  }
  const auto s = std::find_if(d->statuses.begin(), d->statuses.end(),
                              [&](const auto& o) { return r.size() == 4 && std::to_string(o.id) == r[3]; });
  if (s == d->statuses.end() || !get) return NotFound();
  return Answer(200, Json([&](Ar& ar) { write(ar, *s); }));
}

}  // namespace fluxstatus::testing::fake
