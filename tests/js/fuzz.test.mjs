// Property-based fuzz of the package's registry API (fast-check) against a
// plain-JS model: one Map per running registry instance, keyed by
// JSON.stringify of the profile (so "1", 1, true and ["1"] are four keys,
// and -0 is 0, as the registry normalises it).
//
// Each fast-check run resets the pool registries, then executes a list of
// generated operations: start/stop (the default "ProfileRegistry" and three
// others), register (3-argument form, via, config with its own profile),
// unregister, whereis (config, via, config's own profile, bind(config)
// fresh or cached), lookup, keys, count, updateValue (including a throwing
// function and one returning undefined: both change nothing), dispatch,
// get/isAlive/profileOf with live, stale, forged and earlier runs' handles,
// registries(), subscribe/unsubscribe. Profiles come from a small pool, so
// collisions (AlreadyRegisteredError) are frequent. Some listeners carry a
// script: on some events they run operations themselves (register,
// unregister, whereis, start, stop, subscribe, ...), checked against the
// model and applied to it in the same way; a budget per top-level operation
// bounds the re-entrancy.
//
// Checked: every return value and thrown error name (with the error's
// details: .handle/.existing of AlreadyRegisteredError, .registry and the
// start("...") hint of RegistryNotStartedError) against the model at the
// instant of the call; after every top-level operation, whereis agrees with
// lookup(...).value for every touched profile, count/keys agree, handles of
// removed entries are dead (isAlive false, get and profileOf undefined), and
// every listener received, in order and exactly once, the changes of its
// registry (type, registry, profile, handle, value) from its subscription to
// its unsubscribe or the registry's stop. A listener subscribed or
// unsubscribed from inside a listener may start or end anywhere among the
// changes made during that top-level operation; nothing may arrive after
// unsubscribe() has returned. A stop's unregister events may come in any
// order among themselves. Every 64 operations and at the end of a run, a full
// sweep checks every registry, profile and handle of the run.
//
// The model's stop: the registry is stopped as soon as stop(name) is called
// (the core removes the name first, then unregisters each entry), so while
// its unregister events are delivered every call on that name answers
// RegistryNotStartedError and every handle of it is dead; start(name) there
// starts a new, empty instance.
//
// Seeded: FUZZ_SEED=<int> or a random seed, printed first. A failure shows
// fast-check's counterexample (shrunk) and the last operations before the
// failed check. Reproduce with
//   FUZZ_SEED=<seed> node --test tests/js/fuzz.test.mjs
// (add FUZZ_PATH=<path from the report> to replay the shrunk case only).
// The package is read from PKG_DIR (default ../../pkg/ next to this file).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import fc from "fast-check";

const PKG_DIR = process.env.PKG_DIR ? path.resolve(process.env.PKG_DIR) : fileURLToPath(new URL("../../pkg/", import.meta.url));
const pr = await import(pathToFileURL(path.join(PKG_DIR, "node.js")).href);

function seedFromEnv() {
  const s = process.env.FUZZ_SEED;
  if (s === undefined || s === "") return (Math.random() * 2 ** 31) | 0;
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(s)}`);
  return n;
}
const SEED = seedFromEnv();
const REPLAY_PATH = process.env.FUZZ_PATH || undefined;
const MIN_OPS = 100_000; // API operations (top-level and from listeners) over the runs
const MAX_ACTIONS = 1500; // top-level operations per run, at most
const TIME_LIMIT_MS = 55_000; // also bounds shrinking
console.log(`fuzz: seed ${SEED} (reproduce: FUZZ_SEED=${SEED} node --test tests/js/fuzz.test.mjs), package ${PKG_DIR}`);

// ---------------------------------------------------------------------------
// The pools
// ---------------------------------------------------------------------------

const DEFAULT = "ProfileRegistry";
const NAMES = [DEFAULT, "Fz1", "Fz2", "Fz3"];
const POOL = [
  "1", 1, true, ["1"], "a", "", 0, -0, false, [], [1], [true], ["a", 1], [["1"]], [1, "1"],
  DEFAULT, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, "é😀",
];
const KEYS = POOL.map((p) => JSON.stringify(p));
const DISTINCT = [...new Set(KEYS)].map((k) => KEYS.indexOf(k)); // a pool index per distinct key
const fresh = (p) => (Array.isArray(p) ? p.map(fresh) : p); // a list profile as a new array every time

// Values: fresh objects (identity), and primitives that a fast path might
// confuse with "none" (null, 0, false, "", NaN, -0). Index 9 is undefined,
// which register refuses.
const UNDEFINED_VALUE = 9;
function makeValue(i, run) {
  switch (i) {
    case 0: case 1: case 2: return { v: ++run.seq };
    case 3: return null;
    case 4: return 0;
    case 5: return false;
    case 6: return "";
    case 7: return Number.NaN;
    case 8: return -0;
    default: return undefined;
  }
}

// The registry part of a config, in every form that names the registry.
function regCfg(n, g) {
  const name = NAMES[n];
  if (n === 0) return [undefined, {}, { registry: name }, { registry: { name } }, { registry: { module: "Registry", name } }][g % 5];
  return [{ registry: name }, { registry: { name } }, { registry: { module: "Registry", name } }][g % 3];
}
const withProfile = (n, g, p) => ({ ...(regCfg(n, g) ?? {}), profile: p });

// ---------------------------------------------------------------------------
// Actions (plain data, so fast-check can shrink and print them)
// ---------------------------------------------------------------------------

const NAME = fc.nat({ max: NAMES.length - 1 });
const FORM = fc.nat({ max: 59 }); // a registry config form, read modulo the number of forms
const PROF = fc.nat({ max: POOL.length - 1 });

function describe(a) {
  const reg = `${NAMES[a.n]}/g${a.g}`;
  const p = a.p === undefined ? "" : ` ${JSON.stringify(POOL[a.p])}${Object.is(POOL[a.p], -0) ? "(-0)" : ""}`;
  switch (a.op) {
    case "subscribe":
      return `subscribe ${reg} every=${a.every} types=${a.types} script=[${a.script.map(describe).join("; ")}]`;
    case "unsubscribe":
      return `unsubscribe #${a.i}`;
    case "handle":
      return `handle ${["get", "isAlive", "profileOf"][a.k]} src=${["live", "any", "forged", "earlier-run"][a.src]} i=${a.i}`;
    case "registries":
      return "registries";
    default:
      return `${a.op} ${reg}${p}${a.f === undefined ? "" : ` f${a.f}`}${a.v === undefined ? "" : ` v${a.v}`}${a.k === undefined ? "" : ` k${a.k}`}`;
  }
}
const act = (arb) => arb.map((a) => Object.defineProperty(a, fc.toStringMethod, { value: () => describe(a), enumerable: false }));

