#!/usr/bin/env bash
# Type-checks tests/ts/consumer.ts against the built package (pkg/, from
# scripts/build.sh) the way a user's project sees it: through
# node_modules/profile-registry and the package's "exports" / "types".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tsc="$root/tests/js/node_modules/.bin/tsc"
[ -f "$root/pkg/package.json" ] || { echo "check.sh: pkg/ is missing; run scripts/build.sh" >&2; exit 1; }
[ -x "$tsc" ] || { echo "check.sh: $tsc not found; run npm ci in tests/js" >&2; exit 1; }
mkdir -p "$here/node_modules"
ln -sfn ../../../pkg "$here/node_modules/profile-registry"
# Fail if the import did not go through the package's exports map.
trace="$("$tsc" -p "$here" --noEmit --traceResolution 2>/dev/null | grep -E "^======== Module name 'profile-registry(/[a-z]+)?' was successfully resolved" || true)"
if [ "$(grep -c "pkg/index.d.ts" <<<"$trace")" -lt 2 ]; then
  echo "check.sh: profile-registry did not resolve to pkg/index.d.ts through exports:" >&2
  echo "$trace" >&2
  exit 1
fi
"$tsc" -p "$here" --noEmit
echo "tsc: tests/ts/consumer.ts type-checks against pkg/"
