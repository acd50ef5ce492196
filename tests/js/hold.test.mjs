// Connections that hold at the server, in Node with the `ws` WebSocket
// against the test server (server.mjs), whose fence admits the socket with
// the highest epoch of a profile: fencing epochs, `url` as a function, a
// superseded connection ending on 4409, the heartbeat against a server that
// stops answering, `minUptimeMs` against one that accepts and closes at
// once, `reconnect()`, sends while the peer is closing, redaction.
//
// Run: cd tests/js && node --test hold.test.mjs   (needs pkg/ from scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";

import { pr, sleep, until, record, throws, harness } from "./conn-harness.mjs";

/** A url function that carries the epoch to the fence, and remembers its calls. */
function fenced(h, profile) {
  const calls = [];
  const url = async (ctx) => {
    calls.push(ctx);
    await sleep(1);
    return `${h.url(profile)}&epoch=${ctx.epoch}`;
  };
  return { url, calls };
}

test("epochs: at least Date.now(), strictly greater for every new hold of a profile, the same across reconnects", () =>
  harness(async (h) => {
    const t0 = Date.now();
    const a = h.connect("ep");
    assert.ok(Number.isSafeInteger(a.epoch) && a.epoch >= t0, `epoch ${a.epoch} >= ${t0}`);
    assert.equal(a.info().epoch, a.epoch);
    const r = record(a);
    await r.wait("open");
    const first = a.epoch;
    await h.control("/control/drop-all");
    await r.wait("open", 2);
    assert.equal(a.epoch, first, "a reconnect keeps the epoch");
    a.close();
    const b = h.connect("ep");
    assert.ok(b.epoch > first, "connect after close: a higher epoch");
    const c = h.connect("ep", { onDuplicate: "replace" });
    assert.ok(c.epoch > b.epoch, "replace: a higher epoch");
    const many = Array.from({ length: 50 }, (_, i) => h.connect(`ep${i}`).epoch);
    for (let i = 1; i < many.length; i++) assert.ok(many[i] > many[i - 1], "grants in one millisecond still increase");
    assert.ok(many[0] > c.epoch);
  }));

test("url as a function: called for every socket with { profile, epoch, attempt }; the fence admits one socket", () =>
  harness(async (h) => {
    const f = fenced(h, "fn");
    const a = h.connect("fn", { url: f.url });
    const r = record(a);
    await r.wait("open");
    await h.control("/control/drop-all");
    await r.wait("open", 2);
    assert.deepEqual(f.calls, [
      { profile: "fn", epoch: a.epoch, attempt: 0 },
      { profile: "fn", epoch: a.epoch, attempt: 1 },
    ]);
    a.close();
    const g = fenced(h, "fn");
    const b = h.connect("fn", { url: g.url });
    await record(b).wait("open");
    assert.deepEqual(g.calls, [{ profile: "fn", epoch: b.epoch, attempt: 0 }]);
    const s = h.of("fn");
    assert.equal(s.fenced.max, 1, "fenced: one at a time");
    assert.equal(s.max, 1, "raw: one at a time");
    assert.equal(h.stats().refused, 0);
  }));

test("a superseded connection (4409 from the fence) ends instead of reconnecting", () =>
  harness(async (h) => {
    h.expectMax = 2; // two registries of one realm hold the profile: the fence, not the realm, keeps one
    pr.start("Other");
    try {
      const a = h.connect("sup", { url: fenced(h, "sup").url });
      const ra = record(a);
      await ra.wait("open");
      const b = h.connect("sup", { url: fenced(h, "sup").url, registry: { name: "Other" } });
      assert.ok(b.epoch > a.epoch);
      await record(b).wait("open");
      await ra.waitFinal();
      const fin = ra.finals()[0];
      assert.deepEqual([fin.code, fin.reason, fin.willReconnect], [4409, "superseded", false]);
      assert.equal(a.state, "closed");
      assert.equal(ra.of("reconnecting").length, 0, "no reconnect into a fence that refuses it");
      assert.equal(pr.whereis(undefined, "sup"), undefined, "the realm forgets it");
      assert.equal(b.state, "open");
      assert.equal(h.of("sup").fenced.max, 1);
      assert.equal(h.stats().superseded, 1);
      b.close();
    } finally {
      pr.stop("Other");
    }
  }));

test("url function failures (throw, reject, not a string, bad url) are error events and retries, never unhandled", () =>
  harness(async (h) => {
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      let n = 0;
      const url = (ctx) => {
        n++;
        if (n === 1) throw new Error("boom");
        if (n === 2) return Promise.reject(new Error("no token"));
        if (n === 3) return 42;
        if (n === 4) return "http://user:secret@127.0.0.1/?token=abc123";
        return `${h.url("uf")}&epoch=${ctx.epoch}`;
      };
      const c = h.connect("uf", { url });
      const r = record(c);
      await r.wait("open", 1, 8000);
      const errors = r.of("error").map((e) => e.message);
      assert.equal(errors.length, 4, JSON.stringify(errors));
      assert.match(errors[0], /the url function threw: boom/);
      assert.match(errors[1], /the url function failed: no token/);
      assert.match(errors[2], /the url function gave the number 42, not a ws:\/\/ or wss:\/\/ url/);
      assert.match(errors[3], /the url function gave a bad url/);
      for (const m of errors) assert.ok(!m.includes("secret") && !m.includes("abc123"), `redacted: ${m}`);
      assert.deepEqual(r.of("reconnecting").map((e) => e.attempt), [1, 2, 3, 4]);
      await sleep(20);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  }));

