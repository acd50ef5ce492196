// profile-registry/cloudflare: one owner per profile across every isolate of
// a Cloudflare Worker. `ProfileConnections` is a Durable Object class (the
// Worker re-exports it and binds it in its wrangler config): one object per
// (registry name, profile), reached with `idFromName`, runs the package's
// `connect` inside itself, so the profile's one upstream WebSocket lives
// there with the usual machine (backoff, queue, heartbeat, epochs). Its
// storage holds the wanted config, the fencing epoch and the sends not yet
// out; an alarm brings the socket back after a reset. `durableObjects(ns)`
// is the registry module for Workers: `connect` with it gives a
// `DurableConnection` whose calls reach that object.
import "./workerd.js"; // the wasm, instantiated at import (wrangler bundles the .wasm)
import { W, ok } from "./boundary.js";
import { connect, hosts } from "./connection.js";
import { errorClass, typed, configError } from "./errors.js";
import { checkUrl, describe, entryKey, nameless } from "./read.js";
import { registries, start, stop, alreadyRegistered } from "./registry.js";

/** A `request()` whose reply did not come in time. */
export const ReplyTimeoutError = errorClass("ReplyTimeoutError");
export { CrossRequestError } from "./errors.js";

/** The module's label in errors. */
const MODULE_NAME = "DurableObjects";
/** How long the object waits for a sender's missing earlier send before it takes the later ones. */
const REORDER_MS = 500;
const REPLY_MS = 10_000;
const MAX_STORED = 1024;
/** A sender silent this long is forgotten (its order state leaves memory and storage); checked as often. */
const SENDER_IDLE_MS = 60_000;
const HEADER = "x-profile-registry";
const CARRIED = ["protocols", "reconnect", "queue", "connectTimeoutMs", "heartbeat"];
const instances = new Map(); // entryKey(name, profile json) -> the registry of the instance that runs it in this isolate
const seqKey = (sender) => `s:${sender}`;
const queueKey = (n) => `q:${String(n).padStart(16, "0")}`;

/** Binary data as base64, a string as is: `{ d, b }` (b: binary). */
function pack(data) {
  if (typeof data === "string") return { d: data, b: false };
  let bytes;
  if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return ok(W().error(4, describe(data), ""));
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { d: btoa(s), b: true };
}

function unpack({ d, b }) {
  if (!b) return d;
  const s = atob(d);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes.buffer;
}

/** Deletes `keys` from storage, 128 at a time (the API's limit). */
async function drop(storage, keys) {
  for (let i = 0; i < keys.length; i += 128) await storage.delete(keys.slice(i, i + 128));
}

const json = (value, status = 200) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
const failure = (e, status = 500) => json({ error: { name: e?.name ?? "Error", message: String(e?.message ?? e) } }, status);

/**
 * The Durable Object that owns one profile's upstream WebSocket. Re-export
 * it from the Worker (`export { ProfileConnections } from
 * "profile-registry/cloudflare"`) and bind it (`durable_objects.bindings`,
 * a `new_sqlite_classes` migration); Workers reach it through
 * `durableObjects(env.PROFILES)`. Subclass it to change `watchMs` or
 * `upstreamUrl`.
 */
