//! [`Namespace`]: the named registries and registry modules of one realm
//! (one JS realm is one thread here), and the seed's `whereis` over them.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::any::{Any, TypeId};
use crate::core::cell::RefCell;

use crate::core::error::Error;
use crate::core::handle::{Handle, RegistryId};
use crate::core::local::realm_local;
use crate::core::module::{Entry, LocalModule, Registries, RegistryModule, DEFAULT_MODULE};
use crate::core::profile::Profile;
use crate::core::registry::Registry;
use crate::core::spec::{check_name, RegistrySpec, Target};
use crate::core::text::{text, Quoted};
use crate::core::vec_map::VecMap;

struct Inner<V> {
    registries: Rc<Registries<V>>,
    /// The plugged modules (the default one is made on demand).
    modules: RefCell<VecMap<String, Rc<dyn RegistryModule<V>>>>,
}

/// The named registries and registry modules of one realm.
///
/// [`Namespace::current`] is the realm's own (one per value type per thread);
/// [`Namespace::new`] makes an isolated one, handy in tests.
///
/// ```
/// use profile_registry::{Config, Namespace};
///
/// let ns: Namespace<&str> = Namespace::new();
/// let config = Config::new();
/// // Before start(), the default registry reports how to fix it.
/// let err = ns.whereis(&config, Some(&"alice".into())).unwrap_err();
/// assert!(err.to_string().contains("start(\"ProfileRegistry\")"));
///
/// ns.start("ProfileRegistry")?;
/// ns.register(&config, Some(&"alice".into()), "socket")?;
/// assert_eq!(ns.whereis(&config, Some(&"alice".into()))?, Some("socket"));
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub struct Namespace<V> {
    inner: Rc<Inner<V>>,
}

impl<V> Clone for Namespace<V> {
    fn clone(&self) -> Self {
        Namespace { inner: self.inner.clone() }
    }
}

impl<V: Clone + 'static> Default for Namespace<V> {
    fn default() -> Self {
        Self::new()
    }
}

realm_local! {
    static CURRENT: RefCell<VecMap<TypeId, Box<dyn Any>>> = const { RefCell::new(VecMap::new()) };
}

