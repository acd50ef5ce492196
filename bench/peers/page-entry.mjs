// The browser page's script (bundled by scenarios/browser.mjs): the same
// libraries and client side as in Node (clients.mjs), over the browser's own
// WebSocket, as `window.bench` once `window.startBench({ wsUrl, sioUrl,
// wasmUrl })` resolves. The server child's commands go through
// `window.benchServer(cmd, args)`, which browser.mjs exposes to the page.
import init, * as R from "../../pkg/index.js";
import { libraries } from "./libraries.mjs";
import { clients } from "./clients.mjs";

const srv = { call: (cmd, args) => window.benchServer(cmd, args) };

window.startBench = async ({ wsUrl, sioUrl, wasmUrl }) => {
  await init({ module_or_path: wasmUrl });
  window.bench = clients(srv, libraries({ R, WebSocket, wsUrl, sioUrl }));
  return window.bench.names();
};
