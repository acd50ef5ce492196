// Writes pkg/package.json from Cargo.toml's metadata and the package layout.
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const field = (k) => cargo.match(new RegExp(`^${k} = "([^"]*)"`, "m"))?.[1];

// The default entry's modules (js/*.js but node.js), as scripts/build.sh copies them.
const ENTRY_FILES = ["index.js", "boundary.js", "errors.js", "read.js", "registry.js", "connection.js", "wasm.js"];

const pkg = {
  name: field("name"),
  version: field("version"),
  description: field("description"),
  license: field("license"),
  repository: { type: "git", url: field("repository") },
  keywords: ["websocket", "reconnect", "registry", "wasm", "cloudflare-workers", "deno"],
  type: "module",
  main: "./node.js",
  module: "./index.js",
  browser: "./index.js",
  types: "./index.d.ts",
  exports: {
    ".": {
      types: "./index.d.ts",
      node: "./node.js",
      deno: "./node.js",
      default: "./index.js",
    },
    "./node": { types: "./index.d.ts", default: "./node.js" },
    "./web": { types: "./index.d.ts", default: "./index.js" },
    "./profile_registry_bg.wasm": "./profile_registry_bg.wasm",
    "./package.json": "./package.json",
  },
  files: [...ENTRY_FILES, "node.js", "index.d.ts", "profile_registry_bg.wasm", "README.md"],
  sideEffects: ["./node.js"],
  engines: { node: ">=18" },
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
