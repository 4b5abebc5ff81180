#!/usr/bin/env bash
# Runs every test: the Rust workspace tests, the SDK conformance suites against live gateways (Python,
# then Node.js beside Go), the deployment template's lint, and the Lambda path (cargo lambda watch
# behind the gateway's proxy mode).
# Usage: infra/local/test.sh          (CI runs exactly this)
# Needs java, node and npm, go, python3, cargo; installs Debian's chromium and chromium-driver when
# missing (the dashboard's browser test). Caches go to <repo>/.cache/.
#
# Stages overlap where one waits while the other works: the installs (network, disk) beside the
# build (CPU); the Rust tests beside the conformance suite (both spend much of their time waiting on
# DynamoDB Local and the gateways). The conformance suite runs in CONFORMANCE_WORKERS pytest-xdist
# workers (default 3), each with a gateway and a table of its own (tests/conformance/conftest.py).
# At the end, one line per stage says how long it took, then the total.

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

stop_on_exit

cd "$REPO_ROOT"

mkdir -p "$RUN_DIR"
stages_init
# Temporary files (pip's, the Rust tests', pytest's) inside the repository too.
rm -rf "$RUN_DIR/tmp"
mkdir -p "$RUN_DIR/tmp"
export TMPDIR="$RUN_DIR/tmp"

# A build from scratch, as on a fresh clone: no incremental state (nothing to reuse it) and no
# debug info (a test's failure names its file and line all the same). Both save CPU that the
# stages beside the build want. Every cargo command below, `cargo lambda watch`'s too, builds so.
export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=false

WORKERS="${CONFORMANCE_WORKERS:-3}"
[[ "$WORKERS" =~ ^[1-9][0-9]?$ ]] || die "CONFORMANCE_WORKERS must be a number from 1 to 99, not '$WORKERS'"
WORLD="$REPO_ROOT/infra/worlds/reference.json"
rm -f "$RUN_DIR"/usage-*.log

# The three venvs and the browser, side by side (each installs into its own directory), at a
# lower priority than the build beside them: the build is on the way to every test, the installs
# only to the suites, which wait for the build anyway.
install_everything() {
  local pids=() pid rc=0
  renice -n 10 -p "$BASHPID" >/dev/null
  ensure_venv &
  pids+=("$!")
  ensure_tools &
  pids+=("$!")
  ensure_tccli &
  pids+=("$!")
  ensure_chromium &
  pids+=("$!")
  # The Node.js SDKs (npm ci).
  tests/node/run.sh --install &
  pids+=("$!")
  for pid in "${pids[@]}"; do
    wait "$pid" || rc=1
  done
  return "$rc"
}

# Every binary (the gateway and `world` for the conformance suite, the functions for the Lambda path)
# and every test target, in one go.
build_everything() {
  cargo build --workspace --bins
  cargo test --workspace --no-run
}

# The Go modules, downloaded, and the Go suite compiled: about a CPU-minute and a half, wanted
# only by the Node.js and Go stage, so at the installs' priority and waited for only there.
go_install() {
  renice -n 10 -p "$BASHPID" >/dev/null
  tests/go/run.sh --install
}

bg_stage INSTALL_PID "install: venvs, chromium, Node.js SDKs (beside build)" install_everything
bg_stage GO_INSTALL_PID "install: Go modules, the Go suite compiled (beside build and conformance)" go_install
bg_stage BUILD_PID "build: cargo build --bins, cargo test --no-run" build_everything

stage_begin "DynamoDB Local: fetch, start (beside build)"
# The suites keep DynamoDB Local busy for minutes: the JVM's full JIT pays for its warm-up many
# times over (with it the conformance stage took about a third less time than with the quick-start
# default, on the same machine).
DDB_JAVA_OPTS="${DDB_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseSerialGC}" start_local_store
stage_end

stage_wait "$INSTALL_PID" "installing"
ensure_tools # PATH: cargo-lambda, cfn-lint (installed above)
stage_wait "$BUILD_PID" "the build"

# ------------------------------------------------------------- conformance gateways --

