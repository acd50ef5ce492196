// Scenario 7: the reconnect storm (scenarios/storm.mjs) in headless
// Chromium: every library runs in one page, over the browser's WebSocket,
// bundled with esbuild from page-entry.mjs and served from 127.0.0.1; the
// servers and their counting are the same child process as in Node.
//
//   const table = await browserStorm(srv, { n: 200, rounds: 3 });
import http from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { storm } from "./storm.mjs";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const FLEET = ["names", "connectAll", "openCount", "attempts", "closeAll"];

async function serve() {
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("../page-entry.mjs", import.meta.url))],
    bundle: true, format: "esm", platform: "browser", write: false, logLevel: "silent",
  });
  const files = {
    "/": ["text/html", '<!doctype html><meta charset="utf-8"><title>peers</title><script type="module" src="/bench.js"></script>'],
    "/bench.js": ["text/javascript", out.outputFiles[0].contents],
    "/profile_registry_bg.wasm": ["application/wasm", readFileSync(new URL("../../../pkg/profile_registry_bg.wasm", import.meta.url))],
  };
  const server = http.createServer((req, res) => {
    const f = files[req.url];
    res.writeHead(f ? 200 : 404, { "content-type": f ? f[0] : "text/plain" });
    res.end(f ? f[1] : "");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** The storm table in headless Chromium, and the browser's version. */
export async function browserStorm(srv, { n = 200, rounds = 3, log = () => {} } = {}) {
  const site = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: 30_000 });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => log(`  page error: ${e.message}`));
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => typeof window.startBench === "function");
    await page.evaluate((o) => window.startBench(o), { wsUrl: srv.wsUrl, sioUrl: srv.sioUrl, wasmUrl: `${site.url}/profile_registry_bg.wasm` });
    const client = Object.fromEntries(FLEET.map((m) => [m, (...args) => page.evaluate(([m, a]) => window.bench[m](...a), [m, args])]));
    const table = await storm(srv, client, { n, rounds, tag: "chromium", log });
    return { table, version: browser.version() };
  } finally {
    await browser.close();
    await site.close();
  }
}
