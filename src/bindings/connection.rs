//! `connect()`: one WebSocket per profile. A [`Conn`] drives one
//! [`Machine`] over the web transport, keeps the JS `Connection` object
//! registered under its profile (a fresh handle for every socket), and
//! forwards the machine's events to that object.
//!
//! Two sockets of one profile are never alive at once: a connection only
//! starts its first socket once every earlier connection of the same
//! registry and profile has reported its socket closed (the gate).

use alloc::collections::VecDeque;
use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use js_sys::{ArrayBuffer, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::bindings::api::report;
use crate::bindings::convert::{describe, handle_js, Target};
use crate::bindings::errors::{js_error, IntoJs};
use crate::bindings::options::{connect_options, OnDuplicate};
use crate::conn::{Event, Machine, Message, State};
use crate::core::float::is_whole;
use crate::core::local::realm_local;
use crate::core::text::text;
use crate::core::vec_map::VecMap;
use crate::web::transport::{WebClock, WebTransport};
use crate::web::{Inbox, Input};
use crate::{Error, EventKind, Handle, Profile, Registry, RegistryModule, Subscription};

type WebMachine = Machine<WebTransport, WebClock>;

/// Where a connection is registered.
enum Owner {
    /// In a local registry, under a handle renewed for every socket.
    Local { registry: Registry<JsValue>, handle: Option<Handle> },
    /// In a pluggable module (no handles).
    Module { module: Rc<dyn RegistryModule<JsValue>>, name: String, registered: bool },
}

/// One connection: its machine, its registration and its JS object.
pub(crate) struct Conn {
    id: u64,
    js: JsValue,
    emit: Function,
    gate: (String, Profile),
    owner: RefCell<Owner>,
    machine: RefCell<Option<WebMachine>>,
    /// Inputs that arrived while the machine was busy, handled right after.
    backlog: RefCell<VecDeque<Input>>,
    waiting: Cell<bool>,
    /// The final close event went out: nothing more is emitted.
    finished: Cell<bool>,
    /// The code and reason `close()` was called with, for the final event.
    close_request: RefCell<Option<(u16, String)>>,
}

realm_local! {
    static CONNS: RefCell<VecMap<u64, Rc<Conn>>> = RefCell::default();
    /// Handle -> connection id, for every handle a connection holds now.
    static OWNED: RefCell<VecMap<Handle, u64>> = RefCell::default();
}

fn conn(id: u64) -> Option<Rc<Conn>> {
    CONNS.with(|c| c.borrow().get(&id).cloned())
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v); // a fresh plain object accepts any key
}

impl Inbox for Conn {
    fn deliver(&self, input: Input) {
        // Only reachable through a live Rc (the transport holds a Weak).
        if let Some(me) = conn(self.id) {
            me.handle(input);
        }
    }
}

impl Conn {
    /// Runs `f` on the machine, then handles its events with no borrow held,
    /// then any inputs that arrived meanwhile.
    fn step<R>(self: &Rc<Self>, f: impl FnOnce(&mut WebMachine) -> R) -> Option<R> {
        let (r, events) = {
            let mut m = self.machine.try_borrow_mut().ok()?;
            let m = m.as_mut()?;
            let r = f(m);
            (r, m.take_events())
        };
        self.react(events);
        loop {
            let next = self.backlog.borrow_mut().pop_front();
            match next {
                Some(input) => self.handle(input),
                None => break,
            }
        }
        Some(r)
    }

    fn handle(self: &Rc<Self>, input: Input) {
        if self.machine.try_borrow_mut().is_err() {
            self.backlog.borrow_mut().push_back(input);
            return;
        }
        match input {
            Input::Open(s) => {
                self.step(|m| m.on_open(s));
            }
            Input::Message(s, data) => {
                // Zero-copy: the data goes to JS as it came, if the socket is current.
                let current = self.step(|m| m.socket() == Some(s) && m.state() == State::Open).unwrap_or(false);
                if current {
                    let detail = Object::new();
                    set(&detail, "data", &data);
                    self.emit("message", &detail);
                }
            }
            Input::Error(s, msg) => {
                self.step(|m| m.on_error(s, msg));
            }
            Input::Close { socket, code, reason, was_clean } => {
                self.step(|m| m.on_close(socket, code, reason, was_clean));
            }
            Input::Timer(t) => {
                self.step(|m| {
                    let _fired = m.clock_mut().fired(t);
                    m.on_timer(t)
                });
            }
        }
    }

