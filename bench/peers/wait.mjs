// Waiting, with no Node imports: the scenarios' client side runs in Node and,
// bundled by scenarios/browser.mjs, in the Chromium page (control.mjs
// re-exports both).
//
//   await sleep(200);
//   const open = await until(() => client.isOpen(), { timeoutMs: 2000, everyMs: 5 });

/** Polls `check()` every `everyMs` until it returns a truthy value or `timeoutMs` passes (then `undefined`). */
export async function until(check, { timeoutMs = 10_000, everyMs = 20 } = {}) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > end) return undefined;
    await sleep(everyMs);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
