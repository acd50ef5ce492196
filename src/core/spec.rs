//! Configs, registry specs and the seed's pure functions: [`resolve`] (which
//! module and registry name a config means, with defaults) and [`via`] (the
//! restart-safe name of a profile's entry).

use alloc::string::String;

use crate::core::error::Error;
use crate::core::module::DEFAULT_MODULE;
use crate::core::profile::Profile;
use crate::core::text::{text, Quoted};

/// The name of the default registry.
///
/// ```
/// use profile_registry::{resolve, Config, DEFAULT_NAME};
///
/// assert_eq!(DEFAULT_NAME, "ProfileRegistry");
/// assert_eq!(resolve(&Config::new()).name, DEFAULT_NAME);
/// ```
pub const DEFAULT_NAME: &str = "ProfileRegistry";

/// The longest registry or module name, in bytes.
///
/// ```
/// use profile_registry::core::spec::MAX_NAME_BYTES;
/// use profile_registry::RegistryRef;
///
/// assert!(RegistryRef::name("x".repeat(MAX_NAME_BYTES)).is_ok());
/// assert!(RegistryRef::name("x".repeat(MAX_NAME_BYTES + 1)).is_err());
/// ```
pub const MAX_NAME_BYTES: usize = 256;

/// Checks a registry or module name: non-empty, at most
/// [`MAX_NAME_BYTES`] bytes.
///
/// ```
/// use profile_registry::core::spec::check_name;
///
/// assert!(check_name("registry", "Tenants").is_ok());
/// let err = check_name("module", "").unwrap_err();
/// assert_eq!(err.kind(), "InvalidConfigError");
/// assert!(err.to_string().contains("a module name must be a non-empty string"));
/// ```
pub fn check_name(what: &str, name: &str) -> Result<(), Error> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(Error::InvalidConfig(text!(
            "a ",
            what,
            " name must be a non-empty string of at most ",
            MAX_NAME_BYTES,
            " bytes, got ",
            Quoted(name)
        )));
    }
    Ok(())
}

/// The `registry` key of a config: a bare registry name, or a module and a
/// name.
///
/// ```
/// use profile_registry::{resolve, Config, RegistryRef};
///
/// let bare = Config::new().registry(RegistryRef::name("Tenants")?);
/// let full = Config::new().registry(RegistryRef::spec("Registry", "Tenants")?);
/// assert_eq!(resolve(&bare), resolve(&full)); // a bare name means the default module
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryRef {
    /// A registry name under the default module.
    Name(String),
    /// A module and a registry name.
    Spec {
        /// The module's name.
        module: String,
        /// The registry's name.
        name: String,
    },
}

impl RegistryRef {
    /// A bare registry name (checked).
    ///
    /// ```
    /// # use profile_registry::RegistryRef;
    /// assert_eq!(RegistryRef::name("Tenants")?, RegistryRef::Name("Tenants".into()));
    /// assert_eq!(RegistryRef::name("").unwrap_err().kind(), "InvalidConfigError");
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn name(name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        check_name("registry", &name)?;
        Ok(RegistryRef::Name(name))
    }

    /// A module and a registry name (both checked).
    ///
    /// ```
    /// # use profile_registry::RegistryRef;
    /// let r = RegistryRef::spec("Locks", "Tabs")?;
    /// assert_eq!(r, RegistryRef::Spec { module: "Locks".into(), name: "Tabs".into() });
    /// assert!(RegistryRef::spec("", "Tabs").is_err());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn spec(module: impl Into<String>, name: impl Into<String>) -> Result<Self, Error> {
        let (module, name) = (module.into(), name.into());
        check_name("module", &module)?;
        check_name("registry", &name)?;
        Ok(RegistryRef::Spec { module, name })
    }
}

