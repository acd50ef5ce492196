// Tests of the test server itself (server.mjs). Run: node --test tests/js/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import WebSocket from "ws";
import { startServer } from "./server.mjs";

let srv;
let staticRoot;
let outside;

before(async () => {
  // <tmp>/site is the static root, <tmp>/secret.txt must never be served.
  outside = fs.mkdtempSync(path.join(os.tmpdir(), "pr-static-"));
  staticRoot = path.join(outside, "site");
  fs.mkdirSync(path.join(staticRoot, "sub"), { recursive: true });
  fs.writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET");
  fs.writeFileSync(path.join(staticRoot, "index.html"), "<h1>root</h1>");
  fs.writeFileSync(path.join(staticRoot, "sub", "index.html"), "<h1>sub</h1>");
  fs.writeFileSync(path.join(staticRoot, "app.js"), "export const x = 1;");
  fs.writeFileSync(path.join(staticRoot, "app.mjs"), "export const y = 2;");
  fs.writeFileSync(path.join(staticRoot, "m.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  srv = await startServer({ staticDir: staticRoot });
});

after(async () => {
  await srv?.close();
  fs.rmSync(outside, { recursive: true, force: true });
});

// ---- helpers -------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `promise` does, rejects after `ms` (every wait is bounded). */
function within(ms, promise, what = "operation") {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(t));
}

async function control(pathAndQuery) {
  const r = await fetch(srv.httpUrl + "/control/" + pathAndQuery, { signal: AbortSignal.timeout(3000) });
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  return { status: r.status, body: await r.json() };
}

/** Opens a socket for `profile` (`extra` is appended to the query); resolves the open socket or rejects with the error. */
function connect(profile, extra = "") {
  const ws = new WebSocket(`${srv.url}/?profile=${encodeURIComponent(profile)}${extra}`);
  return within(
    3000,
    new Promise((resolve, reject) => {
      ws.once("open", () => resolve(ws));
      ws.once("unexpected-response", (_req, res) => {
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
        ws.terminate();
      });
      ws.once("error", reject);
    }),
    `connect ${profile}`,
  );
}

const nextMessage = (ws) =>
  within(2000, new Promise((r) => ws.once("message", (data, isBinary) => r({ data, isBinary }))), "message");
const closed = (ws) =>
  within(2000, new Promise((r) => ws.once("close", (code) => r(code))), "close");

/** Polls until `fn()` is truthy (server-side close events are asynchronous). */
async function eventually(fn, ms = 2000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(10);
  }
}

const uniq = (() => {
  let n = 0;
  const last = new Map();
  const uniq = (p) => {
    last.set(p, `${p}-${++n}`);
    return last.get(p);
  };
  uniq.last = (p) => last.get(p); // the name uniq(p) gave last
  return uniq;
})();

