# What the benchmark scripts share; sourced by each after it sets `me` (its name, for messages).

say() { printf '== %s\n' "$*"; }

die() { echo "$me: $*" >&2; exit 1; }

need_tools() { # each command named must be on the PATH
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is needed"
    done
}

need_wrk() { # wrk, installed from Debian's package when running as root
    if ! command -v wrk >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            say "installing wrk (Debian's package)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
                || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
        fi
        command -v wrk >/dev/null || die "wrk is needed (apt-get install wrk)"
    fi
}

need_binary() { # the release binary at $1, built if missing
    if [ ! -x "$1" ]; then
        say "building the release binary (cargo build --release -p platform)"
        cargo build --release -p platform
    fi
}

need_postgres() {
    psql -d postgres -Atqc 'SELECT 1' >/dev/null || die "PostgreSQL does not answer at $PGHOST:$PGPORT as $PGUSER"
}

stop() { # stop a process of ours, by its id
    if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}

show_logs() { # the last lines of each log named, from the folder $work, on standard error
    local log
    for log in "$@"; do
        if [ -s "$work/$log" ]; then
            echo "--- the last lines of $log:" >&2
            tail -20 "$work/$log" >&2
        fi
    done
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
