//! [`Registry`]: unique profile -> value registrations with generational
//! handles, the in-realm counterpart of an Elixir `Registry` with unique keys.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use crate::core::cell::RefCell;
use core::fmt;

use slotmap::SlotMap;

use crate::core::error::Error;
use crate::core::events::{Event, EventKind, Listeners, Subscription};
use crate::core::handle::{Handle, RegistryId, SlotKey};
use crate::core::index::{hash, ProfileIndex};
use crate::core::profile::Profile;

struct Slot<V> {
    profile: Profile,
    value: V,
}

struct State<V> {
    slots: SlotMap<SlotKey, Slot<V>>,
    /// Every slot's key, by the [`hash`] of its profile.
    index: ProfileIndex,
}

impl<V> State<V> {
    /// The live key of `profile`, whose hash is `hash`.
    fn find(&self, hash: u32, profile: &Profile) -> Option<SlotKey> {
        self.index.get(hash, |key| self.slots.get(key).is_some_and(|s| s.profile == *profile))
    }
}

pub(crate) struct Shared<V> {
    id: RegistryId,
    name: Rc<String>,
    state: RefCell<State<V>>,
    listeners: Listeners<V>,
}

impl<V> AsRef<Listeners<V>> for Shared<V> {
    fn as_ref(&self) -> &Listeners<V> {
        &self.listeners
    }
}

/// A registry of unique profiles, single-threaded and synchronous.
///
/// Cloning a `Registry` clones a reference to the same registry (`Rc`).
/// Values are handed out as clones (`V: Clone`), so no borrow of the registry
/// outlives a call and user code never runs while one is held.
///
/// ```
/// use profile_registry::{Error, Registry};
///
/// let reg: Registry<String> = Registry::new("ProfileRegistry");
/// let h = reg.register("alice".into(), "ws#1".to_string())?;
/// assert_eq!(reg.whereis(&"alice".into()), Some("ws#1".to_string()));
///
/// // A second registration fails with the live owner's handle.
/// match reg.register("alice".into(), "ws#2".to_string()) {
///     Err(Error::AlreadyRegistered { handle, .. }) => assert_eq!(handle, Some(h)),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub struct Registry<V> {
    shared: Rc<Shared<V>>,
}

impl<V> Clone for Registry<V> {
    fn clone(&self) -> Self {
        Registry { shared: self.shared.clone() }
    }
}

impl<V> fmt::Debug for Registry<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry").field("name", &self.shared.name).field("id", &self.shared.id).finish()
    }
}

