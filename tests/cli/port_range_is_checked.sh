#!/usr/bin/env bash
# Regression: `serve --port 70000` listened on 4464 (70000 mod 65536). Out-of-range ports are a
# usage error now, before anything listens.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
"$H" --db "$T/h.db" project create p --labels a,b >/dev/null
for port in 70000 65536 -1; do
  rc=0
  timeout 10 "$H" --db "$T/h.db" serve --port="$port" >"$T/out" 2>"$T/err" || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { echo "FAIL: --port $port: exit $rc"; cat "$T/out" "$T/err"; exit 1; }
  grep -qi "port" "$T/err" || { echo "FAIL: --port $port: unclear error"; cat "$T/err"; exit 1; }
  if grep -q serving "$T/out"; then echo "FAIL: --port $port served"; exit 1; fi
done
echo OK