impl<V: Clone + 'static> Namespace<V> {
    /// A new namespace with only the default `"Registry"` module and no
    /// registry started.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<u8> = Namespace::new();
    /// assert!(ns.names().is_empty());
    /// assert!(ns.module("Registry").is_ok());
    /// ns.start("A")?;
    /// assert!(!Namespace::<u8>::new().is_started("A")); // each new one is isolated
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn new() -> Self {
        // The default module is made when asked for (`module`): it is no
        // entry of `modules`, which holds the plugged ones.
        Namespace { inner: Rc::new(Inner { registries: Rc::default(), modules: RefCell::new(VecMap::new()) }) }
    }

    pub(crate) fn registries_table(&self) -> &Rc<Registries<V>> {
        &self.inner.registries
    }

    /// This realm's namespace for values of type `V`.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// Namespace::<u8>::current().start("A")?;
    /// assert!(Namespace::<u8>::current().is_started("A"));
    /// assert!(!Namespace::<u16>::current().is_started("A"));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn current() -> Self {
        CURRENT.with(|map| {
            let mut map = map.borrow_mut();
            let slot = map.get_or_insert_with(TypeId::of::<V>(), || Box::new(Namespace::<V>::new()));
            // The slot was made for exactly this type.
            slot.downcast_ref::<Namespace<V>>().cloned().unwrap_or_default()
        })
    }

    /// Starts the registry `name`, or returns the running one (idempotent).
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<u8> = Namespace::new();
    /// let a = ns.start("R")?;
    /// let h = a.register("x".into(), 1)?;
    /// assert_eq!(ns.start("R")?.get(h), Some(1)); // the same, running registry
    /// assert_eq!(ns.start("").unwrap_err().kind(), "InvalidConfigError");
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn start(&self, name: &str) -> Result<Registry<V>, Error> {
        self.start_fresh(name).map(|(reg, _)| reg)
    }

    /// [`Namespace::start`], and whether it started the registry now (not
    /// found it running).
    pub(crate) fn start_fresh(&self, name: &str) -> Result<(Registry<V>, bool), Error> {
        check_name("registry", name)?;
        let mut map = self.inner.registries.borrow_mut();
        if let Some(running) = map.get(name) {
            return Ok((running.clone(), false));
        }
        let reg = Registry::new(name);
        map.insert_absent(name.into(), reg.clone());
        Ok((reg, true))
    }

    /// Stops the registry `name`: every entry is unregistered (listeners hear
    /// of each), then the registry is forgotten and its handles read as dead.
    /// Returns whether it was running.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<u8> = Namespace::new();
    /// let h = ns.start("R")?.register("x".into(), 1)?;
    /// assert!(ns.stop("R"));
    /// assert!(!ns.stop("R")); // not running any more
    /// ns.start("R")?; // a restart of the same name...
    /// assert_eq!(ns.get(h), None); // ...does not bring the old handle back
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn stop(&self, name: &str) -> bool {
        // Out of the table first, so nothing can register into it while its
        // listeners hear the unregisters (such a registration would outlive
        // the registry).
        let reg = self.inner.registries.borrow_mut().remove(name);
        match reg {
            Some(reg) => {
                reg.clear(); // no borrow of the table held while listeners run
                true
            }
            None => false,
        }
    }

    /// Whether the registry `name` is running.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<u8> = Namespace::new();
    /// assert!(!ns.is_started("R"));
    /// ns.start("R")?;
    /// assert!(ns.is_started("R"));
    /// ns.stop("R");
    /// assert!(!ns.is_started("R"));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn is_started(&self, name: &str) -> bool {
        self.inner.registries.borrow().contains_key(name)
    }

    /// The running registry `name`, or [`Error::NotStarted`].
    ///
    /// ```
    /// # use profile_registry::{Error, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// assert_eq!(ns.registry("R").unwrap_err(), Error::NotStarted { name: "R".into() });
    /// let started = ns.start("R")?;
    /// assert_eq!(ns.registry("R")?.id(), started.id());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn registry(&self, name: &str) -> Result<Registry<V>, Error> {
        self.inner.registries.borrow().get(name).cloned().ok_or_else(|| Error::NotStarted { name: name.into() })
    }

    /// The names of the running registries.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("b")?;
    /// ns.start("a")?;
    /// ns.start("c")?;
    /// ns.stop("c");
    /// assert_eq!(ns.names(), ["a", "b"]); // sorted
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn names(&self) -> Vec<String> {
        // Sorted by insertion: a handful of names, and the wasm is spared
        // the general-purpose sort.
        // Each name goes in by one pass that swaps it past the smaller ones:
        // no indexing, so no panic path either.
        let mut names: Vec<String> = Vec::new();
        for name in self.inner.registries.borrow().keys() {
            let mut carry = name.clone();
            for slot in names.iter_mut() {
                if *slot > carry {
                    core::mem::swap(slot, &mut carry);
                }
            }
            names.push(carry);
        }
        names
    }

    /// The running registry that issued `handle`, if any.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("A")?;
    /// let h = ns.start("B")?.register("x".into(), 1)?;
    /// assert_eq!(ns.registry_of(h).map(|r| r.name().to_string()), Some("B".into()));
    /// ns.stop("B");
    /// assert!(ns.registry_of(h).is_none());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn registry_of(&self, handle: Handle) -> Option<Registry<V>> {
        self.registry_by_id(handle.registry())
    }

    /// The running registry with this identity, if any.
    ///
    /// ```
    /// # use profile_registry::{Namespace, Registry};
    /// let ns: Namespace<u8> = Namespace::new();
    /// let reg = ns.start("R")?;
    /// assert_eq!(ns.registry_by_id(reg.id()).map(|r| r.id()), Some(reg.id()));
    /// let outsider: Registry<u8> = Registry::new("R"); // same name, never started here
    /// assert!(ns.registry_by_id(outsider.id()).is_none());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn registry_by_id(&self, id: RegistryId) -> Option<Registry<V>> {
        self.inner.registries.borrow().values().find(|r| r.id() == id).cloned()
    }

    /// The live value behind `handle`, in whichever registry issued it.
    ///
    /// ```
    /// # use profile_registry::Namespace;
    /// let ns: Namespace<&str> = Namespace::new();
    /// let a = ns.start("A")?.register("x".into(), "in A")?;
    /// let b = ns.start("B")?.register("x".into(), "in B")?;
    /// assert_eq!((ns.get(a), ns.get(b)), (Some("in A"), Some("in B")));
    /// ns.registry("B")?.unregister(&"x".into());
    /// assert_eq!(ns.get(b), None); // a removed handle reads as absent
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn get(&self, handle: Handle) -> Option<V> {
        self.registry_of(handle)?.get(handle)
    }

    /// Plugs a module in under `module` (any name but `"Registry"`), replacing
    /// a module of that name.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use profile_registry::{Config, LocalModule, Namespace, RegistryRef};
    ///
    /// let (ns, other): (Namespace<u8>, Namespace<u8>) = (Namespace::new(), Namespace::new());
    /// other.start("R")?.register("a".into(), 1)?;
    /// ns.plug("Other", Rc::new(LocalModule::from_namespace(&other)))?;
    /// let config = Config::new().registry(RegistryRef::spec("Other", "R")?);
    /// assert_eq!(ns.whereis(&config, Some(&"a".into()))?, Some(1));
    /// assert!(ns.plug("Registry", Rc::new(LocalModule::from_namespace(&other))).is_err()); // reserved
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn plug(&self, module: &str, implementation: Rc<dyn RegistryModule<V>>) -> Result<(), Error> {
        check_name("module", module)?;
        if module == DEFAULT_MODULE {
            return Err(Error::InvalidConfig(text!(
                "the module name ",
                Quoted(DEFAULT_MODULE),
                " belongs to the default module; plug yours under another name"
            )));
        }
        self.inner.modules.borrow_mut().insert(module.into(), implementation);
        Ok(())
    }

    /// Removes a plugged module; returns whether it was plugged.
    ///
    /// ```
    /// # use std::rc::Rc;
    /// # use profile_registry::{LocalModule, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.plug("Mine", Rc::new(LocalModule::from_namespace(&ns)))?;
    /// assert!(ns.unplug("Mine"));
    /// assert_eq!(ns.module("Mine").err().map(|e| e.kind()), Some("UnknownModuleError"));
    /// assert!(!ns.unplug("Registry")); // the default module stays
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn unplug(&self, module: &str) -> bool {
        module != DEFAULT_MODULE && self.inner.modules.borrow_mut().remove(module).is_some()
    }

    /// The module named `module`, or [`Error::UnknownModule`].
    ///
    /// ```
    /// # use profile_registry::{Error, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("R")?;
    /// ns.module("Registry")?.register("R", &"a".into(), 1)?;
    /// assert_eq!(ns.registry("R")?.whereis(&"a".into()), Some(1));
    /// assert!(matches!(ns.module("Horde"), Err(Error::UnknownModule { .. })));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn module(&self, module: &str) -> Result<Rc<dyn RegistryModule<V>>, Error> {
        if module == DEFAULT_MODULE {
            return Ok(Rc::new(LocalModule::new(&self.inner.registries)));
        }
        self.inner
            .modules
            .borrow()
            .get(module)
            .cloned()
            .ok_or_else(|| Error::UnknownModule { module: module.into() })
    }

    fn target(&self, target: &impl Target) -> Result<(Rc<dyn RegistryModule<V>>, RegistrySpec), Error> {
        let spec = target.spec();
        Ok((self.module(&spec.module)?, spec))
    }

    /// The live value of the profile (given, or the target's own) in the
    /// registry `target` names, or `None`.
    ///
    /// ```
    /// # use profile_registry::{via, Config, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// assert!(ns.whereis(&Config::new(), Some(&"a".into())).is_err()); // not started: an error
    /// ns.start("ProfileRegistry")?;
    /// assert_eq!(ns.whereis(&Config::new(), Some(&"a".into()))?, None); // started: a miss
    /// ns.register(&Config::new(), Some(&"a".into()), 1)?;
    /// assert_eq!(ns.whereis(&via(&Config::new(), "a".into()), None)?, Some(1));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn whereis(&self, target: &impl Target, profile: Option<&Profile>) -> Result<Option<V>, Error> {
        let (module, spec) = self.target(target)?;
        module.whereis(&spec.name, target.pick_profile(profile)?)
    }

    /// The live entry of the profile in the registry `target` names.
    ///
    /// ```
    /// # use profile_registry::{Config, Entry, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("ProfileRegistry")?;
    /// let alice = Config::new().with_profile("alice".into());
    /// let h = ns.register(&alice, None, 1)?;
    /// assert_eq!(ns.lookup(&alice, None)?, Some(Entry { handle: h, value: 1 }));
    /// assert_eq!(ns.lookup(&alice, Some(&"bob".into()))?, None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn lookup(&self, target: &impl Target, profile: Option<&Profile>) -> Result<Option<Entry<V>>, Error> {
        let (module, spec) = self.target(target)?;
        module.lookup(&spec.name, target.pick_profile(profile)?)
    }

    /// Registers `value` under the profile in the registry `target` names.
    ///
    /// ```
    /// # use profile_registry::{via, Config, Error, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("ProfileRegistry")?;
    /// let name = via(&Config::new(), "alice".into());
    /// let h = ns.register(&name, None, 1)?;
    /// match ns.register(&name, None, 2) {
    ///     Err(Error::AlreadyRegistered { handle, .. }) => assert_eq!(handle, h), // the live owner
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn register(&self, target: &impl Target, profile: Option<&Profile>, value: V) -> Result<Option<Handle>, Error> {
        let (module, spec) = self.target(target)?;
        module.register(&spec.name, target.pick_profile(profile)?, value)
    }

    /// Unregisters the profile from the registry `target` names; absent is fine.
    ///
    /// ```
    /// # use profile_registry::{via, Config, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("ProfileRegistry")?;
    /// let name = via(&Config::new(), "alice".into());
    /// let h = ns.register(&name, None, 1)?.unwrap();
    /// ns.unregister(&name, None)?;
    /// ns.unregister(&name, None)?; // absent: fine
    /// assert_eq!((ns.whereis(&name, None)?, ns.get(h)), (None, None));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn unregister(&self, target: &impl Target, profile: Option<&Profile>) -> Result<(), Error> {
        let (module, spec) = self.target(target)?;
        module.unregister(&spec.name, target.pick_profile(profile)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::spec::{resolve, via, Config, RegistryRef};

    /// A second, test-only module: every registry of it in one `Vec`, keyed
    /// by (registry name, profile); it hands out no handles and needs no
    /// `start`.
    struct VecModule<V>(RefCell<Vec<(String, Profile, V)>>);

    impl<V> VecModule<V> {
        fn new() -> Self {
            VecModule(RefCell::new(Vec::new()))
        }

        fn position(&self, name: &str, profile: &Profile) -> Option<usize> {
            self.0.borrow().iter().position(|(n, p, _)| n == name && p == profile)
        }
    }

    impl<V: Clone> RegistryModule<V> for VecModule<V> {
        fn register(&self, name: &str, profile: &Profile, value: V) -> Result<Option<Handle>, Error> {
            if self.position(name, profile).is_some() {
                let (profile, registry) = (profile.clone(), name.to_string());
                return Err(Error::AlreadyRegistered { profile, registry, handle: None });
            }
            self.0.borrow_mut().push((name.to_string(), profile.clone(), value));
            Ok(None)
        }

        fn lookup(&self, name: &str, profile: &Profile) -> Result<Option<Entry<V>>, Error> {
            let i = self.position(name, profile);
            Ok(i.map(|i| Entry { handle: None, value: self.0.borrow()[i].2.clone() }))
        }

        fn unregister(&self, name: &str, profile: &Profile) -> Result<(), Error> {
            if let Some(i) = self.position(name, profile) {
                self.0.borrow_mut().remove(i);
            }
            Ok(())
        }
    }

    #[test]
    fn names_come_sorted_whatever_the_start_order() {
        let ns: Namespace<u8> = Namespace::new();
        assert!(ns.names().is_empty());
        let order = ["m", "b", "zz", "a", "B", "é", "c", "z", "aa"];
        for (i, name) in order.iter().enumerate() {
            ns.start(name).unwrap();
            let mut expected = order[..=i].to_vec();
            expected.sort();
            assert_eq!(ns.names(), expected);
        }
        ns.stop("b");
        ns.stop("zz");
        assert_eq!(ns.names(), ["B", "a", "aa", "c", "m", "z", "é"]);
    }

    #[test]
    fn start_is_idempotent_and_stop_kills_handles() {
        let ns: Namespace<u8> = Namespace::new();
        let a = ns.start("R").unwrap();
        let h = a.register("x".into(), 1).unwrap();
        let again = ns.start("R").unwrap();
        assert_eq!(again.get(h), Some(1));
        assert!(ns.stop("R"));
        assert!(!ns.stop("R"));
        assert_eq!(ns.get(h), None);
        let fresh = ns.start("R").unwrap();
        assert_eq!(fresh.count(), 0);
        fresh.register("x".into(), 2).unwrap();
        assert_eq!(ns.get(h), None, "a handle of the stopped instance stays dead");
    }

    #[test]
    fn errors_name_the_fix() {
        let ns: Namespace<u8> = Namespace::new();
        let c = Config::new().registry(RegistryRef::name("Tenants").unwrap());
        let e = ns.whereis(&c, Some(&"a".into())).unwrap_err();
        assert_eq!(e, Error::NotStarted { name: "Tenants".into() });
        let c = Config::new().registry(RegistryRef::spec("Nope", "x").unwrap());
        assert_eq!(ns.whereis(&c, Some(&"a".into())).unwrap_err().kind(), "UnknownModuleError");
        assert!(ns.plug("Registry", ns.module("Registry").unwrap()).is_err());
        assert!(!ns.unplug("Registry"));
    }

    #[test]
    fn a_test_only_module_works_through_resolve_via_whereis() {
        let ns: Namespace<u8> = Namespace::new();
        ns.plug("Vec", Rc::new(VecModule::new())).unwrap();
        let config = Config::new().registry(RegistryRef::spec("Vec", "Tenants").unwrap());
        // resolve: the spec names the plugged module and its registry.
        assert_eq!(resolve(&config), RegistrySpec { module: "Vec".into(), name: "Tenants".into() });
        // via: the restart-safe name carries the same spec and the profile.
        let alice = via(&config, "alice".into());
        assert_eq!((alice.module.as_str(), alice.name.as_str()), ("Vec", "Tenants"));
        assert_eq!(resolve(&alice), resolve(&config));

        assert_eq!(ns.whereis(&alice, None).unwrap(), None);
        assert_eq!(ns.register(&alice, None, 1).unwrap(), None, "this module hands out no handles");
        assert_eq!(ns.whereis(&alice, None).unwrap(), Some(1));
        assert_eq!(ns.whereis(&config, Some(&"alice".into())).unwrap(), Some(1));
        assert_eq!(ns.lookup(&alice, None).unwrap(), Some(Entry { handle: None, value: 1 }));

        // A second registration fails, with no owner handle to report.
        let err = ns.register(&alice, None, 2).unwrap_err();
        assert_eq!(
            err,
            Error::AlreadyRegistered { profile: "alice".into(), registry: "Tenants".into(), handle: None }
        );
        assert_eq!(err.kind(), "AlreadyRegisteredError");
        assert_eq!(ns.whereis(&alice, None).unwrap(), Some(1), "the failed register changed nothing");

        // The module's registries are its own: not the local module's, not each other.
        assert!(!ns.is_started("Tenants"));
        let local = Config::new().registry(RegistryRef::name("Tenants").unwrap());
        assert_eq!(ns.whereis(&local, Some(&"alice".into())).unwrap_err().kind(), "RegistryNotStartedError");
        let other = via(&Config::new().registry(RegistryRef::spec("Vec", "Other").unwrap()), "alice".into());
        assert_eq!(ns.whereis(&other, None).unwrap(), None);

        ns.unregister(&alice, None).unwrap();
        assert_eq!(ns.whereis(&alice, None).unwrap(), None);
        assert_eq!(ns.lookup(&alice, None).unwrap(), None);
        ns.unregister(&alice, None).unwrap(); // absent is fine
        assert_eq!(ns.register(&alice, None, 3).unwrap(), None, "the profile is free again");
        assert_eq!(ns.whereis(&alice, None).unwrap(), Some(3));

        // Unplugged, the same via names an unknown module.
        assert!(ns.unplug("Vec"));
        assert_eq!(ns.whereis(&alice, None).unwrap_err(), Error::UnknownModule { module: "Vec".into() });
    }

    #[test]
    fn via_is_a_target() {
        let ns: Namespace<u8> = Namespace::new();
        ns.start("ProfileRegistry").unwrap();
        let v = via(&Config::new(), "alice".into());
        ns.register(&v, None, 9).unwrap();
        assert_eq!(ns.whereis(&v, None).unwrap(), Some(9));
        assert_eq!(ns.lookup(&v, None).unwrap().map(|e| e.value), Some(9));
        ns.unregister(&v, None).unwrap();
        assert_eq!(ns.whereis(&Config::new(), Some(&"alice".into())).unwrap(), None);
    }
}
