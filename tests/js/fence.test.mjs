// Tests of the server fence (js/server.js, `profile-registry/server`): every
// rule with fake sockets (including ones whose close() fires their close
// listeners synchronously, and listeners that call back into the fence),
// random interleavings (fast-check) checked against the rule "at most one
// admitted open socket per profile", bounded memory; then the fence in a real `ws`
// server (tests/js/server.mjs) with raw `ws` clients, checked by the server's
// own counts. Run: node --test tests/js/fence.test.mjs (FENCE_SEED=n replays
// the random interleavings).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import WebSocket from "ws";
import fc from "fast-check";

import { createFence, epochOf, SUPERSEDED, EPOCH_REQUIRED, DEFAULT_RETAIN_MS } from "../../js/server.js";
import { startServer } from "./server.mjs";
import { runInWorkerd } from "./runtimes.mjs";

// ---- fake sockets -----------------------------------------------------------

/**
 * A socket as the fence sees one. `listen`: "event" (addEventListener),
 * "emitter" (on/off) or "none". `syncClose`: close() fires the close
 * listeners before it returns (as some hosts do); otherwise `finish()` fires
 * them later, as the close handshake ends.
 */
class FakeSocket {
  static CLOSED = 3;
  constructor({ listen = "event", syncClose = false, name = "" } = {}) {
    this.name = name;
    this.readyState = 1;
    this.closes = [];
    this.syncClose = syncClose;
    this.listeners = new Set();
    if (listen === "event") {
      this.addEventListener = (type, f) => type === "close" && this.listeners.add(f);
      this.removeEventListener = (type, f) => type === "close" && this.listeners.delete(f);
    } else if (listen === "emitter") {
      this.on = (type, f) => (type === "close" && this.listeners.add(f), this);
      this.off = (type, f) => (type === "close" && this.listeners.delete(f), this);
    }
  }
  close(code, reason) {
    this.closes.push({ code, reason });
    if (this.readyState >= 2) return;
    this.readyState = 2;
    if (this.syncClose) this.finish(code);
  }
  /** The close completes (or the peer closed): the close listeners run. */
  finish(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    for (const f of [...this.listeners]) f({ code });
  }
  get code() {
    return this.closes[0]?.code;
  }
}

const sock = (opts) => new FakeSocket(opts);

/** A fence (created with `options`) that has admitted `a`, alice's socket at `epoch`. */
function withAlice(epoch = 5, socketOptions, options) {
  const f = createFence(options);
  const a = sock(socketOptions);
  assert.equal(f.admit("alice", epoch, a), true);
  return { f, a };
}
const clock = (t = 1_000_000) => {
  const c = () => c.t;
  c.t = t;
  return c;
};

// ---- epochOf ------------------------------------------------------------------

describe("epochOf", () => {
  test("reads the epoch query parameter of urls, paths, URLs and requests", () => {
    assert.equal(epochOf("wss://host/?profile=alice&epoch=1764700000000"), 1764700000000);
    assert.equal(epochOf("/?epoch=0&profile=a"), 0);
    assert.equal(epochOf(new URL("ws://h/x?epoch=42")), 42);
    assert.equal(epochOf({ url: "/?epoch=7" }), 7, "Node's IncomingMessage has a path as url");
    assert.equal(epochOf(new Request("http://h/?epoch=8")), 8);
    assert.equal(epochOf("/?epoch=5&epoch=9"), 5, "the first one");
    assert.equal(epochOf(`/?epoch=${Number.MAX_SAFE_INTEGER}`), Number.MAX_SAFE_INTEGER);
  });

  test("a missing or malformed epoch is undefined", () => {
    for (const v of ["", "-1", "1.5", "1e3", "0x10", " 5", "5 ", "+5", "abc", "9007199254740992", "12345678901234567", "٥"]) {
      assert.equal(epochOf(`/?epoch=${encodeURIComponent(v)}`), undefined, JSON.stringify(v));
    }
    assert.equal(epochOf("/?profile=alice"), undefined);
    assert.equal(epochOf("http://[::1"), undefined, "not a url");
  });

  test("anything but a url, URL or request is a TypeError", () => {
    for (const v of [undefined, null, 42, {}, { url: 5 }, Symbol("u")]) {
      assert.throws(() => epochOf(v), { name: "TypeError", message: /epochOf: expected a url string/ });
    }
  });
});

