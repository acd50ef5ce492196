// JS-level tests of the connection feature (`connect`, `Connection`) of the
// built package, in Node with the `ws` package's WebSocket, against the test
// server (server.mjs; every test starts its own and closes it).
//
// Every test, through `harness`, ends by closing what it opened, waiting for
// `__connCount()` to come back to where it started (connections are freed
// once their sockets are released) and asserting that the server never saw
// two sockets of one profile at once (`maxConcurrentPerProfile === 1`).
//
// Run: cd tests/js && node --test conn.test.mjs   (needs pkg/ from scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import WebSocket from "ws";

import { startServer } from "./server.mjs";
import { pr, __connCount, sleep, until, FAST, record, throws, harness } from "./conn-harness.mjs";

const bytes = (buf) => [...new Uint8Array(buf)];

// ---------------------------------------------------------------------------
test("connect + echo: text and binary (ArrayBuffer, typed arrays, DataView); whereis returns the same object", () =>
  harness(async (h) => {
    const c = h.connect("echo");
    assert.ok(c instanceof pr.Connection);
    assert.equal(c.profile, "echo");
    assert.equal(c.state, "connecting");
    assert.equal(pr.whereis(undefined, "echo"), c, "registered before it opens");
    assert.deepEqual(Object.keys(c.info()).sort(), ["attempt", "epoch", "handle", "queued", "queuedBytes", "sockets", "state"]);
    const h1 = c.handle;
    assert.equal(typeof h1, "string");
    assert.ok(pr.isAlive(h1));
    assert.equal(pr.get(h1), c);
    assert.equal(pr.profileOf(h1), "echo");
    assert.equal(pr.lookup(undefined, "echo").handle, h1);
    const r = record(c);
    await r.wait("open");
    assert.equal(c.state, "open");
    assert.equal(c.handle, h1, "the first socket keeps the handle it was registered with");
    assert.equal(r.of("open")[0].handle, h1);
    assert.equal(r.of("open")[0].target, c);
    assert.equal(r.of("open")[0].type, "open");
    assert.deepEqual(c.info(), { state: "open", handle: h1, attempt: 0, epoch: c.epoch, queued: 0, queuedBytes: 0, sockets: 1 });

    const big = new Uint8Array(256 * 1024).map((_, i) => i * 7);
    const sent = [
      "héllo ✓ 😀",
      "",
      new Uint8Array([1, 2, 3]).buffer,
      new Uint8Array([0, 4, 5, 0]).subarray(1, 3),
      new DataView(new Uint8Array([9, 6, 7, 9]).buffer, 1, 2),
      new Uint16Array([0x0102]),
      new ArrayBuffer(0),
      big,
    ];
    for (const d of sent) c.send(d);
    await r.wait("message", sent.length);
    const got = r.of("message").map((e) => e.data);
    assert.equal(got[0], "héllo ✓ 😀");
    assert.equal(got[1], "");
    for (const d of got.slice(2)) assert.ok(d instanceof ArrayBuffer, `binary arrives as an ArrayBuffer, got ${Object.prototype.toString.call(d)}`);
    assert.deepEqual(bytes(got[2]), [1, 2, 3]);
    assert.deepEqual(bytes(got[3]), [4, 5], "a typed-array view sends only its own bytes");
    assert.deepEqual(bytes(got[4]), [6, 7], "a DataView sends only its own bytes");
    assert.deepEqual(bytes(got[5]), [2, 1], "a Uint16Array is sent as its bytes");
    assert.equal(got[6].byteLength, 0);
    assert.deepEqual(new Uint8Array(got[7]), big);
    assert.equal(h.of("echo").messages, sent.length, "each message reached the server once");

    // A list profile: found with a fresh array, exposed frozen.
    const l = h.connect(["acme", 1]);
    assert.equal(pr.whereis(undefined, ["acme", 1]), l);
    assert.ok(Object.isFrozen(l.profile));
    assert.deepEqual(l.profile, ["acme", 1]);
    assert.equal(pr.whereis(undefined, "echo"), c, "other profiles unaffected");
    await record(l).wait("open");

    // Another registry.
    pr.start("ConnTests");
    const n = h.connect("echo", { registry: "ConnTests", url: h.url("echo@ConnTests") });
    assert.equal(pr.whereis({ registry: "ConnTests" }, "echo"), n, "same profile, another registry");
    assert.equal(pr.whereis(undefined, "echo"), c);
    await record(n).wait("open");
    n.close();
    pr.stop("ConnTests");

    // close(): at once, final event, profile released.
    c.close();
    assert.equal(c.state, "closed");
    assert.equal(pr.whereis(undefined, "echo"), undefined);
    assert.equal(pr.isAlive(h1), false);
    assert.equal(c.handle, undefined);
    const [fin] = r.finals();
    assert.deepEqual({ ...fin, target: undefined }, { code: 1000, reason: "", wasClean: true, willReconnect: false, rejected: 0, final: true, type: "close", target: undefined });
    assert.deepEqual(r.states(), ["connecting>open", "open>closed"]);
    const before = r.events.length;
    c.close();
    c.close(4000, "again");
    assert.equal(r.events.length, before, "closing again emits nothing");
    throws(() => c.send("late"), "ConnectionClosedError", "send after close");
    await until(() => c.info().sockets === 0, "the socket released");
    throws(() => c.send("later"), "ConnectionClosedError", "send after the socket is released");
    l.close();
  }));

