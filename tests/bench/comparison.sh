#!/usr/bin/env bash
# Benchmark of the regional comparison on PostgreSQL: the import of DfE's published data, one
# measure's comparison and the scorecard of every measure, with the data as published and scaled
# up (a benchmark, not a test: it passes or fails nothing, it prints figures and whether each
# target was met; it fails only if the set-up does or a target does not answer 200).
#
#   bash tests/bench/comparison.sh
#
# What it does, on the PostgreSQL server at $PGHOST:$PGPORT (default 127.0.0.1:5432, user
# postgres):
# 1. The import, BENCH_IMPORTS (3) times, each into a fresh database migrated with `platform
#    migrate`: `platform reference import lait DIR` (LAIT: 641,070 values, 434 measures) then
#    `platform reference import geography DIR`, each timed as a process (wall clock) and by the
#    binary's own "in N ms" (from its first query to the commit). DIR is $PLATFORM_SHARED_DATA/lait
#    and …/geography (default ../shared/data beside the project, as the reference test reads it).
#    The last database is kept for the rest; the others are dropped. Then, for comparison, the
#    values it stored are loaded again with COPY into a bare table, a table with ref_values'
#    primary key and indexes, and one with its foreign keys too: what PostgreSQL itself needs.
# 2. `VACUUM (ANALYZE)`, then the release binary serves that database with the demo data
#    (PLATFORM_SEED_DEMO=true: Durham, ONS E06000047, is DfE's 840); Durham's commissioner gets
#    an API token (a row in api_tokens holding the SHA-256 of the secret, as cycle.sh makes it)
#    and a session (signed in by the emailed link, as a person is).
# 3. At each size, asks each target once (200, and what it returned), prints the query plans of
#    what the scorecard and the measure read (EXPLAIN (ANALYZE, BUFFERS) as platform_app in
#    Durham's scope, as the server runs them, and the time psql takes to fetch their rows), then
#    measures with wrk (tests/bench/comparison.lua adds the 95th percentile), BENCH_RUNS (3)
#    rounds of every target, BENCH_SECONDS (10) s each after one BENCH_WARMUP (2) s warm-up:
#      GET /api/v1/tenants/durham/comparison?measure=InfMort   (one measure's comparison, JSON)
#      GET /t/durham/comparison?measure=InfMort                (its page: tables, two SVG charts)
#      GET /api/v1/tenants/durham/comparison/scorecard         (all 434 measures, JSON)
#      GET /t/durham/comparison/scorecard                      (its page)
#    each at BENCH_CONNECTIONS (16) connections and at 1; with each run, the CPU the server
#    process and its PostgreSQL connections used a request (from /proc, while wrk ran).
# 4. The sizes (BENCH_SCALE=0 measures the published data only): the data as published; then
#    twice and four times the authorities (tests/bench/comparison_authorities.sql: copies of every
#    authority under new codes, with all their values, ±1 %); then, with the copies removed, twice
#    and four times the years (tests/bench/comparison_years.sql: every value copied back in time
#    by the years its measure spans, labels included). `VACUUM (ANALYZE)` after each change.
# The server, PostgreSQL and wrk share this machine. Everything it made is removed at the end
# (the server stopped, the databases dropped); the figures, the plans and every run are kept as
# JSON at the path printed last (`python3 tests/bench/comparison.py summary --jsonl A B` gives
# the medians of several runs' records, kept beside it as .jsonl), with the server's log of
# every response that was not a 200 (.server.log).
#
# Settings (environment): BENCH_BIN (default $CARGO_TARGET_DIR/release/platform, built with
# `cargo build --release -p platform` if missing), PGHOST, PGPORT, PGUSER, PLATFORM_SHARED_DATA,
# BENCH_IMPORTS (3), BENCH_RUNS (3), BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS
# (16), BENCH_SCALE (1), BENCH_OUT (where to keep the JSON).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
imports=${BENCH_IMPORTS:-3}
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-2}
connections=${BENCH_CONNECTIONS:-16}
scale=${BENCH_SCALE:-1}
shared=${PLATFORM_SHARED_DATA:-$repo/../shared/data}
bin=${BENCH_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/platform}

me=comparison.sh
. tests/bench/common.sh

