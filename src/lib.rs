//! # profile-registry
//!
//! Exactly one live connection per profile in a single-threaded JS runtime,
//! found by profile across restarts: the browser-and-edge counterpart of the
//! Elixir `Amarula.ProfileRegistry`.
//!
//! The crate has layers (see `ARCHITECTURE.md`): the pure-Rust [`core`]
//! (profiles, generational handles, registries, modules, `resolve` / `via` /
//! `whereis`), the pure-Rust `conn` state machine, and, on `wasm32` only,
//! the `bindings`: the wasm's narrow exports for the npm package's JS entry.
//!
//! ```
//! use profile_registry::{via, Config, Namespace};
//!
//! let ns: Namespace<&str> = Namespace::new();
//! ns.start("ProfileRegistry")?;
//! let name = via(&Config::new(), "alice".into());
//! ns.register(&name, None, "socket #1")?;
//! assert_eq!(ns.whereis(&name, None)?, Some("socket #1"));
//! # Ok::<(), profile_registry::Error>(())
//! ```
#![warn(missing_docs)]
// The npm package's wasm is built without the `std` feature: no std, and so
// none of std's panic and formatting machinery (see `scripts/build.sh`).
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

pub mod conn;
pub mod core;
pub mod heap;

pub use crate::core::error::Error;
pub use crate::core::events::{Event, EventKind, Subscription};
pub use crate::core::handle::{Handle, RegistryId, SlotKey};
pub use crate::core::module::{Entry, LocalModule, RegistryModule, DEFAULT_MODULE};
pub use crate::core::namespace::Namespace;
pub use crate::core::profile::{Profile, MAX_SAFE_INTEGER};
pub use crate::core::registry::Registry;
pub use crate::core::spec::{resolve, via, Config, RegistryRef, RegistrySpec, Target, Via, DEFAULT_NAME};

#[cfg(target_arch = "wasm32")]
pub mod bindings;

/// The wasm's allocator: size-class free lists over `memory.grow`
/// ([`heap`]), a few hundred bytes of code.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: heap::Global = heap::Global::new();

/// Without std, a panic aborts (the release profile's `panic = "abort"`
/// anyway) without formatting its message. No input from JS reaches one.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo<'_>) -> ! {
    ::core::arch::wasm32::unreachable()
}

#[cfg(all(target_arch = "wasm32", not(feature = "std"), target_feature = "atomics"))]
compile_error!("the no_std build keeps realm state in plain statics (`core::local`): build with the `std` feature for threads");
