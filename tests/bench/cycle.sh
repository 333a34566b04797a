#!/usr/bin/env bash
# Benchmark of the commissioning cycle's API on PostgreSQL (a benchmark, not a test: it passes
# or fails nothing, it prints figures and whether each target was met).
#
#   bash tests/bench/cycle.sh
#
# What it does: makes a fresh database on the PostgreSQL server at $PGHOST:$PGPORT (default
# 127.0.0.1:5432, user postgres), starts the release binary against it with the demo data,
# tops Durham up to 10,000 contracts and 30,000 reviews with SQL, gives Durham's commissioner an
# API token, then measures with wrk (16 connections, 15 s a target after a 3 s warm-up):
#   GET /healthz (the baseline), the contracts register, the register's contracts ending within
#   180 days, the reviews due within 90 days and the projects board, through the API with the
#   token and as pages with a session (the commissioner signs in by the emailed link), and the
#   trust's home page;
# and with tests/bench/cycle.py (16 connections, 300 requests each, every request timed):
#   contract saves (POST …/contracts, a new reference each) and stage moves (POST …/moves of
#   300 new projects from the framework's first stage to its second, If-Match "1").
# The server, the database and the load generator share this machine. Everything it made is
# removed at the end (the server stopped, the database dropped); the figures are kept as JSON
# at the path printed last.
#
# Settings (environment): BENCH_BIN (default $CARGO_TARGET_DIR/release/platform, built with
# `cargo build --release -p platform` if missing), PGHOST, PGPORT, PGUSER, BENCH_CONNECTIONS
# (16), BENCH_SECONDS (15), BENCH_WARMUP (3), BENCH_WRITES (300), BENCH_CONTRACTS (10000),
# BENCH_REVIEWS (30000), BENCH_OUT (where to keep the JSON figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
connections=${BENCH_CONNECTIONS:-16}
seconds=${BENCH_SECONDS:-15}
warmup=${BENCH_WARMUP:-3}
writes=${BENCH_WRITES:-300}
want_contracts=${BENCH_CONTRACTS:-10000}
want_reviews=${BENCH_REVIEWS:-30000}
bin=${BENCH_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/platform}

me=cycle.sh
. tests/bench/common.sh

# --- tools
need_tools psql createdb dropdb python3 curl sha256sum
need_wrk
need_binary "$bin"
need_postgres

# --- a fresh database, a data folder and a port; all removed on the way out
db=bench_cycle_$$
work=$(mktemp -d)
out=${BENCH_OUT:-${TMPDIR:-/tmp}/bench_cycle_$(date +%Y%m%d_%H%M%S)_$$.json}
server_pid=
cleanup() {
    local status=$?
    stop "$server_pid"
    dropdb --if-exists "$db" 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        show_logs server.log
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
createdb "$db"
port=$(free_port)
base=http://127.0.0.1:$port

say "starting $bin on $base (database $db, demo data)"
started=$(date +%s)
env DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db" \
    PLATFORM_SEED_DEMO=true PLATFORM_BIND="127.0.0.1:$port" PLATFORM_DATA_DIR="$work/data" \
    PLATFORM_REMINDER_INTERVAL_SECONDS=0 \
    "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || die "the server stopped"
    [ $(( $(date +%s) - started )) -lt 600 ] || die "the server did not answer in 600 s"
    sleep 1
done
say "up after $(( $(date +%s) - started )) s"

q() { psql -d "$db" -v ON_ERROR_STOP=1 -Atq "$@"; }
tenant=$(q -c "SELECT id FROM tenants WHERE slug = 'durham'")
[ -n "$tenant" ] || die "no Durham tenant after seeding"

# --- Durham's contracts and reviews, in the shape of the seeded rows: each contract buys an
# existing service from that service's provider; its reviews follow Durham's schedule (an annual
# review on each anniversary, the decision whether to re-commission six months before the end),
# owned by the body that owns the seeded reviews of the same service. End dates spread from a
# year ago to four years ahead; reviews already past are completed, but one in fifty is overdue.
say "topping Durham up to $want_contracts contracts and $want_reviews reviews"
loaded=$(date +%s)
q -v tid="$tenant" -v want_contracts="$want_contracts" -v want_reviews="$want_reviews" <<'SQL'
BEGIN;
CREATE TEMP TABLE svc ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY s.id) - 1 AS n, s.id, s.provider_id, s.name,
       coalesce((SELECT r.owner_body FROM reviews r JOIN contracts c ON c.tenant_id = r.tenant_id AND c.id = r.contract_id
                 WHERE c.tenant_id = s.tenant_id AND c.service_id = s.id AND r.owner_body IS NOT NULL
                 ORDER BY r.id LIMIT 1), 'executive-board') AS owner_body
FROM services s WHERE s.tenant_id = :'tid' AND s.archived_at IS NULL;

