#!/usr/bin/env node
// Connection soak: many profiles connected at once (Node + the `ws`
// package's WebSocket) against the test server (tests/js/server.mjs, started
// and stopped here, on 127.0.0.1 only), rounds of server faults while every
// profile keeps sending sequence-numbered messages — in turn: drop-all
// (sockets terminated), a clean close mid-burst (each socket closed with 1000
// after its next few messages), and accept-then-close (for a while every new
// socket is accepted and at once closed) — then a last phase with the server
// refusing, messages queued past the queue's limit, and close().
//
//   node scripts/soak.mjs [--profiles 200] [--rounds 50] [--round-ms 300]
//                         [--tick-ms 10] [--queue 64] [--tail 80] [--json]
//   (needs pkg/ from scripts/build.sh and `npm ci` in tests/js)
//
// Prints one summary line and exits non-zero when an invariant broke:
//   - duplicates: the server never saw two sockets of one profile at once
//     (max concurrent per profile 1, for every profile), and no message was
//     echoed twice or out of order;
//   - zero silent loss: every message handed to send() is accounted for as
//       echoed                     (came back from the echo server),
//     + rejectedAtCall             (send() threw QueueFullError),
//     + rejectedAtClose            (counted in the final close event's `rejected`),
//     + lostInFlight               (written to an open socket that the server then
//                                   dropped or closed before echoing it, counted
//                                   per kind of fault: a WebSocket has no
//                                   delivery acknowledgement, so no client library
//                                   can know about these; they must be a suffix of
//                                   what that socket carried),
//     and `silentLoss` (anything else) is 0;
//   - no message is handed to a socket whose readyState is not OPEN;
//   - leaks: `__connCount()` is back to 0 and every socket released at the end.
//
// `runSoak(options)` is also imported by tests/js/soak.test.mjs.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const requireFromTests = createRequire(path.join(root, "tests/js/package.json"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The server faults of the rounds, in turn. */
const FAULTS = ["drop", "clean", "accept-close"];

