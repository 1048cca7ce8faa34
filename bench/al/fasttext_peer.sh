#!/usr/bin/env bash
# fastText peer (Debian `fasttext` CLI): full-pool supervised accuracy and training time on the
# same pool/test split, with the same hyper-parameters as hitloop's "fasttext" model adapter
# (lr 0.5, 25 epochs, dim 50, word bigrams). Usage: fasttext_peer.sh POOL.jsonl TEST.jsonl
set -euo pipefail
pool=$1 test=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
to_ft() {
  /usr/bin/python3 -c '
import json, sys, unicodedata
for line in sys.stdin:
    if not line.strip(): continue
    r = json.loads(line)
    t = unicodedata.normalize("NFKC", r.get("text", "") or "").casefold()
    t = " ".join(t.split())
    print("__label__" + r["label"].replace(" ", "_"), t)
'
}
to_ft < "$pool" > "$tmp/train.txt"
to_ft < "$test" > "$tmp/test.txt"
start=$(date +%s.%N)
fasttext supervised -input "$tmp/train.txt" -output "$tmp/model" -lr 0.5 -epoch 25 -dim 50 \
  -wordNgrams 2 -minCount 1 -bucket 262144 -thread 2 -verbose 0 >/dev/null
end=$(date +%s.%N)
res=$(fasttext test "$tmp/model.bin" "$tmp/test.txt")
acc=$(echo "$res" | awk '/^P@1/ {print $2}')
n=$(echo "$res" | awk '/^N/ {print $2}')
printf '{"peer": "fasttext CLI (Debian)", "test_size": %s, "accuracy": %s, "train_seconds": %.2f}\n' \
  "$n" "$acc" "$(echo "$end - $start" | bc)"
