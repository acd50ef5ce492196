// Reconnect pacing, per origin: a connection's retries (`reconnect.pace`,
// retries per second per origin) wait their turn here, so a realm whose
// server came back does not hit it with every profile in the same moment.
// A retry at pace p is released when fewer than ceil(p / 10) retries of its
// origin were released in the last ceil(p / 10) * 1000 / p ms (100 ms from
// p = 10 up) plus JITTER_MS, counted from the real release times, and at
// least the even spacing (window / releases) after the one before, so that
// while the server is down its return is found within one spacing.
// When a paced socket opens while other connections to its origin wait
// out a backoff (the server is back), the releases before it are
// forgotten: they went to a server that was not there. Until its queue is
// empty the origin then recovers in bursts, SPREAD of the even spacing
// apart: late timers never add up to more than a window's worth.
import { report } from "./errors.js";

/** Part of the even spacing (window / releases) kept between two releases while an origin recovers. */
const SPREAD = 0.3;
/** Added to the window: handshakes released a window apart may take this much less time than the one before, and still reach the server a window apart. */
const JITTER_MS = 3;
const origins = new Map(); // origin -> { times, queue, timer, keep, until, burst }
/** The clock retries and heartbeats are timed by. */
export const now = () => Date.now();

/**
 * The origin of a ws:// or wss:// url, lowercased, without its user info
 * (`ws://h:1`), the key retries are paced by.
 *
 * @example
 * originOf("wss://me:secret@Chat.example.com/ws?x=1"); // "wss://chat.example.com"
 */
export function originOf(url) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (m === null) return url;
  return (m[1] + m[2].slice(m[2].lastIndexOf("@") + 1)).toLowerCase();
}

/**
 * Runs `run` once a retry to `origin` at `perSecond` may go; returns its
 * place in line, for `unpace` (or undefined when it ran at once). The
 * caller owns the place: it cancels it when it no longer wants the retry.
 *
 * @example
 * const place = pace("ws://h", 200, () => openSocket());
 * unpace(place); // closed meanwhile: never runs, its timer is cleared
 */
export function pace(origin, perSecond, run) {
  const n = Math.ceil(perSecond / 10);
  const w = (n * 1000) / perSecond + JITTER_MS;
  let rec = origins.get(origin);
  if (rec === undefined) {
    // Origins with no retry waiting whose windows are over are forgotten.
    const t = now();
    for (const [o, r] of origins) if (r.queue.length === 0 && r.timer === undefined && r.until <= t) origins.delete(o);
    origins.set(origin, (rec = { times: [], queue: [], timer: undefined, keep: 0, until: 0 }));
  }
  const entry = { rec, run, n, w };
  rec.keep = Math.max(rec.keep, n);
  rec.queue.push(entry);
  if (rec.timer === undefined) release(rec);
  return rec.queue.includes(entry) ? entry : undefined;
}

/**
 * A socket released at `at` (the `Date.now()` given to its `run`) opened
 * on a server of `origin` that is back: the origin's releases before it
 * are forgotten.
 *
 * @example
 * pace(origin, 200, (at) => open(at)); // ...and when it opens: reopened(origin, at)
 */
export function reopened(origin, at) {
  const rec = origins.get(origin);
  if (rec === undefined) return;
  const i = rec.times.findIndex((t) => t >= at);
  rec.times.splice(0, i < 0 ? rec.times.length : i);
  rec.burst = true;
  if (rec.timer !== undefined && rec.queue.length > 0) {
    clearTimeout(rec.timer);
    release(rec);
  }
}

/** Gives up a place in line from `pace` (nothing for undefined, or one that ran). */
export function unpace(entry) {
  if (entry === undefined) return;
  const rec = entry.rec;
  const i = rec.queue.indexOf(entry);
  if (i < 0) return;
  rec.queue.splice(i, 1);
  if (rec.queue.length === 0 && rec.timer !== undefined) {
    clearTimeout(rec.timer);
    rec.timer = undefined;
  }
}

/** Releases what may go now, first in first out; sets the timer for the next. */
function release(rec) {
  rec.timer = undefined;
  while (rec.queue.length > 0) {
    const t = now();
    const e = rec.queue[0];
    const times = rec.times;
    const k = times.length;
    let at = k > 0 ? times[k - 1] + ((rec.burst ? SPREAD : 1) * e.w) / e.n : t;
    if (k >= e.n) at = Math.max(at, times[k - e.n] + e.w);
    if (at > t) {
      rec.timer = setTimeout(release, Math.ceil(at - t), rec);
      return;
    }
    rec.queue.shift();
    if (rec.queue.length === 0) rec.burst = false;
    times.push(t);
    if (times.length > rec.keep) times.shift();
    rec.until = Math.max(rec.until, t + e.w);
    try { e.run(t); } catch (err) { report(err); }
  }
}
