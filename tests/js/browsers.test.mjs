// The runtime-neutral scenarios (scenario.mjs: the registry API;
// conn-scenario.mjs: connections against the test server) in real headless
// browsers, Chromium and Firefox ESR, through the browser entry
// (pkg/index.js + `await init()`) and each browser's own WebSocket:
//   cd tests/js && node --test browsers.test.mjs   (build first: bash scripts/build.sh)
//
// Per browser: a test server of its own on 127.0.0.1 (server.mjs: the repo
// root's static files, the WebSocket echo server and its control API, one
// free port), a fresh browser with a temporary profile, one page
// (fixtures/browser-scenario.html) that runs both scenarios and reports
// { ok, checks, connChecks, connCount } or the failure message. Each run must
// pass the same number of checks as in Node (counted in `before`), free
// every connection, never show the server two sockets of one profile, and
// log no console error or page error; requests off the local server are
// aborted (and fail the test). A missing browser fails with how to install
// it. Every wait is bounded; the file takes a few seconds per browser, and
// the servers and browsers are closed whatever happens.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";

import { startServer } from "./server.mjs";
import { scenario } from "./scenario.mjs";
import { connScenario } from "./conn-scenario.mjs";
import { bounded, checkBuilt, control, inBrowser, launch, launchFirefox, waitFor } from "./e2e/harness.mjs";

const PAGE = "/tests/js/fixtures/browser-scenario.html";
const BROWSERS = [
  { name: "Chromium", tag: "chromium", start: launch },
  { name: "Firefox ESR", tag: "firefox", start: launchFirefox },
];

let nodeChecks;
let nodeConnChecks;

// The reference counts: both scenarios in Node, in the page's order (the
// registry scenario, then the connections), with the `ws` package's WebSocket.
before(async () => {
  checkBuilt();
  const pr = await import("../../pkg/node.js");
  const { __connCount } = await import("../../pkg/index.js");
  ({ checks: nodeChecks } = await scenario(pr));
  const srv = await startServer();
  try {
    ({ checks: nodeConnChecks } = await connScenario({ ...pr, __connCount }, {
      url: srv.url, control: (p) => control(srv.httpUrl, p.replace(/^\/control\//, "")), WebSocket, prefix: "node-",
    }));
  } finally {
    await bounded(srv.close(), 3_000, "closing the Node run's server");
  }
  assert.ok(nodeChecks > 500, `the registry scenario ran its checks in Node (${nodeChecks})`);
  assert.ok(nodeConnChecks > 40, `the connection scenario ran its checks in Node (${nodeConnChecks})`);
});

for (const { name, tag, start } of BROWSERS) {
  test(`${name}: the registry and connection scenarios in a page (pkg/index.js + init(), the browser's WebSocket)`, { timeout: 45_000 }, async () => {
    await inBrowser(start, name, async ({ server, context }) => {
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}${PAGE}?prefix=${tag}-`, { waitUntil: "load", timeout: 10_000 });
      let result;
      try {
        result = await waitFor(page, "the scenarios' result", () => window.__result, undefined, { timeout: 30_000 });
      } catch (e) {
        const progress = await page.evaluate(() => window.__progress).catch(() => undefined);
        e.message += `\nlast scenario sections: ${JSON.stringify(progress?.slice(-3))}`;
        throw e;
      }
      const where = `in ${name} (${result.userAgent})`;
      assert.ok(result.ok, `scenario failed ${where}: ${result.error}`);
      assert.equal(result.checks, nodeChecks, `the registry scenario ran the same checks as in Node ${where}`);
      assert.equal(result.connChecks, nodeConnChecks, `the connection scenario ran the same checks as in Node ${where}`);
      assert.ok(result.connCount === 0 || result.connCount === undefined, `every connection freed ${where} (__connCount: ${result.connCount})`);
      assert.equal(server.stats().maxConcurrentPerProfile, 1, `never two sockets of one profile at the server ${where}`);
      assert.deepEqual(context.diagnostics.errors, [], `no console errors or page errors ${where}`);
      assert.deepEqual(context.diagnostics.blocked, [], `no request off the local server ${where}`);
    });
  });
}
