//! The wire form of profiles between the JS entry and the wasm: compact
//! JSON, exactly as `JSON.stringify` writes a profile (`"alice"`, `7`,
//! `true`, `["acme",7]`). [`parse_profile`] validates everything it reads
//! (nothing in it can panic), and [`push_json_profile`] writes the one
//! canonical form, so JS can key lists by that string.
//!
//! Numbers are read as JS's `String(n)` writes them: a safe integer is
//! digits; anything else (`0.5`, `NaN`, `1e+21`) is reported, quoted as is.
//!
//! ```
//! use profile_registry::core::wire::{parse_profile, profile_json};
//! use profile_registry::Profile;
//!
//! let p = parse_profile(r#"["acme",7,true,"a\"b"]"#)?;
//! assert_eq!(p, Profile::list(vec!["acme".into(), Profile::int(7)?, true.into(), "a\"b".into()])?);
//! assert_eq!(profile_json(&p), r#"["acme",7,true,"a\"b"]"#);
//! assert!(parse_profile("0.5").unwrap_err().to_string().contains("the number 0.5"));
//! # Ok::<(), profile_registry::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::core::error::Error;
use crate::core::profile::Profile;
use crate::core::text::text;

/// The largest canonical form of a profile, in UTF-8 bytes (64 KiB): with
/// the per-item bounds alone a profile could reach hundreds of megabytes.
///
/// ```
/// use profile_registry::core::wire::{parse_profile, MAX_PROFILE_BYTES};
/// let item = format!("\"{}\"", "x".repeat(1000));
/// let big = format!("[{}]", vec![item; 66].join(","));
/// assert!(big.len() > MAX_PROFILE_BYTES);
/// assert_eq!(parse_profile(&big).unwrap_err().kind(), "InvalidProfileError");
/// ```
pub const MAX_PROFILE_BYTES: usize = 64 * 1024;

/// Appends `s` as a JSON string, escaped as `JSON.stringify` escapes it.
///
/// ```
/// use profile_registry::core::wire::push_json_str;
/// let mut out = String::new();
/// push_json_str(&mut out, "a\"\\\n\u{1}é");
/// assert_eq!(out, r#""a\"\\\n\u0001é""#);
/// ```
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends the canonical JSON form of `p`.
///
/// ```
/// use profile_registry::core::wire::push_json_profile;
/// use profile_registry::Profile;
/// let mut out = String::new();
/// push_json_profile(&mut out, &Profile::list(vec![Profile::int(-3)?, false.into()])?);
/// assert_eq!(out, "[-3,false]");
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn push_json_profile(out: &mut String, p: &Profile) {
    match p {
        Profile::Str(s) => push_json_str(out, s),
        Profile::Int(n) => crate::core::text::Piece::push_to(n, out),
        Profile::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Profile::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_profile(out, item);
            }
            out.push(']');
        }
    }
}

/// The canonical JSON form of `p`.
///
/// ```
/// use profile_registry::core::wire::profile_json;
/// assert_eq!(profile_json(&"alice".into()), r#""alice""#);
/// ```
pub fn profile_json(p: &Profile) -> String {
    let mut out = String::new();
    push_json_profile(&mut out, p);
    out
}

/// Reads a profile from its wire form; any malformed input is an
/// [`Error::InvalidProfile`], never a panic.
///
/// ```
/// use profile_registry::core::wire::parse_profile;
/// assert_eq!(parse_profile("[[[]]]")?.depth(), 3);
/// assert!(parse_profile("[1,").is_err());
/// assert!(parse_profile("9007199254740992").is_err()); // 2^53
/// assert!(parse_profile(r#""\ud800""#).is_err()); // a lone surrogate
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn parse_profile(json: &str) -> Result<Profile, Error> {
    if json.len() > MAX_PROFILE_BYTES {
        return Err(Profile::too_big(json.len()));
    }
    let mut r = Reader { s: json.as_bytes(), i: 0 };
    let p = r.value(0)?;
    if r.i != r.s.len() {
        return Err(malformed());
    }
    Ok(p)
}

