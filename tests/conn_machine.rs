//! Scenario tests of the connection state machine over the fakes.

use profile_registry::conn::testing::{advance, close_socket, fake_machine, FakeMachine};
use profile_registry::conn::{
    Event, Heartbeat, Message, Options, QueueLimits, ReconnectPolicy, Retry, SocketId, State, TimerId,
};
use profile_registry::{Error, Profile};

fn options() -> Options {
    let mut o = Options::new("alice".into(), "wss://chat.example.com/ws");
    o.reconnect = Some(ReconnectPolicy { jitter: 0.0, ..Default::default() });
    o
}

fn started(o: Options) -> FakeMachine {
    let mut m = fake_machine(o).expect("valid options");
    m.start();
    m
}

/// Starts, opens the first socket and clears the outbox.
fn opened(o: Options) -> (FakeMachine, SocketId) {
    let mut m = started(o);
    let s = m.socket().expect("a socket after start");
    m.on_open(s);
    m.take_events();
    (m, s)
}

/// The `Reconnecting` event of a backoff wait.
fn backoff(attempt: u32, ms: f64) -> Event {
    Event::Reconnecting { attempt, delay_ms: Some(ms), reason: Retry::Closed }
}

fn names(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(Event::name).collect()
}

fn sc(from: State, to: State) -> Event {
    Event::StateChange { from, to }
}

#[test]
fn first_connect_emits_opening_then_statechange_then_open() {
    let mut m = started(options());
    let s = m.socket().unwrap();
    assert_eq!(m.transport().opens, [(s, "wss://chat.example.com/ws".to_owned(), vec![])]);
    m.on_open(s);
    assert_eq!(
        m.take_events(),
        [Event::Opening { socket: s, attempt: 0 }, sc(State::Connecting, State::Open), Event::Open { socket: s }]
    );
    m.on_message(s, Message::Binary(vec![1]));
    assert_eq!(m.take_events(), [Event::Message(Message::Binary(vec![1]))]);
}

#[test]
fn backoff_grows_and_the_attempt_count_resets_after_min_uptime() {
    let mut m = started(options());
    let mut delays = Vec::new();
    for attempt in 1..=5u32 {
        let s = m.socket().unwrap();
        close_socket(&mut m, s, 1006, "");
        let events = m.take_events();
        let Some(Event::Reconnecting { attempt: a, delay_ms: Some(delay_ms), reason: Retry::Closed }) = events.last().cloned()
        else {
            panic!("{events:?}")
        };
        assert_eq!(a, attempt);
        delays.push(delay_ms);
        assert_eq!(advance(&mut m, delay_ms - 1.0), 0, "not before the delay");
        assert_eq!(advance(&mut m, 1.0), 1);
        assert_eq!(m.take_events(), [Event::Opening { socket: m.socket().unwrap(), attempt }]);
    }
    assert_eq!(delays, [250.0, 500.0, 1000.0, 2000.0, 4000.0]);
    m.on_open(m.socket().unwrap());
    assert_eq!(m.attempt(), 0);
    assert_eq!(advance(&mut m, 5_000.0), 1, "the uptime timer");
    let s = m.socket().unwrap();
    close_socket(&mut m, s, 1006, "");
    assert_eq!(m.take_events().last(), Some(&backoff(1, 250.0)));
}

#[test]
fn a_server_that_accepts_and_closes_at_once_is_backed_off() {
    let mut m = started(options());
    let mut delays = Vec::new();
    for _ in 0..6 {
        let s = m.socket().unwrap();
        m.on_open(s);
        advance(&mut m, 10.0);
        close_socket(&mut m, s, 1000, "");
        let Some(Event::Reconnecting { delay_ms: Some(d), .. }) = m.take_events().last().cloned() else { panic!() };
        delays.push(d);
        advance(&mut m, d);
    }
    assert_eq!(delays, [250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0]);
    let mut o = options();
    o.reconnect = Some(ReconnectPolicy { max_retries: Some(2), jitter: 0.0, ..Default::default() });
    let mut m = started(o);
    for _ in 0..3 {
        let s = m.socket().unwrap();
        m.on_open(s);
        close_socket(&mut m, s, 1000, "");
        advance(&mut m, 10_000.0);
    }
    assert_eq!(m.state(), State::Closed, "maxRetries engages");
}

