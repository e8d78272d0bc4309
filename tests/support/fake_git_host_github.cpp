// FakeGitHost: GitHub's and GitHub Enterprise Server's commit statuses API (git-hosts.md A.1).
#include "tests/support/fake_git_host_api_parts.h"

#include <algorithm>

namespace fluxstatus::testing::fake {
namespace {

HttpResponse GitHubValidation(const std::string& field, const std::string& message) {
  return GitHubValidationFailed("Status", field, message, "https://docs.github.com/rest/commits/statuses");
}

}  // namespace

HttpResponse GitHub(const Route& rt, const ApiRequest& rq, Store& store) {
  const std::string url =
      rq.base_url + (rq.path.starts_with("/api/v3/") ? "/api/v3" : "") + "/repos/" + rt.repo + "/statuses/" + rt.sha;
  const auto write = [&](Ar& ar, const FakeStatus& s) {
    ar(make_nvp("url", url), make_nvp("id", s.id), make_nvp("node_id", "SC_" + std::to_string(s.id)),
       make_nvp("state", s.state));
    Nullable(ar, "description", s.description);
    Nullable(ar, "target_url", s.target_url);
    ar(make_nvp("context", s.context), make_nvp("created_at", s.updated_at), make_nvp("updated_at", s.updated_at));
  };
  auto& list = store.statuses[{rt.kind, rt.repo, rt.sha}];
  if (rt.op == Op::kList) {
    const Paging paging(rq, "per_page", 30, 100, list.size());
    HeaderList headers;
    paging.Link(headers, rq.base_url + rq.path + "?per_page=" + std::to_string(paging.size) + "&");
    return Answer(200, JsonArray(paging.Of(NewestFirst(list)), write), headers);
  }
  rapidjson::Document doc;
  if (!ParseObject(rq.body, doc)) return Error(rt.kind, 400, "Problems parsing JSON");
  FakeStatus s = FromBody(&doc, "context", "target_url", nullptr, "default");
  if (!OneOf(s.state, {"error", "failure", "pending", "success"})) {
    return GitHubValidation("state", "state is not included in the list");
  }
  if (CodePoints(s.description) > 140) {
    return GitHubValidation("description", "description is too long (maximum is 140 characters)");
  }
  if (std::count_if(list.begin(), list.end(), [&](const auto& o) { return Lower(o.context) == Lower(s.context); }) >=
      1000) {
    return GitHubValidation("context", "This SHA and context has reached the maximum number of statuses.");
  }
  s.id = store.next_id++;
  list.push_back(s);
  return Answer(201, Json([&](Ar& ar) { write(ar, s); }), {{"Location", url}});
}

}  // namespace fluxstatus::testing::fake
