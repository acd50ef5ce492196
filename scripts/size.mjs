// Reports the package's size as a user's bundle sees it: the .wasm plus the
// JS entry, minified (esbuild, when installed) and gzipped.
// Usage: node scripts/size.mjs [--budget BYTES]  (exit 1 over budget)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";

const pkg = new URL("../pkg/", import.meta.url);
const wasm = readFileSync(new URL("profile_registry_bg.wasm", pkg));
let js, how;
try {
  const require = createRequire(new URL("../tests/js/package.json", import.meta.url));
  const esbuild = require("esbuild");
  const out = await esbuild.build({
    entryPoints: [new URL("index.js", pkg).pathname],
    bundle: true, minify: true, format: "esm", write: false, logLevel: "silent",
  });
  js = Buffer.from(out.outputFiles[0].contents);
  how = "minified with esbuild";
} catch {
  js = Buffer.concat(["index.js", "boundary.js", "errors.js", "read.js", "registry.js", "connection.js", "wasm.js"].map((f) => readFileSync(new URL(f, pkg))));
  how = "not minified (esbuild not installed)";
}
const gz = (b) => gzipSync(b, { level: 9 }).length;
const total = gz(wasm) + gz(js);
console.log(
  `size: wasm ${wasm.length} B (${gz(wasm)} B gzipped), js ${js.length} B ${how} (${gz(js)} B gzipped); total ${total} B gzipped (${(total / 1024).toFixed(1)} KiB)`,
);
const i = process.argv.indexOf("--budget");
if (i > 0 && total > Number(process.argv[i + 1])) {
  console.error(`size: over the budget of ${process.argv[i + 1]} B gzipped`);
  process.exit(1);
}