// ---- the rules ----------------------------------------------------------------

describe("fence rules", () => {
  test("the codes and the default retention", () => {
    assert.equal(SUPERSEDED, 4409);
    assert.equal(EPOCH_REQUIRED, 4400);
    assert.equal(DEFAULT_RETAIN_MS, 600_000);
  });

  test("the first socket of a profile is admitted", () => {
    const f = createFence();
    const a = sock();
    assert.equal(f.admit("alice", 5, a), true);
    assert.equal(f.current("alice"), a);
    assert.equal(f.epoch("alice"), 5);
    assert.deepEqual(a.closes, []);
    assert.deepEqual(f.stats(), { admitted: 1, superseded: 0, refused: 0, open: 1, profiles: 1 });
    assert.equal(f.current("bob"), undefined);
    assert.equal(f.epoch("bob"), undefined);
  });

  test("a higher epoch closes the previous socket first, then counts", () => {
    const { f, a } = withAlice(5);
    const b = sock();
    let seen;
    a.close = (code, reason) => {
      seen = { code, reason, current: f.current("alice"), open: f.stats().open, bClosed: b.closes.length };
      FakeSocket.prototype.close.call(a, code, reason);
    };
    assert.equal(f.admit("alice", 6, b), true);
    assert.deepEqual(seen, { code: 4409, reason: "superseded", current: undefined, open: 0, bClosed: 0 });
    assert.equal(f.current("alice"), b);
    assert.equal(f.epoch("alice"), 6);
    assert.deepEqual(f.stats(), { admitted: 2, superseded: 1, refused: 0, open: 1, profiles: 1 });
    assert.equal(a.listeners.size, 0, "the fence's close listener of the superseded socket is gone");
  });

  test("the same epoch admits the newer socket and closes the older", () => {
    const { f, a } = withAlice(5);
    const b = sock();
    assert.equal(f.admit("alice", 5, b), true);
    assert.deepEqual(a.closes, [{ code: 4409, reason: "superseded" }]);
    assert.equal(f.current("alice"), b);
  });

  test("a lower epoch closes the new socket with 4409 and changes nothing else", () => {
    const { f, a } = withAlice(5);
    const b = sock();
    assert.equal(f.admit("alice", 4, b), false);
    assert.deepEqual(b.closes, [{ code: 4409, reason: "superseded" }]);
    assert.deepEqual(a.closes, []);
    assert.equal(f.current("alice"), a);
    assert.equal(f.epoch("alice"), 5);
    assert.equal(b.listeners.size, 0);
    assert.deepEqual(f.stats(), { admitted: 1, superseded: 0, refused: 1, open: 1, profiles: 1 });
  });

  test("a lower epoch is refused after the higher one closed too (within retainMs)", () => {
    const { f, a } = withAlice(5);
    a.finish();
    assert.equal(f.current("alice"), undefined);
    const stale = sock();
    assert.equal(f.admit("alice", 4, stale), false);
    assert.equal(stale.code, 4409);
    assert.equal(f.admit("alice", 5, sock()), true, "the same epoch reconnects");
  });

  test("a missing or malformed epoch is refused with 4400 and leaves no trace", () => {
    const f = createFence();
    for (const e of [undefined, NaN, -1, 1.5, Infinity, -Infinity, 2 ** 53, -0.5]) {
      const s = sock();
      assert.equal(f.admit("alice", e, s), false, String(e));
      assert.deepEqual(s.closes, [{ code: 4400, reason: "epoch required" }]);
    }
    assert.equal(f.epoch("alice"), undefined);
    assert.deepEqual(f.stats(), { admitted: 0, superseded: 0, refused: 8, open: 0, profiles: 0 });
  });

  test("allowMissing admits a socket without an epoch at the profile's highest epoch", () => {
    const f = createFence({ allowMissing: true });
    const a = sock();
    const b = sock();
    assert.equal(f.admit("alice", undefined, a), true);
    assert.equal(f.epoch("alice"), 0);
    f.admit("alice", 9, sock());
    assert.equal(a.code, 4409);
    assert.equal(f.admit("alice", undefined, b), true, "no epoch: the newest wins");
    assert.equal(f.epoch("alice"), 9);
    assert.equal(f.admit("alice", 8, sock()), false, "a lower epoch is still stale");
    assert.equal(f.admit("alice", 1.5, sock()), false, "a malformed epoch is still refused");
    assert.equal(f.current("alice"), b);
  });

  test("bad arguments throw a TypeError, close nothing and change nothing", () => {
    const { f, a } = withAlice(5);
    const before = JSON.stringify(f.stats());
    const victim = sock();
    const bad = [
      [42, 6, victim, /the profile must be a string \(got number\)/],
      [undefined, 6, victim, /the profile must be a string/],
      [null, 6, victim, /\(got null\)/],
      [["alice"], 6, victim, /the profile must be a string/],
      ["alice", 6, null, /an object with a close\(code, reason\) method/],
      ["alice", 6, {}, /close\(code, reason\)/],
      ["alice", 6, { close: 1 }, /close\(code, reason\)/],
      ["alice", 6, "socket", /close\(code, reason\)/],
      ["alice", "6", victim, /the epoch must be a number or undefined/],
      ["alice", null, victim, /the epoch must be a number/],
      ["alice", 6n, victim, /the epoch must be a number/],
      ["bob", 6, a, /already admitted \(for profile "alice"\)/],
    ];
    for (const [p, e, s, message] of bad) {
      assert.throws(() => f.admit(p, e, s), { name: "TypeError", message }, `${String(p)} ${String(e)}`);
    }
    assert.deepEqual(victim.closes, []);
    assert.deepEqual(a.closes, []);
    assert.equal(f.current("alice"), a);
    assert.equal(JSON.stringify(f.stats()), before);
    for (const call of [() => f.release(1, a), () => f.release("alice", {}), () => f.forget(null), () => f.epoch(1), () => f.current({})]) {
      assert.throws(call, { name: "TypeError" });
    }
    assert.equal(JSON.stringify(f.stats()), before);
  });

  test("bad options throw a TypeError", () => {
    for (const [o, message] of [
      [null, /options must be an object/],
      [5, /options must be an object/],
      [{ retainMS: 1 }, /unknown option "retainMS"/],
      [{ retainMs: -1 }, /retainMs must be a number >= 0/],
      [{ retainMs: NaN }, /retainMs/],
      [{ retainMs: "1" }, /retainMs/],
      [{ allowMissing: "yes" }, /allowMissing must be a boolean/],
      [{ now: 5 }, /now must be a function/],
    ]) {
      assert.throws(() => createFence(o), { name: "TypeError", message });
    }
    assert.doesNotThrow(() => createFence({ retainMs: Infinity, allowMissing: false, now: Date.now }));
  });

  for (const listen of ["event", "emitter"]) {
    test(`an admitted socket leaves at its close event (${listen} listener)`, () => {
      const f = createFence();
      const a = sock({ listen });
      f.admit("alice", 5, a);
      assert.equal(a.listeners.size, 1);
      a.finish(1001);
      assert.equal(f.current("alice"), undefined);
      assert.equal(a.listeners.size, 0, "its listener is removed");
      assert.deepEqual(f.stats(), { admitted: 1, superseded: 0, refused: 0, open: 0, profiles: 1 });
      assert.equal(f.epoch("alice"), 5, "the epoch outlives the socket");
    });
  }

  test("release: for hosts whose sockets have no close event", () => {
    const { f, a } = withAlice(5, { listen: "none" });
    assert.equal(f.release("bob", a), false, "not bob's");
    assert.equal(f.release("alice", sock()), false, "not alice's socket");
    assert.equal(f.current("alice"), a);
    assert.equal(f.release("alice", a), true);
    assert.equal(f.release("alice", a), false, "once");
    assert.equal(f.stats().open, 0);
    const b = sock({ listen: "none" });
    f.admit("alice", 5, b);
    f.admit("alice", 6, sock({ listen: "none" }));
    assert.equal(b.code, 4409);
    assert.equal(f.release("alice", b), false, "a superseded socket is out already");
  });

  test("a socket closed before it is admitted counts and is released at once", () => {
    const { f, a } = withAlice(5);
    const b = sock();
    b.readyState = FakeSocket.CLOSED;
    assert.equal(f.admit("alice", 6, b), true);
    assert.equal(a.code, 4409);
    assert.equal(f.current("alice"), undefined);
    assert.equal(f.epoch("alice"), 6);
    assert.equal(b.listeners.size, 0);
  });

  test("a close that throws (a socket closed already) is taken as closed", () => {
    const f = createFence();
    const a = sock();
    a.close = () => {
      throw new Error("WebSocket already closed");
    };
    f.admit("alice", 5, a);
    assert.equal(f.admit("alice", 6, sock()), true);
    const b = sock();
    b.close = a.close;
    assert.equal(f.admit("alice", 1, b), false);
    assert.equal(f.stats().open, 1);
  });

  test("forget drops a closed profile's epoch, not an open one's", () => {
    const { f, a } = withAlice(5);
    assert.equal(f.forget("alice"), false);
    assert.equal(f.epoch("alice"), 5);
    a.finish();
    assert.equal(f.forget("alice"), true);
    assert.equal(f.epoch("alice"), undefined);
    assert.equal(f.forget("alice"), false);
    assert.equal(f.admit("alice", 1, sock()), true, "a lower epoch is admitted once forgotten");
  });
});

