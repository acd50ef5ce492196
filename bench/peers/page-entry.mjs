// The browser page's script (bundled by scenarios/browser.mjs): the same
// libraries and fleet as in Node, over the browser's own WebSocket, as
// `window.bench` once `window.startBench({ wsUrl, sioUrl, wasmUrl })` resolves.
import init, * as R from "../../pkg/index.js";
import { libraries } from "./libraries.mjs";
import { fleet } from "./fleet.mjs";

window.startBench = async ({ wsUrl, sioUrl, wasmUrl }) => {
  await init({ module_or_path: wasmUrl });
  window.bench = fleet(libraries({ R, WebSocket, wsUrl, sioUrl }));
  return window.bench.names();
};
