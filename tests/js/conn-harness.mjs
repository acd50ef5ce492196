// The harness of the connection tests in Node (conn.test.mjs,
// hold.test.mjs): a fresh `ws` server per test, a recorder of a
// Connection's events, and checks that everything opened is closed again
// and that the server never held two sockets of a profile.
import assert from "node:assert/strict";
import WebSocket from "ws";

import { startServer } from "./server.mjs";

export const pr = await import("../../pkg/node.js");
const { __connCount } = await import("../../pkg/index.js");
export { __connCount };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(cond, what, timeoutMs = 5000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await sleep(2);
  }
}

export const FAST = { minDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0.5 };
export const TYPES = ["open", "message", "close", "error", "reconnecting", "statechange"];

/** Records every event of `conn`, in order, as [type, detail]. */
export function record(conn) {
  const events = [];
  for (const t of TYPES) conn.on(t, (e) => events.push([t, e]));
  const of = (t) => events.filter(([type]) => type === t).map(([, e]) => e);
  return {
    events,
    of,
    types: () => events.map(([t, e]) => (t === "close" && e.final ? "close!" : t)),
    states: () => of("statechange").map((e) => `${e.from}>${e.to}`),
    finals: () => of("close").filter((e) => e.final),
    wait: (t, n = 1, timeoutMs = 5000) =>
      until(() => of(t).length >= n, () => `${n} ${t} event(s) of ${JSON.stringify(conn.profile)}; got ${JSON.stringify(events.map(([ty]) => ty))}`, timeoutMs),
    waitFinal: (timeoutMs = 5000) =>
      until(() => of("close").some((e) => e.final), () => `the final close of ${JSON.stringify(conn.profile)}`, timeoutMs),
  };
}

/** The error `f` throws, checked by `name` and by `instanceof pr[name]`. */
export function throws(f, name, what = name) {
  let err;
  try {
    f();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `${what}: expected ${name}, nothing was thrown`);
  assert.equal(err?.name, name, `${what}: got ${err?.name}: ${err?.message}`);
  if (pr[name]) assert.ok(err instanceof pr[name], `${what}: instanceof pr.${name}`);
  return err;
}

/**
 * Runs `fn(h)` with a fresh server and the default registry started. `h`:
 *   h.connect(profile, extra)  connect with the ws WebSocket and FAST backoff (tracked for cleanup)
 *   h.url(profile), h.control(path), h.stats(), h.of(profile) (server counters)
 * Afterwards: closes every tracked connection, waits for __connCount() to
 * return to its start value, checks maxConcurrentPerProfile (1 by default;
 * `h.expectMax = 0` for tests that never open a socket), closes the server.
 */
export async function harness(fn) {
  const srv = await startServer();
  pr.start();
  const base = __connCount();
  const conns = [];
  const h = {
    srv,
    expectMax: 1,
    url: (p) => `${srv.url}/?profile=${encodeURIComponent(typeof p === "string" ? p : JSON.stringify(p))}`,
    connect(profile, extra = {}) {
      const c = pr.connect({ profile, url: h.url(profile), WebSocket, reconnect: FAST, ...extra });
      conns.push(c);
      return c;
    },
    track: (c) => (conns.push(c), c),
    async control(path) {
      const res = await fetch(srv.httpUrl + path);
      assert.ok(res.ok, `control ${path}: HTTP ${res.status}`);
      return res.json();
    },
    stats: () => srv.stats(),
    of: (p) => srv.stats().profiles[typeof p === "string" ? p : JSON.stringify(p)] ?? { current: 0, max: 0, total: 0, messages: 0 },
    base,
  };
  try {
    await fn(h);
    for (const c of conns) c.close();
    await until(() => __connCount() === base, () => `__connCount() back to ${base} (now ${__connCount()})`);
    for (const c of conns) assert.equal(c.info().sockets, 0, "no socket left");
    assert.equal(srv.stats().maxConcurrentPerProfile, h.expectMax, "server: max concurrent sockets per profile");
  } finally {
    for (const c of conns) {
      try {
        c.close();
      } catch {}
    }
    await srv.close();
  }
}

