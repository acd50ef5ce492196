// Type declarations of `profile-registry/weblocks`: importing it plugs in
// the "WebLocks" registry module (see `SharedConnection` in the package's
// main declarations).
export { SharedConnection, UnsupportedRuntimeError } from "./index.js";

/** The module's name: `registry: { module: "WebLocks" }`. */
export declare const WEBLOCKS: "WebLocks";

/**
 * Sets this realm's WebLocks timings and bounds (for connections made
 * afterwards); returns them all.
 *
 * @example
 * ```ts
 * configureWebLocks({ silenceMs: 120_000 });
 * ```
 */
export declare function configureWebLocks(options: { announceMs?: number; silenceMs?: number; maxQueued?: number }): { announceMs: number; silenceMs: number; maxQueued: number };
