// What the deploy checks share: the paths, the npm packages from `make test-deps` (without
// them the checks skip locally and fail under CI=true), YAML loading, the schema of a kind
// (Kubernetes, Flux, Prometheus Operator), and `kubectl kustomize`.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "../..");
export const deployDir = path.join(repo, "deploy/kubernetes");
export const require = createRequire(import.meta.url);

const haveModules = existsSync(path.join(here, "node_modules/kubernetes-models"));
export const skipWhy = haveModules ? false : "node_modules missing in tests/deploy: run `make test-deps`";
if (!haveModules && process.env.CI) {
  throw new Error("tests/deploy/node_modules is missing under CI: `make test-deps` must run npm ci there");
}

export const rel = (file) => path.relative(repo, file);

export function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

// Every YAML document of a text, as plain objects; a parse error fails the test.
export function parseAll(text, where) {
  const YAML = require("yaml");
  return YAML.parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, [], `${where}: YAML errors`);
    return d.toJS();
  }).filter((doc) => doc);
}

export const isKustomize = (doc) => String(doc?.apiVersion ?? "").startsWith("kustomize.config.k8s.io/");
// fluxstatus's own configuration files sit beside the manifests (configMapGenerator reads them).
export const isFluxstatusConfig = (file) => path.basename(file) === "fluxstatus.yaml";

// The model class for apiVersion/kind, or undefined for a kind nobody publishes a schema for.
export async function modelFor(apiVersion, kind) {
  const pkg = apiVersion.includes(".fluxcd.io/") ? "@kubernetes-models/flux-cd"
    : apiVersion.startsWith("monitoring.coreos.com/") ? "@kubernetes-models/prometheus-operator"
    : "kubernetes-models";
  try {
    const mod = await import(`${pkg}/${apiVersion}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

// Each object validated against its kind's schema; namespace-agnostic (the includer sets it).
export async function assertValid(objects, where) {
  for (const doc of objects) {
    const at = `${where}: ${doc.kind}/${doc.metadata?.name}`;
    assert.ok(doc.apiVersion && doc.kind, `${where}: a document without apiVersion/kind`);
    const Model = await modelFor(doc.apiVersion, doc.kind);
    assert.ok(Model, `${at}: unknown kind ${doc.apiVersion} ${doc.kind} (no schema to validate it against)`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${at}: does not match its schema`);
    assert.ok(doc.metadata?.name, `${at}: no metadata.name`);
    assert.equal(doc.metadata?.namespace, undefined, `${at}: sets a namespace (the manifests are namespace-agnostic)`);
  }
}

// kubectl renders the kustomizations with the kustomize it embeds, the API kustomize-controller
// runs. It is not a Debian package (Debian 12's kubernetes-client is kubectl 1.20, whose
// kustomize 2 knows neither components nor `labels`), so it cannot be installed by
// `make test-deps`: without a recent one these checks skip, loudly.
function kubectlStatus() {
  const r = spawnSync("kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return "kubectl not found";
  const kustomize = JSON.parse(r.stdout).kustomizeVersion ?? "";
  const major = Number(/^v(\d+)\./.exec(kustomize)?.[1] ?? 0);
  return major >= 5 ? false : `kubectl embeds kustomize ${kustomize || "(unknown)"}, older than v5`;
}
const kubectlMissing = kubectlStatus();
export const kubectlSkip = kubectlMissing
  ? `${kubectlMissing}: the kustomizations under deploy/kubernetes are NOT rendered or checked`
  : false;
if (kubectlSkip) {
  console.error(`\n*** WARNING: ${kubectlSkip}. Install kubectl >= 1.27 (it embeds kustomize 5).\n`);
}

// `kubectl kustomize DIR`: its objects, or a failed test naming the directory and kustomize's error.
export function render(dir) {
  let out;
  try {
    out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    assert.fail(`kubectl kustomize ${rel(dir)}: ${e.stderr || e.message}`);
  }
  return parseAll(out, `kubectl kustomize ${rel(dir)}`);
}

// The kustomization.yaml files under deploy/kubernetes: [{dir, doc}].
export function kustomizations() {
  return yamlFiles(deployDir).filter((f) => path.basename(f) === "kustomization.yaml").map((file) => {
    const [doc] = parseAll(readFileSync(file, "utf8"), rel(file));
    return { dir: path.dirname(file), doc };
  });
}

export const byKind = (objects) => {
  const kinds = {};
  for (const doc of objects) (kinds[doc.kind] ??= []).push(doc);
  return kinds;
};
