// profile-registry: the package entry for browsers, workers and edge runtimes.
//
// Call `await init()` (or `initSync({ module })`) once before anything else;
// `profile-registry/node` does that for you in Node and Deno. The wasm
// decides (registries, handles, the connection machine); the JS here reads
// and guards every JS value and does what the wasm decides (see
// ARCHITECTURE.md).
/* @ts-self-types="./index.d.ts" */
import { exportsOf, instantiate, instantiateSync } from "./wasm.js";
import { setWasm, W } from "./boundary.js";
import { load } from "./load.js";

let instance; // the wasm instance's exports (its memory for __debug())

function ready(wasm) {
  if (instance === undefined) {
    instance = wasm.exports;
    setWasm(exportsOf(instance));
  }
  return instance;
}

/**
 * Loads and instantiates the wasm, once: a URL, Request, Response, bytes or
 * `WebAssembly.Module`, or `{ module_or_path }` of one (default: the
 * package's own file). Resolves to the instance's exports.
 */
export default async function init(input) {
  if (instance !== undefined) return instance;
  const given = input?.module_or_path ?? input;
  return ready(await load(() => instantiate(given ?? new URL("profile_registry_bg.wasm", import.meta.url)), given === undefined));
}

/** Instantiates the wasm synchronously, once, from bytes or a `WebAssembly.Module`, or `{ module }` of one (workerd: the imported module). */
export function initSync(module) {
  return instance ?? ready(instantiateSync(module?.module ?? module));
}

/** @internal The wasm's memory size and live connections, for leak checks. */
export function __debug() {
  const connections = W().conn_count();
  return { memoryBytes: instance.memory.buffer.byteLength, connections };
}

export {
  start, stop, registries, plugModule, unplugModule, resolve, via, whereis, bind, lookup, register, unregister,
  keys, count, updateValue, dispatch, get, isAlive, profileOf, checkProfile, subscribe, DEFAULT_MODULE, DEFAULT_NAME,
} from "./registry.js";
export { Connection, connect, __connCount } from "./connection.js";
export { connection } from "./find.js";
export {
  AlreadyRegisteredError, RegistryNotStartedError, UnknownModuleError, InvalidProfileError, InvalidConfigError,
  InvalidHandleError, RegistryModuleError, QueueFullError, ConnectionClosedError, InvalidDataError, NotInitializedError, UnsupportedRuntimeError,
  CrossRequestError,
} from "./errors.js";
