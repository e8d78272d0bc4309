// docs/quickstart.md, Part 1, run as written: every ```sh block after a
// `<!-- quickstart:local -->` marker, in order, in one bash, in a scratch directory. Its first
// block is `make build`, run here for real (into build-quickstart/, configured exactly as
// `make build` configures it: no test suite, no test toolchain), so the walk-through only ever
// uses what `make build` made. Two more substitutions keep it a test: `make run`
// (which would configure and build the repository's own build/) becomes the
// `build/fluxstatus serve` it runs, and the fixed ports 9595/9596 become free ones. Then the
// statuses it shows are checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const doc = readFileSync(path.join(repo, "docs/quickstart.md"), "utf8");
// `make build`'s build directory for the walk-through: build-quickstart/ beside the Release
// build/, so ccache finds build/'s objects (same flags, same relative paths) and the suite's
// second run (`make sanitize`) only checks it is up to date.
const quickstartBuild = path.join(repo, "build-quickstart");
const underCtest = Boolean(process.env.FLUXSTATUS_BUILD_DIR);

// The marked blocks' text, in document order.
function markedBlocks(markdown) {
  const blocks = [];
  const re = /<!-- quickstart:local -->\s*\n```sh\n([\s\S]*?)\n```/g;
  for (const m of markdown.matchAll(re)) blocks.push(m[1]);
  return blocks;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The environment of the walk-through's shell: without the MAKEFLAGS of the `make test` that
// runs CTest (its jobserver is not this shell's), so the nested `make build` stands alone.
function cleanEnv() {
  const env = { ...process.env };
  for (const k of ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"]) delete env[k];
  return env;
}

function runBash(script, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], {
      cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      err += `\n[quickstart test: timed out after ${timeoutMs} ms]`;
      try { process.kill(-child.pid, "SIGKILL"); } catch {}
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      try { process.kill(-child.pid, "SIGKILL"); } catch {} // anything the script left behind
      resolve({ code, out, err });
    });
  });
}

test("`make run` starts `build/fluxstatus serve`, which the walk-through runs in its place", () => {
  const makefile = readFileSync(path.resolve(here, "../../Makefile"), "utf8");
  assert.match(makefile, /^BUILD_DIR\s*\?=\s*build$/m);
  assert.match(makefile, /^run: build\n\t\.\/\$\(BUILD_DIR\)\/fluxstatus serve$/m);
});

test("the quickstart marks its local walk-through", () => {
  const blocks = markedBlocks(doc);
  assert.ok(blocks.length >= 7, `expected the marked steps, found ${blocks.length}`);
  assert.equal(blocks[0], "make build", "the walk-through starts with `make build` and nothing else");
  assert.ok(blocks.some((b) => /^make run/m.test(b)), "the service comes from `make run`");
  assert.ok(blocks.some((b) => /^build\/fake-git-host /m.test(b)), "the Git host comes from `make build`");
  // Nothing of the test toolchain: no test-deps, no test build, no second build directory.
  const part1 = doc.slice(0, doc.indexOf("## Part 2"));
  assert.doesNotMatch(part1, /test-deps|FLUXSTATUS_BUILD_TESTS|npm|clang|cmake /);
  assert.ok(blocks.some((b) => /X-Signature/.test(b)), "events are signed as Flux signs them");
});

test("following docs/quickstart.md Part 1 shows the statuses on the Git host", {
  skip: underCtest ? false : "FLUXSTATUS_BUILD_DIR is not set (run through CTest)",
  timeout: 1500000,
}, async () => {
  const [servicePort, hostPort] = [await freePort(), await freePort()];
  const [build, ...steps] = markedBlocks(doc);
  const script = steps.join("\n")
    .replace(/^make run/gm, "build/fluxstatus serve")
    .replaceAll("127.0.0.1:9595", `127.0.0.1:${servicePort}`)
    .replaceAll("--port 9596", `--port ${hostPort}`)
    .replaceAll("127.0.0.1:9596", `127.0.0.1:${hostPort}`);
  assert.ok(!/959[56]/.test(script), "every fixed port was replaced");
  const dir = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-quickstart-"));
  try {
    mkdirSync(quickstartBuild, { recursive: true });
    symlinkSync(quickstartBuild, path.join(dir, "build"));
    // Step 0 on its own, with a long limit: with nothing in ccache, `make build` compiles the
    // whole service (minutes on 2 cores); the walk-through itself takes seconds.
    const made = await runBash(
      build.replace(/^make build$/, `make --no-print-directory -C '${repo}' build BUILD_DIR=build-quickstart`),
      dir, 1200000);
    assert.equal(made.code, 0, `make build: exit ${made.code}\n${made.out}\n${made.err}`);
    // What `make build` configured: the service's build, without the test suite.
    const cache = readFileSync(path.join(quickstartBuild, "CMakeCache.txt"), "utf8");
    assert.match(cache, /^FLUXSTATUS_BUILD_TESTS:BOOL=OFF$/m, "the walk-through's build has no test suite");

    // A step that fails ends the script at once: the trap stops the background host and service,
    // whose open output would otherwise hold the run until the timeout.
    const r = await runBash(`set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}\n`, dir, 120000);
    const show = `exit ${r.code}\n--- script:\n${script}\n--- stdout:\n${r.out}\n--- stderr:\n${r.err}`;
    assert.equal(r.code, 0, show);
    assert.match(r.out, /1 route checked, 0 with problems/, show);
    assert.equal((r.out.match(/\{"id": ?\d+, ?"duplicate": ?false\}/g) ?? []).length, 3, show);
    // The host's own list (step 5), newest first: the success for the Kustomization (a pending
    // before it only when the service sent that before the success arrived: newest state wins).
    const listed = JSON.parse(r.out.split("\n").find((l) => l.startsWith("[{")) ?? "[]");
    assert.deepEqual([listed[0].context, listed[0].state, listed[0].description],
      ["kustomization/contoso2", "success", "reconciliation succeeded"], show);
    assert.ok(listed.slice(1).every((s) => s.context === "kustomization/contoso2" && s.state === "pending"), show);
    // Step 6: the health-check failure, synced, with Flux's message.
    assert.match(r.out, /kustomization\/contoso2\s+failure\s+synced\s.*\shealth check failed: timeout waiting for/, show);
    assert.ok(!existsSync(path.join(dir, "fluxstatus.yaml")), "the clean-up step removed the config");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
