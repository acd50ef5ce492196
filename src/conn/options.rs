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
    /// Keep-alive while open (`heartbeat`); `None` (the default) sends none.
    pub heartbeat: Option<Heartbeat>,
    /// The host makes each socket's url itself (the JS `url` function) and
    /// checks it with [`check_ws_url`]; `url` is then empty and unchecked.
    pub url_from_host: bool,
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
            url_from_host: false,
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
        if !self.url_from_host {
            check_ws_url(&self.url)?;
        }
        check_protocols(&self.protocols).map_err(Error::InvalidConfig)?;
        if let Some(h) = &self.heartbeat {
            positive_ms(h.interval_ms, "heartbeat.intervalMs", DELAY)?;
            positive_ms(h.timeout_ms, "heartbeat.timeoutMs", DELAY)?;
        }
        if let Some(policy) = &self.reconnect {
            policy.validate()?;
        }
        self.queue.validate()?;
        match self.connect_timeout_ms {
            Some(ms) => positive_ms(ms, "connectTimeoutMs", "a number from 1 to 2147483647, or left out to wait forever"),
            None => Ok(()),
        }
    }
}

/// The rule of a timer delay: from 1 to [`MAX_TIMER_DELAY_MS`].
const DELAY: &str = "a number from 1 to 2147483647";

/// `ms` is a timer delay from 1 to [`MAX_TIMER_DELAY_MS`], else an error
/// naming `field` and its `rule`.
fn positive_ms(ms: f64, field: &str, rule: &str) -> Result<(), Error> {
    in_range(ms > 0.0 && ms <= MAX_TIMER_DELAY_MS, field, rule, ms)
}

/// `Ok` when `ok`, else the error "`field` must be `rule`, got `got`": the
/// one message of every numeric option out of its range.
pub(crate) fn in_range(ok: bool, field: &str, rule: &str, got: f64) -> Result<(), Error> {
    if ok {
        return Ok(());
    }
    Err(Error::InvalidConfig(text!(field, " must be ", rule, ", got ", Num(got))))
}

/// Checks a WebSocket url (`ws://` or `wss://`, a host, no fragment, no
/// whitespace); the error quotes it redacted ([`redact`](crate::conn::redact)).
///
/// ```
/// use profile_registry::conn::check_ws_url;
///
/// assert!(check_ws_url("wss://chat.example.com/?token=abc").is_ok());
/// let err = check_ws_url("https://u:secret@example.com/?token=abc").unwrap_err().to_string();
/// assert!(err.contains("ws:// or wss://") && !err.contains("secret") && !err.contains("abc"), "{err}");
/// ```
pub fn check_ws_url(url: &str) -> Result<(), Error> {
    check_url(url).map_err(|why| Error::InvalidConfig(text!("url ", Quoted(&crate::conn::redact(url)), " ", why)))
}

/// Checks a WebSocket url; the error completes "url "..." ".
///
/// It works on the url's bytes: every separator it looks for is ASCII, and
/// the url is cut only next to them, so on char boundaries.
fn check_url(url: &str) -> Result<(), String> {
    let s = url.as_bytes();
    if let Some(c) = first_space_or_control(url) {
        return Err(text!(
            "must not contain whitespace or control characters (found ",
            Quoted(c),
            "); percent-encode them"
        ));
    }
    if split_at_any(s, b"#").1.is_some() {
        return Err("must not have a #fragment; WebSocket urls cannot carry one, remove it".into());
    }
    let rest = strip_prefix_ignore_case(s, b"ws://")
        .or_else(|| strip_prefix_ignore_case(s, b"wss://"))
        .ok_or("must start with ws:// or wss://; use wss:// for a TLS server")?;
    // As in browsers, `\` ends the authority like `/` in ws: and wss: urls.
    let mut host_port = split_at_any(rest, b"/?\\").0;
    // After the last '@'.
    while let (_, Some(after)) = split_at_any(host_port, b"@") {
        host_port = after;
    }
    let (host, port) = match host_port.strip_prefix(b"[") {
        Some(v6) => {
            let (addr, after) = split_at_any(v6, b"]");
            let after = after.ok_or("has an IPv6 host without its closing ']'")?;
            if addr.is_empty() || !addr.iter().all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
                return Err(text!("has an invalid IPv6 host [", as_str(addr), "]"));
            }
            let port = match after {
                [] => None,
                [b':', port @ ..] => Some(port),
                _ => return Err("has text after the IPv6 host; use [addr]:port".into()),
            };
            (addr, port)
        }
        None => {
            let (host, port) = split_at_any(host_port, b":");
            if let (before, Some(_)) = split_at_any(host, b"<>[]^|") {
                let c = host.get(before.len()..=before.len()).unwrap_or_default();
                return Err(text!("has a host with the forbidden character ", Quoted(as_str(c))));
            }
            (host, port)
        }
    };
    if host.is_empty() {
        return Err("has no host; use ws://host[:port]/path".into());
    }
    if let Some(port) = port {
        // A u16 in decimal, as `str::parse::<u16>` reads one, but digits only
        // (no `+`); the value is capped so long inputs cannot overflow.
        let mut n = 0u32;
        let mut digits = !port.is_empty();
        for &b in port {
            digits &= b.is_ascii_digit();
            n = (n * 10 + u32::from(b.wrapping_sub(b'0'))).min(65536);
        }
        if !digits || n > 65535 {
            return Err(text!("has an invalid port ", Quoted(as_str(port)), "; use a number from 0 to 65535"));
        }
    }
    Ok(())
}

