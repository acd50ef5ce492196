// The registry functions. The wasm decides which profile is registered
// under which handle; the values live here, in one mirror per running
// registry (a Map from scalar profile to value, and `lists` from a list
// profile's canonical JSON to value), kept equal to the wasm's entries by
// the registry events of every call, so `whereis` is a `Map.get` in JS.
import { W, ok, drain, apply, later } from "./boundary.js";
import { configError, typed } from "./errors.js";
import {
  DEFAULT_MODULE, DEFAULT_NAME, checkConfig, configTarget, describe, isArray, get as read, profileJson, readError,
  readModule, readName, readProfile, readTarget, viaTarget, wellFormed,
} from "./read.js";

const mirrors = new Map(); // registry name -> mirror of the running registry
const listeners = new Map(); // registry name -> Set of { f, live }
const plugged = new Map(); // module name -> readModule(obj)
const stopping = new Map(); // registry name -> its mirror, while stop() applies its events
let defaultMirror; // mirrors.get(DEFAULT_NAME), cached for the fast path

/** The value a register or update event carries: set by the call that causes it. */
export const pending = { v: undefined, k: undefined };

const VIA = Symbol("profile-registry.via"); // a via's own mirror and key, for the fast path

const isScalar = (p) => typeof p !== "object";

/** The registry events of a call: the mirror first, then the listeners (queued). */
apply.reg = ([, type, registry, profile, handle, restart]) => {
  const m = mirrors.get(registry) ?? stopping.get(registry);
  if (m === undefined) return;
  const list = !isScalar(profile);
  const map = list ? m.lists : m;
  const key = list ? JSON.stringify(profile) : pending.k === profile ? pending.k : profile;
  // A restart (a new handle for the same entry) keeps the value where it is.
  const value = restart || type === "unregister" ? map.get(key) : pending.v;
  if (restart) { /* kept */ } else if (type === "unregister") map.delete(key);
  else map.set(key, value);
  for (const rec of listeners.get(registry) ?? []) {
    later(callListener, { rec, event: { type, registry, profile: list ? deepCopy(profile) : profile, handle, value } });
  }
};

const deepCopy = (p) => (isScalar(p) ? p : p.map(deepCopy));

function callListener({ rec, event }) {
  if (rec.live) rec.f(event);
}

/** The mirror of a running default-module registry, or RegistryNotStartedError. */
function mirrorOf(name) {
  const m = mirrors.get(name);
  if (m === undefined) ok(W().error(2, name, ""));
  return m;
}

/** The profile a call means: the one given, else the config's own. */
function pick(own, given) {
  if (given !== undefined) {
    if (own !== undefined) ok(W().check(profileJson(own))); // the config's own must be valid too
    return given;
  }
  if (own === undefined) throw configError("no profile given: pass one, or use a config or via that carries one");
  return own;
}

/** A module by name or object: `null` for the default, else `readModule`'s result. */
export function moduleOf(t) {
  if (t.module === DEFAULT_MODULE) return null;
  if (typeof t.module !== "string") return t.module;
  const m = plugged.get(t.module);
  if (m === undefined) ok(W().error(0, t.module, ""));
  return m;
}

function local(t, call) {
  if (t.module !== DEFAULT_MODULE) {
    throw configError(`${call}() works with the default "Registry" module only; the module contract has register, lookup and unregister`);
  }
  return t.name;
}

/** The RegistryModuleError of module `fns`: what it did wrong. */
function moduleError(fns, what) {
  let n;
  try { n = fns.obj.name; } catch { /* a name that cannot be read */ }
  return typed("RegistryModuleError", `registry module ${JSON.stringify(typeof n === "string" ? n : "(module object)")} failed: ${what}`);
}

/** Calls a module's method; what it throws becomes a RegistryModuleError. */
export function callModule(fns, method, name, json, value) {
  const args = [name, JSON.parse(json)];
  if (method === "register") args.push(value);
  try {
    return fns[method].apply(fns.obj, args);
  } catch (e) {
    throw moduleError(fns, `${method} threw ${describe(e)}`);
  }
}

/** Throws the AlreadyRegisteredError of profile `json` in registry `name`, `existing` its live value. */
export function alreadyRegistered(name, json, existing) {
  try { ok(W().error(1, name, json)); } catch (err) {
    err.existing = existing;
    throw err;
  }
}

