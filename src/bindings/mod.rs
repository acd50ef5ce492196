//! The wasm's exports (wasm32 only): a narrow surface of plain arguments
//! (strings, numbers) for the package's JS entry, which reads and guards
//! every JS value itself (`js/`). Nothing here holds or calls a JS object,
//! so no JS exception can ever unwind through a wasm frame, and no user
//! code runs while Rust holds a borrow.
//!
//! - Results are strings: the payload, or `"\0"` followed by the JSON of a
//!   core [`crate::Error`] (`[kind, message, profile, registry, handle]`)
//!   that the JS entry turns into a typed `Error` ([`out::fail`]).
//! - What changed is written to the outbox ([`out`]) as JSON records that
//!   the entry takes after each call: registry events (it keeps the values
//!   and the `whereis` mirror), and what connections ask of the host
//!   (open, send, close, timers) or tell their listeners.
//! - Profiles cross in their canonical JSON form ([`crate::core::wire`]).

mod abi;
mod conn;
mod out;
mod registry;
