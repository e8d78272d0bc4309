// Shared helpers for the dispatch tests: reading built requests back (RapidJSON), scripted
// replies, and the table of the six providers the conformance suites run over.
#pragma once

#include <rapidjson/document.h>

#include <boost/test/tools/detail/print_helper.hpp>
#include <chrono>

#include <cctype>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/commit_status.h"
#include "dispatch/http_exchange.h"
#include "dispatch/provider.h"
#include "dispatch/provider_factory.h"

namespace fluxstatus::dispatch {
inline std::ostream& operator<<(std::ostream& os, OutcomeKind k) {
  const char* names[] = {"kSynced", "kRetry", "kReconcile", "kPermanent"};
  return os << names[static_cast<int>(k)];
}
}  // namespace fluxstatus::dispatch

namespace fluxstatus::core {
inline std::ostream& operator<<(std::ostream& os, StatusState s) { return os << ToString(s); }
}  // namespace fluxstatus::core

// Lets BOOST_TEST print optionals (and seconds) when a comparison fails.
namespace boost::test_tools::tt_detail {
template <class T>
struct print_log_value<std::optional<T>> {
  void operator()(std::ostream& os, const std::optional<T>& v) {
    if (!v) {
      os << "nullopt";
    } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
      os << v->count() << "s";
    } else {
      os << *v;
    }
  }
};
}  // namespace boost::test_tools::tt_detail

namespace fluxstatus::dispatch::testing {

inline constexpr const char* kSha = "2a6c97f6f5dc9166cc2e5d0d95415a386805ca07";
inline constexpr std::int64_t kNow = 1658208000;  // 2022-07-19T05:20:00Z, before the fixture's reset

// The value of the first header named `name` (case-insensitive) in a built call, or nullopt.
inline std::optional<std::string> CallHeader(const HttpCall& call, std::string_view name) {
  for (const auto& [n, v] : call.headers) {
    if (n.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < n.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(n[i])) != std::tolower(static_cast<unsigned char>(name[i])))
        same = false;
    }
    if (same) return v;
  }
  return std::nullopt;
}

// The body parsed as a JSON object; BOOST-checked by callers through IsObject().
inline rapidjson::Document ParseBody(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  return doc;
}

// A string member of a parsed body (dotted "context.name" descends one level), or "<absent>".
inline std::string BodyString(const rapidjson::Value& doc, std::string_view path) {
  const rapidjson::Value* v = &doc;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string part(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!v->IsObject() || !v->HasMember(part.c_str())) return "<absent>";
    v = &(*v)[part.c_str()];
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "<not a string>";
}

inline HttpReply Reply(int status, std::vector<std::pair<std::string, std::string>> headers = {},
                       std::string body = {}) {
  return HttpReply{status, std::move(headers), std::move(body)};
}

inline DesiredStatus Desired(core::StatusState state, std::string description = "reconciliation succeeded",
                             std::string context = "kustomization/apps/0c9c2e41", std::string target_url = {}) {
  return DesiredStatus{core::StatusKey{"r1", "", kSha, std::move(context)}, state, std::move(description),
                       std::move(target_url)};
}

inline core::StatusKey Key(std::string context = "kustomization/apps/0c9c2e41") {
  return core::StatusKey{"r1", "", kSha, std::move(context)};
}

// One row per provider kind: how to build it and what its requests must look like.
struct HostCase {
  std::string kind;
  std::string address;
  std::string auth_header;                       // the header that carries the credential
  std::string state_field;                       // where the state sits in the create body
  std::string context_field;                     // where the context (or its name) sits
  std::string pending, success, failure, error;  // host state names
  std::size_t description_cap;
  Credentials creds;
};

inline std::ostream& operator<<(std::ostream& os, const HostCase& c) { return os << c.kind; }

// One row a line reads as the table it is.
// clang-format off
inline std::vector<HostCase> AllHosts() {
  return {
      {"github", "https://github.com/owner/repo", "Authorization", "state", "context", "pending", "success",
       "failure", "error", 140, {"ghp_token", ""}},
      {"gitlab", "https://gitlab.com/group/sub/proj", "PRIVATE-TOKEN", "state", "name", "pending", "success",
       "failed", "failed", 255, {"glpat-token", ""}},
      {"gitea", "https://gitea.example.com/owner/repo", "Authorization", "state", "context", "pending", "success",
       "failure", "error", 255, {"gitea-token", ""}},
      {"bitbucket", "https://bitbucket.org/workspace/repo", "Authorization", "state", "name", "INPROGRESS",
       "SUCCESSFUL", "FAILED", "FAILED", 255, {"app-password", "user"}},
      {"bitbucketserver", "https://bbs.example.com/scm/PROJ/repo.git", "Authorization", "state", "name",
       "INPROGRESS", "SUCCESSFUL", "FAILED", "FAILED", 255, {"http-access-token", ""}},
      {"azuredevops", "https://dev.azure.com/org/project/_git/repo", "Authorization", "state", "context.name",
       "pending", "succeeded", "failed", "error", 255, {"pat", ""}},
  };
}
// clang-format on

inline std::unique_ptr<Provider> Make(const HostCase& c) { return MakeProvider({"r1", c.kind, c.address, ""}); }

// Code points in valid UTF-8.
inline std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace fluxstatus::dispatch::testing