#[test]
fn close_of_an_open_socket_reports_in_order() {
    let (mut m, s) = opened(options());
    close_socket(&mut m, s, 1001, "going away");
    assert_eq!(
        m.take_events(),
        [
            Event::SocketReleased { socket: s },
            sc(State::Open, State::Reconnecting),
            Event::Close { code: 1001, reason: "going away".into(), was_clean: true, will_reconnect: true },
            backoff(1, 250.0),
        ]
    );
    assert_eq!((m.state(), m.socket(), m.clock_mut().pending()), (State::Reconnecting, None, 1));
}

#[test]
fn queue_limits_refuse_whole_messages_with_exact_counts() {
    let mut o = options();
    o.queue = QueueLimits { max_messages: 3, max_bytes: 10 };
    let mut m = fake_machine(o).unwrap();
    m.send("12345".into()).unwrap();
    m.send("1234".into()).unwrap();
    let full =
        Error::QueueFull { profile: Profile::from("alice"), messages: 2, bytes: 9, max_messages: 3, max_bytes: 10 };
    assert_eq!(m.send("xy".into()), Err(full), "byte limit");
    assert_eq!(m.queued(), (2, 9), "nothing queued on error");
    m.send("x".into()).unwrap();
    let full =
        Error::QueueFull { profile: Profile::from("alice"), messages: 3, bytes: 10, max_messages: 3, max_bytes: 10 };
    assert_eq!(m.send("".into()), Err(full.clone()), "message limit");
    assert_eq!(m.queued(), (3, 10));
    assert!(full.to_string().contains("queue.maxMessages"));
    assert!(m.take_events().is_empty(), "a refused send is the caller's error, not an event");
}

#[test]
fn zero_limits_turn_queueing_off_but_open_sends_go_through() {
    let mut o = options();
    o.queue = QueueLimits { max_messages: 0, max_bytes: 0 };
    let mut m = started(o);
    assert!(matches!(m.send("early".into()), Err(Error::QueueFull { max_messages: 0, .. })));
    let s = m.socket().unwrap();
    m.on_open(s);
    m.send("now".into()).unwrap();
    assert_eq!(m.transport().sent_texts(), ["now"]);
}

#[test]
fn queued_sends_go_out_in_order_after_a_reconnect() {
    let (mut m, first) = opened(options());
    m.send("a".into()).unwrap();
    close_socket(&mut m, first, 1006, "");
    m.send("b".into()).unwrap();
    m.send(vec![0xc].into()).unwrap();
    advance(&mut m, 250.0);
    let second = m.socket().unwrap();
    m.send("d".into()).unwrap();
    assert_eq!(m.queued(), (3, 3));
    m.on_open(second);
    m.send("e".into()).unwrap();
    let sent: Vec<_> = m.transport().sent.iter().map(|(s, msg)| (s.0, msg.clone())).collect();
    assert_eq!(
        sent,
        [
            (first.0, "a".into()),
            (second.0, "b".into()),
            (second.0, vec![0xc].into()),
            (second.0, "d".into()),
            (second.0, "e".into())
        ]
    );
    assert_eq!(m.queued(), (0, 0));
}

#[test]
fn close_during_a_pending_reconnect_clears_the_timer() {
    let (mut m, s) = opened(options());
    close_socket(&mut m, s, 1006, "");
    m.send("x".into()).unwrap();
    m.send("y".into()).unwrap();
    m.take_events();
    m.close(None, None).unwrap();
    assert_eq!(m.take_events(), [sc(State::Reconnecting, State::Closed), Event::Ended { rejected: 2 }]);
    assert_eq!(m.clock_mut().pending(), 0);
    assert_eq!(advance(&mut m, 1e9), 0);
    assert_eq!(m.transport().opens.len(), 1, "no socket opened later");
    assert_eq!(m.send("z".into()), Err(Error::ConnectionClosed { profile: "alice".into() }));
    m.start();
    assert_eq!((m.state(), m.transport().opens.len()), (State::Closed, 1));
}

#[test]
fn close_while_connecting_closes_the_socket_and_waits_for_its_release() {
    let mut m = started(options());
    let s = m.socket().unwrap();
    m.send("x".into()).unwrap();
    m.take_events();
    m.close(Some(4001), Some("bye")).unwrap();
    assert_eq!(m.transport().closes, [(s, 4001, "bye".to_owned())]);
    assert_eq!(
        m.take_events(),
        [
            sc(State::Connecting, State::Closed),
            Event::Close { code: 4001, reason: "bye".into(), was_clean: true, will_reconnect: false },
            Event::Ended { rejected: 1 },
        ]
    );
    assert!(m.has_live_socket() && m.socket().is_none());
    m.on_open(s); // too late: ignored
    m.on_message(s, "late".into());
    m.on_error(s, "late".into());
    assert!(m.take_events().is_empty());
    close_socket(&mut m, s, 4001, "bye");
    assert_eq!(m.take_events(), [Event::SocketReleased { socket: s }]);
    assert!(!m.has_live_socket());
    m.close(None, None).unwrap();
    assert!(m.take_events().is_empty(), "closing twice is a no-op");
}