function actions(withScripts) {
  const base = [
    { weight: 20, arbitrary: act(fc.record({ op: fc.constant("register"), n: NAME, g: FORM, p: PROF, f: fc.nat({ max: 4 }), v: fc.nat({ max: 9 }) })) },
    { weight: 10, arbitrary: act(fc.record({ op: fc.constant("unregister"), n: NAME, g: FORM, p: PROF, f: fc.nat({ max: 3 }) })) },
    { weight: 15, arbitrary: act(fc.record({ op: fc.constant("whereis"), n: NAME, g: FORM, p: PROF, f: fc.nat({ max: 5 }) })) },
    { weight: 8, arbitrary: act(fc.record({ op: fc.constant("lookup"), n: NAME, g: FORM, p: PROF, f: fc.nat({ max: 3 }) })) },
    { weight: 3, arbitrary: act(fc.record({ op: fc.constant("keys"), n: NAME, g: FORM })) },
    { weight: 3, arbitrary: act(fc.record({ op: fc.constant("count"), n: NAME, g: FORM })) },
    { weight: 7, arbitrary: act(fc.record({ op: fc.constant("updateValue"), n: NAME, g: FORM, p: PROF, f: fc.nat({ max: 3 }), k: fc.nat({ max: 5 }), v: fc.nat({ max: 8 }) })) },
    { weight: 5, arbitrary: act(fc.record({ op: fc.constant("dispatch"), n: NAME, g: FORM, p: PROF, f: fc.nat({ max: 3 }), k: fc.nat({ max: 1 }) })) },
    { weight: 10, arbitrary: act(fc.record({ op: fc.constant("handle"), k: fc.nat({ max: 2 }), src: fc.nat({ max: 3 }), i: fc.nat({ max: 1 << 20 }) })) },
    { weight: 5, arbitrary: act(fc.record({ op: fc.constant("start"), n: NAME, g: FORM })) },
    { weight: 3, arbitrary: act(fc.record({ op: fc.constant("stop"), n: NAME, g: FORM })) },
    { weight: 1, arbitrary: act(fc.record({ op: fc.constant("registries") })) },
    { weight: 3, arbitrary: act(fc.record({ op: fc.constant("unsubscribe"), i: fc.nat({ max: 1 << 20 }) })) },
  ];
  const script = withScripts ? fc.array(fc.oneof(...actions(false)), { minLength: 1, maxLength: 5 }) : fc.constant([]);
  base.push({
    weight: withScripts ? 6 : 2,
    arbitrary: act(fc.record({ op: fc.constant("subscribe"), n: NAME, g: FORM, every: fc.integer({ min: 1, max: 3 }), types: fc.integer({ min: 1, max: 7 }), script })),
  });
  return base;
}
const ACTION = fc.oneof(...actions(true));

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

class Inst {
  // One started instance of a registry name (a restart is a new instance).
  constructor(name) {
    this.name = name;
    this.entries = new Map(); // key -> entry
    this.log = []; // every change, in order: { type, entry, value, batch? }
    this.opStart = 0; // log length when the current top-level operation began
    this.recs = [];
    this.stopped = false;
  }
}

class Run {
  constructor() {
    this.inst = new Map(); // name -> running Inst
    this.entries = []; // every registration of this run whose handle is known
    this.byHandle = new Map(); // handle -> entry
    this.recs = [];
    this.bound = new Map(); // name -> a bind() view made while it was running
    this.vias = new Map(); // "n|key" -> a via made once, reused across restarts
    this.died = []; // entries removed during the current top-level operation
    this.touched = new Map(); // name -> Set of pool indexes to check after the operation
    this.trace = [];
    this.failure = null;
    this.depth = 0;
    this.budget = 0;
    this.step = -1;
    this.seq = 0;
    this.dead = false;
  }
}

