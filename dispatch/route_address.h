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

// The API root and repository path of a host that may be installed under a path prefix
// (GitLab /api/v4, Gitea /api/v1). Without api_base: <scheme>://<host><suffix> and the
// address's path. With it: api_base (trailing '/' dropped), which must end with `suffix`, and
// the address's path less the prefix before the suffix, which it must start with.
// Throws ProviderConfigError naming the route and `kind`.
struct ApiRoot {
  std::string base;
  std::string repo_path;
};
ApiRoot ResolveApiRoot(std::string_view route, std::string_view kind, std::string_view address,
                       std::string_view api_base, std::string_view suffix);

// Whether a Link header value has a rel="next" entry (GitHub, Gitea, GitLab pagination).
bool LinkHasNext(const std::string* link_header);

}  // namespace fluxstatus::dispatch
