#!/usr/bin/env bash
# Benchmark of the reminders on PostgreSQL: the tick over a million stored reviews and the
# dispatch to an SMTP server (a benchmark, not a test: it passes or fails nothing, it prints
# figures and whether each target was met).
#
#   bash tests/bench/reminders.sh
#
# What it does: makes a fresh database on the PostgreSQL server at $PGHOST:$PGPORT (default
# 127.0.0.1:5432, user postgres), starts the release binary against it with the demo data (five
# trusts) and stops it once it answers, then with tests/bench/reminders_seed.sql adds trusts up
# to 150 (copies of Durham's columns, each with two commissioners, an admin and 40 contracts),
# 100,000 reminders already sent to the mail outbox (a platform that has been running a while)
# and reviews: 100 a trust due in the tick's window (from 20 days before the day to 35 after,
# what a tick with the default lead times reads) and the rest spread over ten years outside it,
# first up to 100,000 reviews in all, then up to 1,000,000 with the same ones in the window.
# With each total it measures `platform reminders run-once --today DAY --only tick`, which runs
# as the DATABASE_URL user (the superuser here, as in cycle.sh), 3 times each:
#   the first tick of the day (every reminder due is written to the outbox; those the previous
#   run wrote are deleted before it, so each first tick writes the same rows) and
#   a repeat tick on the same day (everything is already queued: it writes nothing);
# then, once, the first tick over a million reviews with an empty outbox (as on the day reminders
# are switched on for trusts with years of reviews), and a repeat of it. It prints the query plan
# (EXPLAIN (ANALYZE, BUFFERS)) of the tick's per-trust review query, as that user and (with a
# million) also as platform_app in the platform scope, as the server's in-process tick runs it
# under row-level security. A tick's figure is the time the binary prints ("in N ms"): its work
# from the first query to the commit, without the process's start and the frameworks' loading.
# Then it starts aiosmtpd as a sink on a free port and, 3 times, makes 5,000 of the reminders the
# tick wrote pending again (every other outbox row is marked sent) and measures
# `platform reminders run-once --at DAY --only dispatch` with SMTP_URL pointing at the sink; when
# the first run shows that 5,000 would take more than 30 s a run, the later runs send what the
# first run's rate sends in 30 s (at least 500), and say so.
# Targets: the first tick over a million reviews in 10 s or less; its time with ten times the
# reviews and the same ones due about the same (cost follows what is due, not the total); 300
# messages a second or more through the dispatcher. The binary, PostgreSQL and aiosmtpd share
# this machine. Everything it made is removed at the end (the SMTP server stopped, the database
# dropped); the figures, with the plans, are kept as JSON at the path printed last.
#
# Settings (environment): BENCH_BIN (default $CARGO_TARGET_DIR/release/platform, built with
# `cargo build --release -p platform` if missing), PGHOST, PGPORT, PGUSER, BENCH_DAY (the day
# the ticks run for, default today in UTC), BENCH_TENANTS (150), BENCH_REVIEWS (1000000),
# BENCH_REVIEWS_FEW (100000), BENCH_NEAR (100 reviews a trust in the window), BENCH_CONTRACTS
# (40 a new trust), BENCH_HISTORY (100000 reminders already sent), BENCH_RUNS (3), BENCH_COLD
# (1; 0 leaves out the tick with an empty outbox, which takes minutes), BENCH_MESSAGES (5000),
# BENCH_DISPATCH_SECONDS (30), BENCH_OUT (where to keep the JSON).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
day=${BENCH_DAY:-$(date -u +%Y-%m-%d)}
want_tenants=${BENCH_TENANTS:-150}
want_reviews=${BENCH_REVIEWS:-1000000}
few_reviews=${BENCH_REVIEWS_FEW:-100000}
near=${BENCH_NEAR:-100}
contracts=${BENCH_CONTRACTS:-40}
history=${BENCH_HISTORY:-100000}
runs=${BENCH_RUNS:-3}
cold=${BENCH_COLD:-1}
messages=${BENCH_MESSAGES:-5000}
dispatch_seconds=${BENCH_DISPATCH_SECONDS:-30}
bin=${BENCH_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/platform}

