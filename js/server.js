// profile-registry/server: the server fence. It admits at most one socket per
// profile at every instant, the one whose fencing epoch is the highest seen,
// and closes every other with 4409 "superseded", which a profile-registry
// client takes as final (no reconnect).
//
// Plain JS with no import: it runs in a Node `ws` server, Deno, Bun and a
// Cloudflare Durable Object. It touches a socket only through
// `socket.close(code, reason)` and, to learn of its end, the socket's
// `addEventListener("close", ...)` or `on("close", ...)`; a host with neither
// calls `fence.release(profile, socket)` itself.

/**
 * The close code of a superseded or stale socket: a newer socket of its
 * profile holds the profile (or had held it). A profile-registry client
 * closed with it ends for good.
 *
 * @example
 * ```js
 * socket.addEventListener("close", (e) => {
 *   if (e.code === SUPERSEDED) console.log("another tab or device took over");
 * });
 * ```
 */
export const SUPERSEDED = 4409;

/**
 * The close code of a socket whose epoch is missing or malformed (the fence
 * refuses it unless created with `{ allowMissing: true }`).
 *
 * @example
 * ```js
 * fence.admit("alice", undefined, socket); // false: socket closed with EPOCH_REQUIRED
 * ```
 */
export const EPOCH_REQUIRED = 4400;

/**
 * How long a profile with no open socket keeps its highest epoch by default:
 * ten minutes. A client that lost its socket in an outage and comes back
 * within that time is still compared with the latest grant, so a stale
 * reconnect (a tab that slept, the loser of a takeover) is refused; a
 * profile-registry client retries far more often than that (its backoff is
 * capped at seconds). Memory stays at one small entry per profile seen in the
 * last ten minutes. After that the profile is forgotten, which is safe: a
 * stale socket admitted then is superseded by the next one of the owner.
 *
 * @example
 * ```js
 * createFence({ retainMs: 2 * DEFAULT_RETAIN_MS }); // twenty minutes
 * ```
 */
export const DEFAULT_RETAIN_MS = 10 * 60 * 1000;

const OPTIONS = new Set(["allowMissing", "retainMs", "now"]);
const CLOSED = 3; // WebSocket.CLOSED: the close event has already been fired

/**
 * Reads the `epoch` query parameter of a url: a url string (absolute, or a
 * path like Node's `request.url`), a `URL`, or a request (anything with a
 * string `url`, such as a fetch `Request` or Node's `IncomingMessage`).
 * Returns the epoch, a safe integer >= 0 written in decimal digits, or
 * `undefined` when it is missing or anything else (`-1`, `1.5`, `1e3`, a
 * second `epoch` parameter is ignored).
 *
 * @example
 * ```js
 * epochOf("wss://host/?profile=alice&epoch=1764700000000"); // 1764700000000
 * epochOf(request);                                         // from request.url
 * epochOf("/?profile=alice");                               // undefined
 * ```
 * @throws {TypeError} when `url` is none of these.
 */
export function epochOf(url) {
  let text = url;
  if (typeof url === "object" && url !== null && !(url instanceof URL)) text = url.url;
  if (text instanceof URL) text = text.href;
  if (typeof text !== "string") {
    throw new TypeError("epochOf: expected a url string, a URL or a request with a string url");
  }
  let raw;
  try {
    raw = new URL(text, "http://localhost").searchParams.get("epoch");
  } catch {
    return undefined; // not a url at all: no epoch in it
  }
  if (raw === null || !/^[0-9]{1,16}$/.test(raw)) return undefined;
  const epoch = Number(raw);
  return Number.isSafeInteger(epoch) ? epoch : undefined;
}

const isEpoch = (epoch) => Number.isSafeInteger(epoch) && epoch >= 0;

/** Closes `socket`; a close that throws means the socket is already unusable. */
function closeQuietly(socket, code, reason) {
  try {
    socket.close(code, reason);
  } catch {
    // e.g. workerd's close() of a socket already closed: it is closed either way
  }
}

