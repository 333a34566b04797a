#!/usr/bin/env python3
"""The measuring half of tests/bench/cycle.sh (which sets up the database and the server).

  cycle.py measure --base http://127.0.0.1:PORT --token cpt_... --services ID,ID --out FILE
      checks each target once (200, and what it returned), runs wrk against the reads, sends
      the timed writes (contract saves, then project stage moves), and writes the figures as
      JSON to FILE.
  cycle.py summary FILE...
      prints the table of one run, or of several runs with their medians, and the targets.

Standard library only; the reads need `wrk` on PATH.
"""

import argparse
import concurrent.futures
import datetime
import http.client
import json
import math
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

from common import fail, is_page, sign_in

TENANT = "durham"
READS = [
    ("healthz", "/healthz"),
    ("contracts", f"/api/v1/tenants/{TENANT}/contracts?limit=50"),
    ("contracts ending", f"/api/v1/tenants/{TENANT}/contracts?ending_within_days=180&limit=50"),
    ("reviews due", f"/api/v1/tenants/{TENANT}/reviews/due?within_days=90"),
    ("projects board", f"/api/v1/tenants/{TENANT}/projects/board"),
    # The same lists as pages, signed in with a session as a person is.
    ("contracts page", f"/t/{TENANT}/contracts"),
    ("contracts ending page", f"/t/{TENANT}/contracts?ending_within_days=180"),
    ("reviews due page", f"/t/{TENANT}/reviews?within_days=90"),
    ("projects board page", f"/t/{TENANT}/projects"),
    ("dashboard page", f"/t/{TENANT}/"),
]

# The targets the issue sets.
LIST_P99_MS = 50.0
SAVE_P99_MS = 30.0
MOVE_P99_MS = 20.0
THROUGHPUT_SHARE = 0.30


class Client:
    """One kept-alive HTTP/1.1 connection."""

    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        h = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=h)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, raw
            except (http.client.HTTPException, ConnectionError):
                # The server closed a kept-alive connection: open another once.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def json(self, method, path, body=None, headers=None, expect=(200,)):
        status, raw = self.request(method, path, body, headers)
        if status not in expect:
            fail(f"{method} {path}: {status} {raw[:400]!r}")
        return json.loads(raw) if raw else None


def percentile(sorted_values, p):
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1)
    return sorted_values[k]


# ---------------------------------------------------------------- reads, with wrk

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    r = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)\s*$", out, re.M)
        r[f"p{pct}_ms"] = to_ms(m.group(1)) if m else None
    m = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", out, re.M)
    if m:
        r["mean_ms"], r["max_ms"] = to_ms(m.group(1)), to_ms(m.group(3))
    m = re.search(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m)", out, re.M)
    r["requests"] = int(m.group(1)) if m else None
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", out, re.M)
    r["rps"] = float(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)$", out, re.M)
    r["socket_errors"] = m.group(1).strip() if m else ""
    return r


def wrk(base, token, path, seconds, connections, threads, cookie=None):
    auth = ["-H", f"Cookie: platform_session={cookie}", "-H", "Accept: text/html"] if is_page(path) else [
        "-H", f"Authorization: Bearer {token}", "-H", "Accept: application/json"]
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
        *auth, base + path,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        fail(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def page_get(base, path, cookie):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("GET", path, headers={"Cookie": f"platform_session={cookie}", "Accept": "text/html"})
    r = conn.getresponse()
    raw = r.read().decode()
    conn.close()
    return r.status, raw


def describe(name, body):
    """One line on what a read returned, so the figures can be judged by their size."""
    if name == "healthz":
        return "status " + str(body.get("status"))
    if name.startswith("contracts"):
        return f"{len(body['items'])} of {body['total']} contracts"
    if name == "reviews due":
        return f"{len(body['overdue'])} overdue and {len(body['due'])} due reviews, {len(body['by_body'])} bodies"
    if name == "projects board":
        n = sum(len(s["projects"]) for g in body["groups"] for s in g["stages"])
        return f"{n} projects in {len(body['groups'])} stage groups"
    return ""


# ---------------------------------------------------------------- writes, timed one by one

def timed_writes(base, token, label, n, concurrency, make_request, expect):
    """Sends make_request(i) -> (method, path, body, headers) for i in 0..n at `concurrency`
    connections; each worker keeps its own connection. Returns the figures."""
    local = threading.local()
    clients = []
    lock = threading.Lock()

    def client():
        if not hasattr(local, "c"):
            local.c = Client(base, token)
            with lock:
                clients.append(local.c)
        return local.c

    def one(i):
        method, path, body, headers = make_request(i)
        c = client()
        t0 = time.perf_counter()
        status, raw = c.request(method, path, body, headers)
        elapsed = (time.perf_counter() - t0) * 1000.0
        return elapsed, status, raw

    latencies, failures = [], []
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        for elapsed, status, raw in pool.map(one, range(n)):
            latencies.append(elapsed)
            if status not in expect:
                failures.append(f"{status} {raw[:200]!r}")
    wall = time.perf_counter() - t0
    for c in clients:
        if c.conn is not None:
            c.conn.close()
    latencies.sort()
    if failures:
        print(f"  {label}: {len(failures)} of {n} failed, the first: {failures[0]}", file=sys.stderr)
    return {
        "requests": n,
        "concurrency": concurrency,
        "failed": len(failures),
        "p50_ms": percentile(latencies, 50),
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1],
        "mean_ms": statistics.fmean(latencies),
        "rps": n / wall,
    }