/**
 * Whether `ms` is a delay the policy allows for `attempt`: whole ms, from the
 * base up to base * (1 + jitter) (capped), or at the cap from
 * maxDelayMs * (1 - jitter); never below minDelayMs.
 */
function inPolicy(p, attempt, ms) {
  const base = Math.min(p.minDelayMs * p.factor ** (attempt - 1), p.maxDelayMs);
  const [lo, hi] = base >= p.maxDelayMs ? [Math.max(p.minDelayMs, p.maxDelayMs * (1 - p.jitter)), p.maxDelayMs] : [base, Math.min(p.maxDelayMs, base * (1 + p.jitter))];
  return Number.isInteger(ms) && ms >= Math.floor(lo) && ms <= Math.ceil(hi) && ms >= p.minDelayMs;
}

// ---------------------------------------------------------------------------
test("server drop-all: reconnect under a new handle, old handle dead, same Connection, reconnecting within the policy", () =>
  harness(async (h) => {
    // minUptimeMs 0: every open starts the retry count again.
    const policy = { minDelayMs: 20, maxDelayMs: 80, factor: 2, jitter: 0.5, minUptimeMs: 0 };
    const c = h.connect("drop", { reconnect: policy });
    const r = record(c);
    await r.wait("open");
    const handles = [c.handle];
    for (let round = 1; round <= 3; round++) {
      const dropped = await h.control("/control/drop-all");
      assert.equal(dropped.dropped, 1);
      await r.wait("open", round + 1);
      const hNew = c.handle;
      assert.ok(!handles.includes(hNew), `a new handle each reconnect (${handles} + ${hNew})`);
      for (const old of handles) {
        assert.equal(pr.isAlive(old), false, `old handle ${old} reads as dead`);
        assert.equal(pr.get(old), undefined);
      }
      handles.push(hNew);
      assert.ok(pr.isAlive(hNew));
      assert.equal(pr.get(hNew), c);
      assert.equal(pr.whereis(undefined, "drop"), c, "whereis returns the same Connection object");
      assert.equal(r.of("open")[round].handle, hNew, "the open event carries the new handle");
      assert.equal(c.info().attempt, 0, "attempt count reset by the open");
      assert.equal(c.info().sockets, 1);
    }
    for (const e of r.of("close")) {
      assert.deepEqual([e.code, e.wasClean, e.willReconnect, e.final, e.rejected], [1006, false, true, undefined, 0]);
    }
    const recs = r.of("reconnecting");
    assert.equal(recs.length, 3);
    for (const e of recs) {
      assert.equal(e.attempt, 1, "every drop starts again at attempt 1");
      assert.ok(inPolicy(policy, 1, e.delayMs), `delay ${e.delayMs}`);
      assert.equal(e.reason, "closed");
    }
    assert.deepEqual(r.states(), ["connecting>open", ...Array(3).fill(["open>reconnecting", "reconnecting>open"]).flat()]);
    // Each message once: no handler was duplicated by the reconnects.
    c.send("after");
    await r.wait("message");
    await sleep(30);
    assert.equal(r.of("message").length, 1);
    assert.equal(h.of("drop").total, 4);
  }));

// ---------------------------------------------------------------------------
test("refused, then accepted: retries with growing, jittered, capped delays; one socket accepted", () =>
  harness(async (h) => {
    const policy = { minDelayMs: 20, maxDelayMs: 80, factor: 2, jitter: 0.5 };
    await h.control("/control/refuse?ms=700");
    const c = h.connect("refused", { reconnect: policy });
    const r = record(c);
    await r.wait("open", 1, 8000);
    const recs = r.of("reconnecting");
    assert.ok(recs.length >= 3, `retried while refused (${recs.length} attempts)`);
    recs.forEach((e, i) => {
      assert.equal(e.attempt, i + 1, "attempts count up");
      assert.ok(inPolicy(policy, e.attempt, e.delayMs), `attempt ${e.attempt}: delay ${e.delayMs} outside the policy`);
    });
    assert.ok(recs.some((e) => e.delayMs > policy.minDelayMs), "the delay grows");
    assert.ok(r.of("error").length >= 1, "refusals are reported as errors");
    assert.ok(r.of("close").every((e) => e.willReconnect && !e.final), "each failed attempt closes with a reconnect to follow");
    assert.deepEqual(r.states(), ["connecting>reconnecting", "reconnecting>open"]);
    assert.equal(c.info().attempt, 0);
    assert.equal(pr.whereis(undefined, "refused"), c);
    assert.deepEqual([h.of("refused").total, h.of("refused").max], [1, 1], "refused upgrades never counted");
  }));

