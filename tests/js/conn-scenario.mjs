// A short, runtime-neutral scenario over the connection API of
// profile-registry (`connect`, `Connection`), against the test WebSocket
// server (server.mjs). It uses web-standard JS only, so the same checks run
// in Node (with the `ws` package's WebSocket), Deno and workerd (with their
// global WebSocket); see conn-edge.test.mjs.
//
//   const { checks } = await connScenario(pr, { url, control, WebSocket }, log);
//
// - `pr`: the initialised package namespace (`pkg/node.js`, or `pkg/index.js`
//   after init / initSync); `pr.__connCount` is used when present (the package
//   exports it) to check that connections are freed;
// - `url`: the server's ws:// base URL (`srv.url`);
// - `control(path)`: resolves the parsed JSON answer of the control endpoint
//   `path` (e.g. "/control/stats"), a `fetch` to the server's http URL;
// - `WebSocket`: the constructor to pass to `connect`, or undefined for the
//   runtime's global one;
// - `prefix` (optional): prepended to every profile, so runs can share a server.
//
// Throws on the first failed check, naming it; returns `{ checks }`, the
// same number in every runtime. Takes over the default registry (starts it,
// leaves it started).

const TIMEOUT_MS = 10_000;

export async function connScenario(pr, { url, control, WebSocket, prefix = "cs-" }, log = () => {}) {
  let checks = 0;
  let section = "";
  const part = (name) => {
    section = name;
    log(`conn scenario: ${name}`);
  };
  const ok = (cond, what) => {
    if (!cond) throw new Error(`conn scenario check #${checks + 1} failed [${section}]: ${what}`);
    checks++;
  };
  const eq = (actual, expected, what) =>
    ok(Object.is(actual, expected), `${what}: expected ${String(expected)}, got ${String(actual)}`);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (cond, what) => {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`conn scenario [${section}]: timed out waiting for ${what}`);
      await sleep(5);
    }
  };
  const connCount = typeof pr.__connCount === "function" ? () => pr.__connCount() : undefined;
  const base = connCount?.();

  // Every event of a connection, in order, as [type, detail].
  const record = (conn) => {
    const events = [];
    for (const t of ["open", "message", "close", "error", "reconnecting", "statechange"]) {
      conn.on(t, (e) => events.push([t, e]));
    }
    const of = (t) => events.filter(([type]) => type === t).map(([, e]) => e);
    return { events, of, wait: (t, n = 1) => until(() => of(t).length >= n, `${n} ${t} event(s) of ${String(conn.profile)}`) };
  };
  const maxOf = async (profile) => (await control("/control/stats")).profiles[profile]?.max ?? 0;
  const bytes = (buf) => Array.from(new Uint8Array(buf)).join(",");

  const P = `${prefix}echo`;
  const P2 = `${prefix}list`;
  const reconnect = { minDelayMs: 30, maxDelayMs: 60, factor: 2, jitter: 0.5 };
  const options = (profile, extra = {}) => ({
    profile,
    url: `${url}/?profile=${encodeURIComponent(typeof profile === "string" ? profile : JSON.stringify(profile))}`,
    reconnect,
    ...(WebSocket ? { WebSocket } : {}),
    ...extra,
  });

  // ---------------------------------------------------------------------
  part("connect: registered at once, found by profile, opens");
  pr.start();
  await control("/control/reset");
  eq(pr.whereis(undefined, P), undefined, "no connection before connect");
  const a = pr.connect(options(P));
  const ra = record(a);
  ok(a instanceof pr.Connection, "connect returns a Connection");
  eq(a.profile, P, "conn.profile");
  eq(a.state, "connecting", "state right after connect");
  eq(pr.whereis(undefined, P), a, "whereis finds the connection before it opens");
  eq(typeof a.handle, "string", "a handle from the start");
  ok(pr.isAlive(a.handle), "the handle is alive");
  await ra.wait("open");
  eq(a.state, "open", "state after open");
  eq(ra.of("open")[0].handle, a.handle, "the open event carries the handle");
  eq(a.info().sockets, 1, "one socket");
  eq(ra.of("statechange").map((e) => `${e.from}>${e.to}`).join(" "), "connecting>open", "statechange events");
  if (connCount) eq(connCount(), base + 1, "__connCount counts the live connection");

  // ---------------------------------------------------------------------
  part("echo: text, ArrayBuffer, Uint8Array view");
  a.send("hello ✓");
  a.send(new Uint8Array([1, 2, 3]).buffer);
  a.send(new Uint8Array([9, 4, 5, 9]).subarray(1, 3));
  await ra.wait("message", 3);
  const [m1, m2, m3] = ra.of("message").map((e) => e.data);
  eq(m1, "hello ✓", "text echo");
  ok(m2 instanceof ArrayBuffer, `binary arrives as an ArrayBuffer (got ${Object.prototype.toString.call(m2)})`);
  eq(bytes(m2), "1,2,3", "ArrayBuffer echo");
  eq(bytes(m3), "4,5", "a view sends only its bytes");

  // ---------------------------------------------------------------------
  part("server drop: reconnects under a new handle, same object");
  const h1 = a.handle;
  await control(`/control/drop?profile=${encodeURIComponent(P)}`);
  await ra.wait("open", 2);
  const h2 = a.handle;
  ok(h2 !== h1, `a new handle after reconnect (${h1} -> ${h2})`);
  eq(pr.isAlive(h1), false, "the old handle reads as dead");
  eq(pr.isAlive(h2), true, "the new handle is alive");
  eq(pr.whereis(undefined, P), a, "whereis returns the same Connection object");
  const lost = ra.of("close")[0];
  eq(lost.willReconnect, true, "the close event says a reconnect follows");
  eq(lost.code, 4000, "the close code from the server");
  eq(lost.final, undefined, "a lost socket's close is not final");
  const rec = ra.of("reconnecting")[0];
  eq(rec.attempt, 1, "first reconnect attempt");
  ok(rec.delayMs >= reconnect.minDelayMs && rec.delayMs <= Math.ceil(reconnect.minDelayMs * (1 + reconnect.jitter)) && Number.isInteger(rec.delayMs),
    `delay ${rec.delayMs} within the policy (whole ms, the floor a floor)`);
  eq(rec.reason, "closed", "reconnecting says why");
  eq(a.info().attempt, 0, "attempt count reset after open");

  // ---------------------------------------------------------------------
  part("sends while reconnecting are queued and arrive in order");
  let queuedThen;
  const off = a.on("reconnecting", () => {
    off(); // listeners must not throw (a throw is reported, not propagated): check afterwards
    for (const m of ["q1", "q2", "q3"]) a.send(m);
    queuedThen = a.info().queued;
  });
  await control(`/control/drop?profile=${encodeURIComponent(P)}`);
  await ra.wait("open", 3);
  eq(queuedThen, 3, "sends made while reconnecting were queued");
  await ra.wait("message", 6);
  eq(ra.of("message").slice(3).map((e) => e.data).join(","), "q1,q2,q3", "queued sends delivered in order after reopen");
  eq(a.info().queued, 0, "the queue is empty after the flush");

  // ---------------------------------------------------------------------
  part("replace: the old connection closes fully before the new one's socket");
  const b = pr.connect(options(P, { onDuplicate: "replace" }));
  const rb = record(b);
  eq(a.state, "closed", "the replaced connection is closed at once");
  const final = ra.of("close").at(-1);
  eq(final.final, true, "the replaced one got its final close event");
  eq(final.reason, "replaced", "its reason");
  eq(pr.whereis(undefined, P), b, "whereis finds the replacement");
  ok(b !== a, "a new Connection object");
  await rb.wait("open");
  eq(pr.isAlive(h2), false, "the replaced handle is dead");
  eq(await maxOf(P), 1, "never two sockets of the profile at once");
  eq(pr.connect(options(P, { onDuplicate: "existing" })), b, "onDuplicate existing returns the live one");
  let dup;
  try {
    pr.connect(options(P));
  } catch (e) {
    dup = e;
  }
  eq(dup?.name, "AlreadyRegisteredError", "a duplicate connect throws");
  eq(dup?.existing, b, "the error carries the live connection");

  // ---------------------------------------------------------------------
  part("a list profile, found with a fresh array");
  const c = pr.connect(options([P2, 1]));
  const rc = record(c);
  eq(pr.whereis(undefined, [P2, 1]), c, "whereis with a fresh array");
  ok(Object.isFrozen(c.profile), "conn.profile of a list is frozen");
  await rc.wait("open");

  // ---------------------------------------------------------------------
  part("close: final event, profile released, resources freed");
  b.send("last");
  await rb.wait("message");
  b.close(4001, "bye");
  c.close();
  eq(b.state, "closed", "closed at once");
  eq(pr.whereis(undefined, P), undefined, "whereis after close");
  eq(pr.whereis(undefined, [P2, 1]), undefined, "whereis of the list profile after close");
  const bFinal = rb.of("close").at(-1);
  eq(bFinal.code, 4001, "close code");
  eq(bFinal.reason, "bye", "close reason");
  eq(bFinal.final, true, "final");
  eq(bFinal.rejected, 0, "nothing rejected");
  let closedErr;
  try {
    b.send("x");
  } catch (e) {
    closedErr = e;
  }
  eq(closedErr?.name, "ConnectionClosedError", "send after close throws");
  if (connCount) await until(() => connCount() === base, "__connCount back to its start once sockets are released");
  const stats = await control("/control/stats");
  eq(stats.profiles[P]?.max, 1, "max concurrent sockets of the profile");
  eq(stats.maxConcurrentPerProfile, 1, "max concurrent sockets of any profile");
  await until(() => b.info().sockets === 0 && c.info().sockets === 0, "sockets released");
  eq(rb.of("close").filter((e) => e.final).length, 1, "exactly one final close event");
  return { checks };
}
