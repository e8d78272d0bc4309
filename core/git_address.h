// A Flux Provider's repository address -> host and repository path, as Flux parses it
// (https://host/org/repo, ssh://git@host/org/repo, scp-like git@host:org/repo.git), except
// that a context path under the host is kept rather than lost.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace fluxstatus::core {

struct GitAddress {
  std::string scheme;  // "https" or "http" (ssh and scp-like addresses become https)
  std::string host;    // host[:port]
  std::string path;    // "org/repo" or "group/subgroup/repo" (no leading '/', no ".git")
};

struct AddressError {
  std::string message;
};

std::variant<GitAddress, AddressError> ParseGitAddress(std::string_view address);

}  // namespace fluxstatus::core
