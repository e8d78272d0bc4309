#!/usr/bin/env python3
"""API calls per ingested event: fluxstatus vs Flux's own github provider, on one stream.

Starts a counting fake GitHub API on loopback, runs `fluxstatus serve` with a github route
pointed at it, and POSTs a realistic stream: for each of C commits, each of K Kustomizations
reconciles (Progressing, then ReconciliationSucceeded), then R repeat reconciles of the same
commit (a new "Reconciliation finished in …" success each interval), with one failure per
commit. Flux's calls for the same stream are counted from its documented behaviour
(notification-controller v1.9: Progressing never reaches the provider; every other event =
list the commit's statuses + create unless the newest for the context has the same state and
description). Usage: bench/api_calls.py [K] [C] [R]   (binary: $FLUXSTATUS_BIN or build/fluxstatus)
"""
import http.server, json, os, random, subprocess, sys, tempfile, threading, time, urllib.request

K = int(sys.argv[1]) if len(sys.argv) > 1 else 20
C = int(sys.argv[2]) if len(sys.argv) > 2 else 3
R = int(sys.argv[3]) if len(sys.argv) > 3 else 3
BIN = os.environ.get("FLUXSTATUS_BIN", "build/fluxstatus")
GH_PORT, FS_PORT = 9721, 9722
calls = {"GET": 0, "POST": 0}
lock = threading.Lock()

class FakeGitHub(http.server.BaseHTTPRequestHandler):
    def _answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock: calls["POST"] += 1
        self._answer(201, {"id": 1})
    def do_GET(self):
        with lock: calls["GET"] += 1
        self._answer(200, [])
    def log_message(self, *a): pass

def event(name, sha, t, severity, reason, message):
    return {"involvedObject": {"kind": "Kustomization", "namespace": "flux-system", "name": name,
                               "apiVersion": "kustomize.toolkit.fluxcd.io/v1"},
            "severity": severity, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)),
            "message": message, "reason": reason, "metadata": {"revision": f"main@sha1:{sha}"},
            "reportingController": "kustomize-controller"}

def stream():
    rng = random.Random(7)
    t = 1795000000
    for c in range(C):
        sha = f"{rng.getrandbits(160):040x}"
        for k in range(K):
            yield event(f"app-{k}", sha, t, "info", "Progressing", f"Deployment/default/app-{k} configured")
        for k in range(K):
            if k == 0:
                yield event(f"app-{k}", sha, t + 1, "error", "HealthCheckFailed", "timeout waiting for: [Deployment]")
            yield event(f"app-{k}", sha, t + 2, "info", "ReconciliationSucceeded", f"Reconciliation finished in {rng.randint(100, 999)}ms")
        for r in range(R):
            for k in range(K):
                yield event(f"app-{k}", sha, t + 600 * (r + 1), "info", "ReconciliationSucceeded",
                            f"Reconciliation finished in {rng.randint(100, 999)}ms, next run in 10m")
        t += 3600

def flux_calls(events):
    newest = {}  # (sha, context) -> (state, description)
    n = 0
    for e in events:
        if e["reason"] == "Progressing":
            continue  # skipped (and dropped at the v1.9 gate)
        key = (e["metadata"]["revision"], e["involvedObject"]["name"])
        want = ("success" if e["severity"] == "info" else "failure", e["reason"])
        n += 1  # list
        if newest.get(key) != want:
            n += 1  # create
            newest[key] = want
    return n

def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", GH_PORT), FakeGitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    d = tempfile.mkdtemp()
    with open(f"{d}/token", "w") as f: f.write("bench-token\n")
    with open(f"{d}/fluxstatus.yaml", "w") as f:
        f.write(f'listen: "127.0.0.1:{FS_PORT}"\ndurability: normal\nroutes:\n  - name: bench\n    provider: github\n'
                f'    address: http://127.0.0.1:{GH_PORT}/org/repo\n    token_file: {d}/token\n')
    proc = subprocess.Popen([BIN, "--config", f"{d}/fluxstatus.yaml", "--db", f"{d}/b.db", "serve", "--log-level", "warn"],
                            stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{FS_PORT}/healthz"); break
            except OSError: time.sleep(0.05)
        events = list(stream())
        for e in events:
            req = urllib.request.Request(f"http://127.0.0.1:{FS_PORT}/hook/bench", data=json.dumps(e).encode(),
                                         headers={"Content-Type": "application/json"})
            urllib.request.urlopen(req).read()
            time.sleep(0.02)  # events of one reconcile arrive a few ms..s apart
        time.sleep(2)
        fs = calls["GET"] + calls["POST"]
        fx = flux_calls(events)
        print(f"stream: {len(events)} events ({K} Kustomizations x {C} commits, {R} repeat reconciles, 1 failure per commit)")
        print(f"fluxstatus: {fs} API calls ({calls['POST']} create, {calls['GET']} list) = {fs / len(events):.3f} per event")
        print(f"Flux github provider: {fx} API calls = {fx / len(events):.3f} per event")
    finally:
        proc.terminate(); proc.wait(10); server.shutdown()

main()
