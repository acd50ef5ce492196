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
import { clients } from "./clients.mjs";
import { storm } from "./scenarios/storm.mjs";
import { duplicates } from "./scenarios/duplicates.mjs";
import { messages } from "./scenarios/messages.mjs";
import { throughput } from "./scenarios/throughput.mjs";
import { memory } from "./scenarios/memory.mjs";
import { bundle } from "./scenarios/bundle.mjs";
import { inChromium } from "./scenarios/browser.mjs";

// Scenarios 1-3, each run on `bench` (clients.mjs): this process's clients, or the Chromium page's (7).
const SHARED = [
  {
    key: "storm", tag: "storm", title: (where) => `Reconnect storm after a server restart (${where}medians of 3)`,
    run: (ctx, bench, tag) => storm(ctx.srv, bench, { tag, log: ctx.log }),
  },
  {
    key: "duplicates", tag: "dup", title: () => "Duplicate sockets (10 profiles per case, counted at the server)",
    run: async (ctx, bench, tag) => duplicates(await bench.names(), bench.duplicates, { tag, log: ctx.log }),
  },
  {
    key: "messages", tag: "msg", title: () => "Message accounting under 4 server drops (20 profiles, a message every 20 ms each, 6.5 s)",
    run: async (ctx, bench, tag) => messages(await bench.names(), bench.messages, { tag, log: ctx.log }),
  },
];

const SCENARIOS = {
  ...Object.fromEntries(SHARED.map((s, i) => [s.key, {
    title: `${i + 1}. ${s.title("Node 20 + ws, ")}`,
    run: (ctx) => s.run(ctx, ctx.here, s.tag),
  }])),
  throughput: { title: "4. Echo throughput and finding a connection by profile", run: (ctx) => throughput(ctx.srv, ctx.libs, R, { log: ctx.log }) },
  memory: { title: "5. Memory (each library in its own Node process)", run: (ctx) => memory(ctx.srv, ctx.libs.map((l) => l.name), { log: ctx.log }) },
  bundle: { title: "6. Bundle size", run: () => bundle() },
  chromium: {
    title: "7. Scenarios 1-3 in headless Chromium",
    run: (ctx) => inChromium(ctx.srv, async (page, version) => {
      const parts = [`Chromium ${version}, one page, the browser's WebSocket; the same server child, counting every socket.`];
      for (const [i, s] of SHARED.entries()) {
        ctx.log(`chromium ${s.key}...`);
        const t = performance.now();
        parts.push(`### 7${"abc"[i]}. ${s.title("")}\n\n${await s.run(ctx, page, `chromium-${s.tag}`)}`);
        ctx.log(`chromium ${s.key}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
      return parts.join("\n\n");
    }, { log: ctx.log }),
  },
};

const only = process.argv.slice(2);
const log = (s) => console.error(s);
const t0 = performance.now();
const srv = await startServers();
const libs = libraries({ R, WebSocket, wsUrl: srv.wsUrl, sioUrl: srv.sioUrl });
const ctx = { srv, libs, here: clients(srv, libs), log };
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