export class ProfileConnections {
  /** How often (ms) the alarm checks the socket (and brings it back after a reset). */
  watchMs = 250;
  #wanted; // { name, profile, config } from storage, or undefined
  #conn = null; // the inner Connection
  #epoch = 0; // the epoch of the inner connection's current socket
  #queue = []; // { key, item, reply? } stored and not yet out, oldest first
  #next = 0; // the next queue number
  #orders = new Map(); // sender -> { last, waiting: Map(seq -> run), timer }
  #replies = []; // { resolve, reject } of requests whose send went out, oldest first
  #pruned = Date.now(); // when idle senders were last forgotten
  #instance = crypto.randomUUID();

  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
    ctx.blockConcurrencyWhile(async () => {
      this.#wanted = await ctx.storage.get("wanted");
      const stored = await ctx.storage.list({ prefix: "q:" });
      for (const [key, item] of stored) this.#queue.push({ key, item });
      this.#next = (await ctx.storage.get("next")) ?? 0;
    });
  }

  /** The url of the upstream socket of `epoch`: `config.url` with `{epoch}` replaced by it. */
  upstreamUrl(config, epoch) {
    return config.url.replaceAll("{epoch}", String(epoch));
  }

  /** `/send`, `/request`, `/attach`, `/close`, `/info`, from `DurableConnection`. */
  async fetch(request) {
    try {
      const meta = JSON.parse(decodeURIComponent(request.headers.get(HEADER) ?? "null"));
      const path = new URL(request.url).pathname;
      if (path === "/info") return json(await this.#info());
      if (meta === null) return failure(configError("a ProfileConnections object is reached through durableObjects(namespace)"), 400);
      if (path === "/close") return json(await this.#close());
      await this.#want(meta);
      if (path === "/attach") return this.#attach(request);
      const body = await request.json();
      if (path === "/send") return json(await this.#ordered(body, false));
      if (path === "/request") return json(await this.#ordered(body, true));
      return failure(new Error(`no route ${path}`), 404);
    } catch (e) {
      return failure(e, e?.name === "ReplyTimeoutError" ? 504 : 500);
    }
  }

  /** The watch: the socket checked against the stored epoch, brought back if gone, the next alarm set. */
  async alarm() {
    if (this.#wanted === undefined) return;
    await this.#current();
    this.#ensure();
    if (Date.now() - this.#pruned > SENDER_IDLE_MS) await this.#prune();
    await this.ctx.storage.setAlarm(Date.now() + this.watchMs);
  }

  /** A client's message goes upstream like a send; one that cannot be stored (the queue is full) closes that client with 1011 and why. */
  async webSocketMessage(ws, message) {
    if (this.#wanted === undefined) return;
    try {
      await this.#store(pack(message), null);
    } catch (e) {
      try { ws.close(1011, String(e.message).slice(0, 120)); } catch { /* gone already */ }
    }
  }

  webSocketClose(ws, code, reason) {
    try { ws.close(code === 1005 ? 1000 : code, reason); } catch { /* already closed */ }
  }

  async #want(meta) {
    const w = this.#wanted;
    if (w !== undefined && JSON.stringify(w) === JSON.stringify(meta)) return;
    this.#wanted = meta;
    await this.ctx.storage.put("wanted", meta);
    if (w === undefined) await this.ctx.storage.setAlarm(Date.now() + this.watchMs);
    this.#ensure();
  }

  /** The inner connection, made if there is none. */
  #ensure() {
    const c = this.#conn;
    if (c !== null && c.state !== "closed") return c;
    const { name, profile, config } = this.#wanted;
    const registry = this.#registry(entryKey(name, JSON.stringify(profile)));
    const options = {};
    for (const k of CARRIED) if (config[k] !== undefined) options[k] = config[k];
    const conn = connect({ ...options, profile, registry, onDuplicate: "replace", url: () => this.#nextUrl() });
    this.#conn = conn;
    conn.on("open", () => { this.#current().then(() => this.#flush()); });
    conn.on("message", (e) => this.#upstream(conn, e.data));
    conn.on("close", (e) => {
      this.#unanswered("the upstream socket closed before the reply came");
      if (e.final && this.#conn === conn) this.#conn = null;
    });
    return conn;
  }

  /**
   * This instance's registry for its profile. Each instance has its own: an
   * instance that was reset (`ctx.abort()`) leaves its Connection behind in
   * the isolate, with a socket whose close may never be reported, and the
   * new one must not wait for it. The earlier instance's registry is stopped.
   */
  #registry(key) {
    const mine = `${MODULE_NAME}:${this.#instance}`;
    const earlier = instances.get(key);
    if (earlier !== undefined && earlier !== mine) {
      try { stop(earlier); } catch { /* stopped already */ }
    }
    instances.set(key, mine);
    if (!registries().includes(mine)) start(mine);
    return mine;
  }

  /** A new socket's url: the stored epoch bumped (at least `Date.now()`), stored, then substituted. */
  async #nextUrl() {
    const epoch = Math.max(((await this.ctx.storage.get("epoch")) ?? 0) + 1, Date.now());
    await this.ctx.storage.put("epoch", epoch);
    this.#epoch = epoch;
    return this.upstreamUrl(this.#wanted.config, epoch);
  }

  /**
   * Whether this instance still owns the profile: a stored epoch above its
   * socket's means another instance took over (Cloudflare's replaced
   * instance), and this one closes its socket.
   */
  async #current() {
    const stored = (await this.ctx.storage.get("epoch")) ?? 0;
    const conn = this.#conn;
    if (conn === null || stored <= this.#epoch) return true;
    this.#conn = null;
    try { conn.close(1000, "superseded"); } catch { /* closed already */ }
    return false;
  }

  #upstream(conn, data) {
    for (const ws of this.ctx.getWebSockets()) {
      try { ws.send(data); } catch { /* a client that left: its close comes */ }
    }
    this.#replies.shift()?.resolve(data);
    this.ctx.waitUntil?.(this.#current());
  }

  /** A sender's send taken in its order: `seq` after its last, or after REORDER_MS waiting for the gap. */
  async #ordered({ sender, seq, data, timeoutMs }, reply) {
    let o = this.#orders.get(sender);
    if (o === undefined) {
      o = { last: (await this.ctx.storage.get(seqKey(sender)))?.last ?? 0, waiting: new Map(), timer: undefined };
      o = this.#orders.get(sender) ?? o;
      this.#orders.set(sender, o);
    }
    let replied;
    const take = async () => {
      o.last = Math.max(o.last, seq);
      const sent = reply ? new Promise((resolve, reject) => (replied = { resolve, reject })) : null;
      sent?.catch(() => {}); // seen by the race below; may reject before it runs
      await this.#store(data, replied ?? null, { [seqKey(sender)]: { last: o.last, at: Date.now() } });
      return { sent }; // not the promise itself: awaiting `taken` must not wait for the reply
    };
    let taken;
    if (seq <= o.last + 1) taken = take(); // in order (or late, past a gap given up on)
    else taken = new Promise((resolve, reject) => o.waiting.set(seq, () => take().then(resolve, reject)));
    this.#release(o);
    const { sent } = await taken;
    if (!reply) return { ok: true };
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new ReplyTimeoutError(`no reply from the upstream of ${JSON.stringify(this.#wanted.profile)} within ${timeoutMs ?? REPLY_MS} ms`)), timeoutMs ?? REPLY_MS);
    });
    try {
      return { reply: pack(await Promise.race([sent, late])) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a sender's waiting sends that are next; a gap still open after REORDER_MS is given up on. */
  #release(o) {
    clearTimeout(o.timer);
    o.timer = undefined;
    for (let run; (run = o.waiting.get(o.last + 1)) !== undefined;) {
      o.waiting.delete(o.last + 1);
      o.last++;
      run();
    }
    if (o.waiting.size === 0) return;
    o.timer = setTimeout(() => {
      o.last = Math.min(...o.waiting.keys()) - 1;
      this.#release(o);
    }, REORDER_MS);
  }

  /** Stores a send (with `extra` keys) and puts it out if the socket is open; past the queue's `maxMessages` (default 1,024) stored sends, a QueueFullError. */
  async #store(item, reply, extra = {}) {
    const max = this.#wanted.config.queue?.maxMessages ?? MAX_STORED;
    if (this.#queue.length >= max) throw typed("QueueFullError", `the queue of ${JSON.stringify(this.#wanted.profile)} is full (${max} sends stored, not yet out)`);
    const key = queueKey(this.#next++);
    this.#queue.push({ key, item, reply });
    await this.ctx.storage.put({ ...extra, [key]: item, next: this.#next });
    this.#ensure();
    this.#flush();
  }

  /** Puts the stored sends out on the open socket, oldest first; what went out leaves storage. */
  #flush() {
    const conn = this.#conn;
    const done = [];
    while (this.#queue.length && conn !== null && conn.state === "open") {
      const { key, item, reply } = this.#queue[0];
      if (reply) this.#replies.push(reply);
      try {
        conn.send(unpack(item));
      } catch {
        if (reply) this.#replies.pop();
        break; // its queue is full: the rest stay stored
      }
      this.#queue.shift();
      done.push(key);
    }
    drop(this.ctx.storage, done).catch(() => {}); // a failed delete sends them again after a reset: at least once
  }

  /** Requests whose send went out and whose reply can no longer come. */
  #unanswered(why) {
    for (const r of this.#replies.splice(0)) r.reject(typed("ConnectionClosedError", `no reply: ${why}`));
  }

  /** Forgets senders silent for SENDER_IDLE_MS (a later send of one waits at most REORDER_MS for its gap). */
  async #prune() {
    const now = Date.now();
    this.#pruned = now;
    const idle = [];
    for (const [key, { at }] of await this.ctx.storage.list({ prefix: "s:" })) {
      const sender = key.slice(2);
      if (now - at > SENDER_IDLE_MS && !(this.#orders.get(sender)?.waiting.size > 0)) idle.push(key);
    }
    for (const key of idle) this.#orders.delete(key.slice(2));
    await drop(this.ctx.storage, idle);
  }

  #attach() {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    this.#ensure();
    return new Response(null, { status: 101, webSocket: client });
  }

  async #info() {
    const c = this.#conn;
    return { state: c === null ? "closed" : c.state, epoch: (await this.ctx.storage.get("epoch")) ?? 0, socketEpoch: this.#epoch, queued: this.#queue.length, clients: this.ctx.getWebSockets().length };
  }

  /** Stops for good: the socket closed, the alarm and everything but the epoch removed; unsent sends are counted. */
  async #close() {
    const rejected = this.#queue.length;
    const meta = this.#wanted;
    const epoch = await this.ctx.storage.get("epoch");
    this.#wanted = undefined;
    this.#queue = [];
    const conn = this.#conn;
    this.#conn = null;
    try { conn?.close(1000, "closed"); } catch { /* closed already */ }
    this.#unanswered("the connection was closed");
    const key = meta && entryKey(meta.name, JSON.stringify(meta.profile));
    if (key && instances.get(key) === `${MODULE_NAME}:${this.#instance}`) instances.delete(key);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (epoch !== undefined) await this.ctx.storage.put("epoch", epoch);
    return { rejected };
  }
}

const modules = new WeakMap(); // namespace -> its module object
const CREATE = Symbol("create");

/**
 * A profile's connection as a Worker sees it: each call is a request to the
 * profile's `ProfileConnections` object, wherever it runs. Made by `connect`
 * with `registry: { module: durableObjects(env.PROFILES) }`; usable from any
 * request of the isolate.
 */
export class DurableConnection {
  #ns; #id; #key; #meta; #entries;
  #sender = crypto.randomUUID();
  #seq = 0;
  #closed = false;

  constructor(token, ns, meta, entries) {
    if (token !== CREATE) throw new TypeError("use connect(config) with durableObjects(namespace) to make a DurableConnection");
    this.#ns = ns;
    this.#meta = encodeURIComponent(JSON.stringify(meta));
    this.#key = entryKey(meta.name, JSON.stringify(meta.profile));
    this.#id = ns.idFromName(this.#key);
    this.#entries = entries;
    this.profile = meta.profile;
  }

  /** `"open"` until `close()`, then `"closed"` (the upstream socket's own state: `info()`). */
  get state() { return this.#closed ? "closed" : "open"; }

  async #call(path, body, init = {}) {
    if (this.#closed && path !== "/info") ok(W().error(3, "", JSON.stringify(this.profile)));
    const res = await this.#ns.get(this.#id).fetch(`https://profile-registry${path}`, {
      method: body === undefined ? "GET" : "POST", ...init,
      headers: { [HEADER]: this.#meta, ...init.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (path === "/attach") return res;
    const r = await res.json();
    if (r.error) throw typed(r.error.name, r.error.message);
    return r;
  }

  /** Sends `data` on the profile's one upstream socket, in this sender's order; resolves once the object has stored it. */
  async send(data) {
    const item = pack(data);
    await this.#call("/send", { sender: this.#sender, seq: ++this.#seq, data: item });
  }

  /**
   * Sends `data` and resolves with the first upstream message that arrives
   * after it went out (a string, or an ArrayBuffer); rejects with
   * `ReplyTimeoutError` after `timeoutMs` (default 10,000).
   */
  async request(data, { timeoutMs = REPLY_MS } = {}) {
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw configError(`request's timeoutMs must be a positive number of ms, got ${describe(timeoutMs)}`);
    const item = pack(data);
    const r = await this.#call("/request", { sender: this.#sender, seq: ++this.#seq, data: item, timeoutMs });
    return unpack(r.reply);
  }

  /** A `101` response whose WebSocket receives every upstream message (return it to a browser, or `accept()` its `webSocket`). */
  attach() {
    return this.#call("/attach", undefined, { headers: { Upgrade: "websocket" } });
  }

  /** The object's view: `{ state, epoch, socketEpoch, queued, clients }`. */
  info() { return this.#call("/info"); }

  /** Closes the upstream socket for good and forgets the profile; resolves with `{ rejected }` (sends never out). */
  async close() {
    if (this.#closed) return { rejected: 0 };
    const r = await this.#call("/close", {});
    this.#closed = true;
    if (this.#entries.get(this.#key) === this) this.#entries.delete(this.#key);
    return r;
  }
}

/**
 * The registry module of a Durable Object namespace bound to
 * `ProfileConnections`: `connect({ profile, url, registry: { module:
 * durableObjects(env.PROFILES) } })` gives the profile's `DurableConnection`.
 * The same namespace gives the same module object.
 */
export function durableObjects(namespace) {
  let idFromName;
  try { idFromName = namespace?.idFromName; } catch { /* a getter that throws: not a namespace */ }
  if (namespace === null || typeof namespace !== "object" || typeof idFromName !== "function") {
    throw configError(`durableObjects needs a Durable Object namespace (env.PROFILES, bound to ProfileConnections), got ${describe(namespace)}`);
  }
  let module = modules.get(namespace);
  if (module !== undefined) return module;
  const entries = new Map(); // entryKey(name, profile json) -> DurableConnection
  module = {
    name: MODULE_NAME,
    register: () => false,
    lookup: (name, profile) => entries.get(entryKey(name, JSON.stringify(profile))),
    unregister(name, profile) { entries.get(entryKey(name, JSON.stringify(profile)))?.close(); },
  };
  hosts.set(module, (name, p, o, dup) => {
    if (typeof o.url !== "string") throw configError("the url of a durableObjects connection must be a string (use {epoch} in it for the fencing epoch): a function cannot reach the Durable Object");
    if (o.WebSocket !== undefined) throw configError("a durableObjects connection takes no WebSocket option: the Durable Object uses its own");
    checkUrl(o.url.replaceAll("{epoch}", "1")); // here, not only in the object, where no caller would hear of it
    let config;
    try {
      config = JSON.parse(JSON.stringify({ url: o.url, ...Object.fromEntries(CARRIED.map((k) => [k, o[k]])) }));
    } catch (e) {
      throw configError(`a durableObjects connection's options must be plain data: ${e.message}`);
    }
    if (o.heartbeat && typeof config.heartbeat?.message === "object") throw configError("heartbeat.message of a durableObjects connection must be a string");
    const key = entryKey(name, p.json);
    const existing = entries.get(key);
    if (existing !== undefined) {
      if (dup === 1) return existing;
      if (dup === 0) alreadyRegistered(name, p.json, existing);
      entries.delete(key);
    }
    const conn = new DurableConnection(CREATE, namespace, { name, profile: p.value, config }, entries);
    entries.set(key, conn);
    return conn;
  });
  nameless.add(module);
  modules.set(namespace, module);
  return module;
}
