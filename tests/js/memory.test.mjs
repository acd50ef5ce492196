// Memory and stop-consistency tests of the built package, in Node with the
// `ws` package's WebSocket against the test server (server.mjs).
//
// Wasm memory is read through `pr.__debug()` -> `{ memoryBytes, connections }`
// (an internal export of the package). Without it these tests fail, naming
// it; they never skip.
//
//   1. 32 MiB binary sends (ArrayBuffer and Uint8Array view), on an open
//      connection and queued while connecting then delivered after open
//      (the server's echo is checked byte for byte), leave memoryBytes where
//      it was before the send.
//   2. A stopped registry's name costs nothing: after a warm-up of 5,000
//      start/register/stop cycles of fresh names, 5,000 more leave the JS heap
//      and wasm memory flat (growth < 1%), with registries() as before. Runs
//      in a child `node --expose-gc` (without the JIT tiers, whose code and
//      feedback allocations alone move the heap by several per cent).
//   3. While stop() runs, nothing returns a value whose handle is dead: a
//      listener on every unregister event, a second registry's listener and
//      a dispatch function look up every profile with whereis, lookup,
//      get/isAlive, bind(cfg).whereis (a view made before the stop and a
//      fresh one), whereis(via) and dispatch, and check that they agree.
//   4. A connection closed for good (while it waits out a backoff, after a
//      refused socket, while connecting) is garbage once the app drops it
//      (a WeakRef, in a child `node --expose-gc`), and the wasm holds none.
//
// Run: PKG_DIR=/path/to/pkg node --test tests/js/memory.test.mjs
// (default PKG_DIR: ../../pkg/ next to this file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import WebSocket from "ws";

import { startServer } from "./server.mjs";

const PKG_DIR = process.env.PKG_DIR ? path.resolve(process.env.PKG_DIR) : fileURLToPath(new URL("../../pkg/", import.meta.url));
const PKG_URL = pathToFileURL(path.join(PKG_DIR, "node.js")).href;
const pr = await import(PKG_URL);

const MiB = 1024 * 1024;
const BIG = 32 * MiB;
const DEBUG_MISSING =
  "pr.__debug is missing: the package must export __debug() -> { memoryBytes, connections } (read from the wasm memory) for the memory checks";

