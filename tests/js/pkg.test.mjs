// Tests of the built npm package (pkg/, from scripts/build.sh) in Node,
// through its "node" entry: the runtime-neutral scenario, then what is easier
// to check in Node (error classes, updateValue / dispatch, listeners, long
// random runs against a Map model, recovery after every kind of error), and
// the TypeScript consumer (type-checked, then bundled and run).
//
// Run: cd tests/js && node --test pkg.test.mjs
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

import * as pr from "../../pkg/node.js";
import { scenario } from "./scenario.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

const ERROR_NAMES = [
  "AlreadyRegisteredError",
  "RegistryNotStartedError",
  "UnknownModuleError",
  "InvalidProfileError",
  "InvalidConfigError",
  "InvalidHandleError",
  "RegistryModuleError",
  "QueueFullError",
  "ConnectionClosedError",
  "InvalidDataError",
  "NotInitializedError",
  "UnsupportedRuntimeError",
  "CrossRequestError",
];

/** The error `f` throws (fails when it throws nothing). */
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail("expected a throw");
}

/** A fresh, started registry name (each test uses its own). */
let seq = 0;
function fresh(label) {
  const name = `PkgTest-${label}-${++seq}`;
  pr.start(name);
  return { registry: name };
}

const state = (cfg) => ({ count: pr.count(cfg), keys: pr.keys(cfg), values: pr.keys(cfg).map((k) => pr.whereis(cfg, k)) });

/** Stubs globalThis.reportError (absent in Node 20) for the duration of `f`. */
async function withReportError(f) {
  const had = Object.prototype.hasOwnProperty.call(globalThis, "reportError");
  const original = globalThis.reportError;
  const reported = [];
  globalThis.reportError = (e) => reported.push(e);
  try {
    await f(reported);
  } finally {
    if (had) globalThis.reportError = original;
    else delete globalThis.reportError;
  }
}

test("the scenario passes in Node", async () => {
  const { checks } = await scenario(pr);
  assert.ok(checks > 500, `only ${checks} checks ran`);
});

test("the package exports exactly the documented API", () => {
  const functions = [
    "start", "stop", "registries", "plugModule", "unplugModule", "resolve", "via", "whereis", "lookup",
    "register", "unregister", "keys", "count", "updateValue", "dispatch", "get", "isAlive", "profileOf",
    "checkProfile", "subscribe", "bind", "initSync", "default",
  ];
  for (const f of functions) assert.equal(typeof pr[f], "function", f);
  for (const e of ERROR_NAMES) assert.equal(typeof pr[e], "function", e);
  assert.equal(pr.DEFAULT_MODULE, "Registry");
  assert.equal(pr.DEFAULT_NAME, "ProfileRegistry");
  // The connection API (index.d.ts's last section) is tested elsewhere.
  const connection = ["connect", "Connection", "connection", "__connCount", "__debug"];
  const known = new Set([...functions, ...ERROR_NAMES, ...connection, "DEFAULT_MODULE", "DEFAULT_NAME"]);
  assert.deepEqual(Object.keys(pr).filter((k) => !known.has(k)), [], "undocumented exports (add them to index.d.ts)");
});

test("the wasm imports nothing: no JS code, and so no JS exception, can ever run inside a wasm frame", () => {
  const mod = new WebAssembly.Module(fs.readFileSync(path.join(root, "pkg/profile_registry_bg.wasm")));
  assert.deepEqual(WebAssembly.Module.imports(mod), []);
});

test("secrets in urls never appear in errors or events", async () => {
  pr.start();
  const secret = "ws://user:hunter2@127.0.0.1:9/?token=hunter2";
  const e = thrown(() => pr.connect({ profile: "redact", url: `${secret}#x`, WebSocket: class {} }));
  assert.equal(e.name, "InvalidConfigError");
  assert.ok(!e.message.includes("hunter2") && e.message.includes("ws://***@127.0.0.1:9/?token=***"), e.message);
  class Refuses { constructor(url) { throw new SyntaxError(`The URL '${url}' is invalid`); } }
  const c = pr.connect({ profile: "redact", url: secret, WebSocket: Refuses, reconnect: false });
  const errors = [];
  c.on("error", (ev) => errors.push(ev.message));
  await new Promise((r) => c.on("close", (ev) => ev.final && r()));
  assert.equal(errors.length, 1);
  assert.ok(!errors[0].includes("hunter2") && errors[0].includes("ws://***@127.0.0.1:9/?token=***"), errors[0]);
});

