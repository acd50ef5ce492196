//! A WebSocket made with any WebSocket-like constructor (the browser's, the
//! `ws` package's, workerd's), and the guard that owns its handlers.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use core::cell::RefCell;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::conn::SocketId;
use crate::core::text::text;
use crate::web::timer::Timeout;
use crate::web::{Inbox, Input};

#[wasm_bindgen]
extern "C" {
    /// Any object with the WebSocket interface (structural).
    pub type Socket;

    #[wasm_bindgen(method, catch)]
    fn send(this: &Socket, data: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn close(this: &Socket, code: u16, reason: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, getter, js_name = readyState)]
    fn ready_state(this: &Socket) -> JsValue;
}

const HANDLERS: [&str; 4] = ["onopen", "onmessage", "onerror", "onclose"];

/// Owns one socket's event handlers. Dropping it detaches and frees them,
/// and closes the socket if it is still connecting or open.
pub struct SocketGuard {
    socket: Socket,
    _handlers: [Closure<dyn Fn(JsValue)>; 4],
    /// A close that stands in for one the implementation never fires.
    _fallback: Rc<RefCell<Option<Timeout>>>,
}

/// Not OPEN (1): an error then means the socket is failing, not just a
/// hiccup on an open one.
fn is_failing(socket: &JsValue) -> bool {
    prop(socket, "readyState").as_f64() != Some(1.0)
}

fn prop(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn text(v: JsValue) -> String {
    v.as_string().unwrap_or_default()
}

impl SocketGuard {
    /// `new ctor(url, protocols)`, with `binaryType = "arraybuffer"` and its
    /// handlers delivering to `inbox` as socket `id`.
    pub fn open(
        ctor: &Function,
        url: &str,
        protocols: &[String],
        id: SocketId,
        inbox: Weak<dyn Inbox>,
    ) -> Result<SocketGuard, String> {
        let protocols: Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
        let args = Array::of2(&JsValue::from_str(url), &protocols);
        let socket: Socket = Reflect::construct(ctor, &args)
            .map_err(|e| text!("the WebSocket constructor threw: ", crate::web::transport::message_of(&e)))?
            .unchecked_into();
        let _ = Reflect::set(&socket, &JsValue::from_str("binaryType"), &JsValue::from_str("arraybuffer"));
        let deliver = {
            let inbox = inbox.clone();
            move |input: Input| {
                if let Some(inbox) = inbox.upgrade() {
                    inbox.deliver(input);
                }
            }
        };
        let handler = |make: fn(SocketId, JsValue) -> Input| {
            let deliver = deliver.clone();
            Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| deliver(make(id, event)))
        };
        // Some implementations (Node 20's undici, for a refused handshake)
        // fire `error` and then never `close`, leaving readyState at
        // CONNECTING. Browsers fire `close` in the same task as `error`,
        // before a zero-delay timeout, so this stand-in only runs when the
        // real close never comes (the guard, and this timeout, are dropped
        // as soon as it does).
        let fallback: Rc<RefCell<Option<Timeout>>> = Rc::default();
        let on_error = {
            let (slot, target, deliver) = (Rc::downgrade(&fallback), socket.clone(), deliver.clone());
            Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
                let msg = text(prop(&event, "message"));
                deliver(Input::Error(id, if msg.is_empty() { "the socket reported an error".into() } else { msg }));
                if let (true, Some(slot)) = (is_failing(&target), slot.upgrade()) {
                    let deliver = deliver.clone();
                    let close = Input::Close { socket: id, code: 1006, reason: String::new(), was_clean: false };
                    let close = RefCell::new(Some(close));
                    *slot.borrow_mut() = Some(Timeout::new(0.0, move || {
                        if let Some(input) = close.borrow_mut().take() {
                            deliver(input);
                        }
                    }));
                }
            })
        };
        let handlers = [
            handler(|id, _| Input::Open(id)),
            handler(|id, e| Input::Message(id, prop(&e, "data"))),
            on_error,
            handler(|id, e| Input::Close {
                socket: id,
                code: prop(&e, "code").as_f64().map(|c| c as u16).unwrap_or(1006),
                reason: text(prop(&e, "reason")),
                was_clean: prop(&e, "wasClean").as_bool().unwrap_or(false),
            }),
        ];
        for (name, h) in HANDLERS.iter().zip(&handlers) {
            let _ = Reflect::set(&socket, &JsValue::from_str(name), h.as_ref());
        }
        Ok(SocketGuard { socket, _handlers: handlers, _fallback: fallback })
    }

    /// Sends `data` (a string or a typed array).
    pub fn send(&self, data: &JsValue) -> Result<(), String> {
        self.socket.send(data).map_err(|e| text!("send failed: ", crate::web::transport::message_of(&e)))
    }

    /// Starts the closing handshake (the close event arrives later).
    pub fn close(&self, code: u16, reason: &str) {
        if self.socket.close(code, reason).is_err() {
            // An invalid code for this implementation: close plainly.
            let _ = self.socket.close(1000, "");
        }
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        // Not CLOSED yet: close it. That includes CLOSING (2): some
        // implementations (workerd before its 2026-04-07 compatibility date)
        // fire `close` at CLOSING and keep the connection open until the app
        // calls close() itself; elsewhere close() on a closing socket is a no-op.
        if self.socket.ready_state().as_f64() != Some(3.0) {
            self.close(1001, "going away");
        }
        for name in HANDLERS {
            let _ = Reflect::set(&self.socket, &JsValue::from_str(name), &JsValue::NULL);
        }
    }
}
