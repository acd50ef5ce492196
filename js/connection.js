// `connect()` and `Connection`: the host of the wasm's connection machine.
// The wasm decides (when to open, send, close, retry; which handle; what
// to report); this file does it with the real WebSocket and timers, and
// keeps every socket, handler and timer it made until the wasm releases it.
// An open connection's sends and messages stay in JS: one readyState check,
// then `socket.send`.
import { W, ok, drain, apply, later, deliver } from "./boundary.js";
import { configError, crossRequest, typed, report } from "./errors.js";
import { checkUrl, describe, get, isArray, onlyKnown, profileJson, readProfile, readTarget, redact, wellFormed } from "./read.js";
import { callModule, get as valueOf, moduleOf, moduleRegister, registerLocal, alreadyRegistered } from "./registry.js";
import { now, originOf, pace, reopened, unpace } from "./pacer.js";

const EVENT_TYPES = ["open", "message", "close", "error", "reconnecting", "statechange"];
const CONFIG_KEYS = ["profile", "registry", "url", "protocols", "onDuplicate", "WebSocket", "reconnect", "queue", "connectTimeoutMs", "heartbeat"];
const OPTION_KEYS = CONFIG_KEYS.slice(2); // readTarget reads the first two itself
const RECONNECT_KEYS = ["minDelayMs", "maxDelayMs", "factor", "jitter", "maxRetries", "minUptimeMs", "pace"];
/** Retries per second per origin when `reconnect.pace` is not given: 21 in any 100 ms, 200 profiles back in ten windows (README, "Options"). */
const PACE = 210;
const QUEUE_KEYS = ["maxMessages", "maxBytes"];
const HEARTBEAT_KEYS = ["intervalMs", "timeoutMs", "message"];
const DUPLICATES = ["error", "existing", "replace"];
const CREATE = Symbol("create");
/** How long a connection that waited for an earlier socket of its profile waits after that socket's close. */
const GATE_SETTLE_MS = 25;
/** How long a socket closed while connecting may take to open (then it closes cleanly) before it is aborted. */
const CONNECTING_CLOSE_MS = 3000;
/** How long after an `error` a socket that never reports its close is taken as closed (Node 20's undici). */
const STAND_IN_CLOSE_MS = 1000;
/** How long an open socket asked to close may take to confirm it (a half-open one never does) before it is taken as closed. */
const CLOSE_WAIT_MS = 3000;
// The held sends of every connection that has none: never changed (a connection takes its own array for its first).
const NO_SENDS = Object.freeze([]);
const RECORD = Symbol("record");
const HOLD = Symbol("hold");
/** On a socket: its entry (`{ sid, ws, conn, ... }`), which the shared handlers find their connection by. */
const SOCK = Symbol("socket");

const conns = new Map(); // id -> Connection, while the wasm knows it
// A connection's rarely used state, kept off the object and made only when used:
const early = new Map(); // Connection -> { on, events }: events raised inside connect(), delivered right after it
const stuck = new Map(); // Connection -> { k, message }: sends of this batch that did not happen
const waiting = new Map(); // Connection -> its origin, in a backoff delay that another socket of the origin opening cuts short
const hosted = new WeakMap(); // Connection -> [readModule() of the JS module holding it, registry name]
const paces = new WeakMap(); // Connection -> reconnect.pace, when not PACE
const origins = new WeakMap(); // Connection -> the origin of its url function's last url
/** Modules that host their own connections (profile-registry/weblocks): module object -> connect(name, profile, options, onDuplicate). */
export const hosts = new WeakMap();
let lastId = 0;

apply.conn = (r) => conns.get(r[1])?.[RECORD](r);

// Intrinsic getters: they brand-check, and ignore getters an object defines.
const getter = (proto, k) => Object.getOwnPropertyDescriptor(proto, k).get;
const abLength = getter(ArrayBuffer.prototype, "byteLength");
// A typed array's and a DataView's buffer, byteOffset and byteLength getters.
const VIEWS = [Object.getPrototypeOf(Int8Array.prototype), DataView.prototype].map((p) => ["buffer", "byteOffset", "byteLength"].map((k) => getter(p, k)));

/** `[buffer, offset, length]` of binary data, or undefined for anything else. */
function binary(data) {
  if (typeof data !== "object" || data === null) return undefined;
  try { return [data, 0, abLength.call(data)]; } catch { /* not an ArrayBuffer */ }
  for (const view of VIEWS) {
    try { return view.map((g) => g.call(data)); } catch { /* not this kind of view */ }
  }
  return undefined;
}