test("bind(config).whereis: the resolved-once view agrees with whereis", () => {
  assert.throws(() => pr.bind({ registry: "BindNeverStarted" }), { name: "RegistryNotStartedError" });
  pr.start("BindTest");
  const cfg = { registry: "BindTest" };
  const reg = pr.bind(cfg);
  assert.equal(reg.name, "BindTest");
  const a = { a: 1 };
  pr.register(cfg, "alice", a);
  pr.register(cfg, 7, "seven");
  pr.register(cfg, ["acme", 1], "list");
  assert.equal(reg.whereis("alice"), a);
  assert.equal(reg.whereis(7), "seven");
  assert.equal(reg.whereis(["acme", 1]), "list", "lists take the wasm path");
  assert.equal(reg.whereis("nobody"), undefined);
  for (const bad of [1.5, NaN, {}, null, "\ud800"]) {
    assert.throws(() => reg.whereis(bad), { name: "InvalidProfileError" }, String(bad));
  }
  pr.unregister(cfg, "alice");
  assert.equal(reg.whereis("alice"), undefined);
  pr.stop("BindTest");
  assert.throws(() => reg.whereis("alice"), { name: "RegistryNotStartedError" }, "a stopped registry says so");
  pr.start("BindTest");
  pr.register(cfg, "alice", "again");
  assert.equal(reg.whereis("alice"), "again", "the view follows a restart");
  pr.stop("BindTest");
  // Other modules: the view forwards to whereis.
  const m = new Map();
  const module = { register: (n, k, v) => (m.has(k) ? false : (m.set(k, v), true)), lookup: (n, k) => m.get(k), unregister: (n, k) => void m.delete(k) };
  const other = { registry: { module, name: "x" } };
  pr.register(other, "bob", "b");
  assert.equal(pr.bind(other).whereis("bob"), "b");
});

test("connect through a module object answers its register as register() does", () => {
  const url = "ws://127.0.0.1:9/";
  class Never { constructor() { this.readyState = 0; } close() {} }
  const cases = [
    ["yes", "RegistryModuleError"], // not a boolean: the module broke its contract
    [undefined, "RegistryModuleError"],
    [false, "AlreadyRegisteredError"], // the module holds the profile already
  ];
  for (const [answer, name] of cases) {
    const module = { register: () => answer, lookup: () => (answer === false ? "held" : undefined), unregister() {} };
    const registry = { module, name: "ConnectThroughModule" };
    const viaRegister = thrown(() => pr.register({ registry }, "p", 1));
    const viaConnect = thrown(() => pr.connect({ profile: "p", url, WebSocket: Never, registry, reconnect: false }));
    for (const e of [viaRegister, viaConnect]) assert.equal(e.name, name, `register returning ${String(answer)}: ${e.message}`);
    assert.equal(viaConnect.message, viaRegister.message);
    if (name === "AlreadyRegisteredError") assert.equal(viaConnect.existing, "held");
  }
  assert.equal(pr.__connCount(), 0, "no connection is left behind");
});

test("index.d.ts declares every runtime export, and nothing else", async () => {
  const ts = (await import("typescript")).default;
  const dts = path.join(root, "pkg/index.d.ts");
  const program = ts.createProgram([dts], { noEmit: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: [] });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dts));
  const declared = checker
    .getExportsOfModule(moduleSymbol)
    .filter((s) => s.flags & ts.SymbolFlags.Value)
    .map((s) => s.name)
    .sort();
  // The connection API is declared in index.d.ts's last section by its authors.
  const runtime = Object.keys(pr).filter((k) => !["connect", "Connection"].includes(k) || declared.includes(k)).sort();
  assert.deepEqual(declared, runtime);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  assert.deepEqual(diagnostics, [], "index.d.ts has no type errors");
});

