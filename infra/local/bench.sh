#!/usr/bin/env bash
# Measures the service: a release build of the gateway over DynamoDB Local (in memory), driven by
# the `bench` command with signed requests. Prints latency percentiles and throughput.
# Usage: infra/local/bench.sh [--requests N] [--concurrency 1,16]   (passed on to bench)

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

stop_on_exit

cd "$REPO_ROOT"
log "cargo build --release --bin gateway --bin bench"
cargo build --quiet --release --bin gateway --bin bench

DDB_JAVA_OPTS="-Xms256m -Xmx1g" start_local_store

# The gateway reads the table per request; bench creates it and loads its world before driving.
GATEWAY_PORT="$(free_port)"
RUST_LOG=warn "$REPO_ROOT/target/release/gateway" --port "$GATEWAY_PORT" --table bench \
  >"$RUN_DIR/bench-gateway.log" 2>&1 </dev/null &
GATEWAY_PID=$!
STOP_PIDS+=("$GATEWAY_PID")
wait_for_port "$GATEWAY_PORT" "$GATEWAY_PID" 30 "$RUN_DIR/bench-gateway.log" || die "the gateway did not start"

echo "machine: $(nproc) cores; DynamoDB Local in memory on the same machine"
"$REPO_ROOT/target/release/bench" --table bench --endpoint "127.0.0.1:$GATEWAY_PORT" "$@"
