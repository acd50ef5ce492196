// profile-registry/weblocks: the "WebLocks" registry module, whose reach is
// the origin. Importing this entry plugs it in; then
// `connect({ profile, url, registry: { module: "WebLocks" } })` in any tab or
// worker of the origin gives a `SharedConnection`. Exactly one of them per
// (name, profile) is the owner: it holds the Web Lock
// "profile-registry:<name>:<profile>" and, inside it, a plain `Connection`
// (registry "WebLocks:<name>") to the upstream. The others are followers and
// reach the owner over a BroadcastChannel of the same name: their sends are
// forwarded with ids and acknowledged once they went out on an open socket;
// every upstream message is rebroadcast to every tab. Ownership moves only
// through the lock (a released lock, or `steal`), never by a guess.
import { W, ok } from "./boundary.js";
import { connect, emitTo, hosts, listen } from "./connection.js";
import { describe, entryKey } from "./read.js";
import { typed, report, configError, UnsupportedRuntimeError } from "./errors.js";
import { plugBuiltIn, start, alreadyRegistered } from "./registry.js";

/** The module's name in `registry: { module: "WebLocks" }`. */
export const WEBLOCKS = "WebLocks";
const EVENT_TYPES = ["open", "message", "close", "error", "reconnecting", "statechange", "role", "resent"];
const RELAYED = ["open", "error", "reconnecting"];
/** The owner's events its followers hear too (`open` and `statechange` follow from the `state` it posts). */
const TO_FOLLOWERS = ["error", "reconnecting"];
const settings = { announceMs: 5_000, silenceMs: 90_000, maxQueued: 1024 };

// On Safari's engine the lock is held in a window, not a worker (WebKit bugs
// 283528 and 316904: a lock a worker holds can outlive a reload): a visible
// window that hears a worker own the profile takes over with `steal`. The
// worker is deposed the usual way and follows. Elsewhere a worker owns like a tab.
const inWindow = () => typeof globalThis.document === "object";
const windowOwns = () => {
  const ua = globalThis.navigator?.userAgent ?? "";
  return /AppleWebKit/.test(ua) && !/Chrom|Edg|OPR/.test(ua);
};
/**
 * How long an owner waits after handing a follower's send to its open socket
 * before acknowledging it: a tab that navigates or crashes right after
 * `ws.send` may drop what the socket had not written yet (seen in Firefox),
 * and an unacknowledged send is re-sent to the next owner.
 */
const ACK_DELAY_MS = 100;
const tabs = new Map(); // entryKey(name, profile json) -> this realm's SharedConnection
const CREATE = Symbol("create");

/**
 * Sets this realm's WebLocks timings and bounds: `announceMs` (how often an
 * owner announces itself, default 5,000), `silenceMs` (how long a visible
 * follower hears nothing from its owner before it takes over with `steal`,
 * default 90,000: hidden tabs' timers may run once a minute), `maxQueued`
 * (sends a tab holds while they are not yet out, default 1,024). Applies to
 * connections made after the call.
 *
 * @example
 * configureWebLocks({ silenceMs: 2_000 }); // tests: a frozen owner is replaced within 2 s
 */
export function configureWebLocks(options) {
  const next = { ...settings };
  for (const k of Object.keys(options ?? {})) {
    const v = options[k];
    if (!(k in settings)) throw configError(`configureWebLocks knows announceMs, silenceMs and maxQueued, not ${describe(k)}`);
    if (!Number.isSafeInteger(v) || v < 1) throw configError(`${k} must be a whole number of at least 1, got ${describe(v)}`);
    next[k] = v;
  }
  Object.assign(settings, next); // all or nothing: a bad key or value changes none
  return { ...settings };
}

function missing() {
  const g = globalThis;
  const gaps = [];
  if (typeof g.navigator?.locks?.request !== "function") gaps.push("navigator.locks (Web Locks)");
  if (typeof g.BroadcastChannel !== "function") gaps.push("BroadcastChannel");
  return gaps;
}

/** Binary data copied (the caller may reuse its buffer), or a string as is; anything else is an InvalidDataError. */
function copyOf(data) {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return data.slice(0);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
  return ok(W().error(4, describe(data), ""));
}

function storage() {
  try { return globalThis.localStorage ?? null; } catch { return null; }
}

/**
 * The next fencing epoch of a lock: above the last one stored in origin
 * storage and above every one heard, at least `Date.now()`; stored at once.
 * Called only while holding the lock, so epochs increase across the origin
 * and across reloads.
 */
