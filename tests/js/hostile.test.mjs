// The contract of the package's JS boundary under hostile input:
//   1. no raw JS exception escapes and the module never dies, whatever value
//      is passed in whatever argument position (a generated table: every
//      export and Connection member x argument position x hostile value);
//   2. the same, each hostile class 10,000 times in a loop;
//   3. every config, via and option object is read at most once per key per
//      call (and connect registers under the profile it reports);
//   4. connect rejects unknown option keys, naming them and the known ones;
//   5. profiles are bounded in total (64 KiB canonical), rejected quickly;
//   6. registry and module names must be well-formed UTF-16.
// (Before init: uninit.test.mjs, in its own process.)
//
// Cases 1 and 2 run in worker threads, one group (an export and one of its
// argument positions) or stress class per worker, each with its own copy of
// the package: a group that kills the wasm fails case by case without taking
// the other groups with it. The table and the case runner are in
// hostile-cases.mjs (allowed errors, and the only places a plain TypeError
// is accepted, are documented at `checkThrown`), the stress classes in
// hostile-stress.mjs.
//
// The package is PKG_DIR (default ../../pkg/ from this file), so the tests
// can run against a copy while pkg/ is rebuilt:
//   PKG_DIR=/tmp/pkg-snapshot node --test tests/js/hostile.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

import { ALLOWED_NAMES, FakeWebSocket, WS_URL, buildCases } from "./hostile-cases.mjs";
import { ITERATIONS, STRESS } from "./hostile-stress.mjs";

const PKG = process.env.PKG_DIR
  ? pathToFileURL(path.resolve(process.env.PKG_DIR) + path.sep)
  : new URL("../../pkg/", import.meta.url);
const pr = await import(new URL("node.js", PKG).href);

// ---------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------

const WORKER = new URL("./hostile-worker.mjs", import.meta.url);
const PARALLEL = Math.max(1, Math.min(4, (os.availableParallelism?.() ?? os.cpus().length)));

/**
 * Runs each job in its own worker (PARALLEL at a time); returns
 * [{ job, messages, error }]. `requeue(slot)` may return a job to run in a
 * fresh worker after this one (the groups a broken module did not run).
 */
