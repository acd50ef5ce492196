// Runs the whereis benchmark body (./whereis.mjs) in headless Chromium against
// the browser entry /pkg/index.js (build it first: bash scripts/build.sh).
//   node bench/browser.mjs          (from any cwd)
// Serves the repo root with tests/js/server.mjs on 127.0.0.1, opens
// /bench/page.html, and prints the page's result table here. Any request that
// is not to that local server is aborted (the browser must not touch the
// network). Env: BENCH_ROUNDS (default 5), BENCH_MS (per measurement, default
// 300), BENCH_SIZES (the Ns, comma-separated, default 16,256; 256,256 measures
// a second pass of the same N), BENCH_JS_FLAGS (V8 flags for the page, such as
// --no-maglev), CHROMIUM (default /usr/bin/chromium). Hard limit: 58 s for
// everything.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HARD_LIMIT_MS = 58_000;
const PAGE_LIMIT_MS = 52_000;

for (const f of ["pkg/index.js", "pkg/wasm.js", "pkg/profile_registry_bg.wasm"]) {
  if (!existsSync(path.join(ROOT, f))) {
    console.error(`bench/browser.mjs: ${path.join(ROOT, f)} is missing; run: bash scripts/build.sh`);
    process.exit(1);
  }
}

const { startServer } = await import(new URL("../tests/js/server.mjs", import.meta.url).href);
const { chromium } = await import(new URL("../tests/js/node_modules/playwright-core/index.mjs", import.meta.url).href);

let server;
let browser;
const diagnostics = []; // page console errors, page errors, failed/blocked requests

async function cleanup() {
  await browser?.close().catch(() => {});
  await server?.close().catch(() => {});
}

const hardTimer = setTimeout(() => {
  console.error(`bench/browser.mjs: timed out after ${HARD_LIMIT_MS} ms`);
  for (const d of diagnostics) console.error("  " + d);
  // Best effort, then exit regardless.
  Promise.race([cleanup(), new Promise((r) => setTimeout(r, 1500))]).finally(() => process.exit(1));
}, HARD_LIMIT_MS);
hardTimer.unref();

let exitCode = 0;
try {
  server = await startServer({ staticDir: ROOT });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", ...(process.env.BENCH_JS_FLAGS ? [`--js-flags=${process.env.BENCH_JS_FLAGS}`] : [])],
    timeout: 15_000,
  });
  const page = await browser.newPage();
  const origin = server.httpUrl;
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/")) return route.continue();
    diagnostics.push(`blocked non-local request: ${url}`);
    return route.abort();
  });
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") diagnostics.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => diagnostics.push(`pageerror: ${err?.stack ?? err}`));
  page.on("requestfailed", (req) => diagnostics.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on("crash", () => diagnostics.push("page crashed"));

  const q = new URLSearchParams({ rounds: process.env.BENCH_ROUNDS ?? "5", ms: process.env.BENCH_MS ?? "300", ...(process.env.BENCH_SIZES ? { sizes: process.env.BENCH_SIZES } : {}) });
  await page.goto(`${origin}/bench/page.html?${q}`, { waitUntil: "load", timeout: 10_000 });
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: PAGE_LIMIT_MS, polling: 250 });
  const result = await page.evaluate(() => window.__bench);
  if (!result.ok) throw new Error(`the page's benchmark failed:\n${result.error}`);
  const version = browser.version();
  console.log(`(chromium ${version}, headless)`);
  for (const line of result.lines) console.log(line);
} catch (e) {
  exitCode = 1;
  console.error("bench/browser.mjs: FAILED:", e?.stack ?? e);
  if (diagnostics.length) {
    console.error("page diagnostics:");
    for (const d of diagnostics) console.error("  " + d);
  }
} finally {
  await cleanup();
  clearTimeout(hardTimer);
}
process.exit(exitCode);
