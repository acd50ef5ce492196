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
// The wasm's module first, with no imports of its own: a bundle then
// starts with the base64, and gzip packs the code after it without mixing
// the two (~500 B smaller than with the code first).
import { WASM, WASM_LENGTH, WASM_ADLER32 } from "./profile_registry_inline.js";
import { inflate } from "./inflate.js";
import { initSync } from "./index.js";

const s = atob(WASM);
const deflated = new Uint8Array(s.length);
for (let i = 0; i < s.length; i++) deflated[i] = s.charCodeAt(i);
initSync({ module: inflate(deflated, WASM_LENGTH, WASM_ADLER32) });

export * from "./index.js";
export { default } from "./index.js";