/** A copy of `binary()`'s bytes. */
const copy = (b) => new Uint8Array(b[0], b[1], b[2]).slice();

function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

const invalidData = (data) => ok(W().error(4, describe(data), ""));

function messageOf(e) {
  try {
    const m = e instanceof Error ? e.message : e;
    return typeof m === "string" && m !== "" ? m : describe(e);
  } catch {
    return "an unknown error";
  }
}

/** A socket's readyState; undefined if reading it throws. */
const readyState = (ws) => prop(ws, "readyState");

function prop(o, k) {
  try { return o[k]; } catch { return undefined; }
}

/**
 * Adds `listener` for `type` (one of `types`) to `all` (`{ [type]: listeners }`,
 * each list replaced, never changed, so an emit walks it without a copy),
 * called with `self` as `this`; returns the function that removes it.
 *
 * @example
 * const off = listen(all, ["open"], "open", (e) => console.log(e), conn); off();
 */
export function listen(all, types, type, listener, self) {
  if (!types.includes(type)) throw configError(`unknown event type ${describe(type)}; use one of ${types.join(", ")}`);
  if (typeof listener !== "function") throw configError(`the listener must be a function, got ${describe(listener)}`);
  const list = all[type] ?? [];
  // The function itself; a wrapper when it is listed already, so the same
  // function added twice is two listeners and each off() removes its own.
  const entry = list.includes(listener) ? (e) => listener.call(self, e) : listener;
  all[type] = [...list, entry];
  let on = true;
  return () => {
    if (!on) return;
    on = false;
    all[type] = all[type].filter((f) => f !== entry);
  };
}

/** Calls the listeners of `type` in `all` (or none: null) with `detail` as the event, its `type` and `target` set; a throw is reported, the rest still run. */
export function emitTo(all, type, detail, self) {
  const list = all?.[type];
  if (list === undefined) return;
  detail.type = type;
  detail.target = self;
  for (const f of list) {
    if (all[type] !== list && !all[type].includes(f)) continue; // removed by an earlier listener
    try { f.call(self, detail); } catch (err) { report(err); }
  }
}

/** The entry of the socket a shared handler runs for: on `this` (the socket), else on the event's target (workerd calls handlers with another `this`). */
function entryOf(self, e) {
  try {
    return self?.[SOCK] ?? e.target[SOCK];
  } catch {
    return undefined;
  }
}

/**
 * One WebSocket per profile, reconnecting with backoff; made by `connect`.
 * The same object is returned by `whereis` for its whole life, across
 * reconnects; each new socket gets a new `handle`.
 */
export class Connection {
  #id;
  #profile;
  #ctor;
  #url; // the url string, or the url function
  #protocols; // the subprotocols, for every socket
  #beat; // with a heartbeat: { message, lastIn } (Date.now() of the open socket's last message); else undefined
  #epoch = 0;
  #listeners = null; // { [type]: listeners }, each list replaced (never changed) by on() and off()
  #state = "connecting";
  #handle;
  #attempt = 0;
  #queue = NO_SENDS; // { data, bytes } held for the wasm's queue, oldest first (its own array from the first)
  #sock = null; // the one socket the machine holds: { sid, ws, conn }, and only when set: closeReq, stand, closing, abort, pending, paced, released
  #timers = null; // [timer id, setTimeout id, ...] while any runs
  #open = null; // the open socket's entry
  #closed = false;

  constructor(token, id, profile, ctor, module, registry, url, protocols, beat, perSecond) {
    if (token !== CREATE) throw new TypeError("use connect(config) to make a Connection");
    this.#id = id;
    this.#profile = profile;
    this.#ctor = ctor;
    this.#url = url;
    this.#protocols = protocols;
    if (beat !== undefined) this.#beat = { message: beat, lastIn: 0 };
    if (module !== null) hosted.set(this, [module, registry]);
    if (perSecond !== PACE) paces.set(this, perSecond);
    early.set(this, { on: true, events: [] }); // events raised inside connect() reach listeners added right after it
  }

  /** @internal connect() is over: the events it raised go out next (in a microtask), the rest as they come. */
  [HOLD]() {
    early.get(this).on = false;
    queueMicrotask(() => this.#flushEarly());
  }

  #flushEarly() {
    const held = early.get(this);
    if (held === undefined) return;
    early.delete(this);
    for (const detail of held.events) this.#emit(detail);
  }