// ---- re-entrancy ----------------------------------------------------------------

describe("re-entrancy: close() that fires its close listeners synchronously", () => {
  test("superseding a socket whose close is synchronous", () => {
    const f = createFence();
    const a = sock({ syncClose: true });
    let during;
    a.addEventListener("close", () => {
      during = { current: f.current("alice"), release: f.release("alice", a), open: f.stats().open };
    });
    f.admit("alice", 1, a);
    const b = sock({ syncClose: true });
    assert.equal(f.admit("alice", 2, b), true);
    assert.deepEqual(during, { current: undefined, release: false, open: 0 });
    assert.equal(f.current("alice"), b);
    assert.deepEqual(f.stats(), { admitted: 2, superseded: 1, refused: 0, open: 1, profiles: 1 });
  });

  test("a refused socket whose close is synchronous and whose listener admits another", () => {
    const f = createFence();
    f.admit("alice", 5, sock());
    const stale = sock({ syncClose: true });
    const c = sock();
    stale.addEventListener("close", () => assert.equal(f.admit("alice", 7, c), true));
    assert.equal(f.admit("alice", 4, stale), false);
    assert.equal(f.current("alice"), c);
    assert.equal(f.stats().open, 1);
  });

  test("a higher epoch admitted from inside the superseded socket's close wins", () => {
    const { f, a } = withAlice(1, { syncClose: true });
    const b = sock();
    const c = sock();
    a.addEventListener("close", () => assert.equal(f.admit("alice", 3, c), true));
    assert.equal(f.admit("alice", 2, b), false, "b is stale by the time a has closed");
    assert.deepEqual(b.closes, [{ code: 4409, reason: "superseded" }]);
    assert.equal(f.current("alice"), c);
    assert.equal(f.epoch("alice"), 3);
    assert.deepEqual(f.stats(), { admitted: 2, superseded: 1, refused: 1, open: 1, profiles: 1 });
  });

  test("the same epoch admitted from inside that close is the newer one and wins", () => {
    const { f, a } = withAlice(1, { syncClose: true });
    const b = sock();
    const c = sock();
    a.addEventListener("close", () => f.admit("alice", 2, c));
    assert.equal(f.admit("alice", 2, b), false);
    assert.equal(f.current("alice"), c);
  });

  test("a lower epoch tried from inside that close is refused; the new socket is admitted", () => {
    const { f, a } = withAlice(1, { syncClose: true });
    const b = sock();
    const c = sock();
    a.addEventListener("close", () => assert.equal(f.admit("alice", 1, c), false));
    assert.equal(f.admit("alice", 2, b), true);
    assert.equal(c.code, 4409);
    assert.equal(f.current("alice"), b);
  });

  test("a forget from inside that close leaves the profile to the new socket", () => {
    const { f, a } = withAlice(1, { syncClose: true });
    const b = sock();
    a.addEventListener("close", () => assert.equal(f.forget("alice"), true));
    assert.equal(f.admit("alice", 2, b), true);
    assert.equal(f.current("alice"), b);
    assert.equal(f.epoch("alice"), 2);
    b.finish();
    assert.equal(f.stats().open, 0);
  });

  test("another profile admitted from inside a close is its own business", () => {
    const { f, a } = withAlice(1, { syncClose: true });
    const other = sock();
    a.addEventListener("close", () => f.admit("bob", 1, other));
    assert.equal(f.admit("alice", 2, sock()), true);
    assert.equal(f.current("bob"), other);
    assert.equal(f.stats().open, 2);
  });
});

