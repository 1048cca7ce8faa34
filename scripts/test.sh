#!/usr/bin/env bash
# The test command CI runs (via `make test`, from .ci/run):
#   1. models the autolabel tests need (scripts/fetch-models.sh; npm registry);
#   2. unit, HTTP-scenario, authorisation-matrix and CLI tests under ctest (label "fast");
#   3. browser tests: Debian chromium driven by npm playwright-core (tests/browser);
#   4. the CI load test: 64 concurrent annotator clients for 30 s against `hitloop serve`,
#      checking zero double assignment, zero lost/duplicated acknowledged labels, zero 5xx;
#   5. the ASan+UBSan tier, short form (scripts/test-asan.sh with HITLOOP_ASAN_SHORT=1): clang
#      -O0, ASan+UBSan with libFuzzer's coverage, module libraries unity-built, in BUILD-san; the
#      parser (io), store, server and HTTP-scenario suites (+ core, schema, net; not the fault
#      sweeps) and the CLI tests of imports, names, ports, strict opening, the admin log and
#      serve, with zero reports enforced (any report, also from a child process, a server a test kills, or a leak
#      at exit, fails it);
#   6. a short fuzz run: every libFuzzer target (fuzz/, scripts/fuzz.sh) built in the same
#      BUILD-san (only the targets' own files are compiled: the libraries are step 5's) and run
#      HITLOOP_FUZZ_SECONDS (default 5) each from the committed seed corpus with a fixed seed
#      (-seed=1, so a CI failure reproduces; `make fuzz` explores with random seeds); any crash
#      or sanitizer report fails it and prints the input's path;
#   7. the TSan tier, short form (scripts/test-tsan.sh with HITLOOP_TSAN_SHORT=1): clang -O1 in
#      BUILD-tsan-short, the server suites (workers, connection poller, scope cache, HTTP
#      scenarios), the group-commit writer's and the linear model's, linked against the server
#      module and what it uses only; zero reports.
#   Steps 5-7 cost a cold CI machine (no ccache) the figures in bench/RESULTS.md ("Reliability":
#   sanitizers and fuzzing in `make test`). Their long forms are not run here: `make test-asan`
#   (every fast test at -O0, the PostgreSQL cases included), `make test-tsan` (+ store, outbound
#   fetcher, ML backend, tests/cli/serve.sh), `make fuzz` (FUZZ_SECONDS per target, default 60).
#   HITLOOP_ASAN=0, HITLOOP_FUZZ=0 or HITLOOP_TSAN=0 leaves one out (a local loop; CI runs all).
#   2b. the backend-parameterised store tests again on PostgreSQL 15: a throw-away cluster of
#      its own (scripts/pg-test-cluster.sh: initdb in a temporary folder as an unprivileged user,
#      Unix socket only, removed on exit), named to the tests by HITLOOP_TEST_PG. Skipped only
#      with HITLOOP_SKIP_PG=1 or in a build without PostgreSQL (HITLOOP_POSTGRES=OFF); then the
#      HTTP scenario and server tests with the server on it (HITLOOP_TEST_SERVER_PG=1), db copy
#      SQLite <-> PostgreSQL (tests/cli/db_copy.sh), and two `hitloop serve` processes on one
#      database of it, one killed halfway (tests/pg/two_servers.py), and two servers' scope
#      caches honouring a change made through the other (tests/pg/scope_cache.py), and the
#      claim's plan on a 20,000-item queue (tests/pg/claim_plan.py);
# Set HITLOOP_SKIP_SLOW=1 to run only 1-2b (a quick local loop: no browser, load, sanitizer or fuzz
# step).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="$(realpath "$BUILD")"
# Each step's header says when it started (seconds since this script began), so a CI log shows
# where the time went.
step() { echo "== [+${SECONDS}s] $*"; }
./scripts/fetch-models.sh
# The CLI tests share the SpamAssassin corpus; fetch it once here (two tests fetching it at the
# same time under ctest -j would race on the unpacked cache).
[ -f bench/data/spam/pool.jsonl ] || bench/data/fetch.sh spam
step "fast tier (ctest -L fast)"
(cd "$BUILD" && ctest --output-on-failure -j "$(nproc)" -L fast)
if [ "${HITLOOP_SKIP_PG:-0}" != 1 ] && grep -q '^HITLOOP_POSTGRES:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  step "store tests on PostgreSQL"
  PG_DIR="$(mktemp -d /tmp/hitloop-pg.XXXXXX)"
  trap 'scripts/pg-test-cluster.sh stop "$PG_DIR"' EXIT
  HITLOOP_TEST_PG="$(scripts/pg-test-cluster.sh start "$PG_DIR")"
  export HITLOOP_TEST_PG
  pg_log="$PG_DIR/unit_tests.log"
  set +e
  "$BUILD/unit_tests" --gtest_filter='Backends/*/postgres' >"$pg_log" 2>&1
  status=$?
  set -e
  tail -n 3 "$pg_log"
  if [ "$status" != 0 ]; then grep -E '^\[  FAILED|Failure|error' "$pg_log" | head -n 40; exit "$status"; fi
  # A cluster that was started but refused every test would show up as skips, not failures.
  if grep -q '^\[  SKIPPED \]' "$pg_log"; then echo "PostgreSQL store tests were skipped" >&2; exit 1; fi
  step "HTTP scenario and server tests on PostgreSQL"
  # Less the disk-full test: it injects SQLite I/O errors through a faulty VFS.
  set +e
  HITLOOP_TEST_SERVER_PG=1 "$BUILD/unit_tests" \
    --gtest_filter='Files/HttpScenario.*:Regression.*:ScopeCacheTest.*:Security.*:Server.*:TaskMix.*:HandlersAdmin.*:ImportUpload.*:Readyz.*:CycleRoute.*:-Regression.DiskFullIs503WithoutPathsAndHealthReportsTheStoppedWriter' \
    >"$pg_log" 2>&1
  status=$?
  set -e
  tail -n 3 "$pg_log"
  if [ "$status" != 0 ]; then grep -E '^\[  FAILED|Failure|error' "$pg_log" | head -n 40; exit "$status"; fi
  step "db copy SQLite <-> PostgreSQL (tests/cli/db_copy.sh)"
  bash tests/cli/db_copy.sh "$BUILD/hitloop" "$ROOT"
  step "two servers on one PostgreSQL database (tests/pg/two_servers.py)"
  psql -q "$HITLOOP_TEST_PG" -c "CREATE DATABASE two_servers"
  python3 tests/pg/two_servers.py "$BUILD/hitloop" "${HITLOOP_TEST_PG/\/postgres\?//two_servers?}"
  step "the claim's plan on a 20,000-item queue (tests/pg/claim_plan.py)"
  psql -q "$HITLOOP_TEST_PG" -c "CREATE DATABASE claim_plan"
  python3 tests/pg/claim_plan.py "$BUILD/hitloop" "${HITLOOP_TEST_PG/\/postgres\?//claim_plan?}"
  step "scope caches across two servers (tests/pg/scope_cache.py)"
  psql -q "$HITLOOP_TEST_PG" -c "CREATE DATABASE scope_cache"
  python3 tests/pg/scope_cache.py "$BUILD/hitloop" "${HITLOOP_TEST_PG/\/postgres\?//scope_cache?}"
  scripts/pg-test-cluster.sh stop "$PG_DIR"
  trap - EXIT
