// FakeGitHost: the build statuses APIs of Bitbucket Cloud (git-hosts.md A.4) and Bitbucket
// Data Center / Server (A.5).
#include "tests/support/fake_git_host_api_parts.h"

#include <algorithm>

#include "core/rfc3339.h"

namespace fluxstatus::testing::fake {

HttpResponse Bitbucket(const Route& rt, const ApiRequest& rq, Store& store) {
  const bool cloud = rt.kind == HostKind::kBitbucket;
  const auto write = [&](Ar& ar, const FakeStatus& s) {
    if (cloud) ar(make_nvp("type", std::string("build")));
    ar(make_nvp("key", s.context), make_nvp("state", s.state), make_nvp("name", s.name), make_nvp("url", s.target_url),
       make_nvp("description", s.description));
    if (cloud)
      ar(make_nvp("created_on", s.updated_at), make_nvp("updated_on", s.updated_at));
    else
      ar(make_nvp("dateAdded", core::ParseRfc3339(s.updated_at).value_or(0)));
  };
  auto& list = store.statuses[{rt.kind, rt.repo, rt.sha}];
  if (rt.op == Op::kList) {  // Cloud only: the paged {size, page, pagelen, next, values} envelope
    const Paging paging(rq, "pagelen", 10, 100, list.size());
    return Answer(200, Json([&](Ar& ar) {
                    ar(make_nvp("size", list.size()), make_nvp("page", paging.page), make_nvp("pagelen", paging.size));
                    if (paging.page < paging.pages) {
                      ar(make_nvp("next", rq.base_url + rq.path + "?pagelen=" + std::to_string(paging.size) +
                                              "&page=" + std::to_string(paging.page + 1)));
                    }
                    Array(ar, "values", paging.Of(list), write);
                  }));
  }
  if (rt.op == Op::kGetOne) {  // Cloud: key in the path; Server: ?key=
    const std::string key = cloud ? rt.key : rq.Query("key");
    const auto it = std::find_if(list.begin(), list.end(), [&](const FakeStatus& s) { return s.context == key; });
    if (it == list.end()) return Error(rt.kind, 404, "No build status for key '" + key + "'");
    return Answer(200, Json([&](Ar& ar) { write(ar, *it); }));
  }
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return Error(rt.kind, 400, "The request body is not valid JSON.");
  FakeStatus s = FromBody(&doc, "key", "url", "name");
  for (const auto& [field, value] : {std::pair{"key", &s.context}, {"state", &s.state}, {"url", &s.target_url}}) {
    if (value->empty()) return Error(rt.kind, 400, std::string(field) + ": This field is required.");
  }
  const bool state_ok = cloud ? OneOf(s.state, {"INPROGRESS", "SUCCESSFUL", "FAILED", "STOPPED"})
                              : OneOf(s.state, {"SUCCESSFUL", "FAILED", "INPROGRESS", "CANCELLED", "UNKNOWN"});
  if (!state_ok) return Error(rt.kind, 400, "state: '" + s.state + "' is not a valid choice.");
  if (!cloud && (CodePoints(s.context) > 255 || CodePoints(s.name) > 255 || CodePoints(s.target_url) > 450)) {
    return Error(rt.kind, 400, "key and name may have 255 characters at most, url 450.");
  }
  if (const auto ref = Field(&doc, "ref"); !cloud && ref && !ref->starts_with("refs/")) {
    return Error(rt.kind, 400, "ref must match ^refs/.");
  }
  const FakeStatus& held = Upsert(list, std::move(s), store);
  if (!cloud) return Answer(204, "");
  return Answer(201, Json([&](Ar& ar) { write(ar, held); }));
}

}  // namespace fluxstatus::testing::fake
