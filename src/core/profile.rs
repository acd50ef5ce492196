//! [`Profile`]: the key a connection is registered under.
//!
//! A profile is what amarula calls the account: a string, a JS-safe integer, a
//! boolean, or a list of these (nested up to [`Profile::MAX_DEPTH`] levels),
//! compared and hashed by value. Building one from bad input is an
//! [`Error::InvalidProfile`], never a panic.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::core::error::Error;
use crate::core::float::is_whole;
use crate::core::text::{text, Piece, Quoted};

/// The largest integer magnitude a profile may hold: JavaScript's
/// `Number.MAX_SAFE_INTEGER` (2^53 - 1), so every integer profile survives a
/// round trip through a JS number.
///
/// ```
/// use profile_registry::{Profile, MAX_SAFE_INTEGER};
///
/// assert_eq!(MAX_SAFE_INTEGER, 9_007_199_254_740_991);
/// assert!(Profile::int(-MAX_SAFE_INTEGER).is_ok());
/// assert!(Profile::int(MAX_SAFE_INTEGER + 1).is_err());
/// ```
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A registry key, compared and hashed by value.
///
/// ```
/// use profile_registry::Profile;
///
/// let a = Profile::list(vec![Profile::from("acme"), Profile::int(1)?])?;
/// let b = Profile::list(vec!["acme".into(), Profile::int(1)?])?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), r#"["acme", 1]"#);
/// assert!(Profile::int(1 << 60).is_err());
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// A boolean.
    Bool(bool),
    /// An integer with `|n| <= 2^53 - 1`.
    Int(i64),
    /// A string of at most [`Profile::MAX_STRING_BYTES`] UTF-8 bytes.
    Str(String),
    /// A list (tuple) of profiles, at most [`Profile::MAX_LIST_LEN`] long.
    List(Vec<Profile>),
}

impl Profile {
    /// The longest string profile, in UTF-8 bytes.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let max = Profile::MAX_STRING_BYTES;
    /// assert!(Profile::string("é".repeat(max / 2)).is_ok()); // bytes, not chars
    /// assert!(Profile::string("x".repeat(max + 1)).is_err());
    /// ```
    pub const MAX_STRING_BYTES: usize = 1024;
    /// The longest list profile.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let n = Profile::MAX_LIST_LEN;
    /// assert!(Profile::list(vec![Profile::from(true); n]).is_ok());
    /// assert!(Profile::list(vec![Profile::from(true); n + 1]).is_err());
    /// ```
    pub const MAX_LIST_LEN: usize = 64;
    /// How deeply lists may nest (`["a", ["b"]]` has depth 2).
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let mut p = Profile::from("x");
    /// for _ in 0..Profile::MAX_DEPTH {
    ///     p = Profile::list(vec![p])?;
    /// }
    /// assert_eq!(p.depth(), Profile::MAX_DEPTH);
    /// assert!(Profile::list(vec![p]).is_err()); // one level too deep
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub const MAX_DEPTH: usize = 8;

    /// A string profile; errors when longer than [`Profile::MAX_STRING_BYTES`].
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert!(Profile::string("alice").is_ok());
    /// assert!(Profile::string("x".repeat(5000)).is_err());
    /// ```
    pub fn string(s: impl Into<String>) -> Result<Profile, Error> {
        let s = s.into();
        if s.len() > Self::MAX_STRING_BYTES {
            return Err(Error::InvalidProfile(text!(
                "a string profile may be at most ",
                Self::MAX_STRING_BYTES,
                " bytes long, got ",
                s.len()
            )));
        }
        Ok(Profile::Str(s))
    }

