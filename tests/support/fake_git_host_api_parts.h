// Internal to FakeGitHost: what the six hosts' APIs (fake_git_host_<host>.cpp) share: answers
// and their JSON, path and body reading, paging, and the status lists' upsert; and each host's
// handler, which fake_git_host_apis.cpp's Apply calls.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/compact_json.h"
#include "tests/support/fake_git_host_apis.h"

namespace fluxstatus::testing::fake {

using Ar = cereal::JSONOutputArchive;
using cereal::make_nvp;
using ingest::HttpResponse;
using Statuses = std::vector<FakeStatus>;

// ---- each host's statuses API (create, list, get one) ------------------------------------

HttpResponse GitHub(const Route& rt, const ApiRequest& rq, Store& store);
HttpResponse GitLab(const Route& rt, const ApiRequest& rq, Store& store);
HttpResponse Gitea(const Route& rt, const ApiRequest& rq, Store& store);
HttpResponse Bitbucket(const Route& rt, const ApiRequest& rq, Store& store);  // Cloud and Server
HttpResponse AzureDevOps(const Route& rt, const ApiRequest& rq, Store& store);
// Op::kDeployments (fake_git_host_github_deployments.cpp, fake_git_host_gitlab_deployments.cpp,
// fake_git_host_gitlab_environments.cpp).
HttpResponse GitHubDeployments(const Route& rt, const ApiRequest& rq, Store& store);
HttpResponse GitLabDeployments(const Route& rt, const ApiRequest& rq, Store& store);
HttpResponse GitLabEnvironments(const Route& rt, const ApiRequest& rq, Store& store);
// Op::kCheckRuns (fake_git_host_github_checks.cpp).
HttpResponse GitHubCheckRuns(const Route& rt, const ApiRequest& rq, Store& store, const CheckRunCaller& caller);
// Stores `run` in `repo` with a new id (and its App's suite on the commit); returns it as stored.
FakeCheckRun AddCheckRun(Store& store, const std::string& repo, FakeCheckRun run);

// ---- answers -----------------------------------------------------------------------------

HttpResponse Answer(int status, std::string body, HeaderList headers = {});
// GitHub's 422 "Validation Failed" naming one field of `resource` (e.g. "Status",
// "DeploymentStatus"), with the page of the docs the call belongs to.
HttpResponse GitHubValidationFailed(const std::string& resource, const std::string& field, const std::string& message,
                                    const std::string& docs_url);

template <class Write>
std::string Json(Write&& write) {
  return core::CompactJson(std::forward<Write>(write));
}

// Writes `items` as an array named `name`, or as the whole document when name is nullptr.
template <class Items, class Write>
void Array(Ar& ar, const char* name, const Items& items, Write&& write) {
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

template <class Items, class Write>
std::string JsonArray(const Items& items, Write&& write) {
  std::string out = Json([&](Ar& ar) { Array(ar, nullptr, items, write); });
  return out.empty() ? "[]" : out;  // cereal writes nothing for an empty top-level array
}

void Nullable(Ar& ar, const char* name, const std::string& value);

// The error body each host sends: {"message"} (GitHub, GitLab, Gitea, ADO), Bitbucket Cloud's
// {"type":"error","error":{"message"}}, Bitbucket Server's {"errors":[{"message"}]}.
HttpResponse Error(HostKind kind, int status, const std::string& message);

// ---- paths and bodies --------------------------------------------------------------------

std::string Decode(std::string_view text);  // percent-decoding
std::string Encode(std::string_view text);  // percent-encoding of all but RFC 3986's unreserved
std::vector<std::string_view> Split(std::string_view text, char sep);
std::string Join(const std::vector<std::string>& parts, std::size_t from, std::size_t to);
std::size_t CodePoints(std::string_view text);
bool OneOf(std::string_view value, std::initializer_list<std::string_view> set);
std::string Lower(std::string text);
// The body as a JSON object; an empty body counts as {}.
bool ParseObject(const std::string& body, rapidjson::Document& doc);
std::optional<std::string> Field(const rapidjson::Value* object, const char* name);
std::string FieldOr(const rapidjson::Value* object, const char* name, std::string fallback = {});

// A JSON value as compact text (GitHub's schema errors quote the offending value).
std::string JsonText(const rapidjson::Value& value);

// Reads a request body's typed members, keeping the first of the wrong type in GitHub's words
// ("For 'properties/auto_merge', \"yes\" is not a boolean."): the schema check answers before
// anything is applied. A JSON null reads as absent.
class Body {
 public:
  explicit Body(const rapidjson::Value& object) : object_(object) {}

  const rapidjson::Value* Get(const char* name) const;
  void String(const char* name, std::string& out);
  // nullopt when absent or null.
  std::optional<std::string> OptionalString(const char* name);
  void Bool(const char* name, bool& out);
  // nullopt when absent (GitHub deployments then check every context).
  std::optional<std::vector<std::string>> Strings(const char* name);
  const std::string& error() const { return error_; }

 private:
  void Wrong(const char* name, const rapidjson::Value& value, const char* type);

  const rapidjson::Value& object_;
  std::string error_;
};

// GitHub's 422 for a body outside the operation's schema (a required member missing, a type).
HttpResponse InvalidRequest(const std::string& why, const char* docs);

// ---- status lists ------------------------------------------------------------------------

// items[from, from + count), clamped.
template <class Items>
Items Slice(const Items& items, std::size_t from, std::size_t count) {
  from = std::min(from, items.size());
  const auto begin = items.begin() + static_cast<std::ptrdiff_t>(from);
  return Items(begin, begin + static_cast<std::ptrdiff_t>(std::min(count, items.size() - from)));
}

// 1-based page-number paging as GitHub, GitLab, Gitea and Bitbucket Cloud do it.
struct Paging {
  int page, size, pages;
  Paging(const ApiRequest& rq, const char* size_name, int fallback, int max, std::size_t total)
      : page(rq.QueryInt("page", 1, 1, 1 << 20)), size(rq.QueryInt(size_name, fallback, 1, max)) {
    pages =
        std::max(1, static_cast<int>((total + static_cast<std::size_t>(size) - 1) / static_cast<std::size_t>(size)));
  }
  template <class Items>
  Items Of(const Items& items) const {
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
  // GitLab's X-Total, X-Total-Pages, X-Page, X-Per-Page, X-Next-Page, X-Prev-Page and Link,
  // keeping every query parameter but `page`.
  HeaderList GitLabHeaders(const ApiRequest& rq, std::size_t total) const;
};

// A status from a request body, reading the members the host calls context, URL and name.
FakeStatus FromBody(const rapidjson::Value* body, const char* context, const char* url, const char* name,
                    const std::string& default_context = {});
Statuses NewestFirst(Statuses items);
// Bitbucket's upsert by key: "If the specified key already exists, the existing status object
// will be overwritten." The key keeps its first id and place.
const FakeStatus& Upsert(Statuses& list, FakeStatus s, Store& store);

}  // namespace fluxstatus::testing::fake
