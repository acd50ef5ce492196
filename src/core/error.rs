//! [`Error`]: every way a registry call can fail, with a message that says
//! what to do.

use alloc::string::String;
use core::fmt;

use crate::core::handle::Handle;
use crate::core::profile::Profile;
use crate::core::text::{text, Quoted};

/// The one error type of the library. Messages are lowercase and name the fix.
///
/// ```
/// use profile_registry::{Error, Namespace};
///
/// let ns: Namespace<u32> = Namespace::new();
/// let err = ns.registry("Missing").unwrap_err();
/// assert!(matches!(err, Error::NotStarted { .. }));
/// assert!(err.to_string().contains("start(\"Missing\")"));
/// assert_eq!(err.to_string(), err.message());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The profile is already registered; `handle` is the live owner (absent
    /// when a pluggable module does not hand out handles).
    AlreadyRegistered {
        /// The profile that was asked for.
        profile: Profile,
        /// The registry's name.
        registry: String,
        /// The live owner's handle.
        handle: Option<Handle>,
    },
    /// The named registry was never started, or was stopped.
    NotStarted {
        /// The registry's name.
        name: String,
    },
    /// No registry module is known under this name.
    UnknownModule {
        /// The module's name.
        module: String,
    },
    /// A value cannot be a profile.
    InvalidProfile(String),
    /// A config, registry spec or option is malformed.
    InvalidConfig(String),
    /// A handle is malformed (a well-formed but stale handle is not an error,
    /// it simply reads as dead).
    InvalidHandle(String),
    /// A send did not fit in the connection's bounded send queue; nothing was
    /// queued.
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
    ConnectionClosed {
        /// The connection's profile.
        profile: Profile,
    },
    /// Data that cannot be sent over a WebSocket.
    InvalidData(String),
    /// A pluggable registry module broke its contract or failed.
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

    /// What went wrong and what to do: the `Display` form and the JS error's
    /// `message`, built without `core::fmt`.
    ///
    /// ```
    /// # use profile_registry::Error;
    /// let err = Error::NotStarted { name: "Tenants".into() };
    /// assert_eq!(
    ///     err.message(),
    ///     r#"the registry "Tenants" is not started; call start("Tenants") first (start() with no name starts the default "ProfileRegistry")"#
    /// );
    /// ```
    pub fn message(&self) -> String {
        match self {
            Error::AlreadyRegistered { profile, registry, .. } => text!(
                "profile ",
                profile,
                " is already registered in ",
                Quoted(registry),
                "; its live value is err.existing: use it, or unregister it first (connect() takes onDuplicate: \"existing\" to return it, or \"replace\" to close it and take over)"
            ),
            Error::NotStarted { name } => text!(
                "the registry ",
                Quoted(name),
                " is not started; call start(",
                Quoted(name),
                ") first (start() with no name starts the default \"ProfileRegistry\")"
            ),
            Error::UnknownModule { module } => text!(
                "no registry module named ",
                Quoted(module),
                "; use \"Registry\" (the default) or pass a module object that implements register/lookup/unregister"
            ),
            Error::InvalidProfile(why) => text!("invalid profile: ", why),
            Error::InvalidConfig(why) => text!("invalid config: ", why),
            Error::InvalidHandle(why) => text!("invalid handle: ", why),
            Error::QueueFull { profile, messages, bytes, max_messages, max_bytes } => text!(
                "the send queue of ",
                profile,
                " is full (",
                messages,
                " messages, ",
                bytes,
                " bytes queued; limits ",
                max_messages,
                " messages, ",
                max_bytes,
                " bytes); wait for the \"open\" event or raise queue.maxMessages / queue.maxBytes"
            ),
            Error::ConnectionClosed { profile } => {
                text!("the connection of ", profile, " is closed; call connect() again for a new one")
            }
            Error::InvalidData(what) => {
                text!("cannot send ", what, "; send a string, an ArrayBuffer, a typed array or a DataView")
            }
            Error::Module { module, message } => text!("registry module ", Quoted(module), " failed: ", message),
        }
    }
}

impl fmt::Display for Error {
    /// The [`Error::message`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}