CREATE TEMP TABLE bench ON COMMIT DROP AS
SELECT g, gen_random_uuid()::text AS id, s.id AS service_id, s.provider_id, s.name, s.owner_body,
       (current_date + ((g * 7919) % 1825 - 365)::int) AS end_date,
       CASE WHEN g % 10 = 0 THEN 4 ELSE 3 END AS years,
       (ARRAY['block', 'sla', 'grant', 'spot', 'block'])[1 + g % 5] AS kind
FROM generate_series(1, greatest(0, :want_contracts - (SELECT count(*) FROM contracts WHERE tenant_id = :'tid'))) g
JOIN svc s ON s.n = g % (SELECT count(*) FROM svc);

INSERT INTO contracts (id, tenant_id, reference, title, service_id, provider_id, kind, status, value_pence,
                       start_date, end_date, created_at, attributes, version)
SELECT id, :'tid', 'BENCH-' || lpad(g::text, 6, '0'), left(name || ' (benchmark ' || g || ')', 300),
       service_id, provider_id, kind, CASE WHEN end_date < current_date THEN 'ended' ELSE 'active' END,
       years * (5000000 + (g * 104729) % 95000000), (end_date - make_interval(years => years))::date + 1, end_date,
       date_trunc('second', now() AT TIME ZONE 'utc'), '{}', 1
FROM bench;

WITH planned AS (
    SELECT b.id AS contract_id, b.owner_body, k.kind, k.title, k.due_on
    FROM bench b
    CROSS JOIN LATERAL (
        SELECT 'annual' AS kind, 'Annual review' AS title,
               ((b.end_date - make_interval(years => b.years))::date + 1 + make_interval(years => y))::date AS due_on
        FROM generate_series(1, b.years - 1) y
        UNION ALL
        SELECT 'end-of-contract', 'Decide whether to re-commission', (b.end_date - interval '6 months')::date
    ) k
)
INSERT INTO reviews (id, tenant_id, contract_id, service_id, kind, title, due_on, owner_user_id, owner_body,
                     status, outcome, completed_on, notes, created_at, version, evidence)
SELECT gen_random_uuid()::text, :'tid', contract_id, NULL, kind, title, due_on, NULL, owner_body,
       CASE WHEN done THEN 'completed' ELSE 'scheduled' END,
       CASE WHEN done THEN 'continue' END, CASE WHEN done THEN due_on END,
       '', date_trunc('second', now() AT TIME ZONE 'utc'), 1, ''
FROM (SELECT p.*, p.due_on < current_date AND (hashtext(p.contract_id || p.kind || p.due_on) & 2147483647) % 50 <> 0 AS done
      FROM planned p) p
ORDER BY md5(contract_id || kind || due_on)
LIMIT greatest(0, :want_reviews - (SELECT count(*) FROM reviews WHERE tenant_id = :'tid'));
COMMIT;
ANALYZE;
SQL
counts=$(echo "SELECT (SELECT count(*) FROM contracts WHERE tenant_id = :'tid'), (SELECT count(*) FROM reviews WHERE tenant_id = :'tid')" \
    | q -v tid="$tenant" -F ' ')
say "Durham now holds ${counts% *} contracts and ${counts#* } reviews (loaded in $(( $(date +%s) - loaded )) s)"

# --- an API token for Durham's commissioner: only its SHA-256 (hex) is stored, as the platform does.
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
services=$(echo "SELECT string_agg(id, ',' ORDER BY id) FROM services WHERE tenant_id = :'tid' AND archived_at IS NULL" \
    | q -v tid="$tenant")

python3 tests/bench/cycle.py measure --base "$base" --token "$token" --services "$services" --out "$out" \
    --outbox "$work/data/outbox" \
    --run-id "$$" --connections "$connections" --seconds "$seconds" --warmup "$warmup" --writes "$writes"

# --- the machine, the commit, the figures
say "machine and commit"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ram=$(free -h | awk '/^Mem:/ {print $2}')
pgv=$(psql -d postgres -Atqc 'SHOW server_version')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo ' (with uncommitted changes)' || true)
echo "cpu: $(nproc) × ${cpu:-unknown}; memory: $ram; PostgreSQL $pgv; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "commit: $commit$dirty; $(date -u +'%Y-%m-%d %H:%M UTC')"
echo "binary: $bin, built $(date -u -r "$bin" +'%Y-%m-%d %H:%M UTC') (the commit above is the work tree's now, which a binary built earlier may not match)"
echo "load average (1, 5, 15 min) before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (the server, PostgreSQL and wrk share $(nproc) cores; anything else running shows here)"
python3 tests/bench/cycle.py summary "$out"
echo "figures kept in $out (python3 tests/bench/cycle.py summary FILE... gives the medians of several runs)"
