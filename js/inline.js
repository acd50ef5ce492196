// profile-registry with its wasm inlined: ready at import, with no separate
// file to serve and no `init()` to await. What bundlers (esbuild, Rollup,
// Vite, webpack) and Deno get for `import ... from "profile-registry"`;
// `profile-registry/web` is the smaller form that fetches the `.wasm` file.
//
// @example
// import { start, connect } from "profile-registry"; // no init, no top-level await
// start();
// connect({ profile: "alice", url: "wss://chat.example.com/ws" });
/* @ts-self-types="./index.d.ts" */
import { initSync } from "./index.js";
import { wasmBytes } from "./profile_registry_inline.js";

initSync({ module: wasmBytes() });

export * from "./index.js";
export { default } from "./index.js";
