// The consumer matrix: the npm tarball of pkg/ in a fresh project per
// bundler or runtime, built with no configuration (no plugins but Rollup's
// node-resolve, no optimizeDeps, no copy step, no target change), then an
// echo round trip through the local test server, counted at the server:
// in headless Chromium for browser bundles (Vite 5 and 8, build and dev;
// webpack 5; esbuild; Rollup 4), in Node (ESM, require, esbuild's
// --platform=node bundles), Deno (--allow-net only) and workerd (wrangler's
// dry-run output of the README's Worker). Then the declarations under every
// moduleResolution without the DOM lib, and attw and publint on the tarball.
//
//   node tests/consumers/run.mjs            (needs pkg/: bash scripts/build.sh)
//   CONSUMERS_ONLY=vite5-dev,deno node tests/consumers/run.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { HERE, ROOT, BIN, run, mustRun, workspace } from "./projects.mjs";
import { startServer } from "../js/server.mjs";
import { denoBinary } from "../js/runtimes.mjs";

const only = process.env.CONSUMERS_ONLY?.split(",");
const from = (name) => import(pathToFileURL(path.join(HERE, "node_modules", name, "package.json")).href, { with: { type: "json" } })
  .then(() => import(name));
const TIMEOUT = 180_000;

let ws, srv, browser;
before(async () => {
  for (const f of ["pkg/package.json", "pkg/inline.js", "pkg/node.cjs"]) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: bash scripts/build.sh first`);
  }
  if (!fs.existsSync(BIN)) throw new Error("tests/consumers/node_modules is missing: bash scripts/setup.sh");
  ws = await workspace();
  await ws.pack();
  srv = await startServer();
});
after(async () => {
  await browser?.close().catch(() => {});
  await srv?.close();
  ws?.dispose();
});

function consumer(name, body) {
  test(name, { timeout: TIMEOUT, skip: only && !only.includes(name) && "not in CONSUMERS_ONLY" }, () => body(name));
}

/** The echo server's url for `profile`; the server counts that profile's sockets. */
const wsUrl = (profile) => `${srv.url}/?profile=${profile}`;

/** The server saw `name`'s socket, one at a time, and its message. */
function assertCounted(name) {
  const c = srv.stats().profiles[name];
  assert.ok(c, `the server saw no socket of ${name}`);
  assert.equal(c.max, 1, `${name}: at most one socket at a time`);
  assert.ok(c.messages >= 1, `${name}: the server echoed nothing`);
}

/** Opens `url?ws=...` in Chromium and waits for the page's window.__result. */
async function echoInBrowser(name, url) {
  if (!browser) browser = await (await import("../js/e2e/harness.mjs")).launch();
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(`${url}${url.includes("?") ? "&" : "?"}ws=${encodeURIComponent(wsUrl(name))}`);
    const result = await page.waitForFunction(() => window.__result, null, { timeout: 15_000, polling: 50 })
      .then((h) => h.jsonValue())
      .catch((e) => ({ error: `no result: ${e.message}` }));
    assert.deepEqual(result, { echo: "hello from the bundle", same: true }, `page errors: ${errors.join("\n")}`);
  } finally {
    await page.close();
  }
  assertCounted(name);
}

/** Serves `dir` with a page that loads `script`, and echoes in Chromium. */
async function echoBuilt(name, dir, script) {
  if (script) fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="./${script}"></script>\n`);
  const files = await startServer({ staticDir: dir });
  try {
    await echoInBrowser(name, `${files.httpUrl}/index.html`);
  } finally {
    await files.close();
  }
}

/** Runs `args` (a script and its flags) and checks the echo it prints. */
async function echoInProcess(name, file, args, expected, opts) {
  const { code, stdout, stderr } = await run(file, [...args, wsUrl(name)], { timeoutMs: 30_000, ...opts });
  assert.equal(code, 0, `exit ${code}\nstdout: ${stdout}\nstderr: ${stderr}`);
  assert.deepEqual(JSON.parse(stdout.trim().split("\n").at(-1)), { echo: expected, same: true }, stderr);
  assertCounted(name);
}