stage_begin "gateways: $WORKERS for conformance, 2 for Node.js and Go, world loaded"
ENDPOINTS=()
TABLES=()
GATEWAY_LOGS=()
# new_port VAR: a free port, none handed out before by this script, into VAR.
PORTS=()
new_port() {
  local candidate
  while :; do
    candidate="$(free_port)"
    if [[ " ${PORTS[*]} " != *" $candidate "* ]]; then
      PORTS+=("$candidate")
      printf -v "$1" '%s' "$candidate"
      return 0
    fi
  done
}
GATEWAY_PIDS=()
# start_gateway TABLE LOG: a gateway with the control plane on a fresh port and TABLE (the
# reference world loaded into it), logging to LOG; it joins ENDPOINTS, TABLES, GATEWAY_LOGS.
start_gateway() {
  local table="$1" logf="$2" port pid
  new_port port
  EMULATOR_USAGE_LOG="$RUN_DIR/usage-$table.log" \
    "$REPO_ROOT/target/debug/gateway" --port "$port" --table "$table" --control-plane \
    --tls-dir "$CACHE_DIR/tls" --world "$WORLD" >"$logf" 2>&1 </dev/null &
  pid=$!
  STOP_PIDS+=("$pid")
  GATEWAY_PIDS+=("$pid")
  ENDPOINTS+=("127.0.0.1:$port")
  TABLES+=("$table")
  GATEWAY_LOGS+=("$logf")
}
for ((k = 0; k < WORKERS; k++)); do
  start_gateway "conformance-$k" "$RUN_DIR/gateway-$k.log"
  # The first one makes the local CA in .cache/tls when it is not there yet; the others use it.
  if ((k == 0)); then
    wait_for_port "${ENDPOINTS[0]#127.0.0.1:}" "${GATEWAY_PIDS[0]}" 60 "${GATEWAY_LOGS[0]}" \
      || die "the conformance gateway did not start"
  fi
