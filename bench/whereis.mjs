// Benchmark body for `whereis`, shared by Node (bench/node.mjs) and a browser
// page (bench/page.html via bench/browser.mjs). It only needs the package's
// API object, so each runner passes in whatever entry it imported:
//
//   import { runWhereisBench } from "./whereis.mjs";
//   const result = await runWhereisBench(R, { runtime: "node", log: console.log });
//   // result: { lines: [...table lines], json: {...}, checksum }
//
// For N in [16, 256]: N 26-character string profiles are registered in the
// default registry with object values, and a plain JS Map holds the same
// keys/values. Measured (ns per call, median of `rounds` measurements of
// ~`targetMs` each, variants interleaved round-robin, keys cycled in order):
//   Map.get(k)              the baseline
//   whereis({}, k)          one reused config object
//   whereis(undefined, k)
//   whereis(via)            via({}, k) precomputed per key
//   bind({}).whereis(k)     the registry view resolved once
//   whereis({}, miss)       extra: N never-registered keys (answered in JS)
// then, on the same N keys, the correctness-under-churn variant: between timed
// batches a random subset is unregistered and (mostly) re-registered with new
// value objects; every timed call checks identity against the expected current
// value (undefined for unregistered) and throws on a mismatch; after each
// churn step all keys are also checked (untimed) through whereis(undefined, k)
// and whereis(via). "Map.get+churn" does the same checked loop on a Map
// mutated the same way, as the like-for-like baseline for the churn row.
// The "x Map.get" ratio is paired: the median over rounds of each round's
// time over its baseline's in that same round.
//
// Every timed loop sums `value.id` into a checksum that is returned and
// printed, so the calls cannot be eliminated as dead code. The sum wraps to
// 32 bits (`| 0`): summed as it was before, it passed 2^31 within the first
// round at N = 256, and V8 deoptimised every loop there (Smi overflow) and
// compiled it again with floating-point sums; in Chromium the `whereis`
// loops came back 3-4 ns a call slower and `Map.get`'s did not, so that
// column measured the harness, not the lookup.

const PROFILE_LEN = 26;
const DEFAULT_SIZES = [16, 256];

// ---- timed loops (one function per variant keeps each call site monomorphic)

