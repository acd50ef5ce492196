// Type declarations of the `profile-registry` package (both entries:
// `profile-registry` / `profile-registry/web` and `profile-registry/node`).
//
// The runtime is js/index.js (plus the wasm-bindgen glue in
// profile_registry.js); every signature below mirrors a function there or in
// src/bindings/api.rs. Inputs that TypeScript cannot rule out (a float as a
// profile, an unstarted registry, ...) are still checked at run time and
// throw the typed errors declared at the end.

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/**
 * The key an entry is registered under: a string (at most 1024 UTF-8 bytes),
 * a safe integer, a boolean, or an array of these (at most 64 items, nested at
 * most 8 levels). Compared by value: a fresh `["acme", 1]` finds the entry
 * registered under another `["acme", 1]` array.
 *
 * A number must be a safe integer (no fraction, NaN or infinity); TypeScript
 * cannot tell, so a float throws {@link InvalidProfileError} at run time.
 */
export type Profile = string | number | boolean | readonly Profile[];

/**
 * A generational handle to one registration (its text form is
 * `"registry.slot.generation"`, e.g. `"1.0.1"`). It names that registration
 * only: once the profile is unregistered (or the registry stopped) the handle
 * reads as dead, even after the profile is registered again under a new
 * handle. Treat it as opaque; it is a string so it can be stored or sent.
 */
export type Handle = string & { readonly __brand: "ProfileRegistryHandle" };

/**
 * The contract of a pluggable registry module (Elixir's `Registry` / `:via`
 * contract). Any object with these three methods can be passed as
 * `registry.module` (or a via's `via`), or plugged in by name with
 * {@link plugModule}; the library calls it with `this` bound to the object.
 *
 * @example
 * ```ts
 * const entries = new Map<string, WebSocket>();
 * const flat: RegistryModule<WebSocket> = {
 *   name: "Flat",
 *   register(name, key, value) {
 *     const k = name + JSON.stringify(key);
 *     if (entries.has(k)) return false; // held: register() throws AlreadyRegisteredError
 *     entries.set(k, value);
 *     return true;
 *   },
 *   lookup: (name, key) => entries.get(name + JSON.stringify(key)),
 *   unregister: (name, key) => void entries.delete(name + JSON.stringify(key)),
 * };
 * register({ registry: { module: flat, name: "Chats" } }, "alice", socket);
 * ```
 */
export interface RegistryModule<V = unknown> {
  /**
   * Registers `value` under `key` in the registry `name`: `true` when it
   * took, `false` when the key is held. Anything else (or a throw) is a
   * {@link RegistryModuleError}.
   */
  register(name: string, key: Profile, value: V): boolean;
  /** The live value of `key` in the registry `name`, or `undefined`. */
  lookup(name: string, key: Profile): V | undefined;
  /** Removes `key` from the registry `name`; an absent key is fine. */
  unregister(name: string, key: Profile): void;
  /** Optional label used in {@link RegistryModuleError} messages. */
  readonly name?: string;
}

/**
 * The `registry` key of a config: a registry name under the default module
 * (`"Registry"`), or a module (a name given to {@link plugModule}, or a
 * module object) and a registry name.
 */
export type RegistryRef = string | { module?: string | RegistryModule<any>; name: string };

/**
 * A config, as far as the registry is concerned: which registry
 * (`registry`, default {@link DEFAULT_NAME} under {@link DEFAULT_MODULE}) and,
 * optionally, the config's own profile, used when a call names none. Other
 * keys (connection options) are ignored here.
 */
export type Config = {
  profile?: Profile;
  registry?: RegistryRef;
  [k: string]: unknown;
};

/**
 * The restart-safe name of one profile's entry, Elixir's
 * `{:via, module, {name, profile}}`: a frozen object made by {@link via},
 * accepted wherever a config is and carrying its own profile.
 */
export type Via<P extends Profile = Profile> = Readonly<{
  via: string | RegistryModule<any>;
  name: string;
  profile: P;
}>;

/** What every call takes to name a registry: a config, a via, or `undefined` for the defaults. */
export type Target = Config | Via | undefined;

/** A config or via that carries its own profile. */
export type TargetWithProfile = Via | (Config & { profile: Profile });

/** Which module and registry name a config means (the result of {@link resolve}). */
export interface RegistrySpec {
  /** The module's name (`"Registry"` by default), or the module object itself. */
  module: string | RegistryModule<any>;
  /** The registry's name (`"ProfileRegistry"` by default). */
  name: string;
}

/** A live entry (the result of {@link lookup}). */
export interface Entry<V = unknown> {
  /** Its handle; `undefined` for pluggable modules, which hand out none. */
  handle: Handle | undefined;
  /** The registered value. */
  value: V;
}

