//! [`Profile`]: the key a connection is registered under.
//!
//! A profile is what amarula calls the account: a string, a JS-safe integer, a
//! boolean, or a list of these (nested up to [`Profile::MAX_DEPTH`] levels),
//! compared and hashed by value. Building one from bad input is an
//! [`Error::InvalidProfile`], never a panic.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::core::error::Error;
use crate::core::float::is_whole;
use crate::core::text::{push_slice, text, Piece};
use crate::core::wire::{push_json_list, push_json_str, MAX_PROFILE_BYTES};

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

// The messages of the bounds (here and in `wire`) write them as literals:
// pushing the numbers weighs more in the wasm.
const _: () = assert!(
    Profile::MAX_STRING_BYTES == 1024 && Profile::MAX_LIST_LEN == 64 && Profile::MAX_DEPTH == 8 && MAX_PROFILE_BYTES == 65536
);

/// A registry key, compared and hashed by value.
///
/// A profile is held as its canonical JSON (`JSON.stringify`'s form, see
/// [`crate::core::wire`]): that form is unique, so two profiles are equal
/// exactly when their JSON is, and hashing, comparing and cloning one is
/// that of a string.
///
/// ```
/// use profile_registry::Profile;
///
/// let a = Profile::list(vec![Profile::from("acme"), Profile::int(1)?])?;
/// let b = Profile::list(vec!["acme".into(), Profile::int(1)?])?;
/// assert_eq!(a, b);
/// assert_eq!(a.json(), r#"["acme",1]"#);
/// assert_eq!(a.to_string(), a.json()); // Display is the JSON too
/// assert!(Profile::int(1 << 60).is_err());
/// # Ok::<(), profile_registry::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Profile(Box<str>);

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

    /// A profile of JSON `json`, which the caller checked is canonical.
    pub(crate) fn from_canonical(json: impl Into<Box<str>>) -> Profile {
        Profile(json.into())
    }

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
            return Err(Self::too_long_string(s.len()));
        }
        Ok(Profile::from(s.as_str()))
    }

    /// A string of `bytes`, more than [`Profile::MAX_STRING_BYTES`].
    pub(crate) fn too_long_string(bytes: usize) -> Error {
        Error::InvalidProfile(text!("a string profile may be at most 1024 bytes long, got ", bytes))
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
            return Err(Self::unsafe_int(n));
        }
        Ok(Profile(text!(n).into()))
    }

    /// An integer `n` outside the JS-safe range.
    pub(crate) fn unsafe_int(n: i64) -> Error {
        Error::InvalidProfile(text!("an integer profile must be a safe integer (|n| <= 2^53 - 1), got ", n))
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
        Profile::int(n as i64)
    }

    /// A list profile; errors when too long or nested too deeply.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["acme".into(), true.into()])?;
    /// assert_eq!(p.to_string(), r#"["acme",true]"#);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn list(items: Vec<Profile>) -> Result<Profile, Error> {
        if items.len() > Self::MAX_LIST_LEN {
            return Err(Error::InvalidProfile(Self::too_long(items.len())));
        }
        if items.iter().any(|i| i.depth() >= Self::MAX_DEPTH) {
            return Err(Error::InvalidProfile(Self::too_deep()));
        }
        let mut json = String::new();
        push_json_list(&mut json, &items, |out, p| out.push_str(p.json()));
        if json.len() > MAX_PROFILE_BYTES {
            return Err(Self::too_big(json.len()));
        }
        Ok(Profile(json.into()))
    }

    /// The message of a list of `got` items, more than [`Profile::MAX_LIST_LEN`].
    pub(crate) fn too_long(got: impl Piece) -> String {
        text!("a list profile may hold at most 64 items, got ", got)
    }

    /// A profile whose canonical form takes `bytes`, more than
    /// [`MAX_PROFILE_BYTES`].
    pub(crate) fn too_big(bytes: usize) -> Error {
        Error::InvalidProfile(text!(
            "a profile may take at most 65536 bytes in its canonical (JSON) form, got ",
            bytes,
            "; use a shorter key, such as an account id"
        ))
    }

    /// The message of a list nested more than [`Profile::MAX_DEPTH`] levels.
    pub(crate) fn too_deep() -> String {
        "a list profile may nest at most 8 levels deep".into()
    }

    /// The canonical JSON form, as `JSON.stringify` writes it.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["a\"b".into(), Profile::int(-10)?, true.into()])?;
    /// assert_eq!(p.json(), r#"["a\"b",-10,true]"#);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn json(&self) -> &str {
        &self.0
    }

    /// The length in bytes of the canonical JSON form ([`Profile::json`]).
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["a".into(), Profile::int(-10)?, true.into()])?;
    /// assert_eq!(p.json_len(), r#"["a",-10,true]"#.len());
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn json_len(&self) -> usize {
        self.0.len()
    }

    /// How deeply lists nest: 0 for a scalar, 1 for a flat list.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::from("[a]").depth(), 0);
    /// let flat = Profile::list(vec!["a".into(), true.into()])?;
    /// assert_eq!(flat.depth(), 1);
    /// assert_eq!(Profile::list(vec!["]".into(), flat])?.depth(), 2);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn depth(&self) -> usize {
        let (mut depth, mut max, mut state) = (0, 0, 0);
        for &b in self.0.as_bytes() {
            if outside(&mut state, b) {
                depth = if b == b'[' { depth + 1 } else { depth - (b == b']') as usize };
                max = max.max(depth);
            }
        }
        max
    }

    /// The items of a list profile; `None` for a scalar.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let inner = Profile::list(vec!["b,c]".into(), Profile::int(2)?])?;
    /// let p = Profile::list(vec!["a".into(), inner.clone()])?;
    /// assert_eq!(p.items(), Some(vec!["a".into(), inner]));
    /// assert_eq!(Profile::list(vec![])?.items(), Some(vec![]));
    /// assert_eq!(Profile::from("a").items(), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn items(&self) -> Option<Vec<Profile>> {
        let json = &*self.0;
        if !json.starts_with('[') {
            return None;
        }
        // Each item ends at a `,` one level in or at the list's `]`
        // (outside strings).
        let (mut items, mut depth, mut start, mut state) = (Vec::new(), 0, 1, 0);
        for (i, &b) in json.as_bytes().iter().enumerate() {
            if !outside(&mut state, b) {
                continue;
            }
            match b {
                b'[' => depth += 1,
                b']' => depth -= 1,
                _ => {}
            }
            if (depth == 0 || depth == 1 && b == b',') && i > start {
                items.push(Profile(json.get(start..i).unwrap_or_default().into()));
                start = i + 1;
            }
        }
        Some(items)
    }

    /// The string, when this is a string profile.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::from("alice").as_str().as_deref(), Some("alice"));
    /// assert_eq!(Profile::from("a\"\\\u{8}\u{c}\n\r\t\u{1}\u{1f}é").as_str().as_deref(), Some("a\"\\\u{8}\u{c}\n\r\t\u{1}\u{1f}é"));
    /// assert_eq!(Profile::int(1)?.as_str(), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn as_str(&self) -> Option<String> {
        self.0.starts_with('"').then(|| unquote(&self.0, 1).0)
    }

    /// The strings of a list of strings; `None` for any other profile.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["a".into(), "b\",\"c".into()])?;
    /// assert_eq!(p.strings(), Some(vec!["a".to_string(), "b\",\"c".to_string()]));
    /// assert_eq!(Profile::list(vec![])?.strings(), Some(vec![]));
    /// assert_eq!(Profile::list(vec!["a".into(), true.into()])?.strings(), None);
    /// assert_eq!(Profile::from("a").strings(), None);
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn strings(&self) -> Option<Vec<String>> {
        self.list_strings(unquote)
    }

    /// The strings of a list of strings as they stand in its JSON, their
    /// escapes kept (a string without one reads as itself); `None` for any
    /// other profile. Smaller than [`Profile::strings`] where a string with
    /// an escape fails anyway, as a WebSocket subprotocol does.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let p = Profile::list(vec!["chat".into(), "a\"b".into()])?;
    /// assert_eq!(p.json_strings(), Some(vec!["chat".to_string(), "a\\\"b".to_string()]));
    /// # Ok::<(), profile_registry::Error>(())
    /// ```
    pub fn json_strings(&self) -> Option<Vec<String>> {
        let json = &*self.0;
        if !json.starts_with('[') {
            return None;
        }
        let (mut items, mut start, mut state) = (Vec::new(), 0, 0);
        for (i, &b) in json.as_bytes().iter().enumerate() {
            let was = state;
            if outside(&mut state, b) {
                // Past the `[`, only the `,` and `]` between strings.
                if i > 0 && b != b',' && b != b']' {
                    return None;
                }
            } else if b == b'"' && was == 0 {
                start = i + 1;
            } else if b == b'"' && was == 1 {
                let mut item = String::new();
                push_slice(&mut item, json, start, i);
                items.push(item);
            }
        }
        Some(items)
    }

    /// The strings of a list of strings, each read by `read` (from after
    /// its opening quote: the string and the index of its closing one).
    fn list_strings(&self, read: impl Fn(&str, usize) -> (String, usize)) -> Option<Vec<String>> {
        let json = self.0.as_bytes();
        if json.first() != Some(&b'[') {
            return None;
        }
        // `i` is at the `[` or at the `,` after an item.
        let (mut items, mut i) = (Vec::new(), 0);
        loop {
            match json.get(i + 1) {
                Some(b'"') => {
                    let (s, end) = read(&self.0, i + 2);
                    items.push(s);
                    i = end + 1;
                }
                Some(b']') if i == 0 => return Some(items),
                _ => return None,
            }
            if json.get(i) != Some(&b',') {
                return Some(items);
            }
        }
    }
}

