//! The JS-facing API, exercised from wasm through the exported functions:
//! runs under `wasm-pack test --node`, and in headless Chrome and Firefox
//! (the test command sets `WASM_BINDGEN_USE_BROWSER=1` for those).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object};
use profile_registry::bindings::api::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod common;
use common::{arr, obj, prop, s};

fn err_name<T: std::fmt::Debug>(r: Result<T, JsValue>) -> String {
    let e = r.expect_err("expected a thrown error");
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    prop(&e, "name").as_string().unwrap_throw()
}

/// A registry of its own per test, so tests are independent.
fn cfg(name: &str) -> JsValue {
    start(s(name)).unwrap_throw();
    obj(&[("registry", s(name))])
}

fn snapshot(c: &JsValue) -> (u32, String) {
    let k: JsValue = keys(c.clone()).unwrap_throw().into();
    (count(c.clone()).unwrap_throw(), js_sys::JSON::stringify(&k).unwrap_throw().into())
}

#[wasm_bindgen_test]
fn resolve_and_via_follow_the_seed_defaults() {
    let r = resolve(JsValue::UNDEFINED).unwrap_throw();
    assert_eq!(prop(&r, "module"), s("Registry"));
    assert_eq!(prop(&r, "name"), s("ProfileRegistry"));
    let r = resolve(obj(&[("registry", s("Tenants"))])).unwrap_throw();
    assert_eq!((prop(&r, "module"), prop(&r, "name")), (s("Registry"), s("Tenants")));
    let spec = obj(&[("module", s("Horde")), ("name", s("Cluster"))]);
    let r = resolve(obj(&[("registry", spec)])).unwrap_throw();
    assert_eq!((prop(&r, "module"), prop(&r, "name")), (s("Horde"), s("Cluster")));

    let v = via(JsValue::UNDEFINED, arr(&[s("acme"), 1.into()])).unwrap_throw();
    assert!(Object::is_frozen(&v));
    assert_eq!(prop(&v, "via"), s("Registry"));
    // A via resolves to the registry it names.
    let r = resolve(v.into()).unwrap_throw();
    assert_eq!(prop(&r, "name"), s("ProfileRegistry"));
}

#[wasm_bindgen_test]
fn register_whereis_lookup_by_value() {
    let c = cfg("t-basic");
    let list = || arr(&[s("acme"), 1.into()]);
    for (p, v) in [(s("alice"), 1), (7.into(), 2), (true.into(), 3), (list(), 4)] {
        register(c.clone(), p, v.into()).unwrap_throw();
    }
    assert_eq!(whereis(c.clone(), list()).unwrap_throw(), 4); // a fresh array finds it
    assert_eq!(whereis(c.clone(), 7.into()).unwrap_throw(), 2);
    assert_eq!(whereis(c.clone(), s("7")).unwrap_throw(), JsValue::UNDEFINED);
    let e = lookup(c.clone(), s("alice")).unwrap_throw();
    assert_eq!(prop(&e, "value"), 1);
    assert!(prop(&e, "handle").is_string());
    assert_eq!(count(c.clone()).unwrap_throw(), 4);
    unregister(c.clone(), s("alice")).unwrap_throw();
    unregister(c.clone(), s("never")).unwrap_throw(); // absent is fine
    assert_eq!(lookup(c, s("alice")).unwrap_throw(), JsValue::UNDEFINED);
}

#[wasm_bindgen_test]
fn duplicate_register_carries_the_live_owner() {
    let c = cfg("t-dup");
    let owner = obj(&[("id", 1.into())]);
    let h = register(c.clone(), s("alice"), owner.clone()).unwrap_throw();
    let e = register(c.clone(), s("alice"), 2.into()).unwrap_err();
    assert_eq!(prop(&e, "name"), s("AlreadyRegisteredError"));
    assert_eq!(prop(&e, "handle"), h);
    assert!(Object::is(&prop(&e, "existing"), &owner));
    assert!(Object::is(&whereis(c, s("alice")).unwrap_throw(), &owner));
}

#[wasm_bindgen_test]
fn stale_handles_read_as_dead() {
    let c = cfg("t-stale");
    let old = register(c.clone(), s("alice"), 1.into()).unwrap_throw();
    unregister(c.clone(), s("alice")).unwrap_throw();
    let new = register(c.clone(), s("alice"), 2.into()).unwrap_throw();
    assert_ne!(old, new);
    assert_eq!(get(old.clone()).unwrap_throw(), JsValue::UNDEFINED);
    assert!(!is_alive(old.clone()).unwrap_throw());
    assert_eq!(get(new.clone()).unwrap_throw(), 2);
    assert_eq!(profile_of(new).unwrap_throw(), s("alice"));
    // Forged and foreign handles: a harmless miss; malformed ones: a typed error.
    assert_eq!(get(s("999999.0.1")).unwrap_throw(), JsValue::UNDEFINED);
    assert_eq!(err_name(get(5.into())), "InvalidHandleError");
    assert_eq!(err_name(is_alive(s("not a handle"))), "InvalidHandleError");
    // stop() kills every handle of the registry.
    let h = lookup(c, s("alice")).map(|e| prop(&e, "handle")).unwrap_throw();
    assert!(stop(s("t-stale")).unwrap_throw());
    assert!(!is_alive(h).unwrap_throw());
}

