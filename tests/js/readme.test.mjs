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
import { fileURLToPath, pathToFileURL } from "node:url";
import WebSocket from "ws";

import { startServer } from "./server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const fileHref = (rel) => JSON.stringify(pathToFileURL(path.join(root, rel)).href);

test("README.md has JavaScript examples", () => assert.ok(blocks.length >= 1));

for (const [i, code] of blocks.entries()) {
  test(`README.md's JavaScript block #${i + 1} runs`, async () => {
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
