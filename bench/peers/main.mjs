// The peers benchmark: profile-registry next to reconnecting-websocket,
// partysocket, socket.io-client and a hand-rolled Map<profile, WebSocket>,
// in one run against one `ws` server and one `socket.io` server (a child
// process). Prints one Markdown table per scenario.
//
//   node bench/peers/main.mjs                 (bash bench/peers/run.sh builds and installs first)
//   node bench/peers/main.mjs storm bundle    (only the scenarios named)
import WebSocket from "ws";
import * as R from "../../pkg/node.js";
import { startServers } from "./control.mjs";
import { libraries, settings } from "./libraries.mjs";
import { fleet } from "./fleet.mjs";
import { storm } from "./scenarios/storm.mjs";
import { duplicates } from "./scenarios/duplicates.mjs";
import { messages } from "./scenarios/messages.mjs";
import { throughput } from "./scenarios/throughput.mjs";
import { memory } from "./scenarios/memory.mjs";
import { bundle } from "./scenarios/bundle.mjs";
import { browserStorm } from "./scenarios/browser.mjs";

const SCENARIOS = {
  storm: { title: "1. Reconnect storm after a server restart (Node 20 + ws, medians of 3)", run: (ctx) => storm(ctx.srv, fleet(ctx.libs), { log: ctx.log }) },
  duplicates: { title: "2. Duplicate sockets (10 profiles per case, counted at the server)", run: (ctx) => duplicates(ctx.srv, ctx.libs, { log: ctx.log }) },
  messages: { title: "3. Message accounting under 4 server drops (20 profiles, a message every 20 ms each, 6.5 s)", run: (ctx) => messages(ctx.srv, ctx.libs, { log: ctx.log }) },
  throughput: { title: "4. Echo throughput and finding a connection by profile", run: (ctx) => throughput(ctx.srv, ctx.libs, R, { log: ctx.log }) },
  memory: { title: "5. Memory (each library in its own Node process)", run: (ctx) => memory(ctx.srv, ctx.libs.map((l) => l.name), { log: ctx.log }) },
  bundle: { title: "6. Bundle size", run: () => bundle() },
  chromium: {
    title: "7. Reconnect storm in headless Chromium (medians of 3)",
    async run(ctx) {
      const { table, version } = await browserStorm(ctx.srv, { log: ctx.log });
      return `Chromium ${version}, one page, the browser's WebSocket.\n\n${table}`;
    },
  },
};

const only = process.argv.slice(2);
const log = (s) => console.error(s);
const t0 = performance.now();
const srv = await startServers();
const libs = libraries({ R, WebSocket, wsUrl: srv.wsUrl, sioUrl: srv.sioUrl });
const ctx = { srv, libs, log };
console.log(`# profile-registry and its peers, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log("Settings (the common policy: first retry 250 ms, doubling, cap 5 s, jitter 0.5 where offered):\n");
for (const [name, s] of Object.entries(settings())) console.log(`- ${name}: ${s}`);
for (const [key, sc] of Object.entries(SCENARIOS)) {
  if (only.length && !only.includes(key)) continue;
  log(`${key}...`);
  const t = performance.now();
  const table = await sc.run(ctx);
  console.log(`\n## ${sc.title}\n\n${table}`);
  log(`${key}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
srv.stop();
log(`all: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exit(0);
