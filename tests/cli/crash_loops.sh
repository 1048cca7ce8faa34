#!/usr/bin/env bash
# Crash loops: kill -9 at seeded random moments of `hitloop cycle` (several times on the same
# database, each kill on what the previous left), `hitloop export`, `hitloop db backup` and
# `hitloop db restore --force`. After every kill the database opens (`status`), `db check` passes
# (integrity_check, foreign_key_check, schema version), an output file is either absent or
# complete, and at the end re-running each command finishes. The approach of
# bench/storage/run.sh's import crash loop: a background process, a seeded random sleep, kill -9,
# wait, check.
# usage: crash_loops.sh HITLOOP SOURCE_DIR   (CRASH_SEED=N picks other kill moments)
set -euo pipefail
H="$1"
SEED="${CRASH_SEED:-$(date +%s)}"
T="$(mktemp -d)"; PID=""
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL (CRASH_SEED=$SEED): $*"; exit 1; }
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
N=15000
echo "crash_loops: CRASH_SEED=$SEED"

python3 - "$T/items.jsonl" "$N" <<'PY'
import json, random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(3)
ham = "meeting agenda report lunch project minutes budget team schedule notes".split()
spam = "winner prize casino lottery cheap offer click free deal bonus".split()
common = "the a and to of in for on with this that".split()
with open(path, "w") as f:
    for i in range(n):
        y = rng.random() < 0.4
        words = [rng.choice(spam if (y if rng.random() < 0.7 else not y) else ham) for _ in range(6)]
        words += [rng.choice(common) for _ in range(8)]
        rng.shuffle(words)
        r = {"id": "i%06d" % i, "text": " ".join(words)}
        if i < 400:
            r["label"] = "spam" if y else "ham"
        f.write(json.dumps(r) + "\n")
PY
hl project create p --labels ham,spam >/dev/null
hl import p "$T/items.jsonl" --detect none >/dev/null

# Seeded kill moments: `delays KEY COUNT MAX` prints COUNT delays in [0, MAX] seconds.
delays() { awk -v s="$SEED" -v k="$1" -v n="$2" -v m="$3" 'BEGIN { srand(s + k); for (i = 0; i < n; i++) printf "%.2f ", rand() * m }'; }
# kill_after DELAY CMD...: runs CMD in the background, kills it with SIGKILL after DELAY seconds
# (if still running) and reaps it. Prints "killed" or "finished".
kill_after() {
  local d="$1"; shift
  "$@" >/dev/null 2>&1 &
  PID=$!
  sleep "$d"
  if kill -9 "$PID" 2>/dev/null; then echo killed; else echo finished; fi
  wait "$PID" 2>/dev/null || true
  PID=""
}
healthy() {  # healthy PATH WHAT
  "$H" --db "$1" status p >/dev/null 2>"$T/err" || { cat "$T/err"; fail "$2: $1 does not open"; }
  "$H" --db "$1" db check >/dev/null 2>"$T/err" || { cat "$T/err"; fail "$2: db check fails on $1"; }
}
killed=0

# 1. cycle, six kills in a row on the same database.
for d in $(delays 1 6 1.8); do
  r=$(kill_after "$d" "$H" --db "$DB" cycle p)
  [ "$r" = killed ] && killed=$((killed + 1))
  healthy "$DB" "cycle killed after ${d}s"
done
hl cycle p >/dev/null 2>"$T/err" || { cat "$T/err"; fail "cycle does not finish after the kills"; }
healthy "$DB" "cycle re-run"

# 2. export: the output file is absent or whole.
for d in $(delays 2 3 0.3); do
  rm -f "$T/e.jsonl"
  r=$(kill_after "$d" "$H" --db "$DB" export p --format jsonl --out "$T/e.jsonl")
  [ "$r" = killed ] && killed=$((killed + 1))
  if [ -e "$T/e.jsonl" ] && [ "$(wc -l <"$T/e.jsonl")" != "$N" ]; then fail "export killed after ${d}s left a partial $T/e.jsonl"; fi
  healthy "$DB" "export killed after ${d}s"
done
hl export p --format jsonl --out "$T/e.jsonl" 2>/dev/null || fail "export does not finish after the kills"
[ "$(wc -l <"$T/e.jsonl")" = "$N" ] || fail "export re-run wrote $(wc -l <"$T/e.jsonl") lines"

# 3. db backup: the backup file is absent or a healthy database.
for d in $(delays 3 4 0.45); do
  rm -f "$T/b.db" "$T/b.db-wal" "$T/b.db-shm"
  r=$(kill_after "$d" "$H" --db "$DB" db backup "$T/b.db")
  [ "$r" = killed ] && killed=$((killed + 1))
  if [ -e "$T/b.db" ]; then healthy "$T/b.db" "backup file after a kill at ${d}s"; fi
  healthy "$DB" "db backup killed after ${d}s"
done
rm -f "$T/b.db" "$T/b.db-wal" "$T/b.db-shm"
hl db backup "$T/b.db" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "db backup does not finish after the kills"; }
healthy "$T/b.db" "backup re-run"

# 4. db restore --force over an existing database: the old or the new one, never a mix.
cp "$DB" "$T/r.db"
for d in $(delays 4 4 0.5); do
  r=$(kill_after "$d" "$H" --db "$T/r.db" db restore "$T/b.db" --force)
  [ "$r" = killed ] && killed=$((killed + 1))
  healthy "$T/r.db" "db restore killed after ${d}s"
done
"$H" --db "$T/r.db" db restore "$T/b.db" --force >/dev/null 2>"$T/err" || { cat "$T/err"; fail "restore re-run"; }
healthy "$T/r.db" "restore re-run"

echo "crash loops ok: $killed of 17 runs killed mid-way (the rest had finished), every database healthy"
