// profile-registry/cloudflare in workerd: one Miniflare (two would not share
// objects) with the Durable Object host (fixtures/cloudflare-host.mjs, the
// package's ProfileConnections with drill routes) and five front Workers
// (fixtures/cloudflare-front.mjs), each in its own isolate, against the local
// ws server with its fence. Socket counts are the server's own.
//
// Run: cd tests/js && node --test cloudflare.test.mjs   (needs pkg/ from scripts/build.sh)
// The hibernation test waits ~15 s for workerd to hibernate an idle object:
// it runs in CI (CI=true) or with CF_SLOW=1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

import { startServer } from "./server.mjs";
import { packageModules } from "./runtimes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FRONTS = ["front0", "front1", "front2", "front3", "front4"];
const heard = []; // [profile, text] of every text message the server read
let srv, mf, persist;

const modules = (entry) => [{ type: "ESModule", path: path.join(root, entry) }, ...packageModules().map((m) => ({ ...m, path: path.join(root, m.path) }))];

function options() {
  const common = { modulesRoot: root, compatibilityDate: "2026-04-01" };
  const binding = { className: "TestConnections", useSQLite: true };
  return {
    durableObjectsPersist: persist,
    workers: [
      { name: "host", ...common, modules: modules("tests/js/fixtures/cloudflare-host.mjs"), durableObjects: { PROFILES: binding } },
      ...FRONTS.map((name) => ({
        name, ...common, modules: modules("tests/js/fixtures/cloudflare-front.mjs"),
        bindings: { CHAT_URL: srv.url, NAME: name }, durableObjects: { PROFILES: { ...binding, scriptName: "host" } },
      })),
    ],
  };
}

async function call(front, route, status = 200) {
  const res = await (await mf.getWorker(front)).fetch(`http://front${route}`);
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = (profile) => srv.stats().profiles[profile];

/** Resolves with the ms until `f()` is truthy; throws after `ms`. */
async function until(f, ms, what) {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(5);
  }
  return Date.now() - t0;
}

before(async () => {
  srv = await startServer({ onMessage: (profile, text) => heard.push([profile, text]) });
  persist = fs.mkdtempSync(path.join(os.tmpdir(), "profile-registry-cf-"));
  mf = new Miniflare(options());
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await srv?.close();
  fs.rmSync(persist, { recursive: true, force: true });
});

test("5 isolates x 10 concurrent requests: one upstream socket, every send arrives, in order per sender", async () => {
  const results = await Promise.all(FRONTS.flatMap((f) => Array.from({ length: 10 }, () => call(f, "/send?profile=many&n=5"))));
  assert.ok(results.every((r) => r.sent === 5 && r.found), "whereis finds the DurableConnection connect gave");
  await until(() => heard.filter(([p]) => p === "many").length >= 250, 3000, "250 sends at the server");
  const s = stats("many");
  assert.deepEqual([s.max, s.total, s.fenced.max], [1, 1, 1], JSON.stringify(s));
  const texts = heard.filter(([p]) => p === "many").map(([, t]) => t);
  assert.equal(texts.length, 250);
  for (const f of FRONTS) {
    const seqs = texts.filter((t) => t.startsWith(`${f}:`)).map((t) => Number(t.split(":")[1]));
    assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i + 1), `${f}'s sends in the order it made them`);
  }
});

