//! The connection layer: a pure-Rust state machine for one WebSocket per
//! profile (backoff with jitter, a bounded send queue), written against the
//! [`Transport`] and [`Clock`] traits so it tests natively.
