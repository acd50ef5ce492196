#!/usr/bin/env bash
# Builds the API reference (HTML) from the package's declarations with
# TypeDoc (pinned in tests/consumers/package.json): pkg/index.d.ts
# ("profile-registry"), pkg/react.d.ts ("profile-registry/react"),
# pkg/server.d.ts ("profile-registry/server"), pkg/weblocks.d.ts and
# pkg/cloudflare.d.ts, into target/api/.
# Needs pkg/ (bash scripts/build.sh) and tests/consumers/node_modules
# (bash scripts/setup.sh). Warnings (a broken {@link}, an undocumented
# export) fail it.
#   bash scripts/api-docs.sh && open target/api/index.html
set -euo pipefail
cd "$(dirname "$0")/.."
typedoc=tests/consumers/node_modules/.bin/typedoc
[ -x "$typedoc" ] || { echo "api-docs: $typedoc not found; run scripts/setup.sh" >&2; exit 1; }
[ -f pkg/index.d.ts ] || { echo "api-docs: pkg/ is missing; run scripts/build.sh" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/tsconfig.json" <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "ESNext", "moduleResolution": "bundler", "lib": ["ES2022", "DOM"], "types": [], "strict": true, "noEmit": true },
  "files": ["$PWD/pkg/index.d.ts", "$PWD/pkg/react.d.ts", "$PWD/pkg/server.d.ts", "$PWD/pkg/weblocks.d.ts", "$PWD/pkg/cloudflare.d.ts"] }
JSON
"$typedoc" --tsconfig "$tmp/tsconfig.json" --name profile-registry --readme none \
  --entryPoints pkg/index.d.ts pkg/react.d.ts pkg/server.d.ts pkg/weblocks.d.ts pkg/cloudflare.d.ts \
  --disableSources --excludeInternal --treatWarningsAsErrors --out target/api --logLevel Warn
echo "api-docs: target/api/index.html ($(find target/api -name '*.html' | wc -l) pages)"
