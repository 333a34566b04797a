#!/usr/bin/env python3
"""The measuring half of tests/bench/comparison.sh (which makes the databases, imports DfE's
data, scales it and runs the server).

  comparison.py signin --base URL --outbox DIR
      signs Durham's commissioner in by the emailed link, as a person does; prints the session
      cookie's value.
  comparison.py check --base URL --token T --cookie C --size NAME --jsonl FILE
      asks each target once (every one must answer 200) and records what it returned (periods,
      authorities ranked, scorecard rows, page size), so the figures can be judged by their size.
  comparison.py wrk --base URL --token T --cookie C --size NAME --target NAME --connections N
                    --seconds S --run R --jsonl FILE [--warmup]
      runs wrk (with tests/bench/comparison.lua for the 95th percentile) against one target and
      records its figures (a warm-up run is not recorded).
  comparison.py summary --jsonl FILE... --out FILE
      the tables (medians of the runs, each run in brackets), the growth ratios and the targets;
      the figures as JSON in FILE. Several runs' FILEs together give the medians over all.

Standard library only; `wrk` on PATH.
"""

import argparse
import http.client
import http.cookiejar
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from common import fail, is_page, sign_in

TENANT = "durham"
MEASURE = "InfMort"
TARGETS = {
    "measure api": f"/api/v1/tenants/{TENANT}/comparison?measure={MEASURE}",
    "measure page": f"/t/{TENANT}/comparison?measure={MEASURE}",
    "scorecard api": f"/api/v1/tenants/{TENANT}/comparison/scorecard",
    "scorecard page": f"/t/{TENANT}/comparison/scorecard",
}
# The sizes, in the order they are measured: the data as published, then scaled.
SIZES = ["published", "authorities x2", "authorities x4", "years x2", "years x4"]

# The targets the issue sets.
IMPORT_S = 60.0
MEASURE_PAGE_P95_MS = 50.0
SCORECARD_P95_MS = 300.0

HERE = os.path.dirname(os.path.abspath(__file__))


def headers(path, token, cookie):
    if is_page(path):
        return {"Cookie": f"platform_session={cookie}", "Accept": "text/html"}
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def append(jsonl, record):
    with open(jsonl, "a") as f:
        f.write(json.dumps(record) + "\n")


# ---------------------------------------------------------------- signing in

def signin(args):
    """Signs in as Durham's commissioner; prints the session cookie."""
    print(sign_in(args.base, args.outbox, TENANT, f"commissioner@{TENANT}.example"))


# ---------------------------------------------------------------- each target once

def get_once(base, path, token, cookie):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers(path, token, cookie))
    r = conn.getresponse()
    raw = r.read()
    ms = (time.perf_counter() - t0) * 1000
    conn.close()
    return r.status, raw, ms


def describe(name, status, raw):
    """What a target returned, as numbers (and a line of words)."""
    d = {"status": status, "bytes": len(raw)}
    if status != 200:
        return d, f"status {status}: {raw[:300]!r}"
    if name == "measure api":
        body = json.loads(raw)
        latest = body.get("latest") or {}
        d.update(periods=len(body["periods"]), of=latest.get("of"), rank=latest.get("rank"),
                 latest=latest.get("period"), neighbours=len(body["neighbours"]))
        return d, (f"{d['periods']} periods; latest {d['latest']}: rank {d['rank']} of {d['of']} authorities; "
                   f"{d['neighbours']} neighbours")
    if name == "scorecard api":
        body = json.loads(raw)
        rows = body["rows"]
        ofs = [r["of"] for r in rows]
        d.update(rows=len(rows), with_value=body["with_value"], without_value=body["without_value"],
                 of_median=statistics.median(ofs) if ofs else None, of_max=max(ofs) if ofs else None)
        return d, (f"{d['rows']} measures with a value ({d['without_value']} without); authorities ranked: "
                   f"median {d['of_median']}, at most {d['of_max']}")
    text = raw.decode(errors="replace")
    d.update(table_rows=text.count("<tr"), svgs=text.count("<svg"))
    return d, f"{len(raw):,} bytes of HTML, {d['table_rows']} table rows, {d['svgs']} SVG charts"


