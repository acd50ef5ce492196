#![cfg(not(target_arch = "wasm32"))]
//! Random interleavings of user calls, socket events and time against the
//! connection state machine, checking its invariants after every step.
//! The transports include the awkward ones: a close that arrives long after
//! an error, a socket already CLOSING (the host queues with `enqueue`), a
//! server that accepts and closes at once, one that falls silent (heartbeat),
//! one that fences the socket (4409); and user calls made re-entrantly right
//! after every event a step emitted.

use profile_registry::conn::testing::{advance, close_socket, fake_machine, FakeMachine};
use profile_registry::conn::{
    Event, Heartbeat, Message, Options, QueueLimits, ReconnectPolicy, Retry, SocketId, State, TimerId,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Start,
    Send,
    Close(u16),
    /// The transport opens the live socket (if it is the machine's current one).
    Open,
    /// The transport closes the live socket (whatever state the machine is in).
    ServerClose(u16),
    Error,
    Incoming,
    Advance(f64),
    StaleSocket(u64),
    StaleTimer(u64),
    FailSends(bool),
    FailNextOpen,
    /// The host found the socket CLOSING (its close not yet arrived) and queues.
    EnqueueClosing,
    /// The server accepts and at once closes cleanly.
    AcceptThenClose,
    /// Nothing has arrived for this long (what the heartbeat deadline reads).
    Idle(f64),
    Reconnect,
    Online(bool),
    Visible,
    /// Another connection to the origin opened (`Machine::recovered`).
    Recovered,
    /// `inner`, then `reaction` right after each event it emitted (a listener).
    React(Box<Op>, Box<Op>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Start),
        6 => Just(Op::Send),
        1 => prop_oneof![Just(1000u16), Just(4000), Just(1001)].prop_map(Op::Close),
        4 => Just(Op::Open),
        4 => prop_oneof![Just(1000u16), Just(1006)].prop_map(Op::ServerClose),
        1 => Just(Op::Error),
        1 => Just(Op::Incoming),
        5 => prop_oneof![Just(0.0), 0.0..2_000.0, 0.0..100_000.0].prop_map(Op::Advance),
        1 => (0..20u64).prop_map(Op::StaleSocket),
        1 => (0..20u64).prop_map(Op::StaleTimer),
        1 => any::<bool>().prop_map(Op::FailSends),
        1 => Just(Op::FailNextOpen),
        2 => Just(Op::EnqueueClosing),
        2 => Just(Op::AcceptThenClose),
        1 => prop_oneof![Just(0.0), 0.0..100_000.0].prop_map(Op::Idle),
        1 => Just(Op::Reconnect),
        1 => any::<bool>().prop_map(Op::Online),
        1 => Just(Op::Visible),
        1 => Just(Op::Recovered),
        1 => Just(Op::ServerClose(4409)),
        3 => (plain(), user()).prop_map(|(a, b)| Op::React(Box::new(a), Box::new(b))),
    ]
}

/// Socket events and time: what a reaction follows.
fn plain() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Open),
        Just(Op::ServerClose(1006)),
        Just(Op::Error),
        Just(Op::AcceptThenClose),
        (0.0..5_000.0).prop_map(Op::Advance),
    ]
}

/// What user code may call from a listener.
fn user() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Send),
        1 => Just(Op::Close(1000)),
        1 => Just(Op::Reconnect),
        1 => Just(Op::EnqueueClosing),
        1 => Just(Op::Visible),
    ]
}