def measure(args):
    c = Client(args.base, args.token)
    result = {"reads": {}, "writes": {}, "checks": {}, "settings": {
        "connections": args.connections, "seconds": args.seconds, "writes": args.writes,
        "write_concurrency": args.connections, "wrk_threads": args.threads}}

    cookie = sign_in(args.base, args.outbox, TENANT, f"commissioner@{TENANT}.example")
    print(f"== checking each target once")
    for name, path in READS:
        if is_page(path):
            status, raw = page_get(args.base, path, cookie)
            if status != 200:
                fail(f"{path}: {status}")
            result["checks"][name] = f"{len(raw)} bytes of HTML, {raw.count('<tr>')} table rows"
        else:
            body = c.json("GET", path)
            result["checks"][name] = describe(name, body)
        print(f"  {name:18} {path}: {result['checks'][name]}")

    print(f"== reads: wrk, {args.connections} connections, {args.threads} threads, "
          f"{args.warmup} s warm-up then {args.seconds} s each")
    for name, path in READS:
        if args.warmup > 0:
            wrk(args.base, args.token, path, args.warmup, args.connections, args.threads, cookie)
        r = parse_wrk(wrk(args.base, args.token, path, args.seconds, args.connections, args.threads, cookie))
        r["path"] = path
        result["reads"][name] = r
        bad = f", {r['non_2xx']} not 2xx" if r["non_2xx"] else ""
        bad += f", socket errors:{r['socket_errors']}" if r["socket_errors"] else ""
        print(f"  {name:18} p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  {r['rps']:9.1f} req/s{bad}")
        if r["non_2xx"]:
            fail(f"{path}: {r['non_2xx']} answers were not 2xx; the figures would not be of the read")

    run = args.run_id
    services = [s for s in args.services.split(",") if s]
    today = datetime.date.today()
    end = today.replace(year=today.year + 3) - datetime.timedelta(days=1)
    n, conc = args.writes, args.connections

    print(f"== writes: {n} requests at {conc} concurrent connections each")

    def contract(i):
        return ("POST", f"/api/v1/tenants/{TENANT}/contracts", {
            "reference": f"BW-{run}-{i:05d}"[:40],
            "title": f"Benchmark contract {run} {i}",
            "service_id": services[i % len(services)],
            "kind": "block",
            "start_date": today.isoformat(),
            "end_date": end.isoformat(),
            "value_pence": 3_000_000,
        }, None)

    r = timed_writes(args.base, args.token, "contract save", n, conc, contract, (201,))
    result["writes"]["contract save"] = r
    print(f"  contract save      p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  {r['rps']:9.1f} req/s"
          + (f"  ({r['failed']} failed)" if r["failed"] else ""))

    framework = c.json("GET", f"/api/v1/tenants/{TENANT}/framework")
    stages = [s["id"] for s in framework["framework"]["stages"]]
    first, second = stages[0], stages[1]
    ids = [None] * n

    def project(i):
        return ("POST", f"/api/v1/tenants/{TENANT}/projects", {
            "title": f"Benchmark project {run} {i}",
            "attributes": {"level": "strategic"},
        }, None)

    # Projects made (and timed, for information) one request each; their ids are read back.
    local = threading.local()

    def create(i):
        if not hasattr(local, "c"):
            local.c = Client(args.base, args.token)
        method, path, body, _ = project(i)
        t0 = time.perf_counter()
        saved = local.c.json(method, path, body, expect=(201,))
        if saved["project"]["stage"] != first or saved["project"]["version"] != 1:
            fail(f"a new project is at {saved['project']['stage']!r}, version {saved['project']['version']}")
        ids[i] = saved["project"]["id"]
        return (time.perf_counter() - t0) * 1000.0

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=conc) as pool:
        created = sorted(pool.map(create, range(n)))
    result["writes"]["project create"] = {
        "requests": n, "concurrency": conc, "failed": 0,
        "p50_ms": percentile(created, 50), "p90_ms": percentile(created, 90),
        "p99_ms": percentile(created, 99), "max_ms": created[-1], "mean_ms": statistics.fmean(created),
        "rps": n / (time.perf_counter() - t0),
    }
    r = result["writes"]["project create"]
    print(f"  project create     p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  {r['rps']:9.1f} req/s")

    def move(i):
        return ("POST", f"/api/v1/tenants/{TENANT}/projects/{ids[i]}/moves",
                {"to_stage": second, "attributes": {"level": "strategic"}}, {"If-Match": '"1"'})

    r = timed_writes(args.base, args.token, "stage move", n, conc, move, (201,))
    r["from"], r["to"] = first, second
    result["writes"]["stage move"] = r
    print(f"  stage move         p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  {r['rps']:9.1f} req/s"
          + (f"  ({r['failed']} failed)" if r["failed"] else "") + f"  ({first} -> {second})")

    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    if any(w["failed"] for w in result["writes"].values()):
        fail("some writes failed; see above")