    fn emit(&self, kind: &str, detail: &Object) {
        if let Err(e) = self.emit.call2(&JsValue::UNDEFINED, &JsValue::from_str(kind), detail) {
            report(&e);
        }
    }

    /// Applies the machine's events: registry changes first (so listeners
    /// see a registry that is already right), then the JS events.
    fn react(self: &Rc<Self>, events: Vec<Event>) {
        let mut released = false;
        for e in &events {
            match e {
                Event::Opening { attempt, .. } if *attempt > 0 => self.renew(),
                Event::Ended { .. } => {
                    self.release_registration();
                    released = true; // an end with no socket left frees the connection too
                }
                Event::SocketReleased { socket } => {
                    let guard = self.machine.borrow_mut().as_mut().and_then(|m| m.transport_mut().release(*socket));
                    drop(guard); // detaches the handlers; no user code runs
                    released = true;
                }
                _ => {}
            }
        }
        let mut pending_close: Option<Object> = None;
        for e in events {
            if self.finished.get() {
                break; // a listener ended the connection: the rest of the batch is stale
            }
            let detail = Object::new();
            let kind = match e {
                Event::StateChange { from, to } => {
                    set(&detail, "from", &from.as_str().into());
                    set(&detail, "to", &to.as_str().into());
                    "statechange"
                }
                Event::Open { .. } => {
                    set(&detail, "handle", &self.handle_js());
                    "open"
                }
                Event::Error { message } => {
                    set(&detail, "message", &message.into());
                    "error"
                }
                Event::Close { code, reason, was_clean, will_reconnect } => {
                    set(&detail, "code", &code.into());
                    set(&detail, "reason", &reason.into());
                    set(&detail, "wasClean", &was_clean.into());
                    set(&detail, "willReconnect", &will_reconnect.into());
                    set(&detail, "rejected", &0.into());
                    if !will_reconnect {
                        // Wait for the Ended that follows, to report the rejected count.
                        pending_close = Some(detail);
                        continue;
                    }
                    "close"
                }
                Event::Reconnecting { attempt, delay_ms } => {
                    set(&detail, "attempt", &attempt.into());
                    set(&detail, "delayMs", &delay_ms.into());
                    "reconnecting"
                }
                Event::Ended { rejected } => {
                    let close = pending_close.take().unwrap_or_else(|| {
                        let (code, reason) = self.close_request.borrow().clone().unwrap_or((1000, String::new()));
                        set(&detail, "code", &code.into());
                        set(&detail, "reason", &reason.into());
                        set(&detail, "wasClean", &true.into());
                        set(&detail, "willReconnect", &false.into());
                        detail
                    });
                    set(&close, "rejected", &(rejected as u32).into());
                    set(&close, "final", &true.into());
                    self.finished.set(true);
                    self.emit("close", &close);
                    continue;
                }
                Event::Message(m) => {
                    set(&detail, "data", &message_js(&m));
                    "message"
                }
                Event::Opening { .. } | Event::SocketReleased { .. } => continue,
            };
            self.emit(kind, &detail);
        }
        if let Some(close) = pending_close.filter(|_| !self.finished.get()) {
            self.emit("close", &close);
        }
        if released {
            self.after_release();
        }
    }

    /// A fresh handle for a new socket (a restart).
    fn renew(&self) {
        // Take the old handle under a short borrow: registry.renew runs
        // listeners, which may read or close this connection.
        let taken = match &mut *self.owner.borrow_mut() {
            Owner::Local { registry, handle } => handle.take().map(|old| (registry.clone(), old)),
            Owner::Module { .. } => None,
        };
        let Some((registry, old)) = taken else { return };
        OWNED.with(|o| o.borrow_mut().remove(&old));
        let fresh = registry.renew(old);
        match fresh {
            Some(h) if !self.ended() => {
                OWNED.with(|o| o.borrow_mut().insert(h, self.id));
                if let Owner::Local { handle, .. } = &mut *self.owner.borrow_mut() {
                    *handle = Some(h);
                }
            }
            // A listener closed the connection meanwhile: the fresh entry is
            // not owned by anything live, so give it back.
            Some(h) => {
                registry.unregister_handle(h);
            }
            None => {}
        }
    }

