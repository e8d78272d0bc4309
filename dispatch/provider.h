// The Provider interface: one implementation per Git host turns a desired commit status into
// an HTTP call and classifies the host's answer. Pure: no I/O, no clock, no logging.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/commit_status.h"
#include "dispatch/http_exchange.h"

namespace fluxstatus::dispatch {

// A route's provider settings are unusable (unknown kind, address the host cannot take).
// The message always starts with "route '<name>': ". Thrown at construction only.
class ProviderConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the host needs to authenticate. `token` is already trimmed (token file or env);
// `username` is empty unless the route sets one. Never log either.
struct Credentials {
  std::string token;
  std::string username;
};

// The status to publish. key.commit_sha and key.context are used; key.repo/key.route are the
// fold's bookkeeping (the provider addresses the repository its own `address` names).
struct DesiredStatus {
  core::StatusKey key;
  core::StatusState state = core::StatusState::kPending;
  std::string description;  // capped to the host's limit by the provider
  std::string target_url;   // empty: not sent (Bitbucket, which requires one, links the repo)
};

// The host's rate-limit budget as last reported (absent when the host sent no such header).
struct RateLimit {
  std::optional<std::int64_t> remaining;
  std::optional<std::int64_t> reset_epoch_s;
};

// kSynced: the host accepted it (or, for a list, answered authoritatively); recorded as the
//          outcome "delivered" (store::kOutcomeSynced).
// kRetry: try again later (429, 5xx, rate limit, GitLab 409 lock), after retry_after if set.
// kReconcile: the host refused because of its current state (GitLab "Cannot transition
//             status"): list the statuses to learn what it has, do not blindly retry.
// kPermanent: retrying the same call cannot help (401, 403, 404, 422, malformed answer to a
//             list); `error` says why.
enum class OutcomeKind { kSynced, kRetry, kReconcile, kPermanent };

struct SendOutcome {
  OutcomeKind kind = OutcomeKind::kPermanent;
  int http_status = 0;
  std::string error;  // host's error text for last_error; empty on success; never a secret
  // When to try again: Retry-After (seconds or HTTP date) first, else the host's reset header.
  // Also set on kSynced when the host asks callers to slow down (budget 0, ADO delays).
  std::optional<std::chrono::seconds> retry_after;
  // The host's budget is gone: pause every call to HostKey() until retry_after has passed.
  bool host_exhausted = false;
  RateLimit rate;  // read from every reply, whatever its status
};

// The newest status the host holds for one context. A host state fluxstatus has no name for
// (GitLab "canceled", Bitbucket "STOPPED", ADO "notApplicable") reads as kError, so it never
// looks like a desired pending/success/failure that is already in place.
struct ObservedStatus {
  core::StatusState state = core::StatusState::kPending;
  std::string description;
};

// How a provider maps its route's address: `api_base` has no trailing '/', `repo_id` is what
// the host's API calls the repository ("owner/repo", "group%2Fsub%2Fproj", "PROJ/slug", …).
struct RepoEndpoint {
  std::string api_base;
  std::string repo_id;
};

// One instance per route. Immutable after construction, so safe to share across threads.
class Provider {
 public:
  virtual ~Provider() = default;

  // The route's `provider` value: "github", "gitlab", "gitea", "bitbucket", "bitbucketserver",
  // "azuredevops".
  virtual std::string_view Kind() const = 0;
  // What rate-limit pauses are keyed by, e.g. "api.github.com" or "dev.azure.com/org".
  virtual std::string HostKey() const = 0;
  // The API base and repository id derived from the address (for logs, tests and wiring).
  virtual const RepoEndpoint& Endpoint() const = 0;

  // The create call for `status`. Never throws for any status or credentials value.
  virtual HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const = 0;
  // Classifies the answer to BuildCreate. `now_epoch_s` turns reset times and HTTP dates into
  // a retry_after. Total: any status, headers or body (garbage included) gives an outcome.
  virtual SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const = 0;

  // Listing for reconciliation after an uncertain outcome; `page` starts at 1.
  virtual HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const = 0;
  // newest_for_context: set when this page proves what the newest status for key.context is;
  //   the caller stops there. more_pages: no answer yet, ask for page + 1.
  // outcome.kind == kSynced when the page was read (Bitbucket's by-key lookup answering 404
  //   counts: the host has none); otherwise the listing failed and the other fields are empty.
  struct ListPage {
    std::optional<ObservedStatus> newest_for_context;
    bool more_pages = false;
    SendOutcome outcome;
  };
  virtual ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key,
                                 std::int64_t now_epoch_s) const = 0;

  // `fluxstatus doctor`: a read of the route's repository with `creds` whose 401/403/404
  // says whether statuses could be posted (dispatch/access_check.h reads the answer).
  virtual HttpCall BuildAccessCheck(const Credentials& creds) const = 0;
};

}  // namespace fluxstatus::dispatch