# ---------------------------------------------------------------- summary

def summary(args):
    runs = []
    for path in args.files:
        with open(path) as f:
            runs.append(json.load(f))
    many = len(runs) > 1

    def fig(kind, name, key):
        vals = [r[kind][name][key] for r in runs]
        return vals, statistics.median(vals)

    def cell(vals, med, fmt):
        if not many:
            return fmt.format(med)
        return fmt.format(med) + " (" + ", ".join(fmt.format(v) for v in vals) + ")"

    print()
    print("Figures" + (f": median of {len(runs)} runs (each run in brackets)" if many else ""))
    print()
    print("| target | p50 ms | p99 ms | req/s | req/s ÷ /healthz |")
    print("|---|---|---|---|---|")
    _, base_rps = fig("reads", "healthz", "rps")
    verdicts = []
    for name, path in READS:
        if name not in runs[0]["reads"]:
            continue
        p50 = fig("reads", name, "p50_ms")
        p99 = fig("reads", name, "p99_ms")
        rps = fig("reads", name, "rps")
        shares = [r["reads"][name]["rps"] / r["reads"]["healthz"]["rps"] for r in runs]
        share = statistics.median(shares)
        print(f"| `GET {path}` | {cell(*p50, '{:.2f}')} | {cell(*p99, '{:.2f}')} | {cell(*rps, '{:.0f}')} | "
              f"{cell(shares, share, '{:.1%}')} |")
        if name != "healthz" and name in runs[0]["reads"]:
            verdicts.append((f"`{name}` p99 ≤ {LIST_P99_MS:.0f} ms", p99[1] <= LIST_P99_MS, f"{p99[1]:.2f} ms"))
            verdicts.append((f"`{name}` throughput ≥ {THROUGHPUT_SHARE:.0%} of /healthz",
                             share >= THROUGHPUT_SHARE, f"{share:.1%}"))
    for name, label in (("contract save", "`POST …/contracts`"), ("project create", "`POST …/projects`"),
                        ("stage move", "`POST …/projects/{id}/moves`")):
        p50 = fig("writes", name, "p50_ms")
        p99 = fig("writes", name, "p99_ms")
        rps = fig("writes", name, "rps")
        print(f"| {label} ({name}) | {cell(*p50, '{:.2f}')} | {cell(*p99, '{:.2f}')} | {cell(*rps, '{:.0f}')} | |")
    save = fig("writes", "contract save", "p99_ms")[1]
    move = fig("writes", "stage move", "p99_ms")[1]
    verdicts.append((f"contract save p99 ≤ {SAVE_P99_MS:.0f} ms", save <= SAVE_P99_MS, f"{save:.2f} ms"))
    verdicts.append((f"stage move p99 ≤ {MOVE_P99_MS:.0f} ms", move <= MOVE_P99_MS, f"{move:.2f} ms"))

    print()
    print("| target | measured | met? |")
    print("|---|---|---|")
    for what, ok, measured in verdicts:
        print(f"| {what} | {measured} | {'yes' if ok else 'no'} |")
    print()
    for i, r in enumerate(runs):
        print(("run %d: " % (i + 1) if many else "") + "; ".join(f"{k}: {v}" for k, v in r["checks"].items()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--base", required=True)
    m.add_argument("--token", required=True)
    m.add_argument("--services", required=True, help="Durham's service ids, comma-separated")
    m.add_argument("--out", required=True)
    m.add_argument("--outbox", required=True, help="the server's outbox folder, to sign in by email link")
    m.add_argument("--run-id", default=str(int(time.time())))
    m.add_argument("--connections", type=int, default=16)
    m.add_argument("--threads", type=int, default=2)
    m.add_argument("--seconds", type=int, default=15)
    m.add_argument("--warmup", type=int, default=3)
    m.add_argument("--writes", type=int, default=300)
    s = sub.add_parser("summary")
    s.add_argument("files", nargs="+")
    args = p.parse_args()
    if args.cmd == "measure":
        measure(args)
    else:
        summary(args)


if __name__ == "__main__":
    main()