// ---------------------------------------------------------------------------
test("connectTimeoutMs: a handshake that takes too long is abandoned (code 1006) and retried", () =>
  harness(async (h) => {
    await h.control("/control/delay?ms=400");
    const c = h.connect("slow", { connectTimeoutMs: 60, reconnect: { minDelayMs: 150, maxDelayMs: 150, jitter: 0 } });
    const r = record(c);
    await r.wait("close");
    const [e] = r.of("close");
    assert.deepEqual([e.code, e.reason, e.wasClean, e.willReconnect], [1006, "connect timeout", false, true]);
    assert.ok(r.of("error").some((x) => /connectTimeoutMs/.test(x.message)), "the error names connectTimeoutMs");
    await h.control("/control/delay?ms=0");
    await r.wait("open", 1, 5000);
    assert.equal(h.of("slow").max, 1);
  }));

// ---------------------------------------------------------------------------
test("retries exhausted (maxRetries): final close, whereis undefined, connection freed, profile connectable again", () =>
  harness(async (h) => {
    await h.control("/control/refuse?ms=30000");
    const c = h.connect("exhaust", { reconnect: { minDelayMs: 5, maxDelayMs: 10, maxRetries: 2 } });
    const r = record(c);
    c.send("never");
    await r.waitFinal();
    assert.deepEqual(r.of("reconnecting").map((e) => e.attempt), [1, 2]);
    const fin = r.finals();
    assert.equal(fin.length, 1);
    assert.deepEqual([fin[0].willReconnect, fin[0].final, fin[0].rejected, fin[0].code], [false, true, 1, 1006]);
    assert.equal(r.types().at(-1), "close!", "the final close is the last event");
    assert.equal(c.state, "closed");
    assert.equal(pr.whereis(undefined, "exhaust"), undefined);
    throws(() => c.send("x"), "ConnectionClosedError");

    // maxRetries 0 and reconnect: false give up at the first failure.
    for (const reconnect of [{ minDelayMs: 5, maxDelayMs: 10, maxRetries: 0 }, false]) {
      const z = h.connect("exhaust0", { reconnect });
      const rz = record(z);
      await rz.waitFinal();
      assert.equal(rz.of("reconnecting").length, 0);
      assert.equal(pr.whereis(undefined, "exhaust0"), undefined);
    }
    await until(() => __connCount() === h.base, "the exhausted connections freed");

    await h.control("/control/reset");
    const again = h.connect("exhaust");
    assert.notEqual(again, c);
    assert.equal(pr.whereis(undefined, "exhaust"), again);
    await record(again).wait("open");
  }));

// ---------------------------------------------------------------------------
test("onDuplicate 'error' (default) and 'existing': two synchronous connects, while connecting, open and reconnecting", () =>
  harness(async (h) => {
    const a = h.connect("dup", { reconnect: { minDelayMs: 300, maxDelayMs: 300, jitter: 0 } });
    const ra = record(a);
    const count = __connCount();
    const check = (when) => {
      const e = throws(() => h.connect("dup", { url: h.url("other") }), "AlreadyRegisteredError", `duplicate ${when}`);
      assert.equal(e.existing, a, "the error carries the live connection");
      assert.equal(e.profile, "dup");
      assert.equal(e.registry, "ProfileRegistry");
      assert.equal(e.handle, a.handle);
      assert.equal(pr.connect({ profile: "dup", url: h.url("other"), WebSocket, onDuplicate: "existing" }), a, `'existing' ${when}`);
      assert.equal(pr.whereis(undefined, "dup"), a);
      assert.equal(__connCount(), count, "nothing new allocated");
    };
    check("right after connect (synchronous)");
    assert.equal(a.state, "connecting");
    await ra.wait("open");
    check("while open");
    await h.control("/control/drop-all");
    await ra.wait("reconnecting");
    assert.equal(a.state, "reconnecting");
    check("while reconnecting");
    await ra.wait("open", 2);
    assert.equal(h.of("other").total, 0, "no socket was opened for a refused duplicate");
    assert.equal(ra.of("open").length, 2);
  }));

// ---------------------------------------------------------------------------
test("onDuplicate 'replace' while open: the old connection closes fully (socket released) before the new one's socket", () =>
  harness(async (h) => {
    const a = h.connect("rep");
    const ra = record(a);
    await ra.wait("open");
    const ha = a.handle;
    const b = h.connect("rep", { onDuplicate: "replace" });
    const rb = record(b);
    assert.equal(a.state, "closed", "the old one is closed at once");
    assert.deepEqual(ra.finals().map((e) => [e.code, e.reason, e.rejected]), [[1000, "replaced", 0]]);
    assert.equal(pr.isAlive(ha), false);
    assert.equal(pr.whereis(undefined, "rep"), b);
    assert.equal(b.state, "connecting");
    assert.equal(b.info().sockets, 0, "the new one waits for the old socket to be released");
    assert.equal(a.info().sockets, 1, "the old socket is still closing");
    await rb.wait("open");
    assert.equal(a.info().sockets, 0);
    assert.deepEqual([h.of("rep").total, h.of("rep").max], [2, 1]);
  }));

