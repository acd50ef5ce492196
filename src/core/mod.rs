//! The pure-Rust core: profiles, handles, registries, modules and specs.
//! Nothing here knows JavaScript; it builds and tests natively.

pub(crate) mod cell;
pub mod epoch;
pub mod error;
pub mod events;
pub mod float;
pub mod fxhash;
pub mod handle;
pub mod index;
pub(crate) mod local;
pub mod module;
pub mod namespace;
pub mod profile;
pub mod registry;
pub mod spec;
pub mod text;
pub mod vec_map;
pub mod wire;
