//! Mirror maps: for each started registry of the default module, a JS `Map`
//! from scalar profile (string, number, boolean) to value, kept equal to the
//! registry by its first listener. The package's `whereis` reads it directly,
//! so the hot path costs a `Map.get` and never copies the profile string into
//! wasm memory. Lists and every miss take the full path through wasm.
//!
//! A name's map is created once and kept across stop/start (emptied on stop),
//! so JS may cache it.

use js_sys::Map;
use wasm_bindgen::JsValue;

use crate::{EventKind, Profile, Registry, Subscription};

/// The key a profile has in a mirror map, if it is mirrored.
pub(crate) fn mirror_key(p: &Profile) -> Option<JsValue> {
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
    registry.subscribe(move |e| {
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
