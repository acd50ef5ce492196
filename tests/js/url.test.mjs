// The WebSocket url check and redaction of the JS entry (js/read.js:
// `checkUrl`, `redact`), on the built package: what connect(), url
// functions and profile-registry/cloudflare accept, the reason each bad url
// is refused for, that no error ever carries a url's secrets, and what
// each socket's constructor is given.
//
// Run: cd tests/js && node --test url.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";

import * as pr from "../../pkg/node.js";
import { checkUrl, redact } from "../../pkg/read.js";

/** The message checkUrl throws for `url` (an InvalidConfigError), without its "invalid config: url "..." " head. */
function why(url) {
  try {
    checkUrl(url);
  } catch (e) {
    assert.equal(e.name, "InvalidConfigError", url);
    const head = `invalid config: url ${JSON.stringify(redact(url))} `;
    assert.ok(e.message.startsWith(head), `${url}: ${e.message}`);
    return e.message.slice(head.length);
  }
  assert.fail(`${JSON.stringify(url)} was accepted`);
}

const START = "must start with ws:// or wss:// and a host: ws://host[:port]/path (wss:// for a TLS server)";
const FRAGMENT = "must not have a #fragment; WebSocket urls cannot carry one, remove it";
const port = (p) => `has an invalid port ${JSON.stringify(p)}; use a number from 0 to 65535`;
const host = (h) => `has an invalid host ${JSON.stringify(h)}; use a domain name or an IP address (IPv6 in [ ])`;
const space = (c) => `must not contain whitespace, control characters or lone surrogates (found ${JSON.stringify(c)}); percent-encode them`;

test("accepts WebSocket urls, and the WHATWG URL parser reads each as ws: or wss:", () => {
  for (const url of [
    "ws://localhost",
    "wss://example.com/",
    "WSS://Example.com:443/a/b?c=d&e",
    "ws://127.0.0.1:8080?x",
    "ws://[::1]:9000/path",
    "ws://[2001:db8::1]",
    "wss://user:pw@host.example/x",
    "wss://münchen.de/chat",
    "ws://h/with%20escapes",
    "ws://h\\path",
    // hosts, userinfo and ports
    "ws://h:0",
    "ws://h:65535",
    "ws://h:00080",
    "ws://[::1]:0/x",
    "ws://[::ffff:1.2.3.4]",
    "ws://[::1]",
    "ws://[::1]?q",
    "ws://[::1]\\x",
    "ws://u@h:1",
    "ws://u:p@[::1]:2",
    "ws://a@b@h",
    "ws://u@h/p@q",
    "ws://h/x:y",
    "ws://h?a=[b]",
    "ws://h:1/[x]",
    "wS://H",
    "Wss://h",
    "ws://é:1",
    "wss://u:secret@h:99/?token=abc",
    "ws://h/{epoch}?e={epoch}",
  ]) {
    checkUrl(url);
    assert.match(new URL(url).protocol, /^wss?:$/, url);
  }
});

