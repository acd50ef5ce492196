// Registry listeners that react to a connection's own `register` event,
// heard inside `connect()`: whatever they do (close it, unregister it, stop
// the registry, connect again with any onDuplicate), the invariants hold —
// at most one live entry per profile, the entry is a live connection, no
// live connection outside the registry holds a socket, the next connect
// gets a socket, the server never sees two at once, everything is freed.
//
// Run: cd tests/js && node --test reentry.test.mjs   (needs pkg/ from scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";

import { pr, sleep, until, record, harness } from "./conn-harness.mjs";

/** The invariants, after everything user code did has run. */
async function holds(h, profile, conns) {
  await sleep(30);
  const entry = pr.lookup(undefined, profile);
  const found = pr.whereis(undefined, profile);
  if (entry !== undefined) {
    assert.ok(pr.isAlive(entry.handle), "the entry's handle is alive");
    assert.equal(found, entry.value);
    assert.notEqual(found.state, "closed", "a closed connection is never registered");
  }
  for (const c of conns) {
    if (c.state !== "closed") assert.equal(pr.whereis(undefined, profile), c, "a live connection is the registered one");
  }
  assert.ok(conns.filter((c) => c.state !== "closed").length <= 1, "at most one live connection of the profile");
  // The next connect gets a socket of its own.
  const next = pr.whereis(undefined, profile) ?? h.connect(profile);
  await until(() => next.state === "open", `the next connection of ${profile} opens (${next.state})`, 5000);
  assert.ok(h.of(profile).max <= 1, "the server never held two");
}

/** Subscribes `react` for the duration of `f`; returns what `react` threw. */
async function reacting(react, f) {
  const thrown = [];
  const off = pr.subscribe(undefined, (e) => {
    try {
      react(e);
    } catch (err) {
      thrown.push(err);
    }
  });
  try {
    await f();
  } finally {
    off();
  }
  return thrown;
}

const own = (profile) => (e) => e.type === "register" && e.profile === profile && e.value instanceof pr.Connection;

test("a listener closes the connection it hears registered", () =>
  harness(async (h) => {
    const mine = own("r1");
    let c;
    await reacting((e) => mine(e) && e.value.close(), async () => {
      c = h.connect("r1");
      assert.equal(pr.whereis(undefined, "r1"), undefined, "closed from the listener: not registered");
      await record(c).waitFinal();
    });
    await holds(h, "r1", [c]);
  }));

test("a listener unregisters the profile of the connection it hears registered", () =>
  harness(async (h) => {
    const mine = own("r2");
    let c;
    await reacting((e) => mine(e) && pr.unregister(undefined, "r2"), async () => {
      c = h.connect("r2");
      await record(c).waitFinal();
    });
    assert.equal(c.state, "closed", "unregistered: it closes, it never holds the profile's socket outside the registry");
    await holds(h, "r2", [c]);
  }));

test("a listener stops the registry of the connection it hears registered", () =>
  harness(async (h) => {
    const mine = own("r3");
    let c;
    await reacting((e) => mine(e) && pr.stop(), async () => {
      c = h.connect("r3");
      await record(c).waitFinal();
    });
    assert.equal(c.state, "closed");
    await until(() => c.info().sockets === 0, "its socket released");
    pr.start();
    await holds(h, "r3", [c]);
  }));

test("a listener connects again with onDuplicate replace, existing and error", () =>
  harness(async (h) => {
    for (const [dup, profile] of [["replace", "r4"], ["existing", "r5"], ["error", "r6"]]) {
      const mine = own(profile);
      let first, second, once = false;
      const thrown = await reacting((e) => {
        if (!mine(e) || once) return;
        once = true;
        second = h.connect(profile, { onDuplicate: dup });
      }, async () => {
        first = h.connect(profile);
        await sleep(50);
      });
      if (dup === "replace") {
        assert.deepEqual(thrown, [], "replace from the listener works");
        assert.notEqual(second, first);
        assert.equal(first.state, "closed");
        assert.equal(pr.whereis(undefined, profile), second);
      } else if (dup === "existing") {
        assert.equal(second, first, "existing: the connection being registered");
      } else {
        assert.equal(thrown.length, 1);
        assert.equal(thrown[0].name, "AlreadyRegisteredError");
        assert.equal(thrown[0].existing, first);
      }
      await holds(h, profile, [...new Set([first, second].filter(Boolean))]);
    }
  }));

test("listeners of every registry event may close, reconnect and send, in any order", () =>
  harness(async (h) => {
    const seen = [];
    let n = 0;
    const conns = [];
    await reacting((e) => {
      seen.push(e.type);
      if (!(e.value instanceof pr.Connection) || e.value.state === "closed") return;
      const k = n++ % 3;
      if (k === 0) e.value.send("from a listener");
      else if (k === 1) e.value.reconnect();
      else if (e.type === "unregister") e.value.close();
    }, async () => {
      for (let i = 0; i < 5; i++) {
        const c = h.connect("r7", { onDuplicate: "replace" });
        conns.push(c);
        await sleep(20);
      }
      await sleep(300); // (a listener may close the last one too: it closes on "unregister")
    });
    assert.ok(seen.includes("register") && seen.includes("unregister"), seen.join());
    await holds(h, "r7", conns);
  }));