fn malformed() -> Error {
    Error::InvalidProfile("malformed profile data".into())
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    /// The text from `start` to the current position. Both are at the
    /// input's start or end or next to an ASCII byte the reader stopped at
    /// (`"`, `\\`, `,`, `]`, `[`), so on char boundaries of the `&str` the
    /// reader was made from.
    fn text(&self, start: usize) -> &'a str {
        let bytes = self.s.get(start..self.i).unwrap_or_default();
        // SAFETY: `self.s` is a `&str`'s bytes and both ends are char boundaries (above).
        unsafe { core::str::from_utf8_unchecked(bytes) }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.i += hit as usize;
        hit
    }

    fn value(&mut self, depth: usize) -> Result<Profile, Error> {
        match self.peek().ok_or_else(malformed)? {
            b'"' => Profile::string(self.string()?),
            b'[' => {
                if depth >= Profile::MAX_DEPTH {
                    return Err(Error::InvalidProfile(Profile::too_deep()));
                }
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        if items.len() == Profile::MAX_LIST_LEN {
                            return Err(Error::InvalidProfile(Profile::too_long(text!("more than ", Profile::MAX_LIST_LEN))));
                        }
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(malformed());
                        }
                    }
                }
                Profile::list(items)
            }
            b't' | b'f' => {
                let rest = self.s.get(self.i..).unwrap_or_default();
                for (word, b) in [(&b"true"[..], true), (&b"false"[..], false)] {
                    if rest.starts_with(word) {
                        self.i += word.len();
                        return Ok(Profile::Bool(b));
                    }
                }
                Err(malformed())
            }
            _ => self.number(),
        }
    }

    /// A number as `String(n)` writes it; only safe integers are profiles.
    fn number(&mut self) -> Result<Profile, Error> {
        let start = self.i;
        while self.peek().is_some_and(|b| b != b',' && b != b']') {
            self.i += 1;
        }
        let raw = self.text(start);
        let (neg, digits) = match raw.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, raw),
        };
        let whole = !digits.is_empty() && digits.len() <= 16 && digits.bytes().all(|b| b.is_ascii_digit());
        let n = whole.then(|| digits.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0')));
        match n {
            Some(n) => Profile::int(if neg { -n } else { n }),
            None => Err(Error::InvalidProfile(text!(
                "the number ",
                raw,
                " cannot be a profile; a number profile must be a safe integer"
            ))),
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let h = self.s.get(self.i..self.i + 4).ok_or_else(malformed)?;
        self.i += 4;
        let mut n = 0;
        for &b in h {
            n = n * 16 + (b as char).to_digit(16).ok_or_else(malformed)?;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.peek().is_some_and(|b| b != b'"' && b != b'\\') {
                self.i += 1;
            }
            out.push_str(self.text(start));
            if out.len() > Profile::MAX_STRING_BYTES {
                break; // Profile::string reports the length
            }
            match self.peek().ok_or_else(malformed)? {
                b'"' => {
                    self.i += 1;
                    break;
                }
                _ => {
                    self.i += 1;
                    let e = self.peek().ok_or_else(malformed)?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(lone_surrogate());
                                }
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            }
                            char::from_u32(cp).ok_or_else(lone_surrogate)?
                        }
                        _ => return Err(malformed()),
                    };
                    out.push(c);
                }
            }
        }
        Ok(out)
    }
}

fn lone_surrogate() -> Error {
    Error::InvalidProfile("a string profile must be well-formed UTF-16 (it has a lone surrogate)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_canonically() {
        for json in [r#""""#, r#""\u0000\t\"""#, "0", "-9007199254740991", "[]", r#"[[1,["x"]],false]"#, "\"é😀\u{2028}\""] {
            let p = parse_profile(json).unwrap();
            assert_eq!(profile_json(&p), json);
        }
        assert_eq!(parse_profile(r#""\ud83d\ude00\/""#).unwrap(), Profile::from("😀/"));
    }

    #[test]
    fn rejects_bad_input() {
        for bad in ["", "[", "[1,]", "[,1]", "tru", "\"abc", "\"\\x\"", "1 ", "nul", "[1]]", "\"\\u12\"", "-", "00x", "\"\\udc00\""] {
            assert_eq!(parse_profile(bad).unwrap_err().kind(), "InvalidProfileError", "{bad:?}");
        }
        assert!(parse_profile("NaN").unwrap_err().to_string().contains("the number NaN cannot be a profile"));
        let deep = format!("{}{}", "[".repeat(9), "]".repeat(9));
        assert!(parse_profile(&deep).unwrap_err().to_string().contains("deep"));
        let long = format!("[{}]", vec!["1"; 65].join(","));
        assert!(parse_profile(&long).is_err());
        let s = format!("\"{}\"", "x".repeat(5000));
        assert!(parse_profile(&s).unwrap_err().to_string().contains("1024"));
    }
}