function nextEpoch(lock, heard) {
  const store = storage();
  let last = 0;
  try { last = Number(store?.getItem(lock)) || 0; } catch { /* unreadable: the clock and what was heard still order it */ }
  const epoch = Math.max(last + 1, heard + 1, Date.now());
  try { store?.setItem(lock, String(epoch)); } catch (e) { report(e); }
  return epoch;
}

/**
 * One profile's connection as this tab (or worker) sees it, in a registry
 * of the "WebLocks" module: the owner holds the upstream socket, followers
 * go through it. Made by `connect` with `registry: { module: "WebLocks" }`.
 *
 * @example
 * import "profile-registry/weblocks";
 * const conn = connect({ profile: "alice", url: ({ epoch }) => `wss://chat.example.com/?epoch=${epoch}`, registry: { module: "WebLocks" } });
 * conn.on("role", (e) => console.log(e.role, e.epoch));
 * conn.send("hi"); // goes out on the owner's socket, wherever it is
 */
export class SharedConnection {
  #name; #profile; #json; #options; #key; #lock;
  #id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  #role = "follower";
  #state = "connecting";
  #epoch = 0;
  #owner = null; // the owner's id, as last heard
  #heard = 0; // Date.now() when the owner was last heard (or this tab began to wait)
  #channel = null;
  #grant = null; // { ac, release } of this tab's current lock request
  #inner = null; // the owner's Connection
  #offs = []; // removers of the inner Connection's listeners
  #out = []; // { id, data, to }: this tab's sends not yet out; `to` = the owner it went to, or null
  #n = 0;
  #relay = []; // the owner's: { from, id, data } of followers, waiting for an open socket
  #seen = new Map(); // the owner's: follower id -> the last send id it put out
  #acks = []; // the owner's: [follower id, send id, when put out, data] not yet acknowledged, oldest first
  #ackTimer = undefined;
  #timer = undefined;
  #waiters = []; // takeOver() resolvers
  #listeners = {}; // { [type]: wrappers } (see listen)
  #page = null; // [pagehide, pageshow] listeners
  #closed = false;

  constructor(token, name, profile, json, options) {
    if (token !== CREATE) throw new TypeError("use connect(config) to make a SharedConnection");
    this.#name = name;
    this.#profile = profile;
    this.#json = json;
    this.#options = options;
    this.#key = entryKey(name, json);
    this.#lock = `profile-registry:${name}:${json}`;
  }

