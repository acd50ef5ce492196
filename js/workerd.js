// profile-registry for Cloudflare Workers (workerd, through wrangler's
// "workerd" export condition): the `.wasm` is imported as a module, which
// wrangler bundles and workerd compiles, and instantiated at import, so the
// Worker needs no `init()` (workerd refuses to compile wasm from bytes or a
// URL at run time).
//
// @example
// import { start, connect } from "profile-registry"; // in a Worker's module
/* @ts-self-types="./index.d.ts" */
import module from "./profile_registry_bg.wasm";
import { initSync } from "./index.js";

initSync({ module });

export * from "./index.js";
export { default } from "./index.js";