test("attached clients get every upstream message; request() awaits its reply, or ReplyTimeoutError", async () => {
  const clients = [], clientSockets = [];
  for (const f of FRONTS.slice(0, 3)) {
    const res = await (await mf.getWorker(f)).fetch("http://front/attach?profile=push", { headers: { Upgrade: "websocket" } });
    assert.equal(res.status, 101);
    const ws = res.webSocket;
    const got = [];
    ws.addEventListener("message", (e) => got.push(e.data));
    ws.accept();
    clients.push(got);
    clientSockets.push(ws);
  }
  await until(() => stats("push")?.current === 1, 2000, "the object's upstream socket");
  for (const d of ["a", "b", "c"]) await fetch(`${srv.httpUrl}/control/send?profile=push&data=${d}`);
  await until(() => clients.every((got) => got.length === 3), 2000, "three pushes at every client");
  assert.deepEqual(clients, [["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]]);
  assert.deepEqual(await call("front3", "/request?profile=push&data=ping"), { reply: "ping" });
  assert.deepEqual(await call("front3", "/request?profile=push&data=xbin&binary=1"), { binary: true, reply: "bin" });
  // A client's own message goes upstream (the echo comes back to every client).
  clientSockets[0].send("from-client");
  await until(() => clients.every((got) => got.includes("from-client")), 2000, "the client's message upstream and its echo at every client");
  // A stalled upstream answers nothing: the request times out, typed.
  await fetch(`${srv.httpUrl}/control/stall?profile=push&ms=600`);
  const late = await call("front4", "/request?profile=push&data=late&timeoutMs=200", 500);
  assert.equal(late.error?.name, "ReplyTimeoutError", JSON.stringify(late));
  assert.equal(stats("push").max, 1);
});

test("the object orders one sender's sends: a later seq waits for the earlier one, a gap is given up on after 500 ms", async () => {
  const r = await call("front0", "/reorder?profile=order");
  await until(() => heard.filter(([p]) => p === "order").length >= 3, 2000, "three sends");
  assert.deepEqual(heard.filter(([p]) => p === "order").map(([, t]) => t), ["first", "second", "fifth"]);
  assert.ok(r.ms2 >= 100, `seq 2 was taken only after seq 1 came (${r.ms2} ms)`);
  assert.ok(r.gapMs >= 450 && r.gapMs < 2000, `seq 5 waited for 3 and 4, then went (${r.gapMs} ms)`);
});

test("bad input: a url function, a WebSocket option, a bad url or timeoutMs, a namespace that throws: InvalidConfigError; bad data: InvalidDataError", async () => {
  const r = await call("front0", "/bad");
  assert.equal(r.url?.name, "InvalidConfigError");
  assert.match(r.url.message, /url of a durableObjects connection must be a string/);
  assert.equal(r.WebSocket?.name, "InvalidConfigError");
  assert.equal(r.timeoutMs?.name, "InvalidConfigError");
  assert.equal(r.data?.name, "InvalidDataError");
  assert.equal(r.namespace?.name, "InvalidConfigError");
  assert.equal(r.badUrl?.name, "InvalidConfigError", JSON.stringify(r.badUrl));
});

test("sends stored while the upstream is unreachable are bounded by queue.maxMessages, and close() counts them", async () => {
  const r = await call("front1", "/full?profile=full");
  assert.deepEqual(r.sends.slice(0, 2), [null, null]);
  assert.equal(r.sends[2]?.name, "QueueFullError", JSON.stringify(r));
  assert.equal(r.info.queued, 2);
  assert.deepEqual(r.closed, { rejected: 2 });
});

test("the plain-Worker trap: a Connection used from a later request throws CrossRequestError and closes", async () => {
  const one = await call("front1", "/trap?profile=plain&step=1");
  assert.deepEqual(one, { echoed: "one", state: "open" });
  const two = await call("front1", "/trap?profile=plain&step=2");
  assert.equal(two.before, "open");
  assert.equal(two.threw?.name, "CrossRequestError", JSON.stringify(two));
  assert.match(two.threw.message, /^"plain"'s socket is an ended request's; in a Worker use a Durable Object: profile-registry\/cloudflare$/);
  assert.equal(two.after, "closed");
  assert.deepEqual(await call("front1", "/trap?profile=plain&step=2"), { found: false }, "closed, it is no longer registered");
});

/** The drill profile's epoch once its socket is back after `reset()`, and the ms that took from the reset's start (at the server). */
async function drill(reset) {
  const total = stats("drill").total;
  const t0 = Date.now();
  await reset();
  await until(() => stats("drill").total > total && stats("drill").current === 1, 3000, "the socket back");
  const ms = Date.now() - t0;
  const info = await call("front2", "/info?profile=drill");
  assert.equal(info.state, "open");
  return { ms, epoch: info.socketEpoch };
}

test("10 x ctx.abort() and a workerd restart: the socket is back within 1 s, epochs increase, the fence never admits two", async () => {
  await call("front2", "/send?profile=drill&n=1");
  await until(() => stats("drill")?.current === 1, 2000, "the drill socket");
  let last = (await call("front2", "/info?profile=drill")).socketEpoch;
  const times = [];
  for (let i = 0; i < 10; i++) {
    const { ms, epoch } = await drill(() => call("front2", "/raw?profile=drill&path=/debug/abort"));
    assert.ok(epoch > last, `epoch ${epoch} > ${last}`);
    last = epoch;
    times.push(ms);
  }
  // workerd stopped (its sockets with it) and started again on the same storage.
  const restart = await drill(async () => {
    await mf.dispose();
    mf = new Miniflare(options());
    await mf.ready;
  });
  assert.ok(restart.epoch > last, `after the restart ${restart.epoch} > ${last}`);
  console.log(`cloudflare: ctx.abort() -> back in ${times.join(", ")} ms; workerd restart -> ${restart.ms} ms`);
  for (const ms of [...times, restart.ms]) assert.ok(ms < 1000, `back in ${ms} ms`);
  const s = stats("drill");
  assert.equal(s.fenced.max, 1, JSON.stringify(s));
  assert.equal(s.max, 1, JSON.stringify(s));
});

test("a send stored while the upstream is down survives ctx.abort()", async () => {
  await call("front0", "/send?profile=kept&n=1");
  await until(() => stats("kept")?.current === 1, 2000, "the socket");
  await fetch(`${srv.httpUrl}/control/refuse?ms=800`);
  await fetch(`${srv.httpUrl}/control/drop?profile=kept`);
  await until(() => stats("kept").current === 0, 2000, "the drop");
  await call("front0", "/send?profile=kept&n=1"); // stored: the socket is down
  const info = await call("front0", "/info?profile=kept");
  assert.equal(info.queued, 1, JSON.stringify(info));
  await call("front0", "/raw?profile=kept&path=/debug/abort");
  await until(() => heard.filter(([p]) => p === "kept").length === 2, 3000, "the stored send after the reset");
  assert.equal(stats("kept").max, 1);
});

test("a replaced instance (a higher epoch in storage) closes its socket on its next upstream message", async () => {
  await call("front3", "/send?profile=stale&n=1");
  await until(() => stats("stale")?.current === 1, 2000, "the socket");
  const { epoch: bumped } = await call("front3", "/raw?profile=stale&path=/debug/supersede");
  await fetch(`${srv.httpUrl}/control/send?profile=stale&data=poke`);
  await until(() => stats("stale").total === 2 && stats("stale").current === 1, 2000, "the old socket closed and a new one opened");
  const info = await call("front3", "/info?profile=stale");
  assert.ok(info.socketEpoch > bumped, `the new socket's epoch ${info.socketEpoch} is above the stored ${bumped}`);
  assert.equal(stats("stale").max, 1);
});

const slow = !(process.env.CI || process.env.CF_SLOW) && "waits ~15 s for hibernation: runs with CI=true or CF_SLOW=1";
test("a client attached before the object hibernated gets upstream messages after it wakes", { skip: slow, timeout: 60_000 }, async () => {
  const res = await (await mf.getWorker("front4")).fetch("http://front/attach?profile=hib", { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  const got = [];
  ws.addEventListener("message", (e) => got.push(e.data));
  ws.accept();
  await until(() => stats("hib")?.current === 1, 2000, "the socket");
  await call("front4", "/close?profile=hib"); // no upstream socket, no alarm: the object may hibernate
  await until(() => stats("hib").current === 0, 2000, "the close");
  const made = (await call("front4", "/raw?profile=hib&path=/debug/made")).made;
  await sleep(15_000);
  const woke = (await call("front4", "/raw?profile=hib&path=/debug/made")).made;
  assert.ok(woke > made, `the object was constructed again (hibernated): ${made} -> ${woke}`);
  assert.deepEqual(await call("front4", "/request?profile=hib&data=after"), { reply: "after" });
  await until(() => got.includes("after"), 2000, "the reply at the client attached before hibernation");
  ws.close();
});