for (const [label, pkgName] of [["vite5", "vite5"], ["vite8", "vite"]]) {
  consumer(`${label}-build`, async (name) => {
    const proj = await ws.project(name, "browser");
    const { build } = await from(pkgName);
    await build({ root: proj, configFile: false, logLevel: "warn" });
    await echoBuilt(name, path.join(proj, "dist"));
  });
  consumer(`${label}-dev`, async (name) => {
    const proj = await ws.project(name, "browser");
    const { createServer } = await from(pkgName);
    const server = await createServer({ root: proj, configFile: false, logLevel: "warn", server: { host: "127.0.0.1", port: 0 } });
    try {
      await server.listen();
      const { port } = server.httpServer.address();
      await echoInBrowser(name, `http://127.0.0.1:${port}/`);
    } finally {
      await server.close();
    }
  });
}

consumer("webpack5", async (name) => {
  const proj = await ws.project(name, "browser");
  const { default: webpack } = await from("webpack");
  const stats = await new Promise((resolve, reject) =>
    // What `npx webpack` with no config does in the project: ./src to ./dist/main.js.
    webpack({ mode: "production", context: proj, output: { path: path.join(proj, "dist") } }, (err, s) => (err ? reject(err) : resolve(s))));
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  await echoBuilt(name, path.join(proj, "dist"), "main.js");
});

consumer("esbuild-browser", async (name) => {
  const proj = await ws.project(name, "browser");
  await mustRun(path.join(BIN, "esbuild"), ["src/index.js", "--bundle", "--outfile=dist/app.js"], { cwd: proj });
  await echoBuilt(name, path.join(proj, "dist"), "app.js");
});

consumer("rollup4", async (name) => {
  const proj = await ws.project(name, "browser");
  const { rollup } = await from("rollup");
  const { nodeResolve } = await from("@rollup/plugin-node-resolve");
  const bundle = await rollup({ input: path.join(proj, "src/index.js"), plugins: [nodeResolve()], onwarn: (w) => { throw new Error(w.message); } });
  await bundle.write({ file: path.join(proj, "dist/app.js"), format: "es" });
  await bundle.close();
  await echoBuilt(name, path.join(proj, "dist"), "app.js");
});

consumer("react-strictmode", async (name) => {
  // The page (fixtures/react) bundled by esbuild from the tarball, React 19 in
  // development (StrictMode mounts every effect twice); 10 page loads, each
  // with its own profile, counted at the server.
  const proj = await ws.project(name, "react");
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const chat = readme.slice(readme.indexOf("## React")).match(/```jsx\n([\s\S]*?)```/)?.[1];
  assert.ok(chat, "README.md has a ```jsx block under ## React");
  fs.writeFileSync(path.join(proj, "src/chat.jsx"), chat.replace('"wss://chat.example.com/ws"', "globalThis.CHAT_URL"));
  const esbuild = await from("esbuild");
  await esbuild.build({
    entryPoints: [path.join(proj, "src/index.jsx")], outfile: path.join(proj, "app.js"), bundle: true, format: "esm",
    jsx: "automatic", nodePaths: [path.join(HERE, "node_modules")], define: { "process.env.NODE_ENV": '"development"' }, logLevel: "error",
  });
  const files = await startServer({ staticDir: proj });
  if (!browser) browser = await (await import("../js/e2e/harness.mjs")).launch();
  try {
    for (let load = 1; load <= 10; load++) {
      const profile = `${name}-${load}`;
      const page = await browser.newPage();
      const logged = [];
      page.on("console", (m) => logged.push(m.text()));
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      try {
        await page.goto(`${files.httpUrl}/index.html?profile=${profile}&ws=${encodeURIComponent(wsUrl(profile))}&chat=${encodeURIComponent(wsUrl(`${profile}-chat`))}`);
        const result = await page.waitForFunction(() => window.__result, null, { timeout: 15_000, polling: 50 })
          .then((h) => h.jsonValue()).catch((e) => ({ error: `no result: ${e.message}` }));
        const messages = ["m1", "m2", "m3", "m4", "m5"];
        assert.deepEqual(result.received, [messages, messages, messages], `load ${load}: each listener heard each echo once; ${JSON.stringify(result)} ${errors.join("\n")}`);
        assert.equal(result.oneConnection, true, `load ${load}: one Connection shared`);
        assert.equal(result.closedWithLastUser, true, `load ${load}: closed when the last user unmounted`);
        assert.deepEqual(errors, [], `load ${load}: no page error`);
      } finally {
        await page.close();
      }
      const c = srv.stats().profiles[profile];
      assert.ok(c, `load ${load}: the server saw the socket`);
      assert.equal(c.max, 1, `load ${load}: at most one socket at a time`);
      assert.equal(c.total, 1, `load ${load}: StrictMode's double mount opened no second socket`);
      assert.equal(c.messages, 5, `load ${load}: the server echoed each send once`);
      const chatCount = srv.stats().profiles[`${profile}-chat`];
      assert.deepEqual([chatCount?.max, chatCount?.total, chatCount?.messages], [1, 1, 1], `load ${load}: the README example: one socket, its click sent once`);
      assert.ok(logged.includes("hi"), `load ${load}: the README example logged the echo: ${logged}`);
    }
  } finally {
    await files.close();
  }
});

