//! A tour of the registry: start, register by profile, duplicates, restart
//! under a new handle, stale handles, listeners, a pluggable module.
//!
//! `cargo run --example registry`

use std::rc::Rc;

use profile_registry::{via, Config, Error, Namespace, Profile, RegistryRef};

fn main() -> Result<(), Error> {
    let ns: Namespace<String> = Namespace::current();

    // Before start(), the error names the fix.
    if let Err(e) = ns.whereis(&Config::new(), Some(&"alice".into())) {
        println!("before start: {e}");
    }
    let reg = ns.start("ProfileRegistry")?;
    let _log = reg.subscribe(|e| println!("  event: {} {} -> {}", e.kind.as_str(), e.profile, e.handle));

    let acme = Profile::list(vec!["acme".into(), Profile::int(7)?])?;
    let name = via(&Config::new(), acme.clone());
    let first = ns.register(&name, None, "socket #1".to_string())?.expect("the local module hands out handles");
    println!("registered {acme} as {first}; whereis -> {:?}", ns.whereis(&name, None)?);

    match ns.register(&Config::new(), Some(&acme), "socket #2".to_string()) {
        Err(e @ Error::AlreadyRegistered { .. }) => println!("duplicate refused: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    // A restart: same value, fresh handle; the old one reads as dead.
    let second = reg.renew(first).expect("live");
    println!("restarted: {first} -> {second}; old alive? {}, new alive? {}", reg.is_alive(first), reg.is_alive(second));

    // A second registry with the same profile is independent.
    ns.start("Tenants")?;
    let tenants = Config::new().registry(RegistryRef::name("Tenants")?);
    ns.register(&tenants, Some(&acme), "tenant socket".to_string())?;
    println!("{acme} in Tenants: {:?}", ns.whereis(&tenants, Some(&acme))?);

    // Plug another module in; the library does not change.
    let other: Namespace<String> = Namespace::new();
    ns.plug("Elsewhere", Rc::new(profile_registry::LocalModule::from_namespace(&other)))?;
    other.start("far")?;
    let far = Config::new().registry(RegistryRef::spec("Elsewhere", "far")?);
    ns.register(&far, Some(&"bob".into()), "remote socket".to_string())?;
    println!("bob via the Elsewhere module: {:?}", ns.whereis(&far, Some(&"bob".into()))?);

    ns.stop("ProfileRegistry");
    println!("after stop: handle {second} alive? {}", ns.get(second).is_some());
    Ok(())
}
