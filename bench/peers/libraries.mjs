// The five clients under one small interface, so every scenario drives them
// the same way. Runs in Node and in the browser (bundled by browser.mjs):
// it imports the peers and takes profile-registry's API object and the
// WebSocket constructor from the caller.
//
//   const libs = libraries({ R, WebSocket, wsUrl, sioUrl });
//   const c = libs[0].connect("alice");        // what an app calls to connect a profile
//   libs[0].onMessage(c, (data) => ...);
//   libs[0].send(c, "1");                      // throws where the library refuses
//   libs[0].isOpen(c); libs[0].close(c); libs[0].attempts.n;
//   libs[0].onReject?.(c, (n) => ...);       // only where a final close counts unsent messages
//
// "connect" is each library's own way to get a connection for a profile:
// profile-registry's `connect` (with `onDuplicate: "existing"`, so a second
// connect of a live profile returns it), a new ReconnectingWebSocket /
// partysocket / socket.io client (they have no lookup by profile, so each
// call is a new client), and the hand-rolled map's `connect`.
import ReconnectingWebSocket from "reconnecting-websocket";
import PartySocketWebSocket from "partysocket/ws";
import { io } from "socket.io-client";
import { handRolled } from "./handrolled.mjs";

/** The common reconnect policy: first retry 250 ms, doubling, capped at 5 s, jitter 0.5 where offered. */
export const POLICY = Object.freeze({ firstMs: 250, factor: 2, maxMs: 5000, jitter: 0.5 });

/** A fixed, short policy for the reconnect-cycle memory scenario (10 ms, no growth, no jitter). */
export const CHURN_POLICY = Object.freeze({ firstMs: 10, factor: 1, maxMs: 10, jitter: 0 });

export const NAMES = ["profile-registry", "reconnecting-websocket", "partysocket", "socket.io-client", "hand-rolled"];

/** What each library is configured with for `policy`, in words (printed with the results). */
export function settings(policy = POLICY) {
  const { firstMs, factor, maxMs, jitter } = policy;
  const rws = `minReconnectionDelay ${firstMs}, reconnectionDelayGrowFactor ${factor}, maxReconnectionDelay ${maxMs}; no jitter option; connectionTimeout 4000 and minUptime 5000 (defaults: the retry count resets only after 5 s up); queue unbounded (default)`;
  return {
    "profile-registry": `reconnect { minDelayMs ${firstMs}, factor ${factor}, maxDelayMs ${maxMs}, jitter ${jitter} } (delay uniform in [base, base*(1+jitter)]); onDuplicate "existing"; queue defaults (1024 messages, 1 MiB)`,
    "reconnecting-websocket": rws,
    partysocket: `the same options as reconnecting-websocket (partysocket/ws is its fork): ${rws}`,
    "socket.io-client": `reconnectionDelay ${firstMs}, reconnectionDelayMax ${maxMs}, randomizationFactor ${jitter} (delay base*(1±jitter)); factor fixed at 2 by the library; transports ["websocket"] (no polling first); forceNew (a cached Manager would carry another profile's query)`,
    "hand-rolled": `Map<profile, WebSocket>: first retry ${firstMs} ms, x${factor}, cap ${maxMs} ms, reset on open, no jitter, no queue (handrolled.mjs)`,
  };
}

/** The five adapters, each with its own socket-attempt counter (`attempts.n`). */
export function libraries({ R, WebSocket, wsUrl, sioUrl, policy = POLICY }) {
  const url = (profile) => `${wsUrl}/?profile=${encodeURIComponent(profile)}`;
  const counting = (counter) => class extends WebSocket {
    constructor(...args) {
      super(...args);
      counter.n++;
    }
  };
  const { firstMs, factor, maxMs, jitter } = policy;

  const ours = { name: "profile-registry", attempts: { n: 0 } };
  const oursWs = counting(ours.attempts);
  R.start();
  Object.assign(ours, {
    connect: (profile) => R.connect({
      profile, url: url(profile), WebSocket: oursWs, onDuplicate: "existing",
      reconnect: { minDelayMs: firstMs, maxDelayMs: maxMs, factor, jitter },
    }),
    send: (c, data) => c.send(data),
    isOpen: (c) => c.state === "open",
    onMessage: (c, fn) => c.on("message", (e) => fn(e.data)),
    onReject: (c, fn) => c.on("close", (e) => { if (e.final) fn(e.rejected); }),
    close: (c) => c.close(),
  });

  const reconnecting = (name, Class) => {
    const lib = { name, attempts: { n: 0 } };
    const ws = counting(lib.attempts);
    return Object.assign(lib, {
      connect: (profile) => new Class(url(profile), [], {
        WebSocket: ws, minReconnectionDelay: firstMs, maxReconnectionDelay: maxMs, reconnectionDelayGrowFactor: factor,
      }),
      send: (c, data) => c.send(data),
      isOpen: (c) => c.readyState === 1,
      onMessage: (c, fn) => c.addEventListener("message", (e) => fn(e.data)),
      close: (c) => c.close(),
    });
  };

  const sio = { name: "socket.io-client", attempts: { n: 0 } };
  Object.assign(sio, {
    connect(profile) {
      const s = io(sioUrl, {
        transports: ["websocket"], forceNew: true, query: { profile },
        reconnectionDelay: firstMs, reconnectionDelayMax: maxMs, randomizationFactor: jitter,
      });
      sio.attempts.n++;
      s.io.on("reconnect_attempt", () => { sio.attempts.n++; });
      return s;
    },
    send: (s, data) => s.send(data),
    isOpen: (s) => s.connected,
    onMessage: (s, fn) => s.on("message", fn),
    close: (s) => s.disconnect(),
  });

  const hand = { name: "hand-rolled", attempts: { n: 0 } };
  const map = handRolled(counting(hand.attempts), { firstMs, factor, maxMs });
  Object.assign(hand, {
    connect: (profile) => ({ profile, entry: map.connect(profile, url(profile)) }),
    send: (c, data) => map.get(c.profile).ws.send(data),
    isOpen: (c) => c.entry.ws.readyState === 1,
    onMessage: (c, fn) => { c.entry.onmessage = fn; },
    close: (c) => map.close(c.profile),
  });

  return [ours, reconnecting("reconnecting-websocket", ReconnectingWebSocket), reconnecting("partysocket", PartySocketWebSocket), sio, hand];
}