/// The first char of `url` that is whitespace or a control character
/// (`char::is_whitespace` or `char::is_control`), as a `&str`.
///
/// It reads bytes, not chars: each char's UTF-8 bytes are collected into a
/// `u32` (`é`, U+00E9, is `0xC3A9`) and compared with the encodings of the
/// few non-ASCII chars in those classes, without `core`'s Unicode table.
fn first_space_or_control(url: &str) -> Option<&str> {
    let s = url.as_bytes();
    let mut i = 0;
    while let Some(&lead) = s.get(i) {
        let start = i;
        let mut utf8 = u32::from(lead);
        i += 1;
        while let Some(&b) = s.get(i) {
            if b & 0xC0 != 0x80 {
                break;
            }
            utf8 = utf8 << 8 | u32::from(b);
            i += 1;
        }
        let found = matches!(
            utf8,
            // ASCII: C0 controls, space, DEL.
            0x00..=0x20 | 0x7F
            // U+0080..=U+009F (C1 controls, NEL among them), U+00A0 (no-break space).
            | 0xC2_80..=0xC2_A0
            // U+1680 (Ogham space mark).
            | 0xE1_9A_80
            // U+2000..=U+200A (en quad .. hair space), U+2028, U+2029 (line and
            // paragraph separators), U+202F (narrow no-break space).
            | 0xE2_80_80..=0xE2_80_8A | 0xE2_80_A8 | 0xE2_80_A9 | 0xE2_80_AF
            // U+205F (medium mathematical space), U+3000 (ideographic space).
            | 0xE2_81_9F | 0xE3_80_80
        );
        if found {
            return url.get(start..i);
        }
    }
    None
}

/// `s` split at its first byte in `set`: the bytes before it and, if there
/// is one, the bytes after it.
fn split_at_any<'a>(s: &'a [u8], set: &[u8]) -> (&'a [u8], Option<&'a [u8]>) {
    let mut i = 0;
    while let Some(b) = s.get(i) {
        if set.iter().any(|c| c == b) {
            break;
        }
        i += 1;
    }
    (s.get(..i).unwrap_or_default(), s.get(i + 1..))
}

/// `s` without `prefix` (lowercase ASCII), if it starts with it in any case.
fn strip_prefix_ignore_case<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| s.get(prefix.len()..).unwrap_or_default())
}

/// Bytes cut from a url by [`check_url`] as text.
fn as_str(bytes: &[u8]) -> &str {
    // SAFETY: `check_url` cuts the url's bytes only next to ASCII bytes (or
    // at its ends), so on char boundaries of the `&str`.
    unsafe { core::str::from_utf8_unchecked(bytes) }
}

