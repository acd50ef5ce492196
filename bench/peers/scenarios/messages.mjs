// Scenario 3: message accounting under repeated server drops. For each
// library, `profiles` profiles each send a numbered text message every
// `everyMs` while the server destroys every socket at each of `dropsAt`
// (ms after the start); sending stops at `stopAt`, the clients get up to
// `settleMs` to reconnect and flush, then close. The server records every
// number it receives per profile, so each message is exactly one of:
// delivered (the server got it; also counted: got it twice or more, got it
// after a higher number), reported (the library refused it: `send` threw,
// or a final close counted it in `rejected`), or silently lost. Each split
// by the library's state when the app called `send`: open or not open.
//
// `messagesOf` is the client side, one library's run; it runs where the
// clients live: in Node, or in the Chromium page (page-entry.mjs), its
// `srv.call`s reaching the server child through the page's bridge.
// `messages` makes the table from one such run per library.
//
//   const run = (name, o) => messagesOf(srv, libs.find((l) => l.name === name), o);
//   const table = await messages(libs.map((l) => l.name), run);
import { until, sleep } from "../wait.mjs";
import { markdown, num } from "../table.mjs";

/** One library's run, where its clients live: the counts of `{ open, closed }` sends, `duplicated`, `outOfOrder`. */
export async function messagesOf(srv, lib, { profiles, everyMs, dropsAt, stopAt, settleMs, tag }) {
  await srv.call("reset");
  const clients = [];
  const sent = []; // per client: [{ open, failed }] by sequence number
  const rejected = []; // per client: the final close's `rejected`, where the library reports one
  for (let i = 0; i < profiles; i++) {
    const c = lib.connect(`${tag}-${lib.name}-${i}`);
    lib.onMessage(c, () => {});
    lib.onReject?.(c, (n) => { rejected[i] = n; });
    clients.push(c);
    sent.push([]);
  }
  await until(async () => (await srv.call("stats")).openProfiles >= profiles && clients.every((c) => lib.isOpen(c)), { timeoutMs: 10_000 });
  await srv.call("record", { on: true });
  const t0 = performance.now();
  const timer = setInterval(() => {
    clients.forEach((c, i) => {
      const m = { open: lib.isOpen(c), failed: false };
      try { lib.send(c, String(sent[i].length)); } catch { m.failed = true; }
      sent[i].push(m);
    });
  }, everyMs);
  for (const at of dropsAt) {
    await sleep(at - (performance.now() - t0));
    await srv.call("drop-all");
  }
  await sleep(stopAt - (performance.now() - t0));
  clearInterval(timer);
  // Settled: every client open again and nothing new reaching the server for 500 ms.
  let last = -1;
  await until(async () => {
    const n = Object.values(await srv.call("messages")).reduce((a, r) => a + Object.keys(r.got).length, 0);
    const still = n === last && clients.every((c) => lib.isOpen(c));
    last = n;
    return still;
  }, { timeoutMs: settleMs, everyMs: 500 });
  for (const c of clients) lib.close(c);
  await until(async () => (await srv.call("stats")).current === 0, { timeoutMs: 10_000 });
  const got = await srv.call("messages");
  const out = { open: {}, closed: {}, duplicated: 0, outOfOrder: 0 };
  for (const k of ["open", "closed"]) out[k] = { sent: 0, delivered: 0, reported: 0, lost: 0 };
  clients.forEach((_, i) => {
    const g = got[`${tag}-${lib.name}-${i}`] ?? { got: {}, outOfOrder: 0 };
    out.outOfOrder += g.outOfOrder;
    let unreported = rejected[i] ?? 0; // the final close's count: the newest of the undelivered sends
    for (let seq = sent[i].length - 1; seq >= 0; seq--) {
      const m = sent[i][seq];
      const o = m.open ? out.open : out.closed;
      const times = g.got[seq] ?? 0;
      o.sent++;
      if (times > 0) {
        o.delivered++;
        if (times > 1) out.duplicated++;
      } else if (m.failed) o.reported++;
      else if (unreported > 0) { unreported--; o.reported++; }
      else o.lost++;
    }
  });
  return out;
}

/**
 * Runs the accounting for every library of `names`, each through `run(name,
 * options)` (`messagesOf` where the clients live); returns the Markdown table.
 */
export async function messages(names, run, {
  profiles = 20, everyMs = 20, dropsAt = [1000, 2500, 4000, 5500], stopAt = 6500, settleMs = 8000, tag = "msg", log = () => {},
} = {}) {
  const rows = [];
  for (const name of names) {
    const r = await run(name, { profiles, everyMs, dropsAt, stopAt, settleMs, tag });
    log(`  ${tag} ${name}: ${JSON.stringify(r)}`);
    const pct = (x, of) => (of ? `${num(x)} (${((100 * x) / of).toFixed(1)}%)` : num(x));
    rows.push([
      name,
      `${num(r.open.sent)} / ${num(r.closed.sent)}`,
      pct(r.open.delivered + r.closed.delivered, r.open.sent + r.closed.sent),
      num(r.duplicated), num(r.outOfOrder),
      `${num(r.open.reported)} / ${num(r.closed.reported)}`,
      pct(r.open.lost, r.open.sent), pct(r.closed.lost, r.closed.sent),
    ]);
  }
  return markdown([
    "", "sent (open / not open)", "delivered", "duplicated", "out of order", "reported as failed (open / not open)",
    "silently lost, sent while open", "silently lost, sent while not open",
  ], rows);
}
