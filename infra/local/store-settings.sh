#!/usr/bin/env bash
# Measures DynamoDB Local's two JVM settings over a test-suite-sized run: for each, the time from
# `java` to its first answer, then the time of the workspace's Rust tests (every one but the
# outage test, which starts its own store) against it. Prints one line per setting.
# Usage: infra/local/store-settings.sh
#
# quick-start: -Xms32m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 (C1 only: starts fast,
#              runs slower once warm)
# full JIT:    -Xms256m -Xmx1g -XX:+UseSerialGC (C1 then C2, the JVM's default tiering)

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

stop_on_exit

cd "$REPO_ROOT"
ensure_java
ensure_dynamodb_local
aws_local_env
mkdir -p "$RUN_DIR"

log "cargo test --workspace --no-run"
cargo test --quiet --workspace --no-run 2>/dev/null

measure() {
  local name="$1" opts="$2" started ready ended
  DDB_PORT="$(free_port)"
  started="$(date +%s%N)"
  DDB_JAVA_OPTS="$opts" start_dynamodb_local "$DDB_PORT"
  ready="$(date +%s%N)"
  DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT" cargo test --quiet --workspace -- \
    --skip a_store_that_dies_and_comes_back >"$RUN_DIR/store-settings-$DDB_PORT.log" 2>&1 ||
    die "the tests failed against the $name store (see $RUN_DIR/store-settings-$DDB_PORT.log)"
  ended="$(date +%s%N)"
  stop_dynamodb_local "$DDB_PORT"
  awk -v n="$name" -v s="$started" -v r="$ready" -v e="$ended" 'BEGIN {
    printf "store %-11s first answer %5.1f s, the Rust tests %6.1f s, together %6.1f s\n",
      n, (r - s) / 1e9, (e - r) / 1e9, (e - s) / 1e9 }'
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
for round in 1 2; do
  echo "round $round"
  measure quick-start "-Xms32m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
  measure full-JIT "-Xms256m -Xmx1g -XX:+UseSerialGC"
done
