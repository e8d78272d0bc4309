// The address handling every provider shares: parse a route's address with
// core::ParseGitAddress (problems become a ProviderConfigError naming the route), split
// paths, and read hosts and Link headers out of URLs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/git_address.h"

namespace fluxstatus::dispatch {

// Throws ProviderConfigError("route '<route>': <problem>").
[[noreturn]] void ThrowConfigError(std::string_view route, std::string_view problem);

// ParseGitAddress(address), or ProviderConfigError when it fails.
core::GitAddress ParseRouteAddress(std::string_view route, std::string_view address);

// "a/b/c" -> {"a", "b", "c"}; empty segments are kept so callers can reject "a//b".
std::vector<std::string> SplitPath(std::string_view path);

// Joins segments [from, to) with '/'.
std::string JoinPath(const std::vector<std::string>& segments, std::size_t from, std::size_t to);

// "host[:port]" of an absolute URL ("https://api.github.com/x" -> "api.github.com").
std::string AuthorityOf(std::string_view url);

// The path of an absolute URL without its leading '/' ("https://h/a/b" -> "a/b").
std::string PathOfUrl(std::string_view url);

// Whether a Link header value has a rel="next" entry (GitHub, Gitea, GitLab pagination).
bool LinkHasNext(const std::string* link_header);

}  // namespace fluxstatus::dispatch
