// Loading the wasm for `init()`, with a failure that says what to do
// instead of a bare "Invalid URL string." (a Worker, where the module has
// no URL) or "HTTP 404" (a bundle that did not emit the `.wasm` file).
import { typed } from "./errors.js";

/**
 * `loader()`, or, when it failed loading the package's own file
 * (`defaulted`), a NotInitializedError naming the fixes (the cause kept).
 *
 * @example
 * await load(() => instantiate(new URL("profile_registry_bg.wasm", import.meta.url)), true); // in a Worker: NotInitializedError "... initSync({ module }) ..."
 */
export async function load(loader, defaulted) {
  try {
    return await loader();
  } catch (cause) {
    if (!defaulted) throw cause;
    throw typed("NotInitializedError", `profile-registry could not load its wasm (${cause?.message}). In a Cloudflare Worker: \`import module from "profile-registry/profile_registry_bg.wasm"\`, then \`initSync({ module })\`. With a bundler: import "profile-registry" (wasm inlined, no init).`, { cause });
  }
}
