#!/usr/bin/env bash
# Shared steps of the npm scripts: install what is missing, build, and where things live.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CHORUS_CACHE="${CHORUS_CACHE:-$HOME/.cache/chorus}"
export CHORUS_STATE="${CHORUS_STATE:-$CHORUS_CACHE/state}"
RUN_DIR="$CHORUS_STATE/services"
LOG_DIR="$CHORUS_STATE/logs"

say() { printf '\033[1m[chorus]\033[0m %s\n' "$*" >&2; }

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

build() {
  cd "$ROOT"
  say "building (turbo run build)"
  npx --no-install turbo run build --output-logs=errors-only >&2
}
