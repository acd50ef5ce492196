// Scenario 6: bundle size. Each peer's browser bundle as an app imports it
// (esbuild: bundle, minify, ESM, browser platform), gzipped at level 9 with
// zlib. This package: what scripts/size.mjs reports (the wasm plus the
// default entry, minified and gzipped the same way), run as it is.
//
//   const table = await bundle();
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { byLibrary } from "../table.mjs";

const here = fileURLToPath(new URL("..", import.meta.url));
const ENTRIES = {
  "reconnecting-websocket": 'export { default } from "reconnecting-websocket";',
  partysocket: 'export { WebSocket } from "partysocket";',
  "socket.io-client": 'export { io } from "socket.io-client";',
  "hand-rolled": 'export { handRolled } from "./handrolled.mjs";',
};

async function gzipped(contents) {
  const out = await esbuild.build({
    stdin: { contents, resolveDir: here, loader: "js" },
    bundle: true, minify: true, format: "esm", platform: "browser", write: false, logLevel: "silent",
  });
  return gzipSync(out.outputFiles[0].contents, { level: 9 }).length;
}

function ours() {
  const line = execFileSync(process.execPath, [fileURLToPath(new URL("../../../scripts/size.mjs", import.meta.url))], { encoding: "utf8" });
  const m = /total (\d+) B gzipped/.exec(line);
  if (!m || !line.includes("minified with esbuild")) throw new Error(`bundle: scripts/size.mjs said: ${line}`);
  return Number(m[1]);
}

/** The bundle-size table (bytes, minified + gzipped). */
export async function bundle() {
  const results = { "profile-registry": ours() };
  for (const [name, src] of Object.entries(ENTRIES)) results[name] = await gzipped(src);
  return byLibrary(Object.keys(results), results, [["bundle, minified + gzip -9 (bytes; this package: wasm + JS)", (x) => x]]);
}
