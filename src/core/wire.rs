//! The wire form of profiles between the JS entry and the wasm: compact
//! JSON, exactly as `JSON.stringify` writes a profile (`"alice"`, `7`,
//! `true`, `["acme",7]`). That canonical form is what a [`Profile`] holds:
//! [`parse_profile`] checks in one pass, building nothing, that its input is
//! exactly the canonical form of a profile within the bounds (nothing in it
//! can panic), and keeps the text; [`push_json_profile`] writes it back, so
//! JS can key lists by that string.
//!
//! Numbers are read as JS's `String(n)` writes them: a safe integer is
//! digits; anything else (`0.5`, `NaN`, `1e+21`) is reported, quoted as is.
//! Strings are escaped as `JSON.stringify` escapes them (`\"`, `\\`, `\b`,
//! `\f`, `\n`, `\r`, `\t`, `\u00XX` for the other controls, nothing else);
//! any other form, such as `\/` or `\u00e9`, is malformed.
//!
//! ```
//! use profile_registry::core::wire::{parse_profile, profile_json};
//! use profile_registry::Profile;
//!
//! let p = parse_profile(r#"["acme",7,true,"a\"b"]"#)?;
//! assert_eq!(p, Profile::list(vec!["acme".into(), Profile::int(7)?, true.into(), "a\"b".into()])?);
//! assert_eq!(profile_json(&p), r#"["acme",7,true,"a\"b"]"#);
//! assert!(parse_profile("0.5").unwrap_err().to_string().contains("the number 0.5"));
//! assert!(parse_profile(r#""\u0061""#).unwrap_err().to_string().contains("malformed")); // "a" is written as is
//! # Ok::<(), profile_registry::Error>(())
//! ```

use alloc::string::String;

use crate::core::error::Error;
use crate::core::profile::{Profile, MAX_SAFE_INTEGER};
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
    out.push_str(p.json());
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

/// The canonical JSON form of `p` ([`Profile::json`]).
///
/// ```
/// use profile_registry::core::wire::profile_json;
/// assert_eq!(profile_json(&"alice".into()), r#""alice""#);
/// ```
pub fn profile_json(p: &Profile) -> String {
    p.json().into()
}

/// Reads a profile from its wire form; anything but the canonical form of
/// a profile is an [`Error::InvalidProfile`], never a panic.
///
/// ```
/// use profile_registry::core::wire::parse_profile;
/// assert_eq!(parse_profile("[[[]]]")?.depth(), 3);
/// assert!(parse_profile("[1,").is_err());
/// assert!(parse_profile("[1, 2]").is_err()); // not as JSON.stringify writes it
/// assert!(parse_profile("9007199254740992").is_err()); // 2^53
/// assert!(parse_profile(r#""\ud800""#).is_err()); // a lone surrogate
/// # Ok::<(), profile_registry::Error>(())
/// ```
pub fn parse_profile(json: &str) -> Result<Profile, Error> {
    if json.len() > MAX_PROFILE_BYTES {
        return Err(Profile::too_big(json.len()));
    }
    let mut r = Reader { s: json.as_bytes(), i: 0 };
    r.value(0)?;
    if r.i != r.s.len() {
        return Err(malformed());
    }
    // The whole input is at most MAX_PROFILE_BYTES, so every list in it is.
    Ok(Profile::from_canonical(json))
}

const MALFORMED: &str = "malformed profile data";

fn malformed() -> Error {
    Error::InvalidProfile(MALFORMED.into())
}

