// The runtime-neutral scenario (scenario.mjs) in the edge runtimes the
// package supports, with the same number of checks as in Node:
//   - Deno, through the package's "deno" export (pkg/node.js) and through the
//     browser entry (pkg/index.js + `await init()` fetching the .wasm);
//   - workerd (Cloudflare Workers, via Miniflare), through pkg/index.js with
//     the .wasm imported as a CompiledWasm module and passed to initSync.
//
// Run: cd tests/js && node --test edge.test.mjs   (needs pkg/ from scripts/build.sh)
import { test, before } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { packageModules, runInDeno, runInWorkerd, summary } from "./runtimes.mjs";
import { scenario } from "./scenario.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

let nodeChecks;

before(async () => {
  const pr = await import("../../pkg/node.js");
  ({ checks: nodeChecks } = await scenario(pr));
  assert.ok(nodeChecks > 500);
});


for (const entry of ["node", "web"]) {
  test(`Deno: the scenario through pkg/${entry === "node" ? "node.js" : "index.js + init()"}`, async () => {
    const r = await runInDeno(path.join(here, "fixtures/deno-scenario.mjs"), { args: [entry], timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, `deno timed out:\n${r.stderr}`);
    const s = summary(r.stdout, r.stderr);
    assert.ok(s.ok, `scenario failed in ${s.runtime}: ${s.error}\n${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.checks, nodeChecks, "the same checks ran as in Node");
  });
}

test("workerd: the scenario in a Worker (initSync with a CompiledWasm module)", async () => {
  const r = await runInWorkerd({
    modulesRoot: root,
    modules: [
      { type: "ESModule", path: "tests/js/fixtures/worker-scenario.mjs" },
      { type: "ESModule", path: "tests/js/scenario.mjs" },
      ...packageModules(),
    ],
    requestPath: "/scenario",
    timeoutMs: 60_000,
  });
  const s = summary(r.text, `status ${r.status}`);
  assert.ok(s.ok, `scenario failed in workerd: ${s.error}`);
  assert.equal(r.status, 200);
  assert.equal(s.checks, nodeChecks, "the same checks ran as in Node");
});
