// Writes the package files made from the build's output (run by
// scripts/build.sh after the wasm and js/ are in pkg/):
//   profile_registry_inline.js   the wasm deflated, as base64, for inline.js (bundlers, Deno)
//   node.cjs                     the inlined entry as CommonJS, for `require`
//   index.d.cts                  the declarations for `require` (CommonJS)
//   profile_registry_bg.wasm.d.ts  the declaration of the wasm subpath
// Usage: node scripts/entries.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { deflateRawSync } from "node:zlib";
import { adler32 } from "../js/inflate.js";

const pkg = new URL("../pkg/", import.meta.url);
const file = (name) => new URL(name, pkg);

const wasm = readFileSync(file("profile_registry_bg.wasm"));
// The wasm deflated (raw deflate, js/inflate.js decodes it at import):
// zopfli's output where Debian's `zopfli` is installed (scripts/setup.sh),
// else node:zlib's at level 9, a few hundred bytes larger and as correct.
let deflated;
try {
  deflated = execFileSync("zopfli", ["--deflate", "-c", file("profile_registry_bg.wasm").pathname], { stdio: ["ignore", "pipe", "pipe"] });
} catch {
  console.error("entries: zopfli not found (scripts/setup.sh installs it); the inlined wasm is deflated by node:zlib");
  deflated = deflateRawSync(wasm, { level: 9 });
}
writeFileSync(file("profile_registry_inline.js"), `// The wasm of profile-registry, raw deflate in base64, and its length
// (generated from profile_registry_bg.wasm; inline.js inflates it), its
// length and checksum.
export const WASM = "${deflated.toString("base64")}";
export const WASM_LENGTH = ${wasm.length};
export const WASM_ADLER32 = ${adler32(wasm)};
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
