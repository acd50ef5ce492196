// Before init: the browser entry (pkg/index.js) imported without `await
// init()` / `initSync()`. Every export throws a NotInitializedError whose
// message names the fix (`await init()`), and none answers as if the wasm
// were there (`whereis` returning undefined would read as "not registered").
// Its own file: node --test runs each file in its own process, and this one
// must be the first to touch its copy of the package.
//
// The package is PKG_DIR (default ../../pkg/ from this file):
//   PKG_DIR=/tmp/pkg-snapshot node --test tests/js/uninit.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const PKG = process.env.PKG_DIR
  ? pathToFileURL(path.resolve(process.env.PKG_DIR) + path.sep)
  : new URL("../../pkg/", import.meta.url);
const pr = await import(new URL("index.js", PKG).href);

class FakeWebSocket {
  constructor() { this.readyState = 0; }
  send() {}
  close() {}
}

const via = { via: "Registry", name: "ProfileRegistry", profile: "alice" };
const mod = { register() { return true; }, lookup() {}, unregister() {} };

// Each export with the arguments of a normal call (several shapes for whereis).
const CALLS = [
  ["start()", () => pr.start()],
  ["start(\"Tenants\")", () => pr.start("Tenants")],
  ["stop()", () => pr.stop()],
  ["registries()", () => pr.registries()],
  ["plugModule(\"Flat\", module)", () => pr.plugModule("Flat", mod)],
  ["unplugModule(\"Flat\")", () => pr.unplugModule("Flat")],
  ["resolve()", () => pr.resolve()],
  ["resolve({ registry: \"Tenants\" })", () => pr.resolve({ registry: "Tenants" })],
  ["via(undefined, \"alice\")", () => pr.via(undefined, "alice")],
  ["whereis(undefined, \"alice\")", () => pr.whereis(undefined, "alice")],
  ["whereis({}, \"alice\")", () => pr.whereis({}, "alice")],
  ["whereis({ registry: \"Tenants\" }, \"alice\")", () => pr.whereis({ registry: "Tenants" }, "alice")],
  ["whereis({ profile: \"alice\" })", () => pr.whereis({ profile: "alice" })],
  ["whereis(via)", () => pr.whereis(via)],
  ["whereis(undefined, [\"acme\", 1])", () => pr.whereis(undefined, ["acme", 1])],
  ["whereis({ registry: { module: object, name } }, \"alice\")", () => pr.whereis({ registry: { module: mod, name: "M" } }, "alice")],
  ["bind()", () => pr.bind()],
  ["bind({ registry: \"Tenants\" })", () => pr.bind({ registry: "Tenants" })],
  ["lookup(undefined, \"alice\")", () => pr.lookup(undefined, "alice")],
  ["register(undefined, \"alice\", 1)", () => pr.register(undefined, "alice", 1)],
  ["register(via, 1)", () => pr.register(via, 1)],
  ["unregister(undefined, \"alice\")", () => pr.unregister(undefined, "alice")],
  ["unregister(via)", () => pr.unregister(via)],
  ["keys()", () => pr.keys()],
  ["count()", () => pr.count()],
  ["updateValue(undefined, \"alice\", fn)", () => pr.updateValue(undefined, "alice", (v) => v)],
  ["dispatch(undefined, \"alice\", fn)", () => pr.dispatch(undefined, "alice", () => 1)],
  ["get(\"1.0.1\")", () => pr.get("1.0.1")],
  ["isAlive(\"1.0.1\")", () => pr.isAlive("1.0.1")],
  ["profileOf(\"1.0.1\")", () => pr.profileOf("1.0.1")],
  ["subscribe(undefined, listener)", () => pr.subscribe(undefined, () => {})],
  ["checkProfile(\"alice\")", () => pr.checkProfile("alice")],
  ["connect({ profile, url, WebSocket })", () => pr.connect({ profile: "alice", url: "ws://127.0.0.1:9/", WebSocket: FakeWebSocket })],
  ["connection(undefined, \"alice\")", () => pr.connection(undefined, "alice")],
  ["connection(via)", () => pr.connection(via)],
];

// Exports that are not calls into the registry: loading, the classes, constants.
const NOT_CALLS = new Set(["default", "initSync", "Connection", "DEFAULT_MODULE", "DEFAULT_NAME"]);

const exportedCalls = Object.keys(pr).filter((k) => typeof pr[k] === "function" && !NOT_CALLS.has(k) && !k.endsWith("Error")).sort();
const tabled = new Set(CALLS.map(([label]) => label.match(/^\w+/)[0]));

test("the table covers every public function the package exports", () => {
  assert.deepEqual(exportedCalls.filter((k) => !k.startsWith("__")), [...tabled].sort());
});

// Internal exports (`__`-prefixed hooks) are exports too: called with no arguments.
const INTERNAL = exportedCalls.filter((k) => k.startsWith("__")).map((name) => [`${name}()`, () => pr[name]()]);

for (const [label, call] of [...CALLS, ...INTERNAL]) {
  test(`before init, ${label} throws NotInitializedError naming await init()`, () => {
    let result, error, threw = false;
    try {
      result = call();
    } catch (e) {
      threw = true;
      error = e;
    }
    assert.ok(threw, `${label} returned ${String(result)} without the wasm`);
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.equal(error.name, "NotInitializedError", `threw ${error.name}: ${error.message}`);
    assert.match(error.message, /await init\(\)/, `the message names the fix: ${error.message}`);
    assert.match(error.message, /Cloudflare Worker, `initSync\(\{ module \}\)`/, `and the Worker one: ${error.message}`);
  });
}

test("after initSync, the same calls work", () => {
  pr.initSync({ module: readFileSync(new URL("profile_registry_bg.wasm", PKG)) });
  pr.start();
  const value = { v: 1 };
  pr.register(undefined, "alice", value);
  assert.equal(pr.whereis(undefined, "alice"), value);
  assert.equal(pr.whereis(via), value);
  pr.unregister(undefined, "alice");
  assert.equal(pr.whereis(undefined, "alice"), undefined);
});
