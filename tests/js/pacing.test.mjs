// Reconnect pacing (`reconnect.pace`, js/pacer.js) against the real test
// server (server.mjs), counted at the server: 40 profiles lose their
// sockets while the server refuses upgrades, and come back paced (at most
// pace / 10 accepted in any 100 ms, plus slack for the loopback's jitter),
// all of them, the waiting ones cut short by "recovered"; `pace: Infinity`
// lets the whole wave in at once; bad values are typed errors that change
// nothing; a connection closed while waiting for its turn leaves no timer;
// the pacer itself spaces retries evenly while an origin is down and lets
// them go in bursts of a window once a socket to it opened.
//
// Run: cd tests/js && node --test pacing.test.mjs   (needs pkg/ from scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";

import { startServer } from "./server.mjs";
import { pr, sleep, until, throws, __connCount } from "./conn-harness.mjs";
import { pace as paceRetry, reopened } from "../../pkg/pacer.js";

const PROFILES = 40;
const OUTAGE_MS = 1000;
// By the end of the outage most backoff delays are 800 to 2000 ms: "recovered" cuts them short.
const BACKOFF = { minDelayMs: 100, maxDelayMs: 2000, factor: 2, jitter: 0.5 };
/** Accepts over pace / 10 in a 100 ms window the loopback's timing may add. */
const SLACK = 2;

/** The most timestamps in any 100 ms window (sliding). */
function herd(times) {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j] - t[i] >= 100) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/**
 * Opens PROFILES connections with `reconnect`, makes the server refuse
 * upgrades for OUTAGE_MS and drops every socket, and waits for all of them
 * to be back. Returns the accepts after the drop (ms from the end of the
 * refusal), the reasons of the reconnecting events and the server's stats.
 */
async function outage(reconnect) {
  let accepts = null;
  const srv = await startServer({ onAccept: () => accepts?.push(Date.now()) });
  const control = (path) => fetch(`${srv.httpUrl}${path}`).then((r) => r.json());
  pr.start();
  const base = __connCount();
  const conns = [];
  const reasons = new Map();
  try {
    for (let i = 0; i < PROFILES; i++) {
      const profile = `pace-${i}`;
      const c = pr.connect({ profile, url: `${srv.url}/?profile=${profile}`, WebSocket, reconnect });
      c.on("reconnecting", (e) => reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1));
      conns.push(c);
    }
    await until(() => conns.every((c) => c.state === "open"), "every first socket open", 10_000);
    accepts = [];
    const up = Date.now() + OUTAGE_MS; // at or before the server's end of the refusal
    await control(`/control/refuse?ms=${OUTAGE_MS}`);
    await control("/control/drop-all");
    await until(() => conns.every((c) => c.state === "open") && srv.stats().currentTotal === PROFILES, "every profile back", 15_000);
    const stats = srv.stats();
    return { after: accepts.map((t) => t - up), reasons, stats, backMs: Math.max(...accepts) - up };
  } finally {
    for (const c of conns) c.close();
    await until(() => __connCount() === base, "every connection forgotten");
    await srv.close();
  }
}

test("pace 100: at most 10 (+ slack) accepted per 100 ms at the server, every profile back, waiting ones cut short by \"recovered\"", async (t) => {
  const pace = 100;
  const { after, reasons, stats, backMs } = await outage({ ...BACKOFF, pace });
  assert.equal(after.length, PROFILES, `one accept per profile after the outage: ${after.length}`);
  assert.ok(after.every((t) => t >= 0), "nothing accepted while refusing");
  const most = herd(after);
  assert.ok(most <= pace / 10 + SLACK, `herd ${most} per 100 ms at the server, pace ${pace}`);
  assert.equal(stats.maxConcurrentPerProfile, 1, "never two sockets of a profile at the server");
  assert.ok((reasons.get("recovered") ?? 0) > 0, `"recovered" retries: ${JSON.stringify([...reasons])}`);
  t.diagnostic(`herd ${most} per 100 ms, all back ${backMs} ms after the server, reasons ${JSON.stringify([...reasons])}`);
  // 40 at 10 per 100 ms take about 400 ms once the first is back; waiting out backoffs of up to 2000 ms would take longer.
  assert.ok(backMs < 1200, `all back ${backMs} ms after the server was`);
});

