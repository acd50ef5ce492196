// A TypeScript consumer of the built package, written as a user would:
// every exported function, the types they return, and (at the end) calls the
// declarations must reject. Checked by tests/ts/check.sh (tsc --noEmit);
// pkg.test.mjs also bundles and runs it in Node, so the types are checked
// against what the functions really return.
import init, {
  initSync,
  start,
  stop,
  registries,
  plugModule,
  unplugModule,
  resolve,
  via,
  whereis,
  lookup,
  register,
  unregister,
  keys,
  count,
  updateValue,
  dispatch,
  get,
  isAlive,
  profileOf,
  checkProfile,
  subscribe,
  DEFAULT_MODULE,
  DEFAULT_NAME,
  AlreadyRegisteredError,
  RegistryNotStartedError,
  InvalidProfileError,
  InvalidConfigError,
  InvalidHandleError,
  UnknownModuleError,
  RegistryModuleError,
  QueueFullError,
  ConnectionClosedError,
  InvalidDataError,
  connect,
  connection,
  Connection,
  type ConnectConfig,
  type ConnectionCloseEvent,
  type ConnectionEvent,
  type ConnectionInfo,
  type ConnectionState,
  type ReconnectOptions,
  type WebSocketConstructor,
  type WebSocketLike,
  type Profile,
  type Handle,
  type RegistryModule,
  type RegistryRef,
  type Config,
  type Via,
  type Target,
  type RegistryEvent,
  type RegistrySpec,
  type Entry,
  type InitInput,
  type InitOutput,
} from "profile-registry";
// The Node entry has the same types.
import { whereis as whereisNode } from "profile-registry/node";

/** Loading the wasm the browser way (not called in Node: node.js has loaded it). */
export async function load(bytes: BufferSource, mod: WebAssembly.Module): Promise<InitOutput> {
  const input: InitInput = bytes;
  await init({ module_or_path: input });
  await init();
  return initSync({ module: mod });
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`consumer.ts: ${what}`);
}

interface Socket {
  id: number;
  send(data: string): void;
}
const sock = (id: number): Socket => ({ id, send() {} });

