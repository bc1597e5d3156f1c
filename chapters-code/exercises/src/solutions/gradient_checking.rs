//! Reference solutions: checking gradients numerically.

use ndarray::{array, Array1};

// ANCHOR: sin_cos_gradient
/// The gradient of `L(x) = Σ_i sin(x_i) cos(x_i)`:
/// `∂L/∂x_i = cos²(x_i) - sin²(x_i) = cos(2 x_i)`. Shape: that of `x`.
pub fn sin_cos_gradient(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(|v| (2.0 * v).cos())
}
// ANCHOR_END: sin_cos_gradient

// ANCHOR: difference_errors
/// The errors of the forward difference `(f(1 + h) - f(1)) / h` and of the
/// centred difference `(f(1 + h) - f(1 - h)) / (2h)` for `f = exp` at
/// `x = 1`, where the exact derivative is `e`: returns
/// `[|forward - e|, |centered - e|]`.
pub fn difference_errors(h: f64) -> [f64; 2] {
    let e = 1f64.exp();
    let forward = ((1.0 + h).exp() - e) / h;
    let centered = ((1.0 + h).exp() - (1.0 - h).exp()) / (2.0 * h);
    [(forward - e).abs(), (centered - e).abs()]
}
// ANCHOR_END: difference_errors

/// `L(x) = Σ |x_i|`, the function whose backward pass is buggy below.
pub fn abs_sum(x: &Array1<f64>) -> f64 {
    x.mapv(f64::abs).sum()
}

/// A backward pass for [`abs_sum`] that forgets the sign: it returns 1
/// for every entry, where the true gradient is `sign(x_i)`.
pub fn buggy_abs_sum_backward(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(|_| 1.0)
}

// ANCHOR: input_that_exposes_the_bug
/// An input at which the gradient check of [`buggy_abs_sum_backward`]
/// fails: any entry below zero is on the branch the bug gets wrong.
pub fn input_that_exposes_the_bug() -> Array1<f64> {
    array![0.5, -1.5]
}
// ANCHOR_END: input_that_exposes_the_bug