  /** The canonical JSON of the profile (for errors and modules; not kept). */
  #json() { return profileJson(this.#profile); }

  /** The origin of the last url, which retries are paced by. */
  #origin() { return typeof this.#url === "string" ? originOf(this.#url) : origins.get(this); }

  /** The profile this connection belongs to. */
  get profile() { return this.#profile; }
  /** The handle of the current socket's registration (new on every reconnect). */
  get handle() { return this.#handle; }
  /** "connecting" | "open" | "reconnecting" | "closed". */
  get state() { return this.#state; }
  /** The fencing epoch of this connection's hold on its profile: greater than every earlier one of the profile in this realm (and at least `Date.now()` when it was made). */
  get epoch() { return this.#epoch; }
  /** `{ state, handle, attempt, epoch, queued, queuedBytes, sockets }`. */
  info() {
    const q = this.#queue;
    return { state: this.#state, handle: this.#handle, attempt: this.#attempt, epoch: this.#epoch, queued: q.length, queuedBytes: q.reduce((n, item) => n + item.bytes, 0), sockets: this.#sock === null ? 0 : 1 };
  }

  /** A fresh socket now: the current one is closed first (and its close confirmed), the queue is kept. Throws ConnectionClosedError once closed. */
  reconnect() {
    if (this.#closed) ok(W().error(3, "", this.#json()));
    const r = W().conn_reconnect(this.#id);
    drain();
    ok(r);
  }

  /** Sends now when open, else queues (in order); throws QueueFullError past the queue's bounds. */
  send(data) {
    let b;
    if (typeof data !== "string") {
      b = binary(data);
      if (b === undefined) invalidData(data);
      try { abLength.call(b[0]); } catch { invalidData("a view of a SharedArrayBuffer"); }
      try { new Uint8Array(b[0], 0, 0); } catch { invalidData("a detached ArrayBuffer (it was transferred)"); } // eslint-disable-line no-new
    }
    const o = this.#open;
    let failure = "";
    if (o !== null && readyState(o.ws) === 1) {
      try {
        o.ws.send(data);
        return;
      } catch (e) {
        failure = messageOf(e);
      }
    } else {
      try { o?.ws.readyState; } catch (e) { this.#crossed(e); } // workerd: a socket of another request throws here
      if (o !== null) failure = "the socket is closing";
    }
    // A binary message is held as a copy, in JS, never in wasm memory.
    return this.#hold(b === undefined ? data : copy(b), b === undefined ? utf8Length(data) : b[2], failure);
  }

  /** A socket of another, ended request (a plain Worker): taken as closed, the connection closes, the send throws CrossRequestError. */
  #crossed(e) {
    const err = crossRequest(e, this.#json());
    if (!err) return;
    W().conn_closed(this.#id, this.#sock.sid, 1006, "", false);
    this.close();
    throw err;
  }

  #hold(data, bytes, failure) {
    if (this.#closed) ok(W().error(3, "", this.#json()));
    const r = W().conn_enqueue(this.#id, bytes, failure);
    if (r === "") {
      if (this.#queue === NO_SENDS) this.#queue = [];
      this.#queue.push({ data, bytes });
    }
    drain();
    ok(r);
  }

  /** Stops for good and releases the profile; queued messages are reported in the final close event's `rejected`. */
  close(code, reason) {
    if (code !== undefined && typeof code !== "number") {
      throw configError(`close code must be 1000 or from 3000 to 4999, got ${describe(code)}`);
    }
    if (reason !== undefined && typeof reason !== "string") {
      throw configError(`close reason must be a string, got ${describe(reason)}`);
    }
    const r = W().conn_close(this.#id, code !== undefined, code ?? 0, reason === undefined ? "" : reason.slice(0, 512));
    drain();
    ok(r);
  }

  /** Adds a listener; returns the function that removes it. */
  on(type, listener) { return listen((this.#listeners ??= {}), EVENT_TYPES, type, listener, this); }

  #emit(detail) {
    const held = early.get(this);
    if (held !== undefined) {
      if (held.on) {
        held.events.push(detail);
        return;
      }
      this.#flushEarly();
    }
    emitTo(this.#listeners, detail.type, detail, this);
  }

  static #run(detail) { detail.target.#emit(detail); }

  /** Queues the event `detail` for the listeners, its `type` and `target` set. */
  #event(type, detail) {
    detail.type = type;
    detail.target = this;
    later(Connection.#run, detail);
  }

  /** @internal One record of the wasm's outbox for this connection. */
  [RECORD](r) {
    switch (r[0]) {
      case "epoch":
        this.#epoch = r[2];
        return;
      case "open": return this.#openSocket(r[2], r[3]);
      case "send": return this.#sendHeld(r[2]);
      case "beat": {
        const ws = this.#socket(r[2])?.ws;
        if (readyState(ws) === 1) {
          try { ws.send(this.#beat.message); } catch { /* a socket that cannot send: the deadline finds it silent */ }
        }
        return;
      }
      case "close": {
        const s = this.#socket(r[2]);
        if (s === undefined) return;
        if (s === this.#open) this.#open = null;
        if (s.ws !== null) return this.#closeSocket(s, r[3], r[4]);
        s.closeReq = [r[3], r[4]];
        if (s.pending) this.#standIn(s, 0); // its url is still being made: it never existed
        return;
      }
      case "timer":
        this.#setTimer(r[2], r[3]);
        return;
      case "clear":
        clearTimeout(this.#timerDone(r[2]));
        return;
      case "release": return this.#release(r[2]);
      case "wake":
        // The earlier socket of this profile closed: give the server a
        // moment to see that close before this connection's first socket.
        this.#setTimer("wake", GATE_SETTLE_MS);
        return;
      case "handle":
        this.#handle = r[2] ?? undefined;
        return;
      case "event": return this.#record(r[2], r);
      case "rejected":
        report(typed("ConnectionClosedError", `${r[2]} message(s) of a closed connection could not be sent and were dropped`));
        return;
      case "forget": {
        conns.delete(this.#id);
        waiting.delete(this);
        unpace(this.#sock?.paced);
        const all = this.#timers ?? [];
        for (let i = 1; i < all.length; i += 2) clearTimeout(all[i]);
        this.#timers = null;
        network();
        return;
      }
    }
  }

  /** The socket `sid`, if it is the one this connection holds. */
  #socket(sid) {
    const s = this.#sock;
    return s !== null && s.sid === sid ? s : undefined;
  }

  /** Starts timer `t` (the wasm's timer id, or "wake"), stopped by "clear" and "forget". */
  #setTimer(t, ms) {
    const h = setTimeout(Connection.#fire, ms, this, t);
    if (this.#timers === null) this.#timers = [t, h];
    else this.#timers.push(t, h);
  }

  static #fire(conn, t) {
    conn.#timerDone(t);
    const beat = conn.#beat;
    if (t === "wake") W().conn_start(conn.#id);
    else W().conn_timer(conn.#id, t, beat === undefined ? 0 : now() - beat.lastIn);
    drain();
  }

  /** Forgets timer `t`; returns its setTimeout id (undefined if it does not run). */
  #timerDone(t) {
    const all = this.#timers;
    for (let i = 0; all !== null && i < all.length; i += 2) {
      if (all[i] !== t) continue;
      const h = all[i + 1];
      if (all.length === 2) this.#timers = null;
      else all.splice(i, 2);
      return h;
    }
    return undefined;
  }

  /** `["event", id, type, ...fields]`: the state it changes, then the event for the listeners. */
  #record(type, [, , , a, b, c, d]) {
    let detail;
    if (type === "statechange") {
      detail = { from: a, to: b };
      this.#state = b;
      if (a === "open") this.#open = null;
    } else if (type === "open") {
      detail = { handle: this.#handle };
      this.#attempt = 0;
      this.#open = this.#sock;
      later(Connection.#recovered, [this, this.#open?.released]);
    } else if (type === "reconnecting") {
      detail = { attempt: a, delayMs: b, reason: c };
      this.#attempt = a;
      if (c === "closed") waiting.set(this, this.#origin());
      else waiting.delete(this);
    } else if (type === "error") {
      detail = { message: a };
    } else {
      detail = { code: a, reason: b, wasClean: c, willReconnect: d === null, rejected: d ?? 0 };
      if (d === null) return this.#event(type, detail);
      detail.final = true;
      this.#closed = true;
      this.#open = null;
      this.#queue = NO_SENDS;
      this.#unregisterFromModule();
    }
    this.#event(type, detail);
  }

  #unregisterFromModule() {
    const h = hosted.get(this);
    if (h === undefined) return;
    const [fns, registry] = h, json = this.#json();
    try {
      if (callModule(fns, "lookup", registry, json) === this) callModule(fns, "unregister", registry, json);
    } catch (e) {
      report(e);
    }
  }

  #openSocket(sid, attempt) {
    const s = { sid, ws: null, conn: this }; // the rest of its fields only on the paths that set them
    this.#sock = s;
    waiting.delete(this);
    // The url string given: one string per connection, not one more per socket.
    if (typeof this.#url !== "function") return this.#paced(s, this.#url, attempt);
    // The url function, for every socket: a throw, a rejection or a bad url
    // is a failed attempt (an `error` event, then a retry with backoff).
    const id = this.#id;
    const fail = (why) => {
      if (this.#sock !== s) return;
      this.#sock = null;
      W().conn_failed(id, sid, why);
      drain();
    };
    let made;
    try {
      made = this.#url({ profile: this.#profile, epoch: this.#epoch, attempt });
    } catch (e) {
      later(fail, `the url function threw: ${messageOf(e)}`);
      return;
    }
    s.pending = true;
    Promise.resolve(made).then((u) => {
      s.pending = false;
      if (this.#sock !== s || s.closeReq !== undefined) return; // closed while the url was made
      if (typeof u !== "string") return fail(`the url function gave ${describe(u)}, not a ws:// or wss:// url`);
      try { checkUrl(u); } catch (e) { return fail(`the url function gave a bad url: ${e.message}`); }
      origins.set(this, originOf(u));
      this.#paced(s, u, attempt);
      deliver();
    }, (e) => fail(`the url function failed: ${messageOf(e)}`));
  }

  /** Constructs a retry's socket when the origin's pacer lets it go (the first socket at once); `s.paced` is its place in line. */
  #paced(s, url, attempt) {
    const perSecond = paces.get(this) ?? PACE;
    if (attempt === 0 || perSecond === Infinity) return this.#construct(s, url);
    s.pending = true;
    s.paced = pace(this.#origin(), perSecond, (at) => {
      s.paced = undefined;
      s.released = at;
      s.pending = false;
      if (this.#sock !== s || s.closeReq !== undefined) return; // closed while waiting
      this.#construct(s, url);
      deliver();
    });
  }

  /**
   * A socket of `conn`'s origin opened (released by the pacer at `at`, if
   * paced): when connections to it wait out a backoff, the server is back;
   * they retry now, paced from a window that starts with that socket.
   */
  static #recovered([conn, at]) {
    const origin = conn.#origin(), ready = [];
    for (const [c, o] of waiting) if (o === origin && !c.#closed) ready.push(c);
    if (ready.length === 0) return;
    if (at !== undefined) reopened(origin, at);
    for (const c of ready) {
      if (waiting.get(c) !== origin || c.#closed) continue; // no longer waiting
      waiting.delete(c);
      W().conn_recovered(c.#id);
      drain();
    }
  }

  #construct(s, url) {
    let ws;
    try {
      ws = new this.#ctor(url, this.#protocols.slice()); // a copy: a constructor may change it
      if (typeof ws !== "object") throw new TypeError(`the WebSocket constructor returned ${describe(ws)}`);
    } catch (e) {
      this.#sock = null;
      const id = this.#id;
      // Its message may quote the url, secrets and all: this one names it redacted.
      const message = `new WebSocket(${JSON.stringify(redact(url))}) threw: ${messageOf(e).split(url).join("(the url)")}`;
      const sid = s.sid;
      later(() => { W().conn_failed(id, sid, message); drain(); });
      return;
    }
    s.ws = ws;
    try {
      ws.binaryType = "arraybuffer";
      ws[SOCK] = s; // the shared handlers find `s` here
      ws.onopen = Connection.#onopen;
      ws.onmessage = Connection.#onmessage;
      ws.onerror = Connection.#onerror;
      ws.onclose = Connection.#onclose;
    } catch (e) {
      report(e);
    }
    if (s.closeReq !== undefined) this.#closeSocket(s, ...s.closeReq);
  }

  // The socket handlers, one of each for every socket: `this` is the socket (or not, in workerd: then the event's target).
  static #onopen(e) {
    const s = entryOf(this, e);
    if (s === undefined) return;
    const c = s.conn;
    clearTimeout(s.abort);
    if (s.closing !== undefined) { // closed while connecting: now cleanly
      closeNow(s.ws, ...s.closing);
      c.#standIn(s, CLOSE_WAIT_MS);
    } else if (c.#sock === s) {
      if (c.#beat !== undefined) c.#beat.lastIn = now();
      W().conn_opened(c.#id, s.sid);
      drain();
    }
  }

  static #onmessage(e) {
    const s = entryOf(this, e);
    if (s === undefined || s.conn.#open !== s) return;
    const c = s.conn;
    if (c.#beat !== undefined) c.#beat.lastIn = now();
    later(Connection.#run, { data: prop(e, "data"), type: "message", target: c });
    deliver();
  }

  static #onerror(e) {
    const s = entryOf(this, e);
    if (s === undefined || s.conn.#sock !== s) return;
    const c = s.conn;
    const m = prop(e, "message");
    W().conn_error(c.#id, s.sid, typeof m === "string" && m !== "" ? m : "the socket reported an error");
    drain();
    // Some implementations (Node 20's undici, for a refused handshake)
    // fire `error` and never `close`: stand in for it, unless it comes.
    // (Browsers, ws, Deno and workerd fire it right after: a stand-in
    // that came first would let the next socket open beside this one.)
    if (c.#sock === s && readyState(s.ws) !== 1) c.#standIn(s, STAND_IN_CLOSE_MS);
  }

  static #onclose(e) {
    const s = entryOf(this, e);
    if (s === undefined) return;
    clearTimeout(s.stand);
    if (s.conn.#sock !== s) return;
    const code = prop(e, "code"), reason = prop(e, "reason");
    W().conn_closed(s.conn.#id, s.sid, typeof code === "number" ? code : 1006, typeof reason === "string" ? reason : "", prop(e, "wasClean") === true);
    drain();
  }

  /**
   * Closes a socket the machine is done with. One still connecting is let
   * open first and then closed cleanly: aborted, the browser reports its
   * close at once while the server may already hold it (and counts it), so
   * the machine would open the next socket of the profile beside it. Only
   * after CONNECTING_CLOSE_MS is it aborted. One that never confirms its
   * close (half-open) is taken as closed after CLOSE_WAIT_MS.
   */
  #closeSocket(s, code, reason) {
    if (readyState(s.ws) !== 0) {
      closeNow(s.ws, code, reason);
      return this.#standIn(s, CLOSE_WAIT_MS);
    }
    if (s.closing !== undefined) return;
    s.closing = [code, reason];
    s.abort = setTimeout(() => {
      closeNow(s.ws, code, reason);
      this.#standIn(s, CLOSE_WAIT_MS);
    }, CONNECTING_CLOSE_MS);
  }

  /** Reports socket `s` closed after `ms` unless its own close comes first. */
  #standIn(s, ms) {
    if (s.stand !== undefined) return;
    const id = this.#id, sid = s.sid;
    s.stand = setTimeout(() => {
      if (this.#sock !== s) return;
      if (s.ws !== null) closeNow(s.ws, 1000, "");
      W().conn_closed(id, sid, 1006, "", false);
      drain();
    }, ms);
  }

  #release(sid) {
    const s = this.#socket(sid);
    if (s === undefined) return;
    this.#sock = null;
    if (s === this.#open) this.#open = null;
    clearTimeout(s.stand);
    clearTimeout(s.abort);
    unpace(s.paced);
    const ws = s.ws;
    if (ws === null) return;
    // Not CLOSED yet: close it (workerd before 2026-04-07 leaves a CLOSING
    // socket half-open until the app closes it too).
    if (readyState(ws) !== 3) closeNow(ws, 1001, "going away");
    try {
      ws[SOCK] = undefined;
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    } catch { /* a socket that refuses: its handlers check that it is still the held socket anyway */ }
  }

  #sendHeld(sid) {
    const s = this.#socket(sid);
    const failed = stuck.get(this);
    const item = this.#queue[failed?.k ?? 0];
    if (item === undefined) return;
    if (failed !== undefined) {
      failed.k++;
      return;
    }
    try {
      if (readyState(s?.ws) !== 1) throw new Error("the socket is not open");
      s.ws.send(item.data);
      this.#queue.shift();
    } catch (e) {
      stuck.set(this, { k: 1, message: `could not send: ${messageOf(e)}` });
      later(Connection.#requeue, this);
    }
  }

  static #requeue(conn) {
    const { k, message } = stuck.get(conn);
    stuck.delete(conn);
    for (let i = k - 1; i >= 0; i--) W().conn_requeue(conn.#id, conn.#queue[i].bytes, i === 0 ? message : "");
    drain();
  }
}

function closeNow(ws, code, reason) {
  try {
    ws.close(code, reason);
  } catch {
    try { ws.close(1000, ""); } catch { /* nothing more to do */ }
  }
}

// connect's numeric options, in the order the wasm takes them.
const NUMBERS = [...RECONNECT_KEYS.slice(0, 5).map((k) => `reconnect.${k}`), ...QUEUE_KEYS.map((k) => `queue.${k}`), "connectTimeoutMs",
  "reconnect.minUptimeMs", "heartbeat.intervalMs", "heartbeat.timeoutMs"];
const SHAPES = { reconnect: RECONNECT_KEYS, queue: QUEUE_KEYS, heartbeat: HEARTBEAT_KEYS };

/** Reads an options object (`reconnect`, `queue`, `heartbeat`) into `nums`: only known keys, numbers only; returns it read (`{ key: value }`). */
function options(o, what, nums) {
  const keys = SHAPES[what];
  if (o === null || typeof o !== "object" || isArray(o)) {
    throw configError(`${what} must be ${what === "reconnect" ? "false or " : ""}{ ${keys.join(", ")} }, got ${describe(o)}`);
  }
  onlyKnown(o, keys, what);
  const read = {};
  for (const k of keys) {
    read[k] = get(o, k);
    setNumber(nums, `${what}.${k}`, read[k]);
  }
  return read;
}

/** The heartbeat message: a string or binary data (copied), "ping" by default. */
function beatMessage(m) {
  if (m === undefined) return "ping";
  if (typeof m === "string") return m;
  const b = binary(m);
  if (b === undefined) throw configError(`heartbeat.message must be a string or binary data, got ${describe(m)}`);
  try {
    return copy(b);
  } catch {
    throw configError("heartbeat.message must not be a detached or shared buffer");
  }
}

/** `reconnect.pace`: retries per second per origin, above 0 (`Infinity`: no pacing). */
function pacing(v) {
  if (v === undefined) return PACE;
  if (typeof v !== "number" || !(v > 0)) {
    throw configError(`reconnect.pace must be a number above 0 (retries per second per origin; Infinity turns pacing off), got ${describe(v)}`);
  }
  return v;
}

/** `nums` is `[reconnect on, given mask, ...NUMBERS]`; an option not in NUMBERS (a message, the pace) is read elsewhere. */
function setNumber(nums, label, v) {
  const i = NUMBERS.indexOf(label);
  if (v === undefined || i < 0) return;
  if (typeof v !== "number") throw configError(`${label} must be a number, got ${describe(v)}`);
  nums[1] += 2 ** i;
  nums[2 + i] = v;
}

/** The subprotocols option as a list of strings. */
function readProtocols(v) {
  if (v === undefined) return [];
  if (typeof v === "string") v = [v];
  else if (!isArray(v)) throw configError(`protocols must be a string or an array of strings, got ${describe(v)}`);
  const n = get(v, "length");
  if (typeof n !== "number" || n > 64) throw configError("protocols may list at most 64 subprotocols");
  const list = [];
  for (let i = 0; i < n; i++) {
    const p = get(v, i);
    if (typeof p !== "string" || !wellFormed(p)) throw configError(`protocols must be strings, got ${describe(p)}`);
    list.push(p);
  }
  return list;
}

/**
 * Connects `config.profile` to `config.url`, one socket per profile. See the
 * README for the options (`onDuplicate`, `WebSocket`, `reconnect`, `queue`,
 * `protocols`, `connectTimeoutMs`, `registry`).
 */
export function connect(config) {
  W();
  if (config === null || typeof config !== "object" || isArray(config)) {
    throw configError(`connect needs a config object: connect({ profile, url }), got ${describe(config)}`);
  }
  onlyKnown(config, CONFIG_KEYS, "connect's config");
  const o = {};
  const t = readTarget(config, undefined, OPTION_KEYS, o);
  if (t.profile === undefined) throw configError("connect needs a profile: connect({ profile, url })");
  const p = readProfile(t.profile);
  if (typeof o.url !== "function") {
    if (typeof o.url !== "string") {
      throw configError(`url must be a ws:// or wss:// string, or a function ({ profile, epoch, attempt }) returning one (or a Promise of one), got ${describe(o.url)}`);
    }
    checkUrl(o.url);
  }
  const protocols = readProtocols(o.protocols), pj = JSON.stringify(protocols);
  const dup = o.onDuplicate === undefined ? 0 : DUPLICATES.indexOf(o.onDuplicate);
  if (dup < 0) throw configError(`onDuplicate must be "error", "existing" or "replace", got ${describe(o.onDuplicate)}`);
  const nums = new Float64Array(2 + NUMBERS.length);
  const rc = o.reconnect;
  nums[0] = rc === false ? 0 : 1;
  const perSecond = rc !== undefined && typeof rc !== "boolean" ? pacing(options(rc, "reconnect", nums).pace) : PACE;
  if (o.queue !== undefined) options(o.queue, "queue", nums);
  setNumber(nums, "connectTimeoutMs", o.connectTimeoutMs);
  let beat;
  if (o.heartbeat !== undefined && o.heartbeat !== false) {
    beat = beatMessage(options(o.heartbeat, "heartbeat", nums).message);
    nums[0] += 2;
  }
  let ctor = o.WebSocket;
  if (ctor !== undefined && typeof ctor !== "function") throw configError(`WebSocket must be a WebSocket constructor, got ${describe(ctor)}`);
  ctor ??= globalThis.WebSocket;
  if (typeof ctor !== "function") {
    throw configError("no WebSocket constructor: this runtime has no global WebSocket; pass one as { WebSocket } (in Node: import { WebSocket } from \"ws\")");
  }
  const fns = moduleOf(t);
  const host = fns === null ? undefined : hosts.get(fns.obj);
  if (host !== undefined) return host(t.name, p, o, dup);
  const id = ++lastId;
  const conn = new Connection(CREATE, id, p.value, ctor, fns, t.name, o.url, protocols, beat, perSecond);
  conns.set(id, conn); // known before it is registered: its register event may read it
  let created = false;
  try {
    if (fns === null) {
      const r = registerLocal(t.name, p.value, p.json, conn, () => W().conn_new(id, t.name, true, p.json, pj, nums, dup, now()));
      if (r.charCodeAt(0) === 101) return valueOf(r.slice(1)); // "e<handle>": onDuplicate "existing"
      created = true;
      return conn;
    }
    const existing = callModule(fns, "lookup", t.name, p.json);
    if (existing !== undefined) {
      if (dup === 1) return existing;
      if (dup === 0) alreadyRegistered(t.name, p.json, existing);
      if (existing instanceof Connection) existing.close(1000, "replaced");
      else callModule(fns, "unregister", t.name, p.json);
    }
    moduleRegister(fns, t, p.json, conn);
    const r = W().conn_new(id, t.name, false, p.json, pj, nums, dup, now());
    drain();
    if (r.charCodeAt(0) === 0) {
      callModule(fns, "unregister", t.name, p.json);
      ok(r);
    }
    created = true;
    return conn;
  } finally {
    if (!created) conns.delete(id); // not made: a throw, or the existing connection returned
    conn[HOLD]();
    network();
  }
}

let listening = false; // whether network()'s listeners are on
/**
 * Adds or removes the realm's `online`, `offline` and `visibilitychange`
 * listeners: on while any connection lives (off with the last). Offline,
 * retries pause; online, or a page shown again, a reconnecting connection
 * retries at once.
 */
function network() {
  const g = globalThis;
  const want = conns.size > 0;
  if (want === listening || typeof g.addEventListener !== "function") return;
  listening = want;
  const f = want ? "addEventListener" : "removeEventListener";
  try {
    g[f]("online", onOnline);
    g[f]("offline", onOffline);
    g.document?.[f]?.("visibilitychange", onVisible);
  } catch (e) {
    report(e);
  }
  if (want && g.navigator?.onLine === false) queueMicrotask(onOffline);
}

function tell(online, visible) {
  W().conn_network(online, visible);
  drain();
}
function onOnline() { tell(true, false); }
function onOffline() { tell(false, false); }
function onVisible() {
  if (globalThis.document?.visibilityState === "visible") tell(true, true);
}

/** How many connections are alive in this realm (for leak checks). */
export function __connCount() { return W().conn_count(); }
