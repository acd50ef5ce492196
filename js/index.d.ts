// Type declarations of the `profile-registry` package (both entries:
// `profile-registry` / `profile-registry/web` and `profile-registry/node`).
//
// The runtime is js/index.js (plus the wasm loader, js/wasm.js); every
// signature below mirrors a function there or in src/bindings/. Inputs that TypeScript cannot rule out (a float as a
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
export type RegistryRef = string | { module?: string | RegistryModule<any>; name: string } | WebLocksRef | { module: HostingModule<any>; name?: string };

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

// The shapes below are declared here, not taken from the DOM lib, so a
// project without it (Node, Deno, Workers types) type-checks the package.

/** A compiled wasm module (`WebAssembly.Module`, as a Worker imports the `.wasm`). */
export type WasmModule = object;
/** A URL object (`URL`). */
export interface UrlLike {
  readonly href: string;
}
/** A fetch `Request` (for the `.wasm`). */
export interface RequestLike {
  readonly url: string;
}
/** A fetch `Response` (of the `.wasm`): what the loader reads of it. */
export interface ResponseLike {
  readonly ok: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
}
/** The wasm's bytes (`BufferSource`). */
export type WasmBytes = ArrayBuffer | ArrayBufferView;
/** What {@link init} loads the wasm from: a URL (string or object), a request, a response, the bytes or the compiled module. */
export type InitInput = string | UrlLike | RequestLike | ResponseLike | WasmBytes | WasmModule;
/** What {@link initSync} instantiates synchronously. */
export type SyncInitInput = WasmBytes | WasmModule;
/** The instantiated wasm module's exports (internal; only `memory` is stable). */
export interface InitOutput {
  readonly memory: { readonly buffer: ArrayBuffer };
}

/**
 * Loads and instantiates the wasm. Only `profile-registry/web` needs it,
 * called (and awaited) once before anything else: without an argument it
 * fetches `profile_registry_bg.wasm` next to the module. Every other entry
 * (`profile-registry` in bundlers, Node, Deno and Workers, and
 * `profile-registry/node`) loads the wasm itself, so there it resolves at
 * once; calling it again is harmless. When the file cannot be loaded it
 * rejects with {@link NotInitializedError} naming what to do.
 *
 * @example
 * ```ts
 * import init, { start } from "profile-registry/web";
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
 * import { initSync, start } from "profile-registry/web";
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

/** @internal How many connections are alive in this realm (for leak checks). */
export function __connCount(): number;
/** @internal The wasm's memory size in bytes and the live connections (for leak checks). */
export function __debug(): { memoryBytes: number; connections: number };

/**
 * Thrown by every function used before the wasm is initialised: call
 * `await init()` (or `initSync({ module })`) first, or import
 * `profile-registry/node` in Node and Deno.
 */
export class NotInitializedError extends Error {
  constructor(message?: string);
  name: "NotInitializedError";
  static [Symbol.hasInstance](value: unknown): value is NotInitializedError;
}

/**
 * Thrown by `connect` with `registry: { module: "WebLocks" }` where the
 * runtime lacks `navigator.locks` or `BroadcastChannel` (Node, workerd);
 * the message names what is missing. There is no timer-based fallback.
 */
export class UnsupportedRuntimeError extends Error {
  constructor(message?: string);
  name: "UnsupportedRuntimeError";
  static [Symbol.hasInstance](value: unknown): value is UnsupportedRuntimeError;
}

/**
 * Thrown by `send` in a Cloudflare Worker when the connection's socket was
 * opened in another request, which has ended (workerd refuses "I/O on behalf
 * of a different request"); the connection is closed. Keep the connection in
 * a Durable Object: `profile-registry/cloudflare`.
 */
export class CrossRequestError extends Error {
  constructor(message?: string);
  name: "CrossRequestError";
  static [Symbol.hasInstance](value: unknown): value is CrossRequestError;
}

// ===========================================================================
// CONNECTION API: `connect`, `Connection` (and their option and event types).
// The runtime is `connect` / `Connection` at the end of js/index.js, and
// src/bindings/connection.rs + src/bindings/options.rs (option decoding).
// ===========================================================================

