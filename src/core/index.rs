//! [`ProfileIndex`]: a registry's profile -> [`SlotKey`] index, a small
//! open-addressing hash table (linear probing, no tombstones).
//!
//! The table holds only each entry's 32-bit hash and slot key; the profile
//! itself stays in the registry's slot storage (it is not cloned into the
//! index), and a lookup whose hash matches confirms it there (through the
//! caller's `is` test). Growing moves the stored hashes, so no profile is
//! hashed twice. Lookups, inserts and removals are amortised O(1); the table
//! is at most half full.
//!
//! It is much smaller in the wasm than a general hash map such as
//! `hashbrown`'s: one probe loop, one insert and one removal.

use alloc::vec::Vec;
use core::hash::Hasher;

use crate::core::fxhash::FxHasher;
use crate::core::handle::SlotKey;
use crate::core::profile::Profile;

/// The index's hash of `profile`: [`FxHasher`] over the bytes of its
/// canonical JSON, cut to 32 bits (the mixed half).
///
/// ```
/// use profile_registry::core::index::hash;
/// use profile_registry::Profile;
///
/// assert_eq!(hash(&"alice".into()), hash(&"alice".into()));
/// assert_ne!(hash(&"alice".into()), hash(&"alicf".into()));
/// assert_ne!(hash(&Profile::int(1)?), hash(&"1".into()));
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn hash(profile: &Profile) -> u32 {
    let mut h = FxHasher::default();
    h.write(profile.json().as_bytes());
    h.finish() as u32
}

/// Slot keys by the hash of their profile; the caller keeps the profiles and
/// passes each operation the profile's [`hash`].
///
/// ```
/// use profile_registry::core::index::{hash, ProfileIndex};
/// use profile_registry::{Profile, SlotKey};
/// use slotmap::SlotMap;
///
/// let mut profiles: SlotMap<SlotKey, Profile> = SlotMap::with_key();
/// let mut index = ProfileIndex::new();
/// let alice = Profile::from("alice");
/// let key = profiles.insert(alice.clone());
/// index.insert(hash(&alice), key);
///
/// let find = |index: &ProfileIndex, p: &Profile| index.get(hash(p), |k| profiles[k] == *p);
/// assert_eq!(find(&index, &alice), Some(key));
/// assert_eq!(find(&index, &"bob".into()), None);
/// assert!(index.remove(hash(&alice), key));
/// assert_eq!(find(&index, &alice), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ProfileIndex {
    /// A power-of-two number of buckets (or none), each empty or one entry's
    /// `(hash, key)`, at most half of them full.
    buckets: Vec<Option<(u32, SlotKey)>>,
    len: usize,
}

impl ProfileIndex {
    /// An empty index (it allocates on the first insert).
    ///
    /// ```
    /// use profile_registry::core::index::ProfileIndex;
    /// let index = ProfileIndex::new();
    /// assert!(index.is_empty());
    /// assert_eq!(index.get(7, |_| true), None);
    /// ```
    pub const fn new() -> Self {
        ProfileIndex { buckets: Vec::new(), len: 0 }
    }

