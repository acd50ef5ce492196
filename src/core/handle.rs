//! [`Handle`]: a generational reference to one registration.
//!
//! A handle is a slotmap key of its own type ([`SlotKey`]) plus the identity of
//! the registry instance that issued it. When its entry is unregistered, or the
//! profile is registered again, the slot's generation moves on and the old
//! handle reads as dead everywhere; it never resolves to another entry.

use alloc::string::String;
use core::fmt;
use core::str::FromStr;
use core::sync::atomic::{AtomicU32, Ordering};

use slotmap::{Key, KeyData};

use crate::core::error::Error;
use crate::core::text::{text, Piece, Quoted};

slotmap::new_key_type! {
    /// The key of one entry in one registry's slot storage.
    ///
    /// ```
    /// use profile_registry::{Handle, SlotKey};
    /// use slotmap::{Key, KeyData};
    ///
    /// // The slot half of a handle's ffi form.
    /// let h = Handle::from_ffi(1, (1u64 << 32) | 4);
    /// let key: SlotKey = KeyData::from_ffi(h.to_ffi().1).into();
    /// assert_eq!(key.data().as_ffi(), h.to_ffi().1);
    /// assert!(SlotKey::null().is_null());
    /// ```
    pub struct SlotKey;
}

/// The identity of one registry instance. Every [`crate::Registry::new`] gets a
/// fresh one, so a handle from a stopped-and-restarted registry of the same
/// name is foreign to the new instance.
///
/// ```
/// use profile_registry::Registry;
///
/// let (a, b): (Registry<u8>, Registry<u8>) = (Registry::new("R"), Registry::new("R"));
/// assert_ne!(a.id(), b.id()); // same name, different instances
/// let h = a.register("alice".into(), 1)?;
/// assert_eq!(h.registry(), a.id());
/// assert_eq!(b.get(h), None); // foreign to `b`
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistryId(u32);

impl RegistryId {
    pub(crate) fn fresh() -> RegistryId {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        RegistryId(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// The id as a number.
    ///
    /// ```
    /// # use profile_registry::{Handle, Registry};
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(h.to_ffi().0, reg.id().get());
    /// assert!(h.to_string().starts_with(&format!("{}.", reg.id().get())));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A generational handle to one registration.
///
/// ```
/// use profile_registry::{Registry, Handle};
///
/// let reg: Registry<&str> = Registry::new("demo");
/// let old = reg.register("alice".into(), "socket 1")?;
/// reg.unregister(&"alice".into());
/// let new = reg.register("alice".into(), "socket 2")?;
///
/// assert_ne!(old, new);
/// assert!(!reg.is_alive(old));          // the stale handle reads as dead...
/// assert_eq!(reg.get(old), None);       // ...and never reaches the new entry
/// assert_eq!(reg.get(new), Some("socket 2"));
///
/// // Handles round-trip through a string for foreign code.
/// let text = new.to_string();
/// assert_eq!(text.parse::<Handle>()?, new);
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Handle {
    registry: RegistryId,
    key: SlotKey,
}

impl Handle {
    pub(crate) fn new(registry: RegistryId, key: SlotKey) -> Handle {
        Handle { registry, key }
    }

    /// The registry instance that issued this handle.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(h.registry(), reg.id());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn registry(self) -> RegistryId {
        self.registry
    }

    pub(crate) fn key(self) -> SlotKey {
        self.key
    }

    /// The slot index (reused after an unregister).
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let a = reg.register("a".into(), 1)?;
    /// reg.unregister(&"a".into());
    /// let b = reg.register("b".into(), 2)?;
    /// assert_eq!(a.slot(), b.slot()); // same slot, but...
    /// assert_ne!(a, b); // ...a different handle
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn slot(self) -> u32 {
        self.key.data().as_ffi() as u32
    }

    /// The generation of the slot, 1 for its first registration, 2 for the
    /// next, and so on: a re-registration in the same slot has a higher one.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let first = reg.register("alice".into(), 1)?;
    /// reg.unregister(&"alice".into());
    /// let second = reg.register("alice".into(), 2)?;
    /// assert_eq!((first.generation(), second.generation()), (1, 2));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn generation(self) -> u32 {
        let version = (self.key.data().as_ffi() >> 32) as u32;
        version / 2 + 1
    }

    /// The handle as two plain numbers (registry id, slot key) for foreign
    /// code, like slotmap's `KeyData::as_ffi`.
    ///
    /// ```
    /// # use profile_registry::{Handle, Registry};
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// let (registry, key) = h.to_ffi();
    /// assert_eq!(registry, reg.id().get());
    /// assert_eq!(reg.get(Handle::from_ffi(registry, key)), Some(1));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn to_ffi(self) -> (u32, u64) {
        (self.registry.0, self.key.data().as_ffi())
    }

    /// The message for a value that is not a handle (`what` describes it).
    pub(crate) fn not_a_handle(what: impl Piece) -> String {
        text!(what, " is not a handle; use a handle returned by register or lookup")
    }

    /// Rebuilds a handle from [`Handle::to_ffi`]. Any pair of numbers is
    /// accepted: a forged or foreign one is a harmless miss on lookup.
    ///
    /// ```
    /// # use profile_registry::{Handle, Registry};
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(Handle::from_ffi(h.to_ffi().0, h.to_ffi().1), h);
    /// let forged = Handle::from_ffi(reg.id().get(), u64::MAX);
    /// assert_eq!(reg.get(forged), None);
    /// assert!(!reg.is_alive(forged));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn from_ffi(registry: u32, key: u64) -> Handle {
        Handle { registry: RegistryId(registry), key: KeyData::from_ffi(key).into() }
    }
}

