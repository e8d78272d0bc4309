#include "core/status_template.h"

#include <algorithm>
#include <cctype>

namespace fluxstatus::core {
namespace {

constexpr std::string_view kMetadataPrefix = "metadata.";

bool KnownPlaceholder(std::string_view name) {
  return name == "kind" || name == "name" || name == "namespace" || name == "cluster" ||
         (name.size() > kMetadataPrefix.size() && name.substr(0, kMetadataPrefix.size()) == kMetadataPrefix);
}

std::string Expand(std::string_view name, const FluxEvent& ev, std::string_view cluster) {
  if (name == "kind") {
    std::string kind = ev.object.kind;
    std::transform(kind.begin(), kind.end(), kind.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return kind;
  }
  if (name == "name") return ev.object.name;
  if (name == "namespace") return ev.object.namespace_;
  if (name == "cluster") return std::string(cluster);
  auto it = ev.metadata.find(std::string(name.substr(kMetadataPrefix.size())));
  return it == ev.metadata.end() ? std::string() : it->second;
}

}  // namespace

std::optional<std::string> ValidateTemplate(std::string_view tmpl) {
  size_t pos = 0;
  while ((pos = tmpl.find('{', pos)) != std::string_view::npos) {
    auto close = tmpl.find('}', pos);
    if (close == std::string_view::npos) return "unclosed { at position " + std::to_string(pos);
    auto name = tmpl.substr(pos + 1, close - pos - 1);
    if (!KnownPlaceholder(name)) {
      return "unknown placeholder {" + std::string(name) +
             "} (known: {kind} {name} {namespace} {cluster} {metadata.KEY})";
    }
    pos = close + 1;
  }
  return std::nullopt;
}

std::string RenderTemplate(std::string_view tmpl, const FluxEvent& ev, std::string_view cluster) {
  std::string out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    auto open = tmpl.find('{', pos);
    auto close = open == std::string_view::npos ? open : tmpl.find('}', open);
    if (close == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    out.append(tmpl.substr(pos, open - pos));
    out.append(Expand(tmpl.substr(open + 1, close - open - 1), ev, cluster));
    pos = close + 1;
  }
  return out;
}

std::string ContextTemplateFor(std::string_view tmpl, std::string_view cluster) {
  std::string out(tmpl);
  if (!cluster.empty() && out.find("{cluster}") == std::string::npos) out += "/{cluster}";
  return out;
}

}  // namespace fluxstatus::core
