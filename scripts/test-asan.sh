#!/usr/bin/env bash
# The ASan+UBSan tier (`make test-asan`; step 6 of scripts/test.sh): builds hitloop, the unit tests
# and the CLI tests with AddressSanitizer + UndefinedBehaviorSanitizer (-DHITLOOP_SANITIZE=ON, -O0:
# half the cold build of -O1, see CMakeLists.txt; in its own build folder, default build-asan) and
# runs ctest -L fast under them.
#
# Zero reports, enforced two ways: UBSan is compiled not to recover and ASan halts on the first
# error, so a report fails the process; and every report is also written to a log folder that
# must be empty at the end, so a report in a child process whose failure a test expects (a CLI
# test checking that a bad command exits non-zero) or in a server a test kills still fails the tier.
# Leaks count (LeakSanitizer runs at exit). Suppressions, third-party only: tests/sanitizers/.
#
# Usage: scripts/test-asan.sh [BUILD_DIR]
#   HITLOOP_ASAN_TESTS=REGEX      only the ctest tests matching REGEX (-R), one process per test;
#                                 without it the unit tests run as one gtest shard per core and
#                                 the CLI tests and layering check under ctest
#   HITLOOP_ASAN_EXCLUDE=REGEX    leave out the ctest tests matching REGEX (-E; scripts/test.sh
#                                 uses it to keep `make test` within CI's time budget, see there)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build-asan}"
JOBS="$(nproc)"
start=$(date +%s)
# clang when installed: it compiles the sanitized build faster than GCC (one JSON-heavy file,
# src/io/format_csv.cc at -O1 with ASan+UBSan: 9.4 CPU-seconds with clang 14, 16.9 with GCC 12).
CXX_FLAGS=()
if command -v clang++ >/dev/null && command -v clang >/dev/null; then
  CXX_FLAGS=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
fi
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_SANITIZE=ON "${CXX_FLAGS[@]}" >/dev/null
cmake --build "$BUILD" -j "$JOBS"
built=$(date +%s)
BUILD="$(realpath "$BUILD")"
logs="$(mktemp -d "${TMPDIR:-/tmp}/hitloop-asan.XXXXXX")"
supp="$ROOT/tests/sanitizers"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp:log_path=$logs/ubsan"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
status=0
if [ -n "${HITLOOP_ASAN_TESTS:-}" ]; then
  (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" -L fast -R "$HITLOOP_ASAN_TESTS" \
                            ${HITLOOP_ASAN_EXCLUDE:+-E "$HITLOOP_ASAN_EXCLUDE"}) || status=1
else
  # The unit tests run as JOBS gtest shards, one process each: ctest starts the binary once per
  # test (~820 starts of a 280 MB sanitized binary, 0.5 CPU-s each before a test runs).
  pids=()
  for ((i = 0; i < JOBS; i++)); do
    (cd "$BUILD" && GTEST_TOTAL_SHARDS="$JOBS" GTEST_SHARD_INDEX="$i" ./unit_tests \
       >"$logs/../hitloop-asan-shard$i.$$.log" 2>&1) &
    pids+=($!)
  done
  for ((i = 0; i < JOBS; i++)); do
    shard_log="$logs/../hitloop-asan-shard$i.$$.log"
    if ! wait "${pids[$i]}"; then
      status=1
      echo "== unit_tests shard $i failed:"
      grep -E '^\[  FAILED|Failure|error' "$shard_log" | head -n 40
      tail -n 20 "$shard_log"
    fi
    grep -E '^\[  (PASSED|FAILED) ' "$shard_log" | sed "s/^/shard $i: /" || true
    rm -f "$shard_log"
  done
  # The CLI tests and the layering check, under ctest (each its own process anyway).
  (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" -L fast -R '^(cli|build)\.' \
                            ${HITLOOP_ASAN_EXCLUDE:+-E "$HITLOOP_ASAN_EXCLUDE"}) || status=1
fi
end=$(date +%s)
if compgen -G "$logs/*" >/dev/null; then
  echo "== sanitizer reports (the tier fails on any):"
  for f in "$logs"/*; do echo "--- $f"; cat "$f"; done
  status=1
fi
rm -rf "$logs"
echo "== sanitizer tier: build $((built - start)) s, tests $((end - built)) s, $([ $status = 0 ] && echo 'zero reports' || echo FAILED)"
exit $status
