//! [`Options`]: what one connection is built from, and the checks on its
//! subprotocols and numbers. The url is the host's to check: the JS entry
//! reads it with the WHATWG URL parser, the WebSocket constructor's own.

use alloc::string::String;
use alloc::vec::Vec;

use crate::conn::backoff::ReconnectPolicy;
use crate::conn::queue::QueueLimits;
use crate::conn::transport::MAX_TIMER_DELAY_MS;
use crate::core::error::Error;
use crate::core::profile::Profile;
use crate::core::text::{text, Num, Quoted};

/// The options of one connection.
///
/// ```
/// use profile_registry::conn::Options;
///
/// let mut o = Options::new("alice".into(), "wss://chat.example.com/socket?v=2");
/// o.protocols = vec!["chat.v2".into()];
/// assert!(o.validate().is_ok());
///
/// o.protocols = vec!["chat v2".into()];
/// assert!(o.validate().unwrap_err().to_string().contains("protocols[0]"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The profile the connection belongs to.
    pub profile: Profile,
    /// The url the transport opens, unchecked here: the host checks it (a
    /// `ws://` or `wss://` url with a host and no `#fragment`).
    pub url: String,
    /// WebSocket subprotocols: distinct, non-empty RFC 6455 tokens.
    pub protocols: Vec<String>,
    /// How to reconnect; `None` never reconnects.
    pub reconnect: Option<ReconnectPolicy>,
    /// Limits of the queue of sends made while not open.
    pub queue: QueueLimits,
    /// How long a socket may take to open before it is closed and the
    /// attempt counts as failed (`connectTimeoutMs`); `None` waits forever.
    pub connect_timeout_ms: Option<f64>,
    /// Keep-alive while open (`heartbeat`); `None` (the default) sends none.
    pub heartbeat: Option<Heartbeat>,
}

/// A heartbeat: while a socket is open, the host sends the heartbeat
/// message every `interval_ms`; when nothing arrives on the socket for
/// `timeout_ms` (a half-open socket, after a laptop sleep say), the socket
/// is closed and the connection reconnects.
///
/// ```
/// use profile_registry::conn::{Heartbeat, Options};
///
/// let mut o = Options::new("alice".into(), "wss://chat.example.com");
/// o.heartbeat = Some(Heartbeat { interval_ms: 20_000.0, timeout_ms: 45_000.0 });
/// assert!(o.validate().is_ok());
/// o.heartbeat = Some(Heartbeat { interval_ms: 0.0, timeout_ms: 45_000.0 });
/// assert!(o.validate().unwrap_err().to_string().contains("heartbeat.intervalMs"));
/// ```
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Heartbeat {
    /// How often the heartbeat message is sent (`heartbeat.intervalMs`).
    pub interval_ms: f64,
    /// How long the socket may stay silent (`heartbeat.timeoutMs`).
    pub timeout_ms: f64,
}

impl Heartbeat {
    /// The defaults: a message every 25 s, dead after 60 s of silence.
    pub const DEFAULT: Heartbeat = Heartbeat { interval_ms: 25_000.0, timeout_ms: 60_000.0 };
}

impl Options {
    /// Options with the defaults: no subprotocols, the default
    /// [`ReconnectPolicy`] and [`QueueLimits`], no connect timeout.
    ///
    /// ```
    /// # use profile_registry::conn::{Options, ReconnectPolicy};
    /// let o = Options::new("alice".into(), "ws://localhost:8080");
    /// assert_eq!(o.reconnect, Some(ReconnectPolicy::default()));
    /// assert_eq!(o.connect_timeout_ms, None);
    /// ```
    pub fn new(profile: Profile, url: impl Into<String>) -> Self {
        Options {
            profile,
            url: url.into(),
            protocols: Vec::new(),
            reconnect: Some(ReconnectPolicy::default()),
            queue: QueueLimits::default(),
            connect_timeout_ms: None,
            heartbeat: None,
        }
    }

    /// Checks the subprotocols, heartbeat, reconnect policy, queue limits
    /// and connect timeout; the error names the JS option at fault. The url
    /// is not checked: the host does that (the JS entry, with the WHATWG
    /// URL parser).
    ///
    /// ```
    /// # use profile_registry::conn::Options;
    /// let mut o = Options::new("alice".into(), "wss://example.com");
    /// o.protocols = vec!["a".into(), "a".into()];
    /// assert!(o.validate().unwrap_err().to_string().contains("more than once"));
    ///
    /// o.protocols.clear();
    /// o.connect_timeout_ms = Some(0.0);
    /// assert!(o.validate().unwrap_err().to_string().contains("connectTimeoutMs"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_protocols(&self.protocols).map_err(Error::InvalidConfig)?;
        if let Some(h) = &self.heartbeat {
            if !delay(h.interval_ms) {
                return Err(out_of_range(Field::HeartbeatInterval, h.interval_ms));
            }
            if !delay(h.timeout_ms) {
                return Err(out_of_range(Field::HeartbeatTimeout, h.timeout_ms));
            }
        }
        if let Some(policy) = &self.reconnect {
            policy.validate()?;
        }
        self.queue.validate()?;
        match self.connect_timeout_ms {
            Some(ms) if !delay(ms) => Err(out_of_range(Field::ConnectTimeout, ms)),
            _ => Ok(()),
        }
    }
}

