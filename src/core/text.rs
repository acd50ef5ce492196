//! Values in messages, written without Rust's heavier formatting machinery
//! (float formatting, `Debug` escaping with its Unicode tables), which would
//! add tens of kilobytes to the wasm for error messages alone:
//! [`Num`] for floats, [`Quoted`] for strings.

use std::fmt;

/// Displays an `f64` the way a person reads it: `250`, `0.5`, `1.234`
/// (at most three decimals), `NaN`, `Infinity`.
///
/// ```
/// use profile_registry::core::text::Num;
/// assert_eq!(Num(250.0).to_string(), "250");
/// assert_eq!(Num(-0.5).to_string(), "-0.5");
/// assert_eq!(Num(1.0 / 3.0).to_string(), "0.333");
/// assert_eq!(Num(f64::NEG_INFINITY).to_string(), "-Infinity");
/// ```
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x.is_nan() {
            return f.write_str("NaN");
        }
        if x < 0.0 {
            f.write_str("-")?;
        }
        let x = x.abs();
        if x.is_infinite() {
            return f.write_str("Infinity");
        }
        if x >= 1e18 {
            return f.write_str("a very large number");
        }
        let milli = (x * 1000.0).round() as u64;
        let (whole, frac) = (milli / 1000, milli % 1000);
        write!(f, "{whole}")?;
        if frac != 0 {
            let digits = [frac / 100, frac / 10 % 10, frac % 10];
            let used = if digits[2] != 0 { 3 } else if digits[1] != 0 { 2 } else { 1 };
            f.write_str(".")?;
            for d in &digits[..used] {
                write!(f, "{d}")?;
            }
        }
        Ok(())
    }
}

/// Displays a string in double quotes, escaping only `"`, `\\` and control
/// characters: `"alice"`, `"say \\"hi\\""`.
///
/// ```
/// use profile_registry::core::text::Quoted;
/// assert_eq!(Quoted("alice").to_string(), "\"alice\"");
/// assert_eq!(Quoted("a\"b").to_string(), r#""a\"b""#);
/// assert_eq!(Quoted("tab\t").to_string(), r#""tab\u{9}""#);
/// assert_eq!(Quoted("é\n\\\"x").to_string(), r#""é\u{a}\\\"x""#);
/// ```
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let needs_escape = |c: char| c == '"' || c == '\\' || c.is_control();
        // Pieces that each end with the character to escape (the last one
        // may not): no string indexing, whose panic path would pull in
        // `Debug` escaping.
        for piece in self.0.split_inclusive(needs_escape) {
            let mut chars = piece.chars();
            match chars.next_back() {
                Some(c) if needs_escape(c) => {
                    f.write_str(chars.as_str())?;
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        _ => write!(f, "\\u{{{:x}}}", c as u32)?,
                    }
                }
                _ => f.write_str(piece)?,
            }
        }
        f.write_str("\"")
    }
}