/// The string whose canonical JSON starts at `json[i]` (after its opening
/// quote), and the index of its closing quote. An escape is one of `\"
/// \\ \b \f \n \r \t \u00XX` (lowercase hex), one ASCII char.
fn unquote(json: &str, mut i: usize) -> (String, usize) {
    let at = |i: usize| json.as_bytes().get(i).copied().unwrap_or(b'"');
    // Runs of bytes are pushed whole, cut around each escape.
    let (mut out, mut done) = (String::new(), i);
    while at(i) != b'"' {
        if at(i) != b'\\' {
            i += 1;
            continue;
        }
        push_slice(&mut out, json, done, i);
        let (c, len) = match at(i + 1) {
            b'b' => (8, 2),
            b'f' => (12, 2),
            b'n' => (b'\n', 2),
            b'r' => (b'\r', 2),
            b't' => (b'\t', 2),
            b'u' => {
                let lo = at(i + 5);
                ((at(i + 4).wrapping_sub(b'0') << 4) | lo.wrapping_sub(if lo > b'9' { b'a' - 10 } else { b'0' }), 6)
            }
            e => (e, 2), // `"` or `\`
        };
        out.push(char::from(c));
        i += len;
        done = i;
    }
    push_slice(&mut out, json, done, i);
    (out, i)
}

