// Fresh consumer projects for the matrix (run.mjs): the package's npm
// tarball, packed once, installed into a new temporary project per consumer
// as a user would (`npm install ./profile-registry-X.tgz`), with the
// fixture's files copied in. The bundlers themselves stay in this folder's
// node_modules (installed once, pinned by package.json and its lockfile) and
// are driven through their APIs or binaries from here.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "../..");
export const BIN = path.join(HERE, "node_modules/.bin");
const FIXTURES = path.join(HERE, "fixtures");

/**
 * Runs `file args` and resolves `{ code, stdout, stderr }` (never rejects for
 * a non-zero exit); killed after `timeoutMs`.
 *
 * @example
 * const { code, stdout } = await run("node", ["-v"]);
 */
export function run(file, args, { cwd, env = {}, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number" && !err.killed) return reject(err);
        resolve({ code: err ? (err.killed ? null : err.code) : 0, stdout, stderr });
      });
  });
}

/** `run`, throwing with both output streams unless the command exits 0. */
export async function mustRun(file, args, opts) {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/**
 * A temporary workspace: `pack()` packs pkg/ once into it; `project(name,
 * fixture, extra)` makes a fresh project that has the tarball installed and
 * the fixture's files; `dispose()` removes it all.
 *
 * @example
 * const ws = await workspace();
 * const dir = await ws.project("vite", "browser");
 */
export async function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-registry-consumers-"));
  let tarball;
  async function pack() {
    if (tarball) return tarball;
    const { stdout } = await mustRun("npm", ["pack", path.join(ROOT, "pkg"), "--pack-destination", dir, "--json", "--loglevel=error"]);
    tarball = path.join(dir, JSON.parse(stdout)[0].filename);
    return tarball;
  }
  async function project(name, fixture, { type = "module" } = {}) {
    const proj = path.join(dir, name);
    fs.mkdirSync(proj);
    fs.cpSync(path.join(FIXTURES, fixture), proj, { recursive: true });
    fs.writeFileSync(path.join(proj, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, type }, null, 2));
    await mustRun("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", await pack()], { cwd: proj });
    return proj;
  }
  return { dir, pack, project, get tarball() { return tarball; }, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
