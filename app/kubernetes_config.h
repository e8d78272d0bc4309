// fluxstatus.yaml's `kubernetes:` block: where the resync reads the cluster's Flux objects
// from, and how often `serve` does it (contract "Additions": resync_interval, kubeconfig, context).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "app/config_reader.h"

namespace fluxstatus::app {

struct KubernetesConfig {
  // nullopt: not written, so the default applies (on in a pod, off elsewhere); 0: off.
  std::optional<std::chrono::milliseconds> resync_interval;
  // A path (relative to the config file). Empty: the pod's service account inside a pod, else
  // kubectl's default ($KUBECONFIG, then ~/.kube/config).
  std::string kubeconfig;
  std::string context;  // a kubeconfig context; empty: its current-context

  // How often `serve` resyncs; 0 when it does not. `in_pod`: KUBERNETES_SERVICE_HOST is set.
  std::chrono::milliseconds ServeInterval(bool in_pod) const;
};

inline constexpr std::chrono::minutes kDefaultResyncInterval{10};
// Every resync LISTs every Flux object of the cluster; a second apart is already more often
// than Flux reconciles them (tests use a few seconds).
inline constexpr std::chrono::seconds kMinResyncInterval{1};

KubernetesConfig ParseKubernetes(const ConfigReader& reader, const YAML::Node& block);

}  // namespace fluxstatus::app
