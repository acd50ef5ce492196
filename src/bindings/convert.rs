//! JS values <-> core types: profiles, configs and vias.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::text::{text, Quoted};
use crate::{Error, Handle, Profile, DEFAULT_MODULE, DEFAULT_NAME};

/// A short description of a JS value for error messages.
pub(crate) fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        "undefined".into()
    } else if v.is_null() {
        "null".into()
    } else if v.as_f64().is_some() {
        // JS formats the number: Rust's float formatting would weigh on the wasm size.
        let n: &js_sys::Number = v.unchecked_ref();
        text!("the number ", n.to_string(10).map(String::from).unwrap_or_default())
    } else if let Some(s) = v.as_string() {
        let short: String = s.chars().take(40).collect();
        text!("the string ", Quoted(&short), if short.len() < s.len() { "..." } else { "" })
    } else if Array::is_array(v) {
        "an array".into()
    } else if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        text!("an error: ", Quoted(&String::from(e.message())))
    } else {
        text!("a value of type ", v.js_typeof().as_string().unwrap_or_default())
    }
}

/// Reads `obj[key]`; a throwing getter becomes an [`Error::InvalidConfig`].
pub(crate) fn get(obj: &JsValue, key: &str) -> Result<JsValue, Error> {
    Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|e| Error::InvalidConfig(text!("reading ", Quoted(key), " threw: ", describe(&e))))
}

/// A profile from a JS value: a string, a safe integer, a boolean, or an
/// array of these.
pub(crate) fn profile_from_js(v: &JsValue) -> Result<Profile, Error> {
    profile_at(v, 0)
}

fn profile_at(v: &JsValue, depth: usize) -> Result<Profile, Error> {
    if let Some(s) = v.as_string() {
        // Lone surrogates decode to U+FFFD: two different strings must not
        // become one profile, so only well-formed strings are profiles.
        // (`str::contains` with a non-ASCII char would pull in the substring searcher.)
        if s.chars().any(|c| c == char::REPLACEMENT_CHARACTER) && !v.unchecked_ref::<js_sys::JsString>().is_valid_utf16() {
            return Err(Error::InvalidProfile(
                "a string profile must be well-formed UTF-16 (it has a lone surrogate)".into(),
            ));
        }
        return Profile::string(s);
    }
    if let Some(n) = v.as_f64() {
        return Profile::number(n).map_err(|_| {
            Error::InvalidProfile(text!(describe(v), " cannot be a profile; a number profile must be a safe integer"))
        });
    }
    if let Some(b) = v.as_bool() {
        return Ok(Profile::Bool(b));
    }
    if Array::is_array(v) {
        if depth >= Profile::MAX_DEPTH {
            return Err(Error::InvalidProfile(Profile::too_deep()));
        }
        let len = get(v, "length")
            .map_err(|_| Error::InvalidProfile("reading the length of a list profile threw".into()))?
            .as_f64()
            .unwrap_or(f64::INFINITY);
        if len.is_nan() || len > Profile::MAX_LIST_LEN as f64 {
            return Err(Error::InvalidProfile(Profile::too_long(describe(&get(v, "length").unwrap_or(JsValue::UNDEFINED)))));
        }
        let len = len as u32;
        let mut items = Vec::with_capacity(len as usize);
        for i in 0..len {
            let item = Reflect::get_u32(v, i)
                .map_err(|e| Error::InvalidProfile(text!("reading item ", i, " threw: ", describe(&e))))?;
            items.push(profile_at(&item, depth + 1)?);
        }
        return Profile::list(items);
    }
    Err(Error::InvalidProfile(text!(
        describe(v),
        " cannot be a profile; use a string, a safe integer, a boolean, or an array of these"
    )))
}

/// The JS form of a profile with its arrays frozen, for values that must
/// not change under the registry (a via's profile).
pub(crate) fn frozen_profile_js(p: &Profile) -> JsValue {
    match p {
        Profile::List(items) => Object::freeze(&items.iter().map(frozen_profile_js).collect::<Array>()).into(),
        _ => profile_to_js(p),
    }
}

