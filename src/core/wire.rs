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
use crate::core::text::{push_digits, push_slice, text};

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
    // Runs of bytes are pushed whole, cut around each (ASCII) byte to escape.
    let mut done = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "", // below
            _ => continue,
        };
        push_slice(out, s, done, i);
        if escape.is_empty() {
            // \u00XX, whose first X is 0 or 1.
            out.push_str(if b < 0x10 { "\\u000" } else { "\\u001" });
            push_digits(out, u64::from(b & 15), true);
        } else {
            out.push_str(escape);
        }
        done = i + 1;
    }
    push_slice(out, s, done, s.len());
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
        Profile::List(items) => push_json_list(out, items.iter(), push_json_profile),
    }
}

/// Appends `[a,b,...]`, each item written by `push`.
///
/// ```
/// use profile_registry::core::wire::{push_json_list, push_json_str};
/// let mut out = String::new();
/// push_json_list(&mut out, ["a", "b"], |out, s| push_json_str(out, s));
/// assert_eq!(out, r#"["a","b"]"#);
/// ```
pub fn push_json_list<T>(out: &mut String, items: impl IntoIterator<Item = T>, mut push: impl FnMut(&mut String, T)) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push(out, item);
    }
    out.push(']');
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

const MALFORMED: &str = "malformed profile data";

fn malformed() -> Error {
    Error::InvalidProfile(MALFORMED.into())
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

    #[inline(always)] // smaller than its calls
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// The next byte, consumed; `None` at the input's end.
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.i += hit as usize;
        hit
    }

    /// Moves past the bytes up to the next of `stop` (or the end).
    fn skip_until(&mut self, stop: [u8; 2]) {
        while let Some(b) = self.peek() {
            if b == stop[0] || b == stop[1] {
                break;
            }
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Profile, Error> {
        if self.eat(b'"') {
            return Profile::string(self.string().map_err(|why| Error::InvalidProfile(why.into()))?);
        }
        if self.eat(b'[') {
            if depth >= Profile::MAX_DEPTH {
                return Err(Error::InvalidProfile(Profile::too_deep()));
            }
            let mut items = Vec::new();
            if !self.eat(b']') {
                loop {
                    if items.len() == Profile::MAX_LIST_LEN {
                        return Err(Error::InvalidProfile(Profile::too_long(text!("more than ", Profile::MAX_LIST_LEN))));
                    }
                    items.push(self.value(depth + 1)?);
                    match self.next() {
                        Some(b']') => break,
                        Some(b',') => {}
                        _ => return Err(malformed()),
                    }
                }
            }
            // What `Profile::list` checks but the depth and length, which
            // are in bounds here (checked above).
            let p = Profile::List(items);
            let bytes = p.json_len();
            if bytes > MAX_PROFILE_BYTES {
                return Err(Profile::too_big(bytes));
            }
            return Ok(p);
        }
        // A scalar that is not a string runs to the next `,` or `]`: `true`,
        // `false`, or a number as `String(n)` writes it; only safe integers
        // are profiles.
        let start = self.i;
        self.skip_until([b',', b']']);
        let raw = self.text(start);
        match raw.as_bytes().first() {
            Some(b't' | b'f') if raw == "true" || raw == "false" => return Ok(Profile::Bool(raw == "true")),
            Some(b't' | b'f') => return Err(malformed()),
            None if self.peek().is_none() => return Err(malformed()),
            _ => {}
        }
        let (neg, digits) = match raw.as_bytes() {
            [b'-', digits @ ..] => (true, digits),
            digits => (false, digits),
        };
        // The value is used for 1 to 16 digits only, which cannot overflow:
        // wrapping ops for anything else.
        let mut whole = !digits.is_empty() && digits.len() <= 16;
        let mut n = 0i64;
        for &b in digits {
            whole &= b.is_ascii_digit();
            n = n.wrapping_mul(10).wrapping_add(i64::from(b.wrapping_sub(b'0')));
        }
        if !whole {
            return Err(Error::InvalidProfile(text!(
                "the number ",
                raw,
                " cannot be a profile; a number profile must be a safe integer"
            )));
        }
        Profile::int(if neg { -n } else { n })
    }

    /// Four hex digits, as in `\u00e9`.
    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0;
        for _ in 0..4 {
            n = n * 16 + (self.next()? as char).to_digit(16)?;
        }
        Some(n)
    }

    /// The rest of a string after its opening quote, unescaped; it stops
    /// early when too long for a profile (which [`Profile::string`] reports).
    /// The error is the message of an [`Error::InvalidProfile`].
    fn string(&mut self) -> Result<String, &'static str> {
        let mut out = String::new();
        loop {
            let start = self.i;
            self.skip_until([b'"', b'\\']);
            out.push_str(self.text(start));
            if out.len() > Profile::MAX_STRING_BYTES {
                return Ok(out);
            }
            if self.next().ok_or(MALFORMED)? == b'"' {
                return Ok(out);
            }
            // After a `\`.
            let c = match self.next().ok_or(MALFORMED)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'u' => {
                    let mut cp = self.hex4().ok_or(MALFORMED)?;
                    // A high surrogate and a low one are one char; anything
                    // else after a high one leaves it lone.
                    if (0xD800..0xDC00).contains(&cp) && self.eat(b'\\') && self.eat(b'u') {
                        let lo = self.hex4().ok_or(MALFORMED)?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err(LONE_SURROGATE);
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    char::from_u32(cp).ok_or(LONE_SURROGATE)?
                }
                _ => return Err(MALFORMED),
            };
            out.push(c);
        }
    }
}

