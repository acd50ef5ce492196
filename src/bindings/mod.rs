//! The JS face of the library (wasm32 only): the only layer that knows
//! `#[wasm_bindgen]`. It decodes JS values into core types, runs the core,
//! and turns core errors into JS `Error`s whose `name` says the kind.
//!
//! The npm package's entry (`js/index.js`) wraps these exports: it adds the
//! `whereis` fast path over the per-registry mirror maps kept here, the
//! two-argument `register(via, value)` form, and the error classes.

pub mod api;
pub mod connection;
mod convert;
mod errors;
mod js_module;
pub(crate) mod mirror;
mod options;
mod realm;
