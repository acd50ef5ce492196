//! The exported functions. Every parameter is taken as a `JsValue` and
//! decoded here, so a wrong type is a typed JS error, never a panic in the
//! generated glue.

use alloc::rc::Rc;
use alloc::string::String;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::bindings::convert::{
    describe, frozen_profile_js, handle_js, profile_from_js, profile_to_js, target_from_js, ModuleSel, Target,
};
use crate::bindings::errors::{js_error, IntoJs};
use crate::bindings::js_module::JsModule;
use crate::bindings::{mirror, realm};
use crate::core::spec::check_name;
use crate::core::text::text;
use crate::{Error, Event, Handle, Profile, Registry, RegistryModule, DEFAULT_MODULE, DEFAULT_NAME};

type JsResult<T> = Result<T, JsValue>;

pub(crate) fn module_of(t: &Target) -> Result<Rc<dyn RegistryModule<JsValue>>, Error> {
    match &t.module {
        ModuleSel::Named(name) => realm::ns().module(name),
        ModuleSel::Object(obj) => Ok(Rc::new(JsModule(obj.clone()))),
    }
}

/// The running local registry a target names, for the calls the module
/// contract does not cover (keys, count, subscribe, ...).
fn local(t: &Target, call: &str) -> Result<Registry<JsValue>, Error> {
    match &t.module {
        ModuleSel::Named(m) if m == DEFAULT_MODULE => realm::ns().registry(&t.name),
        _ => Err(Error::InvalidConfig(text!(
            call,
            "() works with the default \"Registry\" module only; the module contract has register, lookup and unregister"
        ))),
    }
}

fn name_arg(name: &JsValue) -> Result<String, Error> {
    if name.is_undefined() {
        return Ok(DEFAULT_NAME.into());
    }
    let s = name
        .as_string()
        .ok_or_else(|| Error::InvalidConfig(text!("a registry name must be a string, got ", describe(name))))?;
    check_name("registry", &s)?;
    Ok(s)
}

fn handle_arg(handle: &JsValue) -> Result<Handle, Error> {
    handle
        .as_string()
        .ok_or_else(|| Error::InvalidHandle(Handle::not_a_handle(describe(handle))))?
        .parse()
}

fn value_arg(value: &JsValue, call: &str) -> Result<(), Error> {
    if value.is_undefined() {
        return Err(Error::InvalidConfig(text!(
            call,
            ": the value must not be undefined (whereis answers undefined for \"none\")"
        )));
    }
    Ok(())
}

fn function_arg<'a>(f: &'a JsValue, what: &str) -> Result<&'a Function, Error> {
    f.dyn_ref::<Function>().ok_or_else(|| Error::InvalidConfig(text!(what, " must be a function, got ", describe(f))))
}

fn object(pairs: &[(&str, &JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v); // a fresh plain object accepts any key
    }
    o
}

fn module_js(m: &ModuleSel) -> JsValue {
    match m {
        ModuleSel::Named(n) => JsValue::from_str(n),
        ModuleSel::Object(o) => o.into(),
    }
}

/// Starts the registry `name` (default `"ProfileRegistry"`) in this realm;
/// idempotent.
#[wasm_bindgen]
pub fn start(name: JsValue) -> JsResult<()> {
    realm::start(&name_arg(&name).js()?).map(|_| ()).js()
}

/// Stops the registry `name`: every entry is unregistered (listeners hear of
/// each) and its handles read as dead. Returns whether it was running.
#[wasm_bindgen]
pub fn stop(name: JsValue) -> JsResult<bool> {
    Ok(realm::stop(&name_arg(&name).js()?))
}

/// The names of the running registries.
#[wasm_bindgen]
pub fn registries() -> Array {
    realm::ns().names().into_iter().map(JsValue::from).collect()
}

/// Plugs a JS module object in under `name`, so configs can name it as a
/// string (`registry: { module: name, name: "..." }`).
#[wasm_bindgen(js_name = plugModule)]
pub fn plug_module(name: JsValue, module: JsValue) -> JsResult<()> {
    let name = name
        .as_string()
        .ok_or_else(|| Error::InvalidConfig(text!("a module name must be a string, got ", describe(&name))))
        .js()?;
    let probe = object(&[("module", &module), ("name", &JsValue::from_str("probe"))]);
    let target = target_from_js(&object(&[("registry", &probe.into())]).into()).js()?;
    match target.module {
        ModuleSel::Object(obj) => realm::ns().plug(&name, Rc::new(JsModule(obj))).js(),
        ModuleSel::Named(_) => Err(Error::InvalidConfig("plugModule needs a module object with register, lookup and unregister".into())).js(),
    }
}