/** Registers `value` through the module `fns`: a `false` is an AlreadyRegisteredError, anything but a boolean a RegistryModuleError. */
export function moduleRegister(fns, t, json, value) {
  const took = callModule(fns, "register", t.name, json, value);
  if (took === true) return;
  if (took === false) alreadyRegistered(t.name, json, callModule(fns, "lookup", t.name, json));
  throw moduleError(fns, `register must return true or false, returned ${describe(took)}`);
}

/** Starts the registry `name` (default "ProfileRegistry") in this realm; idempotent. */
export function start(name = DEFAULT_NAME) {
  readName(name, 0, "a registry name");
  ok(W().start(name));
  if (mirrors.has(name)) return;
  const m = new Map(); // the mirror: scalar profile -> value, and `lists`
  m.lists = new Map();
  m.running = true;
  mirrors.set(name, m);
  if (name === DEFAULT_NAME) defaultMirror = m;
}

/** Stops the registry `name`: every entry is unregistered (listeners hear of each); returns whether it was running. */
export function stop(name = DEFAULT_NAME) {
  readName(name, 0, "a registry name");
  const was = W().stop(name);
  const m = mirrors.get(name); // there while the registry runs (start() makes it)
  if (was) {
    // Out of the table before anyone hears of it; its events still apply to it.
    mirrors.delete(name);
    if (defaultMirror === m) defaultMirror = undefined;
    stopping.set(name, m);
  }
  drain(was && (() => {
    m.running = false;
    m.clear();
    m.lists.clear();
    stopping.delete(name);
    listeners.delete(name); // queued events still reach the listeners of their time
  }));
  return was;
}

/** The names of the running registries. */
export function registries() {
  return JSON.parse(W().names());
}

/** Plugs a JS module object in under `name`, so configs can name it. */
export function plugModule(name, module) {
  readName(name, 1, "a module name");
  if (name === DEFAULT_MODULE) {
    throw configError(`the module name "${DEFAULT_MODULE}" belongs to the default module; plug yours under another name`);
  }
  plugged.set(name, readModule(module, "plugModule needs a module object with register, lookup and unregister"));
}

/** @internal Plugs a built-in module (profile-registry/weblocks) in; it may run before `init()`. */
export function plugBuiltIn(name, module) {
  plugged.set(name, readModule(module));
}

/** Removes a module plugged with `plugModule`; returns whether it was. */
export function unplugModule(name) {
  W();
  return typeof name === "string" && plugged.delete(name);
}

/** `{ module, name }`: which module and registry a config (or via) means. */
export function resolve(config) {
  W();
  const t = readTarget(config, "resolve:");
  return { module: t.module.obj ?? t.module, name: t.name };
}

/** The frozen via-name `{ via, name, profile }` of a profile; usable wherever a config is. */
export function via(config, profile) {
  const t = readTarget(config, "via");
  const p = readProfile(pick(t.profile, profile));
  const v = { via: t.module.obj ?? t.module, name: t.name, profile: p.value };
  const m = t.module === DEFAULT_MODULE ? mirrors.get(t.name) : undefined;
  if (m !== undefined) {
    const list = !isScalar(p.value);
    Object.defineProperty(v, VIA, { value: { m: list ? m.lists : m, p: list ? p.json : p.value } });
  }
  return Object.freeze(v);
}

const WHEREIS = "whereis";

/**
 * The live value registered under the profile, or `undefined`:
 * `whereis(config, profile)`, `whereis(via)`, `whereis({ profile })`. For a
 * registry of the default module it is one `Map.get`, with no call into wasm.
 */
export function whereis(config, profile) {
  if (config === undefined) {
    const m = defaultMirror;
    if (m !== undefined) {
      const v = m.get(profile);
      if (v !== undefined) return v;
    }
    return whereisIn(readTarget(config, WHEREIS), profile);
  }
  if (profile === undefined) {
    try {
      const t = config[VIA];
      if (t !== undefined) {
        const v = t.m.get(t.p);
        if (v !== undefined) return v;
      }
    } catch { /* a Proxy that throws or forges a via: read below as a config */ }
  }
  // A config's keys, read once. Read first: once the engine has checked the
  // object's shape for them, the checks after them cost nothing (null and
  // revoked Proxies throw here, and are told apart in the catch).
  let k = "via", via, own, registry, array;
  try {
    if ((via = config.via) === undefined) {
      k = "profile";
      own = config.profile;
      k = "registry";
      registry = config.registry;
    }
    array = Array.isArray(config);
  } catch (e) {
    if (k === "via") checkConfig(config, WHEREIS); // null, a revoked Proxy: not a config at all
    throw readError(k, e);
  }
  // A plain `{}` or `{ registry: "Name" }`: answered from the mirror.
  if (typeof config === "object" && !array && via === undefined && own === undefined && profile !== undefined) {
    const m = registry === undefined ? defaultMirror : typeof registry === "string" ? mirrors.get(registry) : undefined;
    if (m !== undefined) {
      const v = m.get(profile);
      if (v !== undefined || mirrorable(profile)) return v;
    }
  }
  return whereisRead(config, profile, via, own, registry);
}