/// A connection config, as far as the registry is concerned.
///
/// ```
/// use profile_registry::{resolve, Config, RegistryRef};
///
/// assert_eq!(resolve(&Config::new()).name, "ProfileRegistry");
/// let c = Config::new().registry(RegistryRef::name("Tenants")?);
/// assert_eq!((resolve(&c).module.as_str(), resolve(&c).name.as_str()), ("Registry", "Tenants"));
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The `registry` key; `None` means the defaults.
    pub registry: Option<RegistryRef>,
    /// The config's own profile, used when a call names none.
    pub profile: Option<Profile>,
}

impl Config {
    /// A config with every default.
    ///
    /// ```
    /// # use profile_registry::Config;
    /// let c = Config::new();
    /// assert_eq!((c.registry, c.profile), (None, None));
    /// assert_eq!(Config::new(), Config::default());
    /// ```
    pub fn new() -> Self {
        Config::default()
    }

    /// Sets the `registry` key.
    ///
    /// ```
    /// # use profile_registry::{resolve, Config, RegistryRef};
    /// let c = Config::new().registry(RegistryRef::spec("Locks", "Tabs")?);
    /// assert_eq!((resolve(&c).module.as_str(), resolve(&c).name.as_str()), ("Locks", "Tabs"));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn registry(mut self, registry: RegistryRef) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Sets the config's profile.
    ///
    /// ```
    /// # use profile_registry::{Config, Namespace};
    /// let ns: Namespace<u8> = Namespace::new();
    /// ns.start("ProfileRegistry")?;
    /// let alice = Config::new().with_profile("alice".into());
    /// ns.register(&alice, None, 1)?; // no profile passed: the config's own is used
    /// assert_eq!(ns.whereis(&Config::new(), Some(&"alice".into()))?, Some(1));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }
}

/// Which module and registry name a config means.
///
/// ```
/// use profile_registry::{resolve, Config, RegistrySpec};
///
/// let spec = resolve(&Config::new());
/// assert_eq!(spec, RegistrySpec { module: "Registry".into(), name: "ProfileRegistry".into() });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegistrySpec {
    /// The module's name (`"Registry"` by default).
    pub module: String,
    /// The registry's name (`"ProfileRegistry"` by default).
    pub name: String,
}

/// The restart-safe name of a profile's entry: Elixir's
/// `{:via, module, {name, profile}}`. Accepted wherever a config is.
///
/// ```
/// use profile_registry::{via, Config, Target};
///
/// let v = via(&Config::new(), "alice".into());
/// assert_eq!((v.module.as_str(), v.name.as_str()), ("Registry", "ProfileRegistry"));
/// assert_eq!(v.profile(), Some(&"alice".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Via {
    /// The module's name.
    pub module: String,
    /// The registry's name.
    pub name: String,
    /// The profile.
    pub profile: Profile,
}

/// Anything that names a registry: a [`Config`] or a [`Via`].
///
/// ```
/// use profile_registry::{via, Config, Namespace, Target};
///
/// // One helper for configs and vias alike.
/// fn live(ns: &Namespace<u8>, t: &impl Target) -> bool {
///     ns.whereis(t, None).ok().flatten().is_some()
/// }
/// let ns: Namespace<u8> = Namespace::new();
/// ns.start("ProfileRegistry")?.register("alice".into(), 1)?;
/// assert!(live(&ns, &Config::new().with_profile("alice".into())));
/// assert!(live(&ns, &via(&Config::new(), "alice".into())));
/// assert!(!live(&ns, &via(&Config::new(), "bob".into())));
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub trait Target {
    /// The registry it names.
    ///
    /// ```
    /// # use profile_registry::{via, Config, RegistryRef, Target};
    /// let c = Config::new().registry(RegistryRef::name("Tenants")?);
    /// assert_eq!(c.spec().name, "Tenants");
    /// assert_eq!(via(&c, "alice".into()).spec(), c.spec());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn spec(&self) -> RegistrySpec;
    /// Its own profile, if it carries one.
    ///
    /// ```
    /// # use profile_registry::{via, Config, Target};
    /// assert_eq!(Config::new().with_profile("alice".into()).profile(), Some(&"alice".into()));
    /// assert_eq!(Config::new().profile(), None);
    /// assert_eq!(via(&Config::new(), "alice".into()).profile(), Some(&"alice".into()));
    /// ```
    fn profile(&self) -> Option<&Profile>;

    /// `profile` if given, else the target's own; an error when neither is.
    ///
    /// ```
    /// # use profile_registry::{Config, Profile, Target};
    /// let c = Config::new().with_profile("own".into());
    /// let other = Profile::from("other");
    /// assert_eq!(c.pick_profile(Some(&other))?, &other); // an explicit profile wins
    /// assert_eq!(c.pick_profile(None)?, &"own".into());
    /// assert_eq!(Config::new().pick_profile(None).unwrap_err().kind(), "InvalidConfigError");
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    fn pick_profile<'a>(&'a self, profile: Option<&'a Profile>) -> Result<&'a Profile, Error> {
        profile.or(self.profile()).ok_or_else(|| {
            Error::InvalidConfig("no profile given: pass one, or use a config or via that carries one".into())
        })
    }
}

