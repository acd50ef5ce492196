#!/usr/bin/env bash
# Builds the npm package into pkg/: the wasm (release, size-tuned, no
# generated glue: js/wasm.js loads it), the hand-written entries from js/
# (index.js for browsers and workers, node.js for Node and Deno, index.d.ts;
# server.js and server.d.ts, the server fence, profile-registry/server;
# weblocks.js, profile-registry/weblocks), the generated entries
# (scripts/entries.mjs: the inlined wasm, node.cjs),
# a complete package.json, and a size report.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rm -rf pkg
mkdir -p target pkg
# Without the default `std` feature: the wasm is `no_std`, with no formatting
# machinery (the native tests build with std).
cargo build --release --target wasm32-unknown-unknown --no-default-features > target/cargo-wasm.log 2>&1 \
  || { grep -vE '^\s+(Compiling|Downloaded)' target/cargo-wasm.log >&2; echo "build: cargo build --target wasm32-unknown-unknown failed" >&2; exit 1; }
WASM="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/profile_registry.wasm"
# A current wasm-opt (npm `binaryen`, pinned in tests/js). The passes: -Os,
# then --flatten --rereloop (the control flow rebuilt from scratch) and -Os
# again, then the folding of like code and functions and a last -Os;
# -ocimfs 30 inlines a function with one caller only when it is small
# (unbounded, the inlined bodies gzip worse). Measured on the gzipped wasm:
# 29,100 B with -Oz --converge alone, 28,882 B with these passes, 28,351 B
# with -ocimfs 30 as well (20-40 are within 100 B; 80 and 200 lose); a
# second --flatten --rereloop -Os --converge at the end, 27,077 B against
# 27,123 B without (a third loses); then --monomorphize (a function copied
# for calls whose constant arguments let it shrink, kept only where the copy
# is smaller) and -Os, 25,753 B against 25,780 B without.
# --converge repeats the passes while they still shrink the module; the strips drop the
# producers and target-features sections rustc writes. The memory is the
# module's own (zero-filled at start), and nothing lives below address
# 1024 (the stack comes first and grows down from 1 MiB), which lets
# wasm-opt fold more constants into loads and stores. The linker's
# `__data_end` and `__heap_base` exports go: nothing reads them.
WASM_OPT=tests/js/node_modules/.bin/wasm-opt
if [ -x "$WASM_OPT" ]; then
  "$WASM_OPT" -ocimfs 30 -Os --converge --flatten --rereloop -Os --converge \
    --code-folding --merge-similar-functions --duplicate-function-elimination -Os --flatten --rereloop -Os --converge --monomorphize -Os --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue --strip-debug --strip-producers --strip-target-features \
    --zero-filled-memory --low-memory-unused --remove-exports --pass-arg=remove-exports@__* \
    "$WASM" -o pkg/profile_registry_bg.wasm
else
  echo "build: $WASM_OPT not found (run scripts/setup.sh); the wasm is not size-optimised" >&2
  cp "$WASM" pkg/profile_registry_bg.wasm
fi
cp js/*.js js/index.d.ts js/server.d.ts js/weblocks.d.ts js/react.d.ts js/cloudflare.d.ts pkg/
cp README.md pkg/ 2>/dev/null || true
node scripts/entries.mjs
node scripts/package-json.mjs
# The budget: wasm + the default entry's JS, minified and gzipped, as a
# browser user loads it (README, "Performance and size"); server.js is not
# part of it (nothing in the default entry imports it). Over it, the build
# fails. It is 32 KiB (32,768 B); the next goal is 24 KiB.
# The inlined entry (inline.js: the wasm deflated, as base64, and the
# inflater) is what bundlers pick; its budget is its size today plus
# ~300 B, so it cannot grow unnoticed either.
node scripts/size.mjs --budget 32768 --inline-budget 34000
# The API reference (TypeDoc, from the declarations) into target/api/, once
# scripts/setup.sh has installed TypeDoc.
if [ -x tests/consumers/node_modules/.bin/typedoc ]; then
  bash scripts/api-docs.sh
else
  echo "build: TypeDoc not installed (scripts/setup.sh); no API reference built" >&2
fi
