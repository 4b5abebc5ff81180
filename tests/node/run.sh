#!/usr/bin/env bash
# Runs the Node.js conformance suite (tests/node/*.test.mjs) against a running gateway:
#
#   GATEWAY_ENDPOINT=127.0.0.1:18080 tests/node/run.sh [extra node --test arguments]
#   tests/node/run.sh --install      (only install the SDKs; no gateway needed)
#
# The gateway must serve the reference world (infra/worlds/reference.json) with --control-plane;
# infra/local/test.sh starts one. The SDKs are installed with `npm ci` from package-lock.json when
# node_modules is missing or older than the lock (npm's cache: <repo>/.cache/npm). The files run one
# at a time (--test-concurrency=1): they move the gateway's one virtual clock, and each puts it back
# to real time when it is done. Its last line: "node: N passed, N failed".
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"

command -v node >/dev/null || { echo "run.sh: node is not installed" >&2; exit 2; }
command -v npm >/dev/null || { echo "run.sh: npm is not installed" >&2; exit 2; }

cd "$HERE"

# npm writes node_modules/.package-lock.json on every install: it stands for node_modules' age.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "run.sh: npm ci (node_modules missing or older than package-lock.json)"
  npm ci --cache "$REPO_ROOT/.cache/npm" --no-audit --no-fund --ignore-scripts --loglevel=warn \
    || { echo "run.sh: npm ci failed (the npm registry must be reachable the first time)" >&2; exit 2; }
fi
[[ "${1:-}" == "--install" ]] && exit 0

if [[ -z "${GATEWAY_ENDPOINT:-}" ]]; then
  echo "run.sh: GATEWAY_ENDPOINT is not set (host:port of a gateway with --control-plane on the reference world)." >&2
  echo "run.sh: run the suites through infra/local/test.sh, or start a gateway and set GATEWAY_ENDPOINT=127.0.0.1:PORT." >&2
  exit 2
fi
TAP="$(mktemp "${TMPDIR:-/tmp}/node-conformance.XXXXXX.tap")"
trap 'rm -f "$TAP"' EXIT

started=$SECONDS
rc=0
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$TAP" \
  "$@" ./*.test.mjs || rc=$?

passed="$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
failed="$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
cancelled="$(sed -n 's/^# cancelled \([0-9][0-9]*\)$/\1/p' "$TAP" | tail -n 1)"
failed=$(( ${failed:-0} + ${cancelled:-0} ))
if [[ -z "$passed" ]]; then
  passed=0
  (( rc != 0 )) || rc=1
  failed=$(( failed > 0 ? failed : 1 ))
fi
if (( rc != 0 && failed == 0 )); then
  failed=1
fi
echo "run.sh: the Node.js suite took $(( SECONDS - started )) s"
echo "node: ${passed} passed, ${failed} failed"
exit "$rc"
