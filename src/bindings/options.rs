//! Decoding `connect(config)`'s options into [`crate::conn::Options`].

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::bindings::convert::{describe, get, Target};
use crate::conn::{Options, QueueLimits, ReconnectPolicy};
use crate::core::float::is_whole;
use crate::core::text::text;
use crate::Error;

/// What `connect` does when the profile is already registered.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum OnDuplicate {
    /// Throw `AlreadyRegisteredError` (as amarula).
    Error,
    /// Return the live connection.
    Existing,
    /// Close the live one fully, then connect.
    Replace,
}

/// Everything `connect` needs besides the registry target.
pub(crate) struct ConnectOptions {
    pub options: Options,
    pub on_duplicate: OnDuplicate,
    pub ctor: Function,
}

fn bad(msg: String) -> Error {
    Error::InvalidConfig(msg)
}

fn number(obj: &JsValue, key: &str, what: &str) -> Result<Option<f64>, Error> {
    let v = get(obj, key)?;
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| bad(text!(what, ".", key, " must be a number, got ", describe(&v))))
}

fn count(obj: &JsValue, key: &str, what: &str) -> Result<Option<usize>, Error> {
    match number(obj, key, what)? {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && is_whole(n) && n <= u32::MAX as f64 => Ok(Some(n as usize)),
        Some(_) => Err(bad(text!(what, ".", key, " must be a whole number from 0 to 4294967295"))),
    }
}

fn reconnect(v: &JsValue) -> Result<Option<ReconnectPolicy>, Error> {
    if v.is_undefined() || v.as_bool() == Some(true) {
        return Ok(Some(ReconnectPolicy::default()));
    }
    if v.as_bool() == Some(false) {
        return Ok(None);
    }
    if !v.is_object() {
        return Err(bad(text!(
            "reconnect must be false or { minDelayMs, maxDelayMs, factor, jitter, maxRetries }, got ",
            describe(v)
        )));
    }
    let mut p = ReconnectPolicy::default();
    if let Some(n) = number(v, "minDelayMs", "reconnect")? {
        p.min_delay_ms = n;
    }
    if let Some(n) = number(v, "maxDelayMs", "reconnect")? {
        p.max_delay_ms = n;
    }
    if let Some(n) = number(v, "factor", "reconnect")? {
        p.factor = n;
    }
    if let Some(n) = number(v, "jitter", "reconnect")? {
        p.jitter = n;
    }
    p.max_retries = match number(v, "maxRetries", "reconnect")? {
        None => None,
        Some(n) if n == f64::INFINITY => None,
        Some(_) => count(v, "maxRetries", "reconnect")?.map(|n| n as u32),
    };
    Ok(Some(p))
}

fn queue(v: &JsValue) -> Result<QueueLimits, Error> {
    let mut q = QueueLimits::default();
    if v.is_undefined() {
        return Ok(q);
    }
    if !v.is_object() {
        return Err(bad(text!("queue must be { maxMessages, maxBytes }, got ", describe(v))));
    }
    if let Some(n) = count(v, "maxMessages", "queue")? {
        q.max_messages = n;
    }
    if let Some(n) = count(v, "maxBytes", "queue")? {
        q.max_bytes = n;
    }
    Ok(q)
}

fn protocols(v: &JsValue) -> Result<Vec<String>, Error> {
    if v.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(s) = v.as_string() {
        return Ok(alloc::vec![s]);
    }
    if Array::is_array(v) {
        let arr: &Array = v.unchecked_ref();
        if arr.length() > 64 {
            return Err(bad("protocols may list at most 64 subprotocols".into()));
        }
        // A loop, not a `collect` into `Result`: that adapter weighs on the wasm.
        let mut out = Vec::new();
        for p in arr.iter() {
            out.push(p.as_string().ok_or_else(|| bad(text!("protocols must be strings, got ", describe(&p))))?);
        }
        return Ok(out);
    }
    Err(bad(text!("protocols must be a string or an array of strings, got ", describe(v))))
}

fn constructor(v: &JsValue) -> Result<Function, Error> {
    if !v.is_undefined() && !v.is_function() {
        return Err(bad(text!("WebSocket must be a WebSocket constructor, got ", describe(v))));
    }
    let ctor = if v.is_undefined() {
        Reflect::get(&crate::web::global(), &JsValue::from_str("WebSocket")).unwrap_or(JsValue::UNDEFINED)
    } else {
        v.clone()
    };
    ctor.dyn_into::<Function>().map_err(|_| {
        bad("no WebSocket constructor: this runtime has no global WebSocket; pass one as { WebSocket } (in Node: import { WebSocket } from \"ws\")".into())
    })
}

/// Decodes `connect`'s config (already decoded as a registry target).
pub(crate) fn connect_options(config: &JsValue, target: &Target) -> Result<ConnectOptions, Error> {
    let profile = target
        .profile
        .clone()
        .ok_or_else(|| bad("connect needs a profile: connect({ profile, url })".into()))?;
    let url = get(config, "url")?;
    let url = url.as_string().ok_or_else(|| bad(text!("url must be a ws:// or wss:// string, got ", describe(&url))))?;
    let on_duplicate = match get(config, "onDuplicate")? {
        v if v.is_undefined() => OnDuplicate::Error,
        v => match v.as_string().as_deref() {
            Some("error") => OnDuplicate::Error,
            Some("existing") => OnDuplicate::Existing,
            Some("replace") => OnDuplicate::Replace,
            _ => return Err(bad(text!("onDuplicate must be \"error\", \"existing\" or \"replace\", got ", describe(&v)))),
        },
    };
    let mut options = Options::new(profile, url);
    options.protocols = protocols(&get(config, "protocols")?)?;
    options.reconnect = reconnect(&get(config, "reconnect")?)?;
    options.queue = queue(&get(config, "queue")?)?;
    options.connect_timeout_ms = number(config, "connectTimeoutMs", "config")?;
    options.validate()?;
    let ctor = constructor(&get(config, "WebSocket")?)?;
    Ok(ConnectOptions { options, on_duplicate, ctor })
}
