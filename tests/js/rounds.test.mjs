// "One socket per profile" as the server counts it, in real browsers: in
// headless Chromium and Firefox ESR, 500 rounds each of connect -> close ->
// connect (React StrictMode's double mount) and of connect + onDuplicate
// "replace" (every other one while the old socket is still connecting), on 5
// profiles in parallel (fixtures/rounds.html). The server's own count of
// concurrent sockets per profile never passes 1: a socket closed while
// connecting is let open and closed cleanly, and the next one waits for its
// close. Set ROUNDS to change the number of rounds.
//   cd tests/js && node --test rounds.test.mjs   (build first: bash scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";

import { checkBuilt, inBrowser, launch, launchFirefox, waitFor } from "./e2e/harness.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 500);
const PROFILES = 5;

for (const { name, tag, start } of [
  { name: "Chromium", tag: "chromium", start: launch },
  { name: "Firefox ESR", tag: "firefox", start: launchFirefox },
]) {
  test(`${name}: ${ROUNDS} rounds of connect/close/connect and of replace on ${PROFILES} profiles: never two sockets of a profile at the server`, { timeout: 600_000 }, async () => {
    checkBuilt();
    await inBrowser(start, name, async ({ server, context }) => {
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto(`${server.httpUrl}/tests/js/fixtures/rounds.html?rounds=${ROUNDS}&profiles=${PROFILES}&prefix=${tag}-`, { waitUntil: "load" });
      const r = await waitFor(page, "the rounds' result", () => window.__result, undefined, { timeout: 590_000 });
      assert.ok(r.ok, `the rounds failed in ${name}: ${r.error}`);
      const stats = server.stats();
      const total = Object.values(stats.profiles).reduce((n, c) => n + c.total, 0);
      console.log(`${name}: ${ROUNDS} rounds x ${PROFILES} profiles x 2 patterns in ${Date.now() - t0} ms; the server accepted ${total} sockets, at most ${stats.maxConcurrentPerProfile} of one profile at once`);
      assert.equal(stats.maxConcurrentPerProfile, 1, `the server held two sockets of one profile in ${name}: ${JSON.stringify(Object.entries(stats.profiles).filter(([, c]) => c.max > 1))}`);
      assert.equal(r.connections, 0, "every connection freed");
      assert.deepEqual(context.diagnostics.errors, [], "no console errors or page errors");
    });
  });
}
