// Connection soak (short): 200 profiles connected at once in Node (with the
// `ws` package's WebSocket), 5 rounds of server faults (drop-all, a clean close
// mid-burst, accept-then-close, in turn) while every profile
// keeps sending sequence-numbered messages, then a phase with the server
// refusing, sends past the queue limit, and close(). The engine and its
// accounting are in scripts/soak.mjs (`node scripts/soak.mjs --profiles 200
// --rounds 50` for the long run).
//
// Asserts: zero duplicates (the server never saw two sockets of one profile
// at once, for all 200 profiles; no message echoed twice or out of order) and
// zero silent loss: sent === echoed + rejected at call time (QueueFullError)
// + counted in a final close event's `rejected` + lost in flight on a socket
// the server dropped. The last bucket is what a WebSocket cannot report (no
// delivery acknowledgement): only messages already written to an open socket
// that the server then terminated, always the tail of what that socket
// carried; anything else unaccounted for is `silentLoss` and fails the test.
//
// Run: cd tests/js && node --test soak.test.mjs   (needs pkg/ from scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";

import { runSoak, summaryLine } from "../../scripts/soak.mjs";

test("soak: 200 profiles, 5 rounds of drop-all, clean close mid-burst and accept-then-close while sending: no duplicate socket, no silent loss, nothing leaked", { timeout: 60_000 }, async (t) => {
  const r = await runSoak({ profiles: 200, rounds: 5, roundMs: 500, tickMs: 5, queue: 64, tail: 80, log: (l) => t.diagnostic(l) });
  t.diagnostic(summaryLine(r));
  assert.equal(r.maxConcurrentPerProfile, 1, "server: max concurrent sockets per profile");
  assert.equal(r.profilesOverOne, 0, "every one of the 200 profiles had at most one socket at a time");
  assert.ok(r.reconnects >= 200 * 5, `every profile reconnected every round (${r.reconnects})`);
  assert.equal(r.duplicates, 0, "no message echoed twice, none both rejected and delivered");
  assert.equal(r.outOfOrder, 0, "echoes in send order");
  assert.equal(r.silentLoss, 0, `silent loss: ${r.examples.join(", ")}`);
  assert.equal(r.sendsNotOpen, 0, "no message handed to a socket that is not OPEN");
  assert.equal(r.notSuffix, 0, "messages lost on a dropped socket are the tail of what it carried");
  assert.equal(r.accounted, r.sent, "sent = echoed + rejected at call + rejected at close + lost in flight");
  assert.equal(Object.values(r.lostInFlightBy).reduce((a, b) => a + b, 0), r.lostInFlight, "in-flight losses accounted per kind of fault");
  assert.ok(r.echoed > 0 && r.rejectedAtCall > 0 && r.rejectedAtClose > 0, "every bucket exercised");
  // 16 per profile in the last phase; more if a queue filled during a reconnect (a slow machine).
  assert.ok(r.rejectedAtCall >= 200 * (80 - 64), `sends past the queue limit threw QueueFullError (${r.rejectedAtCall})`);
  assert.equal(r.rejectedAtClose, 200 * 64, "the full queues were reported in the final close events");
  assert.equal(r.finals, 200, "one final close event per connection");
  assert.equal(r.connCount, 0, "__connCount() back to 0");
  assert.equal(r.sockets, 0, "every socket released");
  assert.ok(r.ok);
});
