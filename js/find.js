// Finding a connection by its profile, typed: `connection()` is `whereis()`
// narrowed to a `Connection`, so TypeScript gives `Connection | undefined`
// with no cast, and a value that is not a connection is an error instead of
// a wrong type.
import { Connection } from "./connection.js";
import { configError } from "./errors.js";
import { whereis } from "./registry.js";

/**
 * The live `Connection` of the profile, or `undefined`: `connection(config,
 * profile)`, `connection(via)` or `connection({ profile })`, found as
 * `whereis` finds it (one `Map.get` for a scalar profile in a default-module
 * registry), the same object across reconnects.
 *
 * @example
 * start();
 * connect({ profile: "alice", url: "wss://chat.example.com/ws" });
 * connection(undefined, "alice")?.send("hi"); // Connection<"alice"> | undefined
 * connection(undefined, "bob");               // undefined
 */
export function connection(config, profile) {
  const v = whereis(config, profile);
  try {
    if (v === undefined || v instanceof Connection) return v;
  } catch {
    // a Proxy whose getPrototypeOf trap throws (or a revoked one): not a connection
  }
  throw configError("the registry holds a value that is not a Connection under this profile (put there by register(), not connect()); read it with whereis()");
}

