// profile-registry/react: `useConnection`, a React hook over `connect()`.
// Every component that uses a profile shares its one Connection: the first
// user connects, the last one to unmount closes it (unless asked to keep
// it). The close waits a microtask, so StrictMode's mount, unmount and mount
// again keep the one socket. State reaches React through
// `useSyncExternalStore`; each user adds one message listener, removed when
// it unmounts.
import { useEffect, useRef, useSyncExternalStore } from "react";
import { checkProfile, connect, connection, resolve } from "profile-registry";

const IDLE = Object.freeze({ connection: undefined, state: "idle" });
const shares = new Map(); // the share's key -> share, while it has a user or a subscriber
const opened = new WeakSet(); // connections this hook made (only those it closes)
const moduleIds = new WeakMap(); // module objects -> a number, for keys
let lastModule = 0;

/** The key of a registry and profile: the module, the registry's name and the profile's canonical JSON. */
function keyOf(registry, profile) {
  const { module, name } = resolve({ registry });
  let m = module;
  if (typeof m !== "string") {
    if (!moduleIds.has(m)) moduleIds.set(m, ++lastModule);
    m = moduleIds.get(m);
  }
  return JSON.stringify([m, name, checkProfile(profile)]);
}

/** The share of `key`: one connection, its users and React's subscribers. */
function shareOf(key) {
  let s = shares.get(key);
  if (s === undefined) {
    s = { key, conn: undefined, users: 0, keep: false, off: undefined, subs: new Set(), snap: IDLE };
    s.subscribe = (fn) => {
      s.subs.add(fn);
      return () => { s.subs.delete(fn); forget(s); };
    };
    s.get = () => s.snap;
    shares.set(key, s);
  }
  return s;
}

function publish(s) {
  s.snap = s.conn === undefined ? IDLE : Object.freeze({ connection: s.conn, state: s.conn.state });
  for (const fn of [...s.subs]) fn();
}

/** One more user of the share: connects unless a live connection is there (made by this hook or not). */
function acquire(s, config, keep) {
  s.users++;
  s.keep ||= keep;
  if (s.conn !== undefined && s.conn.state !== "closed") return;
  const { keep: _keep, onMessage: _onMessage, ...options } = config;
  let conn = connection({ registry: options.registry }, options.profile);
  if (conn === undefined) {
    conn = connect({ ...options, onDuplicate: "existing" });
    opened.add(conn);
  }
  s.off?.();
  s.conn = conn;
  s.off = conn.on("statechange", () => publish(s));
  publish(s);
}

/** One user fewer; once none is left (after StrictMode's remount had its chance), the connection closes. */
function release(s) {
  s.users--;
  queueMicrotask(() => {
    if (s.users > 0) return;
    const conn = s.conn;
    if (conn !== undefined && !s.keep && opened.has(conn)) conn.close();
    s.off?.();
    s.off = undefined;
    s.conn = undefined;
    s.keep = false;
    publish(s);
    forget(s);
  });
}

function forget(s) {
  if (s.users === 0 && s.subs.size === 0 && s.conn === undefined && shares.get(s.key) === s) shares.delete(s.key);
}

/**
 * The Connection of `config.profile`, shared by every component that uses
 * it, and its state: `{ connection, state }`, `state` `"idle"` until the
 * first effect has connected. Takes `connect()`'s options (the first user's
 * are used; `onDuplicate` is always `"existing"`), `onMessage`, a listener
 * for the connection's messages (the latest one passed is called), and
 * `keep: true` to leave the connection open when the last user unmounts.
 * The registry must be started (`start()`).
 *
 * @example
 * import { start } from "profile-registry";
 * import { useConnection } from "profile-registry/react";
 * start();
 * function Chat({ user }) {
 *   const { connection, state } = useConnection({ profile: user, url: "wss://chat.example.com/ws", onMessage: (e) => console.log(e.data) });
 *   return <button disabled={state !== "open"} onClick={() => connection?.send("hi")}>send</button>;
 * }
 */
export function useConnection(config) {
  const { profile, registry, keep = false, onMessage } = config;
  const key = keyOf(registry, profile);
  const s = shareOf(key);
  const latest = useRef(config);
  latest.current = config;
  const snap = useSyncExternalStore(s.subscribe, s.get, s.get);
  useEffect(() => {
    const share = shareOf(key);
    acquire(share, latest.current, keep);
    return () => release(share);
  }, [key, keep]);
  const conn = snap.connection;
  const listening = onMessage !== undefined;
  useEffect(() => {
    if (conn === undefined || !listening) return undefined;
    return conn.on("message", (e) => latest.current.onMessage?.(e));
  }, [conn, listening]);
  return snap;
}
