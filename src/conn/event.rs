//! [`State`] and [`Event`]: what a connection is doing, and what it tells
//! its listeners.

use alloc::string::String;

use crate::conn::message::Message;
use crate::conn::transport::SocketId;

/// Where a connection is in its life.
///
/// ```text
/// Connecting --open--> Open --close--> Reconnecting --open--> Open ...
///      \                 \                  \
///       `---------------- `-----------------`--> Closed (close(), or retries exhausted)
/// ```
///
/// `Connecting` is the first attempt only; after a loss (or a failed first
/// attempt) the connection stays `Reconnecting`, through the backoff wait and
/// the next attempts, until a socket opens.
///
/// ```
/// use profile_registry::conn::State;
/// assert_eq!(State::Reconnecting.as_str(), "reconnecting");
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum State {
    /// The first socket is being opened (or `start` was not called yet).
    Connecting,
    /// A socket is open; sends go straight out.
    Open,
    /// The connection was lost or never made; waiting to retry, or retrying.
    Reconnecting,
    /// Stopped for good; sends fail with `ConnectionClosed`.
    Closed,
}

impl State {
    /// `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`.
    ///
    /// ```
    /// # use profile_registry::conn::State;
    /// assert_eq!(State::Open.as_str(), "open");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Reconnecting => "reconnecting",
            State::Closed => "closed",
        }
    }
}

/// Why a connection is about to reconnect (`reconnecting`'s `reason`).
///
/// ```
/// use profile_registry::conn::Retry;
/// assert_eq!(Retry::Offline.as_str(), "offline");
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Retry {
    /// The socket closed or could not open: after the backoff delay.
    Closed,
    /// The network is down: retries wait for it (no delay is running).
    Offline,
    /// The network came back: now.
    Online,
    /// The page became visible again: now.
    Visible,
    /// `reconnect()` was called: now.
    Reconnect,
    /// Another connection to the same origin opened, so the server is back:
    /// now (through the host's pacer) instead of waiting out the backoff.
    Recovered,
}

impl Retry {
    /// `"closed"`, `"offline"`, `"online"`, `"visible"`, `"reconnect"` or `"recovered"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Retry::Closed => "closed",
            Retry::Offline => "offline",
            Retry::Online => "online",
            Retry::Visible => "visible",
            Retry::Reconnect => "reconnect",
            Retry::Recovered => "recovered",
        }
    }
}

/// Something a connection tells its listeners, taken from
/// [`Machine::take_events`](crate::conn::Machine::take_events) in the order
/// it happened.
///
/// Promises kept by the machine:
/// - every `Opening` is followed by exactly one `Close` (the attempt or
///   connection is over) and, once the transport reports it, exactly one
///   `SocketReleased` for that socket;
/// - `StateChange` comes before the event that explains it (`Open`, `Close`);
/// - `Ended` comes exactly once, last, except for `SocketReleased` events of
///   sockets still closing.
///
/// ```
/// use profile_registry::conn::{Event, State};
///
/// let e = Event::StateChange { from: State::Connecting, to: State::Open };
/// assert_eq!(e.name(), "statechange");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The state changed.
    StateChange {
        /// The old state.
        from: State,
        /// The new state.
        to: State,
    },
    /// A new socket was asked of the transport: `attempt` 0 is the first
    /// connect, `n` the nth reconnect. The JS layer gives the registry entry
    /// a new handle here.
    Opening {
        /// The new socket.
        socket: SocketId,
        /// Which attempt it is.
        attempt: u32,
    },
    /// The socket opened; queued messages were sent right after.
    Open {
        /// The open socket.
        socket: SocketId,
    },
    /// A message arrived on the open socket.
    Message(Message),
    /// Something went wrong that the connection survives (a socket error, a
    /// failed open or send, a connect timeout).
    Error {
        /// What happened, lowercase.
        message: String,
    },
    /// The current attempt or connection is over. Emitted at once by
    /// `close()` (with its code and reason, `was_clean: true`) and for a
    /// connect timeout (code 1006); otherwise from the transport's close.
    Close {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
        /// Whether the closing handshake completed.
        was_clean: bool,
        /// Whether a reconnect follows.
        will_reconnect: bool,
    },
    /// A reconnect attempt is scheduled `delay_ms` from now (`None`: paused
    /// until the network is back), for `reason`.
    Reconnecting {
        /// The attempt that will be made (1 for the first reconnect).
        attempt: u32,
        /// The backoff delay, 0 for a retry now, `None` while paused.
        delay_ms: Option<f64>,
        /// Why.
        reason: Retry,
    },
    /// The connection stopped for good (`close()`, or retries exhausted).
    /// `rejected` queued messages were never sent: they are reported here,
    /// never lost silently.
    Ended {
        /// How many queued messages were dropped.
        rejected: usize,
    },
    /// Messages handed back by the host after the end (see
    /// [`Machine::requeue`](crate::conn::Machine::requeue)): never sent,
    /// reported here.
    Rejected {
        /// How many.
        count: usize,
    },
    /// The transport reported that this socket is closed; once no socket of
    /// the profile is alive, a replacement connection may start.
    SocketReleased {
        /// The released socket.
        socket: SocketId,
    },
}

impl Event {
    /// The event's name, as JS listeners see it: `"statechange"`, `"opening"`,
    /// `"open"`, `"message"`, `"error"`, `"close"`, `"reconnecting"`, `"end"`,
    /// `"socketreleased"`.
    ///
    /// ```
    /// # use profile_registry::conn::Event;
    /// assert_eq!(Event::Ended { rejected: 0 }.name(), "end");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Event::StateChange { .. } => "statechange",
            Event::Opening { .. } => "opening",
            Event::Open { .. } => "open",
            Event::Message(_) => "message",
            Event::Error { .. } => "error",
            Event::Close { .. } => "close",
            Event::Reconnecting { .. } => "reconnecting",
            Event::Ended { .. } => "end",
            Event::Rejected { .. } => "rejected",
            Event::SocketReleased { .. } => "socketreleased",
        }
    }
}
