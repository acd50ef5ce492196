//! [`RefCell`]: `core::cell::RefCell` with the same checks, whose conflict
//! (a borrow while a `borrow_mut` is live, or the reverse) stops the
//! program without a per-call panic location: `RefCell::borrow_mut` is
//! `#[track_caller]`, so each call site of the standard one carries its
//! file and line into the wasm's data. No input reaches a conflict (no
//! borrow is held while user code runs); this keeps the check, not the
//! text.

use core::cell::{BorrowError, Ref, RefMut};

/// A `core::cell::RefCell` whose borrow conflicts abort (the no_std wasm)
/// or panic with one message (native builds), with no caller's location.
#[derive(Default)]
pub(crate) struct RefCell<T>(core::cell::RefCell<T>);

impl<T> RefCell<T> {
    /// A cell holding `value`.
    pub(crate) const fn new(value: T) -> Self {
        RefCell(core::cell::RefCell::new(value))
    }

    /// A shared borrow; a live `borrow_mut` is a conflict.
    #[inline(always)]
    pub(crate) fn borrow(&self) -> Ref<'_, T> {
        match self.0.try_borrow() {
            Ok(r) => r,
            Err(_) => conflict(),
        }
    }

    /// An exclusive borrow; any live borrow is a conflict.
    #[inline(always)]
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, T> {
        match self.0.try_borrow_mut() {
            Ok(r) => r,
            Err(_) => conflict(),
        }
    }

    /// A shared borrow, or an error when a `borrow_mut` is live.
    #[inline(always)]
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // used by the bindings only
    pub(crate) fn try_borrow(&self) -> Result<Ref<'_, T>, BorrowError> {
        self.0.try_borrow()
    }
}

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[inline(always)]
fn conflict() -> ! {
    ::core::arch::wasm32::unreachable()
}

#[cfg(not(all(target_arch = "wasm32", not(feature = "std"))))]
#[cold]
#[inline(never)]
fn conflict() -> ! {
    panic!("RefCell already borrowed")
}
