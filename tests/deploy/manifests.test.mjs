// The files under deploy/kubernetes/ one by one: each parses, each manifest validates against
// its kind's JSON schema (kubernetes-models, @kubernetes-models/flux-cd and
// @kubernetes-models/prometheus-operator), each kustomization
// names only files that exist and every file beside it is used, and each fluxstatus.yaml is
// one `fluxstatus check-config` accepts. What kustomize makes of them: kustomize.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  assertValid, deployDir, isFluxstatusConfig, isKustomize, kustomizations, modelFor, parseAll, rel, repo,
  require, skipWhy, yamlFiles,
} from "./support.mjs";

const manifestFiles = () => yamlFiles(deployDir).filter((f) => !isFluxstatusConfig(f));

test("every manifest file validates against its kind's schema", { skip: skipWhy }, async () => {
  const files = manifestFiles();
  let objects = 0;
  for (const file of files) {
    const docs = parseAll(readFileSync(file, "utf8"), rel(file)).filter((d) => !isKustomize(d));
    await assertValid(docs, rel(file));
    objects += docs.length;
  }
  // The base's 8 (rbac.yaml's 3), the monitoring pair and the two example Secrets.
  assert.ok(objects >= 12, `expected the full set of manifests, found ${objects}`);
});

test("a manifest with a wrong field value fails validation (the check can fail)", { skip: skipWhy }, async () => {
  const Model = await modelFor("notification.toolkit.fluxcd.io/v1beta3", "Provider");
  assert.throws(() => new Model({ metadata: { name: "x" }, spec: { type: "generic-hmacc" } }).validate());
  const Rule = await modelFor("monitoring.coreos.com/v1", "PrometheusRule");
  assert.throws(() => new Rule({ metadata: { name: "x" },
    spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", for: "10 minutes" }] }] } }).validate());
  assert.equal(await modelFor("example.com/v1", "Widget"), undefined);
});

test("kustomizations name only files that exist, and use every file beside them", { skip: skipWhy }, () => {
  const YAML = require("yaml");
  const all = kustomizations();
  assert.ok(all.length >= 3, "the base, the direct-mode overlay and its flux-system component");
  for (const { dir, doc } of all) {
    const where = rel(path.join(dir, "kustomization.yaml"));
    assert.ok(["Kustomization", "Component"].includes(doc.kind), `${where}: unknown kind ${doc.kind}`);
    const used = new Set();
    for (const entry of [...(doc.resources ?? []), ...(doc.components ?? [])]) {
      const target = path.join(dir, entry);
      assert.ok(existsSync(target), `${where}: ${entry} does not exist`);
      if (statSync(target).isDirectory()) {
        assert.ok(existsSync(path.join(target, "kustomization.yaml")), `${where}: ${entry} has no kustomization.yaml`);
        // An overlay inside its own base is a cycle kustomize refuses (kubectl 1.32).
        const up = path.relative(target, dir);
        assert.ok(up.startsWith(".."), `${where}: ${entry} is this kustomization or contains it`);
      }
      used.add(path.normalize(target));
    }
    for (const gen of doc.configMapGenerator ?? []) {
      for (const f of gen.files ?? []) {
        const file = path.join(dir, f.split("=").pop());
        assert.ok(existsSync(file), `${where}: generator file ${f} does not exist`);
        used.add(file);
      }
    }
    for (const patch of doc.patches ?? []) {
      if (patch.path) {
        assert.ok(existsSync(path.join(dir, patch.path)), `${where}: patch ${patch.path} does not exist`);
        used.add(path.join(dir, patch.path));
      }
      if (patch.patch) assert.doesNotThrow(() => YAML.parse(patch.patch), `${where}: an inline patch is not YAML`);
    }
    for (const name of readdirSync(dir).filter((n) => /\.yaml$/.test(n) && n !== "kustomization.yaml")) {
      assert.ok(used.has(path.join(dir, name)), `${rel(path.join(dir, name))} is not used by ${where}`);
    }
  }
});

// The pod's paths, made real in a scratch directory: the Secrets as stand-in files, the data
// volume as a folder. So check-config sees the config as the pod does, secrets included.
function asInThePod(config, dir) {
  const mounts = { "/var/run/secrets/fluxstatus/": "secrets/", "/var/lib/fluxstatus/": "data/" };
  let text = config;
  for (const [from, to] of Object.entries(mounts)) text = text.replaceAll(from, path.join(dir, to));
  for (const [, file] of text.matchAll(/_file:\s*(\S+)/g)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "stand-in-secret\n", { mode: 0o600 });
  }
  mkdirSync(path.join(dir, "data"), { recursive: true });
  return text;
}

// Each fluxstatus.yaml, the image's default included, is one fluxstatus accepts (needs the binary).
const binary = process.env.FLUXSTATUS_BUILD_DIR && path.join(process.env.FLUXSTATUS_BUILD_DIR, "fluxstatus");
test("every fluxstatus.yaml passes check-config", {
  skip: binary && existsSync(binary) ? false : "FLUXSTATUS_BUILD_DIR has no fluxstatus binary",
}, () => {
  const configs = [...yamlFiles(deployDir).filter(isFluxstatusConfig), path.join(repo, "deploy/fluxstatus.yaml")];
  assert.ok(configs.length >= 3, "the image's, the base's and the direct-mode overlay's");
  for (const file of configs) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-deploy-"));
    try {
      writeFileSync(path.join(dir, "fluxstatus.yaml"), asInThePod(readFileSync(file, "utf8"), dir));
      const out = execFileSync(binary, ["--config", path.join(dir, "fluxstatus.yaml"), "check-config"], {
        cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
      });
      assert.match(out, /is valid/, `${rel(file)}: ${out}`);
    } catch (e) {
      assert.fail(`${rel(file)}: fluxstatus check-config refused it: ${e.stderr ?? e.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

// The docs and the manifests' comments name deploy/ paths that exist (they moved once:
// deploy/kubernetes/base/ and overlays/).
test("every deploy/ path the docs and manifests name exists", () => {
  const texts = [path.join(repo, "README.md"), ...readdirSync(path.join(repo, "docs")).map((n) => path.join(repo, "docs", n)),
    ...yamlFiles(path.join(repo, "deploy"))].filter((f) => /\.(md|ya?ml)$/.test(f));
  let named = 0;
  for (const file of texts) {
    for (const [ref] of readFileSync(file, "utf8").matchAll(/deploy\/(?:kubernetes[\w./-]*|[\w-]+\.ya?ml)/g)) {
      const target = ref.replace(/[.]$/, "");
      assert.ok(existsSync(path.join(repo, target)), `${rel(file)} names ${target}, which does not exist`);
      named++;
    }
  }
  assert.ok(named >= 10, `expected the docs to name deploy/ paths, found ${named}`);
});
