//! [`realm_local!`]: statics local to one JS realm, with `thread_local!`'s
//! `.with(|v| ...)` API.
//!
//! With std this is `std::thread_local!` (native tests run on many threads,
//! each with its own realm state). The `no_std` wasm has no threads (the
//! crate refuses to build for `atomics` without std), so there a realm-local
//! is a plain `static` `Local`, initialised on first use.

/// Declares realm-local statics, as `std::thread_local!` does:
/// `realm_local! { static NAME: Type = init; }` (or `= const { init };`),
/// then `NAME.with(|v| ...)`.
#[cfg(not(all(target_arch = "wasm32", not(feature = "std"))))]
macro_rules! realm_local {
    ($($decl:tt)*) => {
        ::std::thread_local! { $($decl)* }
    };
}

/// Declares realm-local statics, as `std::thread_local!` does:
/// `realm_local! { static NAME: Type = init; }` (or `= const { init };`),
/// then `NAME.with(|v| ...)`.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
macro_rules! realm_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $ty:ty = const { $init:expr }; $($rest:tt)*) => {
        $(#[$attr])*
        $vis static $name: $crate::core::local::ConstLocal<$ty> = $crate::core::local::ConstLocal($init);
        $crate::core::local::realm_local! { $($rest)* }
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr; $($rest:tt)*) => {
        $(#[$attr])*
        $vis static $name: $crate::core::local::Local<$ty> = $crate::core::local::Local::new(|| $init);
        $crate::core::local::realm_local! { $($rest)* }
    };
}

pub(crate) use realm_local;

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
pub(crate) use no_std::{ConstLocal, Local};

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod no_std {
    use core::cell::OnceCell;

    /// A realm-local value in a plain `static`: made by `init` on first use,
    /// never dropped (like a thread-local of the only thread).
    pub(crate) struct Local<T> {
        value: OnceCell<T>,
        init: fn() -> T,
    }

    // SAFETY: the no_std wasm is single-threaded (no `atomics`, enforced in
    // lib.rs): no other thread exists to share the value with, so `Sync` only
    // lets the value live in a `static`.
    unsafe impl<T> Sync for Local<T> {}

    impl<T> Local<T> {
        /// A value that `init` makes on first use.
        pub(crate) const fn new(init: fn() -> T) -> Self {
            Local { value: OnceCell::new(), init }
        }

        /// Runs `f` with the value, as `LocalKey::with` does.
        #[inline(always)]
        pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
            f(self.get())
        }

        /// The value, made on first use: one copy per static, whatever
        /// the callers' closures.
        fn get(&'static self) -> &'static T {
            // `get` and `set`, not `get_or_init`: no panic path (its
            // re-entrance check) comes along; `init` does not re-enter, so
            // `set` finds the cell empty, and no drop code for a value it
            // would hand back comes along either.
            loop {
                if let Some(value) = self.value.get() {
                    return value;
                }
                if let Err(value) = self.value.set((self.init)()) {
                    core::mem::forget(value);
                }
            }
        }
    }

    /// A realm-local value made at compile time (`= const { ... }`): no
    /// first-use check, and none of its code.
    pub(crate) struct ConstLocal<T>(pub(crate) T);

    // SAFETY: as for `Local`: the no_std wasm is single-threaded.
    unsafe impl<T> Sync for ConstLocal<T> {}

    impl<T> ConstLocal<T> {
        /// Runs `f` with the value, as `LocalKey::with` does.
        #[inline(always)]
        pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
            f(&self.0)
        }
    }
}
