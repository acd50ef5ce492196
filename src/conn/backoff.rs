//! [`ReconnectPolicy`]: exponential backoff with jitter between reconnect
//! attempts, so a server restart does not bring every client back at once.

use crate::conn::transport::MAX_TIMER_DELAY_MS;
use crate::conn::options::{out_of_range, Field};
use crate::core::error::Error;
use crate::core::float::powi;

/// How a connection waits between reconnect attempts.
///
/// Attempt `n` (counting from 1) has a base of
/// `min(maxDelayMs, minDelayMs * factor^(n-1))`, and waits a whole number of
/// milliseconds spread by `jitter` *above* it: uniform in
/// `[base, base * (1 + jitter)]`, capped at `maxDelayMs`. Once the base
/// reaches the cap, the spread goes below it instead (uniform in
/// `[maxDelayMs * (1 - jitter), maxDelayMs]`), so clients at the cap do not
/// move in step. No delay is ever below `minDelayMs` or above `maxDelayMs`.
///
/// ```
/// use profile_registry::conn::ReconnectPolicy;
///
/// let p = ReconnectPolicy::default();
/// assert_eq!((p.min_delay_ms, p.max_delay_ms, p.factor, p.jitter), (250.0, 30_000.0, 2.0, 0.5));
/// assert_eq!(p.max_retries, None); // unlimited
/// assert_eq!(p.min_uptime_ms, 5_000.0);
/// assert!(p.validate().is_ok());
/// ```
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ReconnectPolicy {
    /// The base delay of the first reconnect attempt, in ms (`minDelayMs`).
    pub min_delay_ms: f64,
    /// The largest delay, in ms (`maxDelayMs`); at most
    /// [`MAX_TIMER_DELAY_MS`], the longest delay `setTimeout` honours.
    pub max_delay_ms: f64,
    /// How much the base delay grows per attempt (`factor`), at least 1.
    pub factor: f64,
    /// The random share taken off each delay (`jitter`), in `[0, 1]`.
    pub jitter: f64,
    /// How many reconnect attempts in a row may fail before the connection
    /// gives up (`maxRetries`); `None` retries forever. A socket that stays
    /// open for [`min_uptime_ms`](Self::min_uptime_ms) starts the count again.
    pub max_retries: Option<u32>,
    /// How long a socket must stay open before the attempt count (and so
    /// the backoff) starts again (`minUptimeMs`): a server that accepts and
    /// at once closes is backed off like one that refuses.
    pub min_uptime_ms: f64,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            min_delay_ms: 250.0,
            max_delay_ms: 30_000.0,
            factor: 2.0,
            jitter: 0.5,
            max_retries: None,
            min_uptime_ms: 5_000.0,
        }
    }
}

impl ReconnectPolicy {
    /// Checks every field; the error names the JS option (`reconnect.factor`, ...).
    ///
    /// ```
    /// use profile_registry::conn::ReconnectPolicy;
    ///
    /// let bad = ReconnectPolicy { factor: 0.5, ..Default::default() };
    /// let err = bad.validate().unwrap_err().to_string();
    /// assert!(err.contains("reconnect.factor must be"), "{err}");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let (min, max, factor, jitter, uptime) =
            (self.min_delay_ms, self.max_delay_ms, self.factor, self.jitter, self.min_uptime_ms);
        let bad = if !(min.is_finite() && min >= 0.0) {
            (Field::MinDelay, min)
        } else if !(max >= min && max <= MAX_TIMER_DELAY_MS) {
            (Field::MaxDelay, max)
        } else if !(factor.is_finite() && factor >= 1.0) {
            (Field::Factor, factor)
        } else if !(0.0..=1.0).contains(&jitter) {
            (Field::Jitter, jitter)
        } else if !(uptime >= 0.0 && uptime <= MAX_TIMER_DELAY_MS) {
            (Field::MinUptime, uptime)
        } else {
            return Ok(());
        };
        Err(out_of_range(bad.0, bad.1))
    }

    /// The delay before reconnect attempt `attempt` (1 for the first; 0 is
    /// read as 1), with `random01` a random number in `[0, 1)` (clamped).
    ///
    /// The result is a whole number of ms from `ceil(min_delay_ms)` to
    /// `floor(max_delay_ms)` (see the type's doc for the spread), for any
    /// `attempt` up to `u32::MAX`. It is always a finite number >= 0, even
    /// for a policy that fails [`validate`](Self::validate).
    ///
    /// ```
    /// use profile_registry::conn::ReconnectPolicy;
    ///
    /// let p = ReconnectPolicy { jitter: 0.0, ..Default::default() };
    /// let delays: Vec<f64> = (1..=9).map(|n| p.delay_ms(n, 0.3)).collect();
    /// assert_eq!(delays, [250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 30000.0, 30000.0]);
    /// assert_eq!(p.delay_ms(u32::MAX, 0.3), 30_000.0);
    ///
    /// let p = ReconnectPolicy { min_delay_ms: 100.0, ..Default::default() }; // jitter 0.5
    /// assert_eq!(p.delay_ms(1, 0.0), 100.0); // the floor is a floor
    /// assert_eq!(p.delay_ms(1, 0.5), 125.0);
    /// assert_eq!(p.delay_ms(3, 0.3), 460.0);
    /// assert_eq!(p.delay_ms(40, 0.0), 15_000.0); // at the cap: spread below it
    /// assert_eq!(p.delay_ms(40, 0.99), 29_850.0);
    /// ```
    pub fn delay_ms(&self, attempt: u32, random01: f64) -> f64 {
        let exponent = attempt.saturating_sub(1).min(i32::MAX as u32);
        let (min, max) = (self.min_delay_ms.max(0.0), self.max_delay_ms.min(MAX_TIMER_DELAY_MS));
        // (`f64::max` and `min` drop a NaN operand: neither is NaN here.)
        if min > max {
            return 0.0; // an invalid policy
        }
        // `f64::min` ignores a NaN operand: an infinite product is capped.
        let base = (min * powi(self.factor, exponent)).min(max);
        let r = if random01 >= 0.0 { random01.min(1.0) } else { 0.0 };
        let share = if self.jitter >= 0.0 { self.jitter.min(1.0) } else { 0.0 };
        let (lo, hi) = if base >= max { ((max * (1.0 - share)).max(min), max) } else { (base, (base * (1.0 + share)).min(max)) };
        // (Not `f64::clamp`: its panic message would bring float formatting in.)
        // Whole ms: from ceil(min) to floor(max) (to ceil(min) when they cross).
        let floor = ceil(min);
        let cap = (max as u64 as f64).max(floor);
        let delay = ceil(lo + (hi - lo) * r).min(cap).max(floor);
        if delay.is_finite() && delay >= 0.0 {
            delay.min(MAX_TIMER_DELAY_MS)
        } else {
            0.0
        }
    }
}

