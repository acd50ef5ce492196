// The package's error classes. Errors are plain `Error`s whose `name` is the
// kind; each class recognises them with `instanceof` by that name.

export function errorClass(name) {
  return {
    [name]: class extends Error {
      constructor(message) { super(message); this.name = name; }
      static [Symbol.hasInstance](e) { return e instanceof Error && e.name === name; }
    },
  }[name];
}

export const AlreadyRegisteredError = errorClass("AlreadyRegisteredError");
export const RegistryNotStartedError = errorClass("RegistryNotStartedError");
export const UnknownModuleError = errorClass("UnknownModuleError");
export const InvalidProfileError = errorClass("InvalidProfileError");
export const InvalidConfigError = errorClass("InvalidConfigError");
export const InvalidHandleError = errorClass("InvalidHandleError");
export const RegistryModuleError = errorClass("RegistryModuleError");
export const QueueFullError = errorClass("QueueFullError");
export const ConnectionClosedError = errorClass("ConnectionClosedError");
export const InvalidDataError = errorClass("InvalidDataError");
export const NotInitializedError = errorClass("NotInitializedError");
export const UnsupportedRuntimeError = errorClass("UnsupportedRuntimeError");
export const CrossRequestError = errorClass("CrossRequestError");

/** workerd's refusal of a socket made in another request, as a CrossRequestError (or undefined for any other error). */
export function crossRequest(e, json) {
  if (/different request/.test(e?.message)) return typed("CrossRequestError", `${json}'s socket is an ended request's; in a Worker use a Durable Object: profile-registry/cloudflare`);
}

/** An `Error` named `name` with `props` set on it. */
export function typed(name, message, props) {
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, props); // no props: nothing set
}

export const configError = (why) => typed("InvalidConfigError", `invalid config: ${why}`);
export const profileError = (why) => typed("InvalidProfileError", `invalid profile: ${why}`);

/** Reports an exception with no caller to throw to, as the DOM does. */
export function report(err) {
  try {
    if (typeof globalThis.reportError === "function") globalThis.reportError(err);
    else console.error(err);
  } catch {
    // a reporter that throws has nowhere left to report to
  }
}
