//! [`Num`]: a float in messages, written without Rust's float formatting
//! (which would add tens of kilobytes to the wasm for error messages alone).

use std::fmt;

/// Displays an `f64` the way a person reads it: `250`, `0.5`, `1.234`
/// (at most three decimals), `NaN`, `Infinity`.
///
/// ```
/// use profile_registry::core::num::Num;
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
