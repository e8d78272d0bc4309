// FakeGitHost: GitLab's deployments API (deployments-and-checks.md 4.1-4.5): create (with the
// environment made on the fly and a repeat of the last success returned, not duplicated),
// update with the deployment state machine's refusals, list with filters and paging, get one.
#include <algorithm>
#include <cctype>

#include "tests/support/fake_git_host_gitlab_parts.h"

namespace fluxstatus::testing::fake {
namespace {

using GitLabDeploymentList = std::vector<FakeGitLabDeployment>;

// The missing required parameters in Grape's words ("sha is missing, tag is missing"), or "".
std::string Missing(const Params& params, std::initializer_list<const char*> names) {
  std::string out;
  for (const char* name : names) {
    if (!params.contains(name)) out += (out.empty() ? "" : ", ") + std::string(name) + " is missing";
  }
  return out;
}

bool IsSha(const std::string& text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(),
                                          [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// Grape's Boolean coercion: nullopt when `text` is not one.
std::optional<bool> Boolean(const std::string& text) {
  if (OneOf(text, {"true", "1"})) return true;
  if (OneOf(text, {"false", "0"})) return false;
  return std::nullopt;
}

// The state machine's event for a requested status, when `from` refuses it (4.4): `run` only
// from created or blocked; succeed, drop and cancel from anything but their own state.
std::optional<std::string> RefusedEvent(const std::string& from, const std::string& requested) {
  if (requested == "running")
    return OneOf(from, {"created", "blocked"}) ? std::nullopt : std::optional<std::string>("run");
  if (requested == "success") return from != "success" ? std::nullopt : std::optional<std::string>("succeed");
  if (requested == "failed") return from != "failed" ? std::nullopt : std::optional<std::string>("drop");
  return from != "canceled" ? std::nullopt : std::optional<std::string>("cancel");
}

void Touch(FakeGitLabDeployment& d, Store& store) {
  d.updated_at = NowText();
  d.updated_seq = ++store.gitlab_changes;
}

HttpResponse One(int status, const Store& store, const std::string& project, const FakeGitLabDeployment& d) {
  return Answer(status,
                Json([&](Ar& ar) { WriteGitLabDeployment(ar, d, FindEnvironment(store, project, d.environment)); }));
}

HttpResponse Create(const Params& params, Store& store, const std::string& project) {
  if (auto missing = Missing(params, {"environment", "sha", "ref", "tag", "status"}); !missing.empty()) {
    return GrapeError(missing);
  }
  const auto tag = Boolean(*Param(params, "tag"));
  if (!tag) return GrapeError("tag is invalid");
  const std::string status = *Param(params, "status");
  if (!OneOf(status, {"running", "success", "failed", "canceled"}))
    return GrapeError("status does not have a valid value");
  const std::string environment = *Param(params, "environment"), sha = *Param(params, "sha"),
                    ref = *Param(params, "ref");
  if (auto bad = BadEnvironmentName(environment)) return ModelError("name", *bad);
  // GitLab finds or creates the environment before it validates the deployment, so a refused
  // sha or ref still leaves the environment behind (lib/api/deployments.rb).
  FindOrCreateEnvironment(store, project, environment);
  // The fake holds no commits or branches: any full SHA exists, and so does any ref.
  if (!IsSha(sha)) return ModelError("sha", "The commit does not exist");
  if (ref.empty()) return ModelError("ref", "The branch or tag does not exist");
  auto& list = store.gitlab_deployments[project];
  // A repeat of the environment's last successful deployment is that deployment (create_service.rb).
  const auto last_success = std::find_if(
      list.rbegin(), list.rend(), [&](const auto& d) { return d.environment == environment && d.status == "success"; });
  if (status == "success" && last_success != list.rend() && last_success->ref == ref && last_success->sha == sha &&
      last_success->tag == *tag) {
    return One(201, store, project, *last_success);
  }
  FakeGitLabDeployment d;
  d.id = store.next_id++;
  d.iid = static_cast<std::int64_t>(list.size()) + 1;
  d.sha = sha;
  d.ref = ref;
  d.tag = *tag;
  d.status = status;
  d.environment = environment;
  d.created_at = NowText();
  Touch(d, store);
  list.push_back(d);
  return One(201, store, project, d);
}

HttpResponse Update(const Params& params, Store& store, const std::string& project, FakeGitLabDeployment& d) {
  const auto status = Param(params, "status");
  if (!status) return GrapeError("status is missing");
  if (!OneOf(*status, {"running", "success", "failed", "canceled"})) {
    return GrapeError("status does not have a valid value");
  }
  if (const auto event = RefusedEvent(d.status, *status)) {
    return ModelError("status", "cannot transition via \"" + *event + "\"");
  }
  d.status = *status;
  Touch(d, store);
  return One(200, store, project, d);
}

// Filters: environment, status. There is no `sha` filter: GitLab drops the undeclared parameter
// and lists every deployment, so a client must match sha itself (4.5). order_by id (default),
// iid, created_at or updated_at; sort asc (default) or desc. finished_at ordering and the
// updated_/finished_ after/before ranges are not modelled.
HttpResponse List(const ApiRequest& rq, const Store& store, const std::string& project,
                  const GitLabDeploymentList& deployments) {
  const std::string status = rq.Query("status"), order_by = rq.Query("order_by", "id"), sort = rq.Query("sort", "asc");
  if (rq.query.contains("status") &&
      !OneOf(status, {"created", "running", "success", "failed", "canceled", "skipped", "blocked"})) {
    return GrapeError("status does not have a valid value");
  }
  if (order_by == "finished_at") return GrapeError("order_by=finished_at is not modelled by the fake host");
  if (!OneOf(order_by, {"id", "iid", "created_at", "updated_at"}))
    return GrapeError("order_by does not have a valid value");
  if (!OneOf(sort, {"asc", "desc"})) return GrapeError("sort does not have a valid value");
  GitLabDeploymentList items;
  std::copy_if(deployments.begin(), deployments.end(), std::back_inserter(items), [&](const auto& d) {
    return rq.Query("environment", d.environment) == d.environment && (status.empty() || d.status == status);
  });
  if (order_by == "updated_at") {
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.updated_seq < b.updated_seq; });
  }
  if (sort == "desc") std::reverse(items.begin(), items.end());  // id, iid and created_at share one order
  const Paging paging(rq, "per_page", 20, 100, items.size());
  return Answer(200,
                JsonArray(paging.Of(items),
                          [&](Ar& ar, const FakeGitLabDeployment& d) {
                            WriteGitLabDeployment(ar, d, FindEnvironment(store, project, d.environment));
                          }),
                paging.GitLabHeaders(rq, items.size()));
}

}  // namespace

void WriteGitLabDeployment(Ar& ar, const FakeGitLabDeployment& d, const FakeGitLabEnvironment* e) {
  ar(make_nvp("id", d.id), make_nvp("iid", d.iid), make_nvp("ref", d.ref), make_nvp("sha", d.sha),
     make_nvp("created_at", d.created_at), make_nvp("updated_at", d.updated_at), make_nvp("status", d.status));
  ar.setNextName("user");
  ar.startNode();
  ar(make_nvp("id", 1), make_nvp("name", std::string("Fake User")), make_nvp("username", std::string("fake-user")),
     make_nvp("state", std::string("active")));
  ar.finishNode();
  ar.setNextName("environment");
  if (e != nullptr) {
    ar.startNode();
    WriteEnvironment(ar, *e);
    ar.finishNode();
  } else {
    ar.writeName();
    ar.saveValue(nullptr);
  }
  ar.setNextName("deployable");  // API-made: no CI job
  ar.writeName();
  ar.saveValue(nullptr);
}

// /projects/:id/deployments: GET (paged), POST; /:deployment_id: GET, PUT.
HttpResponse GitLabDeployments(const Route& rt, const ApiRequest& rq, Store& store) {
  auto& deployments = store.gitlab_deployments[rt.repo];
  Params params;
  if (!ReadParams(rq, params)) return GrapeError("the body is neither JSON nor a form");  // the fake's words
  const auto& r = rt.rest;                                                                // "deployments" [id]
  if (r.size() == 1 && rq.method == "GET") return List(rq, store, rt.repo, deployments);
  if (r.size() == 1 && rq.method == "POST") return Create(params, store, rt.repo);
  const auto d = std::find_if(deployments.begin(), deployments.end(),
                              [&](const auto& o) { return r.size() == 2 && std::to_string(o.id) == r[1]; });
  if (d == deployments.end()) return GitLabNotFound();
  if (rq.method == "GET") return One(200, store, rt.repo, *d);
  if (rq.method == "PUT") return Update(params, store, rt.repo, *d);
  return GitLabNotFound();
}

}  // namespace fluxstatus::testing::fake
