// docs/migrating-from-notification-controller.md: the kubectl commands that find the Provider
// UID in notification-controller's context names, run as written by the real kubectl against
// a stand-in API server holding Providers. The suffix they print is what the guide's
// `context:` template pins, and what Flux appends: the UID's first dash-separated segment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFakeKubeApi } from "./fake-kube-api.mjs";
import { kubectlSkip, repo } from "./support.mjs";

const doc = readFileSync(path.join(repo, "docs/migrating-from-notification-controller.md"), "utf8");
const section = doc.slice(doc.indexOf("## What changes in the contexts"), doc.indexOf("## What else changes"));
// The ```sh blocks of that section (indented inside a list item), as written.
const commands = [...section.matchAll(/^( *)```sh\n([\s\S]*?)\n\1```/gm)]
  .map(([, indent, body]) => body.split("\n").map((l) => l.slice(indent.length)).join("\n"));

const provider = (namespace, name, type, uid) => ({
  metadata: { namespace, name, uid, resourceVersion: "1", creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: { type, address: `https://github.com/simonjaeger/${name}`, secretRef: { name: "github-token" } },
});
const providers = [
  provider("flux-system", "github-contoso2", "github", "0c9c2e41-5b7a-4c1e-9f3d-2a8b6c4e0d17"),
  provider("apps", "gitlab-shop", "gitlab", "7f1e0a93-2c4d-4e6f-8a1b-3d5c7e9f1a2b"),
];

test("the guide gives the kubectl commands for the Provider UID", () => {
  assert.equal(commands.length, 2, section);
  assert.match(commands[0], /^kubectl .*get providers\.notification\.toolkit\.fluxcd\.io /);
  assert.match(section, /context: "\{kind\}\/\{name\}\/0c9c2e41"/);
});

test("the guide's kubectl commands print the Provider's UID suffix", { skip: kubectlSkip }, async () => {
  const api = await startFakeKubeApi([{
    group: "notification.toolkit.fluxcd.io", version: "v1beta3", kind: "Provider", plural: "providers", objects: providers,
  }]);
  const home = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-kubectl-"));
  try {
    const kubeconfig = path.join(home, "kubeconfig");
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: "v1", kind: "Config", "current-context": "fake",
      clusters: [{ name: "fake", cluster: { server: api.url } }],
      users: [{ name: "fake", user: {} }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
    }));
    // HOME too: kubectl caches discovery under ~/.kube.
    const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
    // Asynchronously: the stand-in API server answers from this same process.
    const run = async (script) => {
      try {
        const { stdout } = await promisify(execFile)("bash", ["-o", "pipefail", "-c", script], { env, timeout: 60000 });
        return stdout;
      } catch (e) {
        assert.fail(`${script}\n--- stdout:\n${e.stdout}\n--- stderr:\n${e.stderr}`);
      }
    };

    // One Provider: its suffix alone, which the guide's example pins.
    assert.equal(await run(commands[0]), "0c9c2e41\n");
    assert.ok(api.requests.includes(
      "GET /apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/providers/github-contoso2"), api.requests.join("\n"));

    // Every Provider: a table with each one's UID.
    const rows = (await run(commands[1])).trim().split("\n").map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows[0], ["NAMESPACE", "NAME", "TYPE", "UID"]);
    assert.deepEqual(rows.slice(1).sort(), providers.map((p) =>
      [p.metadata.namespace, p.metadata.name, p.spec.type, p.metadata.uid]).sort());
  } finally {
    await api.close();
    rmSync(home, { recursive: true, force: true });
  }
});