impl Target for Config {
    fn spec(&self) -> RegistrySpec {
        match &self.registry {
            None => RegistrySpec { module: DEFAULT_MODULE.into(), name: DEFAULT_NAME.into() },
            Some(RegistryRef::Name(name)) => RegistrySpec { module: DEFAULT_MODULE.into(), name: name.clone() },
            Some(RegistryRef::Spec { module, name }) => RegistrySpec { module: module.clone(), name: name.clone() },
        }
    }

    fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }
}

impl Target for Via {
    fn spec(&self) -> RegistrySpec {
        RegistrySpec { module: self.module.clone(), name: self.name.clone() }
    }

    fn profile(&self) -> Option<&Profile> {
        Some(&self.profile)
    }
}

/// Which module and registry name `target` means: `registry: {module, name}`
/// gives both, a bare name gives the default module with that name, and no
/// `registry` gives (`"Registry"`, `"ProfileRegistry"`).
///
/// ```
/// use profile_registry::{resolve, via, Config, RegistryRef, RegistrySpec};
///
/// let c = Config::new().registry(RegistryRef::spec("Horde", "Cluster")?);
/// assert_eq!(resolve(&c), RegistrySpec { module: "Horde".into(), name: "Cluster".into() });
/// // A via resolves to the registry it names.
/// assert_eq!(resolve(&via(&c, "alice".into())), resolve(&c));
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn resolve(target: &impl Target) -> RegistrySpec {
    target.spec()
}

/// The via-name of `profile` in the registry `target` names.
///
/// ```
/// use profile_registry::{via, Config, Namespace, Via};
///
/// let ns: Namespace<&str> = Namespace::new();
/// ns.start("ProfileRegistry")?;
/// let name = via(&Config::new(), "alice".into());
/// assert_eq!(name, Via { module: "Registry".into(), name: "ProfileRegistry".into(), profile: "alice".into() });
/// ns.register(&name, None, "socket #1")?;
/// assert!(ns.register(&name, None, "socket #2").is_err()); // the via-name is taken
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn via(target: &impl Target, profile: Profile) -> Via {
    let RegistrySpec { module, name } = target.spec();
    Via { module, name, profile }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_seed() {
        let bare = Config::new().registry(RegistryRef::name("R").unwrap());
        assert_eq!(resolve(&bare), RegistrySpec { module: "Registry".into(), name: "R".into() });
        assert_eq!(resolve(&Config::new()).module, "Registry");
        let v = via(&bare, Profile::int(3).unwrap());
        assert_eq!(resolve(&v), resolve(&bare));
        assert_eq!(Config::new().pick_profile(None).unwrap_err().kind(), "InvalidConfigError");
    }

    #[test]
    fn names_are_checked() {
        assert!(RegistryRef::name("").is_err());
        assert!(RegistryRef::spec("M", "x".repeat(300)).is_err());
    }
}
