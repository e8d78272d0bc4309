#include "dispatch/route_address.h"

#include <variant>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

void ThrowConfigError(std::string_view route, std::string_view problem) {
  throw ProviderConfigError("route '" + std::string(route) + "': " + std::string(problem));
}

core::GitAddress ParseRouteAddress(std::string_view route, std::string_view address) {
  auto parsed = core::ParseGitAddress(address);
  if (auto* error = std::get_if<core::AddressError>(&parsed)) ThrowConfigError(route, error->message);
  auto out = std::get<core::GitAddress>(std::move(parsed));
  if (out.path.find("//") != std::string::npos) {
    ThrowConfigError(route, "address '" + std::string(address) + "' has an empty path segment");
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    out.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string JoinPath(const std::vector<std::string>& segments, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < segments.size(); ++i) {
    if (!out.empty()) out += '/';
    out += segments[i];
  }
  return out;
}

std::string AuthorityOf(std::string_view url) {
  const auto scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

std::string PathOfUrl(std::string_view url) {
  const auto scheme_end = url.find("://");
  url.remove_prefix(scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  const auto slash = url.find('/');
  return slash == std::string_view::npos ? std::string{} : std::string(url.substr(slash + 1));
}

bool LinkHasNext(const std::string* link_header) {
  // Entries look like <https://…?page=2>; rel="next"; hosts differ in spacing and quoting.
  if (link_header == nullptr) return false;
  std::string compact;
  for (char c : *link_header) {
    if (c != ' ' && c != '"') compact += c;
  }
  return compact.find("rel=next") != std::string::npos;
}

ApiRoot ResolveApiRoot(std::string_view route, std::string_view kind, std::string_view address,
                       std::string_view api_base, std::string_view suffix) {
  const core::GitAddress a = ParseRouteAddress(route, address);
  ApiRoot root{a.scheme + "://" + a.host + std::string(suffix), a.path};
  if (api_base.empty()) return root;
  root.base = std::string(api_base);
  while (!root.base.empty() && root.base.back() == '/') root.base.pop_back();
  if (!root.base.ends_with(suffix)) {
    ThrowConfigError(route, std::string(kind) + " api_base '" + root.base + "' must end with " + std::string(suffix));
  }
  std::string prefix = PathOfUrl(root.base);
  prefix.resize(prefix.size() - (suffix.size() - 1));  // keeps the '/' before the suffix
  if (!prefix.empty()) {
    if (!root.repo_path.starts_with(prefix)) {
      ThrowConfigError(route, std::string(kind) + " address '" + std::string(address) +
                                  "' is not under api_base's path '/" + prefix + "'");
    }
    root.repo_path.erase(0, prefix.size());
  }
  return root;
}

}  // namespace fluxstatus::dispatch
