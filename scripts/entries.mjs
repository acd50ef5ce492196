// Writes the package files made from the build's output (run by
// scripts/build.sh after the wasm and js/ are in pkg/):
//   profile_registry_inline.js   the wasm as base64, for inline.js (bundlers, Deno)
//   node.cjs                     the inlined entry as CommonJS, for `require`
//   index.d.cts                  the declarations for `require` (CommonJS)
//   profile_registry_bg.wasm.d.ts  the declaration of the wasm subpath
// Usage: node scripts/entries.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const pkg = new URL("../pkg/", import.meta.url);
const file = (name) => new URL(name, pkg);

const wasm = readFileSync(file("profile_registry_bg.wasm"));
writeFileSync(file("profile_registry_inline.js"), `// The wasm of profile-registry, base64 (generated from profile_registry_bg.wasm).
const WASM = "${wasm.toString("base64")}";

/** The wasm's bytes. */
export function wasmBytes() {
  const s = atob(WASM);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
`);

// CommonJS: one self-contained file, bundled from the inlined entry (so a
// bundle of it needs no .wasm beside it either); `import.meta.url`, which
// only the glue's unused fetch path reads, becomes this file's URL.
const require = createRequire(new URL("../tests/js/package.json", import.meta.url));
let esbuild;
try {
  esbuild = require("esbuild");
} catch {
  console.error("entries: esbuild is missing (run scripts/setup.sh)");
  process.exit(1);
}
await esbuild.build({
  entryPoints: [file("inline.js").pathname],
  outfile: file("node.cjs").pathname,
  bundle: true, format: "cjs", platform: "node", target: "node20", logLevel: "warning",
  define: { "import.meta.url": "__profileRegistryUrl" },
  banner: { js: "// profile-registry for Node, CommonJS (`require`), bundled from inline.js (the wasm inlined).\n\"use strict\";\nconst __profileRegistryUrl = require(\"node:url\").pathToFileURL(__filename).href;" },
});

writeFileSync(file("index.d.cts"), readFileSync(file("index.d.ts")));
writeFileSync(file("profile_registry_bg.wasm.d.ts"), `// The package's wasm, as a Cloudflare Worker (wrangler) imports it: a
// compiled module, for \`initSync({ module })\` of "profile-registry/web".
//
// @example
// import module from "profile-registry/profile_registry_bg.wasm";
// import { initSync } from "profile-registry/web";
// initSync({ module });
import type { WasmModule } from "./index.js";

declare const module: WasmModule;
export default module;
`);