/** What a {@link subscribe} listener receives after each change. */
export type RegistryEvent<V = unknown> = {
  type: "register" | "unregister" | "update";
  /** The registry's name. */
  registry: string;
  profile: Profile;
  /** The handle of the entry that changed (dead already for `"unregister"`). */
  handle: Handle;
  /** The new value (`"register"`, `"update"`) or the removed one (`"unregister"`). */
  value: V;
};

/** A registered value: anything but `undefined` (which `whereis` uses for "none"). */
export type Value = {} | null;

/** The name of the default registry module: `"Registry"`. */
export const DEFAULT_MODULE: "Registry";
/** The name of the default registry: `"ProfileRegistry"`. */
export const DEFAULT_NAME: "ProfileRegistry";

// ---------------------------------------------------------------------------
// Loading the wasm
// ---------------------------------------------------------------------------

/** What {@link init} loads the wasm from (as wasm-bindgen's `--target web`). */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
/** What {@link initSync} instantiates synchronously. */
export type SyncInitInput = BufferSource | WebAssembly.Module;
/** The instantiated wasm module's exports (internal; only `memory` is stable). */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
}

/**
 * Loads and instantiates the wasm; call (and await) it once before anything
 * else. Without an argument it fetches `profile_registry_bg.wasm` next to the
 * package. Not needed with `profile-registry/node` (Node, Deno), which loads
 * the wasm itself; calling it again is harmless.
 *
 * @example
 * ```ts
 * import init, { start } from "profile-registry";
 * await init();
 * start();
 * ```
 */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> },
): Promise<InitOutput>;
/** @deprecated Pass `{ module_or_path }` instead. */
export default function init(module_or_path: InitInput | Promise<InitInput>): Promise<InitOutput>;

/**
 * Instantiates the wasm synchronously from bytes or a compiled module; the
 * way to load it where compiling at run time is refused (Cloudflare Workers:
 * import the `.wasm` as a module and pass it here).
 *
 * @example
 * ```ts
 * import { initSync, start } from "profile-registry";
 * import wasm from "profile-registry/profile_registry_bg.wasm";
 * initSync({ module: wasm });
 * start();
 * ```
 */
export function initSync(module: { module: SyncInitInput }): InitOutput;
/** @deprecated Pass `{ module }` instead. */
export function initSync(module: SyncInitInput): InitOutput;

// ---------------------------------------------------------------------------
// Registries
// ---------------------------------------------------------------------------

/**
 * Starts the registry `name` (default {@link DEFAULT_NAME}) in this realm;
 * idempotent. Every call on an unstarted registry throws
 * {@link RegistryNotStartedError}.
 *
 * @example
 * ```ts
 * start();           // the default "ProfileRegistry"
 * start("Tenants");  // another one: { registry: "Tenants" }
 * ```
 * @throws {@link InvalidConfigError} when `name` is not a non-empty string of at most 256 bytes.
 */
export function start(name?: string): void;

/**
 * Stops the registry `name`: every entry is unregistered (listeners hear of
 * each), its handles read as dead, and its listeners are dropped. Returns
 * whether it was running.
 */
export function stop(name?: string): boolean;

/** The names of the running registries of the default module. */
export function registries(): string[];

/**
 * Plugs a module object in under `name`, so configs can name it as a string
 * (`registry: { module: name, name: "..." }`). Plugging a name again replaces
 * the module; `"Registry"` is reserved.
 *
 * @throws {@link InvalidConfigError} when the object lacks register, lookup or unregister.
 */
export function plugModule(name: string, module: RegistryModule<any>): void;

/** Removes a module plugged with {@link plugModule}; returns whether it was. */
export function unplugModule(name: string): boolean;

/**
 * Which module and registry name a config (or via) means, with the defaults
 * `"Registry"` and `"ProfileRegistry"`: a bare `registry: "Name"` gives the
 * default module with that name.
 *
 * @example
 * ```ts
 * resolve();                       // { module: "Registry", name: "ProfileRegistry" }
 * resolve({ registry: "Tenants" }); // { module: "Registry", name: "Tenants" }
 * ```
 */
export function resolve(config?: Target): RegistrySpec;

/**
 * The frozen via-name `{ via, name, profile }` of `profile` in the registry
 * the config names; pass it wherever a config is. It stays valid across
 * restarts: `whereis(via)` always finds the current entry.
 *
 * @example
 * ```ts
 * const v = via({ registry: "Tenants" }, ["acme", 1]);
 * register(v, socket);
 * whereis(v) === socket; // true
 * ```
 */
export function via<const P extends Profile>(config: Target, profile: P): Via<P>;
/** The via of the config's own profile. */
export function via<const P extends Profile>(config: (Config & { profile: P }) | Via<P>): Via<P>;

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

