#!/usr/bin/env bash
# Plaza: run a real single-node Apache Kafka broker (KRaft, broker+controller)
# straight from the Maven Central jars. No Docker, no Kafka tarball.
#
#   bash infra/kafka.sh start|stop|status|restart
#
# State lives in ${PLAZA_HOME:-<repo>/.plaza}/kafka/:
#   libs/               Kafka jars (fetched once with Maven; .kafka-version marker)
#   data/               KRaft metadata + topic data (log.dirs)
#   logs/server.log     broker log (log4j); logs/kafka.out: JVM stdout/stderr
#   kafka.pid           pid of the broker this script started
#   server.properties   rendered from infra/kafka/server.properties.template
#
# Env: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_CONTROLLER_PORT (9093),
#      KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_START_TIMEOUT (60 s),
#      PLAZA_HOME, JAVA_HOME (optional).
set -euo pipefail

KAFKA_VERSION="3.9.1" # pinned; must match <kafka.version> in infra/kafka/pom.xml
SCALA_VERSION="2.13"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
INFRA_KAFKA="$SCRIPT_DIR/kafka"
POM="$INFRA_KAFKA/pom.xml"
TEMPLATE="$INFRA_KAFKA/server.properties.template"
LOG4J="$INFRA_KAFKA/log4j.properties"
READY="$INFRA_KAFKA/ready.mjs"

PLAZA_HOME="${PLAZA_HOME:-$REPO_ROOT/.plaza}"
case "$PLAZA_HOME" in /*) ;; *) PLAZA_HOME="$PWD/$PLAZA_HOME" ;; esac
KAFKA_HOME="$PLAZA_HOME/kafka"
LIBS_DIR="$KAFKA_HOME/libs"
DATA_DIR="$KAFKA_HOME/data"
LOGS_DIR="$KAFKA_HOME/logs"
PID_FILE="$KAFKA_HOME/kafka.pid"
PROPS_FILE="$KAFKA_HOME/server.properties"
VERSION_MARKER="$LIBS_DIR/.kafka-version"
KAFKA_JAR="kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar"

export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT=20

say() { echo "kafka: $*"; }
# One clear line on stderr, then exit non-zero.
die() {
  echo "kafka: ERROR: $*" >&2
  exit 1
}

now() {
  local t="${EPOCHREALTIME:-$(date +%s)}"
  echo "${t/,/.}"
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# --- the local listener, derived from the first entry of KAFKA_BROKERS --------
FIRST_BROKER="${KAFKA_BROKERS%%,*}"
FIRST_BROKER="${FIRST_BROKER// /}"
BROKER_HOST="${FIRST_BROKER%:*}"
BROKER_PORT="${FIRST_BROKER##*:}"
LOCAL_HOST="127.0.0.1"
case "$BROKER_HOST" in
  127.0.0.1 | localhost) IS_LOCAL=1 ;;
  *) IS_LOCAL=0 ;;
esac
[[ "$BROKER_PORT" =~ ^[0-9]+$ ]] || BROKER_PORT=9092

# --- helpers -------------------------------------------------------------------
need_node() {
  command -v node >/dev/null 2>&1 ||
    die "node not found on PATH: install Node.js 20 (needed for the readiness check with kafkajs)"
}

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    return 1
  fi
}

# 0 when a broker in KAFKA_BROKERS answers describeCluster(); 1 otherwise.
broker_ready() {
  local rc=0
  node "$READY" || rc=$?
  if [ "$rc" -eq 3 ]; then exit 1; fi # kafkajs missing: ready.mjs printed the fix
  return "$rc"
}

# 0 when something accepts TCP connections on host:port.
port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

port_holder() {
  local port="$1" line=""
  if command -v ss >/dev/null 2>&1; then
    line="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 || true)"
  fi
  echo "${line:-unknown process}"
}

cmdline_of() {
  local pid="$1"
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true
  else
    ps -o args= -p "$pid" 2>/dev/null || true
  fi
}

# 0 when pid exists and is not a zombie (a killed JVM may linger as one).
pid_alive() {
  local pid="$1" state=""
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/stat" ]; then
    state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  else
    state="$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1 || true)"
  fi
  [ "$state" != "Z" ]
}

# 0 when pid is a live java kafka.Kafka process started with OUR server.properties.
pid_is_ours() {
  local pid="$1" cmd
  pid_alive "$pid" || return 1
  cmd="$(cmdline_of "$pid")"
  [[ "$cmd" == *java* && "$cmd" == *kafka.Kafka* && "$cmd" == *"$PROPS_FILE"* ]]
}

# Prints the pid of the broker this project started, if any, and repairs the
# pid file. Reports (once) a stale pid file. Returns 1 when none is running.
find_running_pid() {
  local pid="" p f
  if [ -f "$PID_FILE" ]; then
    pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
    if pid_is_ours "$pid"; then
      echo "$pid"
      return 0
    fi
    if pid_alive "$pid" && [ -n "$(cmdline_of "$pid" | tr -d '[:space:]')" ]; then
      say "stale pid file: pid $pid is now another program, not this project's Kafka broker; removing $PID_FILE" >&2
    else
      say "stale pid file: process ${pid:-?} is gone (crash or reboot); removing $PID_FILE" >&2
    fi
    rm -f "$PID_FILE"
  fi
  # Pid file lost but our broker still running? Look for its exact command line.
  if [ -d /proc ]; then
    for f in $(grep -l -a -F -- "$PROPS_FILE" /proc/[0-9]*/cmdline 2>/dev/null || true); do
      p="${f#/proc/}"
      p="${p%/cmdline}"
      if pid_is_ours "$p"; then
        echo "$p" >"$PID_FILE"
        say "found running broker pid $p without a pid file; pid file rewritten" >&2
        echo "$p"
        return 0
      fi
    done
  fi
  return 1
}

