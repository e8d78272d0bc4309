// The Dockerfile cannot be built here (no Docker engine), so it is linted (dockerfile-utils,
// the checks of VS Code's Docker support) and held to what the issue asks: multi-stage, a
// Debian slim runtime, a non-root user, `fluxstatus serve` as entrypoint, and every file it
// copies present in the repository and admitted by .dockerignore. The build stage's files are
// copied as its COPY lines copy them and configured with CMake, as its RUN does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const require = createRequire(import.meta.url);
const haveModules = existsSync(path.join(here, "node_modules/dockerfile-utils"));
const skipWhy = haveModules ? false : "node_modules missing in tests/deploy: run `make test-deps`";
if (!haveModules && process.env.CI) {
  throw new Error("tests/deploy/node_modules is missing under CI: `make test-deps` must run npm ci there");
}

const text = readFileSync(path.join(repo, "Dockerfile"), "utf8");
const parse = () => require("dockerfile-ast").DockerfileParser.parse(text);
const args = (instruction) => instruction.getArguments().map((a) => a.getValue());

test("the Dockerfile lints clean", { skip: skipWhy }, () => {
  const { validate } = require("dockerfile-utils");
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(problems, []);
  // The linter does find problems (so an empty list means something).
  assert.ok(validate("FROM debian:12-slim\nCOPY onlyone\n").length > 0);
});

test("a multi-stage build whose runtime stage is Debian slim", { skip: skipWhy }, () => {
  const froms = parse().getFROMs();
  assert.ok(froms.length >= 2, "multi-stage");
  const runtime = froms[froms.length - 1];
  assert.equal(runtime.getImageName(), "debian");
  assert.match(runtime.getImageTag() ?? "", /^12-slim$|^bookworm-slim$/);
});

test("the runtime runs as a non-root user with `fluxstatus serve` as entrypoint", { skip: skipWhy }, () => {
  const instructions = parse().getInstructions();
  const lastFrom = instructions.map((i) => i.getKeyword()).lastIndexOf("FROM");
  const runtime = instructions.slice(lastFrom);
  const users = runtime.filter((i) => i.getKeyword() === "USER").map((i) => args(i)[0]);
  assert.ok(users.length > 0, "the runtime stage sets USER");
  const user = users[users.length - 1].split(":")[0];
  assert.ok(!["0", "root", ""].includes(user), `USER ${user} is root`);
  const entrypoints = runtime.filter((i) => i.getKeyword() === "ENTRYPOINT");
  assert.equal(entrypoints.length, 1);
  const exec = JSON.parse(entrypoints[0].getArgumentsContent()); // exec form: signals reach fluxstatus
  assert.match(exec[0], /\/fluxstatus$/);
  assert.equal(exec[exec.length - 1], "serve");
  // The only volume is the data directory the Kubernetes Deployment mounts writable.
  const volumes = runtime.filter((i) => i.getKeyword() === "VOLUME").map((i) => JSON.parse(i.getArgumentsContent()));
  assert.deepEqual(volumes, [["/var/lib/fluxstatus"]]);
});

test("the image points FLUXSTATUS_CONFIG at its config, where the Deployment mounts the ConfigMap", { skip: skipWhy }, () => {
  const instructions = parse().getInstructions();
  const runtime = instructions.slice(instructions.map((i) => i.getKeyword()).lastIndexOf("FROM"));
  const env = Object.fromEntries(runtime.filter((i) => i.getKeyword() === "ENV")
    .flatMap((i) => i.getProperties().map((p) => [p.getName(), p.getValue()])));
  const config = env.FLUXSTATUS_CONFIG;
  assert.equal(config, "/etc/fluxstatus/fluxstatus.yaml");
  // The image's own default config is there, and so is the --config of its entrypoint.
  const copies = runtime.filter((i) => i.getKeyword() === "COPY").map((i) => args(i));
  assert.ok(copies.some((a) => a[a.length - 1] === config), `nothing is copied to ${config}`);
  const entrypoint = JSON.parse(runtime.find((i) => i.getKeyword() === "ENTRYPOINT").getArgumentsContent());
  assert.equal(entrypoint[entrypoint.indexOf("--config") + 1], config);
  // The base Deployment mounts the generated ConfigMap over that folder, with that file name.
  const YAML = require("yaml");
  const base = path.join(repo, "deploy/kubernetes/base");
  const dep = YAML.parse(readFileSync(path.join(base, "deployment.yaml"), "utf8"));
  const [c] = dep.spec.template.spec.containers;
  const volume = dep.spec.template.spec.volumes.find((v) => v.configMap);
  assert.equal(c.volumeMounts.find((m) => m.name === volume.name).mountPath, path.posix.dirname(config));
  const kustomization = YAML.parse(readFileSync(path.join(base, "kustomization.yaml"), "utf8"));
  const generated = kustomization.configMapGenerator.find((g) => g.name === volume.configMap.name);
  assert.deepEqual(generated.files, [path.posix.basename(config)]);
});

