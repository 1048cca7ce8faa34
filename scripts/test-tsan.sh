#!/usr/bin/env bash
# The ThreadSanitizer tier (`make test-tsan`; its short form is step 7 of scripts/test.sh): builds
# hitloop and the threaded unit suites with -DHITLOOP_SANITIZE=thread (clang, -O1, in its own build
# folder, default build-tsan) and runs them: the server (its workers, connection poller and scope
# cache), the group-commit writer, the store (concurrent claims, online backup while writing), the
# outbound fetcher and the ML-backend client (each against a local server thread), and the HTTP
# scenarios. Only these suites are compiled into unit_tests (HITLOOP_UNIT_TESTS): the rest of the
# tree is single-threaded and a TSan build of every test would not fit CI's budget.
#
# Zero reports, enforced two ways: TSan exits non-zero from a process that reported, and every
# report is also written to a log folder that must be empty at the end (a report in a server a
# test kills, or in a child whose failure a test expects, still fails the tier).
# Suppressions, third-party only: tests/sanitizers/tsan.supp.
#
# The short form (HITLOOP_TSAN_SHORT=1; what `make test` runs, step 7 of scripts/test.sh): the
# server suites (tests/unit/server: workers, connection poller, scope cache, HTTP scenarios), the
# group-commit writer's and the linear model's (its scorer broke TSan binaries at load, see
# Regression.ThreadSanitizerBuildsStartAndScore), unit_tests linked against the server module and
# what it uses only (HITLOOP_UNIT_TEST_MODULES=server: no cli/, no hitloop binary, so not
# tests/cli/serve.sh), module libraries unity-built, run as one gtest shard per core. Its cold
# build and run are in bench/RESULTS.md ("Reliability").
#
# Usage: scripts/test-tsan.sh [BUILD_DIR]
#   HITLOOP_TSAN_SHORT=1          the short form above (BUILD_DIR default build-tsan-short)
#   HITLOOP_TSAN_TESTS=REGEX      only the ctest tests matching REGEX (-R)
#   HITLOOP_TSAN_EXCLUDE=REGEX    leave out the tests matching REGEX (-E)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SHORT="${HITLOOP_TSAN_SHORT:-0}"
if [ "$SHORT" = 1 ]; then BUILD="${1:-build-tsan-short}"; else BUILD="${1:-build-tsan}"; fi
JOBS="$(nproc)"
start=$(date +%s)
if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
  echo "test-tsan.sh: needs clang (scripts/install-deps.sh build)" >&2
  exit 1
fi
# The compiler only on the first configure (naming it again, resolved differently, would make
# CMake drop the cache and the other options).
COMPILERS=()
[ -f "$BUILD/CMakeCache.txt" ] || COMPILERS=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
if [ "$SHORT" = 1 ]; then
  SUITES='server/*_test.cc;store/group_commit_test.cc;model/logreg_test.cc'
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_SANITIZE=thread \
    -DHITLOOP_POSTGRES=OFF "-DHITLOOP_UNIT_TESTS=$SUITES" -DHITLOOP_UNIT_TEST_MODULES=server \
    -DHITLOOP_UNITY=ON -DHITLOOP_UNITY_TESTS=ON "${COMPILERS[@]}" >/dev/null
  cmake --build "$BUILD" -j "$JOBS" --target unit_tests
else
  SUITES='server/*_test.cc;store/*_test.cc;mlbackend/*_test.cc;net/*_test.cc;model/logreg_test.cc'
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_SANITIZE=thread \
    -DHITLOOP_POSTGRES=OFF "-DHITLOOP_UNIT_TESTS=$SUITES" "${COMPILERS[@]}" >/dev/null
  cmake --build "$BUILD" -j "$JOBS" --target hitloop unit_tests
fi
built=$(date +%s)
BUILD="$(realpath "$BUILD")"
logs="$(mktemp -d "${TMPDIR:-/tmp}/hitloop-tsan.XXXXXX")"
supp="$ROOT/tests/sanitizers"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:suppressions=$supp/tsan.supp:log_path=$logs/tsan"
status=0
# The unit suites (gtest) and the CLI test of the server (tests/cli/serve.sh); the other CLI tests
# drive single-threaded commands and are the ASan tier's.
ctest_run() { (cd "$BUILD" && ctest --output-on-failure -j "$JOBS" -L fast "$@") || status=1; }
ex="${HITLOOP_TSAN_EXCLUDE:+|$HITLOOP_TSAN_EXCLUDE}"
if [ "$SHORT" = 1 ] && [ -z "${HITLOOP_TSAN_TESTS:-}" ]; then
  # One gtest shard per core, one process each (ctest would start the binary once per test).
  pids=()
  for ((i = 0; i < JOBS; i++)); do
    (cd "$BUILD" && GTEST_TOTAL_SHARDS="$JOBS" GTEST_SHARD_INDEX="$i" ./unit_tests \
       >"$logs/../hitloop-tsan-shard$i.$$.log" 2>&1) &
    pids+=($!)
  done
  for ((i = 0; i < JOBS; i++)); do
    shard_log="$logs/../hitloop-tsan-shard$i.$$.log"
    if ! wait "${pids[$i]}"; then
      status=1
      echo "== unit_tests shard $i failed:"
      grep -E '^\[  FAILED|Failure|error' "$shard_log" | head -n 40
      tail -n 20 "$shard_log"
    fi
    grep -E '^\[  (PASSED|FAILED) ' "$shard_log" | sed "s/^/shard $i: /" || true
    rm -f "$shard_log"
  done
elif [ -n "${HITLOOP_TSAN_TESTS:-}" ]; then
  ctest_run -R "$HITLOOP_TSAN_TESTS" ${HITLOOP_TSAN_EXCLUDE:+-E "$HITLOOP_TSAN_EXCLUDE"}
else
  ctest_run -E "^cli\\.$ex"
  ctest_run -R '^cli\.serve$' ${HITLOOP_TSAN_EXCLUDE:+-E "$HITLOOP_TSAN_EXCLUDE"}
fi
end=$(date +%s)
if compgen -G "$logs/*" >/dev/null; then
  echo "== sanitizer reports (the tier fails on any):"
  for f in "$logs"/*; do echo "--- $f"; cat "$f"; done
  status=1
fi
rm -rf "$logs"
echo "== TSan tier$([ "$SHORT" = 1 ] && echo ' (short form)'): build $((built - start)) s, tests $((end - built)) s, $([ $status = 0 ] && echo 'zero reports' || echo FAILED)"
exit $status
