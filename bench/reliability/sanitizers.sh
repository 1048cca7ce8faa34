#!/usr/bin/env bash
# The long forms of the sanitizer and fuzz tiers (issue 18), timed for bench/HISTORY.md. `make test`
# runs their short forms (scripts/test.sh, steps 5-7); these are the whole tiers:
#   asan   scripts/test-asan.sh build-asan   every fast test under ASan+UBSan (-O0), PostgreSQL
#                                            cases too when HITLOOP_TEST_PG names a cluster
#   tsan   scripts/test-tsan.sh build-tsan   every threaded suite under TSan (-O1), cli/serve.sh
#   fuzz   scripts/fuzz.sh SECONDS           every libFuzzer target SECONDS each (build-fuzz); the
#                                            issue's target is >= 600 CPU-s per target, 0 crashes
# Each prints its own summary (build and test seconds, zero reports or the failures); this adds the
# wall and CPU seconds (user + sys of every child) and the load average before and after, the
# figures bench/RESULTS.md's "Reliability" rows quote. Set CCACHE_DISABLE=1 for a cold build.
#
# Usage: bench/reliability/sanitizers.sh [FUZZ_SECONDS (default 600)] [STEP...]
#   STEP: asan, tsan, fuzz (default all three, in that order)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
FUZZ_SECONDS="${1:-600}"
shift || true
STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=(asan tsan fuzz)
status=0
for step in "${STEPS[@]}"; do
  case "$step" in
    asan) cmd=(scripts/test-asan.sh build-asan) ;;
    tsan) cmd=(scripts/test-tsan.sh build-tsan) ;;
    fuzz) cmd=(scripts/fuzz.sh "$FUZZ_SECONDS") ;;
    *) echo "sanitizers.sh: unknown step $step (asan, tsan, fuzz)" >&2; exit 2 ;;
  esac
  echo "== $step: ${cmd[*]}  ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "commit $(git rev-parse --short HEAD))"
  times="$(mktemp)"
  rc=0
  /usr/bin/time -o "$times" -f '%e %U %S' "${cmd[@]}" || rc=$?
  read -r wall user sys <"$times"
  rm -f "$times"
  echo "== $step: exit $rc, wall ${wall} s, CPU $(awk "BEGIN {print $user + $sys}") s," \
    "load after $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$rc" = 0 ] || status=1
done
exit $status
