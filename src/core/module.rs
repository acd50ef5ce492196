//! The registry-module contract ([`RegistryModule`]) and the default local
//! module ([`LocalModule`], named `"Registry"` as in Elixir).
//!
//! A module decides the reach of uniqueness: the local module makes a profile
//! unique in this realm; a module on Web Locks or Durable Objects can widen it
//! without a change to the library. Any implementation plugs in by name
//! ([`crate::Namespace::plug`]) or, from JS, as an object.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use crate::core::cell::RefCell;

use crate::core::error::Error;
use crate::core::handle::Handle;
use crate::core::profile::Profile;
use crate::core::registry::Registry;
use crate::core::vec_map::VecMap;

/// The name of the default, realm-local module.
///
/// ```
/// use profile_registry::{resolve, Config, Namespace, DEFAULT_MODULE};
///
/// assert_eq!(DEFAULT_MODULE, "Registry");
/// assert_eq!(resolve(&Config::new()).module, DEFAULT_MODULE);
/// assert!(Namespace::<u8>::new().module(DEFAULT_MODULE).is_ok()); // always plugged
/// ```
pub const DEFAULT_MODULE: &str = "Registry";

/// A live registration as a module reports it.
///
/// ```
/// use profile_registry::{Config, Entry, Namespace};
///
/// let ns: Namespace<u8> = Namespace::new();
/// let h = ns.start("ProfileRegistry")?.register("alice".into(), 1)?;
/// let entry = ns.lookup(&Config::new(), Some(&"alice".into()))?;
/// assert_eq!(entry, Some(Entry { handle: Some(h), value: 1 })); // the local module hands out handles
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<V> {
    /// The registration's handle, when the module hands out handles.
    pub handle: Option<Handle>,
    /// The registered value.
    pub value: V,
}

/// The contract of a registry module: Elixir's `Registry`/`:via` contract
/// (`register_name`, `whereis_name`, `unregister_name`) over a registry `name`
/// and a `profile` key.
///
/// ```
/// use std::{cell::RefCell, collections::HashMap, rc::Rc};
/// use profile_registry::{Config, Entry, Error, Namespace, Profile, RegistryModule, RegistryRef};
///
/// /// A module that keeps everything in one map, whatever the registry name.
/// #[derive(Default)]
/// struct Flat(RefCell<HashMap<Profile, u32>>);
///
/// impl RegistryModule<u32> for Flat {
///     fn register(&self, name: &str, p: &Profile, v: u32) -> Result<Option<profile_registry::Handle>, Error> {
///         let mut map = self.0.borrow_mut();
///         if map.contains_key(p) {
///             return Err(Error::AlreadyRegistered { profile: p.clone(), registry: name.into(), handle: None });
///         }
///         map.insert(p.clone(), v);
///         Ok(None)
///     }
///     fn lookup(&self, _: &str, p: &Profile) -> Result<Option<Entry<u32>>, Error> {
///         Ok(self.0.borrow().get(p).map(|&value| Entry { handle: None, value }))
///     }
///     fn unregister(&self, _: &str, p: &Profile) -> Result<(), Error> {
///         self.0.borrow_mut().remove(p);
///         Ok(())
///     }
/// }
///
/// let ns: Namespace<u32> = Namespace::new();
/// ns.plug("Flat", Rc::new(Flat::default()))?;
/// let config = Config::new().registry(RegistryRef::spec("Flat", "anything")?);
/// ns.register(&config, Some(&"alice".into()), 7)?;
/// assert_eq!(ns.whereis(&config, Some(&"alice".into()))?, Some(7));
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub trait RegistryModule<V> {
    /// Registers `value` under `profile` in the registry `name`. Fails with
    /// [`Error::AlreadyRegistered`] when the profile is held.
    ///
    /// ```
    /// # use profile_registry::{Namespace, RegistryModule, DEFAULT_MODULE};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("R")?;
    /// let m = ns.module(DEFAULT_MODULE)?;
    /// let h = m.register("R", &"a".into(), 1)?;
    /// let err = m.register("R", &"a".into(), 2).unwrap_err();
    /// assert!(matches!(err, profile_registry::Error::AlreadyRegistered { handle, .. } if handle == h));
    /// assert_eq!(m.register("Other", &"a".into(), 1).unwrap_err().kind(), "RegistryNotStartedError");
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn register(&self, name: &str, profile: &Profile, value: V) -> Result<Option<Handle>, Error>;

    /// The live entry of `profile` in the registry `name`, or `None`.
    ///
    /// ```
    /// # use profile_registry::{Namespace, RegistryModule, DEFAULT_MODULE};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("R")?;
    /// let m = ns.module(DEFAULT_MODULE)?;
    /// let h = m.register("R", &"a".into(), 1)?;
    /// let entry = m.lookup("R", &"a".into())?.unwrap();
    /// assert_eq!((entry.handle, entry.value), (h, 1));
    /// assert!(m.lookup("R", &"b".into())?.is_none());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn lookup(&self, name: &str, profile: &Profile) -> Result<Option<Entry<V>>, Error>;

    /// Removes `profile` from the registry `name`; absent is fine.
    ///
    /// ```
    /// # use profile_registry::{Namespace, RegistryModule, DEFAULT_MODULE};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("R")?;
    /// let m = ns.module(DEFAULT_MODULE)?;
    /// m.register("R", &"a".into(), 1)?;
    /// m.unregister("R", &"a".into())?;
    /// m.unregister("R", &"a".into())?; // absent: still fine
    /// assert_eq!(m.whereis("R", &"a".into())?, None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn unregister(&self, name: &str, profile: &Profile) -> Result<(), Error>;

    /// The live value of `profile`, or `None`.
    ///
    /// ```
    /// # use profile_registry::{Namespace, RegistryModule, DEFAULT_MODULE};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("R")?;
    /// let m = ns.module(DEFAULT_MODULE)?;
    /// m.register("R", &"a".into(), 1)?;
    /// assert_eq!(m.whereis("R", &"a".into())?, Some(1));
    /// assert_eq!(m.whereis("R", &"b".into())?, None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn whereis(&self, name: &str, profile: &Profile) -> Result<Option<V>, Error> {
        Ok(self.lookup(name, profile)?.map(|e| e.value))
    }
}

