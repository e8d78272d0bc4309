// Which Git commit an event is about: Flux revision strings and metadata keys -> commit SHA.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/flux_event.h"

namespace fluxstatus::core {

// The result of looking for a commit in an event. Exactly one of sha / no_commit_reason is set.
struct CommitRef {
  std::optional<std::string> sha;  // lower-case hex, 40 (SHA-1) or 64 (SHA-256) characters
  std::string revision;            // the metadata value the SHA was taken from (or looked at)
  std::string no_commit_reason;    // why there is no commit, for SQL and `status`
};

// Extracts the commit SHA from one revision string (every form of flux-events.md:
// "<ref>@sha1:<hex>", "sha1:<hex>", legacy "<ref>/<hex>", bare hex). A 64-hex SHA-256 is a
// commit only when sha256_is_commit (Git sources); otherwise it is an artifact digest.
std::optional<std::string> ExtractCommitSha(std::string_view revision, bool sha256_is_commit);

// True for a non-empty run of hexadecimal digits: a SHA or a prefix of one (CLI filters).
bool IsHexPrefix(std::string_view text);

// Looks up the metadata keys in Flux's precedence (commit, then originRevision, then revision),
// each in its plain, "event.toolkit.fluxcd.io/" and API-group-prefixed form, and extracts the SHA.
CommitRef ResolveCommit(const FluxEvent& event);

}  // namespace fluxstatus::core