/** `pr.__debug()`, checked for shape; undefined when the export is missing. */
function debug() {
  if (typeof pr.__debug !== "function") return undefined;
  const d = pr.__debug();
  assert.ok(d !== null && typeof d === "object", `__debug() returned ${String(d)}`);
  assert.ok(Number.isSafeInteger(d.memoryBytes) && d.memoryBytes > 0, `__debug().memoryBytes is ${d.memoryBytes}`);
  assert.ok(Number.isSafeInteger(d.connections) && d.connections >= 0, `__debug().connections is ${d.connections}`);
  return d;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond, what, timeoutMs = 20_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A connection to the test server with its open/message/close events collected. */
function open(srv, profile, extra = {}) {
  const conn = pr.connect({
    profile,
    url: `${srv.url}/?profile=${encodeURIComponent(profile)}`,
    WebSocket,
    reconnect: false,
    queue: { maxMessages: 8, maxBytes: 80 * MiB },
    ...extra,
  });
  const got = { opens: 0, messages: [], finals: 0, errors: [] };
  conn.on("open", () => got.opens++);
  conn.on("message", (e) => got.messages.push(e.data));
  conn.on("close", (e) => {
    if (e.final) got.finals++;
  });
  conn.on("error", (e) => got.errors.push(e.message));
  return { conn, got };
}

/** A 32 MiB pattern; `offset` > 0 makes it a Uint8Array view into a larger buffer. */
function payload(seed, offset = 0) {
  const buf = new ArrayBuffer(BIG + offset + 13);
  const view = new Uint8Array(buf, offset, BIG);
  for (let i = 0; i < BIG; i += 4096) view[i] = (i / 4096 + seed) & 255;
  view[0] = seed;
  view[BIG - 1] = 255 - seed;
  return offset === 0 ? buf.slice(0, BIG) : view;
}
const bytesOf = (data) => (data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

function assertEcho(echo, sent, what) {
  assert.ok(echo instanceof ArrayBuffer, `${what}: the echo is binary (an ArrayBuffer), got ${Object.prototype.toString.call(echo)}`);
  assert.equal(echo.byteLength, BIG, `${what}: the server echoed ${echo.byteLength} bytes, ${BIG} sent`);
  assert.ok(bytesOf(echo).equals(bytesOf(sent)), `${what}: the echo differs from what was sent`);
}

async function closeAll(srv, conns, base) {
  for (const { conn } of conns) conn.close();
  await waitFor(() => conns.every(({ got }) => got.finals === 1), "the final close events");
  if (base !== undefined) await waitFor(() => debug().connections === base.connections, () => `__debug().connections back to ${base.connections}`);
  await srv.close();
}

// ---------------------------------------------------------------------------
test("32 MiB binary sends on an open connection leave wasm memory where it was", async () => {
  const srv = await startServer();
  pr.start();
  const base = debug();
  const c = open(srv, "mem-open");
  try {
    await waitFor(() => c.got.opens === 1, "the open");
    const sends = [
      ["ArrayBuffer", payload(1)],
      ["Uint8Array view (offset 7)", payload(2, 7)],
    ];
    const memory = [];
    for (const [kind, data] of sends) {
      const before = debug()?.memoryBytes;
      c.conn.send(data);
      const afterSend = debug()?.memoryBytes;
      const n = c.got.messages.length;
      await waitFor(() => c.got.messages.length > n, `the echo of the ${kind}`);
      assertEcho(c.got.messages[n], data, kind);
      const afterEcho = debug()?.memoryBytes;
      memory.push({ kind, before, afterSend, afterEcho });
    }
    assert.deepEqual(c.got.errors, [], "no error events");
    assert.ok(base !== undefined, DEBUG_MISSING);
    const grown = [];
    for (const m of memory) {
      if (m.afterSend !== m.before) grown.push(`${m.kind}: wasm memory ${m.before} -> ${m.afterSend} bytes by the send`);
      if (m.afterEcho !== m.before) grown.push(`${m.kind}: wasm memory ${m.before} -> ${m.afterEcho} bytes by the time the echo arrived`);
    }
    assert.deepEqual(grown, [], grown.join("; "));
  } finally {
    await closeAll(srv, [c], base);
  }
});

test("32 MiB binary sends queued while connecting, delivered after open, leave wasm memory where it was", async () => {
  const srv = await startServer();
  pr.start();
  const base = debug();
  const c = open(srv, "mem-queued");
  try {
    assert.equal(c.conn.state, "connecting");
    const sends = [payload(3), payload(4, 5)];
    const before = debug()?.memoryBytes;
    for (const data of sends) c.conn.send(data);
    const afterQueue = debug()?.memoryBytes;
    const info = c.conn.info();
    assert.equal(info.state, "connecting", "the sends were made before the socket opened");
    assert.equal(info.queued, 2, "both sends queued");
    assert.equal(info.queuedBytes, 2 * BIG, "queuedBytes");
    await waitFor(() => c.got.opens === 1, "the open");
    await waitFor(() => c.got.messages.length === 2, "both echoes");
    assertEcho(c.got.messages[0], sends[0], "the queued ArrayBuffer");
    assertEcho(c.got.messages[1], sends[1], "the queued Uint8Array view");
    assert.equal(c.conn.info().queued, 0, "the queue is empty after open");
    const afterEcho = debug()?.memoryBytes;
    assert.deepEqual(c.got.errors, [], "no error events");
    assert.ok(base !== undefined, DEBUG_MISSING);
    const grown = [];
    if (afterQueue !== before) grown.push(`wasm memory ${before} -> ${afterQueue} bytes by queueing 64 MiB`);
    if (afterEcho !== before) grown.push(`wasm memory ${before} -> ${afterEcho} bytes once the queued sends were delivered and echoed`);
    assert.deepEqual(grown, [], grown.join("; "));
  } finally {
    await closeAll(srv, [c], base);
  }
});

// ---------------------------------------------------------------------------
// Part 2 runs in a child process: `global.gc()` needs --expose-gc.
const CYCLES_SCRIPT = `
const pr = await import(process.env.PKG_URL);
const out = { debug: typeof pr.__debug === "function" };
const wasmBytes = () => (out.debug ? pr.__debug().memoryBytes : null);
const heap = () => {
  for (let k = 0; k < 4; k++) globalThis.gc();
  return process.memoryUsage().heapUsed;
};
function cycles(from, n) {
  for (let i = from; i < from + n; i++) {
    const name = "r" + i;
    pr.start(name);
    pr.register({ registry: name }, "p", { i });
    if (pr.whereis({ registry: name }, "p")?.i !== i) throw new Error("whereis missed in " + name);
    if (pr.stop(name) !== true) throw new Error("stop(" + name + ") was not true");
  }
}
out.registries0 = pr.registries();
cycles(0, 5000); // warm-up: first-time allocations do not count
out.heap0 = heap();
out.wasm0 = wasmBytes();
cycles(5000, 5000);
out.heap1 = heap();
out.wasm1 = wasmBytes();
out.registries1 = pr.registries();
console.log(JSON.stringify(out));
`;

function runNode(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test("5,000 start/register/stop cycles of fresh names leave the JS heap and wasm memory flat", async () => {
  const flags = ["--expose-gc", "--no-opt", "--no-sparkplug", "--no-maglev"];
  const r = await runNode([...flags, "--input-type=module", "-e", CYCLES_SCRIPT], { PKG_URL });
  assert.equal(r.code, 0, `the child failed (${r.signal ?? r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop());
  const pct = (a, b) => ((b - a) / a) * 100;
  const heapGrowth = pct(out.heap0, out.heap1);
  const problems = [];
  if (!(heapGrowth < 1)) problems.push(`JS heap grew ${heapGrowth.toFixed(2)}% (${out.heap0} -> ${out.heap1} bytes, ${((out.heap1 - out.heap0) / 5000).toFixed(0)} bytes per cycle)`);
  if (!out.debug) problems.push(DEBUG_MISSING);
  else {
    const wasmGrowth = pct(out.wasm0, out.wasm1);
    if (!(wasmGrowth < 1)) problems.push(`wasm memory grew ${wasmGrowth.toFixed(2)}% (${out.wasm0} -> ${out.wasm1} bytes)`);
  }
  if (JSON.stringify(out.registries1) !== JSON.stringify(out.registries0)) {
    problems.push(`registries() is ${JSON.stringify(out.registries1)}, was ${JSON.stringify(out.registries0)}`);
  }
  assert.deepEqual(problems, [], `after 5,000 warm-up cycles, 5,000 more: ${problems.join("; ")}`);
});

// A connection closed for good while it waits out a backoff (or at any other
// point of its life) is garbage once the app drops it: nothing of the
// package's keeps it.
const RELEASE_SCRIPT = `
const pr = await import(process.env.PKG_URL);
// A socket that is refused: its close comes a moment after it is made.
class Refused {
  constructor() {
    this.readyState = 0;
    setTimeout(() => { this.readyState = 3; this.onclose?.call(this, { type: "close", code: 1006, reason: "", wasClean: false, target: this }); }, 1);
  }
  close() {}
  send() {}
}
pr.start();
const refs = [];
const when = ["reconnecting", "open-less close", "connecting"];
for (const at of when) {
  await new Promise((resolve) => {
    const c = pr.connect({ profile: "release-" + at, url: "ws://127.0.0.1:9/", WebSocket: Refused, reconnect: { minDelayMs: 60000, maxDelayMs: 60000 } });
    c.on("close", (e) => { if (e.final) resolve(); else if (at === "open-less close") c.close(); });
    if (at === "reconnecting") c.on("reconnecting", (e) => { if (e.reason === "closed") c.close(); });
    if (at === "connecting") c.close();
    refs.push(new WeakRef(c));
  });
}
await new Promise((r) => setTimeout(r, 20));
for (let k = 0; k < 10; k++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
console.log(JSON.stringify({ kept: when.filter((_, i) => refs[i].deref() !== undefined), connections: pr.__debug().connections }));
`;

test("a connection closed while it waits out a backoff, or while connecting, is released", async () => {
  const r = await runNode(["--expose-gc", "--input-type=module", "-e", RELEASE_SCRIPT], { PKG_URL });
  assert.equal(r.code, 0, `the child failed (${r.signal ?? r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop());
  assert.deepEqual(out, { kept: [], connections: 0 }, "closed connections the app dropped are still held");
});

// ---------------------------------------------------------------------------
const PROFILES = [
  ...Array.from({ length: 12 }, (_, i) => `s${i}`),
  ...Array.from({ length: 8 }, (_, i) => i * 1000 + 1),
  true,
  false,
  "",
  ...Array.from({ length: 8 }, (_, i) => ["list", i]),
  [["nested", 1]],
];
const copy = (p) => (Array.isArray(p) ? p.map(copy) : p);

function outcome(f) {
  try {
    return { ok: true, v: f() };
  } catch (e) {
    return { ok: false, name: e?.name ?? String(e) };
  }
}
const showOutcome = (o) => (o.ok ? (o.v === undefined ? "undefined" : "a value") : `throws ${o.name}`);

for (const name of ["ProfileRegistry", "StopConsistency"]) {
  test(`during stop(${JSON.stringify(name)}) nothing returns a value whose handle is dead (${name === "ProfileRegistry" ? "the default registry" : "a named registry"})`, () => {
    const OTHER = "StopConsistencyOther";
    pr.stop(name);
    pr.stop(OTHER);
    pr.start(name);
    pr.start(OTHER);
    const cfg = name === "ProfileRegistry" ? undefined : { registry: name };
    const other = { registry: OTHER };

    const handles = new Map(); // JSON profile -> handle
    const valueOf = new Map(); // JSON profile -> value
    const handleOfValue = new Map(); // value -> handle
    for (const p of PROFILES) {
      const value = { profile: p };
      const h = pr.register(cfg, copy(p), value);
      handles.set(JSON.stringify(p), h);
      valueOf.set(JSON.stringify(p), value);
      handleOfValue.set(value, h);
    }
    pr.register(other, "anchor", { anchor: true });
    const boundBefore = pr.bind(cfg);
    const vias = PROFILES.map((p) => pr.via(cfg, p));

    // Problems grouped by where and what, with the profiles they were seen for.
    const problems = new Map();
    const problem = (place, what, key) => {
      const k = `[${place}] ${what}`;
      const seen = problems.get(k) ?? new Set();
      problems.set(k, seen.add(key));
    };
    const report = () =>
      [...problems].map(([k, keys]) => `${k} (${keys.size} profile(s): ${[...keys].slice(0, 4).join(", ")}${keys.size > 4 ? ", ..." : ""})`);
    const counts = { checks: 0, byPlace: {} };
    function checkAll(place) {
      counts.byPlace[place] = (counts.byPlace[place] ?? 0) + 1;
      PROFILES.forEach((p, i) => {
        const key = JSON.stringify(p);
        const h = handles.get(key);
        const mine = valueOf.get(key);
        const say = (msg) => problem(place, msg.replace(/ [0-9]+\.[0-9]+\.[0-9]+/g, " <handle>"), key);
        const alive = outcome(() => pr.isAlive(h));
        const got = outcome(() => pr.get(h));
        const w = outcome(() => pr.whereis(cfg, copy(p)));
        const l = outcome(() => pr.lookup(cfg, copy(p)));
        const forms = {
          "whereis(via)": outcome(() => pr.whereis(vias[i])),
          "bind (made before stop).whereis": outcome(() => boundBefore.whereis(copy(p))),
          "bind(cfg).whereis": outcome(() => pr.bind(cfg).whereis(copy(p))),
        };
        counts.checks++;
        if (!alive.ok) return say(`isAlive threw ${alive.name}`);
        if (!got.ok) return say(`get threw ${got.name}`);
        if (got.v !== undefined && got.v !== mine) say(`get(handle) returned another value`);
        if (got.v !== undefined && !alive.v) say(`get(handle) returned its value while isAlive(handle) is false`);
        if (alive.v && got.v === undefined) say(`isAlive(handle) is true but get(handle) is undefined`);
        // whereis agrees with lookup(...).value (or both throw the same error).
        const lv = l.ok ? { ok: true, v: l.v?.value } : l;
        if (showOutcome(w) !== showOutcome(lv) || (w.ok && w.v !== lv.v)) say(`whereis ${showOutcome(w)} but lookup ${showOutcome(l)}`);
        if (l.ok && l.v !== undefined) {
          if (l.v.handle !== h) say(`lookup returned the handle ${l.v.handle}, registered ${h}`);
          if (!alive.v) say(`lookup returned an entry while isAlive(its handle) is false`);
        }
        for (const [form, o] of Object.entries({ whereis: w, ...forms })) {
          if (!o.ok || o.v === undefined) continue;
          if (o.v !== mine) say(`${form} returned another value`);
          const vh = handleOfValue.get(o.v);
          const live = vh !== undefined && pr.isAlive(vh);
          if (!live) say(`${form} returned a value whose handle ${vh} is dead`);
        }
        for (const [form, o] of Object.entries(forms)) {
          if (form === "bind(cfg).whereis" && !o.ok && o.name === "RegistryNotStartedError" && !w.ok) continue;
          if (showOutcome(o) !== showOutcome(w) || (o.ok && o.v !== w.v)) say(`${form} ${showOutcome(o)} but whereis ${showOutcome(w)}`);
        }
        // dispatch: fn(value, handle) only with a live handle, as lookup says.
        let args;
        const d = outcome(() => pr.dispatch(cfg, copy(p), (v, hh) => ((args = [v, hh]), "called")));
        if (args) {
          if (args[0] !== mine || args[1] !== h) say(`dispatch called fn with another value or handle ${args[1]}`);
          if (!outcome(() => pr.isAlive(args[1])).v) say(`dispatch called fn with the dead handle ${args[1]}`);
        }
        const dl = l.ok ? { ok: true, v: l.v === undefined ? undefined : "called" } : l;
        if (showOutcome(d) !== showOutcome(dl)) say(`dispatch ${showOutcome(d)} but lookup ${showOutcome(l)}`);
      });
    }

    let unregisters = 0;
    let tick = 0;
    const offOther = pr.subscribe(other, (e) => {
      if (e.profile === "tick") checkAll("second registry's listener");
    });
    pr.subscribe(cfg, (e) => {
      if (e.type !== "unregister") return;
      unregisters++;
      const key = JSON.stringify(e.profile);
      if (pr.isAlive(e.handle)) problem("listener", "the unregister event carries a live handle", key);
      const w = outcome(() => pr.whereis(cfg, copy(e.profile)));
      if (w.ok && w.v !== undefined) problem("listener", "whereis of the profile just unregistered returned a value", key);
      checkAll("listener");
      // The second registry's listener runs at once (nested), so it sees the same instant.
      pr.register(other, "tick", ++tick);
      pr.unregister(other, "tick");
      const d = outcome(() => pr.dispatch(other, "anchor", () => (checkAll("dispatch on another registry"), "ran")));
      if (!d.ok || d.v !== "ran") problem("listener", `dispatch on ${OTHER} gave ${showOutcome(d)}`, key);
    });

    assert.equal(pr.stop(name), true);
    offOther();

    assert.equal(unregisters, PROFILES.length, "one unregister event per entry");
    assert.deepEqual(counts.byPlace, {
      listener: PROFILES.length,
      "second registry's listener": PROFILES.length * 2,
      "dispatch on another registry": PROFILES.length,
    });
    assert.deepEqual(report(), [], `inconsistent answers during stop(${JSON.stringify(name)}):\n${report().join("\n")}`);
    // After the stop: every handle dead, every lookup an error.
    for (const p of PROFILES) {
      const h = handles.get(JSON.stringify(p));
      assert.equal(pr.isAlive(h), false);
      assert.equal(pr.get(h), undefined);
      assert.throws(() => pr.whereis(cfg, copy(p)), { name: "RegistryNotStartedError" });
      assert.throws(() => pr.lookup(cfg, copy(p)), { name: "RegistryNotStartedError" });
      assert.throws(() => boundBefore.whereis(copy(p)), { name: "RegistryNotStartedError" });
    }
    assert.deepEqual(pr.keys(other), ["anchor"]);
    pr.stop(OTHER);
  });
}
