#!/usr/bin/env bash
# Every command README.md documents (the `hitloop CMD [SUB]` lines of its command-line block)
# exists in the binary: `hitloop CMD [SUB] --help` prints that command's own usage. Also checks
# itself: a made-up command must be reported missing.
# usage: documented_commands.sh HITLOOP SOURCE_DIR
set -euo pipefail
H="$1"; SRC="$2"

# "CMD" or "CMD SUB": SUB when the second word is a bare lowercase word (not NAME, a flag or a|b).
documented() {
  grep -E '^hitloop [a-z]' "$SRC/README.md" |
    awk '{ if ($3 ~ /^[a-z][a-z-]*$/) print $2, $3; else print $2 }' | sort -u
}

# Succeeds when `hitloop WORDS --help` shows the usage of exactly that command.
exists() {
  local out
  out="$("$H" "$@" --help 2>&1)" || return 1
  # A here-string, not `printf | grep -q`: grep -q exits at its first match, printf can then die
  # of SIGPIPE, and under pipefail the pipeline fails although the usage line was there (the
  # test failed that way now and then on a loaded machine).
  grep -qE "^(Usage: )?[^ ]*hitloop $* " <<<"$out"
}

if exists no-such-command; then echo "self-check: a made-up command was reported present"; exit 1; fi
n=0; missing=0
while read -r words; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  if ! exists $words; then echo "README.md documents 'hitloop $words' but the binary has no such command"; missing=1; fi
done < <(documented)
[ "$n" -ge 10 ] || { echo "found only $n documented commands in README.md; is the block still there?"; exit 1; }
exit "$missing"