/// The JS form of a profile (a fresh array for a list).
pub(crate) fn profile_to_js(p: &Profile) -> JsValue {
    match p {
        Profile::Bool(b) => JsValue::from_bool(*b),
        Profile::Int(n) => JsValue::from_f64(*n as f64),
        Profile::Str(s) => JsValue::from_str(s),
        Profile::List(items) => items.iter().map(profile_to_js).collect::<Array>().into(),
    }
}

/// A handle's JS form: its string, or `undefined` for none.
pub(crate) fn handle_js(h: Option<Handle>) -> JsValue {
    h.map(|h| JsValue::from_str(&text!(h))).unwrap_or(JsValue::UNDEFINED)
}

/// Which module a config names.
pub(crate) enum ModuleSel {
    /// A module plugged in by name (`"Registry"` is the default).
    Named(String),
    /// A JS object implementing register / lookup / unregister.
    Object(Object),
}

/// A decoded config or via.
pub(crate) struct Target {
    pub module: ModuleSel,
    pub name: String,
    pub profile: Option<Profile>,
}

impl Target {
    /// `profile` if given (not undefined), else the target's own.
    pub(crate) fn profile(&self, given: &JsValue) -> Result<Profile, Error> {
        if !given.is_undefined() {
            return profile_from_js(given);
        }
        self.profile.clone().ok_or_else(|| {
            Error::InvalidConfig("no profile given: pass one, or use a config or via that carries one".into())
        })
    }
}

fn name_from(v: &JsValue, what: &str) -> Result<String, Error> {
    let name = v.as_string().ok_or_else(|| {
        Error::InvalidConfig(text!(what, " must be a string, got ", describe(v)))
    })?;
    crate::core::spec::check_name("registry", &name)?;
    Ok(name)
}

fn module_from(v: &JsValue) -> Result<ModuleSel, Error> {
    if v.is_undefined() {
        return Ok(ModuleSel::Named(DEFAULT_MODULE.into()));
    }
    if let Some(s) = v.as_string() {
        crate::core::spec::check_name("module", &s)?;
        return Ok(ModuleSel::Named(s));
    }
    if v.is_object() {
        for f in ["register", "lookup", "unregister"] {
            if !get(v, f)?.is_function() {
                return Err(Error::InvalidConfig(text!(
                    "a registry module object must have register, lookup and unregister functions; ",
                    f,
                    " is missing"
                )));
            }
        }
        return Ok(ModuleSel::Object(v.clone().unchecked_into()));
    }
    Err(Error::InvalidConfig(text!(
        "registry.module must be a module name or an object with register/lookup/unregister, got ",
        describe(v)
    )))
}

/// Decodes a config (`undefined` for the defaults, `{ profile?, registry? }`)
/// or a via (`{ via, name, profile }`).
pub(crate) fn target_from_js(config: &JsValue) -> Result<Target, Error> {
    if config.is_undefined() {
        return Ok(Target { module: ModuleSel::Named(DEFAULT_MODULE.into()), name: DEFAULT_NAME.into(), profile: None });
    }
    if !config.is_object() || Array::is_array(config) || config.is_function() {
        return Err(Error::InvalidConfig(text!(
            "a config must be an object such as { registry: \"Name\" } or a via, got ",
            describe(config)
        )));
    }
    let via = get(config, "via")?;
    if !via.is_undefined() {
        let module = module_from(&via)?;
        let name = name_from(&get(config, "name")?, "via.name")?;
        let profile = profile_from_js(&get(config, "profile")?)?;
        return Ok(Target { module, name, profile: Some(profile) });
    }
    let profile = match get(config, "profile")? {
        p if p.is_undefined() => None,
        p => Some(profile_from_js(&p)?),
    };
    let registry = get(config, "registry")?;
    let (module, name) = if registry.is_undefined() {
        (ModuleSel::Named(DEFAULT_MODULE.into()), DEFAULT_NAME.into())
    } else if registry.as_string().is_some() {
        (ModuleSel::Named(DEFAULT_MODULE.into()), name_from(&registry, "registry")?)
    } else if registry.is_object() {
        (module_from(&get(&registry, "module")?)?, name_from(&get(&registry, "name")?, "registry.name")?)
    } else {
        return Err(Error::InvalidConfig(text!(
            "registry must be a registry name or { module, name }, got ",
            describe(&registry)
        )));
    };
    Ok(Target { module, name, profile })
}
