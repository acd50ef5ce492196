// Regression scripts under regressions/, each run in its own Node process
// (they take over the default registry): exit 0 means fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";

const dir = new URL("./regressions/", import.meta.url);
for (const file of readdirSync(dir).filter((f) => f.endsWith(".mjs"))) {
  test(`regression: ${file}`, { timeout: 30_000 }, async () => {
    const { code, out } = await new Promise((resolve) => {
      execFile(process.execPath, [new URL(file, dir).pathname], { timeout: 25_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? err.code ?? 1 : 0, out: stdout + stderr }),
      );
    });
    assert.equal(code, 0, out);
  });
}
