// Reading Git host answers the same way for every provider: rate-limit headers, Retry-After
// (seconds or HTTP date), the status-class rules all hosts share, and error text from
// untrusted JSON bodies (RapidJSON). Internal to dispatch/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "dispatch/http_exchange.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

// A non-negative decimal integer (surrounding blanks allowed); nullopt for anything else.
std::optional<std::int64_t> ParseNonNegative(std::string_view text);

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as epoch seconds; nullopt otherwise.
std::optional<std::int64_t> ParseHttpDate(std::string_view text);

// A Retry-After value (delta seconds or HTTP date) as a delay from now_epoch_s, never
// negative; nullopt when unparsable.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::int64_t now_epoch_s);

// Remaining/reset from X-RateLimit-* (GitHub, Azure DevOps) or RateLimit-* (GitLab).
RateLimit ReadRateLimit(const HttpReply& reply);

// Parses `body` into `doc`; false (doc unusable) for empty or malformed JSON.
bool ParseJsonBody(std::string_view body, rapidjson::Document& doc);

// The string member `name` of `v` if v is an object and the member a string, else "".
std::string StringMember(const rapidjson::Value& v, const char* name);

// The member `name` of `v` as decimal text when it is a non-negative JSON integer (GitHub's and
// GitLab's ids, int64 on the wire, kept as text by callers); nullopt for anything else (a
// string, a fraction, a negative number, absent).
std::optional<std::string> IdMember(const rapidjson::Value& v, const char* name);

// Any JSON value as short readable text: strings as is, arrays joined with "; ", objects as
// "key: value; …" (GitLab's {"message":{"state":["is invalid"]}} shape), other scalars as JSON.
std::string FlattenJsonText(const rapidjson::Value& v);

// The error text for a failed reply: `from_json(doc)` on a parsable body, else (or when that
// gives "") "HTTP <status>" plus a printable snippet of the body. At most ~500 bytes.
std::string ReplyErrorText(const HttpReply& reply,
                           const std::function<std::string(const rapidjson::Document&)>& from_json);

// The rules every host shares: 2xx kSynced; 408, 429 and 5xx kRetry; 403 with a
// remaining budget of 0 kRetry; other statuses kPermanent; no status kRetry. Sets rate,
// retry_after (Retry-After first, else the reset time when the budget is gone or on 429) and
// host_exhausted (429, budget 0, or a Retry-After on a 2xx: Azure DevOps' delay request).
SendOutcome ClassifyReply(const HttpReply& reply, std::int64_t now_epoch_s, std::string error_text);

// Bitbucket Cloud and Data Center keep one build status per key, read with a GET by key:
// 404 is an authoritative "none yet"; otherwise `classified` (the reply classified as a
// create would be) decides, and a delivered body must be an object with a `state`, mapped by
// the host's `state_from_name`.
Provider::ListPage ReadStatusByKey(const HttpReply& reply, std::int64_t now_epoch_s, SendOutcome classified,
                                   core::StatusState (*state_from_name)(std::string_view));

// For a listing already classified into `outcome`: true when it is kSynced and the body parses
// into `doc` as a JSON array; false otherwise, with a 2xx that is not one made kPermanent
// ("<what> is not a JSON array").
bool ReadJsonArray(const HttpReply& reply, rapidjson::Document& doc, SendOutcome& outcome, std::string_view what);

// For a create already classified into `outcome`: on kSynced, the new object's numeric `id`;
// a 2xx body without one makes the outcome kReconcile ("<host> answered <status> but named no
// <what> id"): the object may exist, so look for it rather than create another.
std::optional<std::string> CreatedId(const HttpReply& reply, SendOutcome& outcome, std::string_view host,
                                     std::string_view what = "deployment");

// GitHub, GitLab and Gitea list a commit's statuses as a JSON array: `classified` (the reply
// classified as a create would be) decides unless it is kSynced; then the body must be an
// array, and `read_array` reads it into the page (newest_for_context or more_pages).
Provider::ListPage ReadStatusArray(
    const HttpReply& reply, SendOutcome classified,
    const std::function<void(const rapidjson::Value& array, Provider::ListPage& page)>& read_array);

}  // namespace fluxstatus::dispatch
