//! [`Error`]: every way a registry call can fail, with a message that says
//! what to do.

use crate::core::handle::Handle;
use crate::core::profile::Profile;

/// The one error type of the library. Messages are lowercase and name the fix.
///
/// ```
/// use profile_registry::{Error, Namespace};
///
/// let ns: Namespace<u32> = Namespace::new();
/// let err = ns.registry("Missing").unwrap_err();
/// assert!(matches!(err, Error::NotStarted { .. }));
/// assert!(err.to_string().contains("start(\"Missing\")"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The profile is already registered; `handle` is the live owner (absent
    /// when a pluggable module does not hand out handles).
    #[error("profile {profile} is already registered in {registry:?}; use the existing entry, or unregister it first")]
    AlreadyRegistered {
        /// The profile that was asked for.
        profile: Profile,
        /// The registry's name.
        registry: String,
        /// The live owner's handle.
        handle: Option<Handle>,
    },
    /// The named registry was never started, or was stopped.
    #[error("the registry {name:?} is not started; call start({name:?}) first (start() with no name starts the default \"ProfileRegistry\")")]
    NotStarted {
        /// The registry's name.
        name: String,
    },
    /// No registry module is known under this name.
    #[error("no registry module named {module:?}; use \"Registry\" (the default) or pass a module object that implements register/lookup/unregister")]
    UnknownModule {
        /// The module's name.
        module: String,
    },
    /// A value cannot be a profile.
    #[error("invalid profile: {0}")]
    InvalidProfile(String),
    /// A config, registry spec or option is malformed.
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// A handle is malformed (a well-formed but stale handle is not an error,
    /// it simply reads as dead).
    #[error("invalid handle: {0}")]
    InvalidHandle(String),
    /// A pluggable registry module broke its contract or failed.
    #[error("registry module {module:?} failed: {message}")]
    Module {
        /// The module's name.
        module: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// A short, stable name for the kind of error, used as the JS error's
    /// `name` (`"AlreadyRegisteredError"`, ...).
    ///
    /// ```
    /// # use profile_registry::Error;
    /// assert_eq!(Error::InvalidProfile("x".into()).kind(), "InvalidProfileError");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::AlreadyRegistered { .. } => "AlreadyRegisteredError",
            Error::NotStarted { .. } => "RegistryNotStartedError",
            Error::UnknownModule { .. } => "UnknownModuleError",
            Error::InvalidProfile(_) => "InvalidProfileError",
            Error::InvalidConfig(_) => "InvalidConfigError",
            Error::InvalidHandle(_) => "InvalidHandleError",
            Error::Module { .. } => "RegistryModuleError",
        }
    }
}