let current; // the Run in progress
let mainOps = 0; // operations of runs that passed or first failed
let reactionOps = 0;
let allOps = 0; // also counting shrinking
let checkCalls = 0;
let eventsHeard = 0;
let stopsHeard = 0; // stops with at least one listener and one entry
let runsDone = 0;
let failedOnce = false;
const everIssued = new Set(); // a handle is never issued twice in a realm
const earlierHandles = []; // a sample of earlier runs' handles: all dead for good
const strays = []; // listener calls that reached a listener of an earlier run

class FuzzFailure extends Error {
  constructor(message) {
    super(message);
    this.name = "FuzzFailure";
  }
}

function show(v) {
  if (v === undefined) return "undefined";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "function") return "[function]";
  try {
    return JSON.stringify(v, (_, x) => (x === undefined ? "<undefined>" : typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
  } catch {
    return String(v);
  }
}
const errText = (e) => (e instanceof Error ? `${e.name}: ${e.message}` : `a non-Error ${show(e)}`);

function fail(msg) {
  const run = current;
  if (run.failure) throw run.failure;
  const trace = run.trace.slice(-20).join("\n");
  run.failure = new FuzzFailure(`${msg}\n  at top-level action #${run.step} (depth ${run.depth}); the last operations (indented = run by a listener):\n${trace}`);
  throw run.failure;
}

function attempt(f) {
  try {
    return { ok: true, v: f() };
  } catch (e) {
    return { ok: false, e };
  }
}

function expectValue(res, expected, what) {
  if (!res.ok) fail(`${what}: expected ${show(expected)}, threw ${errText(res.e)}`);
  if (!Object.is(res.v, expected)) fail(`${what}: expected ${show(expected)}, got ${show(res.v)}`);
  return res.v;
}

function expectError(res, names, what) {
  const list = Array.isArray(names) ? names : [names];
  if (res.ok) fail(`${what}: expected ${list.join(" or ")}, got ${show(res.v)}`);
  const e = res.e;
  if (!(e instanceof Error) || !list.includes(e.name)) fail(`${what}: expected ${list.join(" or ")}, threw ${errText(e)}`);
  if (typeof pr[e.name] === "function" && !(e instanceof pr[e.name])) fail(`${what}: ${e.name} is not instanceof pr.${e.name}`);
  return e;
}

function expectNotStarted(res, name, what) {
  const e = expectError(res, "RegistryNotStartedError", what);
  if (e.registry !== name) fail(`${what}: RegistryNotStartedError.registry ${show(e.registry)}, expected ${show(name)}`);
  if (!e.message.includes(`start(${JSON.stringify(name)})`)) fail(`${what}: the message does not name start(${JSON.stringify(name)}): ${e.message}`);
}

// The handle of an entry: known once register returned; an observation
// made before (a listener's lookup during the register call) fixes it.
function handleOf(entry, observed, what) {
  if (entry.h === undefined) {
    if (typeof observed !== "string") fail(`${what}: a handle must be a string, got ${show(observed)}`);
    entry.h = observed;
  }
  return entry.h;
}

function touch(run, name, p) {
  let set = run.touched.get(name);
  if (!set) run.touched.set(name, (set = new Set()));
  set.add(p);
}

function cachedVia(run, n, p) {
  const k = `${n}|${KEYS[p]}`;
  let v = run.vias.get(k);
  if (v === undefined) run.vias.set(k, (v = pr.via(regCfg(n, 0), fresh(POOL[p]))));
  return v;
}

// ---------------------------------------------------------------------------
// Executing one action against the package and the model
// ---------------------------------------------------------------------------

function exec(run, a) {
  run.trace.push(`${"  ".repeat(run.depth + 1)}${describe(a)}`);
  if (run.trace.length > 200) run.trace.splice(0, 100);
  allOps++;
  if (!failedOnce) {
    mainOps++;
    if (run.depth > 0) reactionOps++;
  }
  const name = NAMES[a.n];
  const inst = a.n === undefined ? undefined : run.inst.get(name);
  const what = `${describe(a)}${run.depth > 0 ? " (from a listener)" : ""}`;
  switch (a.op) {
    case "start": {
      if (!inst) run.inst.set(name, new Inst(name));
      const res = attempt(() => (a.n === 0 && a.g % 2 === 0 ? pr.start() : pr.start(name)));
      expectValue(res, undefined, what);
      return;
    }
    case "stop": {
      if (inst) {
        run.inst.delete(name);
        inst.stopped = true;
        const batch = { start: inst.log.length, end: inst.log.length + inst.entries.size };
        if (inst.entries.size > 0 && inst.recs.some((r) => !r.ended)) stopsHeard++;
        for (const e of inst.entries.values()) {
          e.alive = false;
          run.died.push(e);
          inst.log.push({ type: "unregister", entry: e, value: e.value, batch });
        }
        inst.entries.clear();
        for (const rec of inst.recs) {
          if (!rec.ended) {
            rec.ended = true;
            rec.U = rec.lowU = inst.log.length;
          }
        }
      }
      for (const p of DISTINCT) touch(run, name, p);
      const res = attempt(() => (a.n === 0 && a.g % 2 === 0 ? pr.stop() : pr.stop(name)));
      expectValue(res, inst !== undefined, what);
      return;
    }
    case "registries":
      return checkRegistries(run, what);
    case "register": {
      const key = KEYS[a.p];
      const p = fresh(POOL[a.p]);
      const value = makeValue(a.v, run);
      const call = () => {
        switch (a.f) {
          case 0: return pr.register(regCfg(a.n, a.g), p, value);
          case 1: return pr.register(pr.via(regCfg(a.n, a.g), p), value);
          case 2: return pr.register(withProfile(a.n, a.g, p), value);
          case 3: return pr.register(cachedVia(run, a.n, a.p), value);
          default: return pr.register(pr.via(regCfg(a.n, a.g), p), undefined, value);
        }
      };
      touch(run, name, a.p);
      if (value === undefined) {
        const names = inst ? "InvalidConfigError" : ["InvalidConfigError", "RegistryNotStartedError"];
        expectError(attempt(call), names, `${what} (value undefined)`);
        return;
      }
      if (!inst) return expectNotStarted(attempt(call), name, what);
      const held = inst.entries.get(key);
      if (held) {
        const e = expectError(attempt(call), "AlreadyRegisteredError", what);
        if (e.handle !== handleOf(held, e.handle, what)) fail(`${what}: AlreadyRegisteredError.handle ${show(e.handle)}, the owner's is ${show(held.h)}`);
        if (!Object.is(e.existing, held.value)) fail(`${what}: AlreadyRegisteredError.existing ${show(e.existing)}, expected ${show(held.value)}`);
        if (e.registry !== name) fail(`${what}: AlreadyRegisteredError.registry ${show(e.registry)}`);
        if (JSON.stringify(e.profile) !== key) fail(`${what}: AlreadyRegisteredError.profile ${show(e.profile)}`);
        return;
      }
      const entry = { inst, key, p: a.p, value, h: undefined, alive: true };
      inst.entries.set(key, entry);
      inst.log.push({ type: "register", entry, value });
      const res = attempt(call);
      if (!res.ok) fail(`${what}: expected a handle, threw ${errText(res.e)}`);
      const h = res.v;
      if (typeof h !== "string") fail(`${what}: expected a handle string, got ${show(h)}`);
      if (handleOf(entry, h, what) !== h) fail(`${what}: returned ${h}, but ${entry.h} was seen for it during the call`);
      if (everIssued.has(h)) fail(`${what}: handle ${h} was issued before`);
      everIssued.add(h);
      run.entries.push(entry);
      run.byHandle.set(h, entry);
      return;
    }
    case "unregister": {
      const key = KEYS[a.p];
      const p = fresh(POOL[a.p]);
      const call = () => {
        switch (a.f) {
          case 0: return pr.unregister(regCfg(a.n, a.g), p);
          case 1: return pr.unregister(pr.via(regCfg(a.n, a.g), p));
          case 2: return pr.unregister(withProfile(a.n, a.g, p));
          default: return pr.unregister(cachedVia(run, a.n, a.p));
        }
      };
      touch(run, name, a.p);
      if (!inst) return expectNotStarted(attempt(call), name, what);
      const entry = inst.entries.get(key);
      if (entry) {
        inst.entries.delete(key);
        entry.alive = false;
        run.died.push(entry);
        inst.log.push({ type: "unregister", entry, value: entry.value });
      }
      expectValue(attempt(call), undefined, what);
      return;
    }
    case "whereis": {
      const key = KEYS[a.p];
      const p = fresh(POOL[a.p]);
      touch(run, name, a.p);
      let res;
      switch (a.f) {
        case 0: res = attempt(() => pr.whereis(regCfg(a.n, a.g), p)); break;
        case 1: res = attempt(() => pr.whereis(pr.via(regCfg(a.n, a.g), p))); break;
        case 2: res = attempt(() => pr.whereis(withProfile(a.n, a.g, p))); break;
        case 3: res = attempt(() => pr.whereis(cachedVia(run, a.n, a.p))); break;
        case 4: res = attempt(() => pr.bind(regCfg(a.n, a.g)).whereis(p)); break;
        default: {
          let view = run.bound.get(name);
          if (view === undefined) {
            const made = attempt(() => pr.bind(regCfg(a.n, a.g)));
            if (!inst) return expectNotStarted(made, name, `${what}: bind`);
            if (!made.ok) fail(`${what}: bind threw ${errText(made.e)}`);
            view = made.v;
            if (view.name !== name) fail(`${what}: bind(...).name ${show(view.name)}, expected ${show(name)}`);
            run.bound.set(name, view);
          }
          res = attempt(() => view.whereis(p));
        }
      }
      if (!inst) return expectNotStarted(res, name, what);
      expectValue(res, inst.entries.get(key)?.value, what);
      return;
    }
    case "lookup": {
      const key = KEYS[a.p];
      const p = fresh(POOL[a.p]);
      touch(run, name, a.p);
      const res = attempt(() => {
        switch (a.f) {
          case 0: return pr.lookup(regCfg(a.n, a.g), p);
          case 1: return pr.lookup(pr.via(regCfg(a.n, a.g), p));
          case 2: return pr.lookup(withProfile(a.n, a.g, p));
          default: return pr.lookup(cachedVia(run, a.n, a.p));
        }
      });
      if (!inst) return expectNotStarted(res, name, what);
      checkEntry(res, inst.entries.get(key), what);
      return;
    }
    case "keys":
    case "count": {
      const res = attempt(() => pr[a.op](regCfg(a.n, a.g)));
      if (!inst) return expectNotStarted(res, name, what);
      if (a.op === "count") expectValue(res, inst.entries.size, what);
      else checkKeys(res, inst, what);
      return;
    }
    case "updateValue": {
      const key = KEYS[a.p];
      const p = fresh(POOL[a.p]);
      touch(run, name, a.p);
      const entry = inst?.entries.get(key);
      const old = entry?.value;
      const token = new Error("thrown by an updateValue function");
      const next = a.k <= 3 ? makeValue(a.v % 9, run) : undefined;
      let calls = 0;
      let seen;
      const fn = (v) => {
        calls++;
        seen = v;
        if (a.k === 4) throw token;
        return next; // undefined when a.k === 5
      };
      const call = () => {
        switch (a.f) {
          case 0: return pr.updateValue(regCfg(a.n, a.g), p, fn);
          case 1: return pr.updateValue(pr.via(regCfg(a.n, a.g), p), fn);
          case 2: return pr.updateValue(pr.via(regCfg(a.n, a.g), p), undefined, fn);
          default: return pr.updateValue(withProfile(a.n, a.g, p), fn);
        }
      };
      if (!inst) {
        expectNotStarted(attempt(call), name, what);
        if (calls !== 0) fail(`${what}: the function was called on a stopped registry`);
        return;
      }
      if (!entry) {
        expectValue(attempt(call), undefined, what);
        if (calls !== 0) fail(`${what}: the function was called for an absent profile`);
        return;
      }
      if (a.k <= 3) {
        // Applied to the model first: listeners run inside the call.
        entry.value = next;
        inst.log.push({ type: "update", entry, value: next });
        expectValue(attempt(call), next, what);
      } else if (a.k === 4) {
        const res = attempt(call);
        if (res.ok) fail(`${what}: the function threw, but updateValue returned ${show(res.v)}`);
        if (res.e !== token) fail(`${what}: expected the function's own error, threw ${errText(res.e)}`);
      } else {
        expectError(attempt(call), "InvalidConfigError", `${what} (the function returned undefined)`);
      }
      if (calls !== 1) fail(`${what}: the function was called ${calls} times`);
      if (!Object.is(seen, old)) fail(`${what}: the function got ${show(seen)}, expected the old value ${show(old)}`);
      return;
    }
    case "dispatch": {
      const key = KEYS[a.p];
      const p = fresh(POOL[a.p]);
      touch(run, name, a.p);
      const entry = inst?.entries.get(key);
      const token = { dispatched: ++run.seq };
      let calls = 0;
      let args;
      const fn = (...xs) => {
        calls++;
        args = xs;
        if (a.k === 1) throw token;
        return token;
      };
      const call = () => {
        switch (a.f) {
          case 0: return pr.dispatch(regCfg(a.n, a.g), p, fn);
          case 1: return pr.dispatch(pr.via(regCfg(a.n, a.g), p), fn);
          case 2: return pr.dispatch(pr.via(regCfg(a.n, a.g), p), undefined, fn);
          default: return pr.dispatch(withProfile(a.n, a.g, p), fn);
        }
      };
      const res = attempt(call);
      if (!inst) expectNotStarted(res, name, what);
      else if (!entry) expectValue(res, undefined, what);
      else if (a.k === 0) expectValue(res, token, what);
      else if (res.ok || res.e !== token) fail(`${what}: expected the function's own throw, got ${res.ok ? show(res.v) : errText(res.e)}`);
      if (calls !== (entry ? 1 : 0)) fail(`${what}: the function was called ${calls} times`);
      if (entry) {
        if (!Object.is(args[0], entry.value)) fail(`${what}: the function got the value ${show(args[0])}, expected ${show(entry.value)}`);
        if (args[1] !== handleOf(entry, args[1], what)) fail(`${what}: the function got the handle ${show(args[1])}, expected ${entry.h}`);
      }
      return;
    }
    case "handle": {
      let h;
      if (a.src === 0) {
        const live = run.entries.filter((e) => e.alive);
        if (live.length === 0) return;
        h = live[a.i % live.length].h;
      } else if (a.src === 1) {
        if (run.entries.length === 0) return;
        h = run.entries[a.i % run.entries.length].h;
      } else if (a.src === 2) {
        if (run.entries.length === 0) return;
        const [r, s, g] = run.entries[a.i % run.entries.length].h.split(".");
        h = a.i % 2 ? `${r}.${s}.${Number(g) + 1000001}` : `${r}.${Number(s) + 500000}.${g}`;
      } else {
        if (earlierHandles.length === 0) return;
        h = earlierHandles[a.i % earlierHandles.length];
      }
      const entry = run.byHandle.get(h);
      const alive = entry !== undefined && entry.alive;
      const fnName = ["get", "isAlive", "profileOf"][a.k];
      const res = attempt(() => pr[fnName](h));
      const w = `${what} (${h}, ${alive ? "live" : "dead"})`;
      if (a.k === 0) expectValue(res, alive ? entry.value : undefined, w);
      else if (a.k === 1) expectValue(res, alive, w);
      else {
        if (!res.ok) fail(`${w}: threw ${errText(res.e)}`);
        const want = alive ? entry.key : "undefined";
        const got = res.v === undefined ? "undefined" : JSON.stringify(res.v);
        if (got !== want) fail(`${w}: expected ${want}, got ${show(res.v)}`);
      }
      return;
    }
    case "subscribe": {
      if (!inst) return expectNotStarted(attempt(() => pr.subscribe(regCfg(a.n, a.g), () => fail("a listener of a stopped registry was called"))), name, what);
      const rec = {
        id: run.recs.length,
        inst,
        run,
        S: inst.log.length,
        loA: run.depth > 0 ? inst.opStart : inst.log.length,
        received: [],
        checked: 0,
        a: undefined,
        pos: 0,
        batchSeen: null,
        ended: false,
        unsubscribed: false,
        U: 0,
        lowU: 0,
        script: a.script,
        every: a.every,
        types: a.types,
        seen: 0,
        next: 0,
        unsub: undefined,
      };
      const listener = (ev) => listen(rec, ev);
      const res = attempt(() => pr.subscribe(regCfg(a.n, a.g), listener));
      if (!res.ok) fail(`${what}: threw ${errText(res.e)}`);
      if (typeof res.v !== "function") fail(`${what}: expected the unsubscribe function, got ${show(res.v)}`);
      rec.unsub = res.v;
      run.recs.push(rec);
      inst.recs.push(rec);
      return;
    }
    case "unsubscribe": {
      if (run.recs.length === 0) return;
      const rec = run.recs[a.i % run.recs.length];
      if (!rec.unsubscribed) {
        rec.unsubscribed = true;
        const low = run.depth > 0 ? rec.inst.opStart : rec.inst.log.length;
        if (!rec.ended) {
          rec.ended = true;
          rec.U = rec.inst.log.length;
          rec.lowU = low;
        } else {
          rec.lowU = Math.min(rec.lowU, low);
        }
      }
      expectValue(attempt(() => rec.unsub()), undefined, `${what} (listener #${rec.id})`);
      return;
    }
    default:
      throw new Error(`unknown action ${a.op}`);
  }
}

function checkRegistries(run, what) {
  const res = attempt(() => pr.registries());
  if (!res.ok) fail(`${what}: threw ${errText(res.e)}`);
  const got = Array.isArray(res.v) ? [...res.v].sort() : res.v;
  const want = [...run.inst.keys()].sort();
  if (show(got) !== show(want)) fail(`${what}: expected ${show(want)}, got ${show(res.v)}`);
}

function checkEntry(res, entry, what) {
  if (!res.ok) fail(`${what}: threw ${errText(res.e)}`);
  if (!entry) {
    if (res.v !== undefined) fail(`${what}: expected undefined, got ${show(res.v)}`);
    return;
  }
  const got = res.v;
  if (got === null || typeof got !== "object") fail(`${what}: expected { handle, value }, got ${show(got)}`);
  if (!Object.is(got.value, entry.value)) fail(`${what}: value ${show(got.value)}, expected ${show(entry.value)}`);
  if (got.handle !== handleOf(entry, got.handle, what)) fail(`${what}: handle ${show(got.handle)}, expected ${entry.h}`);
}

function checkKeys(res, inst, what) {
  if (!res.ok) fail(`${what}: threw ${errText(res.e)}`);
  if (!Array.isArray(res.v)) fail(`${what}: expected an array, got ${show(res.v)}`);
  const got = res.v.map((p) => JSON.stringify(p)).sort();
  const want = [...inst.entries.keys()].sort();
  if (show(got) !== show(want)) fail(`${what}: expected ${show(want)}, got ${show(got)}`);
}

// ---------------------------------------------------------------------------
// Listeners
// ---------------------------------------------------------------------------

const TYPE_BIT = { register: 1, unregister: 2, update: 4 };

function listen(rec, ev) {
  const run = rec.run;
  if (run.dead || run !== current) {
    if (!resetting) strays.push(`a listener of an earlier run got ${show({ type: ev?.type, registry: ev?.registry, profile: ev?.profile })}`);
    return;
  }
  try {
    if (rec.unsubscribed) fail(`listener #${rec.id} (${rec.inst.name}) was called after unsubscribe() returned, with ${show({ type: ev.type, profile: ev.profile })}`);
    eventsHeard++;
    rec.received.push({ type: ev.type, registry: ev.registry, key: JSON.stringify(ev.profile), handle: ev.handle, value: ev.value });
    if (ev.type === "unregister") {
      checkCalls++;
      const res = attempt(() => pr.isAlive(ev.handle));
      if (!res.ok || res.v !== false) fail(`listener #${rec.id}: the handle of an unregister event must be dead; isAlive(${show(ev.handle)}) gave ${res.ok ? show(res.v) : errText(res.e)}`);
    }
    rec.seen++;
    if (rec.script.length > 0 && run.budget > 0 && !run.failure && TYPE_BIT[ev.type] & rec.types && rec.seen % rec.every === 0) {
      const a = rec.script[rec.next++ % rec.script.length];
      run.budget--;
      run.depth++;
      try {
        exec(run, a);
      } finally {
        run.depth--;
      }
    }
  } catch (e) {
    if (!run.failure) run.failure = e instanceof FuzzFailure ? e : new FuzzFailure(`listener #${rec.id} threw ${e?.stack ?? e}`);
  }
}

const evMatches = (rec, le, ev) =>
  ev.type === le.type && ev.registry === rec.inst.name && ev.key === le.entry.key && ev.handle === le.entry.h && Object.is(ev.value, le.value);

const showEv = (ev) => show({ type: ev.type, registry: ev.registry, profile: ev.key, handle: ev.handle, value: ev.value });
const showLe = (rec, le) => show({ type: le.type, registry: rec.inst.name, profile: le.entry.key, handle: le.entry.h, value: le.value, stop: le.batch !== undefined });

// Matches received events from log index `pos` on; returns the new position
// and batch state, or a message.
function matchRun(rec, from, pos, batchSeen) {
  const log = rec.inst.log;
  const end = rec.ended ? rec.U : log.length;
  for (let i = from; i < rec.received.length; i++) {
    const ev = rec.received[i];
    if (pos >= end) return { error: `extra event #${i} ${showEv(ev)} after the last change it should hear (${end} changes)` };
    const le = log[pos];
    if (le.batch) {
      if (!batchSeen || batchSeen.batch !== le.batch) batchSeen = { batch: le.batch, used: new Set() };
      let found = -1;
      for (let j = le.batch.start; j < le.batch.end; j++) {
        if (!batchSeen.used.has(j) && evMatches(rec, log[j], ev)) {
          found = j;
          break;
        }
      }
      if (found < 0) return { error: `event #${i} ${showEv(ev)} is none of the stop's remaining unregisters (change #${pos}: ${showLe(rec, le)})` };
      batchSeen.used.add(found);
    } else if (!evMatches(rec, le, ev)) {
      return { error: `event #${i} ${showEv(ev)}, expected change #${pos} ${showLe(rec, le)}` };
    }
    pos++;
  }
  return { pos, batchSeen };
}

function checkRec(rec) {
  const log = rec.inst.log;
  const hiB = rec.ended ? rec.U : log.length;
  const loB = rec.ended ? rec.lowU : log.length;
  const where = `listener #${rec.id} of ${rec.inst.name} (subscribed at change ${rec.S}${rec.loA < rec.S ? `, from a listener (>= ${rec.loA})` : ""}${rec.ended ? `, ended at ${rec.lowU}..${rec.U}` : ""})`;
  if (rec.a === undefined) {
    if (rec.received.length === 0) {
      if (Math.max(rec.loA, loB) > Math.min(rec.S, hiB)) {
        fail(`${where}: heard nothing; expected changes ${rec.S}..${loB}: ${log.slice(rec.S, loB).map((le) => showLe(rec, le)).join(", ")}`);
      }
      return;
    }
    let firstError;
    for (let a = rec.loA; a <= rec.S && a < log.length; a++) {
      if (log[a].batch && log[a].batch.start !== a) continue;
      const r = matchRun(rec, 0, a, null);
      if (r.error) {
        firstError ??= r.error;
        continue;
      }
      if (r.pos < loB) {
        firstError ??= `heard changes ${a}..${r.pos}, expected up to ${loB}`;
        continue;
      }
      rec.a = a;
      rec.pos = r.pos;
      rec.batchSeen = r.batchSeen;
      rec.checked = rec.received.length;
      return;
    }
    fail(`${where}: ${firstError ?? `its first event ${showEv(rec.received[0])} is no change from ${rec.loA} to ${rec.S}`}`);
  }
  if (rec.checked < rec.received.length) {
    const r = matchRun(rec, rec.checked, rec.pos, rec.batchSeen);
    if (r.error) fail(`${where}: ${r.error}`);
    rec.pos = r.pos;
    rec.batchSeen = r.batchSeen;
    rec.checked = rec.received.length;
  }
  if (rec.pos < loB) fail(`${where}: heard changes up to ${rec.pos}, expected up to ${loB}; missing ${log.slice(rec.pos, loB).map((le) => showLe(rec, le)).join(", ")}`);
}

// ---------------------------------------------------------------------------
// Checks after each operation
// ---------------------------------------------------------------------------

function checkHandle(run, entry, what) {
  const h = entry.h;
  checkCalls += 3;
  const alive = attempt(() => pr.isAlive(h));
  expectValue(alive, entry.alive, `${what}: isAlive(${h})`);
  expectValue(attempt(() => pr.get(h)), entry.alive ? entry.value : undefined, `${what}: get(${h})`);
  const prof = attempt(() => pr.profileOf(h));
  if (!prof.ok) fail(`${what}: profileOf(${h}) threw ${errText(prof.e)}`);
  const got = prof.v === undefined ? "undefined" : JSON.stringify(prof.v);
  if (got !== (entry.alive ? entry.key : "undefined")) fail(`${what}: profileOf(${h}) gave ${show(prof.v)}, expected ${entry.alive ? entry.key : "undefined"}`);
}

function checkName(run, n, indexes, form) {
  const name = NAMES[n];
  const inst = run.inst.get(name);
  const cfg = () => regCfg(n, form);
  const what = `check of ${name}`;
  checkCalls++;
  const count = attempt(() => pr.count(cfg()));
  if (!inst) expectNotStarted(count, name, `${what}: count`);
  else {
    expectValue(count, inst.entries.size, `${what}: count`);
    checkCalls++;
    checkKeys(attempt(() => pr.keys(cfg())), inst, `${what}: keys`);
  }
  for (const i of indexes) {
    const p = () => fresh(POOL[i]);
    const w = `${what}, profile ${KEYS[i]}`;
    checkCalls += 2;
    const where = attempt(() => (form % 2 ? pr.whereis(pr.via(cfg(), p())) : pr.whereis(cfg(), p())));
    const look = attempt(() => pr.lookup(cfg(), p()));
    if (!inst) {
      expectNotStarted(where, name, `${w}: whereis`);
      expectNotStarted(look, name, `${w}: lookup`);
      continue;
    }
    const entry = inst.entries.get(KEYS[i]);
    expectValue(where, entry?.value, `${w}: whereis`);
    checkEntry(look, entry, `${w}: lookup`);
    if (!Object.is(where.v, look.v?.value)) fail(`${w}: whereis ${show(where.v)} but lookup(...).value ${show(look.v?.value)}`);
    if (entry) checkHandle(run, entry, w);
  }
}

function checkpoint(run, full) {
  if (run.failure) throw run.failure;
  for (const e of run.died) checkHandle(run, e, "a removed entry");
  run.died = [];
  for (const [name, set] of run.touched) checkName(run, NAMES.indexOf(name), set, run.step);
  run.touched.clear();
  for (const rec of run.recs) checkRec(rec);
  if (strays.length) fail(`listeners of earlier runs' stopped registries were called: ${strays.slice(0, 3).join("; ")}`);
  if (full) {
    checkCalls++;
    checkRegistries(run, "sweep: registries()");
    for (let n = 0; n < NAMES.length; n++) checkName(run, n, DISTINCT, run.step + n);
    for (const e of run.entries) checkHandle(run, e, "sweep");
    for (const h of earlierHandles.slice(-20)) {
      checkCalls++;
      expectValue(attempt(() => pr.isAlive(h)), false, `an earlier run's handle ${h}: isAlive`);
    }
  }
  if (run.failure) throw run.failure;
}

// ---------------------------------------------------------------------------
// One fast-check run
// ---------------------------------------------------------------------------

let resetting = false;
function reset() {
  resetting = true;
  try {
    for (const name of NAMES) pr.stop(name);
  } finally {
    resetting = false;
  }
  const left = pr.registries();
  if (left.length !== 0) throw new FuzzFailure(`after stopping every pool registry, registries() is ${show(left)}`);
}

function runActions(list) {
  if (current) {
    current.dead = true;
    for (const e of current.entries) if (earlierHandles.length < 2000 && e.h && e.p % 7 === 0) earlierHandles.push(e.h);
  }
  reset();
  strays.length = 0; // only this run's
  const run = (current = new Run());
  runsDone++;
  for (let i = 0; i < list.length; i++) {
    run.step = i;
    run.budget = 12;
    for (const inst of run.inst.values()) inst.opStart = inst.log.length;
    exec(run, list[i]);
    checkpoint(run, i % 64 === 63 || i === list.length - 1);
  }
}

test(`registry API fuzz against a model (seed ${SEED})`, (t) => {
  const t0 = Date.now();
  const property = fc.property(fc.array(ACTION, { minLength: 1, maxLength: MAX_ACTIONS, size: "max" }), (list) => {
    if (!failedOnce && !REPLAY_PATH && mainOps >= MIN_OPS) return; // enough: the remaining runs pass at once
    try {
      runActions(list);
    } catch (e) {
      failedOnce = true;
      throw e;
    }
  });
  try {
    fc.assert(property, {
      seed: SEED,
      path: REPLAY_PATH,
      numRuns: REPLAY_PATH ? 1 : 600,
      endOnFailure: false,
      includeErrorInReport: true,
      plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS, { failOnInterrupt: true })],
    });
  } finally {
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const line = `fuzz: ${mainOps} API operations (${reactionOps} of them from listeners; ${allOps - mainOps} more while shrinking) in ${runsDone} runs; ${eventsHeard} events heard, ${stopsHeard} stops heard by listeners, ${checkCalls} check calls; ${secs} s, seed ${SEED}`;
    t.diagnostic(line);
  }
  if (!REPLAY_PATH) assert.ok(mainOps >= MIN_OPS, `only ${mainOps} operations ran (at least ${MIN_OPS} expected)`);
});
