#!/usr/bin/env bash
# Installs every Debian package hitloop needs to build, test and benchmark.
# Idempotent: re-running only installs what is missing. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates ccache
  clang-format clang-tidy
  libsqlite3-dev sqlite3
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev
  libeigen3-dev liblinear-dev libfasttext-dev fasttext
  libcld2-dev libutf8proc-dev libxxhash-dev libsodium-dev
  libboost-dev  # header-only Boost.Math (quality/: binomial intervals)
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  python3 python3-numpy python3-sklearn
  dataset-fashion-mnist time hyperfine
  chromium  # browser tests (tests/browser) drive Debian's chromium; never a downloaded one
)

missing=()
# Node.js: the machine image may already carry a newer Node.js with its own npm; Debian's npm
# would conflict with it, so only ask Debian for node when none is on PATH.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
