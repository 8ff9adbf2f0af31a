#!/usr/bin/env bash
# npm run chaos: the fault suite (tests/faults/chaos.ts). Installs and builds what is missing, starts the local Kafka
# and Elasticsearch unless KAFKA_BROKERS and ELASTICSEARCH_URL are given (then the outages of Kafka and Elasticsearch
# are skipped: they need a stack this script can stop), runs every fault, writes bench/results/faults.md, and stops
# what it started. About 15 minutes on two cores. CHAOS_ONLY=kill-router,es-outage runs some faults only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_deps
build
cd "$ROOT"
if [[ -n "${KAFKA_BROKERS:-}" && -n "${ELASTICSEARCH_URL:-}" ]]; then
  export CHORUS_CHAOS_LOCAL_STACK=0
else
  was_running=0
  bash "$ROOT/deploy/stack.sh" status >/dev/null 2>&1 && was_running=1
  bash "$ROOT/deploy/stack.sh" start
  [[ $was_running -eq 0 ]] && trap 'bash "$ROOT/deploy/stack.sh" stop' EXIT
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}" ELASTICSEARCH_URL="http://127.0.0.1:${ES_PORT:-9200}" CHORUS_CHAOS_LOCAL_STACK=1
fi
say "running the fault suite (results in bench/results/faults.md)"
npx --no-install tsx tests/faults/chaos.ts
