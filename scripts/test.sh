#!/usr/bin/env bash
# Runs every test: sets up what is missing, then the native Rust tests, the
# wasm tests in Node, headless Chrome and headless Firefox (against a real
# local WebSocket server), the package's JS tests in Node, Deno and workerd,
# and the TypeScript check. Prints cargo's and node's usual result lines and
# a summary; exits non-zero if anything failed.
#
#   bash scripts/test.sh               # everything
#   TEST_ONLY="native wasm-node" bash scripts/test.sh   # a subset of the steps below
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh || exit 1

mkdir -p test-output
failed=()
passed=()
step() { # name command...
  local name=$1; shift
  if [ -n "${TEST_ONLY:-}" ] && [[ " $TEST_ONLY " != *" $name "* ]]; then return; fi
  printf '\n\033[1m== %s\033[0m\n' "$name"
  local t0=$SECONDS
  if "$@"; then passed+=("$name ($((SECONDS - t0))s)"); else failed+=("$name"); fi
}
with_server() { node tests/js/with-server.mjs -- "$@"; }
wasm_test() { # mode: node | chrome | firefox
  local args=(--node) env=(NODE_ARGS=--experimental-websocket)
  case $1 in
    chrome) args=(--headless --chrome); env=(WASM_BINDGEN_USE_BROWSER=1) ;;
    firefox) args=(--headless --firefox); env=(WASM_BINDGEN_USE_BROWSER=1) ;;
  esac
  with_server env "${env[@]}" WASM_BINDGEN_TEST_TIMEOUT=120 wasm-pack test "${args[@]}" -- --test web --test web_conn 2>&1 \
    | grep -vE '^\s+(Compiling|Downloaded|Blocking)|^\[INFO\]'
}

step native cargo test
step build bash scripts/build.sh
step wasm-node wasm_test node
step wasm-chrome wasm_test chrome
step wasm-firefox wasm_test firefox
step js node --test tests/js/
step typescript bash tests/ts/check.sh

printf '\n\033[1m== summary\033[0m\n'
for p in "${passed[@]}"; do echo "ok     $p"; done
for f in "${failed[@]}"; do echo "FAILED $f"; done
echo "${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
