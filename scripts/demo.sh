#!/usr/bin/env bash
# The main job: sets up what is missing, builds the npm package into pkg/,
# then starts the local WebSocket server (echo + fault controls) and serves
# the demo page www/ on 127.0.0.1, printing its URL. Ctrl-C stops it.
#   bash scripts/demo.sh [--port N]      (default 8080, or a free port)
# The Rust tour of the registry alone: cargo run --example registry
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SETUP_SKIP_BROWSERS=1 bash scripts/setup.sh
bash scripts/build.sh
exec node scripts/serve.mjs "$@"
