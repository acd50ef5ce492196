// Reports the package's size as a user's bundle sees it: the .wasm plus the
// JS entry, minified (esbuild, when installed) and gzipped; and the
// inlined entry's, one file with the wasm in it, the same way.
// Usage: node scripts/size.mjs [--budget BYTES] [--inline-budget BYTES]  (exit 1 over either)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";

const pkg = new URL("../pkg/", import.meta.url);
const wasm = readFileSync(new URL("profile_registry_bg.wasm", pkg));
let esbuild;
try {
  esbuild = createRequire(new URL("../tests/js/package.json", import.meta.url))("esbuild");
} catch {
  // measured unminified below
}
/** An entry of pkg/ bundled with what it imports, minified with esbuild (or, without it, `fallback` unminified). */
async function bundled(entry, fallback) {
  if (!esbuild) return Buffer.concat(fallback.map((f) => readFileSync(new URL(f, pkg))));
  const out = await esbuild.build({
    entryPoints: [new URL(entry, pkg).pathname],
    bundle: true, minify: true, format: "esm", write: false, logLevel: "silent",
  });
  return Buffer.from(out.outputFiles[0].contents);
}
const how = esbuild ? "minified with esbuild" : "not minified (esbuild not installed)";
const js = await bundled("index.js", ["index.js", "boundary.js", "errors.js", "read.js", "registry.js", "connection.js", "load.js", "wasm.js"]);
const gz = (b) => gzipSync(b, { level: 9 }).length;
const total = gz(wasm) + gz(js);
console.log(
  `size: wasm ${wasm.length} B (${gz(wasm)} B gzipped), js ${js.length} B ${how} (${gz(js)} B gzipped); total ${total} B gzipped (${(total / 1024).toFixed(1)} KiB)`,
);
// The entry bundlers, Node and Deno get (inline.js): one file, the wasm
// inlined deflated, as base64, and the inflater that unpacks it.
const inline = await bundled("inline.js", ["inline.js", "profile_registry_inline.js", "inflate.js", "index.js", "wasm.js"]);
console.log(`size: inlined entry (inline.js, wasm deflated, as base64) ${inline.length} B ${how}, ${gz(inline)} B gzipped (${(gz(inline) / 1024).toFixed(1)} KiB, ${gz(inline) - total >= 0 ? "+" : ""}${gz(inline) - total} B over the default entry)`);
let over = false;
for (const [flag, size, what] of [["--budget", total, "wasm + default entry"], ["--inline-budget", gz(inline), "inlined entry"]]) {
  const i = process.argv.indexOf(flag);
  if (i > 0 && size > Number(process.argv[i + 1])) {
    console.error(`size: the ${what} (${size} B gzipped) is over its budget of ${process.argv[i + 1]} B gzipped`);
    over = true;
  }
}
if (over) process.exit(1);