#[test]
fn close_before_start_opens_nothing() {
    let mut m = fake_machine(options()).unwrap();
    m.send("x".into()).unwrap();
    m.close(None, None).unwrap();
    m.start();
    assert_eq!(m.take_events(), [sc(State::Connecting, State::Closed), Event::Ended { rejected: 1 }]);
    assert!(m.transport().opens.is_empty() && !m.has_live_socket());
}

#[test]
fn close_validates_code_and_reason_and_changes_nothing_on_error() {
    let (mut m, _) = opened(options());
    for code in [0, 999, 1001, 1005, 1006, 2999, 5000] {
        let err = m.close(Some(code), None).unwrap_err();
        assert!(err.to_string().contains("close code must be 1000"), "{err}");
    }
    assert!(m.close(None, Some(&"é".repeat(62))).unwrap_err().to_string().contains("123 UTF-8 bytes"));
    assert_eq!((m.state(), m.transport().closes.len()), (State::Open, 0));
    assert!(m.take_events().is_empty());
    m.close(Some(3000), Some(&"x".repeat(123))).unwrap();
    assert_eq!(m.state(), State::Closed);
}

#[test]
fn connect_timeout_closes_the_stuck_socket_and_retries_after_its_release() {
    let mut o = options();
    o.connect_timeout_ms = Some(5000.0);
    let mut m = started(o);
    let stuck = m.socket().unwrap();
    m.take_events();
    assert_eq!(advance(&mut m, 5000.0), 1);
    assert_eq!(m.transport().closes, [(stuck, 1000, "connect timeout".to_owned())]);
    let events = m.take_events();
    assert_eq!(names(&events), ["error", "statechange", "close", "reconnecting"]);
    assert_eq!(
        events[2],
        Event::Close { code: 1006, reason: "connect timeout".into(), was_clean: false, will_reconnect: true }
    );
    assert!(m.has_live_socket() && m.socket().is_none());

    // The backoff elapses while the stuck socket is still closing: no open yet.
    advance(&mut m, 250.0);
    assert_eq!((m.transport().opens.len(), m.clock_mut().pending()), (1, 0));
    m.on_open(stuck); // a late open of the abandoned socket is ignored
    assert_eq!(m.state(), State::Reconnecting);
    close_socket(&mut m, stuck, 1006, "");
    let next = m.socket().unwrap();
    assert_eq!(m.take_events(), [Event::SocketReleased { socket: stuck }, Event::Opening { socket: next, attempt: 1 }]);
    assert_eq!(m.clock_mut().pending(), 1, "the new attempt's connect timeout");
    m.on_open(next);
    assert_eq!((m.state(), m.clock_mut().pending()), (State::Open, 1), "the uptime timer only");
}

#[test]
fn connect_timeout_released_before_the_backoff_opens_on_the_timer() {
    let mut o = options();
    o.connect_timeout_ms = Some(100.0);
    let mut m = started(o);
    let stuck = m.socket().unwrap();
    advance(&mut m, 100.0);
    close_socket(&mut m, stuck, 1006, "");
    assert_eq!(m.transport().opens.len(), 1);
    advance(&mut m, 250.0);
    assert_eq!(m.transport().opens.len(), 2);
}

#[test]
fn retries_exhausted_end_once() {
    let mut o = options();
    o.reconnect = Some(ReconnectPolicy { max_retries: Some(2), jitter: 0.0, ..Default::default() });
    let mut m = started(o);
    m.send("never".into()).unwrap();
    let mut all = Vec::new();
    for _ in 0..3 {
        let s = m.socket().unwrap();
        close_socket(&mut m, s, 1006, "");
        advance(&mut m, 1e6);
        all.extend(m.take_events());
    }
    assert_eq!(m.state(), State::Closed);
    assert_eq!(m.transport().opens.len(), 3);
    let tail = &all[all.len() - 4..];
    assert_eq!(
        tail,
        [
            Event::SocketReleased { socket: SocketId(3) },
            sc(State::Reconnecting, State::Closed),
            Event::Close { code: 1006, reason: String::new(), was_clean: false, will_reconnect: false },
            Event::Ended { rejected: 1 },
        ]
    );
    assert_eq!(all.iter().filter(|e| matches!(e, Event::Ended { .. })).count(), 1);
    assert_eq!(m.clock_mut().pending(), 0);
    close_socket(&mut m, SocketId(3), 1006, "");
    assert!(m.take_events().is_empty());
}

