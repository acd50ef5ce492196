//! The two traits the JS layer implements for the [`Machine`](crate::conn::Machine):
//! [`Transport`] (WebSockets) and [`Clock`] (timers and randomness), and the
//! ids they hand out.

use alloc::string::String;

use crate::conn::message::Message;

/// The longest timer delay, in ms, that `setTimeout` honours (2^31 - 1);
/// longer delays fire at once in browsers, so options never ask for more.
pub const MAX_TIMER_DELAY_MS: f64 = 2_147_483_647.0;

/// A socket handed out by a [`Transport`]. Ids of closed sockets may be
/// passed back to the machine; it ignores them.
///
/// ```
/// use profile_registry::conn::SocketId;
/// assert_ne!(SocketId(1), SocketId(2));
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct SocketId(pub u64);

/// A timer handed out by a [`Clock`]. Ids of cleared or fired timers may be
/// passed back to the machine; it ignores them.
///
/// ```
/// use profile_registry::conn::TimerId;
/// assert_eq!(TimerId(7).0, 7);
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct TimerId(pub u64);

/// Opens, writes to and closes sockets. Every method returns at once; the
/// socket's events reach the machine later, from the event loop, through
/// [`Machine::on_open`](crate::conn::Machine::on_open) and its siblings,
/// never from inside these calls.
///
/// ```
/// use profile_registry::conn::{Message, SocketId, Transport};
///
/// /// Logs what the machine asks for.
/// #[derive(Default)]
/// struct Log(Vec<String>);
///
/// impl Transport for Log {
///     fn open(&mut self, url: &str, _protocols: &[String]) -> Result<SocketId, String> {
///         self.0.push(format!("open {url}"));
///         Ok(SocketId(self.0.len() as u64))
///     }
///     fn send(&mut self, socket: SocketId, msg: &Message) -> Result<(), String> {
///         self.0.push(format!("send {msg:?} on {}", socket.0));
///         Ok(())
///     }
///     fn close(&mut self, socket: SocketId, code: u16, _reason: &str) {
///         self.0.push(format!("close {} with {code}", socket.0));
///     }
///     fn heartbeat(&mut self, socket: SocketId) {
///         self.0.push(format!("ping on {}", socket.0));
///     }
///     fn idle_ms(&self, _socket: SocketId) -> f64 {
///         0.0
///     }
/// }
///
/// let mut log = Log::default();
/// let s = log.open("wss://example.com", &[])?;
/// log.close(s, 1000, "");
/// assert_eq!(log.0, ["open wss://example.com", "close 1 with 1000"]);
/// # Ok::<(), String>(())
/// ```
pub trait Transport {
    /// Starts opening a socket. Its events come back later via
    /// `Machine::on_open` / `on_message` / `on_error` / `on_close` with this id.
    fn open(&mut self, url: &str, protocols: &[String]) -> Result<SocketId, String>;
    /// Sends one message on an open socket.
    fn send(&mut self, socket: SocketId, msg: &Message) -> Result<(), String>;
    /// Starts closing; the socket's `on_close` arrives later (it must still be
    /// delivered to the machine, which opens no other socket until then).
    fn close(&mut self, socket: SocketId, code: u16, reason: &str);
    /// Sends the heartbeat message on an open socket (see
    /// [`Heartbeat`](crate::conn::Heartbeat)); a failure shows as silence.
    fn heartbeat(&mut self, socket: SocketId);
    /// How long, in ms, since anything arrived on the open `socket` (or
    /// since it opened): read when a heartbeat deadline comes.
    fn idle_ms(&self, socket: SocketId) -> f64;
}

/// Timers and randomness (`setTimeout`, `clearTimeout`, `Math.random`).
///
/// ```
/// use profile_registry::conn::{Clock, TimerId};
///
/// /// A clock that never fires, with a fixed "random" number.
/// #[derive(Default)]
/// struct Still(u64);
///
/// impl Clock for Still {
///     fn set_timer(&mut self, _delay_ms: f64) -> TimerId {
///         self.0 += 1;
///         TimerId(self.0)
///     }
///     fn clear_timer(&mut self, _id: TimerId) {}
///     fn random(&mut self) -> f64 {
///         0.5
///     }
/// }
///
/// let mut c = Still::default();
/// assert_ne!(c.set_timer(10.0), c.set_timer(10.0));
/// ```
pub trait Clock {
    /// Starts a timer; it fires later via `Machine::on_timer(id)` unless cleared.
    /// `delay_ms` is finite, >= 0 and at most [`MAX_TIMER_DELAY_MS`].
    fn set_timer(&mut self, delay_ms: f64) -> TimerId;
    /// Cancels a timer that has not fired.
    fn clear_timer(&mut self, id: TimerId);
    /// A random number in `[0, 1)`.
    fn random(&mut self) -> f64;
}