/**
 * Where a {@link Connection} is in its life:
 * `"connecting"` (the first attempt only; also while waiting for a replaced
 * connection's socket to be released), `"open"`, `"reconnecting"` (after a
 * loss or a failed first attempt: through the backoff wait and the next
 * attempts, until a socket opens), `"closed"` (for good).
 */
export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/**
 * How a connection reconnects. Every field is optional; the defaults are
 * `{ minDelayMs: 250, maxDelayMs: 30000, factor: 2, jitter: 0.5,
 * minUptimeMs: 5000 }` with no retry limit. Attempt `n` has a base of
 * `min(minDelayMs * factor ** (n - 1), maxDelayMs)` and waits a whole number
 * of ms from the base to `base * (1 + jitter)` (capped at `maxDelayMs`; at
 * the cap, from `maxDelayMs * (1 - jitter)` to `maxDelayMs`): never less
 * than `minDelayMs`, never more than `maxDelayMs`.
 *
 * @example
 * ```ts
 * const reconnect: ReconnectOptions = { minDelayMs: 100, maxDelayMs: 5000, maxRetries: 10 };
 * ```
 */
export interface ReconnectOptions {
  /** The base delay of the first reconnect attempt, in ms: a finite number >= 0. */
  minDelayMs?: number;
  /** The largest delay, in ms: from `minDelayMs` to 2147483647. */
  maxDelayMs?: number;
  /** How much the base delay grows per attempt: a finite number >= 1. */
  factor?: number;
  /** The random share taken off each delay, from 0 to 1. */
  jitter?: number;
  /**
   * How many reconnect attempts in a row may fail before the connection
   * gives up (a final close event, then {@link whereis} answers `undefined`):
   * a whole number from 0, or `Infinity` (the default) to retry forever. A
   * socket that stays open for `minUptimeMs` starts the count again.
   */
  maxRetries?: number;
  /**
   * How long a socket must stay open, in ms (0 to 2147483647), before the
   * retry count (and so the backoff) starts again; default 5000. A server
   * that accepts and at once closes is backed off like one that refuses.
   */
  minUptimeMs?: number;
  /**
   * Retries per second per origin (scheme, host and port of the url), over
   * every connection of the realm to it: a number above 0, default 210, or
   * `Infinity` for no pacing. A retry waits its turn until fewer than
   * `ceil(pace / 10)` retries to its origin left in the last 103 ms, so a
   * server that comes back is not hit by every profile at once; when any
   * socket to an origin opens, the connections to it that wait out a
   * backoff delay retry now (`reason: "recovered"`), paced. The first socket
   * of a connection is never paced. A wait counts towards `connectTimeoutMs`.
   *
   * @example
   * ```ts
   * const reconnect: ReconnectOptions = { pace: 50 }; // at most 5 retries per 100 ms to the origin
   * ```
   */
  pace?: number;
}

/**
 * Keep-alive for half-open sockets (after a laptop sleep, a dropped NAT
 * mapping): while open, `message` is sent every `intervalMs`; when nothing
 * at all arrives for `timeoutMs`, the socket is closed (an `"error"` event,
 * then a `"close"` with code 1006 and reason `"heartbeat timeout"`) and the
 * connection reconnects. The server's answers arrive as `"message"` events
 * like any other. Off unless given.
 *
 * @example
 * ```ts
 * const heartbeat: HeartbeatOptions = { intervalMs: 20_000, timeoutMs: 45_000, message: "ping" };
 * ```
 */
export interface HeartbeatOptions {
  /** How often `message` is sent, in ms (1 to 2147483647); default 25000. */
  intervalMs?: number;
  /** How long the socket may stay silent, in ms (1 to 2147483647); default 60000. */
  timeoutMs?: number;
  /** What is sent: a string (default `"ping"`) or binary data (copied once). */
  message?: string | ArrayBuffer | ArrayBufferView;
}

/** What a {@link ConnectConfig.url} function is called with, for every socket. */
export interface UrlContext<P extends Profile = Profile> {
  /** The connection's profile. */
  readonly profile: P;
  /** The connection's fencing epoch ({@link Connection.epoch}): put it in the url for a server fence. */
  readonly epoch: number;
  /** 0 for the first socket, `n` for the nth reconnect attempt. */
  readonly attempt: number;
}

