// Every JavaScript code block of README.md runs, as written, against the
// built package and the local test server: the import of "profile-registry"
// is pointed at pkg/node.js (what the package's "exports" give Node), that of
// "profile-registry/server" at pkg/server.js, that of "ws" at the tests' copy
// (the block is written to a temporary directory), example URLs at the server,
// and Node 20 is given a global WebSocket (the `ws` package), as a browser has
// one. What a block prints is checked where it says what (a `console.log`
// line followed by a `// output` comment).
//
// Run: cd tests/js && node --test readme.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { format } from "node:util";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import WebSocket from "ws";
import ts from "typescript";

import { startServer } from "./server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const tsBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
// Run: every ```js block, and every ```ts block that is a script (not a Worker
// module, `export default`, nor one that imports the .wasm or, browser-only,
// profile-registry/weblocks: tests/js/weblocks.test.mjs runs that), its types erased.
const runnable = (code) => !/^export default|\.wasm"|"profile-registry\/weblocks"/m.test(code);
const blocks = [
  ...[...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]),
  ...tsBlocks.filter(runnable).map((code) => ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText),
];
const fileHref = (rel) => JSON.stringify(pathToFileURL(path.join(root, rel)).href);

test("README.md has JavaScript examples", () => assert.ok(blocks.length >= 1));

// A Vite `vanilla-ts` project's compiler options (its tsconfig.json, without
// `types: ["vite/client"]`), strict; each ```ts block is a file of its `src/`,
// with the package in its node_modules as npm installs it (a link to pkg/).
const VANILLA_TS = {
  target: "ES2022", useDefineForClassFields: true, module: "ESNext", lib: ["ES2022", "DOM", "DOM.Iterable"], types: [],
  skipLibCheck: true, moduleResolution: "bundler", allowImportingTsExtensions: true, verbatimModuleSyntax: true,
  moduleDetection: "force", noEmit: true, strict: true, noUnusedLocals: true, noUnusedParameters: true,
  erasableSyntaxOnly: true, noFallthroughCasesInSwitch: true, noUncheckedSideEffectImports: true,
};

test("README.md's TypeScript blocks type-check under tsc --strict (a Vite vanilla-ts project)", { timeout: 120_000 }, () => {
  assert.ok(tsBlocks.length >= 3, "the quickstart, the Worker and initSync blocks");
  assert.ok(tsBlocks.some((b) => b.includes("connection(undefined, [\"acme\", 7])?.send")), "the quickstart is a ```ts block");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-ts-"));
  try {
    fs.mkdirSync(path.join(dir, "src"));
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(path.join(root, "pkg"), path.join(dir, "node_modules/profile-registry"), "dir");
    for (const [i, code] of tsBlocks.entries()) fs.writeFileSync(path.join(dir, `src/block-${i + 1}.ts`), code);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: VANILLA_TS, include: ["src"] }));
    const tsc = path.join(path.dirname(fileURLToPath(import.meta.resolve("typescript"))), "../bin/tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8", timeout: 110_000 });
    assert.equal(r.status, 0, `tsc --strict:\n${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const [i, code] of blocks.entries()) {
  test(`README.md's code block #${i + 1} runs`, async () => {
    const srv = await startServer();
    const logged = [];
    const log = console.log;
    globalThis.WebSocket ??= WebSocket;
    console.log = (...args) => logged.push(format(...args));
    const file = path.join(os.tmpdir(), `readme-block-${process.pid}-${i}.mjs`);
    try {
      const source = code
        .replaceAll('from "profile-registry"', `from ${fileHref("pkg/node.js")}`)
        .replaceAll('from "profile-registry/server"', `from ${fileHref("pkg/server.js")}`)
        .replaceAll('from "ws"', `from ${JSON.stringify(import.meta.resolve("ws"))}`)
        .replace(/wss:\/\/[a-z.]+\/[a-z]*(\?)?/g, (_, q) => `${srv.url}?profile=readme${q ? "&" : ""}`);
      fs.writeFileSync(file, source);
      await import(pathToFileURL(file).href);
      // The quickstart's two sends come back from the echo server.
      const sent = [...code.matchAll(/send\("([^"]*)"\)/g)].map((m) => m[1]);
      for (let t = 0; t < 100 && !sent.every((s) => logged.includes(s)); t++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(sent.filter((s) => !logged.includes(s)), [], `echoed: ${JSON.stringify(logged)}`);
      // A `console.log(...)` line followed by a `// output` comment printed that output.
      const printed = [...code.matchAll(/console\.log\(.*\);\n\/\/ (.+)\n/g)].map((m) => m[1]);
      assert.deepEqual(printed.filter((p) => !logged.includes(p)), [], `printed: ${JSON.stringify(logged)}`);
      // A block that talks to the test server never held two sockets of a profile there.
      if (/wss:\/\//.test(code)) assert.equal(srv.stats().maxConcurrentPerProfile, 1);
    } finally {
      console.log = log;
      fs.rmSync(file, { force: true });
      const pr = await import(pathToFileURL(path.join(root, "pkg/node.js")).href);
      for (const name of pr.registries()) pr.stop(name);
      await srv.close();
    }
  });
}
