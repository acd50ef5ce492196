// Runs the whereis benchmark body (./whereis.mjs) in Node against the built
// package entry ../pkg/node.js (build it first: bash scripts/build.sh).
//   node bench/node.mjs            (from any cwd)
// Env: BENCH_ROUNDS (default 5), BENCH_MS (per measurement, default 300).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../pkg/node.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(`bench/node.mjs: ${fileURLToPath(entry)} is missing; run: bash scripts/build.sh`);
  process.exit(1);
}
const HARD_LIMIT_MS = 55_000;
const timer = setTimeout(() => {
  console.error(`bench/node.mjs: timed out after ${HARD_LIMIT_MS} ms`);
  process.exit(1);
}, HARD_LIMIT_MS);

const R = await import(entry.href);
const { runWhereisBench } = await import("./whereis.mjs");
try {
  await runWhereisBench(R, {
    runtime: `node ${process.version} (V8 ${process.versions.v8})`,
    log: (line) => console.log(line),
    rounds: Number(process.env.BENCH_ROUNDS ?? 5),
    targetMs: Number(process.env.BENCH_MS ?? 300),
  });
} catch (e) {
  console.error("bench/node.mjs: FAILED:", e?.stack ?? e);
  process.exit(1);
} finally {
  clearTimeout(timer);
}
