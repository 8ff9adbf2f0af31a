#!/usr/bin/env bash
# Runs one of the project's command-line tools after making sure it is installed and built. Only the tool writes to
# stdout (install and build progress go to stderr), so `npm run -s eval ... | tail -1` is the tool's JSON.
#   bash scripts/cli.sh <path/to/tool.js relative to the repo root> [args...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tool="$1"
shift
ensure_node_deps
if [[ ! -f "$ROOT/$tool" || -n "$(find "$ROOT/services" "$ROOT/packages" -path '*/src/*' -newer "$ROOT/$tool" -print -quit 2>/dev/null)" ]]; then
  build
fi
exec node "$ROOT/$tool" "$@"
