// Errors that say what to do: the natural first mistakes get a typed error
// whose message names the call to make, and change nothing. Also the typed
// lookup, `connection()`, against a real local server.
//
// Run: cd tests/js && node --test hints.test.mjs   (needs pkg/: bash scripts/build.sh)
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";

import * as pr from "../../pkg/node.js";
import { startServer } from "./server.mjs";

/** Asserts that `fn` throws an error named `name` whose message contains every one of `parts`. */
function throwsSaying(fn, name, parts) {
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err, "it threw");
  assert.equal(err.name, name, err.message);
  for (const part of parts) assert.ok(err.message.includes(part), `${JSON.stringify(err.message)} names ${part}`);
  return err;
}

/** The open socket of a connection, waited for. */
const opened = (conn) => new Promise((resolve) => { if (conn.state === "open") resolve(); else conn.on("open", () => resolve()); });

let srv;
before(async () => {
  srv = await startServer();
  pr.start();
  pr.start("Tenants");
});
after(async () => {
  for (const name of pr.registries()) pr.stop(name);
  await srv.close();
});

describe("a profile where a config goes", () => {
  test('whereis("alice") says a config is an object and suggests whereis(undefined, "alice")', () => {
    pr.register(undefined, "alice", "alice's value");
    const err = throwsSaying(() => pr.whereis("alice"), "InvalidConfigError",
      ["a config must be an object", 'got the string "alice"', 'whereis(undefined, "alice")']);
    assert.ok(err instanceof pr.InvalidConfigError);
    // What it suggests works, and the registry is as it was.
    assert.equal(pr.whereis(undefined, "alice"), "alice's value");
    assert.deepEqual(pr.keys(), ["alice"]);
    pr.unregister(undefined, "alice");
  });

  test("numbers, booleans and lists get the same hint, in the call they were given to", () => {
    throwsSaying(() => pr.whereis(42), "InvalidConfigError", ["whereis(undefined, 42)"]);
    throwsSaying(() => pr.lookup(true), "InvalidConfigError", ["lookup(undefined, true)"]);
    throwsSaying(() => pr.whereis(["acme", 7]), "InvalidConfigError", ["an array", "whereis(undefined, [...])"]);
    throwsSaying(() => pr.unregister("alice"), "InvalidConfigError", ['unregister(undefined, "alice")']);
    throwsSaying(() => pr.via("alice"), "InvalidConfigError", ['via(undefined, "alice")']);
    throwsSaying(() => pr.register("alice", {}), "InvalidConfigError", ['register(undefined, "alice", value)']);
    assert.equal(pr.count(), 0, "nothing was registered");
  });

  test("a registry name where a config goes: calls that take only a config suggest { registry }", () => {
    throwsSaying(() => pr.keys("Tenants"), "InvalidConfigError", ['keys({ registry: "Tenants" })']);
    throwsSaying(() => pr.count("Tenants"), "InvalidConfigError", ['count({ registry: "Tenants" })']);
    throwsSaying(() => pr.bind("Tenants"), "InvalidConfigError", ['bind({ registry: "Tenants" })']);
    throwsSaying(() => pr.subscribe("Tenants", () => {}), "InvalidConfigError", ['subscribe({ registry: "Tenants" })']);
    assert.deepEqual(pr.keys({ registry: "Tenants" }), []);
  });

  test("values that are no profile either get no guess", () => {
    const err = throwsSaying(() => pr.whereis(null), "InvalidConfigError", ["got null"]);
    assert.ok(!err.message.includes("undefined,"), err.message);
    const long = "x".repeat(41);
    assert.ok(!throwsSaying(() => pr.whereis(long), "InvalidConfigError", []).message.includes("whereis(undefined"));
  });
});

describe("a via where a profile goes", () => {
  test("says it is a via and what to pass instead, and changes nothing", () => {
    const v = pr.via(undefined, "alice");
    const parts = ["a via cannot be a profile", "pass the via as the config, as in whereis(v)", "v.profile"];
    throwsSaying(() => pr.whereis(undefined, v), "InvalidProfileError", parts);
    throwsSaying(() => pr.register(undefined, v, "value"), "InvalidProfileError", parts);
    throwsSaying(() => pr.connect({ profile: v, url: srv.url, WebSocket }), "InvalidProfileError", parts);
    // A hand-written via too; a plain object keeps the plain message.
    throwsSaying(() => pr.lookup(undefined, { via: "Registry", name: "ProfileRegistry", profile: "alice" }), "InvalidProfileError", parts);
    throwsSaying(() => pr.whereis(undefined, { id: 1 }), "InvalidProfileError", ["a value of type object cannot be a profile"]);
    assert.equal(pr.count(), 0);
    assert.equal(pr.whereis(v), undefined, "the suggested call works");
  });
});

describe("connecting twice", () => {
  test("names onDuplicate: \"existing\" | \"replace\" and err.existing, and leaves the first one alone", async () => {
    const url = `${srv.url}/?profile=twice`;
    const first = pr.connect({ profile: "twice", url, WebSocket });
    await opened(first);
    const err = throwsSaying(() => pr.connect({ profile: "twice", url, WebSocket }), "AlreadyRegisteredError",
      ['profile "twice" is already registered', "err.existing", 'onDuplicate: "existing"', '"replace"']);
    assert.ok(err instanceof pr.AlreadyRegisteredError);
    assert.equal(err.existing, first);
    assert.equal(first.state, "open");
    // Each way out the message names does what it says.
    assert.equal(pr.connect({ profile: "twice", url, WebSocket, onDuplicate: "existing" }), first);
    const second = pr.connect({ profile: "twice", url, WebSocket, onDuplicate: "replace" });
    assert.equal(first.state, "closed");
    await opened(second);
    second.close();
    assert.equal(srv.stats().profiles.twice.max, 1, "the server never held two sockets of the profile");
  });
});

describe("connection(): the typed lookup", () => {
  test("finds the Connection of a profile across configs and vias, and misses with undefined", async () => {
    const url = `${srv.url}/?profile=looked-up`;
    const conn = pr.connect({ registry: "Tenants", profile: ["acme", 7], url, WebSocket });
    assert.equal(pr.connection({ registry: "Tenants" }, ["acme", 7]), conn);
    assert.equal(pr.connection(pr.via({ registry: "Tenants" }, ["acme", 7])), conn);
    assert.equal(pr.connection({ registry: "Tenants", profile: ["acme", 7] }), conn);
    assert.equal(pr.connection(undefined, ["acme", 7]), undefined, "another registry");
    await opened(conn);
    const echoed = new Promise((resolve) => conn.on("message", (e) => resolve(e.data)));
    pr.connection({ registry: "Tenants" }, ["acme", 7])?.send("still me");
    assert.equal(await echoed, "still me");
    conn.close();
    assert.equal(pr.connection({ registry: "Tenants" }, ["acme", 7]), undefined, "a closed connection is not found");
  });

  test("a value that is not a Connection is an error that points to whereis()", () => {
    pr.register(undefined, "plain", { not: "a connection" });
    throwsSaying(() => pr.connection(undefined, "plain"), "InvalidConfigError", ["not a Connection", "whereis()"]);
    assert.deepEqual(pr.whereis(undefined, "plain"), { not: "a connection" });
    pr.unregister(undefined, "plain");
  });

  test("bad input is what whereis says", () => {
    throwsSaying(() => pr.connection("alice"), "InvalidConfigError", ['whereis(undefined, "alice")']);
  });
});
