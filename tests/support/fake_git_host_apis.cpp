#include "tests/support/fake_git_host_apis.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <initializer_list>
#include <set>
#include <string_view>

#include <curl/curl.h>
#include <rapidjson/document.h>

#include "core/compact_json.h"
#include "core/rfc3339.h"

namespace fluxstatus::testing::fake {
namespace {

using Ar = cereal::JSONOutputArchive;
using cereal::make_nvp;
using ingest::HttpResponse;
using Statuses = std::vector<FakeStatus>;

HttpResponse Answer(int status, std::string body, HeaderList headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

template <class Write>
std::string Json(Write&& write) {
  return core::CompactJson(std::forward<Write>(write));
}

// Writes `items` as an array named `name`, or as the whole document when name is nullptr.
template <class Write>
void Array(Ar& ar, const char* name, const Statuses& items, Write&& write) {
  if (name != nullptr) {
    ar.setNextName(name);
    ar.startNode();
  }
  ar.makeArray();
  for (const auto& item : items) {
    ar.startNode();
    write(ar, item);
    ar.finishNode();
  }
  if (name != nullptr) ar.finishNode();
}

template <class Write>
std::string JsonArray(const Statuses& items, Write&& write) {
  std::string out = Json([&](Ar& ar) { Array(ar, nullptr, items, write); });
  return out.empty() ? "[]" : out;  // cereal writes nothing for an empty top-level array
}

void Nullable(Ar& ar, const char* name, const std::string& value) {
  core::WriteNullable(ar, name, value.empty() ? std::nullopt : std::optional<std::string>(value));
}

// The error body each host sends: {"message"} (GitHub, GitLab, Gitea, ADO), Bitbucket Cloud's
// {"type":"error","error":{"message"}}, Bitbucket Server's {"errors":[{"message"}]}.
HttpResponse Error(HostKind kind, int status, const std::string& message) {
  return Answer(status, Json([&](Ar& ar) {
                  if (kind == HostKind::kBitbucket) {
                    ar(make_nvp("type", std::string("error")));
                    ar.setNextName("error");
                    ar.startNode();
                  } else if (kind == HostKind::kBitbucketServer) {
                    ar.setNextName("errors");
                    ar.startNode();
                    ar.makeArray();
                    ar.startNode();
                  }
                  ar(make_nvp("message", message));
                  if (kind == HostKind::kBitbucketServer) ar.finishNode();
                  if (kind == HostKind::kBitbucket || kind == HostKind::kBitbucketServer) ar.finishNode();
                }));
}

std::string Decode(std::string_view text) {
  int length = 0;
  char* raw = curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length);
  if (raw == nullptr) return std::string(text);
  std::string out(raw, static_cast<std::size_t>(length));
  curl_free(raw);
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find(sep, start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (i == from ? "" : "/") + parts[i];
  return out;
}

std::size_t CodePoints(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool OneOf(std::string_view value, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The body as a JSON object; an empty body counts as {}.
bool ParseObject(const std::string& body, rapidjson::Document& doc) {
  doc.Parse(body.empty() ? "{}" : body.c_str(), body.empty() ? 2 : body.size());
  return !doc.HasParseError() && doc.IsObject();
}

std::optional<std::string> Field(const rapidjson::Value* object, const char* name) {
  if (object == nullptr || !object->IsObject()) return std::nullopt;
  const auto it = object->FindMember(name);
  if (it == object->MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string FieldOr(const rapidjson::Value* object, const char* name, std::string fallback = {}) {
  auto value = Field(object, name);
  return value && !value->empty() ? *value : fallback;
}

// items[from, from + count), clamped.
Statuses Slice(const Statuses& items, std::size_t from, std::size_t count) {
  from = std::min(from, items.size());
  const auto begin = items.begin() + static_cast<std::ptrdiff_t>(from);
  return Statuses(begin, begin + static_cast<std::ptrdiff_t>(std::min(count, items.size() - from)));
}

// 1-based page-number paging as GitHub, GitLab, Gitea and Bitbucket Cloud do it.
struct Paging {
  int page, size, pages;
  Paging(const ApiRequest& rq, const char* size_name, int fallback, int max, std::size_t total)
      : page(rq.QueryInt("page", 1, 1, 1 << 20)), size(rq.QueryInt(size_name, fallback, 1, max)) {
    pages =
        std::max(1, static_cast<int>((total + static_cast<std::size_t>(size) - 1) / static_cast<std::size_t>(size)));
  }
  Statuses Of(const Statuses& items) const {
    return Slice(items, static_cast<std::size_t>(page - 1) * static_cast<std::size_t>(size),
                 static_cast<std::size_t>(size));
  }
  // RFC 5988 Link header (next/last, prev/first); `url` ends in '?' or '&'. Appended when any.
  void Link(HeaderList& headers, const std::string& url) const {
    std::string link;
    const auto add = [&](int p, const char* rel) {
      link += (link.empty() ? "<" : ", <") + url + "page=" + std::to_string(p) + ">; rel=\"" + rel + "\"";
    };
    if (page < pages) {
      add(page + 1, "next");
      add(pages, "last");
    }
    if (page > 1) {
      add(page - 1, "prev");
      add(1, "first");
    }
    if (!link.empty()) headers.emplace_back("Link", link);
  }
};

// A status from a request body, reading the members the host calls context, URL and name.
FakeStatus FromBody(const rapidjson::Value* body, const char* context, const char* url, const char* name,
                    const std::string& default_context = {}) {
  return FakeStatus{0,
                    FieldOr(body, context, default_context),
                    FieldOr(body, "state"),
                    FieldOr(body, "description"),
                    FieldOr(body, url),
                    name == nullptr ? std::string() : FieldOr(body, name),
                    NowText()};
}

Statuses NewestFirst(Statuses items) {
  std::reverse(items.begin(), items.end());
  return items;
}

// Bitbucket's upsert by key: "If the specified key already exists, the existing status object
// will be overwritten." The key keeps its first id and place.
const FakeStatus& Upsert(Statuses& list, FakeStatus s, Store& store) {
  const auto it = std::find_if(list.begin(), list.end(), [&](const FakeStatus& o) { return o.context == s.context; });
  if (it == list.end()) {
    s.id = store.next_id++;
    return list.emplace_back(std::move(s));
  }
  s.id = it->id;
  return *it = std::move(s);
}

// ---- GitHub (A.1) -------------------------------------------------------------------------

HttpResponse GitHubValidation(const std::string& field, const std::string& message) {
  return Answer(422, Json([&](Ar& ar) {
                  ar(make_nvp("message", std::string("Validation Failed")));
                  ar.setNextName("errors");
                  ar.startNode();
                  ar.makeArray();
                  ar.startNode();
                  ar(make_nvp("resource", std::string("Status")), make_nvp("code", std::string("custom")),
                     make_nvp("field", field), make_nvp("message", message));
                  ar.finishNode();
                  ar.finishNode();
                  ar(make_nvp("documentation_url", std::string("https://docs.github.com/rest/commits/statuses")));
                }));
}

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

// ---- GitLab (A.2) -------------------------------------------------------------------------

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
    const int page = paging.page;
    HeaderList headers = {{"X-Total", std::to_string(items.size())},
                          {"X-Total-Pages", std::to_string(paging.pages)},
                          {"X-Page", std::to_string(page)},
                          {"X-Per-Page", std::to_string(paging.size)},
                          {"X-Next-Page", page < paging.pages ? std::to_string(page + 1) : ""},
                          {"X-Prev-Page", page > 1 ? std::to_string(page - 1) : ""}};
    std::string url = rq.base_url + rq.path + "?";
    for (const auto& [name, value] : rq.query) url += name == "page" ? "" : name + "=" + value + "&";
    paging.Link(headers, url);
    return Answer(200, JsonArray(paging.Of(items), write), headers);
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

// ---- Gitea (A.3) --------------------------------------------------------------------------

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

// ---- Bitbucket Cloud (A.4) and Bitbucket Data Center / Server (A.5) -----------------------

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

// ---- Azure DevOps (A.6) -------------------------------------------------------------------

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

// ---- the repository itself (doctor's access check) -----------------------------------------

// GET of the repository: GitHub/GHES /repos/{o}/{r}, GitLab /projects/{id}, Gitea
// /repos/{o}/{r}, Bitbucket Cloud /repositories/{ws}/{repo}, Bitbucket Server
// .../projects/{P}/repos/{slug}, Azure DevOps .../_apis/git/repositories/{repo}.
std::optional<Route> MatchRepository(const ApiRequest& rq) {
  const auto& s = rq.segments;
  const std::size_t n = s.size();
  const auto at = [&](std::size_t i, std::string_view want) { return i < n && s[i] == want; };
  if (rq.method != "GET") return std::nullopt;
  const auto repository = [](HostKind kind, std::string repo) { return Route{kind, Op::kRepository, repo, "", ""}; };
  const std::size_t gh = at(0, "api") && at(1, "v3") ? 2 : 0;
  if (n == gh + 3 && at(gh, "repos")) return repository(HostKind::kGitHub, s[gh + 1] + "/" + s[gh + 2]);
  if (n == 4 && at(0, "api") && at(1, "v4") && at(2, "projects")) return repository(HostKind::kGitLab, s[3]);
  if (n == 5 && at(0, "api") && at(1, "v1") && at(2, "repos")) return repository(HostKind::kGitea, s[3] + "/" + s[4]);
  if (n == 4 && at(0, "2.0") && at(1, "repositories")) return repository(HostKind::kBitbucket, s[2] + "/" + s[3]);
  if (n >= 7 && at(n - 7, "rest") && at(n - 6, "api") && at(n - 4, "projects") && at(n - 2, "repos")) {
    return repository(HostKind::kBitbucketServer, s[n - 3] + "/" + s[n - 1]);
  }
  if (n >= 6 && at(n - 4, "_apis") && at(n - 3, "git") && at(n - 2, "repositories")) {
    return repository(HostKind::kAzureDevOps, Join(s, 0, n - 4) + "/" + s[n - 1]);
  }
  return std::nullopt;
}

// Every repository exists and the token may write to it (GitHub/Gitea permissions.push,
// GitLab Developer access); FailNext gives the other answers.
HttpResponse Repository(const Route& rt) {
  return Answer(200, Json([&](Ar& ar) {
                  ar(make_nvp("full_name", rt.repo));
                  ar.setNextName("permissions");
                  ar.startNode();
                  if (rt.kind == HostKind::kGitLab) {
                    ar.setNextName("project_access");
                    ar.startNode();
                    ar(make_nvp("access_level", 30));
                    ar.finishNode();
                  } else {
                    ar(make_nvp("admin", false), make_nvp("push", true), make_nvp("pull", true));
                  }
                  ar.finishNode();
                }));
}

}  // namespace

// ---- shared -------------------------------------------------------------------------------

ApiRequest ApiRequest::From(const ingest::HttpRequest& request) {
  ApiRequest out;
  out.method = request.method;
  out.body = request.body;
  const std::string_view target = request.target;
  const auto question = target.find('?');
  out.path = std::string(target.substr(0, question));
  for (const auto segment : Split(out.path, '/')) {
    if (!segment.empty()) out.segments.push_back(Decode(segment));
  }
  if (question != std::string_view::npos) {
    for (const auto pair : Split(target.substr(question + 1), '&')) {
      const auto eq = pair.find('=');
      if (!pair.empty())
        out.query.emplace(Decode(pair.substr(0, eq)), eq == pair.npos ? "" : Decode(pair.substr(eq + 1)));
    }
  }
  const std::string* host = request.Header("host");
  out.base_url = "http://" + (host != nullptr ? *host : std::string("127.0.0.1"));
  return out;
}

std::string ApiRequest::Query(const std::string& name, const std::string& fallback) const {
  const auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

int ApiRequest::QueryInt(const std::string& name, int fallback, int min, int max) const {
  const std::string text = Query(name);
  int value = fallback;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) value = fallback;
  return std::clamp(value, min, max);
}

std::optional<Route> Match(const ApiRequest& rq) {
  if (auto repository = MatchRepository(rq)) return repository;
  const auto& s = rq.segments;
  const std::size_t n = s.size();
  const bool get = rq.method == "GET", post = rq.method == "POST";
  const Op create_or_list = post ? Op::kCreate : Op::kList;
  const auto at = [&](std::size_t i, std::string_view want) { return i < n && s[i] == want; };
  if (at(0, "repos") || (at(0, "api") && at(1, "v3"))) {  // GitHub and GHES
    const std::size_t b = at(0, "api") ? 2 : 0;
    if ((get || post) && n == b + 5 && at(b, "repos") && at(b + 3, "statuses")) {  // GET: legacy list alias
      return Route{HostKind::kGitHub, create_or_list, s[b + 1] + "/" + s[b + 2], s[b + 4], ""};
    }
    if (get && n >= b + 6 && at(b, "repos") && at(b + 3, "commits") && s[n - 1] == "statuses") {
      return Route{HostKind::kGitHub, Op::kList, s[b + 1] + "/" + s[b + 2], Join(s, b + 4, n - 1), ""};
    }
  } else if (at(0, "api") && at(1, "v4") && at(2, "projects")) {  // GitLab
    if (post && n == 6 && at(4, "statuses")) return Route{HostKind::kGitLab, Op::kCreate, s[3], s[5], ""};
    if (get && n == 8 && at(4, "repository") && at(5, "commits") && at(7, "statuses")) {
      return Route{HostKind::kGitLab, Op::kList, s[3], s[6], ""};
    }
  } else if (at(0, "api") && at(1, "v1") && at(2, "repos") && n >= 7) {  // Gitea
    if ((get || post) && n == 7 && at(5, "statuses")) {
      return Route{HostKind::kGitea, create_or_list, s[3] + "/" + s[4], s[6], ""};
    }
    if (get && at(5, "commits") && s[n - 1] == "statuses") {
      return Route{HostKind::kGitea, Op::kList, s[3] + "/" + s[4], Join(s, 6, n - 1), ""};
    }
  } else if (at(0, "2.0") && at(1, "repositories") && at(4, "commit") && at(6, "statuses")) {  // Bitbucket Cloud
    const std::string repo = s[2] + "/" + s[3];
    if (get && n == 7) return Route{HostKind::kBitbucket, Op::kList, repo, s[5], ""};
    if (post && n == 8 && at(7, "build")) return Route{HostKind::kBitbucket, Op::kCreate, repo, s[5], ""};
    if (get && n == 9 && at(7, "build")) return Route{HostKind::kBitbucket, Op::kGetOne, repo, s[5], s[8]};
  } else {
    for (std::size_t j = 2; j + 7 <= n; ++j) {  // Azure DevOps: /{org...}/{project}/_apis/git/...
      if ((get || post) && n == j + 7 && at(j, "_apis") && at(j + 1, "git") && at(j + 2, "repositories") &&
          at(j + 4, "commits") && at(j + 6, "statuses")) {
        return Route{HostKind::kAzureDevOps, create_or_list, Join(s, 0, j) + "/" + s[j + 3], s[j + 5], ""};
      }
    }
    for (std::size_t r = 0; r + 10 <= n; ++r) {  // Bitbucket Server, under any context path
      if ((get || post) && n == r + 10 && at(r, "rest") && at(r + 1, "api") && at(r + 3, "projects") &&
          at(r + 5, "repos") && at(r + 7, "commits") && at(r + 9, "builds")) {
        return Route{HostKind::kBitbucketServer, post ? Op::kCreate : Op::kGetOne, s[r + 4] + "/" + s[r + 6], s[r + 8],
                     ""};
      }
    }
  }
  return std::nullopt;
}

ingest::HttpResponse Apply(const Route& route, const ApiRequest& request, Store& store) {
  if (route.op == Op::kRepository) return Repository(route);
  switch (route.kind) {
    case HostKind::kGitHub: {
      HttpResponse r = GitHub(route, request, store);
      const std::int64_t used = ++store.github_calls;
      const auto reset = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1));
      r.headers.insert(r.headers.end(),
                       {{"X-RateLimit-Limit", "5000"},
                        {"X-RateLimit-Remaining", std::to_string(std::max<std::int64_t>(0, 5000 - used))},
                        {"X-RateLimit-Used", std::to_string(used)},
                        {"X-RateLimit-Reset", std::to_string(reset.count())},
                        {"X-RateLimit-Resource", "core"}});
      return r;
    }
    case HostKind::kGitLab:
      return GitLab(route, request, store);
    case HostKind::kGitea:
      return Gitea(route, request, store);
    case HostKind::kBitbucket:
    case HostKind::kBitbucketServer:
      return Bitbucket(route, request, store);
    case HostKind::kAzureDevOps:
      return AzureDevOps(route, request, store);
  }
  return MessageAnswer(500, "unknown host kind");
}

ingest::HttpResponse Unauthorized(HostKind kind) {
  switch (kind) {
    case HostKind::kGitHub:
      return Error(kind, 401, "Bad credentials");
    case HostKind::kGitLab:
      return Error(kind, 401, "401 Unauthorized");
    case HostKind::kGitea:
      return Error(kind, 401, "token is required");
    case HostKind::kBitbucket:
      return Error(kind, 401, "Unauthorized");
    case HostKind::kBitbucketServer:
      return Error(kind, 401, "Authentication failed. Please check your credentials.");
    case HostKind::kAzureDevOps:
      break;
  }
  HttpResponse r = Answer(401, "", {{"WWW-Authenticate", "Basic realm=\"https://dev.azure.com/\", Bearer"}});
  r.content_type = "text/html";  // Azure DevOps answers a bare 401 with an HTML page
  return r;
}

ingest::HttpResponse MessageAnswer(int status, const std::string& text) {
  return Error(HostKind::kGitHub, status, text);
}

std::string NowText() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return core::FormatRfc3339Millis(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace fluxstatus::testing::fake