/// The smallest whole number >= `x` (for `x` >= 0, below 2^52; `core` has no `f64::ceil`).
fn ceil(x: f64) -> f64 {
    let t = x as u64 as f64;
    if t < x {
        t + 1.0
    } else {
        t
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy() -> impl Strategy<Value = ReconnectPolicy> {
        (0.0..10_000.0f64, 0.0..MAX_TIMER_DELAY_MS, 1.0..100.0f64, 0.0..=1.0f64).prop_map(
            |(min, span, factor, jitter)| ReconnectPolicy {
                min_delay_ms: min,
                max_delay_ms: (min + span).min(MAX_TIMER_DELAY_MS),
                factor,
                jitter,
                max_retries: None,
                min_uptime_ms: 0.0,
            },
        )
    }

    proptest! {
        #[test]
        fn delay_is_bounded_and_jittered(p in policy(), attempt in any::<u32>(), r in 0.0..1.0f64) {
            prop_assert!(p.validate().is_ok());
            let base = ReconnectPolicy { jitter: 0.0, ..p }.delay_ms(attempt, r);
            let d = p.delay_ms(attempt, r);
            prop_assert!(d.is_finite() && d >= 0.0 && d == (d as u64) as f64, "whole ms: {}", d);
            prop_assert!(d >= p.min_delay_ms, "the floor: {} < {}", d, p.min_delay_ms);
            prop_assert!(d <= p.max_delay_ms.max(ceil(p.min_delay_ms)), "the cap: {} > {}", d, p.max_delay_ms);
            if base < p.max_delay_ms.floor() {
                prop_assert!(d >= base && d <= ceil(base * (1.0 + p.jitter)), "spread above the base");
            } else {
                prop_assert!(d >= (p.max_delay_ms * (1.0 - p.jitter)).floor(), "spread below the cap");
            }
        }

        #[test]
        fn base_never_shrinks(p in policy(), attempt in 1..u32::MAX) {
            let p = ReconnectPolicy { jitter: 0.0, ..p };
            prop_assert!(p.delay_ms(attempt + 1, 0.0) >= p.delay_ms(attempt, 0.0));
        }

        #[test]
        fn never_nan_even_when_invalid(min in any::<f64>(), max in any::<f64>(), factor in any::<f64>(),
                                       jitter in any::<f64>(), attempt in any::<u32>(), r in any::<f64>()) {
            let p = ReconnectPolicy { min_delay_ms: min, max_delay_ms: max, factor, jitter, max_retries: None, min_uptime_ms: 0.0 };
            let d = p.delay_ms(attempt, r);
            prop_assert!(d.is_finite() && d >= 0.0);
        }
    }

    #[test]
    fn validate_names_the_field() {
        let cases = [
            (ReconnectPolicy { min_delay_ms: -1.0, ..Default::default() }, "reconnect.minDelayMs"),
            (ReconnectPolicy { min_delay_ms: f64::NAN, ..Default::default() }, "reconnect.minDelayMs"),
            (ReconnectPolicy { max_delay_ms: 100.0, ..Default::default() }, "reconnect.maxDelayMs"),
            (ReconnectPolicy { max_delay_ms: f64::INFINITY, ..Default::default() }, "reconnect.maxDelayMs"),
            (ReconnectPolicy { max_delay_ms: 3e9, ..Default::default() }, "reconnect.maxDelayMs"),
            (ReconnectPolicy { factor: f64::NAN, ..Default::default() }, "reconnect.factor"),
            (ReconnectPolicy { jitter: 1.5, ..Default::default() }, "reconnect.jitter"),
            (ReconnectPolicy { jitter: f64::NAN, ..Default::default() }, "reconnect.jitter"),
            (ReconnectPolicy { min_uptime_ms: -1.0, ..Default::default() }, "reconnect.minUptimeMs"),
            (ReconnectPolicy { min_uptime_ms: f64::NAN, ..Default::default() }, "reconnect.minUptimeMs"),
        ];
        for (p, field) in cases {
            let err = p.validate().unwrap_err();
            assert_eq!(err.kind(), "InvalidConfigError");
            assert!(err.to_string().contains(field), "{err}");
        }
        let zero =
            ReconnectPolicy { min_delay_ms: 0.0, max_delay_ms: 0.0, factor: 1.0, jitter: 1.0, max_retries: Some(0), min_uptime_ms: 0.0 };
        assert!(zero.validate().is_ok());
        assert_eq!(zero.delay_ms(u32::MAX, 0.99), 0.0);
    }
}