/// Removes a module plugged with `plugModule`; returns whether it was.
#[wasm_bindgen(js_name = unplugModule)]
pub fn unplug_module(name: JsValue) -> bool {
    name.as_string().is_some_and(|n| realm::ns().unplug(&n))
}

/// `{ module, name }`: which registry module and name a config (or via)
/// means, with the defaults `"Registry"` and `"ProfileRegistry"`.
#[wasm_bindgen]
pub fn resolve(config: JsValue) -> JsResult<Object> {
    let t = target_from_js(&config).js()?;
    Ok(object(&[("module", &module_js(&t.module)), ("name", &JsValue::from_str(&t.name))]))
}

/// The frozen via-name `{ via, name, profile }` of `profile` in the registry
/// the config names; usable wherever a config is.
#[wasm_bindgen]
pub fn via(config: JsValue, profile: JsValue) -> JsResult<Object> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    let o = object(&[("via", &module_js(&t.module)), ("name", &JsValue::from_str(&t.name)), ("profile", &frozen_profile_js(&p))]);
    Ok(Object::freeze(&o))
}

/// The live value registered under the profile, or `undefined`.
#[wasm_bindgen]
pub fn whereis(config: JsValue, profile: JsValue) -> JsResult<JsValue> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    Ok(module_of(&t).and_then(|m| m.whereis(&t.name, &p)).js()?.unwrap_or(JsValue::UNDEFINED))
}

/// `{ handle, value }` of the live entry, or `undefined`.
#[wasm_bindgen]
pub fn lookup(config: JsValue, profile: JsValue) -> JsResult<JsValue> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    let entry = module_of(&t).and_then(|m| m.lookup(&t.name, &p)).js()?;
    Ok(entry.map(|e| object(&[("handle", &handle_js(e.handle)), ("value", &e.value)]).into()).unwrap_or(JsValue::UNDEFINED))
}

/// Registers `value` under the profile and returns its handle (`undefined`
/// for modules that hand out none). A held profile throws
/// `AlreadyRegisteredError` with `.handle` and `.existing`.
#[wasm_bindgen]
pub fn register(config: JsValue, profile: JsValue, value: JsValue) -> JsResult<JsValue> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    value_arg(&value, "register").js()?;
    let module = module_of(&t).js()?;
    let original = if profile.is_undefined() { crate::bindings::convert::get(&config, "profile").unwrap_or(profile) } else { profile };
    match mirror::with_key_hint(&p, &original, || module.register(&t.name, &p, value)) {
        Ok(h) => Ok(handle_js(h)),
        Err(e @ Error::AlreadyRegistered { .. }) => {
            let existing = module.whereis(&t.name, &p).ok().flatten().unwrap_or(JsValue::UNDEFINED);
            Err(js_error(&e, &[("existing", existing)]))
        }
        Err(e) => Err(js_error(&e, &[])),
    }
}

/// Unregisters the profile; an absent profile is fine.
#[wasm_bindgen]
pub fn unregister(config: JsValue, profile: JsValue) -> JsResult<()> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    module_of(&t).and_then(|m| m.unregister(&t.name, &p)).js()
}

/// The registered profiles.
#[wasm_bindgen]
pub fn keys(config: JsValue) -> JsResult<Array> {
    let t = target_from_js(&config).js()?;
    Ok(local(&t, "keys").js()?.keys().iter().map(profile_to_js).collect())
}

/// How many profiles are registered.
#[wasm_bindgen]
pub fn count(config: JsValue) -> JsResult<u32> {
    let t = target_from_js(&config).js()?;
    Ok(local(&t, "count").js()?.count() as u32)
}

/// Replaces the live value with `fn(old)` and returns it (`undefined` when
/// the profile is absent). A throwing `fn` changes nothing.
#[wasm_bindgen(js_name = updateValue)]
pub fn update_value(config: JsValue, profile: JsValue, f: JsValue) -> JsResult<JsValue> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    let f = function_arg(&f, "updateValue's second argument").js()?;
    let reg = local(&t, "updateValue").js()?;
    let updated = reg.try_update_value(&p, |old| {
        let new = f.call1(&JsValue::UNDEFINED, &old)?;
        value_arg(&new, "updateValue's function").js()?;
        Ok::<_, JsValue>(new)
    })?;
    Ok(updated.unwrap_or(JsValue::UNDEFINED))
}

