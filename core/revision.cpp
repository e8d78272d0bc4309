#include "core/revision.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace fluxstatus::core {
namespace {

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "kustomize.toolkit.fluxcd.io/v1" -> "kustomize.toolkit.fluxcd.io"; "" when there is no group.
std::string_view ApiGroup(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view{} : api_version.substr(0, slash);
}

// The value of `key` in any of the forms a sender may use, most specific sender first.
const std::string* FindKey(const FluxEvent& ev, std::string_view key) {
  const auto& md = ev.metadata;
  const std::string plain(key);
  if (auto it = md.find(plain); it != md.end()) return &it->second;
  if (auto it = md.find("event.toolkit.fluxcd.io/" + plain); it != md.end()) return &it->second;
  const auto group = ApiGroup(ev.object.api_version);
  if (!group.empty()) {
    if (auto it = md.find(std::string(group) + "/" + plain); it != md.end()) return &it->second;
  }
  // Without apiVersion Flux drops every prefixed key; accept any Flux group instead.
  for (const auto& [k, v] : md) {
    auto slash = k.rfind('/');
    if (slash != std::string::npos && k.substr(slash + 1) == key &&
        EndsWith(std::string_view(k).substr(0, slash), ".fluxcd.io")) {
      return &v;
    }
  }
  return nullptr;
}

}  // namespace

bool IsHexPrefix(std::string_view text) { return IsHex(text); }

std::optional<std::string> ExtractCommitSha(std::string_view rev, bool sha256_is_commit) {
  std::string_view hash = rev;
  std::string_view algo;
  if (auto at = rev.rfind('@'); at != std::string_view::npos) hash = rev.substr(at + 1);
  if (auto colon = hash.find(':'); colon != std::string_view::npos) {
    algo = hash.substr(0, colon);
    hash = hash.substr(colon + 1);
  } else if (auto slash = hash.rfind('/'); slash != std::string_view::npos) {
    hash = hash.substr(slash + 1);  // legacy "<ref>/<sha>" (Flux < 2.0)
  }
  if (!IsHex(hash)) return std::nullopt;
  if (hash.size() == 40 && (algo.empty() || algo == "sha1")) return Lower(hash);
  if (hash.size() == 64 && (algo.empty() || algo == "sha256") && sha256_is_commit) {
    return Lower(hash);
  }
  return std::nullopt;
}

CommitRef ResolveCommit(const FluxEvent& ev) {
  // A GitRepository's own revision is a Git commit even in SHA-256 repositories; for every other
  // kind a sha256 revision may be an OCI or chart digest, so only originRevision/commit count.
  const bool git_source = ev.object.kind == "GitRepository";
  static constexpr std::array<std::string_view, 3> kPrecedence = {"commit", "originRevision", "revision"};
  CommitRef ref;
  for (auto key : kPrecedence) {
    const std::string* value = FindKey(ev, key);
    if (!value) continue;
    const bool sha256_ok = key != "revision" || git_source;
    if (auto sha = ExtractCommitSha(*value, sha256_ok)) {
      ref.sha = std::move(sha);
      ref.revision = *value;
      ref.no_commit_reason.clear();  // a higher-precedence key that named no commit set it
      return ref;
    }
    if (ref.revision.empty()) {
      ref.revision = *value;
      ref.no_commit_reason = std::string(key) + " '" + *value + "' names no Git commit";
    }
  }
  if (ref.revision.empty()) ref.no_commit_reason = "the event has no revision metadata";
  return ref;
}

}  // namespace fluxstatus::core
