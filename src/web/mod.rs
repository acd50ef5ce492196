//! The web layer (wasm32 only): real WebSockets and timers for the
//! connection machine. Every JS resource is owned by a guard whose `Drop`
//! releases it: [`socket::SocketGuard`] (the socket's handlers and closures;
//! closes a socket still open), [`timer::Timeout`] (`clearTimeout`).
//!
//! Socket and timer events are handed to an [`Inbox`] (the connection that
//! owns the transport) as [`Input`]s.

pub mod socket;
pub mod timer;
pub mod transport;

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::conn::{SocketId, TimerId};

#[wasm_bindgen]
extern "C" {
    /// Every supported runtime has `globalThis`: one import, where
    /// `js_sys::global()` brings four and fallbacks for older engines.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// `globalThis`.
pub(crate) fn global() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

/// Something that happened to a socket or timer, for the machine.
#[derive(Debug)]
pub enum Input {
    /// The socket opened.
    Open(SocketId),
    /// A message arrived; the data as JS gave it (string, ArrayBuffer, Blob).
    Message(SocketId, JsValue),
    /// The socket reported an error.
    Error(SocketId, String),
    /// The socket closed.
    Close {
        /// Which socket.
        socket: SocketId,
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
        /// Whether the closing handshake completed.
        was_clean: bool,
    },
    /// A timer fired.
    Timer(TimerId),
}

/// Where a transport delivers its sockets' and timers' events.
pub trait Inbox {
    /// Handles one input; called from the JS event loop, never from inside a
    /// transport call.
    fn deliver(&self, input: Input);
}
