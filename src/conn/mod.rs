//! The connection layer: a pure-Rust state machine for one WebSocket per
//! profile (backoff with jitter, a bounded send queue), written against the
//! [`Transport`] and [`Clock`] traits so it tests natively.
//!
//! The JS layer implements [`Transport`] over `WebSocket` and [`Clock`] over
//! `setTimeout`, feeds socket and timer events into a [`Machine`], and after
//! each call dispatches [`Machine::take_events`] to listeners with no borrow
//! held. [`testing`] has fakes for both traits.
//!
//! Invariants (tested with random interleavings in `tests/conn_props.rs`):
//! - a machine never asks for a new socket while one of its sockets is alive
//!   (opened, and not yet reported closed): a reconnect waits for the old
//!   socket's close, even after a connect timeout;
//! - at most one timer is pending, and none once the machine is `Closed`;
//! - every send is sent, refused at call time, or counted in
//!   [`Event::Ended`]: nothing is dropped silently;
//! - `Ended` is emitted once; after it only `SocketReleased` events follow;
//! - no sequence of calls panics: stale socket and timer ids are ignored.
//!
//! ```
//! use profile_registry::conn::testing::{advance, close_socket, fake_machine};
//! use profile_registry::conn::{Event, Options, State};
//!
//! let mut m = fake_machine(Options::new("alice".into(), "wss://chat.example.com"))?;
//! m.start();
//! let first = m.socket().unwrap();
//! m.on_open(first);
//! close_socket(&mut m, first, 1006, ""); // the server dropped us
//! advance(&mut m, 1_000.0); // past the first backoff (at most 250 ms)
//! let second = m.socket().unwrap();
//! assert_ne!(first, second);
//! assert!(m.take_events().contains(&Event::Opening { socket: second, attempt: 1 }));
//! m.on_open(second);
//! assert_eq!((m.state(), m.attempt()), (State::Open, 0));
//! # Ok::<(), profile_registry::Error>(())
//! ```

mod backoff;
mod event;
mod machine;
mod message;
mod options;
mod queue;
pub mod testing;
mod transport;

pub use backoff::ReconnectPolicy;
pub use event::{Event, Retry, State};
pub use machine::Machine;
pub use message::Message;
pub use options::{Heartbeat, Options};
#[cfg(target_arch = "wasm32")]
pub(crate) use {machine::check_close_code, options::{out_of_range, Field}}; // for the bindings' own numeric options
pub use queue::{QueueLimits, SendQueue};
pub use transport::{Clock, SocketId, TimerId, Transport, MAX_TIMER_DELAY_MS};