export function main(): number {
  const module: "Registry" = DEFAULT_MODULE;
  const name: "ProfileRegistry" = DEFAULT_NAME;
  start();
  start("Tenants");
  const names: string[] = registries();
  check(names.includes(name) && names.includes("Tenants"), "registries()");

  // register / whereis / lookup with every kind of profile
  const profiles: Profile[] = ["alice", 42, true, ["acme", 1], ["nested", ["x", false]]];
  for (const [i, p] of profiles.entries()) {
    const h: Handle | undefined = register(undefined, p, sock(i));
    check(typeof h === "string", "register returns a handle");
  }
  const s: Socket | undefined = whereis<Socket>(undefined, ["acme", 1]);
  check(s?.id === 3, "whereis with a fresh list");
  const entry: Entry<Socket> | undefined = lookup<Socket>(undefined, "alice");
  const handle: Handle = entry!.handle!;
  check(get<Socket>(handle)?.id === 0 && isAlive(handle), "get / isAlive");
  const p: Profile | undefined = profileOf(handle);
  check(p === "alice", "profileOf");
  check(whereisNode({ profile: 42 }) !== undefined, "whereis({ profile })");

  // AlreadyRegisteredError: the live owner
  try {
    register(undefined, "alice", sock(99));
    check(false, "a second register throws");
  } catch (e) {
    if (e instanceof AlreadyRegisteredError) {
      const existing: unknown = e.existing;
      const owner: Handle | undefined = e.handle;
      const n: "AlreadyRegisteredError" = e.name;
      check(owner === handle && (existing as Socket).id === 0 && n === e.name && e.registry === name, "AlreadyRegisteredError fields");
    } else {
      throw e;
    }
  }

  // stale handles
  unregister(undefined, "alice");
  const fresh = register(undefined, "alice", sock(100))!;
  check(!isAlive(handle) && get(handle) === undefined && fresh !== handle, "stale handle");

  // vias (frozen, generic over the profile)
  const v: Via<readonly ["acme", 2]> = via({ registry: "Tenants" }, ["acme", 2] as const);
  const v2: Via<"bob"> = via({ profile: "bob" });
  register(v, sock(7));
  register(v2, undefined, sock(8));
  check(whereis<Socket>(v)?.id === 7 && whereis<Socket>(v2)?.id === 8, "whereis(via)");
  const spec: RegistrySpec = resolve(v);
  check(spec.module === module && spec.name === "Tenants", "resolve(via)");
  const defaults: RegistrySpec = resolve();
  check(defaults.name === name, "resolve()");
  const ks: Profile[] = keys({ registry: "Tenants" });
  const n: number = count({ registry: "Tenants" });
  check(ks.length === 1 && n === 1, "keys / count");
  unregister(v);
  check(whereis(v) === undefined, "unregister(via)");

  // updateValue / dispatch
  register(undefined, "hits", 1);
  const bumped: number | undefined = updateValue<number>(undefined, "hits", (x) => x + 1);
  const sent: string | undefined = dispatch<Socket, string>(undefined, "alice", (so, h) => `${so.id}@${h}`);
  check(bumped === 2 && sent === `100@${fresh}`, "updateValue / dispatch");

  // subscribe: typed events, unsubscribe function
  const seen: RegistryEvent<Socket>[] = [];
  const unsubscribe: () => void = subscribe<Socket>(undefined, (e) => {
    seen.push(e);
    const t: "register" | "unregister" | "update" = e.type;
    void t;
  });
  register(undefined, "carol", sock(5));
  unsubscribe();
  register(undefined, "dave", sock(6));
  check(seen.length === 1 && seen[0]!.value.id === 5 && seen[0]!.registry === name, "subscribe");

  // a pluggable module, as an object and by name
  const store = new Map<string, Socket>();
  const flat: RegistryModule<Socket> = {
    name: "Flat",
    register(reg, key, value) {
      const k = reg + JSON.stringify(key);
      if (store.has(k)) return false;
      store.set(k, value);
      return true;
    },
    lookup: (reg, key) => store.get(reg + JSON.stringify(key)),
    unregister: (reg, key) => void store.delete(reg + JSON.stringify(key)),
  };
  const ref: RegistryRef = { module: flat, name: "Chats" };
  const cfg: Config = { registry: ref, url: "wss://example.com" };
  check(register(cfg, "erin", sock(9)) === undefined, "a module hands out no handle");
  check(whereis<Socket>(cfg, "erin")?.id === 9 && lookup(cfg, "erin")?.handle === undefined, "module lookup");
  plugModule("Flat", flat);
  check(whereis<Socket>({ registry: { module: "Flat", name: "Chats" } }, "erin")?.id === 9, "plugged module");
  check(unplugModule("Flat"), "unplugModule");
  unregister(cfg, "erin");

  // errors by class
  const caught = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  check(caught(() => whereis({ registry: "Nowhere" }, "x")) instanceof RegistryNotStartedError, "RegistryNotStartedError");
  check(caught(() => whereis(undefined, 1.5)) instanceof InvalidProfileError, "InvalidProfileError");
  check(caught(() => start("")) instanceof InvalidConfigError, "InvalidConfigError");
  check(caught(() => get("nonsense" as Handle)) instanceof InvalidHandleError, "InvalidHandleError");
  check(caught(() => whereis({ registry: { module: "Nope", name: "x" } }, "x")) instanceof UnknownModuleError, "UnknownModuleError");
  const broken: RegistryModule<never> = {
    register: () => {
      throw new Error("down");
    },
    lookup: () => undefined,
    unregister: () => {},
  };
  check(caught(() => register({ registry: { module: broken, name: "b" } }, "x", 1)) instanceof RegistryModuleError, "RegistryModuleError");
  const e = caught(() => whereis({ registry: "Nowhere" }, "x"));
  if (e instanceof RegistryNotStartedError) check(e.registry === "Nowhere" && e.message.includes('start("Nowhere")'), "registry field");
  const kinds = [QueueFullError, ConnectionClosedError, InvalidDataError].map((c) => new c("x").name);
  check(kinds.join() === "QueueFullError,ConnectionClosedError,InvalidDataError", "connection error classes");
  const normal: Profile = checkProfile(["a", [1]]);
  check(JSON.stringify(normal) === '["a",[1]]', "checkProfile");

  connections();

  const target: Target = undefined;
  check(count(target) === profiles.length + 4, "count()");
  check(stop("Tenants") && stop(), "stop");
  check(!isAlive(fresh), "stop makes handles dead");
  return seen.length;
}

/**
 * A WebSocket stand-in that never opens (so main() needs no server): the
 * library sets its handlers and closes it; its close event comes later.
 */
class NeverOpens implements WebSocketLike {
  readyState = 0;
  binaryType = "blob";
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(): void {
    throw new Error("not open");
  }
  close(code = 1000, reason = ""): void {
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason, wasClean: true }), 0);
  }
}

