// The one place that calls the wasm. Its exports take plain strings and
// numbers and return strings: a payload, or "\0" and the JSON of a typed
// error. After each call that may change something, `drain` takes the
// outbox (registry events, what connections ask of the host) and applies
// it; listeners run afterwards, from one queue, in the order things happened.
import { typed, NotInitializedError, report } from "./errors.js";

let w; // the wasm's exports, once initialised

// The exports that answer 0 (done) or 1 (a payload, or an error, to fetch
// with `payload()`): seen from here as returning that string ("" for 0).
const ANSWERING = ["start", "names", "register", "lookup", "unregister", "keys", "count", "update", "check", "entry",
  "name_ok", "error", "conn_new", "conn_enqueue", "conn_close", "conn_reconnect"];

export function setWasm(exports) {
  w = { ...exports };
  for (const f of ANSWERING) {
    const raw = exports[f];
    w[f] = (...args) => (raw(...args) === 0 ? "" : exports.payload());
  }
  w.seed((Math.random() * 2 ** 32) >>> 0);
}

/** The wasm's exports; before `init()`, a NotInitializedError that says what to do. */
export function W() {
  if (w === undefined) {
    throw typed("NotInitializedError",
      "profile-registry is not initialised: call `await init()` first (in a Cloudflare Worker, `initSync({ module })` with the imported .wasm), or import \"profile-registry\", which loads it itself");
  }
  return w;
}

/** A result string's payload; an error result is thrown as its typed Error. */
export function ok(r) {
  if (r.charCodeAt(0) !== 0) return r;
  const [name, message, profile, registry, handle] = JSON.parse(r.slice(1));
  const props = {};
  if (profile !== null) props.profile = profile;
  if (registry !== null) props.registry = registry;
  if (name === "AlreadyRegisteredError") props.handle = handle ?? undefined;
  throw typed(name, message, props);
}

/** What applies each kind of record: `reg` (registry events) and `conn` (the rest). */
export const apply = { reg: null, conn: null };

/**
 * Applies the outbox: registry events first, so every listener sees a
 * registry that is already right, then the connections' records, then
 * `before` (if any), then the queued listeners.
 */
export function drain(before) {
  const out = w.take();
  if (out !== "") {
    const records = JSON.parse(out);
    for (const r of records) if (r[0] === "reg") apply.reg(r);
    for (const r of records) if (r[0] !== "reg") apply.conn(r);
  }
  if (before) before();
  deliver();
}

const queue = []; // [function, argument] pairs waiting to run, from 0 to `queued`; kept (not shrunk) between runs
let queued = 0;
let delivering = false;
/** Past this many slots, a run's end gives the queue's storage back. */
const KEEP = 256;

/** Calls `f(arg)` once everything queued before it has run (at once when nothing is running). */
export function later(f, arg) {
  queue[queued++] = f;
  queue[queued++] = arg;
}

/** Runs the queue; user code that changes the registry queues its own events behind. */
export function deliver() {
  if (delivering) return;
  delivering = true;
  try {
    for (let i = 0; i < queued; i += 2) {
      const f = queue[i], arg = queue[i + 1];
      queue[i] = queue[i + 1] = undefined; // nothing kept alive by a run that is over
      try { f(arg); } catch (e) { report(e); }
    }
  } finally {
    if (queued > KEEP) queue.length = 0;
    queued = 0;
    delivering = false;
  }
}
