#!/usr/bin/env bash
# DynamoDB Local on its own, for running the pieces by hand (installed once into .cache/).
# Usage: infra/local/dynamodb.sh start [PORT]   (default 8000; in memory; prints the endpoint)
#        infra/local/dynamodb.sh stop [PORT]

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

command="${1:-}"
port="${2:-8000}"
mkdir -p "$RUN_DIR"
case "$command" in
  start)
    ensure_java
    ensure_dynamodb_local
    start_dynamodb_local "$port"
    echo "export DYNAMODB_ENDPOINT=http://127.0.0.1:$port"
    ;;
  stop) stop_dynamodb_local "$port" ;;
  *) sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