rss_of() {
  awk '/^VmRSS:/ { printf "%d MB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "? MB"
}

take_lock() {
  mkdir -p "$KAFKA_HOME"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$KAFKA_HOME/.lock"
    flock -w 180 9 || die "another infra/kafka.sh is still running (lock $KAFKA_HOME/.lock held for 180 s)"
  fi
}

# Size of server.log when the broker was launched: the tail shown on failure
# only covers this run (0 = whole file, e.g. after the log rolled).
LOG_OFFSET=0
log_size() { wc -c <"$LOGS_DIR/server.log" 2>/dev/null | tr -d ' ' || echo 0; }

show_log_tail() {
  local size
  size="$(log_size)"
  [ "${size:-0}" -ge "$LOG_OFFSET" ] || LOG_OFFSET=0
  if [ "${size:-0}" -gt "$LOG_OFFSET" ]; then
    echo "----- last 30 lines of $LOGS_DIR/server.log (this run) -----" >&2
    tail -c +"$((LOG_OFFSET + 1))" "$LOGS_DIR/server.log" | tail -n 30 >&2
  else
    echo "----- $LOGS_DIR/server.log: nothing written by this run -----" >&2
  fi
  if [ -s "$LOGS_DIR/kafka.out" ]; then
    echo "----- last 10 lines of $LOGS_DIR/kafka.out (JVM stdout/stderr) -----" >&2
    tail -n 10 "$LOGS_DIR/kafka.out" >&2
  fi
  echo "-----" >&2
}

# --- steps ---------------------------------------------------------------------
fetch_jars() {
  local pom_version t0 tmp n
  pom_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
  [ "$pom_version" = "$KAFKA_VERSION" ] ||
    die "version mismatch: infra/kafka.sh pins Kafka $KAFKA_VERSION but $POM has '$pom_version'; make them equal"

  if [ -f "$LIBS_DIR/$KAFKA_JAR" ] && [ "$(cat "$VERSION_MARKER" 2>/dev/null)" = "$KAFKA_VERSION" ]; then
    n="$(find "$LIBS_DIR" -maxdepth 1 -name '*.jar' | wc -l | tr -d ' ')"
    say "jars present: Kafka $KAFKA_VERSION ($n jars in $LIBS_DIR)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    die "Maven (mvn) not found: it is needed once to fetch the Kafka $KAFKA_VERSION jars from Maven Central; install it (apt-get install maven)"

  say "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR ..."
  t0="$(now)"
  rm -rf "$KAFKA_HOME"/libs.tmp.*
  tmp="$KAFKA_HOME/libs.tmp.$$"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$LOGS_DIR/maven-fetch.log" 2>&1 9>&-; then
    tail -n 20 "$LOGS_DIR/maven-fetch.log" >&2 || true
    rm -rf "$tmp"
    die "Maven could not fetch the Kafka jars (full output: $LOGS_DIR/maven-fetch.log); check access to Maven Central (proxy: ~/.m2/settings.xml)"
  fi
  [ -f "$tmp/$KAFKA_JAR" ] || {
    rm -rf "$tmp"
    die "Maven finished but $KAFKA_JAR is missing from its output; see $LOGS_DIR/maven-fetch.log"
  }
  echo "$KAFKA_VERSION" >"$tmp/.kafka-version"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  n="$(find "$LIBS_DIR" -maxdepth 1 -name '*.jar' | wc -l | tr -d ' ')"
  say "fetched $n jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $(elapsed "$t0")"
}

