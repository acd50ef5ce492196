//! The connection exports. A [`Conn`] drives one [`Machine`] whose
//! transport and clock are the JS host: what they are asked to do
//! (open a socket, send the oldest held message, close, set or clear a
//! timer) is written to the outbox, and the host reports back what the
//! sockets and timers did (`conn_opened`, `conn_closed`, `conn_timer`, ...).
//! Connection events go to the outbox too, for the JS `Connection`.
//!
//! Records, after the connection id `c`: `["epoch", c, epoch]` (its
//! fencing epoch), `["open", c, socket, attempt]` (the host holds the url,
//! or makes it with its url function, and the subprotocols), `["send", c, socket]`,
//! `["beat", c, socket]` (send the heartbeat message), `["close", c,
//! socket, code, reason]`, `["timer", c, timer, ms]`, `["clear", c, timer]`,
//! `["release", c, socket]` (the socket is over: drop its handlers),
//! `["handle", c, handle]`, `["event", c, type, detail]`, `["rejected", c,
//! n]` (messages handed back after the end) and `["forget", c]`.
//!
//! Two sockets of one profile are never alive at once: a connection only
//! starts its first socket once every earlier connection of the same
//! registry and profile has released its socket (the gate).

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::bindings::abi::export;

use crate::bindings::out::{record, result, F};
use crate::core::cell::RefCell;
use crate::conn::{check_close_code, out_of_range, Clock, Field, Event, Heartbeat, Machine, Message, Options, Retry, SocketId, TimerId, Transport};
use crate::core::epoch::Epochs;
use crate::core::float::is_whole;
use crate::core::local::realm_local;
use crate::core::text::text;
use crate::core::vec_map::VecMap;
use crate::core::wire::parse_profile;
use crate::{Error, EventKind, Handle, Profile, Registry};

/// The transport of one connection: the JS host, by records.
struct Host {
    conn: u32,
}

impl Transport for Host {
    /// The `["open"]` record follows from the machine's `Opening` event
    /// ([`Conn::react`]), which knows the attempt.
    fn open(&mut self, _url: &str, _protocols: &[String]) -> Result<SocketId, String> {
        Ok(SocketId(next_id()))
    }

    fn send(&mut self, socket: SocketId, _msg: &Message) -> Result<(), String> {
        rec("send", self.conn, &[F::N(socket.0 as f64)]);
        Ok(())
    }

    fn close(&mut self, socket: SocketId, code: u16, reason: &str) {
        rec("close", self.conn, &[F::N(socket.0 as f64), F::N(code.into()), F::S(reason)]);
    }

    fn heartbeat(&mut self, socket: SocketId) {
        rec("beat", self.conn, &[F::N(socket.0 as f64)]);
    }

    fn idle_ms(&self, _socket: SocketId) -> f64 {
        IDLE_MS.with(Cell::get)
    }
}

/// The clock of one connection: the JS host's timers, by records.
struct HostClock {
    conn: u32,
}

impl Clock for HostClock {
    fn set_timer(&mut self, delay_ms: f64) -> TimerId {
        let id = next_id();
        rec("timer", self.conn, &[F::N(id as f64), F::N(delay_ms)]);
        TimerId(id)
    }

    fn clear_timer(&mut self, id: TimerId) {
        rec("clear", self.conn, &[F::N(id.0 as f64)]);
    }

    fn random(&mut self) -> f64 {
        // xorshift64*, seeded by the host (`seed`).
        RANDOM.with(|r| {
            let mut x = r.get();
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            r.set(x);
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        })
    }
}

type HostMachine = Machine<Host, HostClock>;

/// One connection: its machine and its registration.
struct Conn {
    id: u32,
    /// The registry's name: with the machine's profile, its gate.
    registry: String,
    /// The local registry holding it, and its current handle; `None` for a
    /// JS module (the host registers it there).
    local: Option<(Registry<()>, Option<Handle>)>,
    machine: HostMachine,
    waiting: bool,
    /// It waited for an earlier socket of its profile: it starts a moment
    /// after that socket's close (`["wake"]`, then `conn_start`), once the
    /// server has seen the close too.
    gated: bool,
}

