#!/usr/bin/env bash
# npm stop: stops the demo feed, the four services (SIGTERM, so each commits what it processed) and the stack.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_pid() { # name
  local pidf="$RUN_DIR/$1.pid" pid i
  [[ -f "$pidf" ]] || return 0
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "$1 did not stop in 20s: killing it"; kill -KILL "$pid" 2>/dev/null || true; }
    say "stopped $1"
  fi
  rm -f "$pidf"
}

stop_pid demo-feed
stop_pid demo-sources
# Producers before consumers, so nothing new arrives while the consumers drain.
for s in ingest classify router api; do stop_pid "$s"; done
if [[ "${1:-}" != "--keep-stack" ]]; then bash "$ROOT/deploy/stack.sh" stop; fi