fi
if [ "${HITLOOP_SKIP_SLOW:-0}" = 1 ]; then exit 0; fi
step "browser tests"
tests/browser/run.sh "$BUILD/hitloop"
step "load test (64 clients, 30 s)"
# 120k items: at ~2,000-3,000 round trips/s the queue lasts the whole run (20k ran dry in ~7 s).
# 30 s, not 60: the checks are the same and CI's budget goes to the sanitizer steps below.
bench/server/run.sh "$BUILD/hitloop" --items 120000 --clients 64 --duration 30
if [ "${HITLOOP_ASAN:-1}" != 0 ]; then
  step "sanitizer tier, short form: ASan+UBSan (zero reports)"
  HITLOOP_ASAN_SHORT=1 ./scripts/test-asan.sh "$BUILD-san"
fi
if [ "${HITLOOP_FUZZ:-1}" != 0 ]; then
  step "fuzz (short run, ${HITLOOP_FUZZ_SECONDS:-5} s per target, seed 1)"
  # The ASan step's folder: the libraries are built; only the targets' own files compile here.
  FUZZ_BUILD="$BUILD-san" FUZZ_ARGS="${FUZZ_ARGS:--seed=1}" ./scripts/fuzz.sh "${HITLOOP_FUZZ_SECONDS:-5}"
fi
if [ "${HITLOOP_TSAN:-1}" != 0 ]; then
  step "sanitizer tier, short form: TSan (zero reports)"
  HITLOOP_TSAN_SHORT=1 ./scripts/test-tsan.sh "$BUILD-tsan-short"
fi
step "done"
