//! Fakes for driving a [`Machine`] natively, in tests and examples: a
//! [`FakeTransport`] that records what it is asked and panics if a second
//! socket is opened while one is alive, and a [`FakeClock`] with virtual
//! time and deterministic randomness.

use alloc::string::String;
use alloc::vec::Vec;

use crate::conn::machine::Machine;
use crate::conn::message::Message;
use crate::conn::options::Options;
use crate::conn::transport::{Clock, SocketId, TimerId, Transport, MAX_TIMER_DELAY_MS};
use crate::core::error::Error;

/// A machine over the fakes.
pub type FakeMachine = Machine<FakeTransport, FakeClock>;

/// A transport that records opens, sends and closes.
///
/// It panics when asked to open a socket while another is alive (opened and
/// not yet [`release`](Self::release)d), to send on or close a socket that is
/// not alive, or to close a socket twice: each would be a machine bug.
///
/// ```
/// use profile_registry::conn::testing::FakeTransport;
/// use profile_registry::conn::Transport;
///
/// let mut t = FakeTransport::default();
/// let s = t.open("ws://h", &[]).unwrap();
/// assert_eq!(t.live(), [s]);
/// assert!(t.release(s));
/// assert!(t.live().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct FakeTransport {
    /// Every socket opened, with its url and subprotocols.
    pub opens: Vec<(SocketId, String, Vec<String>)>,
    /// Every message sent, in order.
    pub sent: Vec<(SocketId, Message)>,
    /// Every close asked for: socket, code, reason.
    pub closes: Vec<(SocketId, u16, String)>,
    /// How many of the next opens fail.
    pub fail_opens: u32,
    /// Whether sends fail.
    pub fail_sends: bool,
    /// The sockets a heartbeat was sent on, in order.
    pub beats: Vec<SocketId>,
    /// What [`Transport::idle_ms`] answers: ms since the last message.
    pub idle_ms: f64,
    live: Vec<SocketId>,
    next_id: u64,
}

impl FakeTransport {
    /// The sockets opened and not yet released (at most one).
    pub fn live(&self) -> &[SocketId] {
        &self.live
    }

    /// Marks `socket` closed; returns whether it was alive.
    pub fn release(&mut self, socket: SocketId) -> bool {
        let before = self.live.len();
        self.live.retain(|s| *s != socket);
        self.live.len() != before
    }

    /// The text of every text message sent, in order.
    pub fn sent_texts(&self) -> Vec<&str> {
        self.sent
            .iter()
            .filter_map(|(_, m)| match m {
                Message::Text(t) => Some(t.as_str()),
                Message::Binary(_) | Message::Held(_) => None,
            })
            .collect()
    }
}

impl Transport for FakeTransport {
    fn open(&mut self, url: &str, protocols: &[String]) -> Result<SocketId, String> {
        assert!(self.live.is_empty(), "opened a socket while {:?} is alive", self.live);
        if self.fail_opens > 0 {
            self.fail_opens -= 1;
            return Err("refused by the fake transport".into());
        }
        self.next_id += 1;
        let socket = SocketId(self.next_id);
        self.live.push(socket);
        self.opens.push((socket, url.into(), protocols.to_vec()));
        Ok(socket)
    }

    fn send(&mut self, socket: SocketId, msg: &Message) -> Result<(), String> {
        assert!(self.live.contains(&socket), "sent on {socket:?}, which is not alive");
        if self.fail_sends {
            return Err("send failed in the fake transport".into());
        }
        self.sent.push((socket, msg.clone()));
        Ok(())
    }

    fn close(&mut self, socket: SocketId, code: u16, reason: &str) {
        assert!(self.live.contains(&socket), "closed {socket:?}, which is not alive");
        assert!(self.closes.iter().all(|(s, ..)| *s != socket), "closed {socket:?} twice");
        self.closes.push((socket, code, reason.into()));
    }

    fn heartbeat(&mut self, socket: SocketId) {
        assert!(self.live.contains(&socket), "heartbeat on {socket:?}, which is not alive");
        self.beats.push(socket);
    }

    fn idle_ms(&self, _socket: SocketId) -> f64 {
        self.idle_ms
    }
}

