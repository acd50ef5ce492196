//! [`Error`]: every way a registry call can fail, with a message that says
//! what to do.

use crate::core::text::Quoted;
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
    #[error("profile {profile} is already registered in {}; use the existing entry, or unregister it first", Quoted(.registry))]
    AlreadyRegistered {
        /// The profile that was asked for.
        profile: Profile,
        /// The registry's name.
        registry: String,
        /// The live owner's handle.
        handle: Option<Handle>,
    },
    /// The named registry was never started, or was stopped.
    #[error("the registry {0} is not started; call start({0}) first (start() with no name starts the default \"ProfileRegistry\")", Quoted(.name))]
    NotStarted {
        /// The registry's name.
        name: String,
    },
    /// No registry module is known under this name.
    #[error("no registry module named {}; use \"Registry\" (the default) or pass a module object that implements register/lookup/unregister", Quoted(.module))]
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
    /// A send did not fit in the connection's bounded send queue; nothing was
    /// queued.
    #[error("the send queue of {profile} is full ({messages} messages, {bytes} bytes queued; limits {max_messages} messages, {max_bytes} bytes); wait for the \"open\" event or raise queue.maxMessages / queue.maxBytes")]
    QueueFull {
        /// The connection's profile.
        profile: Profile,
        /// Messages queued now.
        messages: usize,
        /// Bytes queued now.
        bytes: usize,
        /// The message limit.
        max_messages: usize,
        /// The byte limit.
        max_bytes: usize,
    },
    /// The connection was closed for good; connect again for a new one.
    #[error("the connection of {profile} is closed; call connect() again for a new one")]
    ConnectionClosed {
        /// The connection's profile.
        profile: Profile,
    },
    /// Data that cannot be sent over a WebSocket.
    #[error("cannot send {0}; send a string, an ArrayBuffer, a typed array or a DataView")]
    InvalidData(String),
    /// A pluggable registry module broke its contract or failed.
    #[error("registry module {} failed: {message}", Quoted(.module))]
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
            Error::QueueFull { .. } => "QueueFullError",
            Error::ConnectionClosed { .. } => "ConnectionClosedError",
            Error::InvalidData(_) => "InvalidDataError",
        }
    }
}
