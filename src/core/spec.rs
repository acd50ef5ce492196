//! Configs, registry specs and the seed's pure functions: [`resolve`] (which
//! module and registry name a config means, with defaults) and [`via`] (the
//! restart-safe name of a profile's entry).

use crate::core::text::Quoted;
use crate::core::error::Error;
use crate::core::module::DEFAULT_MODULE;
use crate::core::profile::Profile;

/// The name of the default registry.
pub const DEFAULT_NAME: &str = "ProfileRegistry";

/// The longest registry or module name, in bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// Checks a registry or module name: non-empty, at most
/// [`MAX_NAME_BYTES`] bytes.
pub fn check_name(what: &str, name: &str) -> Result<(), Error> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(Error::InvalidConfig(format!(
            "a {what} name must be a non-empty string of at most {MAX_NAME_BYTES} bytes, got {}",
            Quoted(name)
        )));
    }
    Ok(())
}

/// The `registry` key of a config: a bare registry name, or a module and a
/// name.
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
    pub fn name(name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        check_name("registry", &name)?;
        Ok(RegistryRef::Name(name))
    }

    /// A module and a registry name (both checked).
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
    pub fn new() -> Self {
        Config::default()
    }

    /// Sets the `registry` key.
    pub fn registry(mut self, registry: RegistryRef) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Sets the config's profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }
}

/// Which module and registry name a config means.
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
pub trait Target {
    /// The registry it names.
    fn spec(&self) -> RegistrySpec;
    /// Its own profile, if it carries one.
    fn profile(&self) -> Option<&Profile>;

    /// `profile` if given, else the target's own; an error when neither is.
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
