// profile-registry: the package entry for browsers, workers and edge runtimes.
//
// It re-exports the wasm bindings and adds what is cheaper in JS:
// - `whereis` reads the registry's mirror map first (one Map.get, no string
//   copy into wasm); lists and misses take the full path through wasm;
// - `register(via, value)`, the two-argument form for a via;
// - `subscribe` returns its unsubscribe function;
// - error classes that `instanceof` recognises by the error's `name`.
//
// Call `await init()` (or `initSync({ module })`) once before anything else;
// `profile-registry/node` does that for you in Node and Deno.
import init, * as wasm from "./profile_registry.js";

export default init;
export { initSync } from "./profile_registry.js";
export {
  start, stop, registries, plugModule, unplugModule, resolve, lookup, unregister,
  keys, count, get, isAlive, profileOf, checkProfile,
} from "./profile_registry.js";

/** The default registry module's name. */
export const DEFAULT_MODULE = "Registry";
/** The default registry's name. */
export const DEFAULT_NAME = "ProfileRegistry";

let mirrors; // Map<registry name, Map<scalar profile, value>>, owned by wasm
let lastName; // the last registry name resolved on the fast path...
let lastMirror; // ...and its mirror map (stable per name; `null` key = stopped)
let defaultMirror; // the default registry's mirror, once it exists

function mirrorOf(name) {
  if (name === lastName) return lastMirror;
  if (mirrors === undefined) mirrors = wasm.__mirrors();
  const m = mirrors.get(name);
  if (m !== undefined) {
    lastName = name;
    lastMirror = m;
    if (name === DEFAULT_NAME) defaultMirror = m;
  }
  return m;
}

// Whether a mirror's registry is running: a stopped one's map holds only
// the marker key `null` (the size test spares most misses the lookup).
const running = (m) => m.size !== 1 || !m.has(null);

const wellFormed = typeof String.prototype.isWellFormed === "function"
  ? (s) => s.isWellFormed()
  : () => false; // no fast answer for strings: wasm checks them

// A profile a running registry's mirror answers for, hit or miss: a scalar
// the registry accepts (341 UTF-16 units never exceed the 1024-byte limit).
function scalar(p) {
  const t = typeof p;
  if (t === "string") return p.length <= 341 && wellFormed(p);
  if (t === "number") return Number.isSafeInteger(p);
  return t === "boolean";
}

// mirrorOf with the default registry's mirror first: about 3 ns less per
// `whereis(via)` in V8 15 than mirrorOf alone.
const named = (name) => (name === DEFAULT_NAME && defaultMirror !== undefined ? defaultMirror : mirrorOf(name));
const NOT_FAST = Symbol("not fast");

/**
 * The live value registered under `profile`, or `undefined`.
 * `whereis(config, profile)`, `whereis(via)`, or `whereis({ profile })`.
 *
 * For a scalar profile in a registry of the default module this is one
 * `Map.get` on the registry's mirror, with no call into wasm; anything else
 * (lists, other modules, bad input) takes the full path, which validates.
 */
export function whereis(config, profile) {
  // Kept small so engines inline it into the caller's loop.
  let m = defaultMirror, p = profile;
  if (config !== undefined) {
    m = mirrorFor(config);
    if (m !== undefined) p = profileFor(config, profile);
  }
  if (m !== undefined) {
    const v = m.get(p);
    if (v !== undefined && p !== null) return v; // `null` is the stopped marker, never a profile
  }
  return whereisMiss(config, profile, m, p);
}

function whereisMiss(config, profile, m, p) {
  if (m === undefined && config === undefined) {
    m = mirrorOf(DEFAULT_NAME); // the first call: the default mirror is not cached yet
    const v = m?.get(p);
    if (v !== undefined && p !== null) return v;
  }
  if (m !== undefined && p !== NOT_FAST && running(m) && scalar(p)) return undefined;
  return wasm.whereis(config, profile);
}

// The mirror of the default-module registry a config or via names, or
// undefined when only wasm can answer (another module, a bad config, a
// throwing getter: wasm reports those as typed errors).
function mirrorFor(config) {
  if (config === null) return undefined;
  try {
    // Plain objects only (vias are too): arrays, primitives, functions, class
    // instances and null-prototype objects take the full path. Cheaper than
    // typeof + Array.isArray in current V8.
    if (config.constructor !== Object) return undefined;
    const via = config.via;
    if (via !== undefined) return via === DEFAULT_MODULE ? named(config.name) : undefined;
    const r = config.registry;
    if (r === undefined) return defaultMirror ?? mirrorOf(DEFAULT_NAME);
    return typeof r === "string" ? named(r) : undefined;
  } catch {
    return undefined;
  }
}

