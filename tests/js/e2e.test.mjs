// End-to-end test of the demo page (www/) in real headless Chromium:
//   cd tests/js && node --test e2e.test.mjs        (build first: bash scripts/build.sh)
//
// One local server (tests/js/server.mjs: the static files of the repo root,
// the WebSocket echo server and its fault-injection control API, all on
// 127.0.0.1) and one Chromium for the file; every request that is not to
// that server is aborted. Every wait is bounded; the whole file takes about
// 8 s. Three tests:
//   1. one tab: connect three profiles, echo, drop all at the server, the
//      reconnects (new handle generations, same Connection objects), the
//      server's max-concurrent counter at 1, duplicate connects refused;
//      writes test-output/e2e.png and the README screenshots
//      docs/screenshot.png (laptop) and docs/screenshot-phone.png (phone)
//      when UPDATE_SCREENSHOTS=1 (else both go to test-output/);
//   2. two tabs: each tab's registry is its own;
//   3. two tabs with `?reach=origin` (the WebLocks module): one owner, the
//      other tab's row a follower, one socket at the server across both tabs
//      (fenced and raw counts), "Use here" moves ownership, closing the owner
//      tab hands the profile to the other (its row, timeline and log show it);
//   4. a .wasm that fails to load shows a clear error.
//
// A failed assertion's message ends with the page's console errors and page
// errors (and any blocked non-local request).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";

import { startServer } from "./server.mjs";
import {
  ROOT, checkBuilt, launch, newContext, withDiagnostics, waitFor, until, snapshot, row, control, bounded,
} from "./e2e/harness.mjs";

const OUT = path.join(ROOT, "test-output");
// The README's screenshots are refreshed only on request
// (UPDATE_SCREENSHOTS=1); otherwise they go to test-output/ with the rest.
const DOCS = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, "docs") : path.join(ROOT, "test-output");
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PROFILES = ["alice", "bob", '["acme", 7]']; // as the page shows them

let server;
let browser;

before(async () => {
  checkBuilt();
  server = await startServer({ staticDir: ROOT });
  browser = await launch();
});

after(async () => {
  await bounded(browser?.close() ?? Promise.resolve(), 5_000, "closing Chromium").catch(() => {});
  await bounded(server?.close() ?? Promise.resolve(), 3_000, "closing the server").catch(() => {});
});

/** Opens /www/ (with `query`, e.g. "?reach=origin") and waits for the wasm to load (the status pill says "ready"). */
async function openDemo(context, query = "") {
  const page = await context.newPage();
  await page.goto(`${server.httpUrl}/www/${query}`, { waitUntil: "load", timeout: 10_000 });
  const state = await waitFor(page, "the loaded state",
    () => { const s = document.querySelector('[data-testid="status"]').dataset.state; return s !== "loading" && s; },
    undefined, { timeout: 10_000 });
  assert.equal(state, "ready", `the page did not load: ${await page.getByTestId("load-error").textContent()}`);
  return page;
}

/** Waits until every listed row is open and its generation passes `minGen` (by name). */
function waitOpen(page, names, minGen = {}, timeout = 8_000) {
  return waitFor(page, `${names.join(", ")} open${Object.keys(minGen).length ? " with new generations" : ""}`,
    ({ names, minGen }) => {
      const rows = [...document.querySelectorAll('[data-testid="profile-row"]')];
      return names.every((n) => {
        const r = rows.find((x) => x.querySelector('[data-testid="profile-name"]').textContent === n);
        if (!r || r.querySelector('[data-testid="state"]').dataset.state !== "open") return false;
        return Number(r.querySelector('[data-testid="generation"]').textContent) > (minGen[n] ?? 0);
      });
    }, { names, minGen }, { timeout });
}

const byName = (snap) => Object.fromEntries(snap.rows.map((r) => [r.name, r]));

