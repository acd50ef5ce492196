//! [`Machine`]: the state machine of one connection (one profile), sans IO.
//!
//! The machine holds at most one socket at a time, as a single field that
//! is empty, connecting, open, or closing (asked to close, waiting for the
//! transport's `on_close`). A new socket is only opened when that field is
//! empty, so two sockets of one profile are never alive at once. Timers:
//! the connect timeout while connecting or the backoff wait (one at a
//! time), and while open the uptime timer (after which the attempt count
//! starts again) and the heartbeat's interval and deadline.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::conn::event::{Event, Retry, State};
use crate::conn::message::Message;
use crate::conn::backoff::ReconnectPolicy;
use crate::conn::options::{out_of_range, Field, Heartbeat, Options};
use crate::conn::queue::SendQueue;
use crate::conn::transport::{Clock, SocketId, TimerId, Transport};
use crate::core::error::Error;
use crate::core::float::is_whole;
use crate::core::profile::Profile;
use crate::core::text::{text, Num};

/// The longest close reason, in UTF-8 bytes, that a WebSocket accepts.
const MAX_CLOSE_REASON_BYTES: usize = 123;
/// The close code used when none is given, and for abandoned attempts.
const NORMAL_CLOSURE: u16 = 1000;
/// The close code reported for an attempt that never opened in time.
const ABNORMAL_CLOSURE: u16 = 1006;
/// The close code a server fence closes a superseded socket with: the
/// connection ends (no reconnect), since a newer owner of its profile holds
/// the server.
pub const SUPERSEDED: u16 = 4409;

/// Checks a close code as `WebSocket.close` does: 1000, or from 3000 to 4999.
pub(crate) fn check_close_code(code: f64) -> Result<(), Error> {
    if code == 1000.0 || (3000.0..=4999.0).contains(&code) && is_whole(code) {
        return Ok(());
    }
    Err(out_of_range(Field::CloseCode, code))
}

/// The error of a close reason of `len` bytes, past [`MAX_CLOSE_REASON_BYTES`].
#[cold]
#[inline(never)]
fn long_reason(len: usize) -> Error {
    Error::InvalidConfig(text!("a close reason may be at most ", MAX_CLOSE_REASON_BYTES, " UTF-8 bytes, got ", len, "; shorten it"))
}

/// The one socket a machine may hold.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Socket {
    None,
    Connecting(SocketId),
    Open(SocketId),
    /// Asked to close; alive until the transport's `on_close`.
    Closing(SocketId),
}

/// The code, reason and cleanness of a `Close` event to report.
type CloseInfo = (u16, String, bool);

/// What the one running timer is for: the connect timeout or the backoff
/// wait while no socket is open, the uptime timer while one is.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Timer {
    ConnectTimeout,
    Backoff,
    Uptime,
}

/// A heartbeat and, while a socket is open, its interval and deadline
/// timers. Boxed, and only when a heartbeat is set, so that a machine
/// without one stays small.
struct Beat {
    every: Heartbeat,
    interval: Option<TimerId>,
    deadline: Option<TimerId>,
}