test("onDuplicate 'replace': synchronous chains, while the old socket is connecting, and while it is closing", () =>
  harness(async (h) => {
    // Three synchronous replaces right after a connect: only the last opens.
    const a = h.connect("chain");
    const b = h.connect("chain", { onDuplicate: "replace" });
    const c = h.connect("chain", { onDuplicate: "replace" });
    const [ra, rb, rc] = [a, b, c].map(record);
    assert.deepEqual([a.state, b.state, c.state], ["closed", "closed", "connecting"]);
    assert.equal(pr.whereis(undefined, "chain"), c);
    await rc.wait("open");
    assert.equal(ra.of("open").length + rb.of("open").length, 0, "the replaced ones never opened");
    assert.equal(b.info().sockets, 0, "b never had a socket (it waited for a's)");

    // The old socket still in its (slow) handshake.
    await h.control("/control/delay?ms=250");
    const d = h.connect("hs");
    await sleep(60);
    assert.equal(d.info().sockets, 1, "d's socket is connecting");
    const e = h.connect("hs", { onDuplicate: "replace" });
    const re = record(e);
    assert.equal(d.state, "closed");
    await re.wait("open", 1, 5000);
    assert.equal(d.info().sockets, 0);
    await h.control("/control/delay?ms=0");

    // The old socket closing (replace), and a replace of the waiting one.
    const f = h.connect("closing");
    const rf = record(f);
    await rf.wait("open");
    const g = h.connect("closing", { onDuplicate: "replace" }); // f's socket closing
    const k = h.connect("closing", { onDuplicate: "replace" }); // g waiting, f still closing
    const [rg, rk] = [g, k].map(record);
    assert.equal(g.state, "closed");
    assert.equal(g.info().sockets, 0);
    assert.equal(pr.whereis(undefined, "closing"), k);
    await rk.wait("open");
    assert.equal(rg.of("open").length, 0);
    assert.deepEqual([h.of("closing").total, h.of("closing").max], [2, 1], "f and k only");
    for (const p of ["chain", "hs", "closing"]) assert.equal(h.of(p).max, 1, `max concurrent of ${p}`);
  }));

// ---------------------------------------------------------------------------
test("connect during a reconnect: error / existing / replace (the replacement starts at once; the old timer never fires)", () =>
  harness(async (h) => {
    const a = h.connect("mid", { reconnect: { minDelayMs: 300, maxDelayMs: 300, jitter: 0 } });
    const ra = record(a);
    await ra.wait("open");
    await h.control("/control/drop-all");
    await ra.wait("reconnecting");
    assert.equal(a.info().sockets, 0, "in the backoff wait: no socket");
    throws(() => h.connect("mid"), "AlreadyRegisteredError");
    const b = h.connect("mid", { onDuplicate: "replace" });
    const rb = record(b);
    assert.equal(a.state, "closed");
    assert.equal(ra.finals().length, 1);
    assert.equal(b.info().sockets, 1, "no old socket alive: the new one starts at once");
    await rb.wait("open");
    await sleep(400); // past a's backoff timer
    assert.equal(ra.of("open").length, 1, "the replaced connection never reconnected");
    assert.deepEqual([h.of("mid").total, h.of("mid").max], [2, 1]);
  }));

test("close() during a pending reconnect timer: no more sockets, final close, freed", () =>
  harness(async (h) => {
    const a = h.connect("pending", { reconnect: { minDelayMs: 250, maxDelayMs: 250, jitter: 0 } });
    const ra = record(a);
    await ra.wait("open");
    await h.control("/control/drop-all");
    await ra.wait("reconnecting");
    assert.equal(ra.of("reconnecting")[0].delayMs, 250);
    a.close();
    assert.equal(a.state, "closed");
    assert.deepEqual(ra.finals().map((e) => [e.final, e.rejected, e.willReconnect]), [[true, 0, false]]);
    assert.equal(pr.whereis(undefined, "pending"), undefined);
    await until(() => __connCount() === h.base, "freed at once (no socket to wait for)");
    await sleep(350);
    assert.equal(ra.of("open").length, 1);
    assert.equal(h.of("pending").total, 1, "the timer never opened a socket");
  }));

