//! Connections against the real local WebSocket server (tests/js/server.mjs,
//! started by the test command, which bakes its address into WS_TEST_URL):
//! echo, drops and reconnects, refusals, duplicate policies, close during a
//! reconnect, queued sends, queue overflow. Runs in Node (global WebSocket
//! via `--experimental-websocket`), headless Chrome and headless Firefox.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Promise, Reflect};
use profile_registry::bindings::api::{start, whereis, is_alive};
use profile_registry::bindings::connection::{conn_close, conn_info, conn_send, connect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

// Set by the test command at build time; a plain build of the tests still
// compiles and says how to run them.
#[allow(clippy::option_env_unwrap)]
fn ws_url() -> &'static str {
    option_env!("WS_TEST_URL").expect("WS_TEST_URL is not set: run these tests through scripts/test.sh (tests/js/with-server.mjs)")
}

#[allow(clippy::option_env_unwrap)]
fn control_url() -> &'static str {
    option_env!("WS_CONTROL_URL").expect("WS_CONTROL_URL is not set: run through scripts/test.sh")
}

mod common;
use common::{obj, prop, s};

async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        let set_timeout: Function = prop(&js_sys::global(), "setTimeout").unchecked_into();
        set_timeout.call2(&JsValue::NULL, &resolve, &ms.into()).unwrap_throw();
    });
    JsFuture::from(p).await.unwrap_throw();
}

async fn control(path: &str) -> JsValue {
    let fetch: Function = prop(&js_sys::global(), "fetch").unchecked_into();
    let resp = JsFuture::from(Promise::from(fetch.call1(&JsValue::NULL, &s(&format!("{}{path}", control_url()))).unwrap_throw()))
        .await
        .unwrap_throw();
    let json: Function = prop(&resp, "json").unchecked_into();
    JsFuture::from(Promise::from(json.call0(&resp).unwrap_throw())).await.unwrap_throw()
}

async fn max_concurrent(profile: &str) -> f64 {
    let stats = control("/control/stats").await;
    let p = prop(&prop(&stats, "profiles"), profile);
    if p.is_undefined() { 0.0 } else { prop(&p, "max").as_f64().unwrap_throw() }
}

/// A connection made through the exported `connect`, with its events logged.
struct Conn {
    js: JsValue,
    id: JsValue,
    events: Array,
    _emit: Closure<dyn Fn(JsValue, JsValue)>,
}

impl Conn {
    fn info(&self, k: &str) -> JsValue {
        prop(&conn_info(self.id.clone()).into(), k)
    }
    fn state(&self) -> String {
        self.info("state").as_string().unwrap_throw()
    }
    fn count(&self, kind: &str) -> usize {
        self.events.iter().filter(|e| Array::from(e).get(0) == kind).count()
    }
    fn details(&self, kind: &str) -> Vec<JsValue> {
        self.events.iter().map(|e| Array::from(&e)).filter(|e| e.get(0) == kind).map(|e| e.get(1)).collect()
    }
    async fn wait(&self, kind: &str, n: usize) {
        for _ in 0..500 {
            if self.count(kind) >= n {
                return;
            }
            sleep(10).await;
        }
        panic!("timed out waiting for {n} {kind:?} events; got {:?}", js_sys::JSON::stringify(&self.events));
    }
}

fn config(profile: &str, extra: &[(&str, JsValue)]) -> JsValue {
    let o = obj(&[
        ("profile", s(profile)),
        ("url", s(&format!("{}/?profile={profile}", ws_url()))),
        ("reconnect", obj(&[("minDelayMs", 20.into()), ("maxDelayMs", 100.into())])),
    ]);
    for (k, v) in extra {
        Reflect::set(&o, &s(k), v).unwrap_throw();
    }
    o
}

/// A connection id never used before in this realm.
fn next_id() -> f64 {
    thread_local!(static NEXT: std::cell::Cell<f64> = const { std::cell::Cell::new(1e9) });
    NEXT.with(|n| {
        n.set(n.get() + 1.0);
        n.get()
    })
}

