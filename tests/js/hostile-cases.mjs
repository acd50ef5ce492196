// The table of hostile.test.mjs: hostile values, the package's exports and
// Connection members with their argument positions, and the runner of one
// case (call, error check, registry snapshot before/after, round trip).
//
// Shared by the test file (which only needs the case names) and by
// hostile-worker.mjs (which runs batches of groups against its own copy of
// the package, so a group that kills the wasm does not take the others with
// it). Cases are plain descriptors; every value is made fresh when its case
// runs.
import vm from "node:vm";

// The error names a call may throw (README, "Errors").
export const ALLOWED_NAMES = new Set([
  "InvalidProfileError", "InvalidConfigError", "InvalidHandleError", "InvalidDataError", "RegistryModuleError",
  "RegistryNotStartedError", "UnknownModuleError", "ConnectionClosedError", "AlreadyRegisteredError", "QueueFullError",
]);

// Text that only leaks out of the wasm or its glue.
export const WASM_INTERNALS = /__wbindgen|__wbg|memory access|unreachable|RuntimeError|wasm-function|already (mutably )?borrowed/i;

// What the hostile values themselves throw (getters, traps, callbacks):
// marked, so an error is recognised as user code's, passed through raw.
export const USER_THROWN = Symbol("thrown by the test's hostile value");
export function userError(what) {
  const e = new Error(`hostile: ${what}`);
  e[USER_THROWN] = true;
  return e;
}

/** An Error whose `message` getter throws (and, with `name: true`, its `name` getter too). */
export function poisonedError({ name = false } = {}) {
  const e = new Error("poisoned");
  Object.defineProperty(e, "message", { get() { throw userError("message getter"); } });
  if (name) Object.defineProperty(e, "name", { get() { throw userError("name getter"); } });
  e[USER_THROWN] = true;
  return e;
}

// ---------------------------------------------------------------------------
// The hostile values
// ---------------------------------------------------------------------------

const TRAPS = ["get", "set", "has", "deleteProperty", "ownKeys", "getOwnPropertyDescriptor", "defineProperty",
  "getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions", "apply", "construct"];

export function throwingProxy(target) {
  const handler = {};
  for (const trap of TRAPS) handler[trap] = () => { throw userError(`proxy ${trap} trap`); };
  return new Proxy(target, handler);
}

export function revoked(target) {
  const r = Proxy.revocable(target, {});
  r.revoke();
  return r.proxy;
}

export function detach(buf) {
  structuredClone(buf, { transfer: [buf] });
  return buf;
}

// Every key any export reads from a config, via, registry, module or option
// object, plus the ones JS conversions read.
export const ALL_KEYS = ["profile", "registry", "via", "name", "module", "url", "protocols", "reconnect", "queue",
  "onDuplicate", "WebSocket", "connectTimeoutMs", "minDelayMs", "maxDelayMs", "factor", "jitter", "maxRetries",
  "maxMessages", "maxBytes", "register", "lookup", "unregister", "length", "constructor", "then", "toString",
  "valueOf", "buffer", "byteLength", "byteOffset", "toJSON", "message", "stack"];

export function allGettersThrow() {
  const o = {};
  for (const k of [...ALL_KEYS, Symbol.toPrimitive, Symbol.iterator]) {
    Object.defineProperty(o, k, { get() { throw userError(`${String(k)} getter`); }, enumerable: true });
  }
  return o;
}

export function withThrowingGetter(obj, key) {
  Object.defineProperty(obj, key, { get() { throw userError(`${key} getter`); }, enumerable: true, configurable: true });
  return obj;
}

