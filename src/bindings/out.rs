//! The outbox and the result encoding shared by every export.
//!
//! The outbox is one JSON array of records, each an array whose first item
//! says what it is: `"reg"` (a registry event), or a connection's record
//! (see `conn.rs`). [`take`] hands it to JS and empties it.

use alloc::string::String;
use crate::core::cell::RefCell;

use crate::bindings::abi::export;

use crate::core::local::realm_local;
use crate::core::text::{Num, Piece};
use crate::core::wire::{push_json_list, push_json_profile, push_json_str};
use crate::{Error, Handle, Profile};

realm_local! {
    static OUT: RefCell<String> = const { RefCell::new(String::new()) };
    /// The payload of the last call that returned 1 (see [`result`]).
    static PAYLOAD: RefCell<String> = const { RefCell::new(String::new()) };
}

/// One field of a record.
#[derive(Clone, Copy)]
pub(crate) enum F<'a> {
    /// A string.
    S(&'a str),
    /// A number.
    N(f64),
    /// A profile, as JSON.
    P(&'a Profile),
    /// A handle's string form, or `null`.
    H(Option<Handle>),
    /// A boolean.
    B(bool),
    /// `null`.
    Null,
}

pub(crate) fn push_fields(out: &mut String, fields: &[F<'_>]) {
    push_json_list(out, fields, push_field);
}

fn push_field(out: &mut String, f: &F<'_>) {
    match f {
        F::S(s) => push_json_str(out, s),
        F::N(n) if n.is_finite() => Num(*n).push_to(out),
        F::N(_) => out.push_str("null"),
        F::P(p) => push_json_profile(out, p),
        F::H(Some(h)) => push_json_str(out, &crate::core::text::text!(h)),
        F::H(None) | F::Null => out.push_str("null"),
        F::B(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Appends a record to the outbox.
pub(crate) fn record(fields: &[F<'_>]) {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        let sep = if o.is_empty() { '[' } else { ',' };
        o.push(sep);
        push_fields(&mut o, fields);
    });
}

/// An error result: `"\0"` and `[kind, message, profile, registry, handle]`.
pub(crate) fn fail(e: &Error) -> String {
    let (profile, registry, handle) = match e {
        Error::AlreadyRegistered { profile, registry, handle } => (Some(profile), Some(registry.as_str()), *handle),
        Error::NotStarted { name } => (None, Some(name.as_str()), None),
        Error::QueueFull { profile, .. } | Error::ConnectionClosed { profile } => (Some(profile), None, None),
        _ => (None, None, None),
    };
    let mut out = String::from("\0");
    push_fields(&mut out, &[F::S(e.kind()), F::S(&e.message()), profile.map_or(F::Null, F::P), registry.map_or(F::Null, F::S), F::H(handle)]);
    out
}

/// An export's return: 0 for `Ok("")`; else 1, with the payload (or the
/// error, as [`fail`] writes it) for [`payload`] to hand over: most calls
/// answer 0, with no string to decode.
pub(crate) fn result(r: Result<String, Error>) -> u32 {
    let s = r.unwrap_or_else(|e| fail(&e));
    if s.is_empty() {
        return 0;
    }
    PAYLOAD.with(|p| *p.borrow_mut() = s);
    1
}

export! {
/// The payload of the last call that returned 1.
pub fn payload() -> String {
    PAYLOAD.with(|p| core::mem::take(&mut *p.borrow_mut()))
}
}

export! {
/// The records written since the last call (a JSON array), or `""`.
pub fn take() -> String {
    let out = OUT.with(|o| core::mem::take(&mut *o.borrow_mut()));
    if out.is_empty() {
        out
    } else {
        out + "]"
    }
}
}