test("pace: Infinity lets the recovered wave in at once", async (t) => {
  const { after, reasons, stats, backMs } = await outage({ ...BACKOFF, pace: Infinity });
  assert.equal(after.length, PROFILES);
  const most = herd(after);
  t.diagnostic(`herd ${most} per 100 ms, all back ${backMs} ms after the server`);
  assert.ok(most > 10 + SLACK, `herd ${most}: unpaced, more than pace 100 would let in`);
  assert.equal(stats.maxConcurrentPerProfile, 1);
  assert.ok((reasons.get("recovered") ?? 0) > 0);
});

test("reconnect.pace: a number above 0 or Infinity; anything else is an InvalidConfigError naming it, and nothing is connected", () => {
  pr.start();
  const base = __connCount();
  const ctor = class { close() {} };
  for (const pace of ["fast", 0, -1, NaN, null, -Infinity, 10n, {}]) {
    const profile = `bad-${String(typeof pace === "bigint" ? "big" : pace)}`;
    const e = throws(() => pr.connect({ profile, url: "ws://127.0.0.1:9/", WebSocket: ctor, reconnect: { pace } }), "InvalidConfigError", `pace ${String(pace)}`);
    assert.match(e.message, /reconnect\.pace/);
    assert.equal(pr.whereis({}, profile), undefined, "nothing registered");
    assert.equal(__connCount(), base, "no connection made");
  }
  for (const pace of [0.5, 1, 200, Infinity]) {
    const c = pr.connect({ profile: `ok-${pace}`, url: "ws://127.0.0.1:9/", WebSocket: ctor, reconnect: { pace } });
    c.close();
  }
  const e = throws(() => pr.connect({ profile: "typo", url: "ws://h/", WebSocket: ctor, reconnect: { paced: 5 } }), "InvalidConfigError");
  assert.match(e.message, /paced/);
});

test("a connection closed while its retry waits for the pacer: the retry never runs, no timer is left", async () => {
  const srv = await startServer();
  pr.start();
  const base = __connCount();
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const opened = [];
  class Counted extends WebSocket {
    constructor(...a) {
      super(...a);
      opened.push(this);
    }
  }
  await fetch(`${srv.httpUrl}/control/refuse?ms=60000`);
  // Pace 1: one retry per second to the origin, so most of these wait in line.
  const conns = [0, 1, 2, 3].map((i) => pr.connect({ profile: `line-${i}`, url: `${srv.url}/?profile=line-${i}`, WebSocket: Counted, reconnect: { minDelayMs: 1, maxDelayMs: 5, jitter: 0, pace: 1 } }));
  await until(() => conns.every((c) => c.info().attempt >= 1), "every connection retrying");
  await sleep(50);
  const made = opened.length;
  assert.ok(made < 8, `retries are held back: ${made} sockets made`);
  for (const c of conns) c.close();
  await until(() => __connCount() === base, "every connection forgotten");
  await sleep(1100);
  assert.equal(opened.length, made, "no retry ran after the close");
  assert.ok(timers() <= before, `timers: ${timers()} after, ${before} before`);
  await srv.close();
});

/** Queues `count` retries to `origin` at `perSecond`; resolves with their release times. */
function released(origin, perSecond, count) {
  const times = [];
  return new Promise((resolve) => {
    for (let i = 0; i < count; i++) paceRetry(origin, perSecond, (at) => times.push(at) === count && resolve(times));
  });
}

test("the pacer: retries to a down origin go one even spacing apart (found back within one); after a socket opens, bursts of a window", async (t) => {
  const origin = "ws://pacer-unit.invalid";
  // Pace 100: 10 in any 103 ms, an even spacing of 10.3 ms.
  const down = await released(origin, 100, 5);
  const gaps = down.slice(1).map((t, i) => t - down[i]);
  assert.ok(gaps.every((g) => g >= 10), `down: releases ${JSON.stringify(gaps)} ms apart, each at least the even spacing`);
  const later = released(origin, 100, 15);
  reopened(origin, down[4] + 1); // a socket released after these opened: the server is back, they are forgotten
  const up = await later;
  const burst = up[9] - up[0];
  t.diagnostic(`down ${JSON.stringify(gaps)}; up ${JSON.stringify(up.map((x) => x - up[0]))}`);
  assert.ok(burst < 9 * 10, `recovering: the first 10 within ${burst} ms, closer than the even spacing`);
  assert.ok(up[10] - up[0] >= 103, `the 11th waits for the next window: ${up[10] - up[0]} ms after the first`);
});
