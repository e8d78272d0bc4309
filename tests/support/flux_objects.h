// Flux objects as the Kubernetes API lists them, for the resync tests and the soak: a
// Kustomization and the GitRepository it applies, in the shapes of ../shared/samples/kubernetes
// (01, 02, 04), with the fields a test varies (conditions, revisions, suspend) as parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fluxstatus::testing {

class FakeKubeApi;

inline constexpr const char* kKustomizeGroup = "kustomize.toolkit.fluxcd.io";
inline constexpr const char* kSourceGroup = "source.toolkit.fluxcd.io";

struct KustomizationSpec {
  std::string name = "apps";
  std::string namespace_ = "flux-system";
  std::string ready = "True";  // Ready's status: True, False, Unknown
  std::string reason = "ReconciliationSucceeded";
  std::string message;                      // empty: "Applied revision: <applied>"
  std::string at = "2026-12-01T10:00:00Z";  // Ready's lastTransitionTime
  std::string applied_sha;                  // lastAppliedRevision main@sha1:<sha>; empty: none
  std::string attempted_sha;                // lastAttemptedRevision; empty: the applied one
  bool suspend = false;
  bool reconciling = false;  // a Reconciling=True condition beside Ready
};

struct GitRepositorySpec {
  std::string name = "flux-system";
  std::string namespace_ = "flux-system";
  std::string sha;  // the stored artifact's revision main@sha1:<sha>
  std::string at = "2026-12-01T09:59:00Z";
};

// The usual shapes (designated initializers that skip members do not build under -Werror).
// Ready=True, `sha` applied at `at`.
KustomizationSpec Applied(const std::string& sha, const std::string& at, const std::string& name = "apps");
// Ready=False with `reason` and `message` at `at`: `attempted` failed while `applied` stays applied.
KustomizationSpec FailedAttempt(const std::string& applied, const std::string& attempted, const std::string& reason,
                                const std::string& message, const std::string& at);
GitRepositorySpec Stored(const std::string& sha, const std::string& at = "2026-11-24T09:59:00Z");

// One item of a LIST answer (apiVersion, kind, metadata with uid and resourceVersion, spec,
// status), as compact JSON.
std::string KustomizationJson(const KustomizationSpec& spec);
std::string GitRepositoryJson(const GitRepositorySpec& spec);

// Serves these Kustomizations and GitRepositories on `kube`, and no objects of the other source
// kinds (OCIRepository, Bucket, HelmChart); HelmRelease is left as it was (absent: 404, as when
// its CRD is not installed). Replaces what `kube` served of these kinds before.
void ServeFluxObjects(FakeKubeApi& kube, const std::vector<KustomizationSpec>& kustomizations,
                      const std::vector<GitRepositorySpec>& repos);

}  // namespace fluxstatus::testing