/** connect / Connection, typed; the registry is as before afterwards. */
export function connections(): void {
  const Ctor: WebSocketConstructor = NeverOpens;
  const config: ConnectConfig<readonly ["acme", 7]> = {
    profile: ["acme", 7],
    url: "wss://chat.example.com/socket",
    WebSocket: Ctor,
    protocols: ["chat.v2"],
    reconnect: { minDelayMs: 100, maxDelayMs: 1000, maxRetries: Infinity },
    queue: { maxMessages: 4, maxBytes: 1024 },
    connectTimeoutMs: 5000,
  };
  const conn: Connection<readonly ["acme", 7]> = connect(config);
  const p: readonly ["acme", 7] = conn.profile;
  check(p[1] === 7 && conn instanceof Connection, "connect returns a Connection with its profile");
  check(whereis<Connection>(undefined, ["acme", 7]) === conn, "whereis finds the connection");
  // The typed lookup: Connection | undefined without a cast.
  const found: Connection<readonly ["acme", 7]> | undefined = connection(undefined, ["acme", 7]);
  check(found === conn, "connection() finds the connection");
  check(connection(via(undefined, ["acme", 7])) === conn, "connection(via) finds it");
  const missing: Connection<"nobody"> | undefined = connection({}, "nobody");
  check(missing === undefined, "connection() misses");
  const state: ConnectionState = conn.state;
  check(state === "connecting" && typeof conn.handle === "string", "state and handle");

  const events: ConnectionEvent[] = [];
  let rejected = -1;
  const offClose = conn.on("close", function (e: ConnectionCloseEvent<readonly ["acme", 7]>) {
    events.push(e);
    const self: Connection<readonly ["acme", 7]> = this;
    if (e.final) {
      const n: number = e.rejected;
      rejected = n;
    } else {
      const willReconnect: true = e.willReconnect;
      void willReconnect;
    }
    void self;
  });
  conn.on("message", (e) => {
    const data: string | ArrayBuffer = e.data;
    void data;
  });
  conn.on("reconnecting", (e) => {
    const delay: number | null = e.delayMs;
    const why: "closed" | "offline" | "online" | "visible" | "reconnect" | "recovered" = e.reason;
    void (e.attempt + (delay ?? 0) + why.length);
  });
  const epoch: number = conn.epoch;
  check(Number.isSafeInteger(epoch) && conn.info().epoch === epoch, "epoch");
  const reconnect: () => void = conn.reconnect.bind(conn); // typed; not called here (it would add events)
  void reconnect;
  // url as a function, the heartbeat and minUptimeMs type-check (and run: queued, never opened by the fake).
  const fnConn = connect({
    profile: "fn",
    url: async ({ profile, epoch, attempt }) => `wss://chat.example.com/?p=${profile}&epoch=${epoch}&a=${attempt}`,
    WebSocket: Ctor,
    heartbeat: { intervalMs: 20_000, timeoutMs: 45_000, message: new Uint8Array([0]) },
    reconnect: { minUptimeMs: 2_000, pace: Infinity },
  });
  fnConn.close();
  // (never called: types only)
  const badUrl = () =>
    // @ts-expect-error a url function must give a string
    connect({ profile: "bad", url: () => 42, WebSocket: Ctor });
  const badPace = () =>
    // @ts-expect-error reconnect.pace is a number
    connect({ profile: "bad", url: "wss://h", reconnect: { pace: "fast" }, WebSocket: Ctor });
  void badUrl;
  void badPace;
  conn.on("statechange", (e) => events.push(e));
  conn.on("open", (e) => void e.handle);
  conn.on("error", (e) => void e.message.length);

  conn.send("queued");
  conn.send(new Uint8Array([1, 2]));
  const info: ConnectionInfo = conn.info();
  check(info.queued === 2 && info.queuedBytes === 8 && info.sockets === 1, "info()");
  try {
    conn.send({ not: "data" } as unknown as string);
  } catch (e) {
    check(e instanceof InvalidDataError, "InvalidDataError");
  }
  try {
    connect({ profile: ["acme", 7], url: "wss://chat.example.com/socket", WebSocket: Ctor });
  } catch (e) {
    check(e instanceof AlreadyRegisteredError && e.existing === conn, "a duplicate connect");
  }
  check(connect({ ...config, onDuplicate: "existing" }) === conn, "onDuplicate: existing");
  try {
    conn.close(1001);
  } catch (e) {
    check(e instanceof InvalidConfigError, "a reserved close code");
  }
  conn.close(4000, "done");
  offClose();
  check(rejected === 2 && conn.state === "closed" && whereis(undefined, ["acme", 7]) === undefined, "close(): final event, released");
  check(events.length === 2, "statechange and close");
  try {
    conn.send("late");
  } catch (e) {
    check(e instanceof ConnectionClosedError, "ConnectionClosedError");
  }
}

