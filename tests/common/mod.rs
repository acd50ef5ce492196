//! Helpers shared by the wasm test suites (tests/web.rs, tests/web_conn.rs).
#![allow(dead_code)]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

/// A JS string.
pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// `o[k]`.
pub fn prop(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &s(k)).unwrap_throw()
}

/// A plain object with these properties.
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &s(k), v).unwrap_throw();
    }
    o.into()
}

/// A JS array of these items.
pub fn arr(items: &[JsValue]) -> JsValue {
    items.iter().collect::<Array>().into()
}
