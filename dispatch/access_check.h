// `fluxstatus doctor`: what the answer to a route's access check (Provider::BuildAccessCheck)
// means for posting commit statuses, in plain words naming the permission each host wants.
// Pure: no I/O. Messages never contain the token (the reply comes from the host, which never
// echoes it; only its `message` text is quoted).
#pragma once

#include <string>
#include <string_view>

#include "dispatch/http_exchange.h"

namespace fluxstatus::dispatch {

// kOk: the read worked and, where the host tells, the token may write.
// kUnproven: the read worked but the host cannot tell from a read whether statuses may be
//            posted (not counted as a problem; the message says what to make sure of).
// The rest are problems: doctor exits non-zero.
enum class AccessVerdict { kOk, kUnproven, kTokenInvalid, kNoPermission, kNotFound, kHostError, kUnreachable };

struct AccessReport {
  AccessVerdict verdict = AccessVerdict::kHostError;
  std::string message;  // one or two sentences, no trailing newline

  bool IsProblem() const { return verdict != AccessVerdict::kOk && verdict != AccessVerdict::kUnproven; }
};

// What a token needs to post commit statuses on the host of `kind` (the route's `provider`),
// e.g. for github "a classic token with the `repo:status` scope (or `repo`), or a fine-grained
// token or GitHub App with the repository permission "Commit statuses: write"".
std::string RequiredPermission(std::string_view kind);

// Reads the host's answer to the access check: 2xx -> ok/unproven (GitHub and Gitea's
// permissions.push, GitLab's access level are used when present); 401 (and Azure DevOps' 203
// sign-in page) -> token invalid; 403 -> lacks the permission (or, with a rate-limit budget of
// 0, rate limited); 404 -> repository not found or not visible to the token; else host error.
AccessReport InterpretAccessCheck(std::string_view kind, const HttpReply& reply);

// The host could not be reached (`transport_error` is curl's text: host and port, no secret).
AccessReport Unreachable(std::string_view kind, std::string_view url, std::string_view transport_error);

}  // namespace fluxstatus::dispatch
