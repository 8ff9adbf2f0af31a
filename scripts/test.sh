#!/usr/bin/env bash
# npm test: installs what is missing, builds, type-checks, lints, and runs every test — unit tests, then integration
# and end-to-end tests against real Kafka and Elasticsearch (found or started by tests/setup/global-setup.ts).
# Extra arguments go to jest, e.g. `npm test -- --selectProjects unit`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_deps
ensure_pds_deps
ensure_chromium
build
cd "$ROOT"
say "type-checking"
npx --no-install turbo run typecheck --output-logs=errors-only >&2
npx --no-install tsc -p tests/tsconfig.json --noEmit
say "linting"
npx --no-install eslint . --max-warnings=0
say "running tests"
npx --no-install jest --ci --maxWorkers=2 "$@"
