#!/usr/bin/env bash
# The whole-loop benchmark: the figures in the loop section of bench/RESULTS.md. Usage:
#   bench/loop/run.sh HITLOOP OUT_DIR [spam|fashion|brown|wordnet|noise|overlap|modes|rules|speed|all] [REPEATS]
# Audits: whole-pool draw + Clopper-Pearson bound + second opinion (the defaults); CANDIDATE=1
# draws from the candidate region with the betting bound instead. BEFORE=1 reproduces the earlier
# protocol (whole-pool audits, Clopper-Pearson, one answer per audit, plateau without waiting for
# a certificate, fixed threshold grid) with the same binary, for before/after figures. GRID=fixed
# (or quantile) sets only the threshold grid (default: fixed, the loop config's default), for a
# before/after of the grid alone. EXTRA="..." appends arguments to every simulate command (e.g.
# EXTRA="--model rff+logreg"); THREADS=N sets --threads (default 1).
# bench/loop/cycles.py OUT prints the per-cycle diagnostics (oracle floor, first certificate).
# Each dataset run writes OUT_DIR/<name>/summary.json and cycles.csv; bench/loop/summarize.py
# prints the table rows. Defaults: epsilon 0.02, delta 0.05, global thresholds, margin sampling,
# logreg, batch = 1% of the pool, 50 audits per cycle.
set -euo pipefail
HITLOOP="$(realpath "${1:?hitloop binary}")"
OUT="${2:?output dir}"
WHAT="${3:-all}"
REPEATS="${4:-100}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="$ROOT/bench/data"
mkdir -p "$OUT"

sim() {  # name dataset repeats [extra args...]
  local name="$1" ds="$2" reps="$3"
  shift 3
  [ -f "$DATA/$ds/pool.jsonl" ] || "$DATA/fetch.sh" "$ds"
  echo "== $name: $HITLOOP simulate loop --pool $DATA/$ds/pool.jsonl --test $DATA/$ds/test.jsonl --repeats $reps $* (BEFORE=${BEFORE:-0} CANDIDATE=${CANDIDATE:-0} GRID=${GRID:-} EXTRA=${EXTRA:-} THREADS=${THREADS:-1})"
  local before=()
  [ "${BEFORE:-0}" = 1 ] && before=(--audit-region pool --bound clopper-pearson --single-audit --plateau-without-certificate --grid fixed)
  [ "${CANDIDATE:-0}" = 1 ] && before+=(--audit-region candidate --bound betting)
  [ -n "${GRID:-}" ] && before+=(--grid "$GRID")
  local extra=()
  # shellcheck disable=SC2206  # EXTRA is split into words on purpose
  [ -n "${EXTRA:-}" ] && extra=(${EXTRA})
  before+=("${extra[@]}")
  /usr/bin/time -v nice -n "${NICE:-10}" "$HITLOOP" simulate loop --pool "$DATA/$ds/pool.jsonl" --test "$DATA/$ds/test.jsonl" \
    --target-precision "${TP:-0.98}" --confidence 0.95 --repeats "$reps" --seed 1 --threads "${THREADS:-1}" \
    --out "$OUT/$name" "${before[@]}" "$@" > "$OUT/$name.log" 2> "$OUT/$name.err"
  tail -3 "$OUT/$name.log"
}

case "$WHAT" in
  spam|all) sim spam spam "$REPEATS" ;;&
  modes|all) sim spam-per-class spam 20 --threshold-mode per-class ;;&
  rules|all) sim spam-rules spam 20 --rules ;;&
  noise|all)
    # With 5% noise nothing can be certified at epsilon 0.02 (the audits themselves disagree 5% of
    # the time), so these runs are capped at 10 cycles; the rest is labelled by people.
    sim spam-noise5 spam 3 --annotator-noise 0.05 --max-cycles 10
    sim spam-noise5-overlap3 spam 3 --annotator-noise 0.05 --max-cycles 10 --overlap 3
    # Audits with a second person and an adjudicator (the default): no cycle cap.
    sim spam-noise5-adjudicated spam "${NOISE_REPEATS:-20}" --annotator-noise 0.05
    TP=0.90 sim spam-noise5-eps10 spam 3 --annotator-noise 0.05 ;;&
  overlap|all)
    # Who answers a review item (--overlap-policy): one person, three (plurality), or two and a
    # third only on disagreement, at 5% and 15% annotator noise; capped at 15 cycles (the rest is
    # labelled by people under the same policy). OVERLAP_REPEATS runs each (default 5).
    for nz in 0.05 0.15; do
      for pol in 1 fixed:3 2+1; do
        sim "spam-overlap-${pol/:/}-noise$nz" spam "${OVERLAP_REPEATS:-5}" --annotator-noise "$nz" \
          --max-cycles 15 --overlap-policy "$pol"
      done
    done ;;&
  fashion|all) sim fashion fashion "${FASHION_REPEATS:-1}" --batch 2000 --audit-per-cycle 100 ;;&
  brown|all) sim brown brown "${BROWN_REPEATS:-1}" --batch 1500 --audit-per-cycle 100 --no-char-ngrams ;;&
  wordnet|all) sim wordnet wordnet "${WORDNET_REPEATS:-1}" --batch 3000 --audit-per-cycle 100 --no-char-ngrams ;;&
  speed|all)
    # The 1M-item decision benchmark lives in the unit-test binary as a disabled test.
    UT="$(dirname "$HITLOOP")/unit_tests"
    "$UT" --gtest_also_run_disabled_tests --gtest_filter='PlanBench.*' | tee "$OUT/speed.log" ;;
  *) ;;
esac
python3 "$ROOT/bench/loop/summarize.py" "$OUT"
