#!/usr/bin/env bash
# The fuzz tier (`make fuzz`; a short run is step 6 of scripts/test.sh): builds the libFuzzer
# targets (fuzz/CMakeLists.txt; -DHITLOOP_FUZZ=ON with clang, ASan+UBSan, in its own build folder,
# default build-fuzz) and runs each for SECONDS (default $FUZZ_SECONDS or 60) from its committed
# seed corpus fuzz/corpus/<target>/. A folder configured already keeps its options: scripts/test.sh
# passes the ASan short form's (build-san: -O0, unity-built libraries, scripts/test-asan.sh), so
# only the targets' own files compile there. New inputs go to <build>/fuzz-corpus/<target>/ (kept
# between runs, so longer runs start where the last stopped; the committed seeds are never written).
#
# A crash, a sanitizer report (UBSan does not recover; ASan halts), a leak, a timeout (-timeout,
# default 10 s per input) or an out-of-memory (-rss_limit_mb) fails the run: the script prints
# "FUZZ FAILURE <target>: <input path>" for each and exits 1. Reproduce with
#   <build>/fuzz/<target> <input path>
# Prints one line per target: seconds, CPU-seconds, executions, new corpus size. Targets run one at a time.
#
# Usage: scripts/fuzz.sh [SECONDS]
#   FUZZ_BUILD=DIR        build folder (default build-fuzz)
#   FUZZ_NO_BUILD=1       run the targets already built in DIR (no configure, no build: a long
#                         run is not disturbed when the sources change under it)
#   FUZZ_CPU_SECONDS=N    run each target again, SECONDS of wall time at a time, until the target
#                         process has used N CPU-seconds (user + system; the corpus carries over):
#                         the long run's "≥ 10 CPU-minutes per target" on a busy machine
#   FUZZ_TARGETS="a b"    only these targets (default: every fuzz_* in fuzz/CMakeLists.txt)
#   FUZZ_ARGS="..."       more libFuzzer flags (e.g. -jobs=2 -workers=2)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-60}}"
BUILD="${FUZZ_BUILD:-build-fuzz}"
JOBS="$(nproc)"
[ "$JOBS" -gt 2 ] || JOBS=2
if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
  echo "fuzz: clang is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
start=$(date +%s)
# The compiler only on the first configure (naming it again, resolved differently, would make
# CMake drop the cache and the other options).
COMPILERS=()
[ -f "$BUILD/CMakeCache.txt" ] || COMPILERS=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_FUZZ=ON "${COMPILERS[@]}" >/dev/null
  cmake --build "$BUILD" -j "$JOBS" --target fuzz_all
fi
CPU_BUDGET="${FUZZ_CPU_SECONDS:-0}"
built=$(date +%s)
BUILD="$(realpath "$BUILD")"
targets="${FUZZ_TARGETS:-$(sed -n 's/^hitloop_fuzz_target(\(fuzz_[a-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt)}"
supp="$ROOT/tests/sanitizers"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/hitloop-fuzz-run.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
artifacts="$BUILD/fuzz-artifacts"
logs="$BUILD/fuzz-logs"
mkdir -p "$artifacts" "$logs"
failures=0
total_execs=0
printf '%-32s %8s %8s %12s %8s  %s\n' target seconds cpu-s executions corpus result
for t in $targets; do
  work="$BUILD/fuzz-corpus/$t"
  mkdir -p "$work" "fuzz/corpus/$t" "$scratch/$t"
  log="$logs/$t.log"
  t0=$(date +%s)
  status=0
  cpu=0
  execs=0
  : >"$log"
  while :; do
    # TMPDIR: the targets' temporary files (fuzz/fuzz_util.h) stay in this run's scratch folder.
    TMPDIR="$scratch/$t" /usr/bin/time -f "%U %S" -o "$scratch/$t.cpu" "$BUILD/fuzz/$t" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$t-" ${FUZZ_ARGS:-} "$work" \
      "fuzz/corpus/$t" >>"$log" 2>&1 || status=$?
    round_execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=$((execs + ${round_execs:-0}))
    cpu=$(awk -v c="$cpu" 'END { printf "%.0f", c + $1 + $2 }' "$scratch/$t.cpu")
    [ $status = 0 ] && [ "$cpu" -lt "$CPU_BUDGET" ] || break
  done
  t1=$(date +%s)
  total_execs=$((total_execs + execs))
  corpus=$(find "$work" -type f | wc -l)
  if [ $status = 0 ]; then
    result=ok
  else
    result="FAILED (exit $status)"
    failures=$((failures + 1))
  fi
  printf '%-32s %8s %8s %12s %8s  %s\n' "$t" $((t1 - t0)) "$cpu" "${execs:-?}" "$corpus" "$result"
  if [ $status != 0 ]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|Test unit written to|.*Timeout|.*out-of-memory)' "$log" | head -20 || true
    for a in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
      echo "FUZZ FAILURE $t: $a   (reproduce: $BUILD/fuzz/$t $a; log $log)"
    done
    echo "--- last lines of $log:"
    tail -40 "$log"
  fi
done
end=$(date +%s)
echo "== fuzz: build $((built - start)) s, fuzzing $((end - built)) s, $total_execs executions," \
  "$([ $failures = 0 ] && echo 'zero findings' || echo "$failures target(s) FAILED")"
[ $failures = 0 ]