/**
 * The bounds of the queue of messages sent while the connection is not open
 * (default `{ maxMessages: 1024, maxBytes: 1048576 }`; text counts its UTF-8
 * bytes). Both 0 turns queueing off; one 0 and the other not is an
 * {@link InvalidConfigError}. A send past either bound throws
 * {@link QueueFullError} and queues nothing.
 */
export interface QueueLimits {
  /** The most messages queued at once: a whole number from 0 to 4294967295. */
  maxMessages?: number;
  /** The most bytes queued at once: a whole number from 0 to 4294967295. */
  maxBytes?: number;
}

/** What {@link connect} does when the profile is already registered. */
export type OnDuplicate =
  /** Throw {@link AlreadyRegisteredError} carrying the live connection as `.existing` (the default, as amarula). */
  | "error"
  /** Return the live connection (the new config is ignored). */
  | "existing"
  /** Close the live one for good (its socket is released before the new one's socket opens), then connect. */
  | "replace";

/**
 * The part of a WebSocket the library uses: it sets `binaryType` to
 * `"arraybuffer"` and the `on*` handlers, and calls `send`, `close` and
 * reads `readyState`. The browser's / Deno's / workerd's `WebSocket` and the
 * `ws` package's fit.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: any) => unknown) | null;
  onmessage: ((event: any) => unknown) | null;
  onerror: ((event: any) => unknown) | null;
  onclose: ((event: any) => unknown) | null;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor; the library calls it as `new WebSocket(url, protocols)`, with `protocols` an array. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/**
 * The config of {@link connect}: the profile and url, and optionally which
 * registry (as for every other call), and the connection options.
 *
 * @example
 * ```ts
 * const config: ConnectConfig<"alice"> = {
 *   profile: "alice",
 *   url: "wss://chat.example.com/socket?user=alice",
 *   protocols: ["chat.v2"],
 *   onDuplicate: "replace",
 *   reconnect: { minDelayMs: 100, maxDelayMs: 10_000, maxRetries: 20 },
 *   queue: { maxMessages: 100, maxBytes: 65_536 },
 *   connectTimeoutMs: 5_000,
 * };
 * ```
 */
export interface ConnectConfig<P extends Profile = Profile> {
  /** The profile the connection belongs to (at most one live connection per profile and registry). */
  profile: P;
  /**
   * A `ws://` or `wss://` url with a host and no `#fragment`; or a function
   * called for every socket (fresh auth tokens, the epoch for a server
   * fence) that returns one or a Promise of one. A function that throws,
   * rejects or gives a bad url makes that attempt fail: an `"error"` event,
   * then a retry with backoff.
   */
  url: string | ((context: UrlContext<P>) => string | PromiseLike<string>);
  /** WebSocket subprotocols: distinct RFC 6455 tokens (at most 64). */
  protocols?: string | readonly string[];
  /** Which registry (default {@link DEFAULT_NAME} under {@link DEFAULT_MODULE}); it must be started. */
  registry?: RegistryRef;
  /** What to do when the profile is already registered; default `"error"`. */
  onDuplicate?: OnDuplicate;
  /**
   * The WebSocket constructor; default `globalThis.WebSocket`. Node 20 has
   * none: pass the `ws` package's (`import WebSocket from "ws"`).
   */
  WebSocket?: WebSocketConstructor;
  /** `false` never reconnects; `true` or left out uses the defaults of {@link ReconnectOptions}. */
  reconnect?: boolean | ReconnectOptions;
  /** The bounds of the send queue. */
  queue?: QueueLimits;
  /** How long a socket may take to open, in ms (1 to 2147483647), before the attempt counts as failed; default: wait forever. */
  connectTimeoutMs?: number;
  /** Keep-alive pings and a silence timeout; off by default. */
  heartbeat?: false | HeartbeatOptions;
}