done
# And one each for the Node.js and Go suites, which run after the Python one.
start_gateway "sdk-node" "$RUN_DIR/gateway-node.log"
start_gateway "sdk-go" "$RUN_DIR/gateway-go.log"
for ((k = 1; k < ${#ENDPOINTS[@]}; k++)); do
  wait_for_port "${ENDPOINTS[$k]#127.0.0.1:}" "${GATEWAY_PIDS[$k]}" 60 "${GATEWAY_LOGS[$k]}" \
    || die "the gateway on ${TABLES[$k]} did not start"
done
log "gateways: ${ENDPOINTS[*]} (tables ${TABLES[*]}; logs $RUN_DIR/gateway-*.log)"
GATEWAY_CA="$CACHE_DIR/tls/ca.pem"
trust_ca_for_tccli "$GATEWAY_CA"
stage_end

# ------------------------------------------- Rust tests beside the conformance suite --

# Every Rust test but one runs beside the conformance suite. The outage test kills and restarts a
# DynamoDB Local of its own and wants it back within seconds; a JVM starting on a machine busy with
# the suite can take longer than that, so it runs once the other tests are done, beside only the
# light Lambda path (the name filter skips it here; renamed, it would merely run twice).
OUTAGE_TEST="a_store_that_dies_and_comes_back"
# Then the integration suite again with speculation off (EMULATOR_SPECULATION=off: every request
# reads before it writes): its answers must be the same. The tests that count what speculation
# saves switch it on for their own gateways.
#
# The test binaries built above run directly, each from its package's directory as cargo runs
# it, not through `cargo test`: cargo would hold the build directory's lock for as long as they
# run, and `cargo lambda watch` (the Lambda path, later) must take it to start each function.
test_binaries() {
  cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(os.path.dirname(m["manifest_path"]), m["target"]["name"], m["executable"])'
}
rust_tests() {
  local dir name exe others=() integration="" shorter=() count=0
  while read -r dir name exe; do
    count=$((count + 1))
    case "$name" in
      integration) integration="$dir $exe" ;;
      # After the integration suite, in its lane: the memory bound's test (a gateway process of
      # its own) and the property tests, so that the two lanes take about as long.
      memory_bound | robustness) shorter+=("$dir $exe") ;;
      *) others+=("$dir $exe") ;;
    esac
  done < <(test_binaries)
  ((count > 0)) || die "no test binary was found"
  [[ -n "$integration" ]] || die "the integration test binary was not found"
  echo "$integration" >"$RUN_DIR/integration-binary"
  # Two lanes of about the same length: the integration suite, which mostly waits on DynamoDB
  # Local, then the memory bound's test and the property tests; beside them the other binaries
  # (the fuzz targets and the unit tests), then the integration suite again with speculation off.
  # Each process records its own usage log (two processes appending to one file could interleave).
  ((${#shorter[@]} == 2)) || die "the memory bound's or the property tests' binary was not found"
  (
    read -r dir exe <<<"$integration"
    (cd "$dir" && EMULATOR_USAGE_LOG="$RUN_DIR/usage-rust.log" "$exe" --skip "$OUTAGE_TEST")
    for entry in "${shorter[@]}"; do
      read -r dir exe <<<"$entry"
      (cd "$dir" && EMULATOR_USAGE_LOG="$RUN_DIR/usage-rust-shorter.log" "$exe")
    done
  ) &
  local lane=$! rc=0
  for entry in "${others[@]}"; do
    read -r dir exe <<<"$entry"
    (cd "$dir" && EMULATOR_USAGE_LOG="$RUN_DIR/usage-rust-others.log" "$exe" --skip "$OUTAGE_TEST") || rc=$?
    ((rc == 0)) || break
  done
  if ((rc == 0)); then
    read -r dir exe <<<"$integration"
    (cd "$dir" && EMULATOR_USAGE_LOG="$RUN_DIR/usage-rust-off.log" EMULATOR_SPECULATION=off \
      "$exe" --skip "$OUTAGE_TEST") || rc=$?
  fi
  wait "$lane" || rc=$?
  return "$rc"
}
bg_stage CARGO_TEST_PID "cargo test, all but one: the integration suite, the memory bound and the property tests beside the other binaries, then the integration suite with speculation off (beside conformance)" \
  rust_tests

stage_begin "conformance: $WORKERS workers (beside cargo test)"
joined() {
  local IFS=,
  echo "$*"
}
# HOME and pytest's temporary files inside the repository: nothing the suite or the SDKs read
# comes from outside it.
mkdir -p "$RUN_DIR/home"
rc=0
HOME="$RUN_DIR/home" \
  GATEWAY_ENDPOINTS="$(joined "${ENDPOINTS[@]:0:WORKERS}")" \
  GATEWAY_TABLES="$(joined "${TABLES[@]:0:WORKERS}")" \
  GATEWAY_CA="$GATEWAY_CA" \
  TCCLI_BIN="$TCCLI_DIR/bin/tccli" \
  GATEWAY_BIN="$REPO_ROOT/target/debug/gateway" \
  DYNAMODB_ENDPOINT="$DYNAMODB_ENDPOINT" \
  "$VENV_DIR/bin/python" -m pytest -q -p no:cacheprovider -n "$WORKERS" \
  --basetemp "$RUN_DIR/pytest" tests/conformance || rc=$?
if [[ "$rc" -eq 5 ]]; then
  die "pytest collected no tests in tests/conformance"
elif [[ "$rc" -ne 0 ]]; then
  log "conformance suite failed (pytest exit $rc); gateway logs: $RUN_DIR/gateway-*.log"
  for logf in "${GATEWAY_LOGS[@]}"; do
    log "last lines of $logf:"
    tail -n 20 "$logf" >&2 || true
  done
  exit "$rc"
fi
stage_end

# Node.js and Go side by side, each on its gateway (each moves its gateway's virtual clock).
stage_wait "$GO_INSTALL_PID" "installing the Go modules"
stage_begin "Node.js and Go SDKs, side by side"
GATEWAY_ENDPOINT="${ENDPOINTS[WORKERS]}" tests/node/run.sh &
NODE_PID=$!
GATEWAY_ENDPOINT="${ENDPOINTS[WORKERS + 1]}" tests/go/run.sh &
GO_PID=$!
rc=0
wait "$NODE_PID" || { rc=$?; log "the Node.js suite failed; gateway log: ${GATEWAY_LOGS[WORKERS]}"; }
wait "$GO_PID" || { rc=$?; log "the Go suite failed; gateway log: ${GATEWAY_LOGS[WORKERS + 1]}"; }
[[ "$rc" -eq 0 ]] || exit "$rc"
stage_end

stage_begin "after them: no secret in the logs, world verify"
"$VENV_DIR/bin/python" - "$WORLD" "${GATEWAY_LOGS[@]}" <<'PY'
import json, sys
world = json.load(open(sys.argv[1], encoding="utf-8"))
secrets = [c["secret"] for a in world["accounts"] for c in a["credentials"]]
lines = 0
for path in sys.argv[2:]:
    log = open(path, encoding="utf-8", errors="replace").read()
    if not log.strip():
        sys.exit("the gateway log %s is empty: nothing was checked" % path)
    leaked = [s for s in secrets if s in log]
    if leaked:
        sys.exit("secrets found in the gateway log %s: %d" % (path, len(leaked)))
    lines += log.count("\n")
print("checked %d secrets against %d lines of %d gateway logs: none found" % (len(secrets), lines, len(sys.argv) - 2))
PY
for table in "${TABLES[@]}"; do
  "$REPO_ROOT/target/debug/world" verify --table "$table"
done
stage_end

stage_begin "cfn-lint infra/template.yaml"
cfn-lint infra/template.yaml
stage_end

stage_wait "$CARGO_TEST_PID" "cargo test --workspace"

# Every suite recorded (EMULATOR_USAGE_LOG) which table actions and index queries each function's
# code used; the template must grant each function exactly those.
stage_begin "what the suites used: the template's privileges, the SDK suites' reach"
USAGE_FILES=("$RUN_DIR/usage-rust.log" "$RUN_DIR/usage-rust-off.log")
# The binaries beside the integration suite record only what their tests reach of the store.
for extra in others shorter; do
  if [[ -f "$RUN_DIR/usage-rust-$extra.log" ]]; then
    USAGE_FILES+=("$RUN_DIR/usage-rust-$extra.log")
  fi
done
for table in "${TABLES[@]}"; do
  USAGE_FILES+=("$RUN_DIR/usage-$table.log")
done
USAGE_LOGS="$(IFS=:; echo "${USAGE_FILES[*]}")"
# The integration binary built above, run from its package's directory as cargo runs it.
read -r INTEGRATION_DIR INTEGRATION_EXE <"$RUN_DIR/integration-binary"
integration() {
  (cd "$INTEGRATION_DIR" && "$INTEGRATION_EXE" "$@")
}
USAGE_LOGS="$USAGE_LOGS" integration --ignored --exact infra_routes::each_function_is_granted_what_its_code_used
# And each SDK suite had a success of every action it claims to reach (the README's table).
python_logs=()
for ((k = 0; k < WORKERS; k++)); do
  python_logs+=("$RUN_DIR/usage-${TABLES[k]}.log")
done
SUITE_LOGS="python=$(IFS=,; echo "${python_logs[*]}");node=$RUN_DIR/usage-sdk-node.log;go=$RUN_DIR/usage-sdk-go.log" \
  integration --ignored --exact infra_routes::each_sdk_suite_reaches_every_action_it_claims
stage_end

# The Lambda path, once the Rust tests are done (`cargo lambda watch` starts each function with
# `cargo run`, which on a machine busy with the test lanes queued on cargo's locks), and without
# reloading (see start_lambda_watch). The outage test runs beside it: it mostly waits for its own
# DynamoDB Local to come back, and the Lambda path is light.
bg_stage OUTAGE_PID "cargo test: the outage test (beside the Lambda path)" integration "$OUTAGE_TEST"
stage_begin "Lambda path: cargo lambda watch, proxy gateway"
LAMBDA_TABLE="lambda-path"
"$REPO_ROOT/target/debug/world" load "$WORLD" --table "$LAMBDA_TABLE"
new_port WATCH_PORT
start_lambda_watch "$WATCH_PORT" "$LAMBDA_TABLE" no-reload
new_port PROXY_PORT
PROXY_LOG="$RUN_DIR/gateway-proxy.log"
"$REPO_ROOT/target/debug/gateway" --port "$PROXY_PORT" --table "$LAMBDA_TABLE" --control-plane \
  --proxy "http://127.0.0.1:$WATCH_PORT" >"$PROXY_LOG" 2>&1 </dev/null &
PROXY_PID=$!
STOP_PIDS+=("$PROXY_PID")
wait_for_port "$PROXY_PORT" "$PROXY_PID" 60 "$PROXY_LOG" || die "the proxy gateway did not start"
rc=0
HOME="$RUN_DIR/home" PROXY_ENDPOINT="127.0.0.1:$PROXY_PORT" WATCH_ENDPOINT="127.0.0.1:$WATCH_PORT" \
  "$VENV_DIR/bin/python" -m pytest -q -p no:cacheprovider --basetemp "$RUN_DIR/pytest-lambda" \
  tests/lambda || rc=$?
if [[ "$rc" -ne 0 ]]; then
  log "Lambda path failed (pytest exit $rc); logs: $PROXY_LOG, $RUN_DIR/watch-$WATCH_PORT.log"
  tail -n 40 "$RUN_DIR/watch-$WATCH_PORT.log" >&2 || true
  exit "$rc"
fi
stage_end
stage_wait "$OUTAGE_PID" "the outage test"

log "all tests passed"