fn options() -> impl Strategy<Value = Options> {
    let reconnect = prop_oneof![
        1 => Just(None),
        4 => (prop_oneof![Just(None), (0..4u32).prop_map(Some)], 0.0..=1.0f64, 0.0..500.0f64).prop_map(
            |(max_retries, jitter, min)| Some(ReconnectPolicy {
                min_delay_ms: min,
                max_delay_ms: min * 8.0,
                factor: 2.0,
                jitter,
                max_retries,
                min_uptime_ms: min * 4.0,
            })
        ),
    ];
    let queue = prop_oneof![Just((0, 0)), (1..6usize, 1..40usize)]
        .prop_map(|(max_messages, max_bytes)| QueueLimits { max_messages, max_bytes });
    let timeout = prop_oneof![Just(None), (1.0..3_000.0f64).prop_map(Some)];
    let heartbeat = prop_oneof![
        Just(None),
        (1.0..2_000.0f64, 1.0..5_000.0f64).prop_map(|(interval_ms, timeout_ms)| Some(Heartbeat { interval_ms, timeout_ms })),
    ];
    (reconnect, queue, timeout, heartbeat).prop_map(|(reconnect, queue, connect_timeout_ms, heartbeat)| Options {
        reconnect,
        queue,
        connect_timeout_ms,
        heartbeat,
        ..Options::new("p".into(), "ws://h")
    })
}

/// What the test knows from the outside.
#[derive(Default)]
struct Ledger {
    next: usize,
    accepted: Vec<String>,
    refused: usize,
    events: Vec<Event>,
    ended: Option<usize>,
}

impl Ledger {
    fn record(&mut self, m: &mut FakeMachine) -> Result<(), TestCaseError> {
        let new = m.take_events();
        for e in &new {
            if self.ended.is_some() {
                prop_assert!(matches!(e, Event::SocketReleased { .. }), "{e:?} after Ended");
            }
            if let Event::Ended { rejected } = e {
                self.ended = Some(*rejected);
            }
        }
        self.events.extend(new);
        let t = m.transport();
        prop_assert!(t.live().len() <= 1);
        prop_assert_eq!(m.has_live_socket(), !t.live().is_empty());
        // One timer (connect timeout or backoff) until open; while open the
        // uptime timer and the heartbeat's two.
        let most = if m.state() == State::Open { 3 } else { 1 };
        prop_assert!(m.clock_mut().pending() <= most, "{} timers in {:?}", m.clock_mut().pending(), m.state());
        if m.state() == State::Closed {
            prop_assert_eq!(m.clock_mut().pending(), 0);
            prop_assert!(self.ended.is_some());
            prop_assert_eq!(m.queued(), (0, 0));
        }
        // Zero silent loss: every accepted send is delivered, queued, or counted as rejected.
        let sent = m.transport().sent_texts();
        let dropped = self.ended.unwrap_or(0);
        prop_assert_eq!(sent.len() + m.queued().0 + dropped, self.accepted.len());
        prop_assert_eq!(&sent[..], &self.accepted[..sent.len()], "delivered in order, once");
        Ok(())
    }

    fn count(&self, name: &str) -> usize {
        self.events.iter().filter(|e| e.name() == name).count()
    }
}

