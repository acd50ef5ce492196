//! [`redact`]: a url with its secrets masked, for every message and event
//! that names one. Credentials travel in urls (`wss://user:token@host`,
//! `?token=...`); errors are logged and shown, so they never carry them.

use alloc::string::String;

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
    let mut out = String::with_capacity(url.len());
    let bytes = url.as_bytes();
    // The authority starts after "scheme://" (or at 0) and ends at / ? # or \.
    let start = find(bytes, b"://").map_or(0, |i| i + 3);
    let end = bytes[start..].iter().position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\')).map_or(bytes.len(), |i| start + i);
    let at = bytes[start..end].iter().rposition(|&b| b == b'@').map(|i| start + i);
    match at {
        Some(at) => {
            out.push_str(url.get(..start).unwrap_or_default());
            out.push_str("***");
            out.push_str(url.get(at..end).unwrap_or_default());
        }
        None => out.push_str(url.get(..end).unwrap_or_default()),
    }
    let rest = url.get(end..).unwrap_or_default();
    let (path, query) = match rest.find('?') {
        Some(q) => (rest.get(..q).unwrap_or_default(), rest.get(q..)),
        None => (rest, None),
    };
    out.push_str(path);
    if let Some(query) = query {
        // "?a=1&b=2#f": each value masked, up to a fragment.
        let (query, fragment) = match query.find('#') {
            Some(h) => (query.get(..h).unwrap_or_default(), query.get(h..).unwrap_or_default()),
            None => (query, ""),
        };
        for (i, pair) in query.get(1..).unwrap_or_default().split('&').enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            match pair.find('=') {
                Some(eq) => {
                    out.push_str(pair.get(..eq).unwrap_or_default());
                    out.push_str("=***");
                }
                None => out.push_str(pair),
            }
        }
        out.push_str(fragment);
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
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