// The profile to look up: the config's own when none is passed; with both,
// NOT_FAST, so wasm checks the config's (it must be a valid profile too).
function profileFor(config, profile) {
  try {
    const own = config.profile;
    if (own === undefined) return profile;
    return profile === undefined ? own : NOT_FAST;
  } catch {
    return NOT_FAST;
  }
}

/**
 * A registry view bound to `config`, resolved once: `bind(config).whereis(p)`
 * is the hot path for code that looks up the same registry again and again
 * (one `Map.get` for a registered scalar profile). The view follows the
 * registry through stop and start.
 *
 * ```js
 * const reg = bind({ registry: "Tenants" });
 * reg.whereis("alice");          // the live value, or undefined
 * ```
 */
export function bind(config) {
  const { module, name } = wasm.resolve(config);
  if (module !== DEFAULT_MODULE) return Object.freeze({ whereis: (profile) => whereis(config, profile) });
  wasm.count(config); // throws RegistryNotStartedError, naming the fix, if it is not started
  const m = mirrorOf(name);
  const miss = (profile) => (running(m) && scalar(profile) ? undefined : wasm.whereis(config, profile));
  return Object.freeze({
    name,
    whereis(profile) {
      const v = m.get(profile);
      return v !== undefined && profile !== null ? v : miss(profile);
    },
  });
}

const isTarget = (c) => c !== null && typeof c === "object" && (c.via !== undefined || c.profile !== undefined);

/**
 * Registers `value` under `profile` and returns its handle;
 * `register(via, value)` and `register({ profile }, value)` take the
 * target's own profile.
 */
export function register(config, profile, value) {
  if (arguments.length === 2 && isTarget(config)) return wasm.register(config, undefined, profile);
  return wasm.register(config, profile, value);
}

/** Replaces the live value with `fn(old)`; `updateValue(via, fn)` works too. */
export function updateValue(config, profile, fn) {
  if (arguments.length === 2 && typeof profile === "function") return wasm.updateValue(config, undefined, profile);
  return wasm.updateValue(config, profile, fn);
}

/** Calls `fn(value, handle)` if registered; `dispatch(via, fn)` works too. */
export function dispatch(config, profile, fn) {
  if (arguments.length === 2 && typeof profile === "function") return wasm.dispatch(config, undefined, profile);
  return wasm.dispatch(config, profile, fn);
}

const names = new Map([[DEFAULT_NAME, DEFAULT_NAME]]); // one string object per registry name

/**
 * The frozen via-name `{ via, name, profile }` of `profile`. Its strings are
 * shared with the fast path, so `whereis(via)` compares them by identity.
 */
export function via(config, profile) {
  const v = wasm.via(config, profile);
  if (v.via !== DEFAULT_MODULE) return v;
  let name = names.get(v.name);
  if (name === undefined) names.set(v.name, (name = v.name));
  const p = typeof v.profile === "string" && typeof profile === "string" ? profile : v.profile;
  return Object.freeze({ via: DEFAULT_MODULE, name, profile: p });
}

/** Calls `listener(event)` on each change; returns the unsubscribe function. */
export function subscribe(config, listener) {
  const id = wasm.subscribe(config, listener);
  let live = true;
  return function unsubscribe() {
    if (live) { live = false; wasm.unsubscribe(id); }
  };
}

const EVENT_TYPES = ["open", "message", "close", "error", "reconnecting", "statechange"];
const CREATE = Symbol("create");
const HOLD = Symbol("hold");
const EMIT_KEY = Symbol.for("profile-registry.emit");
const checkType = (type) => {
  if (!EVENT_TYPES.includes(type)) {
    throw Object.assign(new TypeError(`unknown event type ${String(type)}; use one of ${EVENT_TYPES.join(", ")}`), { name: "InvalidConfigError" });
  }
};

/**
 * One WebSocket per profile, reconnecting with backoff; made by `connect`.
 * The same object is returned by `whereis` for its whole life, across
 * reconnects; each new socket gets a new `handle`.
 */
export class Connection {
  #id = -1;
  #profile;
  #listeners = new Map(); // type -> Set of functions
  #early; // events raised inside connect(), delivered in a microtask or before the next event
  #holding = false;

  constructor(token, profile) {
    if (token !== CREATE) throw new TypeError("use connect(config) to make a Connection");
    this.#profile = profile;
  }