const NODE = [process.execPath, "--experimental-websocket", "--no-warnings"];

consumer("node-esm", async (name) => {
  const proj = await ws.project(name, "node");
  await echoInProcess(name, NODE[0], [...NODE.slice(1), "app.mjs"], "hello from node", { cwd: proj });
});

consumer("node-require", async (name) => {
  const proj = await ws.project(name, "node", { type: "commonjs" });
  await echoInProcess(name, NODE[0], [...NODE.slice(1), "app.cjs"], "hello from require", { cwd: proj });
});

for (const [format, app, out] of [["cjs", "app.cjs", "app.cjs"], ["esm", "app.mjs", "app.mjs"]]) {
  consumer(`esbuild-node-${format}`, async (name) => {
    const proj = await ws.project(name, "node");
    await mustRun(path.join(BIN, "esbuild"), [app, "--bundle", "--platform=node", `--format=${format}`, `--outfile=dist/${out}`], { cwd: proj });
    // The bundle alone, away from node_modules: nothing to read beside it.
    const alone = path.join(ws.dir, `${name}-alone`);
    fs.mkdirSync(alone);
    fs.copyFileSync(path.join(proj, "dist", out), path.join(alone, out));
    await echoInProcess(name, NODE[0], [...NODE.slice(1), out], app.endsWith(".cjs") ? "hello from require" : "hello from node", { cwd: alone });
  });
}

consumer("deno", async (name) => {
  const proj = await ws.project(name, "deno");
  const env = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  await mustRun(denoBinary(), ["check", "app.ts"], { cwd: proj, env });
  await echoInProcess(name, denoBinary(), ["run", "--no-prompt", "--allow-net=127.0.0.1", "app.ts"], "hello from deno", { cwd: proj, env });
});

/** The README's Worker example (the ```ts block under "Bundlers and runtimes" that has `export default`). */
function readmeWorker() {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Bundlers and runtimes"));
  const block = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("export default {"));
  assert.ok(block, "README.md has a Worker example under ## Bundlers and runtimes");
  return block;
}

/** `wrangler deploy --dry-run` of `proj`, then one request (to `route`) to its output in workerd (with `extra` Miniflare options). */
async function wranglerFetch(proj, bindings, route = "/", extra = {}) {
  const env = { WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1", WRANGLER_LOG_PATH: path.join(proj, "logs") };
  await mustRun(path.join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], { cwd: proj, env });
  const dist = path.join(proj, "dist");
  const { Miniflare } = await from("miniflare");
  const mf = new Miniflare({
    scriptPath: path.join(dist, "index.js"),
    modules: true,
    modulesRoot: dist,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    bindings,
    ...extra,
  });
  try {
    const res = await mf.dispatchFetch(`http://localhost${route}`, { signal: AbortSignal.timeout(20_000) });
    return { status: res.status, text: await res.text(), files: fs.readdirSync(dist) };
  } finally {
    await mf.dispose();
  }
}

consumer("wrangler", async (name) => {
  const proj = await ws.project(name, "worker");
  fs.mkdirSync(path.join(proj, "src"), { recursive: true });
  fs.writeFileSync(path.join(proj, "src/index.ts"), readmeWorker());
  const { status, text, files } = await wranglerFetch(proj, { CHAT_URL: wsUrl(name) });
  assert.ok(files.some((f) => f.endsWith(".wasm")), `wrangler bundled the wasm: ${files}`);
  assert.equal(status, 200, text);
  assert.equal(text, "hello");
  assertCounted(name);
});