/**
 * The live value registered under `profile`, or `undefined`. The fast path
 * (a scalar profile in a default-module registry) costs one `Map.get`.
 *
 * @example
 * ```ts
 * start();
 * register(undefined, "alice", socket);
 * whereis<WebSocket>(undefined, "alice"); // socket
 * whereis(via(undefined, "alice"));       // socket
 * whereis({ profile: "bob" });            // undefined
 * ```
 * @throws {@link RegistryNotStartedError} (the message names the `start(...)` call to make),
 *   {@link InvalidProfileError}, {@link InvalidConfigError}, {@link RegistryModuleError}.
 */
export function whereis<V = unknown>(target: TargetWithProfile): V | undefined;
export function whereis<V = unknown>(config: Target, profile: Profile): V | undefined;

/** A registry view resolved once; see {@link bind}. */
export interface BoundRegistry {
  /** The registry's name (absent for modules other than the default). */
  readonly name?: string;
  /** The live value registered under `profile`, or `undefined`. */
  whereis<V = unknown>(profile: Profile): V | undefined;
}

/**
 * A registry view bound to `config`, resolved once: the hot path for code
 * that looks up the same registry again and again (one `Map.get` for a
 * registered scalar profile). It follows the registry through stop and start.
 *
 * @example
 * ```js
 * const reg = bind({ registry: "Tenants" });
 * reg.whereis("alice"); // the live value, or undefined
 * ```
 * @throws {@link RegistryNotStartedError} when the registry is not started.
 */
export function bind(config?: Target): BoundRegistry;

/**
 * The live entry `{ handle, value }` of `profile`, or `undefined`
 * (`handle` is `undefined` for pluggable modules).
 *
 * @example
 * ```ts
 * const entry = lookup<WebSocket>(undefined, "alice");
 * if (entry) isAlive(entry.handle!); // true
 * ```
 */
export function lookup<V = unknown>(target: TargetWithProfile): Entry<V> | undefined;
export function lookup<V = unknown>(config: Target, profile: Profile): Entry<V> | undefined;

/**
 * Registers `value` (anything but `undefined`) under the profile and returns
 * its handle; `undefined` for pluggable modules, which hand out none. A held
 * profile throws {@link AlreadyRegisteredError} carrying the live owner
 * (`.handle`, `.existing`); nothing changes.
 *
 * @example
 * ```ts
 * start();
 * const handle = register(undefined, ["acme", 1], socket);
 * register(via(undefined, "bob"), otherSocket); // a via brings its profile
 * try {
 *   register(undefined, ["acme", 1], socket2);
 * } catch (e) {
 *   if (e instanceof AlreadyRegisteredError) e.existing; // socket
 * }
 * ```
 */
export function register<V extends Value>(via: Via, value: V): Handle | undefined;
export function register<V extends Value>(config: Target, profile: Profile | undefined, value: V): Handle | undefined;

/**
 * Unregisters the profile (its handle goes dead); an absent profile is fine.
 *
 * @example
 * ```ts
 * unregister(undefined, "alice");
 * unregister(via(undefined, "bob"));
 * ```
 */
export function unregister(target: TargetWithProfile): void;
export function unregister(config: Target, profile: Profile): void;

/** The registered profiles of a default-module registry. */
export function keys(config?: Target): Profile[];

/** How many profiles a default-module registry holds. */
export function count(config?: Target): number;

/**
 * Replaces the live value with `fn(old)` (same handle; listeners hear an
 * `"update"`) and returns the new value, or `undefined` when the profile is
 * absent (`fn` is not called). A throwing `fn` (or one returning `undefined`)
 * changes nothing. Default-module registries only.
 *
 * @example
 * ```ts
 * updateValue<number>(undefined, "hits", (n) => n + 1);
 * updateValue<number>(via(undefined, "hits"), undefined, (n) => n + 1);
 * ```
 */
export function updateValue<V extends Value = {} | null>(
  config: Target,
  profile: Profile | undefined,
  fn: (old: V) => V,
): V | undefined;

/**
 * Calls `fn(value, handle)` with the live entry and returns its result;
 * `fn` is not called (and `undefined` returned) when the profile is absent.
 * What `fn` throws is thrown as is.
 *
 * @example
 * ```ts
 * dispatch<WebSocket>(undefined, "alice", (ws) => ws.send("hi"));
 * ```
 */
export function dispatch<V = unknown, R = unknown>(
  config: Target,
  profile: Profile | undefined,
  fn: (value: V, handle: Handle | undefined) => R,
): R | undefined;

/** The live value behind a handle, or `undefined` once it is stale. */
export function get<V = unknown>(handle: Handle): V | undefined;