    /// How many keys the index holds.
    ///
    /// ```
    /// use profile_registry::core::index::ProfileIndex;
    /// use profile_registry::SlotKey;
    /// use slotmap::KeyData;
    ///
    /// let mut index = ProfileIndex::new();
    /// index.insert(1, SlotKey::from(KeyData::from_ffi(1 << 32)));
    /// index.insert(1, SlotKey::from(KeyData::from_ffi((1 << 32) | 1))); // another profile, same hash
    /// assert_eq!(index.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the index is empty.
    ///
    /// ```
    /// use profile_registry::core::index::ProfileIndex;
    /// assert!(ProfileIndex::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first key stored under `hash` for which `is(key)` holds (the
    /// caller's test that the key's profile is the one looked for).
    ///
    /// ```
    /// use profile_registry::core::index::ProfileIndex;
    /// use profile_registry::SlotKey;
    /// use slotmap::KeyData;
    ///
    /// let (a, b): (SlotKey, SlotKey) = (KeyData::from_ffi(1 << 32).into(), KeyData::from_ffi((1 << 32) | 1).into());
    /// let mut index = ProfileIndex::new();
    /// index.insert(5, a);
    /// index.insert(5, b); // a hash collision: `is` tells the two apart
    /// assert_eq!(index.get(5, |k| k == b), Some(b));
    /// assert_eq!(index.get(5, |_| false), None);
    /// assert_eq!(index.get(6, |_| true), None);
    /// ```
    pub fn get(&self, hash: u32, mut is: impl FnMut(SlotKey) -> bool) -> Option<SlotKey> {
        let mask = self.buckets.len().wrapping_sub(1);
        let mut i = self.home(hash);
        loop {
            // An empty bucket ends the probe (and `get` misses on no buckets).
            let (h, key) = (*self.buckets.get(i)?)?;
            if h == hash && is(key) {
                return Some(key);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds `key` under `hash`. The caller makes sure its profile is not in
    /// the index already (look it up first).
    ///
    /// ```
    /// use profile_registry::core::index::ProfileIndex;
    /// use profile_registry::SlotKey;
    /// use slotmap::KeyData;
    ///
    /// let mut index = ProfileIndex::new();
    /// let keys: Vec<SlotKey> = (0..100).map(|i| KeyData::from_ffi((1 << 32) | i).into()).collect();
    /// for (i, &k) in keys.iter().enumerate() {
    ///     index.insert(i as u32 % 10, k); // it grows as needed
    /// }
    /// assert!(keys.iter().enumerate().all(|(i, &k)| index.get(i as u32 % 10, |x| x == k) == Some(k)));
    /// ```
    pub fn insert(&mut self, hash: u32, key: SlotKey) {
        if self.len * 2 >= self.buckets.len() {
            let old = core::mem::take(&mut self.buckets);
            self.buckets.resize((old.len() * 2).max(8), None);
            for &(h, k) in old.iter().flatten() {
                self.put(h, k);
            }
        }
        self.put(hash, key);
        self.len += 1;
    }

    /// The bucket a probe for `hash` starts at: its top bits, the best mixed
    /// ones (and 0 with no buckets).
    fn home(&self, hash: u32) -> usize {
        ((u64::from(hash) * self.buckets.len() as u64) >> 32) as usize
    }

    /// Puts `key` in the first empty bucket of its probe (there is one:
    /// the table is at most half full). Indexes through `get`, which
    /// spares the bounds checks `home` and the mask make needless.
    fn put(&mut self, hash: u32, key: SlotKey) {
        let mask = self.buckets.len().wrapping_sub(1);
        let mut i = self.home(hash);
        while let Some(Some(_)) = self.buckets.get(i) {
            i = (i + 1) & mask;
        }
        if let Some(b) = self.buckets.get_mut(i) {
            *b = Some((hash, key));
        }
    }

    /// Removes `key`, stored under `hash`; `false` when it is not there.
    ///
    /// ```
    /// use profile_registry::core::index::ProfileIndex;
    /// use profile_registry::SlotKey;
    /// use slotmap::KeyData;
    ///
    /// let (a, b): (SlotKey, SlotKey) = (KeyData::from_ffi(1 << 32).into(), KeyData::from_ffi((1 << 32) | 1).into());
    /// let mut index = ProfileIndex::new();
    /// index.insert(5, a);
    /// index.insert(5, b);
    /// assert!(index.remove(5, a));
    /// assert!(!index.remove(5, a)); // already gone
    /// assert_eq!(index.get(5, |k| k == b), Some(b)); // still found past the freed bucket
    /// ```
    pub fn remove(&mut self, hash: u32, key: SlotKey) -> bool {
        let mask = self.buckets.len().wrapping_sub(1);
        let mut i = self.home(hash);
        loop {
            match self.buckets.get(i) {
                Some(Some((_, k))) if *k == key => break,
                Some(Some(_)) => i = (i + 1) & mask,
                _ => return false,
            }
        }
        self.len -= 1;
        if let Some(b) = self.buckets.get_mut(i) {
            *b = None;
        }
        // The rest of the probe run is put again, so that no entry is cut off
        // from its home bucket by the hole (and no tombstones are needed).
        loop {
            i = (i + 1) & mask;
            let Some(Some((h, k))) = self.buckets.get_mut(i).map(Option::take) else { return true };
            self.put(h, k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slotmap::KeyData;
    use std::collections::HashSet;

    fn key(i: u64) -> SlotKey {
        KeyData::from_ffi((1 << 32) | i).into()
    }

    /// Random inserts and removes against a set, with hashes crowded into
    /// few values at the end of the table, so probe runs are long and wrap
    /// around.
    #[test]
    fn agrees_with_a_set() {
        let mut index = ProfileIndex::new();
        let mut model: HashSet<u64> = HashSet::new();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let hash_of = |i: u64| u32::MAX - (i.wrapping_mul(0x9e37_79b9) >> 7) as u32 % 37;
        for _ in 0..50_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = seed % 300;
            if model.contains(&i) {
                assert!(index.remove(hash_of(i), key(i)));
                model.remove(&i);
            } else {
                assert!(!index.remove(hash_of(i), key(i)));
                index.insert(hash_of(i), key(i));
                model.insert(i);
            }
            assert_eq!(index.len(), model.len());
            if seed % 32 == 0 {
                for j in 0..300 {
                    let found = index.get(hash_of(j), |k| k == key(j));
                    assert_eq!(found.is_some(), model.contains(&j), "key {j}");
                }
            }
        }
    }
}