#[test]
fn no_reconnect_policy_ends_on_the_first_close() {
    let mut o = options();
    o.reconnect = None;
    let (mut m, s) = opened(o);
    close_socket(&mut m, s, 1000, "done");
    assert_eq!(names(&m.take_events()), ["socketreleased", "statechange", "close", "end"]);
    assert_eq!(m.state(), State::Closed);
}

#[test]
fn failed_opens_are_errors_and_count_as_attempts() {
    let mut m = fake_machine(options()).unwrap();
    m.transport_mut().fail_opens = 2;
    m.start();
    assert_eq!(names(&m.take_events()), ["error", "statechange", "reconnecting"]);
    assert_eq!((m.state(), m.has_live_socket()), (State::Reconnecting, false));
    advance(&mut m, 250.0);
    assert_eq!(m.take_events().last(), Some(&backoff(2, 500.0)));
    advance(&mut m, 500.0);
    assert_eq!(m.take_events(), [Event::Opening { socket: SocketId(1), attempt: 2 }]);

    let mut o = options();
    o.reconnect = None;
    let mut m = fake_machine(o).unwrap();
    m.transport_mut().fail_opens = 1;
    m.start();
    assert_eq!(names(&m.take_events()), ["error", "statechange", "end"]);
}

#[test]
fn a_refused_send_is_reported_queued_and_retried_in_order() {
    let (mut m, s) = opened(options());
    m.transport_mut().fail_sends = true;
    m.send("a".into()).unwrap();
    m.send("b".into()).unwrap();
    assert_eq!(m.queued(), (2, 2));
    assert_eq!(names(&m.take_events()), ["error", "error"]);
    m.transport_mut().fail_sends = false;
    m.send("c".into()).unwrap();
    assert_eq!(m.transport().sent_texts(), ["a", "b", "c"]);
    assert!(m.transport().sent.iter().all(|(sock, _)| *sock == s));

    let mut o = options();
    o.queue = QueueLimits { max_messages: 0, max_bytes: 0 };
    let (mut m, _) = opened(o);
    m.transport_mut().fail_sends = true;
    assert!(matches!(m.send("x".into()), Err(Error::QueueFull { .. })), "refused at call time, not lost");
}

#[test]
fn stale_ids_are_ignored() {
    let (mut m, s) = opened(options());
    let stale = SocketId(s.0 + 100);
    m.on_open(stale);
    m.on_message(stale, "x".into());
    m.on_error(stale, "x".into());
    m.on_close(stale, 1000, String::new(), true);
    m.on_timer(TimerId(12345));
    assert!(m.take_events().is_empty());
    assert_eq!((m.state(), m.socket()), (State::Open, Some(s)));

    // A fired backoff timer's id is stale once it fired.
    close_socket(&mut m, s, 1006, "");
    let timer = m.clock_mut().timers()[0].0;
    advance(&mut m, 250.0);
    m.on_timer(timer);
    assert_eq!(m.transport().opens.len(), 2);
    m.on_open(s); // the released socket
    assert_eq!(m.state(), State::Reconnecting);
}

#[test]
fn every_opening_gets_one_close_and_one_release() {
    let mut o = options();
    o.connect_timeout_ms = Some(1000.0);
    o.reconnect = Some(ReconnectPolicy { max_retries: Some(3), ..Default::default() });
    let mut m = started(o);
    let mut events = m.take_events();
    // timeout, a server close, an open and a user close
    advance(&mut m, 1000.0);
    close_socket(&mut m, SocketId(1), 1006, "");
    advance(&mut m, 375.0); // at most the first backoff, less than the timeout
    let s = m.socket().unwrap();
    close_socket(&mut m, s, 1006, "");
    advance(&mut m, 750.0);
    let s = m.socket().unwrap();
    m.on_open(s);
    m.close(None, None).unwrap();
    close_socket(&mut m, s, 1000, "");
    events.extend(m.take_events());
    let count = |name| names(&events).iter().filter(|n| **n == name).count();
    assert_eq!((count("opening"), count("close"), count("socketreleased"), count("end")), (3, 3, 3, 1));
}