/** What {@link Connection.info} returns: a snapshot. */
export interface ConnectionInfo {
  state: ConnectionState;
  /** The current registration's handle; `undefined` once closed, or with a pluggable module. */
  handle: Handle | undefined;
  /** 0 for the first connect and while open, `n` for the nth reconnect attempt in a row. */
  attempt: number;
  /** The fencing epoch ({@link Connection.epoch}). */
  epoch: number;
  /** Messages queued. */
  queued: number;
  /** Bytes queued. */
  queuedBytes: number;
  /** Sockets owned: 0 or 1 (connecting, open, or still closing). */
  sockets: number;
}

/** What every connection event carries. */
interface ConnectionEventBase<T extends ConnectionEventType, P extends Profile> {
  readonly type: T;
  /** The connection that emitted it. */
  readonly target: Connection<P>;
}

/** A socket opened; messages queued before were sent, in order, just before this event. */
export interface ConnectionOpenEvent<P extends Profile = Profile> extends ConnectionEventBase<"open", P> {
  /** The new socket's handle (new on every reconnect); `undefined` with a pluggable module. */
  readonly handle: Handle | undefined;
}

/** A message arrived on the open socket. */
export interface ConnectionMessageEvent<P extends Profile = Profile> extends ConnectionEventBase<"message", P> {
  /** Text as a string; binary as an `ArrayBuffer`. */
  readonly data: string | ArrayBuffer;
}

/** Something went wrong that the connection survives (a failed open, a socket error, a connect timeout). */
export interface ConnectionErrorEvent<P extends Profile = Profile> extends ConnectionEventBase<"error", P> {
  readonly message: string;
}

/** A socket or attempt is over and a reconnect follows (`willReconnect: true`). */
export interface ConnectionLostEvent<P extends Profile = Profile> extends ConnectionEventBase<"close", P> {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  readonly willReconnect: true;
  readonly rejected: 0;
  readonly final?: never;
}

/**
 * The connection stopped for good (`close()`, retries exhausted, replaced,
 * unregistered): its last event, emitted once. `rejected` counts the queued
 * messages that were never sent.
 */
export interface ConnectionFinalCloseEvent<P extends Profile = Profile> extends ConnectionEventBase<"close", P> {
  /**
   * The close code: the one given to `close()` (1000 and reason `"replaced"`
   * for `onDuplicate: "replace"`, `"unregistered"` for `unregister` / `stop`),
   * or the last socket's when retries ran out; 1000 with reason `""` when
   * there was no socket to close (in a backoff wait).
   */
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  readonly willReconnect: false;
  /** How many queued messages were dropped: reported here, never lost silently. */
  readonly rejected: number;
  readonly final: true;
}

/** A `"close"` event: narrow with `event.final` (or `event.willReconnect`). */
export type ConnectionCloseEvent<P extends Profile = Profile> = ConnectionLostEvent<P> | ConnectionFinalCloseEvent<P>;

/**
 * Why a reconnect comes: `"closed"` (the socket closed or could not open:
 * after the backoff delay), `"offline"` (the network is down: retries wait
 * for it, `delayMs` is `null`), `"online"` (it came back: now), `"visible"`
 * (a hidden page was shown again: now), `"reconnect"` ({@link Connection.reconnect}: now),
 * `"recovered"` (another socket to the same origin opened, so the server is
 * back: now, instead of the rest of the backoff delay; paced by
 * {@link ReconnectOptions.pace}).
 */
export type ReconnectReason = "closed" | "offline" | "online" | "visible" | "reconnect" | "recovered";

/** A reconnect attempt is scheduled `delayMs` from now (or paused, `null`, while offline). */
export interface ConnectionReconnectingEvent<P extends Profile = Profile> extends ConnectionEventBase<"reconnecting", P> {
  /** The attempt that will be made: 1 for the first reconnect. */
  readonly attempt: number;
  /** The delay, in whole ms, within the {@link ReconnectOptions} bounds; 0 for a retry now; `null` while paused offline. */
  readonly delayMs: number | null;
  /** Why. */
  readonly reason: ReconnectReason;
}

/** The state changed (before the event that explains it, such as `open` or `close`). */
export interface ConnectionStateChangeEvent<P extends Profile = Profile> extends ConnectionEventBase<"statechange", P> {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
}