/// Checks subprotocols: distinct, non-empty RFC 6455 tokens.
fn check_protocols(protocols: &[String]) -> Result<(), String> {
    for (i, p) in protocols.iter().enumerate() {
        // Printable ASCII but the separators; a byte of a non-ASCII char is none of it.
        let is_token_byte = |b: &u8| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".iter().any(|c| c == b);
        if p.is_empty() || !p.as_bytes().iter().all(is_token_byte) {
            return Err(text!(
                "protocols[",
                i,
                "] ",
                Quoted(p),
                " is not a valid subprotocol; use printable ASCII without spaces or ()<>@,;:\\\"/[]?={}"
            ));
        }
        if protocols.iter().take(i).any(|q| q == p) {
            return Err(text!("protocols lists ", Quoted(p), " more than once; list each subprotocol once"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

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
    fn finds_whitespace_and_controls_as_char_does() {
        let mut buf = [0; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let url = &*c.encode_utf8(&mut buf);
            let expected = (c.is_whitespace() || c.is_control()).then_some(url);
            assert_eq!(first_space_or_control(url), expected, "U+{:04X}", c as u32);
        }
        for (url, found) in [
            ("ws://a\u{a0}b", "\u{a0}"),
            ("ws://h/\u{2028}", "\u{2028}"),
            ("ws://h/x\u{3000}", "\u{3000}"),
            ("ws://\u{1680}h", "\u{1680}"),
            ("ws://h/\u{85}", "\u{85}"),
            ("ws://h/\u{9f}", "\u{9f}"),
            ("ws://h/é\u{202f}é", "\u{202f}"),
            ("ws://h/😀\t", "\t"),
        ] {
            assert_eq!(first_space_or_control(url), Some(found), "{url:?}");
            let err = check_url(url).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "must not contain whitespace or control characters (found {}); percent-encode them",
                    Quoted(found)
                )
            );
        }
        // Neighbours of the non-ASCII whitespace, and chars whose UTF-8 bytes
        // contain theirs, are fine.
        for c in [
            '\u{a1}', '\u{167f}', '\u{1681}', '\u{200b}', '\u{2027}', '\u{202a}', '\u{2060}', '\u{3001}', '\u{c280}',
            '\u{fffd}',
        ] {
            assert_eq!(check_url(&format!("ws://h/{c}")), Ok(()), "U+{:04X}", c as u32);
        }
        assert_eq!(check_url("ws://h/\u{10ffff}\u{1f600}"), Ok(()));
    }

    #[test]
    fn reads_hosts_userinfo_and_ports() {
        for url in [
            "ws://h:0",
            "ws://h:65535",
            "ws://h:00080",
            "ws://[::1]:0/x",
            "ws://[::ffff:1.2.3.4]",
            "ws://[::1]",
            "ws://[::1]?q",
            "ws://[::1]\\x",
            "ws://u@h:1",
            "ws://u:p@[::1]:2",
            "ws://a@b@h",
            "ws://u@h/p@q",
            "ws://h/x:y",
            "ws://h?a=[b]",
            "ws://h:1/[x]",
            "wS://H",
            "Wss://h",
            "ws://é:1",
        ] {
            assert_eq!(check_url(url), Ok(()), "{url}");
        }
        for (url, err) in [
            ("ws://h:+1", "has an invalid port \"+1\"; use a number from 0 to 65535"),
            ("ws://h:-1", "has an invalid port \"-1\"; use a number from 0 to 65535"),
            (
                "ws://h:99999999999999999999",
                "has an invalid port \"99999999999999999999\"; use a number from 0 to 65535",
            ),
            ("ws://h:1é", "has an invalid port \"1é\"; use a number from 0 to 65535"),
            ("ws://h:", "has an invalid port \"\"; use a number from 0 to 65535"),
            ("ws://u:p@h:x/y", "has an invalid port \"x\"; use a number from 0 to 65535"),
            ("ws://[::1]:", "has an invalid port \"\"; use a number from 0 to 65535"),
            ("ws://[::1]:65536", "has an invalid port \"65536\"; use a number from 0 to 65535"),
            ("ws://[::1]:8:9", "has an invalid port \"8:9\"; use a number from 0 to 65535"),
            ("ws://[::1]]", "has text after the IPv6 host; use [addr]:port"),
            ("ws://[::1][", "has text after the IPv6 host; use [addr]:port"),
            ("ws://[é]", "has an invalid IPv6 host [é]"),
            ("ws://[::g]", "has an invalid IPv6 host [::g]"),
            ("ws://[::1/]", "has an IPv6 host without its closing ']'"),
            ("ws://x[::1]", "has a host with the forbidden character \"[\""),
            ("ws://é]", "has a host with the forbidden character \"]\""),
            ("ws://h^:80", "has a host with the forbidden character \"^\""),
            ("ws://h>", "has a host with the forbidden character \">\""),
            ("ws://u@", "has no host; use ws://host[:port]/path"),
            ("ws://h@/x", "has no host; use ws://host[:port]/path"),
            ("ws://x@\\y", "has no host; use ws://host[:port]/path"),
            ("ws:", "must start with ws:// or wss://; use wss:// for a TLS server"),
            ("wss:/", "must start with ws:// or wss://; use wss:// for a TLS server"),
            ("ws\u{17f}://h", "must start with ws:// or wss://; use wss:// for a TLS server"),
            ("é", "must start with ws:// or wss://; use wss:// for a TLS server"),
            ("ws://h#", "must not have a #fragment; WebSocket urls cannot carry one, remove it"),
        ] {
            assert_eq!(check_url(url).unwrap_err(), err, "{url}");
        }
    }

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
        assert!(err(Options { url: "x".into(), ..ok.clone() }).starts_with("invalid config: url \"x\" must start"));
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
        assert!(Options { url: String::new(), url_from_host: true, ..ok.clone() }.validate().is_ok());
        assert!(Options { reconnect: None, connect_timeout_ms: Some(5000.0), ..ok }.validate().is_ok());
    }
}