render_properties() {
  local tpl
  tpl="$(<"$TEMPLATE")"
  # Quoted replacements: '&' in paths stays literal (bash 5.2 patsub_replacement).
  tpl="${tpl//@KAFKA_HOST@/"$LOCAL_HOST"}"
  tpl="${tpl//@KAFKA_PORT@/"$BROKER_PORT"}"
  tpl="${tpl//@CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}"
  tpl="${tpl//@DATA_DIR@/"$DATA_DIR"}"
  printf '%s\n' "$tpl" >"$PROPS_FILE.tmp"
  mv "$PROPS_FILE.tmp" "$PROPS_FILE"
  say "config rendered: $PROPS_FILE (listener $LOCAL_HOST:$BROKER_PORT, controller $LOCAL_HOST:$KAFKA_CONTROLLER_PORT)"
}

format_storage() {
  local java="$1" cid t0
  if [ -f "$DATA_DIR/meta.properties" ]; then
    cid="$(sed -n 's/^cluster\.id=//p' "$DATA_DIR/meta.properties" | head -n1)"
    say "storage already formatted (cluster id ${cid:-?})"
    return 0
  fi
  say "formatting KRaft storage in $DATA_DIR ..."
  t0="$(now)"
  mkdir -p "$DATA_DIR"
  cid="$("$java" -Dkafka.logs.dir="$LOGS_DIR" -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIBS_DIR/*" kafka.tools.StorageTool random-uuid 2>>"$LOGS_DIR/storage-format.log" 9>&- | tail -n1 | tr -d '[:space:]')" || true
  [[ "$cid" =~ ^[A-Za-z0-9_-]{22}$ ]] ||
    die "could not generate a cluster id with kafka.tools.StorageTool (got '$cid'); see $LOGS_DIR/storage-format.log"
  if ! "$java" -Dkafka.logs.dir="$LOGS_DIR" -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIBS_DIR/*" kafka.tools.StorageTool format -t "$cid" -c "$PROPS_FILE" --ignore-formatted \
    >>"$LOGS_DIR/storage-format.log" 2>&1 9>&-; then
    tail -n 20 "$LOGS_DIR/storage-format.log" >&2 || true
    die "kafka.tools.StorageTool format failed for $DATA_DIR (output in $LOGS_DIR/storage-format.log)"
  fi
  cid="$(sed -n 's/^cluster\.id=//p' "$DATA_DIR/meta.properties" | head -n1)"
  say "storage formatted (cluster id $cid) in $(elapsed "$t0")"
}

# Wait until the broker (pid $1) answers; started at time $2.
wait_ready() {
  local pid="$1" t0="$2" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  say "waiting for the broker (pid $pid) to answer at $KAFKA_BROKERS (up to ${KAFKA_START_TIMEOUT}s) ..."
  while :; do
    if broker_ready; then
      say "ready at $KAFKA_BROKERS in $(elapsed "$t0") (pid $pid, RSS $(rss_of "$pid"))"
      return 0
    fi
    if ! pid_is_ours "$pid"; then
      rm -f "$PID_FILE"
      echo "kafka: ERROR: the broker process exited during startup; see $LOGS_DIR/server.log" >&2
      show_log_tail
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "kafka: ERROR: the broker did not answer at $KAFKA_BROKERS within ${KAFKA_START_TIMEOUT}s (raise KAFKA_START_TIMEOUT on slow machines); stopping it" >&2
      show_log_tail
      stop_pid "$pid" >&2
      exit 1
    fi
    sleep 0.5
  done
}

# SIGTERM, wait up to KAFKA_STOP_TIMEOUT, then SIGKILL.
stop_pid() {
  local pid="$1" t0 deadline
  t0="$(now)"
  say "stopping the broker (pid $pid, SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s for a clean shutdown) ..."
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while pid_is_ours "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.25; done
  if pid_is_ours "$pid"; then
    say "the broker did not exit within ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 5))
    while pid_is_ours "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if pid_is_ours "$pid"; then
      die "pid $pid survived SIGKILL; check it with: ps -p $pid -o pid,stat,args"
    fi
  fi
  rm -f "$PID_FILE"
  say "stopped in $(elapsed "$t0")"
}

# --- commands ------------------------------------------------------------------
cmd_start() {
  local pid java t0
  need_node
  take_lock
  mkdir -p "$LOGS_DIR"

  if pid="$(find_running_pid)"; then
    if broker_ready; then
      say "already running at $KAFKA_BROKERS (pid $pid, RSS $(rss_of "$pid")); nothing to do"
      return 0
    fi
    wait_ready "$pid" "$(now)"
    return 0
  fi
  if broker_ready; then
    say "already running: a broker answers at $KAFKA_BROKERS (not started by this script); nothing to do"
    return 0
  fi
  [ "$IS_LOCAL" -eq 1 ] ||
    die "KAFKA_BROKERS=$KAFKA_BROKERS does not answer and is not local (127.0.0.1/localhost), so this script cannot start it; start that broker, or unset KAFKA_BROKERS to run the local one"
  if port_open "$LOCAL_HOST" "$BROKER_PORT"; then
    die "port $BROKER_PORT on $LOCAL_HOST is held by something that does not answer as Kafka ($(port_holder "$BROKER_PORT")); stop it, or set KAFKA_BROKERS=127.0.0.1:<free port>"
  fi
  if port_open "$LOCAL_HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "controller port $KAFKA_CONTROLLER_PORT on $LOCAL_HOST is already in use ($(port_holder "$KAFKA_CONTROLLER_PORT")); stop that process or set KAFKA_CONTROLLER_PORT=<free port>"
  fi
  java="$(java_bin)" ||
    die "java not found: install Java 17 (apt-get install openjdk-17-jre-headless) or set JAVA_HOME"

  fetch_jars
  render_properties
  format_storage "$java"

  say "starting Kafka $KAFKA_VERSION (heap: $KAFKA_HEAP_OPTS, log: $LOGS_DIR/server.log) ..."
  t0="$(now)"
  LOG_OFFSET="$(log_size)"
  : >"$LOGS_DIR/kafka.out"
  local launcher=(nohup)
  command -v setsid >/dev/null 2>&1 && launcher+=(setsid)
  # shellcheck disable=SC2086 # the *_OPTS variables hold several JVM flags
  (
    cd "$KAFKA_HOME"
    exec "${launcher[@]}" "$java" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS \
      -Djava.awt.headless=true \
      -Dkafka.logs.dir="$LOGS_DIR" \
      -Dlog4j.configuration="file:$LOG4J" \
      -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE"
  ) >>"$LOGS_DIR/kafka.out" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  # nohup and setsid exec in place, so $! is the JVM; double-check by command line.
  sleep 0.3
  if ! pid_is_ours "$pid"; then
    if pid="$(find_running_pid 2>/dev/null)"; then :; else
      rm -f "$PID_FILE"
      echo "kafka: ERROR: the broker process exited right after launch; see $LOGS_DIR/kafka.out" >&2
      show_log_tail
      exit 1
    fi
  fi
  say "started pid $pid (pid file $PID_FILE)"
  wait_ready "$pid" "$t0"
}

cmd_stop() {
  local pid
  take_lock
  if pid="$(find_running_pid)"; then
    stop_pid "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  if command -v node >/dev/null 2>&1 && node "$READY" >/dev/null 2>&1; then
    say "not running (the broker answering at $KAFKA_BROKERS was not started by this script; left alone)"
  else
    say "not running; nothing to stop"
  fi
}

cmd_status() {
  local pid
  need_node
  if pid="$(find_running_pid)"; then
    if broker_ready; then
      say "running at $KAFKA_BROKERS (pid $pid, RSS $(rss_of "$pid"), data $DATA_DIR)"
      return 0
    fi
    say "process $pid is up but does not answer at $KAFKA_BROKERS yet (starting or unhealthy; see $LOGS_DIR/server.log)"
    return 1
  fi
  if broker_ready; then
    say "running at $KAFKA_BROKERS (external broker, not started by infra/kafka.sh)"
    return 0
  fi
  if [ "$IS_LOCAL" -eq 1 ] && port_open "$LOCAL_HOST" "$BROKER_PORT"; then
    say "not running; port $BROKER_PORT on $LOCAL_HOST is held by something that does not answer as Kafka ($(port_holder "$BROKER_PORT"))"
    return 1
  fi
  say "not running"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart)
    cmd_stop
    cmd_start
    ;;
  *)
    echo "usage: bash infra/kafka.sh start|stop|status|restart" >&2
    exit 2
    ;;
esac
