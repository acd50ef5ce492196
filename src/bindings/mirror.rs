//! Mirror maps: for each started registry of the default module, a JS `Map`
//! from scalar profile (string, number, boolean) to value, kept equal to the
//! registry by its first listener. The package's `whereis` reads it directly,
//! so the hot path costs a `Map.get` and never copies the profile string into
//! wasm memory. Lists and every miss take the full path through wasm.
//!
//! A name's map is created once and kept across stop/start, so JS may cache
//! it: a stopped registry's map is empty and holds the marker key `null`
//! (never a profile). A running registry's map is authoritative for valid
//! scalar profiles, so JS may answer a miss without calling into wasm.
//!
//! Keys are the caller's own JS values where there is one (see
//! [`with_key_hint`]), so a lookup with the same string compares by identity.

use core::cell::RefCell;

use js_sys::Map;
use wasm_bindgen::JsValue;

use crate::core::local::realm_local;
use crate::{EventKind, Profile, Registry, Subscription};

realm_local! {
    static KEY_HINT: RefCell<Option<(Profile, JsValue)>> = const { RefCell::new(None) };
}

/// Runs `f` (a registration of `profile`) so that the mirror keys the entry
/// with `js`, the caller's own value, rather than a copy made in wasm.
pub(crate) fn with_key_hint<R>(profile: &Profile, js: &JsValue, f: impl FnOnce() -> R) -> R {
    let previous = KEY_HINT.with(|h| h.replace(Some((profile.clone(), js.clone()))));
    let r = f();
    KEY_HINT.with(|h| h.replace(previous));
    r
}

/// Marks a stopped registry's (emptied) map.
pub(crate) fn mark_stopped(map: &Map) {
    map.set(&JsValue::NULL, &JsValue::TRUE);
}

/// The key a profile has in a mirror map, if it is mirrored.
fn mirror_key(p: &Profile) -> Option<JsValue> {
    let hinted = KEY_HINT.with(|h| match &*h.borrow() {
        // The hint is the caller's value of this very profile: a scalar of the same kind.
        Some((hp, js)) if hp == p && (js.is_string() || js.as_f64().is_some() || js.as_bool().is_some()) => Some(js.clone()),
        _ => None,
    });
    if hinted.is_some() {
        return hinted;
    }
    match p {
        Profile::Str(s) => Some(JsValue::from_str(s)),
        Profile::Int(n) => Some(JsValue::from_f64(*n as f64)),
        Profile::Bool(b) => Some(JsValue::from_bool(*b)),
        Profile::List(_) => None,
    }
}

/// Keeps `map` equal to `registry`'s scalar entries until the returned
/// subscription is dropped. Must be the registry's first listener, so every
/// other listener already sees the mirror updated.
pub(crate) fn attach(registry: &Registry<JsValue>, map: Map) -> Subscription {
    map.clear();
    for (profile, _, value) in registry.entries() {
        if let Some(k) = mirror_key(&profile) {
            map.set(&k, &value);
        }
    }
    registry.observe(move |e| {
        if e.restart {
            return; // same profile, same value: only the handle changed
        }
        let Some(k) = mirror_key(&e.profile) else { return };
        match e.kind {
            EventKind::Register | EventKind::Update => {
                map.set(&k, &e.value);
            }
            EventKind::Unregister => {
                map.delete(&k);
            }
        }
    })
}
