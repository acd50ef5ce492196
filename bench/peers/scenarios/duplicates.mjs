// Scenario 2: duplicate sockets, counted at the server. For each library,
// `k` profiles per case, all cases at once on their own profiles:
//   strict  - React StrictMode's effect: connect, close, connect, in one tick;
//   twice   - two connects of one profile in one tick (two components);
//   during  - connect, open; the server drops the socket; while the client
//             is reconnecting, connect again;
//   both    - twice in one tick, then once more while reconnecting.
// Each case's figure is the most sockets one profile had open at once at the
// server; the last row, how many are still open per profile after `settleMs`
// (the "both" case). Every client made is closed afterwards.
//
// `duplicatesOf` is the client side, one library's cases; it runs where the
// clients live: in Node, or in the Chromium page (page-entry.mjs), its
// `srv.call`s reaching the server child through the page's bridge.
// `duplicates` makes the table from one such run per library.
//
//   const run = (name, o) => duplicatesOf(srv, libs.find((l) => l.name === name), o);
//   const table = await duplicates(libs.map((l) => l.name), run, { k: 10 });
import { until, sleep } from "../wait.mjs";
import { byLibrary } from "../table.mjs";

const CASES = [
  ["strict", "StrictMode: connect, close, connect in one tick: max sockets per profile at the server"],
  ["twice", "connect twice in one tick: max sockets per profile"],
  ["during", "connect once more while reconnecting: max sockets per profile"],
  ["both", "connect twice in one tick + once while reconnecting: max sockets per profile"],
];

async function reconnectingAgain(srv, lib, clients, prefix, k) {
  await until(async () => (await srv.call("stats")).openProfiles >= k && clients.every((c) => lib.isOpen(c)), { timeoutMs: 10_000 });
  for (let i = 0; i < k; i++) await srv.call("drop", { profile: `${prefix}${i}` });
  await until(() => clients.every((c) => !lib.isOpen(c)), { timeoutMs: 2000, everyMs: 2 });
  for (let i = 0; i < k; i++) clients.push(lib.connect(`${prefix}${i}`));
}

/** One library's cases, `k` profiles each, run where its clients live: `{ strict, twice, during, both, left }`. */
export async function duplicatesOf(srv, lib, { k, settleMs, tag }) {
  await srv.call("reset");
  const made = [];
  const p = (c) => `${tag}-${lib.name}-${c}-`;
  for (let i = 0; i < k; i++) {
    const a = lib.connect(`${p("strict")}${i}`);
    lib.close(a);
    made.push(a, lib.connect(`${p("strict")}${i}`));
    made.push(lib.connect(`${p("twice")}${i}`), lib.connect(`${p("twice")}${i}`));
  }
  const during = [], both = [];
  for (let i = 0; i < k; i++) {
    during.push(lib.connect(`${p("during")}${i}`));
    both.push(lib.connect(`${p("both")}${i}`), lib.connect(`${p("both")}${i}`));
  }
  await Promise.all([reconnectingAgain(srv, lib, during, p("during"), k), reconnectingAgain(srv, lib, both, p("both"), k)]);
  made.push(...during, ...both);
  await sleep(settleMs);
  const { profiles } = await srv.call("stats");
  const res = {};
  for (const [c] of CASES) {
    const mine = Object.entries(profiles).filter(([name]) => name.startsWith(p(c))).map(([, s]) => s);
    res[c] = Math.max(0, ...mine.map((s) => s.max));
    if (c === "both") res.left = Math.max(0, ...mine.map((s) => s.current));
  }
  for (const c of made) lib.close(c);
  if (!(await until(async () => (await srv.call("stats")).current === 0, { timeoutMs: 10_000 }))) {
    throw new Error(`duplicates: ${lib.name} left sockets open after closing every client`);
  }
  return res;
}

/**
 * Runs every case for every library of `names`, each through `run(name,
 * options)` (`duplicatesOf` where the clients live); returns the Markdown table.
 */
export async function duplicates(names, run, { k = 10, settleMs = 2000, tag = "dup", log = () => {} } = {}) {
  const results = {};
  for (const name of names) {
    results[name] = await run(name, { k, settleMs, tag });
    log(`  ${tag} ${name}: ${JSON.stringify(results[name])}`);
  }
  return byLibrary(names, results, [
    ...CASES.map(([c, label]) => [label, (r) => r[c]]),
    [`…and still open per profile ${settleMs / 1000} s later`, (r) => r.left],
  ]);
}