fn step(m: &mut FakeMachine, ledger: &mut Ledger, op: Op) -> Result<(), TestCaseError> {
    let live = m.transport().live().first().copied();
    match op {
        Op::React(inner, reaction) => {
            step(m, ledger, *inner)?;
            let before = ledger.events.len();
            ledger.record(m)?;
            for _ in before..ledger.events.len() {
                step(m, ledger, (*reaction).clone())?;
                ledger.record(m)?;
            }
        }
        Op::EnqueueClosing => {
            let text = format!("m{}", ledger.next);
            ledger.next += 1;
            match m.enqueue(Message::Text(text.clone()), Some("the socket is closing")) {
                Ok(()) => ledger.accepted.push(text),
                Err(_) => ledger.refused += 1,
            }
        }
        Op::AcceptThenClose => {
            if let Some(s) = live {
                m.on_open(s);
                if m.transport().live().contains(&s) {
                    close_socket(m, s, 1000, "");
                }
            }
        }
        Op::Idle(ms) => m.transport_mut().idle_ms = ms,
        Op::Reconnect => drop(m.reconnect()),
        Op::Online(on) => m.set_online(on),
        Op::Visible => drop(m.retry_now(Retry::Visible)),
        Op::Recovered => {
            let waiting = m.state() == State::Reconnecting && m.socket().is_none() && m.clock_mut().pending() == 1;
            let opens = m.transport().opens.len();
            let retried = m.recovered();
            // It retries exactly when a backoff delay was running (the one timer
            // of a reconnecting machine with no socket), and then opens or waits
            // for the closing socket's release.
            prop_assert_eq!(retried, waiting, "recovered retries exactly when waiting in backoff");
            let before = ledger.events.len();
            ledger.record(m)?;
            if retried {
                let first = &ledger.events[before];
                let recovered = matches!(first, Event::Reconnecting { delay_ms: Some(0.0), reason: Retry::Recovered, .. });
                prop_assert!(recovered, "{:?}", first);
                prop_assert!(m.transport().opens.len() <= opens + 1);
            }
        }
        Op::Start => m.start(),
        Op::Send => {
            let text = format!("m{}", ledger.next);
            ledger.next += 1;
            match m.send(Message::Text(text.clone())) {
                Ok(()) => ledger.accepted.push(text),
                Err(_) => ledger.refused += 1,
            }
        }
        Op::Close(code) => drop(m.close(Some(code), None)),
        Op::Open => {
            if let Some(s) = live {
                m.on_open(s);
            }
        }
        Op::ServerClose(code) => {
            if let Some(s) = live {
                close_socket(m, s, code, "");
            }
        }
        Op::Error => {
            if let Some(s) = live {
                m.on_error(s, "boom".into());
            }
        }
        Op::Incoming => {
            if let Some(s) = live {
                m.on_message(s, "in".into());
            }
        }
        Op::Advance(ms) => drop(advance(m, ms)),
        Op::StaleSocket(id) => {
            let s = SocketId(id + 1000);
            m.on_open(s);
            m.on_message(s, "x".into());
            m.on_error(s, "x".into());
            m.on_close(s, 1006, String::new(), false);
        }
        Op::StaleTimer(id) => m.on_timer(TimerId(id + 1000)),
        Op::FailSends(on) => m.transport_mut().fail_sends = on,
        Op::FailNextOpen => m.transport_mut().fail_opens += 1,
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_any_interleaving(options in options(), ops in prop::collection::vec(op(), 0..80)) {
        let mut m = fake_machine(options).expect("valid options");
        let mut ledger = Ledger::default();
        for op in ops {
            step(&mut m, &mut ledger, op)?;
            ledger.record(&mut m)?;
        }
        // Wind down: close, and let the transport release what is still alive.
        m.close(None, None).expect("a valid close");
        if let Some(&s) = m.transport().live().first() {
            close_socket(&mut m, s, 1000, "");
        }
        ledger.record(&mut m)?;
        advance(&mut m, 1e9);
        ledger.record(&mut m)?;

        prop_assert_eq!(m.state(), State::Closed);
        prop_assert!(!m.has_live_socket());
        prop_assert_eq!(ledger.count("end"), 1);
        let opens = m.transport().opens.len();
        prop_assert_eq!(ledger.count("opening"), opens);
        prop_assert_eq!(ledger.count("close"), opens, "one Close per attempt");
        prop_assert_eq!(ledger.count("socketreleased"), opens, "one release per socket");
        prop_assert_eq!(ledger.accepted.len() + ledger.refused, ledger.next);
        let delivered = m.transport().sent.len();
        prop_assert_eq!(delivered + ledger.ended.unwrap_or(0), ledger.accepted.len());
        for e in &ledger.events {
            if let Event::Reconnecting { delay_ms: Some(ms), .. } = e {
                prop_assert!(ms.is_finite() && *ms >= 0.0 && *ms == ms.trunc());
            }
        }
    }
}