/** Raw HTTP GET that does not normalise the path (fetch would collapse "..") */
function rawGet(rawPath) {
  return within(
    2000,
    new Promise((resolve, reject) => {
      const s = net.connect(srv.port, "127.0.0.1", () =>
        s.write(`GET ${rawPath} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      );
      let buf = "";
      s.on("data", (d) => (buf += d));
      s.on("end", () => resolve({ status: Number(buf.split(" ")[1]), text: buf }));
      s.on("error", reject);
    }),
    "raw GET",
  );
}

// ---- tests -----------------------------------------------------------------

test("echoes text and binary unchanged", async () => {
  const ws = await connect(uniq("echo"));
  ws.send("hello ☃");
  const t = await nextMessage(ws);
  assert.equal(t.isBinary, false);
  assert.equal(t.data.toString("utf8"), "hello ☃");

  const bytes = Buffer.from([0, 1, 2, 254, 255]);
  ws.send(bytes);
  const b = await nextMessage(ws);
  assert.equal(b.isBinary, true);
  assert.deepEqual(Buffer.from(b.data), bytes);
  ws.close();
  await closed(ws);
});

test("__close:<code> closes with that code", async () => {
  const ws = await connect(uniq("closer"));
  const c = closed(ws);
  ws.send("__close:4321");
  assert.equal(await c, 4321);
});

test("counters: two sockets for one profile -> max 2, one per profile -> max 1", async () => {
  await control("reset");
  const a1 = await connect("alice");
  const a2 = await connect("alice");
  const b = await connect('["acme",7]'); // JSON-ish profiles are opaque strings
  a1.send("x");
  await nextMessage(a1);
  let s = (await control("stats")).body;
  assert.deepEqual(s.profiles.alice, { current: 2, max: 2, total: 2, messages: 1 });
  assert.deepEqual(s.profiles['["acme",7]'], { current: 1, max: 1, total: 1, messages: 0 });
  assert.equal(s.maxConcurrentPerProfile, 2);
  assert.equal(s.currentTotal, 3);

  a1.close();
  await closed(a1);
  await eventually(() => srv.stats().profiles.alice.current === 1);
  s = srv.stats();
  assert.equal(s.profiles.alice.max, 2, "max is a high-water mark");

  // Sequential sockets never overlap, so max stays 1.
  await control("reset");
  for (let i = 0; i < 3; i++) {
    const ws = await connect("bob");
    ws.close();
    await closed(ws);
    await eventually(() => srv.stats().profiles.bob.current === 0);
  }
  s = (await control("stats")).body;
  assert.deepEqual(s.profiles.bob, { current: 0, max: 1, total: 3, messages: 0 });
  // a2 and b are still open: reset keeps them counted as current.
  assert.equal(s.profiles.alice.current, 1);
  assert.equal(s.maxConcurrentPerProfile, 1);
  a2.close();
  b.close();
  await Promise.all([closed(a2), closed(b)]);
});

test("drop-all terminates every socket; a reconnect shows in totals", async () => {
  await control("reset");
  const p = uniq("dropall");
  const ws1 = await connect(p);
  const ws2 = await connect(uniq("dropall-other"));
  const c1 = closed(ws1);
  const c2 = closed(ws2);
  const r = await control("drop-all");
  assert.equal(r.body.dropped, 2);
  assert.equal(await c1, 1006, "abrupt close");
  await c2;
  await eventually(() => srv.stats().currentTotal === 0);

  const again = await connect(p);
  const s = srv.stats();
  assert.deepEqual(s.profiles[p], { current: 1, max: 1, total: 2, messages: 0 });
  again.close();
  await closed(again);
});

test("refuse answers 503 during the window and accepts after", async () => {
  await control("reset");
  const t0 = Date.now();
  const { body } = await control("refuse?ms=600");
  assert.equal(body.refuseMs, 600);
  await assert.rejects(connect(uniq("refused")), (e) => e.status === 503);
  assert.equal(srv.stats().currentTotal, 0);
  await sleep(t0 + 650 - Date.now());
  const ws = await connect(uniq("refused"));
  ws.close();
  await closed(ws);
});

test("delay slows each handshake until set back to 0", async () => {
  await control("delay?ms=300");
  let t0 = Date.now();
  const ws = await connect(uniq("delayed"));
  assert.ok(Date.now() - t0 >= 290, `handshake took ${Date.now() - t0} ms`);
  const c = closed(ws);
  ws.close();
  await c;
  await control("delay?ms=0");
  t0 = Date.now();
  const fast = await connect(uniq("delayed"));
  assert.ok(Date.now() - t0 < 290, `undelayed handshake took ${Date.now() - t0} ms`);
  fast.close();
  await closed(fast);
});

test("drop?profile=X closes only X's sockets with 4000; send pushes to X", async () => {
  const x = uniq("x");
  const y = uniq("y");
  const wx = await connect(x);
  const wy = await connect(y);

  const pushed = nextMessage(wy);
  assert.equal((await control(`send?profile=${encodeURIComponent(y)}&data=${encodeURIComponent("ping!")}`)).body.sent, 1);
  assert.equal((await pushed).data.toString(), "ping!");

  const cx = closed(wx);
  assert.equal((await control(`drop?profile=${encodeURIComponent(x)}`)).body.dropped, 1);
  assert.equal(await cx, 4000);
  // y is still alive and echoing
  wy.send("still here");
  assert.equal((await nextMessage(wy)).data.toString(), "still here");
  wy.close();
  await closed(wy);
});

test("an epoch in the url puts the socket through the fence, counted as fenced", async () => {
  await control("reset");
  const p = uniq("fenced");
  const plain = await connect(uniq("plain"));
  const a = await connect(p, "&epoch=10");
  const ca = closed(a);
  const b = await connect(p, "&epoch=11");
  assert.equal(await ca, 4409, "superseded");
  const stale = await connect(p, "&epoch=3");
  assert.equal(await closed(stale), 4409, "refused");
  await eventually(() => srv.stats().profiles[p].current === 1);
  let s = (await control("stats")).body;
  assert.deepEqual(s.profiles[p], { current: 1, max: 2, total: 3, messages: 0, fenced: { current: 1, max: 1 } });
  assert.equal(s.maxFencedPerProfile, 1);
  assert.equal(s.superseded, 1);
  assert.equal(s.refused, 1);
  assert.equal(Object.keys(s.profiles[uniq.last("plain")]).includes("fenced"), false, "an unfenced profile has no fenced counts");
  await control("reset");
  s = (await control("stats")).body;
  assert.deepEqual(s.profiles[p].fenced, { current: 1, max: 1 }, "reset keeps open fenced sockets counted");
  assert.equal(s.superseded + s.refused, 0);
  const cb = closed(b);
  b.close();
  assert.equal(await cb, 1005);
  await eventually(() => srv.stats().profiles[p].fenced.current === 0);
  plain.close();
  await closed(plain);
});

test("stall: X's sockets stop answering without closing; with ms they resume and answer", async () => {
  const x = uniq("stall");
  const y = uniq("awake");
  const wx = await connect(x);
  const wy = await connect(y);
  assert.equal((await control(`stall?profile=${x}`)).body.stalled, 1);
  let echoed = false;
  let ponged = false;
  wx.on("message", () => (echoed = true));
  wx.on("pong", () => (ponged = true));
  wx.send("anyone?");
  wx.ping();
  assert.equal((await control(`send?profile=${x}&data=push`)).body.sent, 0, "a stalled socket is not pushed to");
  wy.send("awake");
  assert.equal((await nextMessage(wy)).data.toString(), "awake", "other profiles still answer");
  await sleep(300);
  assert.equal(echoed, false, "no echo");
  assert.equal(ponged, false, "no pong");
  assert.equal(wx.readyState, WebSocket.OPEN, "not closed");
  assert.equal(srv.stats().profiles[x].current, 1, "still counted open");

  // A later stall with ms ends it after ms; what was sent meanwhile is answered.
  const t0 = Date.now();
  assert.equal((await control(`stall?profile=${x}&ms=200`)).body.stalled, 1);
  const echo = await within(2000, new Promise((r) => wx.once("message", r)), "echo after the stall");
  assert.ok(Date.now() - t0 >= 190, `answered after ${Date.now() - t0} ms`);
  assert.equal(echo.toString(), "anyone?");
  wx.send("again");
  assert.equal((await nextMessage(wx)).data.toString(), "again");
  wx.close();
  wy.close();
  await Promise.all([closed(wx), closed(wy)]);
  assert.equal((await control("stall")).status, 400, "profile required");
});

test("accept-close: for ms every new socket is accepted and closed cleanly at once", async () => {
  await control("reset");
  const p = uniq("accept-close");
  const before = await connect(p);
  const t0 = Date.now();
  assert.equal((await control("accept-close?ms=500")).body.acceptCloseMs, 500);
  const c1 = await connect(p, "&epoch=5");
  assert.equal(await closed(c1), 1000);
  const c2 = await connect(uniq("accept-close"));
  assert.equal(await closed(c2), 1000);
  assert.equal(before.readyState, WebSocket.OPEN, "sockets open before stay open");
  assert.equal(srv.stats().profiles[p].total, 2, "accepted: counted");
  assert.equal(srv.stats().profiles[p].fenced, undefined, "never fenced");
  await sleep(t0 + 550 - Date.now());
  const after = await connect(p);
  after.send("hi");
  assert.equal((await nextMessage(after)).data.toString(), "hi");
  before.close();
  after.close();
  await Promise.all([closed(before), closed(after)]);
});

test("close-after: X's sockets echo their next K messages, then close cleanly", async () => {
  const x = uniq("close-after");
  const wx = await connect(x);
  const other = await connect(uniq("close-after-other"));
  assert.equal((await control(`close-after?profile=${x}&n=3`)).body.armed, 1);
  const got = [];
  wx.on("message", (d) => got.push(d.toString()));
  const c = new Promise((r) => wx.once("close", (code, reason) => r({ code, reason: reason.toString() })));
  for (const m of ["1", "2", "3", "4", "5"]) wx.send(m);
  assert.deepEqual(await within(2000, c, "close"), { code: 1000, reason: "close-after" });
  assert.deepEqual(got, ["1", "2", "3"]);
  other.send("unaffected");
  assert.equal((await nextMessage(other)).data.toString(), "unaffected");
  const later = await connect(x);
  const echoes = [];
  later.on("message", (d) => echoes.push(d.toString()));
  for (let i = 0; i < 4; i++) later.send(String(i));
  await eventually(() => echoes.length === 4);
  assert.deepEqual(echoes, ["0", "1", "2", "3"], "a socket opened after is not armed");
  assert.equal(later.readyState, WebSocket.OPEN);
  for (const bad of [`close-after?profile=${x}`, `close-after?profile=${x}&n=0`, `close-after?profile=${x}&n=1.5`, "close-after?n=2"]) {
    assert.equal((await control(bad)).status, 400, bad);
  }
  later.close();
  other.close();
  await Promise.all([closed(later), closed(other)]);
});

test("serves static files with MIME types; refuses traversal", async () => {
  const get = (p) => fetch(srv.httpUrl + p, { signal: AbortSignal.timeout(2000) });
  let r = await get("/");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /^text\/html/);
  assert.equal(await r.text(), "<h1>root</h1>");
  r = await get("/sub/");
  assert.equal(await r.text(), "<h1>sub</h1>");
  r = await get("/sub");
  assert.equal(r.status, 200, "redirected to /sub/");
  assert.equal(await r.text(), "<h1>sub</h1>");
  r = await get("/app.js");
  assert.match(r.headers.get("content-type"), /^text\/javascript/);
  await r.arrayBuffer();
  r = await get("/app.mjs");
  assert.match(r.headers.get("content-type"), /^text\/javascript/);
  await r.arrayBuffer();
  r = await get("/m.wasm");
  assert.equal(r.headers.get("content-type"), "application/wasm");
  assert.ok(WebAssembly.validate(new Uint8Array(await r.arrayBuffer())));
  r = await get("/nope.txt");
  assert.equal(r.status, 404);
  await r.arrayBuffer();

  for (const p of ["/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/..%5csecret.txt"]) {
    const res = await rawGet(p);
    assert.ok(res.status === 403 || res.status === 400, `${p} -> ${res.status}`);
    assert.ok(!res.text.includes("TOP SECRET"), `${p} leaked`);
  }
});

test("close() leaves nothing running", async () => {
  const s2 = await startServer();
  const ws = new WebSocket(`${s2.url}/?profile=z`);
  await within(2000, new Promise((r) => ws.once("open", r)));
  const c = within(2000, new Promise((r) => ws.once("close", r)));
  await within(2000, s2.close(), "close");
  await c;
  await assert.rejects(fetch(s2.httpUrl + "/control/stats", { signal: AbortSignal.timeout(1000) }));
});
