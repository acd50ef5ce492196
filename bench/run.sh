#!/usr/bin/env bash
# whereis benchmark in Node and in headless Chromium; works from any cwd.
#   bash bench/run.sh                      (BENCH_ROUNDS / BENCH_MS tune it)
# Needs the built package in pkg/ (bash scripts/build.sh) and tests/js/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f pkg/index.js ] || [ ! -f pkg/node.js ] || [ ! -f pkg/profile_registry_bg.wasm ]; then
  echo "bench/run.sh: pkg/ is not built; building it (bash scripts/build.sh)" >&2
  bash scripts/build.sh
fi
node bench/node.mjs && node bench/browser.mjs