#[test]
fn new_rejects_invalid_options() {
    let mut o = options();
    o.protocols = vec!["bad protocol".into()];
    assert!(matches!(fake_machine(o).err(), Some(Error::InvalidConfig(_))));
}

#[test]
fn secrets_in_urls_never_reach_messages_or_events() {
    let secret = "wss://user:hunter2@chat.example.com/ws?token=hunter2";
    // A socket that cannot be made: the error event does not name the url
    // (the host names it redacted, in the failure it reports).
    let mut m = fake_machine(Options::new("a".into(), secret)).unwrap();
    m.transport_mut().fail_opens = 1;
    m.start();
    let events = format!("{:?}", m.take_events());
    assert!(events.contains("could not open a websocket: ") && !events.contains("hunter2"), "{events}");
}

#[test]
fn heartbeat_sends_on_interval_and_replaces_a_silent_socket() {
    let mut o = options();
    o.heartbeat = Some(Heartbeat { interval_ms: 1_000.0, timeout_ms: 2_500.0 });
    let (mut m, s) = opened(o);
    advance(&mut m, 1_000.0);
    assert_eq!(m.transport().beats, [s]);
    // Something arrived 500 ms ago: the deadline moves on.
    m.transport_mut().idle_ms = 500.0;
    advance(&mut m, 1_500.0);
    assert_eq!((m.state(), m.transport().beats.len()), (State::Open, 2));
    assert!(m.take_events().is_empty());
    // Then silence: the deadline (2,000 ms later) finds the socket idle for 2,500 ms.
    m.transport_mut().idle_ms = 2_500.0;
    advance(&mut m, 2_000.0);
    assert_eq!(m.state(), State::Reconnecting);
    assert_eq!(m.transport().closes, [(s, 1000, "heartbeat timeout".to_owned())]);
    let events = m.take_events();
    assert_eq!(names(&events), ["error", "statechange", "close", "reconnecting"]);
    assert!(matches!(&events[0], Event::Error { message } if message.contains("heartbeat.timeoutMs")));
    assert_eq!(
        events[2],
        Event::Close { code: 1006, reason: "heartbeat timeout".into(), was_clean: false, will_reconnect: true }
    );
    // No beat on a closing socket, and the next socket waits for its release.
    advance(&mut m, 10_000.0);
    assert_eq!((m.transport().beats.len(), m.transport().opens.len()), (4, 1), "beats at 1, 2, 3 and 4 s only");
    close_socket(&mut m, s, 1006, "");
    assert_eq!(m.transport().opens.len(), 2);
}

#[test]
fn a_superseded_socket_ends_the_connection() {
    let (mut m, s) = opened(options());
    m.send("queued?".into()).unwrap();
    m.transport_mut().fail_sends = true;
    m.send("held".into()).unwrap();
    close_socket(&mut m, s, 4409, "superseded");
    let events = m.take_events();
    assert_eq!(m.state(), State::Closed);
    assert!(events.contains(&Event::Close {
        code: 4409,
        reason: "superseded".into(),
        was_clean: true,
        will_reconnect: false
    }));
    assert_eq!(events.last(), Some(&Event::Ended { rejected: 1 }));
    assert_eq!(m.clock_mut().pending(), 0);
}

#[test]
fn offline_pauses_retries_and_online_or_visible_retry_at_once() {
    let (mut m, s) = opened(options());
    m.set_online(false);
    assert!(m.take_events().is_empty(), "an open socket is left alone");
    close_socket(&mut m, s, 1006, "");
    let paused = Event::Reconnecting { attempt: 1, delay_ms: None, reason: Retry::Offline };
    assert_eq!(m.take_events().last(), Some(&paused));
    assert_eq!(advance(&mut m, 1e6), 0, "no timer while offline");
    assert!(!m.retry_now(Retry::Visible), "visible does not beat offline");
    m.set_online(true);
    let s = m.socket().unwrap();
    let events = m.take_events();
    assert_eq!(
        events,
        [
            Event::Reconnecting { attempt: 1, delay_ms: Some(0.0), reason: Retry::Online },
            Event::Opening { socket: s, attempt: 1 }
        ]
    );
    // A pending backoff is paused by going offline, and brought forward by a visible page.
    close_socket(&mut m, s, 1006, "");
    assert_eq!(m.clock_mut().pending(), 1);
    m.set_online(false);
    assert_eq!(m.clock_mut().pending(), 0);
    m.set_online(true);
    let s = m.socket().unwrap();
    close_socket(&mut m, s, 1006, "");
    m.take_events();
    assert!(m.retry_now(Retry::Visible));
    assert_eq!(m.take_events()[0], Event::Reconnecting { attempt: 3, delay_ms: Some(0.0), reason: Retry::Visible });
    assert_eq!((m.transport().opens.len(), m.clock_mut().pending()), (4, 0));
}