/// A validator of canonical profile JSON: it moves over the input and
/// builds nothing.
struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    /// The byte at the position, or 0 at the input's end: a raw NUL is in
    /// no canonical form, so it fails wherever the end would.
    #[inline(always)] // smaller than its calls
    fn peek(&self) -> u8 {
        self.s.get(self.i).copied().unwrap_or(0)
    }

    /// The next byte (0 at the end), consumed.
    fn next(&mut self) -> u8 {
        let b = self.peek();
        self.i += 1;
        b
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == b;
        self.i += hit as usize;
        hit
    }

    fn value(&mut self, depth: usize) -> Result<(), Error> {
        if self.eat(b'"') {
            return self.string();
        }
        if self.eat(b'[') {
            if depth >= Profile::MAX_DEPTH {
                return Err(Error::InvalidProfile(Profile::too_deep()));
            }
            if !self.eat(b']') {
                let mut items = 0;
                loop {
                    if items == Profile::MAX_LIST_LEN {
                        return Err(Error::InvalidProfile(Profile::too_long("more than 64")));
                    }
                    items += 1;
                    self.value(depth + 1)?;
                    match self.next() {
                        b']' => break,
                        b',' => {}
                        _ => return Err(malformed()),
                    }
                }
            }
            return Ok(());
        }
        // A scalar that is not a string runs to the next `,` or `]`: `true`,
        // `false`, or a number as `String(n)` writes it; only safe integers
        // are profiles.
        let start = self.i;
        while !matches!(self.peek(), 0 | b',' | b']') {
            self.i += 1;
        }
        let raw = self.s.get(start..self.i).unwrap_or_default();
        match raw.first() {
            Some(b't' | b'f') if raw == b"true" || raw == b"false" => return Ok(()),
            Some(b't' | b'f') => return Err(malformed()),
            None if self.peek() == 0 => return Err(malformed()),
            _ => {}
        }
        let (neg, digits) = match raw {
            [b'-', digits @ ..] => (true, digits),
            digits => (false, digits),
        };
        // The value is used for 1 to 16 digits only, which cannot overflow:
        // wrapping ops for anything else. `String(n)` writes no leading
        // zero, and `0` for `-0`.
        let mut whole = !digits.is_empty() && digits.len() <= 16 && (digits.first() != Some(&b'0') || (digits.len() == 1 && !neg));
        let mut n = 0i64;
        for &b in digits {
            whole &= b.is_ascii_digit();
            n = n.wrapping_mul(10).wrapping_add(i64::from(b.wrapping_sub(b'0')));
        }
        if !whole {
            // SAFETY: `raw` is of a `&str`'s bytes and runs between ASCII
            // bytes (or the input's ends), so on char boundaries.
            let raw = unsafe { core::str::from_utf8_unchecked(raw) };
            return Err(Error::InvalidProfile(text!(
                "the number ",
                raw,
                " cannot be a profile; a number profile must be a safe integer"
            )));
        }
        if n > MAX_SAFE_INTEGER {
            return Err(Profile::unsafe_int(if neg { -n } else { n }));
        }
        Ok(())
    }

    /// Four lowercase hex digits, as in `\u001f`; above 0xFFFF when they
    /// are not.
    fn hex4(&mut self) -> u32 {
        let mut n = 0;
        for _ in 0..4 {
            let b = self.next();
            let digit = if b.is_ascii_uppercase() { None } else { (b as char).to_digit(16) };
            n = n << 4 | digit.unwrap_or(0x10000);
        }
        n
    }

    /// The rest of a string after its opening quote; its length is that of
    /// the string it stands for, checked at its end (or the input's), or at
    /// its first escape past the bound.
    fn string(&mut self) -> Result<(), Error> {
        let mut len = 0;
        loop {
            let b = self.next();
            if matches!(b, 0 | b'"' | b'\\') && len > Profile::MAX_STRING_BYTES {
                return Err(Profile::too_long_string(len));
            }
            len += 1;
            match b {
                b'"' => return Ok(()),
                b'\\' => match self.next() {
                    b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        let cp = self.hex4();
                        if (0xD800..0xE000).contains(&cp) {
                            // JSON.stringify writes a pair of surrogates as
                            // the char they stand for: escaped, one is lone,
                            // or its pair is not in the canonical form.
                            let pair =
                                cp < 0xDC00 && self.eat(b'\\') && self.eat(b'u') && (0xDC00..0xE000).contains(&self.hex4());
                            return Err(if pair { malformed() } else { Error::InvalidProfile(LONE_SURROGATE.into()) });
                        }
                        // Only the controls without a short escape are
                        // written so (and bad hex digits are above 0xFFFF).
                        if cp >= 0x20 || matches!(cp, 8..=10 | 12 | 13) {
                            return Err(malformed());
                        }
                    }
                    _ => return Err(malformed()),
                },
                // Raw controls are escaped by JSON.stringify (0: the end).
                0..=0x1F => return Err(malformed()),
                _ => {}
            }
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
        assert_eq!(parse_profile("\"😀/\"").unwrap(), Profile::from("😀/"));
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
        assert_eq!(ok("0"), Profile::int(0).unwrap());
        assert_eq!(ok("[true,false]"), Profile::list(vec![true.into(), false.into()]).unwrap());
        assert_eq!(ok("\"éé😀\""), Profile::from("éé😀"));
        assert_eq!(ok(r#""\b\f\n\r\t\\\"\u0000\u001f""#), Profile::from("\u{8}\u{c}\n\r\t\\\"\u{0}\u{1f}"));
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
            // Not as JSON.stringify writes them.
            r#""\/""#,
            r#""\u00e9""#,
            r#""\u00E9""#,
            r#""\u000a""#,
            r#""\u001F""#,
            r#""\ud83d\ude00""#,
            "\"\u{1}\"",
            "\"\n\"",
            // A NUL reads as the end.
            "\"a\0\"",
            "1\0",
            "[1\0]",
            "\0",
        ] {
            assert_eq!(why(json), malformed, "{json:?}");
        }
        for json in
            [r#""\ud800""#, r#""\ud800x""#, r#""\ud800\n""#, r#""\ud800\ud800""#, r#""\udfff""#, r#""\ud83d\u0041""#]
        {
            assert_eq!(why(json), lone, "{json:?}");
        }
        for (json, raw) in
            [("[,1]", ""), ("[1,]", ""), ("1.0", "1.0"), ("1e3", "1e3"), ("--1", "--1"), ("+1", "+1"), ("007", "007"), ("-0", "-0"), (" 1", " 1"), ("[1, 2]", " 2"), ("[ ]", " ")]
        {
            let expected = format!("the number {raw} cannot be a profile; a number profile must be a safe integer");
            assert_eq!(why(json), expected, "{json:?}");
        }
        assert!(why("12345678901234567").starts_with("the number 12345678901234567 cannot"));
        assert_eq!(
            why("9999999999999999"),
            "an integer profile must be a safe integer (|n| <= 2^53 - 1), got 9999999999999999"
        );
        assert_eq!(
            why("-9999999999999999"),
            "an integer profile must be a safe integer (|n| <= 2^53 - 1), got -9999999999999999"
        );
        assert_eq!(ok("-9007199254740991"), Profile::int(-9_007_199_254_740_991).unwrap());
        // A string too long for a profile is reported as such even unterminated.
        let long = format!("\"{}", "x".repeat(2000));
        assert_eq!(why(&long), "a string profile may be at most 1024 bytes long, got 2000");
        // An escape is one byte of the string.
        assert!(ok(&format!("\"{}\"", "\\n".repeat(1024))).as_str().is_some());
        assert_eq!(why(&format!("\"{}\"", "\\u0001".repeat(1025))), "a string profile may be at most 1024 bytes long, got 1025");
        let nested = format!("{}{}", "[".repeat(8), "]".repeat(8));
        assert_eq!(ok(&nested).depth(), 8);
        assert_eq!(
            why(&format!("[{}]", vec!["0"; 65].join(","))),
            "a list profile may hold at most 64 items, got more than 64"
        );
    }
}