// .dockerignore: "*" then "!path" exceptions (the only form used here).
function admitted(source) {
  const lines = readFileSync(path.join(repo, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
  assert.ok(lines.includes("*"), ".dockerignore starts from nothing");
  return lines.some((l) => l.startsWith("!") && (source === l.slice(1).replace(/\/$/, "") ||
    source.startsWith(l.slice(1).replace(/\/$/, "") + "/")));
}

test("every file COPY takes from the context exists and is not ignored", { skip: skipWhy }, () => {
  const copies = parse().getInstructions().filter((i) => ["COPY", "ADD"].includes(i.getKeyword()));
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    if (copy.getFlags().some((f) => f.getName() === "from")) continue; // from another stage
    const sources = args(copy).slice(0, -1);
    for (const source of sources) {
      assert.ok(existsSync(path.join(repo, source)), `COPY ${source}: not in the repository`);
      assert.ok(admitted(source.replace(/^\.\//, "")), `COPY ${source}: excluded by .dockerignore`);
    }
  }
  // Everything the build's CMakeLists.txt adds as a subdirectory is copied.
  const cmake = readFileSync(path.join(repo, "CMakeLists.txt"), "utf8");
  const copied = new Set(copies.flatMap((c) => args(c).slice(0, -1)));
  for (const [, dir] of cmake.matchAll(/^add_subdirectory\((\w+)\)/gm)) {
    assert.ok(copied.has(dir), `CMakeLists.txt builds ${dir}/, which the Dockerfile does not copy`);
  }
});

// Configuring needs only cmake and the build's packages, which `make test` has installed.
const haveCmake = spawnSync("cmake", ["--version"]).status === 0;

test("the build stage's files alone configure with CMake (nothing it needs is left out)", {
  skip: !haveModules ? skipWhy : haveCmake ? false : "cmake not found",
}, () => {
  const instructions = parse().getInstructions();
  const froms = instructions.map((i, n) => (i.getKeyword() === "FROM" ? n : -1)).filter((n) => n >= 0);
  const build = instructions.slice(froms[0], froms[1]);
  const dir = mkdtempSync(path.join(os.tmpdir(), "fluxstatus-docker-context-"));
  try {
    let workdir = "/";
    for (const i of build) {
      if (i.getKeyword() === "WORKDIR") workdir = path.posix.resolve(workdir, args(i)[0]);
      if (i.getKeyword() !== "COPY" || i.getFlags().length > 0) continue;
      const [dest, ...sources] = args(i).reverse();
      const target = path.join(dir, path.posix.resolve(workdir, dest));
      for (const source of sources.reverse()) {
        const into = dest.endsWith("/") ? path.join(target, path.basename(source)) : target;
        mkdirSync(path.dirname(into), { recursive: true });
        cpSync(path.join(repo, source), into, { recursive: true });
      }
    }
    const src = path.join(dir, workdir);
    const r = spawnSync("cmake", ["-S", src, "-B", path.join(dir, "build"), "-DCMAKE_BUILD_TYPE=Release"],
      { encoding: "utf8" });
    assert.equal(r.status, 0, `cmake in the build stage's ${workdir}:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