/**
 * Listens for the close of `socket` with `onClose`; returns what removes the
 * listener (nothing to remove when the host has neither kind of listener).
 */
function listenForClose(socket, onClose) {
  if (typeof socket.addEventListener === "function") {
    socket.addEventListener("close", onClose);
    return () => socket.removeEventListener?.("close", onClose);
  }
  if (typeof socket.on === "function") {
    socket.on("close", onClose);
    return () => (socket.off ?? socket.removeListener)?.call(socket, "close", onClose);
  }
  return () => {};
}

function readOptions(options = {}) {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createFence: options must be an object");
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) throw new TypeError(`createFence: unknown option "${key}"`);
  }
  const { allowMissing = false, retainMs = DEFAULT_RETAIN_MS, now = Date.now } = options;
  if (typeof allowMissing !== "boolean") throw new TypeError("createFence: allowMissing must be a boolean");
  if (typeof retainMs !== "number" || !(retainMs >= 0)) {
    throw new TypeError("createFence: retainMs must be a number >= 0 (Infinity keeps every profile)");
  }
  if (typeof now !== "function") throw new TypeError("createFence: now must be a function returning milliseconds");
  return { allowMissing, retainMs, now };
}

function checkProfile(what, profile) {
  if (typeof profile !== "string") {
    throw new TypeError(`${what}: the profile must be a string (got ${profile === null ? "null" : typeof profile})`);
  }
}

function checkSocket(what, socket) {
  if ((typeof socket !== "object" && typeof socket !== "function") || socket === null || typeof socket.close !== "function") {
    throw new TypeError(`${what}: the socket must be an object with a close(code, reason) method`);
  }
}

/**
 * Creates a fence: at most one admitted socket per profile, the one with the
 * highest epoch. Put every new socket through {@link Fence.admit} with the
 * profile it serves and the epoch its client sent.
 *
 * Options:
 * - `allowMissing` (default `false`): admit a socket without an epoch as if
 *   it carried the profile's highest epoch so far (the newest such socket
 *   wins), for clients that do not send one yet; otherwise it is closed with
 *   {@link EPOCH_REQUIRED}.
 * - `retainMs` (default {@link DEFAULT_RETAIN_MS}): how long a profile with
 *   no open socket keeps its highest epoch; forgotten profiles are pruned
 *   lazily, on the fence's next call. `Infinity` keeps them until `forget`.
 * - `now` (default `Date.now`): the clock, in milliseconds.
 *
 * @example
 * ```js
 * import { createFence, epochOf } from "profile-registry/server";
 * const fence = createFence();
 * wss.on("connection", (socket, request) => {
 *   const profile = new URL(request.url, "http://x").searchParams.get("profile") ?? "";
 *   if (!fence.admit(profile, epochOf(request), socket)) return; // closed with 4409 or 4400
 *   // socket is the profile's one live socket until it closes or is superseded
 * });
 * ```
 * @throws {TypeError} on an unknown option or a value of the wrong kind.
 */