/// Whether `ms` is a timer delay: above 0, at most [`MAX_TIMER_DELAY_MS`].
fn delay(ms: f64) -> bool {
    ms > 0.0 && ms <= MAX_TIMER_DELAY_MS
}

/// A numeric option (or argument), by its place in [`RULES`].
#[derive(Copy, Clone, Debug)]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the counts are checked by the bindings
pub(crate) enum Field {
    HeartbeatInterval,
    HeartbeatTimeout,
    ConnectTimeout,
    MinDelay,
    MaxDelay,
    Factor,
    Jitter,
    MinUptime,
    MaxRetries,
    MaxMessages,
    MaxBytes,
    CloseCode,
}

/// Each [`Field`]'s rule, the JS name first.
static RULES: [&str; 12] = [
    "heartbeat.intervalMs must be a number from 1 to 2147483647",
    "heartbeat.timeoutMs must be a number from 1 to 2147483647",
    "connectTimeoutMs must be a number from 1 to 2147483647, or left out to wait forever",
    "reconnect.minDelayMs must be a finite number >= 0",
    "reconnect.maxDelayMs must be a number from reconnect.minDelayMs to 2147483647",
    "reconnect.factor must be a finite number >= 1",
    "reconnect.jitter must be a number from 0 to 1",
    "reconnect.minUptimeMs must be a number from 0 to 2147483647",
    "reconnect.maxRetries must be a whole number from 0 to 4294967295",
    "queue.maxMessages must be a whole number from 0 to 4294967295",
    "queue.maxBytes must be a whole number from 0 to 4294967295",
    "close code must be 1000 or from 3000 to 4999 (1000 for a normal close)",
];

/// The error "`field` must be `rule`, got `got`": the one message of every
/// numeric option out of its range.
#[cold]
#[inline(never)]
pub(crate) fn out_of_range(field: Field, got: f64) -> Error {
    Error::InvalidConfig(text!(RULES[field as usize], ", got ", Num(got)))
}

/// Checks subprotocols: distinct, non-empty RFC 6455 tokens.
fn check_protocols(protocols: &[String]) -> Result<(), String> {
    for (i, p) in protocols.iter().enumerate() {
        // Printable ASCII but the separators; a byte of a non-ASCII char is none of it.
        let is_token_byte = |b: &u8| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".iter().any(|c| c == b);
        if p.is_empty() || !p.as_bytes().iter().all(is_token_byte) {
            return Err(bad_protocol(Some(i), p));
        }
        if protocols.iter().take(i).any(|q| q == p) {
            return Err(bad_protocol(None, p));
        }
    }
    Ok(())
}

/// The message of subprotocol `p`: not a token (`Some(i)`, at index `i`), or listed twice.
#[cold]
#[inline(never)]
fn bad_protocol(i: Option<usize>, p: &str) -> String {
    match i {
        Some(i) => text!(
            "protocols[",
            i,
            "] ",
            Quoted(p),
            " is not a valid subprotocol; use printable ASCII without spaces or ()<>@,;:\\\"/[]?={}"
        ),
        None => text!("protocols lists ", Quoted(p), " more than once; list each subprotocol once"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_protocols() {
        assert!(check_protocols(&["chat".into(), "chat.v2".into(), "x-y_z~1".into()]).is_ok());
        for bad in ["", "a b", "a,b", "ü", "a/b", "a\u{7f}", "a\u{a0}", "a{"] {
            assert!(check_protocols(&[bad.into()]).unwrap_err().contains("protocols[0]"), "{bad}");
        }
        assert!(check_protocols(&["a".into(), "A".into()]).is_ok(), "case-sensitive, as in browsers");
        assert!(check_protocols(&["a".into(), "b".into(), "a".into()]).unwrap_err().contains("more than once"));
    }

    #[test]
    fn validate_covers_every_option() {
        let ok = Options::new("p".into(), "ws://h");
        assert!(ok.validate().is_ok());
        let err = |o: Options| o.validate().unwrap_err().to_string();
        assert!(Options { url: "not checked here".into(), ..ok.clone() }.validate().is_ok());
        assert!(err(Options { protocols: vec!["".into()], ..ok.clone() }).contains("protocols[0]"));
        let reconnect = Some(ReconnectPolicy { jitter: -0.1, ..Default::default() });
        assert!(err(Options { reconnect, ..ok.clone() }).contains("reconnect.jitter"));
        assert!(err(Options { queue: QueueLimits { max_messages: 1, max_bytes: 0 }, ..ok.clone() })
            .contains("queue.maxBytes"));
        for ms in [f64::NAN, -1.0, 0.0, f64::INFINITY, 3e9] {
            assert!(err(Options { connect_timeout_ms: Some(ms), ..ok.clone() }).contains("connectTimeoutMs"));
        }
        for (h, field) in [
            (Heartbeat { interval_ms: f64::NAN, ..Heartbeat::DEFAULT }, "heartbeat.intervalMs"),
            (Heartbeat { timeout_ms: 0.0, ..Heartbeat::DEFAULT }, "heartbeat.timeoutMs"),
            (Heartbeat { timeout_ms: 3e9, ..Heartbeat::DEFAULT }, "heartbeat.timeoutMs"),
        ] {
            assert!(err(Options { heartbeat: Some(h), ..ok.clone() }).contains(field), "{field}");
        }
        assert!(Options { url: String::new(), ..ok.clone() }.validate().is_ok());
        assert!(Options { reconnect: None, connect_timeout_ms: Some(5000.0), ..ok }.validate().is_ok());
    }
}