test("refuses bad urls with the reason and what to do", () => {
  for (const [url, reason] of [
    ["", START],
    ["http://example.com", START],
    ["ws:/example.com", START], // the parser reads it as ws://example.com/: taken for a typo
    ["ws://", START],
    ["ws:///path", START], // the parser reads it as ws://path/: taken for a typo
    ["ws://?q", START],
    ["ws://user@", START],
    ["ws://:80", START],
    ["ws://\\h", START], // the parser reads it as ws://h/
    ["ws://u@", START],
    ["ws://h@/x", START],
    ["ws://x@\\y", START],
    ["ws:", START],
    ["wss:/", START],
    ["wß://x", START],
    ["ws\u017f://h", START], // ſ is no s, though it uppercases to S
    ["é", START],
    ["ws://exa mple.com", space(" ")],
    ["ws://example.com\n", space("\n")],
    [" ws://h", space(" ")], // the parser strips it
    ["ws://h/\ufeff", space("\ufeff")], // JS's whitespace
    ["ws://a\ud800", space("\ud800")], // the parser reads it as U+FFFD
    ["ws://h/\udc00x", space("\udc00")],
    ["ws://example.com/#frag", FRAGMENT],
    ["ws://h#", FRAGMENT], // an empty fragment: the WebSocket constructor refuses it too
    ["ws://u:p@h/?a#b", FRAGMENT],
    ["ws://host:", port("")], // the parser reads it as ws://host/
    ["ws://[::1]:", port("")],
    ["ws://host:65536", port("65536")],
    ["ws://host:8o", port("8o")],
    ["ws://host:1:2", port("1:2")],
    ["ws://h:+1", port("+1")],
    ["ws://h:-1", port("-1")],
    ["ws://h:99999999999999999999", port("99999999999999999999")],
    ["ws://h:1é", port("1é")],
    ["ws://u:p@h:x/y", port("x")],
    ["ws://[::1]:65536", port("65536")],
    ["ws://[::1]:8:9", port("8:9")],
    ["ws://[::1", host("[::1")],
    ["ws://[::1/]", host("[::1")],
    ["ws://[::1]x", host("[::1]x")],
    ["ws://[::1]]", host("[::1]]")],
    ["ws://[::1][", host("[::1][")],
    ["ws://[]:80", host("[]")],
    ["ws://[zz]", host("[zz]")],
    ["ws://[é]", host("[é]")],
    ["ws://[::g]", host("[::g]")],
    ["ws://x[::1]", host("x[")],
    ["ws://é]", host("é]")],
    ["ws://ho<st", host("ho<st")],
    ["ws://ho|st", host("ho|st")],
    ["ws://h^:80", host("h^")],
    ["ws://h^:x", host("h^")], // the host first
    ["ws://h>", host("h>")],
    // Stricter than a character check: the parser's verdict on the host.
    ["ws://1.2.3.256", host("1.2.3.256")],
    ["ws://xn--a", host("xn--a")],
    ["ws://h%20st", host("h%20st")],
  ]) {
    assert.equal(why(url), reason, JSON.stringify(url));
  }
});

test("finds whitespace, control characters and lone surrogates wherever they are", () => {
  // Unicode's White_Space and the control characters (Cc), as Rust's
  // char::is_whitespace and char::is_control have them, and JS's U+FEFF.
  const refused = (c) => c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || [0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff].includes(c) || (c >= 0xd800 && c <= 0xdfff);
  for (let c = 0; c <= 0x10ffff; c++) {
    if (c === 0x23) continue; // # (a fragment)
    const s = String.fromCodePoint(c);
    let reason;
    try { checkUrl(`ws://h/${s}`); } catch (e) { reason = e.message; }
    if (refused(c)) assert.ok(reason?.endsWith(space(s)), `U+${c.toString(16)}: ${reason}`);
    else assert.equal(reason, undefined, `U+${c.toString(16)}`);
  }
  for (const [url, found] of [
    ["ws://a\u00a0b", "\u00a0"],
    ["ws://h/\u2028", "\u2028"],
    ["ws://h/x\u3000", "\u3000"],
    ["ws://\u1680h", "\u1680"],
    ["ws://h/\u0085", "\u0085"],
    ["ws://h/\u009f", "\u009f"],
    ["ws://h/é\u202fé", "\u202f"],
    ["ws://h/😀\t", "\t"],
    ["ws://h/\t#", "\t"], // before the fragment
  ]) {
    assert.equal(why(url), space(found), JSON.stringify(url));
  }
  // Neighbours of the non-ASCII whitespace are fine.
  for (const c of ["\u00a1", "\u167f", "\u1681", "\u200b", "\u2027", "\u202a", "\u2060", "\u3001", "\uc280", "\ufffd", "\u{10ffff}\u{1f600}"]) {
    checkUrl(`ws://h/${c}`);
  }
});