/** Each event type of a {@link Connection} and its event. */
export interface ConnectionEventMap<P extends Profile = Profile> {
  open: ConnectionOpenEvent<P>;
  message: ConnectionMessageEvent<P>;
  close: ConnectionCloseEvent<P>;
  error: ConnectionErrorEvent<P>;
  reconnecting: ConnectionReconnectingEvent<P>;
  statechange: ConnectionStateChangeEvent<P>;
}

/** `"open" | "message" | "close" | "error" | "reconnecting" | "statechange"`. */
export type ConnectionEventType = keyof ConnectionEventMap;

/** Any connection event. */
export type ConnectionEvent<P extends Profile = Profile> = ConnectionEventMap<P>[ConnectionEventType];

/**
 * One WebSocket per profile, reconnecting with backoff; made by
 * {@link connect} (the constructor is not public). The same object is
 * registered under the profile, and returned by {@link whereis}, for its
 * whole life, across reconnects; each new socket gets a new `handle`, and
 * the previous handle reads as dead.
 *
 * @example
 * ```ts
 * const conn = connect({ profile: "alice", url: "wss://chat.example.com" });
 * conn.on("message", (e) => console.log(e.data));
 * conn.send("hello"); // queued until open
 * whereis<Connection<"alice">>(undefined, "alice") === conn; // true, also after reconnects
 * ```
 */
export class Connection<P extends Profile = Profile> {
  private constructor();
  /** The profile this connection belongs to (an array profile is frozen). */
  readonly profile: P;
  /** The handle of the current socket's registration; `undefined` once closed, or with a pluggable module. */
  readonly handle: Handle | undefined;
  /** Where the connection is in its life. */
  readonly state: ConnectionState;
  /**
   * The fencing epoch of this connection's hold on its profile: a safe
   * integer greater than every earlier one of the profile in this realm,
   * and at least `Date.now()` when it was made (so a later page load's is
   * greater too). It stays the same across reconnects; `connect` after a
   * close, or `onDuplicate: "replace"`, gets a greater one. Pass it to the
   * server in a `url` function; `profile-registry/server`'s fence then
   * refuses older holders, and a connection whose socket it closes with
   * 4409 ("superseded") ends instead of reconnecting.
   */
  readonly epoch: number;
  /** `{ state, handle, attempt, epoch, queued, queuedBytes, sockets }`, read at once. */
  info(): ConnectionInfo;
  /**
   * A fresh socket now, without a backoff delay: the current socket (if
   * any) is closed first and its close confirmed, the queue is kept, the
   * retry count starts again at 1 (a `"close"` with reason `"reconnect"`,
   * then `"reconnecting"` with reason `"reconnect"`).
   *
   * @example
   * ```ts
   * window.addEventListener("focus", () => conn.state === "reconnecting" && conn.reconnect());
   * ```
   * @throws {@link ConnectionClosedError} once closed.
   */
  reconnect(): void;
  /**
   * Sends now when open, else queues, in order, for the next open.
   *
   * @example
   * ```ts
   * conn.send("text");
   * conn.send(new Uint8Array([1, 2, 3]));
   * try {
   *   conn.send(bigBuffer);
   * } catch (e) {
   *   if (e instanceof QueueFullError) retryLater(); // nothing was queued
   * }
   * ```
   * @throws {@link QueueFullError} past the queue's bounds (nothing queued),
   *   {@link ConnectionClosedError} once closed, {@link InvalidDataError} for
   *   anything but a string, an `ArrayBuffer` or an `ArrayBufferView` (a
   *   `Blob` included).
   */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  /**
   * Stops for good and releases the profile at once: a final `"close"`
   * event (with `rejected`, the queued messages dropped) follows
   * synchronously; the socket closes in the background, and a replacement
   * for the profile opens its socket only after that. Closing again does
   * nothing.
   *
   * @example
   * ```ts
   * conn.close();                   // 1000
   * conn.close(4001, "logged out"); // an application code
   * ```
   * @param code 1000, or from 3000 to 4999 (default 1000).
   * @param reason At most 123 UTF-8 bytes.
   * @throws {@link InvalidConfigError} for another code or a longer reason; nothing changes.
   */
  close(code?: number, reason?: string): void;
  /**
   * Adds a listener (called with `this` = the connection) and returns the
   * function that removes it. Listeners may call `connect`, `send` and
   * `close`; one that throws is reported (`reportError`, else
   * `console.error`) and the others still run. The same function added
   * twice is two listeners.
   *
   * @example
   * ```ts
   * const off = conn.on("close", (e) => {
   *   if (e.final) console.log(`closed for good; ${e.rejected} queued messages dropped`);
   *   else console.log(`lost (${e.code}); reconnecting`);
   * });
   * conn.on("reconnecting", (e) => console.log(`attempt ${e.attempt} in ${e.delayMs} ms`));
   * off();
   * ```
   * @throws {@link InvalidConfigError} for an unknown event type or a listener that is not a function.
   */
  on<K extends ConnectionEventType>(type: K, listener: (this: Connection<P>, event: ConnectionEventMap<P>[K]) => void): () => void;
}

