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

  const target: Target = undefined;
  check(count(target) === profiles.length + 4, "count()");
  check(stop("Tenants") && stop(), "stop");
  check(!isAlive(fresh), "stop makes handles dead");
  return seen.length;
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
}
