#!/usr/bin/env bash
# Runs every test: the Rust workspace tests, the SDK conformance suite against a live gateway, the
# deployment template's lint, and the Lambda path (cargo lambda watch behind the gateway's proxy mode).
# Usage: infra/local/test.sh          (CI runs exactly this)
# Needs java, npm (first run only), python3, cargo; installs Debian's chromium and chromium-driver when
# missing (the dashboard's browser test). Caches go to <repo>/.cache/.

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

stop_on_exit

cd "$REPO_ROOT"

mkdir -p "$RUN_DIR"
ensure_venv
ensure_tools
ensure_tccli
ensure_chromium
start_local_store

log "cargo test --workspace (DYNAMODB_ENDPOINT=$DYNAMODB_ENDPOINT)"
cargo test --workspace

log "cargo build --bin gateway --bin world"
cargo build --bin gateway --bin world

GATEWAY_PORT="$(free_port)"
GATEWAY_TABLE="conformance"
GATEWAY_LOG="$RUN_DIR/gateway.log"
log "starting the gateway on 127.0.0.1:$GATEWAY_PORT (table $GATEWAY_TABLE, log: $GATEWAY_LOG)"
"$REPO_ROOT/target/debug/gateway" --port "$GATEWAY_PORT" --table "$GATEWAY_TABLE" --control-plane \
  --tls-dir "$CACHE_DIR/tls" \
  --world "$REPO_ROOT/infra/worlds/reference.json" >"$GATEWAY_LOG" 2>&1 </dev/null &
GATEWAY_PID=$!
STOP_PIDS+=("$GATEWAY_PID")
wait_for_port "$GATEWAY_PORT" "$GATEWAY_PID" 60 "$GATEWAY_LOG" || die "the gateway did not start"

GATEWAY_CA="$CACHE_DIR/tls/ca.pem"
trust_ca_for_tccli "$GATEWAY_CA"

log "conformance suite (tests/conformance) against 127.0.0.1:$GATEWAY_PORT (http and https)"
rc=0
GATEWAY_ENDPOINT="127.0.0.1:$GATEWAY_PORT" \
  GATEWAY_CA="$GATEWAY_CA" \
  TCCLI_BIN="$TCCLI_DIR/bin/tccli" \
  GATEWAY_TABLE="$GATEWAY_TABLE" \
  WORLD_BIN="$REPO_ROOT/target/debug/world" \
  GATEWAY_BIN="$REPO_ROOT/target/debug/gateway" \
  DYNAMODB_ENDPOINT="$DYNAMODB_ENDPOINT" \
  "$VENV_DIR/bin/python" -m pytest -q -p no:cacheprovider tests/conformance || rc=$?
if [[ "$rc" -eq 5 ]]; then
  die "pytest collected no tests in tests/conformance"
elif [[ "$rc" -ne 0 ]]; then
  log "conformance suite failed (pytest exit $rc); gateway log: $GATEWAY_LOG"
  tail -n 40 "$GATEWAY_LOG" >&2 || true
  exit "$rc"
fi

log "no secret in the gateway's log of the suite (failures and refusals included)"
"$VENV_DIR/bin/python" - "$REPO_ROOT/infra/worlds/reference.json" "$GATEWAY_LOG" <<'PY'
import json, sys
world = json.load(open(sys.argv[1], encoding="utf-8"))
log = open(sys.argv[2], encoding="utf-8", errors="replace").read()
secrets = [c["secret"] for a in world["accounts"] for c in a["credentials"]]
leaked = [s for s in secrets if s in log]
if not log.strip():
    sys.exit("the gateway log is empty: nothing was checked")
if leaked:
    sys.exit("secrets found in the gateway log: %d" % len(leaked))
print("checked %d secrets against %d lines of log: none found" % (len(secrets), log.count("\n")))
PY

log "the conformance table keeps its invariants (world verify)"
"$REPO_ROOT/target/debug/world" verify --table "$GATEWAY_TABLE"

log "cfn-lint infra/template.yaml (SAM transform offline)"
cfn-lint infra/template.yaml

log "the Lambda path: cargo lambda watch behind the gateway in proxy mode"
LAMBDA_TABLE="lambda-path"
"$REPO_ROOT/target/debug/world" load "$REPO_ROOT/infra/worlds/reference.json" --table "$LAMBDA_TABLE"
cargo build --bins
WATCH_PORT="$(free_port)"
start_lambda_watch "$WATCH_PORT" "$LAMBDA_TABLE"
PROXY_PORT="$(free_port)"
PROXY_LOG="$RUN_DIR/gateway-proxy.log"
"$REPO_ROOT/target/debug/gateway" --port "$PROXY_PORT" --table "$LAMBDA_TABLE" \
  --proxy "http://127.0.0.1:$WATCH_PORT" >"$PROXY_LOG" 2>&1 </dev/null &
PROXY_PID=$!
STOP_PIDS+=("$PROXY_PID")
wait_for_port "$PROXY_PORT" "$PROXY_PID" 60 "$PROXY_LOG" || die "the proxy gateway did not start"
rc=0
PROXY_ENDPOINT="127.0.0.1:$PROXY_PORT" WATCH_ENDPOINT="127.0.0.1:$WATCH_PORT" \
  "$VENV_DIR/bin/python" -m pytest -q -p no:cacheprovider tests/lambda || rc=$?
if [[ "$rc" -ne 0 ]]; then
  log "Lambda path failed (pytest exit $rc); logs: $PROXY_LOG, $RUN_DIR/watch-$WATCH_PORT.log"
  tail -n 40 "$RUN_DIR/watch-$WATCH_PORT.log" >&2 || true
  exit "$rc"
fi
log "all tests passed"