// A connection's record, in its `Rc` (two counts, 8 bytes on wasm32), fits
// a 256-byte block of the allocator (`heap`); one byte more takes 384.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(
    core::mem::size_of::<RefCell<Conn>>() + 8 <= 256,
    "a connection's record outgrew its 256-byte heap block: keep rarely used parts out of line (a Box)"
);

realm_local! {
    static CONNS: RefCell<VecMap<u32, Rc<RefCell<Conn>>>> = const { RefCell::new(VecMap::new()) };
    /// Connections whose entry someone else removed: closed by [`settle`].
    static PENDING: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
    static EPOCHS: RefCell<Epochs> = const { RefCell::new(Epochs::new()) };
    static RANDOM: Cell<u64> = const { Cell::new(0x9E37_79B9_7F4A_7C15) };
    /// What the host said with the timer that fired (`conn_timer`): ms
    /// since anything arrived on the open socket, for [`Host::idle_ms`].
    static IDLE_MS: Cell<f64> = const { Cell::new(0.0) };
}

fn next_id() -> u64 {
    NEXT.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

fn conn(id: u32) -> Option<Rc<RefCell<Conn>>> {
    CONNS.with(|c| c.borrow().get(&id).cloned())
}

/// Every connection (a snapshot), by a push loop: no `collect` instance.
fn all() -> Vec<Rc<RefCell<Conn>>> {
    let mut all = Vec::new();
    CONNS.with(|c| c.borrow().values().for_each(|k| all.push(k.clone())));
    all
}

export! {
/// Seeds the backoff jitter (the host passes `Math.random()` bits).
pub fn seed(bits: u32) {
    RANDOM.with(|r| r.set(0x9E37_79B9_7F4A_7C15 ^ (u64::from(bits) << 16) | 1));
}
}

impl Conn {
    /// Runs `f` on the machine, then writes what it emitted.
    fn step<R>(&mut self, f: impl FnOnce(&mut HostMachine) -> R) -> R {
        self.step_closing((1000, ""), f)
    }

    /// [`step`](Self::step), where a final close that no socket's close
    /// reports (none was open) has this code and reason: `close()`'s.
    fn step_closing<R>(&mut self, close: (u16, &str), f: impl FnOnce(&mut HostMachine) -> R) -> R {
        let r = f(&mut self.machine);
        let events = self.machine.take_events();
        self.react(events, close);
        r
    }

    /// `["event", id, type, ...fields]`: an event for the JS `Connection`
    /// (`fields` start with its type).
    fn emit(&self, fields: &[F<'_>]) {
        rec("event", self.id, fields);
    }

    /// Registry changes first, then the events for the JS `Connection`.
    #[inline(never)]
    fn react(&mut self, events: Vec<Event>, close: (u16, &str)) {
        for e in &events {
            match e {
                Event::Opening { socket, attempt } => {
                    if *attempt > 0 {
                        self.renew();
                    }
                    rec("open", self.id, &[F::N(socket.0 as f64), F::N((*attempt).into())]);
                }
                Event::Ended { .. } => self.release_registration(),
                Event::SocketReleased { socket } => rec("release", self.id, &[F::N(socket.0 as f64)]),
                _ => {}
            }
        }
        let mut pending_close: Option<(u16, &str, bool)> = None;
        for e in &events {
            match *e {
                Event::StateChange { from, to } => self.emit(&[F::S("statechange"), F::S(from.as_str()), F::S(to.as_str())]),
                Event::Open { .. } => self.emit(&[F::S("open")]),
                Event::Error { ref message } => self.emit(&[F::S("error"), F::S(message)]),
                Event::Close { code, ref reason, was_clean, will_reconnect: true } => self.close_event(code, reason, was_clean, None),
                // The final close waits for the Ended that follows, to report the rejected count.
                Event::Close { code, ref reason, was_clean, .. } => pending_close = Some((code, reason, was_clean)),
                Event::Reconnecting { attempt, delay_ms, reason } => self.emit(&[
                    F::S("reconnecting"),
                    F::N(attempt.into()),
                    F::N(delay_ms.unwrap_or(f64::NAN)),
                    F::S(reason.as_str()),
                ]),
                Event::Ended { rejected } => match pending_close.take() {
                    Some((code, reason, clean)) => self.close_event(code, reason, clean, Some(rejected)),
                    None => self.close_event(close.0, close.1, true, Some(rejected)),
                },
                Event::Rejected { count } => rec("rejected", self.id, &[F::N(count as f64)]),
                Event::Message(_) | Event::Opening { .. } | Event::SocketReleased { .. } => {}
            }
        }
    }

    /// `["event", id, "close", code, reason, wasClean, rejected]`; `rejected`
    /// is `null` unless this is the final close.
    fn close_event(&self, code: u16, reason: &str, clean: bool, rejected: Option<usize>) {
        let rejected = rejected.map_or(f64::NAN, |n| n as f64);
        self.emit(&[F::S("close"), F::N(code.into()), F::S(reason), F::B(clean), F::N(rejected)]);
    }

    fn set_handle(&mut self, h: Option<Handle>) {
        if let Some((_, slot)) = &mut self.local {
            *slot = h;
        }
        rec("handle", self.id, &[F::H(h)]);
    }

    /// A fresh handle for a new socket (a restart).
    fn renew(&mut self) {
        let Some((registry, Some(old))) = &self.local else { return };
        let fresh = registry.renew(*old);
        self.set_handle(fresh);
    }

    /// Gives the profile back: the registry forgets this connection.
    fn release_registration(&mut self) {
        let Some((registry, slot)) = &mut self.local else { return };
        if let Some(h) = slot.take() {
            rec("handle", self.id, &[F::H(None)]);
            registry.unregister_handle(h);
        }
    }

    fn start(&mut self) {
        self.waiting = false;
        self.step(|m| m.start());
    }

    fn close(&mut self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        self.step_closing((code.unwrap_or(1000), reason.unwrap_or_default()), |m| m.close(code, reason))
    }
}

fn id_of(id: u32) -> F<'static> {
    F::N(id.into())
}

/// `[kind, id, ...fields]`: a record for connection `id` (at most 6 fields;
/// the longest today, a close event's, has 5).
#[inline(never)]
fn rec(kind: &str, id: u32, fields: &[F<'_>]) {
    let mut all = [F::Null; 8];
    all[0] = F::S(kind);
    all[1] = id_of(id);
    for (slot, f) in all.iter_mut().skip(2).zip(fields) {
        *slot = *f;
    }
    record(all.get(..2 + fields.len()).unwrap_or(&all));
}

/// Whether a connection of registry `name` and `profile` (the gate) other
/// than `except` still has a socket.
fn gate_busy(name: &str, profile: &Profile, except: u32) -> bool {
    CONNS.with(|c| {
        c.borrow().values().any(|k| {
            k.try_borrow().is_ok_and(|k| k.id != except && k.registry == name && k.machine.profile() == profile && k.machine.has_live_socket())
        })
    })
}

impl Conn {
    /// Whether an earlier socket of its gate is still alive.
    fn gate_busy(&self) -> bool {
        gate_busy(&self.registry, self.machine.profile(), self.id)
    }
}

/// After anything that may have released a socket: forget connections that
/// are over, and start the ones whose gate is free (one pass: a connection
/// that is over holds no socket, so it closes no gate).
#[inline(never)]
fn after() {
    let all = all();
    for c in &all {
        let over = c.try_borrow().ok().filter(|k| !k.machine.has_live_socket() && k.machine.state() == crate::conn::State::Closed).map(|k| k.id);
        if let Some(id) = over {
            CONNS.with(|m| m.borrow_mut().remove(&id));
            rec("forget", id, &[]);
            continue;
        }
        let ready = c.try_borrow().is_ok_and(|k| k.waiting && !k.gate_busy());
        if !ready {
            continue;
        }
        let mut k = c.borrow_mut();
        if k.gated {
            k.gated = false;
            k.waiting = false; // until the host wakes it
            rec("wake", k.id, &[]);
        } else {
            k.start();
        }
    }
}

export! {
/// Starts connection `id` after a `["wake"]`, unless its gate is busy
/// again (then it waits for the next release).
pub fn conn_start(id: u32) {
    if let Some(c) = conn(id) {
        let mut k = c.borrow_mut();
        if k.machine.state() != crate::conn::State::Closed && !k.machine.has_live_socket() {
            if k.gate_busy() {
                k.waiting = true;
                k.gated = true;
            } else {
                k.start();
            }
        }
    }
    settle();
}
}

/// Closes the connections whose entries were removed by someone else
/// (`unregister`, `stop`), then tidies up ([`after`]).
#[inline(never)]
pub(crate) fn settle() {
    loop {
        let next = PENDING.with(|p| p.borrow_mut().pop());
        let Some(id) = next else { break };
        if let Some(c) = conn(id) {
            let mut c = c.borrow_mut();
            c.set_handle(None);
            let _ = c.close(Some(1000), Some("unregistered"));
        }
    }
    after();
}

/// Keeps connections honest when their entry is removed by someone else:
/// such a connection closes ([`settle`]), so it never holds a socket for a
/// profile that another connection may now take.
pub(crate) fn watch(registry: &Registry<()>) {
    registry.observe_always(|e| {
        if e.kind != EventKind::Unregister {
            return;
        }
        if let Some(c) = holder(e.handle) {
            PENDING.with(|p| p.borrow_mut().push(c.borrow().id));
        }
    })
}

/// The connection that holds handle `h` now. One that is busy (borrowed)
/// is not looked at: a connection only changes its own entry while busy
/// (renew, release), and that is no removal by someone else.
fn holder(h: Handle) -> Option<Rc<RefCell<Conn>>> {
    CONNS.with(|c| {
        c.borrow().values().find(|k| k.try_borrow().is_ok_and(|k| matches!(k.local, Some((_, Some(x))) if x == h))).cloned()
    })
}

fn bad(msg: String) -> Error {
    Error::InvalidConfig(msg)
}

/// A count option, if given: a whole number from 0 to 2^32 - 1, else its error.
fn count(n: Option<f64>, what: Field) -> Result<Option<f64>, Error> {
    match n {
        Some(v) if !(v >= 0.0 && is_whole(v) && v <= u32::MAX as f64) => Err(out_of_range(what, v)),
        _ => Ok(n),
    }
}

/// The options (unchecked: [`Machine::new`] checks them) from the host's plain numbers: `n` = `[flags, given,
/// minDelayMs, maxDelayMs, factor, jitter, maxRetries, maxMessages,
/// maxBytes, connectTimeoutMs, minUptimeMs, heartbeat.intervalMs,
/// heartbeat.timeoutMs]`, where bit `i` of `given` says whether the `i`th
/// option after it was given, and `flags` has bit 0 for reconnect on, bit 1
/// for a heartbeat. The url stays with the host (it checks it, and opens
/// the sockets): the machine's is empty.
fn options(profile: Profile, protocols: &str, n: &[f64]) -> Result<Options, Error> {
    let flags = n.first().copied().unwrap_or(1.0) as u32;
    let given = n.get(1).copied().unwrap_or(0.0) as u32;
    let n = |i: usize| (given & (1 << i) != 0).then(|| n.get(2 + i).copied()).flatten();
    let mut o = Options::new(profile, String::new());
    if flags & 1 == 0 {
        o.reconnect = None;
    }
    if flags & 2 != 0 {
        let d = Heartbeat::DEFAULT;
        o.heartbeat = Some(Heartbeat { interval_ms: n(9).unwrap_or(d.interval_ms), timeout_ms: n(10).unwrap_or(d.timeout_ms) });
    }
    let list = parse_profile(protocols).map_err(|_| bad("protocols must be a list of strings".into()))?;
    // A subprotocol with an escape in its JSON is none: checked as it stands.
    o.protocols = list.json_strings().ok_or_else(|| bad("protocols must be strings".into()))?;
    let retries = count(n(4).filter(|&v| v != f64::INFINITY), Field::MaxRetries)?;
    let messages = count(n(5), Field::MaxMessages)?;
    let bytes = count(n(6), Field::MaxBytes)?;
    if let Some(p) = &mut o.reconnect {
        for (i, slot) in [&mut p.min_delay_ms, &mut p.max_delay_ms, &mut p.factor, &mut p.jitter].into_iter().enumerate() {
            if let Some(v) = n(i) {
                *slot = v;
            }
        }
        p.max_retries = retries.map(|v| v as u32);
        if let Some(v) = n(8) {
            p.min_uptime_ms = v;
        }
    }
    let q = &mut o.queue;
    (q.max_messages, q.max_bytes) = (messages.map_or(q.max_messages, |v| v as usize), bytes.map_or(q.max_bytes, |v| v as usize));
    o.connect_timeout_ms = n(7);
    Ok(o)
}

export! {
/// Connects `profile` (JSON) in registry `name` as connection `id` (a
/// number the host never used before, from its counter: not checked here;
/// a reused one would replace that connection's record) (`local`: of the default module;
/// else the host registered it in a JS module). `on_duplicate`: 0 error, 1
/// existing, 2 replace; `now`: the host's `Date.now()`, for its fencing
/// epoch. Returns `"n<id>"` for a new connection, `"e<handle>"` for the
/// live entry `onDuplicate: "existing"` found, or an error
/// (`AlreadyRegisteredError` names the live handle).
#[allow(clippy::too_many_arguments)] // plain arguments are the boundary's point
pub fn conn_new(id: u32, name: &str, local: bool, profile: &str, protocols: &str, n: &[f64], on_duplicate: u32, now: f64) -> u32 {
    let r = (|| {
        let profile = parse_profile(profile)?;
        let registry = if local { Some(crate::bindings::registry::running(name)?) } else { None };
        // Checked (by `Machine::new`) before a duplicate is looked at.
        let machine = Machine::new(options(profile.clone(), protocols, n)?, Host { conn: id }, HostClock { conn: id })?;
        if let Some(reg) = &registry {
            if let Some((h, ())) = reg.lookup(&profile) {
                match on_duplicate {
                    1 => return Ok(text!("e", h)),
                    2 => match holder(h) {
                        // (A valid code and reason: it cannot fail.)
                        Some(old) => drop(old.borrow_mut().close(Some(1000), Some("replaced"))),
                        None => drop(reg.unregister(&profile)),
                    },
                    _ => return Err(Error::AlreadyRegistered { profile, registry: name.into(), handle: Some(h) }),
                }
                settle();
            }
        }
        let epoch = EPOCHS.with(|e| e.borrow_mut().grant(now));
        rec("epoch", id, &[F::N(epoch as f64)]);
        let gated = gate_busy(name, &profile, id);
        let mut c = Conn { id, registry: name.into(), local: None, machine, waiting: true, gated };
        if let Some(reg) = registry {
            let h = reg.register(profile, ())?;
            c.local = Some((reg, None));
            c.set_handle(Some(h));
        }
        let c = Rc::new(RefCell::new(c));
        CONNS.with(|m| m.borrow_mut().insert_absent(id, c.clone()));
        after();
        Ok(text!("n", id))
    })();
    result(r)
}
}

/// What the host reports to a connection, or asks of it.
enum Op<'a> {
    Opened(SocketId),
    Error(SocketId, &'a str),
    Closed(SocketId, u16, &'a str, bool),
    Failed(SocketId, &'a str),
    Timer(TimerId),
    Reconnect,
    Recovered,
    /// A held message of this many bytes, and why it was not sent now.
    Enqueue(usize, Option<&'a str>),
    Requeue(usize, Option<&'a str>),
    Close(Option<u16>, &'a str),
}

impl Op<'_> {
    /// Whether asking this of a connection that is gone is an error
    /// (`ConnectionClosedError`) rather than nothing to do.
    fn needs_conn(&self) -> bool {
        matches!(self, Op::Reconnect | Op::Enqueue(..))
    }
}

impl Conn {
    fn apply(&mut self, op: Op<'_>) -> Result<(), Error> {
        if let Op::Close(code, reason) = op {
            return self.close(code, Some(reason));
        }
        self.step(|m| {
            match op {
                Op::Opened(s) => m.on_open(s),
                Op::Error(s, message) => m.on_error(s, message.into()),
                Op::Closed(s, code, reason, clean) => m.on_close(s, code, reason.into(), clean),
                Op::Failed(s, message) => m.on_open_failed(s, message),
                Op::Timer(t) => m.on_timer(t),
                Op::Reconnect => return m.reconnect(),
                Op::Recovered => _ = m.recovered(),
                Op::Enqueue(bytes, failure) => return m.enqueue(Message::Held(bytes), failure),
                Op::Requeue(bytes, failure) => m.requeue(Message::Held(bytes), failure),
                Op::Close(..) => {}
            }
            Ok(())
        })
    }
}

/// Does `op` to connection `id`, then tidies up ([`settle`]): the one
/// lookup and borrow of the connection exports. `""`, or the typed error.
#[inline(never)]
fn on(id: u32, op: Op<'_>) -> u32 {
    let r = match conn(id) {
        Some(c) => c.borrow_mut().apply(op),
        None if op.needs_conn() => Err(Error::ConnectionClosed { profile: Profile::from_canonical("\"?\"") }), // the host knows it closed
        None => Ok(()),
    };
    settle();
    result(r.map(|()| String::new()))
}

/// A failure the host passed (`""`: none).
fn failure(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

export! {
/// Socket `socket` of connection `id` opened.
pub fn conn_opened(id: u32, socket: f64) {
    on(id, Op::Opened(SocketId(socket as u64)));
}
}

export! {
/// Socket `socket` reported an error.
pub fn conn_error(id: u32, socket: f64, message: &str) {
    on(id, Op::Error(SocketId(socket as u64), message));
}
}

export! {
/// Socket `socket` closed.
pub fn conn_closed(id: u32, socket: f64, code: f64, reason: &str, was_clean: bool) {
    let code = if (0.0..=65535.0).contains(&code) { code as u16 } else { 1006 };
    on(id, Op::Closed(SocketId(socket as u64), code, reason, was_clean));
}
}

export! {
/// Socket `socket` could not be made (its constructor threw `message`).
pub fn conn_failed(id: u32, socket: f64, message: &str) {
    on(id, Op::Failed(SocketId(socket as u64), message));
}
}

export! {
/// Timer `timer` fired; `idle_ms`: how long since anything arrived on the
/// open socket (for the heartbeat's deadline).
pub fn conn_timer(id: u32, timer: f64, idle_ms: f64) {
    IDLE_MS.with(|i| i.set(idle_ms));
    on(id, Op::Timer(TimerId(timer as u64)));
}
}

export! {
/// `conn.reconnect()`: a fresh socket now, the old one closed first.
pub fn conn_reconnect(id: u32) -> u32 {
    on(id, Op::Reconnect)
}
}

export! {
/// The network went up or down (`online` / `offline`), or (`visible`) a
/// hidden page was shown: every connection of the realm hears it.
pub fn conn_network(online: bool, visible: bool) {
    let all = all();
    for c in &all {
        let mut c = c.borrow_mut();
        c.step(|m| {
            if visible {
                m.retry_now(Retry::Visible);
            } else {
                m.set_online(online);
            }
        });
    }
    drop(all);
    settle();
}
}

export! {
/// Another connection to this one's origin opened: if it is waiting out a
/// backoff delay, it retries now (`Machine::recovered`).
pub fn conn_recovered(id: u32) {
    on(id, Op::Recovered);
}
}

export! {
/// Queues a message of `bytes` bytes, held by the host, for the next open
/// socket; `failure` (unless empty) says why it was not sent now. `""`, or
/// `QueueFullError` / `ConnectionClosedError` (nothing queued).
pub fn conn_enqueue(id: u32, bytes: f64, failure: &str) -> u32 {
    on(id, Op::Enqueue(bytes as usize, self::failure(failure)))
}
}

export! {
/// Puts a held message the host could not send after all back in front;
/// `failure` (unless empty) says why, in an `error` event.
pub fn conn_requeue(id: u32, bytes: f64, failure: &str) {
    on(id, Op::Requeue(bytes as usize, self::failure(failure)));
}
}

export! {
/// Closes connection `id` for good (without `has_code`, with 1000).
pub fn conn_close(id: u32, has_code: bool, code: f64, reason: &str) -> u32 {
    if let Err(e) = check_close_code(if has_code { code } else { 1000.0 }) {
        return result(Err(e));
    }
    on(id, Op::Close(has_code.then_some(code as u16), reason))
}
}

export! {
/// How many connections are alive in this realm (for leak checks).
pub fn conn_count() -> u32 {
    CONNS.with(|c| c.borrow().len() as u32)
}
}