    /// An integer profile; errors outside the JS-safe range.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert!(Profile::int(9_007_199_254_740_991).is_ok());
    /// assert!(Profile::int(9_007_199_254_740_992).is_err());
    /// ```
    pub fn int(n: i64) -> Result<Profile, Error> {
        if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) {
            return Err(Error::InvalidProfile(text!(
                "an integer profile must be a safe integer (|n| <= 2^53 - 1), got ",
                n
            )));
        }
        Ok(Profile::Int(n))
    }

    /// An integer profile from a JS number; floats, NaN, infinities and unsafe
    /// integers are errors.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::number(7.0)?, Profile::int(7)?);
    /// assert!(Profile::number(1.5).is_err());
    /// assert!(Profile::number(f64::NAN).is_err());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn number(n: f64) -> Result<Profile, Error> {
        if !n.is_finite() || !is_whole(n) || !(-MAX_SAFE_INTEGER as f64..=MAX_SAFE_INTEGER as f64).contains(&n) {
            // No float formatting here: it would weigh on the wasm size.
            return Err(Error::InvalidProfile(
                "a number profile must be a safe integer (no fraction, NaN or infinity; |n| <= 2^53 - 1)".into(),
            ));
        }
        // `-0` folds into `0`, as `Map` keys do in JS.
        Ok(Profile::Int(n as i64))
    }

    /// A list profile; errors when too long or nested too deeply.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["acme".into(), true.into()])?;
    /// assert_eq!(p.to_string(), r#"["acme", true]"#);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn list(items: Vec<Profile>) -> Result<Profile, Error> {
        if items.len() > Self::MAX_LIST_LEN {
            return Err(Error::InvalidProfile(Self::too_long(items.len())));
        }
        let p = Profile::List(items);
        if p.depth() > Self::MAX_DEPTH {
            return Err(Error::InvalidProfile(Self::too_deep()));
        }
        let bytes = p.json_len();
        if bytes > crate::core::wire::MAX_PROFILE_BYTES {
            return Err(Self::too_big(bytes));
        }
        Ok(p)
    }

    /// The message of a list of `got` items, more than [`Profile::MAX_LIST_LEN`].
    pub(crate) fn too_long(got: impl Piece) -> String {
        text!("a list profile may hold at most ", Self::MAX_LIST_LEN, " items, got ", got)
    }

    /// A profile whose canonical form takes `bytes`, more than
    /// [`crate::core::wire::MAX_PROFILE_BYTES`].
    pub(crate) fn too_big(bytes: usize) -> Error {
        Error::InvalidProfile(text!(
            "a profile may take at most ",
            crate::core::wire::MAX_PROFILE_BYTES,
            " bytes in its canonical (JSON) form, got ",
            bytes,
            "; use a shorter key, such as an account id"
        ))
    }

    /// The message of a list nested more than [`Profile::MAX_DEPTH`] levels.
    pub(crate) fn too_deep() -> String {
        text!("a list profile may nest at most ", Self::MAX_DEPTH, " levels deep")
    }

    /// The length in bytes of the canonical JSON form
    /// ([`crate::core::wire::profile_json`]).
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["a".into(), Profile::int(-10)?, true.into()])?;
    /// assert_eq!(p.json_len(), r#"["a",-10,true]"#.len());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn json_len(&self) -> usize {
        match self {
            Profile::List(items) => 1 + items.iter().map(|i| i.json_len() + 1).sum::<usize>().max(1),
            _ => crate::core::wire::profile_json(self).len(),
        }
    }

    /// How deeply lists nest: 0 for a scalar, 1 for a flat list.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::from("a").depth(), 0);
    /// let flat = Profile::list(vec!["a".into(), true.into()])?;
    /// assert_eq!(flat.depth(), 1);
    /// assert_eq!(Profile::list(vec!["a".into(), flat])?.depth(), 2);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn depth(&self) -> usize {
        match self {
            Profile::List(items) => 1 + items.iter().map(Profile::depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// The string, when this is a string profile.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::from("alice").as_str(), Some("alice"));
    /// assert_eq!(Profile::int(1)?.as_str(), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Profile::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Profile {
    /// A string profile. Strings longer than [`Profile::MAX_STRING_BYTES`] are
    /// only rejected by [`Profile::string`]; use it for untrusted input.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let long = "x".repeat(Profile::MAX_STRING_BYTES + 1);
    /// assert_eq!(Profile::from(long.as_str()).as_str().map(str::len), Some(long.len()));
    /// assert!(Profile::string(long).is_err());
    /// ```
    fn from(s: &str) -> Self {
        Profile::Str(s.into())
    }
}

impl From<bool> for Profile {
    /// A boolean profile, distinct from any string or integer.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::from(true), Profile::Bool(true));
    /// assert_ne!(Profile::from(true), Profile::from("true"));
    /// ```
    fn from(b: bool) -> Self {
        Profile::Bool(b)
    }
}

impl Piece for Profile {
    /// A canonical, JSON-like form: `"alice"`, `7`, `true`, `["acme", 7]`.
    fn push_to(&self, out: &mut String) {
        match self {
            Profile::Bool(b) => b.push_to(out),
            Profile::Int(n) => n.push_to(out),
            Profile::Str(s) => Quoted(s).push_to(out),
            Profile::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.push_to(out);
                }
                out.push(']');
            }
        }
    }
}

impl fmt::Display for Profile {
    /// A canonical, JSON-like form: `"alice"`, `7`, `true`, `["acme", 7]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text!(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn equal_by_value_and_distinct_by_type() {
        let mut set = HashSet::new();
        set.insert(Profile::from("1"));
        set.insert(Profile::int(1).unwrap());
        set.insert(Profile::from(true));
        set.insert(Profile::list(vec![Profile::from("1")]).unwrap());
        assert_eq!(set.len(), 4);
        assert!(set.contains(&Profile::list(vec!["1".into()]).unwrap()));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(Profile::number(f64::INFINITY).is_err());
        assert!(Profile::number(0.1).is_err());
        assert_eq!(Profile::number(-0.0).unwrap(), Profile::Int(0));
        let mut deep = Profile::from("x");
        for _ in 0..Profile::MAX_DEPTH {
            deep = Profile::list(vec![deep]).unwrap();
        }
        assert!(Profile::list(vec![deep]).is_err());
        assert!(Profile::list(vec![Profile::from(true); 65]).is_err());
    }

    #[test]
    fn display_is_canonical() {
        let p = Profile::list(vec!["a\"b".into(), Profile::int(-3).unwrap(), false.into()]).unwrap();
        assert_eq!(p.to_string(), r#"["a\"b", -3, false]"#);
    }
}