  /** @internal */ static [CREATE](profile) { return new Connection(CREATE, profile); }
  /** @internal */ [CREATE](id) { this.#id = id; }
  /** @internal */ [HOLD](on) {
    this.#holding = on;
    if (on) this.#early = [];
    else queueMicrotask(() => this.#flushEarly());
  }

  #flushEarly() {
    const early = this.#early;
    this.#early = undefined;
    for (const [type, detail] of early ?? []) this[EMIT_KEY](type, detail);
  }

  /** The profile this connection belongs to. */
  get profile() { return this.#profile; }
  /** The handle of the current socket's registration (new on every reconnect). */
  get handle() { return wasm.__connInfo(this.#id).handle; }
  /** "connecting" | "open" | "reconnecting" | "closed". */
  get state() { return wasm.__connInfo(this.#id).state; }
  /** `{ state, handle, attempt, queued, queuedBytes, sockets }`. */
  info() { return wasm.__connInfo(this.#id); }

  /** Sends now when open, else queues (in order); throws QueueFullError past the queue's bounds. */
  send(data) { wasm.__connSend(this.#id, data, this.#profile); }

  /** Stops for good and releases the profile; queued messages are reported in the final close event's `rejected`. */
  close(code, reason) { wasm.__connClose(this.#id, code, reason); }

  /** Adds a listener; returns the function that removes it. */
  on(type, listener) {
    checkType(type);
    if (typeof listener !== "function") throw Object.assign(new TypeError("the listener must be a function"), { name: "InvalidConfigError" });
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    // A wrapper, so the same function added twice is two listeners and off() removes one.
    const entry = (e) => listener.call(this, e);
    set.add(entry);
    return () => { set.delete(entry); };
  }

  /** @internal called by the wasm side with each event. */
  [Symbol.for("profile-registry.emit")](type, detail) {
    if (this.#early !== undefined) {
      // Raised inside connect(): held for the listeners added right after
      // it, and delivered before anything that happens later.
      if (this.#holding) {
        this.#early.push([type, detail]);
        return;
      }
      this.#flushEarly();
    }
    const set = this.#listeners.get(type);
    if (!set || set.size === 0) return;
    const event = Object.assign(detail, { type, target: this });
    for (const f of [...set]) {
      if (!set.has(f)) continue; // removed by an earlier listener
      try { f(event); } catch (err) { report(err); }
    }
  }
}

function report(err) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(err);
  else console.error(err);
}

const EMIT = Symbol.for("profile-registry.emit");
let lastConnectionId = 0;

/**
 * Connects `config.profile` to `config.url`, one socket per profile. See the
 * README for the options (`onDuplicate`, `WebSocket`, `reconnect`, `queue`,
 * `protocols`, `connectTimeoutMs`, `registry`).
 */
export function connect(config) {
  const profile = config !== null && typeof config === "object" && config.profile !== undefined
    ? wasm.checkProfile(config.profile)
    : undefined;
  const conn = Connection[CREATE](Array.isArray(profile) ? Object.freeze(profile) : profile);
  const id = ++lastConnectionId;
  conn[CREATE](id); // known before it is registered: its register event may read it
  conn[HOLD](true); // events raised inside connect() reach listeners added right after it
  try {
    const r = wasm.__connect(config, conn, (type, detail) => conn[EMIT](type, detail), id);
    return "existing" in r ? r.existing : conn;
  } finally {
    conn[HOLD](false);
  }
}

function errorClass(name) {
  // Errors are plain `Error`s whose `name` is the kind; `instanceof` checks that.
  const cls = {
    [name]: class extends Error {
      constructor(message) { super(message); this.name = name; }
      static [Symbol.hasInstance](e) { return e instanceof Error && e.name === name; }
    },
  }[name];
  return cls;
}

export const AlreadyRegisteredError = errorClass("AlreadyRegisteredError");
export const RegistryNotStartedError = errorClass("RegistryNotStartedError");
export const UnknownModuleError = errorClass("UnknownModuleError");
export const InvalidProfileError = errorClass("InvalidProfileError");
export const InvalidConfigError = errorClass("InvalidConfigError");
export const InvalidHandleError = errorClass("InvalidHandleError");
export const RegistryModuleError = errorClass("RegistryModuleError");
export const QueueFullError = errorClass("QueueFullError");
export const ConnectionClosedError = errorClass("ConnectionClosedError");
export const InvalidDataError = errorClass("InvalidDataError");
