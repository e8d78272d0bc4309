// FakeGitHost: Gitea's commit statuses API (git-hosts.md A.3).
#include "tests/support/fake_git_host_api_parts.h"

namespace fluxstatus::testing::fake {

HttpResponse Gitea(const Route& rt, const ApiRequest& rq, Store& store) {
  const auto write = [&](Ar& ar, const FakeStatus& s) {
    ar(make_nvp("id", s.id), make_nvp("status", s.state), make_nvp("target_url", s.target_url),
       make_nvp("description", s.description), make_nvp("context", s.context), make_nvp("created_at", s.updated_at),
       make_nvp("updated_at", s.updated_at));
  };
  auto& list = store.statuses[{rt.kind, rt.repo, rt.sha}];
  if (rt.op == Op::kList) {
    Statuses items;
    std::copy_if(list.begin(), list.end(), std::back_inserter(items),
                 [&](const FakeStatus& s) { return rq.Query("state", s.state) == s.state; });
    if (!OneOf(rq.Query("sort"), {"oldest", "leastindex", "leastupdate"})) items = NewestFirst(items);
    const Paging paging(rq, "limit", 30, 50, items.size());
    HeaderList headers = {{"X-Total-Count", std::to_string(items.size())}};
    paging.Link(headers, rq.base_url + rq.path + "?limit=" + std::to_string(paging.size) + "&");
    return Answer(200, JsonArray(paging.Of(items), write), headers);
  }
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return Error(rt.kind, 400, "invalid JSON body");
  FakeStatus s = FromBody(&doc, "context", "target_url", nullptr, "default");
  if (!OneOf(s.state, {"pending", "success", "error", "failure", "warning", "skipped"})) {
    return Error(rt.kind, 400, "invalid commit status state '" + s.state + "'");
  }
  s.id = store.next_id++;
  list.push_back(s);
  return Answer(201, Json([&](Ar& ar) { write(ar, s); }));
}

}  // namespace fluxstatus::testing::fake
