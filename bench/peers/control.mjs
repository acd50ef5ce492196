// The parent's side of server.mjs: forks it, and turns its IPC commands
// into promises. The child is killed when `stop()` is called or this
// process exits.
//
//   const srv = await startServers();
//   await srv.call("reset");
//   const { maxPerProfile } = await srv.call("stats");
//   srv.stop();
//
// `until` and `sleep` live in wait.mjs (no Node imports, so the page can
// have them too) and are re-exported here.
import { fork } from "node:child_process";

export { until, sleep } from "./wait.mjs";

/** Forks the servers; resolves to `{ ports, wsUrl, sioUrl, call(cmd, args), stop() }`. */
export async function startServers() {
  const child = fork(new URL("./server.mjs", import.meta.url), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map();
  let next = 0;
  const kill = () => child.kill();
  process.on("exit", kill);
  await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server child exited with ${code}`)));
    child.on("message", (m) => {
      if (m.ready) return resolve();
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
  });
  const call = (cmd, args) => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    child.send({ id, cmd, args });
  });
  const ports = await call("ports");
  return {
    ports,
    wsUrl: `ws://127.0.0.1:${ports.ws}`,
    sioUrl: `http://127.0.0.1:${ports.sio}`,
    call,
    stop() {
      process.off("exit", kill);
      child.disconnect();
    },
  };
}
