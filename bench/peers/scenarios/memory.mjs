// Scenario 5: memory. Each library in its own process (memory-client.mjs):
//   - bytes per open connection: JS heap (after full GCs) plus wasm memory
//     grown, over `n` profiles opened at once, divided by `n` (after 20
//     clients opened and closed, so the library's one-time costs, such as
//     its code compiled on first use, are not counted per connection);
//   - heap growth over `cycles` reconnect cycles: `churnN` profiles on a
//     fixed 10 ms reconnect policy while the server destroys each new socket
//     30 ms after accepting it, `cycles` times in all; the heap (and wasm
//     memory) after the last reconnect minus before the first drop.
//
//   const table = await memory(srv, names, { n: 1000, cycles: 2000 });
import { fork } from "node:child_process";
import { until } from "../control.mjs";
import { byLibrary } from "../table.mjs";

function next(child) {
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`memory client exited with ${code}`));
    child.once("exit", onExit);
    child.once("message", (m) => { child.off("exit", onExit); resolve(m); });
  });
}

async function once(srv, name, { n, churnN, cycles }) {
  await until(async () => (await srv.call("stats")).current === 0, { timeoutMs: 10_000 });
  await srv.call("reset");
  const child = fork(new URL("./memory-client.mjs", import.meta.url), [name, srv.wsUrl, srv.sioUrl, String(n), String(churnN)], {
    execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const { perConnection, wasmBytes } = await next(child);
    // The server's own count of the profiles open while the client measured (all n, unless a client is wrong).
    const atServer = (await until(async () => {
      const { openProfiles } = await srv.call("stats");
      return openProfiles >= n && openProfiles;
    }, { timeoutMs: 3000 })) ?? (await srv.call("stats")).openProfiles;
    child.send({ counted: true });
    await next(child); // churnReady
    await srv.call("churn", { afterMs: 30, cycles });
    if (!(await until(async () => (await srv.call("stats")).churned >= cycles, { timeoutMs: 120_000, everyMs: 100 }))) {
      throw new Error(`memory: ${name} did not go through ${cycles} reconnect cycles`);
    }
    child.send({ measure: true });
    const { growth, wasmGrowth } = await next(child);
    return { perConnection, wasmBytes, atServer, growth, wasmGrowth };
  } finally {
    await new Promise((r) => { if (child.exitCode !== null) r(); else { child.once("exit", r); setTimeout(() => child.kill(), 5000).unref(); } });
  }
}

/** Runs the memory scenario for each library; returns the Markdown table. */
export async function memory(srv, names, { n = 1000, churnN = 20, cycles = 2000, log = () => {} } = {}) {
  const results = {};
  for (const name of names) {
    results[name] = await once(srv, name, { n, churnN, cycles });
    log(`  memory ${name}: ${JSON.stringify(results[name])}`);
  }
  return byLibrary(names, results, [
    [`bytes per open connection (JS heap + wasm), ${n.toLocaleString("en-US")} profiles`, (r) => r.perConnection],
    ["…of which wasm memory (bytes per connection)", (r) => r.wasmBytes / n],
    ["profiles the server had open while the client was measured", (r) => r.atServer],
    [`heap growth over ${cycles.toLocaleString("en-US")} reconnect cycles (${churnN} profiles), bytes`, (r) => r.growth + r.wasmGrowth],
  ]);
}
