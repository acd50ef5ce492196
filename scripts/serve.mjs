#!/usr/bin/env node
// Serves the profile-registry demo page: the repo root as static files plus
// the local WebSocket echo server and its fault-injection control API
// (tests/js/server.mjs), all on one origin on 127.0.0.1.
//
//   node scripts/serve.mjs [--port N]      (default 8080; a free port if taken)
//
// Build the package first (bash scripts/build.sh): the page imports /pkg/index.js.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function usage(msg) {
  if (msg) console.error(`serve.mjs: ${msg}`);
  console.error("usage: node scripts/serve.mjs [--port N]");
  process.exit(2);
}

const args = process.argv.slice(2);
let port = 8080;
let explicit = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "-h" || a === "--help") usage();
  const m = /^--port(?:=(.*))?$/.exec(a);
  if (!m) usage(`unknown argument ${a}`);
  const v = m[1] ?? args[++i];
  if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) usage(`--port needs a number from 0 to 65535, got ${v}`);
  port = Number(v);
  explicit = true;
}

if (!existsSync(path.join(ROOT, "tests/js/node_modules/ws"))) {
  console.error("serve.mjs: tests/js/node_modules is missing; run: bash scripts/setup.sh (or npm ci in tests/js)");
  process.exit(1);
}
if (!existsSync(path.join(ROOT, "pkg/index.js"))) {
  console.error("serve.mjs: warning: pkg/ is not built yet; the page will show an error until you run: bash scripts/build.sh");
}

const { startServer } = await import(new URL("../tests/js/server.mjs", import.meta.url).href);

let srv;
try {
  srv = await startServer({ port, staticDir: ROOT });
} catch (e) {
  if (e?.code !== "EADDRINUSE") throw e;
  // Taken: fall back to a free port (said out loud if the port was asked for).
  if (explicit) console.error(`serve.mjs: port ${port} is taken; using a free one`);
  srv = await startServer({ port: 0, staticDir: ROOT });
}

console.log(`profile-registry demo: ${srv.httpUrl}/www/`);

let stopping = false;
async function stop() {
  if (stopping) return process.exit(0); // a second Ctrl-C: leave now
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref(); // never hang on shutdown
  await srv.close().catch(() => {});
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
