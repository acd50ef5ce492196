// The runtime-neutral connection scenario (conn-scenario.mjs) in Node (with
// the `ws` package's WebSocket) and in the edge runtimes, each with their own
// global WebSocket, against a test server started here (one per test):
//   - Deno, through pkg/node.js and through pkg/index.js + `await init()`;
//   - workerd (Cloudflare Workers, via Miniflare), through pkg/index.js with
//     the .wasm as a CompiledWasm module and initSync; the worker gets the
//     server's URLs as text bindings and opens outbound `new WebSocket(url)`.
// Every run must pass the same number of checks as in Node, and the server
// must never see two sockets of one profile at once.
//
// Run: cd tests/js && node --test conn-edge.test.mjs   (needs pkg/ from scripts/build.sh)
import { test, before } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

import { packageModules, runInDeno, runInWorkerd, summary } from "./runtimes.mjs";
import { startServer } from "./server.mjs";
import { connScenario } from "./conn-scenario.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

const controlOf = (srv) => async (p) => {
  const res = await fetch(srv.httpUrl + p);
  if (!res.ok) throw new Error(`control ${p}: HTTP ${res.status}`);
  return res.json();
};

async function withServer(fn) {
  const srv = await startServer();
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

let nodeChecks;

before(async () => {
  const pr = await import("../../pkg/node.js");
  const { __connCount } = await import("../../pkg/index.js");
  await withServer(async (srv) => {
    ({ checks: nodeChecks } = await connScenario({ ...pr, __connCount }, { url: srv.url, control: controlOf(srv), WebSocket, prefix: "node-" }));
    assert.equal(srv.stats().maxConcurrentPerProfile, 1);
  });
  assert.equal(__connCount(), 0, "Node: every connection freed");
  assert.ok(nodeChecks > 40, `the scenario ran its checks (${nodeChecks})`);
});


for (const entry of ["node", "web"]) {
  test(`Deno: the connection scenario through pkg/${entry === "node" ? "node.js" : "index.js + init()"} with Deno's WebSocket`, async () => {
    await withServer(async (srv) => {
      const r = await runInDeno(path.join(here, "fixtures/conn-deno.mjs"), { args: [entry, srv.url, srv.httpUrl], timeoutMs: 60_000 });
      assert.equal(r.timedOut, false, `deno timed out:\n${r.stderr}`);
      const s = summary(r.stdout, r.stderr);
      assert.ok(s.ok, `scenario failed in ${s.runtime}: ${s.error}\n${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(s.checks, nodeChecks, "the same checks ran as in Node");
      assert.equal(s.connCount, 0, "every connection freed");
      assert.equal(srv.stats().maxConcurrentPerProfile, 1, "never two sockets of one profile");
    });
  });
}

async function workerdScenario(workerdOptions) {
  await withServer(async (srv) => {
    const r = await runInWorkerd({
      modulesRoot: root,
      modules: [
        { type: "ESModule", path: "tests/js/fixtures/conn-worker.mjs" },
        { type: "ESModule", path: "tests/js/conn-scenario.mjs" },
        ...packageModules(),
      ],
      bindings: { WS_URL: srv.url, CONTROL_URL: srv.httpUrl },
      requestPath: "/conn-scenario",
      timeoutMs: 60_000,
      ...workerdOptions,
    });
    const s = summary(r.text, `status ${r.status}`);
    assert.ok(s.ok, `scenario failed in workerd: ${s.error}`);
    assert.equal(r.status, 200);
    assert.equal(s.checks, nodeChecks, "the same checks ran as in Node");
    assert.equal(s.connCount, 0, "every connection freed");
    assert.equal(srv.stats().maxConcurrentPerProfile, 1, "never two sockets of one profile");
  });
}

// From compatibility date 2026-04-07 (flag web_socket_auto_reply_to_close)
// workerd answers a server's Close frame itself, as browsers do.
test("workerd: the connection scenario in a Worker (outbound new WebSocket, initSync with a CompiledWasm module; compatibility date 2026-04-07)", async () => {
  await workerdScenario({ compatibilityDate: "2026-04-07" });
});

// Before 2026-04-07 workerd does not answer a server's Close frame: the close
// event fires with readyState CLOSING and the TCP connection stays open until
// the app calls ws.close() (Cloudflare changelog 2026-04-07, "WebSockets now
// automatically reply to Close frames"). The library never does, so after a
// server-initiated close the server still holds the old socket (for ws's 30 s
// close timeout) while the reconnect opens the next one.
test(
  "workerd: the connection scenario with the default compatibility date (2026-04-01, no auto-reply to Close frames)",
  async () => {
    await workerdScenario({});
  },
);