describe("error classes", () => {
  test("each thrown kind is instanceof its class only, and of Error", () => {
    const cfg = fresh("errors");
    pr.register(cfg, "held", 1);
    const broken = { register() { throw new Error("x"); }, lookup() {}, unregister() {} };
    const samples = {
      AlreadyRegisteredError: () => pr.register(cfg, "held", 2),
      RegistryNotStartedError: () => pr.whereis({ registry: "PkgTest-never" }, "x"),
      UnknownModuleError: () => pr.whereis({ registry: { module: "PkgTest-nomodule", name: "x" } }, "x"),
      InvalidProfileError: () => pr.whereis(cfg, 0.5),
      InvalidConfigError: () => pr.whereis(7, "x"),
      InvalidHandleError: () => pr.get("not-a-handle"),
      RegistryModuleError: () => pr.register({ registry: { module: broken, name: "b" } }, "x", 1),
    };
    for (const [name, f] of Object.entries(samples)) {
      const e = thrown(f);
      assert.ok(e instanceof Error, `${name} is an Error`);
      assert.equal(e.name, name);
      assert.equal(typeof e.message, "string");
      assert.ok(e.message.length > 10, `${name} has a message`);
      for (const other of ERROR_NAMES) {
        assert.equal(e instanceof pr[other], other === name, `${name} instanceof ${other}`);
      }
    }
  });

  test("the classes can be constructed, and recognise errors by name", () => {
    for (const name of ERROR_NAMES) {
      const C = pr[name];
      assert.equal(C.name, name, "the class is named");
      const e = new C("boom");
      assert.equal(e.name, name);
      assert.equal(e.message, "boom");
      assert.ok(e instanceof Error && e instanceof C);
      const plain = new Error("x");
      plain.name = name;
      assert.ok(plain instanceof C, "instanceof goes by name");
      assert.ok(!(new Error("x") instanceof C));
      assert.ok(!({ name } instanceof C), "a non-Error with the name is not an instance");
      assert.ok(!(null instanceof C) && !(name instanceof C));
    }
  });

  test("error details: AlreadyRegisteredError and RegistryNotStartedError fields", () => {
    const cfg = fresh("details");
    const value = { socket: 1 };
    const h = pr.register(cfg, ["t", 1], value);
    const e = thrown(() => pr.register(cfg, ["t", 1], { socket: 2 }));
    assert.equal(e.handle, h);
    assert.equal(e.existing, value);
    assert.deepEqual(e.profile, ["t", 1]);
    assert.equal(e.registry, cfg.registry);
    const n = thrown(() => pr.count({ registry: "PkgTest-unstarted" }));
    assert.equal(n.registry, "PkgTest-unstarted");
    assert.match(n.message, /start\("PkgTest-unstarted"\)/);
  });
});

describe("updateValue and dispatch", () => {
  test("updateValue replaces the value, keeps the handle, emits one update", () => {
    const cfg = fresh("update");
    const h = pr.register(cfg, "n", 1);
    const events = [];
    const un = pr.subscribe(cfg, (e) => events.push(e));
    assert.equal(pr.updateValue(cfg, "n", (x) => x + 1), 2);
    assert.equal(pr.whereis(cfg, "n"), 2);
    assert.equal(pr.get(h), 2);
    assert.equal(pr.lookup(cfg, "n").handle, h);
    assert.equal(events.length, 1);
    assert.deepEqual({ ...events[0] }, { type: "update", registry: cfg.registry, profile: "n", handle: h, value: 2 });
    // through a via, and with a list profile
    pr.register(cfg, ["l", 1], "a");
    assert.equal(pr.updateValue(pr.via(cfg, ["l", 1]), undefined, (s) => s + "b"), "ab");
    assert.equal(pr.whereis(cfg, ["l", 1]), "ab");
    // null is a value
    assert.equal(pr.updateValue(cfg, "n", () => null), null);
    assert.equal(pr.whereis(cfg, "n"), null);
    assert.equal(pr.isAlive(h), true);
    un();
  });

  test("updateValue of an absent profile does not call fn", () => {
    const cfg = fresh("update-absent");
    let called = false;
    assert.equal(pr.updateValue(cfg, "nobody", () => { called = true; return 1; }), undefined);
    assert.equal(called, false);
    assert.equal(pr.count(cfg), 0);
  });

  test("a throwing fn changes nothing and its error is thrown as is", () => {
    const cfg = fresh("update-throw");
    const h = pr.register(cfg, "n", { v: 1 });
    pr.register(cfg, "m", { v: 2 });
    const before = state(cfg);
    const events = [];
    const un = pr.subscribe(cfg, (e) => events.push(e));
    const boom = new TypeError("boom");
    assert.equal(thrown(() => pr.updateValue(cfg, "n", () => { throw boom; })), boom);
    assert.equal(thrown(() => pr.updateValue(cfg, "n", () => { throw "a string"; })), "a string");
    const e = thrown(() => pr.updateValue(cfg, "n", () => undefined));
    assert.equal(e.name, "InvalidConfigError", "fn returning undefined");
    assert.deepEqual(state(cfg), before);
    assert.equal(pr.get(h).v, 1);
    assert.equal(events.length, 0, "no event for a failed update");
    un();
  });

  test("an fn that unregisters its own profile: no update, no resurrection", () => {
    const cfg = fresh("update-reentrant");
    const h = pr.register(cfg, "n", 1);
    const r = pr.updateValue(cfg, "n", (old) => { pr.unregister(cfg, "n"); return old + 1; });
    assert.equal(r, undefined);
    assert.equal(pr.whereis(cfg, "n"), undefined);
    assert.equal(pr.isAlive(h), false);
    // ... and one that re-registers it: the re-registration stands.
    pr.register(cfg, "m", 1);
    pr.updateValue(cfg, "m", (old) => { pr.unregister(cfg, "m"); pr.register(cfg, "m", "again"); return old + 1; });
    assert.equal(pr.whereis(cfg, "m"), "again");
  });

  test("dispatch calls fn(value, handle) with the live entry", () => {
    const cfg = fresh("dispatch");
    const value = { socket: 1 };
    const h = pr.register(cfg, ["d", 1], value);
    const seen = [];
    const r = pr.dispatch(cfg, ["d", 1], function (...args) { seen.push(this, ...args); return "sent"; });
    assert.equal(r, "sent");
    assert.deepEqual(seen, [undefined, value, h]);
    assert.equal(pr.dispatch(pr.via(cfg, ["d", 1]), undefined, (v) => v), value, "through a via");
    let called = false;
    assert.equal(pr.dispatch(cfg, "nobody", () => { called = true; }), undefined);
    assert.equal(called, false, "fn is not called for an absent profile");
    const boom = new RangeError("boom");
    const before = state(cfg);
    assert.equal(thrown(() => pr.dispatch(cfg, ["d", 1], () => { throw boom; })), boom);
    assert.deepEqual(state(cfg), before, "a throwing fn changes nothing");
    // A module object: the handle is undefined.
    const mod = { register: () => true, lookup: () => "mv", unregister() {} };
    assert.deepEqual(pr.dispatch({ registry: { module: mod, name: "x" } }, "p", (v, hh) => [v, hh]), ["mv", undefined]);
  });
});

