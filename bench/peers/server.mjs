// The peers benchmark's servers, run as a child process (`fork`ed by
// control.mjs) so that their work never shares an event loop with the
// clients being measured. Two listeners on 127.0.0.1:
//   - a `ws` echo server: the profile is the `profile` query parameter;
//   - a `socket.io` server (websocket transport only): the profile is the
//     handshake's `profile` query value; `message` events are echoed.
// Every text message is echoed back unchanged. The parent speaks over IPC:
// `{ id, cmd, args }` in, `{ id, result }` or `{ id, error }` out.
//
// Counting happens here, never in the clients: a socket counts for its
// profile from its accept (the ws upgrade's callback, the socket.io
// `connection` event) until its close, so `max` is the exact per-profile
// concurrency; every accept is time-stamped for the per-100 ms herd.
//
// Commands:
//   ports                    -> { ws, sio }
//   reset                    clears counters, accept times and message records
//   stats                    -> { current, maxPerProfile, accepted, profiles: {p: {current, max, total}} }
//   restart {downMs, expect} closes both listeners and every TCP socket, listens
//                            again on the same ports after downMs -> { downAt, upAt }
//   storm                    -> { half, full, peak, accepted } since the last restart: ms after
//                            upAt to 50% and 100% of `expect` profiles open, most accepts in any 100 ms
//   drop-all                 destroys every TCP socket, listeners stay
//   drop {profile}           destroys that profile's sockets
//   record {on}              records every message's sequence number per profile
//   messages                 -> { [profile]: { got: {seq: times}, outOfOrder } }
//   churn {afterMs, cycles}  destroys each open socket afterMs from now, and each new one
//                            afterMs after its accept, `cycles` times in all (poll `stats`.churned)
import http from "node:http";
import { WebSocketServer } from "ws";
import { Server as SocketIoServer } from "socket.io";

const now = () => performance.timeOrigin + performance.now();

const counters = new Map(); // profile -> { current, max, total }
const tcp = new Map(); // net.Socket -> profile (undefined until accepted)
let accepts = []; // accept times (epoch ms)
let openProfiles = 0; // profiles with current > 0
let storm = null; // { upAt, expect, half, full }
let records = null; // profile -> { got: Map(seq -> times), last, outOfOrder }
let churn = null; // { afterMs, left, done }

function counter(profile) {
  let c = counters.get(profile);
  if (!c) counters.set(profile, (c = { current: 0, max: 0, total: 0 }));
  return c;
}

function accepted(profile, socket) {
  const c = counter(profile);
  c.current++;
  c.total++;
  if (c.current > c.max) c.max = c.current;
  const t = now();
  accepts.push(t);
  tcp.set(socket, profile);
  if (c.current === 1) {
    openProfiles++;
    if (storm) {
      if (storm.half === null && openProfiles >= storm.expect / 2) storm.half = t - storm.upAt;
      if (storm.full === null && openProfiles >= storm.expect) storm.full = t - storm.upAt;
    }
  }
  if (churn) churnOut(socket);
}

function churnOut(socket) {
  if (churn.left <= 0) return;
  churn.left--;
  const c = churn;
  setTimeout(() => { socket.destroy(); c.done++; }, c.afterMs);
}

function released(profile) {
  const c = counter(profile);
  c.current--;
  if (c.current === 0) openProfiles--;
}

function received(profile, data) {
  if (!records) return;
  let r = records.get(profile);
  if (!r) records.set(profile, (r = { got: new Map(), last: -1, outOfOrder: 0 }));
  const seq = Number(data);
  r.got.set(seq, (r.got.get(seq) ?? 0) + 1);
  if (seq < r.last) r.outOfOrder++;
  else r.last = seq;
}

function listener() {
  const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
  server.on("connection", (s) => {
    tcp.set(s, undefined);
    s.on("close", () => tcp.delete(s));
  });
  return server;
}