test("redact masks userinfo and query values, and keeps the rest as it was", () => {
  for (const [url, want] of [
    ["wss://user:secret@chat.example.com/ws?token=abc&v=2", "wss://***@chat.example.com/ws?token=***&v=***"],
    ["ws://localhost:8080/", "ws://localhost:8080/"],
    ["ws://h/?flag&k=", "ws://h/?flag&k=***"],
    ["ws://user:secret@host/?token=secret", "ws://***@host/?token=***"],
    ["wss://a@b@host:1/x?y=1#frag", "wss://***@host:1/x?y=***#frag"],
    ["ws://host/p?token=s3cr3t&x", "ws://host/p?token=***&x"],
    ["not a url at all token=1", "not a url at all token=1"],
    ["ws://user:pw@host", "ws://***@host"],
    ["ws://h/a@b", "ws://h/a@b"], // an @ in the path is not userinfo
    ["", ""],
    ["ws://é:ü@hôst/?ñ=ø", "ws://***@hôst/?ñ=***"],
    ["ws://h/?a=1=2&b", "ws://h/?a=***&b"],
    ["ws://h/?a=1?b=2", "ws://h/?a=***"], // one query up to the #: its ? are text
    ["ws://h/#?a=1", "ws://h/#?a=***"], // after a #, a ? starts a query again
    ["ws://h/?a=1#f=2&g", "ws://h/?a=***#f=2&g"],
    ["ws://u@h\\p@q?x=1", "ws://***@h\\p@q?x=***"], // \ ends the authority
    ["u:p@h/x", "***@h/x"], // no scheme: the authority from the start
    ["ws://h", "ws://h"],
  ]) {
    assert.equal(redact(url), want, url);
  }
});

test("no url error carries a url's secrets, from connect, a url function or a WebSocket constructor", async () => {
  pr.start();
  for (const bad of ["#x", ":99999", "^", "\n", "\ud800"]) {
    const url = `ws://user:hunter2@h${bad === "^" || bad === ":99999" ? bad : ""}/?token=hunter2${bad === "^" || bad === ":99999" ? "" : bad}`;
    assert.throws(() => pr.connect({ profile: "secret", url, WebSocket: class {} }), (e) => {
      assert.equal(e.name, "InvalidConfigError");
      assert.ok(!e.message.includes("hunter2") && e.message.includes("ws://***@h"), e.message);
      return true;
    });
  }
  // A url function's bad url: an error event, then a retry; redacted.
  let calls = 0;
  const c = pr.connect({
    profile: "secret-fn",
    url: () => (++calls === 1 ? "ws://user:hunter2@h/#?token=hunter2" : "ws://user:hunter2@h:70000/?token=hunter2"),
    WebSocket: class {},
    reconnect: { maxRetries: 1, minDelayMs: 1, maxDelayMs: 1 },
  });
  const errors = [];
  c.on("error", (e) => errors.push(e.message));
  await new Promise((r) => c.on("close", (e) => e.final && r()));
  assert.equal(errors.length, 2, JSON.stringify(errors));
  assert.match(errors[0], /the url function gave a bad url: .*must not have a #fragment/);
  assert.match(errors[1], /the url function gave a bad url: .*has an invalid port "70000"/);
  for (const m of errors) assert.ok(!m.includes("hunter2") && m.includes("ws://***@h"), m);
  // A constructor whose message quotes the url: named redacted, its quote replaced.
  class Quotes { constructor(url) { throw new SyntaxError(`cannot open ${url}`); } }
  const q = pr.connect({ profile: "secret-ctor", url: "wss://u:hunter2@h/?t=hunter2", WebSocket: Quotes, reconnect: false });
  const said = [];
  q.on("error", (e) => said.push(e.message));
  await new Promise((r) => q.on("close", (e) => e.final && r()));
  assert.deepEqual(said, [
    'could not open a websocket: new WebSocket("wss://***@h/?t=***") threw: cannot open (the url); check the url and the WebSocket implementation',
  ]);
});

test("every socket's constructor gets the url as given and a fresh copy of the subprotocols", async () => {
  pr.start();
  const seen = [];
  class Records {
    constructor(url, protocols) {
      seen.push([url, [...protocols]]);
      protocols.push("changed"); // a constructor that changes its argument changes no later socket's
      throw new Error("no socket today");
    }
  }
  const url = "wss://u:p@h.example/?t=1";
  const c = pr.connect({ profile: "ctor-args", url, protocols: ["chat.v2", "x"], WebSocket: Records, reconnect: { maxRetries: 2, minDelayMs: 1, maxDelayMs: 1 } });
  await new Promise((r) => c.on("close", (e) => e.final && r()));
  assert.deepEqual(seen, [[url, ["chat.v2", "x"]], [url, ["chat.v2", "x"]], [url, ["chat.v2", "x"]]]);
});