// ---- random interleavings ---------------------------------------------------------

const PROFILES = ["a", "b", "c", "d"];
const operation = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("admit"),
      profile: fc.constantFrom(...PROFILES),
      epoch: fc.option(fc.nat(12), { freq: 20, nil: undefined }),
      listen: fc.constantFrom("event", "emitter", "none"),
      syncClose: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("end"), which: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("tick"), ms: fc.nat(30) }) },
);

/**
 * Runs `ops` against a fence and a model of its rule (the profile's highest
 * epoch, kept until retainMs after its last socket closed), checking after
 * every step, from the sockets' side, that each profile has at most one
 * admitted socket that neither the fence nor its peer has closed.
 */
function interleave(ops) {
  const retainMs = 50;
  const now = clock();
  const f = createFence({ now, retainMs, allowMissing: true });
  const admitted = []; // [profile, socket] that admit() took
  const high = new Map(); // profile -> { epoch, closedAt }
  for (const o of ops) {
    if (o.op === "admit") {
      const s = sock(o);
      const h = high.get(o.profile);
      const held = h && !(h.closedAt !== null && now.t - h.closedAt >= retainMs);
      const expect = o.epoch === undefined || !held || o.epoch >= h.epoch;
      assert.equal(f.admit(o.profile, o.epoch, s), expect);
      if (expect) {
        high.set(o.profile, { epoch: o.epoch ?? (held ? h.epoch : 0), closedAt: null });
        admitted.push([o.profile, s]);
      } else assert.equal(s.code, SUPERSEDED);
    } else if (o.op === "end") {
      // The peer (or the host) ends one socket.
      const open = admitted.filter(([, s]) => s.readyState < 3);
      if (open.length === 0) continue;
      const [profile, s] = open[o.which % open.length];
      const wasCurrent = f.current(profile) === s;
      if (s.listeners.size || s.readyState === 2) s.finish();
      else {
        s.readyState = 3;
        f.release(profile, s);
      }
      if (wasCurrent) high.get(profile).closedAt = now.t;
    } else now.t += o.ms;
    let open = 0;
    for (const profile of PROFILES) {
      const live = admitted.filter(([q, s]) => q === profile && s.closes.length === 0 && s.readyState === 1);
      assert.ok(live.length <= 1, `${live.length} live sockets of ${profile}`);
      if (live.length) assert.equal(f.current(profile), live[0][1]);
      open += live.length;
    }
    assert.equal(f.stats().open, open);
    for (const [, s] of admitted) for (const c of s.closes) assert.equal(c.code, SUPERSEDED);
  }
}