fn open(cfg: JsValue) -> Result<Conn, JsValue> {
    start(JsValue::UNDEFINED).unwrap_throw();
    let events = Array::new();
    let log = events.clone();
    let emit = Closure::<dyn Fn(JsValue, JsValue)>::new(move |kind, detail| {
        log.push(&Array::of2(&kind, &detail));
    });
    let js: JsValue = Object::new().into();
    let id = JsValue::from(next_id());
    connect(cfg, js.clone(), emit.as_ref().clone(), id.clone())?;
    Ok(Conn { js, id, events, _emit: emit })
}

#[wasm_bindgen_test]
async fn connects_echoes_and_is_found_by_profile() {
    let c = open(config("w-echo", &[])).unwrap_throw();
    assert_eq!(c.state(), "connecting");
    assert!(Object::is(&whereis(JsValue::UNDEFINED, s("w-echo")).unwrap_throw(), &c.js));
    c.wait("open", 1).await;
    conn_send(c.id.clone(), s("hello"), JsValue::UNDEFINED).unwrap_throw();
    conn_send(c.id.clone(), js_sys::Uint8Array::from(&[1u8, 2, 3][..]).into(), JsValue::UNDEFINED).unwrap_throw();
    c.wait("message", 2).await;
    let data = c.details("message");
    assert_eq!(prop(&data[0], "data"), s("hello"));
    assert_eq!(js_sys::Uint8Array::new(&prop(&data[1], "data")).to_vec(), [1, 2, 3]);
    conn_close(c.id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_throw();
    assert_eq!(c.state(), "closed");
    assert_eq!(whereis(JsValue::UNDEFINED, s("w-echo")).unwrap_throw(), JsValue::UNDEFINED);
    assert_eq!(max_concurrent("w-echo").await, 1.0);
}

#[wasm_bindgen_test]
async fn server_drop_reconnects_under_a_new_handle() {
    let c = open(config("w-drop", &[])).unwrap_throw();
    c.wait("open", 1).await;
    let first = c.info("handle");
    control("/control/drop?profile=w-drop").await;
    c.wait("open", 2).await;
    let second = c.info("handle");
    assert_ne!(first, second);
    assert!(!is_alive(first).unwrap_throw(), "the previous handle reads as dead");
    assert!(Object::is(&whereis(JsValue::UNDEFINED, s("w-drop")).unwrap_throw(), &c.js), "same Connection object");
    assert!(c.count("reconnecting") >= 1);
    conn_close(c.id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_throw();
    assert_eq!(max_concurrent("w-drop").await, 1.0);
}

#[wasm_bindgen_test]
async fn refused_then_accepted() {
    control("/control/refuse?ms=300").await;
    let c = open(config("w-refuse", &[])).unwrap_throw();
    c.wait("open", 1).await;
    assert!(c.count("reconnecting") >= 1, "it retried while refused");
    conn_close(c.id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_throw();
    assert_eq!(max_concurrent("w-refuse").await, 1.0);
}

#[wasm_bindgen_test]
async fn duplicate_policies() {
    let a = open(config("w-dup", &[])).unwrap_throw();
    // error (the default): the live connection rides on the error.
    let e = open(config("w-dup", &[])).err().expect("a duplicate connect throws");
    assert_eq!(prop(&e, "name"), s("AlreadyRegisteredError"));
    assert!(Object::is(&prop(&e, "existing"), &a.js));
    // existing: the live connection comes back.
    start(JsValue::UNDEFINED).unwrap_throw();
    let r = connect(
        config("w-dup", &[("onDuplicate", s("existing"))]),
        Object::new().into(),
        Function::new_no_args("").into(),
        next_id().into(),
    )
    .unwrap_throw();
    assert!(Object::is(&prop(&r, "existing"), &a.js));
    a.wait("open", 1).await;
    // replace, while the old socket is open: the old closes fully first.
    let b = open(config("w-dup", &[("onDuplicate", s("replace"))])).unwrap_throw();
    assert_eq!(a.state(), "closed");
    assert!(Object::is(&whereis(JsValue::UNDEFINED, s("w-dup")).unwrap_throw(), &b.js));
    b.wait("open", 1).await;
    // replace again while the new one is still connecting.
    let c = open(config("w-dup", &[("onDuplicate", s("replace"))])).unwrap_throw();
    let d = open(config("w-dup", &[("onDuplicate", s("replace"))])).unwrap_throw();
    d.wait("open", 1).await;
    assert_eq!((b.state(), c.state()), ("closed".into(), "closed".into()));
    conn_close(d.id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_throw();
    sleep(50).await;
    assert_eq!(max_concurrent("w-dup").await, 1.0, "never two sockets for one profile");
}

#[wasm_bindgen_test]
async fn close_during_a_pending_reconnect() {
    let slow = obj(&[("minDelayMs", 300.into()), ("maxDelayMs", 300.into()), ("jitter", 0.into())]);
    let c = open(config("w-pending", &[("reconnect", slow)])).unwrap_throw();
    c.wait("open", 1).await;
    control("/control/drop?profile=w-pending").await;
    c.wait("reconnecting", 1).await;
    conn_close(c.id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_throw();
    assert_eq!(c.state(), "closed");
    sleep(500).await;
    assert_eq!(c.count("open"), 1, "no socket after close");
    let total = prop(&prop(&prop(&control("/control/stats").await, "profiles"), "w-pending"), "total");
    assert_eq!(total, 1);
}

#[wasm_bindgen_test]
async fn queued_sends_arrive_in_order_and_overflow_is_an_error() {
    let limits = obj(&[("maxMessages", 3.into()), ("maxBytes", 1000.into())]);
    let c = open(config("w-queue", &[("queue", limits)])).unwrap_throw();
    for i in 0..3 {
        conn_send(c.id.clone(), s(&format!("m{i}")), JsValue::UNDEFINED).unwrap_throw();
    }
    let e = conn_send(c.id.clone(), s("m3"), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(prop(&e, "name"), s("QueueFullError"));
    assert_eq!(c.info("queued"), 3);
    c.wait("message", 3).await;
    let got: Vec<JsValue> = c.details("message").iter().map(|d| prop(d, "data")).collect();
    assert_eq!(got, [s("m0"), s("m1"), s("m2")]);
    // Bad data: a typed error, nothing queued.
    let e = conn_send(c.id.clone(), Object::new().into(), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(prop(&e, "name"), s("InvalidDataError"));
    // Close with queued messages reports them.
    control("/control/drop?profile=w-queue").await;
    c.wait("reconnecting", 1).await;
    conn_send(c.id.clone(), s("late"), JsValue::UNDEFINED).unwrap_throw();
    conn_close(c.id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_throw();
    let last = c.details("close").pop().unwrap_throw();
    assert_eq!(prop(&last, "rejected"), 1);
    assert_eq!(prop(&last, "final"), true);
}

#[wasm_bindgen_test]
fn bad_options_are_typed_errors_and_register_nothing() {
    for (cfg, name) in [
        (obj(&[("url", s(ws_url()))]), "InvalidConfigError"),
        (obj(&[("profile", 1.5.into()), ("url", s(ws_url()))]), "InvalidProfileError"),
        (config("w-bad", &[("url", s("http://example.com"))]), "InvalidConfigError"),
        (config("w-bad", &[("onDuplicate", s("sometimes"))]), "InvalidConfigError"),
        (config("w-bad", &[("reconnect", obj(&[("factor", 0.5.into())]))]), "InvalidConfigError"),
        (config("w-bad", &[("queue", obj(&[("maxMessages", (-1).into())]))]), "InvalidConfigError"),
        (config("w-bad", &[("WebSocket", 5.into())]), "InvalidConfigError"),
        (config("w-bad", &[("protocols", obj(&[]))]), "InvalidConfigError"),
    ] {
        let e = open(cfg).err().expect("bad options throw");
        assert_eq!(prop(&e, "name"), s(name), "{:?}", prop(&e, "message"));
    }
    assert_eq!(whereis(JsValue::UNDEFINED, s("w-bad")).unwrap_throw(), JsValue::UNDEFINED);
}