    /// Gives the profile back: the registry forgets this connection.
    fn release_registration(&self) {
        let owner = core::mem::replace(
            &mut *self.owner.borrow_mut(),
            Owner::Module { module: Rc::new(Gone), name: String::new(), registered: false },
        );
        match owner {
            Owner::Local { registry, handle: Some(h) } => {
                OWNED.with(|o| o.borrow_mut().remove(&h));
                registry.unregister_handle(h);
            }
            Owner::Module { module, name, registered: true } => {
                let ours = module.whereis(&name, &self.gate.1).ok().flatten().is_some_and(|v| Object::is(&v, &self.js));
                if ours {
                    if let Err(e) = module.unregister(&name, &self.gate.1) {
                        report(&js_error(&e, &[]));
                    }
                }
            }
            _ => {}
        }
    }

    fn handle_js(&self) -> JsValue {
        match &*self.owner.borrow() {
            Owner::Local { handle, .. } => handle_js(*handle),
            _ => JsValue::UNDEFINED,
        }
    }

    fn live_socket(&self) -> bool {
        self.machine.borrow().as_ref().is_some_and(|m| m.has_live_socket())
    }

    fn ended(&self) -> bool {
        self.machine.borrow().as_ref().map_or(true, |m| m.state() == State::Closed)
    }

    /// After a socket closed: forget this connection if it is over, and
    /// start a connection of the same profile that was waiting for it.
    fn after_release(&self) {
        if self.live_socket() {
            return;
        }
        if self.ended() {
            CONNS.with(|c| c.borrow_mut().remove(&self.id));
        }
        wake(&self.gate);
    }

    fn start(self: &Rc<Self>) {
        self.waiting.set(false);
        self.step(|m| m.start());
    }

    fn close(self: &Rc<Self>, code: Option<u16>, reason: Option<&str>) -> Result<(), Error> {
        if !self.ended() {
            *self.close_request.borrow_mut() = Some((code.unwrap_or(1000), reason.unwrap_or_default().into()));
        }
        self.step(|m| m.close(code, reason)).unwrap_or(Ok(()))?;
        if !self.live_socket() {
            self.after_release();
        }
        Ok(())
    }
}

/// A module that holds nothing: the owner of a connection that has ended.
struct Gone;

impl RegistryModule<JsValue> for Gone {
    fn register(&self, _: &str, _: &Profile, _: JsValue) -> Result<Option<Handle>, Error> {
        Ok(None)
    }
    fn lookup(&self, _: &str, _: &Profile) -> Result<Option<crate::Entry<JsValue>>, Error> {
        Ok(None)
    }
    fn unregister(&self, _: &str, _: &Profile) -> Result<(), Error> {
        Ok(())
    }
}

/// Whether a connection of `gate` other than `except` still has a socket.
fn gate_busy(gate: &(String, Profile), except: u64) -> bool {
    CONNS.with(|c| c.borrow().values().any(|k| k.id != except && &k.gate == gate && k.live_socket()))
}

/// Starts the connection of `gate` that waits, once no other socket of the
/// profile is alive.
fn wake(gate: &(String, Profile)) {
    let waiting = CONNS.with(|c| c.borrow().values().find(|k| k.waiting.get() && &k.gate == gate).cloned());
    if let Some(next) = waiting {
        if !gate_busy(gate, next.id) {
            next.start();
        }
    }
}

/// Keeps connections honest when their entry is removed by someone else
/// (`unregister`, `stop`): such a connection closes, so it can never hold a
/// socket for a profile that another connection may now take. Attached to
/// every local registry at start.
pub(crate) fn watch(registry: &Registry<JsValue>) -> Subscription {
    registry.observe(|e| {
        if e.kind != EventKind::Unregister {
            return;
        }
        let Some(id) = OWNED.with(|o| o.borrow_mut().remove(&e.handle)) else { return };
        if let Some(c) = conn(id) {
            if let Owner::Local { handle, .. } = &mut *c.owner.borrow_mut() {
                *handle = None;
            }
            let _ = c.close(Some(1000), Some("unregistered"));
        }
    })
}

