//! Model-based property test: long random sequences of register /
//! unregister / re-register / lookup / update / stale-handle use against a
//! plain `HashMap` model, checking the registry's invariants after each step.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use proptest::prelude::*;
use profile_registry::{Error, Handle, Profile, Registry};

#[derive(Clone, Debug)]
enum Op {
    Register(u8, u32),
    Unregister(u8),
    UnregisterHandle(usize),
    Renew(u8),
    Update(u8, u32),
    Lookup(u8),
    UseOldHandle(usize),
}

fn profile(i: u8) -> Profile {
    // A small key space, so collisions and re-registrations are frequent;
    // mixed kinds, so "1" and 1 must stay apart.
    match i % 4 {
        0 => Profile::from(format!("p{}", i % 6).as_str()),
        1 => Profile::int(i64::from(i % 6)).unwrap(),
        2 => Profile::list(vec![Profile::from("acme"), Profile::int(i64::from(i % 3)).unwrap()]).unwrap(),
        _ => Profile::from(format!("{}", i % 6).as_str()),
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<u8>(), any::<u32>()).prop_map(|(p, v)| Op::Register(p, v)),
        2 => any::<u8>().prop_map(Op::Unregister),
        1 => any::<usize>().prop_map(Op::UnregisterHandle),
        1 => any::<u8>().prop_map(Op::Renew),
        1 => (any::<u8>(), any::<u32>()).prop_map(|(p, v)| Op::Update(p, v)),
        2 => any::<u8>().prop_map(Op::Lookup),
        2 => any::<usize>().prop_map(Op::UseOldHandle),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn registry_agrees_with_a_hashmap_model(ops in prop::collection::vec(op(), 1..60)) {
        let reg: Registry<u32> = Registry::new("model");
        let mut model: HashMap<Profile, (Handle, u32)> = HashMap::new();
        let mut every_handle: Vec<Handle> = Vec::new();

        for op in ops {
            match op {
                Op::Register(p, v) => {
                    let p = profile(p);
                    match (reg.register(p.clone(), v), model.get(&p)) {
                        (Ok(h), None) => {
                            prop_assert!(!every_handle.contains(&h), "a handle is never issued twice");
                            model.insert(p, (h, v));
                            every_handle.push(h);
                        }
                        (Err(Error::AlreadyRegistered { handle, .. }), Some(&(live, _))) => {
                            prop_assert_eq!(handle, Some(live));
                        }
                        (got, want) => prop_assert!(false, "register: got {:?}, model {:?}", got, want),
                    }
                }
                Op::Unregister(p) => {
                    let p = profile(p);
                    prop_assert_eq!(reg.unregister(&p), model.remove(&p).map(|(_, v)| v));
                }
                Op::UnregisterHandle(i) if !every_handle.is_empty() => {
                    let h = every_handle[i % every_handle.len()];
                    let live = model.iter().find(|(_, (mh, _))| *mh == h).map(|(p, (_, v))| (p.clone(), *v));
                    prop_assert_eq!(reg.unregister_handle(h), live.as_ref().map(|(_, v)| *v));
                    if let Some((p, _)) = live {
                        model.remove(&p);
                    }
                }
                Op::UnregisterHandle(_) => {}
                Op::Renew(p) => {
                    let p = profile(p);
                    if let Some((h, v)) = model.get(&p).copied() {
                        let fresh = reg.renew(h).expect("a live handle renews");
                        prop_assert!(!reg.is_alive(h) && reg.is_alive(fresh));
                        prop_assert!(!every_handle.contains(&fresh));
                        every_handle.push(fresh);
                        model.insert(p, (fresh, v));
                    }
                }
                Op::Update(p, v) => {
                    let p = profile(p);
                    let got = reg.update_value(&p, |_| v);
                    match model.get_mut(&p) {
                        Some(entry) => { entry.1 = v; prop_assert_eq!(got, Some(v)); }
                        None => prop_assert_eq!(got, None),
                    }
                }
                Op::Lookup(p) => {
                    let p = profile(p);
                    prop_assert_eq!(reg.lookup(&p), model.get(&p).copied());
                    prop_assert_eq!(reg.whereis(&p), model.get(&p).map(|e| e.1));
                }
                Op::UseOldHandle(i) if !every_handle.is_empty() => {
                    let h = every_handle[i % every_handle.len()];
                    let live = model.values().find(|(mh, _)| *mh == h).map(|e| e.1);
                    // A stale handle never resolves, least of all to a newer entry.
                    prop_assert_eq!(reg.get(h), live);
                    prop_assert_eq!(reg.is_alive(h), live.is_some());
                }
                Op::UseOldHandle(_) => {}
            }
            // Invariants after every step.
            prop_assert_eq!(reg.count(), model.len());
            let entries = reg.entries();
            let mut seen = std::collections::HashSet::new();
            for (p, h, v) in &entries {
                prop_assert!(seen.insert(p.clone()), "at most one live handle per profile");
                prop_assert_eq!(model.get(p), Some(&(*h, *v)));
            }
            let live: usize = every_handle.iter().filter(|h| reg.is_alive(**h)).count();
            prop_assert_eq!(live, model.len(), "exactly the model's handles are alive");
        }
    }
}