/** whereis of a value whose keys `whereis` read: not a config, or through a via, the wasm, or a module. */
function whereisRead(config, profile, via, own, registry) {
  checkConfig(config, WHEREIS);
  if (via !== undefined) return whereisIn(viaTarget(via, read(config, "name"), read(config, "profile")), profile);
  return whereisIn(configTarget(registry, own), profile);
}

// Scalars a running mirror answers for without asking the wasm: 341 UTF-16
// units never pass the 1024-byte limit.
const mirrorable = (p) => (typeof p === "string" ? p.length <= 341 && wellFormed(p) : typeof p === "number" ? Number.isSafeInteger(p) : typeof p === "boolean");

function whereisIn(t, profile) {
  const p = pick(t.profile, profile);
  const fns = moduleOf(t);
  if (fns === null) return mirrorGet(mirrorOf(t.name), p);
  const json = ok(W().check(profileJson(p)));
  return callModule(fns, "lookup", t.name, json);
}

function mirrorGet(m, p) {
  if (mirrorable(p)) return m.get(p);
  const json = ok(W().check(profileJson(p)));
  return isScalar(p) ? m.get(typeof p === "number" ? Number(json) : p) : m.lists.get(json);
}

/**
 * A registry view bound to `config`, resolved once: `bind(config).whereis(p)`
 * is the hot path (one `Map.get` for a registered scalar profile). It
 * follows the registry through stop and start.
 */
export function bind(config) {
  const t = readTarget(config, "bind:");
  if (t.module !== DEFAULT_MODULE) return Object.freeze({ whereis: (p) => whereisIn(t, p) });
  const name = t.name;
  let m = mirrorOf(name);
  const miss = (p) => {
    if (!m.running) m = mirrors.get(name) ?? m;
    return mirrorGet(m.running ? m : mirrorOf(name), p); // stopped: RegistryNotStartedError
  };
  return Object.freeze({
    name,
    whereis(p) {
      const v = m.get(p);
      return v !== undefined ? v : miss(p);
    },
  });
}

/** `{ handle, value }` of the live entry, or `undefined`. */
export function lookup(config, profile) {
  const t = readTarget(config, "lookup");
  return lookupIn(t, pick(t.profile, profile));
}

function lookupIn(t, p) {
  const json = profileJson(p);
  const fns = moduleOf(t);
  if (fns !== null) {
    const value = callModule(fns, "lookup", t.name, ok(W().check(json)));
    return value === undefined ? undefined : { handle: undefined, value };
  }
  const h = ok(W().lookup(t.name, json));
  return h === "" ? undefined : { handle: h, value: mirrorGet(mirrors.get(t.name), p) };
}

function checkValue(value, call) {
  if (value === undefined) throw configError(`${call}: the value must not be undefined (whereis answers undefined for "none")`);
}

/**
 * Registers `value` under the profile and returns its handle (`undefined`
 * for modules); `register(via, value)` takes the via's profile.
 */
export function register(config, profile, value) {
  if (arguments.length === 2 && config !== null && typeof config === "object" && !isArray(config)) return registerIn(config, undefined, profile);
  return registerIn(config, profile, value);
}


function registerIn(config, profile, value) {
  const t = readTarget(config, "register");
  const p = pick(t.profile, profile);
  const json = profileJson(p);
  checkValue(value, "register");
  const fns = moduleOf(t);
  if (fns !== null) {
    moduleRegister(fns, t, ok(W().check(json)), value);
    return undefined;
  }
  return registerLocal(t.name, p, json, value, () => W().register(t.name, json));
}

