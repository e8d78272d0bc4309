// What kustomize makes of deploy/kubernetes/: every kustomization rendered with
// `kubectl kustomize` (the kustomize API kustomize-controller runs) and its output validated
// against the schemas; the pieces of the rendered base fit together (the Service reaches the
// pods, the pod mounts what the config reads, the Flux Provider points at a configured route);
// a changed fluxstatus.yaml rolls the pod; the direct-mode component points the controllers here;
// the pod resyncs with its own ServiceAccount, bound in the includer's namespace to a read-only
// ClusterRole on the Flux objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  assertValid, byKind, deployDir, kubectlSkip, kustomizations, parseAll, rel, render, require, skipWhy,
} from "./support.mjs";

const skip = skipWhy || kubectlSkip;
const base = path.join(deployDir, "base");
const directMode = path.join(deployDir, "overlays/direct-mode");

test("every kustomization renders, and what it renders validates against the schemas", { skip }, async () => {
  const all = kustomizations().filter(({ doc }) => doc.kind === "Kustomization");
  assert.ok(all.length >= 2, "the base and the direct-mode overlay");
  for (const { dir } of all) {
    const objects = render(dir);
    assert.ok(objects.length > 0, `${rel(dir)} renders nothing`);
    await assertValid(objects, `kubectl kustomize ${rel(dir)}`);
  }
});

test("the rendered Deployment is one Recreate replica, probed, non-root and read-only", { skip }, () => {
  const { Deployment: [dep], Service: [svc] } = byKind(render(base));
  assert.equal(dep.spec.replicas, 1);
  assert.equal(dep.spec.strategy.type, "Recreate");
  const pod = dep.spec.template.spec;
  const [c] = pod.containers;
  assert.equal(c.livenessProbe.httpGet.path, "/healthz");
  assert.equal(c.readinessProbe.httpGet.path, "/readyz");
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory, "resource requests");
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.notEqual(pod.securityContext.runAsUser, 0);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  // Writable mounts: the data volume and /tmp only.
  const writable = c.volumeMounts.filter((m) => !m.readOnly).map((m) => m.mountPath).sort();
  assert.deepEqual(writable, ["/tmp", "/var/lib/fluxstatus"]);
  // The Service selects the pods and targets the named port.
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(dep.spec.template.metadata.labels[k], v);
  assert.ok(c.ports.some((p) => p.name === svc.spec.ports[0].targetPort));
});