const LONE_SURROGATE: &str = "a string profile must be well-formed UTF-16 (it has a lone surrogate)";

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
    fn escapes_strings_as_json_stringify() {
        let json = |s: &str| {
            let mut out = String::new();
            push_json_str(&mut out, s);
            out
        };
        for b in 0u8..0x20 {
            let expected = match b {
                b'\n' => "\\n".into(),
                b'\r' => "\\r".into(),
                b'\t' => "\\t".into(),
                8 => "\\b".into(),
                12 => "\\f".into(),
                _ => format!("\\u{b:04x}"),
            };
            assert_eq!(json(&format!("a{}é", b as char)), format!("\"a{expected}é\""));
        }
        assert_eq!(json(""), "\"\"");
        assert_eq!(json("\"\\/"), r#""\"\\/""#);
        // Only ASCII is escaped: DEL, C1 controls, U+2028 and the rest are copied.
        let raw = "\u{7f}\u{80}\u{9f}\u{2028}😀";
        assert_eq!(json(raw), format!("\"{raw}\""));
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

    #[test]
    fn reads_scalars_and_escapes_at_their_edges() {
        let ok = |json: &str| parse_profile(json).unwrap();
        assert_eq!(ok("-0"), Profile::Int(0));
        assert_eq!(ok("007"), Profile::Int(7));
        assert_eq!(ok("[true,false]"), Profile::list(vec![true.into(), false.into()]).unwrap());
        assert_eq!(ok(r#""\u00E9\u00e9\uD83D\uDE00""#), Profile::from("éé😀"));
        assert_eq!(ok(r#""\b\f\n\r\t\/\\\"""#), Profile::from("\u{8}\u{c}\n\r\t/\\\""));
        let why = |json: &str| match parse_profile(json).unwrap_err() {
            Error::InvalidProfile(why) => why,
            e => panic!("{json:?}: {e:?}"),
        };
        let malformed = "malformed profile data";
        let lone = "a string profile must be well-formed UTF-16 (it has a lone surrogate)";
        for json in [
            "",
            "[",
            "[1",
            "[1,",
            "\"a\"1",
            "t",
            "f",
            "true1",
            "[truex]",
            "[false,",
            "\"",
            "\"\\",
            "\"\\u",
            "\"\\u00e",
            "\"\\u00eg\"",
            "\"\\uD83D\\u\"",
        ] {
            assert_eq!(why(json), malformed, "{json:?}");
        }
        for json in
            [r#""\ud800""#, r#""\ud800x""#, r#""\ud800\n""#, r#""\ud800\ud800""#, r#""\udfff""#, r#""\ud83d\u0041""#]
        {
            assert_eq!(why(json), lone, "{json:?}");
        }
        for (json, raw) in [("[,1]", ""), ("[1,]", ""), ("1.0", "1.0"), ("1e3", "1e3"), ("--1", "--1"), ("+1", "+1")] {
            let expected = format!("the number {raw} cannot be a profile; a number profile must be a safe integer");
            assert_eq!(why(json), expected, "{json:?}");
        }
        assert!(why("12345678901234567").starts_with("the number 12345678901234567 cannot"));
        assert_eq!(
            why("9999999999999999"),
            "an integer profile must be a safe integer (|n| <= 2^53 - 1), got 9999999999999999"
        );
        assert_eq!(ok("-9007199254740991"), Profile::Int(-9_007_199_254_740_991));
        // A string too long for a profile is reported as such even unterminated.
        let long = format!("\"{}", "x".repeat(2000));
        assert_eq!(why(&long), "a string profile may be at most 1024 bytes long, got 2000");
        let nested = format!("{}{}", "[".repeat(8), "]".repeat(8));
        assert_eq!(ok(&nested).depth(), 8);
        assert_eq!(
            why(&format!("[{}]", vec!["0"; 65].join(","))),
            "a list profile may hold at most 64 items, got more than 64"
        );
    }
}