/// A clock with virtual time, pending timers and a seeded random sequence.
///
/// ```
/// use profile_registry::conn::testing::FakeClock;
/// use profile_registry::conn::Clock;
///
/// let mut c = FakeClock::new(1);
/// let a = c.set_timer(50.0);
/// let b = c.set_timer(10.0);
/// assert_eq!(c.fire_next(100.0), Some(b));
/// assert_eq!(c.now(), 10.0);
/// c.clear_timer(a);
/// assert_eq!(c.fire_next(100.0), None);
/// assert!((0.0..1.0).contains(&c.random()));
/// ```
#[derive(Debug)]
pub struct FakeClock {
    now: f64,
    next_id: u64,
    timers: Vec<(TimerId, f64)>,
    seed: u64,
}

impl FakeClock {
    /// A clock at time 0 whose random numbers follow `seed`.
    pub fn new(seed: u64) -> Self {
        FakeClock { now: 0.0, next_id: 0, timers: Vec::new(), seed }
    }

    /// The virtual time, in ms.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// How many timers are set and have not fired or been cleared.
    pub fn pending(&self) -> usize {
        self.timers.len()
    }

    /// The pending timers with their due times, in the order they were set.
    pub fn timers(&self) -> &[(TimerId, f64)] {
        &self.timers
    }

    /// Removes the earliest timer due at or before `until` (the first set on
    /// a tie), moves the time to it, and returns it.
    pub fn fire_next(&mut self, until: f64) -> Option<TimerId> {
        let (i, &(id, due)) = self
            .timers
            .iter()
            .enumerate()
            .filter(|(_, (_, due))| *due <= until)
            .min_by(|(_, (_, a)), (_, (_, b))| a.total_cmp(b))?;
        self.timers.remove(i);
        self.now = self.now.max(due);
        Some(id)
    }

    /// Moves the time forward to `t` without firing anything.
    pub fn advance_to(&mut self, t: f64) {
        self.now = self.now.max(t);
    }
}

impl Clock for FakeClock {
    fn set_timer(&mut self, delay_ms: f64) -> TimerId {
        assert!((0.0..=MAX_TIMER_DELAY_MS).contains(&delay_ms), "bad timer delay {delay_ms}");
        self.next_id += 1;
        let id = TimerId(self.next_id);
        self.timers.push((id, self.now + delay_ms));
        id
    }

    fn clear_timer(&mut self, id: TimerId) {
        self.timers.retain(|(t, _)| *t != id);
    }

    /// SplitMix64, scaled to `[0, 1)`.
    fn random(&mut self) -> f64 {
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as f64 / 18_446_744_073_709_551_616.0 // 2^64
    }
}

/// A machine over a fresh [`FakeTransport`] and a [`FakeClock`] seeded 0.
///
/// ```
/// # use profile_registry::conn::{testing::fake_machine, Options, State};
/// let m = fake_machine(Options::new("a".into(), "ws://h"))?;
/// assert_eq!(m.state(), State::Connecting);
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn fake_machine(options: Options) -> Result<FakeMachine, Error> {
    Machine::new(options, FakeTransport::default(), FakeClock::new(0))
}

/// Moves the virtual time `ms` forward, handing every timer due on the way
/// (including ones set by the machine meanwhile) to the machine, in order.
/// Returns how many fired.
///
/// ```
/// # use profile_registry::conn::{testing::*, *};
/// let mut options = Options::new("a".into(), "ws://h");
/// options.reconnect = Some(ReconnectPolicy { jitter: 0.0, ..Default::default() });
/// let mut m = fake_machine(options)?;
/// m.start();
/// let s = m.socket().unwrap();
/// close_socket(&mut m, s, 1006, "");
/// assert_eq!(advance(&mut m, 249.0), 0);
/// assert_eq!(advance(&mut m, 1.0), 1); // 250 ms: the first reconnect
/// assert_eq!(m.transport().opens.len(), 2);
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn advance(m: &mut FakeMachine, ms: f64) -> usize {
    let until = m.clock_mut().now() + ms;
    let mut fired = 0;
    while let Some(id) = m.clock_mut().fire_next(until) {
        m.on_timer(id);
        fired += 1;
    }
    m.clock_mut().advance_to(until);
    fired
}

/// Has the transport close `socket` and reports it to the machine, as the
/// event loop would; `was_clean` is `code != 1006`.
///
/// ```
/// # use profile_registry::conn::{testing::*, *};
/// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
/// m.start();
/// let s = m.socket().unwrap();
/// close_socket(&mut m, s, 1006, "gone");
/// assert!(m.transport().live().is_empty());
/// assert!(m.take_events().contains(&Event::SocketReleased { socket: s }));
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn close_socket(m: &mut FakeMachine, socket: SocketId, code: u16, reason: &str) {
    m.transport_mut().release(socket);
    m.on_close(socket, code, reason.into(), code != 1006);
}
