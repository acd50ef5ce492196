//! The registry exports: the realm's named registries of the default
//! module. Values live in JS (the entry's mirror keeps them by profile);
//! Rust decides which profile is registered, under which handle.

use alloc::string::String;

use crate::bindings::abi::export;

use crate::bindings::out::{record, result, F};
use crate::core::local::realm_local;
use crate::core::spec::check_name;
use crate::core::text::text;
use crate::core::wire::{parse_profile, profile_json, push_json_list, push_json_profile};
use crate::{Error, Handle, Namespace, Registry};

realm_local! {
    static NS: Namespace<()> = Namespace::new();
}

/// Runs `f` with the realm's namespace (borrowed, not a clone: no
/// reference count to drop).
fn ns<R>(f: impl FnOnce(&Namespace<()>) -> R) -> R {
    NS.with(f)
}

/// The running registry `name`.
pub(crate) fn running(name: &str) -> Result<Registry<()>, Error> {
    ns(|ns| ns.registry(name))
}

export! {
/// Starts `name` (idempotent); its events go to the outbox.
pub fn start(name: &str) -> u32 {
    result(ns(|ns| {
        let (reg, fresh) = ns.start_fresh(name)?;
        if fresh {
            // Both observers live as long as the registry instance: a
            // stopped one is cleared (they hear its unregisters) and nothing
            // registers into it again, so they hear nothing more.
            reg.observe_always(|e| {
                record(&[F::S("reg"), F::S(e.kind.as_str()), F::S(&e.registry), F::P(&e.profile), F::H(Some(e.handle)), F::B(e.restart)])
            });
            crate::bindings::conn::watch(&reg);
        }
        Ok(String::new())
    }))
}
}

export! {
/// Stops `name` (its entries are unregistered, connections in it close);
/// returns whether it was running.
pub fn stop(name: &str) -> bool {
    let was = ns(|ns| ns.stop(name));
    crate::bindings::conn::settle();
    was
}
}

export! {
/// The running registries' names, as a JSON array.
pub fn names() -> u32 {
    let mut out = String::new();
    push_json_list(&mut out, &ns(Namespace::names), |out, n| crate::core::wire::push_json_str(out, n));
    result(Ok(out))
}
}

/// What an entry export asks of a running registry.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    Register,
    Lookup,
    Unregister,
    Update,
    Keys,
    Count,
    Check,
}

/// One body for every export on a running registry `name` and the profile
/// of JSON `profile` (read first: its error comes before the registry's;
/// `Keys` and `Count` take none, `Check` no registry); `handle` is `Update`'s.
#[inline(never)]
fn on(op: Op, name: &str, profile: &str, handle: &str) -> u32 {
    let r = (|| {
        let p = if matches!(op, Op::Keys | Op::Count) { None } else { Some(parse_profile(profile)?) };
        if let (Op::Check, Some(p)) = (op, &p) {
            return Ok(profile_json(p));
        }
        let reg = running(name)?;
        Ok(match (op, p) {
            (Op::Register, Some(p)) => text!(reg.register(p, ())?),
            (Op::Lookup, Some(p)) => reg.lookup(&p).map(|(h, ())| text!(h)).unwrap_or_default(),
            (Op::Unregister, Some(p)) => {
                reg.unregister(&p);
                String::new()
            }
            (Op::Update, Some(p)) => {
                let h: Handle = handle.parse()?;
                if reg.is_alive(h) && reg.update_value(&p, |()| ()).is_some() { "1".into() } else { String::new() }
            }
            (Op::Keys, _) => {
                let mut out = String::new();
                push_json_list(&mut out, &reg.keys(), push_json_profile);
                out
            }
            _ => text!(reg.count()), // Op::Count
        })
    })();
    if op == Op::Unregister {
        crate::bindings::conn::settle();
    }
    result(r)
}

export! {
/// Registers the profile; its handle, or `AlreadyRegisteredError` naming
/// the live one.
pub fn register(name: &str, profile: &str) -> u32 {
    on(Op::Register, name, profile, "")
}
}

export! {
/// The live handle of the profile, or `""`.
pub fn lookup(name: &str, profile: &str) -> u32 {
    on(Op::Lookup, name, profile, "")
}
}

export! {
/// Unregisters the profile (absent is fine); connections in it close.
pub fn unregister(name: &str, profile: &str) -> u32 {
    on(Op::Unregister, name, profile, "")
}
}

export! {
/// The registered profiles, as a JSON array.
pub fn keys(name: &str) -> u32 {
    on(Op::Keys, name, "", "")
}
}

export! {
/// How many profiles are registered (decimal).
pub fn count(name: &str) -> u32 {
    on(Op::Count, name, "", "")
}
}

export! {
/// Records an update of the entry `handle` (its value changed in JS):
/// `"1"`, or `""` when the entry is no longer live.
pub fn update(name: &str, profile: &str, handle: &str) -> u32 {
    on(Op::Update, name, profile, handle)
}
}

export! {
/// The canonical form of a profile, or `InvalidProfileError`.
pub fn check(profile: &str) -> u32 {
    on(Op::Check, "", profile, "")
}
}

export! {
/// `[registry, profile]` of a live handle as JSON, `""` for a dead one, or
/// `InvalidHandleError` for a malformed one.
pub fn entry(handle: &str) -> u32 {
    result(handle.parse::<Handle>().map(|h| {
        match ns(|ns| ns.registry_of(h)).and_then(|r| r.profile_of(h).map(|p| (r, p))) {
            Some((r, p)) => {
                let mut out = String::new();
                crate::bindings::out::push_fields(&mut out, &[F::S(r.name()), F::P(&p)]);
                out
            }
            None => String::new(),
        }
    }))
}
}

export! {
/// Checks a registry (`what` 0) or module (1) name; `""` when fine.
pub fn name_ok(what: u32, name: &str) -> u32 {
    result(check_name(if what == 0 { "registry" } else { "module" }, name).map(|()| String::new()))
}
}

export! {
/// The error JS detects but the core words: `0` a module name that is not
/// plugged (`a`); `1` a profile (`b`, JSON) a module object already holds
/// in registry `a`; `2` a registry `a` that is not running; `3` the
/// connection of profile `b` is closed; `4` data `a` (described) cannot be sent.
pub fn error(code: u32, a: &str, b: &str) -> u32 {
    let e = match code {
        0 => Error::UnknownModule { module: a.into() },
        2 => Error::NotStarted { name: a.into() },
        4 => Error::InvalidData(a.into()),
        _ => match parse_profile(b) {
            Ok(profile) if code == 1 => Error::AlreadyRegistered { profile, registry: a.into(), handle: None },
            Ok(profile) => Error::ConnectionClosed { profile },
            Err(e) => e,
        },
    };
    result(Err(e))
}
}