test("the demo page: connect, echo, server drop, reconnect with new generations, one socket per profile", { timeout: 30_000 }, async () => {
  const context = await newContext(browser, server.httpUrl, { viewport: LAPTOP });
  try {
    await withDiagnostics(context, async () => {
      await control(server.httpUrl, "reset");
      const page = await openDemo(context);

      // The starting rows, nothing connected yet.
      const snap = await snapshot(page);
      assert.deepEqual(snap.rows.map((r) => r.name), PROFILES, "the initial profiles");
      assert.deepEqual(snap.rows.map((r) => r.state), ["idle", "idle", "idle"]);

      // Connect all three with their own buttons.
      for (const name of PROFILES) await row(page, name).getByTestId("connect").click();
      await waitOpen(page, PROFILES);
      const firstSnap = await snapshot(page);
      const first = byName(firstSnap);
      for (const name of PROFILES) {
        assert.match(first[name].conn, /^#\d+$/, `${name} has a Connection id`);
        assert.match(first[name].handle, /^\d+\.\d+\.\d+$/, `${name} shows its handle r.s.g`);
      }
      assert.equal(new Set(PROFILES.map((n) => first[n].conn)).size, 3, "three distinct Connection objects");

      // Send on each and see the echo come back.
      for (const name of PROFILES) {
        const r = row(page, name);
        await r.getByTestId("send-input").fill(`echo:${name}`);
        await r.getByTestId("send").click();
      }
      await waitFor(page, "the three echoes",
        (names) => names.every((n) => [...document.querySelectorAll('[data-testid="profile-row"]')]
          .some((r) => r.querySelector('[data-testid="profile-name"]').textContent === n &&
            r.querySelector('[data-testid="last-event"]').textContent.includes(`message · ${JSON.stringify(`echo:${n}`)}`))),
        PROFILES);
      const logText = await page.getByTestId("event-log").textContent();
      for (const name of PROFILES) assert.ok(logText.includes(`message · ${JSON.stringify(`echo:${name}`)}`), `the log has ${name}'s echo`);

      // Drop every socket at the server (the page's own button) and wait for
      // all three to come back open under a new handle generation.
      const totalBefore = (await control(server.httpUrl, "stats")).profiles.alice.total;
      await page.getByTestId("drop-all").click();
      await waitFor(page, "the drop to be reported", () => /dropped 3 socket/.test(document.querySelector('[data-testid="fault-status"]').textContent));
      await waitOpen(page, PROFILES, Object.fromEntries(PROFILES.map((n) => [n, first[n].gen])), 10_000);
      const second = await snapshot(page);
      const again = byName(second);
      assert.deepEqual(second.rows.map((r) => r.key), firstSnap.rows.map((r) => r.key), "the same rows remain");
      for (const name of PROFILES) {
        assert.ok(again[name].gen > first[name].gen, `${name}: generation ${first[name].gen} -> ${again[name].gen}`);
        assert.notEqual(again[name].handle, first[name].handle, `${name}: a new handle`);
        assert.equal(again[name].conn, first[name].conn, `${name}: the same Connection object (stable id) across the reconnect`);
      }
      // The timelines (redrawn every 250 ms) mark both generations of every row.
      await waitFor(page, "a timeline tick per handle generation",
        () => [...document.querySelectorAll('[data-testid="timeline"]')].every((svg) =>
          Number(svg.dataset.ticks) >= 2 && svg.querySelectorAll("line.tick").length >= 2 && svg.querySelector("rect.s-open")));
      const logAfter = await page.getByTestId("event-log").textContent();
      assert.match(logAfter, /reconnecting · attempt 1/, "the log shows the reconnects");
      assert.match(logAfter, /unregister · handle/, "the log shows the registry's unregister events");

      // The server: exactly one socket per profile now, never more than one at once.
      const stats = await control(server.httpUrl, "stats");
      assert.equal(stats.maxConcurrentPerProfile, 1, `the server's max concurrent sockets per profile: ${JSON.stringify(stats)}`);
      assert.equal(stats.currentTotal, 3, "three sockets open at the server");
      assert.ok(stats.profiles.alice.total > totalBefore, "alice reconnected with a new socket");
      for (const p of ["alice", "bob", '["acme",7]']) assert.equal(stats.profiles[p]?.current, 1, `the server sees one socket for ${p}`);
      // ... and the page shows the same counter (polled every 500 ms).
      await waitFor(page, "the page's counters to catch up",
        () => document.querySelector('[data-testid="current-total"]').textContent === "3");
      assert.equal((await page.getByTestId("max-concurrent").textContent()).trim(), "1", "the page's max-concurrent counter");
      assert.equal((await snapshot(page)).registryCount, "3", "three profiles in the tab's registry");

      // A second Connect for alice: with policy "existing" it hands back the
      // live Connection; with policy "error" (the default) the row shows
      // AlreadyRegisteredError. Neither opens a socket.
      const alice = row(page, "alice");
      assert.equal(await alice.getByTestId("policy").inputValue(), "error", "the default policy");
      const totalAlice = (await control(server.httpUrl, "stats")).profiles.alice.total;
      await alice.getByTestId("policy").selectOption("existing");
      await alice.getByTestId("connect").click();
      await waitFor(page, "the 'existing' note", () => /returned the live Connection/.test(document.body.textContent));
      await alice.getByTestId("policy").selectOption("error");
      await alice.getByTestId("connect").click();
      await waitFor(page, "the AlreadyRegisteredError message in alice's row",
        () => [...document.querySelectorAll('[data-testid="row-message"]')].some((m) => !m.hidden && m.textContent.includes("AlreadyRegisteredError")));
      const dup = byName(await snapshot(page)).alice;
      assert.match(dup.message, /^AlreadyRegisteredError: .*alice.*already registered/, "the row shows the error");
      assert.equal(dup.conn, again.alice.conn, "still the same Connection");
      assert.equal(dup.handle, again.alice.handle, "still the same handle");
      assert.equal(dup.state, "open");
      await new Promise((r) => setTimeout(r, 300)); // room for a wrong socket to show up at the server
      const afterDup = await control(server.httpUrl, "stats");
      assert.equal(afterDup.profiles.alice.total, totalAlice, "no new socket for alice after the duplicate clicks");
      assert.equal(afterDup.profiles.alice.current, 1);
      assert.equal(afterDup.maxConcurrentPerProfile, 1);

      // whereis finds the live Connection by profile (a fresh array for the list profile too).
      await page.getByTestId("whereis-input").fill('["acme", 7]');
      const found = await page.getByTestId("whereis-result").textContent();
      assert.equal(found, `Connection ${again['["acme", 7]'].conn} · handle ${again['["acme", 7]'].handle} · open`, "whereis of the list profile");
      await page.getByTestId("whereis-input").fill("nobody");
      await waitFor(page, "whereis to answer none", () => document.querySelector('[data-testid="whereis-result"]').textContent === "none");
      await page.getByTestId("whereis-input").fill("alice");

      // Nothing went wrong in the page along the way.
      assert.deepEqual(context.diagnostics.errors, [], "no console errors or page errors");
      assert.deepEqual(context.diagnostics.blocked, [], "no request left 127.0.0.1");

      mkdirSync(OUT, { recursive: true });
      await page.getByTestId("whereis-input").blur();
      await page.screenshot({ path: path.join(OUT, "e2e.png"), fullPage: true });

      // The README screenshots, with the connections running and one of them
      // in trouble: the server refuses new sockets for 3 s and bob is dropped,
      // so bob retries (attempts climb) until the server accepts again.
      await page.getByTestId("refuse-seconds").fill("3");
      await page.getByTestId("refuse-button").click();
      await waitFor(page, "the refusal to be reported", () => /refusing new sockets/.test(document.querySelector('[data-testid="fault-status"]').textContent));
      await row(page, "bob").getByTestId("drop").click();
      await waitFor(page, "bob to retry twice", () => {
        const r = [...document.querySelectorAll('[data-testid="profile-row"]')].find((x) => x.querySelector('[data-testid="profile-name"]').textContent === "bob");
        return r.dataset.state !== "open" && Number(r.querySelector('[data-testid="attempts"]').textContent) >= 2;
      }, undefined, { timeout: 4_000 });
      await page.waitForTimeout(300); // a timeline redraw
      mkdirSync(DOCS, { recursive: true });
      await page.screenshot({ path: path.join(DOCS, "screenshot.png"), fullPage: true });
      await page.setViewportSize(PHONE);
      await waitFor(page, "the phone layout", () => getComputedStyle(document.querySelector(".conns tr.main")).display === "grid");
      await page.waitForTimeout(300); // the timelines redraw at the new width
      await page.screenshot({ path: path.join(DOCS, "screenshot-phone.png"), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at phone width (overflow ${overflow}px)`);

      // bob comes back once the server accepts again: same Connection, a new
      // generation, and still never two sockets for a profile.
      await waitOpen(page, ["bob"], { bob: again.bob.gen }, 8_000);
      const back = byName(await snapshot(page)).bob;
      assert.equal(back.conn, again.bob.conn, "bob: the same Connection after the refusals");
      assert.equal((await control(server.httpUrl, "stats")).maxConcurrentPerProfile, 1, "never two sockets for one profile");
      // The only console errors allowed: Chromium's own reports of the refused handshakes.
      const unexpected = context.diagnostics.errors.filter((e) => !/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/\?profile=bob' failed/.test(e));
      assert.deepEqual(unexpected, [], "no console errors but the refused handshakes");
    });
  } finally {
    await bounded(context.close(), 5_000, "closing the context").catch(() => {});
  }
});

test("two tabs: each tab's registry is its own (one socket per profile per tab)", { timeout: 20_000 }, async () => {
  // The first test's tab is closed: wait for its sockets to be gone, then
  // start the counters afresh.
  await until("the previous test's sockets to close", async () => (await control(server.httpUrl, "stats")).currentTotal === 0);
  await control(server.httpUrl, "reset");

  const context = await newContext(browser, server.httpUrl, { viewport: LAPTOP });
  try {
    await withDiagnostics(context, async () => {
      const tabs = [await openDemo(context), await openDemo(context)];
      for (const tab of tabs) await row(tab, "alice").getByTestId("connect").click();
      await Promise.all(tabs.map((tab) => waitOpen(tab, ["alice"])));

      // The default module's reach is one JS realm: each tab has its own
      // registry, so each tab holds its own live connection for alice and the
      // server sees two sockets for alice, one per tab (the next test has the
      // origin's reach: one socket across the tabs).
      const stats = await until("the server to see both tabs' sockets",
        async () => { const s = await control(server.httpUrl, "stats"); return s.profiles.alice?.current === 2 && s; });
      assert.equal(stats.profiles.alice.current, 2, "two sockets for alice at the server: one per tab");
      assert.equal(stats.profiles.alice.total, 2, "no extra sockets were opened");

      for (const [i, tab] of tabs.entries()) {
        const tabName = `tab ${i + 1}`;
        // whereis in this tab finds this tab's own connection.
        await tab.getByTestId("whereis-input").fill("alice");
        const snap = await snapshot(tab);
        const alice = byName(snap).alice;
        assert.equal(snap.whereis, `Connection ${alice.conn} · handle ${alice.handle} · open`, `${tabName}: whereis finds its own connection`);
        await waitFor(tab, `${tabName}: the registry count`, () => document.querySelector('[data-testid="registry-count"]').textContent === "1");
        // At most one socket per profile in this tab (asked of the tab's own registry).
        const inTab = await tab.evaluate(async () => {
          const pr = await import("/pkg/index.js"); // the page's own module instance
          const c = pr.whereis(undefined, "alice");
          return { count: pr.count(), keys: pr.keys(), sockets: c?.info().sockets, state: c?.state, same: c === pr.whereis(undefined, "alice") };
        });
        assert.deepEqual(inTab, { count: 1, keys: ["alice"], sockets: 1, state: "open", same: true }, `${tabName}: one registered connection holding one socket`);
        // A duplicate connect in this tab is refused by this tab's registry.
        await row(tab, "alice").getByTestId("connect").click();
        await waitFor(tab, `${tabName}: AlreadyRegisteredError`, () =>
          [...document.querySelectorAll('[data-testid="row-message"]')].some((m) => m.textContent.startsWith("AlreadyRegisteredError")));
      }
      const final = await control(server.httpUrl, "stats");
      assert.equal(final.profiles.alice.current, 2, "still one socket per tab after the duplicate clicks");
      assert.equal(final.profiles.alice.total, 2);
      assert.deepEqual(context.diagnostics.errors, [], "no console errors or page errors");
    });
  } finally {
    await bounded(context.close(), 5_000, "closing the context").catch(() => {});
  }
});

test("two tabs with ?reach=origin (WebLocks): one owner, one socket at the server across both tabs; Use here; closing the owner tab hands over", { timeout: 30_000 }, async () => {
  await until("the previous test's sockets to close", async () => (await control(server.httpUrl, "stats")).currentTotal === 0);
  await control(server.httpUrl, "reset");
  const context = await newContext(browser, server.httpUrl, { viewport: LAPTOP });
  const cell = (tab, id) => row(tab, "alice").getByTestId(id).textContent();
  const roleOf = (tab) => cell(tab, "role");
  const oneSocket = async (what) => {
    const s = await until(what, async () => { const s = await control(server.httpUrl, "stats"); return s.profiles.alice?.current === 1 && s.profiles.alice.fenced?.current === 1 && s; });
    assert.equal(s.profiles.alice.fenced.max, 1, `${what}: the fence never admitted two sockets for alice`);
    return s;
  };
  try {
    await withDiagnostics(context, async () => {
      const tabs = [await openDemo(context, "?reach=origin"), await openDemo(context, "?reach=origin")];
      for (const tab of tabs) {
        await row(tab, "alice").getByTestId("connect").click();
        await waitFor(tab, "alice open", () => document.querySelector('[data-testid="profile-row"] [data-testid="state"]').dataset.state === "open");
      }
      assert.deepEqual([await roleOf(tabs[0]), await roleOf(tabs[1])], ["owner", "follower"], "the second tab's row follows");
      const epoch = Number(await cell(tabs[0], "epoch"));
      assert.equal(Number(await cell(tabs[1], "epoch")), epoch, "both rows show the owner's epoch");
      let stats = await oneSocket("one socket for alice across both tabs");
      assert.equal(stats.profiles.alice.total, 1, "the follower opened no socket");
      assert.equal(stats.profiles.alice.max, 1, "never two at the server");
      // A send from the follower tab goes out on the owner's socket; the echo reaches both tabs.
      await row(tabs[1], "alice").getByTestId("send-input").fill("via the owner");
      await row(tabs[1], "alice").getByTestId("send").click();
      for (const tab of tabs) {
        await waitFor(tab, "the echo in the log", () => [...document.querySelectorAll('[data-testid="event-log"] li')].some((li) => li.textContent.includes('message · "via the owner"')));
      }

      // "Use here" in the follower tab: it owns alice now, the former owner follows, still one socket.
      await row(tabs[1], "alice").getByTestId("use-here").click();
      await waitFor(tabs[1], "the second tab to own alice", () => document.querySelector('[data-testid="role"]').textContent === "owner");
      await waitFor(tabs[0], "the first tab to follow", () => document.querySelector('[data-testid="role"]').textContent === "follower");
      assert.ok(Number(await cell(tabs[1], "epoch")) > epoch, "the new owner's epoch is greater");
      await oneSocket("one socket after Use here");

      // Closing the owner tab hands alice to the other tab: its row, timeline and log show the handover.
      const ticksOf = () => window.profileRegistryDemo.rows.get('"alice"').ticks.length; // the app's own record, drawn every 250 ms
      const ticks = await tabs[0].evaluate(ticksOf);
      await tabs[1].close();
      await waitFor(tabs[0], "the remaining tab to own alice", () => document.querySelector('[data-testid="role"]').textContent === "owner" && document.querySelector('[data-testid="state"]').dataset.state === "open");
      assert.ok(await tabs[0].evaluate(ticksOf) > ticks, "the handover is marked in the timeline");
      await waitFor(tabs[0], "the handover's tick drawn", (n) => Number(document.querySelector('[data-testid="timeline"]').dataset.ticks) > n, ticks);
      assert.ok(await tabs[0].evaluate(() => [...document.querySelectorAll('[data-testid="event-log"] li')].some((li) => li.textContent.includes("role · owner"))), "the log shows the new role");
      stats = await oneSocket("one socket after the owner tab closed");
      assert.equal(stats.maxFencedPerProfile, 1);
      assert.equal((await snapshot(tabs[0])).maxConcurrent, "1", "the page shows the fenced count: 1");
      assert.deepEqual(context.diagnostics.errors, [], "no console errors or page errors");
    });
  } finally {
    await bounded(context.close(), 5_000, "closing the context").catch(() => {});
  }
});

test("a wasm that fails to load: a clear error instead of the app", { timeout: 15_000 }, async () => {
  const context = await newContext(browser, server.httpUrl, { viewport: LAPTOP });
  try {
    await withDiagnostics(context, async () => {
      const page = await context.newPage();
      // The package loads, its .wasm does not (as when pkg/ is half built).
      await page.route("**/pkg/profile_registry_bg.wasm", (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "not found" }));
      await page.goto(`${server.httpUrl}/www/`, { waitUntil: "load", timeout: 10_000 });
      await waitFor(page, "the error state", () => document.querySelector('[data-testid="status"]').dataset.state === "error", undefined, { timeout: 10_000 });
      const box = page.getByTestId("load-error");
      assert.ok(await box.isVisible(), "the error box is shown");
      const text = await box.textContent();
      assert.match(text, /failed to load/i);
      assert.match(text, /bash scripts\/build\.sh/, "the message names the fix");
      assert.equal(await page.getByTestId("app").getAttribute("inert"), "", "the app stays inert");
      assert.ok(context.diagnostics.errors.some((e) => /loading failed/.test(e)), "the failure is logged to the console");
    });
  } finally {
    await bounded(context.close(), 5_000, "closing the context").catch(() => {});
  }
});
