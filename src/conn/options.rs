//! [`Options`]: what one connection is built from, and the checks on its
//! url and subprotocols.

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
/// o.url = "https://chat.example.com".into();
/// assert!(o.validate().unwrap_err().to_string().contains("ws:// or wss://"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The profile the connection belongs to.
    pub profile: Profile,
    /// A `ws://` or `wss://` url with a host and no `#fragment`.
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
        }
    }

    /// Checks the url, subprotocols, reconnect policy, queue limits and
    /// connect timeout; the error names the JS option at fault.
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
        check_url(&self.url).map_err(|why| Error::InvalidConfig(text!("url ", Quoted(&self.url), " ", why)))?;
        check_protocols(&self.protocols).map_err(Error::InvalidConfig)?;
        if let Some(policy) = &self.reconnect {
            policy.validate()?;
        }
        self.queue.validate()?;
        match self.connect_timeout_ms {
            Some(ms) if !(ms > 0.0 && ms <= MAX_TIMER_DELAY_MS) => Err(Error::InvalidConfig(text!(
                "connectTimeoutMs must be a number from 1 to ",
                Num(MAX_TIMER_DELAY_MS),
                ", or left out to wait forever, got ",
                Num(ms)
            ))),
            _ => Ok(()),
        }
    }
}

/// Checks a WebSocket url; the error completes "url "..." ".
fn check_url(url: &str) -> Result<(), String> {
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(text!(
            "must not contain whitespace or control characters (found ",
            Quoted(c.encode_utf8(&mut [0; 4])),
            "); percent-encode them"
        ));
    }
    if url.contains('#') {
        return Err("must not have a #fragment; WebSocket urls cannot carry one, remove it".into());
    }
    let rest = ["ws://", "wss://"]
        .iter()
        .find_map(|scheme| {
            let (head, rest) = url.split_at_checked(scheme.len())?;
            head.eq_ignore_ascii_case(scheme).then_some(rest)
        })
        .ok_or("must start with ws:// or wss://; use wss:// for a TLS server")?;
    // As in browsers, `\` ends the authority like `/` in ws: and wss: urls.
    let authority = rest.split(['/', '?', '\\']).next().unwrap_or_default();
    // After the last '@' (a closure pattern: a char one would pull in `memrchr`).
    #[allow(clippy::manual_pattern_char_comparison)]
    let host_port = authority.rsplit(|c| c == '@').next().unwrap_or(authority);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => {
            let (addr, after) = v6.split_once(']').ok_or("has an IPv6 host without its closing ']'")?;
            if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
                return Err(text!("has an invalid IPv6 host [", addr, "]"));
            }
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or("has text after the IPv6 host; use [addr]:port")?),
            };
            (addr, port)
        }
        None => {
            let (host, port) = host_port.split_once(':').map_or((host_port, None), |(h, p)| (h, Some(p)));
            if let Some(c) = host.chars().find(|c| matches!(c, '<' | '>' | '[' | ']' | '^' | '|')) {
                return Err(text!("has a host with the forbidden character ", Quoted(c.encode_utf8(&mut [0; 4]))));
            }
            (host, port)
        }
    };
    if host.is_empty() {
        return Err("has no host; use ws://host[:port]/path".into());
    }
    if let Some(port) = port {
        if !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
            return Err(text!("has an invalid port ", Quoted(port), "; use a number from 0 to 65535"));
        }
    }
    Ok(())
}

/// Checks subprotocols: distinct, non-empty RFC 6455 tokens.
fn check_protocols(protocols: &[String]) -> Result<(), String> {
    for (i, p) in protocols.iter().enumerate() {
        // Byte and `matches!` tests: `str::contains(char)` pulls in the substring searcher.
        let is_token_char = |c: char| c.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&(c as u8));
        if p.is_empty() || !p.chars().all(is_token_char) {
            return Err(text!(
                "protocols[",
                i,
                "] ",
                Quoted(p),
                " is not a valid subprotocol; use printable ASCII without spaces or ()<>@,;:\\\"/[]?={}"
            ));
        }
        if protocols[..i].contains(p) {
            return Err(text!("protocols lists ", Quoted(p), " more than once; list each subprotocol once"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_websocket_urls() {
        for url in [
            "ws://localhost",
            "wss://example.com/",
            "WSS://Example.com:443/a/b?c=d&e",
            "ws://127.0.0.1:8080?x",
            "ws://[::1]:9000/path",
            "ws://[2001:db8::1]",
            "wss://user:pw@host.example/x",
            "wss://münchen.de/chat",
            "ws://h/with%20escapes",
            "ws://h\\path",
        ] {
            assert_eq!(check_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn rejects_bad_urls_with_a_reason() {
        for (url, why) in [
            ("", "ws:// or wss://"),
            ("http://example.com", "ws:// or wss://"),
            ("ws:/example.com", "ws:// or wss://"),
            ("ws://", "no host"),
            ("ws:///path", "no host"),
            ("ws://?q", "no host"),
            ("ws://user@", "no host"),
            ("ws://:80", "no host"),
            ("ws://exa mple.com", "whitespace"),
            ("ws://example.com\n", "whitespace"),
            ("ws://example.com/#frag", "#fragment"),
            ("ws://host:", "invalid port"),
            ("ws://host:65536", "invalid port"),
            ("ws://host:8o", "invalid port"),
            ("ws://host:1:2", "invalid port"),
            ("ws://[::1", "closing ']'"),
            ("ws://[::1]x", "after the IPv6"),
            ("ws://[]:80", "invalid IPv6"),
            ("ws://[zz]", "invalid IPv6"),
            ("ws://ho<st", "forbidden"),
            ("ws://ho|st", "forbidden"),
            ("wß://x", "ws:// or wss://"),
        ] {
            let err = check_url(url).expect_err(url);
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn checks_protocols() {
        assert!(check_protocols(&["chat".into(), "chat.v2".into(), "x-y_z~1".into()]).is_ok());
        for bad in ["", "a b", "a,b", "ü", "a/b"] {
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
        assert!(err(Options { url: "x".into(), ..ok.clone() }).starts_with("invalid config: url \"x\" must start"));
        assert!(err(Options { protocols: vec!["".into()], ..ok.clone() }).contains("protocols[0]"));
        let reconnect = Some(ReconnectPolicy { jitter: -0.1, ..Default::default() });
        assert!(err(Options { reconnect, ..ok.clone() }).contains("reconnect.jitter"));
        assert!(err(Options { queue: QueueLimits { max_messages: 1, max_bytes: 0 }, ..ok.clone() })
            .contains("queue.maxBytes"));
        for ms in [f64::NAN, -1.0, 0.0, f64::INFINITY, 3e9] {
            assert!(err(Options { connect_timeout_ms: Some(ms), ..ok.clone() }).contains("connectTimeoutMs"));
        }
        assert!(Options { reconnect: None, connect_timeout_ms: Some(5000.0), ..ok }.validate().is_ok());
    }
}
