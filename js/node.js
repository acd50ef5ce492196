// profile-registry for Node and Deno: the same API as the main entry, with
// the wasm already loaded from the package's own file (no `init()` needed).
import { readFileSync } from "node:fs";
import { initSync } from "./index.js";

initSync({ module: readFileSync(new URL("./profile_registry_bg.wasm", import.meta.url)) });

export * from "./index.js";
export { default } from "./index.js";