me=reminders.sh
. tests/bench/common.sh

# --- tools
need_tools psql createdb dropdb python3 curl
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd (as tests/setup.sh does)"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd \
        || die "aiosmtpd is needed (python3 -m pip install aiosmtpd)"
fi
date -d "$day" +%F >/dev/null 2>&1 || die "BENCH_DAY=$day is not a date"
day=$(date -d "$day" +%F)
need_binary "$bin"
"$bin" reminders run-once --help 2>/dev/null | grep -q -- '--only' \
    || die "$bin has no \`reminders run-once --only\`: rebuild it (cargo build --release -p platform)"
need_postgres

# --- a fresh database, a data folder and ports; all removed on the way out
db=bench_reminders_$$
work=$(mktemp -d)
out=${BENCH_OUT:-${TMPDIR:-/tmp}/bench_reminders_$(date +%Y%m%d_%H%M%S)_$$.json}
server_pid=
smtp_pid=
cleanup() {
    local status=$?
    set +e
    trap '' PIPE # everything removed even if whatever read our output has gone
    stop "$server_pid"
    stop "$smtp_pid"
    dropdb --if-exists --force "$db" 2>/dev/null || dropdb --if-exists "$db" 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        show_logs server.log platform.log smtp.log
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started_all=$(date +%s)
createdb "$db"
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db"
export PLATFORM_DATA_DIR="$work/data" PLATFORM_REMINDER_INTERVAL_SECONDS=0 PLATFORM_LOG=${PLATFORM_LOG:-warn}
q() { psql -d "$db" -v ON_ERROR_STOP=1 -Atq "$@"; }

# --- the demo data, as cycle.sh makes it: the server migrates and seeds at start-up (with the
# in-process reminders off), and is stopped once it answers; nothing else runs while measuring.
port=$(free_port)
base=http://127.0.0.1:$port
say "starting $bin on $base (database $db, demo data), then stopping it"
started=$(date +%s)
env PLATFORM_SEED_DEMO=true PLATFORM_BIND="127.0.0.1:$port" PLATFORM_LOG=info \
    "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || die "the server stopped"
    [ $(( $(date +%s) - started )) -lt 600 ] || die "the server did not answer in 600 s"
    sleep 1
done
stop "$server_pid"
server_pid=
say "demo data in $(( $(date +%s) - started )) s"
[ -n "$(q -c "SELECT id FROM tenants WHERE slug = 'durham'")" ] \
    || die "no Durham tenant after seeding"

# --- the figures: one line a run in runs.tsv (what, total reviews, run, ms, the counts printed)
runs_tsv=$work/runs.tsv
: >"$runs_tsv"
from=$(date -d "$day - 20 days" +%F)
to=$(date -d "$day + 35 days" +%F)

seed() { # total reviews
    local t0; t0=$(date +%s)
    q -v today="$day" -v tenants="$want_tenants" -v reviews="$1" -v near="$near" -v contracts="$contracts" \
        -v history="$history" -v template=durham -f tests/bench/reminders_seed.sql
    q -c 'VACUUM (ANALYZE) reviews' -c 'CHECKPOINT'
    local counts
    counts=$(echo "SELECT (SELECT count(*) FROM tenants WHERE status = 'active'), (SELECT count(*) FROM reviews),
                  (SELECT count(*) FROM reviews WHERE due_on BETWEEN :'from' AND :'to'),
                  (SELECT count(*) FROM reviews WHERE due_on BETWEEN :'from' AND :'to' AND status IN ('scheduled', 'in_progress')),
                  (SELECT count(*) FROM mail_outbox WHERE idempotency_key LIKE 'history:%')" \
        | q -v from="$from" -v to="$to" -F ' ')
    read -r n_tenants n_reviews n_window n_open n_history <<<"$counts"
    say "$n_tenants trusts, $n_reviews reviews, $n_window due from $from to $to ($n_open of them open), $n_history reminders sent before (seeded in $(( $(date +%s) - t0 )) s)"
    echo "seed	$n_reviews	$n_tenants	$n_window	$n_open	$(( $(date +%s) - t0 ))	$n_history" >>"$runs_tsv"
}

platform() { # runs the binary, its output in platform.log as well
    "$bin" "$@" >"$work/out.txt" 2>>"$work/platform.log" || {
        echo "reminders.sh: \`platform $*\` failed:" >&2
        cat "$work/out.txt" >&2
        tail -20 "$work/platform.log" >&2
        exit 1
    }
    cat "$work/out.txt" >>"$work/platform.log"
}

clear_reminders() { # $1 "all" empties the outbox; otherwise only what the ticks wrote goes
    local which="AND idempotency_key NOT LIKE 'history:%'"
    [ "${1:-}" != all ] || which=
    q -c "DELETE FROM mail_outbox WHERE kind IS NOT NULL $which" -c 'DELETE FROM unsubscribe_tokens'
    if [ -n "$(q -c "SELECT to_regclass('reminder_digest_items')")" ]; then
        q -c 'DELETE FROM reminder_digest_items'
    fi
    q -c 'VACUUM (ANALYZE) mail_outbox' -c 'VACUUM (ANALYZE) unsubscribe_tokens' -c 'CHECKPOINT'
}

number() { # the number before a label in a line of the binary's, or 0 when the line has none
    local re="([0-9]+) $2"
    if [[ $1 =~ $re ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

tick() { # what ("first", "repeat", "cold", "cold_repeat"), total reviews, run
    local t0 t1 line ms re='\(in ([0-9]+) ms\)'
    t0=$(date +%s%N)
    platform reminders run-once --today "$day" --only tick
    t1=$(date +%s%N)
    line=$(grep -E '^tick for ' "$work/out.txt" || true)
    [[ $line =~ $re ]] || die "unexpected output of the tick: $(cat "$work/out.txt")"
    ms=${BASH_REMATCH[1]}
    printf '   %-11s tick %s: %s (the process: %d ms)\n' "${1/_/ }" "$3" "${line#*: }" $(( (t1 - t0) / 1000000 ))
    printf 'tick_%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$ms" $(( (t1 - t0) / 1000000 )) \
        "$(number "$line" trusts)" "$(number "$line" 'reminders queued')" "$(number "$line" 'already queued')" \
        "$(number "$line" refused)" "$(number "$line" 'held for digests')" "$(number "$line" 'digests queued')" >>"$runs_tsv"
}

plan_tenant=
explain() { # file, role ("" for the DATABASE_URL user), the diesel query as a prepared statement
    local set_role=
    [ -z "$2" ] || set_role="SET LOCAL ROLE $2; SELECT set_config('platform.scope', 'platform', true);"
    q -v tid="$plan_tenant" -v from="$from" -v to="$to" >"$work/$1" <<SQL
BEGIN;
$set_role
PREPARE tick_reviews(text, text[], date, date) AS
SELECT reviews.id, reviews.tenant_id, reviews.contract_id, reviews.service_id, reviews.kind, reviews.title,
       reviews.due_on, reviews.owner_user_id, reviews.owner_body, reviews.status, reviews.outcome,
       reviews.completed_on, reviews.notes, reviews.created_at, reviews.version, reviews.evidence,
       reviews.follow_up_project_id
FROM reviews
WHERE reviews.tenant_id = \$1 AND reviews.status = ANY (\$2) AND reviews.due_on BETWEEN \$3 AND \$4
ORDER BY reviews.due_on ASC, reviews.id ASC;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE tick_reviews(:'tid', '{scheduled,in_progress}', :'from', :'to');
ROLLBACK;
SQL
    sed -i '/^platform$/d' "$work/$1"
    sed 's/^/   /' "$work/$1"
}

measure_ticks() { # total reviews
    local total=$1 run
    say "ticks for $day over $total reviews ($runs runs: a first tick of the day, then a repeat)"
    for run in $(seq 1 "$runs"); do
        clear_reminders
        tick first "$total" "$run/$runs"
        tick repeat "$total" "$run/$runs"
    done
    plan_tenant=$(q -c "SELECT id FROM tenants WHERE slug IN ('bench-075', 'durham') ORDER BY slug = 'bench-075' DESC LIMIT 1")
    say "the plan of the tick's review query for one trust ($(q -c "SELECT slug FROM tenants WHERE id = '$plan_tenant'")), $from to $to, over $total reviews, as $PGUSER"
    explain "plan_${total}.txt" ""
}

say "seeding up to $want_tenants trusts and $few_reviews reviews"
seed "$few_reviews"
measure_ticks "$few_reviews"

say "topping up to $want_reviews reviews, the same ones due"
seed "$want_reviews"
measure_ticks "$want_reviews"
say "the same plan as platform_app in the platform scope (the server's in-process tick, under row-level security)"
explain "plan_${want_reviews}_app.txt" platform_app
if [ "$cold" = 1 ]; then
    say "the first tick over $want_reviews reviews with an empty outbox (minutes: BENCH_COLD=0 leaves it out), and a repeat"
    clear_reminders all
    tick cold "$want_reviews" 1/1
    tick cold_repeat "$want_reviews" 1/1
fi

# --- dispatch: aiosmtpd as a sink; the same rows made pending before each run
smtp_port=$(free_port)
say "starting aiosmtpd (a sink) on 127.0.0.1:$smtp_port"
python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Sink >"$work/smtp.log" 2>&1 &
smtp_pid=$!
started=$(date +%s)
until python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $smtp_port), 1)" 2>/dev/null; do
    kill -0 "$smtp_pid" 2>/dev/null || die "aiosmtpd stopped"
    [ $(( $(date +%s) - started )) -lt 30 ] || die "aiosmtpd did not answer in 30 s"
    sleep 0.2
done
reminders_queued=$(q -c "SELECT count(*) FROM mail_outbox WHERE kind IS NOT NULL AND idempotency_key NOT LIKE 'history:%'")
if [ "$reminders_queued" -lt "$messages" ]; then
    echo "reminders.sh: the tick queued $reminders_queued reminders, fewer than BENCH_MESSAGES=$messages: sending those" >&2
    messages=$reminders_queued
fi
export SMTP_URL="smtp://127.0.0.1:$smtp_port"
say "dispatch of $messages reminders to $SMTP_URL ($runs runs)"
n=$messages
for run in $(seq 1 "$runs"); do
    q -v n="$n" -v day="$day" <<'SQL'
UPDATE mail_outbox SET status = 'sent', sent_at = coalesce(sent_at, created_at), lease_until = NULL, claimed_by = NULL
WHERE status <> 'sent';
UPDATE mail_outbox
SET status = 'pending', sent_at = NULL, attempts = 0, last_error = NULL, lease_until = NULL, claimed_by = NULL,
    next_attempt_at = :'day'::date
WHERE id IN (SELECT id FROM mail_outbox WHERE kind IS NOT NULL AND idempotency_key NOT LIKE 'history:%' ORDER BY id LIMIT :n);
VACUUM (ANALYZE) mail_outbox;
SQL
    t0=$(date +%s%N)
    platform reminders run-once --at "${day}T12:00:00" --only dispatch
    t1=$(date +%s%N)
    line=$(grep -E '^dispatch: ' "$work/out.txt" || true)
    re='\(in ([0-9]+) ms\)'
    [[ $line =~ $re ]] || die "unexpected output of the dispatch: $(cat "$work/out.txt")"
    ms=${BASH_REMATCH[1]}
    sent=$(number "$line" sent,) retrying=$(number "$line" 'to try again') failed=$(number "$line" failed)
    rate=$(( sent * 1000 / (ms > 0 ? ms : 1) ))
    printf '   dispatch %s/%s: %s — %s messages/s (the process: %d ms)\n' "$run" "$runs" "${line#dispatch: }" \
        "$rate" $(( (t1 - t0) / 1000000 ))
    printf 'dispatch\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$run" "$ms" $(( (t1 - t0) / 1000000 )) \
        "$sent" "$retrying" "$failed" >>"$runs_tsv"
    if [ "$run" = 1 ] && [ "$run" -lt "$runs" ] && [ $(( messages * 1000 / (rate > 0 ? rate : 1) )) -gt $(( dispatch_seconds * 1000 )) ]; then
        n=$(( rate * dispatch_seconds ))
        [ "$n" -ge 500 ] || n=500
        [ "$n" -le "$messages" ] || n=$messages
        echo "   ($messages would take $(( messages / (rate > 0 ? rate : 1) )) s a run at this rate: the other runs send $n, what it sends in ${dispatch_seconds} s)"
    fi
done
stop "$smtp_pid"
smtp_pid=

# --- the machine, the commit, the figures
say "machine and commit"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ram=$(free -h | awk '/^Mem:/ {print $2}')
pgv=$(psql -d postgres -Atqc 'SHOW server_version')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo ' (with uncommitted changes)' || true)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "cpu: $(nproc) × ${cpu:-unknown}; memory: $ram; PostgreSQL $pgv; aiosmtpd $(python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
echo "commit: $commit$dirty; $(date -u +'%Y-%m-%d %H:%M UTC')"
echo "binary: $bin, built $(date -u -r "$bin" +'%Y-%m-%d %H:%M UTC') (the commit above is the work tree's now, which a binary built earlier may not match)"
echo "load average (1, 5, 15 min) before the run: $load_before; after: $load_after (the binary, PostgreSQL and aiosmtpd share $(nproc) cores; anything else running shows here)"
echo "the whole run took $(( $(date +%s) - started_all )) s"

python3 - "$runs_tsv" "$out" "$work" "$few_reviews" "$want_reviews" <<PY
import json, statistics, sys
runs_tsv, out, work, few, many = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
runs, window = int("$runs"), "$from to $to"
rows = [line.rstrip("\n").split("\t") for line in open(runs_tsv) if line.strip()]
def med(xs): return statistics.median(xs) if xs else None
seeds, ticks, dispatches = [], [], []
for r in rows:
    if r[0] == "seed":
        seeds.append({"reviews": int(r[1]), "trusts": int(r[2]), "due_in_window": int(r[3]), "open_in_window": int(r[4]),
                      "seconds": int(r[5]), "history": int(r[6])})
    elif r[0].startswith("tick_"):
        ticks.append({"tick": r[0][5:], "reviews": int(r[1]), "run": r[2], "ms": int(r[3]), "process_ms": int(r[4]),
                      "trusts": int(r[5]), "queued": int(r[6]), "already": int(r[7]), "refused": int(r[8]),
                      "held_for_digests": int(r[9]), "digests": int(r[10])})
    elif r[0] == "dispatch":
        ms = int(r[3])
        dispatches.append({"messages": int(r[1]), "run": int(r[2]), "ms": ms, "process_ms": int(r[4]), "sent": int(r[5]),
                           "retrying": int(r[6]), "failed": int(r[7]), "per_second": int(r[5]) / max(ms, 1) * 1000})
def plan(name):
    try: return open(f"{work}/{name}").read().splitlines()
    except OSError: return None
summary = {}
for total in (few, many):
    for kind in ("first", "repeat", "cold", "cold_repeat"):
        sel = [t for t in ticks if t["reviews"] == total and t["tick"] == kind]
        summary[f"tick_{kind}_{total}"] = {"median_ms": med([t["ms"] for t in sel]), "queued": med([t["queued"] for t in sel]),
                                           "already": med([t["already"] for t in sel]), "runs": len(sel)}
first_few, first_many = summary[f"tick_first_{few}"]["median_ms"], summary[f"tick_first_{many}"]["median_ms"]
repeat_few, repeat_many = summary[f"tick_repeat_{few}"]["median_ms"], summary[f"tick_repeat_{many}"]["median_ms"]
rate = med([d["per_second"] for d in dispatches])
ratio = first_many / max(first_few, 1)
repeat_ratio = repeat_many / max(repeat_few, 1)
targets = {
    "tick_first_1m_le_10s": first_many <= 10000,
    "tick_first_1m_empty_outbox_le_10s": summary[f"tick_cold_{many}"]["median_ms"] <= 10000 if summary[f"tick_cold_{many}"]["runs"] else None,
    "tick_cost_follows_what_is_due": ratio <= 1.5,
    "dispatch_ge_300_per_s": rate is not None and rate >= 300,
}
figures = {"seeds": seeds, "ticks": ticks, "dispatches": dispatches, "summary": summary,
           "first_tick_ratio": ratio, "repeat_tick_ratio": repeat_ratio, "dispatch_median_per_second": rate,
           "targets": targets,
           "plans": {f"{few}": plan(f"plan_{few}.txt"), f"{many}": plan(f"plan_{many}.txt"),
                     f"{many}_platform_app": plan(f"plan_{many}_app.txt")},
           "machine": {"nproc": int("$(nproc)"), "cpu": """$cpu""", "memory": "$ram", "postgresql": "$pgv",
                       "load_before": "$load_before", "load_after": "$load_after"},
           "commit": "$commit$dirty", "binary": "$bin", "day": "$day"}
json.dump(figures, open(out, "w"), indent=1)
def met(ok): return "met" if ok else "NOT met"
print()
def row(label, a, b): print(f"{label:36}{a:>20}{b:>20}")
row("", f"{few:,} reviews", f"{many:,} reviews")
for kind, label in (("first", "first tick of the day (writes)"), ("repeat", "repeat tick (nothing new)")):
    a, b = summary[f"tick_{kind}_{few}"], summary[f"tick_{kind}_{many}"]
    row(f"{label}", f"{a['median_ms']:,.0f} ms", f"{b['median_ms']:,.0f} ms")
a, b = summary[f"tick_first_{few}"], summary[f"tick_first_{many}"]
row("reminders a first tick queues", f"{a['queued']:,.0f}", f"{b['queued']:,.0f}")
sa, sb = seeds[0], seeds[-1]
row("reviews due in the window (open)", f"{sa['due_in_window']:,} ({sa['open_in_window']:,})", f"{sb['due_in_window']:,} ({sb['open_in_window']:,})")
print(f"(medians of {runs} runs each; the window is {window}; {seeds[0]['history']:,} reminders sent before in the outbox)")
cold, cold_repeat = summary[f"tick_cold_{many}"], summary[f"tick_cold_repeat_{many}"]
if cold["runs"]:
    row("with an empty outbox: first tick", "", f"{cold['median_ms']:,.0f} ms")
    row("with an empty outbox: repeat tick", "", f"{cold_repeat['median_ms']:,.0f} ms")
print()
print(f"first tick over {many:,} reviews: {first_many:,.0f} ms (target 10 s or less): {met(targets['tick_first_1m_le_10s'])}")
if cold["runs"]:
    print(f"  the same with an empty outbox: {cold['median_ms']:,.0f} ms: {met(cold['median_ms'] <= 10000)}")
print(f"10x the reviews, the same due: the first tick took {ratio:.2f}x as long, the repeat {repeat_ratio:.2f}x"
      f" (1 = cost follows what is due, 10 = follows the total; target 1.5x or less): {met(targets['tick_cost_follows_what_is_due'])}")
if rate is not None:
    sizes = ", ".join(f"{d['messages']:,}" for d in dispatches)
    print(f"dispatch: {rate:,.0f} messages/s, median of {len(dispatches)} runs ({sizes} messages; target 300/s or more): {met(targets['dispatch_ge_300_per_s'])}")
PY
echo "figures kept in $out"
