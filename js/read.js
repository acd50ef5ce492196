// Reading JS values, guarded in one place: every config, via, option and
// profile is read here, each key at most once per call, and any exception a
// getter or Proxy throws becomes a typed error. What it hands on is plain:
// strings (names, a profile's canonical JSON) and numbers.
import { configError, profileError } from "./errors.js";
import { W, ok } from "./boundary.js";

export const DEFAULT_MODULE = "Registry";
export const DEFAULT_NAME = "ProfileRegistry";

/** A short description of any value for messages; never throws. */
export function describe(v) {
  try {
    const t = typeof v;
    switch (t) {
      case "undefined": return t;
      case "number": case "boolean": return `the ${t} ${v}`;
      case "bigint": return `the bigint ${v}n`;
      case "symbol": case "function": return `a ${t}`;
      case "string": {
        const s = v.slice(0, 40).replace(/\p{Cs}/gu, "\ufffd");
        return `the string ${JSON.stringify(s)}${s.length < v.length ? "..." : ""}`;
      }
    }
    if (v === null) return "null";
    if (Array.isArray(v)) return "an array";
    if (v instanceof Error) return `an error: ${JSON.stringify(String(v.message))}`;
    return "a value of type object";
  } catch {
    return "a value that cannot be inspected";
  }
}

/** Whether a string is well-formed UTF-16 (no lone surrogates). */
export const wellFormed = (s) => !/\p{Cs}/u.test(s);

/** `o[k]`, with a throwing getter or Proxy trap as an error of `make`. */
export function get(o, k, make = configError) {
  try {
    return o[k];
  } catch (e) {
    throw readError(k, e, make);
  }
}

/** The error for reading key `k` that threw `e`. */
export function readError(k, e, make = configError) {
  return make(`reading ${JSON.stringify(k)} threw: ${describe(e)}`);
}

/** Whether `v` is an array; a revoked Proxy answers "no" instead of throwing. */
export function isArray(v) {
  try { return Array.isArray(v); } catch { return false; }
}

const MAX_DEPTH = 8, MAX_ITEMS = 64, MAX_STRING_UNITS = 1024, MAX_JSON = 64 * 1024;
const SUFFIX = " cannot be a profile; use a string, a safe integer, a boolean, or an array of these";

/**
 * A profile's canonical JSON, as the wasm reads it (it checks everything
 * again). The walk is bounded: past the 8 levels, 64 items or 64 KiB the
 * wasm allows, it stops and lets the wasm say which bound was passed.
 */
export function profileJson(v) {
  const parts = [], budget = { size: 0 };
  walk(v, 0, parts, budget);
  if (budget.size > MAX_JSON) {
    throw profileError(`a profile may take at most ${MAX_JSON} bytes in its canonical (JSON) form; use a shorter key, such as an account id`);
  }
  return parts.join("");
}

function stringJson(s) {
  if (s.length > MAX_STRING_UNITS) {
    throw profileError(`a string profile may be at most ${MAX_STRING_UNITS} bytes long, got ${s.length} characters`);
  }
  if (!wellFormed(s)) throw profileError("a string profile must be well-formed UTF-16 (it has a lone surrogate)");
  return JSON.stringify(s);
}

function walk(v, depth, parts, budget) {
  const t = typeof v;
  const j = t === "string" ? stringJson(v) : t === "number" || t === "boolean" ? String(v) : undefined;
  if (j === undefined && !isArray(v)) throw profileError(isVia(v) ? VIA_AS_PROFILE : `${describe(v)}${SUFFIX}`);
  if (j !== undefined) {
    budget.size += j.length + 1;
    parts.push(j);
  } else if (depth >= MAX_DEPTH) {
    parts.push("["); // the wasm reports the nesting
    return;
  } else {
    const len = get(v, "length", profileError);
    if (typeof len !== "number" || len > MAX_ITEMS) {
      parts.push(`[${"0,".repeat(MAX_ITEMS)}0]`); // the wasm reports the length
      return;
    }
    parts.push("[");
    for (let i = 0; i < len; i++) {
      if (i > 0) parts.push(",");
      walk(get(v, i, profileError), depth + 1, parts, budget);
      if (budget.size > MAX_JSON) return; // the wasm reports the size
    }
    parts.push("]");
    budget.size += 2;
  }
}

const VIA_AS_PROFILE = "a via cannot be a profile: it carries its own; pass the via as the config, as in whereis(v), or pass v.profile";

/** Whether `v` looks like a via (`{ via, name, profile }`); never throws, reads nothing. */
function isVia(v) {
  try { return v !== null && typeof v === "object" && "via" in v && "profile" in v; } catch { return false; }
}

/**
 * A profile validated by the wasm: `{ json, value }`, `value` a fresh,
 * deeply frozen copy of a list, the caller's own string or boolean, or the
 * number as the JSON reads (0 for -0).
 */
