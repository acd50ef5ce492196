// The stress classes of hostile.test.mjs: each hostile class, every one of
// its call shapes 10,000 times, each call followed by a normal
// register/unregister (so a module that dies is caught at the call that
// killed it), then a full round trip. Run by hostile-worker.mjs, one class
// per worker (its own copy of the package).
import {
  FakeWebSocket, WS_URL, EvilBytes, badModule, checkThrown, detach, nested, poisonedError, revoked, roundTrip, setup,
  throwingProxy, allGettersThrow, withThrowingGetter,
} from "./hostile-cases.mjs";

export const ITERATIONS = 10_000;

// Shapes over a value: [label, (pr, v, ctx) => call, undo after a success].
const S = {
  count: ["count(v)", (pr, v) => pr.count(v)],
  whereis: ["whereis(v, \"p\")", (pr, v) => pr.whereis(v, "p")],
  register: ["register(v, \"p\", 1)", (pr, v) => pr.register(v, "p", 1), (pr, v) => pr.unregister(v, "p")],
  registerVia: ["register(v, 1)", (pr, v) => pr.register(v, 1), (pr, v) => pr.unregister(v)],
  resolve: ["resolve(v)", (pr, v) => pr.resolve(v)],
  lookup: ["lookup(v, \"p\")", (pr, v) => pr.lookup(v, "p")],
  checkProfile: ["checkProfile(v)", (pr, v) => pr.checkProfile(v)],
  whereisProfile: ["whereis(undefined, v)", (pr, v) => pr.whereis(undefined, v)],
  registerProfile: ["register(undefined, v, 1)", (pr, v) => pr.register(undefined, v, 1), (pr, v) => pr.unregister(undefined, v)],
  get: ["get(v)", (pr, v) => pr.get(v)],
  isAlive: ["isAlive(v)", (pr, v) => pr.isAlive(v)],
  profileOf: ["profileOf(v)", (pr, v) => pr.profileOf(v)],
  send: ["conn.send(v)", (pr, v, ctx) => ctx.conn.send(v)],
  start: ["start(v)", (pr, v) => pr.start(v), (pr, v) => pr.stop(v)],
  plugModule: ["plugModule(v, module)", (pr, v) => pr.plugModule(v, { register() { return true; }, lookup() {}, unregister() {} }), (pr, v) => pr.unplugModule(v)],
};
const shapes = (...names) => names.map((n) => S[n]);
const CONFIG = shapes("count", "whereis", "register", "registerVia", "resolve");
const PROFILE = shapes("checkProfile", "whereisProfile", "registerProfile");
const HANDLE = shapes("get", "isAlive", "profileOf");
const DATA = shapes("send", "checkProfile");
const MIXED = shapes("count", "whereis", "registerProfile", "checkProfile", "isAlive", "start");
const OBJECT = shapes("count", "whereis", "register", "registerVia", "checkProfile");

const once = (make) => { let v; return () => (v ??= make()); }; // for values no call can change
const long = "x".repeat(8192); // past the string and name bounds; 10,000 copies of 10 MB would only time the copying

