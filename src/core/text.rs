//! Messages built without `core::fmt`: the formatting machinery (and float
//! formatting, `Debug` escaping with its Unicode tables) would add tens of
//! kilobytes to the wasm for error messages alone.
//!
//! A message is [`Piece`]s pushed into a `String` in order: string slices,
//! integers, [`Num`] for floats, [`Quoted`] for strings. The
//! crate's `text!` macro joins pieces the way `format!("{}{}...")` would.
//! `Display` impls (for native users) delegate to the same code.

use alloc::string::String;
use core::fmt;

/// Something that writes itself into a message.
///
/// ```
/// use profile_registry::core::text::{Num, Piece, Quoted};
///
/// let mut msg = String::new();
/// for piece in [&"got " as &dyn Piece, &Quoted("a"), &" and ", &-12i64, &" and ", &Num(0.5)] {
///     piece.push_to(&mut msg);
/// }
/// assert_eq!(msg, r#"got "a" and -12 and 0.5"#);
/// ```
pub trait Piece {
    /// Appends `self` to `out`.
    fn push_to(&self, out: &mut String);
}

/// A `String` of the pieces in order: `text!("got ", n, " items")` is
/// `format!("got {n} items")` without `core::fmt`.
macro_rules! text {
    ($($piece:expr),+ $(,)?) => {{
        let mut out = ::alloc::string::String::new();
        $( $crate::core::text::Piece::push_to(&$piece, &mut out); )+
        out
    }};
}

pub(crate) use text;

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

impl Piece for bool {
    fn push_to(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// Unsigned integers, in decimal.
macro_rules! unsigned_pieces {
    ($($int:ty),*) => {$(
        impl Piece for $int {
            fn push_to(&self, out: &mut String) {
                push_digits(out, *self as u64, false);
            }
        }
    )*};
}

unsigned_pieces!(u16, u32, u64, usize);

impl Piece for i64 {
    fn push_to(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        push_digits(out, self.unsigned_abs(), false);
    }
}

/// Appends `n` in decimal, or lowercase hex, without leading zeros, as `{}`
/// and `{:x}` write it. Divisions by a non-zero constant: no panic path.
pub(crate) fn push_digits(out: &mut String, n: u64, hex: bool) {
    let radix = if hex { 16 } else { 10 };
    if n >= radix {
        push_digits(out, n / radix, hex); // at most 19 deep
    }
    out.push(char::from_digit((n % radix) as u32, 16).unwrap_or('?'));
}

/// Appends `&s[from..to]`, or nothing when that is not a slice of `s`: no
/// panic path.
#[inline(never)]
pub(crate) fn push_slice(out: &mut String, s: &str, from: usize, to: usize) {
    out.push_str(s.get(from..to).unwrap_or_default());
}

/// An `f64` the way a person reads it: `250`, `0.5`, `1.234` (at most three
/// decimals), `NaN`, `Infinity`.
///
/// ```
/// use profile_registry::core::text::Num;
/// assert_eq!(Num(250.0).to_string(), "250");
/// assert_eq!(Num(-0.5).to_string(), "-0.5");
/// assert_eq!(Num(1.0 / 3.0).to_string(), "0.333");
/// assert_eq!(Num(0.0005).to_string(), "0.001"); // rounded half away from zero
/// assert_eq!(Num(f64::NEG_INFINITY).to_string(), "-Infinity");
/// ```
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Num(pub f64);

impl Piece for Num {
    fn push_to(&self, out: &mut String) {
        let x = self.0;
        if x.is_nan() {
            return out.push_str("NaN");
        }
        if x < 0.0 {
            out.push('-');
        }
        let x = if x < 0.0 { -x } else { x };
        if x.is_infinite() {
            return out.push_str("Infinity");
        }
        if x >= 1e18 {
            return out.push_str("a very large number");
        }
        let milli = round(x * 1000.0);
        let (whole, frac) = (milli / 1000, milli % 1000);
        push_digits(out, whole, false);
        if frac != 0 {
            let digits = [frac / 100, frac / 10 % 10, frac % 10];
            let used = if digits[2] != 0 { 3 } else if digits[1] != 0 { 2 } else { 1 };
            out.push('.');
            for &d in &digits[..used] {
                push_digits(out, d, false);
            }
        }
    }
}

/// `x.round() as u64` (half away from zero) for `x >= 0`, which `core`
/// lacks: below 2^52 the cast truncates exactly and `x - t` is exact; above,
/// `x` is whole (or past `u64::MAX`, where both saturate).
fn round(x: f64) -> u64 {
    let t = x as u64;
    if x - t as f64 >= 0.5 {
        t.saturating_add(1)
    } else {
        t
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text!(self))
    }
}

/// A string in double quotes, escaping only `"`, `\\` and control
/// characters: `"alice"`, `"say \\"hi\\""`.
///
/// ```
/// use profile_registry::core::text::Quoted;
/// assert_eq!(Quoted("alice").to_string(), "\"alice\"");
/// assert_eq!(Quoted("a\"b").to_string(), r#""a\"b""#);
/// assert_eq!(Quoted("tab\t").to_string(), r#""tab\u{9}""#);
/// assert_eq!(Quoted("é\n\\\"x\u{7f}").to_string(), r#""é\u{a}\\\"x\u{7f}""#);
/// ```
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Quoted<'a>(pub &'a str);

