#!/bin/bash
# Protocol 4 (BENCHMARKS.md), active pairs: (1) synthetic Bradley-Terry truth, 50 items, 20% of
# answers flipped, comparisons to Spearman rho >= 0.9, active vs random, median over 20 seeds;
# (2) reward-model accuracy per number of comparisons on the HH-RLHF pairs, active vs random.
# Usage: bench/preference/simulate.sh [HITLOOP] [synthetic|pairs|both]
set -euo pipefail
H=${1:-build/hitloop}
WHAT=${2:-both}
DATA=${DATA:-../shared/data/preferences/hh-harmless-dev.jsonl}
OUT=bench/out/preference
mkdir -p "$OUT"
if [ "$WHAT" != pairs ]; then
  "$H" simulate preferences synthetic --items 50 --flip 0.2 --seeds 20 --batch 10 --target-rho 0.9
fi
if [ "$WHAT" != synthetic ]; then
  DB=$OUT/simulate.db
  rm -rf "$DB" "$DB".*
  "$H" --db "$DB" project create hh --type pairwise >/dev/null
  "$H" --db "$DB" import hh "$DATA" --detect none >/dev/null
  "$H" --db "$DB" simulate preferences pairs hh --seeds 5 --start 100 --batch 100
fi
