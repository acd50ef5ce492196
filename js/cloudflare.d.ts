// Type declarations of `profile-registry/cloudflare`: the Durable Object
// class that owns each profile's upstream WebSocket, and the registry module
// that reaches it from any Worker isolate. No Workers types are needed: the
// few shapes used are declared here.
import type { HostingModule, Profile } from "./index.js";
export { CrossRequestError } from "./index.js";

/** The part of a Durable Object namespace binding (`env.PROFILES`) this module uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): { fetch(input: string, init?: any): Promise<any> };
}

/** The config a `ProfileConnections` object keeps in storage: `connect`'s options that are plain data. */
export interface DurableConfig {
  url: string;
  protocols?: string | string[];
  reconnect?: false | Record<string, number>;
  queue?: Record<string, number>;
  connectTimeoutMs?: number;
  heartbeat?: false | { intervalMs?: number; timeoutMs?: number; message?: string };
}

/** `DurableConnection.info()`: the object's view of its upstream socket. */
export interface DurableInfo {
  /** The upstream Connection's state, `"closed"` while there is none. */
  state: "connecting" | "open" | "reconnecting" | "closed";
  /** The last epoch in storage. */
  epoch: number;
  /** The epoch of this instance's current socket. */
  socketEpoch: number;
  /** Sends stored and not yet out. */
  queued: number;
  /** Attached client sockets. */
  clients: number;
}

/**
 * A profile's connection as a Worker sees it: each call reaches the
 * profile's one `ProfileConnections` object. Made by `connect` with
 * `registry: { module: durableObjects(env.PROFILES) }`; usable from any
 * request of the isolate (and `whereis` finds it).
 *
 * @example
 * ```ts
 * const conn = connect({ profile: "alice", url: "wss://chat.example.com/?epoch={epoch}", registry: { module: durableObjects(env.PROFILES) }, onDuplicate: "existing" });
 * await conn.send("hi");
 * ```
 */
export declare class DurableConnection<P extends Profile = Profile> {
  private constructor();
  /** The profile. */
  readonly profile: P;
  /** `"open"` until `close()`, then `"closed"`; the upstream socket's own state is in `info()`. */
  readonly state: "open" | "closed";
  /** Sends on the profile's upstream socket, in this sender's order; resolves once the object has stored the send (it goes out when the socket is open, also after a reset). Rejects with `QueueFullError` past `queue.maxMessages` (default 1,024) sends stored and not yet out. */
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void>;
  /**
   * Sends `data` and resolves with the reply: the first upstream message the
   * object receives after this send went out on the socket (requests are
   * answered in the order their sends went out; there is no correlation id,
   * so it suits upstreams that answer each message in order). Rejects with
   * {@link ReplyTimeoutError} after `timeoutMs` (default 10,000).
   */
  request(data: string | ArrayBuffer | ArrayBufferView, options?: { timeoutMs?: number }): Promise<string | ArrayBuffer>;
  /** A `101` response whose `webSocket` receives every upstream message (accepted by the object with the hibernation API); return it to a browser, or `accept()` its `webSocket`. A client's messages go upstream. */
  attach(): Promise<any>;
  /** The object's view of the upstream socket. */
  info(): Promise<DurableInfo>;
  /** Closes the upstream socket for good and forgets the profile (its epoch stays); resolves with the number of sends that never went out. A later send of any isolate's `DurableConnection` of the profile brings it back. */
  close(): Promise<{ rejected: number }>;
}

/** The registry module of a namespace bound to {@link ProfileConnections}. */
export interface DurableObjectsModule extends HostingModule<DurableConnection> {
  readonly name: "DurableObjects";
}

/**
 * The registry module of a Durable Object namespace bound to
 * {@link ProfileConnections}; the same namespace gives the same object.
 *
 * @example
 * ```ts
 * const conn = connect({ profile: "alice", url: env.CHAT_URL, registry: { module: durableObjects(env.PROFILES) }, onDuplicate: "existing" });
 * ```
 */
export declare function durableObjects(namespace: DurableObjectNamespaceLike): DurableObjectsModule;

/**
 * The Durable Object that owns one profile's upstream WebSocket: re-export
 * it from the Worker and bind it in the wrangler config. Its storage keeps
 * the wanted config, the fencing epoch (bumped for every socket, `{epoch}` in
 * the url) and the sends not yet out; an alarm every `watchMs` brings the
 * socket back after a reset.
 *
 * @example
 * ```ts
 * export { ProfileConnections } from "profile-registry/cloudflare";
 * ```
 */
export declare class ProfileConnections {
  constructor(ctx: any, env: any);
  /** The Durable Object state (`ctx`). */
  readonly ctx: any;
  /** The Worker's bindings. */
  readonly env: any;
  /** How often (ms) the alarm checks the socket; 250 by default. */
  watchMs: number;
  /** The url of the socket of `epoch`: `config.url` with `{epoch}` replaced. Override it to put the epoch elsewhere. */
  upstreamUrl(config: DurableConfig, epoch: number): string;
  /** The requests of {@link DurableConnection}. */
  fetch(request: any): Promise<any>;
  /** The watch. */
  alarm(): Promise<void>;
  /** A client's message goes upstream. */
  webSocketMessage(ws: any, message: string | ArrayBuffer): Promise<void>;
  /** A client's close is answered. */
  webSocketClose(ws: any, code: number, reason: string): void;
}

/** A `DurableConnection.request()` whose reply did not come in time. */
export declare class ReplyTimeoutError extends Error {
  constructor(message?: string);
  name: "ReplyTimeoutError";
  static [Symbol.hasInstance](value: unknown): value is ReplyTimeoutError;
}