  /** The profile. */
  get profile() { return this.#profile; }
  /** Always `undefined`: handles belong to the owner's own Connection. */
  get handle() { return undefined; }
  /** `"owner"` (this tab holds the upstream socket) or `"follower"`. */
  get role() { return this.#role; }
  /** The upstream socket's state as this tab sees it: the owner's, or `"connecting"` / `"reconnecting"` while there is none. */
  get state() { return this.#state; }
  /** The current owner's fencing epoch: strictly increasing per (name, profile) across the origin and across reloads. */
  get epoch() { return this.#epoch; }
  /** `{ state, role, epoch, queued, owner }`: a snapshot. */
  info() {
    return { state: this.#state, role: this.#role, epoch: this.#epoch, queued: this.#out.length + this.#relay.length, owner: this.#owner };
  }

  /** Sends on the owner's socket, in this tab's order; returns the send's id (seen again in a `resent` event). Throws QueueFullError past `maxQueued`. */
  send(data) {
    if (this.#closed) ok(W().error(3, "", this.#json));
    const copy = copyOf(data);
    if (this.#out.length >= settings.maxQueued) {
      throw typed("QueueFullError", `the WebLocks queue of ${this.#json} is full (${settings.maxQueued} sends not yet out)`);
    }
    const id = ++this.#n;
    this.#out.push({ id, data: copy, to: null });
    this.#pump();
    return id;
  }

  /** Makes this tab the owner ("use here"): resolves once it is; the former owner's socket is closed and fenced. */
  takeOver() {
    if (this.#closed) return Promise.reject(typed("ConnectionClosedError", `the connection of ${this.#json} is closed`));
    if (this.#role === "owner") return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      this.#waiters.push([resolve, reject]);
      this.#request(true);
    });
  }

  /** Detaches this tab: an owner hands ownership to a tab that still wants the profile; unsent sends are counted in the final close's `rejected`. */
  close(code = 1000, reason = "") {
    if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) throw configError(`close code must be 1000 or from 3000 to 4999, got ${describe(code)}`);
    if (typeof reason !== "string") throw configError(`close reason must be a string, got ${describe(reason)}`);
    if (this.#closed) return;
    this.#closed = true;
    if (tabs.get(this.#key) === this) tabs.delete(this.#key);
    this.#detach(code, reason);
    if (this.#page) for (const [type, f] of this.#page) removeEventListener(type, f);
    this.#page = null;
    for (const [, reject] of this.#waiters.splice(0)) reject(typed("ConnectionClosedError", `the connection of ${this.#json} was closed`));
    const rejected = this.#out.length;
    this.#out = [];
    this.#setState("closed");
    this.#emit("close", { code, reason, wasClean: true, willReconnect: false, rejected, final: true });
  }

  /** Adds a listener; returns the function that removes it. */
  on(type, listener) { return listen(this.#listeners, EVENT_TYPES, type, listener, this); }

  #emit(type, detail) { emitTo(this.#listeners, type, detail, this); }

  /** @internal Joins the origin: the channel, a lock request, the announce timer, bfcache listeners. */
  [CREATE]() {
    this.#attach();
    if (inWindow() && typeof addEventListener === "function") {
      // Every pagehide (bfcache or not): a page going away gives the lock up
      // now rather than when the browser gets round to freeing it.
      this.#page = [["pagehide", (e) => this.#detach(1000, e.persisted ? "page cached" : "page hidden")],
        ["pageshow", (e) => { if (e.persisted && !this.#closed) this.#attach(); }]];
      for (const [type, f] of this.#page) addEventListener(type, f);
    }
  }

  #attach() {
    this.#channel = new BroadcastChannel(this.#lock);
    this.#channel.onmessage = (e) => this.#hear(e.data);
    this.#heard = Date.now();
    this.#post({ t: "who" });
    this.#request(false);
    this.#timer = setInterval(() => this.#tick(), settings.announceMs);
  }

  /** Leaves the origin (closed, or entering bfcache): the socket, the lock, the channel, the timer. */
  #detach(code, reason) {
    if (this.#role === "owner") this.#stepDown(code, reason);
    this.#grant?.ac.abort();
    this.#grant = null;
    this.#channel?.close();
    this.#channel = null;
    clearInterval(this.#timer);
    this.#owner = null;
  }

  #post(m) {
    try { this.#channel?.postMessage({ ...m, from: this.#id }); } catch (e) { report(e); }
  }

  /** Asks for the lock: queued behind the owner, or (`steal`) at once, deposing it. */
  #request(steal) {
    if (steal && this.#grant?.steal) return;
    this.#grant?.ac.abort();
    const g = { ac: new AbortController(), release: null, steal };
    this.#grant = g;
    navigator.locks.request(this.#lock, steal ? { steal: true } : { signal: g.ac.signal }, () => new Promise((release) => {
      g.release = release;
      if (this.#grant === g) this.#own(g);
      else release();
    })).catch((e) => {
      // Aborted while waiting (ours), or stolen while held: the only sign of deposition.
      if (g.release !== null && this.#grant === g) this.#deposed(g);
      else if (e?.name !== "AbortError") report(e);
    });
  }

  #own(g) {
    g.steal = false;
    this.#role = "owner";
    this.#owner = this.#id;
    this.#epoch = nextEpoch(this.#lock, this.#epoch);
    const o = this.#options;
    const url = typeof o.url === "function" ? (c) => o.url({ profile: c.profile, epoch: this.#epoch, attempt: c.attempt }) : o.url;
    const registry = `WebLocks:${this.#name}`;
    start(registry);
    const inner = connect({ ...o, profile: this.#profile, url, registry, onDuplicate: "replace" });
    this.#inner = inner;
    this.#offs = [
      inner.on("statechange", (e) => { this.#setState(e.to); this.#post({ t: "state", state: e.to }); }),
      inner.on("message", (e) => { this.#emit("message", { data: e.data }); this.#post({ t: "msg", data: e.data }); }),
      inner.on("close", (e) => {
        if (e.final) return this.#innerEnded(e);
        this.#again();
        this.#emit("close", { ...e, type: undefined, target: undefined });
      }),
      ...RELAYED.map((type) => inner.on(type, (e) => {
        if (type === "open") this.#pump();
        const { type: _, target: __, ...detail } = e;
        if (TO_FOLLOWERS.includes(type)) this.#post({ t: "ev", type, detail });
        this.#emit(type, detail);
      })),
    ];
    this.#setState(inner.state);
    this.#announce();
    this.#emit("role", { role: "owner", epoch: this.#epoch });
    for (const [resolve] of this.#waiters.splice(0)) resolve(this);
    this.#pump();
  }

  #announce() { this.#post({ t: "own", epoch: this.#epoch, state: this.#state, worker: !inWindow() }); }

  /** Gives the upstream up: the socket closed now, the lock released, the followers told. */
  #stepDown(code, reason) {
    for (const off of this.#offs) off();
    this.#offs = [];
    try { this.#inner?.close(code, reason); } catch (e) { report(e); }
    // Not acknowledged now: a page going away may drop what its socket had
    // not written yet, so what was put out in the last ACK_DELAY_MS goes to
    // the next owner again (named in a `resent` event there).
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#acks = [];
    this.#inner = null;
    this.#relay = []; // unacknowledged: their senders send them again to the next owner
    this.#seen.clear();
    this.#post({ t: "bye" });
    this.#grant?.release?.();
    this.#grant = null;
    this.#role = "follower";
    this.#owner = null;
    this.#heard = Date.now();
    this.#setState(this.#closed ? "closed" : "reconnecting");
    if (!this.#closed) this.#emit("role", { role: "follower", epoch: this.#epoch });
  }

  /** The lock was stolen (`steal`) while this tab held it: its code still runs, so it closes its socket at once. */
  #deposed() {
    this.#stepDown(1000, "taken over");
    if (!this.#closed) this.#request(false);
  }

  /** The owner's Connection ended by itself: fenced off by a newer owner (4409) means follow; anything else ends this tab's. */
  #innerEnded(e) {
    this.#inner = null;
    this.#offs = [];
    if (e.code === 4409) return this.#deposed();
    this.#emit("error", { message: `the upstream connection ended (${e.code} ${e.reason})` });
    this.close(e.code, e.reason);
  }

  #setState(to) {
    const from = this.#state;
    if (from === to || from === "closed") return;
    this.#state = to;
    this.#emit("statechange", { from, to });
    if (to === "open" && this.#role === "follower") this.#emit("open", { handle: undefined });
  }

  /** Puts sends out: on the socket when this tab owns an open one, else to the owner; the rest wait. */
  #pump() {
    if (this.#role === "owner") {
      const inner = this.#inner;
      if (inner === null || inner.state !== "open") return;
      const resent = this.#out.filter((m) => m.to !== null && m.to !== this.#id).map((m) => m.id);
      if (resent.length) this.#emit("resent", { ids: resent });
      try {
        while (this.#out.length) { inner.send(this.#out[0].data); this.#out.shift(); }
        while (this.#relay.length) {
          const r = this.#relay[0];
          inner.send(r.data);
          this.#relay.shift();
          this.#seen.set(r.from, r.id);
          this.#acks.push([r.from, r.id, Date.now(), r.data]);
          this.#ackTimer ??= setTimeout(() => this.#ackDue(), ACK_DELAY_MS);
        }
      } catch (e) {
        this.#emit("error", { message: `could not send: ${e.message}` });
      }
      return;
    }
    const owner = this.#owner;
    if (owner === null) return;
    const resent = [];
    for (const m of this.#out) {
      if (m.to === owner) continue;
      if (m.to !== null) resent.push(m.id);
      m.to = owner;
      this.#post({ t: "send", to: owner, id: m.id, data: m.data });
    }
    if (resent.length) this.#emit("resent", { ids: resent });
  }

  /** Acknowledges, per follower, its last send put out at least ACK_DELAY_MS ago; waits for the rest. */
  #ackDue() {
    this.#ackTimer = undefined;
    const due = Date.now() - ACK_DELAY_MS;
    const last = new Map();
    let n = 0;
    while (n < this.#acks.length && this.#acks[n][2] <= due) last.set(this.#acks[n][0], this.#acks[n++][1]);
    this.#acks.splice(0, n);
    for (const [to, id] of last) this.#post({ t: "ack", to, id });
    if (this.#acks.length) this.#ackTimer = setTimeout(() => this.#ackDue(), this.#acks[0][2] - due);
  }

  /**
   * The owner's socket closed (it reconnects): followers' sends it put out
   * less than ACK_DELAY_MS before may have died with it, so they go out
   * again, first, on the next socket, and their senders name them in a
   * `resent` event. Those out longer are acknowledged.
   */
  #again() {
    this.#ackDue();
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const again = this.#acks.splice(0);
    if (again.length === 0) return;
    this.#relay.unshift(...again.map(([from, id, , data]) => ({ from, id, data })));
    const ids = new Map();
    for (const [from, id] of again) ids.set(from, [...(ids.get(from) ?? []), id]);
    for (const [to, list] of ids) this.#post({ t: "again", to, ids: list });
  }

  #hear(m) {
    if (this.#closed || m === null || typeof m !== "object") return;
    const from = m.from;
    switch (m.t) {
      case "who":
        if (this.#role === "owner") this.#announce();
        return;
      case "own":
        if (m.epoch < this.#epoch) return; // a deposed owner's last word
        if (this.#role === "owner") {
          if (m.epoch === this.#epoch) return;
          this.#deposed(); // it stole the lock: step down now, before the rejection says so
        }
        this.#epoch = m.epoch;
        this.#heard = Date.now();
        if (this.#owner !== from) {
          this.#owner = from;
          this.#setState(m.state);
          this.#pump();
        }
        if (m.worker === true && inWindow() && globalThis.document.visibilityState !== "hidden" && windowOwns()) this.#request(true);
        return;
      case "state":
        if (from === this.#owner) { this.#heard = Date.now(); this.#setState(m.state); }
        return;
      case "ev":
        if (from === this.#owner && this.#role === "follower" && TO_FOLLOWERS.includes(m.type)) this.#emit(m.type, { ...m.detail });
        return;
      case "msg":
        if (this.#role === "follower") this.#emit("message", { data: m.data });
        return;
      case "again": {
        if (m.to !== this.#id || from !== this.#owner || !Array.isArray(m.ids)) return;
        const ids = m.ids.filter((id) => this.#out.some((s) => s.id === id));
        if (ids.length) this.#emit("resent", { ids });
        return;
      }
      case "ack":
        if (m.to !== this.#id) return;
        while (this.#out.length && this.#out[0].id <= m.id && this.#out[0].to === from) this.#out.shift();
        return;
      case "send":
        if (this.#role !== "owner" || m.to !== this.#id) return;
        if (m.id <= (this.#seen.get(from) ?? 0)) this.#post({ t: "ack", to: from, id: m.id });
        else { this.#relay.push({ from, id: m.id, data: m.data }); this.#pump(); }
        return;
      case "bye":
        if (from !== this.#owner) return;
        this.#owner = null;
        this.#heard = Date.now();
        // What it took and did not acknowledge may or may not have gone out
        // (a page torn down right after ws.send): `to` stays the old owner, so
        // the next owner gets it again and a `resent` event names it.
        this.#setState("reconnecting");
        return;
    }
  }

  /** The announce interval: an owner announces; a visible follower that heard nothing for `silenceMs` takes over. */
  #tick() {
    if (this.#role === "owner") return this.#announce();
    const hidden = globalThis.document?.visibilityState === "hidden";
    if (!hidden && Date.now() - this.#heard > settings.silenceMs) {
      this.#heard = Date.now();
      this.#request(true);
    }
  }
}

/** The "WebLocks" module: `lookup` is this tab's SharedConnection; entries are made by `connect` only. */
const module = {
  name: WEBLOCKS,
  register() {
    throw configError('the "WebLocks" module holds only the connections connect() makes: connect({ profile, url, registry: { module: "WebLocks" } })');
  },
  lookup: (name, profile) => tabs.get(entryKey(name, JSON.stringify(profile))),
  unregister(name, profile) { tabs.get(entryKey(name, JSON.stringify(profile)))?.close(1000, "unregistered"); },
};

/** `connect` with `registry: { module: "WebLocks" }`, its config already read and checked. */
function connectShared(name, p, options, dup) {
  const gaps = missing();
  if (gaps.length) throw new UnsupportedRuntimeError(`the WebLocks registry module needs ${gaps.join(" and ")}, which this runtime lacks; use the default module here`);
  const key = entryKey(name, p.json);
  const existing = tabs.get(key);
  if (existing !== undefined) {
    if (dup === 1) return existing;
    if (dup === 0) alreadyRegistered(name, p.json, existing);
    existing.close(1000, "replaced");
  }
  const conn = new SharedConnection(CREATE, name, p.value, p.json, options);
  tabs.set(key, conn);
  conn[CREATE]();
  return conn;
}

hosts.set(module, connectShared);
plugBuiltIn(WEBLOCKS, module);

export { UnsupportedRuntimeError } from "./errors.js";
