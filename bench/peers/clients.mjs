// Everything the scenarios run where the clients live, in one object: in
// Node directly (main.mjs), and in the Chromium page as `window.bench`
// (page-entry.mjs, driven by scenarios/browser.mjs). `srv` is the server
// child's `call`, direct in Node and through the page's bridge in the page.
//
//   const here = clients(srv, libraries({ R, WebSocket, wsUrl, sioUrl }));
//   await storm(srv, here);                               // the fleet's methods (fleet.mjs)
//   await duplicates(here.names(), here.duplicates);      // one library's cases each
//   await messages(here.names(), here.messages);
import { fleet } from "./fleet.mjs";
import { duplicatesOf } from "./scenarios/duplicates.mjs";
import { messagesOf } from "./scenarios/messages.mjs";

/** The fleet of `libs`, plus `duplicates(name, options)` and `messages(name, options)`: one library's run of scenario 2 or 3. */
export function clients(srv, libs) {
  const f = fleet(libs);
  return {
    ...f,
    duplicates: (name, options) => duplicatesOf(srv, f.lib(name), options),
    messages: (name, options) => messagesOf(srv, f.lib(name), options),
  };
}
