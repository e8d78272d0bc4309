// What every GitHub REST call shares, whichever API it is for (commit statuses, deployments):
// the request headers and the reading of an answer (error text, shared rules, secondary limits).
// Internal to dispatch/; pure.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/http_exchange.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

// Authorization: Bearer, the vnd.github Accept (with application/json, which is all GitHub's
// OpenAPI and so Prism declare) and the pinned X-GitHub-Api-Version.
std::vector<std::pair<std::string, std::string>> GitHubHeaders(const Credentials& creds);

// ClassifyReply with GitHub's error text ("message: error; error", see github_api.cpp), and a
// 403/429 saying "secondary rate limit" is retryable with the whole host paused (Retry-After,
// else the reset time when the budget is 0, else 60 s).
SendOutcome ClassifyGitHubReply(const HttpReply& reply, std::int64_t now_epoch_s);

}  // namespace fluxstatus::dispatch