test("random interleavings (fast-check): at most one admitted open socket per profile, the highest epoch wins", () => {
  const seed = Number(process.env.FENCE_SEED ?? Date.now() % 2 ** 31);
  console.log(`fence interleavings: seed ${seed} (replay with FENCE_SEED=${seed})`);
  fc.assert(fc.property(fc.array(operation, { minLength: 1, maxLength: 200 }), interleave), { seed, numRuns: 200 });
});

// ---- memory -------------------------------------------------------------------------

test("memory is bounded: 100,000 profiles come and go, only the last retainMs are held", () => {
  const now = clock();
  const retainMs = 1000;
  const f = createFence({ now, retainMs });
  let peak = 0;
  for (let i = 0; i < 100_000; i++) {
    const s = sock();
    assert.equal(f.admit(`profile-${i}`, i, s), true);
    s.finish();
    now.t += 1; // one profile a millisecond: about retainMs of them are held
    if (i % 1000 === 0) peak = Math.max(peak, f.stats().profiles);
  }
  assert.ok(peak <= retainMs + 1, `held at most ${peak} profiles`);
  now.t += retainMs;
  assert.deepEqual(f.stats(), { admitted: 100_000, superseded: 0, refused: 0, open: 0, profiles: 0 });
  // Infinity keeps them all (what bounds it is retainMs, not luck).
  const g = createFence({ now, retainMs: Infinity });
  for (let i = 0; i < 10_000; i++) {
    const s = sock();
    g.admit(`profile-${i}`, 1, s);
    s.finish();
  }
  now.t += 1e9;
  assert.equal(g.stats().profiles, 10_000);
});

