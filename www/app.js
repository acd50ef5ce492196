// The profile-registry demo page. Plain ES module, no bundler: it loads the
// built package the way an app would from a static server whose root is the
// repo root (`/pkg/index.js`), and talks to the server that served it, which
// is also the WebSocket echo server and its fault-injection control API
// (tests/js/server.mjs; run `node scripts/serve.mjs`).
//
// What it shows: one live WebSocket per profile in this tab; reconnects give
// a new handle generation while the Connection object (its id, from a
// WeakMap counter) stays the same; a duplicate connect with onDuplicate
// "error" throws AlreadyRegisteredError instead of opening a second socket;
// the server's max-concurrent-sockets-per-profile counter stays at 1.
// With `?reach=origin` the connections use the "WebLocks" registry module
// (profile-registry/weblocks): one owner per profile across every tab of the
// origin, the others followers; each row shows its role and the owner's
// fencing epoch (carried in the socket url, so the server fences it), and
// "Use here" calls takeOver().

const PKG = "/pkg/index.js";
const WS_BASE = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
const CONTROL = `${location.origin}/control`;
const INITIAL_PROFILES = ["alice", "bob", ["acme", 7]];
// Quick reconnects for a demo: 250 ms, doubling, at most 3 s, with jitter.
const RECONNECT = { minDelayMs: 250, maxDelayMs: 3000, factor: 2, jitter: 0.5 };
const CONNECT_TIMEOUT_MS = 5000;
const LOG_CAP = 200;
const TIMELINE_MS = 60_000;
const STATS_EVERY_MS = 500;
const TICK_MS = 250;
/** `?reach=origin`: one owner per profile across the origin's tabs (the "WebLocks" module). */
const ORIGIN = new URLSearchParams(location.search).get("reach") === "origin";
const REGISTRY = ORIGIN ? { registry: { module: "WebLocks" } } : undefined;

const byId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

const statusEl = byId("status");
const app = byId("app");

function setStatus(state, text) {
  statusEl.dataset.state = state;
  byId("status-text").textContent = text;
}

function showLoadError(err) {
  const box = byId("load-error");
  const detail = err?.message ?? String(err);
  box.replaceChildren();
  const h = document.createElement("strong");
  h.textContent = "The WebAssembly package failed to load.";
  const p = document.createElement("p");
  p.textContent = detail;
  const fix = document.createElement("p");
  fix.innerHTML = "Build it with <code>bash scripts/build.sh</code>, then serve the repo root with " +
    "<code>node scripts/serve.mjs</code> and open <code>/www/</code> on the URL it prints.";
  box.append(h, p, fix);
  box.hidden = false;
  setStatus("error", "Failed to load");
  app.setAttribute("aria-busy", "false");
  console.error("profile-registry demo: loading failed:", err);
}

let pr; // the package namespace, once loaded
try {
  if (typeof WebAssembly !== "object") throw new Error("this browser has no WebAssembly support");
  pr = await import(PKG);
  await pr.default(); // init(): fetches /pkg/profile_registry_bg.wasm
  pr.start(); // the default registry, "ProfileRegistry"
  if (ORIGIN) await import("/pkg/weblocks.js"); // plugs the "WebLocks" module in
} catch (e) {
  pr = undefined;
  showLoadError(e);
}

if (pr) main();

// ---------------------------------------------------------------------------
// The app
// ---------------------------------------------------------------------------

