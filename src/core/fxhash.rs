//! [`FxHasher`]: the small, fast, unkeyed hasher of the profile index
//! ([`crate::core::index`]).
//!
//! Unkeyed is fine here: profiles are chosen by the app, not by an attacker
//! flooding one bucket, and std's `RandomState` has no random seed on
//! `wasm32-unknown-unknown` either.

use core::hash::Hasher;

/// The step of rustc's `FxHasher` (one rotate, xor and multiply per word;
/// per byte for byte slices), with its halves swapped at the end.
///
/// The multiply mixes upwards, so the high half of the state is the mixed
/// one; the profile index keeps the low 32 bits of the hash (and takes its
/// bucket from their top bits), so [`Hasher::finish`] hands it the high half
/// there.
///
/// ```
/// use core::hash::{Hash, Hasher};
/// use profile_registry::core::fxhash::FxHasher;
/// use profile_registry::Profile;
///
/// let hash = |p: &Profile| {
///     let mut h = FxHasher::default();
///     p.hash(&mut h);
///     h.finish()
/// };
/// assert_eq!(hash(&"alice".into()), hash(&"alice".into()));
/// assert_ne!(hash(&"alice".into()), hash(&"alicf".into()));
/// assert_ne!(hash(&Profile::int(1)?), hash(&"1".into()));
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

/// rustc's `FxHasher` multiplier (64-bit).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    /// One step per byte: profiles are short, and the loop is a fraction
    /// of the word-at-a-time one in the wasm.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(32)
    }
}
