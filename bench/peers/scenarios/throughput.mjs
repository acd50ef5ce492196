// Scenario 4: echo throughput and the cost of finding a connection.
//   - One profile per library; in each of `rounds` rounds (10: each library
//     twice in each place of the order) every library (in rotated order)
//     sends `total` 16-byte text messages through the echo
//     server, `window` in flight at most, and waits for every echo.
//     Messages per second, median; the ratio is paired (each round's rate
//     over this package's in the same round, then the median).
//   - Finding a connection by profile: bench/whereis.mjs (shared with the
//     whereis benchmark) with 200 profiles, `whereis` next to `Map.get`,
//     which is what an app using a peer keeps (they have no lookup).
//
//   const [echo, lookup] = await throughput(srv, libs, R);
import { until } from "../control.mjs";
import { runWhereisBench } from "../../whereis.mjs";
import { markdown, median, num, rotate } from "../table.mjs";

const PAYLOAD = "0123456789abcdef";

function pump(lib, c, route, { total, window }) {
  return new Promise((resolve) => {
    let sent = 0, got = 0;
    const t0 = performance.now();
    route.fn = () => {
      if (++got === total) resolve(performance.now() - t0);
      else if (sent < total) { sent++; lib.send(c, PAYLOAD); }
    };
    for (; sent < Math.min(window, total); sent++) lib.send(c, PAYLOAD);
  });
}

/** Echo throughput table and the lookup table. */
export async function throughput(srv, libs, R, { total = 100_000, window = 1000, rounds = 10, tag = "echo", log = () => {} } = {}) {
  await srv.call("reset");
  const names = libs.map((l) => l.name);
  const byName = new Map();
  for (const lib of libs) {
    const c = lib.connect(`${tag}-${lib.name}`);
    const route = { fn: () => {} };
    lib.onMessage(c, () => route.fn());
    byName.set(lib.name, { lib, c, route, rates: [] });
  }
  await until(() => [...byName.values()].every(({ lib, c }) => lib.isOpen(c)), { timeoutMs: 10_000 });
  for (let r = 0; r < rounds; r++) {
    for (const name of rotate(names, r)) {
      const x = byName.get(name);
      const ms = await pump(x.lib, x.c, x.route, { total, window });
      x.rates.push((total * 1000) / ms);
      log(`  ${tag} round ${r + 1} ${name}: ${Math.round(x.rates.at(-1))} msg/s`);
    }
  }
  for (const { lib, c } of byName.values()) lib.close(c);
  const base = byName.get(names[0]).rates;
  const results = Object.fromEntries([...byName].map(([n, x]) => [n, { rate: median(x.rates), ratio: median(x.rates.map((v, i) => v / base[i])) }]));
  const echo = markdown(["", ...names], [
    [`echo, 1 profile, ${num(total)} messages of 16 B, ${window} in flight: messages/s (median of ${rounds})`, ...names.map((n) => num(results[n].rate))],
    ["rate over this package's in the same round (median)", ...names.map((n) => `${results[n].ratio.toFixed(2)}x`)],
  ]);

  const { json } = await runWhereisBench(R, { runtime: `node ${process.version}`, sizes: [200], rounds, targetMs: 100 });
  const rows = json.results.filter((x) => !x.variant.includes("[extra]") && !x.variant.includes("churn"));
  const lookup = markdown(["finding a connection by profile, 200 profiles (26-char strings)", "ns per call", "x Map.get (paired)"],
    rows.map((x) => [`\`${x.variant}\``, x.nsPerCall.toFixed(1), `${x.ratio.toFixed(2)}x`]));
  return `${echo}\n\n${lookup}`;
}
