#!/usr/bin/env bash
# The peers benchmark, all of it, in one run (about 9.5 minutes on 2 cores):
#   bash bench/peers/run.sh                 (or name scenarios: storm duplicates messages throughput memory bundle chromium)
# Builds pkg/ if it is missing, installs this folder's pinned packages
# (npm ci) and prints one Markdown table per scenario on stdout (progress on stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f pkg/index.js ] || [ ! -f pkg/node.js ] || [ ! -f pkg/profile_registry_bg.wasm ]; then
  echo "bench/peers/run.sh: pkg/ is not built; building it (bash scripts/build.sh)" >&2
  bash scripts/build.sh
fi
if [ ! -d bench/peers/node_modules ] || [ bench/peers/package-lock.json -nt bench/peers/node_modules/.package-lock.json ]; then
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
fi
exec timeout 900 node bench/peers/main.mjs "$@"
