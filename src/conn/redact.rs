//! [`redact`]: a url with its secrets masked, for every message and event
//! that names one. Credentials travel in urls (`wss://user:token@host`,
//! `?token=...`); errors are logged and shown, so they never carry them.

use alloc::string::String;
use alloc::vec::Vec;

/// `url` with the userinfo before `@` and every query value replaced by
/// `***`: `ws://***@host/path?token=***&v=***`. Works on anything (a url
/// that failed validation too), and keeps the rest as it was.
///
/// ```
/// use profile_registry::conn::redact;
///
/// assert_eq!(redact("wss://user:secret@chat.example.com/ws?token=abc&v=2"), "wss://***@chat.example.com/ws?token=***&v=***");
/// assert_eq!(redact("ws://localhost:8080/"), "ws://localhost:8080/");
/// assert_eq!(redact("ws://h/?flag&k="), "ws://h/?flag&k=***");
/// ```
pub fn redact(url: &str) -> String {
    let b = url.as_bytes();
    let at_ = |i: usize| b.get(i).copied().unwrap_or(0);
    // The authority: after "scheme://" (or from 0) up to / ? # or \.
    let start = (0..b.len()).find(|&i| b.get(i..i + 3) == Some(b"://")).map_or(0, |i| i + 3);
    let end = (start..b.len()).find(|&i| matches!(at_(i), b'/' | b'?' | b'#' | b'\\')).unwrap_or(b.len());
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    if let Some(at) = (start..end).rev().find(|&i| at_(i) == b'@') {
        out.extend_from_slice(b.get(..start).unwrap_or_default());
        out.extend_from_slice(b"***");
        i = at;
    }
    // The query's values, each up to the next & or #.
    let (mut query, mut value) = (false, false);
    for &c in b.get(i..).unwrap_or_default() {
        match c {
            b'?' if !query && i >= end => query = true,
            b'&' if query => value = false,
            b'#' if query => (query, value) = (false, false),
            b'=' if query && !value => {
                out.extend_from_slice(b"=***");
                value = true;
                i += 1;
                continue;
            }
            _ if value => {
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    // SAFETY: `out` is `url`'s bytes with runs removed or replaced that
    // start and end next to ASCII bytes (`@`, `=`, `&`, `#`, the end), so
    // on char boundaries, and ASCII inserted: still UTF-8.
    unsafe { String::from_utf8_unchecked(out) }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn masks_userinfo_and_query_values() {
        for (url, want) in [
            ("ws://user:secret@host/?token=secret", "ws://***@host/?token=***"),
            ("wss://a@b@host:1/x?y=1#frag", "wss://***@host:1/x?y=***#frag"),
            ("ws://host/p?token=s3cr3t&x", "ws://host/p?token=***&x"),
            ("not a url at all token=1", "not a url at all token=1"),
            ("ws://user:pw@host", "ws://***@host"),
            ("ws://h/a@b", "ws://h/a@b"), // an @ in the path is not userinfo
            ("", ""),
            ("ws://é:ü@hôst/?ñ=ø", "ws://***@hôst/?ñ=***"),
        ] {
            assert_eq!(redact(url), want, "{url}");
        }
    }
}
