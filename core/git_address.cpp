#include "core/git_address.h"

namespace fluxstatus::core {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::variant<GitAddress, AddressError> ParseGitAddress(std::string_view address) {
  GitAddress out;
  std::string_view rest;
  if (StartsWith(address, "https://") || StartsWith(address, "http://")) {
    out.scheme = StartsWith(address, "https://") ? "https" : "http";
    rest = address.substr(out.scheme.size() + 3);
  } else if (StartsWith(address, "ssh://")) {
    out.scheme = "https";
    rest = address.substr(6);
  } else if (auto colon = address.find(':');
             colon != std::string_view::npos && address.find("://") == std::string_view::npos) {
    // scp-like "git@host:org/repo.git"
    out.scheme = "https";
    std::string joined(address.substr(0, colon));
    joined += '/';
    joined += address.substr(colon + 1);
    auto parsed = ParseGitAddress("ssh://" + joined);
    if (auto* a = std::get_if<GitAddress>(&parsed)) a->scheme = "https";
    return parsed;
  } else {
    return AddressError{"address '" + std::string(address) + "' is not an http(s), ssh or scp-like Git address"};
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  if (authority.empty()) return AddressError{"address '" + std::string(address) + "' has no host"};
  out.host = std::string(authority);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.size() > 4 && path.substr(path.size() - 4) == ".git") path.remove_suffix(4);
  if (path.empty() || path.find('/') == std::string_view::npos) {
    return AddressError{"address '" + std::string(address) + "' does not name a repository (expected …/owner/repo)"};
  }
  out.path = std::string(path);
  return out;
}

}  // namespace fluxstatus::core
