#!/usr/bin/env bash
# npm run bench: the benchmarks, printed as tables and written to bench/results/. Needs no servers.
#   classify-speed.md  the classifier's whole path and each stage, docs/s on one core, and its memory
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_deps
build
node "$ROOT/packages/classifier/dist/cli/bench.js" --out "$ROOT/bench/results/classify-speed.md" "$@"
