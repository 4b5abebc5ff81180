#!/usr/bin/env bash
# Prints the reliability figures from one run of the tests that hold them: the robustness property
# test, the concurrency tests of every dialect, the fault test (DynamoDB Local killed under load),
# the isolation, reliability and scheduler tests, each followed by the table's invariant check.
# Usage: infra/local/reliability.sh        (the same tests also run in infra/local/test.sh)

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

stop_on_exit
cd "$REPO_ROOT"

start_local_store

OUT="$RUN_DIR/reliability.log"
log "running the tests (full output: $OUT)"
{
  cargo test -p dialects --test robustness -- --nocapture
  cargo test -p integration-tests --test integration -- --nocapture concurrency:: faults:: isolation:: \
    reliability:: scheduler:: alibaba_create_image:: tencent_create_image:: zenlayer:: bad_input::
} >"$OUT" 2>&1 || { tail -n 60 "$OUT" >&2; die "a test failed (see $OUT)"; }

python3 - "$OUT" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
figures = [l[len("figures: "):] for l in text.splitlines() if l.startswith("figures: ")]
races = [re.match(r"concurrency: (.*): (\d+) calls, (\d+) made, (\d+) duplicates", l) for l in figures]
races = [m for m in races if m]
checks = [int(re.match(r"invariants: (\d+) broken", l).group(1)) for l in figures if l.startswith("invariants:")]
passed = sum(int(n) for n in re.findall(r"test result: ok\. (\d+) passed", text))
if not races or not checks:
    sys.exit("no figures found in the test output: nothing was measured")
print("reliability figures, one run:")
for l in figures:
    if l.startswith(("robustness:", "faults:")):
        print("  " + l)
for m in races:
    print("  race: %s: %s calls, %s made, %s duplicates" % m.groups())
print("  tests passed: %d" % passed)
print("  concurrent calls raced: %d, duplicates: %d" % (sum(int(m.group(2)) for m in races), sum(int(m.group(4)) for m in races)))
print("  invariant checks after the tests: %d, broken items (partial resources, counters, markers, leases): %d" % (len(checks), sum(checks)))
PY
