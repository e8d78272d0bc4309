#!/usr/bin/env python3
"""Writes a cluster's worth of Flux objects as LIST answers, one file per kind, for fake-kube-api.

Usage: bench/gen_flux_objects.py N OUTDIR  ->  OUTDIR/<plural>.json for the six kinds resync reads

The mix is a multi-tenant cluster's: 40 % Kustomizations (each with an inventory of 10-40
objects and a short history), 20 % GitRepositories (each the source of two Kustomizations),
15 % HelmReleases and their 15 % HelmCharts (a third built from Git with reconcileStrategy
Revision, the rest from Helm repositories: no commit), 8 % OCIRepositories (pushed with
`flux push artifact --revision`, so they name a commit) and 2 % Buckets. Each object carries
what a live API server adds (uid, resourceVersion, creationTimestamp, labels, finalizers and
the controllers' managedFields), 2-5 KB each, as `kubectl get -o json` shows them. Most are
Ready; some failed a new revision while the old one stays applied, some are reconciling, a
few are suspended, as ../shared/reference/flux-objects.md describes. Seeded: the same N gives
the same files. Python 3.11 standard library only.
"""
import hashlib, json, os, random, sys

KC, SC, HC = "kustomize.toolkit.fluxcd.io/v1", "source.toolkit.fluxcd.io/v1", "helm.toolkit.fluxcd.io/v2"
KINDS = [  # plural, apiVersion, kind, share of N
    ("kustomizations", KC, "Kustomization", 0.40), ("gitrepositories", SC, "GitRepository", 0.20),
    ("helmreleases", HC, "HelmRelease", 0.15), ("helmcharts", SC, "HelmChart", 0.15),
    ("ocirepositories", SC, "OCIRepository", 0.08), ("buckets", SC, "Bucket", 0.02),
]
TENANT_SIZE = 50  # objects per namespace


def sha(*parts, n=40):
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:n]


def at(rnd):
    return f"2026-12-0{rnd.randint(1, 6)}T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}Z"


def condition(kind, status, reason, message, when, generation):
    return {"lastTransitionTime": when, "message": message, "observedGeneration": generation, "reason": reason,
            "status": status, "type": kind}


def fields(value):
    """The fieldsV1 form of a value as a field manager owns it: maps field by field, lists of
    conditions by their type, other lists whole."""
    if isinstance(value, dict):
        return {".": {}, **{f"f:{k}": fields(v) for k, v in value.items()}}
    if isinstance(value, list) and value and isinstance(value[0], dict) and "type" in value[0]:
        return {".": {}, **{f'k:{{"type":"{c["type"]}"}}': fields(c) for c in value}}
    return {}


def with_managed_fields(obj, manager):
    """Adds the managedFields a server-side apply (Flux's own kustomize-controller applying the
    tenant's manifests) and the controller's status updates leave on a live object."""
    meta, when = obj["metadata"], obj["metadata"]["creationTimestamp"]
    applied = {"f:metadata": {"f:labels": fields(meta["labels"])}, "f:spec": fields(obj["spec"])}
    status = {"f:metadata": {"f:finalizers": {".": {}, 'v:"finalizers.fluxcd.io"': {}}},
              "f:status": fields(obj["status"])}
    meta["managedFields"] = [
        {"apiVersion": obj["apiVersion"], "fieldsType": "FieldsV1", "fieldsV1": applied,
         "manager": "kustomize-controller", "operation": "Apply", "time": when},
        {"apiVersion": obj["apiVersion"], "fieldsType": "FieldsV1", "fieldsV1": status, "manager": manager,
         "operation": "Update", "subresource": "status", "time": when},
    ]
    return obj


