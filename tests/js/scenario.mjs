// A short, runtime-neutral scenario over the whole registry API of
// profile-registry. It takes the already-initialised module namespace (`pr`:
// `import * as pr from ".../pkg/node.js"`, or `index.js` after init /
// initSync) and uses only web-standard JS, so the same checks run in Node,
// Deno and workerd (see pkg.test.mjs, edge.test.mjs).
//
// It takes over the default registry and the registries named "Scenario*"
// (stopping them first and last), throws on the first failed check with a
// message naming it, and returns `{ checks }`: how many checks passed (the
// same number in every runtime).

const SECOND = "ScenarioTenants";
const NEVER = "ScenarioNeverStarted";

/** JSON with `undefined` spelled out, for messages and comparisons of profiles. */
function show(v) {
  if (v === undefined) return "undefined";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol" || typeof v === "function") return String(v);
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  try {
    return JSON.stringify(v, (_, x) => (x === undefined ? "<undefined>" : x));
  } catch {
    return String(v);
  }
}

export async function scenario(pr, log = () => {}) {
  let checks = 0;
  let section = "";
  const part = (name) => {
    section = name;
    log(`scenario: ${name}`);
  };
  const ok = (cond, what) => {
    if (!cond) throw new Error(`scenario check #${checks + 1} failed [${section}]: ${what}`);
    checks++;
  };
  const eq = (actual, expected, what) =>
    ok(Object.is(actual, expected) || (typeof actual === "object" && show(actual) === show(expected)), `${what}: expected ${show(expected)}, got ${show(actual)}`);
  // The error `f` throws, checked by `name` (and by `instanceof` the
  // package's class of that name).
  const throws = (f, name, what) => {
    let thrown;
    let threw = false;
    try {
      f();
    } catch (e) {
      thrown = e;
      threw = true;
    }
    ok(threw, `${what}: expected ${name}, but nothing was thrown`);
    ok(thrown instanceof Error && thrown.name === name, `${what}: expected ${name}, got ${thrown?.name}: ${thrown?.message ?? show(thrown)}`);
    ok(!pr[name] || thrown instanceof pr[name], `${what}: ${name} is not instanceof pr.${name}`);
    return thrown;
  };
  // count + keys (+ the values of the keys) of a default-module registry.
  const snapshot = (config) => {
    const keys = pr.keys(config);
    return show({ count: pr.count(config), keys, values: keys.map((k) => pr.whereis(config, k)) });
  };
  const unchanged = (before, config, what) => eq(snapshot(config), before, `${what}: the registry changed`);

  // ---------------------------------------------------------------------
  part("a clean slate; an unstarted registry names the fix");
  pr.stop();
  pr.stop(SECOND);
  pr.stop(NEVER);
  eq(pr.DEFAULT_MODULE, "Registry", "DEFAULT_MODULE");
  eq(pr.DEFAULT_NAME, "ProfileRegistry", "DEFAULT_NAME");
  {
    const e = throws(() => pr.whereis(undefined, "alice"), "RegistryNotStartedError", "whereis before start()");
    ok(e.message.includes("start("), `the message names start(: ${e.message}`);
    eq(e.registry, "ProfileRegistry", "RegistryNotStartedError.registry");
    const e2 = throws(() => pr.register({ registry: NEVER }, "alice", 1), "RegistryNotStartedError", "register in an unstarted registry");
    ok(e2.message.includes(`start("${NEVER}")`), `the message names start("${NEVER}"): ${e2.message}`);
    eq(e2.registry, NEVER, "RegistryNotStartedError.registry (named)");
    throws(() => pr.count(), "RegistryNotStartedError", "count before start()");
    throws(() => pr.subscribe(undefined, () => {}), "RegistryNotStartedError", "subscribe before start()");
  }

  // ---------------------------------------------------------------------
  part("start");
  eq(pr.start(), undefined, "start() returns nothing");
  pr.start(); // idempotent
  pr.start(SECOND);
  ok(pr.registries().includes("ProfileRegistry") && pr.registries().includes(SECOND), `registries(): ${show(pr.registries())}`);
  ok(!pr.registries().includes(NEVER), "an unstarted name is not listed");
  eq(pr.count(), 0, "a fresh registry is empty");

  // ---------------------------------------------------------------------
  part("register / whereis / lookup with every kind of profile");
  const sockets = {};
  const kinds = [
    ["string", "alice"],
    ["number", 42],
    ["negative number", -7],
    ["boolean", true],
    ["list", ["acme", 1]],
    ["nested list", ["acme", ["eu", 2], false]],
  ];
  const handles = new Map();
  for (const [kind, profile] of kinds) {
    const value = { kind };
    sockets[kind] = value;
    const h = pr.register(undefined, profile, value);
    ok(typeof h === "string" && h.length > 0, `register(${kind}) returns a handle, got ${show(h)}`);
    handles.set(kind, h);
    eq(pr.whereis(undefined, profile), value, `whereis(${kind})`);
    const entry = pr.lookup(undefined, profile);
    ok(entry !== undefined && entry.handle === h && entry.value === value, `lookup(${kind}) = { handle, value }`);
    eq(pr.get(h), value, `get(handle of ${kind})`);
    eq(pr.isAlive(h), true, `isAlive(handle of ${kind})`);
    eq(pr.profileOf(h), profile, `profileOf(handle of ${kind})`);
  }
  eq(new Set(handles.values()).size, kinds.length, "handles are distinct");
  eq(pr.whereis(undefined, ["acme", 1]), sockets.list, "a fresh [\"acme\", 1] finds the entry");
  eq(pr.whereis({ profile: ["acme", ["eu", 2], false] }), sockets["nested list"], "whereis({ profile: fresh nested list })");
  eq(pr.whereis(undefined, "42"), undefined, "the string \"42\" is not the number 42");
  eq(pr.whereis(undefined, 1), undefined, "the number 1 is not true");
  eq(pr.whereis(undefined, ["acme"]), undefined, "a prefix of a list is another profile");
  eq(pr.whereis(undefined, [["acme", 1]]), undefined, "a wrapped list is another profile");
  eq(pr.whereis(undefined, "bob"), undefined, "a miss is undefined");
  eq(pr.lookup(undefined, "bob"), undefined, "lookup of a miss is undefined");
  eq(pr.count(), kinds.length, "count()");
  eq(show(pr.keys().map(show).sort()), show(kinds.map(([, p]) => show(p)).sort()), "keys()");
  eq(pr.checkProfile(-0), 0, "checkProfile folds -0 into 0");
  eq(pr.whereis(undefined, -0 + 42), sockets.number, "a computed 42 finds 42");
  eq(pr.count({ registry: SECOND }), 0, "registries are separate");
  eq(pr.whereis({ registry: SECOND }, "alice"), undefined, "whereis in another registry");

  // ---------------------------------------------------------------------
  part("AlreadyRegisteredError carries the live owner; nothing changes");
  {
    const before = snapshot();
    const e = throws(() => pr.register(undefined, ["acme", 1], { kind: "intruder" }), "AlreadyRegisteredError", "a second register");
    eq(e.handle, handles.get("list"), "AlreadyRegisteredError.handle is the owner's");
    eq(e.existing, sockets.list, "AlreadyRegisteredError.existing is the owner's value");
    eq(e.profile, ["acme", 1], "AlreadyRegisteredError.profile");
    eq(e.registry, "ProfileRegistry", "AlreadyRegisteredError.registry");
    unchanged(before, undefined, "after AlreadyRegisteredError");
    eq(pr.isAlive(handles.get("list")), true, "the owner's handle stays alive");
  }

  // ---------------------------------------------------------------------
  part("a handle goes stale; the re-registration gets a new one");
  {
    const old = handles.get("string");
    eq(pr.unregister(undefined, "alice"), undefined, "unregister returns nothing");
    eq(pr.whereis(undefined, "alice"), undefined, "whereis after unregister");
    eq(pr.get(old), undefined, "get(old) after unregister");
    eq(pr.isAlive(old), false, "isAlive(old) after unregister");
    pr.unregister(undefined, "alice"); // absent is fine
    const restarted = { kind: "string", restart: 1 };
    const fresh = pr.register(undefined, "alice", restarted);
    ok(fresh !== old, `the new handle differs (${old} vs ${fresh})`);
    eq(pr.get(old), undefined, "get(old) after re-register is undefined, not the new value");
    eq(pr.isAlive(old), false, "isAlive(old) after re-register");
    eq(pr.profileOf(old), undefined, "profileOf(old) after re-register");
    eq(pr.get(fresh), restarted, "get(new)");
    eq(pr.whereis(undefined, "alice"), restarted, "whereis finds the restarted entry");
    handles.set("string", fresh);
    sockets.string = restarted;
  }

  // ---------------------------------------------------------------------
  part("vias");
  {
    const v = pr.via(undefined, "bob");
    ok(Object.isFrozen(v), "a via is frozen");
    eq({ ...v }, { via: "Registry", name: "ProfileRegistry", profile: "bob" }, "via(undefined, \"bob\")");
    let mutated = false;
    try {
      v.profile = "mallory";
      mutated = v.profile === "mallory";
    } catch {
      // strict mode: assigning to a frozen object's property throws
    }
    ok(!mutated && v.profile === "bob", "a via cannot be changed");
    const bob = { kind: "bob" };
    const h = pr.register(v, bob);
    ok(typeof h === "string", "register(via, value) returns a handle");
    eq(pr.whereis(v), bob, "whereis(via)");
    eq(pr.whereis(undefined, "bob"), bob, "the via's entry is the profile's");
    eq(pr.lookup(v).handle, h, "lookup(via)");
    throws(() => pr.register(v, { kind: "bob2" }), "AlreadyRegisteredError", "register(via) twice");
    const tv = pr.via({ registry: SECOND }, ["acme", 1]);
    eq({ ...tv }, { via: "Registry", name: SECOND, profile: ["acme", 1] }, "a via into a named registry");
    const tenant = { kind: "tenant" };
    pr.register(tv, tenant);
    eq(pr.whereis(tv), tenant, "whereis(via) in a named registry");
    eq(pr.whereis(undefined, ["acme", 1]), sockets.list, "the same profile in the default registry is another entry");
    eq(pr.whereis(pr.via({ registry: SECOND, profile: ["acme", 1] })), tenant, "via(config with profile)");
    pr.unregister(v);
    eq(pr.whereis(v), undefined, "unregister(via)");
    eq(pr.count({ registry: SECOND }), 1, "count of the named registry");
  }

  // ---------------------------------------------------------------------
  part("resolve and its defaults");
  eq(pr.resolve(), { module: "Registry", name: "ProfileRegistry" }, "resolve()");
  eq(pr.resolve({}), { module: "Registry", name: "ProfileRegistry" }, "resolve({})");
  eq(pr.resolve({ profile: "x" }), { module: "Registry", name: "ProfileRegistry" }, "resolve({ profile })");
  eq(pr.resolve({ registry: SECOND }), { module: "Registry", name: SECOND }, "resolve({ registry: name })");
  eq(pr.resolve({ registry: { name: SECOND } }), { module: "Registry", name: SECOND }, "resolve({ registry: { name } })");
  eq(pr.resolve({ registry: { module: "Horde", name: "Cluster" } }), { module: "Horde", name: "Cluster" }, "resolve({ registry: { module, name } })");
  eq(pr.resolve(pr.via({ registry: SECOND }, 1)), { module: "Registry", name: SECOND }, "resolve(via) = resolve(config)");

  // ---------------------------------------------------------------------
  part("subscribe with a re-entrant listener");
  {
    const events = [];
    let inside = null;
    const unsubscribe = pr.subscribe(undefined, (e) => {
      events.push(`${e.type} ${show(e.profile)}`);
      if (e.type === "register" && e.profile === "carol") {
        // Re-enter: read, register, update, all from inside the listener.
        inside = { self: pr.whereis(undefined, "carol"), count: pr.count() };
        pr.register(undefined, "carol-sidekick", { kind: "sidekick", of: pr.get(e.handle) });
        pr.updateValue(undefined, "carol", (old) => ({ ...old, seen: true }));
      }
    });
    ok(typeof unsubscribe === "function", "subscribe returns the unsubscribe function");
    const carol = { kind: "carol" };
    const h = pr.register(undefined, "carol", carol);
    ok(inside !== null && inside.self === carol, "the listener sees the new entry (whereis inside the listener)");
    eq(inside.count, kinds.length + 1, "the listener sees the new count");
    eq(pr.whereis(undefined, "carol-sidekick")?.of, carol, "the listener's own register took");
    eq(pr.whereis(undefined, "carol")?.seen, true, "the listener's update took");
    eq(pr.lookup(undefined, "carol").handle, h, "an update keeps the handle");
    eq(events, ['register "carol"', 'register "carol-sidekick"', 'update "carol"'], "events, nested ones included");
    const e = [];
    const un2 = pr.subscribe(undefined, (ev) => e.push(ev));
    pr.unregister(undefined, "carol-sidekick");
    eq(e.length, 1, "one event per change");
    eq(e[0].type, "unregister", "event.type");
    eq(e[0].registry, "ProfileRegistry", "event.registry");
    eq(e[0].profile, "carol-sidekick", "event.profile");
    ok(typeof e[0].handle === "string" && pr.isAlive(e[0].handle) === false, "event.handle (dead after unregister)");
    eq(e[0].value?.kind, "sidekick", "event.value is the removed value");
    eq(events.length, 4, "the first listener heard the unregister too");
    unsubscribe();
    unsubscribe(); // twice is fine
    un2();
    pr.unregister(undefined, "carol");
    eq(events.length, 4, "no events after unsubscribe");
    eq(e.length, 1, "no events after the second unsubscribe");
  }

  // ---------------------------------------------------------------------
  part("a pluggable JS module object");
  {
    const store = new Map();
    const calls = [];
    const key = (name, profile) => `${name}|${JSON.stringify(profile)}`;
    const mod = {
      name: "ScenarioMap",
      register(name, profile, value) {
        calls.push("register");
        if (store.has(key(name, profile))) return false;
        store.set(key(name, profile), value);
        return true;
      },
      lookup(name, profile) {
        calls.push("lookup");
        return store.get(key(name, profile));
      },
      unregister(name, profile) {
        calls.push("unregister");
        store.delete(key(name, profile));
      },
    };
    const cfg = { registry: { module: mod, name: "ScenarioCluster" } };
    eq(pr.resolve(cfg).module, mod, "resolve(config) gives the module object");
    const v = pr.via(cfg, ["acme", 7]);
    ok(Object.isFrozen(v) && v.via === mod && v.name === "ScenarioCluster", "via(config with a module object)");
    const value = { kind: "cluster" };
    eq(pr.register(v, value), undefined, "a module hands out no handle");
    ok(store.has('ScenarioCluster|["acme",7]'), "the module got (name, profile, value)");
    eq(pr.whereis(v), value, "whereis(via) goes through the module");
    eq(pr.whereis(cfg, ["acme", 7]), value, "whereis(config, fresh list)");
    const entry = pr.lookup(v);
    ok(entry && entry.handle === undefined && entry.value === value, "lookup(via) = { handle: undefined, value }");
    const e = throws(() => pr.register(cfg, ["acme", 7], { kind: "dup" }), "AlreadyRegisteredError", "register a held profile in a module");
    eq(e.existing, value, "AlreadyRegisteredError.existing from the module");
    eq(e.handle, undefined, "AlreadyRegisteredError.handle is undefined for a module");
    eq(e.registry, "ScenarioCluster", "AlreadyRegisteredError.registry for a module");
    eq(store.get('ScenarioCluster|["acme",7]'), value, "the module's entry is unchanged");
    throws(() => pr.count(cfg), "InvalidConfigError", "count() needs the default module");
    pr.plugModule("ScenarioMod", mod);
    eq(pr.whereis({ registry: { module: "ScenarioMod", name: "ScenarioCluster" } }, ["acme", 7]), value, "a plugged module by name");
    eq(pr.unplugModule("ScenarioMod"), true, "unplugModule");
    throws(() => pr.whereis({ registry: { module: "ScenarioMod", name: "ScenarioCluster" } }, ["acme", 7]), "UnknownModuleError", "an unplugged module");
    pr.unregister(v);
    eq(store.size, 0, "unregister(via) goes through the module");
    eq(pr.whereis(v), undefined, "whereis(via) after unregister");
    ok(calls.includes("register") && calls.includes("lookup") && calls.includes("unregister"), "every module method was called");
  }

  // ---------------------------------------------------------------------
  part("a throwing module: RegistryModuleError, nothing changed");
  {
    const store = new Map([["kept", 1]]);
    const fail = (what) => () => {
      throw new Error(`${what} is down`);
    };
    const broken = { name: "ScenarioBroken", register: fail("register"), lookup: fail("lookup"), unregister: fail("unregister") };
    const cfg = { registry: { module: broken, name: "ScenarioDown" } };
    const before = snapshot();
    const e = throws(() => pr.register(cfg, "x", 1), "RegistryModuleError", "register in a throwing module");
    ok(e.message.includes("register is down") && e.message.includes("ScenarioBroken"), `the message names the module and the cause: ${e.message}`);
    throws(() => pr.whereis(cfg, "x"), "RegistryModuleError", "whereis in a throwing module");
    throws(() => pr.lookup(cfg, "x"), "RegistryModuleError", "lookup in a throwing module");
    throws(() => pr.unregister(cfg, "x"), "RegistryModuleError", "unregister in a throwing module");
    const liar = { register: () => "yes", lookup: () => undefined, unregister: () => {} };
    throws(() => pr.register({ registry: { module: liar, name: "ScenarioDown" } }, "x", 1), "RegistryModuleError", "register returning a non-boolean");
    eq(show([...store]), show([["kept", 1]]), "the module's own state is unchanged");
    unchanged(before, undefined, "after RegistryModuleError");
    throws(() => pr.register({ registry: { module: { register() {} }, name: "x" } }, "x", 1), "InvalidConfigError", "a module object without lookup");
  }

  // ---------------------------------------------------------------------
  part("bad input: a typed error, the registry unchanged");
  {
    const before = snapshot();
    const beforeSecond = snapshot({ registry: SECOND });
    const badProfiles = [
      ["an object", { id: 1 }],
      ["a float", 1.5],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["an unsafe integer", 2 ** 53],
      ["a symbol", Symbol("p")],
      ["a function", () => "p"],
      ["a bigint", 1n],
      ["null", null],
      ["a list holding an object", ["acme", {}]],
      ["a list holding a float", ["acme", 0.5]],
      ["a too long string", "x".repeat(1025)],
    ];
    for (const [what, p] of badProfiles) {
      throws(() => pr.whereis(undefined, p), "InvalidProfileError", `whereis(${what})`);
      throws(() => pr.lookup(undefined, p), "InvalidProfileError", `lookup(${what})`);
      throws(() => pr.register(undefined, p, { kind: "bad" }), "InvalidProfileError", `register(${what})`);
      throws(() => pr.unregister(undefined, p), "InvalidProfileError", `unregister(${what})`);
      throws(() => pr.via(undefined, p), "InvalidProfileError", `via(${what})`);
      throws(() => pr.checkProfile(p), "InvalidProfileError", `checkProfile(${what})`);
      throws(() => pr.whereis({ profile: p }), "InvalidProfileError", `whereis({ profile: ${what} })`);
      unchanged(before, undefined, `after ${what} as a profile`);
    }
    // No profile at all: the config carries none either.
    throws(() => pr.whereis(undefined, undefined), "InvalidConfigError", "whereis(undefined profile)");
    throws(() => pr.register(undefined, undefined, 1), "InvalidConfigError", "register(undefined profile)");
    throws(() => pr.unregister({ registry: SECOND }), "InvalidConfigError", "unregister(config without a profile)");
    throws(() => pr.via(undefined), "InvalidConfigError", "via(undefined profile)");
    // Bad values and callbacks.
    throws(() => pr.register(undefined, "newcomer", undefined), "InvalidConfigError", "register(undefined value)");
    throws(() => pr.updateValue(undefined, "alice", "not a function"), "InvalidConfigError", "updateValue(non-function)");
    throws(() => pr.dispatch(undefined, "alice", 5), "InvalidConfigError", "dispatch(non-function)");
    throws(() => pr.subscribe(undefined, {}), "InvalidConfigError", "subscribe(non-function)");
    // Bad configs (a profile that is not registered, so every path decodes the config).
    const badConfigs = [
      ["a number", 5],
      ["a string", "ProfileRegistry"],
      ["null", null],
      ["a boolean", true],
      ["an array", []],
      ["a function", () => ({})],
      ["a numeric registry", { registry: 5 }],
      ["an empty registry name", { registry: "" }],
      ["a too long registry name", { registry: "r".repeat(257) }],
      ["a null registry", { registry: null }],
      ["a registry without a name", { registry: { module: "Registry" } }],
      ["a numeric module", { registry: { module: 5, name: "x" } }],
      ["a via without a name", { via: "Registry", profile: "x" }],
      ["a via with a numeric name", { via: "Registry", name: 1, profile: "x" }],
    ];
    for (const [what, cfg] of badConfigs) {
      throws(() => pr.whereis(cfg, "nobody"), "InvalidConfigError", `whereis(${what} as config)`);
      throws(() => pr.lookup(cfg, "alice"), "InvalidConfigError", `lookup(${what} as config)`);
      throws(() => pr.register(cfg, "nobody", 1), "InvalidConfigError", `register(${what} as config)`);
      throws(() => pr.unregister(cfg, "alice"), "InvalidConfigError", `unregister(${what} as config)`);
      throws(() => pr.count(cfg), "InvalidConfigError", `count(${what} as config)`);
      throws(() => pr.resolve(cfg), "InvalidConfigError", `resolve(${what} as config)`);
      unchanged(before, undefined, `after ${what} as a config`);
    }
    throws(() => pr.whereis({ via: "Registry", name: "ProfileRegistry", profile: 1.5 }), "InvalidProfileError", "a via with a float profile");
    throws(() => pr.start(""), "InvalidConfigError", "start(\"\")");
    throws(() => pr.start(7), "InvalidConfigError", "start(7)");
    throws(() => pr.stop({}), "InvalidConfigError", "stop({})");
    throws(() => pr.whereis({ registry: { module: "NoSuchModule", name: "x" } }, "alice"), "UnknownModuleError", "an unknown module name");
    throws(() => pr.whereis({ registry: NEVER }, "alice"), "RegistryNotStartedError", "an unstarted registry");
    for (const h of ["", "nonsense", "1.2", "1.2.3.4", "a.b.c", " 1.0.1"]) {
      throws(() => pr.get(h), "InvalidHandleError", `get(${show(h)})`);
      throws(() => pr.isAlive(h), "InvalidHandleError", `isAlive(${show(h)})`);
    }
    for (const h of [1, null, undefined, {}]) throws(() => pr.get(h), "InvalidHandleError", `get(${show(h)})`);
    eq(pr.get("999999.0.1"), undefined, "a forged, well-formed handle is a harmless miss");
    eq(pr.isAlive("999999.0.1"), false, "a forged handle is not alive");
    unchanged(before, undefined, "after every bad input");
    unchanged(beforeSecond, { registry: SECOND }, "after every bad input (named registry)");
    ok(pr.registries().includes("ProfileRegistry") && !pr.registries().includes(NEVER), "no registry was started or stopped by bad input");
    // Still fully working.
    const h = pr.register(undefined, "after-errors", { kind: "after" });
    eq(pr.whereis(undefined, "after-errors")?.kind, "after", "the module works after every error");
    pr.unregister(undefined, "after-errors");
    eq(pr.isAlive(h), false, "and its handles still go stale");
  }

  // ---------------------------------------------------------------------
  part("stop makes every handle dead");
  {
    const all = [...handles.values()];
    const heard = [];
    pr.subscribe(undefined, (e) => heard.push(e.type));
    const n = pr.count();
    eq(pr.stop(), true, "stop() returns true when running");
    eq(heard.length, n, "listeners hear one unregister per entry");
    ok(heard.every((t) => t === "unregister"), "stop() unregisters");
    for (const h of all) {
      eq(pr.isAlive(h), false, `isAlive(${h}) after stop`);
      eq(pr.get(h), undefined, `get(${h}) after stop`);
    }
    eq(pr.stop(), false, "stop() again returns false");
    ok(!pr.registries().includes("ProfileRegistry"), "registries() after stop");
    throws(() => pr.whereis(undefined, "bob"), "RegistryNotStartedError", "whereis after stop()");
    throws(() => pr.whereis(undefined, ["acme", 1]), "RegistryNotStartedError", "whereis(list) after stop()");
    pr.start();
    eq(pr.count(), 0, "a restarted registry is empty");
    eq(pr.whereis(undefined, "bob"), undefined, "a restarted registry holds nothing");
    const again = pr.register(undefined, ["acme", 1], { kind: "again" });
    ok(!all.includes(again), "handles of a restarted registry are new");
    for (const h of all) eq(pr.get(h), undefined, `an old handle stays dead after restart (${h})`);
    eq(pr.stop(), true, "stop the default registry");
    eq(pr.stop(SECOND), true, "stop the named registry");
  }

  log(`scenario: ${checks} checks passed`);
  return { checks };
}
