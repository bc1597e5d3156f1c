//! Exercises: checking gradients numerically
//! ([the chapter](../../../src/gradient-checking.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::Array1;

/// **1. The gradient of a sum of products.** Return the gradient of
/// `L(x) = Σ_i sin(x_i) cos(x_i)`, shaped like `x`. The grader
/// gradient-checks it on random inputs.
///
/// Book: [exercise 1](../../../src/gradient-checking.md#1-the-gradient-of-a-sum-of-products).
/// Check: `cargo run -p exercises -- check gradient_checking::sin_cos_gradient`
pub fn sin_cos_gradient(x: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// **2. Forward against centered differences.** For `f(x) = e^x` at
/// `x = 1`, where `f'(1) = e`, measure the error of the forward difference
/// `(f(1 + h) - f(1)) / h` and of the centered difference
/// `(f(1 + h) - f(1 - h)) / (2h)`. Return `[forward error, centered error]`,
/// both as absolute values.
///
/// Book: [exercise 2](../../../src/gradient-checking.md#2-forward-against-centered-differences).
/// Check: `cargo run -p exercises -- check gradient_checking::difference_errors`
pub fn difference_errors(h: f64) -> [f64; 2] {
    todo!()
}

/// `L(x) = Σ |x_i|`, the function whose backward pass is buggy below.
pub fn abs_sum(x: &Array1<f64>) -> f64 {
    x.mapv(f64::abs).sum()
}

/// A backward pass for [`abs_sum`] that forgets the sign: it returns 1
/// for every entry, where the true gradient is `sign(x_i)`.
pub fn buggy_abs_sum_backward(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(|_| 1.0)
}

/// **3. What a passing check proves.** The gradient check of
/// [`buggy_abs_sum_backward`] passes at `x = (0.5, 1.5)`. Return an input
/// at which it fails.
///
/// Book: [exercise 3](../../../src/gradient-checking.md#3-what-a-passing-check-proves).
/// Check: `cargo run -p exercises -- check gradient_checking::input_that_exposes_the_bug`
pub fn input_that_exposes_the_bug() -> Array1<f64> {
    todo!()
}
