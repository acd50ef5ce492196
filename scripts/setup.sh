#!/usr/bin/env bash
# Installs what this project needs and is missing, idempotently.
# Pinned versions live here; a second run only checks and returns quickly.
#
#   bash scripts/setup.sh            # everything (Rust wasm target, Chromium,
#                                    # Firefox ESR, WebKitGTK's driver and Xvfb,
#                                    # npm deps incl. wasm-opt)
#   SETUP_SKIP_BROWSERS=1 bash scripts/setup.sh   # no browsers
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs) first"
command -v node >/dev/null || die "node is missing: install Node.js 20 or newer first"
command -v npm >/dev/null || die "npm is missing: install npm first"

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || die "rustup could not add wasm32-unknown-unknown"
fi

# 2. Browsers (driven by playwright-core from npm), from Debian.
apt_missing=()
need_apt() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
if [ -z "${SETUP_SKIP_BROWSERS:-}" ]; then
  need_apt chromium; need_apt firefox-esr
  need_apt webkit2gtk-driver; need_apt xvfb # WebKitGTK (Safari's engine) under Xvfb: tests/js/weblocks-webkit.test.mjs
fi
# zopfli deflates the inlined entry's wasm (scripts/entries.mjs).
need_apt zopfli
if [ ${#apt_missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get is missing; install by hand: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  say "installing Debian packages: ${apt_missing[*]}"
  $SUDO apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null \
    || die "apt-get install ${apt_missing[*]} failed"
fi

# 3. npm dependencies of the JS tests, the test server, the demo page and the
#    consumer matrix (its bundlers, wrangler, attw, publint).
for dir in tests/js tests/consumers www; do
  if [ -f "$dir/package.json" ]; then
    # Installed when the lock file's content differs from the one the last
    # install recorded (node_modules/.setup-lock), not by file times: a fresh
    # checkout's lock file is always newer. A node_modules that is a symlink
    # belongs to another checkout and is never reinstalled from here.
    stamp="$dir/node_modules/.setup-lock"
    if [ -L "$dir/node_modules" ]; then
      :
    elif [ ! -d "$dir/node_modules" ] || ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
      say "npm install in $dir"
      if [ -f "$dir/package-lock.json" ]; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in $dir failed"
        cp "$dir/package-lock.json" "$stamp"
      else
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error) || die "npm install in $dir failed"
      fi
    fi
  fi
done
say "ready"
