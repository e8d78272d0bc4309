// FakeGitHost: Azure DevOps' commit statuses API (git-hosts.md A.6).
#include "tests/support/fake_git_host_api_parts.h"

#include <set>

namespace fluxstatus::testing::fake {

HttpResponse AzureDevOps(const Route& rt, const ApiRequest& rq, Store& store) {
  if (rq.Query("api-version").empty()) {
    return Error(rt.kind, 400,
                 "No api-version was supplied for the \"" + rq.method +
                     "\" request. The version must be supplied either as part of the Accept header or as a query "
                     "parameter (e.g. '?api-version=1.0').");
  }
  const auto write = [&](Ar& ar, const FakeStatus& s) {
    ar(make_nvp("id", s.id), make_nvp("state", s.state), make_nvp("description", s.description));
    ar.setNextName("context");
    ar.startNode();
    ar(make_nvp("name", s.context), make_nvp("genre", s.name));
    ar.finishNode();
    ar(make_nvp("creationDate", s.updated_at), make_nvp("updatedDate", s.updated_at));
    if (!s.target_url.empty()) ar(make_nvp("targetUrl", s.target_url));
  };
  auto& list = store.statuses[{rt.kind, rt.repo, rt.sha}];
  if (rt.op == Op::kList) {
    Statuses items;
    std::set<std::pair<std::string, std::string>> seen;  // latestOnly: newest per context name + genre
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (rq.Query("latestOnly") != "true" || seen.insert({it->context, it->name}).second) items.push_back(*it);
    }
    items = Slice(items, static_cast<std::size_t>(rq.QueryInt("skip", 0, 0, 1 << 30)),
                  static_cast<std::size_t>(rq.QueryInt("top", 1000, 1, 1 << 20)));
    return Answer(200, Json([&](Ar& ar) {
                    ar(make_nvp("count", items.size()));
                    Array(ar, "value", items, write);
                  }));
  }
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return Error(rt.kind, 400, "Value cannot be null. Parameter name: status");
  const auto context = doc.FindMember("context");
  const rapidjson::Value* ctx = context == doc.MemberEnd() ? nullptr : &context->value;
  FakeStatus s = FromBody(&doc, "", "targetUrl", nullptr);
  s.context = FieldOr(ctx, "name");
  s.name = FieldOr(ctx, "genre");
  if (!OneOf(s.state, {"notSet", "pending", "succeeded", "failed", "error", "notApplicable"})) {
    return Error(rt.kind, 400, "The value '" + s.state + "' is not a valid GitStatusState.");
  }
  if (s.context.empty()) return Error(rt.kind, 400, "The status context name must be specified.");
  s.id = store.next_id++;
  list.push_back(s);
  return Answer(201, Json([&](Ar& ar) { write(ar, s); }));
}

}  // namespace fluxstatus::testing::fake