export function createFence(options) {
  const { allowMissing, retainMs, now } = readOptions(options);
  /** profile -> { epoch, socket | null } */
  const entries = new Map();
  /** profile -> when its last socket closed; oldest first (re-set on every close) */
  const idle = new Map();
  /** admitted socket -> { profile, unlisten } */
  const admittedSockets = new WeakMap();
  const counts = { admitted: 0, superseded: 0, refused: 0, open: 0 };

  function prune() {
    const t = now();
    for (const [profile, since] of idle) {
      if (!(t - since >= retainMs)) break;
      idle.delete(profile);
      entries.delete(profile);
    }
  }

  /** Takes `socket` (the current one of `entry`) out of the fence. */
  function letGo(profile, entry, socket) {
    const held = admittedSockets.get(socket);
    admittedSockets.delete(socket);
    entry.socket = null;
    counts.open -= 1;
    held.unlisten();
    idle.delete(profile);
    idle.set(profile, now());
  }

  function refuse(socket, code, reason) {
    counts.refused += 1;
    closeQuietly(socket, code, reason);
    return false;
  }

  /**
   * Admits `socket` of `profile` when `epoch` is at least the profile's
   * highest (closing its previous socket first, with 4409); else closes it
   * (4409 for a lower epoch, 4400 for none) and returns `false`.
   * `fence.admit("alice", 1764700000000, socket) // true`
   */
  function admit(profile, epoch, socket) {
    checkProfile("fence.admit", profile);
    checkSocket("fence.admit", socket);
    if (epoch !== undefined && typeof epoch !== "number") {
      throw new TypeError("fence.admit: the epoch must be a number or undefined (see epochOf)");
    }
    const held = admittedSockets.get(socket);
    if (held) throw new TypeError(`fence.admit: this socket is already admitted (for profile ${JSON.stringify(held.profile)})`);
    prune();
    let entry = entries.get(profile);
    if (!isEpoch(epoch)) {
      if (!(allowMissing && epoch === undefined)) return refuse(socket, EPOCH_REQUIRED, "epoch required");
      epoch = entry ? entry.epoch : 0;
    }
    if (entry && epoch < entry.epoch) return refuse(socket, SUPERSEDED, "superseded");
    if (!entry) entries.set(profile, (entry = { epoch, socket: null }));
    entry.epoch = epoch;
    const previous = entry.socket;
    if (previous) {
      // Out first, then closed: a close listener that runs synchronously
      // (or calls back into the fence) sees the profile without a socket.
      letGo(profile, entry, previous);
      counts.superseded += 1;
      closeQuietly(previous, SUPERSEDED, "superseded");
      // A call made from inside that close may have taken the profile (or
      // raised its epoch): then this socket is the stale one. One that
      // forgot the profile leaves it to this socket.
      const after = entries.get(profile);
      if (after && (after.socket || after.epoch > epoch)) return refuse(socket, SUPERSEDED, "superseded");
      if (after) entry = after;
      else entries.set(profile, entry);
      entry.epoch = epoch;
    }
    entry.socket = socket;
    idle.delete(profile);
    counts.admitted += 1;
    counts.open += 1;
    const record = { profile, unlisten: () => {} };
    admittedSockets.set(socket, record);
    record.unlisten = listenForClose(socket, () => release(profile, socket));
    // A socket that was closed before it came here fires no close event again.
    if (socket.readyState === CLOSED) release(profile, socket);
    return true;
  }

  /**
   * Takes `profile`'s admitted `socket` out (its close, for hosts without a
   * close event); `true` when it was the admitted one.
   * `fence.release("alice", socket) // true, then false`
   */
  function release(profile, socket) {
    checkProfile("fence.release", profile);
    checkSocket("fence.release", socket);
    const entry = entries.get(profile);
    if (!entry || entry.socket !== socket) return false;
    letGo(profile, entry, socket);
    prune();
    return true;
  }

  /**
   * Forgets the highest epoch of a profile without an open socket.
   * `fence.forget("alice") // true when it was held and closed`
   */
  function forget(profile) {
    checkProfile("fence.forget", profile);
    const entry = entries.get(profile);
    if (!entry || entry.socket) return false;
    entries.delete(profile);
    idle.delete(profile);
    return true;
  }

  return Object.freeze({
    admit,
    release,
    forget,
    /** The profile's highest epoch held: `fence.epoch("alice") // 1764700000000` */
    epoch(profile) {
      checkProfile("fence.epoch", profile);
      prune();
      return entries.get(profile)?.epoch;
    },
    /** The profile's admitted socket: `fence.current("alice") // socket or undefined` */
    current(profile) {
      checkProfile("fence.current", profile);
      return entries.get(profile)?.socket ?? undefined;
    },
    /** `{ admitted, superseded, refused, open, profiles }`, a fresh object. */
    stats() {
      prune();
      return { ...counts, profiles: entries.size };
    },
  });
}