#[wasm_bindgen_test]
fn bad_input_throws_typed_errors_and_changes_nothing() {
    let c = cfg("t-bad");
    register(c.clone(), s("keep"), 1.into()).unwrap_throw();
    let before = snapshot(&c);
    let deep = (0..10).fold(s("x"), |acc, _| arr(&[acc]));
    let bad_profiles = [
        obj(&[]),
        1.5.into(),
        f64::NAN.into(),
        f64::INFINITY.into(),
        9_007_199_254_740_992.0.into(),
        js_sys::Symbol::for_("x").into(),
        Function::new_no_args("return 1").into(),
        js_sys::BigInt::from(10).into(),
        JsValue::NULL,
        deep,
        arr(&[s("ok"), obj(&[])]),
        s(&"x".repeat(5000)),
    ];
    for p in bad_profiles {
        assert_eq!(err_name(register(c.clone(), p.clone(), 1.into())), "InvalidProfileError");
        assert_eq!(err_name(whereis(c.clone(), p.clone())), "InvalidProfileError");
        assert_eq!(err_name(unregister(c.clone(), p)), "InvalidProfileError");
    }
    assert_eq!(err_name(whereis(c.clone(), JsValue::UNDEFINED)), "InvalidConfigError");
    for bad_config in [s("Registry"), 5.into(), JsValue::NULL, arr(&[]), obj(&[("registry", 5.into())])] {
        assert_eq!(err_name(whereis(bad_config, s("keep"))), "InvalidConfigError");
    }
    assert_eq!(err_name(register(c.clone(), s("new"), JsValue::UNDEFINED)), "InvalidConfigError");
    assert_eq!(err_name(start(s(""))), "InvalidConfigError");
    assert_eq!(err_name(update_value(c.clone(), s("keep"), 5.into())), "InvalidConfigError");
    assert_eq!(before, snapshot(&c));
    // The module keeps working after every thrown error.
    assert_eq!(whereis(c, s("keep")).unwrap_throw(), 1);
}

#[wasm_bindgen_test]
fn unstarted_registry_names_the_fix() {
    let e = whereis(obj(&[("registry", s("never-started"))]), s("a")).unwrap_err();
    assert_eq!(prop(&e, "name"), s("RegistryNotStartedError"));
    let msg = prop(&e, "message").as_string().unwrap_throw();
    assert!(msg.contains("start(\"never-started\")"), "{msg}");
}

#[wasm_bindgen_test]
fn listeners_may_reenter() {
    let c = cfg("t-listen");
    let log = Array::new();
    // The listener evicts "evict-me" from inside its own register event and
    // records what it sees, re-entering the registry.
    let f = Function::new_with_args(
        "log, api, c, e",
        "log.push(e.type + ':' + e.profile); if (e.type === 'register' && e.profile === 'evict-me') api.unregister(c, 'evict-me');",
    );
    let api = obj(&[(
        "unregister",
        Closure::<dyn Fn(JsValue, JsValue)>::new(|c, p| unregister(c, p).unwrap_throw()).into_js_value(),
    )]);
    let bound = f.bind3(&JsValue::NULL, &log, &api, &c);
    let id = subscribe(c.clone(), bound.into()).unwrap_throw();
    register(c.clone(), s("evict-me"), 1.into()).unwrap_throw();
    register(c.clone(), s("stay"), 2.into()).unwrap_throw();
    assert_eq!(count(c.clone()).unwrap_throw(), 1);
    assert!(unsubscribe(id.into()));
    register(c.clone(), s("quiet"), 3.into()).unwrap_throw();
    let seen: Vec<String> = log.iter().map(|v| v.as_string().unwrap_throw()).collect();
    assert_eq!(seen, ["register:evict-me", "unregister:evict-me", "register:stay"]);
    assert!(!unsubscribe(id.into()));
}

#[wasm_bindgen_test]
fn update_value_and_dispatch() {
    let c = cfg("t-update");
    register(c.clone(), s("n"), 1.into()).unwrap_throw();
    let inc = Function::new_with_args("v", "return v + 1");
    assert_eq!(update_value(c.clone(), s("n"), inc.clone().into()).unwrap_throw(), 2);
    let boom = Function::new_with_args("v", "throw new RangeError('no')");
    assert!(update_value(c.clone(), s("n"), boom.into()).is_err());
    assert_eq!(whereis(c.clone(), s("n")).unwrap_throw(), 2, "a throwing fn changes nothing");
    let twice = Function::new_with_args("v, h", "return [v * 2, typeof h]");
    let r = dispatch(c.clone(), s("n"), twice.clone().into()).unwrap_throw();
    assert_eq!(js_sys::JSON::stringify(&r).unwrap_throw(), "[4,\"string\"]");
    assert_eq!(dispatch(c, s("absent"), twice.into()).unwrap_throw(), JsValue::UNDEFINED);
}