/** Runs a wasm call that registers `value` under `p` in `name`, with its events. */
export function registerLocal(name, p, json, value, call) {
  pending.v = value;
  pending.k = isScalar(p) ? p : undefined;
  let r;
  try {
    r = call();
    drain();
  } finally {
    pending.v = pending.k = undefined;
  }
  try {
    return ok(r);
  } catch (e) {
    if (e.name === "AlreadyRegisteredError") e.existing = mirrorGet(mirrors.get(name), p);
    throw e;
  }
}

/** Unregisters the profile; an absent profile is fine. */
export function unregister(config, profile) {
  const t = readTarget(config, "unregister");
  const json = profileJson(pick(t.profile, profile));
  const fns = moduleOf(t);
  if (fns !== null) {
    callModule(fns, "unregister", t.name, ok(W().check(json)));
    return;
  }
  const r = W().unregister(t.name, json);
  drain();
  ok(r);
}

/** The registered profiles (fresh arrays for lists). */
export function keys(config) {
  return JSON.parse(ok(W().keys(local(readTarget(config, "keys:"), "keys"))));
}

/** How many profiles are registered. */
export function count(config) {
  return Number(ok(W().count(local(readTarget(config, "count:"), "count"))));
}

function fnArg(f, what) {
  if (typeof f !== "function") throw configError(`${what} must be a function, got ${describe(f)}`);
  return f;
}

/** Replaces the live value with `fn(old)` and returns it; `updateValue(via, fn)` works too. A throwing `fn` changes nothing. */
export function updateValue(config, profile, fn) {
  if (arguments.length === 2 && typeof profile === "function") [profile, fn] = [undefined, profile];
  const t = readTarget(config, "updateValue");
  const p = pick(t.profile, profile);
  const json = profileJson(p);
  fnArg(fn, "updateValue's second argument");
  const name = local(t, "updateValue");
  const h = ok(W().lookup(name, json));
  if (h === "") return undefined;
  const next = fn(mirrorGet(mirrors.get(name), p));
  checkValue(next, "updateValue's function");
  const r = registerLocal(name, p, json, next, () => W().update(name, json, h));
  return r === "1" ? next : undefined;
}

/** Calls `fn(value, handle)` with the live entry and returns its result; `dispatch(via, fn)` works too. */
export function dispatch(config, profile, fn) {
  if (arguments.length === 2 && typeof profile === "function") [profile, fn] = [undefined, profile];
  const t = readTarget(config, "dispatch");
  const p = pick(t.profile, profile);
  fnArg(fn, "dispatch's second argument");
  const e = lookupIn(t, p);
  return e === undefined ? undefined : fn(e.value, e.handle);
}

/** `[registry, profile]` of a live handle, or undefined; a non-handle is an InvalidHandleError. */
function entryOf(handle) {
  if (typeof handle !== "string") {
    throw typed("InvalidHandleError", `invalid handle: ${describe(handle)} is not a handle; use a handle returned by register or lookup`);
  }
  const e = ok(W().entry(handle.length > 64 ? `${handle.slice(0, 64)}...` : handle));
  return e === "" ? undefined : JSON.parse(e);
}

/** The live value behind a handle, or `undefined` once it is stale. */
export function get(handle) {
  const e = entryOf(handle);
  return e === undefined ? undefined : mirrorGet(mirrors.get(e[0]), e[1]);
}

/** Whether a handle names a live entry. */
export function isAlive(handle) {
  return entryOf(handle) !== undefined;
}

/** The profile behind a live handle, or `undefined`. */
export function profileOf(handle) {
  return entryOf(handle)?.[1];
}

/** A profile as the registry sees it (a fresh array for lists), or InvalidProfileError. */
export function checkProfile(value) {
  return JSON.parse(ok(W().check(profileJson(value))));
}

/** Calls `listener(event)` after each change of the registry, in order; returns `unsubscribe()`. */
export function subscribe(config, listener) {
  const name = local(readTarget(config, "subscribe:"), "subscribe");
  fnArg(listener, "the listener");
  mirrorOf(name);
  let subs = listeners.get(name);
  if (subs === undefined) listeners.set(name, (subs = new Set()));
  const rec = { f: listener, live: true };
  subs.add(rec);
  return function unsubscribe() {
    rec.live = false;
    subs.delete(rec);
  };
}

export { DEFAULT_MODULE, DEFAULT_NAME };