// ---- with a real ws server --------------------------------------------------------------

/** Resolves when `promise` does, rejects after `ms` (every wait is bounded). */
function within(ms, promise, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(t));
}

/**
 * A raw `ws` client of `profile` with `epoch`: `opened` resolves at open (or
 * rejects), `closed` resolves with the close code and reason.
 */
function client(srv, profile, epoch) {
  const q = epoch === undefined ? "" : `&epoch=${encodeURIComponent(epoch)}`;
  const ws = new WebSocket(`${srv.url}/?profile=${encodeURIComponent(profile)}${q}`);
  ws.on("error", () => {});
  const opened = within(5000, new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject))), `open ${profile}`);
  const closed = within(10_000, new Promise((r) => ws.once("close", (code, reason) => r({ code, reason: reason.toString() }))), `close ${profile}`);
  opened.catch(() => {});
  closed.catch(() => {});
  return { ws, opened, closed };
}

/** Polls until `fn()` is truthy (server-side close events are asynchronous). */
async function eventually(fn, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("the fence in a real ws server (tests/js/server.mjs), raw ws clients", () => {
  test("higher supersedes, lower is refused, the same epoch admits and closes the older", async () => {
    const srv = await startServer();
    try {
      const a = client(srv, "alice", 100);
      await a.opened;
      const b = client(srv, "alice", 200);
      await b.opened;
      assert.deepEqual(await a.closed, { code: 4409, reason: "superseded" }, "the old client sees 4409");

      const stale = client(srv, "alice", 150);
      await stale.opened; // accepted, then closed at once by the fence
      assert.deepEqual(await stale.closed, { code: 4409, reason: "superseded" });

      const same = client(srv, "alice", 200);
      await same.opened;
      assert.deepEqual(await b.closed, { code: 4409, reason: "superseded" });
      same.ws.send("still here");
      assert.equal((await within(2000, new Promise((r) => same.ws.once("message", r)), "echo")).toString(), "still here");

      const bad = client(srv, "alice", "soon");
      assert.deepEqual(await bad.closed, { code: 4400, reason: "epoch required" });

      await eventually(() => srv.stats().profiles.alice.current === 1, "raw count back to 1");
      const s = srv.stats();
      assert.deepEqual(s.profiles.alice.fenced, { current: 1, max: 1 });
      assert.equal(s.maxFencedPerProfile, 1);
      assert.equal(s.superseded, 2);
      assert.equal(s.refused, 2);
      assert.deepEqual(s.fence, { admitted: 3, superseded: 2, refused: 2, open: 1, profiles: 1 });
      same.ws.close();
      await same.closed;
      await eventually(() => srv.stats().fence.open === 0, "the fence hears of the close");
    } finally {
      await srv.close();
    }
  });

  test("a storm of clients per profile: at every admission at most one fenced socket, the highest epoch stays", async () => {
    const srv = await startServer();
    try {
      const profiles = ["p0", "p1", "p2", "p3", "p4"];
      const clients = [];
      for (let round = 0; round < 8; round++) {
        // Eight clients of each profile at once, epochs in a small range so
        // equal ones meet; rounds overlap (no waiting for the previous one).
        for (const p of profiles) {
          for (let k = 0; k < 8; k++) {
            const epoch = Math.floor(Math.random() * 6) + round;
            clients.push({ p, epoch, c: client(srv, p, epoch) });
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(clients.map((x) => x.c.opened.catch(() => {})));
      await eventually(() => profiles.every((p) => srv.stats().profiles[p].current === 1), "one raw socket per profile");
      const s = srv.stats();
      assert.equal(s.maxFencedPerProfile, 1, `the server never held two admitted open sockets of a profile: ${JSON.stringify(s.profiles)}`);
      for (const p of profiles) {
        const mine = clients.filter((x) => x.p === p);
        const survivors = mine.filter((x) => x.c.ws.readyState === WebSocket.OPEN);
        assert.equal(survivors.length, 1, `${p}: one client stays`);
        assert.equal(survivors[0].epoch, Math.max(...mine.map((x) => x.epoch)), `${p}: the highest epoch stays`);
        for (const x of mine.filter((y) => y !== survivors[0])) assert.equal((await x.c.closed).code, 4409);
      }
      assert.equal(s.superseded + s.refused, clients.length - profiles.length);
      console.log(`storm: ${clients.length} clients, raw max per profile ${s.maxConcurrentPerProfile}, fenced max ${s.maxFencedPerProfile}, superseded ${s.superseded}, refused ${s.refused}`);
      for (const x of clients) x.c.ws.terminate();
    } finally {
      await srv.close();
    }
  });

  test("memory is bounded after 10,000 profiles come and go", async () => {
    const retainMs = 300;
    const srv = await startServer({ fence: { retainMs } });
    try {
      const total = 10_000;
      const parallel = 25;
      let next = 0;
      let peak = 0;
      const t0 = Date.now();
      async function worker() {
        while (next < total) {
          const i = next++;
          const c = client(srv, `m${i}`, i);
          await c.opened;
          c.ws.close();
          await c.closed;
          if (i % 500 === 0) peak = Math.max(peak, srv.stats().fence.profiles);
        }
      }
      await Promise.all(Array.from({ length: parallel }, worker));
      const ms = Date.now() - t0;
      await eventually(() => srv.stats().currentTotal === 0, "every socket closed at the server");
      await new Promise((r) => setTimeout(r, retainMs + 20));
      const s = srv.stats();
      assert.deepEqual(s.fence, { admitted: total, superseded: 0, refused: 0, open: 0, profiles: 0 });
      // At ~total/ms profiles a millisecond, about retainMs of them are held at once.
      const bound = Math.ceil((total / ms) * retainMs * 2) + parallel;
      assert.ok(peak <= bound, `held at most ${peak} profiles (bound ${bound})`);
      console.log(`memory: ${total} profiles in ${ms} ms, at most ${peak} held by the fence (retainMs ${retainMs}), 0 after`);
      assert.equal(s.maxFencedPerProfile, 1);
    } finally {
      await srv.close();
    }
  });
});

// ---- the package and other hosts --------------------------------------------------------

describe("profile-registry/server in the built package (pkg/)", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  let dir;
  before(() => {
    // A consumer project whose node_modules/profile-registry is pkg/.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-fence-consumer-"));
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(path.join(root, "pkg"), path.join(dir, "node_modules/profile-registry"), "dir");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("resolves through the package's exports and ships its files", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "pkg/package.json"), "utf8"));
    assert.deepEqual(pkg.exports["./server"], { types: "./server.d.ts", default: "./server.js" });
    for (const f of ["server.js", "server.d.ts"]) {
      assert.ok(pkg.files.includes(f), `files lists ${f}`);
      assert.ok(fs.existsSync(path.join(root, "pkg", f)), `pkg/${f} is built`);
    }
    fs.writeFileSync(path.join(dir, "consumer.mjs"), 'export * from "profile-registry/server";\n');
    const mod = await import(pathToFileURL(path.join(dir, "consumer.mjs")).href);
    assert.deepEqual(Object.keys(mod).sort(), ["DEFAULT_RETAIN_MS", "EPOCH_REQUIRED", "SUPERSEDED", "createFence", "epochOf"]);
    const f = mod.createFence();
    assert.equal(f.admit("alice", mod.epochOf("/?epoch=3"), sock()), true);
  });

  test("the size budget's bundle (the default entry) does not include server.js", async () => {
    const esbuild = await import("esbuild");
    const out = await esbuild.build({
      entryPoints: [path.join(root, "pkg/index.js")], bundle: true, write: false, metafile: true, format: "esm", logLevel: "silent",
    });
    const inputs = Object.keys(out.metafile.inputs);
    assert.ok(inputs.some((i) => i.endsWith("index.js")));
    assert.deepEqual(inputs.filter((i) => i.endsWith("server.js")), []);
  });

  test("server.d.ts type-checks a consumer, and rejects misuse (tsc through the exports)", async () => {
    const tsc = path.join(root, "tests/js/node_modules/.bin/tsc");
    fs.writeFileSync(
      path.join(dir, "consumer.ts"),
      `import { createFence, epochOf, SUPERSEDED, EPOCH_REQUIRED, type Fence, type FenceStats } from "profile-registry/server";
declare const socket: WebSocket;
const fence: Fence = createFence({ retainMs: 60_000, allowMissing: false });
const ok: boolean = fence.admit("alice", epochOf("/?epoch=1"), socket);
const code: 4409 = SUPERSEDED;
const missing: 4400 = EPOCH_REQUIRED;
const stats: FenceStats = fence.stats();
const open: number = stats.open + stats.profiles;
const current: WebSocket | undefined = fence.current<WebSocket>("alice");
const high: number | undefined = fence.epoch("alice");
fence.release("alice", socket) && fence.forget("alice");
epochOf(new URL("ws://h/?epoch=2")); epochOf({ url: "/?epoch=2" });
// @ts-expect-error the profile is a string
fence.admit(42, 1, socket);
// @ts-expect-error the epoch is a number
fence.admit("alice", "1", socket);
// @ts-expect-error a socket has close()
fence.admit("alice", 1, {});
// @ts-expect-error no such option
createFence({ retain: 1 });
export { ok, code, missing, open, current, high };
`,
    );
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022", "dom"], skipLibCheck: false }, files: ["consumer.ts"] }),
    );
    fs.writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
    const run = promisify(execFile);
    const { stdout } = await run(tsc, ["-p", dir, "--traceResolution"], { cwd: dir, timeout: 60_000, maxBuffer: 64 << 20 });
    assert.match(stdout, /Module name 'profile-registry\/server' was successfully resolved to '[^']*pkg\/server\.d\.ts'/);
  });
});

