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
  start, stop, registries, plugModule, unplugModule, resolve, via, lookup, unregister,
  keys, count, updateValue, dispatch, get, isAlive, profileOf, checkProfile,
} from "./profile_registry.js";

/** The default registry module's name. */
export const DEFAULT_MODULE = "Registry";
/** The default registry's name. */
export const DEFAULT_NAME = "ProfileRegistry";

let mirrors; // Map<registry name, Map<scalar profile, value>>, owned by wasm
let lastName; // the last registry name resolved on the fast path...
let lastMirror; // ...and its mirror map (stable per name)

function mirrorOf(name) {
  if (name === lastName) return lastMirror;
  if (mirrors === undefined) mirrors = wasm.__mirrors();
  const m = mirrors.get(name);
  if (m !== undefined) { lastName = name; lastMirror = m; }
  return m;
}

/**
 * The live value registered under `profile`, or `undefined`.
 * `whereis(config, profile)`, `whereis(via)`, or `whereis({ profile })`.
 */
export function whereis(config, profile) {
  let name = DEFAULT_NAME;
  if (config !== undefined) {
    if (typeof config !== "object" || config === null) return wasm.whereis(config, profile);
    if (config.via !== undefined) {
      if (config.via !== DEFAULT_MODULE) return wasm.whereis(config, profile);
      name = config.name;
    } else {
      const r = config.registry;
      if (r !== undefined) {
        if (typeof r !== "string") return wasm.whereis(config, profile);
        name = r;
      }
    }
    if (profile === undefined) profile = config.profile;
  }
  const t = typeof profile;
  if (t === "string" || t === "number" || t === "boolean") {
    const m = mirrorOf(name);
    if (m !== undefined) {
      const v = m.get(profile);
      if (v !== undefined) return v;
    }
  }
  return wasm.whereis(config, profile);
}

/**
 * Registers `value` under `profile` and returns its handle;
 * `register(via, value)` takes the via's own profile.
 */
export function register(config, profile, value) {
  if (arguments.length === 2 && config !== null && typeof config === "object" && config.via !== undefined) {
    return wasm.register(config, undefined, profile);
  }
  return wasm.register(config, profile, value);
}

/** Calls `listener(event)` on each change; returns the unsubscribe function. */
export function subscribe(config, listener) {
  const id = wasm.subscribe(config, listener);
  let live = true;
  return function unsubscribe() {
    if (live) { live = false; wasm.unsubscribe(id); }
  };
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