/// Calls `fn(value, handle)` with the live entry and returns its result;
/// `fn` is not called (and `undefined` returned) when the profile is absent.
#[wasm_bindgen]
pub fn dispatch(config: JsValue, profile: JsValue, f: JsValue) -> JsResult<JsValue> {
    let t = target_from_js(&config).js()?;
    let p = t.profile(&profile).js()?;
    let f = function_arg(&f, "dispatch's second argument").js()?;
    let entry = module_of(&t).and_then(|m| m.lookup(&t.name, &p)).js()?;
    match entry {
        Some(e) => f.call2(&JsValue::UNDEFINED, &e.value, &handle_js(e.handle)),
        None => Ok(JsValue::UNDEFINED),
    }
}

/// The live value behind a handle, or `undefined` once it is stale.
#[wasm_bindgen]
pub fn get(handle: JsValue) -> JsResult<JsValue> {
    Ok(realm::ns().get(handle_arg(&handle).js()?).unwrap_or(JsValue::UNDEFINED))
}

/// Whether a handle names a live entry.
#[wasm_bindgen(js_name = isAlive)]
pub fn is_alive(handle: JsValue) -> JsResult<bool> {
    let h = handle_arg(&handle).js()?;
    Ok(realm::ns().registry_of(h).is_some_and(|r| r.is_alive(h)))
}

/// The profile behind a live handle, or `undefined`.
#[wasm_bindgen(js_name = profileOf)]
pub fn profile_of(handle: JsValue) -> JsResult<JsValue> {
    let h = handle_arg(&handle).js()?;
    Ok(realm::ns().registry_of(h).and_then(|r| r.profile_of(h)).map(|p| profile_to_js(&p)).unwrap_or(JsValue::UNDEFINED))
}

fn event_js(e: &Event<JsValue>) -> JsValue {
    object(&[
        ("type", &JsValue::from_str(e.kind.as_str())),
        ("registry", &JsValue::from_str(&e.registry)),
        ("profile", &profile_to_js(&e.profile)),
        ("handle", &handle_js(Some(e.handle))),
        ("value", &e.value),
    ])
    .into()
}

/// Reports an exception thrown by user code that has no caller to throw to
/// (a listener), the way the DOM does: `reportError`, else `console.error`.
pub(crate) fn report(err: &JsValue) {
    let global = crate::web::global();
    match Reflect::get(&global, &JsValue::from_str("reportError")).ok().and_then(|f| f.dyn_into::<Function>().ok()) {
        Some(f) => {
            let _ = f.call1(&global, err);
        }
        None => web_console_error(err),
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_console_error(e: &JsValue);
}

/// Calls `listener(event)` after each register / unregister / update of the
/// registry the config names; returns an id for `unsubscribe`. A throwing
/// listener is reported (`reportError`) and the others still run.
#[wasm_bindgen]
pub fn subscribe(config: JsValue, listener: JsValue) -> JsResult<f64> {
    let t = target_from_js(&config).js()?;
    let f = function_arg(&listener, "the listener").js()?.clone();
    let reg = local(&t, "subscribe").js()?;
    let sub = reg.subscribe(move |e| {
        if let Err(err) = f.call1(&JsValue::UNDEFINED, &event_js(e)) {
            report(&err);
        }
    });
    Ok(realm::keep_listener(sub))
}

/// Drops the listener `id`; returns whether it was subscribed.
#[wasm_bindgen]
pub fn unsubscribe(id: JsValue) -> bool {
    id.as_f64().is_some_and(realm::drop_listener)
}

/// The mirror maps (`name -> Map(profile -> value)`) the package's
/// `whereis` fast path reads. Internal.
#[wasm_bindgen(js_name = __mirrors)]
pub fn mirrors() -> js_sys::Map {
    realm::mirrors()
}

/// A profile, validated and normalised the way the registry sees it (a fresh
/// array for lists); throws `InvalidProfileError` for anything else.
#[wasm_bindgen(js_name = checkProfile)]
pub fn check_profile(profile: JsValue) -> JsResult<JsValue> {
    let p: Profile = profile_from_js(&profile).js()?;
    Ok(profile_to_js(&p))
}