async function runJobs(jobs, { timeoutMs = 60_000, requeue = () => null } = {}) {
  const out = jobs.map((job) => ({ job, messages: [], error: null }));
  let next = 0;
  async function lane() {
    while (next < out.length) {
      const slot = out[next++];
      await new Promise((resolve) => {
        const w = new Worker(WORKER, { workerData: { pkg: PKG.href, ...slot.job }, stdout: true, stderr: true });
        let done = false;
        let stderr = "";
        w.stdout.resume(); // the package's console.error reports, say: not TAP
        w.stderr.on("data", (d) => { stderr = (stderr + d).slice(-2000); });
        const finish = (error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (error) slot.error = error;
          w.terminate().then(resolve, resolve);
        };
        const timer = setTimeout(() => finish(`the worker timed out after ${timeoutMs} ms`), timeoutMs);
        w.on("message", (m) => (m.type === "done" ? finish(null) : slot.messages.push(m)));
        w.on("error", (e) => finish(`the worker died: ${e?.constructor?.name}: ${e?.message} ${stderr}`));
        w.on("exit", (code) => finish(`the worker exited (code ${code}) before it finished ${stderr}`));
      });
      const more = requeue(slot);
      if (more) out.push({ job: more, messages: [], error: null });
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return out;
}

// ---------------------------------------------------------------------------
// 1. The hostile table
// ---------------------------------------------------------------------------

test("1. every export and Connection member x argument position x hostile value", async (t) => {
  const cases = buildCases();
  const groups = [...new Set(cases.map((c) => c.group))];
  console.log(`hostile table: ${cases.length} cases in ${groups.length} groups (export x argument position)`);
  // Workers of consecutive groups, about BATCH cases each: few enough
  // workers to start quickly, few enough cases that what one case leaks
  // does not add up to another's failure. After a group that broke its
  // module (or killed its worker), the groups not run yet go to a fresh one.
  const BATCH = 400;
  const jobs = [];
  for (const group of groups) {
    const n = cases.filter((c) => c.group === group).length;
    const last = jobs.at(-1);
    if (last && last.n + n <= BATCH) (last.groups.push(group), (last.n += n));
    else jobs.push({ kind: "cases", groups: [group], n });
  }
  const groupError = new Map();
  const requeue = (slot) => {
    const started = slot.messages.filter((m) => m.type === "group").length;
    if (slot.error) {
      // the group in flight takes the blame (all of them if none had started)
      for (const g of started ? [slot.job.groups[started - 1]] : slot.job.groups) groupError.set(g, slot.error);
      if (!started) return null;
    } else if (!slot.messages.some((m) => m.type === "died")) return null;
    const rest = slot.job.groups.slice(started);
    return rest.length ? { kind: "cases", groups: rest } : null;
  };
  const t0 = performance.now();
  const runs = await runJobs(jobs, { requeue });
  console.log(`hostile table: ran in ${Math.round(performance.now() - t0)} ms in ${runs.length} workers`);
  const results = new Map();
  for (const r of runs) for (const m of r.messages) if (m.type === "result") results.set(m.index, m);
  for (const group of groups) {
    await t.test(group, async (tg) => {
      for (const c of cases.filter((x) => x.group === group)) {
        await tg.test(c.name, () => {
          const r = results.get(c.index);
          assert.ok(r, `no result: ${groupError.get(group) ?? "the worker sent none"}`);
          const told = r.problems.some((p) => p.startsWith("threw") || p.includes("raw:"));
          assert.ok(r.ok, `${r.problems.join("; ")}${r.outcome && !told ? ` [the call ${r.outcome}]` : ""}`);
        });
      }
    });
  }
});

// ---------------------------------------------------------------------------
// 2. Stress
// ---------------------------------------------------------------------------

test(`2. each hostile class, each call shape ${ITERATIONS} times, and the module still works`, async (t) => {
  const t0 = performance.now();
  const runs = await runJobs(STRESS.map((s) => ({ kind: "stress", name: s.name })), { timeoutMs: 120_000 });
  console.log(`stress: ran in ${Math.round(performance.now() - t0)} ms`);
  for (const r of runs) {
    await t.test(`stress: ${r.job.name}`, () => {
      const m = r.messages.find((x) => x.type === "stress");
      assert.ok(m, `no result: ${r.error ?? "the worker sent none"}`);
      console.log(`stress: ${r.job.name}: ${m.calls} hostile calls in ${m.ms} ms`);
      assert.ok(m.ok, `${m.problems.join("; ")} (${m.calls} hostile calls, ${m.ms} ms)`);
    });
  }
});

// ---------------------------------------------------------------------------
// Helpers for 3-6 (in this thread's copy of the package)
// ---------------------------------------------------------------------------

pr.start();
for (const name of ["ReadOnce", "Options", "Bounds", "Names"]) pr.start(name);

/** The error `f` throws (fails if it returns). */
function thrown(f, what) {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail(`${what}: expected an error, but it returned`);
}

function assertError(e, name, what) {
  assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
  assert.equal(e.name, name, `${what}: threw ${e.name}: ${e.message}`);
}

const state = (registry) => ({ count: pr.count({ registry }), keys: pr.keys({ registry }).map((k) => JSON.stringify(k)).sort() });

const closeAll = (conns) => { for (const c of conns) { try { c.close(); } catch { /* reported by the test that made it */ } } };

// ---------------------------------------------------------------------------
// 3. Read once
// ---------------------------------------------------------------------------

const NESTED = new Set(["registry", "reconnect", "queue"]);
const isPlain = (v) => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;

/**
 * `source` (and its nested registry / reconnect / queue objects) as an object
 * that counts reads per key into `counts` ("registry.name" for nested ones):
 * a Proxy (`get` trap), or a plain object of getters.
 */
function instrument(source, counts, mode, prefix = "") {
  const copy = {};
  for (const [k, v] of Object.entries(source)) copy[k] = NESTED.has(k) && isPlain(v) ? instrument(v, counts, mode, `${prefix}${k}.`) : v;
  const bump = (k) => { const key = prefix + String(k); counts[key] = (counts[key] ?? 0) + 1; };
  if (mode === "Proxy") {
    return new Proxy(copy, { get(target, k, receiver) { bump(k); return Reflect.get(target, k, receiver); } });
  }
  const o = {};
  for (const k of Object.keys(copy)) Object.defineProperty(o, k, { get() { bump(k); return copy[k]; }, enumerable: true });
  return o;
}

const module = () => {
  const m = new Map();
  return {
    register(name, k, v) { const key = name + JSON.stringify(k); if (m.has(key)) return false; m.set(key, v); return true; },
    lookup(name, k) { return m.get(name + JSON.stringify(k)); },
    unregister(name, k) { m.delete(name + JSON.stringify(k)); },
  };
};

// [label, config source, (instrumented config) => call, cleanup?]
const R = "ReadOnce";
const held = { held: true };
pr.register({ registry: R }, "held", held);
pr.register({ registry: R }, ["held", 1], held);
const READ_ONCE = [
  ["resolve({ registry })", { registry: R }, (c) => pr.resolve(c)],
  ["resolve({ registry: { module, name } })", { registry: { module: "Registry", name: R } }, (c) => pr.resolve(c)],
  ["resolve(via)", { via: "Registry", name: R, profile: "held" }, (c) => pr.resolve(c)],
  ["via({ registry }, profile)", { registry: R }, (c) => pr.via(c, "held")],
  ["via({ registry, profile })", { registry: R, profile: "held" }, (c) => pr.via(c)],
  ["whereis({ registry }, scalar) hit", { registry: R }, (c) => pr.whereis(c, "held")],
  ["whereis({ registry }, scalar) miss", { registry: R }, (c) => pr.whereis(c, "absent")],
  ["whereis({ registry }, list)", { registry: R }, (c) => pr.whereis(c, ["held", 1])],
  ["whereis({ registry, profile })", { registry: R, profile: "held" }, (c) => pr.whereis(c)],
  ["whereis({ registry, profile }, profile)", { registry: R, profile: "held" }, (c) => pr.whereis(c, "held")],
  ["whereis(via)", { via: "Registry", name: R, profile: "held" }, (c) => pr.whereis(c)],
  ["whereis(via of a list profile)", { via: "Registry", name: R, profile: ["held", 1] }, (c) => pr.whereis(c)],
  ["whereis({ registry: { module, name } }, profile)", { registry: { module: "Registry", name: R } }, (c) => pr.whereis(c, "held")],
  ["whereis({ registry: { module: object, name } }, profile)", { registry: { module: module(), name: "M" } }, (c) => pr.whereis(c, "held")],
  ["whereis({ registry: not started }, profile)", { registry: "NeverStarted" }, (c) => pr.whereis(c, "held")],
  ["bind({ registry })", { registry: R }, (c) => pr.bind(c)],
  ["bind({ registry: { module: object, name } }).whereis", { registry: { module: module(), name: "M" } }, (c) => pr.bind(c).whereis("held")],
  ["lookup({ registry }, profile)", { registry: R }, (c) => pr.lookup(c, "held")],
  ["lookup(via)", { via: "Registry", name: R, profile: "held" }, (c) => pr.lookup(c)],
  ["register({ registry }, profile, value)", { registry: R }, (c) => pr.register(c, "fresh", 1), () => pr.unregister({ registry: R }, "fresh")],
  ["register(via, value)", { via: "Registry", name: R, profile: "fresh" }, (c) => pr.register(c, 1), () => pr.unregister({ registry: R }, "fresh")],
  ["register({ registry, profile }, value)", { registry: R, profile: ["fresh", 2] }, (c) => pr.register(c, 1), () => pr.unregister({ registry: R }, ["fresh", 2])],
  ["register(via, value) when held (AlreadyRegisteredError)", { via: "Registry", name: R, profile: "held" }, (c) => pr.register(c, 1)],
  ["register({ registry: { module: object, name } }, profile, value)", { registry: { module: module(), name: "M" } }, (c) => pr.register(c, "fresh", 1)],
  ["unregister({ registry }, profile)", { registry: R }, (c) => pr.unregister(c, "absent")],
  ["unregister(via)", { via: "Registry", name: R, profile: "absent" }, (c) => pr.unregister(c)],
  ["keys({ registry })", { registry: R }, (c) => pr.keys(c)],
  ["count({ registry })", { registry: R }, (c) => pr.count(c)],
  ["count({ registry: { module, name } })", { registry: { module: "Registry", name: R } }, (c) => pr.count(c)],
  ["updateValue({ registry }, profile, fn)", { registry: R }, (c) => pr.updateValue(c, "held", (v) => v)],
  ["updateValue(via, fn)", { via: "Registry", name: R, profile: "held" }, (c) => pr.updateValue(c, (v) => v)],
  ["dispatch({ registry }, profile, fn)", { registry: R }, (c) => pr.dispatch(c, "held", () => 1)],
  ["dispatch(via, fn)", { via: "Registry", name: R, profile: "held" }, (c) => pr.dispatch(c, () => 1)],
  ["subscribe({ registry }, listener)", { registry: R }, (c) => pr.subscribe(c, () => {}), (off) => off()],
  ["connect(config) with registry, reconnect and queue objects", {
    profile: ["ro", 1], url: WS_URL, WebSocket: FakeWebSocket, registry: { module: "Registry", name: R }, protocols: ["chat"],
    onDuplicate: "error", reconnect: { minDelayMs: 10, maxDelayMs: 100, factor: 2, jitter: 0.1, maxRetries: 3 },
    queue: { maxMessages: 10, maxBytes: 1000 }, connectTimeoutMs: 1000,
  }, (c) => pr.connect(c), (conn) => conn.close()],
  ["connect(config) when held (AlreadyRegisteredError)", { profile: "held", url: WS_URL, WebSocket: FakeWebSocket, registry: R }, (c) => pr.connect(c)],
  ["connect(config) with onDuplicate \"existing\"", { profile: "held", url: WS_URL, WebSocket: FakeWebSocket, registry: R, onDuplicate: "existing" }, (c) => pr.connect(c)],
];

test("3. read once: every config, via and option object is read at most once per key per call", async (t) => {
  for (const mode of ["Proxy", "getters"]) {
    for (const [label, source, call, cleanup] of READ_ONCE) {
      await t.test(`${label} (${mode === "Proxy" ? "a counting Proxy" : "defineProperty getters"})`, async () => {
        const before = state(R);
        const counts = Object.create(null);
        const config = instrument(source, counts, mode);
        let result, error;
        try {
          result = call(config);
        } catch (e) {
          error = e;
        }
        try {
          if (!error) cleanup?.(result);
        } finally {
          await new Promise((r) => setImmediate(r));
        }
        if (error) assert.ok(ALLOWED_NAMES.has(error?.name), `threw ${error?.name}: ${error?.message}`);
        const twice = Object.entries(counts).filter(([, n]) => n > 1);
        assert.deepEqual(twice.map(([k, n]) => `${k} read ${n} times`), [], `reads per key: ${JSON.stringify(counts)}`);
        assert.deepEqual(state(R), before, "the registry is as before");
      });
    }
  }

  await t.test("connect: a profile getter returning a new value on each read registers under conn.profile", async () => {
    const before = state(pr.DEFAULT_NAME);
    let n = 0;
    const conn = pr.connect({ get profile() { return `rotating-${n++}`; }, url: WS_URL, WebSocket: FakeWebSocket, reconnect: false });
    try {
      // What whereis answers for every value the getter handed out, and which keys were added.
      const found = Object.fromEntries(Array.from({ length: n }, (_, i) => `rotating-${i}`).map((k) => [k, pr.whereis({}, k) === conn ? "the connection" : pr.whereis({}, k)]));
      const added = state(pr.DEFAULT_NAME).keys.filter((k) => !before.keys.includes(k));
      assert.deepEqual(
        { found, added },
        { found: Object.fromEntries(Object.keys(found).map((k) => [k, k === conn.profile ? "the connection" : undefined])), added: [JSON.stringify(conn.profile)] },
        `conn.profile is ${JSON.stringify(conn.profile)}; the getter ran ${n} times`,
      );
    } finally {
      closeAll([conn]);
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(state(pr.DEFAULT_NAME), before, "closing released it");
  });

  await t.test("register: a profile getter returning a new value on each read registers under the handle's profile", () => {
    const before = state(R);
    let n = 0;
    const config = { registry: R, get profile() { return `rotating-${n++}`; } };
    let h;
    try {
      h = pr.register(config, 1);
      const p = pr.profileOf(h);
      const found = Object.fromEntries(Array.from({ length: n }, (_, i) => `rotating-${i}`).map((k) => [k, pr.whereis({ registry: R }, k)]));
      assert.deepEqual(
        { found, count: state(R).count },
        { found: Object.fromEntries(Object.keys(found).map((k) => [k, k === p ? 1 : undefined])), count: before.count + 1 },
        `the handle's profile is ${JSON.stringify(p)}; the getter ran ${n} times`,
      );
    } finally {
      for (const k of pr.keys({ registry: R })) if (!before.keys.includes(JSON.stringify(k))) pr.unregister({ registry: R }, k);
    }
  });
});

// ---------------------------------------------------------------------------
// 4. Unknown options
// ---------------------------------------------------------------------------

const CONNECT_KEYS = ["profile", "url", "protocols", "registry", "onDuplicate", "WebSocket", "reconnect", "queue", "connectTimeoutMs"];
const UNKNOWN = [
  ["reconnect: { minDelay: 10 }", { reconnect: { minDelay: 10 } }, "minDelay", ["minDelayMs", "maxDelayMs", "factor", "jitter", "maxRetries"]],
  ["reconnect: { minDelayMs: 10, retries: 3 }", { reconnect: { minDelayMs: 10, retries: 3 } }, "retries", ["minDelayMs", "maxDelayMs", "factor", "jitter", "maxRetries"]],
  ["queue: { max: 1 }", { queue: { max: 1 } }, "max", ["maxMessages", "maxBytes"]],
  ["queue: { maxMessages: 1, bytes: 10 }", { queue: { maxMessages: 1, bytes: 10 } }, "bytes", ["maxMessages", "maxBytes"]],
  ["a top-level onDuplicates", { onDuplicates: "replace" }, "onDuplicates", CONNECT_KEYS],
  ["a top-level timeoutMs", { timeoutMs: 5 }, "timeoutMs", CONNECT_KEYS],
];

test("4. connect rejects unknown option keys, naming them and the known ones", async (t) => {
  for (const [label, extra, unknown, known] of UNKNOWN) {
    await t.test(`connect({ ..., ${label} })`, () => {
      const before = state("Options");
      const lastSocket = FakeWebSocket.last;
      const profile = ["options", label];
      let conn;
      const e = thrown(() => { conn = pr.connect({ profile, url: WS_URL, WebSocket: FakeWebSocket, registry: "Options", ...extra }); }, label);
      if (conn) closeAll([conn]);
      assertError(e, "InvalidConfigError", label);
      const word = (k) => new RegExp(`(^|[^A-Za-z0-9_$])${k.replace(/\$/g, "\\$")}([^A-Za-z0-9_$]|$)`);
      assert.match(e.message, word(unknown), `the message names ${unknown}: ${e.message}`);
      for (const k of known) assert.match(e.message, word(k), `the message lists the known key ${k}: ${e.message}`);
      assert.deepEqual(state("Options"), before, "nothing was registered");
      assert.equal(pr.whereis({ registry: "Options" }, profile), undefined);
      assert.equal(FakeWebSocket.last, lastSocket, "no socket was made");
    });
  }
});

// ---------------------------------------------------------------------------
// 5. Profiles are bounded in total
// ---------------------------------------------------------------------------

const LIMIT = 65_536;
const KIB = "a".repeat(1024);

/** The canonical (JSON) size of a profile in UTF-8 bytes, sharing the work for shared sub-arrays. */
function canonicalBytes(p, memo = new Map()) {
  if (!Array.isArray(p)) return Buffer.byteLength(JSON.stringify(p));
  if (memo.has(p)) return memo.get(p);
  let n = 2 + Math.max(0, p.length - 1);
  for (const x of p) n += canonicalBytes(x, memo);
  memo.set(p, n);
  return n;
}

const fill = (n, v) => Array.from({ length: n }, () => v);
const TOO_BIG = [
  ["[16][64][64] arrays of 1 KiB strings", () => fill(16, fill(64, fill(64, KIB)))],
  ["4 levels of 64 (64 ** 4 integers)", () => fill(64, fill(64, fill(64, fill(64, 0))))],
  ["64 strings of 1024 bytes", () => fill(64, KIB)],
  ["64 strings of 341 three-byte characters (22 K UTF-16 units, 65,665 UTF-8 bytes)", () => fill(64, "€".repeat(341))],
  ["[64][64] of 16-character strings", () => fill(64, fill(64, "b".repeat(16)))],
];
const MAX_MS = 50; // the bound is 10 ms; 50 allowed for a slow machine

test("5. a profile over 64 KiB canonical is an InvalidProfileError, quickly, whatever its shape", async (t) => {
  for (const [label, make] of TOO_BIG) {
    const p = make();
    const bytes = canonicalBytes(p);
    for (const [fn, call] of [
      ["checkProfile", () => pr.checkProfile(p)],
      ["whereis", () => pr.whereis({ registry: "Bounds" }, p)],
      ["register", () => pr.register({ registry: "Bounds" }, p, 1)],
    ]) {
      await t.test(`${fn}: ${label} (${bytes.toLocaleString("en")} bytes)`, () => {
        assert.ok(bytes > LIMIT, `the test's profile is over the bound: ${bytes}`);
        const before = state("Bounds");
        const t0 = performance.now();
        let e;
        try {
          call();
        } catch (err) {
          e = err;
        }
        const ms = performance.now() - t0;
        console.log(`${fn}(${label}): ${ms.toFixed(2)} ms`);
        if (!e) {
          try { pr.unregister({ registry: "Bounds" }, p); } catch { /* the assertion below reports it */ }
          assert.fail(`${fn} accepted a profile of ${bytes} bytes (${ms.toFixed(1)} ms)`);
        }
        assertError(e, "InvalidProfileError", label);
        assert.ok(ms < MAX_MS, `took ${ms.toFixed(1)} ms (bound 10 ms, ${MAX_MS} allowed)`);
        assert.deepEqual(state("Bounds"), before, "the registry is as before");
      });
    }
  }

  await t.test("just under the bound: 60 strings of 1000 ASCII characters round-trip", () => {
    const p = Array.from({ length: 60 }, (_, i) => String(i).padStart(1000, "z"));
    const bytes = canonicalBytes(p);
    assert.ok(bytes < LIMIT && bytes > 60_000, `${bytes} bytes`);
    assert.equal(bytes, Buffer.byteLength(JSON.stringify(p)));
    const before = state("Bounds");
    const value = { big: true };
    const t0 = performance.now();
    const h = pr.register({ registry: "Bounds" }, p, value);
    console.log(`register(60 x 1000 characters, ${bytes} bytes): ${(performance.now() - t0).toFixed(2)} ms`);
    try {
      assert.deepEqual(pr.checkProfile(p), p);
      assert.equal(pr.whereis({ registry: "Bounds" }, [...p]), value, "found with a fresh array");
      assert.deepEqual(pr.profileOf(h), p);
      assert.deepEqual(pr.keys({ registry: "Bounds" }).filter((k) => Array.isArray(k) && k.length === 60), [p]);
    } finally {
      pr.unregister({ registry: "Bounds" }, p);
    }
    assert.equal(pr.whereis({ registry: "Bounds" }, p), undefined);
    assert.deepEqual(state("Bounds"), before);
  });
});

// ---------------------------------------------------------------------------
// 6. Names
// ---------------------------------------------------------------------------

const NAMES = [
  ["start(\"\\ud800\")", () => pr.start("\ud800"), () => { try { pr.stop("\ud800"); } catch { /* refused: fine */ } }],
  ["start(\"\\udc00\")", () => pr.start("\udc00"), () => { try { pr.stop("\udc00"); } catch { /* refused: fine */ } }],
  ["start(\"a\\udc00b\")", () => pr.start("a\udc00b"), () => { try { pr.stop("a\udc00b"); } catch { /* refused: fine */ } }],
  ["register({ registry: \"\\udc00\" }, \"p\", 1)", () => pr.register({ registry: "\udc00" }, "p", 1), () => { try { pr.unregister({ registry: "\udc00" }, "p"); } catch { /* refused: fine */ } }],
  ["whereis({ registry: { module: \"\\ud800\", name: \"x\" } }, \"p\")", () => pr.whereis({ registry: { module: "\ud800", name: "x" } }, "p")],
  ["whereis({ registry: { module: \"Registry\", name: \"\\ud800\" } }, \"p\")", () => pr.whereis({ registry: { module: "Registry", name: "\ud800" } }, "p")],
  ["whereis(via with name \"\\ud800\")", () => pr.whereis({ via: "Registry", name: "\ud800", profile: "p" })],
  ["plugModule(\"\\ud800\", module)", () => pr.plugModule("\ud800", module()), () => { try { pr.unplugModule("\ud800"); } catch { /* refused: fine */ } }],
];

test("6. registry and module names must be well-formed UTF-16", async (t) => {
  for (const [label, call, undo] of NAMES) {
    await t.test(`${label} throws InvalidConfigError`, () => {
      const before = pr.registries().sort();
      let e;
      try {
        call();
      } catch (err) {
        e = err;
      }
      if (!e) undo?.();
      assert.ok(e, `${label} succeeded`);
      assertError(e, "InvalidConfigError", label);
      assert.deepEqual(pr.registries().sort(), before, "no registry was started");
    });
  }

  await t.test("start(\"\\ud800\") and start(\"\\udc00\") never reach the same registry", () => {
    const before = pr.registries();
    const started = [];
    for (const name of ["\ud800", "\udc00"]) {
      try {
        pr.start(name);
        started.push(name);
      } catch (e) {
        assertError(e, "InvalidConfigError", `start(${JSON.stringify(name)})`);
      }
    }
    try {
      const gained = pr.registries().filter((n) => !before.includes(n));
      assert.equal(gained.length, started.length, `${started.length} start(...) calls succeeded, ${gained.length} registries appeared: ${JSON.stringify(gained)}`);
      if (started.length === 2) {
        pr.register({ registry: "\ud800" }, "p", 1);
        assert.equal(pr.whereis({ registry: "\udc00" }, "p"), undefined, "an entry of \\ud800 is visible in \\udc00");
      }
    } finally {
      for (const name of started) pr.stop(name);
    }
  });
});
