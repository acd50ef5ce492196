//! [`WebTransport`] and [`WebClock`]: the machine's [`Transport`] and
//! [`Clock`] over real WebSockets and `setTimeout`.

use alloc::rc::Weak;
use alloc::string::String;

use js_sys::{Function, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::conn::{Clock, Message, SocketId, TimerId, Transport};
use crate::core::vec_map::VecMap;
use crate::web::socket::SocketGuard;
use crate::web::timer::Timeout;
use crate::web::{Inbox, Input};

/// The message of a thrown JS value.
pub fn message_of(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "an unknown error".into())
}

/// Opens sockets with a given WebSocket constructor; owns every socket that
/// has not reported its close yet.
pub struct WebTransport {
    ctor: Function,
    inbox: Weak<dyn Inbox>,
    next: u64,
    sockets: VecMap<SocketId, SocketGuard>,
}

impl WebTransport {
    /// A transport that builds sockets with `ctor` and delivers to `inbox`.
    pub fn new(ctor: Function, inbox: Weak<dyn Inbox>) -> Self {
        WebTransport { ctor, inbox, next: 0, sockets: VecMap::new() }
    }

    /// Forgets a socket that reported its close, freeing its handlers.
    pub fn release(&mut self, socket: SocketId) -> Option<SocketGuard> {
        self.sockets.remove(&socket)
    }

    /// How many sockets are owned (open, connecting or closing).
    pub fn owned(&self) -> usize {
        self.sockets.len()
    }
}

impl Transport for WebTransport {
    fn open(&mut self, url: &str, protocols: &[String]) -> Result<SocketId, String> {
        self.next += 1;
        let id = SocketId(self.next);
        let guard = SocketGuard::open(&self.ctor, url, protocols, id, self.inbox.clone())?;
        self.sockets.insert(id, guard);
        Ok(id)
    }

    fn send(&mut self, socket: SocketId, msg: &Message) -> Result<(), String> {
        let guard = self.sockets.get(&socket).ok_or("the socket is gone")?;
        let data: JsValue = match msg {
            Message::Text(s) => JsValue::from_str(s),
            Message::Binary(b) => Uint8Array::from(&b[..]).into(),
        };
        guard.send(&data)
    }

    fn close(&mut self, socket: SocketId, code: u16, reason: &str) {
        if let Some(guard) = self.sockets.get(&socket) {
            guard.close(code, reason);
        }
    }
}

/// `setTimeout` timers delivering to an inbox, and `Math.random`.
pub struct WebClock {
    inbox: Weak<dyn Inbox>,
    next: u64,
    timers: VecMap<TimerId, Timeout>,
}

impl WebClock {
    /// A clock delivering its timers to `inbox`.
    pub fn new(inbox: Weak<dyn Inbox>) -> Self {
        WebClock { inbox, next: 0, timers: VecMap::new() }
    }

    /// Forgets a timer that fired.
    pub fn fired(&mut self, id: TimerId) -> Option<Timeout> {
        self.timers.remove(&id)
    }

    /// How many timers are pending.
    pub fn pending(&self) -> usize {
        self.timers.len()
    }
}

impl Clock for WebClock {
    fn set_timer(&mut self, delay_ms: f64) -> TimerId {
        self.next += 1;
        let id = TimerId(self.next);
        let inbox = self.inbox.clone();
        let timeout = Timeout::new(delay_ms, move || {
            if let Some(inbox) = inbox.upgrade() {
                inbox.deliver(Input::Timer(id));
            }
        });
        self.timers.insert(id, timeout);
        id
    }

    fn clear_timer(&mut self, id: TimerId) {
        self.timers.remove(&id);
    }

    fn random(&mut self) -> f64 {
        js_sys::Math::random()
    }
}
