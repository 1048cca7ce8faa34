#!/usr/bin/env bash
# The ASan+UBSan tier (`make test-asan`; its short form is step 5 of scripts/test.sh): builds
# hitloop, the unit tests and the CLI tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DHITLOOP_SANITIZE=ON, -O0: half the cold build of -O1, see CMakeLists.txt; in its own build
# folder, default build-asan) and runs ctest -L fast under them.
#
# Zero reports, enforced two ways: UBSan is compiled not to recover and ASan halts on the first
# error, so a report fails the process; and every report is also written to a log folder that
# must be empty at the end, so a report in a child process whose failure a test expects (a CLI
# test checking that a bad command exits non-zero) or in a server a test kills still fails the tier.
# Leaks count (LeakSanitizer runs at exit). Suppressions, third-party only: tests/sanitizers/.
#
# The short form (HITLOOP_ASAN_SHORT=1; what `make test` runs): the parser, store, server and
# HTTP-scenario suites (SHORT_SUITES: tests/unit/{core,schema,io,store,server,net}) and the CLI
# tests in SHORT_CLI. Built as the fuzz build is (-DHITLOOP_FUZZ=ON: ASan+UBSan with libFuzzer's
# coverage instrumentation) so that scripts/fuzz.sh, given the same folder (FUZZ_BUILD), compiles
# only its targets' own files; at -O0 (HITLOOP_SANITIZE_OPT; 2.2x cheaper to compile than -O1),
# module libraries unity-built (HITLOOP_UNITY), no PostgreSQL backend. Its cold build and run:
# bench/RESULTS.md ("Reliability"). The long form is every fast test, PostgreSQL cases included.
#
# Usage: scripts/test-asan.sh [BUILD_DIR]
#   HITLOOP_ASAN_SHORT=1          the short form above (BUILD_DIR default build-san)
#   HITLOOP_ASAN_TESTS=REGEX      only the ctest tests matching REGEX (-R), one process per test;
#                                 without it the unit tests run as one gtest shard per core and
#                                 the CLI tests and layering check under ctest
#   HITLOOP_ASAN_EXCLUDE=REGEX    leave out the ctest tests matching REGEX (-E; scripts/test.sh
#                                 uses it to keep `make test` within CI's time budget, see there)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SHORT="${HITLOOP_ASAN_SHORT:-0}"
if [ "$SHORT" = 1 ]; then BUILD="${1:-build-san}"; else BUILD="${1:-build-asan}"; fi
JOBS="$(nproc)"
# The short form's suites and CLI tests (the parsers of untrusted files, the store, the server and
# its HTTP scenarios; the model, loop and simulation suites are the long form's).
SHORT_SUITES='core/*_test.cc;schema/*_test.cc;io/*_test.cc;store/*_test.cc;server/*_test.cc;net/*_test.cc'
# Not roundtrip: 293 s under ASan -O0 at load ~7 (ctest's limit is 300 s); it runs unsanitized in
# ctest -L fast, and io's InteropFilesTest round-trips every format in process under ASan here.
SHORT_CLI='^cli\.(import_errors|serve|names_are_addressable|port_range_is_checked|db_open_is_strict|admin_log)$'
start=$(date +%s)
# clang when installed: it compiles the sanitized build faster than GCC (one JSON-heavy file,
# src/io/format_csv.cc at -O1 with ASan+UBSan: 9.4 CPU-seconds with clang 14, 16.9 with GCC 12).
# The compiler only on the first configure (naming it again, resolved differently, would make
# CMake drop the cache and the other options).
CXX_FLAGS=()
if [ ! -f "$BUILD/CMakeCache.txt" ] && command -v clang++ >/dev/null && command -v clang >/dev/null; then
  CXX_FLAGS=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
fi
if [ "$SHORT" = 1 ]; then
  if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
    echo "test-asan.sh: the short form needs clang (scripts/install-deps.sh build)" >&2
    exit 1
  fi
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_FUZZ=ON \
    -DHITLOOP_UNITY=ON -DHITLOOP_UNITY_TESTS=ON -DHITLOOP_SANITIZE_OPT=-O0 -DHITLOOP_POSTGRES=OFF \
    "-DHITLOOP_UNIT_TESTS=$SHORT_SUITES" \
    "${CXX_FLAGS[@]}" >/dev/null
  cmake --build "$BUILD" -j "$JOBS" --target hitloop unit_tests
else
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_SANITIZE=ON \
    "${CXX_FLAGS[@]}" >/dev/null
  cmake --build "$BUILD" -j "$JOBS"
fi
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
  # The short form leaves out the fault-injection sweeps (they run unsanitized in ctest -L fast):
  # under ASan -O0 they took 257 s (ImporterFaultsTest), 198 s (GroupCommitFaultsTest) and 66 s
  # (MigrationsFaultsTest) of a shard's time at load ~10 (bench/HISTORY.md).
  gtest_filter=''
  [ "$SHORT" = 1 ] && gtest_filter='-*FaultsTest.*'
  # The unit tests run as JOBS gtest shards, one process each: ctest starts the binary once per
  # test (~820 starts of a 280 MB sanitized binary, 0.5 CPU-s each before a test runs).
  pids=()
  for ((i = 0; i < JOBS; i++)); do
    (cd "$BUILD" && GTEST_TOTAL_SHARDS="$JOBS" GTEST_SHARD_INDEX="$i" ./unit_tests \
       ${gtest_filter:+"--gtest_filter=$gtest_filter"} \
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
  # The CLI tests and the layering check, under ctest (each its own process anyway); the short
  # form's CLI tests only.
  cli_tests='^(cli|build)\.'
  [ "$SHORT" = 1 ] && cli_tests="$SHORT_CLI"
  (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" -L fast -R "$cli_tests" \
                            ${HITLOOP_ASAN_EXCLUDE:+-E "$HITLOOP_ASAN_EXCLUDE"}) || status=1
fi
end=$(date +%s)
if compgen -G "$logs/*" >/dev/null; then
  echo "== sanitizer reports (the tier fails on any):"
  for f in "$logs"/*; do echo "--- $f"; cat "$f"; done
  status=1
fi
rm -rf "$logs"
echo "== sanitizer tier$([ "$SHORT" = 1 ] && echo ' (short form)'): build $((built - start)) s, tests $((end - built)) s, $([ $status = 0 ] && echo 'zero reports' || echo FAILED)"
exit $status