/// The connection state machine of one profile.
///
/// Drive it from the JS event loop: call [`start`](Self::start), hand it the
/// transport's socket events and the clock's timer events, and after every
/// call dispatch [`take_events`](Self::take_events) to listeners with no
/// borrow of the machine held.
///
/// ```
/// use profile_registry::conn::testing::{FakeClock, FakeTransport};
/// use profile_registry::conn::{Event, Machine, Options, State};
///
/// let options = Options::new("alice".into(), "wss://chat.example.com");
/// let mut m = Machine::new(options, FakeTransport::default(), FakeClock::new(7))?;
/// m.send("queued before open".into())?;
/// m.start();
/// let socket = m.socket().unwrap();
/// m.on_open(socket);
/// assert_eq!(m.state(), State::Open);
/// assert_eq!(m.transport().sent_texts(), ["queued before open"]);
///
/// m.on_close(socket, 1006, String::new(), false); // the server went away
/// assert_eq!(m.state(), State::Reconnecting);
/// assert!(m.take_events().contains(&Event::SocketReleased { socket }));
///
/// m.close(None, None)?;
/// assert_eq!(m.take_events().last(), Some(&Event::Ended { rejected: 0 }));
/// assert_eq!(m.clock_mut().pending(), 0); // the backoff timer was cleared
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub struct Machine<T: Transport, C: Clock> {
    // The options, unpacked: the queue limits live in `queue`, and a
    // heartbeat (which few connections set) out of line.
    profile: Profile,
    url: String,
    protocols: Vec<String>,
    reconnect: Option<ReconnectPolicy>,
    /// The connect timeout, 0 for none (a set one is above 0).
    connect_timeout_ms: f64,
    beat: Option<Box<Beat>>,
    transport: T,
    clock: C,
    state: State,
    started: bool,
    attempt: u32,
    socket: Socket,
    timer: Option<(TimerId, Timer)>,
    /// The network is down: reconnects wait for [`set_online`](Self::set_online).
    offline: bool,
    /// The backoff timer fired while the old socket was still closing.
    open_when_released: bool,
    queue: SendQueue,
    events: Vec<Event>,
}

impl<T: Transport, C: Clock> Machine<T, C> {
    /// Validates `options` and builds a machine in state `Connecting` that
    /// opens nothing until [`start`](Self::start).
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let bad = Options { connect_timeout_ms: Some(0.0), ..Options::new("alice".into(), "wss://example.com") };
    /// assert!(Machine::new(bad, FakeTransport::default(), FakeClock::new(1)).is_err());
    /// ```
    pub fn new(options: Options, transport: T, clock: C) -> Result<Self, Error> {
        options.validate()?;
        let Options { profile, url, protocols, reconnect, queue, connect_timeout_ms, heartbeat } = options;
        Ok(Machine {
            profile,
            url,
            protocols,
            reconnect,
            connect_timeout_ms: connect_timeout_ms.unwrap_or(0.0),
            beat: heartbeat.map(|every| Box::new(Beat { every, interval: None, deadline: None })),
            queue: SendQueue::new(queue),
            transport,
            clock,
            state: State::Connecting,
            started: false,
            attempt: 0,
            socket: Socket::None,
            timer: None,
            offline: false,
            open_when_released: false,
            events: Vec::new(),
        })
    }

