#!/usr/bin/env bash
# Runs every test: sets up what is missing, then the native Rust tests, the
# package build (with its size budget), the package's JS tests in Node,
# headless Chromium and Firefox ESR, Deno and workerd (against a real local
# WebSocket server), the TypeScript check, and the consumer matrix (the npm
# tarball in every bundler and runtime, attw, publint). Prints cargo's and node's usual result lines and
# a summary; exits non-zero if anything failed.
#
#   bash scripts/test.sh               # everything
#   TEST_ONLY="native build" bash scripts/test.sh   # a subset of the steps below
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
step native cargo test
step build bash scripts/build.sh
step js node --test tests/js/
step typescript bash tests/ts/check.sh
step consumers node tests/consumers/run.mjs

printf '\n\033[1m== summary\033[0m\n'
for p in "${passed[@]}"; do echo "ok     $p"; done
for f in "${failed[@]}"; do echo "FAILED $f"; done
echo "${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
