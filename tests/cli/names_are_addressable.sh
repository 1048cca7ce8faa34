#!/usr/bin/env bash
# Regression: the CLI accepted user and project names the API cannot address ('/', TAB, 5,000
# characters). The CLI and the API share one validator now.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
"$H" --db "$T/h.db" project create ok --labels a,b >/dev/null
long=$(head -c 5000 /dev/zero | tr '\0' n)
for name in "a/b" "$(printf 'a\tb')" "$long" ".."; do
  if "$H" --db "$T/h.db" project create "$name" --labels a,b >/dev/null 2>"$T/err"; then
    echo "FAIL: project '$name' accepted"; exit 1
  fi
  grep -q "project name:" "$T/err" || { echo "FAIL: unclear error"; cat "$T/err"; exit 1; }
  if "$H" --db "$T/h.db" user add "$name" --role annotator >/dev/null 2>"$T/err"; then
    echo "FAIL: user '$name' accepted"; exit 1
  fi
  grep -q "user name:" "$T/err" || { echo "FAIL: unclear error"; cat "$T/err"; exit 1; }
done
[ "$("$H" --db "$T/h.db" project list | wc -l)" -eq 1 ] || { echo "FAIL: a bad project was stored"; exit 1; }
echo OK