impl Piece for Handle {
    /// The [`Display`](fmt::Display) form.
    fn push_to(&self, out: &mut String) {
        self.registry.0.push_to(out);
        out.push('.');
        self.slot().push_to(out);
        out.push('.');
        self.generation().push_to(out);
    }
}

impl fmt::Display for Handle {
    /// `registry.slot.generation`, e.g. `3.0.1`; the slot's next
    /// registration reads `3.0.2`.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let first = reg.register("a".into(), 1)?;
    /// reg.unregister(&"a".into());
    /// let second = reg.register("a".into(), 2)?;
    /// let id = reg.id().get();
    /// assert_eq!(first.to_string(), format!("{id}.{}.1", first.slot()));
    /// assert_eq!(second.to_string(), format!("{id}.{}.2", first.slot()));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text!(self))
    }
}

impl FromStr for Handle {
    type Err = Error;

    /// Parses the [`Display`](fmt::Display) form. A malformed string is an
    /// [`Error::InvalidHandle`]; a well-formed one that names no live entry
    /// is a valid (dead) handle.
    ///
    /// ```
    /// # use profile_registry::{Handle, Registry};
    /// assert_eq!("1.x.1".parse::<Handle>().unwrap_err().kind(), "InvalidHandleError");
    /// let reg: Registry<u8> = Registry::new("r");
    /// let dead: Handle = format!("{}.0.5", reg.id().get()).parse()?;
    /// assert_eq!(reg.get(dead), None); // well-formed, names nothing: reads as dead
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Handle, Error> {
        // Three numbers split by '.', read byte by byte, and the handle they
        // make written back: one spelling per handle (plain decimal digits,
        // no sign, no leading zeros), so anything else reads differently.
        let mut parts = [0u64; 3];
        let mut part = 0;
        for &b in s.as_bytes() {
            if b == b'.' {
                part += 1;
            } else if let Some(n) = parts.get_mut(part) {
                // Capped just past `u32::MAX`: too big either way, and no
                // overflow; a byte that is not a digit cannot be written back.
                *n = (*n * 10 + u64::from(b.wrapping_sub(b'0'))).min(1 << 32);
            }
        }
        let [registry, slot, generation] = parts;
        // Generation g is the slot's (odd) version 2g - 1.
        let max = u64::from(u32::MAX);
        let handle = Handle::from_ffi(registry as u32, ((2 * generation).wrapping_sub(1) << 32) | slot);
        if !(registry <= max && slot <= max && (1..=max / 2).contains(&generation) && text!(handle) == s) {
            return Err(Error::InvalidHandle(Handle::not_a_handle(Quoted(s))));
        }
        Ok(handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_strings_are_errors() {
        for s in ["", "1", "1.2", "a.b.c", "1.2.0", "-1.0.1", "1.2.3.4", "1.2.4294967295", "+1.1.1", "01.1.1", "1. 1.1"] {
            assert!(s.parse::<Handle>().is_err(), "{s}");
        }
    }

    #[test]
    fn parses_canonical_numbers_at_their_limits() {
        for s in ["1.1", "1..1", ".1.1", "1.1.", "00.1.1", "0.00.1", "0.1.01", "1.2.3.", "1.2.3é", "é.1.1", "0.0.0"] {
            assert!(s.parse::<Handle>().is_err(), "{s}");
        }
        for s in ["4294967296.0.1", "0.4294967296.1", "0.0.2147483648", "0.0.99999999999999999999999"] {
            assert!(s.parse::<Handle>().is_err(), "{s}");
        }
        let err = "1.2.3.4".parse::<Handle>().unwrap_err();
        assert_eq!(
            err.message(),
            "invalid handle: \"1.2.3.4\" is not a handle; use a handle returned by register or lookup"
        );
        let max = "4294967295.4294967295.2147483647".parse::<Handle>().unwrap();
        assert_eq!(max.to_ffi(), (u32::MAX, (u64::from(u32::MAX - 2) << 32) | u64::from(u32::MAX)));
        assert_eq!(max.to_string(), "4294967295.4294967295.2147483647");
        let zero = "0.0.1".parse::<Handle>().unwrap();
        assert_eq!(zero.to_ffi(), (0, 1 << 32));
        assert_eq!("10.20.30".parse::<Handle>().unwrap().to_string(), "10.20.30");
    }

    #[test]
    fn only_the_canonical_spelling_parses() {
        // Every string of up to 6 bytes over these: it parses exactly when it
        // is three plain decimal numbers (no leading zeros), the last not 0.
        let alphabet = [b'0', b'1', b'9', b'.', b'-', b'a'];
        let canonical = |s: &str| {
            let parts: Vec<&str> = s.split('.').collect();
            parts.len() == 3
                && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0')))
                && parts[2] != "0"
        };
        let mut strings = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = strings.iter().flat_map(|s| alphabet.iter().map(move |&b| format!("{s}{}", b as char))).collect();
            for s in strings.iter().chain(&longer) {
                assert_eq!(s.parse::<Handle>().is_ok(), canonical(s), "{s:?}");
            }
            strings = longer;
        }
    }

    #[test]
    fn ffi_round_trip() {
        let h = Handle::from_ffi(7, (5u64 << 32) | 9);
        assert_eq!(Handle::from_ffi(h.to_ffi().0, h.to_ffi().1), h);
        assert_eq!(h.slot(), 9);
        assert_eq!(h.generation(), 3);
        assert_eq!(h.to_string().parse::<Handle>().unwrap(), h);
    }
}
