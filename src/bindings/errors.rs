//! Core errors as JS `Error` objects: `name` is the kind
//! (`"AlreadyRegisteredError"`, ...), `message` says what to do, and extra
//! properties carry the details (`handle`, `existing`, `profile`).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::bindings::convert::{handle_js, profile_to_js};
use crate::Error;

/// A JS error for `err`, with `extras` set as properties.
pub(crate) fn js_error(err: &Error, extras: &[(&str, JsValue)]) -> JsValue {
    let e = js_sys::Error::new(&err.message());
    e.set_name(err.kind());
    let set = |k: &str, v: &JsValue| {
        // Setting a property on a fresh Error cannot fail.
        let _ = Reflect::set(&e, &JsValue::from_str(k), v);
    };
    match err {
        Error::AlreadyRegistered { profile, registry, handle } => {
            set("profile", &profile_to_js(profile));
            set("registry", &JsValue::from_str(registry));
            set("handle", &handle_js(*handle));
        }
        Error::NotStarted { name } => set("registry", &JsValue::from_str(name)),
        Error::QueueFull { profile, .. } | Error::ConnectionClosed { profile } => set("profile", &profile_to_js(profile)),
        _ => {}
    }
    for (k, v) in extras {
        set(k, v);
    }
    e.into()
}

/// `Result<T, Error>` -> `Result<T, JsValue>` with no extras.
pub(crate) trait IntoJs<T> {
    fn js(self) -> Result<T, JsValue>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    #[inline]
    fn js(self) -> Result<T, JsValue> {
        self.map_err(|e| js_error(&e, &[]))
    }
}