test("the fence on workerd's own WebSockets (WebSocketPair, addEventListener)", async () => {
  const worker = `
    import { createFence, SUPERSEDED } from "../../js/server.js";
    const pair = () => {
      const p = new WebSocketPair();
      p[0].accept();
      p[1].accept();
      return { client: p[0], server: p[1] };
    };
    const closeOf = (ws) => new Promise((r) => ws.addEventListener("close", (e) => r({ code: e.code, reason: e.reason })));
    export default {
      async fetch() {
        const fence = createFence();
        const a = pair(), b = pair(), stale = pair();
        const aClosed = closeOf(a.client), staleClosed = closeOf(stale.client), bServerClosed = closeOf(b.server);
        const admitted = [fence.admit("alice", 1, a.server), fence.admit("alice", 2, b.server), fence.admit("alice", 1, stale.server)];
        const results = { admitted, a: await aClosed, stale: await staleClosed, current: fence.current("alice") === b.server };
        b.client.close(1000, "bye");
        await bServerClosed;
        await new Promise((r) => setTimeout(r, 0));
        results.afterClose = fence.stats();
        return Response.json({ ...results, superseded: SUPERSEDED });
      },
    };`;
  const r = await runInWorkerd({
    modules: [{ type: "ESModule", path: "tests/js/fence-worker.mjs", contents: worker }, { type: "ESModule", path: "js/server.js" }],
    modulesRoot: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."),
    timeoutMs: 30_000,
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(JSON.parse(r.text), {
    admitted: [true, true, false],
    a: { code: 4409, reason: "superseded" },
    stale: { code: 4409, reason: "superseded" },
    current: true,
    afterClose: { admitted: 2, superseded: 1, refused: 1, open: 0, profiles: 1 },
    superseded: 4409,
  });
});