impl<V: Clone + 'static> Registry<V> {
    /// A new, empty registry with a fresh identity.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let a: Registry<u8> = Registry::new("r");
    /// let b: Registry<u8> = Registry::new("r");
    /// assert_eq!(a.count(), 0);
    /// assert_ne!(a.id(), b.id()); // same name, another instance
    /// ```
    pub fn new(name: &str) -> Registry<V> {
        Registry {
            shared: Rc::new(Shared {
                id: RegistryId::fresh(),
                name: Rc::new(name.into()),
                state: RefCell::new(State { slots: SlotMap::with_key(), index: ProfileIndex::new() }),
                listeners: Listeners::new(),
            }),
        }
    }

    /// The registry's name.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("Tenants");
    /// assert_eq!(reg.name(), "Tenants");
    /// assert_eq!(reg.clone().name(), "Tenants"); // a clone is the same registry
    /// ```
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The registry instance's identity (part of every handle it issues).
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(h.registry(), reg.id());
    /// assert_eq!(reg.clone().id(), reg.id());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn id(&self) -> RegistryId {
        self.shared.id
    }

    /// Registers `value` under `profile`, or fails with
    /// [`Error::AlreadyRegistered`] carrying the live owner's handle.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// assert!(reg.register("a".into(), 1).is_ok());
    /// assert!(reg.register("a".into(), 2).is_err());
    /// assert_eq!(reg.whereis(&"a".into()), Some(1));
    /// ```
    pub fn register(&self, profile: Profile, value: V) -> Result<Handle, Error> {
        let handle = {
            let mut st = self.shared.state.borrow_mut();
            let hash = hash(&profile);
            if let Some(key) = st.find(hash, &profile) {
                return Err(Error::AlreadyRegistered {
                    profile,
                    registry: self.name().into(),
                    handle: Some(Handle::new(self.shared.id, key)),
                });
            }
            let key = st.slots.insert(Slot { profile: profile.clone(), value: value.clone() });
            st.index.insert(hash, key);
            Handle::new(self.shared.id, key)
        };
        self.emit(EventKind::Register, profile, handle, value);
        Ok(handle)
    }

    /// The live entry of `profile`: its handle and a clone of its value.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(reg.lookup(&"a".into()), Some((h, 1)));
    /// assert_eq!(reg.lookup(&"b".into()), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn lookup(&self, profile: &Profile) -> Option<(Handle, V)> {
        let st = self.shared.state.borrow();
        let key = st.find(hash(profile), profile)?;
        // `get`, not indexing: the index names live slots only, and this
        // way no panic path comes along.
        Some((Handle::new(self.shared.id, key), st.slots.get(key)?.value.clone()))
    }

    /// The live value of `profile`, or `None`.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<&str> = Registry::new("r");
    /// reg.register("alice".into(), "ws#1")?;
    /// assert_eq!(reg.whereis(&"alice".into()), Some("ws#1"));
    /// reg.unregister(&"alice".into());
    /// assert_eq!(reg.whereis(&"alice".into()), None); // a removed profile reads as absent
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn whereis(&self, profile: &Profile) -> Option<V> {
        let st = self.shared.state.borrow();
        Some(st.slots.get(st.find(hash(profile), profile)?)?.value.clone())
    }

    /// The value behind `handle`; `None` once the handle is stale or foreign.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(reg.get(h), Some(1));
    /// reg.unregister(&"a".into());
    /// assert_eq!(reg.get(h), None); // a removed handle reads as absent
    /// assert_eq!(Registry::<u8>::new("r").get(h), None); // and is foreign elsewhere
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn get(&self, handle: Handle) -> Option<V> {
        if handle.registry() != self.shared.id {
            return None;
        }
        self.shared.state.borrow().slots.get(handle.key()).map(|s| s.value.clone())
    }

    /// The profile behind `handle`; `None` once the handle is stale or foreign.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("alice".into(), 1)?;
    /// assert_eq!(reg.profile_of(h), Some("alice".into()));
    /// reg.unregister_handle(h);
    /// assert_eq!(reg.profile_of(h), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn profile_of(&self, handle: Handle) -> Option<Profile> {
        if handle.registry() != self.shared.id {
            return None;
        }
        self.shared.state.borrow().slots.get(handle.key()).map(|s| s.profile.clone())
    }

    /// Whether `handle` names a live entry of this registry.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert!(reg.is_alive(h));
    /// reg.unregister_handle(h);
    /// assert!(!reg.is_alive(h));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn is_alive(&self, handle: Handle) -> bool {
        handle.registry() == self.shared.id && self.shared.state.borrow().slots.contains_key(handle.key())
    }

    /// Removes `profile`'s entry and returns its value; a missing profile is
    /// fine and returns `None`.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// assert_eq!(reg.unregister(&"a".into()), Some(1));
    /// assert_eq!(reg.unregister(&"a".into()), None); // already gone: fine
    /// assert!(!reg.is_alive(h));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn unregister(&self, profile: &Profile) -> Option<V> {
        let key = self.shared.state.borrow().find(hash(profile), profile)?;
        self.unregister_handle(Handle::new(self.shared.id, key))
    }

    /// Removes the entry behind `handle`, if it is still live; a stale handle
    /// unregisters nothing (in particular not a newer entry of its profile).
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let old = reg.register("a".into(), 1)?;
    /// reg.unregister(&"a".into());
    /// reg.register("a".into(), 2)?;
    /// assert_eq!(reg.unregister_handle(old), None);
    /// assert_eq!(reg.whereis(&"a".into()), Some(2));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn unregister_handle(&self, handle: Handle) -> Option<V> {
        if handle.registry() != self.shared.id {
            return None;
        }
        let removed = {
            let mut st = self.shared.state.borrow_mut();
            let removed = st.slots.remove(handle.key())?;
            st.index.remove(hash(&removed.profile), handle.key());
            removed
        };
        self.emit(EventKind::Unregister, removed.profile, handle, removed.value.clone());
        Some(removed.value)
    }

    /// Gives the live entry behind `handle` a fresh handle, atomically: the
    /// profile stays registered to the same value at every instant, the old
    /// handle reads as dead, and the new one has a higher generation when the
    /// slot is reused. Listeners hear `Unregister` (old) then `Register`
    /// (new), both after the swap and marked `restart`. A stale handle
    /// renews nothing.
    ///
    /// This is a restart: the same value (a connection) under a new handle.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<&str> = Registry::new("r");
    /// let first = reg.register("alice".into(), "conn")?;
    /// let second = reg.renew(first).unwrap();
    /// assert!(!reg.is_alive(first) && reg.is_alive(second));
    /// assert!(second.generation() > first.generation());
    /// assert_eq!(reg.renew(first), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn renew(&self, handle: Handle) -> Option<Handle> {
        if handle.registry() != self.shared.id {
            return None;
        }
        let (profile, value, fresh) = {
            let mut st = self.shared.state.borrow_mut();
            let slot = st.slots.remove(handle.key())?;
            let (profile, value) = (slot.profile.clone(), slot.value.clone());
            let key = st.slots.insert(slot);
            let hash = hash(&profile);
            st.index.remove(hash, handle.key());
            st.index.insert(hash, key);
            (profile, value, Handle::new(self.shared.id, key))
        };
        self.emit_event(EventKind::Unregister, profile.clone(), handle, value.clone(), true);
        self.emit_event(EventKind::Register, profile, fresh, value, true);
        Some(fresh)
    }

    /// Replaces the value of `profile`'s live entry with `f(old)`, keeping its
    /// handle. `f` runs with no borrow held; if it unregisters the entry
    /// meanwhile, nothing is written. Returns the new value, or `None` when the
    /// profile is absent.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u32> = Registry::new("r");
    /// reg.register("a".into(), 1)?;
    /// assert_eq!(reg.update_value(&"a".into(), |n| n + 1), Some(2));
    /// assert_eq!(reg.update_value(&"zz".into(), |n| n + 1), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn update_value(&self, profile: &Profile, f: impl FnOnce(V) -> V) -> Option<V> {
        self.try_update_value(profile, |v| Ok::<V, core::convert::Infallible>(f(v))).unwrap_or_else(|never| match never {})
    }

    /// [`Registry::update_value`] with a fallible `f`: when `f` fails, its
    /// error is returned and nothing changes.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u32> = Registry::new("r");
    /// reg.register("a".into(), 1)?;
    /// assert_eq!(reg.try_update_value(&"a".into(), |n| n.checked_sub(1).ok_or("underflow")), Ok(Some(0)));
    /// assert_eq!(reg.try_update_value(&"a".into(), |n| n.checked_sub(1).ok_or("underflow")), Err("underflow"));
    /// assert_eq!(reg.whereis(&"a".into()), Some(0)); // unchanged by the failure
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn try_update_value<E>(&self, profile: &Profile, f: impl FnOnce(V) -> Result<V, E>) -> Result<Option<V>, E> {
        let Some((handle, old)) = self.lookup(profile) else { return Ok(None) };
        let new = f(old)?;
        {
            let mut st = self.shared.state.borrow_mut();
            let Some(slot) = st.slots.get_mut(handle.key()) else { return Ok(None) };
            slot.value = new.clone();
        }
        self.emit(EventKind::Update, profile.clone(), handle, new.clone());
        Ok(Some(new))
    }

    /// Calls `f(handle, value)` with `profile`'s live entry and returns its
    /// result; `f` is not called when the profile is absent.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u32> = Registry::new("r");
    /// let h = reg.register("a".into(), 20)?;
    /// assert_eq!(reg.dispatch(&"a".into(), |handle, v| (handle, v * 2)), Some((h, 40)));
    /// assert_eq!(reg.dispatch(&"b".into(), |_, v| v), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn dispatch<R>(&self, profile: &Profile, f: impl FnOnce(Handle, V) -> R) -> Option<R> {
        let (handle, value) = self.lookup(profile)?;
        Some(f(handle, value))
    }

    /// How many profiles are registered.
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// reg.register("a".into(), 1)?;
    /// reg.register("b".into(), 2)?;
    /// let _ = reg.register("a".into(), 3); // a duplicate adds nothing
    /// assert_eq!(reg.count(), 2);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn count(&self) -> usize {
        self.shared.state.borrow().slots.len()
    }

    /// The registered profiles (a snapshot, in slot order).
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// reg.register("a".into(), 1)?;
    /// reg.register("b".into(), 2)?;
    /// reg.unregister(&"a".into());
    /// assert_eq!(reg.keys(), ["b".into()]);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn keys(&self) -> Vec<Profile> {
        let mut keys = Vec::new();
        for slot in self.shared.state.borrow().slots.values() {
            keys.push(slot.profile.clone());
        }
        keys
    }

    /// Every entry as `(profile, handle, value)` (a snapshot, in slot order).
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u8> = Registry::new("r");
    /// let h = reg.register("a".into(), 1)?;
    /// let snapshot = reg.entries();
    /// reg.clear(); // later changes do not touch the snapshot
    /// assert_eq!(snapshot, [("a".into(), h, 1)]);
    /// assert!(reg.entries().is_empty());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn entries(&self) -> Vec<(Profile, Handle, V)> {
        let id = self.shared.id;
        let st = self.shared.state.borrow();
        st.slots.iter().map(|(k, s)| (s.profile.clone(), Handle::new(id, k), s.value.clone())).collect()
    }

    /// The entries for which `pred(profile, value)` holds (`pred` runs on a
    /// snapshot, with no borrow held).
    ///
    /// ```
    /// # use profile_registry::Registry;
    /// let reg: Registry<u32> = Registry::new("r");
    /// reg.register("a".into(), 1)?;
    /// reg.register("b".into(), 2)?;
    /// let big = reg.select(|_, v| *v > 1);
    /// assert_eq!(big.len(), 1);
    /// assert_eq!(big[0].0, "b".into());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn select(&self, mut pred: impl FnMut(&Profile, &V) -> bool) -> Vec<(Profile, Handle, V)> {
        self.entries().into_iter().filter(|(p, _, v)| pred(p, v)).collect()
    }

    /// Unregisters every entry, announcing each to the listeners.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use profile_registry::{EventKind, Registry};
    ///
    /// let reg: Registry<u8> = Registry::new("r");
    /// let (a, b) = (reg.register("a".into(), 1)?, reg.register("b".into(), 2)?);
    /// let heard = Rc::new(RefCell::new(Vec::new()));
    /// let h2 = heard.clone();
    /// let _sub = reg.subscribe(move |e| h2.borrow_mut().push((e.kind, e.handle)));
    /// reg.clear();
    /// assert_eq!(*heard.borrow(), [(EventKind::Unregister, a), (EventKind::Unregister, b)]);
    /// assert_eq!(reg.count(), 0);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn clear(&self) {
        // A snapshot of the keys only: no profile or value is cloned for it.
        let mut keys: Vec<SlotKey> = Vec::new();
        for key in self.shared.state.borrow().slots.keys() {
            keys.push(key);
        }
        for key in keys {
            self.unregister_handle(Handle::new(self.shared.id, key));
        }
    }

    /// Calls `listener` after every register, unregister and update, until
    /// the returned [`Subscription`] is dropped. The listener may call back
    /// into the registry; the events that causes are delivered, to every
    /// listener, after the current one, so each listener hears every change
    /// in the order it happened.
    ///
    /// ```
    /// use profile_registry::{EventKind, Registry};
    ///
    /// let reg: Registry<u8> = Registry::new("r");
    /// let r2 = reg.clone();
    /// // A listener that re-enters the registry: it evicts every newcomer.
    /// let _sub = reg.subscribe(move |e| {
    ///     if e.kind == EventKind::Register {
    ///         r2.unregister(&e.profile);
    ///     }
    /// });
    /// reg.register("a".into(), 1)?;
    /// assert_eq!(reg.count(), 0);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn subscribe(&self, listener: impl Fn(&Event<V>) + 'static) -> Subscription {
        let id = self.shared.listeners.add(Rc::new(listener), false);
        Subscription::new::<V>(Rc::downgrade(&self.shared), id)
    }

    /// Calls `observer` at once after every change, before any listener and
    /// nested inside changes made by other callbacks: for indexes that must
    /// agree with the registry whenever user code can look. Observers should
    /// not change the registry themselves.
    ///
    /// ```
    /// use std::{cell::RefCell, collections::HashSet, rc::Rc};
    /// use profile_registry::{EventKind, Profile, Registry};
    ///
    /// let reg: Registry<u8> = Registry::new("r");
    /// let index: Rc<RefCell<HashSet<Profile>>> = Rc::default();
    /// let i = index.clone();
    /// let _o = reg.observe(move |e| match e.kind {
    ///     EventKind::Unregister => { i.borrow_mut().remove(&e.profile); }
    ///     _ => { i.borrow_mut().insert(e.profile.clone()); }
    /// });
    /// let (r2, i2) = (reg.clone(), index.clone());
    /// let _l = reg.subscribe(move |e| {
    ///     if e.kind == EventKind::Register {
    ///         r2.unregister(&e.profile);
    ///         assert!(i2.borrow().is_empty()); // already up to date
    ///     }
    /// });
    /// reg.register("a".into(), 1)?;
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn observe(&self, observer: impl Fn(&Event<V>) + 'static) -> Subscription {
        let id = self.shared.listeners.add(Rc::new(observer), true);
        Subscription::new::<V>(Rc::downgrade(&self.shared), id)
    }

    /// [`Registry::observe`] for the registry's whole life, with no guard
    /// (the bindings' observers: no unsubscribe code comes along).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // used by the bindings only
    pub(crate) fn observe_always(&self, observer: impl Fn(&Event<V>) + 'static) {
        self.shared.listeners.add(Rc::new(observer), true);
    }

    fn emit(&self, kind: EventKind, profile: Profile, handle: Handle, value: V) {
        self.emit_event(kind, profile, handle, value, false)
    }

    fn emit_event(&self, kind: EventKind, profile: Profile, handle: Handle, value: V, restart: bool) {
        if self.shared.listeners.is_empty() {
            return;
        }
        let event = Event { kind, registry: self.shared.name.clone(), profile, handle, value, restart };
        self.shared.listeners.emit(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn p(s: &str) -> Profile {
        Profile::from(s)
    }

    #[test]
    fn foreign_handles_miss() {
        let a: Registry<u8> = Registry::new("a");
        let b: Registry<u8> = Registry::new("a");
        let h = a.register(p("x"), 1).unwrap();
        b.register(p("x"), 2).unwrap();
        assert_eq!(b.get(h), None);
        assert!(!b.is_alive(h));
        assert_eq!(b.unregister_handle(h), None);
        assert_eq!(b.count(), 1);
        // Forged numbers: a harmless miss.
        // (slot 0 version 1 is the live entry; these are not)
        for key in [5u64 | (1 << 32), 3u64 << 32, u64::MAX, (3u64 << 32) | 7] {
            assert_eq!(a.get(Handle::from_ffi(a.id().get(), key)), None);
        }
    }

    #[test]
    fn listeners_may_reenter_and_unsubscribe_themselves() {
        let reg: Registry<u8> = Registry::new("r");
        let log = Rc::new(RefCell::new(Vec::new()));
        let slot: Rc<RefCell<Option<Subscription>>> = Rc::default();
        let (r2, l2, s2) = (reg.clone(), log.clone(), slot.clone());
        *slot.borrow_mut() = Some(reg.subscribe(move |e| {
            l2.borrow_mut().push(format!("{} {}", e.kind.as_str(), e.profile));
            if e.kind == EventKind::Register && e.profile == p("a") {
                r2.register(p("b"), 2).unwrap(); // nested event
                assert_eq!(r2.count(), 2);
                s2.borrow_mut().take(); // drop own subscription mid-dispatch
            }
        }));
        let other = log.clone();
        let _keep = reg.subscribe(move |e| other.borrow_mut().push(format!("second {}", e.profile)));
        reg.register(p("a"), 1).unwrap();
        reg.register(p("c"), 3).unwrap();
        // Nested events are delivered after the current one, to every
        // listener still subscribed, in the order they happened.
        assert_eq!(*log.borrow(), ["register \"a\"", "second \"a\"", "second \"b\"", "second \"c\""]);
    }

    #[test]
    fn update_and_dispatch() {
        let reg: Registry<u8> = Registry::new("r");
        let h = reg.register(p("a"), 1).unwrap();
        assert_eq!(reg.dispatch(&p("a"), |hh, v| (hh, v)), Some((h, 1)));
        assert_eq!(reg.dispatch(&p("zz"), |_, _| -> () { panic!("must not run") }), None);
        // f unregisters the entry: nothing is written.
        let r2 = reg.clone();
        assert_eq!(reg.update_value(&p("a"), move |v| { r2.unregister(&p("a")); v + 1 }), None);
        assert_eq!(reg.count(), 0);
    }

    #[test]
    fn many_profiles_stay_found_through_growth_and_removals() {
        let reg: Registry<usize> = Registry::new("r");
        let profile = |i: usize| match i % 3 {
            0 => Profile::from(format!("user-{i}").as_str()),
            1 => Profile::int(i as i64).unwrap(),
            _ => Profile::list(vec![p("acme"), Profile::int(i as i64).unwrap()]).unwrap(),
        };
        for i in 0..3000 {
            reg.register(profile(i), i).unwrap();
        }
        for i in (0..3000).step_by(2) {
            assert_eq!(reg.unregister(&profile(i)), Some(i));
        }
        for i in 0..3000 {
            assert_eq!(reg.whereis(&profile(i)), (i % 2 == 1).then_some(i));
            assert_eq!(reg.register(profile(i), i).is_err(), i % 2 == 1);
        }
        assert_eq!(reg.count(), 3000);
    }

    #[test]
    fn clear_announces_every_entry() {
        let reg: Registry<u8> = Registry::new("r");
        let n = Rc::new(RefCell::new(0));
        let n2 = n.clone();
        let _s = reg.subscribe(move |e| if e.kind == EventKind::Unregister { *n2.borrow_mut() += 1 });
        for i in 0..5 {
            reg.register(Profile::int(i).unwrap(), 0).unwrap();
        }
        reg.clear();
        assert_eq!((reg.count(), *n.borrow()), (0, 5));
    }
}