# --- tools and inputs
need_tools psql createdb dropdb python3 curl sha256sum
need_wrk
for f in lait/bds_long.csv.gz lait/lait_data_dictionary.csv lait/sn_may_2025.xlsx geography/las.csv; do
    [ -f "$shared/$f" ] || die "DfE's published data is not at $shared ($f is missing): set PLATFORM_SHARED_DATA"
done
shared=$(cd "$shared" && pwd)
need_binary "$bin"
"$bin" reference import --help >/dev/null 2>&1 \
    || die "$bin has no \`reference import\`: rebuild it (cargo build --release -p platform)"
need_postgres

# --- databases, a data folder and a port; all removed on the way out
prefix=bench_comparison_$$
db=
work=$(mktemp -d)
out=${BENCH_OUT:-${TMPDIR:-/tmp}/bench_comparison_$(date +%Y%m%d_%H%M%S)_$$.json}
jsonl=${out%.json}.jsonl
: >"$jsonl"
server_pid=
cleanup() {
    local status=$? i
    set +e
    trap '' PIPE
    stop "$server_pid"
    for i in $(seq 1 "$imports"); do
        dropdb --if-exists --force "${prefix}_$i" 2>/dev/null || dropdb --if-exists "${prefix}_$i" 2>/dev/null
    done
    if [ "$status" -ne 0 ]; then
        show_logs server.log platform.log
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started_all=$(date +%s)
export PLATFORM_DATA_DIR="$work/data" PLATFORM_REMINDER_INTERVAL_SECONDS=0
q() { psql -d "$db" -v ON_ERROR_STOP=1 -Atq "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

platform() { # runs the binary, its output in out.txt and platform.log; its times in times.txt
    python3 tests/bench/comparison.py timed --times "$work/times.txt" -- "$bin" "$@" >"$work/out.txt" 2>>"$work/platform.log" || {
        echo "comparison.sh: \`platform $*\` failed:" >&2
        cat "$work/out.txt" >&2
        tail -20 "$work/platform.log" >&2
        exit 1
    }
    cat "$work/out.txt" >>"$work/platform.log"
}
own_ms() { # the binary's own "(in N ms)"
    local re='\(in ([0-9]+) ms\)'
    [[ $(cat "$work/out.txt") =~ $re ]] || die "no time in: $(cat "$work/out.txt")"
    echo "${BASH_REMATCH[1]}"
}

# --- 1. the import, on fresh databases
say "importing DfE's data from $shared, $imports times, each into a fresh migrated database"
for i in $(seq 1 "$imports"); do
    db=${prefix}_$i
    createdb "$db"
    export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db"
    platform migrate
    psql -d postgres -Atqc 'CHECKPOINT' >/dev/null
    platform reference import lait "$shared/lait"
    read -r lait_wall lait_user lait_sys <"$work/times.txt"
    lait_ms=$(own_ms)
    report=$(cat "$work/out.txt")
    platform reference import geography "$shared/geography"
    read -r geo_wall geo_user geo_sys <"$work/times.txt"
    geo_ms=$(own_ms)
    printf '   import %s/%s: lait %d ms (by its own clock %d ms; the binary used %d ms of CPU), geography %d ms (%d ms); %s\n' \
        "$i" "$imports" "$lait_wall" "$lait_ms" $(( lait_user + lait_sys )) "$geo_wall" "$geo_ms" "$(head -1 <<<"$report")"
    python3 -c 'import json, sys; a = [sys.argv[1]] + [int(x) for x in sys.argv[2:10]] + [sys.argv[10]]
print(json.dumps({"kind": "import", "run": int(a[0]), "lait_wall_ms": a[1], "lait_ms": a[2], "lait_user_ms": a[3],
    "lait_sys_ms": a[4], "geography_wall_ms": a[5], "geography_ms": a[6], "geography_user_ms": a[7],
    "geography_sys_ms": a[8], "report": a[9]}))' \
        "$i" "$lait_wall" "$lait_ms" "$lait_user" "$lait_sys" "$geo_wall" "$geo_ms" "$geo_user" "$geo_sys" "$report" >>"$jsonl"
    if [ "$i" -lt "$imports" ]; then
        dropdb "$db"
    fi
done
q -c 'VACUUM (ANALYZE) ref_values' -c 'VACUUM (ANALYZE) ref_areas' -c 'VACUUM (ANALYZE) ref_measures' \
    -c 'VACUUM (ANALYZE) ref_neighbours' -c 'VACUUM (ANALYZE) ref_geography' -c 'CHECKPOINT'

# What writing the same rows costs PostgreSQL itself: the values the import stored, loaded with
# COPY (psql's \copy) into a bare table, into one with ref_values' primary key and two indexes,
# and into one with its foreign keys as well (as ref_values has); the floor under any import of
# these rows into this schema, and what the keys and indexes add to it.
say "loading the stored values again with COPY, $imports times: into a bare table, with ref_values' indexes, and with its foreign keys too"
q -c "\\copy ref_values TO '$work/values.tsv'"
q <<'SQL'
CREATE TABLE bench_load_bare (LIKE ref_values);
CREATE TABLE bench_load_indexed (LIKE ref_values INCLUDING ALL);
CREATE TABLE bench_load_keyed (LIKE ref_values INCLUDING ALL);
ALTER TABLE bench_load_keyed ADD FOREIGN KEY (measure) REFERENCES ref_measures (code),
                             ADD FOREIGN KEY (area) REFERENCES ref_areas (code);
SQL
for i in $(seq 1 "$imports"); do
    for t in bare indexed keyed; do
        q -c "TRUNCATE bench_load_$t" -c 'CHECKPOINT'
        ms=$(q -c '\timing on' -c "\\copy bench_load_$t FROM '$work/values.tsv'" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
        echo "   COPY of $(q -c "SELECT count(*) FROM bench_load_$t") values into the $t table: $ms ms"
        printf '{"kind": "copy", "run": %d, "table": "%s", "ms": %s}\n' "$i" "$t" "${ms:-null}" >>"$jsonl"
    done
done
q -c 'DROP TABLE bench_load_bare, bench_load_indexed, bench_load_keyed'
rm -f "$work/values.tsv"

# --- 2. the server, with the demo data, on the last database
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
say "starting $bin on $base (database $db, demo data)"
started=$(date +%s)
env PLATFORM_SEED_DEMO=true PLATFORM_BIND="127.0.0.1:$port" "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || die "the server stopped"
    [ $(( $(date +%s) - started )) -lt 600 ] || die "the server did not answer in 600 s"
    sleep 1
done
say "up after $(( $(date +%s) - started )) s"
tenant=$(q -c "SELECT id FROM tenants WHERE slug = 'durham'")
[ -n "$tenant" ] || die "no Durham tenant after seeding"
area=$(q -c "SELECT g.dfe_code FROM tenants t JOIN ref_geography g ON g.ons_code = t.ons_code WHERE t.id = '$tenant'")
[ "$area" = 840 ] || die "Durham is not DfE's 840 after the geography import (found '$area')"

token="cpt_bench_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
q -v tid="$tenant" -v hash="$hash" <<'SQL'
INSERT INTO api_tokens (id, tenant_id, user_id, name, token_hash, created_at)
SELECT gen_random_uuid()::text, m.tenant_id, u.id, 'benchmark', :'hash', date_trunc('second', now() AT TIME ZONE 'utc')
FROM users u JOIN memberships m ON m.user_id = u.id AND m.tenant_id = :'tid'
WHERE u.email = 'commissioner@durham.example' AND m.role = 'commissioner';
SQL
[ "$(q -c "SELECT count(*) FROM api_tokens WHERE token_hash = '$hash'")" = 1 ] \
    || die "no commissioner membership for commissioner@durham.example in Durham"
cookie=$(python3 tests/bench/comparison.py signin --base "$base" --outbox "$work/data/outbox")

# --- 3. what is read at a size, and the figures
cmp() { python3 tests/bench/comparison.py "$@" --base "$base" --token "$token" --cookie "$cookie" --jsonl "$jsonl"; }
cmp_wrk() { cmp wrk --server-pid "$server_pid" --db "$db" "$@"; }

# The statements the scorecard's second trip runs (platform_db::repo::reference::values_at):
# each measure's latest period with a value for the trust (by period end, then label, as
# scorecard::latest_two finds it), grouped by label, 16 labels a statement.
scorecard_statements() {
    q -v area="$area" >"$work/values_at.sql" <<'SQL'
WITH latest AS (
    SELECT DISTINCT ON (measure) measure, period FROM ref_values
    WHERE area = :'area' AND value IS NOT NULL ORDER BY measure, period_end DESC, period DESC
), labels AS (
    SELECT period, array_agg(measure ORDER BY measure) AS measures, row_number() OVER (ORDER BY period) - 1 AS n
    FROM latest GROUP BY period
)
SELECT 'SELECT measure, area, period, period_start, period_end, period_kind, period_status, value FROM ref_values WHERE '
       || string_agg(format('(period = %L AND measure = ANY (%L::text[]))', period, measures), ' OR ' ORDER BY period) || ';'
FROM labels GROUP BY n / 16 ORDER BY n / 16;
SQL
}

query_stats() { # size, run: EXPLAIN (ANALYZE, BUFFERS) as platform_app in Durham's scope, and the fetch in psql
    local size=$1 run=$2 name sql plan exe fetch rows i=0
    scorecard_statements
    local -a names=("scorecard: the trust's values" "measure: every area's values")
    local -a sqls=(
        "SELECT measure, area, period, period_start, period_end, period_kind, period_status, value FROM ref_values WHERE area = '$area' ORDER BY measure, period_end, period;"
        "SELECT measure, area, period, period_start, period_end, period_kind, period_status, value FROM ref_values WHERE measure = 'InfMort' ORDER BY period_end, period, area;"
    )
    while IFS= read -r sql; do
        i=$((i + 1))
        names+=("scorecard: latest periods $i")
        sqls+=("$sql")
    done <"$work/values_at.sql"
    for k in "${!names[@]}"; do
        name=${names[$k]} sql=${sqls[$k]}
        plan=$(q -v tid="$tenant" <<SQL
BEGIN;
SET LOCAL ROLE platform_app;
SELECT set_config('platform.tenant_id', :'tid', true) \g /dev/null
EXPLAIN (ANALYZE, BUFFERS) $sql
ROLLBACK;
SQL
)
        exe=$(sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' <<<"$plan")
        rows=$(grep -m1 -o 'actual time=[0-9.]*\.\.[0-9.]* rows=[0-9]*' <<<"$plan" | sed 's/.*rows=//')
        fetch=$(q -o /dev/null -v tid="$tenant" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
BEGIN;
SET LOCAL ROLE platform_app;
SELECT set_config('platform.tenant_id', :'tid', true);
\timing on
$sql
\timing off
ROLLBACK;
SQL
)
        python3 -c 'import json, sys; a = sys.argv; plan = a[7]
print(json.dumps({"kind": "query", "size": a[1], "run": int(a[2]), "query": a[3], "execution_ms": float(a[4] or "nan"),
    "fetch_ms": float(a[5] or "nan"), "rows": int(a[6] or 0), "sql": a[8][:2000],
    "plan_head": " / ".join(l.strip() for l in plan.splitlines()[:2]), "plan": plan}))' \
            "$size" "$run" "$name" "$exe" "$fetch" "$rows" "$plan" "$sql" >>"$jsonl"
        if [ "$run" = 1 ]; then
            printf '   %s (%s rows, execution %s ms, fetched into psql in %s ms):\n' "$name" "$rows" "$exe" "$fetch"
            sed 's/^/      /' <<<"$plan"
        fi
    done
}

measure_size() { # size
    local size=$1 run target c
    say "$size: the data"
    local facts
    facts=$(q -F ' ' -v area="$area" <<'SQL'
SELECT (SELECT count(*) FROM ref_areas WHERE kind = 'authority'), (SELECT count(*) FROM ref_values),
       (SELECT count(DISTINCT period) FROM ref_values)
SQL
)
    scorecard_statements
    local statements sc_rows
    statements=$(wc -l <"$work/values_at.sql")
    sc_rows=$(sed 's/;$//; s/^SELECT .* FROM ref_values WHERE /SELECT count(*) FROM ref_values WHERE /' "$work/values_at.sql" \
        | q | awk '{ s += $1 } END { print s + 0 }')
    read -r n_auth n_values n_periods <<<"$facts"
    echo "   $n_auth authorities, $n_values values, $n_periods period labels; the scorecard reads $sc_rows values in $statements statements"
    printf '{"kind": "size", "size": "%s", "authorities": %d, "values": %d, "periods": %d, "scorecard_rows": %d, "scorecard_statements": %d}\n' \
        "$size" "$n_auth" "$n_values" "$n_periods" "$sc_rows" "$statements" >>"$jsonl"
    say "$size: each target once"
    cmp check --size "$size"
    say "$size: the queries (as platform_app in Durham's scope)"
    for run in $(seq 1 "$runs"); do
        query_stats "$size" "$run"
    done
    say "$size: wrk, $runs rounds of every target, ${seconds} s each after a ${warmup} s warm-up"
    for target in "measure api" "measure page" "scorecard api" "scorecard page"; do
        for c in "$connections" 1; do
            [ "$warmup" -le 0 ] || cmp_wrk --size "$size" --target "$target" --connections "$c" --seconds "$warmup" --warmup
        done
    done
    for run in $(seq 1 "$runs"); do
        echo "   round $run/$runs"
        for target in "measure api" "measure page" "scorecard api" "scorecard page"; do
            for c in "$connections" 1; do
                cmp_wrk --size "$size" --target "$target" --connections "$c" --seconds "$seconds" --run "$run"
            done
        done
    done
}

settle() { q -c 'VACUUM (ANALYZE) ref_values' -c 'VACUUM (ANALYZE) ref_areas' -c 'CHECKPOINT'; }

# grow SCRIPT FIRST LAST WHAT SIZE: adds copies FIRST..LAST with tests/bench/SCRIPT, says how
# long that took, and measures the size.
grow() {
    local t0
    t0=$(date +%s)
    q -v first="$2" -v last="$3" -f "tests/bench/$1"
    settle
    say "$4 in $(( $(date +%s) - t0 )) s"
    measure_size "$5"
}

measure_size "published"
if [ "$scale" = 1 ]; then
    grow comparison_authorities.sql 1 1 "authorities doubled" "authorities x2"
    grow comparison_authorities.sql 2 3 "authorities four times" "authorities x4"
    q -c "DELETE FROM ref_values WHERE area LIKE 'S%-%'" -c "DELETE FROM ref_areas WHERE code LIKE 'S%-%'"
    grow comparison_years.sql 1 1 "the synthetic authorities removed; the years doubled" "years x2"
    grow comparison_years.sql 2 3 "the years four times" "years x4"
fi
stop "$server_pid"
server_pid=
# The server's log without its 200s (what failed, and why), kept beside the figures.
grep -v ' HTTP/1.1 200 ' "$work/server.log" >"${out%.json}.server.log" || true

# --- the machine, the commit, the figures
say "machine and commit"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ram=$(free -h | awk '/^Mem:/ {print $2}')
pgv=$(psql -d postgres -Atqc 'SHOW server_version')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo ' (with uncommitted changes)' || true)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
wrkv=$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2 || true)
built=$(date -u -r "$bin" +'%Y-%m-%d %H:%M UTC')
when=$(date -u +'%Y-%m-%d %H:%M UTC')
echo "cpu: $(nproc) × ${cpu:-unknown}; memory: $ram; PostgreSQL $pgv; $wrkv"
echo "commit: $commit$dirty; $when"
echo "binary: $bin, built $built (the commit above is the work tree's now, which a binary built earlier may not match)"
echo "load average (1, 5, 15 min) before the run: $load_before; after: $load_after (the server, PostgreSQL and wrk share $(nproc) cores; anything else running shows here)"
echo "the whole run took $(( $(date +%s) - started_all )) s"
python3 -c 'import json, sys; a = sys.argv; print(json.dumps({"kind": "machine", "nproc": int(a[1]), "cpu": a[2], "memory": a[3],
    "postgresql": a[4], "wrk": a[5], "commit": a[6], "binary": a[7], "binary_built": a[8], "date": a[9], "load_before": a[10],
    "load_after": a[11], "seconds": int(a[12]), "settings": {"imports": int(a[13]), "runs": int(a[14]), "seconds": int(a[15]),
    "warmup": int(a[16]), "connections": int(a[17])}}))' \
    "$(nproc)" "$cpu" "$ram" "$pgv" "$wrkv" "$commit$dirty" "$bin" "$built" "$when" "$load_before" "$load_after" \
    $(( $(date +%s) - started_all )) "$imports" "$runs" "$seconds" "$warmup" "$connections" >>"$jsonl"
python3 tests/bench/comparison.py summary --jsonl "$jsonl" --out "$out"
echo "figures kept in $out (every record in $jsonl)"