def metadata(api, kind, ns, name, rnd):
    generation = rnd.choice([1, 1, 2, 3, 7])
    meta = {"creationTimestamp": "2026-11-02T08:00:00Z", "finalizers": ["finalizers.fluxcd.io"],
            "generation": generation, "labels": {"kustomize.toolkit.fluxcd.io/name": "tenants",
                                                 "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
            "name": name, "namespace": ns, "resourceVersion": str(rnd.randint(10 ** 6, 10 ** 8)),
            "uid": sha(kind, ns, name, n=32)}
    return {"apiVersion": api, "kind": kind, "metadata": meta}, generation


class Cluster:
    def __init__(self, n, seed=17):
        self.rnd = random.Random(seed)
        self.counts = {plural: max(1, round(n * share)) for plural, _, _, share in KINDS}
        self.counts["kustomizations"] = n - sum(c for p, c in self.counts.items() if p != "kustomizations")

    def place(self, i, prefix):
        return f"team-{i // TENANT_SIZE:03d}", f"{prefix}-{i:05d}"

    def revision(self, repo_index, applied=True):
        """The Git revision a GitRepository has now (and the one before it)."""
        return f"main@sha1:{sha('commit', repo_index, 0 if applied else 1)}"

    def ready(self, gen, applied, attempted, ok, failed):
        """Most objects are Ready; some failed a newer revision, some are mid-reconcile.
        `ok` and `failed` are (reason, message) of Ready=True and Ready=False."""
        r, when = self.rnd.random(), at(self.rnd)
        if r < 0.08:
            return [condition("Ready", "False", *failed, when, gen)], attempted
        if r < 0.13:
            return [condition("Reconciling", "True", "Progressing", f"Building manifests for revision {attempted}",
                              when, gen),
                    condition("Ready", "Unknown", "Progressing", "Reconciliation in progress", when, gen)], attempted
        return [condition("Ready", "True", *ok, when, gen)], applied

    def kustomization(self, i):
        ns, name = self.place(i, "app")
        repo = i // 2 % self.counts["gitrepositories"]
        obj, gen = metadata(KC, "Kustomization", ns, name, self.rnd)
        applied = self.revision(repo)
        newer = self.revision(repo, applied=False)
        conditions, attempted = self.ready(
            gen, applied, newer, ("ReconciliationSucceeded", f"Applied revision: {applied}"),
            ("ReconciliationFailed", f"Deployment/{ns}/{name} dry-run failed: spec.replicas: Invalid value: -1"))
        objects = [f"{ns}_{name}-{j}_apps_Deployment" for j in range(self.rnd.randint(3, 10))]
        objects += [f"{ns}_{name}-{j}__Service" for j in range(self.rnd.randint(3, 10))]
        objects += [f"{ns}_{name}-{j}__ConfigMap" for j in range(self.rnd.randint(4, 30))]
        obj["spec"] = {"interval": "10m", "path": f"./tenants/{ns}/{name}", "prune": True, "retryInterval": "2m",
                       "sourceRef": {"kind": "GitRepository", "name": f"repo-{repo:05d}"}, "timeout": "5m",
                       "wait": True}
        if self.rnd.random() < 0.02:
            obj["spec"]["suspend"] = True
        obj["status"] = {
            "conditions": conditions, "lastAppliedRevision": applied, "lastAttemptedRevision": attempted,
            "observedGeneration": gen,
            "history": [{"digest": "sha256:" + sha("manifests", i), "firstReconciled": "2026-11-02T08:01:00Z",
                         "lastReconciled": at(self.rnd), "lastReconciledDuration": "2.1s",
                         "lastReconciledStatus": "ReconciliationSucceeded", "metadata": {"revision": applied},
                         "totalReconciliations": self.rnd.randint(10, 900)}],
            "inventory": {"entries": [{"id": o, "v": "v1"} for o in objects]}}
        return with_managed_fields(obj, "kustomize-controller")

    def git_repository(self, i):
        ns, name = self.place(2 * i, "repo")
        name = f"repo-{i:05d}"
        obj, gen = metadata(SC, "GitRepository", ns, name, self.rnd)
        revision = self.revision(i)
        digest = sha("artifact", i, n=64)
        obj["spec"] = {"interval": "1m", "ref": {"branch": "main"}, "secretRef": {"name": "git-credentials"},
                       "timeout": "60s", "url": f"https://github.com/acme/{name}"}
        msg = f"stored artifact for revision '{revision}'"
        obj["status"] = {
            "artifact": {"digest": f"sha256:{digest}", "lastUpdateTime": at(self.rnd),
                         "path": f"gitrepository/{ns}/{name}/{revision[-40:]}.tar.gz", "revision": revision,
                         "size": self.rnd.randint(10 ** 4, 10 ** 6),
                         "url": f"http://source-controller.flux-system.svc.cluster.local./gitrepository/{ns}/{name}/"
                                f"{revision[-40:]}.tar.gz"},
            "conditions": [condition("Ready", "True", "Succeeded", msg, at(self.rnd), gen),
                           condition("ArtifactInStorage", "True", "Succeeded", msg, at(self.rnd), gen)],
            "observedGeneration": gen}
        return with_managed_fields(obj, "source-controller")

    def helm_pair(self, i):
        """A HelmRelease and the HelmChart helm-controller made for it."""
        ns, name = self.place(i, "svc")
        from_git = i % 3 == 0
        repo = i % self.counts["gitrepositories"]
        commit = self.revision(repo)
        version = f"1.{i % 20}.{i % 7}" + (f"+{commit[-40:][:12]}" if from_git else "")
        source = {"kind": "GitRepository", "name": f"repo-{repo:05d}"} if from_git else \
            {"kind": "HelmRepository", "name": "bitnami", "namespace": "flux-system"}
        hr, gen = metadata(HC, "HelmRelease", ns, name, self.rnd)
        chart_spec = {"chart": "./charts/app" if from_git else "redis", "interval": "10m", "sourceRef": source,
                      "version": "*" if from_git else "1.x"}
        if from_git:
            chart_spec["reconcileStrategy"] = "Revision"
        hr["spec"] = {"chart": {"spec": chart_spec}, "install": {"remediation": {"retries": 3}}, "interval": "10m",
                      "upgrade": {"remediation": {"retries": 3}},
                      "values": {"replicaCount": 2, "image": {"repository": f"ghcr.io/acme/{name}", "tag": "1.4.2"},
                                 "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}}
        conditions, _ = self.ready(
            gen, version, version, ("UpgradeSucceeded", f"Helm upgrade succeeded for release {ns}/{name}.v4 with "
                                                        f"chart app@{version}"),
            ("UpgradeFailed", f"Helm upgrade failed for release {ns}/{name} with chart app@{version}: context "
                              "deadline exceeded"))
        hr["status"] = {
            "conditions": conditions, "helmChart": f"{ns}/{ns}-{name}", "lastAttemptedConfigDigest":
                "sha256:" + sha("values", i, n=64), "lastAttemptedGeneration": gen,
            "lastAttemptedReleaseAction": "upgrade", "lastAttemptedRevision": version, "observedGeneration": gen,
            "storageNamespace": ns,
            "history": [{"apiVersion": "helm.toolkit.fluxcd.io/v2", "appVersion": "1.4.2", "chartName": "app",
                         "chartVersion": version, "configDigest": "sha256:" + sha("values", i, n=64),
                         "digest": "sha256:" + sha("release", i, v, n=64), "firstDeployed": "2026-11-02T08:02:00Z",
                         "lastDeployed": at(self.rnd), "name": name, "namespace": ns,
                         "status": "deployed" if v == 4 else "superseded", "version": v} for v in (4, 3)]}
        chart, cgen = metadata(SC, "HelmChart", ns, f"{ns}-{name}", self.rnd)
        chart["spec"] = dict(chart_spec, reconcileStrategy=chart_spec.get("reconcileStrategy", "ChartVersion"))
        chart["status"] = {
            "artifact": {"digest": "sha256:" + sha("chart", i, n=64), "lastUpdateTime": at(self.rnd),
                         "path": f"helmchart/{ns}/{ns}-{name}/app-{version}.tgz", "revision": version, "size": 14000},
            "conditions": [condition("Ready", "True", "ChartPullSucceeded", f"pulled 'app' chart with version "
                                     f"'{version}'", at(self.rnd), cgen)],
            "observedChartName": "app", "observedGeneration": cgen}
        if from_git:
            chart["status"]["observedSourceArtifactRevision"] = commit
        return with_managed_fields(hr, "helm-controller"), with_managed_fields(chart, "source-controller")

    def oci_repository(self, i):
        ns, name = self.place(i, "oci")
        obj, gen = metadata(SC, "OCIRepository", ns, name, self.rnd)
        digest = sha("oci", i, n=64)
        obj["spec"] = {"interval": "5m", "ref": {"tag": "latest"}, "url": f"oci://ghcr.io/acme/manifests/{name}"}
        obj["status"] = {
            "artifact": {"digest": "sha256:" + sha("tarball", i, n=64), "lastUpdateTime": at(self.rnd),
                         "metadata": {"org.opencontainers.image.created": "2026-12-01T10:00:00Z",
                                      "org.opencontainers.image.revision": f"main@sha1:{sha('oci-commit', i)}",
                                      "org.opencontainers.image.source": f"https://github.com/acme/{name}"},
                         "path": f"ocirepository/{ns}/{name}/{digest}.tar.gz", "revision": f"latest@sha256:{digest}",
                         "size": 1105},
            "conditions": [condition("Ready", "True", "Succeeded",
                                     f"stored artifact for digest 'latest@sha256:{digest}'", at(self.rnd), gen)],
            "observedGeneration": gen}
        return with_managed_fields(obj, "source-controller")

    def bucket(self, i):
        ns, name = self.place(i, "bucket")
        obj, gen = metadata(SC, "Bucket", ns, name, self.rnd)
        digest = sha("bucket", i, n=64)
        obj["spec"] = {"bucketName": name, "endpoint": "minio.minio.svc:9000", "interval": "5m"}
        obj["status"] = {"artifact": {"digest": f"sha256:{digest}", "lastUpdateTime": at(self.rnd),
                                      "revision": f"sha256:{digest}", "size": 2048},
                         "conditions": [condition("Ready", "True", "Succeeded",
                                                  f"stored artifact for revision 'sha256:{digest}'", at(self.rnd),
                                                  gen)],
                         "observedGeneration": gen}
        return with_managed_fields(obj, "source-controller")

    def lists(self):
        c = self.counts
        items = {"kustomizations": [self.kustomization(i) for i in range(c["kustomizations"])],
                 "gitrepositories": [self.git_repository(i) for i in range(c["gitrepositories"])],
                 "ocirepositories": [self.oci_repository(i) for i in range(c["ocirepositories"])],
                 "buckets": [self.bucket(i) for i in range(c["buckets"])]}
        pairs = [self.helm_pair(i) for i in range(c["helmreleases"])]
        items["helmreleases"] = [hr for hr, _ in pairs]
        items["helmcharts"] = [chart for _, chart in pairs]
        for plural, api, kind, _ in KINDS:
            yield plural, {"apiVersion": api, "kind": kind + "List", "metadata": {"resourceVersion": "100001"},
                           "items": items[plural]}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for plural, doc in Cluster(n).lists():
        with open(os.path.join(out, plural + ".json"), "w") as f:
            json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
