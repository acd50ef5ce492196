// Run a command with the test WebSocket server up:
//
//   node tests/js/with-server.mjs [--static DIR] [--port N] -- <command> [args...]
//
// Starts server.mjs in this process on 127.0.0.1 (a free port unless --port),
// runs <command> with WS_TEST_URL=ws://127.0.0.1:PORT and
// WS_CONTROL_URL=http://127.0.0.1:PORT in its environment and this process's
// stdio, then stops the server and exits with the command's exit code
// (128+signal if it died of a signal). SIGINT/SIGTERM are forwarded to the
// command; the server is stopped when the command ends.
//
// Example: node tests/js/with-server.mjs -- wasm-pack test --headless --chrome

import { spawn } from "node:child_process";
import os from "node:os";
import { startServer } from "./server.mjs";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
if (sep < 0 || sep === argv.length - 1) {
  console.error("usage: node with-server.mjs [--static DIR] [--port N] -- <command> [args...]");
  process.exit(2);
}
const own = argv.slice(0, sep);
const [cmd, ...cmdArgs] = argv.slice(sep + 1);
const opt = (name) => {
  const i = own.indexOf(name);
  return i >= 0 ? own[i + 1] : undefined;
};

const srv = await startServer({ staticDir: opt("--static"), port: Number(opt("--port") ?? 0) });
console.error(`[with-server] WS_TEST_URL=${srv.url} WS_CONTROL_URL=${srv.httpUrl}`);

const child = spawn(cmd, cmdArgs, {
  stdio: "inherit",
  env: { ...process.env, WS_TEST_URL: srv.url, WS_CONTROL_URL: srv.httpUrl },
});

// Forward signals; the child decides how to die, and we exit after it.
// A second signal of the same kind kills it hard.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  let seen = 0;
  process.on(sig, () => {
    seen += 1;
    if (child.exitCode === null && child.signalCode === null) child.kill(seen > 1 ? "SIGKILL" : sig);
  });
}

const code = await new Promise((resolve) => {
  child.once("error", (err) => {
    console.error(`[with-server] cannot run ${cmd}: ${err.message}`);
    resolve(127);
  });
  child.once("exit", (c, signal) => resolve(c ?? 128 + (os.constants.signals[signal] ?? 1)));
});

// Never hang on shutdown, whatever a client left open.
setTimeout(() => process.exit(code), 3000).unref();
await srv.close();
process.exit(code);
