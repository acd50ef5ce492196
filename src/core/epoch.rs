//! [`Epochs`]: fencing epochs, the numbers that order the ownership grants
//! of profiles so a server can refuse a superseded owner.

use crate::core::profile::MAX_SAFE_INTEGER;

/// Hands out fencing epochs for one reach (here: one JS realm).
///
/// Every grant is strictly greater than every earlier grant of this
/// `Epochs`, and at least the wall clock's `now_ms`: so the grants of a
/// later page load or process (whose clock has moved on) are greater too,
/// and a server fence that keeps the highest epoch per profile admits the
/// newest owner and refuses the older one. Epochs stay safe integers, so
/// JS reads them exactly.
///
/// ```
/// use profile_registry::core::epoch::Epochs;
///
/// let mut e = Epochs::new();
/// assert_eq!(e.grant(1_764_700_000_000.0), 1_764_700_000_000);
/// assert_eq!(e.grant(1_764_700_000_000.0), 1_764_700_000_001); // same ms: still greater
/// assert_eq!(e.grant(5.0), 1_764_700_000_002); // the clock went back: still greater
/// assert_eq!(e.grant(f64::NAN), 1_764_700_000_003); // no clock: the counter alone
/// assert_eq!(e.last(), 1_764_700_000_003);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Epochs {
    last: u64,
}

impl Epochs {
    /// No grant yet.
    pub const fn new() -> Self {
        Epochs { last: 0 }
    }

    /// A new epoch: `max(last + 1, now_ms)` (`now_ms` is read only when it
    /// is a number from 0 to 2^53 - 1; fractions are dropped). Saturates at
    /// 2^53 - 1, a quarter of a million years of milliseconds away.
    pub fn grant(&mut self, now_ms: f64) -> u64 {
        const MAX: u64 = MAX_SAFE_INTEGER as u64;
        let now = if now_ms >= 0.0 && now_ms <= MAX as f64 { now_ms as u64 } else { 0 };
        self.last = (self.last + 1).max(now).min(MAX);
        self.last
    }

    /// The latest grant (0 before the first).
    pub fn last(&self) -> u64 {
        self.last
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn grants_strictly_increase_whatever_the_clock_does(clock in prop::collection::vec(any::<f64>(), 1..200)) {
            let mut e = Epochs::new();
            let mut last = 0;
            for now in clock {
                let g = e.grant(now);
                prop_assert!(g > last && g <= MAX_SAFE_INTEGER as u64);
                if now >= 0.0 && now <= MAX_SAFE_INTEGER as f64 {
                    prop_assert!(g >= now as u64);
                }
                last = g;
            }
        }
    }
}
