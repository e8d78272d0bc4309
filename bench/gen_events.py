#!/usr/bin/env python3
"""Writes N realistic Flux events as JSON Lines: reconciles of K Kustomizations over a stream
of commits (progressing + succeeded, some failures, some repeats), with second-precision
timestamps so ties are common. Usage: gen_events.py N [K] > events.jsonl"""
import datetime, json, random, sys

n = int(sys.argv[1])
k = int(sys.argv[2]) if len(sys.argv) > 2 else 50
rng = random.Random(42)
t0 = 1795000000
written = 0
commit = 0
while written < n:
    commit += 1
    sha = f"{rng.getrandbits(160):040x}"
    for i in range(k):
        if written >= n:
            break
        name = f"app-{i:03d}"
        t = t0 + commit * 60 + i // 10
        steps = [("info", "Progressing", f"Deployment/default/{name} configured")]
        if rng.random() < 0.1:
            steps.append(("error", "HealthCheckFailed", f"timeout waiting for: [Deployment/default/{name} status: 'InProgress']"))
        steps.append(("info", "ReconciliationSucceeded", f"Reconciliation finished in {rng.randint(100, 9000)}ms, next run in 10m"))
        for j, (sev, reason, msg) in enumerate(steps):
            if written >= n:
                break
            ev = {"involvedObject": {"kind": "Kustomization", "namespace": "flux-system", "name": name,
                                     "uid": "5d0f6f5e-1c2b-4d3a-9e8f-7a6b5c4d3e2f",
                                     "apiVersion": "kustomize.toolkit.fluxcd.io/v1"},
                  "severity": sev,
                  "timestamp": datetime.datetime.fromtimestamp(t + j, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "message": msg, "reason": reason,
                  "metadata": {"revision": f"main@sha1:{sha}"},
                  "reportingController": "kustomize-controller"}
            sys.stdout.write(json.dumps(ev, separators=(",", ":")) + "\n")
            written += 1