export function readProfile(v) {
  const json = ok(W().check(profileJson(v)));
  return { json, value: typeof v === "object" ? deepFreeze(JSON.parse(json)) : typeof v === "number" ? Number(json) : v };
}

function deepFreeze(a) {
  if (typeof a === "object") {
    for (const x of a) deepFreeze(x);
    Object.freeze(a);
  }
  return a;
}

/** A registry (`what` 0) or module (1) name: a well-formed, non-empty string of at most 256 bytes. */
export function readName(v, what, label) {
  if (typeof v !== "string") throw configError(`${label} must be a string, got ${describe(v)}`);
  if (!wellFormed(v)) throw configError(`${label} must be well-formed UTF-16 (it has a lone surrogate)`);
  ok(W().name_ok(what, v));
  return v;
}

/** A module object's three functions, read once: `{ obj, register, lookup, unregister }`; not an object, InvalidConfigError "`what`, got ...". */
export function readModule(obj, what) {
  if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) throw configError(`${what}, got ${describe(obj)}`);
  const fns = { obj };
  for (const f of ["register", "lookup", "unregister"]) {
    const fn = get(obj, f);
    if (typeof fn !== "function") {
      throw configError(`a registry module object must have register, lookup and unregister functions; ${f} is missing`);
    }
    fns[f] = fn;
  }
  return fns;
}

function moduleFrom(v) {
  if (v === undefined) return DEFAULT_MODULE;
  if (typeof v === "string") return readName(v, 1, "a module name");
  return readModule(v, "registry.module must be a module name or a module object with register, lookup and unregister");
}

const DEFAULT_TARGET = Object.freeze({ module: DEFAULT_MODULE, name: DEFAULT_NAME, profile: undefined });

/**
 * A config (`undefined`, `{ profile?, registry? }`) or via (`{ via, name,
 * profile }`) read once: `{ module, name, profile }` where `module` is a
 * module name or `readModule`'s result and `profile` the raw value (or
 * undefined). `extra` keys (connect's options) are read into `out`; `call`
 * names the call for the message of a profile given where the config goes
 * (see `checkConfig`).
 */
export function readTarget(config, call, extra, out) {
  if (config === undefined) return DEFAULT_TARGET;
  checkConfig(config, call);
  const via = get(config, "via");
  if (via !== undefined) return viaTarget(via, get(config, "name"), get(config, "profile"));
  const profile = get(config, "profile");
  const registry = get(config, "registry");
  if (extra) for (const k of extra) out[k] = get(config, k);
  return configTarget(registry, profile);
}

/**
 * Throws InvalidConfigError unless `config` is an object that is not an
 * array. Given a profile instead (or, for calls that take only a config, a
 * registry name), the message names the call to make: `call` is its name,
 * followed by `:` for a call that takes only a config.
 *
 * @example
 * checkConfig("alice", "whereis");
 * // InvalidConfigError: invalid config: a config must be an object such as { registry: "Name" } or a via,
 * // got the string "alice"; for the profile "alice" in the default registry: whereis(undefined, "alice")
 * checkConfig("Tenants", "keys:"); // ...; for the registry "Tenants": keys({ registry: "Tenants" })
 */
export function checkConfig(config, call) {
  if (config === null || typeof config !== "object" || isArray(config)) {
    throw configError(`a config must be an object such as { registry: "Name" } or a via, got ${describe(config)}${callHint(config, call)}`);
  }
}

// The hint of `checkConfig`: the call to make with `v` where it belongs.
function callHint(v, call = "") {
  const t = typeof v;
  const ex = t === "string" ? (v.length <= 40 && wellFormed(v) ? JSON.stringify(v) : "")
    : t === "boolean" || (t === "number" && Number.isSafeInteger(v)) ? String(v)
    : isArray(v) ? "[...]" : "";
  if (!call || !ex) return "";
  if (call.endsWith(":")) return t === "string" ? `; for the registry ${ex}: ${call.slice(0, -1)}({ registry: ${ex} })` : "";
  return `; for the profile ${ex} in the default registry: ${call}(undefined, ${ex}${call === "register" ? ", value" : ""})`;
}

/** The target of a via, from its `via`, `name` and `profile` (read by the caller). */
export function viaTarget(via, name, profile) {
  return { module: moduleFrom(via), name: readName(name, 0, "via.name"), profile };
}

/** Module objects whose registry name defaults to DEFAULT_NAME (profile-registry/cloudflare). */
export const nameless = new WeakSet();

/**
 * The key of a built-in module's entry (WebLocks, durableObjects): its
 * registry name and the profile's canonical JSON.
 *
 * @example
 * entryKey("ProfileRegistry", JSON.stringify(["acme", 7])); // 'ProfileRegistry\n["acme",7]'
 */
export const entryKey = (name, json) => `${name}\n${json}`;

