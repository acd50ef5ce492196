// Loading the wasm for `init()`: wasm-bindgen's loader, with a failure that
// says what to do instead of the loader's bare "Invalid URL string." (a
// Worker, where the module has no URL) or "HTTP status code is not ok" (a
// bundle that did not emit the `.wasm` file).
import { typed } from "./errors.js";

/**
 * `loader(input)`, or a NotInitializedError naming the fixes (the cause kept).
 *
 * @example
 * await load(glueInit, undefined); // in a Worker: NotInitializedError "... initSync({ module }) ..."
 */
export async function load(loader, input) {
  try {
    return await loader(input);
  } catch (cause) {
    if (input !== undefined) throw cause;
    throw typed("NotInitializedError", `profile-registry could not load its wasm (${cause?.message}). In a Cloudflare Worker: \`import module from "profile-registry/profile_registry_bg.wasm"\`, then \`initSync({ module })\`. With a bundler: import "profile-registry" (wasm inlined, no init).`, { cause });
  }
}