test("closed while its url is being made: no socket is ever made, the connection is freed", () =>
  harness(async (h) => {
    h.expectMax = 0;
    let release;
    const c = h.connect("slow", { url: () => new Promise((r) => (release = r)) });
    const r = record(c);
    await sleep(10);
    c.close();
    await r.waitFinal();
    release(h.url("slow"));
    await sleep(50);
    assert.equal(h.of("slow").total, 0, "the late url opened nothing");
  }));

test("heartbeat: pings on the interval; a server that stops answering is replaced within timeoutMs, fenced to one", () =>
  harness(async (h) => {
    h.expectMax = 2; // the stalled socket stays open at the server until the fence closes it
    const c = h.connect("hb", { url: fenced(h, "hb").url, heartbeat: { intervalMs: 40, timeoutMs: 300, message: "ping" } });
    const r = record(c);
    await r.wait("open");
    await sleep(200);
    assert.ok(h.of("hb").messages >= 3, `pings sent (${h.of("hb").messages})`);
    assert.ok(r.of("message").every((e) => e.data === "ping"), "the echoes arrive as messages");
    assert.equal(r.of("error").length, 0, "an answering server keeps it alive");
    const t0 = Date.now();
    await h.control("/control/stall?profile=hb");
    await r.wait("error", 1, 3000);
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 1500, `dead after ${took} ms (timeoutMs 300)`);
    assert.match(r.of("error")[0].message, /heartbeat\.timeoutMs/);
    const lost = r.of("close")[0];
    assert.deepEqual([lost.code, lost.reason, lost.willReconnect], [1006, "heartbeat timeout", true]);
    await r.wait("open", 2, 6000);
    assert.equal(h.of("hb").fenced.max, 1, "the fence admitted one at a time");
    console.log(`heartbeat: dead after ${took} ms; server raw max ${h.of("hb").max}, fenced max ${h.of("hb").fenced.max}`);
  }));

test("minUptimeMs: a server that accepts and closes at once is backed off, the retry count grows", () =>
  harness(async (h) => {
    await h.control("/control/accept-close?ms=1500");
    const c = h.connect("ac", { reconnect: { minDelayMs: 20, maxDelayMs: 5000, factor: 2, jitter: 0, minUptimeMs: 1000 } });
    const r = record(c);
    await sleep(1500);
    const attempts = r.of("reconnecting").map((e) => e.attempt);
    assert.ok(attempts.length >= 4, `retried (${attempts})`);
    attempts.forEach((a, i) => assert.equal(a, i + 1, `attempts count up: ${attempts}`));
    const sockets = h.of("ac").total;
    assert.ok(sockets <= 8, `backed off: ${sockets} sockets in 1.5 s (at a fixed 20 ms it would be ~70)`);
    await r.wait("open", sockets + 1, 8000); // the server accepts again: it stays open
    await sleep(1100);
    await h.control("/control/drop-all");
    await until(() => r.of("reconnecting").length > attempts.length, "a reconnect after the drop", 8000);
    assert.equal(r.of("reconnecting").at(-1).attempt, 1, "after minUptimeMs open, the count starts again");
  }));

test("reconnect(): the old socket closes first, a fresh one opens at once, the queue is kept", () =>
  harness(async (h) => {
    const c = h.connect("rc");
    const r = record(c);
    await r.wait("open");
    const h1 = c.handle;
    c.reconnect();
    c.send("kept");
    assert.equal(c.state, "reconnecting");
    await r.wait("open", 2);
    await r.wait("message");
    assert.equal(r.of("message")[0].data, "kept");
    assert.notEqual(c.handle, h1);
    const closed = r.of("close")[0];
    assert.deepEqual([closed.code, closed.reason, closed.willReconnect], [1000, "reconnect", true]);
    assert.deepEqual(r.of("reconnecting").map((e) => [e.attempt, e.delayMs, e.reason]), [[1, 0, "reconnect"]]);
    assert.equal(h.of("rc").total, 2);
    c.close();
    throws(() => c.reconnect(), "ConnectionClosedError");
  }));

test("a server closing mid-burst: no message is handed to a socket that cannot send it", () =>
  harness(async (h) => {
    let handed = 0, notOpen = 0;
    class Counting extends WebSocket {
      send(data) {
        handed++;
        if (this.readyState !== 1) notOpen++;
        super.send(data);
      }
    }
    const c = h.connect("burst", { WebSocket: Counting });
    const r = record(c);
    await r.wait("open");
    await h.control("/control/close-after?profile=burst&n=100");
    const N = 3000;
    for (let i = 0; i < N; i += 20) {
      for (let j = i; j < i + 20; j++) c.send(`m${j}`);
      await sleep(1);
    }
    await until(() => c.state === "open" && c.info().queued === 0, "the queue delivered on the next socket", 8000);
    await sleep(100);
    const received = h.of("burst").messages;
    const closing = r.of("error").filter((e) => /closing/.test(e.message)).length;
    console.log(`mid-burst close: ${N} sent, ${handed} handed to sockets, ${received} at the server, ${closing} found the socket closing and were queued, ${N - received} lost in flight`);
    assert.equal(r.of("open").length, 2, "the server closed it mid-burst, and it came back");
    assert.equal(notOpen, 0, "nothing handed to a CLOSING or CLOSED socket");
    assert.ok(received >= N * 0.9, `in-flight loss bounded: ${received} of ${N} arrived`);
  }));
