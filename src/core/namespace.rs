//! [`Namespace`]: the named registries and registry modules of one realm
//! (one JS realm is one thread here), and the seed's `whereis` over them.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::rc::Rc;

use crate::core::text::Quoted;
use crate::core::error::Error;
use crate::core::handle::{Handle, RegistryId};
use crate::core::module::{Entry, LocalModule, Registries, RegistryModule, DEFAULT_MODULE};
use crate::core::profile::Profile;
use crate::core::registry::Registry;
use crate::core::spec::{check_name, RegistrySpec, Target};
use crate::core::vec_map::VecMap;

struct Inner<V> {
    registries: Rc<Registries<V>>,
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

thread_local! {
    static CURRENT: RefCell<VecMap<TypeId, Box<dyn Any>>> = const { RefCell::new(VecMap::new()) };
}

impl<V: Clone + 'static> Namespace<V> {
    /// A new namespace with only the default `"Registry"` module and no
    /// registry started.
    pub fn new() -> Self {
        let registries: Rc<Registries<V>> = Rc::default();
        let local: Rc<dyn RegistryModule<V>> = Rc::new(LocalModule::new(&registries));
        let mut modules = VecMap::new();
        modules.insert(DEFAULT_MODULE.to_string(), local);
        let modules = RefCell::new(modules);
        Namespace { inner: Rc::new(Inner { registries, modules }) }
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
    pub fn start(&self, name: &str) -> Result<Registry<V>, Error> {
        check_name("registry", name)?;
        let mut map = self.inner.registries.borrow_mut();
        Ok(map.get_or_insert_with(name.to_string(), || Registry::new(name)).clone())
    }

    /// Stops the registry `name`: every entry is unregistered (listeners hear
    /// of each), then the registry is forgotten and its handles read as dead.
    /// Returns whether it was running.
    pub fn stop(&self, name: &str) -> bool {
        let reg = self.inner.registries.borrow().get(name).cloned();
        match reg {
            Some(reg) => {
                reg.clear(); // no borrow of the table held while listeners run
                self.inner.registries.borrow_mut().remove(name);
                true
            }
            None => false,
        }
    }

    /// Whether the registry `name` is running.
    pub fn is_started(&self, name: &str) -> bool {
        self.inner.registries.borrow().contains_key(name)
    }

    /// The running registry `name`, or [`Error::NotStarted`].
    pub fn registry(&self, name: &str) -> Result<Registry<V>, Error> {
        self.inner.registries.borrow().get(name).cloned().ok_or_else(|| Error::NotStarted { name: name.to_string() })
    }

    /// The names of the running registries.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inner.registries.borrow().keys().cloned().collect();
        names.sort_unstable();
        names
    }

    /// The running registry that issued `handle`, if any.
    pub fn registry_of(&self, handle: Handle) -> Option<Registry<V>> {
        self.registry_by_id(handle.registry())
    }

    /// The running registry with this identity, if any.
    pub fn registry_by_id(&self, id: RegistryId) -> Option<Registry<V>> {
        self.inner.registries.borrow().values().find(|r| r.id() == id).cloned()
    }

    /// The live value behind `handle`, in whichever registry issued it.
    pub fn get(&self, handle: Handle) -> Option<V> {
        self.registry_of(handle)?.get(handle)
    }

    /// Plugs a module in under `module` (any name but `"Registry"`), replacing
    /// a module of that name.
    pub fn plug(&self, module: &str, implementation: Rc<dyn RegistryModule<V>>) -> Result<(), Error> {
        check_name("module", module)?;
        if module == DEFAULT_MODULE {
            return Err(Error::InvalidConfig(format!(
                "the module name {} belongs to the default module; plug yours under another name",
                Quoted(DEFAULT_MODULE)
            )));
        }
        self.inner.modules.borrow_mut().insert(module.to_string(), implementation);
        Ok(())
    }

    /// Removes a plugged module; returns whether it was plugged.
    pub fn unplug(&self, module: &str) -> bool {
        module != DEFAULT_MODULE && self.inner.modules.borrow_mut().remove(module).is_some()
    }

    /// The module named `module`, or [`Error::UnknownModule`].
    pub fn module(&self, module: &str) -> Result<Rc<dyn RegistryModule<V>>, Error> {
        self.inner
            .modules
            .borrow()
            .get(module)
            .cloned()
            .ok_or_else(|| Error::UnknownModule { module: module.to_string() })
    }

    fn target(&self, target: &impl Target) -> Result<(Rc<dyn RegistryModule<V>>, RegistrySpec), Error> {
        let spec = target.spec();
        Ok((self.module(&spec.module)?, spec))
    }

    /// The live value of the profile (given, or the target's own) in the
    /// registry `target` names, or `None`.
    pub fn whereis(&self, target: &impl Target, profile: Option<&Profile>) -> Result<Option<V>, Error> {
        let (module, spec) = self.target(target)?;
        module.whereis(&spec.name, target.pick_profile(profile)?)
    }

    /// The live entry of the profile in the registry `target` names.
    pub fn lookup(&self, target: &impl Target, profile: Option<&Profile>) -> Result<Option<Entry<V>>, Error> {
        let (module, spec) = self.target(target)?;
        module.lookup(&spec.name, target.pick_profile(profile)?)
    }

    /// Registers `value` under the profile in the registry `target` names.
    pub fn register(&self, target: &impl Target, profile: Option<&Profile>, value: V) -> Result<Option<Handle>, Error> {
        let (module, spec) = self.target(target)?;
        module.register(&spec.name, target.pick_profile(profile)?, value)
    }

    /// Unregisters the profile from the registry `target` names; absent is fine.
    pub fn unregister(&self, target: &impl Target, profile: Option<&Profile>) -> Result<(), Error> {
        let (module, spec) = self.target(target)?;
        module.unregister(&spec.name, target.pick_profile(profile)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::spec::{via, Config, RegistryRef};

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
