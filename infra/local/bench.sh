#!/usr/bin/env bash
# Measures the service side by side with its peer and its floor, in one run on this machine:
# a release build of the gateway over DynamoDB Local (in memory), driven with signed requests;
# the same DynamoDB calls issued directly (the floor); and moto's server doing the matching EC2
# calls (the peer). Prints req/s, p50, p99, errors and DynamoDB round trips per request, then the
# `ratio` lines. Then the cold start and memory of one function binary under a Lambda runtime API.
# Usage: infra/local/bench.sh [--requests N] [--concurrency 1,16]   (passed on to bench)

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

stop_on_exit

cd "$REPO_ROOT"
ensure_peer

log "cargo build --release --bin gateway --bin bench --bin describe"
cargo build --quiet --release --bin gateway --bin bench --bin describe

# Full JIT (see README, Performance: the store's settings); BENCH_STORE_OPTS overrides, to compare.
DDB_JAVA_OPTS="${BENCH_STORE_OPTS:--Xms256m -Xmx1g}" start_local_store

MOTO_PORT="$(free_port)"
"$PEER_DIR/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$RUN_DIR/bench-moto.log" 2>&1 </dev/null &
MOTO_PID=$!
STOP_PIDS+=("$MOTO_PID")
wait_for_port "$MOTO_PORT" "$MOTO_PID" 60 "$RUN_DIR/bench-moto.log" || die "moto_server did not start"

# The control plane gives the bench the gateway's count of DynamoDB round trips.
GATEWAY_PORT="$(free_port)"
RUST_LOG=warn "$REPO_ROOT/target/release/gateway" --port "$GATEWAY_PORT" --table bench --control-plane \
  >"$RUN_DIR/bench-gateway.log" 2>&1 </dev/null &
GATEWAY_PID=$!
STOP_PIDS+=("$GATEWAY_PID")
wait_for_port "$GATEWAY_PORT" "$GATEWAY_PID" 30 "$RUN_DIR/bench-gateway.log" || die "the gateway did not start"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); DynamoDB Local (in memory), moto_server, the gateway and the load generator all on it"
"$REPO_ROOT/target/release/bench" --table bench --endpoint "127.0.0.1:$GATEWAY_PORT" \
  --moto "127.0.0.1:$MOTO_PORT" --function "$REPO_ROOT/target/release/describe" "$@"
