// FakeGitHost: GitHub's check runs (deployments-and-checks.md 2): create, PATCH and get one
// for the App's installation token only, list for a commit with GitHub's filters and paging.
// A completed run keeps its state whatever a PATCH says (2.4); such PATCHes are counted.
#include <algorithm>
#include <charconv>
#include <functional>

#include "core/rfc3339.h"
#include "tests/support/fake_git_host_api_parts.h"

namespace fluxstatus::testing::fake {
namespace {

using Runs = std::vector<FakeCheckRun>;
using WriteRunFn = std::function<void(Ar&, const FakeCheckRun&)>;

constexpr const char* kCreateDocs = "https://docs.github.com/rest/checks/runs#create-a-check-run";
constexpr const char* kUpdateDocs = "https://docs.github.com/rest/checks/runs#update-a-check-run";
constexpr std::size_t kTextLimit = 65535;  // output.summary and output.text (2.3)

// What a create or a PATCH body asks for; nullopt: not sent.
struct Asked {
  std::optional<std::string> name, head_sha, external_id, status, conclusion, started_at, completed_at, details_url;
  bool has_output = false;
  std::optional<std::string> title, summary, text;
};

// The body read against the operation's schema: its types, enums and date-times.
std::optional<HttpResponse> Read(const std::string& text, bool create, Asked& a) {
  const char* docs = create ? kCreateDocs : kUpdateDocs;
  rapidjson::Document doc;
  if (!ParseObject(text, doc)) return Error(HostKind::kGitHub, 400, "Problems parsing JSON");
  Body body(doc);
  a.name = body.OptionalString("name");
  a.head_sha = body.OptionalString("head_sha");
  a.external_id = body.OptionalString("external_id");
  a.status = body.OptionalString("status");
  a.conclusion = body.OptionalString("conclusion");
  a.started_at = body.OptionalString("started_at");
  a.completed_at = body.OptionalString("completed_at");
  a.details_url = body.OptionalString("details_url");
  const rapidjson::Value* output = body.Get("output");
  a.has_output = output != nullptr && output->IsObject();
  if (output != nullptr && !a.has_output) return InvalidRequest("For 'properties/output', is not an object.", docs);
  if (a.has_output) {
    Body out(*output);
    a.title = out.OptionalString("title");
    a.summary = out.OptionalString("summary");
    a.text = out.OptionalString("text");
    if (!out.error().empty()) return InvalidRequest(out.error(), docs);
    if (create && (!a.title || !a.summary)) {
      return InvalidRequest(std::string("\"") + (a.title ? "summary" : "title") + "\" wasn't supplied.", docs);
    }
  }
  if (!body.error().empty()) return InvalidRequest(body.error(), docs);
  if (create && !a.name) return InvalidRequest("\"name\" wasn't supplied.", docs);
  if (create && !a.head_sha) return InvalidRequest("\"head_sha\" wasn't supplied.", docs);
  if (a.status && !OneOf(*a.status, {"queued", "in_progress", "completed"})) {
    return InvalidRequest("For 'properties/status', \"" + *a.status + "\" is not one of the allowed values.", docs);
  }
  if (a.conclusion && !OneOf(*a.conclusion, {"action_required", "cancelled", "failure", "neutral", "success", "skipped",
                                             "timed_out"})) {
    return InvalidRequest("For 'properties/conclusion', \"" + *a.conclusion + "\" is not one of the allowed values.",
                          docs);
  }
  for (const auto& [name, value] : {std::pair{"started_at", a.started_at}, std::pair{"completed_at", a.completed_at}}) {
    if (value && !core::ParseRfc3339(*value)) {
      return InvalidRequest(std::string("For 'properties/") + name + "', \"" + *value + "\" is not a date-time.", docs);
    }
  }
  return std::nullopt;
}

// The rules past the schema: a completed run needs a conclusion, and the output fits.
std::optional<HttpResponse> Validate(const Asked& a, const char* docs) {
  if (!a.conclusion && ((a.status && *a.status == "completed") || a.completed_at)) {
    return Answer(422, Json([&](Ar& ar) {
                    ar(make_nvp("message", std::string("Validation Failed")));
                    ar.setNextName("errors");
                    ar.startNode();
                    ar.makeArray();
                    ar.startNode();
                    ar(make_nvp("resource", std::string("CheckRun")), make_nvp("field", std::string("conclusion")),
                       make_nvp("code", std::string("missing_field")));
                    ar.finishNode();
                    ar.finishNode();
                    ar(make_nvp("documentation_url", std::string(docs)));
                  }));
  }
  for (const auto& [name, value] : {std::pair{"summary", a.summary}, std::pair{"text", a.text}}) {
    if (value && CodePoints(*value) > kTextLimit) {
      return GitHubValidationFailed("CheckRun", std::string("output.") + name,
                                    std::string("output.") + name + " is too long (maximum is 65535 characters)", docs);
    }
  }
  return std::nullopt;
}

// Applies what was asked to `state`: a conclusion completes the run (2.3).
void ApplyAsked(const Asked& a, FakeCheckRunState& state) {
  const auto set = [](const std::optional<std::string>& from, std::string& to) {
    if (from) to = *from;
  };
  set(a.name, state.name);
  set(a.external_id, state.external_id);
  set(a.status, state.status);
  set(a.details_url, state.details_url);
  set(a.started_at, state.started_at);
  set(a.title, state.output.title);
  set(a.summary, state.output.summary);
  set(a.text, state.output.text);
  if (a.conclusion) {
    state.conclusion = *a.conclusion;
    state.status = "completed";
  }
  if (state.status == "completed") state.completed_at = a.completed_at.value_or(NowText());
  if (state.started_at.empty()) state.started_at = NowText();
}

void WriteRun(Ar& ar, const FakeCheckRun& run, const std::string& repo_url, const std::string& html_url) {
  const std::string url = repo_url + "/check-runs/" + std::to_string(run.id);
  ar(make_nvp("id", run.id), make_nvp("name", run.name), make_nvp("node_id", "CR_" + std::to_string(run.id)),
     make_nvp("head_sha", run.head_sha), make_nvp("external_id", run.external_id), make_nvp("url", url),
     make_nvp("html_url", html_url + "/runs/" + std::to_string(run.id)));
  Nullable(ar, "details_url", run.details_url);
  ar(make_nvp("status", run.status));
  Nullable(ar, "conclusion", run.conclusion);
  Nullable(ar, "started_at", run.started_at);
  Nullable(ar, "completed_at", run.completed_at);
  ar.setNextName("output");
  ar.startNode();
  Nullable(ar, "title", run.output.title);
  Nullable(ar, "summary", run.output.summary);
  Nullable(ar, "text", run.output.text);
  ar(make_nvp("annotations_count", 0), make_nvp("annotations_url", url + "/annotations"));
  ar.finishNode();
  ar.setNextName("check_suite");
  ar.startNode();
  ar(make_nvp("id", run.check_suite_id));
  ar.finishNode();
  ar.setNextName("app");
  ar.startNode();
  std::int64_t app_id = 0;
  std::from_chars(run.app_id.data(), run.app_id.data() + run.app_id.size(), app_id);
  ar(make_nvp("id", app_id), make_nvp("slug", "app-" + run.app_id));
  ar.finishNode();
  ar.setNextName("pull_requests");
  ar.startNode();
  ar.makeArray();
  ar.finishNode();
}

HttpResponse NotFound() {
  return Answer(404, Json([](Ar& ar) {
                  ar(make_nvp("message", std::string("Not Found")),
                     make_nvp("documentation_url", std::string("https://docs.github.com/rest/checks/runs")));
                }));
}

// 401 for a token the host does not take; 403 for one it takes that is no App's (2.2).
std::optional<HttpResponse> RefuseWriter(const CheckRunCaller& caller, const char* docs) {
  if (caller.installation) return std::nullopt;
  if (!caller.reader) return Unauthorized(HostKind::kGitHub);
  return Answer(403, Json([&](Ar& ar) {
                  ar(make_nvp("message", std::string("You must authenticate via a GitHub App.")),
                     make_nvp("documentation_url", std::string(docs)));
                }));
}

HttpResponse Create(const ApiRequest& rq, Store& store, const std::string& repo, const CheckRunCaller& caller,
                    const std::string& repo_url, const WriteRunFn& write) {
  if (auto refused = RefuseWriter(caller, kCreateDocs)) return std::move(*refused);
  Asked a;
  if (auto bad = Read(rq.body, true, a)) return std::move(*bad);
  if (auto bad = Validate(a, kCreateDocs)) return std::move(*bad);
  const std::string sha = Lower(*a.head_sha);
  if (sha.size() != 40 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return GitHubValidationFailed("CheckRun", "head_sha", "No commit found for SHA: " + *a.head_sha, kCreateDocs);
  }
  FakeCheckRun run;
  run.head_sha = sha;
  run.app_id = caller.app_id;
  ApplyAsked(a, run);
  run = AddCheckRun(store, repo, std::move(run));
  return Answer(201, Json([&](Ar& ar) { write(ar, run); }),
                {{"Location", repo_url + "/check-runs/" + std::to_string(run.id)}});
}

// A refusal, or nullopt when the PATCH was applied (or, for a completed run, counted).
std::optional<HttpResponse> Update(const ApiRequest& rq, FakeCheckRun& run, Store& store,
                                   const CheckRunCaller& caller) {
  if (auto refused = RefuseWriter(caller, kUpdateDocs)) return refused;
  if (run.app_id != caller.app_id) {
    return Answer(403, Json([&](Ar& ar) {
                    ar(make_nvp("message", "Invalid app_id " + caller.app_id +
                                               " - check run can only be modified by the GitHub App that created it."),
                       make_nvp("documentation_url", std::string(kUpdateDocs)));
                  }));
  }
  Asked a;
  if (auto bad = Read(rq.body, false, a)) return bad;
  if (auto bad = Validate(a, kUpdateDocs)) return bad;
  if (run.status == "completed") {
    ++run.patches_after_completion;
    ++store.check_run_patches_after_completion;
    return std::nullopt;
  }
  ApplyAsked(a, run);
  run.history.push_back(static_cast<const FakeCheckRunState&>(run));
  return std::nullopt;
}

// Newest first. filter=latest (the default) keeps each name's newest run.
HttpResponse List(const ApiRequest& rq, const Runs& runs, const std::string& ref, const WriteRunFn& write) {
  Runs items;
  const bool latest = rq.Query("filter", "latest") != "all";
  const auto keep = [&](const std::string& name, const std::string& value) {
    return !rq.query.contains(name) || rq.Query(name) == value;
  };
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->head_sha != Lower(ref) || !keep("check_name", it->name) || !keep("status", it->status) ||
        !keep("app_id", it->app_id))
      continue;
    const bool newer_listed =
        std::any_of(items.begin(), items.end(), [&](const FakeCheckRun& o) { return o.name == it->name; });
    if (!latest || !newer_listed) items.push_back(*it);
  }
  const Paging paging(rq, "per_page", 30, 100, items.size());
  HeaderList headers;
  paging.Link(headers, rq.PageUrl());
  return Answer(200, Json([&](Ar& ar) {
                  ar(make_nvp("total_count", static_cast<std::int64_t>(items.size())));
                  Array(ar, "check_runs", paging.Of(items), write);
                }),
                headers);
}

}  // namespace