pub(crate) type Registries<V> = RefCell<VecMap<String, Registry<V>>>;

/// The default module: the named registries started in this realm.
///
/// ```
/// use profile_registry::{Config, Namespace, RegistryRef};
///
/// let ns: Namespace<u8> = Namespace::new();
/// let config = Config::new().registry(RegistryRef::name("Tenants")?); // module "Registry"
/// assert_eq!(ns.whereis(&config, Some(&"a".into())).unwrap_err().kind(), "RegistryNotStartedError");
/// let reg = ns.start("Tenants")?;
/// ns.register(&config, Some(&"a".into()), 1)?;
/// assert_eq!(reg.whereis(&"a".into()), Some(1)); // the very registry start() returned
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub struct LocalModule<V> {
    registries: Weak<Registries<V>>,
}

impl<V> LocalModule<V> {
    pub(crate) fn new(registries: &Rc<Registries<V>>) -> Self {
        LocalModule { registries: Rc::downgrade(registries) }
    }
}

impl<V: Clone + 'static> LocalModule<V> {
    /// The local module over another namespace's registries: plugged into a
    /// namespace under another name, it reaches registries that are not its
    /// own (as a wider-reach module would).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use profile_registry::{Config, LocalModule, Namespace, RegistryRef};
    ///
    /// let (home, away): (Namespace<u8>, Namespace<u8>) = (Namespace::new(), Namespace::new());
    /// let shared = home.start("Shared")?;
    /// away.plug("Home", Rc::new(LocalModule::from_namespace(&home)))?;
    /// let config = Config::new().registry(RegistryRef::spec("Home", "Shared")?);
    /// away.register(&config, Some(&"alice".into()), 7)?;
    /// assert_eq!(shared.whereis(&"alice".into()), Some(7)); // landed in `home`
    /// assert!(!away.is_started("Shared"));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn from_namespace(ns: &crate::Namespace<V>) -> Self {
        LocalModule::new(ns.registries_table())
    }
}

impl<V: Clone + 'static> LocalModule<V> {
    fn registry(&self, name: &str) -> Result<Registry<V>, Error> {
        self.registries
            .upgrade()
            .and_then(|map| map.borrow().get(name).cloned())
            .ok_or_else(|| Error::NotStarted { name: name.into() })
    }
}

impl<V: Clone + 'static> RegistryModule<V> for LocalModule<V> {
    fn register(&self, name: &str, profile: &Profile, value: V) -> Result<Option<Handle>, Error> {
        self.registry(name)?.register(profile.clone(), value).map(Some)
    }

    fn lookup(&self, name: &str, profile: &Profile) -> Result<Option<Entry<V>>, Error> {
        Ok(self.registry(name)?.lookup(profile).map(|(h, value)| Entry { handle: Some(h), value }))
    }

    fn unregister(&self, name: &str, profile: &Profile) -> Result<(), Error> {
        self.registry(name)?.unregister(profile);
        Ok(())
    }

    fn whereis(&self, name: &str, profile: &Profile) -> Result<Option<V>, Error> {
        Ok(self.registry(name)?.whereis(profile))
    }
}