/**
 * Connects `config.profile` to `config.url`: registers a new
 * {@link Connection} under the profile at once (so {@link whereis} finds it
 * before it opens) and opens its socket. Never two sockets of one profile
 * at once: with `onDuplicate: "replace"`, the new connection's socket waits
 * until the replaced one's socket is released.
 *
 * @example
 * ```ts
 * import { connect, start, whereis, type Connection } from "profile-registry";
 * import WebSocket from "ws"; // Node 20 only; browsers, Deno and workerd have one
 *
 * start();
 * const conn = connect({
 *   profile: ["acme", 1],
 *   url: "wss://chat.example.com/socket",
 *   WebSocket,
 *   reconnect: { minDelayMs: 100, maxDelayMs: 10_000 },
 * });
 * conn.on("open", (e) => console.log("open as", e.handle));
 * whereis<Connection>(undefined, ["acme", 1]) === conn; // true
 *
 * connect({ profile: ["acme", 1], url: "wss://chat.example.com/socket", WebSocket, onDuplicate: "existing" }) === conn; // true
 * ```
 * @throws {@link AlreadyRegisteredError} with the live connection as `.existing`
 *   (`onDuplicate: "error"`, the default); {@link InvalidConfigError},
 *   {@link InvalidProfileError} for bad input (nothing is registered or
 *   closed, even with `"replace"`); {@link RegistryNotStartedError},
 *   {@link UnknownModuleError}, {@link RegistryModuleError} as for {@link register}.
 */
export function connect<const P extends Profile>(config: Omit<ConnectConfig<P>, "registry" | "onDuplicate"> & { registry: WebLocksRef; onDuplicate?: OnDuplicate }): SharedConnection<P>;
export function connect<const P extends Profile, C>(config: Omit<ConnectConfig<P>, "registry" | "onDuplicate" | "url" | "WebSocket"> & { url: string; registry: { module: HostingModule<C>; name?: string }; onDuplicate?: OnDuplicate }): C;
export function connect<const P extends Profile>(config: ConnectConfig<P>): Connection<P>;

/** A registry module that makes its own connections (`durableObjects` of `profile-registry/cloudflare`): `connect` with it returns a `C`. */
export interface HostingModule<C> extends RegistryModule<C> {
  /** @internal Type-only: what `connect` makes with this module (no such property exists at run time). */
  readonly __connects: C;
}

/** The name of the registry module of `profile-registry/weblocks`: one owner per profile across the origin. */
export type WebLocksModule = "WebLocks";

/** `registry: { module: "WebLocks", name? }` (the name defaults to {@link DEFAULT_NAME}); import `profile-registry/weblocks` once first. */
export interface WebLocksRef {
  module: WebLocksModule;
  name?: string;
}

/** `"owner"` (this tab holds the upstream socket) or `"follower"` (it goes through the owner). */
export type SharedRole = "owner" | "follower";

