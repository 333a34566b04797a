#!/usr/bin/env bash
# Brings a fresh machine to the point where the whole suite can run: PostgreSQL and Redis up,
# the Rust components and targets present, Chromium and the browser-test packages installed.
# Everything here is idempotent and quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Rust: components and the targets the toolchain file names.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install stable --profile minimal
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# Plugins build for wasm32-unknown-unknown; the test programs that must import WASI, for wasip2.
rustup target add wasm32-unknown-unknown wasm32-wasip2 >/dev/null

# PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL"; apt_install postgresql
  fi
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

# Redis on 127.0.0.1:6379.
if ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1); then
  command -v redis-server >/dev/null || { say "installing Redis"; apt_install redis-server; }
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/tests.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

# A real SMTP server for the mail tests.
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
  say "installing aiosmtpd"
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
fi

# An independent iCalendar parser, which reads the platform's calendar feeds in the tests.
if ! python3 -c "import icalendar" 2>/dev/null; then
  say "installing icalendar"
  python3 -m pip install --quiet --disable-pip-version-check icalendar
fi

# Schemathesis, which the fuzz tests run against the server's OpenAPI document.
if ! python3 -c "import schemathesis" 2>/dev/null; then
  say "installing schemathesis"
  python3 -m pip install --quiet --disable-pip-version-check schemathesis
fi

# Headless Chromium (Debian's build) and the browser-test packages from npm.
if [ ! -x /usr/bin/chromium ]; then say "installing Chromium"; apt_install chromium; fi
if ! command -v node >/dev/null; then say "installing Node.js"; apt_install nodejs npm; fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  say "installing browser-test packages"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The OpenID Connect provider the sign-in tests run against.
if [ ! -d tests/oidc/node_modules/oidc-provider ] || [ ! -d tests/oidc/node_modules/jose ]; then
  say "installing the test OIDC provider"
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