    /// Opens the first socket. A second call, or a call after
    /// [`close`](Self::close), does nothing.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// m.start();
    /// assert_eq!(m.transport().opens.len(), 1);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn start(&mut self) {
        if !self.started && self.state != State::Closed {
            self.started = true;
            self.open_socket();
        }
    }

    /// Sends `msg` now when open, or queues it to send, in order, on the next
    /// open. Errors, with nothing queued, when the queue is full
    /// ([`Error::QueueFull`]) or the machine is closed ([`Error::ConnectionClosed`]).
    ///
    /// If the transport refuses a send on the open socket, an `Error` event
    /// says so and the message is queued (or, when the queue is full, the
    /// call fails): a message is always sent, refused at call time, or
    /// counted in [`Event::Ended`].
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// # use profile_registry::Error;
    /// let mut options = Options::new("a".into(), "ws://h");
    /// options.queue = QueueLimits { max_messages: 1, max_bytes: 100 };
    /// let mut m = fake_machine(options)?;
    /// m.send("one".into())?;
    /// assert!(matches!(m.send("two".into()), Err(Error::QueueFull { messages: 1, .. })));
    /// assert_eq!(m.queued(), (1, 3));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn send(&mut self, msg: Message) -> Result<(), Error> {
        if self.state == State::Closed {
            return Err(self.closed());
        }
        if let Socket::Open(socket) = self.socket {
            if self.flush(socket) {
                match self.transport.send(socket, &msg) {
                    Ok(()) => return Ok(()),
                    Err(e) => self.send_failed(&e),
                }
            }
        }
        self.push(msg)
    }

    /// The error of a call that needs a machine not yet closed.
    #[cold]
    #[inline(never)]
    fn closed(&self) -> Error {
        Error::ConnectionClosed { profile: self.profile.clone() }
    }

    fn push(&mut self, msg: Message) -> Result<(), Error> {
        self.queue.push(msg).map_err(|_| self.full())
    }

    /// The error of a send the full queue refused.
    #[cold]
    #[inline(never)]
    fn full(&self) -> Error {
        let limits = self.queue.limits();
        Error::QueueFull {
            profile: self.profile.clone(),
            messages: self.queue.len(),
            bytes: self.queue.bytes(),
            max_messages: limits.max_messages,
            max_bytes: limits.max_bytes,
        }
    }

    /// Queues `msg` for the next open socket without trying to send it now:
    /// for a host that found the socket unable to send (still connecting,
    /// or already closing although its close has not arrived). With
    /// `failure`, an `Error` event says why the send did not happen. Errors
    /// as [`send`](Self::send) does when closed or full.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// m.on_open(s);
    /// m.enqueue(Message::Held(3), Some("the socket is closing"))?;
    /// assert_eq!(m.queued(), (1, 3));
    /// assert!(m.transport().sent.is_empty());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn enqueue(&mut self, msg: Message, failure: Option<&str>) -> Result<(), Error> {
        if self.state == State::Closed {
            return Err(self.closed());
        }
        if let Some(e) = failure {
            self.send_failed(e);
        }
        self.push(msg)
    }

    /// Puts a message handed to the transport back in front of the queue,
    /// because the host could not send it after all (`failure`, if given,
    /// says why in an `Error` event). After the end it is counted as
    /// rejected instead.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.requeue(Message::Held(4), Some("send threw"));
    /// assert_eq!(m.queued(), (1, 4));
    /// m.close(None, None)?;
    /// assert_eq!(m.take_events().last(), Some(&Event::Ended { rejected: 1 }));
    /// m.requeue(Message::Held(4), None);
    /// assert_eq!(m.take_events(), [Event::Rejected { count: 1 }]);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn requeue(&mut self, msg: Message, failure: Option<&str>) {
        if self.state == State::Closed {
            self.emit(Event::Rejected { count: 1 });
            return;
        }
        if let Some(e) = failure {
            self.send_failed(e);
        }
        self.queue.push_front(msg);
    }

    /// The host could not even create `socket` (its constructor threw,
    /// `error` says how): the attempt is over, as if it had closed at once.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// m.on_open_failed(s, "bad url");
    /// assert_eq!((m.state(), m.has_live_socket()), (State::Reconnecting, false));
    /// assert!(m.take_events().contains(&Event::SocketReleased { socket: s }));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn on_open_failed(&mut self, socket: SocketId, error: &str) {
        if self.socket != Socket::Connecting(socket) {
            return;
        }
        self.release(socket);
        self.open_failed(error);
    }

    /// Stops for good: clears the timer, closes the socket with `code`
    /// (default 1000) and `reason`, moves to `Closed` and emits
    /// `StateChange`, `Close` (when a socket was connecting or open) and
    /// `Ended` with the number of queued messages dropped. The socket's own
    /// close arrives later as a `SocketReleased` event only.
    ///
    /// `code` must be 1000 or 3000..=4999 and `reason` at most 123 UTF-8
    /// bytes (as for `WebSocket.close`), else [`Error::InvalidConfig`] and
    /// nothing changes. Closing again is `Ok` and emits nothing.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// m.send("never sent".into())?;
    /// assert!(m.close(Some(1001), None).is_err()); // reserved for browsers
    /// m.close(Some(4000), Some("bye"))?;
    /// assert_eq!(m.take_events().last(), Some(&Event::Ended { rejected: 1 }));
    /// m.close(None, None)?;
    /// assert!(m.take_events().is_empty());
    /// assert!(m.has_live_socket()); // until the transport reports the close
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn close(&mut self, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        let code = code.unwrap_or(NORMAL_CLOSURE);
        let reason = reason.unwrap_or_default();
        check_close_code(code.into())?;
        if reason.len() > MAX_CLOSE_REASON_BYTES {
            return Err(long_reason(reason.len()));
        }
        if self.state == State::Closed {
            return Ok(());
        }
        self.open_when_released = false;
        let closed = self.close_socket(code, reason);
        self.end(closed);
        Ok(())
    }

    /// The transport opened `socket`: the machine moves to `Open`, emits
    /// `StateChange` and `Open` and sends the queue in order. The attempt
    /// count starts again once the socket has stayed open for
    /// `reconnect.min_uptime_ms`; with a heartbeat, its timers start. Ids of
    /// other sockets are ignored.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// m.on_open(SocketId(999)); // not ours
    /// assert_eq!(m.state(), State::Connecting);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn on_open(&mut self, socket: SocketId) {
        if self.socket != Socket::Connecting(socket) {
            return;
        }
        self.cancel_timer();
        self.socket = Socket::Open(socket);
        self.set_state(State::Open);
        self.emit(Event::Open { socket });
        let uptime = self.reconnect.map_or(0.0, |p| p.min_uptime_ms);
        if self.attempt > 0 && uptime > 0.0 {
            self.set_timer(uptime, Timer::Uptime);
        } else {
            self.attempt = 0;
        }
        if let Some(b) = &mut self.beat {
            b.interval = Some(self.clock.set_timer(b.every.interval_ms));
            b.deadline = Some(self.clock.set_timer(b.every.timeout_ms));
        }
        self.flush(socket);
    }

    /// A message arrived on `socket`; emitted as `Message` when it is the
    /// open socket, else ignored.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// m.on_open(s);
    /// m.take_events();
    /// m.on_message(s, "hi".into());
    /// assert_eq!(m.take_events(), [Event::Message("hi".into())]);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn on_message(&mut self, socket: SocketId, msg: Message) {
        if self.socket == Socket::Open(socket) {
            self.emit(Event::Message(msg));
        }
    }

    /// The transport reported an error on `socket`; emitted as `Error` when it
    /// is the current (connecting or open) socket, else ignored. The close
    /// that usually follows is what ends the attempt.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// m.on_error(m.socket().unwrap(), "refused".into());
    /// assert!(m.take_events().contains(&Event::Error { message: "refused".into() }));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn on_error(&mut self, socket: SocketId, message: String) {
        if self.current() == Some(socket) {
            self.emit(Event::Error { message });
        }
    }

    /// The transport closed `socket`. For any socket of this machine it emits
    /// `SocketReleased`. When it was the current socket, the attempt or
    /// connection is over: a reconnect is scheduled (`StateChange`, `Close`,
    /// `Reconnecting`) or, without retries left or when the server closed it
    /// with [`SUPERSEDED`] (4409, a newer owner of the profile holds the
    /// server), the machine ends (`StateChange`, `Close`, `Ended`). Unknown
    /// or repeated ids are ignored.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut options = Options::new("a".into(), "ws://h");
    /// options.reconnect = None;
    /// let mut m = fake_machine(options)?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// m.on_close(s, 1006, String::new(), false);
    /// m.on_close(s, 1006, String::new(), false); // twice: ignored
    /// assert_eq!(m.state(), State::Closed);
    /// let ends = m.take_events().iter().filter(|e| matches!(e, Event::Ended { .. })).count();
    /// assert_eq!(ends, 1);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn on_close(&mut self, socket: SocketId, code: u16, reason: String, was_clean: bool) {
        match self.socket {
            Socket::Closing(s) if s == socket => {
                self.socket = Socket::None;
                self.emit(Event::SocketReleased { socket });
                if core::mem::take(&mut self.open_when_released) {
                    self.open_socket();
                }
            }
            Socket::Connecting(s) | Socket::Open(s) if s == socket => {
                self.release(socket);
                let close = Some((code, reason, was_clean));
                if code == SUPERSEDED {
                    self.end(close);
                } else {
                    self.attempt_over(close);
                }
            }
            _ => {}
        }
    }

    /// A timer fired. The backoff timer opens the next socket (or, while the
    /// old socket is still closing, as soon as it is released). The connect
    /// timeout closes the stuck socket, emits `Error` and a `Close` with code
    /// 1006, and counts the attempt as failed. Unknown ids are ignored.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut options = Options::new("a".into(), "ws://h");
    /// options.connect_timeout_ms = Some(1000.0);
    /// let mut m = fake_machine(options)?;
    /// m.start();
    /// let stuck = m.socket().unwrap();
    /// advance(&mut m, 1000.0);
    /// assert_eq!(m.state(), State::Reconnecting);
    /// assert_eq!(m.transport().closes[0].0, stuck);
    /// advance(&mut m, 60_000.0); // the backoff is over, but `stuck` is not released
    /// assert_eq!(m.transport().opens.len(), 1);
    /// close_socket(&mut m, stuck, 1006, "");
    /// assert_eq!(m.transport().opens.len(), 2); // the deferred reconnect
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn on_timer(&mut self, timer: TimerId) {
        if self.open_timer(timer) {
            return;
        }
        let kind = match self.timer {
            Some((id, kind)) if id == timer => kind,
            _ => return,
        };
        self.timer = None;
        match (kind, self.socket) {
            (Timer::Backoff, Socket::None) => self.open_socket(),
            (Timer::Backoff, Socket::Closing(_)) => self.open_when_released = true,
            (Timer::Uptime, Socket::Open(_)) => self.attempt = 0,
            (Timer::ConnectTimeout, Socket::Connecting(_)) => {
                let ms = self.connect_timeout_ms;
                self.timed_out("connect timeout", "the websocket did not open within ", ms, " ms; check the server, or raise connectTimeoutMs");
            }
            _ => {}
        }
    }

    /// Tells the machine whether the network is up (the host's `online` and
    /// `offline` events). Offline, reconnects pause: a pending backoff is
    /// cancelled and a `Reconnecting` event with no delay and
    /// [`Retry::Offline`] says so, and a socket lost meanwhile waits too.
    /// Back online, a waiting connection retries at once
    /// ([`Retry::Online`]), also when it never heard it was offline. An open
    /// socket is left alone either way.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// m.set_online(false);
    /// close_socket(&mut m, s, 1006, "");
    /// let paused = Event::Reconnecting { attempt: 1, delay_ms: None, reason: Retry::Offline };
    /// assert!(m.take_events().contains(&paused));
    /// assert_eq!(m.clock_mut().pending(), 0); // no retry while offline
    /// m.set_online(true);
    /// assert_eq!(m.transport().opens.len(), 2);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn set_online(&mut self, online: bool) {
        if online {
            // Also without an `offline` before: the network says it is back.
            self.offline = false;
            self.retry_now(Retry::Online);
            return;
        }
        if core::mem::replace(&mut self.offline, true) {
            return;
        }
        if self.state == State::Reconnecting && self.current().is_none() {
            self.cancel_timer();
            self.open_when_released = false;
            self.reconnecting(None, Retry::Offline);
        }
    }

    /// While waiting to reconnect (the backoff delay, or paused offline),
    /// retries at once, for `reason` (the host calls it with
    /// [`Retry::Visible`] when a hidden page is shown again). Returns whether
    /// it did: not while a socket is connecting or open, nor offline.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// assert!(!m.retry_now(Retry::Visible)); // connecting
    /// let s = m.socket().unwrap();
    /// close_socket(&mut m, s, 1006, "");
    /// assert!(m.retry_now(Retry::Visible));
    /// assert_eq!((m.transport().opens.len(), m.clock_mut().pending()), (2, 0));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn retry_now(&mut self, reason: Retry) -> bool {
        if self.state != State::Reconnecting || self.offline || self.current().is_some() {
            return false;
        }
        self.cancel_timer();
        self.reconnecting(Some(0.0), reason);
        self.open_when_free();
        true
    }

    /// Another connection to this one's origin opened: the server is back.
    /// A machine waiting out its backoff delay retries now
    /// ([`Retry::Recovered`], the attempt count kept); returns whether it
    /// did. Nothing happens unless a backoff delay is running: not while a
    /// socket is connecting or open, offline, or once closed.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// assert!(!m.recovered()); // connecting
    /// let s = m.socket().unwrap();
    /// close_socket(&mut m, s, 1006, "");
    /// m.take_events();
    /// assert!(m.recovered());
    /// let now = Event::Reconnecting { attempt: 1, delay_ms: Some(0.0), reason: Retry::Recovered };
    /// assert_eq!(m.take_events()[0], now);
    /// assert_eq!((m.transport().opens.len(), m.clock_mut().pending()), (2, 0));
    /// assert!(!m.recovered()); // its retry is connecting
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn recovered(&mut self) -> bool {
        matches!(self.timer, Some((_, Timer::Backoff))) && self.retry_now(Retry::Recovered)
    }

    /// A fresh socket now: the current one (if any) is closed, and the next
    /// opens once it is released, with no backoff delay; the queue is kept.
    /// Emits `StateChange`, `Close` (code 1000, reason `"reconnect"`, when a
    /// socket was connecting or open) and `Reconnecting` ([`Retry::Reconnect`],
    /// attempt 1: the retry count starts again). Errors with
    /// [`Error::ConnectionClosed`] once closed. Before [`start`](Self::start)
    /// it does nothing: the first socket is still to come.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let old = m.socket().unwrap();
    /// m.on_open(old);
    /// m.reconnect()?;
    /// m.send("kept".into())?; // queued for the new socket
    /// assert_eq!((m.state(), m.transport().opens.len()), (State::Reconnecting, 1)); // `old` is closing
    /// close_socket(&mut m, old, 1000, "");
    /// let new = m.socket().unwrap();
    /// m.on_open(new);
    /// assert_eq!(m.transport().sent.last().map(|(s, _)| *s), Some(new));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn reconnect(&mut self) -> Result<(), Error> {
        if self.state == State::Closed {
            return Err(self.closed());
        }
        if !self.started {
            return Ok(());
        }
        let closed = self.close_socket(NORMAL_CLOSURE, "reconnect");
        self.attempt = 1;
        self.set_state(State::Reconnecting);
        self.push_close(closed, true);
        self.reconnecting(Some(0.0), Retry::Reconnect);
        self.open_when_free();
        Ok(())
    }

    /// The current state.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// assert_eq!(m.state(), State::Connecting);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn state(&self) -> State {
        self.state
    }

    /// The attempt in progress or scheduled: 0 for the first connect and
    /// while open, `n` for the nth reconnect in a row.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// close_socket(&mut m, s, 1006, "");
    /// assert_eq!(m.attempt(), 1);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn attempt(&self) -> u32 {
        if self.state == State::Open {
            0
        } else {
            self.attempt
        }
    }

    /// How many messages and bytes are queued.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.send(vec![1u8, 2].into())?;
    /// assert_eq!(m.queued(), (1, 2));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn queued(&self) -> (usize, usize) {
        (self.queue.len(), self.queue.bytes())
    }

    /// The current socket, connecting or open (not one that is closing).
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// assert_eq!(m.socket(), None);
    /// m.start();
    /// assert!(m.socket().is_some());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn socket(&self) -> Option<SocketId> {
        self.current()
    }

    /// Whether a socket of this machine is alive: opened and not yet
    /// reported closed, including one the machine is closing.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// let s = m.socket().unwrap();
    /// m.close(None, None)?;
    /// assert!(m.has_live_socket());
    /// m.on_close(s, 1000, String::new(), true);
    /// assert!(!m.has_live_socket());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn has_live_socket(&self) -> bool {
        self.socket != Socket::None
    }

    /// The connection's profile.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let m = fake_machine(Options::new("alice".into(), "ws://h"))?;
    /// assert_eq!(m.profile().as_str().as_deref(), Some("alice"));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The subprotocols the machine was built with.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let m = fake_machine(Options { protocols: vec!["v2".into()], ..Options::new("a".into(), "ws://h") })?;
    /// assert_eq!(m.protocols(), ["v2"]);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// Takes the events emitted since the last call, oldest first.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.start();
    /// assert_eq!(m.take_events(), [Event::Opening { socket: m.socket().unwrap(), attempt: 0 }]);
    /// assert!(m.take_events().is_empty());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn take_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.events)
    }

    /// The transport.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// assert!(m.transport().opens.is_empty());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably (to drop its resources, or in tests).
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// m.transport_mut().fail_opens = 1;
    /// m.start();
    /// assert_eq!(m.state(), State::Reconnecting);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The clock, mutably.
    ///
    /// ```
    /// # use profile_registry::conn::{testing::*, *};
    /// let mut m = fake_machine(Options::new("a".into(), "ws://h"))?;
    /// assert_eq!(m.clock_mut().pending(), 0);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn clock_mut(&mut self) -> &mut C {
        &mut self.clock
    }

    /// The connecting or open socket.
    fn current(&self) -> Option<SocketId> {
        match self.socket {
            Socket::Connecting(s) | Socket::Open(s) => Some(s),
            Socket::None | Socket::Closing(_) => None,
        }
    }

    /// Emits `Reconnecting` for the current attempt.
    fn reconnecting(&mut self, delay_ms: Option<f64>, reason: Retry) {
        self.emit(Event::Reconnecting { attempt: self.attempt, delay_ms, reason });
    }

    /// Emits `e`: the one place events are pushed.
    #[inline(never)]
    fn emit(&mut self, e: Event) {
        self.events.push(e);
    }

    fn set_state(&mut self, to: State) {
        if self.state != to {
            self.emit(Event::StateChange { from: self.state, to });
            self.state = to;
        }
    }

    fn set_timer(&mut self, delay_ms: f64, kind: Timer) {
        debug_assert!(self.timer.is_none(), "one timer at a time");
        self.timer = Some((self.clock.set_timer(delay_ms), kind));
    }

    fn cancel_timer(&mut self) {
        let t = self.timer.take().map(|(id, _)| id);
        self.clear(t);
    }

    /// Clears timer `t`, if any.
    fn clear(&mut self, t: Option<TimerId>) {
        if let Some(t) = t {
            self.clock.clear_timer(t);
        }
    }

    /// Every timer: the one in [`timer`](Self::timer), and the heartbeat's.
    fn cancel_timers(&mut self) {
        self.cancel_timer();
        if let Some(b) = &mut self.beat {
            let (interval, deadline) = (b.interval.take(), b.deadline.take());
            self.clear(interval);
            self.clear(deadline);
        }
    }

    /// Handles `timer` if it is one of the open socket's heartbeat timers
    /// (interval or deadline); returns whether it was.
    fn open_timer(&mut self, timer: TimerId) -> bool {
        let (Socket::Open(socket), Some(b)) = (self.socket, &mut self.beat) else { return false };
        if b.interval == Some(timer) {
            self.transport.heartbeat(socket);
            b.interval = Some(self.clock.set_timer(b.every.interval_ms));
        } else if b.deadline == Some(timer) {
            let timeout = b.every.timeout_ms;
            let idle = self.transport.idle_ms(socket);
            if idle < timeout - 1.0 {
                b.deadline = Some(self.clock.set_timer(timeout - idle));
                return true;
            }
            b.deadline = None;
            self.timed_out("heartbeat timeout", "nothing arrived on the websocket for ", timeout, " ms (heartbeat.timeoutMs): it is taken as dead and replaced");
        } else {
            return false;
        }
        true
    }

    /// The current socket waited `ms` too long (`reason` its close reason):
    /// closed, an `Error` of `before`, `ms` and `after`, the attempt over
    /// with a `Close` of code 1006.
    fn timed_out(&mut self, reason: &str, before: &str, ms: f64, after: &str) {
        self.close_socket(NORMAL_CLOSURE, reason);
        self.error(before, &text!(Num(ms)), after);
        self.attempt_over(Some((ABNORMAL_CLOSURE, reason.into(), false)));
    }

    /// The current socket is gone: no socket, no timer.
    fn release(&mut self, socket: SocketId) {
        self.socket = Socket::None;
        self.cancel_timers();
        self.emit(Event::SocketReleased { socket });
    }

    /// Opens the next socket now, or as soon as the closing one is released.
    fn open_when_free(&mut self) {
        if self.socket == Socket::None {
            self.open_socket();
        } else {
            self.open_when_released = true;
        }
    }

    /// Clears every timer and asks the transport to close the current
    /// socket, if any, keeping it as `Closing` until released. Returns the
    /// `Close` to report when there was one: clean, with `code` and `reason`.
    fn close_socket(&mut self, code: u16, reason: &str) -> Option<CloseInfo> {
        self.cancel_timers();
        let socket = self.current()?;
        self.transport.close(socket, code, reason);
        self.socket = Socket::Closing(socket);
        Some((code, reason.into(), true))
    }

    /// Opens a socket for the current attempt; only called with no socket alive.
    fn open_socket(&mut self) {
        debug_assert_eq!(self.socket, Socket::None, "one socket at a time");
        match self.transport.open(&self.url, &self.protocols) {
            Ok(socket) => {
                self.socket = Socket::Connecting(socket);
                self.emit(Event::Opening { socket, attempt: self.attempt });
                if self.connect_timeout_ms > 0.0 {
                    self.set_timer(self.connect_timeout_ms, Timer::ConnectTimeout);
                }
            }
            Err(e) => self.open_failed(&e),
        }
    }

    fn open_failed(&mut self, e: &str) {
        // The url is not named: it may carry secrets (the host's `e` names it redacted).
        self.error("could not open a websocket: ", e, "; check the url and the WebSocket implementation");
        self.attempt_over(None);
    }

    /// The current attempt or connection is over (`close` is the `Close`
    /// event to report, if any): schedules the next attempt, or ends.
    fn attempt_over(&mut self, close: Option<CloseInfo>) {
        let next = self.attempt.saturating_add(1);
        if !self.reconnect.as_ref().is_some_and(|p| p.max_retries.map_or(true, |max| next <= max)) {
            return self.end(close);
        }
        self.attempt = next;
        self.set_state(State::Reconnecting);
        self.push_close(close, true);
        if self.offline {
            self.reconnecting(None, Retry::Offline);
            return;
        }
        let r = self.clock.random();
        let delay_ms = self.reconnect.as_ref().map_or(0.0, |p| p.delay_ms(next, r));
        self.reconnecting(Some(delay_ms), Retry::Closed);
        self.set_timer(delay_ms, Timer::Backoff);
    }

    /// Stops for good; reports the dropped queue in `Ended`.
    fn end(&mut self, close: Option<CloseInfo>) {
        debug_assert!(self.timer.is_none(), "no timer outlives the machine");
        self.set_state(State::Closed);
        self.push_close(close, false);
        let rejected = self.queue.clear();
        self.emit(Event::Ended { rejected });
    }

    fn push_close(&mut self, close: Option<CloseInfo>, will_reconnect: bool) {
        if let Some((code, reason, was_clean)) = close {
            self.emit(Event::Close { code, reason, was_clean, will_reconnect });
        }
    }

    /// Sends the queue in order; returns whether it is empty. Stops at the
    /// first refusal, which stays queued.
    fn flush(&mut self, socket: SocketId) -> bool {
        while let Some(msg) = self.queue.front() {
            match self.transport.send(socket, msg) {
                Ok(()) => drop(self.queue.pop()),
                Err(e) => {
                    self.send_failed(&e);
                    return false;
                }
            }
        }
        true
    }

    fn send_failed(&mut self, e: &str) {
        self.error(
            "could not send on the websocket: ",
            e,
            "; the message is queued and retried on the next send or open, unless the queue is full",
        );
    }

    /// Emits the `Error` of `before`, `what` and `after` joined.
    fn error(&mut self, before: &str, what: &str, after: &str) {
        self.emit(Event::Error { message: text!(before, what, after) });
    }
}
