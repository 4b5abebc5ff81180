#!/usr/bin/env bash
# Fuzzes each dialect's request parser, parameter readers, signature reading and verification and
# error rendering for N minutes per target, in release mode, and prints one line per target:
#   figures: fuzz <dialect>: <cases> cases in <s> s, <depth> deepest name, <bytes> largest body, failures: <n>
# Two engines drive the same path (shared/dialects/tests/common/exercise.rs), each case on a 2 MiB
# stack (a tokio worker's, where the gateway parses requests), so that a stack overflow shows:
#   libfuzzer  coverage-guided, cargo-fuzz on nightly Rust (fuzz/), its corpus seeded with cases
#              of the proptest strategies; crashes are saved to fuzz/artifacts/<dialect>/
#   proptest   the strategies of shared/dialects/tests/fuzz.rs, skewed to names of 1,000 segments,
#              JSON 1,000 deep and 1 MB bodies; a crash's request is saved to target/tmp/fuzz/
# The default is libfuzzer when `cargo +nightly` and cargo-fuzz are installed, else proptest.
# Either engine's crash replays with FUZZ_FILE=<file> cargo test -p dialects --test fuzz -- --nocapture <dialect>
# Usage: infra/local/fuzz.sh [--minutes N] [--engine libfuzzer|proptest] [alibaba|tencent|zenlayer ...]

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

minutes=10
engine=""
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || usage; minutes="$2"; shift 2 ;;
    --engine) [[ $# -ge 2 && "$2" =~ ^(libfuzzer|proptest)$ ]] || usage; engine="$2"; shift 2 ;;
    alibaba | tencent | zenlayer) targets+=("$1"); shift ;;
    *) usage ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(alibaba tencent zenlayer)
seconds=$((minutes * 60))

have_libfuzzer() {
  cargo +nightly --version >/dev/null 2>&1 && cargo +nightly fuzz --version >/dev/null 2>&1
}
if [[ -z "$engine" ]]; then
  if have_libfuzzer; then engine=libfuzzer; else engine=proptest; fi
elif [[ "$engine" == libfuzzer ]] && ! have_libfuzzer; then
  die "the libfuzzer engine needs nightly Rust and cargo-fuzz:
    rustup toolchain install nightly && cargo install cargo-fuzz"
fi

cd "$REPO_ROOT"
mkdir -p "$RUN_DIR"
FIGURES=()
failed=0

# The proptest target's output, live: its own lines and a crash's, not the harness's.
show() { grep --line-buffered -E '^(figures: |(test .* \.\.\. )?fuzz |thread .*overflowed)' || true; }

run_proptest() {
  local target="$1" logf="$RUN_DIR/fuzz-proptest-$1.log" rc
  log "proptest: $target for $minutes min (full output: $logf)"
  set +o pipefail
  FUZZ_SECONDS="$seconds" cargo test --release -p dialects --test fuzz -- --nocapture --test-threads=1 "$target" \
    2>&1 | tee "$logf" | show
  rc="${PIPESTATUS[0]}"
  set -o pipefail
  [[ "$rc" -eq 0 ]] || failed=1
  FIGURES+=("$(grep -E "^figures: fuzz $target:" "$logf" | tail -n 1 || echo "figures: fuzz $target: no figures (exit $rc)")")
}

run_libfuzzer() {
  local target="$1" logf="$RUN_DIR/fuzz-libfuzzer-$1.log" figf="$RUN_DIR/fuzz-libfuzzer-$1.figures" rc start elapsed
  local corpus="$REPO_ROOT/fuzz/corpus/$target" artifacts="$REPO_ROOT/fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  if [[ -z "$(ls -A "$corpus")" ]]; then
    # Deep names, long lists and 1 MB bodies are far for mutation to reach from nothing: start from
    # what the proptest strategies make (a case that fails there is kept all the same).
    log "libfuzzer: seeding $corpus with 200 proptest cases"
    FUZZ_EXPORT="$corpus" FUZZ_CASES=200 cargo test --release -p dialects --test fuzz -- --nocapture \
      --test-threads=1 "$target" >"$RUN_DIR/fuzz-libfuzzer-$target-seed.log" 2>&1 \
      || log "a seed case failed (see $RUN_DIR/fuzz-libfuzzer-$target-seed.log); libFuzzer starts from it too"
  fi
  # No sanitizer: the code is safe Rust, and ASan's larger frames would make the 2 MiB stack
  # overflow sooner than it does in the gateway.
  log "libfuzzer: cargo +nightly fuzz build --sanitizer none $target"
  cargo +nightly fuzz build --sanitizer none "$target" >"$logf" 2>&1 || { tail -n 30 "$logf" >&2; die "the fuzz crate did not build"; }
  log "libfuzzer: $target for $minutes min (full output: $logf)"
  rm -f "$figf"
  start=$SECONDS
  rc=0
  # -max_len lets an input carry a full 1 MB body.
  FUZZ_FIGURES="$figf" cargo +nightly fuzz run --sanitizer none "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len=$((1024 * 1024 + 65536)) -timeout=60 \
    -dict="$REPO_ROOT/fuzz/http.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$logf" 2>&1 || rc=$?
  elapsed=$((SECONDS - start))
  local cases noted depth=0 bytes=0 failures=0
  cases="$(awk '/^stat::number_of_executed_units:/ {print $2}' "$logf" | tail -n 1)"
  if [[ -f "$figf" ]]; then
    read -r noted depth bytes <"$figf"
    cases="${cases:-$noted}"
  fi
  if [[ "$rc" -ne 0 ]]; then
    failures=1
    failed=1
    grep -E 'dialects-fuzz: SIGSEGV|panicked at|ERROR: libFuzzer|Test unit written to' "$logf" | head -n 8 >&2 || true
    local unit
    unit="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logf" | tail -n 1)"
    if [[ -n "$unit" ]]; then
      log "replay: FUZZ_FILE=$unit cargo test -p dialects --test fuzz -- --nocapture $target"
    else
      tail -n 30 "$logf" >&2
    fi
  fi
  FIGURES+=("figures: fuzz $target: ${cases:-0} cases in $elapsed s, $depth deepest name, $bytes largest body, failures: $failures")
  echo "${FIGURES[-1]}"
}

log "engine $engine, $minutes min per target: ${targets[*]}"
for target in "${targets[@]}"; do
  "run_$engine" "$target"
done

echo "fuzzing figures ($engine, $minutes min per target):"
printf '  %s\n' "${FIGURES[@]}"
[[ "$failed" -eq 0 ]] || die "a target failed (logs: $RUN_DIR/fuzz-$engine-<dialect>.log)"