fn message_js(m: &Message) -> JsValue {
    match m {
        Message::Text(s) => JsValue::from_str(s),
        Message::Binary(b) => Uint8Array::from(&b[..]).buffer().into(),
    }
}

fn message_from(data: &JsValue) -> Result<Message, Error> {
    if let Some(s) = data.as_string() {
        return Ok(Message::Text(s));
    }
    if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
        return Ok(Message::Binary(Uint8Array::new(buf).to_vec()));
    }
    if ArrayBuffer::is_view(data) {
        let view: &js_sys::DataView = data.unchecked_ref(); // buffer/byteOffset/byteLength are common to all views
        let bytes = Uint8Array::new_with_byte_offset_and_length(&view.buffer(), view.byte_offset() as u32, view.byte_length() as u32);
        return Ok(Message::Binary(bytes.to_vec()));
    }
    Err(Error::InvalidData(describe(data)))
}

fn id_arg(id: &JsValue) -> u64 {
    id.as_f64().filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as u64).unwrap_or(u64::MAX)
}

/// Connects: registers `js` (a fresh `Connection` object, known as `id`, a
/// number the caller never used before) under the config's profile and opens
/// its socket. Returns `{ id }` for the new connection, or
/// `{ existing }` when `onDuplicate: "existing"` found a live one.
#[wasm_bindgen(js_name = __connect)]
pub fn connect(config: JsValue, js: JsValue, emit: JsValue, id: JsValue) -> Result<Object, JsValue> {
    let target: Target = crate::bindings::convert::target_from_js(&config).js()?;
    let opts = connect_options(&config, &target).js()?;
    let emit: Function = emit.dyn_into().map_err(|_| js_error(&Error::InvalidConfig("emit must be a function".into()), &[]))?;
    let profile = opts.options.profile.clone();
    let module = crate::bindings::api::module_of(&target).js()?;
    let result = Object::new();

    if let Some(existing) = module.lookup(&target.name, &profile).js()? {
        match opts.on_duplicate {
            OnDuplicate::Existing => {
                set(&result, "existing", &existing.value);
                return Ok(result);
            }
            OnDuplicate::Error => {
                let e = Error::AlreadyRegistered { profile, registry: target.name.clone(), handle: existing.handle };
                return Err(js_error(&e, &[("existing", existing.value)]));
            }
            OnDuplicate::Replace => {
                let ours = CONNS.with(|c| c.borrow().values().find(|k| Object::is(&k.js, &existing.value)).cloned());
                match ours {
                    Some(old) => old.close(Some(1000), Some("replaced")).js()?,
                    None => module.unregister(&target.name, &profile).js()?,
                }
            }
        }
    }

    let id = id_arg(&id);
    if id == u64::MAX || conn(id).is_some() {
        return Err(js_error(&Error::InvalidConfig("connect: a fresh connection id is needed".into()), &[]));
    }
    let local = match &target.module {
        crate::bindings::convert::ModuleSel::Named(m) if m == crate::DEFAULT_MODULE => {
            Some(crate::bindings::realm::ns().registry(&target.name).js()?)
        }
        _ => None,
    };
    let owner = match &local {
        Some(registry) => Owner::Local { registry: registry.clone(), handle: None },
        None => Owner::Module { module: module.clone(), name: target.name.clone(), registered: false },
    };
    let gate = (target.name.clone(), profile.clone());
    let conn = Rc::new_cyclic(|me: &Weak<Conn>| {
        let inbox: Weak<dyn Inbox> = me.clone();
        let machine = Machine::new(opts.options, WebTransport::new(opts.ctor, inbox.clone()), WebClock::new(inbox)).ok();
        Conn {
            id,
            js: js.clone(),
            emit,
            gate,
            owner: RefCell::new(owner),
            machine: RefCell::new(machine),
            backlog: RefCell::default(),
            waiting: Cell::new(true),
            finished: Cell::new(false),
            close_request: RefCell::new(None),
        }
    });
    // Known (state "connecting") before it is registered, so listeners of the
    // register event can already read it; a refused registration removes it.
    CONNS.with(|c| c.borrow_mut().insert(id, conn.clone()));
    let registered = match local {
        Some(registry) => {
            let original = crate::bindings::convert::get(&config, "profile").unwrap_or(JsValue::UNDEFINED);
            let r = crate::bindings::mirror::with_key_hint(&profile, &original, || registry.register(profile.clone(), js));
            r.map(|handle| {
                OWNED.with(|o| o.borrow_mut().insert(handle, id));
                if let Owner::Local { handle: h, .. } = &mut *conn.owner.borrow_mut() {
                    *h = Some(handle);
                }
            })
            .map_err(|e| {
                let existing = registry.whereis(&profile).unwrap_or(JsValue::UNDEFINED);
                js_error(&e, &[("existing", existing)])
            })
        }
        None => module.register(&target.name, &profile, js).map(|_| {
            if let Owner::Module { registered, .. } = &mut *conn.owner.borrow_mut() {
                *registered = true;
            }
        }).js(),
    };
    if let Err(e) = registered {
        CONNS.with(|c| c.borrow_mut().remove(&id));
        return Err(e);
    }
    if !gate_busy(&conn.gate, id) {
        conn.start();
    }
    set(&result, "id", &(id as f64).into());
    Ok(result)
}

