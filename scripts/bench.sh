#!/usr/bin/env bash
# npm run bench: the benchmarks, printed as tables and written to bench/results/.
#   classify-speed.md  the classifier's whole path and each stage, docs/s on one core, and its memory (no servers)
#   queries.md         brand queries: posts/s on one core matched against 1,000 queries (no servers)
#   router-memory.md   the router's heap after a burst of short and of 19,000-character posts (no servers)
#   pipeline.md        raw Kafka and Elasticsearch ceilings and Chorus end to end in the same run: a burst, a steady
#                      rate with latency percentiles per stage, CPU and RSS per service (tests/bench/pipeline.ts).
#                      Starts the local stack unless KAFKA_BROKERS and ELASTICSEARCH_URL are given, and stops what it
#                      started. BENCH_PIPELINE=0 skips it; BENCH_BURST, BENCH_RATE, BENCH_SECONDS size it.
# Extra arguments go to the classifier benchmark.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_deps
build
node "$ROOT/packages/classifier/dist/cli/bench.js" --out "$ROOT/bench/results/classify-speed.md" "$@"
node "$ROOT/packages/queries/dist/cli/bench.js"
(cd "$ROOT" && npx --no-install tsx --expose-gc tests/bench/router-heap.ts)
[[ "${BENCH_PIPELINE:-1}" == "0" ]] && exit 0
cd "$ROOT"
if [[ -z "${KAFKA_BROKERS:-}" || -z "${ELASTICSEARCH_URL:-}" ]]; then
  was_running=0
  bash "$ROOT/deploy/stack.sh" status >/dev/null 2>&1 && was_running=1
  bash "$ROOT/deploy/stack.sh" start
  [[ $was_running -eq 0 ]] && trap 'bash "$ROOT/deploy/stack.sh" stop' EXIT
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}" ELASTICSEARCH_URL="http://127.0.0.1:${ES_PORT:-9200}"
fi
say "pipeline benchmark (bench/results/pipeline.md)"
npx --no-install tsx tests/bench/pipeline.ts
