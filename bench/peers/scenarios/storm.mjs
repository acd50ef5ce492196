// Scenario 1 (and 7 in Chromium): the reconnect storm after a server
// restart. Per library and round: `n` profiles connect and open (counted at
// the server), the server closes its listeners and every socket, listens
// again after `downMs`, and counts until every profile has a socket again.
// Reported: time from the listen to 50% and 100% of the profiles back,
// the herd (most accepts in any 100 ms), and the socket attempts the
// clients made while the server was down (counted by a WebSocket subclass,
// or socket.io's `reconnect_attempt` events). Medians of `rounds`, the
// libraries' order rotated each round.
//
//   const table = await storm(srv, fleet(libs), { n: 200, rounds: 3, label: "Node 20 + ws" });
import { until, sleep } from "../wait.mjs";
import { byLibrary, median, rotate } from "../table.mjs";

const BACK_TIMEOUT_MS = 20_000;

async function once(srv, client, name, prefix, { n, downMs }) {
  await srv.call("reset");
  await client.connectAll(name, prefix, n);
  const up = await until(async () => (await srv.call("stats")).openProfiles >= n && (await client.openCount(name)) >= n, { timeoutMs: 15_000 });
  if (!up) throw new Error(`storm: ${name} did not open ${n} profiles`);
  const before = await client.attempts(name);
  await srv.call("restart", { downMs, expect: n });
  const during = (await client.attempts(name)) - before;
  await until(async () => (await srv.call("storm")).full !== null, { timeoutMs: BACK_TIMEOUT_MS, everyMs: 50 });
  await sleep(200); // the herd's tail
  const s = await srv.call("storm");
  await client.closeAll(name);
  if (!(await until(async () => (await srv.call("stats")).current === 0, { timeoutMs: 10_000 }))) {
    throw new Error(`storm: ${name} left sockets open after closing every client`);
  }
  return { half: s.half, full: s.full, peak: s.peak, during };
}

/** Runs the storm for every library of `client`; returns the Markdown table. */
export async function storm(srv, client, { n = 200, rounds = 3, downMs = 2000, tag = "storm", log = () => {} } = {}) {
  const names = await client.names();
  const runs = Object.fromEntries(names.map((nm) => [nm, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of rotate(names, r)) {
      const res = await once(srv, client, name, `${tag}-${r}-${name}-`, { n, downMs });
      log(`  ${tag} round ${r + 1} ${name}: ${JSON.stringify(res)}`);
      runs[name].push(res);
    }
  }
  const m = (k) => (rs) => median(rs.map((x) => x[k]));
  return byLibrary(names, runs, [
    [`${n} profiles, server down ${downMs / 1000} s: 50% back after the restart (ms)`, m("half")],
    ["100% back (ms)", m("full"), { missing: `> ${BACK_TIMEOUT_MS / 1000} s` }],
    ["herd: most sockets accepted in any 100 ms", m("peak")],
    [`socket attempts during the ${downMs / 1000} s outage`, m("during")],
  ]);
}
