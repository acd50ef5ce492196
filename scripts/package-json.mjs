// Writes pkg/package.json from Cargo.toml's metadata and the package layout.
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const field = (k) => cargo.match(new RegExp(`^${k} = "([^"]*)"`, "m"))?.[1];

// The default entry's modules (js/*.js but node.js and server.js), as scripts/build.sh copies them.
const ENTRY_FILES = ["index.js", "boundary.js", "errors.js", "read.js", "registry.js", "connection.js", "pacer.js", "find.js", "load.js", "wasm.js"];

// Which file each environment gets (ARCHITECTURE.md, "The npm package"):
// bundlers, Node and Deno the self-initialising entry with the wasm inlined
// (nothing to serve or read, no `init()`, no top-level await; a bundle of it
// for Node needs no file beside it either), as ESM or, for `require`,
// CommonJS; wrangler (workerd) the entry that imports the `.wasm` as a
// module; `./web` the smallest form, which fetches the `.wasm` next to it
// after `await init()`.
const ESM_TYPES = "./index.d.ts";
const CJS_TYPES = "./index.d.cts";
const esm = (file) => ({ types: ESM_TYPES, default: file });
const node = { import: esm("./inline.js"), require: { types: CJS_TYPES, default: "./node.cjs" } };

const pkg = {
  name: field("name"),
  version: field("version"),
  description: field("description"),
  license: field("license"),
  repository: { type: "git", url: field("repository") },
  keywords: ["websocket", "reconnect", "registry", "wasm", "cloudflare-workers", "deno"],
  type: "module",
  main: "./node.cjs",
  module: "./inline.js",
  types: CJS_TYPES,
  exports: {
    ".": { workerd: esm("./workerd.js"), deno: esm("./inline.js"), node, default: esm("./inline.js") },
    "./node": node,
    "./web": esm("./index.js"),
    // The server fence: plain JS, no wasm (Node, Deno, workerd).
    "./server": { types: "./server.d.ts", default: "./server.js" },
    // The "WebLocks" registry module (one owner per origin): plugged in on import, outside the default entry's size.
    "./weblocks": { types: "./weblocks.d.ts", default: "./weblocks.js" },
    // The Durable Object class and registry module for Cloudflare Workers: one owner per profile across isolates.
    "./cloudflare": { types: "./cloudflare.d.ts", default: "./cloudflare.js" },
    // The React hook (React is an optional peer dependency, never bundled).
    "./react": { types: "./react.d.ts", default: "./react.js" },
    "./profile_registry_bg.wasm": { types: "./profile_registry_bg.wasm.d.ts", default: "./profile_registry_bg.wasm" },
    "./package.json": "./package.json",
  },
  // `moduleResolution: "node"` (node10) reads no "exports": it finds the
  // subpaths' declarations here.
  typesVersions: { "*": { node: [CJS_TYPES], web: [ESM_TYPES], server: ["./server.d.ts"], weblocks: ["./weblocks.d.ts"], cloudflare: ["./cloudflare.d.ts"], react: ["./react.d.ts"], "profile_registry_bg.wasm": ["./profile_registry_bg.wasm.d.ts"] } },
  files: [
    ...ENTRY_FILES, "inline.js", "profile_registry_inline.js", "inflate.js", "workerd.js", "node.cjs",
    ESM_TYPES.slice(2), CJS_TYPES.slice(2), "profile_registry_bg.wasm", "profile_registry_bg.wasm.d.ts",
    "server.js", "server.d.ts", "weblocks.js", "weblocks.d.ts", "cloudflare.js", "cloudflare.d.ts", "react.js", "react.d.ts", "README.md",
  ],
  sideEffects: ["./node.cjs", "./inline.js", "./workerd.js", "./weblocks.js", "./cloudflare.js"],
  // Tested on Node 20 (the ESM and the CommonJS entries, tests/consumers).
  engines: { node: ">=20" },
  peerDependencies: { react: ">=18" },
  peerDependenciesMeta: { react: { optional: true } },
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