// ---------------------------------------------------------------------------
test("listeners may call connect / close from inside open, close and reconnecting events", () =>
  harness(async (h) => {
    // open -> close
    const a = h.connect("l-open");
    const ra = record(a);
    a.on("open", () => a.close(4000, "from open"));
    await ra.waitFinal();
    assert.equal(a.state, "closed");
    assert.deepEqual(ra.finals().map((e) => [e.code, e.reason]), [[4000, "from open"]]);
    await sleep(50);
    assert.equal(ra.of("reconnecting").length, 0);
    assert.equal(h.of("l-open").total, 1);

    // open -> a duplicate connect throws inside the listener, with the live one
    const b = h.connect("l-dup");
    let inner;
    b.on("open", () => {
      try {
        pr.connect({ profile: "l-dup", url: h.url("l-dup"), WebSocket });
      } catch (e) {
        inner = e;
      }
    });
    await record(b).wait("open");
    await until(() => inner, "the listener ran");
    assert.equal(inner.name, "AlreadyRegisteredError");
    assert.equal(inner.existing, b);

    // final close -> connect the same profile again (the profile is already released)
    const c = h.connect("l-close");
    const rc = record(c);
    await rc.wait("open");
    let next;
    c.on("close", (e) => {
      if (e.final) next = h.connect("l-close");
    });
    c.close();
    assert.ok(next, "connect inside the final close listener succeeded");
    assert.equal(pr.whereis(undefined, "l-close"), next);
    await record(next).wait("open");
    assert.equal(h.of("l-close").max, 1);

    // reconnecting -> close
    const d = h.connect("l-rec");
    const rd = record(d);
    await rd.wait("open");
    d.on("reconnecting", () => d.close());
    await h.control("/control/drop?profile=l-rec");
    await rd.waitFinal();
    await sleep(60);
    assert.equal(d.state, "closed");
    assert.equal(rd.of("open").length, 1);
    assert.equal(h.of("l-rec").total, 1);

    // message -> close: later messages are not delivered
    const m = h.connect("l-msg");
    const rm = record(m);
    await rm.wait("open");
    m.on("message", () => m.close());
    m.send("1");
    m.send("2");
    await rm.waitFinal();
    await sleep(40);
    assert.deepEqual(rm.of("message").map((e) => e.data), ["1"]);
  }));

test(
  "a listener that closes the connection from inside a non-final close event hears no event after the final close",
  () =>
    harness(async (h) => {
      const a = h.connect("after-final");
      const ra = record(a);
      await ra.wait("open");
      a.on("close", (e) => {
        if (!e.final) a.close();
      });
      await h.control("/control/drop-all");
      await ra.waitFinal();
      await sleep(30);
      assert.equal(ra.types().at(-1), "close!", `events: ${ra.types().join(" ")}`);
    }),
);

// ---------------------------------------------------------------------------
test("sends before the first open and during a reconnect are queued, then delivered in order", () =>
  harness(async (h) => {
    const a = h.connect("queue", { reconnect: { minDelayMs: 150, maxDelayMs: 150, jitter: 0 } });
    const ra = record(a);
    a.send("c0");
    a.send(new Uint8Array([7]));
    assert.deepEqual([a.info().queued, a.info().queuedBytes], [2, 3]);
    await ra.wait("message", 2);
    assert.equal(ra.of("message")[0].data, "c0");
    assert.deepEqual(bytes(ra.of("message")[1].data), [7]);
    assert.equal(a.info().queued, 0);

    await h.control("/control/drop?profile=queue");
    await ra.wait("reconnecting");
    const batch = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const m of batch) a.send(m);
    assert.deepEqual([a.info().queued, a.info().queuedBytes], [20, batch.join("").length]);
    await ra.wait("open", 2);
    assert.equal(a.info().queued, 0, "flushed on open");
    a.send("direct");
    await ra.wait("message", 2 + batch.length + 1);
    assert.deepEqual(ra.of("message").slice(2).map((e) => e.data), [...batch, "direct"]);
    await sleep(30);
    assert.equal(h.of("queue").messages, 2 + batch.length + 1, "nothing was sent twice");
  }));

// ---------------------------------------------------------------------------
test("QueueFullError past either limit, with nothing queued; queueing off; everything queued still delivered", () =>
  harness(async (h) => {
    await h.control("/control/refuse?ms=60000");
    const rc = { minDelayMs: 20, maxDelayMs: 40 };
    const a = h.connect("qf-n", { reconnect: rc, queue: { maxMessages: 3, maxBytes: 10 } });
    for (const m of ["aaa", "bbb", "ccc"]) a.send(m);
    let e = throws(() => a.send("d"), "QueueFullError", "past maxMessages");
    assert.equal(e.profile, "qf-n");
    assert.deepEqual([a.info().queued, a.info().queuedBytes], [3, 9], "nothing queued by the failed send");

    const b = h.connect("qf-b", { reconnect: rc, queue: { maxMessages: 10, maxBytes: 5 } });
    b.send("éé"); // 4 UTF-8 bytes
    throws(() => b.send("ab"), "QueueFullError", "past maxBytes");
    throws(() => b.send(new Uint8Array(2)), "QueueFullError", "past maxBytes (binary)");
    b.send("a");
    assert.deepEqual([b.info().queued, b.info().queuedBytes], [2, 5]);

    const c = h.connect("qf-big", { reconnect: rc, queue: { maxMessages: 10, maxBytes: 4 } });
    throws(() => c.send(new ArrayBuffer(5)), "QueueFullError", "one message bigger than maxBytes");
    assert.equal(c.info().queued, 0);

    const d = h.connect("qf-off", { reconnect: rc, queue: { maxMessages: 0, maxBytes: 0 } });
    throws(() => d.send("x"), "QueueFullError", "queueing off");
    assert.equal(d.info().queued, 0);

    await h.control("/control/reset");
    const [ra, rb, rd] = [a, b, d].map(record);
    await ra.wait("message", 3, 5000);
    await rb.wait("message", 2, 5000);
    await rd.wait("open", 1, 5000);
    d.send("now open");
    await rd.wait("message");
    await sleep(30);
    assert.deepEqual(ra.of("message").map((x) => x.data), ["aaa", "bbb", "ccc"]);
    assert.deepEqual(rb.of("message").map((x) => x.data), ["éé", "a"]);
    assert.deepEqual(rd.of("message").map((x) => x.data), ["now open"]);
  }));

