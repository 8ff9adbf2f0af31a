#!/usr/bin/env bash
# Installs, starts, health-checks and stops a single-node Kafka (KRaft) and Elasticsearch on loopback,
# without Docker. Downloads are cached outside the repo; every command is idempotent.
#
#   deploy/stack.sh install   download Kafka and Elasticsearch into the cache (once)
#   deploy/stack.sh start     install if needed, start both, wait until healthy
#   deploy/stack.sh status    print what runs; exit 0 only when both are healthy
#   deploy/stack.sh stop      stop both (data is kept)
#   deploy/stack.sh reset     stop and delete the data
#   deploy/stack.sh logs      print where the logs are
#   deploy/stack.sh kafka-stop | kafka-start | es-stop | es-start   one server alone (the fault suite's outages)
#
# Settings (environment): CHORUS_CACHE (default ~/.cache/chorus), CHORUS_STATE (data, logs and pid files; default
# $CHORUS_CACHE/state), KAFKA_VERSION, ES_VERSION, KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), ES_PORT (9200),
# ES_HEAP (1g), KAFKA_HEAP (512m), JAVA_HOME.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CHORUS_CACHE:-$HOME/.cache/chorus}"
STATE="${CHORUS_STATE:-$CACHE/state}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
ES_VERSION="${ES_VERSION:-8.19.21}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
ES_PORT="${ES_PORT:-9200}"
ES_HEAP="${ES_HEAP:-1g}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
ES_USER="${CHORUS_ES_USER:-chorus-es}"

KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
ES_HOME="$CACHE/elasticsearch-$ES_VERSION"
KAFKA_DATA="$STATE/kafka-data"
ES_DATA="$STATE/es-data"
LOGS="$STATE/logs"
KAFKA_PID="$STATE/kafka.pid"
ES_PID="$STATE/elasticsearch.pid"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

find_java() {
  # Kafka 4 and Elasticsearch 8 both run on Java 17+.
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME"; return; fi
  local j
  j="$(command -v java || true)"
  [[ -n "$j" ]] || die "no Java found: install OpenJDK 17 or newer, or set JAVA_HOME"
  dirname "$(dirname "$(readlink -f "$j")")"
}

# --- install -------------------------------------------------------------------------------------------------
install_kafka() {
  [[ -f "$KAFKA_HOME/.complete" ]] && return
  command -v mvn >/dev/null || die "Maven (mvn) is needed once to download Kafka from Maven Central"
  log "downloading Kafka $KAFKA_VERSION into $KAFKA_HOME (once)"
  rm -rf "$KAFKA_HOME.tmp" && mkdir -p "$KAFKA_HOME.tmp"
  mvn -B -q --no-transfer-progress -Dstyle.color=never -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME.tmp/libs" >&2
  cp "$HERE/kafka/log4j2.yaml" "$KAFKA_HOME.tmp/log4j2.yaml"
  touch "$KAFKA_HOME.tmp/.complete"
  rm -rf "$KAFKA_HOME" && mv "$KAFKA_HOME.tmp" "$KAFKA_HOME"
}

install_es() {
  [[ -f "$ES_HOME/.complete" ]] && return
  command -v mvn >/dev/null || die "Maven (mvn) is needed once to download Elasticsearch from Maven Central"
  command -v unzip >/dev/null || die "unzip is needed once to unpack Elasticsearch"
  log "downloading Elasticsearch $ES_VERSION into $ES_HOME (once)"
  local tmp="$CACHE/es-download"
  rm -rf "$tmp" && mkdir -p "$tmp"
  mvn -B -q --no-transfer-progress -Dstyle.color=never dependency:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$tmp" >&2
  unzip -q "$tmp/elasticsearch-$ES_VERSION.zip" -d "$tmp"
  rm -rf "$ES_HOME" && mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmp"
  touch "$ES_HOME/.complete"
}

# --- helpers -------------------------------------------------------------------------------------------------
pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_taken() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

