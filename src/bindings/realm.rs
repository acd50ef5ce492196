//! The state of this JS realm: its namespace of registries (values are JS
//! values), the mirror maps, and the JS listeners' subscriptions.

use alloc::string::String;
use core::cell::RefCell;

use js_sys::Map;
use wasm_bindgen::{JsCast, JsValue};

use crate::bindings::{connection, mirror};
use crate::core::float::is_whole;
use crate::core::local::realm_local;
use crate::core::vec_map::VecMap;
use crate::{Error, Namespace, Registry, Subscription};

#[derive(Default)]
struct State {
    /// name -> the mirror and connection-watch listeners of the running
    /// registry of that name (the mirror first).
    registry_subs: VecMap<String, [Subscription; 2]>,
    /// JS listeners, keyed by the number handed to JS (never reused).
    listeners: VecMap<u64, Subscription>,
    next_listener: u64,
}

realm_local! {
    static STATE: RefCell<State> = RefCell::default();
    static MIRRORS: Map = Map::new();
}

/// This realm's namespace.
pub(crate) fn ns() -> Namespace<JsValue> {
    Namespace::current()
}

/// `name -> Map` of every registry name ever started (see [`mirror`]).
pub(crate) fn mirrors() -> Map {
    MIRRORS.with(Map::clone)
}

/// Starts `name` (idempotent) with its mirror attached first.
pub(crate) fn start(name: &str) -> Result<Registry<JsValue>, Error> {
    let ns = ns();
    if ns.is_started(name) {
        return ns.registry(name);
    }
    let registry = ns.start(name)?;
    let map = MIRRORS.with(|m| {
        let key = JsValue::from_str(name);
        let existing = m.get(&key);
        if existing.is_undefined() {
            let fresh = Map::new();
            m.set(&key, &fresh);
            fresh
        } else {
            existing.into()
        }
    });
    let subs = [mirror::attach(&registry, map), connection::watch(&registry)];
    STATE.with(|s| s.borrow_mut().registry_subs.insert(name.into(), subs));
    Ok(registry)
}

/// Stops `name`: listeners hear every unregister (the mirror empties), then
/// the mirror listener is dropped. Returns whether it was running.
pub(crate) fn stop(name: &str) -> bool {
    let was = ns().stop(name);
    if was {
        let map = MIRRORS.with(|m| m.get(&JsValue::from_str(name)));
        let map: &js_sys::Map = map.unchecked_ref();
        map.clear(); // entries that could only be re-added by a module misbehaving
        mirror::mark_stopped(map);
    }
    let sub = STATE.with(|s| s.borrow_mut().registry_subs.remove(name));
    drop(sub); // outside the borrow: dropping runs no user code, but stay safe
    was
}

/// Keeps a JS listener's subscription; returns the number JS uses to drop it.
pub(crate) fn keep_listener(sub: Subscription) -> f64 {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.next_listener += 1;
        let id = s.next_listener;
        s.listeners.insert(id, sub);
        id as f64
    })
}

/// Drops the subscription `id`; returns whether it was live.
pub(crate) fn drop_listener(id: f64) -> bool {
    if !(id.is_finite() && id >= 0.0 && is_whole(id)) {
        return false;
    }
    let sub = STATE.with(|s| s.borrow_mut().listeners.remove(&(id as u64)));
    sub.is_some()
}