/**
 * Whether a handle names a live entry: `false` once its profile was
 * unregistered (even if registered again since) or its registry stopped.
 *
 * @example
 * ```ts
 * const old = register(undefined, "alice", socket1)!;
 * unregister(undefined, "alice");
 * const fresh = register(undefined, "alice", socket2)!;
 * isAlive(old);  // false: get(old) === undefined, never socket2
 * isAlive(fresh); // true
 * ```
 * @throws {@link InvalidHandleError} for a string that is not a handle.
 */
export function isAlive(handle: Handle): boolean;

/** The profile behind a live handle, or `undefined`. */
export function profileOf(handle: Handle): Profile | undefined;

/**
 * `value` validated and normalised as the registry sees it (a fresh array
 * for a list, `0` for `-0`); throws {@link InvalidProfileError} for anything
 * that cannot be a profile.
 */
export function checkProfile(value: unknown): Profile;

/**
 * Calls `listener(event)` after each register / unregister / update in the
 * registry the config names (default-module registries only), and returns
 * the function that unsubscribes it. Listeners may call back into the
 * registry; events raised there are delivered at once (nested). A throwing
 * listener is reported (`reportError`, else `console.error`) and the others
 * still run. The subscription ends when the registry is stopped.
 *
 * @example
 * ```ts
 * const unsubscribe = subscribe<WebSocket>(undefined, (e) => {
 *   if (e.type === "unregister") e.value.close();
 * });
 * unsubscribe();
 * ```
 */
export function subscribe<V = unknown>(config: Target, listener: (event: RegistryEvent<V>) => void): () => void;

// ---------------------------------------------------------------------------
// Errors. Thrown errors are plain `Error`s whose `name` is the kind; these
// classes recognise them with `instanceof` (by `name`), so both
// `e instanceof AlreadyRegisteredError` and
// `e.name === "AlreadyRegisteredError"` work.
// ---------------------------------------------------------------------------

/** The profile is already registered; nothing changed. */
export class AlreadyRegisteredError extends Error {
  constructor(message?: string);
  name: "AlreadyRegisteredError";
  /** The live owner's handle (`undefined` for pluggable modules). */
  handle?: Handle;
  /** The live owner's value. */
  existing: unknown;
  profile: Profile;
  /** The registry's name. */
  registry: string;
  static [Symbol.hasInstance](value: unknown): value is AlreadyRegisteredError;
}

/** The registry was never started, or was stopped; the message names the `start(...)` call. */
export class RegistryNotStartedError extends Error {
  constructor(message?: string);
  name: "RegistryNotStartedError";
  /** The registry's name. */
  registry: string;
  static [Symbol.hasInstance](value: unknown): value is RegistryNotStartedError;
}

/** A value that cannot be a profile. */
export class InvalidProfileError extends Error {
  constructor(message?: string);
  name: "InvalidProfileError";
  static [Symbol.hasInstance](value: unknown): value is InvalidProfileError;
}

/** A malformed config, via, registry or module name, value or callback. */
export class InvalidConfigError extends Error {
  constructor(message?: string);
  name: "InvalidConfigError";
  static [Symbol.hasInstance](value: unknown): value is InvalidConfigError;
}

/** A malformed handle (a well-formed stale one is not an error: it reads as dead). */
export class InvalidHandleError extends Error {
  constructor(message?: string);
  name: "InvalidHandleError";
  static [Symbol.hasInstance](value: unknown): value is InvalidHandleError;
}

/** No registry module is plugged in under the name a config gives. */
export class UnknownModuleError extends Error {
  constructor(message?: string);
  name: "UnknownModuleError";
  static [Symbol.hasInstance](value: unknown): value is UnknownModuleError;
}

/** A pluggable module threw or broke its contract. */
export class RegistryModuleError extends Error {
  constructor(message?: string);
  name: "RegistryModuleError";
  static [Symbol.hasInstance](value: unknown): value is RegistryModuleError;
}

/** A send did not fit in a connection's bounded send queue; nothing was queued. */
export class QueueFullError extends Error {
  constructor(message?: string);
  name: "QueueFullError";
  /** The connection's profile. */
  profile: Profile;
  static [Symbol.hasInstance](value: unknown): value is QueueFullError;
}

/** The connection was closed for good. */
export class ConnectionClosedError extends Error {
  constructor(message?: string);
  name: "ConnectionClosedError";
  /** The connection's profile. */
  profile: Profile;
  static [Symbol.hasInstance](value: unknown): value is ConnectionClosedError;
}

/** Data that cannot be sent over a WebSocket. */
export class InvalidDataError extends Error {
  constructor(message?: string);
  name: "InvalidDataError";
  static [Symbol.hasInstance](value: unknown): value is InvalidDataError;
}

// ===========================================================================
// CONNECTION API: `connect`, `Connection` (and their option and event types)
// go here. To be added together with the connection bindings; intentionally
// empty until then.
// ===========================================================================
