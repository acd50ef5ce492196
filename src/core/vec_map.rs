//! [`VecMap`]: a small map kept in a `Vec`, for the handful of entries the
//! registry keeps by name or id (registries, modules, listeners, sockets).
//! Linear lookups beat hashing at these sizes, and it keeps the wasm small:
//! one simple loop per key type instead of a hash table per map.

use alloc::vec::Vec;
use core::borrow::Borrow;

/// A map in insertion order with linear lookups.
///
/// ```
/// use profile_registry::core::vec_map::VecMap;
///
/// let mut m: VecMap<String, u32> = VecMap::new();
/// assert_eq!(m.insert("a".into(), 1), None);
/// assert_eq!(m.insert("a".into(), 2), Some(1));
/// assert_eq!(m.get("a"), Some(&2));
/// assert_eq!(m.remove("a"), Some(2));
/// assert!(m.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { entries: Vec::new() }
    }
}

impl<K: PartialEq, V> VecMap<K, V> {
    /// An empty map.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let m: VecMap<&str, u8> = VecMap::new();
    /// assert!(m.is_empty());
    /// assert_eq!(m.get("a"), None);
    /// ```
    pub const fn new() -> Self {
        VecMap { entries: Vec::new() }
    }

    fn position<Q: ?Sized + PartialEq>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        self.entries.iter().position(|(k, _)| k.borrow() == key)
    }

    /// The value of `key`.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<String, u8> = VecMap::new();
    /// m.insert("a".into(), 1);
    /// assert_eq!(m.get("a"), Some(&1)); // looked up by `&str`
    /// m.remove("a");
    /// assert_eq!(m.get("a"), None); // a removed key reads as absent
    /// ```
    pub fn get<Q: ?Sized + PartialEq>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.entries.iter().find(|(k, _)| k.borrow() == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<u32, &str> = VecMap::new();
    /// m.insert(7, "seven");
    /// assert!(m.contains_key(&7));
    /// assert!(!m.contains_key(&8));
    /// ```
    pub fn contains_key<Q: ?Sized + PartialEq>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`; returns the value it replaced.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// assert_eq!(m.insert("a", 1), None);
    /// assert_eq!(m.insert("a", 2), Some(1));
    /// assert_eq!((m.len(), m.get("a")), (1, Some(&2)));
    /// ```
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        // Found by reference, not index: no bounds check and its panic.
        if let Some((_, v)) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            return Some(core::mem::replace(v, value));
        }
        self.entries.push((key, value));
        None
    }

    /// Adds `key`, which the caller found absent (no search for it here).
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// if !m.contains_key("a") {
    ///     m.insert_absent("a", 1);
    /// }
    /// assert_eq!(m.get("a"), Some(&1));
    /// ```
    pub fn insert_absent(&mut self, key: K, value: V) {
        debug_assert!(!self.contains_key(&key), "insert_absent: the key is present");
        self.entries.push((key, value));
    }

    /// The value of `key`, inserting `make()` first when absent.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, Vec<u8>> = VecMap::new();
    /// m.get_or_insert_with("a", Vec::new).push(1);
    /// m.get_or_insert_with("a", || unreachable!()).push(2);
    /// assert_eq!(m.get("a"), Some(&vec![1, 2]));
    /// ```
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.position(&key) {
            Some(i) => i,
            None => {
                self.entries.push((key, make()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    /// Removes `key`; returns its value.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// m.insert("a", 1);
    /// assert_eq!(m.remove("a"), Some(1));
    /// assert_eq!(m.remove("a"), None);
    /// assert!(!m.contains_key("a"));
    /// ```
    pub fn remove<Q: ?Sized + PartialEq>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        // The entry is swapped past each later one (their order kept) to the
        // end, and popped: no index, so no panic path.
        let mut at: Option<&mut (K, V)> = None;
        for e in self.entries.iter_mut() {
            match at.take() {
                Some(prev) => {
                    core::mem::swap(prev, e);
                    at = Some(e);
                }
                None if e.0.borrow() == key => at = Some(e),
                None => {}
            }
        }
        at?;
        self.entries.pop().map(|(_, v)| v)
    }

    /// The keys, in insertion order.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// m.insert("b", 1);
    /// m.insert("a", 2);
    /// m.insert("b", 3); // replacing keeps the original position
    /// assert_eq!(m.keys().copied().collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in insertion order.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// m.insert("b", 1);
    /// m.insert("a", 2);
    /// assert_eq!(m.values().copied().collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// How many entries.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// m.insert("a", 1);
    /// m.insert("a", 2);
    /// m.insert("b", 3);
    /// assert_eq!(m.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// use profile_registry::core::vec_map::VecMap;
    /// let mut m: VecMap<&str, u8> = VecMap::new();
    /// m.insert("a", 1);
    /// assert!(!m.is_empty());
    /// m.remove("a");
    /// assert!(m.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::VecMap;

    #[test]
    fn remove_keeps_the_order_of_the_rest() {
        let mut m: VecMap<u32, char> = VecMap::new();
        for (k, v) in [(1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')] {
            m.insert(k, v);
        }
        assert_eq!(m.remove(&9), None);
        assert_eq!(m.len(), 4, "a missing key removes nothing");
        assert_eq!(m.remove(&2), Some('b'));
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(m.remove(&4), Some('d'));
        assert_eq!(m.remove(&1), Some('a'));
        assert_eq!(m.values().copied().collect::<Vec<_>>(), ['c']);
        assert_eq!(m.remove(&3), Some('c'));
        assert_eq!(m.remove(&3), None);
        assert!(m.is_empty());
    }
}
