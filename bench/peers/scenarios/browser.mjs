// Scenario 7: scenarios 1-3 in headless Chromium: every library runs in one
// page, over the browser's WebSocket, bundled with esbuild from
// page-entry.mjs and served from 127.0.0.1; the servers and their counting
// are the same child process as in Node. The page's `window.bench`
// (clients.mjs) is driven through `page.evaluate`: the storm one fleet call
// at a time, as in Node; each library's duplicates and messages run whole in
// the page (so "in one tick" is one tick of the page), their `srv.call`s
// reaching the server child through `page.exposeFunction`.
//
//   const table = await inChromium(srv, async (page) => duplicates(await page.names(), page.duplicates));
import http from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
// What the page's `window.bench` offers to Node: the fleet (fleet.mjs) and one library's scenario 2 or 3.
const BENCH = ["names", "connectAll", "openCount", "attempts", "closeAll", "duplicates", "messages"];

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

/**
 * Opens the page and resolves to what `fn(bench, version)` does with it and
 * the browser's version; `bench` has the methods of the page's `window.bench`
 * (BENCH), each returning a promise. The browser and the site are closed
 * afterwards, whatever `fn` did.
 */
export async function inChromium(srv, fn, { log = () => {} } = {}) {
  const site = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: 30_000 });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => log(`  page error: ${e.message}`));
    await page.exposeFunction("benchServer", (cmd, args) => srv.call(cmd, args));
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => typeof window.startBench === "function");
    await page.evaluate((o) => window.startBench(o), { wsUrl: srv.wsUrl, sioUrl: srv.sioUrl, wasmUrl: `${site.url}/profile_registry_bg.wasm` });
    const bench = Object.fromEntries(BENCH.map((m) => [m, (...args) => page.evaluate(([m, a]) => window.bench[m](...a), [m, args])]));
    return await fn(bench, browser.version());
  } finally {
    await browser.close();
    await site.close();
  }
}
