//! [`Timeout`]: a `setTimeout` owned by a guard; dropping it clears the timer
//! and frees its closure (as gloo-timers' `Timeout`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A pending `setTimeout`; cleared when dropped.
#[must_use = "dropping a Timeout clears it"]
pub struct Timeout {
    id: JsValue,
    _callback: Closure<dyn Fn()>,
}

impl Timeout {
    /// Calls `f` once after `ms` milliseconds, unless dropped before.
    pub fn new(ms: f64, f: impl Fn() + 'static) -> Timeout {
        let callback = Closure::<dyn Fn()>::new(f);
        let id = set_timeout(callback.as_ref(), ms);
        Timeout { id, _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}