/** The runtime's own WebSocket fits the `WebSocket` option (type-checked only). */
export function withGlobalWebSocket(): Connection<string> {
  const reconnect: ReconnectOptions | false = false;
  return connect({ profile: "bob", url: "ws://localhost:8080", WebSocket, reconnect, onDuplicate: "replace" });
}

// ---------------------------------------------------------------------------
// Calls the declarations must reject (each line is a compile error).
// ---------------------------------------------------------------------------
export function rejected(): void {
  // @ts-expect-error an object is not a profile
  whereis(undefined, { id: 1 });
  // @ts-expect-error an object is not a profile (register)
  register(undefined, { id: 1 }, "v");
  // @ts-expect-error a number is not a config
  whereis(5, "alice");
  // @ts-expect-error a string is not a config (a registry name goes in { registry })
  count("Tenants");
  // @ts-expect-error a config without a profile needs one
  whereis({ registry: "Tenants" });
  // @ts-expect-error undefined is not a value (whereis answers undefined for "none")
  register(undefined, "alice", undefined);
  // @ts-expect-error the two-argument register takes a via, not a config
  register({ profile: "alice" }, "v");
  // @ts-expect-error a handle is branded: a plain string is not one
  get("1.0.1");
  // @ts-expect-error a registry name must be a string
  start(1);
  // @ts-expect-error a module needs lookup and unregister
  plugModule("M", { register: () => true });
  // @ts-expect-error a via is frozen
  via(undefined, "a").profile = "b";
  // @ts-expect-error the listener gets an event, not two arguments
  subscribe(undefined, (a: RegistryEvent, b: string) => void [a, b]);
  // @ts-expect-error error names are literal types
  const n: "InvalidConfigError" = new InvalidProfileError("x").name;
  void n;
  // @ts-expect-error connect needs a url
  connect({ profile: "a" });
  // @ts-expect-error an object is not a profile (connect)
  connect({ profile: { id: 1 }, url: "ws://h" });
  // @ts-expect-error onDuplicate is one of "error" | "existing" | "replace"
  connect({ profile: "a", url: "ws://h", onDuplicate: "sometimes" });
  // @ts-expect-error reconnect is a boolean or an options object
  connect({ profile: "a", url: "ws://h", reconnect: "yes" });
  // @ts-expect-error protocols are strings
  connect({ profile: "a", url: "ws://h", protocols: [1] });
  // @ts-expect-error the WebSocket option is a constructor
  connect({ profile: "a", url: "ws://h", WebSocket: {} });
  // @ts-expect-error the lookup may miss: optional chaining or a check first
  connection(undefined, ["acme", 7]).send("x");
  // @ts-expect-error a Connection is made by connect(), not new
  new Connection();
  const c = connect({ profile: "a", url: "ws://h" });
  // @ts-expect-error a plain object cannot be sent
  c.send({ id: 1 });
  // @ts-expect-error unknown event type
  c.on("opened", () => {});
  // @ts-expect-error a message event has no close code
  c.on("message", (e) => e.code);
  // @ts-expect-error state is read-only
  c.state = "open";
  c.on("close", (e) => {
    if (!e.final) {
      // @ts-expect-error only a final close reports rejected messages: a lost socket's count is 0
      const r: 1 = e.rejected;
      void r;
    }
  });
}

// The WebLocks module: connect gives a SharedConnection (role, takeOver, send ids).
import { configureWebLocks, WEBLOCKS } from "profile-registry/weblocks";
import type { SharedConnection } from "profile-registry";
/** Type-checked, never called (it would need a browser). */
export function webLocksTypes(): void {
  const s: "WebLocks" = WEBLOCKS;
  configureWebLocks({ silenceMs: 120_000 });
  const shared = connect({ profile: "alice", url: ({ epoch }) => `wss://x.example/?epoch=${epoch}`, registry: { module: s } });
  const role: "owner" | "follower" = shared.role;
  const id: number = shared.send("hi");
  shared.on("role", (e) => { const r: "owner" | "follower" = e.role; void r; void e.epoch; });
  shared.on("resent", (e) => { const ids: number[] = e.ids; void ids; });
  const taken: Promise<SharedConnection<"alice">> = shared.takeOver();
  void role; void id; void taken;
  // @ts-expect-error a SharedConnection has no reconnect()
  shared.reconnect();
}
