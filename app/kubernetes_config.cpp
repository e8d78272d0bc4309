#include "app/kubernetes_config.h"

namespace fluxstatus::app {
namespace {

std::chrono::milliseconds ReadInterval(const ConfigReader& r, const YAML::Node& block) {
  const YAML::Node n = block["resync_interval"];
  if (n.IsScalar() && n.as<std::string>() == "0") return std::chrono::milliseconds{0};
  const auto interval = r.Duration(block, "resync_interval", kDefaultResyncInterval);
  if (interval.count() != 0 && interval < kMinResyncInterval) {
    r.Fail(n,
           "kubernetes: resync_interval must be 0 (off) or at least 1s (every resync lists all Flux objects; 10m is "
           "the default)");
  }
  return interval;
}

}  // namespace

std::chrono::milliseconds KubernetesConfig::ServeInterval(bool in_pod) const {
  if (resync_interval) return *resync_interval;
  return in_pod ? std::chrono::milliseconds(kDefaultResyncInterval) : std::chrono::milliseconds{0};
}

KubernetesConfig ParseKubernetes(const ConfigReader& r, const YAML::Node& block) {
  KubernetesConfig k;
  if (!block.IsDefined() || block.IsNull()) return k;
  r.KnownKeys(block, "kubernetes", {"resync_interval", "kubeconfig", "context"});
  if (block["resync_interval"].IsDefined() && !block["resync_interval"].IsNull()) {
    k.resync_interval = ReadInterval(r, block);
  }
  if (block["kubeconfig"].IsDefined() && !r.String(block, "kubeconfig", "").empty()) {
    k.kubeconfig = r.Path(block, "kubeconfig");
  }
  k.context = r.String(block, "context", "");
  return k;
}

}  // namespace fluxstatus::app