/// Sends on connection `id` (queued while not open).
#[wasm_bindgen(js_name = __connSend)]
pub fn conn_send(id: JsValue, data: JsValue, profile: JsValue) -> Result<(), JsValue> {
    let msg = message_from(&data).js()?;
    match conn(id_arg(&id)) {
        Some(c) => c.step(|m| m.send(msg)).unwrap_or(Ok(())).js(),
        None => {
            let profile = crate::bindings::convert::profile_from_js(&profile).unwrap_or_else(|_| Profile::from("?"));
            Err(js_error(&Error::ConnectionClosed { profile }, &[]))
        }
    }
}

/// Closes connection `id` for good.
#[wasm_bindgen(js_name = __connClose)]
pub fn conn_close(id: JsValue, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
    let code = match code.as_f64() {
        None if code.is_undefined() => None,
        Some(n) if (0.0..=65535.0).contains(&n) && is_whole(n) => Some(n as u16),
        _ => return Err(js_error(&Error::InvalidConfig(text!("close code must be 1000 or from 3000 to 4999, got ", describe(&code))), &[])),
    };
    let reason = match reason.as_string() {
        None if reason.is_undefined() => None,
        Some(r) => Some(r),
        None => return Err(js_error(&Error::InvalidConfig(text!("close reason must be a string, got ", describe(&reason))), &[])),
    };
    match conn(id_arg(&id)) {
        Some(c) => c.close(code, reason.as_deref()).js(),
        None => Ok(()),
    }
}

/// `{ state, handle, attempt, queued, queuedBytes, sockets }` of connection `id`.
#[wasm_bindgen(js_name = __connInfo)]
pub fn conn_info(id: JsValue) -> Object {
    let info = Object::new();
    let c = conn(id_arg(&id));
    let m = c.as_ref().and_then(|c| c.machine.try_borrow().ok());
    let (state, attempt, (queued, bytes), sockets) = match m.as_ref().and_then(|m| m.as_ref()) {
        Some(m) => (m.state(), m.attempt(), m.queued(), m.transport().owned()),
        None => (State::Closed, 0, (0, 0), 0),
    };
    drop(m);
    set(&info, "state", &state.as_str().into());
    set(&info, "handle", &c.map(|c| c.handle_js()).unwrap_or(JsValue::UNDEFINED));
    set(&info, "attempt", &attempt.into());
    set(&info, "queued", &(queued as u32).into());
    set(&info, "queuedBytes", &(bytes as u32).into());
    set(&info, "sockets", &(sockets as u32).into());
    info
}

/// How many connections are alive in this realm (for leak checks).
#[wasm_bindgen(js_name = __connCount)]
pub fn conn_count() -> u32 {
    CONNS.with(|c| c.borrow().len() as u32)
}
