#!/usr/bin/env bash
# npm start: installs what is missing, starts Kafka and Elasticsearch (deploy/stack.sh), the four services and the
# demo feed, in the background, and prints where everything is. `npm stop` stops it all. Idempotent.
# CHORUS_DEMO=0 skips the demo feed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_deps
build
mkdir -p "$RUN_DIR" "$LOG_DIR"

# All or nothing: if anything below fails, what this run started is stopped again (services, the demo feed, and the
# stack if it was not running before), and the failing step is named with its log.
STARTED=()
STACK_WAS_RUNNING=0
bash "$ROOT/deploy/stack.sh" status >/dev/null 2>&1 && STACK_WAS_RUNNING=1
FAILED_WHAT=""
rollback() {
  local code=$?
  [[ $code -eq 0 ]] && return
  trap - EXIT
  say "start failed${FAILED_WHAT:+: $FAILED_WHAT}; stopping what this run started"
  local i name pid
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    name="${STARTED[$i]}"
    pid="$(cat "$RUN_DIR/$name.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((j = 0; j < 30; j++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
      say "stopped $name"
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
  if [[ $STACK_WAS_RUNNING -eq 0 ]]; then bash "$ROOT/deploy/stack.sh" stop || true; fi
  exit "$code"
}
trap rollback EXIT

FAILED_WHAT="Kafka or Elasticsearch did not start (logs in $CHORUS_STATE/logs)"
bash "$ROOT/deploy/stack.sh" start
FAILED_WHAT=""

API_PORT="${API_PORT:-8080}"
INGEST_PORT="${INGEST_PORT:-8081}"
CLASSIFY_PORT="${CLASSIFY_PORT:-8082}"
ROUTER_PORT="${ROUTER_PORT:-8083}"

start_service() { # name port
  local name="$1" port="$2" pidf="$RUN_DIR/$1.pid"
  if [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    say "$name already running (pid $(cat "$pidf"))"
    return
  fi
  if ss -Hltn "sport = :$port" | grep -q .; then
    FAILED_WHAT="port $port for $name is taken by another process: stop it, or set ${name^^}_PORT"
    exit 1
  fi
  PORT="$port" NODE_OPTIONS="$(service_node_options "$name")" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" nohup node "$ROOT/services/$name/dist/main.js" >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$pidf"
  STARTED+=("$name")
  say "started $name on :$port (log $LOG_DIR/$name.log)"
}

wait_ready() { # name port
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null || { tail -n 20 "$LOG_DIR/$1.log" >&2; FAILED_WHAT="$1 exited; its log: $LOG_DIR/$1.log"; exit 1; }
    sleep 0.5
  done
  tail -n 20 "$LOG_DIR/$1.log" >&2
  curl -sS "http://127.0.0.1:$2/readyz" >&2 2>/dev/null && echo >&2 || true
  FAILED_WHAT="$1 did not become ready in 60s; its log: $LOG_DIR/$1.log"
  exit 1
}

# The local demo's sources are on 127.0.0.1: ingest may fetch loopback addresses for it (it refuses them by default).
if [[ "${CHORUS_DEMO:-1}" != "0" ]]; then export INGEST_ALLOW_PRIVATE_SOURCES="${INGEST_ALLOW_PRIVATE_SOURCES:-on}"; fi

# The API first: it creates the indices and the topics the others read.
start_service api "$API_PORT"; wait_ready api "$API_PORT"
start_service router "$ROUTER_PORT"
start_service classify "$CLASSIFY_PORT"
start_service ingest "$INGEST_PORT"
wait_ready router "$ROUTER_PORT"; wait_ready classify "$CLASSIFY_PORT"; wait_ready ingest "$INGEST_PORT"

DEMO_SOURCES_PORT="${DEMO_SOURCES_PORT:-8090}"
start_background() { # name command...
  local name="$1"
  shift
  if [[ -f "$RUN_DIR/$name.pid" ]] && kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then
    say "$name already running"
    return
  fi
  nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
  STARTED+=("$name")
  say "$name started (log $LOG_DIR/$name.log)"
}
CONFIGURED="               (no demo sources: CHORUS_DEMO=0)"
if [[ "${CHORUS_DEMO:-1}" != "0" ]]; then
  # The demo's open web (an RSS feed and a Mastodon-compatible timeline), then the feed that configures Chorus's own
  # connectors to read it through the API.
  start_background demo-sources node "$ROOT/scripts/demo-sources.mjs" --port "$DEMO_SOURCES_PORT"
  for ((i = 0; i < 40; i++)); do curl -fsS "http://127.0.0.1:$DEMO_SOURCES_PORT/" >/dev/null 2>&1 && break; sleep 0.25; done
  export CHORUS_API_URL="http://127.0.0.1:$API_PORT" DEMO_SOURCES_URL="http://127.0.0.1:$DEMO_SOURCES_PORT"
  feed_from=1
  [[ -f "$LOG_DIR/demo-feed.log" ]] && feed_from=$(($(wc -l <"$LOG_DIR/demo-feed.log") + 1))
  start_background demo-feed node "$ROOT/scripts/demo-feed.mjs"
  # The sources and the brand query the feed configured through the API, as it reports them (up to a minute).
  for ((i = 0; i < 120; i++)); do
    [[ $(tail -n +"$feed_from" "$LOG_DIR/demo-feed.log" 2>/dev/null | grep -c '^demo feed: source ') -ge 2 ]] && break
    sleep 0.5
  done
  CONFIGURED=$(tail -n +"$feed_from" "$LOG_DIR/demo-feed.log" 2>/dev/null | grep -E '^demo feed: (source|brand query) ' | sed 's/^demo feed: /               /' || true)
  CONFIGURED=${CONFIGURED:-"               (the demo feed is still configuring them: see $LOG_DIR/demo-feed.log)"}
fi

trap - EXIT

if [[ -n "${OIDC_ISSUER:-}" || -n "${API_KEYS:-}" ]]; then
  LOGIN_NOTE="required (OpenID Connect or API keys, as configured)"
else
  LOGIN_NOTE="none: LOCAL DEMO MODE, everyone is an admin on this machine (loopback only; set OIDC_ISSUER or API_KEYS)"
fi

cat <<MSG

  Chorus is running.
    Wall       http://127.0.0.1:$API_PORT/wall      (the live discussion, for the screen by the CEO's desk)
    Crisis     http://127.0.0.1:$API_PORT/crisis    (the crisis team's queue)
    Inbox      http://127.0.0.1:$API_PORT/inbox/ana-ruiz   (an expert's inbox; any expert id)
    API        http://127.0.0.1:$API_PORT          (try /v1/mentions, /v1/crisis-queue, /v1/stream)
    API docs   http://127.0.0.1:$API_PORT/docs     (OpenAPI: /openapi.json)
    Ingest     http://127.0.0.1:$INGEST_PORT          (POST /v1/mentions)
    Sources    http://127.0.0.1:$API_PORT/v1/sources   (the demo's RSS feed and Mastodon #skylark, served on :$DEMO_SOURCES_PORT
               and read by Chorus's own connectors; health at /v1/sources/demo-social/status)
${CONFIGURED}
    Metrics    /metrics on :$API_PORT :$INGEST_PORT :$CLASSIFY_PORT (classify) :$ROUTER_PORT (router)
    Kafka      127.0.0.1:9092    Elasticsearch http://127.0.0.1:9200
    Logs       $LOG_DIR
    Login      ${LOGIN_NOTE}

  Stop everything with: npm stop

MSG