export function nested(depth, leaf = "held") {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

let hugeString, bigString; // made once per thread
const huge = () => (hugeString ??= "x".repeat(10_000_000)); // 10 MB
const big = () => (bigString ??= "x".repeat(1_000_000)); // 1 MB

export class EvilBytes extends Uint8Array {
  get buffer() { throw userError("subclass buffer getter"); }
  get byteLength() { throw userError("subclass byteLength getter"); }
  get byteOffset() { throw userError("subclass byteOffset getter"); }
}

function typedWithThrowing(make, key) {
  const a = make();
  return withThrowingGetter(a, key);
}

/**
 * [label, make] for every hostile value tried in every argument position.
 * (The 10 MB strings are in STRING_EXTRAS, for the positions that take a
 * string; elsewhere a 1 MB one stands in, so the table is not mostly
 * copying.)
 */
export const HOSTILE = [
  // Proxies
  ["a revoked Proxy (object target)", () => revoked({})],
  ["a revoked Proxy (array target)", () => revoked([])],
  ["a revoked Proxy (function target)", () => revoked(function target() {})],
  ["a Proxy throwing on every trap (object target)", () => throwingProxy({})],
  ["a Proxy throwing on every trap (array target)", () => throwingProxy(["held"])],
  ["a Proxy throwing on every trap (function target)", () => throwingProxy(function target() {})],
  ["a Proxy answering every read with 42", () => new Proxy({}, { get: () => 42 })],
  ["a Proxy answering every read with a function that throws", () => new Proxy({}, { get: () => () => { throw userError("a forged method"); } })],
  ["a Proxy answering every read with itself", () => { const p = new Proxy({}, { get: () => p }); return p; }],
  // Throwing getters and conversions
  ["an object whose every known key has a throwing getter", allGettersThrow],
  ["an object whose Symbol.toPrimitive, toString and valueOf throw", () => ({
    [Symbol.toPrimitive]() { throw userError("toPrimitive"); },
    toString() { throw userError("toString"); },
    valueOf() { throw userError("valueOf"); },
  })],
  ["an array-like with a throwing length getter", () => withThrowingGetter({ 0: "held" }, "length")],
  // Errors
  ["an Error whose message getter throws", () => poisonedError()],
  ["an Error whose name and message getters throw", () => poisonedError({ name: true })],
  // Buffers
  ["a detached ArrayBuffer", () => detach(new ArrayBuffer(8))],
  ["a Uint8Array over a detached ArrayBuffer", () => { const b = new ArrayBuffer(8); const v = new Uint8Array(b, 2, 4); detach(b); return v; }],
  ["a DataView over a detached ArrayBuffer", () => { const b = new ArrayBuffer(8); const v = new DataView(b, 1, 4); detach(b); return v; }],
  ["a Float64Array over a detached ArrayBuffer", () => { const b = new ArrayBuffer(16); const v = new Float64Array(b); detach(b); return v; }],
  ["a Uint8Array with a throwing own buffer getter", () => typedWithThrowing(() => new Uint8Array(4), "buffer")],
  ["a Uint8Array with a throwing own byteLength getter", () => typedWithThrowing(() => new Uint8Array(4), "byteLength")],
  ["a Uint8Array with a throwing own byteOffset getter", () => typedWithThrowing(() => new Uint8Array(4), "byteOffset")],
  ["a DataView with a throwing own buffer getter", () => typedWithThrowing(() => new DataView(new ArrayBuffer(4)), "buffer")],
  ["a Uint8Array subclass whose buffer/byteLength/byteOffset getters throw", () => new EvilBytes(4)],
  ["an out-of-bounds view of a shrunk resizable ArrayBuffer", () => {
    const b = new ArrayBuffer(16, { maxByteLength: 32 });
    const v = new Uint8Array(b, 8, 8);
    b.resize(4);
    return v;
  }],
  ["a Uint8Array over a SharedArrayBuffer", () => new Uint8Array(new SharedArrayBuffer(4))],
  // Primitives JS cannot hand to wasm as such
  ["a Symbol", () => Symbol("hostile")],
  ["a well-known Symbol (Symbol.iterator)", () => Symbol.iterator],
  ["a BigInt (1n)", () => 1n],
  ["a BigInt (2n ** 64n)", () => 2n ** 64n],
  ["null", () => null],
  ["NaN", () => NaN],
  ["-0", () => -0],
  ["1.5", () => 1.5],
  ["Infinity", () => Infinity],
  ["2 ** 53 (not a safe integer)", () => 2 ** 53],
  ["1e308", () => 1e308],
  // Functions
  ["a plain function", () => function hostileFunction() {}],
  ["a class (not callable without new)", () => class Hostile {}],
  ["an async function", () => async function hostileAsync() {}],
  ["a bound function", () => function () {}.bind(null)],
  ["a function whose name and length getters throw", () => {
    const f = function () {};
    withThrowingGetter(f, "name");
    return withThrowingGetter(f, "length");
  }],
  ["a function that throws an Error whose message getter throws", () => function thrower() { throw poisonedError(); }],
  // Objects of odd shapes
  ["a null-prototype object", () => Object.create(null)],
  ["a null-prototype object with registry and profile keys", () => Object.assign(Object.create(null), { registry: "Hostile", profile: "held" })],
  ["a frozen empty object", () => Object.freeze({})],
  ["a frozen object with an unrelated key", () => Object.freeze({ unrelated: 1 })],
  ["a sealed object", () => Object.seal({ registry: "Hostile" })],
  ["a class instance with own keys", () => new (class Account { constructor() { this.registry = "Hostile"; this.profile = "held"; } })()],
  ["a class instance whose prototype getters throw", () => new (class Trap { get profile() { throw userError("prototype profile getter"); } get registry() { throw userError("prototype registry getter"); } })()],
  ["a Date", () => new Date(0)],
  ["a Map holding registry and profile", () => new Map([["registry", "Hostile"], ["profile", "held"]])],
  // Arrays
  ["an empty array", () => []],
  ["an array of one registry name", () => ["Hostile"]],
  ["an array from another realm (vm)", () => vm.runInNewContext('["held"]')],
  ["a sparse array ([, , \"a\"])", () => [, , "a"]], // eslint-disable-line no-sparse-arrays
  ["a sparse array of 64 holes", () => new Array(64)],
  ["a sparse array of length 2 ** 32 - 1", () => { const a = []; a.length = 2 ** 32 - 1; return a; }],
  ["an array of 65 items", () => Array.from({ length: 65 }, (_, i) => i)],
  ["an array of 100000 items", () => Array.from({ length: 100_000 }, (_, i) => i)],
  ["an array with a throwing index getter", () => { const a = ["held", "x"]; return withThrowingGetter(a, "1"); }],
  ["an array holding a revoked Proxy", () => ["held", revoked({})]],
  ["an array holding an Error whose message getter throws", () => ["held", poisonedError()]],
  ["a deep array (depth 9)", () => nested(9)],
  ["a deep array (depth 10)", () => nested(10)],
  ["a deep array (depth 100)", () => nested(100)],
  ["a deep array (depth 1000)", () => nested(1000)],
  ["an array nesting itself", () => { const a = ["held"]; a.push(a); return a; }],
  // Strings
  ["a 1 MB string", big],
  ["a lone high surrogate (\"\\ud800\")", () => "\ud800"],
  ["a lone low surrogate inside (\"a\\udc00b\")", () => "a\udc00b"],
  ["a reversed surrogate pair (\"\\udc00\\ud800\")", () => "\udc00\ud800"],
  ["the empty string", () => ""],
  ["\"__proto__\"", () => "__proto__"],
  // Forged vias and handles
  ["a forged via {via: \"Registry\", name: 5, profile: {}}", () => ({ via: "Registry", name: 5, profile: {} })],
  ["a frozen fake via naming Hostile with an object profile", () => Object.freeze({ via: "Registry", name: "Hostile", profile: {} })],
  ["a forged handle \"1.2.3\"", () => "1.2.3"],
  ["a forged handle \"x\"", () => "x"],
  ["a forged handle with a huge slot (\"1.99999999999999999999.1\")", () => "1.99999999999999999999.1"],
];

/** Extra values for positions that take a string (names, profiles, handles, data...). */
export const STRING_EXTRAS = [
  ["a 10 MB string", huge],
  ["a 10 MB string with a lone surrogate at the end", () => `${huge()}\ud800`],
];
const STRING_POSITIONS = new Set(["name", "profile", "handle", "value", "data", "reason", "type", "config.url", "config.profile",
  "config.protocols", "config.registry", "config.registry.name", "config.registry.module", "config.onDuplicate", "via.name", "via.profile"]);

/** Extra values for positions that take a handle. */
export const HANDLE_EXTRAS = [
  ["a handle with a wrong generation (\"1.0.999\")", () => "1.0.999"],
  ["a handle \"0.0.0\"", () => "0.0.0"],
  ["a handle with two parts (\"1.2\")", () => "1.2"],
  ["a handle with four parts (\"1.2.3.4\")", () => "1.2.3.4"],
  ["a handle with a negative part (\"-1.0.1\")", () => "-1.0.1"],
  ["a handle past u32 (\"4294967296.0.1\")", () => "4294967296.0.1"],
  ["a handle past u64 (\"1.0.18446744073709551617\")", () => "1.0.18446744073709551617"],
  ["a handle with exponent syntax (\"1e3.0.1\")", () => "1e3.0.1"],
  ["a handle with hex syntax (\"0x1.0.1\")", () => "0x1.0.1"],
  ["a handle with a trailing space", () => "1.0.1 "],
  ["a handle with a NUL", () => "1.0.1\u0000"],
  ["a handle in Arabic-Indic digits", () => "\u0661.\u0660.\u0661"],
  ["a handle of a stopped registry (\"999.0.1\")", () => "999.0.1"],
  ["the number 2 ** 64", () => 2 ** 64],
  ["the number -1", () => -1],
  ["a String object", () => new String("1.0.1")], // eslint-disable-line no-new-wrappers
];

// A registry module whose one method misbehaves.
export function badModule(method, how) {
  const m = {
    name: "BadModule",
    register() { return true; },
    lookup() { return undefined; },
    unregister() {},
  };
  if (how === "getter") return withThrowingGetter(m, method);
  m[method] = how;
  return m;
}

const MODULE_MISDEEDS = [
  ["throws an Error whose message getter throws", () => function () { throw poisonedError(); }],
  ["throws an Error whose name and message getters throw", () => function () { throw poisonedError({ name: true }); }],
  ["throws a revoked Proxy", () => function () { throw revoked({}); }],
  ["throws a Proxy throwing on every trap", () => function () { throw throwingProxy({}); }],
  ["throws a Symbol", () => function () { throw Symbol("thrown"); }],
  ["returns an Error whose message getter throws", () => function () { return poisonedError(); }],
  ["returns a revoked Proxy", () => function () { return revoked({}); }],
  ["returns a Proxy throwing on every trap", () => function () { return throwingProxy({}); }],
  ["returns a BigInt", () => function () { return 1n; }],
  ["has a throwing getter", () => "getter"],
];

/** [label, make(base)] of module objects misbehaving in one method each. */
export const BAD_MODULES = [];
for (const method of ["register", "lookup", "unregister"]) {
  for (const [what, how] of MODULE_MISDEEDS) {
    BAD_MODULES.push([`a module whose ${method} ${what}`, () => badModule(method, how())]);
  }
}
BAD_MODULES.push(["a module whose name getter throws and register returns a revoked Proxy", () => {
  const m = badModule("register", function () { return revoked({}); });
  return withThrowingGetter(m, "name");
}]);
BAD_MODULES.push(["a module that is a Proxy throwing on every trap", () => throwingProxy({ register() {}, lookup() {}, unregister() {} })]);
BAD_MODULES.push(["a module that is a revoked Proxy", () => revoked({})]);

/**
 * Config-position extras: [label, make(base)], `base` a fresh copy of the
 * position's baseline config (so a connect config keeps its url and
 * WebSocket), each with one key the function reads turned hostile.
 */
function configExtras({ connect = false, withProfile = "held" } = {}) {
  const extras = [];
  const topKeys = connect
    ? ["profile", "url", "protocols", "registry", "onDuplicate", "WebSocket", "reconnect", "queue", "connectTimeoutMs", "via"]
    : ["profile", "registry", "via"];
  for (const k of topKeys) extras.push([`a config whose ${k} getter throws`, (base) => withThrowingGetter(base, k)]);
  extras.push(["a config whose registry.module getter throws", (base) => Object.assign(base, { registry: withThrowingGetter({ name: "Hostile" }, "module") })]);
  extras.push(["a config whose registry.name getter throws", (base) => Object.assign(base, { registry: withThrowingGetter({ module: "Registry" }, "name") })]);
  extras.push(["a config whose registry is a Proxy throwing on every trap", (base) => Object.assign(base, { registry: throwingProxy({ name: "Hostile" }) })]);
  extras.push(["a config whose registry is a revoked Proxy", (base) => Object.assign(base, { registry: revoked({}) })]);
  if (connect) {
    for (const k of ["minDelayMs", "maxDelayMs", "factor", "jitter", "maxRetries"]) {
      extras.push([`a config whose reconnect.${k} getter throws`, (base) => Object.assign(base, { reconnect: withThrowingGetter({ minDelayMs: 10 }, k) })]);
    }
    for (const k of ["maxMessages", "maxBytes"]) {
      extras.push([`a config whose queue.${k} getter throws`, (base) => Object.assign(base, { queue: withThrowingGetter({}, k) })]);
    }
    extras.push(["a config whose protocols array has a throwing index getter", (base) => Object.assign(base, { protocols: withThrowingGetter(["a", "b"], "1") })]);
    extras.push(["a config whose WebSocket constructor throws an Error whose message getter throws", (base) => Object.assign(base, { WebSocket: function Broken() { throw poisonedError(); } })]);
    extras.push(["a config whose WebSocket is a Proxy throwing on every trap", (base) => Object.assign(base, { WebSocket: throwingProxy(function Ws() {}) })]);
  } else {
    // Vias: each key throwing, and forged ones.
    for (const k of ["via", "name", "profile"]) {
      extras.push([`a via whose ${k} getter throws`, () => withThrowingGetter({ via: "Registry", name: "Hostile", profile: withProfile }, k)]);
    }
    extras.push(["a forged via naming a registry never started", () => Object.freeze({ via: "Registry", name: "NeverStarted", profile: withProfile })]);
    extras.push(["a forged via naming an unknown module", () => Object.freeze({ via: "NoSuchModule", name: "Hostile", profile: withProfile })]);
    extras.push(["a forged via whose via is an empty object", () => ({ via: {}, name: "Hostile", profile: withProfile })]);
    extras.push(["a forged via whose name is a lone surrogate", () => ({ via: "Registry", name: "\ud800", profile: withProfile })]);
    extras.push(["a forged via whose name is 1 MB", () => ({ via: "Registry", name: big(), profile: withProfile })]);
    extras.push(["a forged via whose profile is a revoked Proxy", () => Object.freeze({ via: "Registry", name: "Hostile", profile: revoked([]) })]);
  }
  for (const [label, make] of BAD_MODULES) {
    extras.push([`a config naming ${label}`, (base) => Object.assign(base, { registry: { module: make(), name: "M" } })]);
    if (!connect) extras.push([`a via of ${label}`, () => ({ via: make(), name: "M", profile: withProfile })]);
  }
  return extras;
}

// ---------------------------------------------------------------------------
// The functions and their argument positions
// ---------------------------------------------------------------------------

export const WS_URL = "ws://127.0.0.1:9/";

/** A WebSocket stand-in: nothing leaves the process; tests open it by hand. */
export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static last;
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.binaryType = "blob";
    this.onopen = this.onmessage = this.onerror = this.onclose = null;
    this.sent = 0;
    FakeWebSocket.last = this;
  }
  send() {
    if (this.readyState !== 1) throw new Error("FakeWebSocket: not open");
    this.sent++;
  }
  close(code = 1000, reason = "") {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    setImmediate(() => {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: true });
    });
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
}