consumer("wrangler-cloudflare", async (name) => {
  // README's Cloudflare section: its wrangler.toml and its Worker, as written.
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Cloudflare Workers"));
  const toml = section.match(/```toml\n([\s\S]*?)```/)?.[1];
  const worker = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(toml && worker?.includes("export { ProfileConnections }"), "README.md has the Cloudflare section's wrangler.toml and Worker");
  const proj = await ws.project(name, "worker");
  fs.writeFileSync(path.join(proj, "wrangler.toml"), toml);
  fs.mkdirSync(path.join(proj, "src"), { recursive: true });
  fs.writeFileSync(path.join(proj, "src/index.ts"), worker);
  const { status, text, files } = await wranglerFetch(proj, { CHAT_URL: `${srv.url}/` }, `/?user=${name}`,
    { durableObjects: { PROFILES: { className: "ProfileConnections", useSQLite: true } } });
  assert.ok(files.some((f) => f.endsWith(".wasm")), `wrangler bundled the wasm: ${files}`);
  assert.equal(status, 200, text);
  assert.equal(text, "hello");
  assertCounted(name);
});

consumer("wrangler-web-errors", async (name) => {
  // "profile-registry/web" with the browser quickstart's `await init()` in a Worker.
  const proj = await ws.project(name, "worker-web");
  const { status, text } = await wranglerFetch(proj, {});
  assert.equal(status, 200, text);
  const { beforeInit, init } = JSON.parse(text);
  assert.equal(beforeInit?.name, "NotInitializedError", text);
  assert.match(beforeInit.message, /await init\(\)/);
  assert.match(beforeInit.message, /Cloudflare Worker, `initSync\(\{ module \}\)`/);
  assert.equal(init?.name, "NotInitializedError", text);
  assert.match(init.message, /could not load its wasm \(Invalid URL string\.\)/);
  assert.match(init.message, /import module from "profile-registry\/profile_registry_bg\.wasm"`, then `initSync\(\{ module \}\)`/);
});

// moduleResolution x the project's module format; lib ES2022 only (no DOM),
// skipLibCheck off: the package's declarations must stand on their own.
const TS = [
  ["bundler", "module", { module: "esnext", moduleResolution: "bundler" }],
  ["node16-esm", "module", { module: "node16", moduleResolution: "node16" }],
  ["node16-cjs", "commonjs", { module: "node16", moduleResolution: "node16" }],
  ["nodenext-esm", "module", { module: "nodenext", moduleResolution: "nodenext" }],
  ["nodenext-cjs", "commonjs", { module: "nodenext", moduleResolution: "nodenext" }],
  ["node10", "commonjs", { module: "commonjs", moduleResolution: "node10", esModuleInterop: true }],
];
for (const [label, type, options] of TS) {
  consumer(`types-${label}`, async (name) => {
    const proj = await ws.project(name, "types", { type });
    const compilerOptions = { ...options, target: "es2022", lib: ["es2022"], types: [], strict: true, skipLibCheck: false, noEmit: true };
    const files = [type === "commonjs" ? "consumer-cjs.ts" : "consumer.ts"];
    fs.writeFileSync(path.join(proj, "tsconfig.json"), JSON.stringify({ compilerOptions, files }, null, 2));
    await mustRun(path.join(BIN, "tsc"), ["-p", "."], { cwd: proj });
  });
}

consumer("attw", async () => {
  const attw = (...args) => mustRun(path.join(BIN, "attw"), [ws.tarball, "--format", "table-flipped", ...args]);
  await ws.pack();
  // Every rule for the entries with a CommonJS form; the rest ("./web", the
  // .wasm) are ESM only by design, so every rule but that one.
  await attw("--entrypoints", ".", "node");
  await attw("--ignore-rules", "cjs-resolves-to-esm");
});

consumer("publint", async () => {
  const proj = await ws.project("publint", "types");
  await mustRun(path.join(BIN, "publint"), [path.join(proj, "node_modules/profile-registry"), "--strict"]);
});
