// WebSocket echo server with fault injection and exact per-profile counters,
// used by every JS-side test of profile-registry (browsers, workers, Deno,
// Node, workerd). Binds to 127.0.0.1 only.
//
//   import { startServer } from "./server.mjs";
//   const srv = await startServer({ staticDir });  // port 0 = free port
//   startServer({ fence: { retainMs: 100 } })      // options of the fence (createFence)
//   startServer({ onMessage(profile, text) {} })   // hears every text message the server reads
//   startServer({ onAccept(profile) {} })           // hears every accepted upgrade, as it is counted
//   srv.url      -> "ws://127.0.0.1:PORT"     (connect to `${url}/?profile=alice`)
//   srv.httpUrl  -> "http://127.0.0.1:PORT"   (control: `${httpUrl}/control/stats`)
//   srv.stats()  -> same object as GET /control/stats
//   await srv.close()
//
// Run directly: `node server.mjs [--port N] [--host H] [--static DIR]` prints one
// line of JSON {"ws":..., "http":...} and runs until SIGINT/SIGTERM.
//
// WebSocket protocol:
//   - the profile is the `profile` query parameter of the upgrade URL (an opaque
//     string; a missing one counts as "");
//   - every message is echoed back unchanged (text as text, binary as binary);
//   - the text message "__close:<code>" makes the server close that socket
//     with <code> (no echo);
//   - an upgrade URL with an `epoch` query parameter goes through the server
//     fence (js/server.js, `createFence`) keyed by `profile`: a higher or equal
//     epoch closes the profile's admitted socket with 4409 "superseded", a
//     lower one is closed at once with 4409, a malformed one with 4400.
//
// Control (GET or POST, JSON answers, CORS `*`):
//   /control/stats              {profiles:{[p]:{current,max,total,messages[,fenced:{current,max}]}},
//                                maxConcurrentPerProfile, currentTotal,
//                                maxFencedPerProfile, refused, superseded,
//                                fence: the fence's own stats()}
//   /control/drop-all           terminate (abruptly) every live socket -> {dropped}
//   /control/drop?profile=X     close X's sockets with code 4000 -> {dropped}
//   /control/refuse?ms=N        answer new upgrades with HTTP 503 for N ms
//   /control/delay?ms=N         delay each new handshake by N ms (0 = off)
//   /control/reset              clear counters, refuse, delay and accept-close
//                               (keeps sockets, stalls and the fence's epochs)
//   /control/send?profile=X&data=D  push text D to X's sockets -> {sent}
//   /control/stall?profile=X[&ms=N]  X's live sockets stop answering without
//                               closing (no echo, no pong, reads paused), as a
//                               half-open socket after a laptop sleep; with ms,
//                               they resume after N ms (then what they buffered
//                               is read and answered) -> {stalled}
//   /control/accept-close?ms=N  for N ms every new socket is accepted and at once
//                               closed cleanly (1000), never fenced -> {acceptCloseMs}
//   /control/close-after?profile=X&n=K  X's live sockets echo their next K
//                               messages, then close cleanly (1000) -> {armed}
//
// Counting: a socket counts as open for its profile from the moment its
// upgrade is accepted (handleUpgrade's callback) until its `close` event, so
// `max` is exact and is what the "no duplicate sockets" assertions read.
// `fenced` counts the profile's sockets admitted by the fence and still OPEN:
// one the fence supersedes leaves it when the fence closes it (its raw count
// when its close event comes); it is counted by the server, from each socket's
// readyState, at every admission, so a fence that let two in would show max 2.
// `refused` counts sockets the fence refused; `superseded`, admitted sockets
// it closed for a newer one.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";
import { createFence, epochOf } from "../../js/server.js";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "*",
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startServer({ port = 0, host = "127.0.0.1", staticDir, fence: fenceOptions, onMessage, onAccept } = {}) {
  const root = staticDir ? path.resolve(staticDir) : null;
  const fence = createFence(fenceOptions);

  /** @type {Map<string, {current:number,max:number,total:number,messages:number}>} */
  let counters = new Map();
  /** profile -> Set<WebSocket> of sockets currently counted as open */
  const live = new Map();
  /** profile -> Set<WebSocket> of sockets the fence admitted (pruned of non-OPEN ones at each admission) */
  const fenced = new Map();
  /** WebSocket -> messages left before a clean close (/control/close-after) */
  const closeAfter = new WeakMap();
  /** WebSocket stalled by /control/stall -> the timer that ends its stall (or null) */
  const stalled = new Map();
  let refused = 0;
  let superseded = 0;
  let refuseUntil = 0;
  let delayMs = 0;
  let acceptCloseUntil = 0;
  let closing = false;

  const counter = (profile) => {
    let c = counters.get(profile);
    if (!c) counters.set(profile, (c = { current: 0, max: 0, total: 0, messages: 0 }));
    return c;
  };

  function stats() {
    const profiles = {};
    let maxConcurrentPerProfile = 0;
    let maxFencedPerProfile = 0;
    let currentTotal = 0;
    for (const [p, c] of counters) {
      profiles[p] = c.fenced ? { ...c, fenced: { ...c.fenced } } : { ...c };
      maxConcurrentPerProfile = Math.max(maxConcurrentPerProfile, c.max);
      maxFencedPerProfile = Math.max(maxFencedPerProfile, c.fenced?.max ?? 0);
    }
    for (const set of live.values()) currentTotal += set.size;
    return {
      profiles,
      maxConcurrentPerProfile,
      currentTotal,
      maxFencedPerProfile,
      refused,
      superseded,
      fence: fence.stats(),
    };
  }

  /** Re-counts `profile`'s fenced sockets: those admitted and still OPEN. */
  function countFenced(profile) {
    const set = fenced.get(profile);
    for (const ws of set) if (ws.readyState !== ws.OPEN) set.delete(ws);
    const c = counter(profile);
    c.fenced ??= { current: 0, max: 0 };
    c.fenced.current = set.size;
    c.fenced.max = Math.max(c.fenced.max, set.size);
    if (set.size === 0) fenced.delete(profile);
  }

  /** Puts `ws` through the fence when its upgrade url has an `epoch` parameter. */
  function admit(ws, profile, url) {
    if (!url.searchParams.has("epoch")) return;
    let set = fenced.get(profile);
    const open = [...(set ?? [])].filter((s) => s.readyState === s.OPEN);
    if (!fence.admit(profile, epochOf(url), ws)) {
      refused += 1;
      return;
    }
    // The fence closed these (they were OPEN a moment ago) for this one.
    superseded += open.filter((s) => s.readyState !== s.OPEN).length;
    set = fenced.get(profile);
    if (!set) fenced.set(profile, (set = new Set()));
    set.add(ws);
    countFenced(profile);
    ws.on("close", () => {
      if (!set.delete(ws)) return;
      if (fenced.get(profile) === set) countFenced(profile);
    });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });

  function onConnection(ws, profile, url) {
    // Counted from acceptance. After /control/reset the counter object may be
    // a new one, so always look it up by profile instead of capturing it.
    let set = live.get(profile);
    if (!set) live.set(profile, (set = new Set()));
    set.add(ws);
    const c = counter(profile);
    c.current = set.size;
    c.total += 1;
    c.max = Math.max(c.max, c.current);
    onAccept?.(profile);
    ws.on("error", () => {}); // a reset by the peer must not crash the server
    ws.on("close", () => {
      set.delete(ws);
      if (set.size === 0 && live.get(profile) === set) live.delete(profile);
      counter(profile).current = set.size;
    });
    if (Date.now() < acceptCloseUntil) return ws.close(1000, "accept-close");
    admit(ws, profile, url);

    ws.on("message", (data, isBinary) => {
      if (stalled.has(ws)) return; // read before the stall began: not answered
      counter(profile).messages += 1;
      if (!isBinary) {
        const text = data.toString("utf8");
        onMessage?.(profile, text);
        const m = /^__close:(\d+)$/.exec(text);
        if (m) {
          const code = Number(m[1]);
          try {
            ws.close(code, "requested");
          } catch {
            ws.close(1000, "invalid code requested"); // e.g. 1005/1006 can't be sent
          }
          return;
        }
        ws.send(text);
      } else {
        ws.send(data, { binary: true });
      }
      const left = closeAfter.get(ws);
      if (left === undefined) return;
      if (left > 1) return void closeAfter.set(ws, left - 1);
      closeAfter.delete(ws);
      ws.close(1000, "close-after");
    });
  }

  /** Stops `ws` answering (reads paused) until `ms` later, or until it closes when 0. */
  function stall(ws, ms) {
    if (stalled.has(ws)) clearTimeout(stalled.get(ws));
    else {
      ws.pause();
      ws.once("close", () => (clearTimeout(stalled.get(ws)), stalled.delete(ws)));
    }
    const t = ms > 0 ? setTimeout(() => (stalled.delete(ws), ws.resume()), ms) : null;
    stalled.set(ws, t);
  }

  function rejectUpgrade(socket, status, text) {
    socket.on("error", () => {});
    if (!socket.writable) return socket.destroy();
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  }

  async function onUpgrade(req, socket, head) {
    socket.on("error", () => {});
    const u = new URL(req.url, "http://x");
    const profile = u.searchParams.get("profile") ?? "";
    if (closing) return rejectUpgrade(socket, 503, "Service Unavailable");
    if (Date.now() < refuseUntil) return rejectUpgrade(socket, 503, "Service Unavailable");
    if (delayMs > 0) {
      await sleep(delayMs);
      if (closing || socket.destroyed) return socket.destroy();
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, profile, u));
  }

  function json(res, status, body) {
    const s = JSON.stringify(body);
    res.writeHead(status, { ...CORS, "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
    res.end(s);
  }

  function liveOf(profile) {
    return [...(live.get(profile) ?? [])];
  }

  function control(name, q, res) {
    const num = (k) => {
      const v = Number(q.get(k) ?? 0);
      return Number.isFinite(v) && v > 0 ? v : 0;
    };
    const profileParam = () => {
      if (!q.has("profile")) json(res, 400, { error: "missing profile" });
      return q.get("profile");
    };
    switch (name) {
      case "stats":
        return json(res, 200, stats());
      case "drop-all": {
        let dropped = 0;
        for (const set of live.values()) for (const ws of set) (ws.terminate(), dropped++);
        return json(res, 200, { dropped });
      }
      case "drop": {
        const profile = profileParam();
        if (profile === null) return;
        const socks = liveOf(profile);
        for (const ws of socks) ws.close(4000, "dropped by test server");
        return json(res, 200, { dropped: socks.length });
      }
      case "refuse": {
        const ms = num("ms");
        refuseUntil = ms > 0 ? Date.now() + ms : 0;
        return json(res, 200, { refuseMs: ms });
      }
      case "delay":
        delayMs = num("ms");
        return json(res, 200, { delayMs });
      case "reset":
        counters = new Map();
        // Sockets still open stay counted as current (they are still open).
        for (const [p, set] of live) {
          const c = counter(p);
          c.current = c.max = set.size;
        }
        for (const p of fenced.keys()) {
          counter(p).fenced = { current: 0, max: 0 };
          countFenced(p);
        }
        refused = superseded = 0;
        refuseUntil = 0;
        delayMs = 0;
        acceptCloseUntil = 0;
        return json(res, 200, { ok: true });
      case "send": {
        const profile = profileParam();
        if (profile === null) return;
        const data = q.get("data") ?? "";
        let sent = 0;
        for (const ws of liveOf(profile)) {
          if (ws.readyState === ws.OPEN && !stalled.has(ws)) (ws.send(data), sent++);
        }
        return json(res, 200, { sent });
      }
      case "stall": {
        const profile = profileParam();
        if (profile === null) return;
        const socks = liveOf(profile).filter((ws) => ws.readyState === ws.OPEN);
        for (const ws of socks) stall(ws, num("ms"));
        return json(res, 200, { stalled: socks.length });
      }
      case "accept-close": {
        const ms = num("ms");
        acceptCloseUntil = ms > 0 ? Date.now() + ms : 0;
        return json(res, 200, { acceptCloseMs: ms });
      }
      case "close-after": {
        const profile = profileParam();
        if (profile === null) return;
        const n = Number(q.get("n"));
        if (!Number.isSafeInteger(n) || n < 1) return json(res, 400, { error: "n must be a whole number >= 1" });
        const socks = liveOf(profile).filter((ws) => ws.readyState === ws.OPEN);
        for (const ws of socks) closeAfter.set(ws, n);
        return json(res, 200, { armed: socks.length });
      }
      default:
        return json(res, 404, { error: `unknown control ${name}` });
    }
  }

  function serveStatic(req, res, pathname) {
    const send = (status, text) => {
      res.writeHead(status, { ...CORS, "Content-Type": "text/plain; charset=utf-8" });
      res.end(text);
    };
    if (!root) return send(404, "not found");
    let rel;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return send(400, "bad path");
    }
    if (rel.includes("\0")) return send(400, "bad path");
    // Refuse traversal outright (also when percent-encoded or with backslashes).
    if (rel.split(/[\\/]/).includes("..")) return send(403, "forbidden");
    let file = path.resolve(root, "." + path.posix.normalize("/" + rel));
    // Belt and braces: after resolution the file must be inside root.
    if (file !== root && !file.startsWith(root + path.sep)) return send(403, "forbidden");
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        if (!pathname.endsWith("/")) {
          res.writeHead(301, { ...CORS, Location: pathname + "/" });
          return res.end();
        }
        file = path.join(file, "index.html");
        return fs.stat(file, (err2, st2) => (err2 || !st2.isFile() ? send(404, "not found") : stream(file, st2)));
      }
      if (err || !st.isFile()) return send(404, "not found");
      stream(file, st);
    });
    function stream(f, st) {
      const type = MIME[path.extname(f).toLowerCase()] ?? "application/octet-stream";
      // `?bfcache` pages are served revalidated, not no-store, so a browser may keep them in its back/forward cache.
      const cache = /[?&]bfcache\b/.test(req.url) ? "no-cache" : "no-store";
      res.writeHead(200, { ...CORS, "Content-Type": type, "Content-Length": st.size, "Cache-Control": cache });
      if (req.method === "HEAD") return res.end();
      fs.createReadStream(f).on("error", () => res.destroy()).pipe(res);
    }
  }

  const server = http.createServer((req, res) => {
    const u = new URL(req.url, "http://x");
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      return res.end();
    }
    if (u.pathname.startsWith("/control/")) {
      if (req.method !== "GET" && req.method !== "POST") return json(res, 405, { error: "GET or POST" });
      req.resume(); // ignore any body; parameters are in the query string
      return control(u.pathname.slice("/control/".length), u.searchParams, res);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, CORS);
      return res.end();
    }
    // The raw path, not u.pathname: URL parsing would silently collapse "..".
    serveStatic(req, res, req.url.split(/[?#]/)[0]);
  });
  server.on("upgrade", (req, socket, head) => {
    onUpgrade(req, socket, head).catch(() => socket.destroy());
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const hostInUrl = host.includes(":") ? `[${host}]` : host;

  let closed;
  async function close() {
    if (closed) return closed;
    closing = true;
    closed = (async () => {
      for (const ws of wss.clients) ws.terminate();
      for (const set of live.values()) for (const ws of set) ws.terminate();
      await new Promise((r) => wss.close(() => r()));
      server.closeAllConnections?.(); // keep-alive HTTP connections (Node >= 18.2)
      await new Promise((r) => server.close(() => r()));
    })();
    return closed;
  }

  return {
    url: `ws://${hostInUrl}:${actualPort}`,
    httpUrl: `http://${hostInUrl}:${actualPort}`,
    port: actualPort,
    stats,
    close,
  };
}

// ---- CLI ----------------------------------------------------------------
const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const srv = await startServer({
    port: Number(opt("--port") ?? 0),
    host: opt("--host") ?? "127.0.0.1",
    staticDir: opt("--static"),
  });
  process.stdout.write(JSON.stringify({ ws: srv.url, http: srv.httpUrl }) + "\n");
  const stop = async () => {
    const t = setTimeout(() => process.exit(0), 2000); // never hang on shutdown
    t.unref();
    await srv.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