test("the rendered config, secrets, volumes and Flux Provider fit together", { skip }, () => {
  const YAML = require("yaml");
  const objs = byKind(render(base));
  const pod = objs.Deployment[0].spec.template.spec;
  const [c] = pod.containers;
  const config = YAML.parse(objs.ConfigMap[0].data["fluxstatus.yaml"]);
  const volumes = Object.fromEntries(pod.volumes.map((v) => [v.name, v]));
  const mountOf = (file) => c.volumeMounts.find((m) => file.startsWith(m.mountPath + "/"));
  assert.ok(config.database.startsWith("/var/lib/fluxstatus/"), "the database is on the data volume");
  assert.equal(volumes[mountOf(config.database).name].persistentVolumeClaim.claimName,
    objs.PersistentVolumeClaim[0].metadata.name);
  // The generated ConfigMap (name with its content hash) is the one mounted as the config.
  assert.match(objs.ConfigMap[0].metadata.name, /^fluxstatus-[a-z0-9]{10}$/);
  assert.equal(volumes[mountOf("/etc/fluxstatus/fluxstatus.yaml").name].configMap.name, objs.ConfigMap[0].metadata.name);
  assert.match(config.listen, /^0\.0\.0\.0:/, "listens on the pod's address");
  assert.ok(c.ports.some((p) => p.containerPort === Number(config.listen.split(":")[1])));

  // Each secret file a route reads is a key of a Secret the pod mounts, and that Secret is one
  // of the examples.
  const examples = parseAll(readFileSync(path.join(deployDir, "secrets.example.yaml"), "utf8"), "secrets.example.yaml");
  for (const route of config.routes) {
    for (const file of [route.token_file, route.hmac_key_file].filter(Boolean)) {
      const mount = mountOf(file);
      assert.ok(mount, `${file} is on no mounted volume`);
      const secretName = volumes[mount.name].secret?.secretName;
      const example = examples.find((s) => s.metadata.name === secretName);
      assert.ok(example, `${file}: Secret ${secretName} has no example`);
      assert.ok(path.basename(file) in example.stringData, `${file}: key missing in Secret ${secretName}`);
    }
  }

  // The Provider posts to /hook/<a configured route> on the Service, signed with the Secret
  // whose `token` the route verifies.
  const provider = objs.Provider[0];
  const url = new URL(provider.spec.address);
  assert.equal(url.hostname.split(".")[0], objs.Service[0].metadata.name);
  assert.equal(Number(url.port), objs.Service[0].spec.ports[0].port);
  const routeName = url.pathname.replace(/^\/hook\//, "");
  const route = config.routes.find((r) => r.name === routeName);
  assert.ok(route, `the Provider posts to route '${routeName}', which the config does not define`);
  assert.equal(provider.spec.type, "generic-hmac");
  assert.equal(volumes[mountOf(route.hmac_key_file).name].secret.secretName, provider.spec.secretRef.name);
  assert.equal(path.basename(route.hmac_key_file), "token", "Flux signs with the Secret's `token` key");
  assert.equal(objs.Alert[0].spec.providerRef.name, provider.metadata.name);
});

test("a changed fluxstatus.yaml changes the pod template, so the pod rolls", { skip }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-kustomize-"));
  try {
    cpSync(base, dir, { recursive: true });
    const before = byKind(render(dir)).Deployment[0].spec.template;
    writeFileSync(path.join(dir, "fluxstatus.yaml"),
      readFileSync(path.join(dir, "fluxstatus.yaml"), "utf8").replace("workers: 4", "workers: 2"));
    const after = byKind(render(dir)).Deployment[0].spec.template;
    assert.notDeepEqual(after, before, "the same pod template: Kubernetes would keep the old pod");
    assert.notEqual(after.spec.volumes.find((v) => v.configMap).configMap.name,
      before.spec.volumes.find((v) => v.configMap).configMap.name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("direct mode: its own config, no Provider or Alert, the rest of the base", { skip }, () => {
  const YAML = require("yaml");
  const baseKinds = byKind(render(base));
  const objs = byKind(render(directMode));
  assert.equal(objs.Provider, undefined);
  assert.equal(objs.Alert, undefined);
  assert.equal(objs.ConfigMap.length, 1, "the overlay's config replaces the base's");
  const config = YAML.parse(objs.ConfigMap[0].data["fluxstatus.yaml"]);
  assert.ok(config.routes.every((r) => r.match?.length > 0), "every route picks its events by `match`");
  const [dep] = objs.Deployment;
  assert.equal(dep.spec.template.spec.volumes.find((v) => v.name === "config").configMap.name,
    objs.ConfigMap[0].metadata.name);
  for (const kind of ["Deployment", "Service", "PersistentVolumeClaim"]) {
    assert.deepEqual(objs[kind].map((o) => o.metadata.name), baseKinds[kind].map((o) => o.metadata.name), kind);
  }
});

// The component patches the controllers of a `flux bootstrap` kustomization: here, stand-ins
// of the four controller Deployments with the --events-addr Flux's install gives them.
test("the direct-mode component points source-, kustomize- and helm-controller at fluxstatus", { skip }, () => {
  const component = path.join(directMode, "flux-system");
  const dir = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-component-"));
  const controllers = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"];
  const nc = "--events-addr=http://notification-controller.flux-system.svc.cluster.local./";
  try {
    writeFileSync(path.join(dir, "controllers.yaml"), controllers.map((name) => JSON.stringify({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: {
        containers: [{ name: "manager", image: `ghcr.io/fluxcd/${name}`, args: ["--log-level=info", nc] }] } } },
    })).join("\n---\n"));
    writeFileSync(path.join(dir, "kustomization.yaml"), JSON.stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization",
      resources: ["controllers.yaml"], components: [path.relative(dir, component)],
    }));
    const svc = byKind(render(base)).Service[0];
    const fluxstatus = `--events-addr=http://${svc.metadata.name}.flux-system.svc.cluster.local:${svc.spec.ports[0].port}/`;
    for (const dep of render(dir)) {
      const args = dep.spec.template.spec.containers[0].args;
      // The controllers take the last --events-addr.
      const last = args.filter((a) => a.startsWith("--events-addr=")).pop();
      assert.equal(last, dep.metadata.name === "notification-controller" ? nc : fluxstatus, dep.metadata.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// What resync LISTs (docs/configuration.md, "In Kubernetes"), as group/resource.
const resyncResources = [
  "kustomize.toolkit.fluxcd.io/kustomizations", "source.toolkit.fluxcd.io/gitrepositories",
  "source.toolkit.fluxcd.io/ocirepositories", "source.toolkit.fluxcd.io/buckets",
  "source.toolkit.fluxcd.io/helmcharts", "helm.toolkit.fluxcd.io/helmreleases",
];

// Every (group/resource, verb) a ClusterRole allows, as "group/resource verb" strings; a rule
// that allows more than it names (wildcards, non-resource URLs) is named as it is written.
function grants(role) {
  return role.rules.flatMap((rule) => {
    if (rule.nonResourceURLs) return [`nonResourceURLs ${rule.nonResourceURLs}`];
    assert.equal(rule.resourceNames, undefined, "a rule limited to names would miss most objects");
    return rule.apiGroups.flatMap((g) => rule.resources.flatMap((r) => rule.verbs.map((v) => `${g}/${r} ${v}`)));
  }).sort();
}

test("the ClusterRole grants get, list and watch on the resources resync lists, and nothing else", { skip }, () => {
  const objs = byKind(render(base));
  const roles = objs.ClusterRole;
  assert.deepEqual(roles.map((r) => r.metadata.name), ["fluxstatus-resync"], "the name fluxstatus's 403 error names");
  const expected = resyncResources.flatMap((res) => ["get", "list", "watch"].map((v) => `${res} ${v}`)).sort();
  assert.deepEqual(grants(roles[0]), expected);
  assert.equal(objs.Role, undefined, "no namespaced Role besides");
});

// `dir` rendered in `namespace` the two ways the base's header names: from a kustomization
// that includes it, and as a Flux Kustomization's targetNamespace does (kustomize-controller
// writes `namespace:` into the kustomization.yaml it builds).
function renderIn(namespace, dir, how) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-namespace-"));
  try {
    if (how === "targetNamespace") {
      cpSync(dir, scratch, { recursive: true });
      const file = path.join(scratch, "kustomization.yaml");
      writeFileSync(file, `namespace: ${namespace}\n${readFileSync(file, "utf8")}`);
    } else {
      writeFileSync(path.join(scratch, "kustomization.yaml"), JSON.stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization",
        namespace, resources: [path.relative(scratch, dir)],
      }));
    }
    return byKind(render(scratch));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

test("the binding gives the ClusterRole to the pod's ServiceAccount, in the includer's namespace", { skip }, () => {
  const ns = "fluxstatus-test";
  const cases = [[base, "included"], [directMode, "included"], [base, "targetNamespace"]];
  for (const [dir, how] of cases) {
    const where = `${rel(dir)} ${how}`;
    const objs = renderIn(ns, dir, how);
    const [dep] = objs.Deployment;
    const [account] = objs.ServiceAccount;
    const [binding] = objs.ClusterRoleBinding;
    assert.equal(dep.metadata.namespace, ns, where);
    assert.equal(dep.spec.template.spec.serviceAccountName, account.metadata.name, `${where}: the pod's account`);
    assert.equal(account.metadata.namespace, ns, where);
    assert.deepEqual(binding.roleRef,
      { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: objs.ClusterRole[0].metadata.name }, where);
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
      `${where}: the binding's subject is the pod's account in the pod's namespace`);
  }
  // Without a namespace the subject names none (the API server refuses such a binding), rather
  // than a guessed one the pod may not run in.
  assert.equal(byKind(render(base)).ClusterRoleBinding[0].subjects[0].namespace, undefined);
});

test("the pod gets its ServiceAccount token, where fluxstatus reads it", { skip }, () => {
  const objs = byKind(render(base));
  const pod = objs.Deployment[0].spec.template.spec;
  const [account] = objs.ServiceAccount;
  // The pod's setting wins over the account's; unset on both means mounted.
  const mounted = pod.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
  assert.equal(mounted, true, "automountServiceAccountToken: the pod would have no token to resync with");
  // A volume of our own there would hide the token and ca.crt Kubernetes mounts.
  const tokenDir = "/var/run/secrets/kubernetes.io/serviceaccount";
  for (const c of pod.containers) {
    const over = c.volumeMounts.find((m) => `${tokenDir}/`.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
    assert.equal(over, undefined, `${c.name} mounts ${over?.name} over ${tokenDir}`);
  }
});
