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

/** Opens a socket for `profile`; resolves the open socket or rejects with the error. */
function connect(profile) {
  const ws = new WebSocket(`${srv.url}/?profile=${encodeURIComponent(profile)}`);
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
  return (p) => `${p}-${++n}`;
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
