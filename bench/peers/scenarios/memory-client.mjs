// One library's clients in a process of their own (forked by memory.mjs with
// --expose-gc), so each library's heap is measured from the same start.
//   argv: <library name> <ws url> <socket.io url> <profiles> <churn profiles>
// Over IPC it sends { perConnection, wasmBytes }, waits for { counted: true },
// sends { churnReady } and, once told { measure: true } (after the server's
// churn), { growth, wasmGrowth }.
import WebSocket from "ws";
import * as R from "../../../pkg/node.js";
import { until, sleep } from "../control.mjs";
import { libraries, CHURN_POLICY } from "../libraries.mjs";

const [name, wsUrl, sioUrl, nArg, churnArg] = process.argv.slice(2);
const n = Number(nArg), churnN = Number(churnArg);
/** Clients opened and closed before the first measure. */
const WARM = 20;
const pick = (policy) => libraries({ R, WebSocket, wsUrl, sioUrl, policy }).find((l) => l.name === name);
const lib = pick(undefined), churnLib = pick(CHURN_POLICY);
const wasm = () => R.__debug().memoryBytes;

/** JS heap in use after full collections. */
async function heap() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

const opened = async (l, cs) => {
  if (!(await until(() => cs.every((c) => l.isOpen(c)), { timeoutMs: 30_000 }))) throw new Error(`${name}: not all ${cs.length} clients opened`);
};

// What is paid once, not per connection (the library's code compiled on its
// first use, its module-level state), is paid before the first measure: a
// few clients opened and closed.
const warm = [];
for (let i = 0; i < WARM; i++) warm.push(lib.connect(`warm-${name}-${i}`));
await opened(lib, warm);
for (const c of warm) lib.close(c);
await until(() => warm.every((c) => !lib.isOpen(c)), { timeoutMs: 10_000 });
await sleep(200); // the closing handshakes
const h0 = await heap(), w0 = wasm();
const clients = [];
for (let i = 0; i < n; i++) clients.push(lib.connect(`mem-${name}-${i}`));
await opened(lib, clients);
const h1 = await heap(), w1 = wasm();
const told = (key) => new Promise((resolve) => {
  const on = (m) => { if (m[key]) { process.off("message", on); resolve(m); } };
  process.on("message", on);
});
process.send({ perConnection: (h1 - h0 + w1 - w0) / n, wasmBytes: w1 - w0 });
await told("counted"); // the parent has read the server's count
for (const c of clients.splice(0)) lib.close(c);

const churn = [];
for (let i = 0; i < churnN; i++) churn.push(churnLib.connect(`churn-${name}-${i}`));
await opened(churnLib, churn);
const h2 = await heap(), w2 = wasm();
process.send({ churnReady: true });
await told("measure"); // the server's churn is over
await opened(churnLib, churn);
const h3 = await heap(), w3 = wasm();
process.send({ growth: h3 - h2, wasmGrowth: w3 - w2 });
for (const c of churn) churnLib.close(c);
setTimeout(() => process.exit(0), 500);