const ID = (x) => x;
const mod = () => ({ register() { return true; }, lookup() { return undefined; }, unregister() {} });
const connectBase = (i) => ({ profile: ["c", i], url: WS_URL, WebSocket: FakeWebSocket, registry: "Hostile", reconnect: false });

// Positions: [label, index of the argument, nested key path inside it].
// `base(ctx, caseIndex)` gives the baseline arguments (every position but
// the hostile one keeps its baseline); `call(ctx, args, prep)` makes the call;
// `effect` names what a successful call may change (undone afterwards).
export const FUNCTIONS = [
  { fn: "start", positions: [["name", 0]], base: () => ["HostileStart"], call: (c, a) => c.pr.start(...a), effect: "start" },
  { fn: "stop", positions: [["name", 0]], base: () => ["NeverStarted"], call: (c, a) => c.pr.stop(...a) },
  { fn: "registries", positions: [["an extra argument", 0]], base: () => [undefined], call: (c, a) => c.pr.registries(...a) },
  { fn: "plugModule", positions: [["name", 0], ["module", 1]], base: () => ["HostilePlug", mod()], call: (c, a) => c.pr.plugModule(...a), effect: "plug" },
  { fn: "unplugModule", positions: [["name", 0]], base: () => ["NeverPlugged"], call: (c, a) => c.pr.unplugModule(...a) },
  { fn: "resolve", config: [0], positions: [["config", 0]], base: () => [{ registry: "Hostile" }], call: (c, a) => c.pr.resolve(...a) },
  { fn: "via", config: [0], positions: [["config", 0], ["profile", 1]], base: () => [{ registry: "Hostile" }, "held"], call: (c, a) => c.pr.via(...a) },
  { fn: "whereis", config: [0], positions: [["config", 0], ["profile", 1], ["config.registry", 0, ["registry"]], ["config.profile", 0, ["profile"]]],
    base: () => [{ registry: "Hostile" }, "held"], call: (c, a) => c.pr.whereis(...a) },
  { fn: "whereis (one argument)", config: [0], positions: [["target", 0], ["via.name", 0, ["name"]], ["via.profile", 0, ["profile"]]],
    base: () => [{ via: "Registry", name: "Hostile", profile: "held" }], call: (c, a) => c.pr.whereis(a[0]) },
  { fn: "connection", config: [0], positions: [["config", 0], ["profile", 1], ["config.registry", 0, ["registry"]], ["config.profile", 0, ["profile"]]],
    base: () => [{ registry: "Hostile" }, "absent"], call: (c, a) => c.pr.connection(...a) },
  { fn: "connection (one argument)", config: [0], positions: [["target", 0], ["via.name", 0, ["name"]], ["via.profile", 0, ["profile"]]],
    base: () => [{ via: "Registry", name: "Hostile", profile: "absent" }], call: (c, a) => c.pr.connection(a[0]) },
  { fn: "bind", config: [0], positions: [["config", 0]], base: () => [{ registry: "Hostile" }], call: (c, a) => c.pr.bind(...a) },
  { fn: "bind({ registry }).whereis", positions: [["profile", 0]], base: () => ["held"], call: (c, a) => c.bound.whereis(...a) },
  { fn: "bind(undefined).whereis", positions: [["profile", 0]], base: () => ["held-default"], call: (c, a) => c.boundDefault.whereis(...a) },
  { fn: "lookup", config: [0], positions: [["config", 0], ["profile", 1]], base: () => [{ registry: "Hostile" }, "held"], call: (c, a) => c.pr.lookup(...a) },
  { fn: "register", config: [0], withProfile: "fresh", positions: [["config", 0], ["profile", 1], ["value", 2], ["config.registry", 0, ["registry"]], ["config.registry.name", 0, ["registry", "name"]]],
    base: () => [{ registry: "Hostile" }, "fresh", { a: "value" }], call: (c, a) => c.pr.register(...a), effect: "add" },
  { fn: "register (via form)", config: [0], withProfile: "fresh", positions: [["via", 0], ["value", 1], ["via.name", 0, ["name"]], ["via.profile", 0, ["profile"]]],
    base: () => [{ via: "Registry", name: "Hostile", profile: "fresh" }, { a: "value" }], call: (c, a) => c.pr.register(a[0], a[1]), effect: "add" },
  { fn: "unregister", config: [0], withProfile: "absent", effect: "remove", positions: [["config", 0], ["profile", 1]], base: () => [{ registry: "Hostile" }, "absent"], call: (c, a) => c.pr.unregister(...a) },
  { fn: "unregister (one argument)", config: [0], withProfile: "absent", effect: "remove", positions: [["target", 0]], base: () => [{ via: "Registry", name: "Hostile", profile: "absent" }], call: (c, a) => c.pr.unregister(a[0]) },
  { fn: "keys", config: [0], positions: [["config", 0]], base: () => [{ registry: "Hostile" }], call: (c, a) => c.pr.keys(...a) },
  { fn: "count", config: [0], positions: [["config", 0], ["config.registry", 0, ["registry"]]], base: () => [{ registry: "Hostile" }], call: (c, a) => c.pr.count(...a) },
  { fn: "updateValue", config: [0], positions: [["config", 0], ["profile", 1], ["fn", 2]], base: () => [{ registry: "Hostile" }, "held", ID], call: (c, a) => c.pr.updateValue(...a), effect: "update", callback: 2 },
  { fn: "dispatch", config: [0], positions: [["config", 0], ["profile", 1], ["fn", 2]], base: () => [{ registry: "Hostile" }, "held", () => 1], call: (c, a) => c.pr.dispatch(...a), callback: 2 },
  { fn: "get", handle: true, positions: [["handle", 0]], base: () => [undefined], call: (c, a) => c.pr.get(...a) },
  { fn: "isAlive", handle: true, positions: [["handle", 0]], base: () => [undefined], call: (c, a) => c.pr.isAlive(...a) },
  { fn: "profileOf", handle: true, positions: [["handle", 0]], base: () => [undefined], call: (c, a) => c.pr.profileOf(...a) },
  { fn: "subscribe", config: [0], positions: [["config", 0], ["listener", 1]], base: () => [{ registry: "Hostile" }, () => {}], call: (c, a) => c.pr.subscribe(...a), effect: "subscribe" },
  { fn: "checkProfile", positions: [["value", 0]], base: () => [undefined], call: (c, a) => c.pr.checkProfile(...a) },
  {
    fn: "connect", config: [0], connect: true, async: true, effect: "connect",
    positions: [["config", 0],
      ...["profile", "url", "protocols", "registry", "onDuplicate", "WebSocket", "reconnect", "queue", "connectTimeoutMs"].map((k) => [`config.${k}`, 0, [k]]),
      ...["minDelayMs", "maxDelayMs", "factor", "jitter", "maxRetries"].map((k) => [`config.reconnect.${k}`, 0, ["reconnect", k]]),
      ...["maxMessages", "maxBytes"].map((k) => [`config.queue.${k}`, 0, ["queue", k]]),
      ["config.registry.module", 0, ["registry", "module"]], ["config.registry.name", 0, ["registry", "name"]]],
    base: (c, i) => [connectBase(i)],
    call: (c, a) => c.pr.connect(...a),
  },
  // Connection members: a fresh connection per case (`conn: true`), opened by
  // hand; `this` is a position too.
  { fn: "Connection#send", conn: true, async: true, positions: [["this", "this"], ["data", 0]], base: () => ["hello"], call: (c, a, conn, self) => Reflect.apply(c.pr.Connection.prototype.send, self, a) },
  { fn: "Connection#close", conn: true, async: true, effect: "close", positions: [["this", "this"], ["code", 0], ["reason", 1]], base: () => [4000, "bye"], call: (c, a, conn, self) => Reflect.apply(c.pr.Connection.prototype.close, self, a) },
  { fn: "Connection#on", conn: true, async: true, effect: "on", positions: [["this", "this"], ["type", 0], ["listener", 1]], base: () => ["message", () => {}], call: (c, a, conn, self) => Reflect.apply(c.pr.Connection.prototype.on, self, a) },
  { fn: "Connection#info", conn: true, async: true, positions: [["this", "this"]], base: () => [], call: (c, a, conn, self) => Reflect.apply(c.pr.Connection.prototype.info, self, a) },
  ...["state", "handle", "profile"].map((g) => ({
    fn: `Connection#${g} (getter)`, conn: true, async: true, positions: [["this", "this"]], base: () => [],
    call: (c, a, conn, self) => Reflect.apply(Object.getOwnPropertyDescriptor(c.pr.Connection.prototype, g).get, self, a),
  })),
];