/** Each class: name, make(i) (fresh where a call could change the value), shapes. */
export const STRESS = [
  ["a revoked Proxy", () => revoked({}), [...CONFIG, S.checkProfile, S.isAlive]],
  ["a Proxy throwing on every trap", once(() => throwingProxy({})), [...CONFIG, S.checkProfile]],
  ["an object whose every known key has a throwing getter", once(allGettersThrow), CONFIG],
  ["configs with one throwing getter", (() => { const vs = ["profile", "registry", "via"].map((k) => withThrowingGetter({ registry: "Hostile" }, k)); return (i) => vs[i % 3]; })(), CONFIG],
  ["an Error whose message getter throws", once(() => poisonedError()), shapes("checkProfile", "count", "isAlive", "send")],
  ["a module throwing an Error whose message getter throws", once(() => ({ registry: { module: badModule("lookup", function () { throw poisonedError(); }), name: "M" } })), shapes("whereis", "register", "lookup")],
  ["a module whose register returns a revoked Proxy", once(() => ({ registry: { module: badModule("register", function () { return revoked({}); }), name: "M" } })), shapes("register", "whereis")],
  ["a detached ArrayBuffer", () => detach(new ArrayBuffer(8)), DATA],
  ["a view of a detached ArrayBuffer", () => { const b = new ArrayBuffer(8); const v = new Uint8Array(b); detach(b); return v; }, DATA],
  ["a typed array with a throwing buffer getter", once(() => withThrowingGetter(new Uint8Array(4), "buffer")), DATA],
  ["a typed array subclass with throwing getters", once(() => new EvilBytes(4)), DATA],
  ["a Symbol", () => Symbol("s"), MIXED],
  ["a BigInt", () => 2n ** 64n, MIXED],
  ["a function", once(() => function f() {}), MIXED],
  ["a null-prototype object", () => Object.create(null), OBJECT],
  ["a frozen object", once(() => Object.freeze({ unrelated: 1 })), OBJECT],
  ["a class instance", () => new (class Account {})(), OBJECT],
  ["an array as a config", once(() => ["Hostile", "p"]), CONFIG],
  ["an 8 KB string", () => long, shapes("checkProfile", "whereisProfile", "start")],
  ["lone surrogates", (i) => (i % 2 ? "\ud800" : "a\udc00b"), [...PROFILE, S.start, S.plugModule]],
  ["a deep array (depth 1000)", once(() => nested(1000)), PROFILE],
  ["a sparse array", (i) => (i % 2 ? [, , "a"] : Object.assign([], { length: 2 ** 32 - 1 })), PROFILE], // eslint-disable-line no-sparse-arrays
  ["a forged via", (i) => (i % 2 ? { via: "Registry", name: 5, profile: {} } : Object.freeze({ via: "Registry", name: "Hostile", profile: {} })), CONFIG],
  ["a forged handle", (i) => ["1.2.3", "x", "1.0.999", "99999999999999999999.0.1", 2 ** 64][i % 5], HANDLE],
].map(([name, make, list]) => ({ name, run: (pr, state) => stress(pr, state, name, make, list) }));

async function stress(pr, state, name, make, list) {
  const ctx = setup(pr);
  ctx.conn = pr.connect({ profile: "stress", url: WS_URL, WebSocket: FakeWebSocket, registry: "Hostile", reconnect: false });
  FakeWebSocket.last.open();
  const problems = [];
  const fakeCase = { spec: {}, pos: [] };
  const t0 = performance.now();
  let calls = 0;
  let died = false;
  outer: for (const [label, call, undo] of list) {
    let firstBad;
    for (let i = 0; i < ITERATIONS; i++) {
      let v;
      try {
        v = make(i);
      } catch (e) {
        problems.push(`the test could not make the value: ${e}`);
        break outer;
      }
      let succeeded = false;
      try {
        call(pr, v, ctx);
        succeeded = true;
      } catch (e) {
        const p = checkThrown(e, fakeCase);
        if (p) firstBad ??= `${label}, call ${i + 1}: ${p}`;
      }
      if (succeeded && undo) {
        try {
          undo(pr, v); // it succeeded (a frozen object is a config, say): leave the registry as it was
        } catch (e) {
          firstBad ??= `${label}, call ${i + 1}: undoing the successful call threw ${e?.constructor?.name}: ${e?.message}`;
        }
      }
      calls++;
      try {
        pr.register(undefined, "x", 1);
        pr.unregister(undefined, "x");
      } catch (e) {
        if (firstBad) problems.push(firstBad);
        problems.push(`the module died after ${i + 1} calls of ${label}: a normal register/unregister throws ${e?.constructor?.name}: ${e?.message}`);
        died = true;
        break outer;
      }
    }
    if (firstBad) problems.push(firstBad);
  }
  if (state.uncaught.length) problems.push(`exceptions escaped asynchronously: ${state.uncaught.slice(0, 3).map(String).join("; ")}`);
  if (!died) {
    try {
      roundTrip(ctx);
      ctx.conn.close();
    } catch (e) {
      problems.push(`a normal round trip fails afterwards: ${e?.constructor?.name}: ${e?.message}`);
    }
  }
  return { name, ok: problems.length === 0, problems, calls, ms: Math.round(performance.now() - t0) };
}
