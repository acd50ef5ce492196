// Type declarations of `profile-registry/server` (js/server.js): the server
// fence, at most one admitted socket per profile, the one with the highest
// fencing epoch.

/**
 * What the fence needs of a socket: `close(code, reason)`, and preferably a
 * way to hear of its end (`addEventListener("close", …)` as in browsers,
 * workerd and Deno, or `on("close", …)` as in Node's `ws`). A socket with
 * neither is released with {@link Fence.release}.
 */
export interface FenceSocket {
  close(code?: number, reason?: string): void;
  addEventListener?(type: "close", listener: (...args: any[]) => void): void;
  removeEventListener?(type: "close", listener: (...args: any[]) => void): void;
  on?(type: "close", listener: (...args: any[]) => void): unknown;
  off?(type: "close", listener: (...args: any[]) => void): unknown;
  removeListener?(type: "close", listener: (...args: any[]) => void): unknown;
  readonly readyState?: number;
}

/** The options of {@link createFence}. */
export interface FenceOptions {
  /**
   * Admit a socket without an epoch (`undefined`) as if it carried the
   * profile's highest epoch so far, so the newest such socket wins. Default
   * `false`: it is closed with {@link EPOCH_REQUIRED}.
   */
  allowMissing?: boolean;
  /**
   * How long (ms) a profile with no open socket keeps its highest epoch;
   * default {@link DEFAULT_RETAIN_MS} (ten minutes), `Infinity` until
   * {@link Fence.forget}. Pruned lazily, on the fence's next call.
   */
  retainMs?: number;
  /** The clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/** The counters of a fence (see {@link Fence.stats}). */
export interface FenceStats {
  /** Sockets admitted, in all. */
  admitted: number;
  /** Admitted sockets the fence closed with 4409 because a newer one came. */
  superseded: number;
  /** Sockets refused: a lower epoch than the profile's highest (4409), or no epoch (4400). */
  refused: number;
  /** Admitted sockets open now (at most one per profile). */
  open: number;
  /** Profiles the fence holds: with an open socket, or closed less than `retainMs` ago. */
  profiles: number;
}

/**
 * A fence: see {@link createFence}.
 *
 * @example
 * ```ts
 * const fence = createFence();
 * fence.admit("alice", 1764700000000, socket); // true
 * fence.current("alice") === socket;           // true
 * fence.epoch("alice");                        // 1764700000000
 * ```
 */
export interface Fence {
  /**
   * Puts `socket` of `profile` through the fence; `true` when it is admitted.
   * An epoch at least the profile's highest is admitted: the profile's
   * previous socket, if any, is closed first with 4409 "superseded". A lower
   * epoch closes the new socket with 4409 and returns `false`; a missing or
   * malformed one (not a safe integer >= 0) closes it with 4400 "epoch
   * required" unless `allowMissing`. An admitted socket leaves the fence at
   * its close event (or {@link Fence.release}).
   *
   * @example
   * ```ts
   * if (!fence.admit(profile, epochOf(request), socket)) return; // closed already
   * ```
   * @throws {TypeError} when `profile` is not a string, `socket` has no
   * `close` method or is admitted already, or `epoch` is neither a number nor
   * `undefined`; nothing changes and no socket is closed.
   */
  admit(profile: string, epoch: number | undefined, socket: FenceSocket): boolean;
  /**
   * Takes `socket` out of the fence when it is `profile`'s admitted socket
   * (for hosts whose sockets have no close event); `true` when it was.
   *
   * @example
   * ```ts
   * webSocketClose(ws) { fence.release(profileOf(ws), ws); } // a Durable Object
   * ```
   * @throws {TypeError} on a non-string profile or a socket without `close`.
   */
  release(profile: string, socket: FenceSocket): boolean;
  /**
   * Forgets `profile`'s highest epoch now; `true` when it had one and no
   * open socket (an open socket keeps it: `false`, nothing changes).
   *
   * @example
   * ```ts
   * fence.forget("alice"); // the account was deleted
   * ```
   */
  forget(profile: string): boolean;
  /**
   * The highest epoch seen for `profile`, or `undefined` when none is held.
   *
   * @example
   * ```ts
   * fence.epoch("alice"); // 1764700000000
   * ```
   */
  epoch(profile: string): number | undefined;
  /**
   * `profile`'s admitted socket, or `undefined`.
   *
   * @example
   * ```ts
   * fence.current("alice")?.send("hello");
   * ```
   */
  current<S extends FenceSocket = FenceSocket>(profile: string): S | undefined;
  /**
   * The fence's counters, a fresh object.
   *
   * @example
   * ```ts
   * fence.stats(); // { admitted: 2, superseded: 1, refused: 0, open: 1, profiles: 1 }
   * ```
   */
  stats(): FenceStats;
}

/**
 * The close code of a superseded or stale socket (4409); a
 * profile-registry client closed with it ends for good.
 *
 * @example
 * ```ts
 * ws.addEventListener("close", (e) => e.code === SUPERSEDED && console.log("taken over"));
 * ```
 */
export const SUPERSEDED: 4409;

/**
 * The close code of a socket refused for a missing or malformed epoch (4400).
 *
 * @example
 * ```ts
 * fence.admit("alice", undefined, socket); // false: closed with EPOCH_REQUIRED
 * ```
 */
export const EPOCH_REQUIRED: 4400;

/**
 * The default `retainMs`: ten minutes, far longer than a client's reconnect
 * backoff, so a client back from an outage is still compared with the latest
 * grant, while memory holds one small entry per profile seen in that time.
 *
 * @example
 * ```ts
 * createFence({ retainMs: 2 * DEFAULT_RETAIN_MS });
 * ```
 */
export const DEFAULT_RETAIN_MS: number;

/**
 * Creates a fence: at most one admitted socket per profile, the one with the
 * highest epoch.
 *
 * @example
 * ```ts
 * import { createFence, epochOf } from "profile-registry/server";
 * const fence = createFence();
 * wss.on("connection", (socket, request) => {
 *   const profile = new URL(request.url!, "http://x").searchParams.get("profile") ?? "";
 *   if (!fence.admit(profile, epochOf(request), socket)) return;
 * });
 * ```
 * @throws {TypeError} on an unknown option or a value of the wrong kind.
 */
export function createFence(options?: FenceOptions): Fence;

/**
 * The `epoch` query parameter of a url string, a `URL` or a request (anything
 * with a string `url`): a safe integer >= 0 in decimal digits, else
 * `undefined`.
 *
 * @example
 * ```ts
 * epochOf("wss://host/?profile=alice&epoch=1764700000000"); // 1764700000000
 * epochOf("/?profile=alice");                               // undefined
 * ```
 * @throws {TypeError} when `url` is none of these.
 */
export function epochOf(url: string | URL | { readonly url: string }): number | undefined;