/// Whether byte `b` of a profile's JSON is outside its strings (quotes are
/// in them); `state` is that after the bytes before (bit 0: in a string,
/// bit 1: after a backslash, which only strings hold), which it moves on.
fn outside(state: &mut u8, b: u8) -> bool {
    let s = *state;
    *state = if s > 1 {
        1
    } else if b == b'\\' {
        3
    } else if b == b'"' {
        s ^ 1
    } else {
        return s == 0;
    };
    false
}

impl From<&str> for Profile {
    /// A string profile. Strings longer than [`Profile::MAX_STRING_BYTES`] are
    /// only rejected by [`Profile::string`]; use it for untrusted input.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// let long = "x".repeat(Profile::MAX_STRING_BYTES + 1);
    /// assert_eq!(Profile::from(long.as_str()).as_str().map(|s| s.len()), Some(long.len()));
    /// assert!(Profile::string(long).is_err());
    /// ```
    fn from(s: &str) -> Self {
        let mut json = String::new();
        push_json_str(&mut json, s);
        Profile(json.into())
    }
}

impl From<bool> for Profile {
    /// A boolean profile, distinct from any string or integer.
    ///
    /// ```
    /// # use profile_registry::Profile;
    /// assert_eq!(Profile::from(true).json(), "true");
    /// assert_ne!(Profile::from(true), Profile::from("true"));
    /// ```
    fn from(b: bool) -> Self {
        Profile((if b { "true" } else { "false" }).into())
    }
}

impl Piece for Profile {
    /// The canonical JSON form, as `JSON.stringify` writes it (and as the
    /// JS entry's messages show profiles): `"alice"`, `7`, `true`,
    /// `["acme",7]`.
    fn push_to(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

impl fmt::Display for Profile {
    /// The canonical JSON form: `"alice"`, `7`, `true`, `["acme",7]`.
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
        assert_eq!(Profile::number(-0.0).unwrap(), Profile::int(0).unwrap());
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
        assert_eq!(p.to_string(), r#"["a\"b",-3,false]"#);
        // Commas in strings are the string's.
        let p = Profile::list(vec!["a,\\".into(), Profile::list(vec![",\",".into(), true.into()]).unwrap()]).unwrap();
        assert_eq!(p.to_string(), r#"["a,\\",[",\",",true]]"#);
    }

    #[test]
    fn depth_and_items_skip_strings() {
        let inner = Profile::list(vec!["[[\"\\".into(), Profile::list(vec![]).unwrap()]).unwrap();
        let p = Profile::list(vec!["]".into(), inner.clone(), Profile::int(-1).unwrap()]).unwrap();
        assert_eq!(p.depth(), 3);
        assert_eq!(p.items().unwrap(), ["]".into(), inner, Profile::int(-1).unwrap()]);
        assert_eq!(p.strings(), None);
        for json in [r#"[["a"]]"#, r#"["a",1]"#, r#"[true,"a"]"#, r#""a""#, "1"] {
            assert_eq!(Profile(json.into()).json_strings(), None, "{json}");
        }
        assert_eq!(Profile("[]".into()).json_strings(), Some(vec![]));
        let odd = Profile::list(vec!["[1,\"]".into(), ",".into()]).unwrap();
        assert_eq!(odd.json_strings(), Some(vec!["[1,\\\"]".to_string(), ",".to_string()]));
        assert_eq!(odd.strings(), Some(vec!["[1,\"]".to_string(), ",".to_string()]));
        assert_eq!(Profile::from("\\\"").as_str().as_deref(), Some("\\\""));
    }
}
