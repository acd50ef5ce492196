//! Registry events and their listeners.
//!
//! Listeners are kept in subscription order and called with no `RefCell`
//! borrow held, so a listener may call back into the registry (register,
//! unregister, subscribe, drop its own [`Subscription`]) without a panic.
//! Events raised from inside a listener are delivered at once, nested, so
//! every listener sees the registry as it is when it is called.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use crate::core::handle::Handle;
use crate::core::profile::Profile;

/// What happened to an entry.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A profile was registered.
    Register,
    /// A profile's entry was removed (unregister, stop, or replaced handle).
    Unregister,
    /// A live entry's value was replaced by `update_value`.
    Update,
}

impl EventKind {
    /// `"register"`, `"unregister"` or `"update"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Register => "register",
            EventKind::Unregister => "unregister",
            EventKind::Update => "update",
        }
    }
}

/// One change to a registry, as seen by listeners.
#[derive(Clone, Debug)]
pub struct Event<V> {
    /// What happened.
    pub kind: EventKind,
    /// The registry's name.
    pub registry: Rc<str>,
    /// The profile of the entry.
    pub profile: Profile,
    /// The entry's handle (dead already for `Unregister`).
    pub handle: Handle,
    /// The entry's value (the new one for `Update`).
    pub value: V,
}

type Callback<V> = Rc<dyn Fn(&Event<V>)>;

/// The listeners of one registry, in subscription order.
pub(crate) struct Listeners<V> {
    next_id: Cell<u64>,
    list: RefCell<Vec<(u64, Callback<V>)>>,
}

impl<V> Listeners<V> {
    pub(crate) fn new() -> Self {
        Listeners { next_id: Cell::new(0), list: RefCell::new(Vec::new()) }
    }

    pub(crate) fn add(&self, f: Callback<V>) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.list.borrow_mut().push((id, f));
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        self.list.borrow_mut().retain(|(i, _)| *i != id);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.borrow().is_empty()
    }

    /// Calls every listener that is still subscribed when its turn comes.
    pub(crate) fn emit(&self, event: &Event<V>) {
        let snapshot: Vec<u64> = self.list.borrow().iter().map(|(id, _)| *id).collect();
        for id in snapshot {
            let f = self.list.borrow().iter().find(|(i, _)| *i == id).map(|(_, f)| f.clone());
            if let Some(f) = f {
                f(event); // no borrow held here
            }
        }
    }
}

/// Keeps a listener subscribed; dropping it unsubscribes.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use profile_registry::Registry;
///
/// let reg: Registry<u8> = Registry::new("demo");
/// let seen = Rc::new(Cell::new(0));
/// let s = seen.clone();
/// let sub = reg.subscribe(move |_| s.set(s.get() + 1));
/// reg.register("a".into(), 1)?;
/// drop(sub);
/// reg.register("b".into(), 2)?;
/// assert_eq!(seen.get(), 1);
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[must_use = "dropping a Subscription unsubscribes the listener at once"]
pub struct Subscription {
    remove: Option<Box<dyn FnOnce()>>,
}

impl Subscription {
    pub(crate) fn new<V: 'static>(listeners: Weak<impl AsRef<Listeners<V>> + 'static>, id: u64) -> Self {
        Subscription {
            remove: Some(Box::new(move || {
                if let Some(owner) = listeners.upgrade() {
                    owner.as_ref().as_ref().remove(id);
                }
            })),
        }
    }

    /// Keeps the listener for the registry's whole life (the explicit opt-out,
    /// as gloo's `forget`).
    pub fn forget(mut self) {
        self.remove = None;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(remove) = self.remove.take() {
            remove();
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").field("active", &self.remove.is_some()).finish()
    }
}
