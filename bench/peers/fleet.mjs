// Many profiles of one library at once: what the storm scenario drives, in
// Node directly and in the browser through `window.bench` (browser.mjs).
//
//   const f = fleet(libraries({ R, WebSocket, wsUrl, sioUrl }));
//   f.connectAll("partysocket", "storm-0-", 200);
//   f.openCount("partysocket"); f.attempts("partysocket"); f.closeAll("partysocket");
//   f.lib("partysocket");                       // its adapter (libraries.mjs)

/** The clients of each library by name: connect `n` profiles, count the open ones, close them all; each adapter by name. */
export function fleet(libs) {
  const byName = new Map(libs.map((l) => [l.name, { lib: l, clients: [] }]));
  const of = (name) => {
    const f = byName.get(name);
    if (!f) throw new Error(`no library named ${name}`);
    return f;
  };
  return {
    names: () => libs.map((l) => l.name),
    lib: (name) => of(name).lib,
    connectAll(name, prefix, n) {
      const f = of(name);
      for (let i = 0; i < n; i++) f.clients.push(f.lib.connect(`${prefix}${i}`));
      return f.clients.length;
    },
    openCount(name) {
      const f = of(name);
      return f.clients.filter((c) => f.lib.isOpen(c)).length;
    },
    attempts: (name) => of(name).lib.attempts.n,
    closeAll(name) {
      const f = of(name);
      for (const c of f.clients.splice(0)) f.lib.close(c);
      return true;
    },
  };
}
