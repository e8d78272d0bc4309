// Every manifest under deploy/kubernetes/ validated against the JSON schema of its kind
// (kubernetes-models for Kubernetes, @kubernetes-models/flux-cd for Flux), every file a
// kustomization names exists, and the pieces fit together: the Service reaches the pods, the
// pod mounts what the config reads, the Flux Provider points at a configured route.
// The npm packages come from `npm ci` in tests/deploy (`make test-deps`); without them the
// schema checks skip locally and fail under CI=true.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const deployDir = path.join(repo, "deploy/kubernetes");
const require = createRequire(import.meta.url);
const haveModules = existsSync(path.join(here, "node_modules/kubernetes-models"));
const skipWhy = haveModules ? false : "node_modules missing in tests/deploy: run `make test-deps`";
if (!haveModules && process.env.CI) {
  throw new Error("tests/deploy/node_modules is missing under CI: `make test-deps` must run npm ci there");
}

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

// [{file, doc}] for every YAML document of every file; parse errors fail the test.
function loadAll() {
  const YAML = require("yaml");
  return yamlFiles(deployDir).flatMap((file) => {
    const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
    return docs.map((d) => {
      assert.deepEqual(d.errors, [], `${path.relative(repo, file)}: YAML errors`);
      return { file: path.relative(repo, file), doc: d.toJS() };
    });
  });
}

const isKustomize = (doc) => String(doc?.apiVersion ?? "").startsWith("kustomize.config.k8s.io/");

// The model class for apiVersion/kind, or undefined for a kind nobody publishes a schema for.
async function modelFor(apiVersion, kind) {
  const pkg = apiVersion.includes(".fluxcd.io/") ? "@kubernetes-models/flux-cd" : "kubernetes-models";
  try {
    const mod = await import(`${pkg}/${apiVersion}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

test("every Kubernetes and Flux manifest validates against its kind's schema", { skip: skipWhy }, async () => {
  const objects = loadAll().filter(({ doc }) => doc && !isKustomize(doc));
  assert.ok(objects.length >= 8, `expected the full set of manifests, found ${objects.length}`);
  for (const { file, doc } of objects) {
    const where = `${file}: ${doc.kind}/${doc.metadata?.name}`;
    assert.ok(doc.apiVersion && doc.kind, `${file}: a document without apiVersion/kind`);
    const Model = await modelFor(doc.apiVersion, doc.kind);
    assert.ok(Model, `${where}: unknown kind ${doc.apiVersion} ${doc.kind} (no schema to validate it against)`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${where}: does not match its schema`);
    assert.ok(doc.metadata?.name, `${where}: no metadata.name`);
    assert.equal(doc.metadata?.namespace, undefined, `${where}: sets a namespace (the base is namespace-agnostic)`);
  }
});

test("a manifest with a wrong field value fails validation (the check can fail)", { skip: skipWhy }, async () => {
  const Model = await modelFor("notification.toolkit.fluxcd.io/v1beta3", "Provider");
  assert.throws(() => new Model({ metadata: { name: "x" }, spec: { type: "generic-hmacc" } }).validate());
  assert.equal(await modelFor("example.com/v1", "Widget"), undefined);
});

test("kustomizations and components name only files that exist", { skip: skipWhy }, () => {
  const YAML = require("yaml");
  const kustomizations = loadAll().filter(({ doc }) => isKustomize(doc));
  assert.ok(kustomizations.length >= 2, "the base and the direct-mode overlay");
  for (const { file, doc } of kustomizations) {
    assert.ok(["Kustomization", "Component"].includes(doc.kind), `${file}: unknown kind ${doc.kind}`);
    const dir = path.dirname(path.join(repo, file));
    for (const entry of [...(doc.resources ?? []), ...(doc.components ?? [])]) {
      const target = path.join(dir, entry);
      assert.ok(existsSync(target), `${file}: ${entry} does not exist`);
      if (statSync(target).isDirectory()) {
        assert.ok(existsSync(path.join(target, "kustomization.yaml")), `${file}: ${entry} has no kustomization.yaml`);
      }
    }
    for (const patch of doc.patches ?? []) {
      if (patch.path) assert.ok(existsSync(path.join(dir, patch.path)), `${file}: patch ${patch.path} does not exist`);
      if (patch.patch) assert.doesNotThrow(() => YAML.parse(patch.patch), `${file}: an inline patch is not YAML`);
    }
  }
  // Every object file of the base is listed (apart from the example Secrets, kept out of Git).
  const base = YAML.parse(readFileSync(path.join(deployDir, "kustomization.yaml"), "utf8"));
  const listed = new Set(base.resources);
  for (const name of readdirSync(deployDir).filter((n) => /\.yaml$/.test(n))) {
    if (["kustomization.yaml", "secrets.example.yaml"].includes(name)) continue;
    assert.ok(listed.has(name), `deploy/kubernetes/${name} is not in kustomization.yaml`);
  }
});

