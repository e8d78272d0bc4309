// FakeGitHost: GitLab's commit statuses API with its state machine (git-hosts.md A.2).
#include "tests/support/fake_git_host_api_parts.h"

#include <algorithm>
#include <set>

namespace fluxstatus::testing::fake {
namespace {

// GitLab's state machine for one commit status (create_commit_status_service.rb): the state
// `from` moves to for the requested state, or "!<event>:<state>" when the event is refused.
std::string Fire(const std::string& from, const std::string& requested) {
  const bool open = OneOf(from, {"created", "pending", "running"});
  if (requested == "pending") return from == "created" ? "pending" : "!enqueue:" + from;
  if (requested == "running") {
    const std::string queued = from == "created" ? "pending" : from;  // enqueue (no bang), then run!
    return queued == "pending" ? "running" : "!run:" + queued;
  }
  if (requested == "success") return open ? "success" : "!success:" + from;
  if (requested == "failed") return open ? "failed" : "!drop:" + from;
  if (requested == "canceled") return open ? "canceled" : "!cancel:" + from;
  return OneOf(from, {"created", "pending"}) ? "skipped" : "!skip:" + from;
}

}  // namespace

HttpResponse GitLab(const Route& rt, const ApiRequest& rq, Store& store) {
  const auto write = [&](Ar& ar, const FakeStatus& s) {
    ar(make_nvp("id", s.id), make_nvp("sha", rt.sha), make_nvp("ref", s.name), make_nvp("status", s.state),
       make_nvp("name", s.context));
    Nullable(ar, "target_url", s.target_url);
    Nullable(ar, "description", s.description);
    ar(make_nvp("created_at", s.updated_at), make_nvp("allow_failure", false));
  };
  auto& list = store.statuses[{rt.kind, rt.repo, rt.sha}];
  if (rt.op == Op::kList) {
    Statuses items;
    std::set<std::pair<std::string, std::string>> seen;  // (name, ref) already listed, newest first
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (rq.Query("name", it->context) != it->context || rq.Query("ref", it->name) != it->name) continue;
      if (rq.Query("all") != "true" && !seen.insert({it->context, it->name}).second) continue;  // latest only
      items.push_back(*it);
    }
    if (rq.Query("sort") != "desc") std::reverse(items.begin(), items.end());
    const Paging paging(rq, "per_page", 20, 100, items.size());
    return Answer(200, JsonArray(paging.Of(items), write), paging.GitLabHeaders(rq, items.size()));
  }
  rapidjson::Document doc;
  const auto state = ParseObject(rq.body, doc) ? Field(&doc, "state") : std::nullopt;
  if (!state) return Error(rt.kind, 400, "state is missing");
  if (!OneOf(*state, {"pending", "running", "success", "failed", "canceled", "skipped"})) {
    return Error(rt.kind, 400, "state does not have a valid value");
  }
  FakeStatus s = FromBody(&doc, "name", "target_url", "ref", FieldOr(&doc, "context", "default"));
  if (s.name.empty()) s.name = "main";  // the fake's every commit is on main
  if (CodePoints(s.description) > 255 || CodePoints(s.target_url) > 255 || CodePoints(s.name) > 255) {
    return Error(rt.kind, 400, "description, target_url or ref is too long (maximum is 255 characters)");
  }
  // A job is updated in place only while still pending or running (same name and ref).
  const auto newest = std::find_if(list.rbegin(), list.rend(),
                                   [&](const FakeStatus& o) { return o.context == s.context && o.name == s.name; });
  FakeStatus* job = newest != list.rend() && OneOf(newest->state, {"pending", "running"}) ? &*newest : nullptr;
  const std::string next = Fire(job ? job->state : "created", s.state);
  if (next.starts_with("!")) {
    const auto colon = next.find(':');
    const std::string event = next.substr(1, colon - 1);
    return Error(rt.kind, 400,
                 "Cannot transition status via :" + event + " from :" + next.substr(colon + 1) +
                     " (Reason(s): Status cannot transition via \"" + event + "\")");
  }
  if (job == nullptr) {
    s.id = store.next_id++;
    job = &list.emplace_back(s);
  }
  job->state = next;
  job->description = s.description;
  job->target_url = s.target_url;
  job->updated_at = s.updated_at;
  return Answer(201, Json([&](Ar& ar) { write(ar, *job); }));
}

}  // namespace fluxstatus::testing::fake