function main() {
  if (ORIGIN) {
    for (const el of document.querySelectorAll("[data-origin-only]")) el.hidden = false;
    byId("tagline").textContent = "One live WebSocket per profile across every tab of this origin: one tab owns it, the others follow.";
    Object.assign(byId("reach-link"), { href: "?", textContent: "One per tab (the default module)" });
    byId("stats-note").textContent = "Counted by the server over all clients (/control/stats, every 500 ms). Sockets admitted by the server's fence (the epoch in the url): open this page in a second tab and its rows follow the owner tab; the count stays 1.";
  }
  /** A stable id per Connection object: the same object keeps its id across reconnects. */
  const connIds = new WeakMap();
  let nextConnId = 0;
  const connId = (c) => {
    let id = connIds.get(c);
    if (id === undefined) connIds.set(c, (id = ++nextConnId));
    return id;
  };

  /** key (canonical JSON of the profile) -> row */
  const rows = new Map();
  const table = byId("profiles-table");
  const template = document.getElementById("profile-template");

  // ---- profiles: parsing and display --------------------------------------

  /** Plain text is a string profile; JSON (a number, boolean, string or array) is parsed. */
  function parseProfile(text) {
    const s = text.trim();
    if (s === "") throw new Error("type a profile");
    let value = s;
    if (/^[[\-"\d]|^(true|false)$/.test(s)) {
      try {
        value = JSON.parse(s);
      } catch (e) {
        if (s.startsWith("[") || s.startsWith('"')) throw new Error(`not valid JSON: ${e.message}`);
        value = s; // e.g. "2fa-bot": a plain string after all
      }
    }
    return pr.checkProfile(value); // InvalidProfileError for floats, objects, too deep, ...
  }
  const keyOf = (profile) => JSON.stringify(profile);
  /** How the page shows a profile: strings bare, others as spaced JSON. */
  function show(p, nested = false) {
    if (Array.isArray(p)) return `[${p.map((x) => show(x, true)).join(", ")}]`;
    if (typeof p === "string") return nested ? JSON.stringify(p) : p;
    return String(p);
  }
  /** The profile as the server sees it: the ws URL's `profile` query parameter. */
  const serverName = (p) => (typeof p === "string" ? p : JSON.stringify(p));
  const wsUrl = (p) => `${WS_BASE}/?profile=${encodeURIComponent(serverName(p))}`;
  const genOf = (handle) => (typeof handle === "string" ? Number(handle.split(".").pop()) : undefined);

  function fmtData(d) {
    if (typeof d === "string") return JSON.stringify(d.length > 60 ? d.slice(0, 57) + "…" : d);
    if (d instanceof ArrayBuffer) return `<${d.byteLength} bytes>`;
    return String(d);
  }
  const clock = (t = Date.now()) => {
    const d = new Date(t);
    return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, "0")}`;
  };

  // ---- the event log -------------------------------------------------------

  const logEl = byId("event-log");
  function log(kind, profile, text, id) {
    const li = document.createElement("li");
    li.className = `ev ev-${kind}`;
    li.dataset.kind = kind;
    const time = document.createElement("time");
    time.textContent = clock();
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = profile === undefined ? "" : show(profile);
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = id === undefined ? text : `#${id} ${text}`;
    li.append(time, who, what);
    logEl.prepend(li);
    while (logEl.childElementCount > LOG_CAP) logEl.lastElementChild.remove();
  }
  byId("clear-log").addEventListener("click", () => logEl.replaceChildren());

  // Registry events: register / unregister (and update) from subscribe().
  // The row is refreshed in a microtask, not in the listener itself: a
  // Connection renews its registration on reconnect, and reading its
  // info()/handle from inside that renewal's events traps in the wasm
  // (a library bug; see the e2e test's notes), so the listener only logs.
  pr.subscribe(undefined, (e) => {
    const id = e.value instanceof pr.Connection ? connId(e.value) : undefined;
    log(e.type, e.profile, `${e.type} · handle ${e.handle}`, id);
    const row = rows.get(keyOf(e.profile));
    if (row) queueMicrotask(() => rows.get(row.key) === row && refresh(row));
  });

  // ---- rows ------------------------------------------------------------------

  function addRow(profile) {
    const key = keyOf(profile);
    if (rows.has(key)) throw new Error(`${show(profile)} is already in the list`);
    const el = template.content.firstElementChild.cloneNode(true);
    const els = {};
    for (const n of el.querySelectorAll("[data-testid]")) els[n.dataset.testid] = n;
    if (ORIGIN) for (const n of el.querySelectorAll("[data-origin-only]")) n.hidden = false;
    const name = show(profile);
    el.dataset.profile = key;
    els["profile-name"].textContent = name;
    for (const [k, label] of [["connect", "Connect"], ["use-here", "Use this tab for"], ["send", "Send to"], ["close", "Close"], ["drop", "Drop at the server the socket of"], ["remove", "Remove"]]) {
      els[k].setAttribute("aria-label", `${label} ${name}`);
    }
    els["send-input"].setAttribute("aria-label", `Message for ${name}`);
    els.policy.setAttribute("aria-label", `What Connect does if ${name} is already connected (onDuplicate)`);
    els.timeline.setAttribute("aria-label", `State timeline of ${name}`);
    const row = { profile, key, name, el, els, conn: null, offs: [], history: [], ticks: [], lastHandle: undefined, lastEvent: null };
    rows.set(key, row);

    els.connect.addEventListener("click", () => doConnect(row));
    els["use-here"].addEventListener("click", () => doUseHere(row));
    els["send-form"].addEventListener("submit", (ev) => {
      ev.preventDefault();
      doSend(row);
    });
    els.close.addEventListener("click", () => doClose(row));
    els.drop.addEventListener("click", () => control(`drop?profile=${encodeURIComponent(serverName(profile))}`, (r) => `dropped ${r.dropped} socket(s) of ${name}`));
    els.remove.addEventListener("click", () => removeRow(row));

    table.append(el);
    byId("no-profiles").hidden = true;
    refresh(row);
    return row;
  }

  function removeRow(row) {
    if (row.conn && row.conn.state !== "closed") {
      try {
        row.conn.close(1000, "removed from the page");
      } catch (e) {
        log("error", row.profile, `${e.name}: ${e.message}`);
      }
    }
    rows.delete(row.key);
    row.el.remove();
    byId("no-profiles").hidden = rows.size > 0;
  }

  function setMessage(row, kind, text) {
    const m = row.els["row-message"];
    if (!text) {
      m.hidden = true;
      m.textContent = "";
      return;
    }
    m.hidden = false;
    m.className = `msg ${kind}`;
    m.dataset.kind = kind;
    m.setAttribute("role", kind === "error" ? "alert" : "status");
    m.textContent = text;
  }

  function pushState(row, state, t = Date.now()) {
    const last = row.history[row.history.length - 1];
    if (last && last.state === state) return;
    row.history.push({ t, state });
    // Forget what scrolled out of the window (keep the segment that spans its start).
    while (row.history.length > 2 && row.history[1].t < t - TIMELINE_MS) row.history.shift();
    while (row.ticks.length && row.ticks[0].t < t - TIMELINE_MS) row.ticks.shift();
  }

  /** Listens to a Connection; events of a connection the row has moved on from are only logged. */
  function attach(row, conn) {
    const id = connId(conn);
    row.conn = conn;
    if (!firstConnect) firstConnect = Date.now();
    row.lastEvent = { text: `connect → Connection #${id}`, t: Date.now() };
    pushState(row, conn.state);
    const offs = [];
    const on = (type, describe) => {
      offs.push(conn.on(type, (e) => {
        const text = describe(e);
        if (text) {
          log(type, row.profile, text, id);
          if (row.conn === conn) row.lastEvent = { text, t: Date.now() };
        }
        if (type === "statechange" && row.conn === conn) pushState(row, e.to);
        if (type === "close" && e.final) for (const off of offs) off(); // it is over: let it go
        if (rows.get(row.key) === row) refresh(row);
      }));
    };
    on("open", (e) => (e.handle === undefined ? "open (the owner's socket)" : `open · handle ${e.handle}`));
    on("message", (e) => `message · ${fmtData(e.data)}`);
    on("reconnecting", (e) => `reconnecting · attempt ${e.attempt} in ${Math.round(e.delayMs)} ms`);
    on("close", (e) => `close ${e.code}${e.reason ? ` "${e.reason}"` : ""}${e.final ? ` · final${e.rejected ? `, ${e.rejected} queued dropped` : ""}` : " · will reconnect"}`);
    on("error", (e) => `error · ${e.message}`);
    on("role", (e) => {
      row.ticks.push({ t: Date.now(), gen: undefined }); // the handover, marked in the timeline
      return `role · ${e.role} · epoch ${e.epoch}`;
    });
    on("resent", (e) => `resent to the new owner · sends ${e.ids.join(", ")}`);
    on("statechange", () => null);
  }

  function doConnect(row) {
    const policy = row.els.policy.value;
    const before = pr.whereis(REGISTRY, row.profile);
    try {
      const conn = pr.connect({
        ...REGISTRY,
        profile: row.profile,
        url: ORIGIN ? ({ epoch }) => `${wsUrl(row.profile)}&epoch=${epoch}` : wsUrl(row.profile),
        onDuplicate: policy,
        reconnect: RECONNECT,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      if (before !== undefined && conn === before) {
        setMessage(row, "info", `onDuplicate "existing": connect returned the live Connection #${connId(conn)}; no new socket.`);
      } else {
        attach(row, conn);
        setMessage(row, "info", before !== undefined
          ? `onDuplicate "replace": Connection #${connId(before)} closes first, then #${connId(conn)} opens its socket.`
          : null);
      }
    } catch (e) {
      const owner = e.existing instanceof pr.Connection ? ` (the live one is Connection #${connId(e.existing)}, handle ${e.handle})` : "";
      setMessage(row, "error", `${e.name}: ${e.message}${owner}`);
      log("error", row.profile, `connect refused · ${e.name}`);
    }
    refresh(row);
  }

  /** "Use here": takeOver() makes this tab the owner; the former owner follows. */
  function doUseHere(row) {
    if (!row.conn) return setMessage(row, "error", "Not connected: press Connect first.");
    row.conn.takeOver().then(
      () => { setMessage(row, "info", "This tab owns the socket now; the former owner follows."); refresh(row); },
      (e) => setMessage(row, "error", `${e.name}: ${e.message}`),
    );
  }

  function doSend(row) {
    const input = row.els["send-input"];
    const text = input.value || `hello from ${row.name}`;
    if (!row.conn) return setMessage(row, "error", "Not connected: press Connect first.");
    try {
      row.conn.send(text);
      setMessage(row, "info", row.conn.state === "open" ? null : `Queued (${row.conn.state}): sent when the socket opens.`);
      input.value = "";
    } catch (e) {
      setMessage(row, "error", `${e.name}: ${e.message}`);
    }
    refresh(row);
  }

  function doClose(row) {
    if (!row.conn) return setMessage(row, "error", "Not connected.");
    try {
      row.conn.close(1000, "closed from the page");
      setMessage(row, null);
    } catch (e) {
      setMessage(row, "error", `${e.name}: ${e.message}`);
    }
    refresh(row);
  }

  /** Updates a row's cells from its Connection (cheap; also runs on a timer). */
  function refresh(row) {
    const { els } = row;
    const c = row.conn;
    let state = "idle";
    if (c) {
      const info = c.info();
      state = info.state;
      const gen = genOf(info.handle);
      if (info.handle !== undefined && info.handle !== row.lastHandle) {
        row.lastHandle = info.handle;
        row.ticks.push({ t: Date.now(), gen });
      }
      els["conn-id"].textContent = `#${connId(c)}`;
      els.generation.textContent = gen === undefined ? "–" : String(gen);
      els.generation.title = info.handle === undefined ? "no handle (not registered)" : `handle ${info.handle}`;
      els.generation.dataset.handle = info.handle ?? "";
      els.attempts.textContent = info.attempt === undefined ? "–" : String(info.attempt);
      if (ORIGIN) {
        els.role.textContent = info.role;
        els.role.dataset.role = info.role;
        els.epoch.textContent = info.epoch ? String(info.epoch) : "–";
      }
      els.queued.textContent = String(info.queued);
    }
    const badge = els.state;
    if (badge.dataset.state !== state) {
      badge.dataset.state = state;
      badge.textContent = state;
    }
    if (row.lastEvent) {
      els["last-event"].textContent = row.lastEvent.text;
      els["last-event"].title = `at ${clock(row.lastEvent.t)}`;
    }
    const live = c !== null && state !== "closed";
    els.close.disabled = !live;
    row.el.dataset.state = state;
  }

  // ---- the timeline ------------------------------------------------------------

  // Every timeline shows the same span: since the first connect, rounded up
  // to 5 s, at most the last 60 s (so a fresh page does not look empty).
  let firstConnect = 0;
  const spanOf = (now) => (firstConnect ? Math.min(TIMELINE_MS, Math.max(5000, Math.ceil((now - firstConnect + 500) / 5000) * 5000)) : 5000);
  const spanEl = byId("timeline-span");
  function drawTimeline(row, now, span = spanOf(now)) {
    const svg = row.els.timeline;
    const w = Math.max(120, Math.round(svg.getBoundingClientRect().width) || 600);
    const h = 34;
    if (svg.dataset.w !== String(w)) {
      svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
      svg.dataset.w = String(w);
    }
    const x = (t) => Math.max(0, Math.min(w, ((t - (now - span)) / span) * w));
    const parts = [`<rect class="track" x="0" y="14" width="${w}" height="14" rx="3"></rect>`];
    const hist = row.history;
    for (let i = 0; i < hist.length; i++) {
      const a = x(hist[i].t);
      const b = x(i + 1 < hist.length ? hist[i + 1].t : now);
      if (b - a <= 0 || hist[i].state === "idle") continue;
      parts.push(`<rect class="seg s-${hist[i].state}" x="${a.toFixed(1)}" y="14" width="${Math.max(1, b - a).toFixed(1)}" height="14"><title>${hist[i].state} from ${clock(hist[i].t)}</title></rect>`);
    }
    let lastLabel = -Infinity;
    for (const tk of row.ticks) {
      if (tk.t < now - span) continue;
      const tx = Math.min(w - 1, Math.max(1, x(tk.t)));
      parts.push(`<line class="tick" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="10" y2="32"><title>generation ${tk.gen} at ${clock(tk.t)}</title></line>`);
      if (tx - lastLabel > 18) { // labels that would overlap are left out (the tick stays)
        const anchor = tx > w - 12 ? "end" : tx < 12 ? "start" : "middle";
        parts.push(`<text class="tick-label" x="${tx.toFixed(1)}" y="9" text-anchor="${anchor}">g${tk.gen}</text>`);
        lastLabel = tx;
      }
    }
    svg.innerHTML = parts.join("");
    svg.dataset.segments = String(hist.length);
    svg.dataset.ticks = String(row.ticks.length);
  }

  // ---- adding profiles -----------------------------------------------------------

  const addForm = byId("add-form");
  const addInput = byId("add-input");
  const addError = byId("add-error");
  addForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    try {
      addRow(parseProfile(addInput.value));
      addInput.value = "";
      addError.hidden = true;
    } catch (e) {
      addError.textContent = e.name && e.name !== "Error" ? `${e.name}: ${e.message}` : e.message;
      addError.hidden = false;
    }
  });
  byId("connect-all").addEventListener("click", () => {
    for (const row of rows.values()) if (!row.conn || row.conn.state === "closed") doConnect(row);
  });

  // ---- whereis ---------------------------------------------------------------------

  const whereisInput = byId("whereis-input");
  const whereisOut = byId("whereis-result");
  function updateWhereis() {
    const text = whereisInput.value;
    let out;
    let found = "";
    if (text.trim() === "") out = "Type a profile.";
    else {
      try {
        const c = pr.whereis(REGISTRY, parseProfile(text));
        if (c === undefined) {
          out = "none";
          found = "none";
        } else {
          const info = c.info();
          out = ORIGIN ? `Connection #${connId(c)} · ${info.role} · epoch ${info.epoch} · ${info.state}` : `Connection #${connId(c)} · handle ${info.handle} · ${info.state}`;
          found = "yes";
          whereisOut.dataset.handle = info.handle ?? "";
        }
      } catch (e) {
        out = e.name && e.name !== "Error" ? `${e.name}: ${e.message}` : e.message;
        found = "error";
      }
    }
    if (whereisOut.textContent !== out) whereisOut.textContent = out;
    whereisOut.dataset.found = found;
  }
  whereisInput.addEventListener("input", updateWhereis);

  // ---- the server: stats and faults ----------------------------------------------

  const faultStatus = byId("fault-status");
  let refuseUntil = 0;
  async function control(path, describe) {
    try {
      const res = await fetch(`${CONTROL}/${path}`, { method: "POST", cache: "no-store", signal: AbortSignal.timeout(3000) });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
      faultStatus.textContent = describe(body);
      faultStatus.className = "msg info";
      log("server", undefined, describe(body));
      return body;
    } catch (e) {
      faultStatus.textContent = `control/${path} failed: ${e.message}`;
      faultStatus.className = "msg error";
      return undefined;
    }
  }
  byId("drop-all").addEventListener("click", () => control("drop-all", (r) => `dropped ${r.dropped} socket(s) at the server`));
  byId("reset-server").addEventListener("click", () => {
    refuseUntil = 0;
    control("reset", () => "server counters reset; accepting sockets");
  });
  byId("refuse-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const s = Math.max(1, Math.min(120, Math.round(Number(byId("refuse-seconds").value) || 5)));
    const r = await control(`refuse?ms=${s * 1000}`, () => `refusing new sockets for ${s} s`);
    if (r) refuseUntil = Date.now() + s * 1000;
  });

  const maxEl = byId("max-concurrent");
  const totalEl = byId("current-total");
  let polling = false;
  async function pollStats() {
    if (polling) return;
    polling = true;
    try {
      const res = await fetch(`${CONTROL}/stats`, { cache: "no-store", signal: AbortSignal.timeout(2000) });
      const s = await res.json();
      // Across tabs a dead owner's socket may linger at the server for a moment: the fence's count is the strict one.
      const max = ORIGIN ? s.maxFencedPerProfile : s.maxConcurrentPerProfile;
      maxEl.textContent = String(max);
      maxEl.dataset.value = String(max);
      maxEl.classList.toggle("bad", max > 1);
      maxEl.title = Object.entries(s.profiles).map(([p, c]) => `${p}: now ${c.current}, max ${c.max}, total ${c.total}`).join("\n");
      totalEl.textContent = String(s.currentTotal);
      totalEl.dataset.value = String(s.currentTotal);
      maxEl.parentElement.classList.remove("stale");
    } catch {
      maxEl.parentElement.classList.add("stale"); // the server is unreachable: show the last value, greyed
    } finally {
      polling = false;
    }
  }

  // ---- the clock -----------------------------------------------------------------------

  const regCount = byId("registry-count");
  function tick() {
    const now = Date.now();
    const span = spanOf(now);
    const spanText = `timeline: last ${span / 1000} s`;
    if (spanEl.textContent !== spanText) spanEl.textContent = spanText;
    for (const row of rows.values()) {
      if (row.conn) pushState(row, row.conn.state, now); // a safety net; statechange events do the work
      refresh(row);
      drawTimeline(row, now, span);
    }
    const n = String(pr.count());
    if (regCount.textContent !== n) regCount.textContent = n;
    regCount.dataset.value = n;
    updateWhereis();
    if (refuseUntil) {
      const left = Math.ceil((refuseUntil - now) / 1000);
      if (left > 0) faultStatus.textContent = `refusing new sockets: ${left} s left`;
      else {
        refuseUntil = 0;
        faultStatus.textContent = "accepting new sockets again";
      }
    }
  }

  for (const p of INITIAL_PROFILES) addRow(pr.checkProfile(p));
  tick();
  pollStats();
  setInterval(tick, TICK_MS);
  setInterval(pollStats, STATS_EVERY_MS);
  // Redraw the timelines at once when the layout width changes.
  addEventListener("resize", () => {
    const now = Date.now();
    for (const row of rows.values()) drawTimeline(row, now);
  });

  // For poking around in the console.
  globalThis.profileRegistryDemo = { registry: pr, connectionId: connId, rows };

  app.removeAttribute("inert");
  app.setAttribute("aria-busy", "false");
  setStatus("ready", `Ready · registry "${pr.DEFAULT_NAME}" started`);
}
