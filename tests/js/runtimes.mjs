// Helpers to run code in the edge runtimes that profile-registry supports,
// using binaries shipped inside npm packages (nothing is downloaded):
//   - Deno:    the `deno` npm package (binary from @deno/<platform>);
//   - workerd: `miniflare` (which depends on `workerd`, binary from
//              @cloudflare/workerd-<platform>).
// Pins (package.json): miniflare 4.20260426.0 is the last release that runs on
// Node 20 (later ones require Node >= 22); deno 2.9.5 because the registry
// lacks 2.9.6's non-linux platform packages, which left them out of
// package-lock.json and made `npm ci` fail. Both work with `npm ci
// --ignore-scripts` too (denoBinary() does the deno postinstall's job).
//
// Outbound WebSockets from a workerd worker (checked with miniflare
// 4.20260426.0 / workerd 2026-04-26, against server.mjs on 127.0.0.1, offline;
// see runtimes.test.mjs). BOTH ways work, no compatibility flag needed (also
// seen working with compatibilityDate 2022-01-01 and 2024-01-01):
//
//   1. The standard constructor, as in browsers:
//        const ws = new WebSocket("ws://127.0.0.1:PORT/?profile=p");
//        ws.binaryType = "arraybuffer";  // the default is "blob", as in browsers
//        ws.addEventListener("open", ...); // open/message/close/error events
//      A refused handshake (e.g. HTTP 503 from /control/refuse) shows as an
//      `error` event ("expected server to reply with HTTP status code 101 ...
//      but received 503"), then `close`.
//      This is the path the library's default transport (globalThis.WebSocket) takes.
//
//   2. The Workers-specific fetch upgrade:
//        const resp = await fetch("http://127.0.0.1:PORT/?profile=p",   // http(s)://, not ws://
//                                 { headers: { Upgrade: "websocket" } });
//        const ws = resp.webSocket;   // null when refused: then resp.status is e.g. 503
//        ws.accept();                 // open from here on: there is NO "open" event
//        ws.send("x"); ws.addEventListener("message", ...);
//
// Miniflare's workerd lets workers reach 127.0.0.1 (private addresses) by
// default, so a worker can talk to the test server directly. Pass the server
// URLs in `bindings` (plain text bindings become `env.NAME`).
//
// Wasm in workerd: a module of type "CompiledWasm" is imported by its path
// (`import mod from "./x.wasm"`) and yields a WebAssembly.Module; instantiate
// it synchronously with `new WebAssembly.Instance(mod, imports)`. Compiling
// from bytes at run time is refused by workerd ("Wasm code generation
// disallowed by embedder" from WebAssembly.compile / instantiate(bytes)), so
// the web entry's init(bytes or URL) does not work there: hand
// the imported Module to its init / initSync instead.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

let denoPath;
/** Absolute path of the Deno binary shipped by the `deno` npm package. */
export function denoBinary() {
  if (denoPath) return denoPath;
  try {
    // Same lookup the package's own launcher (bin.cjs) does: returns the
    // binary next to the package, or the one in @deno/<platform>.
    denoPath = require("deno/install_api.cjs").runInstall();
  } catch {
    denoPath = path.join(here, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno");
  }
  if (!fs.existsSync(denoPath)) throw new Error(`Deno binary not found (${denoPath}); run npm ci in tests/js`);
  return denoPath;
}

/**
 * Runs `deno run --allow-read --allow-net --allow-env --no-prompt <scriptPath> [...args]`.
 * Resolves `{ code, signal, stdout, stderr, timedOut }`; never rejects for a
 * failing script (check `code`). On timeout the process is killed (SIGKILL),
 * `timedOut` is true and `code` is null.
 *
 * @param {string} scriptPath
 * @param {{ env?: Record<string,string>, timeoutMs?: number, args?: string[], flags?: string[], cwd?: string }} [opts]
 */
export function runInDeno(scriptPath, { env = {}, timeoutMs = 30_000, args = [], flags = [], cwd } = {}) {
  const argv = ["run", "--allow-read", "--allow-net", "--allow-env", "--no-prompt", ...flags, scriptPath, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(denoBinary(), argv, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[runInDeno] killed after ${timeoutMs} ms`;
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Starts a workerd instance (through Miniflare) running one ES-module worker,
 * sends it one request and returns `{ status, text, headers }`; Miniflare is
 * always disposed before this resolves or rejects.
 *
 * @param {{
 *   modules: Array<{ type: "ESModule" | "CommonJS" | "Text" | "Data" | "CompiledWasm", path: string, contents?: string | Uint8Array }>,
 *   bindings?: Record<string, unknown>,
 *   requestPath?: string,
 *   requestInit?: RequestInit,
 *   timeoutMs?: number,
 *   compatibilityDate?: string,
 *   compatibilityFlags?: string[],
 *   modulesRoot?: string,
 * }} opts
 *   modules: the first one is the entry point (an "ESModule" with a default
 *   export { fetch }). `path` names the module; other modules import it by the
 *   relative path (e.g. "./pkg/x_bg.wasm"). Without `contents` the file at
 *   `path` is read. Relative paths are taken from `modulesRoot`
 *   (default: tests/js/), and every module must lie under it: to load the
 *   built package, pass e.g. modulesRoot: <repo root> and path "pkg/x_bg.wasm".
 */
export async function runInWorkerd({
  modules,
  bindings = {},
  requestPath = "/",
  requestInit = {},
  timeoutMs = 30_000,
  compatibilityDate = "2026-04-01",
  compatibilityFlags = [],
  modulesRoot = here,
}) {
  // Imported lazily: loading miniflare costs ~100 ms and Deno-only users don't need it.
  const { Miniflare } = await import("miniflare");
  // Module names are paths relative to modulesRoot; workerd refuses names
  // that climb out of it with "..".
  const root = path.resolve(modulesRoot);
  const mods = modules.map((m) => {
    const abs = path.resolve(root, m.path);
    if (path.relative(root, abs).startsWith("..")) throw new Error(`module ${m.path} is outside modulesRoot ${root}`);
    return { type: m.type, path: abs, contents: m.contents ?? fs.readFileSync(abs) };
  });
  const deadline = Date.now() + timeoutMs;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`runInWorkerd timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  let mf;
  try {
    mf = new Miniflare({
      modules: mods,
      modulesRoot: root,
      bindings,
      compatibilityDate,
      compatibilityFlags,
    });
    const run = (async () => {
      await mf.ready;
      const url = new URL(requestPath, "http://localhost");
      const res = await mf.dispatchFetch(url, {
        ...requestInit,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      const text = await res.text();
      return { status: res.status, text, headers: Object.fromEntries(res.headers) };
    })();
    run.catch(() => {}); // if the timeout wins, don't leave an unhandled rejection
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
    // dispose() stops the workerd child process; bound it too.
    if (mf) await Promise.race([mf.dispose().catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}

/**
 * The summary a driver script printed as its last line of JSON; throws with
 * both output streams when there is none.
 */
export function summary(stdout, stderr) {
  const line = stdout.trim().split("\n").at(-1);
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`no JSON summary:\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

/**
 * The package's browser entry as workerd modules (paths relative to the
 * repository root): every JS file of pkg/ but node.js, and the wasm as a
 * CompiledWasm module.
 */
export function packageModules() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const js = fs.readdirSync(path.join(root, "pkg")).filter((f) => f.endsWith(".js") && f !== "node.js").sort();
  return [
    ...js.map((f) => ({ type: "ESModule", path: `pkg/${f}` })),
    { type: "CompiledWasm", path: "pkg/profile_registry_bg.wasm" },
  ];
}