def check(args):
    for name, path in TARGETS.items():
        status, raw, ms = get_once(args.base, path, args.token, args.cookie)
        d, words = describe(name, status, raw)
        if status != 200:
            fail(f"{path}: {words}")
        append(args.jsonl, {"kind": "check", "size": args.size, "target": name, "path": path,
                            "first_ms": round(ms, 2), **d})
        print(f"   {name:15} {words} (first request {ms:.0f} ms)")


# ---------------------------------------------------------------- wrk

def cpu_ms(pid):
    """The user and system CPU a process (all its threads) has used, in ms; None when unreadable."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def backends(db):
    """The PostgreSQL server processes of the connections to a database (the server's pool)."""
    if not db:
        return []
    done = subprocess.run(["psql", "-d", db, "-Atqc",
                           "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"],
                          capture_output=True, text=True, check=False)
    return [int(p) for p in done.stdout.split()] if done.returncode == 0 else []


def cpu_of(pids):
    return {p: c for p in pids if (c := cpu_ms(p)) is not None}


def run_wrk(args):
    path = TARGETS[args.target]
    threads = min(2, args.connections)
    cmd = ["wrk", f"-t{threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s",
           "-s", os.path.join(HERE, "comparison.lua")]
    for k, v in headers(path, args.token, args.cookie).items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(args.base + path)
    import resource
    server_before = cpu_ms(args.server_pid) if args.server_pid else None
    pg_before = cpu_of(backends(args.db))
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = cpu_ms(args.server_pid) if args.server_pid else None
    pg_after = cpu_of(set(pg_before) | set(backends(args.db)))
    if done.returncode != 0:
        fail(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if line is None:
        fail(f"no figures from wrk: {done.stdout}")
    r = json.loads(line[len("BENCH_JSON "):])
    errors = sum(r["errors"].values())
    # CPU used while wrk ran, in ms a request: the server process, its PostgreSQL connections, wrk.
    n = max(r["requests"], 1)
    r["cpu_ms_per_request"] = {
        "server": (server_after - server_before) / n if None not in (server_before, server_after) else None,
        "postgresql": sum(c - pg_before.get(p, 0) for p, c in pg_after.items()) / n if pg_after else None,
        "wrk": ((wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)) * 1000 / n,
    }
    if r["requests"] == 0:
        # Nothing answered within the run: no latencies to report (wrk prints zeros).
        for k in ("p50_ms", "p75_ms", "p90_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms"):
            r[k] = None
    if args.warmup:
        return
    append(args.jsonl, {"kind": "wrk", "at": time.strftime("%H:%M:%S", time.gmtime(started)), "size": args.size,
                        "target": args.target, "path": path,
                        "connections": args.connections, "threads": threads, "run": args.run, **r})
    bad = f"  ERRORS {r['errors']}" if errors else ""
    if r["requests"] == 0:
        print(f"   {args.target:15} c={args.connections:<3} no request answered in {args.seconds} s{bad}", flush=True)
        return
    cpu = r["cpu_ms_per_request"]
    cpu_words = "  CPU/request: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items() if v is not None) + " ms"
    print(f"   {args.target:15} c={args.connections:<3} p50 {r['p50_ms']:8.1f}  p95 {r['p95_ms']:8.1f}  "
          f"p99 {r['p99_ms']:8.1f} ms  {r['rps']:7.1f} req/s  ({r['requests']} requests){cpu_words}{bad}", flush=True)


# ---------------------------------------------------------------- a command, timed

def timed(args):
    """Runs a command (its output passed through) and writes its wall-clock, user and system CPU
    milliseconds to --times: what of an import's time is the binary's own work."""
    import resource
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, check=False)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(args.times, "w") as f:
        f.write(f"{wall:.0f} {(after.ru_utime - before.ru_utime) * 1000:.0f} {(after.ru_stime - before.ru_stime) * 1000:.0f}\n")
    sys.exit(done.returncode)


# ---------------------------------------------------------------- summary

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summary(args):
    records = []
    for path in args.jsonl:
        with open(path) as f:
            records += [json.loads(l) for l in f if l.strip()]
    imports = [r for r in records if r["kind"] == "import"]
    wrks = [r for r in records if r["kind"] == "wrk"]
    checks = [r for r in records if r["kind"] == "check"]
    sizes_info = {r["size"]: r for r in records if r["kind"] == "size"}
    queries = [r for r in records if r["kind"] == "query"]
    machine = next((r for r in reversed(records) if r["kind"] == "machine"), {})
    sizes = [s for s in SIZES if any(w["size"] == s for w in wrks)]
    result = {"imports": {}, "figures": {}, "ratios": {}, "targets": {}, "sizes": sizes_info,
              "queries": {}, "checks": checks, "machine": machine, "records": records}

    def fmt(x, spec="{:.1f}"):
        return "-" if x is None else spec.format(x)

    # --- the imports
    print()
    if imports:
        lait = [r["lait_wall_ms"] / 1000 for r in imports]
        lait_own = [r["lait_ms"] / 1000 for r in imports]
        geo = [r["geography_wall_ms"] / 1000 for r in imports]
        result["imports"] = {"lait_wall_s": med(lait), "lait_reported_s": med(lait_own), "geography_wall_s": med(geo),
                             "runs": len(imports), "report": imports[-1].get("report")}
        print(f"Imports into a fresh migrated database, {len(imports)} runs (median, each run in brackets):")
        print(f"  platform reference import lait:       {med(lait):7.1f} s ({', '.join(f'{x:.1f}' for x in lait)})"
              f"; by its own clock {med(lait_own):.1f} s ({', '.join(f'{x:.1f}' for x in lait_own)})")
        print(f"  platform reference import geography:  {med(geo):7.2f} s ({', '.join(f'{x:.2f}' for x in geo)})")
        cpu = [(r["lait_user_ms"] + r["lait_sys_ms"]) / 1000 for r in imports if "lait_user_ms" in r]
        if cpu:
            result["imports"]["lait_binary_cpu_s"] = med(cpu)
            print(f"  of which the binary's own CPU (user + system): {med(cpu):.1f} s ({', '.join(f'{x:.1f}' for x in cpu)});"
                  f" the rest is waiting, mostly on PostgreSQL")
        copies = [r for r in records if r["kind"] == "copy"]
        for t, words in (("bare", "into a bare table"), ("indexed", "with ref_values' primary key and indexes"),
                         ("keyed", "with its primary key, indexes and foreign keys")):
            ms = [r["ms"] / 1000 for r in copies if r["table"] == t and r["ms"] is not None]
            if ms:
                result["imports"][f"copy_{t}_s"] = med(ms)
                print(f"  the same values with COPY {words}: {med(ms):.1f} s ({', '.join(f'{x:.1f}' for x in ms)})")
        if imports[-1].get("report"):
            print("  what the import said: " + imports[-1]["report"].splitlines()[0])

    # --- the sizes
    if sizes_info:
        print()
        print("The data at each size:")
        for s in sizes:
            i = sizes_info.get(s, {})
            sc = next((c for c in checks if c["size"] == s and c["target"] == "scorecard api"), {})
            me = next((c for c in checks if c["size"] == s and c["target"] == "measure api"), {})
            print(f"  {s:15} {i.get('authorities', 0):>5} authorities, {i.get('values', 0):>9,} values, "
                  f"{i.get('periods', 0):>4} period labels, {MEASURE}: {me.get('periods')} periods ranked of "
                  f"{me.get('of')}; the scorecard reads {i.get('scorecard_rows', 0):,} values in "
                  f"{i.get('scorecard_statements', 0)} statements and shows {sc.get('rows')} measures")

    # --- the figures
    keys = sorted({(w["target"], w["connections"]) for w in wrks},
                  key=lambda k: (list(TARGETS).index(k[0]), -k[1]))
    for size in sizes:
        for target, conns in keys:
            sel = [w for w in wrks if w["size"] == size and w["target"] == target and w["connections"] == conns]
            if not sel:
                continue
            fig = {k: med([w[k] for w in sel]) for k in ("p50_ms", "p75_ms", "p90_ms", "p95_ms", "p99_ms", "mean_ms",
                                                          "max_ms", "rps")}
            fig["runs"] = {k: [w[k] for w in sel] for k in ("p50_ms", "p95_ms", "p99_ms", "rps")}
            fig["cpu_ms_per_request"] = {k: med([(w.get("cpu_ms_per_request") or {}).get(k) for w in sel])
                                         for k in ("server", "postgresql", "wrk")}
            fig["errors"] = sum(sum(w["errors"].values()) for w in sel)
            fig["requests"] = sum(w["requests"] for w in sel)
            result["figures"].setdefault(size, {})[f"{target} c{conns}"] = fig
    for size in sizes:
        runs = max((len(f["runs"]["p95_ms"]) for f in result["figures"][size].values()), default=0)
        print()
        print(f"{size}: median of {runs} runs (each run in brackets); milliseconds")
        print()
        print("| target | connections | p50 | p95 | p99 | req/s | CPU ms a request: server, PostgreSQL |")
        print("|---|---|---|---|---|---|---|")
        for target, conns in keys:
            f = result["figures"][size].get(f"{target} c{conns}")
            if not f:
                continue
            def cell(k, spec="{:.1f}"):
                return fmt(f[k], spec) + " (" + ", ".join(fmt(x, spec) for x in f["runs"][k]) + ")"
            err = f" ({f['errors']} errors)" if f["errors"] else ""
            cpu = f["cpu_ms_per_request"]
            print(f"| `GET {TARGETS[target]}` | {conns} | {cell('p50_ms')} | {cell('p95_ms')} | {cell('p99_ms')} | "
                  f"{cell('rps', '{:.0f}')}{err} | {fmt(cpu['server'])}, {fmt(cpu['postgresql'])} |")

    # --- growth
    if "published" in result["figures"] and len(sizes) > 1:
        print()
        print("Growth: each size's median against the published data's: p95, p50, and the CPU a request took "
              "(the server's and its PostgreSQL connections' together)")
        print()
        print("| target | connections | " + " | ".join(s for s in sizes[1:]) + " |")
        print("|---|---|" + "---|" * (len(sizes) - 1))
        base = result["figures"]["published"]
        for target, conns in keys:
            k = f"{target} c{conns}"
            if k not in base:
                continue
            cells = []
            for s in sizes[1:]:
                f = result["figures"].get(s, {}).get(k)
                if not f or not all((f["p95_ms"], f["p50_ms"], f["rps"], base[k]["p95_ms"], base[k]["p50_ms"])):
                    cells.append("-")
                    continue
                r95 = f["p95_ms"] / base[k]["p95_ms"]
                r50 = f["p50_ms"] / base[k]["p50_ms"]
                rc = base[k]["rps"] / f["rps"]
                cpu_of_size = [f["cpu_ms_per_request"].get(x) for x in ("server", "postgresql")]
                cpu_of_base = [base[k]["cpu_ms_per_request"].get(x) for x in ("server", "postgresql")]
                rcpu = (sum(cpu_of_size) / sum(cpu_of_base)) if None not in cpu_of_size + cpu_of_base and sum(cpu_of_base) else None
                result["ratios"].setdefault(s, {})[k] = {"p95": r95, "p50": r50, "cost": rc, "cpu": rcpu}
                cells.append(f"p95 {r95:.2f}×, p50 {r50:.2f}×, CPU {fmt(rcpu, '{:.2f}')}×")
            print(f"| `{target}` | {conns} | " + " | ".join(cells) + " |")

    # --- the queries
    if queries:
        print()
        print("The scorecard's and the measure's queries in psql (median of the runs, ms): EXPLAIN ANALYZE's "
              "execution time, and the time to fetch every row to psql")
        for size in sizes:
            for q in sorted({x["query"] for x in queries if x["size"] == size}):
                sel = [x for x in queries if x["size"] == size and x["query"] == q]
                exe, fetch = med([x["execution_ms"] for x in sel]), med([x["fetch_ms"] for x in sel])
                rows = sel[0]["rows"]
                result["queries"].setdefault(size, {})[q] = {"execution_ms": exe, "fetch_ms": fetch, "rows": rows,
                                                             "plan": sel[0].get("plan_head")}
                print(f"  {size:15} {q:28} {rows:>8,} rows  execution {fmt(exe, '{:7.1f}')}  fetch {fmt(fetch, '{:7.1f}')}"
                      f"  {sel[0].get('plan_head', '')}")

    # --- the targets
    figs = result["figures"].get("published", {})

    def p95(k):
        return figs.get(k, {}).get("p95_ms")

    verdicts = []
    if result["imports"]:
        verdicts.append(("import of DfE's data (lait) ≤ 60 s", result["imports"]["lait_wall_s"] <= IMPORT_S,
                         f"{result['imports']['lait_wall_s']:.1f} s (median of {len(imports)})"))
    for k, limit, label in (("measure page c16", MEASURE_PAGE_P95_MS, "measure page p95 ≤ 50 ms at 16"),
                            ("measure api c16", MEASURE_PAGE_P95_MS, "measure API p95 ≤ 50 ms at 16 (for information)"),
                            ("scorecard api c16", SCORECARD_P95_MS, "scorecard API p95 ≤ 300 ms at 16"),
                            ("scorecard page c16", SCORECARD_P95_MS, "scorecard page p95 ≤ 300 ms at 16"),
                            ("scorecard api c1", SCORECARD_P95_MS, "scorecard API p95 ≤ 300 ms at 1"),
                            ("scorecard page c1", SCORECARD_P95_MS, "scorecard page p95 ≤ 300 ms at 1")):
        if p95(k) is not None:
            verdicts.append((label, p95(k) <= limit, f"{p95(k):.1f} ms"))
    if verdicts:
        print()
        print("| target (the published data) | measured | met? |")
        print("|---|---|---|")
        for what, ok, measured in verdicts:
            result["targets"][what] = {"met": ok, "measured": measured}
            print(f"| {what} | {measured} | {'yes' if ok else 'no'} |")
    bad = sum(f["errors"] for s in result["figures"].values() for f in s.values())
    if bad:
        print(f"\nWARNING: {bad} requests failed or were not answered 2xx (see the errors in the JSON)")
    if machine:
        print()
        print(f"machine: {machine.get('nproc')} × {machine.get('cpu')}; memory {machine.get('memory')}; "
              f"PostgreSQL {machine.get('postgresql')}; {machine.get('wrk')}")
        print(f"commit {machine.get('commit')}; binary built {machine.get('binary_built')}; {machine.get('date')}")
        print(f"load average before: {machine.get('load_before')}; after: {machine.get('load_after')}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("signin")
    s.add_argument("--base", required=True)
    s.add_argument("--outbox", required=True)
    for name in ("check", "wrk"):
        c = sub.add_parser(name)
        c.add_argument("--base", required=True)
        c.add_argument("--token", required=True)
        c.add_argument("--cookie", required=True)
        c.add_argument("--size", required=True)
        c.add_argument("--jsonl", required=True)
        if name == "wrk":
            c.add_argument("--target", required=True, choices=list(TARGETS))
            c.add_argument("--connections", type=int, default=16)
            c.add_argument("--seconds", type=int, default=10)
            c.add_argument("--run", type=int, default=1)
            c.add_argument("--warmup", action="store_true")
            c.add_argument("--server-pid", type=int, help="the server's process, for its CPU use")
            c.add_argument("--db", help="the database, for the CPU use of the server's PostgreSQL connections")
    t = sub.add_parser("timed")
    t.add_argument("--times", required=True)
    t.add_argument("command", nargs=argparse.REMAINDER)
    m = sub.add_parser("summary")
    m.add_argument("--jsonl", nargs="+", required=True)
    m.add_argument("--out")
    args = p.parse_args()
    {"signin": signin, "check": check, "wrk": run_wrk, "timed": timed, "summary": summary}[args.cmd](args)


if __name__ == "__main__":
    main()
