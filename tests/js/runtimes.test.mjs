// Self-test of runtimes.mjs: Deno and workerd can reach the test server on
// 127.0.0.1, and workerd can load a .wasm module. Run: node --test tests/js/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "./server.mjs";
import { runInDeno, runInWorkerd } from "./runtimes.mjs";

let srv;
let tmp;

before(async () => {
  srv = await startServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pr-runtimes-"));
});

after(async () => {
  await srv?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// A minimal wasm module: (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
const ADD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32, i32) -> i32
  0x03, 0x02, 0x01, 0x00, // function section: func 0 has type 0
  0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export section: "add" = func 0
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code: local.get 0, local.get 1, i32.add, end
]);

test("the hand-written add.wasm is valid (sanity check in Node)", () => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(ADD_WASM));
  assert.equal(inst.exports.add(2, 40), 42);
});

test("Deno connects to the test server and gets the echo", async () => {
  const script = path.join(tmp, "deno-echo.mjs");
  fs.writeFileSync(
    script,
    `
    const url = Deno.env.get("WS_TEST_URL") + "/?profile=" + encodeURIComponent("deno-1");
    const guard = setTimeout(() => { console.error("deno: timeout"); Deno.exit(2); }, 5000);
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send("hello from deno");
    ws.onerror = (e) => { console.error("deno: ws error", e.message); Deno.exit(3); };
    ws.onmessage = (e) => {
      console.log("echo:" + e.data);
      clearTimeout(guard);
      ws.onclose = () => Deno.exit(0);
      ws.close(1000);
    };
    `,
  );
  const r = await runInDeno(script, { env: { WS_TEST_URL: srv.url }, timeoutMs: 15_000 });
  assert.equal(r.code, 0, `deno failed:\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.stdout.trim(), "echo:hello from deno");
  const p = srv.stats().profiles["deno-1"];
  assert.equal(p.total, 1);
  assert.equal(p.messages, 1);
});

test("runInDeno reports a non-zero exit and kills on timeout", async () => {
  const failing = path.join(tmp, "deno-fail.mjs");
  fs.writeFileSync(failing, `console.error("boom"); Deno.exit(7);`);
  const r = await runInDeno(failing, { timeoutMs: 15_000 });
  assert.equal(r.code, 7);
  assert.match(r.stderr, /boom/);

  const hanging = path.join(tmp, "deno-hang.mjs");
  fs.writeFileSync(hanging, `setInterval(() => {}, 1000);`);
  const h = await runInDeno(hanging, { timeoutMs: 1500 });
  assert.equal(h.timedOut, true);
  assert.equal(h.code, null);
});

// A worker that talks to the test server through both outbound-WebSocket APIs
// of workerd and reports what it got back.
const ECHO_WORKER = `
export default {
  async fetch(request, env) {
    const mode = new URL(request.url).searchParams.get("mode");
    const guard = (ms) => new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), ms));
    try {
      if (mode === "constructor") {
        // 1. standard WebSocket constructor, ws:// URL, open/message events
        const ws = new WebSocket(env.WS_URL + "/?profile=workerd-ctor");
        ws.binaryType = "arraybuffer";
        const text = await Promise.race([guard(5000), new Promise((res, rej) => {
          ws.addEventListener("open", () => ws.send("hello from workerd"));
          ws.addEventListener("message", (e) => res(e.data));
          ws.addEventListener("error", () => rej(new Error("ws error")));
        })]);
        const bin = await Promise.race([guard(5000), new Promise((res) => {
          ws.addEventListener("message", (e) => res(new Uint8Array(e.data)), { once: true });
          ws.send(new Uint8Array([1, 2, 3]));
        })]);
        ws.close(1000);
        return Response.json({ text, bin: [...bin] });
      }
      if (mode === "fetch") {
        // 2. fetch upgrade, http:// URL, accept(), no open event
        const resp = await fetch(env.HTTP_URL + "/?profile=workerd-fetch", { headers: { Upgrade: "websocket" } });
        const ws = resp.webSocket;
        if (!ws) return new Response("no webSocket, status " + resp.status, { status: 502 });
        ws.accept();
        const got = new Promise((res) => ws.addEventListener("message", (e) => res(e.data)));
        ws.send("hello via fetch");
        const text = await Promise.race([guard(5000), got]);
        ws.close(1000);
        return Response.json({ text });
      }
      return new Response("unknown mode", { status: 400 });
    } catch (e) {
      return new Response(String(e && e.stack || e), { status: 500 });
    }
  },
};
`;

for (const mode of ["constructor", "fetch"]) {
  test(`workerd worker opens an outbound WebSocket (${mode}) and returns the echo`, async () => {
    const r = await runInWorkerd({
      modules: [{ type: "ESModule", path: "echo-worker.mjs", contents: ECHO_WORKER }],
      bindings: { WS_URL: srv.url, HTTP_URL: srv.httpUrl },
      requestPath: `/?mode=${mode}`,
      timeoutMs: 20_000,
    });
    assert.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text);
    if (mode === "constructor") {
      assert.deepEqual(body, { text: "hello from workerd", bin: [1, 2, 3] });
    } else {
      assert.deepEqual(body, { text: "hello via fetch" });
    }
    const profile = mode === "constructor" ? "workerd-ctor" : "workerd-fetch";
    assert.equal(srv.stats().profiles[profile].total, 1);
  });
}

test("workerd worker imports a .wasm file as a CompiledWasm module", async () => {
  const worker = `
    import addModule from "./wasm/add.wasm";
    export default {
      async fetch() {
        const inst = new WebAssembly.Instance(addModule);
        const viaPromise = await WebAssembly.instantiate(addModule); // Module in -> Instance out
        let fromBytes;
        try {
          await WebAssembly.compile(new Uint8Array(${JSON.stringify([...ADD_WASM])}));
          fromBytes = "allowed";
        } catch (e) {
          fromBytes = "refused";
        }
        return Response.json({
          isModule: addModule instanceof WebAssembly.Module,
          sum: inst.exports.add(2, 40),
          sum2: viaPromise.exports.add(1, 2),
          fromBytes,
        });
      },
    };
  `;
  const r = await runInWorkerd({
    modules: [
      { type: "ESModule", path: "wasm-worker.mjs", contents: worker },
      { type: "CompiledWasm", path: "wasm/add.wasm", contents: ADD_WASM },
    ],
    timeoutMs: 20_000,
  });
  assert.equal(r.status, 200, r.text);
  // workerd refuses compiling wasm from bytes at run time: that's why the
  // CompiledWasm module rule is the way to ship the library's .wasm there.
  assert.deepEqual(JSON.parse(r.text), { isModule: true, sum: 42, sum2: 3, fromBytes: "refused" });
});
