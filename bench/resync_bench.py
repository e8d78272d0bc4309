"""The benchmark's "resync of N objects" (issue 17), for bench/run.py.

fake-kube-api (tests/support: the test Kubernetes API server, loopback HTTPS with a bearer
token and limit/continue pagination) serves N generated Flux objects (bench/gen_flux_objects.py),
and the real `fluxstatus resync` reads them twice into a fresh database: the first pass
appends every status, the second finds nothing new. Each pass: wall and CPU time and peak RSS
of the fluxstatus process (wait4's rusage), the API requests and events appended it prints,
and the fake server's CPU time over the pass (/proc/PID/stat), so the client's share of the
wall time is visible.
"""
import os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
PLURALS = ["kustomizations", "gitrepositories", "helmreleases", "helmcharts", "ocirepositories", "buckets"]
ROUTE = """routes:
  - name: fleet
    provider: github
    address: https://github.com/acme/fleet
    token_env: FLUXSTATUS_BENCH_UNUSED_TOKEN   # resync appends; nothing is posted
    match: [{kind: Kustomization}, {kind: GitRepository}, {kind: OCIRepository}, {kind: Bucket},
            {kind: HelmRelease}, {kind: HelmChart}]
durability: full
kubernetes:
  kubeconfig: %s
"""


def cpu_seconds(pid):
    """utime + stime of a running process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FakeKubeApi:
    """fake-kube-api serving the generated lists; writes its kubeconfig into `workdir`."""

    def __init__(self, binary, workdir, lists_dir):
        self.kubeconfig = os.path.join(workdir, "kubeconfig")
        args = [binary, "--kubeconfig", self.kubeconfig]
        for plural in PLURALS:
            args += ["--serve", f"{plural}={os.path.join(lists_dir, plural + '.json')}"]
        self.out = open(os.path.join(workdir, "fake-kube-api.log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while "listening on" not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("fake-kube-api did not start: " + self.log())
            time.sleep(0.05)

    def log(self):
        self.out.flush()
        with open(self.out.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.out.close()


def one_pass(timed, fs, config, db, workdir, server):
    server_cpu = cpu_seconds(server.proc.pid)
    wall, rss, out, cpu = timed([fs, "--config", config, "--db", db, "resync"], workdir)
    summary = out.strip().splitlines()[-1]
    m = re.search(r"(\d+) objects, (\d+) statuses: (\d+) appended.*; (\d+) API requests$", summary)
    if not m:
        raise RuntimeError("resync printed no summary: " + out[-2000:])
    objects = int(m.group(1))
    return {"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "peak_rss_kib": rss,
            "objects": objects, "statuses": int(m.group(2)), "appended": int(m.group(3)),
            "api_requests": int(m.group(4)), "objects_per_s": round(objects / wall),
            "server_cpu_seconds": round(cpu_seconds(server.proc.pid) - server_cpu, 3),
            "per_kind": [line for line in out.splitlines() if re.match(r"^\w+: ", line)], "summary": summary}


def measure(timed, build, tmp, objects):
    """Both passes over `objects` generated Flux objects; `timed` is run.py's."""
    lists = os.path.join(tmp, "flux-objects")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_flux_objects.py"), str(objects), lists], check=True)
    sizes = {p: os.path.getsize(os.path.join(lists, p + ".json")) for p in PLURALS}
    server = FakeKubeApi(os.path.join(build, "bench", "fake-kube-api"), tmp, lists)
    try:
        config = os.path.join(tmp, "resync.yaml")
        with open(config, "w") as f:
            f.write(ROUTE % server.kubeconfig)
        db = os.path.join(tmp, "resync.db")
        fs = os.path.join(build, "fluxstatus")
        first = one_pass(timed, fs, config, db, tmp, server)
        second = one_pass(timed, fs, config, db, tmp, server)
    finally:
        server.stop()
    return {"objects": objects, "list_bytes": sum(sizes.values()), "list_bytes_per_kind": sizes,
            "first": first, "second": second, "database_mib": round(os.path.getsize(db) / 1048576, 1)}


def section(r, stamp=None):
    """The "Resync from the cluster" section of docs/performance.md, as lines."""
    rows = []
    for name, p in (("first: empty database, every status appended", r["first"]),
                    ("second: nothing new, nothing appended", r["second"])):
        rows.append(f"| {name} | {p['seconds']} s | {p['cpu_seconds']} s | {p['peak_rss_kib'] / 1024:.0f} MiB | "
                    f"{p['api_requests']} | {p['objects_per_s']:,} | {p['appended']:,} of {p['statuses']:,} statuses | "
                    f"{p['server_cpu_seconds']} s |")
    lines = ["## Resync from the cluster", ""]
    if stamp:
        lines += [stamp, ""]
    lines += [
        f"`fluxstatus resync` reading {r['objects']:,} Flux objects ({r['list_bytes'] / 1048576:.1f} MiB of JSON, "
        f"{r['list_bytes'] / r['objects'] / 1024:.1f} KiB per object on average) from `fake-kube-api`, twice, into "
        f"a fresh database ({r['database_mib']} MiB after both).",
        "",
        "| pass | wall | CPU | peak RSS | API requests | objects/s | events appended | fake API server's CPU |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Per kind (first pass): " + "; ".join(r["first"]["per_kind"]) + ".",
        "",
        f"Its summary (first pass): `{r['first']['summary']}`.",
        "",
        "- **The objects** (`bench/gen_flux_objects.py N`, seeded): 40 % Kustomizations with an inventory of "
        "10-50 objects and a history entry, 20 % GitRepositories, 15 % HelmReleases and their 15 % HelmCharts "
        "(a third built from Git with `reconcileStrategy: Revision`), 8 % OCIRepositories naming a commit, 2 % "
        "Buckets; with the uid, labels, finalizers and managedFields a live server adds; about 8 % failed a newer "
        "revision, 5 % reconciling, 2 % suspended.",
        "- **The server** (`build/bench/fake-kube-api`, tests/support): the test Kubernetes API server as a "
        "program, loopback HTTPS with a bearer token, `limit` and `continue` as the real one; resync asks "
        "`limit=500`, so a kind of K objects takes ceil(K/500) requests (at least one).",
        "- **Wall, CPU, peak RSS**: of the `fluxstatus resync` process (wait4), which both lists and appends "
        "(one transaction per 2,000 events, `durability: full`). The fake server's CPU is its own, over the "
        "same pass, on the same 2 cores.",
        "",
    ]
    return lines


def replace_section(md_path, lines):
    """Puts the section into an existing docs/performance.md in place of the old one (or before
    "## Rerun"), for `run.py --only resync`."""
    with open(md_path) as f:
        text = f.read()
    new = "\n".join(lines) + "\n"  # a blank line before the next heading
    m = re.search(r"^## Resync from the cluster\n.*?(?=^## )", text, flags=re.S | re.M)
    if m:
        text = text[:m.start()] + new + text[m.end():]
    else:
        at = text.index("## Rerun")
        text = text[:at] + new + text[at:]
    with open(md_path, "w") as f:
        f.write(text)