// ---------------------------------------------------------------------------
test("close() with queued messages reports them as `rejected` in the final close event", () =>
  harness(async (h) => {
    await h.control("/control/refuse?ms=60000");
    const a = h.connect("rej", { reconnect: { minDelayMs: 20, maxDelayMs: 40 } });
    const ra = record(a);
    for (const m of ["1", "2", "3"]) a.send(m);
    a.close();
    assert.deepEqual(ra.finals().map((e) => [e.rejected, e.final, e.willReconnect]), [[3, true, false]]);
    assert.deepEqual([a.info().queued, a.info().queuedBytes], [0, 0]);
    await h.control("/control/reset");

    // Queued during a reconnect, then closed.
    const b = h.connect("rej2", { reconnect: { minDelayMs: 300, maxDelayMs: 300, jitter: 0 } });
    const rb = record(b);
    await rb.wait("open");
    await h.control("/control/drop-all");
    await rb.wait("reconnecting");
    b.send("x");
    b.send(new Uint8Array(10));
    b.close(4001, "bye");
    assert.deepEqual(rb.finals().map((e) => e.rejected), [2]);
    assert.equal(rb.types().at(-1), "close!");
  }));

// ---------------------------------------------------------------------------
test("bad input: typed errors, and nothing registered, opened or changed", () =>
  harness(async (h) => {
    const U = h.url("bad");
    const cases = [
      [undefined, "InvalidConfigError"],
      [null, "InvalidConfigError"],
      ["bad", "InvalidConfigError"],
      [{ url: U }, "InvalidConfigError"],
      [{ profile: "bad" }, "InvalidConfigError"],
      [{ profile: 1.5, url: U }, "InvalidProfileError"],
      [{ profile: { id: 1 }, url: U }, "InvalidProfileError"],
      [{ profile: null, url: U }, "InvalidProfileError"],
      ...["http://127.0.0.1/", "", "ws://", "ws:///x", "ws://h/#frag", "ws://h:99999", "ws://a b", "ws://[::1", 5].map((url) => [{ profile: "bad", url }, "InvalidConfigError"]),
      ...[
        { onDuplicate: "sometimes" },
        { reconnect: { factor: 0.5 } },
        { reconnect: { minDelayMs: -1 } },
        { reconnect: { minDelayMs: NaN } },
        { reconnect: { minDelayMs: "5" } },
        { reconnect: { jitter: 2 } },
        { reconnect: { maxDelayMs: 3e9 } },
        { reconnect: { minDelayMs: 100, maxDelayMs: 50 } },
        { reconnect: { maxRetries: 1.5 } },
        { reconnect: { maxRetries: -1 } },
        { reconnect: "yes" },
        { reconnect: null },
        { queue: { maxMessages: -1 } },
        { queue: { maxMessages: 1, maxBytes: 0 } },
        { queue: 5 },
        { protocols: {} },
        { protocols: ["a b"] },
        { protocols: ["a", "a"] },
        { protocols: [1] },
        { connectTimeoutMs: 0 },
        { connectTimeoutMs: -1 },
        { connectTimeoutMs: "5" },
        { connectTimeoutMs: Infinity },
        { WebSocket: 5 },
        { WebSocket: {} },
        { WebSocket: null },
        { registry: 5 },
      ].map((extra) => [{ profile: "bad", url: U, WebSocket, ...extra }, "InvalidConfigError"]),
      [{ profile: "bad", url: U, WebSocket, registry: "NeverStarted" }, "RegistryNotStartedError"],
      [{ profile: "bad", url: U, WebSocket, registry: { module: "Nope", name: "x" } }, "UnknownModuleError"],
      [{ profile: "bad", WebSocket, get url() { throw new Error("getter"); } }, "InvalidConfigError"],
    ];
    const count = __connCount();
    for (const [cfg, name] of cases) {
      let what;
      try {
        what = String(JSON.stringify(cfg)).slice(0, 80);
      } catch {
        what = "a config with a throwing getter";
      }
      throws(() => pr.connect(cfg), name, `connect(${what})`);
      assert.equal(pr.whereis(undefined, "bad"), undefined);
      assert.equal(__connCount(), count, "nothing allocated");
    }
    assert.deepEqual(pr.keys(), []);

    // A live connection, and bad input aimed at it.
    const a = h.connect("live");
    const ra = record(a);
    await ra.wait("open");
    const ha = a.handle;
    for (const extra of [{ url: "http://x" }, { WebSocket: 5 }, { reconnect: { factor: 0 } }, { queue: { maxMessages: -1 } }]) {
      throws(() => h.connect("live", { onDuplicate: "replace", ...extra }), "InvalidConfigError", `replace with ${JSON.stringify(extra)}`);
    }
    assert.equal(a.state, "open", "bad options never close the live connection, even with onDuplicate: replace");
    assert.equal(a.handle, ha);
    assert.equal(pr.whereis(undefined, "live"), a);

    for (const d of [{}, { length: 1 }, 5, null, undefined, true, [1, 2], Symbol("s"), 10n, new Blob(["x"]), new SharedArrayBuffer(2)]) {
      throws(() => a.send(d), "InvalidDataError", `send(${Object.prototype.toString.call(d)})`);
    }
    assert.equal(a.info().queued, 0);

    const badCloses = [[1001], [999], [2999], [5000], [1005], [1006], [1015], [1.5], [-1], [70000], ["1000"], [NaN], [null], [1000, "x".repeat(124)], [4000, "é".repeat(62)], [1000, 5], [1000, null]];
    for (const args of badCloses) {
      throws(() => a.close(...args), "InvalidConfigError", `close(${args.map((x) => JSON.stringify(x)?.slice(0, 12)).join(", ")})`);
    }
    assert.equal(a.state, "open", "bad close arguments change nothing");
    assert.equal(ra.finals().length, 0);

    throws(() => a.on("bogus", () => {}), "InvalidConfigError");
    throws(() => a.on("open", "not a function"), "InvalidConfigError");
    assert.throws(() => new pr.Connection(), TypeError);

    a.send("still fine");
    await ra.wait("message");
    await sleep(30);
    assert.equal(h.of("live").messages, 1, "none of the bad sends reached the server");
    assert.equal(h.of("bad").total, 0);
    a.close(1000, "é".repeat(61)); // 122 bytes: fine
    assert.equal(ra.finals()[0].reason, "é".repeat(61));
  }));

