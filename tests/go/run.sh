#!/usr/bin/env bash
# Run the Go conformance suite (the providers' official Go SDKs against a running gateway).
#
#   GATEWAY_ENDPOINT=127.0.0.1:18080 tests/go/run.sh [extra go test flags, e.g. -run Tencent]
#   tests/go/run.sh --install        (only download the modules and compile the tests; no gateway)
#
# The gateway must be running with --control-plane (infra/local/test.sh and infra/local/run.sh
# start one). Modules and build results are kept in .cache/go (ignored by git); set GOMODCACHE /
# GOCACHE to use others. go.sum pins every module, so once the modules are downloaded the run
# needs no network and no checksum database. Prints the test output, then one summary line;
# exits non-zero when a test fails or the suite does not build.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v go >/dev/null 2>&1; then
  echo "tests/go/run.sh: go is not installed; install Go 1.22 or later (https://go.dev/dl/)." >&2
  exit 2
fi

export GOPATH="${GOPATH:-$root/.cache/go}"
export GOMODCACHE="${GOMODCACHE:-$root/.cache/go/mod}"
export GOCACHE="${GOCACHE:-$root/.cache/go/build}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
mkdir -p "$GOMODCACHE" "$GOCACHE"

cd "$here"
started=$(date +%s.%N)
go mod download || { echo "tests/go/run.sh: go mod download failed (the module proxy must be reachable the first time)" >&2; exit 2; }
if [[ "${1:-}" == "--install" ]]; then
  # Compiling the test binary fills GOCACHE: the run that follows only links.
  go test -c -o "$GOPATH/conformance.test" .
  exit 0
fi

if [[ -z "${GATEWAY_ENDPOINT:-}" ]]; then
  echo "tests/go/run.sh: GATEWAY_ENDPOINT is not set (host:port of a gateway started with --control-plane)." >&2
  echo "Run the whole suite with infra/local/test.sh, or start a gateway and set GATEWAY_ENDPOINT." >&2
  exit 2
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
go test -count=1 -v "$@" ./... 2>&1 | tee "$log" | sed -u -E '/^=== (RUN|PAUSE|CONT|NAME)/d'
status=${PIPESTATUS[0]}
set -e
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

count() { grep -cE "$1" "$log" || true; }
passed=$(count '^--- PASS')
failed=$(count '^--- FAIL')
sub_passed=$(count '^ +--- PASS')
sub_failed=$(count '^ +--- FAIL')
if [[ $status -eq 0 ]]; then
  verdict="ok"
elif [[ $((passed + failed)) -eq 0 ]]; then
  verdict="FAILED (no test ran: the suite did not build or the gateway was not reachable)"
else
  verdict="FAILED"
fi
echo "go conformance: $verdict — tests: $passed passed, $failed failed (subtests: $sub_passed passed, $sub_failed failed) in ${elapsed}s against $GATEWAY_ENDPOINT"
exit "$status"
