// A worker of hostile.test.mjs: loads its own copy of the package (from
// workerData.pkg, a directory URL) and runs one job, posting each result as
// it goes, so a job that kills the wasm is reported case by case and leaves
// the other jobs' copies alone.
//   { kind: "cases", groups }  the hostile-table cases of these groups, in
//                              order, stopping after a group that broke
//                              the module (the rest go to a fresh worker)
//   { kind: "stress", name }  one stress class (hostile-stress.mjs)
import { parentPort, workerData } from "node:worker_threads";

import { buildCases, runCase, setup } from "./hostile-cases.mjs";
import { STRESS } from "./hostile-stress.mjs";

const pr = await import(new URL("node.js", workerData.pkg).href);
const state = { dead: null, uncaught: [] };
// Exceptions thrown from the package's timers and socket handlers reach
// here: they count against the case in flight.
process.on("uncaughtException", (e) => state.uncaught.push(e));

if (workerData.kind === "cases") {
  const ctx = setup(pr);
  const cases = buildCases();
  for (const group of workerData.groups) {
    parentPort.postMessage({ type: "group", group });
    for (const c of cases.filter((x) => x.group === group)) {
      let r;
      try {
        r = await runCase(ctx, c, state);
      } catch (e) {
        r = { ok: false, problems: [`the case itself failed: ${e?.stack ?? e}`], outcome: "" };
        state.dead ??= c.name;
      }
      parentPort.postMessage({ type: "result", index: c.index, ...r });
    }
    if (state.dead) {
      parentPort.postMessage({ type: "died" }); // the groups after this one go to a fresh worker
      break;
    }
  }
} else {
  const job = STRESS.find((s) => s.name === workerData.name);
  const r = await job.run(pr, state);
  parentPort.postMessage({ type: "stress", ...r });
}
parentPort.postMessage({ type: "done" });