// ---------------------------------------------------------------------------
test("a throwing listener is reported and does not stop the others; on() returns its off()", () =>
  harness(async (h) => {
    const reported = [];
    const saved = globalThis.reportError;
    globalThis.reportError = (e) => reported.push(e);
    try {
      const a = h.connect("throwing");
      const calls = [];
      a.on("open", () => {
        throw new Error("boom open");
      });
      a.on("open", () => calls.push("open 2"));
      a.on("message", () => {
        throw new Error("boom message");
      });
      a.on("message", (e) => calls.push(`message ${e.data}`));
      const twice = (e) => calls.push(`twice ${e.data}`);
      a.on("message", twice);
      a.on("message", twice);
      const off = a.on("message", (e) => calls.push(`removed ${e.data}`));
      off();
      off();
      let offLater;
      a.on("message", () => offLater()); // removes a listener later in the list, during dispatch
      offLater = a.on("message", (e) => calls.push(`later ${e.data}`));
      await until(() => calls.includes("open 2"), "the second open listener");
      a.send("1");
      a.send("2");
      await until(() => calls.includes("message 2"), "both messages");
      assert.deepEqual(calls, ["open 2", "message 1", "twice 1", "twice 1", "message 2", "twice 2", "twice 2"]);
      assert.deepEqual(reported.map((e) => e.message), ["boom open", "boom message", "boom message"]);
      assert.equal(a.state, "open");
    } finally {
      globalThis.reportError = saved;
    }
  }));

// ---------------------------------------------------------------------------
test("unregister() and stop() close the connections they remove; the profile can connect again", () =>
  harness(async (h) => {
    const a = h.connect("u-a");
    const b = h.connect("u-b");
    const [ra, rb] = [a, b].map(record);
    await ra.wait("open");
    await rb.wait("open");
    pr.unregister(undefined, "u-a");
    assert.equal(a.state, "closed");
    assert.deepEqual(ra.finals().map((e) => e.reason), ["unregistered"]);
    assert.equal(b.state, "open");
    pr.stop();
    assert.equal(b.state, "closed");
    assert.equal(rb.finals().length, 1);
    await until(() => __connCount() === h.base, "freed after stop()");
    pr.start();
    const c = h.connect("u-a");
    await record(c).wait("open");
    assert.equal(h.of("u-a").max, 1);
  }));

