#include "core/deployment_spec.h"

#include <algorithm>

namespace fluxstatus::core {
namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "{" : ", {") + n + "}";
  return out.empty() ? "none" : out;
}

std::string_view ValueOf(std::string_view name, const DeploymentPlaceholders& v) {
  if (name == "cluster") return v.cluster;
  if (name == "route") return v.route;
  if (name == "commit") return v.commit;
  return v.environment;  // the only other name ValidateDeploymentTemplate lets through
}

}  // namespace

std::optional<std::string> ValidateDeploymentTemplate(std::string_view tmpl, const std::vector<std::string>& allowed) {
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '}') return "a '}' without its '{' at position " + std::to_string(i + 1);
    if (tmpl[i] != '{') continue;
    const auto close = tmpl.find('}', i);
    if (close == std::string_view::npos) return "unclosed { at position " + std::to_string(i + 1);
    const std::string name(tmpl.substr(i + 1, close - i - 1));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return "unknown placeholder {" + name + "}; use " + Joined(allowed);
    }
    i = close;
  }
  return std::nullopt;
}

std::string RenderDeploymentTemplate(std::string_view tmpl, const DeploymentPlaceholders& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    const auto close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += tmpl[i];
      continue;
    }
    out += ValueOf(tmpl.substr(i + 1, close - i - 1), values);
    i = close;
  }
  return out;
}

std::string_view DefaultEnvironmentTemplate(std::string_view cluster) {
  return cluster.empty() ? "{route}" : "{cluster}";
}

std::optional<std::string> BranchOfRevision(std::string_view revision) {
  const auto at =
      revision.rfind("@sha1:") != std::string_view::npos ? revision.rfind("@sha1:") : revision.rfind("@sha256:");
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  std::string_view ref = revision.substr(0, at);
  if (ref.rfind("refs/tags/", 0) == 0) return std::nullopt;
  if (ref.rfind("refs/heads/", 0) == 0) ref.remove_prefix(std::string_view("refs/heads/").size());
  if (ref.empty() || ref.rfind("refs/", 0) == 0) return std::nullopt;
  return std::string(ref);
}

}  // namespace fluxstatus::core