/**
 * Every case, in a fixed order: { index, group, fn, position, label, make }.
 * `make(base)` gives the hostile value (`base`, for config extras, is the
 * baseline config to corrupt).
 */
export function buildCases() {
  const cases = [];
  for (const spec of FUNCTIONS) {
    for (const pos of spec.positions) {
      const [posLabel, argIndex, path] = pos;
      const values = HOSTILE.map(([label, make]) => [label, () => make()]);
      if (STRING_POSITIONS.has(posLabel)) values.push(...STRING_EXTRAS.map(([label, make]) => [label, () => make()]));
      if (spec.handle) values.push(...HANDLE_EXTRAS.map(([label, make]) => [label, () => make()]));
      if (spec.config?.includes(argIndex) && !path && argIndex !== "this") {
        values.push(...configExtras({ connect: spec.connect, withProfile: spec.withProfile ?? "held" }));
      }
      const group = `${spec.fn} ← ${posLabel}`;
      for (const [label, make] of values) {
        cases.push({ index: cases.length, group, spec, pos, label, make, name: `${spec.fn}: ${posLabel} ← ${label}` });
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------

// The baseline of a nested object a position goes through.
const NESTED_BASE = {
  registry: () => ({ module: "Registry", name: "Hostile" }),
  reconnect: () => ({ minDelayMs: 10, maxDelayMs: 100, factor: 2, jitter: 0, maxRetries: 1 }),
  queue: () => ({ maxMessages: 10, maxBytes: 1000 }),
};

export const REGISTRIES = ["ProfileRegistry", "Hostile"];

/** The state of the registries the cases use: names, keys and values, the module's store. */
export function snapshot(ctx) {
  const regs = {};
  for (const name of REGISTRIES) {
    const cfg = { registry: name };
    const keys = ctx.pr.keys(cfg).map((k) => JSON.stringify(k)).sort();
    regs[name] = { count: ctx.pr.count(cfg), keys, values: keys.map((k) => ctx.pr.whereis(cfg, JSON.parse(k))) };
  }
  return { registries: [...ctx.pr.registries()].sort(), regs, store: [...ctx.store.entries()] };
}

const show = (v) => {
  try {
    if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v);
    if (typeof v === "symbol" || typeof v === "bigint") return String(v);
    return typeof v === "object" && v !== null ? Object.prototype.toString.call(v) : String(v);
  } catch {
    return "(unprintable)";
  }
};

/** What changed between two snapshots: { added: [[reg, keyJson]], removed, changed, regsAdded, regsRemoved, store }. */
export function diff(a, b) {
  const d = { added: [], removed: [], changed: [], regsAdded: [], regsRemoved: [], store: false };
  for (const name of REGISTRIES) {
    const x = a.regs[name], y = b.regs[name];
    for (const k of y.keys) if (!x.keys.includes(k)) d.added.push([name, k]);
    for (const k of x.keys) if (!y.keys.includes(k)) d.removed.push([name, k]);
    for (const [i, k] of x.keys.entries()) {
      const j = y.keys.indexOf(k);
      if (j >= 0 && !Object.is(x.values[i], y.values[j])) d.changed.push([name, k, x.values[i]]);
    }
    if (y.count !== y.keys.length) d.changed.push([name, `(count ${y.count} for ${y.keys.length} keys)`]);
  }
  d.regsAdded = b.registries.filter((n) => !a.registries.includes(n));
  d.regsRemoved = a.registries.filter((n) => !b.registries.includes(n));
  d.store = a.store.length !== b.store.length || a.store.some(([k, v], i) => b.store[i]?.[0] !== k || !Object.is(b.store[i][1], v));
  return d;
}

export const describeDiff = (d) => [
  ...d.added.map(([r, k]) => `${r} gained ${k}`),
  ...d.removed.map(([r, k]) => `${r} lost ${k}`),
  ...d.changed.map(([r, k]) => `${r} changed ${k}`),
  ...d.regsAdded.map((n) => `registry ${JSON.stringify(n)} started`),
  ...d.regsRemoved.map((n) => `registry ${JSON.stringify(n)} stopped`),
  ...(d.store ? ["the module's store changed"] : []),
].join(", ");

const isEmpty = (d) => !d.added.length && !d.removed.length && !d.changed.length && !d.regsAdded.length && !d.regsRemoved.length && !d.store;

/** A normal register / whereis / unregister round trip, scalar and list profiles; throws what goes wrong. */
export function roundTrip(ctx) {
  for (const p of ["rt", ["rt", 1]]) {
    for (const cfg of [{ registry: "Hostile" }, undefined]) {
      const value = { rt: true };
      const h = ctx.pr.register(cfg, p, value);
      if (ctx.pr.whereis(cfg, p) !== value) throw new Error(`whereis after register(${JSON.stringify(p)}) is not the value`);
      if (ctx.pr.get(h) !== value) throw new Error("get(handle) after register is not the value");
      ctx.pr.unregister(cfg, p);
      if (ctx.pr.whereis(cfg, p) !== undefined) throw new Error(`whereis after unregister(${JSON.stringify(p)}) is not undefined`);
      if (ctx.pr.isAlive(h)) throw new Error("the handle is alive after unregister");
    }
  }
}

export const ticks = async (n = 3) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

// `instanceof` and own-property checks that a thrown Proxy cannot break.
const isError = (e) => { try { return e instanceof Error; } catch { return false; } };
const hasOwn = (e, k) => { try { return e !== null && (typeof e === "object" || typeof e === "function") && Object.hasOwn(e, k); } catch { return false; } };

const isConnection = (ctx, v) => { try { return v instanceof ctx.pr.Connection; } catch { return false; } };

function errText(e) {
  try {
    if (isError(e)) return `${e.constructor?.name ?? "Error"} (name ${show(e.name)}): ${String(e.message).slice(0, 200)}`;
    return `a non-Error: ${show(e)}`;
  } catch {
    return "an error whose name or message cannot be read";
  }
}

/**
 * Checks a thrown value against the contract; returns the problem or null.
 * Allowed: an Error named in ALLOWED_NAMES; in a callback position of
 * updateValue/dispatch, what the callback threw, as is (documented); and a
 * plain TypeError only where JS itself throws it for the call shape:
 *   - a Connection member called with a receiver that is not a Connection
 *     (the private-field brand check, or reading a private field of null or
 *     undefined, throws before any package code runs);
 *   - updateValue's/dispatch's fn that JS refuses to call (a class
 *     constructor, a revoked Proxy of a function): the call is a TypeError
 *     thrown by JS, which those functions rethrow as is, like anything fn
 *     throws.
 */
export function checkThrown(e, c) {
  const callbackPos = c.spec.callback !== undefined && c.pos[1] === c.spec.callback && !c.pos[2];
  if (callbackPos && hasOwn(e, USER_THROWN)) return null;
  if (!isError(e)) return `threw ${errText(e)}, not an Error`;
  let name, message;
  try {
    name = e.name;
    message = e.message;
  } catch {
    return "threw an Error whose name or message cannot be read";
  }
  if (typeof message !== "string") return `threw an Error whose message is ${show(message)}`;
  if (WASM_INTERNALS.test(message) || WASM_INTERNALS.test(name)) return `threw ${errText(e)} (wasm internals)`;
  if (ALLOWED_NAMES.has(name)) return null;
  if (hasOwn(e, USER_THROWN)) return `let the hostile value's own error through raw: ${errText(e)}`;
  if (name === "TypeError" && e.constructor?.name === "TypeError") {
    if (c.pos[1] === "this" && /private member|Cannot read properties of (null|undefined) \(reading '#/.test(message)) return null;
    if (callbackPos && /Class constructor|Cannot perform 'apply' on a proxy that has been revoked/.test(message)) return null;
  }
  return `threw ${errText(e)}`;
}

/**
 * Runs one case; returns { ok, problems, outcome }. `state.dead` (the case
 * that broke the module, if any) is shared by the cases of one group.
 */
export async function runCase(ctx, c, state) {
  const problems = [];
  if (state.dead) return { ok: false, problems: [`not run: the module was already broken by "${state.dead}"`], outcome: "" };
  const { spec, pos } = c;
  const [, argIndex, path] = pos;
  state.uncaught = [];
  let outcome = "";
  let conn, sock, before0;
  try {
    before0 = snapshot(ctx);
  } catch (e) {
    state.dead = "(before the first case)";
    return { ok: false, problems: [`the module is broken before the case: ${errText(e)}`], outcome };
  }
  if (spec.conn) {
    conn = ctx.pr.connect({ profile: ["conn", c.index], url: WS_URL, WebSocket: FakeWebSocket, registry: "Hostile", reconnect: false });
    sock = FakeWebSocket.last;
    sock.open();
  }
  const before = conn ? snapshot(ctx) : before0;

  const args = spec.base(ctx, c.index, pos);
  let self = conn;
  const baseConfig = typeof argIndex === "number" && args[argIndex] && typeof args[argIndex] === "object" ? { ...args[argIndex] } : {};
  let value;
  try {
    value = c.make(baseConfig);
  } catch (e) {
    return { ok: false, problems: [`the test could not make the value: ${errText(e)}`], outcome };
  }
  if (argIndex === "this") self = value;
  else if (path) {
    let o = args[argIndex];
    for (const k of path.slice(0, -1)) {
      if (typeof o[k] !== "object" || o[k] === null) o[k] = NESTED_BASE[k](); // registry: "Hostile" -> { module, name }
      o = o[k];
    }
    o[path.at(-1)] = value;
  } else args[argIndex] = value;

  let threw = false, result, error;
  try {
    result = spec.call(ctx, args, conn, self);
  } catch (e) {
    threw = true;
    error = e;
  }
  if (spec.async) await ticks();
  outcome = threw ? `threw ${errText(error)}` : `returned ${show(result)}`;

  // (a) the error
  if (threw) {
    const p = checkThrown(error, c);
    if (p) problems.push(p);
  }
  for (const u of state.uncaught) problems.push(`an exception escaped asynchronously after the call: ${errText(u)}`);
  state.uncaught = [];

  // (b) the registries: unchanged, but for what a successful call may do
  let after;
  try {
    after = snapshot(ctx);
  } catch (e) {
    problems.push(`the registries cannot be read after the call: ${errText(e)}`);
  }
  const cleanups = [];
  if (after) {
    const d = diff(before, after);
    const allowed = { add: 0, remove: 0, update: 0, start: false, close: false };
    if (!threw) {
      if (spec.effect === "add") allowed.add = 1;
      if (spec.effect === "connect" && isConnection(ctx, result)) {
        allowed.add = 1;
        cleanups.push(() => result.close());
      }
      if (spec.effect === "update") allowed.update = 1;
      // a hostile value that is a valid target of a held entry (a
      // null-prototype { registry, profile }, say) unregisters it
      if (spec.effect === "remove") allowed.remove = 1;
      if (spec.effect === "start") allowed.start = true;
      if (spec.effect === "close") allowed.close = true;
      if (spec.effect === "subscribe" && typeof result === "function") cleanups.push(result);
      if (spec.effect === "on" && typeof result === "function") cleanups.push(result);
      if (spec.effect === "plug" && typeof args[0] === "string") cleanups.push(() => ctx.pr.unplugModule(args[0]));
    }
    const rest = { ...d, added: d.added.slice(allowed.add), removed: d.removed.slice(allowed.remove), changed: d.changed.slice(allowed.update), regsAdded: allowed.start ? [] : d.regsAdded };
    if (allowed.close && conn) rest.removed = d.removed.filter(([r, k]) => !(r === "Hostile" && k === JSON.stringify(["conn", c.index])));
    if (!isEmpty(rest)) problems.push(`the registries changed: ${describeDiff(rest)}`);
    // undo what the call did, allowed or not, so the next case starts clean
    for (const [r, k] of d.added) cleanups.push(() => ctx.pr.unregister({ registry: r }, JSON.parse(k)));
    for (const [r, k] of d.removed) {
      const old = before.regs[r].values[before.regs[r].keys.indexOf(k)];
      if (!(conn && k === JSON.stringify(["conn", c.index]))) cleanups.push(() => ctx.pr.register({ registry: r }, JSON.parse(k), old));
    }
    for (const [r, k, old] of d.changed) if (!k.startsWith("(count")) cleanups.push(() => ctx.pr.updateValue({ registry: r }, JSON.parse(k), () => old));
    for (const n of d.regsAdded) cleanups.push(() => ctx.pr.stop(n));
  }
  if (conn) cleanups.push(() => conn.close());
  for (const f of cleanups) {
    try {
      f();
    } catch (e) {
      problems.push(`cleaning up after the call threw ${errText(e)}`);
    }
  }
  if (spec.async || conn) await ticks();
  for (const u of state.uncaught) problems.push(`an exception escaped asynchronously while cleaning up: ${errText(u)}`);

  // (c) the module still works
  try {
    roundTrip(ctx);
    const d = diff(before0, snapshot(ctx));
    if (!isEmpty(d) && !problems.some((p) => p.startsWith("the registries changed"))) problems.push(`the registries differ after cleanup: ${describeDiff(d)}`);
  } catch (e) {
    problems.push(`a normal register/whereis/unregister round trip fails afterwards: ${errText(e)}`);
    state.dead = c.name;
  }
  return { ok: problems.length === 0, problems, outcome };
}

/** A fresh context over a loaded package: registries, held entries, a plugged module. */
export function setup(pr) {
  const store = new Map();
  const key = (name, k) => `${name}:${JSON.stringify(k)}`;
  const module = {
    name: "HostileMod",
    register(name, k, v) { if (store.has(key(name, k))) return false; store.set(key(name, k), v); return true; },
    lookup(name, k) { return store.get(key(name, k)); },
    unregister(name, k) { store.delete(key(name, k)); },
  };
  pr.start();
  pr.start("Hostile");
  pr.plugModule("HostileMod", module);
  pr.register({ registry: "Hostile" }, "held", { held: 1 });
  pr.register({ registry: "Hostile" }, ["held", 1], { held: 2 });
  pr.register(undefined, "held-default", { held: 3 });
  pr.register({ registry: { module: "HostileMod", name: "M" } }, "held-mod", { held: 4 });
  return { pr, store, bound: pr.bind({ registry: "Hostile" }), boundDefault: pr.bind(undefined) };
}
