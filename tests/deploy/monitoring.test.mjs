// deploy/kubernetes/monitoring/: the example PrometheusRule alerts on failed statuses, a stuck
// service and a dispatch backlog, on metrics fluxstatus documents, and its PodMonitor scrapes
// the base's pod. (Both are validated against the Prometheus Operator's schemas with every
// other manifest: manifests.test.mjs, kustomize.test.mjs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { byKind, deployDir, kubectlSkip, parseAll, rel, render, repo, skipWhy } from "./support.mjs";

const ruleFile = path.join(deployDir, "monitoring/prometheusrule.yaml");
const rules = () => parseAll(readFileSync(ruleFile, "utf8"), rel(ruleFile))[0].spec.groups.flatMap((g) => g.rules);

test("the PrometheusRule alerts on failed statuses, a stuck service and a dispatch backlog", { skip: skipWhy }, () => {
  const all = rules();
  const exprs = all.map((r) => r.expr.trim());
  assert.ok(exprs.includes('fluxstatus_statuses{sync_state="failed"} > 0'), exprs.join("\n"));
  assert.ok(exprs.includes("fluxstatus_live == 0"), exprs.join("\n"));
  assert.ok(exprs.some((e) => /^fluxstatus_dispatch_oldest_due_seconds > \d+$/.test(e)), exprs.join("\n"));
  assert.equal(new Set(all.map((r) => r.alert)).size, all.length, "alert names are unique");
  for (const r of all) {
    assert.match(r.alert ?? "", /^Fluxstatus[A-Z]\w+$/, `${r.expr}: an alert, named Fluxstatus…`);
    assert.ok(["warning", "critical"].includes(r.labels?.severity), `${r.alert}: severity warning or critical`);
    assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert}: summary and description`);
  }
});

test("every metric the rules name is one fluxstatus documents", { skip: skipWhy }, () => {
  const documented = readFileSync(path.join(repo, "docs/troubleshooting.md"), "utf8");
  const named = new Set(rules().flatMap((r) => [...JSON.stringify(r).matchAll(/fluxstatus_[a-z_]+/g)].map((m) => m[0])));
  assert.ok(named.size >= 3);
  for (const metric of named) {
    assert.ok(new RegExp(`\\b${metric}\\b`).test(documented), `${metric} is not in docs/troubleshooting.md`);
  }
});

test("the PodMonitor scrapes /metrics on the base's pod and port", { skip: skipWhy || kubectlSkip }, () => {
  const [monitor] = byKind(render(path.join(deployDir, "monitoring"))).PodMonitor;
  const [dep] = byKind(render(path.join(deployDir, "base"))).Deployment;
  for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) {
    assert.equal(dep.spec.template.metadata.labels[k], v, `the PodMonitor selects ${k}=${v}`);
  }
  const [endpoint] = monitor.spec.podMetricsEndpoints;
  assert.equal(endpoint.path, "/metrics");
  assert.ok(dep.spec.template.spec.containers[0].ports.some((p) => p.name === endpoint.port));
});