test(
  "connect() from a final-close listener while stop() runs does not leave an orphan connection",
  () =>
    harness(async (h) => {
      const a = h.connect("orphan");
      const ra = record(a);
      await ra.wait("open");
      let inner;
      a.on("close", (e) => {
        if (!e.final) return;
        try {
          inner = h.connect("orphan");
        } catch (err) {
          inner = err;
        }
      });
      pr.stop();
      // Acceptable outcomes: the nested connect throws, or it is closed with the registry.
      assert.ok(inner instanceof Error || inner.state === "closed", `nested connect during stop(): ${inner?.state}, handle ${inner?.handle} alive=${inner?.handle && pr.isAlive(inner.handle)}`);
      throws(() => pr.whereis(undefined, "orphan"), "RegistryNotStartedError", "whereis after stop()");
      pr.start();
      const b = h.connect("orphan");
      await record(b).wait("open", 1, 2000);
    }),
);

// ---------------------------------------------------------------------------
test("2,000+ reconnect cycles: __connCount stays at the live count, one socket each, no heap or wasm-memory growth", () =>
  harness(async (h) => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    const memory = pr.initSync({ module: new Uint8Array(0) }).memory; // already initialised: returns the instance's exports
    const N = 10;
    const ROUNDS = 210;
    const conns = [];
    const opens = new Array(N).fill(0);
    const handles = new Set();
    for (let i = 0; i < N; i++) {
      const c = h.connect(`leak${i}`, { reconnect: { minDelayMs: 1, maxDelayMs: 5 } });
      c.on("open", (e) => {
        opens[i]++;
        handles.add(e.handle);
      });
      conns.push(c);
    }
    const waitOpens = (n) => until(() => opens.every((o) => o >= n), () => `every connection opened ${n} times (${opens})`, 5000);
    await waitOpens(1);
    let heapWarm;
    let memWarm;
    for (let round = 1; round <= ROUNDS; round++) {
      await h.control("/control/drop-all");
      await waitOpens(round + 1);
      assert.equal(__connCount(), h.base + N, `round ${round}: __connCount is the number of live connections`);
      for (const c of conns) assert.ok(c.info().sockets <= 1, `round ${round}: at most one socket per connection`);
      if (round === 30) {
        gc();
        heapWarm = process.memoryUsage().heapUsed;
        memWarm = memory.buffer.byteLength;
      }
    }
    gc();
    await sleep(10);
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapWarm;
    const memGrowth = memory.buffer.byteLength - memWarm;
    assert.equal(handles.size, N * (ROUNDS + 1), "a distinct handle for every socket");
    for (let i = 0; i < N; i++) {
      assert.equal(pr.whereis(undefined, `leak${i}`), conns[i]);
      assert.equal(h.of(`leak${i}`).total, ROUNDS + 1);
    }
    assert.ok(heapGrowth < 4 * 1024 * 1024, `JS heap grew ${(heapGrowth / 1024) | 0} KiB over ${(ROUNDS - 30) * N} reconnects`);
    assert.ok(memGrowth <= 128 * 1024, `wasm memory grew ${memGrowth} B over ${(ROUNDS - 30) * N} reconnects`);
    // After all the reconnects, each message is still delivered once.
    const r0 = record(conns[0]);
    conns[0].send("once");
    await r0.wait("message");
    await sleep(20);
    assert.equal(r0.of("message").length, 1);
    for (const c of conns) c.close();
    await until(() => __connCount() === h.base, "__connCount back to its start once the sockets are released");
  }));

// ---------------------------------------------------------------------------
test(
  "ConnectionClosedError names the connection's profile, also once its socket is released",
  () =>
    harness(async (h) => {
      const a = h.connect("cce");
      await record(a).wait("open");
      a.close();
      assert.equal(throws(() => a.send("x"), "ConnectionClosedError").profile, "cce", "while the socket closes");
      await until(() => a.info().sockets === 0 && __connCount() === h.base, "released");
      assert.equal(throws(() => a.send("x"), "ConnectionClosedError").profile, "cce", "after release");
    }),
);

// Last: the leak it reproduces is permanent in this realm.
test(
  "a connection whose WebSocket constructor throws is freed once it gives up (__connCount back to 0)",
  () =>
    harness(async (h) => {
      h.expectMax = 0;
      class Throwing {
        constructor() {
          throw new Error("no sockets here");
        }
      }
      const a = pr.connect({ profile: "ctor", url: h.url("ctor"), WebSocket: Throwing, reconnect: false });
      assert.equal(a.state, "closed");
      assert.equal(pr.whereis(undefined, "ctor"), undefined);
      const b = pr.connect({ profile: "ctor2", url: h.url("ctor2"), WebSocket: Throwing, reconnect: { minDelayMs: 1, maxDelayMs: 2, maxRetries: 2 } });
      const rb = record(b);
      await rb.waitFinal();
      assert.equal(rb.of("error").length, 3, "the first attempt and the two retries failed");
      await until(() => __connCount() === h.base, () => `__connCount() back to ${h.base} (now ${__connCount()})`, 500);
    }),
);
