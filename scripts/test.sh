#!/usr/bin/env bash
# The test command CI runs (via `make test`): unit + CLI tests under ctest, then the tiers that
# need extra setup (models, browser) when their scripts exist.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -x scripts/fetch-models.sh ]; then ./scripts/fetch-models.sh; fi
(cd "$BUILD" && ctest --output-on-failure -j "$(nproc)" -L fast)