impl Piece for Quoted<'_> {
    fn push_to(&self, out: &mut String) {
        out.push('"');
        let s = self.0;
        let bytes = s.as_bytes();
        // Runs of bytes are pushed whole, cut before and after each char to
        // escape: no char iteration (nor string indexing, whose panic path
        // would pull in `Debug` escaping).
        let mut done = 0;
        for (i, &b) in bytes.iter().enumerate() {
            // The char at `i` if it is escaped: `"`, `\` and the control
            // characters (`char::is_control`): U+0000..=U+001F, U+007F and
            // U+0080..=U+009F, whose UTF-8 is 0xC2 then the code point.
            let c = match b {
                b'"' | b'\\' | 0..=0x1F | 0x7F => b,
                0xC2 => match bytes.get(i + 1) {
                    Some(&c @ 0x80..=0x9F) => c,
                    _ => continue,
                },
                _ => continue,
            };
            push_slice(out, s, done, i);
            match c {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                _ => {
                    out.push_str("\\u{");
                    push_digits(out, u64::from(c), true);
                    out.push('}');
                }
            }
            done = i + if c < 0x80 { 1 } else { 2 };
        }
        push_slice(out, s, done, s.len());
        out.push('"');
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text!(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn integers_read_as_with_format() {
        for n in [0, 1, 9, 10, 99, 100, 12345, -1, -10, i64::MAX, i64::MIN] {
            assert_eq!(text!(n), format!("{n}"));
        }
        for n in [u64::MAX, 1 << 63, 10_000_000_000_000_000_000] {
            assert_eq!(text!(n), format!("{n}"));
        }
        assert_eq!(text!(7u16, " ", 8u32, " ", 9usize, " ", "x", " ", true), "7 8 9 x true");
        for n in [0, 1, 9, 10, 15, 16, 255, 0x10ffff, u64::MAX] {
            let mut hex = String::new();
            push_digits(&mut hex, n, true);
            assert_eq!(hex, format!("{n:x}"));
        }
    }

    #[test]
    fn numbers_match_the_formatted_rounding() {
        for x in [0.0, -0.0, 0.4994, 0.4995, 0.5, 1.0005, 2.25, 123.456789, 9.999_9, 1e15 + 0.5, 4.5e15, 1e17, 9.99e17] {
            let milli = (x * 1000.0f64).round() as u64;
            let (whole, frac) = (milli / 1000, milli % 1000);
            let expected = match frac {
                0 => format!("{whole}"),
                _ => format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0')),
            };
            assert_eq!(Num(x).to_string(), expected, "{x}");
            assert_eq!(round(x * 1000.0), milli, "{x}");
        }
        assert_eq!(Num(1e18).to_string(), "a very large number");
        assert_eq!(Num(f64::NAN).to_string(), "NaN");
        assert_eq!(Num(0.05).to_string(), "0.05");
        assert_eq!(Num(0.001).to_string(), "0.001");
        assert_eq!(Num(3.1).to_string(), "3.1");
    }

    #[test]
    fn escapes_read_as_with_format() {
        for c in ['\0', '\u{1f}', '\u{7f}', '\u{9f}', '\u{85}'] {
            let s = c.to_string();
            assert_eq!(Quoted(&s).to_string(), format!("\"\\u{{{:x}}}\"", c as u32));
        }
    }

    #[test]
    fn escapes_only_quotes_backslashes_and_controls() {
        // Every char, alone and between others: `"`, `\` and the chars for
        // which `char::is_control` holds are escaped, the rest copied as is.
        let mut buf = [0; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = &*c.encode_utf8(&mut buf);
            let expected = match c {
                '"' => "\\\"".into(),
                '\\' => "\\\\".into(),
                c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
                c => c.to_string(),
            };
            assert_eq!(Quoted(s).to_string(), format!("\"{expected}\""), "U+{:04X}", c as u32);
            assert_eq!(Quoted(&format!("é{s}x{s}")).to_string(), format!("\"é{expected}x{expected}\""));
        }
        assert_eq!(Quoted("").to_string(), "\"\"");
        assert_eq!(Quoted("\u{80}\u{a0}\u{9f}\u{100}").to_string(), "\"\\u{80}\u{a0}\\u{9f}\u{100}\"");
    }
}