fn map_module() -> JsValue {
    Function::new_no_args(
        "const m = new Map(); const k = (n, p) => JSON.stringify([n, p]);
         return { name: 'MapModule',
           register(n, p, v) { if (m.has(k(n, p))) return false; m.set(k(n, p), v); return true; },
           lookup(n, p) { return m.get(k(n, p)); },
           unregister(n, p) { m.delete(k(n, p)); } };",
    )
    .call0(&JsValue::NULL)
    .unwrap_throw()
}

#[wasm_bindgen_test]
fn pluggable_js_modules_work_through_the_seed() {
    let spec = obj(&[("module", map_module()), ("name", s("Elsewhere"))]);
    let c = obj(&[("registry", spec)]);
    let p = || arr(&[s("acme"), 7.into()]);
    let v = via(c.clone(), p()).unwrap_throw();
    register(v.clone().into(), JsValue::UNDEFINED, s("conn")).unwrap_throw();
    assert_eq!(whereis(v.clone().into(), JsValue::UNDEFINED).unwrap_throw(), s("conn"));
    assert_eq!(whereis(c.clone(), p()).unwrap_throw(), s("conn"));
    let e = register(c.clone(), p(), s("other")).unwrap_err();
    assert_eq!(prop(&e, "name"), s("AlreadyRegisteredError"));
    assert_eq!(prop(&e, "existing"), s("conn"));
    unregister(c.clone(), p()).unwrap_throw();
    assert_eq!(lookup(c.clone(), p()).unwrap_throw(), JsValue::UNDEFINED);
    // The same module plugged by name.
    plug_module(s("Maps"), map_module()).unwrap_throw();
    let named = obj(&[("registry", obj(&[("module", s("Maps")), ("name", s("x"))]))]);
    register(named.clone(), s("a"), 1.into()).unwrap_throw();
    assert_eq!(whereis(named.clone(), s("a")).unwrap_throw(), 1);
    assert!(unplug_module(s("Maps")));
    assert_eq!(err_name(whereis(named, s("a"))), "UnknownModuleError");
    // Local-only calls say so.
    assert_eq!(err_name(keys(c)), "InvalidConfigError");
}

#[wasm_bindgen_test]
fn broken_modules_are_clear_errors() {
    let throwing = Function::new_no_args(
        "return { register() { throw new Error('disk on fire') }, lookup() { return 1 }, unregister() {} }",
    )
    .call0(&JsValue::NULL)
    .unwrap_throw();
    let c = obj(&[("registry", obj(&[("module", throwing), ("name", s("x"))]))]);
    let e = register(c.clone(), s("a"), 1.into()).unwrap_err();
    assert_eq!(prop(&e, "name"), s("RegistryModuleError"));
    assert!(prop(&e, "message").as_string().unwrap_throw().contains("disk on fire"));
    let liar = Function::new_no_args("return { register() { return 'yes' }, lookup() {}, unregister() {} }")
        .call0(&JsValue::NULL)
        .unwrap_throw();
    let c = obj(&[("registry", obj(&[("module", liar), ("name", s("x"))]))]);
    assert_eq!(err_name(register(c, s("a"), 1.into())), "RegistryModuleError");
    let incomplete = obj(&[("register", Function::new_no_args("").into())]);
    let c = obj(&[("registry", obj(&[("module", incomplete), ("name", s("x"))]))]);
    assert_eq!(err_name(whereis(c, s("a"))), "InvalidConfigError");
}

#[wasm_bindgen_test]
fn many_cycles_keep_whereis_exact() {
    let c = cfg("t-cycles");
    let mirror: js_sys::Map = mirrors().get(&s("t-cycles")).unchecked_into();
    for round in 0..200u32 {
        let p = s(&format!("p{}", round % 7));
        let _ = unregister(c.clone(), p.clone());
        register(c.clone(), p.clone(), round.into()).unwrap_throw();
        assert_eq!(whereis(c.clone(), p.clone()).unwrap_throw(), round);
        assert_eq!(mirror.get(&p), round, "the mirror follows the registry");
    }
    assert_eq!(count(c.clone()).unwrap_throw(), 7);
    assert_eq!(mirror.size(), 7);
    stop(s("t-cycles")).unwrap_throw();
    assert_eq!(mirror.size(), 1, "stop empties the mirror...");
    assert_eq!(mirror.get(&JsValue::NULL), JsValue::TRUE, "...and marks it stopped");
    start(s("t-cycles")).unwrap_throw();
    assert_eq!(mirror.size(), 0, "a restart reuses the same map, cleared");
}
