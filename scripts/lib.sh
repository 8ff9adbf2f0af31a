#!/usr/bin/env bash
# Shared steps of the npm scripts: install what is missing, build, and where things live.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CHORUS_CACHE="${CHORUS_CACHE:-$HOME/.cache/chorus}"
export CHORUS_STATE="${CHORUS_STATE:-$CHORUS_CACHE/state}"
RUN_DIR="$CHORUS_STATE/services"
LOG_DIR="$CHORUS_STATE/logs"

say() { printf '\033[1m[chorus]\033[0m %s\n' "$*" >&2; }

# The V8 flags a service runs with (services/<name>/node-options), before the caller's NODE_OPTIONS so that theirs win.
service_node_options() { # name
  printf '%s %s' "$(grep -v '^#' "$ROOT/services/$1/node-options" 2>/dev/null | tr '\n' ' ')" "${NODE_OPTIONS:-}"
}

check_node() {
  command -v node >/dev/null || { say "Node.js 20.19 or newer is required"; exit 1; }
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    { say "Node.js 20.19 or newer is required (found $(node --version))"; exit 1; }
}

# Installs npm packages when node_modules is missing or older than the lockfile; npm caches them in ~/.npm.
# `npm install` rather than `npm ci`: the lockfile pins every version, but a registry mirror that lacks another
# platform's optional native binaries (swc, turbo, unrs-resolver) leaves them out of the lock, which `npm ci` refuses.
ensure_node_deps() {
  check_node
  cd "$ROOT"
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing npm packages"
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
}

# The firehose connector is tested against a real Bluesky PDS (tests/pds: @atproto/dev-env, about 470 packages and a
# native SQLite build), kept out of the workspaces and installed here. Bounded; without it that one test is skipped,
# loudly (tests/integration/firehose-pds.test.ts).
ensure_pds_deps() {
  local dir="$ROOT/tests/pds"
  if [[ -f "$dir/node_modules/.package-lock.json" && ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then return; fi
  say "installing the Bluesky PDS for the firehose test (npm ci in tests/pds)"
  if ! (cd "$dir" && timeout 900 npm ci --no-audit --no-fund --loglevel=error >&2); then
    say "WARNING: tests/pds could not be installed: the firehose test against a real PDS will be skipped"
  fi
}

# The pages are tested in a real headless Chromium: Debian's `chromium` package, driven by playwright-core. Installs it
# when missing and allowed (root or passwordless sudo, apt); otherwise the browser tests are skipped, loudly.
ensure_chromium() {
  if [[ -n "${CHROMIUM_PATH:-}" && -x "$CHROMIUM_PATH" ]]; then return; fi
  if command -v chromium >/dev/null; then export CHROMIUM_PATH="$(command -v chromium)"; return; fi
  local sudo=""
  [[ "$(id -u)" != 0 ]] && sudo="sudo -n"
  if command -v apt-get >/dev/null && { [[ -z "$sudo" ]] || sudo -n true 2>/dev/null; }; then
    say "installing Chromium for the browser tests (apt-get install chromium)"
    # Bounded: a held apt lock or an unreachable mirror must not stall the test run.
    if timeout 600 $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 ||
       { timeout 300 $sudo apt-get update -q >&2 && timeout 600 $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2; }; then
      export CHROMIUM_PATH="$(command -v chromium)"
      return
    fi
  fi
  say "WARNING: no Chromium and no way to install it here: the browser tests will be skipped (set CHROMIUM_PATH)"
}

build() {
  cd "$ROOT"
  say "building (turbo run build)"
  npx --no-install turbo run build --output-logs=errors-only >&2
}
