//! The `f64` operations the library needs that `core` lacks without std,
//! with std's results, so the `no_std` wasm behaves as the native build.

/// Whether `x` is a whole number: `x.fract() == 0.0` (false for NaN and the
/// infinities).
///
/// ```
/// use profile_registry::core::float::is_whole;
///
/// for x in [0.0, -0.0, 3.0, -7.0, 1e300, 9_007_199_254_740_993.0, 0.5, -2.25, 1e-300, f64::NAN, f64::INFINITY] {
///     assert_eq!(is_whole(x), x.fract() == 0.0, "{x}");
/// }
/// ```
pub fn is_whole(x: f64) -> bool {
    // From 2^52 on, every f64 is whole; below, the cast truncates exactly.
    const WHOLE_FROM: f64 = 4_503_599_627_370_496.0;
    if x >= WHOLE_FROM || x <= -WHOLE_FROM {
        return x.is_finite();
    }
    x == x as i64 as f64
}

/// `base.powi(exp)`, by the same square-and-multiply as the `__powidf2`
/// that std's `powi` calls, so the results are identical.
///
/// ```
/// use profile_registry::core::float::powi;
///
/// for (base, exp) in [(2.0, 0), (2.0, 10), (1.1, 7), (0.3, 13), (1.7, 1023), (-3.0, 3), (10.0, 400)] {
///     assert_eq!(powi(base, exp), base.powi(exp as i32));
/// }
/// ```
pub fn powi(mut base: f64, mut exp: u32) -> f64 {
    let mut product = 1.0;
    loop {
        if exp & 1 != 0 {
            product *= base;
        }
        exp >>= 1;
        if exp == 0 {
            return product;
        }
        base *= base;
    }
}