/** The events of a {@link SharedConnection}: a Connection's, plus `role` and `resent`. */
export interface SharedConnectionEventMap<P extends Profile = Profile> {
  open: { readonly type: "open"; readonly target: SharedConnection<P>; readonly handle: Handle | undefined };
  message: { readonly type: "message"; readonly target: SharedConnection<P>; readonly data: string | ArrayBuffer };
  close: { readonly type: "close"; readonly target: SharedConnection<P>; readonly code: number; readonly reason: string; readonly wasClean: boolean; readonly willReconnect: boolean; readonly rejected: number; readonly final?: true };
  error: { readonly type: "error"; readonly target: SharedConnection<P>; readonly message: string };
  reconnecting: { readonly type: "reconnecting"; readonly target: SharedConnection<P>; readonly attempt: number; readonly delayMs: number | null; readonly reason: ReconnectReason };
  statechange: { readonly type: "statechange"; readonly target: SharedConnection<P>; readonly from: ConnectionState; readonly to: ConnectionState };
  /** This tab became the owner or a follower; `epoch` is the owner's fencing epoch. */
  role: { readonly type: "role"; readonly target: SharedConnection<P>; readonly role: SharedRole; readonly epoch: number };
  /** Sends (by the ids `send` returned) sent again: forwarded to an owner that ended before acknowledging them, or put out just before the owner's socket dropped. At least once. */
  resent: { readonly type: "resent"; readonly target: SharedConnection<P>; readonly ids: number[] };
}

/**
 * A profile's connection in a "WebLocks" registry, as one tab or worker
 * sees it: exactly one per (name, profile) across the origin is the owner
 * and holds the upstream socket; the others send and receive through it.
 *
 * @example
 * ```ts
 * import "profile-registry/weblocks";
 * const conn = connect({ profile: "alice", url: ({ epoch }) => `wss://chat.example.com/?epoch=${epoch}`, registry: { module: "WebLocks" } });
 * conn.on("role", (e) => console.log(e.role, e.epoch));
 * const id = conn.send("hi"); // on the owner's socket, in this tab's order
 * await conn.takeOver(); // "use here"
 * ```
 */
export interface SharedConnection<P extends Profile = Profile> {
  readonly profile: P;
  /** Always `undefined`: handles belong to the owner's own Connection. */
  readonly handle: undefined;
  readonly role: SharedRole;
  /** The upstream socket's state as this tab sees it (a follower whose owner's socket is open reads `"open"`). */
  readonly state: ConnectionState;
  /** The owner's fencing epoch: strictly increasing per (name, profile) across the origin and across reloads. */
  readonly epoch: number;
  info(): { state: ConnectionState; role: SharedRole; epoch: number; queued: number; owner: string | null };
  /** Sends on the owner's socket; returns the send's id. @throws {@link QueueFullError} past `maxQueued` sends not yet out. */
  send(data: string | ArrayBuffer | ArrayBufferView): number;
  /** Resolves once this tab is the owner; the former owner's socket is closed (and fenced by its lower epoch). */
  takeOver(): Promise<SharedConnection<P>>;
  /** Detaches this tab only; an owner hands ownership to a tab that still wants the profile. */
  close(code?: number, reason?: string): void;
  on<K extends keyof SharedConnectionEventMap<P>>(type: K, listener: (this: SharedConnection<P>, event: SharedConnectionEventMap<P>[K]) => void): () => void;
}

/**
 * The live {@link Connection} of the profile, or `undefined`: {@link whereis}
 * narrowed to a connection, so no cast is needed. Found as `whereis` finds
 * it (one `Map.get` for a scalar profile in a default-module registry): the
 * same object for the connection's whole life, across reconnects.
 *
 * @example
 * ```ts
 * import { start, connect, connection } from "profile-registry";
 *
 * start();
 * connect({ profile: ["acme", 7], url: "wss://chat.example.com/ws" });
 * // Anywhere else in the app:
 * connection(undefined, ["acme", 7])?.send("still me"); // Connection<["acme", 7]> | undefined
 * connection({ registry: "Chat" }, "bob");               // a config names the registry
 * connection(via(undefined, "alice"));                   // a via brings its own profile
 * ```
 * @throws {@link InvalidConfigError} when the value registered under the
 *   profile is not a `Connection` (put there by {@link register}); and what
 *   {@link whereis} throws.
 */
export function connection<const P extends Profile>(config: Target, profile: P): Connection<P> | undefined;
/** The connection of a via's, or a config's own, profile. */
export function connection<const P extends Profile>(target: Via<P> | (Config & { profile: P })): Connection<P> | undefined;