/** The target of a config, from its `registry` and `profile` (read by the caller). */
export function configTarget(registry, profile) {
  if (registry === undefined) return { module: DEFAULT_MODULE, name: DEFAULT_NAME, profile };
  if (typeof registry === "string") return { module: DEFAULT_MODULE, name: readName(registry, 0, "registry"), profile };
  if (registry !== null && typeof registry === "object" && !isArray(registry)) {
    const module = moduleFrom(get(registry, "module"));
    const name = get(registry, "name");
    // `{ module: "WebLocks" }` alone means its default registry (profile-registry/weblocks).
    return { module, name: readName(name === undefined && (module === "WebLocks" || nameless.has(module.obj)) ? DEFAULT_NAME : name, 0, "registry.name"), profile };
  }
  throw configError(`registry must be a registry name or { module, name }, got ${describe(registry)}`);
}

/** The own keys of an options object, for rejecting unknown ones. */
export function ownKeys(o, what) {
  try {
    return Reflect.ownKeys(o);
  } catch (e) {
    throw configError(`listing the keys of ${what} threw: ${describe(e)}`);
  }
}

/** Throws InvalidConfigError for a key of `o` not in `known`. */
export function onlyKnown(o, known, what) {
  for (const k of ownKeys(o, what)) {
    if (!known.includes(k)) {
      throw configError(`${what} has no option ${typeof k === "string" ? JSON.stringify(k) : "keyed by a symbol"}; the known ones are ${known.join(", ")}`);
    }
  }
}


/**
 * `url` with its secrets masked, for every message that names it: the
 * userinfo before the authority's last `@` and every query value become
 * `***` (`wss://***@host/path?token=***&v=***`), the rest stays as it was.
 * Works on any string, a url that failed its check too.
 */
export function redact(url) {
  // The authority: after the first "://" (or from 0) up to / ? # or \.
  const i = url.indexOf("://"), start = i < 0 ? 0 : i + 3;
  const n = url.slice(start).search(/[/?#\\]/), end = n < 0 ? url.length : start + n;
  const at = url.lastIndexOf("@", end - 1);
  // Each query (from a ? to the next #) has its values, up to the next &, masked.
  return (at < start ? url.slice(0, end) : `${url.slice(0, start)}***${url.slice(at, end)}`)
    + url.slice(end).replace(/\?[^#]*/g, (q) => q.replace(/=[^&]*/g, "=***"));
}

/** Whether the WHATWG URL parser (the WebSocket constructor's) reads `u`. */
function parses(u) {
  try { return !!new URL(u); } catch { return false; }
}

/**
 * Throws unless `url` is a WebSocket url the WebSocket constructor takes:
 * an InvalidConfigError naming it redacted, what is wrong and what to do.
 *
 * The verdict is the WHATWG URL parser's (the WebSocket constructor's own),
 * after checks of the url as written that are stricter in a few places, so
 * that typos fail here with a reason rather than reach a server as
 * something else: whitespace and control characters (which the parser
 * strips or percent-encodes; JS's whitespace, so U+FEFF too) and lone
 * surrogates (which it reads as U+FFFD), a `#` (the
 * constructor throws for any fragment, an empty one too), a start other
 * than `ws://` or `wss://` in any case (the parser also reads `ws:h`,
 * `ws:/h` and `ws:///h` as `ws://h/`), no host before the first `/`, `?`
 * or `\` (`ws://\h` too), and a port that is not a number from 0 to 65535
 * (the parser takes `ws://h:` for `ws://h`). The host is the parser's to
 * judge: it is stricter than a character check (IPv4 numbers, IPv6
 * addresses, IDNA).
 */
export function checkUrl(url) {
  const why = urlProblem(url);
  if (why) throw configError(`url ${JSON.stringify(redact(url))} ${why}`);
}

/** Why `url` is no WebSocket url (the rest of "url "..." "), or undefined. */
function urlProblem(url) {
  const c = /[\s\0-\x1f\x7f-\x9f]|\p{Cs}/u.exec(url);
  if (c) return `must not contain whitespace, control characters or lone surrogates (found ${JSON.stringify(c[0])}); percent-encode them`;
  if (url.includes("#")) return "must not have a #fragment; WebSocket urls cannot carry one, remove it";
  // The host (an IPv6 one in [ ]) and port, after the authority's last @.
  const [, host, port] = /^wss?:\/\/(?:[^/?\\]*@)?((?:\[[^\]/?\\]*\]?)?[^:/?\\]*)(?::([^/?\\]*))?/i.exec(url) ?? [];
  if (!host) return "must start with ws:// or wss:// and a host: ws://host[:port]/path (wss:// for a TLS server)";
  const badPort = port !== undefined && !(/^\d+$/.test(port) && port <= 65535);
  if (parses(badPort ? `ws://${host}` : url)) {
    return badPort ? `has an invalid port ${JSON.stringify(port)}; use a number from 0 to 65535` : undefined;
  }
  return `has an invalid host ${JSON.stringify(host)}; use a domain name or an IP address (IPv6 in [ ])`;
}