es_healthy() { curl -fsS "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; }

kafka_healthy() {
  # A broker that accepts connections on its client port and has written its pid is up; the services' admin
  # clients do the protocol-level check (this machine has no Kafka CLI on the classpath).
  pid_alive "$KAFKA_PID" && (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null
}

wait_for() { # name, seconds, check-fn, logfile
  local name="$1" secs="$2" check="$3" logf="$4" i
  for ((i = 0; i < secs * 2; i++)); do
    if "$check"; then log "$name is up"; return 0; fi
    sleep 0.5
  done
  tail -n 40 "$logf" >&2 || true
  die "$name did not become healthy within ${secs}s; log: $logf"
}

# --- Kafka ---------------------------------------------------------------------------------------------------
start_kafka() {
  if pid_alive "$KAFKA_PID"; then log "Kafka already running (pid $(cat "$KAFKA_PID"))"; return; fi
  rm -f "$KAFKA_PID" # stale pid file
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_taken "$p" && die "port $p is already taken by another process (not a Kafka this script started): stop it or set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
  done
  install_kafka
  local java; java="$(find_java)"
  mkdir -p "$KAFKA_DATA" "$LOGS"
  local props="$STATE/kafka.properties"
  sed -e "s#@DATA@#$KAFKA_DATA#" -e "s#@PORT@#$KAFKA_PORT#" -e "s#@CPORT@#$KAFKA_CONTROLLER_PORT#" \
    "$HERE/kafka/server.properties" >"$props"
  if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
    local id
    id="$("$java/bin/java" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    "$java/bin/java" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.yaml" -Dkafka.logs.dir="$LOGS" \
      -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$id" -c "$props" >>"$LOGS/kafka-format.log" 2>&1 || die "formatting Kafka storage failed: $LOGS/kafka-format.log"
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  setsid nohup "$java/bin/java" "-Xmx$KAFKA_HEAP" "-Xms$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.yaml" -Dkafka.logs.dir="$LOGS" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$props" >>"$LOGS/kafka.out" 2>&1 &
  echo $! >"$KAFKA_PID"
}

# --- Elasticsearch -------------------------------------------------------------------------------------------
ensure_es_user() {
  # Elasticsearch refuses to run as root.
  [[ "$(id -u)" -eq 0 ]] || return 0
  id -u "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
  chown -R "$ES_USER" "$ES_HOME" "$ES_DATA" "$LOGS/elasticsearch"
  # The user must be able to reach its folders even when they sit under root's home.
  local d="$ES_HOME"
  while [[ "$d" != "/" ]]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
  d="$ES_DATA"
  while [[ "$d" != "/" ]]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
}

start_es() {
  if pid_alive "$ES_PID"; then log "Elasticsearch already running (pid $(cat "$ES_PID"))"; return; fi
  rm -f "$ES_PID"
  port_taken "$ES_PORT" && die "port $ES_PORT is already taken by another process (not an Elasticsearch this script started): stop it or set ES_PORT"
  install_es
  local java; java="$(find_java)"
  mkdir -p "$ES_DATA" "$LOGS/elasticsearch"
  ensure_es_user
  local run=()
  [[ "$(id -u)" -eq 0 ]] && run=(runuser -u "$ES_USER" --)
  log "starting Elasticsearch $ES_VERSION on 127.0.0.1:$ES_PORT"
  # setsid: the launcher, its CLI JVM and the server JVM share one process group that stop_one signals whole.
  ES_JAVA_HOME="$java" ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" ES_PATH_CONF="$ES_HOME/config" \
    setsid nohup "${run[@]}" "$ES_HOME/bin/elasticsearch" \
    -Ediscovery.type=single-node -Enetwork.host=127.0.0.1 -Ehttp.port="$ES_PORT" -Etransport.port=0 \
    -Expack.security.enabled=false -Expack.ml.enabled=false \
    -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Ecluster.name=chorus-local -Epath.data="$ES_DATA" -Epath.logs="$LOGS/elasticsearch" \
    -Eaction.destructive_requires_name=false \
    >>"$LOGS/elasticsearch.out" 2>&1 &
  echo $! >"$ES_PID"
}

stop_one() { # name, pidfile
  local name="$1" pidf="$2" pid i
  if ! pid_alive "$pidf"; then rm -f "$pidf"; log "$name not running"; return; fi
  pid="$(cat "$pidf")"
  log "stopping $name (pid $pid)"
  # Each server was started with setsid, so its pid is also its process group: signal the whole group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 -- "-$pid" 2>/dev/null; then
    log "$name did not stop in 30s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}

status() {
  local ok=0
  if kafka_healthy; then echo "kafka: up on 127.0.0.1:$KAFKA_PORT (pid $(cat "$KAFKA_PID"))"; else echo "kafka: down"; ok=1; fi
  if es_healthy; then echo "elasticsearch: up on http://127.0.0.1:$ES_PORT (pid $(cat "$ES_PID" 2>/dev/null || echo '?'))"; else echo "elasticsearch: down"; ok=1; fi
  echo "logs: $LOGS"
  return $ok
}

cmd="${1:-start}"
mkdir -p "$CACHE" "$STATE"
case "$cmd" in
  install) install_kafka; install_es ;;
  start)
    # Install both first so a missing download fails before anything is started.
    install_kafka; install_es
    start_kafka; start_es
    wait_for Kafka 90 kafka_healthy "$LOGS/kafka.out"
    wait_for Elasticsearch 180 es_healthy "$LOGS/elasticsearch.out"
    ;;
  stop) stop_one Elasticsearch "$ES_PID"; stop_one Kafka "$KAFKA_PID" ;;
  reset)
    stop_one Elasticsearch "$ES_PID"; stop_one Kafka "$KAFKA_PID"
    rm -rf "$KAFKA_DATA" "$ES_DATA" "$STATE/kafka.properties"
    log "data deleted"
    ;;
  status) status ;;
  logs) echo "$LOGS" ;;
  # One server at a time, for the fault suite (npm run chaos): an outage of Kafka or Elasticsearch under load.
  kafka-stop) stop_one Kafka "$KAFKA_PID" ;;
  kafka-start) start_kafka; wait_for Kafka 90 kafka_healthy "$LOGS/kafka.out" ;;
  es-stop) stop_one Elasticsearch "$ES_PID" ;;
  es-start) start_es; wait_for Elasticsearch 180 es_healthy "$LOGS/elasticsearch.out" ;;
  *) die "unknown command '$cmd' (install | start | status | stop | reset | logs | kafka-stop | kafka-start | es-stop | es-start)" ;;
esac
