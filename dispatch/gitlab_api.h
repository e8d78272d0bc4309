// What every GitLab REST call shares, whichever API it is for (commit statuses, deployments,
// environments): the request headers and the reading of an answer. Internal to dispatch/; pure.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/http_exchange.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

// PRIVATE-TOKEN; "Authorization: Bearer" instead when creds.username is "oauth2" (GitLab's name
// for OAuth tokens). Accept: application/json.
std::vector<std::pair<std::string, std::string>> GitLabHeaders(const Credentials& creds);

// ClassifyReply with GitLab's error text: {"message": "..."}, {"message": {"field": ["..."]}}
// (flattened to "field: ...") or {"error": "..."}.
SendOutcome ClassifyGitLabReply(const HttpReply& reply, std::int64_t now_epoch_s);

// Whether a listing has a page after this one: a non-empty X-Next-Page, or a Link rel="next".
bool HasNextPage(const HttpReply& reply);

// Whether a classified 400 is GitLab's state machine refusing a transition ("Cannot transition
// status via :run from :running", "status: cannot transition via \"run\""): the host holds a
// state that makes the call pointless, so the caller looks before trying again.
bool RefusesTransition(const SendOutcome& outcome);

}  // namespace fluxstatus::dispatch
