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

/// **2. Forward against centred differences.** For `f(x) = e^x` at
/// `x = 1`, where `f'(1) = e`, measure the error of the forward difference
/// `(f(1 + h) - f(1)) / h` and of the centred difference
/// `(f(1 + h) - f(1 - h)) / (2h)`. Return `[forward error, centred error]`,
/// both as absolute values.
///
/// Book: [exercise 2](../../../src/gradient-checking.md#2-forward-against-centred-differences).
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

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { gradient_checking:
    sin_cos_gradient => |m| {
        let loss = |x: &Array1<f64>| x.mapv(|v| v.sin() * v.cos()).sum();
        let xs = (1..=3).map(|seed| random(5, seed) * 3.0);
        let worst = gradients(loss, xs, m::sin_cos_gradient)?;
        passed("gradient check on 3 random inputs of length 5", worst)
    };
    difference_errors => |m| {
        let e = 1f64.exp();
        for h in [1e-3f64, 1e-2] {
            let forward = (((1.0 + h).exp() - e) / h - e).abs();
            let centered = (((1.0 + h).exp() - (1.0 - h).exp()) / (2.0 * h) - e).abs();
            let what = format!("[forward error, centred error] at h = {h:e}");
            let want = v(&[forward, centered]);
            close_array(&what, &v(&m::difference_errors(h)), &want, 1e-6 * centered)?;
        }
        let [forward, centered] = m::difference_errors(1e-5);
        close("the forward error at h = 1e-5, against h·e/2", forward, 1e-5 / 2.0 * e, 1e-9)?;
        ensure(forward > 1e5 * centered, format!("at h = 1e-5 the forward error {forward:e} should be more than 1e5 times the centred error {centered:e}"))?;
        Ok(format!("at h = 1e-5: forward error {forward:.2e}, centred error {centered:.1e}"))
    };
    input_that_exposes_the_bug => |m| {
        // The grader's own copies, so that editing the stub's cannot change the verdict.
        let abs_sum = |x: &Array1<f64>| x.mapv(f64::abs).sum();
        let x = m::input_that_exposes_the_bug();
        let finite = !x.is_empty() && x.iter().all(|v| v.is_finite());
        ensure(finite, format!("{x} must be a non-empty vector of finite numbers"))?;
        match gradient(abs_sum, &x, &x.mapv(|_| 1.0)) {
            Ok(r) => Err(format!("the gradient check passes at {x} (max relative error {:.1e}): the bug hides there", r.max_relative_error)),
            Err(why) => Ok(format!("the check rejects the buggy backward at {x}: {}", why.lines().nth(1).unwrap_or("").trim())),
        }
    };
}