describe("keys and count", () => {
  test("follow registers and unregisters, per registry", () => {
    const a = fresh("keys-a");
    const b = fresh("keys-b");
    assert.deepEqual(pr.keys(a), []);
    assert.equal(pr.count(a), 0);
    const profiles = ["s", 0, -1, false, true, [], ["x"], ["x", ["y", 2]], Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    profiles.forEach((p, i) => pr.register(a, p, i));
    assert.equal(pr.count(a), profiles.length);
    assert.deepEqual(new Set(pr.keys(a).map((k) => JSON.stringify(k))), new Set(profiles.map((p) => JSON.stringify(p))));
    assert.equal(pr.count(b), 0, "another registry is separate");
    for (const p of profiles) assert.equal(pr.whereis(a, p), profiles.indexOf(p));
    pr.unregister(a, ["x"]);
    pr.unregister(a, ["x"]);
    assert.equal(pr.count(a), profiles.length - 1);
    assert.ok(!pr.keys(a).some((k) => JSON.stringify(k) === '["x"]'));
    const k = pr.keys(a);
    k.push("mutated");
    assert.equal(pr.count(a), profiles.length - 1, "keys() returns a copy");
    assert.throws(() => pr.keys({ registry: { module: { register() {}, lookup() {}, unregister() {} }, name: "m" } }), { name: "InvalidConfigError" });
  });
});

describe("listeners", () => {
  test("unsubscribe stops events; it is idempotent and per listener", () => {
    const cfg = fresh("unsub");
    const a = [];
    const b = [];
    const unA = pr.subscribe(cfg, (e) => a.push(e.type));
    const unB = pr.subscribe(cfg, (e) => b.push(e.type));
    pr.register(cfg, "x", 1);
    unA();
    pr.updateValue(cfg, "x", () => 2);
    unA();
    pr.unregister(cfg, "x");
    assert.deepEqual(a, ["register"]);
    assert.deepEqual(b, ["register", "update", "unregister"]);
    unB();
    pr.register(cfg, "y", 1);
    assert.equal(b.length, 3);
  });

  test("a listener may unsubscribe itself or another mid-event; one added mid-event waits for the next", () => {
    const cfg = fresh("unsub-mid");
    const log = [];
    let unB;
    let late;
    const unA = pr.subscribe(cfg, (e) => {
      log.push(`a:${e.profile}`);
      unA();
      unB();
      late ??= pr.subscribe(cfg, (e2) => log.push(`late:${e2.profile}`));
    });
    unB = pr.subscribe(cfg, (e) => log.push(`b:${e.profile}`));
    pr.register(cfg, "1", 1);
    pr.register(cfg, "2", 2);
    assert.deepEqual(log, ["a:1", "late:2"]);
    late();
  });

  test("a throwing listener is reported and the others still run", async () => {
    await withReportError(async (reported) => {
      const cfg = fresh("throwing-listener");
      const seen = [];
      const boom = new Error("listener boom");
      const un1 = pr.subscribe(cfg, () => { throw boom; });
      const un2 = pr.subscribe(cfg, (e) => seen.push(e.profile));
      const un3 = pr.subscribe(cfg, () => { throw "a string"; });
      const un4 = pr.subscribe(cfg, (e) => seen.push(`again:${e.profile}`));
      const h = pr.register(cfg, "p", 1);
      assert.ok(pr.isAlive(h), "the register took");
      assert.deepEqual(seen, ["p", "again:p"]);
      assert.deepEqual(reported, [boom, "a string"]);
      pr.unregister(cfg, "p");
      assert.equal(reported.length, 4);
      assert.equal(pr.count(cfg), 0);
      for (const un of [un1, un2, un3, un4]) un();
    });
  });

  test("without reportError, a throwing listener goes to console.error", () => {
    assert.equal(typeof globalThis.reportError, "undefined", "Node 20 has no reportError");
    const cfg = fresh("console-error");
    const errors = [];
    const original = console.error;
    console.error = (...args) => errors.push(args);
    try {
      const un = pr.subscribe(cfg, () => { throw new Error("to the console"); });
      pr.register(cfg, "p", 1);
      un();
    } finally {
      console.error = original;
    }
    assert.equal(errors.length, 1);
    assert.equal(errors[0][0].message, "to the console");
    assert.equal(pr.whereis(cfg, "p"), 1);
  });

  test("stop: listeners hear every unregister, then the subscription ends", () => {
    const cfg = fresh("stop-listeners");
    const log = [];
    pr.subscribe(cfg, (e) => log.push(`${e.type}:${e.profile}`));
    pr.register(cfg, "a", 1);
    pr.register(cfg, "b", 2);
    pr.stop(cfg.registry);
    assert.deepEqual(log.slice(2).sort(), ["unregister:a", "unregister:b"]);
    pr.start(cfg.registry);
    pr.register(cfg, "c", 3);
    // Documented in index.d.ts ("The subscription ends when the registry is
    // stopped"): a listener does not follow the name across a restart.
    assert.equal(log.length, 4);
  });
});

describe("long runs", () => {
  // A seeded PRNG (mulberry32), so a failure is reproducible.
  function rng(seed) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  test("many register/unregister cycles keep whereis exact (against a Map model)", () => {
    const cfg = fresh("cycles");
    const random = rng(20261124);
    // 40 profiles of every kind; lists are rebuilt fresh on every use.
    const make = [];
    for (let i = 0; i < 10; i++) {
      make.push(() => `user-${i}`, () => i * 1000 - 5000, () => ["tenant", i, i % 2 === 0], () => [["deep", [i]], "x"]);
    }
    make.push(() => true, () => false);
    const model = new Map(); // index -> { handle, value }
    const dead = [];
    const events = [];
    const un = pr.subscribe(cfg, (e) => events.push(e.type));
    let expectedEvents = 0;
    for (let step = 0; step < 5000; step++) {
      const i = Math.floor(random() * make.length);
      const p = make[i]();
      const live = model.get(i);
      const r = random();
      if (r < 0.45) {
        const value = { step, i };
        if (live) {
          const e = thrown(() => pr.register(cfg, p, value));
          assert.equal(e.name, "AlreadyRegisteredError");
          assert.equal(e.handle, live.handle);
          assert.equal(e.existing, live.value);
        } else {
          const h = pr.register(cfg, p, value);
          model.set(i, { handle: h, value });
          expectedEvents++;
        }
      } else if (r < 0.8) {
        pr.unregister(cfg, p);
        if (live) {
          dead.push(live.handle);
          model.delete(i);
          expectedEvents++;
        }
      } else if (r < 0.9) {
        const out = pr.updateValue(cfg, p, (v) => ({ ...v, updated: step }));
        if (live) {
          assert.equal(out.updated, step);
          live.value = out;
          expectedEvents++;
        } else {
          assert.equal(out, undefined);
        }
      } else {
        // restart the profile under a new handle
        if (live) {
          pr.unregister(cfg, p);
          const h = pr.register(cfg, p, live.value);
          assert.notEqual(h, live.handle);
          dead.push(live.handle);
          model.set(i, { handle: h, value: live.value });
          expectedEvents += 2;
        }
      }
      // whereis (fast path and wasm path) and lookup agree with the model
      const want = model.get(i);
      assert.equal(pr.whereis(cfg, make[i]()), want?.value, `step ${step}: whereis`);
      assert.equal(pr.lookup(cfg, make[i]())?.handle, want?.handle, `step ${step}: lookup`);
      if (step % 250 === 0) {
        assert.equal(pr.count(cfg), model.size, `step ${step}: count`);
        for (const [j, { handle, value }] of model) {
          assert.equal(pr.whereis(cfg, make[j]()), value);
          assert.equal(pr.get(handle), value);
        }
        for (let j = 0; j < make.length; j++) if (!model.has(j)) assert.equal(pr.whereis(cfg, make[j]()), undefined);
        for (const h of dead) assert.equal(pr.isAlive(h), false, `step ${step}: a dead handle came back: ${h}`);
      }
    }
    assert.equal(new Set(dead).size, dead.length, "no handle was ever handed out twice");
    assert.equal(events.length, expectedEvents, "one event per change");
    assert.equal(pr.count(cfg), model.size);
    un();
    pr.stop(cfg.registry);
    for (const { handle } of model.values()) assert.equal(pr.isAlive(handle), false);
  });

  test("handles stay distinct across many restarts of one slot", () => {
    const cfg = fresh("generations");
    const seen = new Set();
    let prev;
    for (let i = 0; i < 2000; i++) {
      const h = pr.register(cfg, "only", i);
      assert.ok(!seen.has(h), `handle ${h} reused`);
      seen.add(h);
      if (prev) assert.equal(pr.get(prev), undefined);
      assert.equal(pr.get(h), i);
      pr.unregister(cfg, "only");
      prev = h;
    }
  });
});

test("the module keeps working after every kind of thrown error", async () => {
  const cfg = fresh("recovery");
  const h = pr.register(cfg, ["keep", 1], "kept");
  const probe = () => {
    assert.equal(pr.whereis(cfg, ["keep", 1]), "kept");
    assert.equal(pr.get(h), "kept");
    const t = pr.register(cfg, "probe", 1);
    assert.equal(pr.whereis(cfg, "probe"), 1);
    pr.unregister(cfg, "probe");
    assert.equal(pr.isAlive(t), false);
    assert.equal(pr.count(cfg), 1);
  };
  const throwingModule = { register() { throw new Error("r"); }, lookup() { throw new Error("l"); }, unregister() { throw new Error("u"); } };
  const getterThrows = { get registry() { throw new Error("getter"); } };
  const lengthThrows = new Proxy([], { get(t, k) { if (k === "length") throw new Error("length getter"); return Reflect.get(t, k); } });
  const itemThrows = new Proxy(["a"], { get(t, k) { if (k === "0") throw new Error("item getter"); return Reflect.get(t, k); } });
  let deep = "x";
  for (let i = 0; i < 50; i++) deep = [deep];
  const failures = [
    () => pr.register(cfg, ["keep", 1], "again"),
    () => pr.whereis({ registry: "PkgTest-never" }, "x"),
    () => pr.whereis(cfg, 0.1),
    () => pr.whereis(cfg, deep),
    () => pr.whereis(cfg, new Array(1000).fill(1)),
    () => pr.whereis(cfg, "é".repeat(600)),
    () => pr.whereis(cfg, lengthThrows),
    () => pr.lookup(cfg, itemThrows),
    () => pr.lookup(getterThrows, "x"),
    () => pr.whereis(getterThrows, "x"),
    () => pr.register({ registry: { module: throwingModule, name: "m" } }, "x", 1),
    () => pr.whereis({ registry: { module: throwingModule, name: "m" } }, "x"),
    () => pr.unregister({ registry: { module: throwingModule, name: "m" } }, "x"),
    () => pr.register({ registry: { module: { register: () => 1, lookup() {}, unregister() {} }, name: "m" } }, "x", 1),
    () => pr.updateValue(cfg, ["keep", 1], () => { throw new Error("fn"); }),
    () => pr.dispatch(cfg, ["keep", 1], () => { throw new Error("fn"); }),
    () => pr.get("1.2.3.4.5"),
    () => pr.get("99999999999999999999.1.1"),
    () => pr.start("x".repeat(300)),
    () => pr.plugModule("Registry", throwingModule),
    () => pr.plugModule("M", 5),
    () => pr.subscribe(cfg, "no"),
    () => pr.via(cfg, Symbol("s")),
    () => pr.checkProfile(10n),
    () => pr.initSync({ module: new Uint8Array([0, 1, 2]) }),
  ];
  for (const [i, f] of failures.entries()) {
    let threw = false;
    try {
      f();
    } catch {
      threw = true;
    }
    // initSync with junk is a no-op once loaded; every other call throws.
    if (i !== failures.length - 1) assert.ok(threw, `failure #${i} did not throw`);
    probe();
  }
  await withReportError(async (reported) => {
    const un = pr.subscribe(cfg, () => { throw new Error("listener"); });
    pr.register(cfg, "l", 1);
    pr.unregister(cfg, "l");
    un();
    assert.equal(reported.length, 2);
    probe();
  });
  // A listener that throws from inside a nested event.
  await withReportError(async (reported) => {
    const un = pr.subscribe(cfg, (e) => {
      if (e.profile === "outer") pr.register(cfg, "inner", 1);
      if (e.profile === "inner") throw new Error("nested");
    });
    pr.register(cfg, "outer", 1);
    un();
    assert.equal(reported.length, 1);
    assert.equal(pr.whereis(cfg, "inner"), 1);
    pr.unregister(cfg, "inner");
    pr.unregister(cfg, "outer");
    probe();
  });
});

describe("TypeScript consumer (tests/ts)", () => {
  test("tests/ts/check.sh: tsc --noEmit passes", async () => {
    const { stdout } = await promisify(execFile)("bash", [path.join(root, "tests/ts/check.sh")], { cwd: root });
    assert.match(stdout, /type-checks/);
  });

  test("consumer.ts runs against the package (types agree with the values)", async () => {
    // check.sh (above) made tests/ts/node_modules/profile-registry -> pkg/;
    // the transpiled file lives under that node_modules, so Node resolves
    // "profile-registry" through the package's exports ("node" condition).
    const esbuild = await import("esbuild");
    const src = fs.readFileSync(path.join(root, "tests/ts/consumer.ts"), "utf8");
    const { code } = await esbuild.transform(src, { loader: "ts", format: "esm", target: "es2022" });
    const outDir = path.join(root, "tests/ts/node_modules/.consumer");
    fs.mkdirSync(outDir, { recursive: true });
    const out = path.join(outDir, "consumer.mjs");
    fs.writeFileSync(out, code);
    const consumer = await import(pathToFileURL(out).href);
    // The consumer imports the same pkg/node.js instance as this file.
    assert.equal(consumer.main(), 1);
  });
});

// ---------------------------------------------------------------------------
// Input hardening: each of these was once a bug.
// ---------------------------------------------------------------------------
describe("input hardening", () => {
  let cfg;
  before(() => {
    cfg = fresh("bugs");
    pr.register(cfg, "alice", "alice's socket");
  });

  test("whereis' JS fast path rejects what the wasm path rejects", () => {
    // The same bad config: a miss throws InvalidConfigError / InvalidProfileError, a hit returns the value.
    assert.throws(() => pr.whereis([], "nobody"), { name: "InvalidConfigError" });
    pr.start();
    pr.register(undefined, "alice", 1);
    try {
      assert.throws(() => pr.whereis([], "alice"), { name: "InvalidConfigError" }, "an array as config");
      assert.throws(() => pr.whereis({ profile: {} }, "alice"), { name: "InvalidProfileError" }, "a config with a bad profile");
      assert.throws(() => pr.whereis({ registry: cfg.registry, profile: 1.5 }, "alice"), { name: "InvalidProfileError" });
      assert.throws(() => pr.whereis({ via: "Registry", name: "ProfileRegistry", profile: {} }, "alice"), { name: "InvalidProfileError" });
    } finally {
      pr.stop();
    }
  });

  test("a throwing getter in a config is an InvalidConfigError everywhere", () => {
    const bad = { get registry() { throw new Error("getter"); } };
    assert.throws(() => pr.lookup(bad, "alice"), { name: "InvalidConfigError" });
    assert.throws(() => pr.whereis(bad, "alice"), { name: "InvalidConfigError" });
    const badOwn = { get profile() { throw new Error("getter"); } };
    assert.throws(() => pr.whereis(badOwn, "alice"), { name: "InvalidConfigError" });
    assert.throws(() => pr.whereis(badOwn), { name: "InvalidConfigError" });
  });

  test("configs that are not plain objects give the same answers through the full path", () => {
    pr.register(cfg, "shape-1", "one");
    try {
      const bare = Object.assign(Object.create(null), cfg);
      class Settings { constructor() { this.registry = cfg.registry; } }
      for (const c of [bare, new Settings(), Object.freeze({ ...cfg })]) {
        assert.equal(pr.whereis(c, "shape-1"), "one");
        assert.equal(pr.whereis(c, "shape-2"), undefined);
        assert.throws(() => pr.whereis(c, 1.5), { name: "InvalidProfileError" });
      }
      for (const bad of [[], "Tenants", 7, () => {}]) {
        assert.throws(() => pr.whereis(bad, "shape-1"), { name: "InvalidConfigError" }, String(bad));
      }
    } finally {
      pr.unregister(cfg, "shape-1");
    }
  });

  test("a miss in a running registry is undefined, in a stopped one an error, whatever its size", () => {
    const one = { registry: "PkgTest-one-entry" };
    pr.start(one.registry);
    const reg = pr.bind(one);
    for (const entries of [0, 1, 2]) {
      for (let i = 0; i < entries; i++) pr.register(one, `e${i}`, i);
      assert.equal(pr.whereis(one, "missing"), undefined, `running, ${entries} entries`);
      assert.equal(reg.whereis("missing"), undefined, `bound, running, ${entries} entries`);
      pr.stop(one.registry);
      assert.throws(() => pr.whereis(one, "missing"), { name: "RegistryNotStartedError" }, `stopped after ${entries} entries`);
      assert.throws(() => pr.whereis(one, "e0"), { name: "RegistryNotStartedError" });
      assert.throws(() => reg.whereis("missing"), { name: "RegistryNotStartedError" });
      pr.start(one.registry);
    }
    pr.stop(one.registry);
  });

  test("whereis takes the config's own profile when none is passed, and checks it when both are", () => {
    pr.register(cfg, "own-1", "one");
    pr.register(cfg, "own-2", "two");
    try {
      assert.equal(pr.whereis({ ...cfg, profile: "own-1" }), "one");
      assert.equal(pr.whereis({ ...cfg, profile: "own-1" }, "own-2"), "two", "the explicit profile wins");
      assert.equal(pr.whereis(pr.via(cfg, "own-1")), "one");
      assert.equal(pr.whereis(pr.via(cfg, "own-1"), "own-2"), "two");
      assert.throws(() => pr.whereis({ ...cfg, profile: 1.5 }, "own-1"), { name: "InvalidProfileError" });
      assert.throws(() => pr.whereis({ ...cfg, profile: null }), { name: "InvalidProfileError" });
    } finally {
      pr.unregister(cfg, "own-1");
      pr.unregister(cfg, "own-2");
    }
  });

  test("strings with lone surrogates are not profiles (they would collapse into U+FFFD)", () => {
    const before = pr.keys(cfg);
    for (const p of ["\ud800", "a\udc00b", ["x", "\udfff"]]) {
      assert.throws(() => pr.register(cfg, p, "account"), { name: "InvalidProfileError" });
      assert.throws(() => pr.whereis(cfg, p), { name: "InvalidProfileError" });
    }
    assert.deepEqual(pr.keys(cfg), before);
    pr.register(cfg, "\ufffd", "a real U+FFFD");
    assert.equal(pr.whereis(cfg, "\ufffd"), "a real U+FFFD");
    pr.unregister(cfg, "\ufffd");
  });

  test("an array whose length getter throws is an InvalidProfileError", () => {
    const p = new Proxy([], { get(t, k) { if (k === "length") throw new Error("length getter"); return Reflect.get(t, k); } });
    assert.throws(() => pr.lookup(cfg, p), { name: "InvalidProfileError" });
  });

  test("a handle has one spelling (no sign, no leading zeros)", () => {
    const h = pr.lookup(cfg, "alice").handle;
    const [r, s, g] = h.split(".");
    assert.throws(() => pr.get(`+${r}.${s}.${g}`), { name: "InvalidHandleError" });
    assert.throws(() => pr.get(`0${r}.${s}.${g}`), { name: "InvalidHandleError" });
  });

  test("a via's list profile is frozen too", () => {
    const v = pr.via(cfg, ["acme", 1]);
    assert.ok(Object.isFrozen(v.profile), "via.profile (a list) is frozen");
  });
});
