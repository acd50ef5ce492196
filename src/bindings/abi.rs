//! The wasm's calling convention, without generated glue: every export is a
//! plain `extern "C"` function of numbers, declared through [`export!`],
//! whose wasm export name carries its signature for the package's loader
//! (`js/wasm.js`) to read: `name:params:result`, one letter per parameter.
//!
//! | Rust | letter | in wasm | JS passes |
//! | --- | --- | --- | --- |
//! | `&str` | `s` | `i32`: a block of the argument buffer | a string (UTF-8) |
//! | `&[f64]` | `a` | `i32`: a block of the argument buffer | a `Float64Array` |
//! | `u32`, `f64`, `bool` | `n` | `i32`, `f64`, `i32` | a number or boolean, as is |
//!
//! Results: `u` (`u32`), `b` (`bool`), `S` (`String`: a pointer to its
//! `[pointer, length]`, valid until the next call), nothing (`()`).
//!
//! Strings and arrays cross through one argument buffer that the loader
//! fills before each call ([`buf`]): blocks at 8-aligned offsets, each a
//! `u32` length (bytes of a string, items of an array) and, 8 bytes on,
//! the data. No JS runs inside a wasm frame, so a call never finds the
//! buffer in use by another.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::core::cell::RefCell;

use crate::core::local::realm_local;

realm_local! {
    /// The argument buffer (in `u64`s, so its blocks are 8-aligned).
    static ARGS: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
    /// The last `String` result, kept alive for the loader to read.
    static RESULT: RefCell<String> = const { RefCell::new(String::new()) };
    /// Its `[pointer, length]`.
    static RESULT_AT: Cell<[u32; 2]> = const { Cell::new([0; 2]) };
}

/// The argument buffer, at least `bytes` long; where the loader writes a
/// call's string and array arguments.
#[export_name = "buf"]
extern "C" fn buf(bytes: u32) -> *mut u64 {
    ARGS.with(|a| {
        let mut a = a.borrow_mut();
        let words = (bytes as usize).div_ceil(8);
        a.clear();
        a.reserve(words);
        a.as_mut_ptr()
    })
}

/// An export's parameter: what it is in wasm, and how it is read from that.
pub(crate) trait Arg: Sized {
    /// The wasm value.
    type Raw;
    /// The Rust value.
    ///
    /// # Safety
    /// For a block of the argument buffer, `raw` is one the loader wrote in
    /// this call.
    unsafe fn from_raw(raw: Self::Raw) -> Self;
}

/// The length and data of the argument block at `at`.
///
/// # Safety
/// As for [`Arg::from_raw`].
unsafe fn block<T>(at: u32) -> &'static [T] {
    let len = *(at as usize as *const u32) as usize;
    core::slice::from_raw_parts((at as usize + 8) as *const T, len)
}

impl Arg for &str {
    type Raw = u32;
    unsafe fn from_raw(raw: u32) -> Self {
        // The loader's TextEncoder wrote it: UTF-8.
        core::str::from_utf8_unchecked(block(raw))
    }
}

impl Arg for &[f64] {
    type Raw = u32;
    unsafe fn from_raw(raw: u32) -> Self {
        block(raw)
    }
}

impl Arg for u32 {
    type Raw = u32;
    unsafe fn from_raw(raw: u32) -> Self {
        raw
    }
}

impl Arg for f64 {
    type Raw = f64;
    unsafe fn from_raw(raw: f64) -> Self {
        raw
    }
}

impl Arg for bool {
    type Raw = u32;
    unsafe fn from_raw(raw: u32) -> Self {
        raw != 0
    }
}

/// An export's result, as a wasm value.
pub(crate) trait Ret {
    /// The wasm value.
    type Raw;
    /// The wasm value of `self`.
    fn into_raw(self) -> Self::Raw;
}

impl Ret for () {
    type Raw = ();
    fn into_raw(self) {}
}

impl Ret for u32 {
    type Raw = u32;
    fn into_raw(self) -> u32 {
        self
    }
}

impl Ret for bool {
    type Raw = u32;
    fn into_raw(self) -> u32 {
        self.into()
    }
}

impl Ret for String {
    type Raw = *const [u32; 2];
    fn into_raw(self) -> *const [u32; 2] {
        let at = [self.as_ptr() as u32, self.len() as u32];
        RESULT.with(|r| *r.borrow_mut() = self);
        RESULT_AT.with(|c| {
            c.set(at);
            c.as_ptr().cast_const()
        })
    }
}

/// Declares wasm exports: wrapped in `export! { ... }`, each function of
/// plain parameters (`&str`, `&[f64]`, `u32`, `f64`, `bool`) and result
/// (none, `u32`, `bool`, `String`) stays as written, and gains an
/// `extern "C"` twin whose export name carries its signature (see the
/// module docs).
///
/// ```ignore
/// export! {
/// /// Socket `socket` of connection `id` reported an error.
/// pub fn conn_error(id: u32, socket: f64, message: &str) {
///     on(id, |c| c.step(|m| m.on_error(SocketId(socket as u64), message.into())));
/// }
/// }
/// ```
///
/// In JS (after `init()`), `W().conn_error(1, 2, "refused")`.
macro_rules! export {
    () => {};
    ($(#[$m:meta])* $vis:vis fn $name:ident ($($p:tt)*) $(-> $r:ident)? $body:block $($rest:tt)*) => {
        $crate::bindings::abi::export!(@param [$(#[$m])* $vis fn $name [$($r)?] $body] [] $($p)*);
        $crate::bindings::abi::export!($($rest)*);
    };
    // One parameter at a time: its name, type and letter.
    (@param $f:tt [$($done:tt)*] $a:ident : &str $(, $($p:tt)*)?) => {
        $crate::bindings::abi::export!(@param $f [$($done)* ($a, &str, "s")] $($($p)*)?);
    };
    (@param $f:tt [$($done:tt)*] $a:ident : &[f64] $(, $($p:tt)*)?) => {
        $crate::bindings::abi::export!(@param $f [$($done)* ($a, &[f64], "a")] $($($p)*)?);
    };
    (@param $f:tt [$($done:tt)*] $a:ident : $t:ident $(, $($p:tt)*)?) => {
        $crate::bindings::abi::export!(@param $f [$($done)* ($a, $t, "n")] $($($p)*)?);
    };
    (@param [$(#[$m:meta])* $vis:vis fn $name:ident [$($r:ident)?] $body:block] [$(($a:ident, $t:ty, $c:literal))*]) => {
        $(#[$m])*
        $vis fn $name($($a: $t),*) $(-> $r)? $body

        const _: () = {
            #[export_name = concat!(stringify!($name), ":", $($c,)* ":", $crate::bindings::abi::export!(@letter $($r)?))]
            #[allow(clippy::too_many_arguments)]
            extern "C" fn export($($a: <$t as $crate::bindings::abi::Arg>::Raw),*)
                -> <$crate::bindings::abi::export!(@ret $($r)?) as $crate::bindings::abi::Ret>::Raw {
                // SAFETY: the loader calls an export with its blocks written.
                $crate::bindings::abi::Ret::into_raw($name($(unsafe { <$t as $crate::bindings::abi::Arg>::from_raw($a) }),*))
            }
        };
    };
    (@ret) => { () };
    (@ret $r:ident) => { $r };
    (@letter) => { "" };
    (@letter u32) => { "u" };
    (@letter bool) => { "b" };
    (@letter String) => { "S" };
}

pub(crate) use export;
