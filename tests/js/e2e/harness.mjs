// Helpers of the e2e test (../e2e.test.mjs) and the browser scenarios
// (../browsers.test.mjs, ../rounds.test.mjs): headless Chromium and Firefox ESR through
// playwright-core, pages that may only reach the local server, the page's
// console errors collected for failure messages, bounded waits, and readers
// for the demo page's DOM (www/) and the server's /control API.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startServer } from "../server.mjs";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";

const { chromium, firefox } = await import(new URL("../node_modules/playwright-core/index.mjs", import.meta.url).href);

/** Throws a clear message when a browser's executable is missing. */
function checkInstalled(name, file, apt) {
  if (path.isAbsolute(file) && !existsSync(file)) {
    throw new Error(`${name} is not installed (no ${file}): apt-get install -y ${apt}, or bash scripts/setup.sh`);
  }
}

/** Throws a clear message when the package was not built. */
export function checkBuilt() {
  const missing = ["pkg/index.js", "pkg/wasm.js", "pkg/profile_registry_bg.wasm"].filter((f) => !existsSync(path.join(ROOT, f)));
  if (missing.length) throw new Error(`missing ${missing.join(", ")}; build the package first: bash scripts/build.sh`);
}

/** Headless Chromium (Debian's, or $CHROMIUM), with a fresh temporary profile; `extra` adds launch options (e.g. `ignoreDefaultArgs`). */
export async function launch(extra) {
  checkInstalled("Chromium", CHROMIUM, "chromium");
  return chromium.launch({
    ...extra,
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
    timeout: 15_000,
  });
}

/**
 * Headless Firefox ESR (Debian's, or $FIREFOX), with a fresh temporary
 * profile, driven over WebDriver BiDi (playwright-core's "moz-firefox"
 * channel: a stock Firefox, not Playwright's patched build).
 */
export async function launchFirefox() {
  checkInstalled("Firefox ESR", FIREFOX, "firefox-esr");
  return firefox.launch({ channel: "moz-firefox", executablePath: FIREFOX, headless: true, timeout: 15_000 });
}

/**
 * A browser context whose pages may only talk to `origin` (anything else is
 * aborted and noted), with every page's console errors and page errors kept
 * in `ctx.diagnostics` (`{ errors, blocked, all }`).
 */
export async function newContext(browser, origin, { viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, serviceWorkers: "block" });
  const errors = [];
  const blocked = [];
  const all = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/")) return route.continue();
    blocked.push(url);
    all.push(`blocked non-local request: ${url}`);
    return route.abort();
  });
  let n = 0;
  context.on("page", (page) => {
    const tag = `tab ${++n}`;
    page.setDefaultTimeout(5_000);
    page.on("console", (msg) => {
      if (msg.type() === "error") {
        const line = `[${tag}] console.error: ${msg.text()}`;
        errors.push(line);
        all.push(line);
      } else if (msg.type() === "warning") {
        all.push(`[${tag}] console.warning: ${msg.text()}`);
      }
    });
    page.on("pageerror", (err) => {
      const line = `[${tag}] pageerror: ${err?.stack ?? err}`;
      errors.push(line);
      all.push(line);
    });
    page.on("crash", () => {
      errors.push(`[${tag}] page crashed`);
      all.push(`[${tag}] page crashed`);
    });
  });
  context.diagnostics = { errors, blocked, all };
  return context;
}

/** The console errors, page errors and blocked requests, for a failure message. */
export function describeDiagnostics(ctx) {
  const d = ctx?.diagnostics;
  if (!d) return "";
  const lines = [...d.errors, ...d.blocked.map((u) => `blocked non-local request: ${u}`)];
  return lines.length ? `\n--- page console errors (${lines.length}) ---\n${lines.join("\n")}` : "\n--- no page console errors ---";
}

/** Runs `body`; a failure's message gets the page's console errors appended. */
export async function withDiagnostics(ctxs, body) {
  try {
    return await body();
  } catch (e) {
    const extra = [].concat(ctxs).map(describeDiagnostics).join("");
    if (e && typeof e === "object" && typeof e.message === "string") {
      e.message += extra;
      throw e;
    }
    throw new Error(String(e) + extra);
  }
}

/**
 * Waits (at most `timeout` ms) until `fn(arg)`, evaluated in the page, is
 * truthy, and returns its value; on timeout the error says what was awaited
 * and shows `snapshot()` of the page.
 */
export async function waitFor(page, what, fn, arg, { timeout = 5_000 } = {}) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout, polling: 50 });
    const v = await handle.jsonValue();
    await handle.dispose();
    return v;
  } catch (e) {
    let state = "";
    try {
      state = JSON.stringify(await snapshot(page), null, 1);
    } catch {}
    throw new Error(`timed out after ${timeout} ms waiting for ${what}: ${e.message.split("\n")[0]}\npage state: ${state}`);
  }
}

/** Waits (at most `timeout` ms) until `fn()` in Node resolves truthy. */
export async function until(what, fn, { timeout = 5_000, every = 50 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Everything the page shows that the test reads, as plain data. */
export function snapshot(page) {
  return page.evaluate(() => {
    const t = (root, id) => root.querySelector(`[data-testid="${id}"]`);
    const text = (root, id) => t(root, id)?.textContent.trim();
    return {
      status: t(document, "status")?.dataset.state,
      maxConcurrent: text(document, "max-concurrent"),
      currentTotal: text(document, "current-total"),
      registryCount: text(document, "registry-count"),
      whereis: text(document, "whereis-result"),
      rows: [...document.querySelectorAll('[data-testid="profile-row"]')].map((r) => ({
        key: r.dataset.profile,
        name: text(r, "profile-name"),
        conn: text(r, "conn-id"),
        gen: Number(text(r, "generation")),
        handle: t(r, "generation").dataset.handle,
        state: t(r, "state").dataset.state,
        attempts: text(r, "attempts"),
        queued: text(r, "queued"),
        last: text(r, "last-event"),
        message: t(r, "row-message").hidden ? "" : text(r, "row-message"),
        ticks: Number(t(r, "timeline").dataset.ticks ?? 0),
      })),
    };
  });
}

/** The row (a locator) of the profile shown as `name`. */
export function row(page, name) {
  return page.getByTestId("profile-row").filter({ has: page.getByTestId("profile-name").getByText(name, { exact: true }) });
}

/** GET a control endpoint of the server; the parsed JSON. */
export async function control(httpUrl, name) {
  const res = await fetch(`${httpUrl}/control/${name}`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`control/${name}: HTTP ${res.status}`);
  return res.json();
}

/** Resolves `p`, or rejects after `ms` ms (for cleanup that must not hang). */
export function bounded(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Runs `body({ server, browser, context })` with a test server of its own
 * (serving the repository root), a fresh browser from `start` (launch or
 * launchFirefox) and a context on the server's origin, inside
 * withDiagnostics; closes all three, each within a bound, whatever happens.
 * `serverOptions` go to startServer (e.g. `onMessage`).
 */
export async function inBrowser(start, name, body, serverOptions) {
  let server, browser, context;
  try {
    server = await startServer({ ...serverOptions, staticDir: ROOT });
    browser = await start();
    context = await newContext(browser, server.httpUrl);
    await withDiagnostics(context, () => body({ server, browser, context }));
  } finally {
    await bounded(context?.close() ?? Promise.resolve(), 5_000, `closing the ${name} context`).catch(() => {});
    await bounded(browser?.close() ?? Promise.resolve(), 10_000, `closing ${name}`).catch(() => {});
    await bounded(server?.close() ?? Promise.resolve(), 3_000, "closing the server").catch(() => {});
  }
}
