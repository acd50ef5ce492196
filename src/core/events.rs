//! Registry events, their listeners and observers.
//!
//! Nothing here holds a `RefCell` borrow while user code runs, so a callback
//! may call back into the registry (register, unregister, subscribe, drop
//! its own [`Subscription`]) without a panic.
//!
//! - **Listeners** ([`crate::Registry::subscribe`]) hear every event in the
//!   order the changes happened: an event raised from inside a listener is
//!   queued and delivered to every listener after the current one is done.
//! - **Observers** ([`crate::Registry::observe`]) are called at once, nested,
//!   before any listener: for indexes that must be right whenever user code
//!   can look (the JS `whereis` mirror).

use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::core::cell::RefCell;
use core::fmt;

use crate::core::handle::Handle;
use crate::core::profile::Profile;

/// What happened to an entry.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use profile_registry::{EventKind, Registry};
///
/// let reg: Registry<u8> = Registry::new("r");
/// let kinds = Rc::new(RefCell::new(Vec::new()));
/// let k = kinds.clone();
/// let _sub = reg.subscribe(move |e| k.borrow_mut().push(e.kind));
/// reg.register("a".into(), 1)?;
/// reg.update_value(&"a".into(), |v| v + 1);
/// reg.unregister(&"a".into());
/// assert_eq!(*kinds.borrow(), [EventKind::Register, EventKind::Update, EventKind::Unregister]);
/// # Ok::<(), profile_registry::Error>(())
/// ```
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
    ///
    /// ```
    /// # use profile_registry::EventKind;
    /// assert_eq!(EventKind::Register.as_str(), "register");
    /// assert_eq!(EventKind::Unregister.as_str(), "unregister");
    /// assert_eq!(EventKind::Update.as_str(), "update");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Register => "register",
            EventKind::Unregister => "unregister",
            EventKind::Update => "update",
        }
    }
}

/// One change to a registry, as seen by listeners.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use profile_registry::{Event, Registry};
///
/// let reg: Registry<&str> = Registry::new("Tenants");
/// let log: Rc<RefCell<Vec<Event<&str>>>> = Rc::default();
/// let l = log.clone();
/// let _sub = reg.subscribe(move |e| l.borrow_mut().push(e.clone()));
/// let old = reg.register("alice".into(), "conn")?;
/// let new = reg.renew(old).unwrap(); // a restart: Unregister(old), Register(new)
/// let log = log.borrow();
/// assert_eq!((log[0].registry.as_str(), log[0].handle, log[0].restart), ("Tenants", old, false));
/// assert_eq!((log[1].handle, log[2].handle), (old, new));
/// assert!(log[1].restart && log[2].restart && log[2].value == "conn");
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Event<V> {
    /// What happened.
    pub kind: EventKind,
    /// The registry's name.
    pub registry: Rc<String>,
    /// The profile of the entry.
    pub profile: Profile,
    /// The entry's handle (dead already for `Unregister`).
    pub handle: Handle,
    /// The entry's value (the new one for `Update`).
    pub value: V,
    /// Part of a restart ([`crate::Registry::renew`]): the profile stayed
    /// registered to the same value, only its handle changed.
    pub restart: bool,
}

type Callback<V> = Rc<dyn Fn(&Event<V>)>;

type List<V> = RefCell<Vec<(u64, Callback<V>)>>;

/// The observers and listeners of one registry, in subscription order.
pub(crate) struct Listeners<V> {
    next_id: Cell<u64>,
    observers: List<V>,
    listeners: List<V>,
    /// Events waiting for the listeners, oldest first.
    queue: RefCell<Vec<Event<V>>>,
    delivering: Cell<bool>,
}

/// Clears the `delivering` flag even if a listener unwinds.
struct Delivering<'a>(&'a Cell<bool>);

impl Drop for Delivering<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

fn call_each<V>(list: &List<V>, event: &Event<V>, end: u64) {
    // The callbacks present now (ids below `end`), in id order (the list's
    // order), each found again by id just before its call: one removed
    // meanwhile is skipped, one added meanwhile is not called.
    let mut from = 0;
    loop {
        let next = list.borrow().iter().find(|(id, _)| (from..end).contains(id)).map(|(id, f)| (*id, f.clone()));
        let Some((id, f)) = next else { break };
        from = id + 1;
        f(event); // no borrow held here
    }
}

impl<V> Listeners<V> {
    pub(crate) fn new() -> Self {
        Listeners {
            next_id: Cell::new(0),
            observers: RefCell::default(),
            listeners: RefCell::default(),
            queue: RefCell::default(),
            delivering: Cell::new(false),
        }
    }

    pub(crate) fn add(&self, f: Callback<V>, observer: bool) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let list = if observer { &self.observers } else { &self.listeners };
        list.borrow_mut().push((id, f));
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        self.observers.borrow_mut().retain(|(i, _)| *i != id);
        self.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.observers.borrow().is_empty() && self.listeners.borrow().is_empty()
    }

    /// Observers at once; listeners in order, after any event being
    /// delivered now.
    pub(crate) fn emit(&self, event: Event<V>) {
        call_each(&self.observers, &event, self.next_id.get());
        if self.listeners.borrow().is_empty() {
            return;
        }
        self.queue.borrow_mut().push(event);
        if self.delivering.replace(true) {
            return; // the outer emit delivers it, in order
        }
        let _flag = Delivering(&self.delivering);
        // The queue is taken whole and delivered in order; what listeners
        // raise meanwhile queues behind it, for the next round.
        loop {
            let batch = core::mem::take(&mut *self.queue.borrow_mut());
            if batch.is_empty() {
                break;
            }
            for e in &batch {
                call_each(&self.listeners, e, self.next_id.get());
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
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use profile_registry::Registry;
    ///
    /// let reg: Registry<u8> = Registry::new("r");
    /// let seen = Rc::new(Cell::new(0));
    /// let s = seen.clone();
    /// reg.subscribe(move |_| s.set(s.get() + 1)).forget();
    /// reg.register("a".into(), 1)?;
    /// assert_eq!(seen.get(), 1); // still subscribed after the guard is gone
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
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

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").field("active", &self.remove.is_some()).finish()
    }
}
