#!/usr/bin/env bash
# The main job: sets up what is missing, builds the npm package into pkg/,
# and runs the registry tour (examples/registry.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SETUP_SKIP_BROWSERS=1 bash scripts/setup.sh
bash scripts/build.sh
cargo run --quiet --example registry