function loopMapGet(map, keys, iters) {
  const n = keys.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    acc = (acc + map.get(keys[i]).id) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function loopMapGetCopy(map, keys, iters) {
  const n = keys.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    acc = (acc + map.get(keys[i]).id) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function loopWhereisCfg(whereis, cfg, keys, iters) {
  const n = keys.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    acc = (acc + whereis(cfg, keys[i]).id) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function loopWhereisUndef(whereis, keys, iters) {
  const n = keys.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    acc = (acc + whereis(undefined, keys[i]).id) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function loopBound(reg, keys, iters) {
  const n = keys.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    acc = (acc + reg.whereis(keys[i]).id) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function loopWhereisVia(whereis, vias, iters) {
  const n = vias.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    acc = (acc + whereis(vias[i]).id) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function loopWhereisMiss(whereis, cfg, keys, iters) {
  const n = keys.length;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < iters; k++) {
    const v = whereis(cfg, keys[i]);
    acc = (acc + (v === undefined ? 1 : v.id + 1e9)) | 0;
    if (++i === n) i = 0;
  }
  return acc;
}

function churnMismatch(what, key, got, want) {
  const show = (v) => (v === undefined ? "undefined" : JSON.stringify(v));
  return new Error(`${what}: churn check failed for ${JSON.stringify(key)}: got ${show(got)}, expected ${show(want)}` +
    (got !== undefined && want !== undefined ? " (a different object with these fields)" : ""));
}

// `reps` full passes over the keys, each result identity-checked.
function loopMapChurn(map, keys, cur, reps) {
  const n = keys.length;
  let acc = 0;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const v = map.get(keys[i]);
      if (v !== cur[i]) throw churnMismatch("Map.get", keys[i], v, cur[i]);
      if (v !== undefined) acc = (acc + v.id) | 0;
    }
  }
  return acc;
}

function loopWhereisChurn(whereis, cfg, keys, cur, reps) {
  const n = keys.length;
  let acc = 0;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const v = whereis(cfg, keys[i]);
      if (v !== cur[i]) throw churnMismatch("whereis({}, k)", keys[i], v, cur[i]);
      if (v !== undefined) acc = (acc + v.id) | 0;
    }
  }
  return acc;
}

// ---- helpers

function mulberry32(seed) {
  let a = seed >>> 0;
  return function rand() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// "user-" + 20 digits + tag = 26 chars. JSON round trip = flat (non-cons)
// strings, like keys that arrive from the network or storage.
function makeKeys(n, base, tag) {
  const keys = [];
  for (let i = 0; i < n; i++) keys.push("user-" + String(base + i).padStart(20, "0") + tag);
  for (const k of keys) {
    if (k.length !== PROFILE_LEN) throw new Error(`profile ${k} is ${k.length} chars, expected ${PROFILE_LEN}`);
  }
  return JSON.parse(JSON.stringify(keys));
}

const newValue = (id, gen) => ({ id, gen });

/**
 * @param {object} R the package's API (start, register, unregister, whereis, via)
 * @param {{runtime?: string, log?: (line: string) => void, now?: () => number,
 *          sizes?: number[], rounds?: number, targetMs?: number, seed?: number}} [opts]
 */
export async function runWhereisBench(R, opts = {}) {
  const runtime = opts.runtime ?? "unknown";
  const log = opts.log ?? (() => {});
  const now = opts.now ?? (() => performance.now());
  const sizes = opts.sizes ?? DEFAULT_SIZES;
  const rounds = opts.rounds ?? 5;
  const targetMs = opts.targetMs ?? 300;
  const churnBatches = opts.churnBatches ?? 10; // timed batches per churn measurement
  const rand = mulberry32(opts.seed ?? 0x5eed);
  const yieldToLoop = () => new Promise((r) => setTimeout(r, 0));

  const { whereis, register, unregister, via } = R;
  R.start(); // the default registry ("ProfileRegistry"); a no-op if running

  const tStart = now();
  const elapsedByN = {};
  let checksum = 0;
  let churnSteps = 0;
  let churnChecks = 0;
  const rows = [];

  // Iterations for ~targetMs: grow until a run takes >= 20 ms, then scale.
  function calibrate(run, unit = 1) {
    let iters = unit * Math.max(1, Math.ceil(1000 / unit));
    for (;;) {
      const t0 = now();
      checksum += run(iters);
      const dt = now() - t0;
      if (dt >= 20) return Math.max(unit, Math.round((iters * targetMs) / dt / unit) * unit);
      iters *= dt < 2 ? 16 : 4;
    }
  }

  for (const n of sizes) {
    const tN = now();
    const keys = makeKeys(n, n * 1_000_000, "x");
    const missKeys = makeKeys(n, n * 1_000_000, "m");
    // Equal but distinct string objects: what a lookup costs when the Map's
    // key is not the very string passed in (as with the wasm-made mirror keys).
    const copyKeys = makeKeys(n, n * 1_000_000, "x");
    const map = new Map();
    for (let i = 0; i < n; i++) {
      const v = newValue(i, 0);
      register({}, keys[i], v);
      map.set(keys[i], v);
    }
    const cfg = {}; // the reused config object
    const vias = keys.map((k) => via({}, k));
    const bound = R.bind({});

    // Untimed sanity check of every form before timing.
    for (let i = 0; i < n; i++) {
      const want = map.get(keys[i]);
      for (const [what, got] of [
        ["whereis({}, k)", whereis(cfg, keys[i])],
        ["whereis(undefined, k)", whereis(undefined, keys[i])],
        ["whereis(via)", whereis(vias[i])],
        ["bind({}).whereis(k)", bound.whereis(keys[i])],
      ]) {
        if (got !== want) throw new Error(`${what} for ${keys[i]} is not the registered value`);
      }
      if (whereis(cfg, missKeys[i]) !== undefined) throw new Error(`whereis of unregistered ${missKeys[i]} is not undefined`);
    }

    const variants = [
      { name: "Map.get(k)", run: (it) => loopMapGet(map, keys, it) },
      { name: "whereis({}, k)", run: (it) => loopWhereisCfg(whereis, cfg, keys, it) },
      { name: "whereis(undefined, k)", run: (it) => loopWhereisUndef(whereis, keys, it) },
      { name: "whereis(via)", run: (it) => loopWhereisVia(whereis, vias, it) },
      { name: "bind({}).whereis(k)", run: (it) => loopBound(bound, keys, it) },
      { name: "whereis({}, miss) [extra]", run: (it) => loopWhereisMiss(whereis, cfg, missKeys, it) },
      { name: "Map.get(copy of k) [extra]", run: (it) => loopMapGetCopy(map, copyKeys, it) },
    ];
    for (const v of variants) v.iters = calibrate(v.run);
    for (const v of variants) v.samples = [];
    for (let r = 0; r < rounds; r++) {
      for (const v of variants) {
        const t0 = now();
        checksum += v.run(v.iters);
        const dt = now() - t0;
        v.samples.push((dt * 1e6) / v.iters);
      }
      await yieldToLoop(); // let the page/console breathe between rounds
    }

    // ---- churn: same keys; the registry and a Map mutated the same way.
    const curR = keys.map((k) => map.get(k)); // expected registry values
    const mapC = new Map(map);
    const curM = curR.slice(); // expected mapC values
    let gen = 0;

    // Unregister a random quarter, re-register ~7/8 of those with new objects;
    // steady state ~1/8 of keys unregistered (their lookups are misses).
    function churn(cur, apply, remove) {
      const k = Math.max(1, n >> 2);
      gen++;
      const picked = new Set();
      while (picked.size < k) picked.add(Math.floor(rand() * n));
      for (const i of picked) {
        if (cur[i] !== undefined) { remove(keys[i]); cur[i] = undefined; }
      }
      for (const i of picked) {
        if (rand() < 7 / 8) { const v = newValue(i, gen); apply(keys[i], v); cur[i] = v; }
      }
    }
    const churnRegistry = () => {
      churn(curR, (k, v) => register({}, k, v), (k) => unregister({}, k));
      churnSteps++;
      // Untimed: every other form agrees with the expected state too.
      for (let i = 0; i < n; i++) {
        const a = whereis(undefined, keys[i]);
        if (a !== curR[i]) throw churnMismatch("whereis(undefined, k)", keys[i], a, curR[i]);
        const b = whereis(vias[i]);
        if (b !== curR[i]) throw churnMismatch("whereis(via)", keys[i], b, curR[i]);
        churnChecks += 2;
      }
    };
    const churnMap = () => churn(curM, (k, v) => mapC.set(k, v), (k) => mapC.delete(k));

    // A measurement = `churnBatches` timed batches, churn (untimed) before each.
    const churnVariants = [
      { name: "Map.get+churn(check)", step: churnMap, batch: (reps) => loopMapChurn(mapC, keys, curM, reps) },
      { name: "whereis({}, k)+churn(check)", step: churnRegistry, batch: (reps) => loopWhereisChurn(whereis, cfg, keys, curR, reps) },
    ];
    for (const v of churnVariants) {
      for (let w = 0; w < 12; w++) v.step(); // reach the steady ~1/8 miss share first
      const perBatchCalls = calibrate((it) => v.batch(it / n), n) / churnBatches;
      v.reps = Math.max(1, Math.round(perBatchCalls / n));
      v.samples = [];
    }
    for (let r = 0; r < rounds; r++) {
      for (const v of churnVariants) {
        let t = 0;
        for (let b = 0; b < churnBatches; b++) {
          v.step();
          const t0 = now();
          checksum += v.batch(v.reps);
          t += now() - t0;
          if (v.step === churnRegistry) churnChecks += v.reps * n;
        }
        v.samples.push((t * 1e6) / (v.reps * n * churnBatches));
      }
      await yieldToLoop();
    }

    // Ratios are paired: each round's time over its baseline's in the same
    // round (Map.get(k), or Map.get+churn for the churn rows), then the
    // median, so the machine's speed drifting between rounds cancels out.
    for (const [group, base] of [[variants, variants[0]], [churnVariants, churnVariants[0]]]) {
      for (const v of group) {
        const ns = median(v.samples);
        const ratio = median(v.samples.map((x, r) => x / base.samples[r]));
        rows.push({
          n, variant: v.name, nsPerCall: +ns.toFixed(2), ratio: +ratio.toFixed(2),
          minNs: +Math.min(...v.samples).toFixed(2), maxNs: +Math.max(...v.samples).toFixed(2),
        });
      }
    }

    for (let i = 0; i < n; i++) if (curR[i] !== undefined) unregister({}, keys[i]);
    for (let i = 0; i < n; i++) {
      if (whereis(cfg, keys[i]) !== undefined) throw new Error(`${keys[i]} still found after unregister`);
    }
    elapsedByN[n] = Math.round(now() - tN);
  }

  // ---- report
  const lines = [];
  const pad = (s, w) => String(s).padEnd(w);
  const lpad = (s, w) => String(s).padStart(w);
  lines.push(`whereis benchmark [${runtime}] rounds=${rounds} ~${targetMs}ms/measurement, median ns/call (min..max)`);
  lines.push(`${lpad("N", 4)}  ${pad("variant", 30)} ${lpad("ns/call", 9)}  ${lpad("x Map.get", 9)}  range`);
  for (const r of rows) {
    lines.push(`${lpad(r.n, 4)}  ${pad(r.variant, 30)} ${lpad(r.nsPerCall.toFixed(2), 9)}  ${lpad(r.ratio.toFixed(2) + "x", 9)}  ${r.minNs.toFixed(2)}..${r.maxNs.toFixed(2)}`);
  }
  const elapsedMs = Math.round(now() - tStart);
  lines.push(`elapsed ${elapsedMs} ms (${Object.entries(elapsedByN).map(([n, ms]) => `N=${n}: ${ms} ms`).join(", ")})`);
  lines.push(`churn: ${churnSteps} churn steps, ${churnChecks} identity checks passed; checksum ${checksum}`);
  const json = { bench: "whereis", runtime, rounds, targetMs, profileLength: PROFILE_LEN, results: rows, elapsedMs, churnSteps, churnChecks, checksum };
  lines.push("BENCH_JSON " + JSON.stringify(json));
  for (const l of lines) log(l);
  return { lines, json, checksum };
}
