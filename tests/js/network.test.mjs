// Network awareness in real browsers (Chromium and Firefox ESR): a
// reconnecting connection retries at once on `online` and when a hidden page
// is shown again, and does not retry while offline (its `reconnecting`
// event says why). Driven by dispatched events in both browsers and, in
// Chromium, by CDP's network emulation (the browser's own offline/online).
// The backoff is 5 s, so a retry well under it is the event's doing; the
// server counts the sockets.
//
// Run: cd tests/js && node --test network.test.mjs   (build first: bash scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";

import { control, inBrowser, launch, launchFirefox, until, waitFor } from "./e2e/harness.mjs";

const PAGE = "/tests/js/fixtures/network.html";

/** Drops the profile's socket at the server and waits for the page to hear it. */
async function drop(page, server, profile) {
  const before = await page.evaluate(() => window.net.log.length);
  await control(server.httpUrl, `drop?profile=${profile}`);
  await waitFor(page, "the page to hear the drop", (n) => window.net.log.length > n, before);
  return page.evaluate(() => window.net.log.at(-1));
}

const opened = (page, n) => waitFor(page, `open #${n}`, (k) => window.net.opens() >= k, n, { timeout: 2_000 });

async function dispatched(page, server, tag) {
  const p = `${tag}-net`;
  await page.evaluate((profile) => window.net.connect(profile), p);
  await opened(page, 1);
  // A drop waits the 5 s backoff; `online` brings it forward.
  const lost = await drop(page, server, p);
  assert.deepEqual([lost.reason, lost.delayMs, lost.attempt], ["closed", 5000, 1]);
  const t0 = Date.now();
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await opened(page, 2);
  assert.ok(Date.now() - t0 < 1500, `online: retried at once (${Date.now() - t0} ms)`);
  // Offline: a drop waits for the network, with no timer.
  await page.evaluate(() => window.dispatchEvent(new Event("offline")));
  const paused = await drop(page, server, p);
  assert.deepEqual([paused.reason, paused.delayMs], ["offline", null]);
  const total = server.stats().profiles[p].total;
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(server.stats().profiles[p].total, total, "no socket while offline");
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await opened(page, 3);
  // A page shown again (visibilitychange while visible) retries at once too.
  await drop(page, server, p);
  const t1 = Date.now();
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await opened(page, 4);
  assert.ok(Date.now() - t1 < 1500, `visible: retried at once (${Date.now() - t1} ms)`);
  const reasons = (await page.evaluate(() => window.net.log)).filter((e) => e.reason).map((e) => e.reason);
  assert.deepEqual(reasons, ["closed", "online", "offline", "online", "closed", "visible"]);
  await page.evaluate(() => window.net.close());
  assert.equal(server.stats().profiles[p].max, 1, "one socket at a time at the server");
}

for (const [name, start, tag] of [["Chromium", launch, "chromium"], ["Firefox ESR", launchFirefox, "firefox"]]) {
  test(`${name}: online, offline and visibilitychange events change when a connection retries`, { timeout: 60_000 }, () =>
    inBrowser(start, name, async ({ server, context }) => {
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}${PAGE}`, { waitUntil: "load", timeout: 10_000 });
      await waitFor(page, "the package", () => window.__ready === true);
      await dispatched(page, server, tag);
    }));
}

test("Chromium: CDP network emulation offline pauses retries, online resumes them at once", { timeout: 60_000 }, () =>
  inBrowser(launch, "Chromium", async ({ server, context }) => {
    const page = await context.newPage();
    await page.goto(`${server.httpUrl}${PAGE}`, { waitUntil: "load", timeout: 10_000 });
    await waitFor(page, "the package", () => window.__ready === true);
    const cdp = await context.newCDPSession(page);
    const conditions = (offline) => cdp.send("Network.emulateNetworkConditions", { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const p = "cdp-net";
    await page.evaluate((profile) => window.net.connect(profile), p);
    await opened(page, 1);
    await conditions(true);
    await waitFor(page, "navigator.onLine false", () => navigator.onLine === false);
    // Whether or not the browser closed the socket itself, the server's drop makes it lost.
    await control(server.httpUrl, `drop?profile=${p}`);
    await waitFor(page, "a paused reconnect", () => window.net.log.some((e) => e.reason === "offline" && e.delayMs === null), undefined, { timeout: 5_000 });
    const total = server.stats().profiles[p].total;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(server.stats().profiles[p].total, total, "no socket while the browser is offline");
    const t0 = Date.now();
    await conditions(false);
    await opened(page, 2);
    assert.ok(Date.now() - t0 < 2000, `online: back at once (${Date.now() - t0} ms, backoff 5 s)`);
    assert.ok((await page.evaluate(() => window.net.log)).some((e) => e.reason === "online"));
    await page.evaluate(() => window.net.close());
    await until("the connection freed", async () => (await page.evaluate(() => window.net.connections())) === 0);
    assert.equal(server.stats().profiles[p].max, 1);
  }));