async function until(cond, what, timeoutMs) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`soak: timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await sleep(5);
  }
}

/**
 * Runs the soak and resolves its counters (see the header). Never leaves the
 * server or a connection behind, also when it throws.
 *
 * @param {{ profiles?: number, rounds?: number, roundMs?: number, tickMs?: number,
 *           queue?: number, tail?: number, minDelayMs?: number, maxDelayMs?: number,
 *           log?: (line: string) => void }} [options]
 */
export async function runSoak({
  profiles = 200,
  rounds = 5,
  roundMs = 300,
  tickMs = 10,
  queue = 64,
  tail = 80,
  minDelayMs = 2,
  maxDelayMs = 20,
  log = () => {},
} = {}) {
  const WS = requireFromTests("ws");
  // Counts sends on a socket that is not OPEN: the library must never hand a
  // message to a socket it could know is closing (it would vanish silently).
  let sendsNotOpen = 0;
  class WebSocket extends WS {
    send(data, ...rest) {
      if (this.readyState !== 1) sendsNotOpen++;
      return super.send(data, ...rest);
    }
  }
  const { startServer } = await import(pathToFileURL(path.join(root, "tests/js/server.mjs")).href);
  const pr = await import(pathToFileURL(path.join(root, "pkg/node.js")).href);
  const { __connCount } = await import(pathToFileURL(path.join(root, "pkg/index.js")).href);

  const t0 = Date.now();
  const srv = await startServer();
  const control = async (p) => {
    const res = await fetch(srv.httpUrl + p);
    if (!res.ok) throw new Error(`control ${p}: HTTP ${res.status}`);
    return res.json();
  };
  pr.start();
  const base = __connCount();
  const conns = [];
  let pumping = false;
  let pump;
  let fault = "drop";
  try {
    // Per profile: what was sent, and where each message went.
    const state = [];
    for (let i = 0; i < profiles; i++) {
      const profile = `soak-${i}`;
      const s = {
        profile,
        sent: 0,
        where: [], // seq -> "call" (rejected at call time) | handle of the socket it was written to | "queued"
        pending: [], // seqs queued, not yet flushed
        echoed: new Set(),
        lastEcho: -1,
        duplicates: 0,
        outOfOrder: 0,
        rejectedAtClose: 0,
        finals: 0,
        dropped: new Set(), // handles of sockets the server dropped
        kind: new Map(), // dropped handle -> the round's fault
        opens: 0,
      };
      const c = pr.connect({
        profile,
        url: `${srv.url}/?profile=${profile}`,
        WebSocket,
        reconnect: { minDelayMs, maxDelayMs, factor: 2, jitter: 0.5 },
        queue: { maxMessages: queue, maxBytes: 1 << 20 },
      });
      c.on("open", (e) => {
        s.opens++;
        // The queue was flushed, in order, onto this socket before "open".
        for (const seq of s.pending) s.where[seq] = e.handle;
        s.pending = [];
      });
      c.on("message", (e) => {
        const seq = Number(String(e.data).slice(String(e.data).indexOf(":") + 1));
        if (s.echoed.has(seq)) s.duplicates++;
        if (seq < s.lastEcho) s.outOfOrder++;
        s.lastEcho = Math.max(s.lastEcho, seq);
        s.echoed.add(seq);
      });
      c.on("close", (e) => {
        if (e.final) {
          s.finals++;
          s.rejectedAtClose += e.rejected;
        } else if (c.handle !== undefined) {
          s.dropped.add(c.handle); // the handle of the socket that just closed
          s.kind.set(c.handle, fault);
        }
      });
      conns.push(c);
      state.push(s);
    }

    const send = (i) => {
      const c = conns[i];
      const s = state[i];
      const seq = s.sent++;
      const open = c.state === "open";
      const handle = c.handle;
      try {
        c.send(`${s.profile}:${seq}`);
      } catch (e) {
        if (e?.name !== "QueueFullError") throw e;
        s.where[seq] = "call";
        return;
      }
      if (open && c.info().queued === 0) s.where[seq] = handle;
      else {
        s.where[seq] = "queued";
        s.pending.push(seq);
      }
    };

    await until(() => state.every((s) => s.opens >= 1), () => `all ${profiles} connections open`, 20_000);
    log(`soak: ${profiles} profiles open after ${Date.now() - t0} ms`);

    pumping = true;
    pump = (async () => {
      while (pumping) {
        for (let i = 0; i < profiles; i++) send(i);
        await sleep(tickMs);
      }
    })();
    let reconnects = 0;
    for (let r = 1; r <= rounds; r++) {
      await sleep(roundMs / 2);
      fault = FAULTS[(r - 1) % FAULTS.length];
      const before = state.reduce((n, s) => n + s.opens, 0);
      const was = state.map((s) => [s.dropped.size, s.opens]);
      let dropped = profiles;
      if (fault === "drop") ({ dropped } = await control("/control/drop-all"));
      else if (fault === "clean") await Promise.all(state.map((s) => control(`/control/close-after?profile=${s.profile}&n=3`)));
      else {
        await control(`/control/accept-close?ms=${roundMs}`);
        ({ dropped } = await control("/control/drop-all"));
      }
      await until(() => state.every((s, i) => s.dropped.size > was[i][0] && s.opens > was[i][1] && conns[i].state === "open"), () => `round ${r} (${fault}): every profile reconnected`, 20_000);
      reconnects += state.reduce((n, s) => n + s.opens, 0) - before;
      await sleep(roundMs / 2);
      if (r % 10 === 0 || r === rounds) log(`soak: round ${r}/${rounds}: dropped ${dropped}, ${__connCount() - base} connections live, ${Date.now() - t0} ms`);
    }
    pumping = false;
    await pump;

    // Quiescence: every message written to a socket that is still open came back.
    const inFlight = () =>
      state.reduce((n, s) => n + s.where.filter((w, seq) => typeof w === "string" && w !== "call" && w !== "queued" && !s.dropped.has(w) && !s.echoed.has(seq)).length, 0);
    await until(() => state.every((s) => s.pending.length === 0) && inFlight() === 0, () => `the echoes (${inFlight()} missing)`, 20_000);

    // Last phase: refuse, drop, queue past the limit, close: the rest is rejected.
    await control("/control/refuse?ms=600000");
    await control("/control/drop-all");
    await until(() => conns.every((c) => c.state === "reconnecting"), "every connection to be reconnecting", 20_000);
    for (let k = 0; k < tail; k++) for (let i = 0; i < profiles; i++) send(i);
    for (const c of conns) c.close();
    await until(() => __connCount() === base, () => `__connCount() back to ${base} (now ${__connCount()})`, 20_000);
    const sockets = conns.reduce((n, c) => n + c.info().sockets, 0);

    // Accounting.
    const totals = {
      profiles,
      rounds,
      reconnects,
      sent: 0,
      echoed: 0,
      rejectedAtCall: 0,
      rejectedAtClose: 0,
      lostInFlight: 0,
      lostInFlightBy: Object.fromEntries(FAULTS.map((f) => [f, 0])),
      silentLoss: 0,
      notSuffix: 0,
      duplicates: 0,
      outOfOrder: 0,
      sendsNotOpen,
      finals: 0,
      maxConcurrentPerProfile: srv.stats().maxConcurrentPerProfile,
      profilesOverOne: Object.values(srv.stats().profiles).filter((p) => p.max !== 1).length,
      connCount: __connCount() - base,
      sockets,
      ms: 0,
    };
    const examples = [];
    for (const s of state) {
      totals.sent += s.sent;
      totals.echoed += s.echoed.size;
      totals.rejectedAtClose += s.rejectedAtClose;
      totals.duplicates += s.duplicates;
      totals.outOfOrder += s.outOfOrder;
      totals.finals += s.finals;
      const firstLost = new Map(); // dropped socket -> first seq lost on it
      let queuedAtEnd = 0;
      for (let seq = 0; seq < s.sent; seq++) {
        const w = s.where[seq];
        if (w === "call") {
          totals.rejectedAtCall++;
          if (s.echoed.has(seq)) totals.duplicates++; // rejected, yet delivered
        } else if (s.echoed.has(seq)) {
          if (firstLost.has(w)) totals.notSuffix++; // echoed after a loss on the same socket
        } else if (w === "queued") {
          queuedAtEnd++; // still queued at close(): must be in `rejected`
        } else if (s.dropped.has(w)) {
          totals.lostInFlight++;
          totals.lostInFlightBy[s.kind.get(w)]++;
          if (!firstLost.has(w)) firstLost.set(w, seq);
        } else {
          totals.silentLoss++;
          if (examples.length < 5) examples.push(`${s.profile}:${seq} (${w})`);
        }
      }
      if (queuedAtEnd !== s.rejectedAtClose) {
        totals.silentLoss += Math.abs(queuedAtEnd - s.rejectedAtClose);
        if (examples.length < 5) examples.push(`${s.profile}: ${queuedAtEnd} queued at close, ${s.rejectedAtClose} reported rejected`);
      }
    }
    totals.accounted = totals.echoed + totals.rejectedAtCall + totals.rejectedAtClose + totals.lostInFlight;
    totals.examples = examples;
    totals.ms = Date.now() - t0;
    totals.ok =
      totals.maxConcurrentPerProfile === 1 &&
      totals.profilesOverOne === 0 &&
      totals.duplicates === 0 &&
      totals.outOfOrder === 0 &&
      totals.notSuffix === 0 &&
      totals.sendsNotOpen === 0 &&
      totals.silentLoss === 0 &&
      totals.accounted === totals.sent &&
      totals.finals === profiles &&
      totals.connCount === 0 &&
      totals.sockets === 0;
    return totals;
  } finally {
    pumping = false;
    await pump?.catch(() => {});
    for (const c of conns) {
      try {
        c.close();
      } catch {}
    }
    await srv.close();
  }
}

export function summaryLine(t) {
  return (
    `soak ${t.ok ? "OK" : "FAILED"}: ${t.profiles} profiles, ${t.rounds} rounds, ${t.reconnects} reconnects, ${t.ms} ms; ` +
    `sent ${t.sent} = echoed ${t.echoed} + rejected at call ${t.rejectedAtCall} + rejected at close ${t.rejectedAtClose} + lost in flight on dropped sockets ${t.lostInFlight}` +
    ` (${Object.entries(t.lostInFlightBy).map(([k, n]) => `${k} ${n}`).join(", ")})` +
    ` (accounted ${t.accounted}); silent loss ${t.silentLoss}, duplicates ${t.duplicates}, out of order ${t.outOfOrder}, not a suffix ${t.notSuffix}, sends on a non-open socket ${t.sendsNotOpen}; ` +
    `max concurrent per profile ${t.maxConcurrentPerProfile} (profiles over 1: ${t.profilesOverOne}); connections left ${t.connCount}, sockets left ${t.sockets}` +
    (t.examples.length ? `; e.g. ${t.examples.join(", ")}` : "")
  );
}

// ---- CLI ----------------------------------------------------------------
const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const v = Number(args[i + 1]);
    if (!Number.isFinite(v) || v < 0) {
      console.error(`soak: ${name} needs a number, got ${args[i + 1]}`);
      process.exit(2);
    }
    return v;
  };
  const options = {
    profiles: opt("--profiles", 200),
    rounds: opt("--rounds", 50),
    roundMs: opt("--round-ms", 300),
    tickMs: opt("--tick-ms", 10),
    queue: opt("--queue", 64),
    tail: opt("--tail", 80),
    log: (l) => console.error(l),
  };
  // A hard stop, so a hang never outlives its budget.
  const budgetMs = 60_000 + options.rounds * (options.roundMs + 2_000);
  setTimeout(() => {
    console.error(`soak: still running after ${budgetMs} ms; giving up`);
    process.exit(3);
  }, budgetMs).unref();
  try {
    const t = await runSoak(options);
    console.log(args.includes("--json") ? JSON.stringify(t) : summaryLine(t));
    process.exit(t.ok ? 0 : 1);
  } catch (e) {
    console.error(`soak FAILED: ${e?.stack ?? e}`);
    process.exit(1);
  }
}
