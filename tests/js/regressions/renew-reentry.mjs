// Regression: listeners that read or close a Connection while it renews its
// registration on a reconnect (a RefCell borrow was once held across the
// registry's listeners, and the wasm trapped), and the state a brand-new
// connection reports from its own register event. Run by
// tests/js/regressions.test.mjs in a child process (it uses the default
// registry and exits 0 when all is well, 1 with the problems otherwise).
import WebSocket from "ws";
import { startServer } from "../server.mjs";
import * as pr from "../../../pkg/node.js";

const srv = await startServer();
const url = `${srv.url}/?profile=alice`;
const problems = [];
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const opened = (c) => new Promise((r) => { const off = c.on("open", () => { off(); r(); }); });

// ---- A: reading the connection's handle from a subscribe listener ----------
pr.start();
let firstRegisterInfo;
const offA = pr.subscribe(undefined, (e) => {
  if (firstRegisterInfo === undefined) firstRegisterInfo = e.value.info();
  try {
    void e.value.handle;
  } catch (err) {
    problems.push(`A: reading .handle in the ${e.type} listener of a renewal threw ${err}`);
  }
});
const a = pr.connect({ profile: "alice", url, WebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 40 } });
await opened(a);
if (firstRegisterInfo.state === "closed") {
  problems.push(`minor: in the first register event info() is ${JSON.stringify(firstRegisterInfo)} although whereis() returns the connection`);
}
await fetch(`${srv.httpUrl}/control/drop-all`);
await opened(a);
offA();
a.close();
await wait(100);

// ---- B: closing the connection from a subscribe listener ------------------
pr.stop();
pr.start();
let registers = 0;
let sawFinal = false;
pr.subscribe(undefined, (e) => {
  if (e.type === "register" && ++registers === 2) {
    try {
      e.value.close(1000, "closed by a listener");
    } catch (err) {
      problems.push(`B: close() in the register listener of a renewal threw ${err}`);
    }
  }
});
const b = pr.connect({ profile: "alice", url, WebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 40 } });
b.on("close", (e) => { if (e.final) sawFinal = true; });
await opened(b);
await fetch(`${srv.httpUrl}/control/drop-all`);
await wait(500);
if (b.state === "closed" && pr.whereis(undefined, "alice") === b) problems.push("B: whereis() returns a closed Connection");
if (!sawFinal) problems.push("B: no final close event");
try {
  pr.connect({ profile: "alice", url, WebSocket }).close();
} catch (err) {
  problems.push(`B: a new connect() of the profile throws ${err.name}: ${err.message}`);
}

await srv.close();
if (problems.length) {
  console.log("problems:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log("ok: no trap, and closing from a listener releases the profile");
process.exit(0);