// ---- ws
const wsHttp = listener();
const wss = new WebSocketServer({ noServer: true });
wsHttp.on("upgrade", (req, socket, head) => {
  const profile = new URL(req.url, "http://localhost").searchParams.get("profile") ?? "";
  wss.handleUpgrade(req, socket, head, (ws) => {
    accepted(profile, socket);
    ws.on("message", (data, isBinary) => {
      received(profile, data);
      ws.send(data, { binary: isBinary });
    });
    ws.on("error", () => {});
    ws.on("close", () => released(profile));
  });
});

// ---- socket.io
const sioHttp = listener();
const sio = new SocketIoServer(sioHttp, { transports: ["websocket"], serveClient: false });
sio.on("connection", (s) => {
  const profile = String(s.handshake.query.profile ?? "");
  accepted(profile, s.request.socket);
  s.on("message", (data) => {
    received(profile, data);
    s.send(data);
  });
  s.on("disconnect", () => released(profile));
});

const listen = (server, port) => new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, "127.0.0.1", () => { server.off("error", reject); resolve(server.address().port); });
});
const ports = { ws: await listen(wsHttp, 0), sio: await listen(sioHttp, 0) };

function destroy(filter) {
  let n = 0;
  for (const [s, profile] of tcp) {
    if (filter(profile)) { s.destroy(); n++; }
  }
  return n;
}

function stats() {
  let current = 0, maxPerProfile = 0, accepted = 0;
  const profiles = {};
  for (const [p, c] of counters) {
    current += c.current;
    accepted += c.total;
    if (c.max > maxPerProfile) maxPerProfile = c.max;
    profiles[p] = { ...c };
  }
  return { current, maxPerProfile, accepted, openProfiles, churned: churn?.done ?? 0, profiles };
}

const commands = {
  ports: () => ports,
  reset() {
    for (const [p, c] of counters) if (c.current === 0) counters.delete(p); else { c.max = c.current; c.total = c.current; }
    accepts = [];
    storm = null;
    records = null;
    churn = null;
    return true;
  },
  stats,
  async restart({ downMs, expect }) {
    const downAt = now();
    const closed = Promise.all([wsHttp, sioHttp].map((s) => new Promise((r) => s.close(r))));
    destroy(() => true);
    await closed;
    await new Promise((r) => setTimeout(r, downMs));
    accepts = [];
    storm = { upAt: 0, expect, half: null, full: null };
    await Promise.all([listen(wsHttp, ports.ws), listen(sioHttp, ports.sio)]);
    storm.upAt = now();
    if (openProfiles >= expect) storm.half = storm.full = 0;
    return { downAt, upAt: storm.upAt };
  },
  storm() {
    // The herd: the most accepts in any 100 ms window (sliding, from the restart on).
    let peak = 0;
    for (let i = 0, j = 0; j < accepts.length; j++) {
      while (accepts[j] - accepts[i] >= 100) i++;
      peak = Math.max(peak, j - i + 1);
    }
    return { half: storm.half, full: storm.full, peak, accepted: accepts.length };
  },
  "drop-all": () => destroy((p) => p !== undefined),
  drop: ({ profile }) => destroy((p) => p === profile),
  record({ on }) { records = on ? new Map() : null; return true; },
  messages() {
    const out = {};
    for (const [p, r] of records ?? []) out[p] = { got: Object.fromEntries(r.got), outOfOrder: r.outOfOrder };
    return out;
  },
  churn({ afterMs, cycles }) {
    churn = { afterMs, left: cycles, done: 0 };
    for (const [s, profile] of tcp) if (profile !== undefined) churnOut(s);
    return true;
  },
};

process.on("message", async ({ id, cmd, args }) => {
  try {
    process.send({ id, result: await commands[cmd](args ?? {}) });
  } catch (e) {
    process.send({ id, error: String(e?.stack ?? e) });
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ ready: true });
