// Type declarations of `profile-registry/weblocks`: importing it plugs in
// the "WebLocks" registry module (see `SharedConnection` in the package's
// main declarations).
// A dedicated worker owns or follows like a tab, but on Safari's engine
// (WebKit) a visible window that hears a worker own a profile takes it over
// with `steal`: the lock belongs in a window there.
export { SharedConnection, UnsupportedRuntimeError } from "./index.js";

/** The module's name: `registry: { module: "WebLocks" }`. */
export declare const WEBLOCKS: "WebLocks";

/**
 * Sets this realm's WebLocks timings and bounds (for connections made
 * afterwards); returns them all. A bad key or value throws
 * `InvalidConfigError` and changes none.
 *
 * Defaults: `announceMs` 5,000 (how often an owner announces itself),
 * `silenceMs` 90,000 (how long a visible follower hears nothing from its
 * owner before it takes over with `steal`: above Chrome's once-a-minute
 * timers of hidden tabs), `maxQueued` 1,024 (sends a tab holds while they
 * are not yet out, then `QueueFullError`).
 *
 * @example
 * ```ts
 * configureWebLocks({ silenceMs: 120_000 });
 * ```
 */
export declare function configureWebLocks(options: { announceMs?: number; silenceMs?: number; maxQueued?: number }): { announceMs: number; silenceMs: number; maxQueued: number };
