#!/usr/bin/env bash
# Installs the Debian packages hitloop needs to build, test and benchmark (by group, below).
# Idempotent: re-running only installs what is missing. Needs root (or sudo).
set -euo pipefail

# Package groups: build (compile hitloop), test (run `make test`), bench (the benchmarks).
# usage: install-deps.sh [build|test|bench|all]...   (default: all)
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates ccache
  libsqlite3-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev
  libeigen3-dev liblinear-dev libfasttext-dev
  libcld2-dev libutf8proc-dev libxxhash-dev libsodium-dev
  libboost-dev  # header-only Boost.Math (quality/: binomial intervals)
  libgtest-dev libgmock-dev googletest  # the unit tests build with the tree
  libpq-dev  # the PostgreSQL store backend (src/store/postgres/; cmake -DHITLOOP_POSTGRES)
)
TEST_PACKAGES=(
  clang-format clang-tidy  # make format, make tidy
  clang                    # the sanitizer tier (scripts/test-asan.sh) compiles with clang
  sqlite3 python3          # CLI tests, the layering and size checks
  chromium  # browser tests (tests/browser) drive Debian's chromium; never a downloaded one
  postgresql-15  # the store tests on PostgreSQL: a throw-away cluster (scripts/pg-test-cluster.sh)
)
BENCH_PACKAGES=(
  libbenchmark-dev fasttext
  python3-numpy python3-sklearn
  dataset-fashion-mnist time hyperfine
)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(all)
PACKAGES=()
for g in "${groups[@]}"; do
  case "$g" in
    build) PACKAGES+=("${BUILD_PACKAGES[@]}") ;;
    test) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
    bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
    all) PACKAGES+=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BENCH_PACKAGES[@]}") ;;
    *) echo "install-deps: unknown group '$g' (build, test, bench, all)" >&2; exit 2 ;;
  esac
done

missing=()
# Node.js: the machine image may already carry a newer Node.js with its own npm; Debian's npm
# would conflict with it, so only ask Debian for node when none is on PATH.
# (browser tests only: the test group)
wants_test=0
for g in "${groups[@]}"; do [ "$g" = test ] || [ "$g" = all ] && wants_test=1; done
if [ "$wants_test" = 1 ] && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
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