FakeCheckRun AddCheckRun(Store& store, const std::string& repo, FakeCheckRun run) {
  Runs& runs = store.github_check_runs[repo];
  const auto suite = std::find_if(runs.begin(), runs.end(), [&](const FakeCheckRun& o) {
    return o.head_sha == run.head_sha && o.app_id == run.app_id;
  });
  run.id = store.next_id++;
  run.check_suite_id = suite != runs.end() ? suite->check_suite_id : store.next_id++;
  run.created_at = NowText();
  run.history = {static_cast<const FakeCheckRunState&>(run)};
  runs.push_back(run);
  return run;
}

HttpResponse GitHubCheckRuns(const Route& rt, const ApiRequest& rq, Store& store, const CheckRunCaller& caller) {
  const bool ghes = rq.path.starts_with("/api/v3/");
  const std::string repo_url = rq.base_url + (ghes ? "/api/v3" : "") + "/repos/" + rt.repo;
  const std::string html_url = rq.base_url + "/" + rt.repo;
  const WriteRunFn write = [&](Ar& ar, const FakeCheckRun& run) { WriteRun(ar, run, repo_url, html_url); };
  Runs& runs = store.github_check_runs[rt.repo];
  const auto& r = rt.rest;  // "check-runs" [id], or "commits" (the ref in rt.sha)
  const bool get = rq.method == "GET", patch = rq.method == "PATCH";
  if (get && !caller.reader) return Unauthorized(HostKind::kGitHub);
  if (r.size() == 1 && r[0] == "commits") return List(rq, runs, rt.sha, write);
  if (r.size() == 1 && rq.method == "POST") return Create(rq, store, rt.repo, caller, repo_url, write);
  const auto run = std::find_if(runs.begin(), runs.end(),
                                [&](const FakeCheckRun& o) { return r.size() == 2 && std::to_string(o.id) == r[1]; });
  if (run == runs.end() || (!get && !patch)) return NotFound();
  if (patch) {
    if (auto refused = Update(rq, *run, store, caller)) return std::move(*refused);
  }
  return Answer(200, Json([&](Ar& ar) { write(ar, *run); }));
}

}  // namespace fluxstatus::testing::fake
