//! A JS object as a registry module: `register(name, key, value) -> boolean`,
//! `lookup(name, key) -> value | undefined`, `unregister(name, key)`. Any
//! object that keeps this contract plugs in with no change to the library.

use alloc::string::String;

use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::bindings::convert::{describe, get, profile_to_js};
use crate::core::text::{text, Quoted};
use crate::{Entry, Error, Handle, Profile, RegistryModule};

/// A JS object implementing the module contract.
pub(crate) struct JsModule(pub Object);

impl JsModule {
    fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue, Error> {
        let fail = |message: String| Error::Module { module: self.label(), message };
        let f: Function = get(&self.0, method)?
            .dyn_into()
            .map_err(|_| fail(text!(method, " is not a function")))?;
        let argv: js_sys::Array = args.iter().collect();
        f.apply(&self.0, &argv).map_err(|e| fail(text!(method, " threw ", thrown(&e))))
    }

    fn label(&self) -> String {
        get(&self.0, "name").ok().and_then(|n| n.as_string()).unwrap_or_else(|| "(module object)".into())
    }
}

fn thrown(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).map(|m| text!(Quoted(&m))).unwrap_or_else(|| describe(e))
}

impl RegistryModule<JsValue> for JsModule {
    fn register(&self, name: &str, profile: &Profile, value: JsValue) -> Result<Option<Handle>, Error> {
        let took = self.call("register", &[name.into(), profile_to_js(profile), value])?;
        match took.as_bool() {
            Some(true) => Ok(None),
            Some(false) => Err(Error::AlreadyRegistered { profile: profile.clone(), registry: name.into(), handle: None }),
            None => Err(Error::Module {
                module: self.label(),
                message: text!("register must return true or false, returned ", describe(&took)),
            }),
        }
    }

    fn lookup(&self, name: &str, profile: &Profile) -> Result<Option<Entry<JsValue>>, Error> {
        let value = self.call("lookup", &[name.into(), profile_to_js(profile)])?;
        Ok((!value.is_undefined()).then_some(Entry { handle: None, value }))
    }

    fn unregister(&self, name: &str, profile: &Profile) -> Result<(), Error> {
        self.call("unregister", &[name.into(), profile_to_js(profile)]).map(|_| ())
    }
}