function baseObjects() {
  const byKind = {};
  for (const { file, doc } of loadAll()) {
    if (!doc || isKustomize(doc) || file.includes("/direct-mode/")) continue;
    (byKind[doc.kind] ??= []).push(doc);
  }
  return byKind;
}

test("the Deployment is one Recreate replica, probed, non-root and read-only", { skip: skipWhy }, () => {
  const { Deployment: [dep], Service: [svc] } = baseObjects();
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

test("the config, secrets, volumes and Flux Provider fit together", { skip: skipWhy }, () => {
  const YAML = require("yaml");
  const objs = baseObjects();
  const dep = objs.Deployment[0];
  const pod = dep.spec.template.spec;
  const [c] = pod.containers;
  const config = YAML.parse(objs.ConfigMap[0].data["fluxstatus.yaml"]);
  const volumes = Object.fromEntries(pod.volumes.map((v) => [v.name, v]));
  const mountOf = (file) => c.volumeMounts.find((m) => file.startsWith(m.mountPath + "/"));
  assert.ok(config.database.startsWith("/var/lib/fluxstatus/"), "the database is on the data volume");
  assert.equal(volumes[mountOf(config.database).name].persistentVolumeClaim.claimName,
    objs.PersistentVolumeClaim[0].metadata.name);
  assert.equal(volumes[mountOf("/etc/fluxstatus/fluxstatus.yaml").name].configMap.name, objs.ConfigMap[0].metadata.name);
  assert.match(config.listen, /^0\.0\.0\.0:/, "listens on the pod's address");
  assert.ok(c.ports.some((p) => p.containerPort === Number(config.listen.split(":")[1])));

  // Each secret file a route reads is a key of a Secret the pod mounts, and that Secret is one
  // of the examples.
  const examples = YAML.parseAllDocuments(readFileSync(path.join(deployDir, "secrets.example.yaml"), "utf8"))
    .map((d) => d.toJS());
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

// The fluxstatus.yaml of each ConfigMap is one fluxstatus accepts (needs the built binary).
const binary = process.env.FLUXSTATUS_BUILD_DIR && path.join(process.env.FLUXSTATUS_BUILD_DIR, "fluxstatus");
test("every ConfigMap's fluxstatus.yaml passes check-config", {
  skip: !haveModules ? skipWhy : binary && existsSync(binary) ? false : "FLUXSTATUS_BUILD_DIR has no fluxstatus binary",
}, () => {
  const configs = loadAll().filter(({ doc }) => doc?.kind === "ConfigMap" && doc.data?.["fluxstatus.yaml"]);
  assert.ok(configs.length >= 2, "the base's and the direct-mode overlay's");
  for (const { file, doc } of configs) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-deploy-"));
    try {
      writeFileSync(path.join(dir, "fluxstatus.yaml"), doc.data["fluxstatus.yaml"]);
      const out = execFileSync(binary, ["--config", path.join(dir, "fluxstatus.yaml"), "check-config"], {
        cwd: dir, encoding: "utf8",
      });
      assert.match(out, /is valid/, `${file}: ${out}`);
    } catch (e) {
      assert.fail(`${file}: fluxstatus check-config refused it: ${e.stderr ?? e.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
