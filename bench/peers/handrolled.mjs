// The hand-rolled baseline: what an app writes without a library, a
// `Map<profile, WebSocket>` with a reconnect on close. Its policy: the first
// retry `firstMs` after a close, doubling up to `maxMs`, reset once a socket
// opens; no jitter (the usual hand-written loop has none), no send queue (a
// send on a socket that is not open throws while CONNECTING and is dropped
// by the socket once CLOSED, as the WebSocket API does). `connect` of a
// profile already in the map returns its entry, so it never makes a second
// socket for a profile; `close` removes the entry.
//
// Its minified, gzipped size is the baseline's bundle size.
//
//   const sockets = handRolled(WebSocket, { firstMs: 250, factor: 2, maxMs: 5000 });
//   const e = sockets.connect("alice", "ws://127.0.0.1:8080/?profile=alice");
//   e.onmessage = (data) => console.log(data);
//   sockets.get("alice").ws.send("hi");
//   sockets.close("alice");

/** A `Map<profile, { ws, onmessage }>` whose sockets reconnect on close with exponential backoff. */
export function handRolled(WebSocket, { firstMs = 250, factor = 2, maxMs = 5000 } = {}) {
  const entries = new Map();
  function open(e) {
    const ws = (e.ws = new WebSocket(e.url));
    ws.onopen = () => { e.retries = 0; };
    ws.onmessage = (m) => e.onmessage?.(m.data);
    ws.onerror = () => {};
    ws.onclose = () => {
      if (e.closed) return;
      e.timer = setTimeout(() => open(e), Math.min(maxMs, firstMs * factor ** e.retries++));
    };
  }
  return {
    connect(profile, url) {
      let e = entries.get(profile);
      if (e) return e;
      e = { url, ws: null, retries: 0, timer: 0, closed: false, onmessage: null };
      entries.set(profile, e);
      open(e);
      return e;
    },
    get: (profile) => entries.get(profile),
    close(profile) {
      const e = entries.get(profile);
      if (!e) return;
      entries.delete(profile);
      e.closed = true;
      clearTimeout(e.timer);
      e.ws.close();
    },
  };
}