#[test]
fn recovered_cuts_a_running_backoff_short_and_nothing_else() {
    let (mut m, s) = opened(options());
    assert!(!m.recovered(), "an open socket is left alone");
    close_socket(&mut m, s, 1006, "");
    m.take_events();
    assert_eq!(m.clock_mut().pending(), 1, "the backoff delay");
    assert!(m.recovered());
    let s = m.socket().unwrap();
    assert_eq!(
        m.take_events(),
        [
            Event::Reconnecting { attempt: 1, delay_ms: Some(0.0), reason: Retry::Recovered },
            Event::Opening { socket: s, attempt: 1 }
        ]
    );
    assert!(!m.recovered(), "connecting");
    // The attempt count is kept: the next backoff is the second one.
    close_socket(&mut m, s, 1006, "");
    assert!(matches!(m.take_events().last(), Some(Event::Reconnecting { attempt: 2, reason: Retry::Closed, .. })));
    // Offline, no backoff runs: recovered waits for the network as every retry does.
    m.set_online(false);
    assert!(!m.recovered());
    m.close(None, None).unwrap();
    assert!(!m.recovered(), "closed");
    assert_eq!(m.clock_mut().pending(), 0);
}

#[test]
fn an_error_whose_close_comes_late_opens_nothing_until_that_close() {
    let mut m = started(options());
    let s = m.socket().unwrap();
    m.on_error(s, "refused".into());
    assert_eq!(m.state(), State::Connecting, "an error alone ends nothing");
    advance(&mut m, 60_000.0);
    assert_eq!(m.transport().opens.len(), 1, "still one socket while its close is pending");
    close_socket(&mut m, s, 1006, "");
    advance(&mut m, 375.0);
    assert_eq!(m.transport().opens.len(), 2);
}

#[test]
fn a_closing_socket_queues_sends_with_an_error_and_keeps_them() {
    let (mut m, s) = opened(options());
    // The peer's close frame arrived: the host sees CLOSING before the close event.
    m.enqueue("late".into(), Some("the socket is closing")).unwrap();
    assert!(matches!(&m.take_events()[..], [Event::Error { message }] if message.contains("the socket is closing")));
    close_socket(&mut m, s, 1000, "");
    advance(&mut m, 250.0);
    let next = m.socket().unwrap();
    m.on_open(next);
    assert_eq!(m.transport().sent_texts(), ["late"]);
}

#[test]
fn reconnect_keeps_the_queue_and_waits_for_the_old_socket() {
    let (mut m, old) = opened(options());
    m.reconnect().unwrap();
    let events = m.take_events();
    assert_eq!(names(&events), ["statechange", "close", "reconnecting"]);
    assert_eq!(events[2], Event::Reconnecting { attempt: 1, delay_ms: Some(0.0), reason: Retry::Reconnect });
    m.send("kept".into()).unwrap();
    assert_eq!(m.transport().opens.len(), 1, "not beside the closing socket");
    close_socket(&mut m, old, 1000, "");
    let new = m.socket().unwrap();
    m.on_open(new);
    assert_eq!(m.transport().sent, [(new, Message::Text("kept".into()))]);
    // While waiting on a backoff, it skips the wait; once closed, it is an error.
    close_socket(&mut m, new, 1006, "");
    assert_eq!(m.clock_mut().pending(), 1);
    m.reconnect().unwrap();
    assert_eq!((m.transport().opens.len(), m.clock_mut().pending()), (3, 0));
    m.close(None, None).unwrap();
    assert!(matches!(m.reconnect(), Err(Error::ConnectionClosed { .. })));
}

#[test]
fn online_retries_at_once_even_without_an_offline_before() {
    let (mut m, s) = opened(options());
    close_socket(&mut m, s, 1006, "");
    m.take_events();
    m.set_online(true);
    assert_eq!(m.take_events()[0], Event::Reconnecting { attempt: 1, delay_ms: Some(0.0), reason: Retry::Online });
    assert_eq!(m.transport().opens.len(), 2);
    m.set_online(false);
    m.set_online(false); // twice: one event at most
    assert!(m.take_events().is_empty(), "connecting: nothing to pause");
}
