//! Exercises: the affine layer's biases
//! ([the chapter](../../../src/affine-biases.md#exercises)).
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)`, and the upstream gradient `dY = ∂L/∂Y` is `(m, n)`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2, Axis};

/// **1. One scalar bias for everything.** The layer adds one scalar `c` to
/// every entry: `Y = WX + c`. Return `∂L/∂c`; for the chapter's `dY` it is
/// `1.75`.
///
/// Book: [exercise 1](../../../src/affine-biases.md#1-one-scalar-bias-for-everything).
/// Check: `cargo run -p exercises -- check affine_biases::scalar_bias_gradient`
pub fn scalar_bias_gradient(dy: &Array2<f64>) -> f64 {
    todo!()
}

/// **2. A bias for every sample.** Every sample gets its own bias: `B` has
/// shape `(m, n)` and `Y = WX + B`. Return `∂L/∂B`.
///
/// Book: [exercise 2](../../../src/affine-biases.md#2-a-bias-for-every-sample).
/// Check: `cargo run -p exercises -- check affine_biases::per_sample_bias_gradient`
pub fn per_sample_bias_gradient(dy: &Array2<f64>) -> Array2<f64> {
    todo!()
}

/// **3. Find the bug: a sum over the wrong axis.** `Y = WX + b` repeats
/// `b` (length `m`) in every column, so `∂L/∂b` should be `(1.5, 0.25)`
/// for the chapter's `dY`. This backward pass gets it wrong. Fix it.
///
/// Book: [exercise 3](../../../src/affine-biases.md#3-find-the-bug-a-sum-over-the-wrong-axis).
/// Check: `cargo run -p exercises -- check affine_biases::bias_gradient`
pub fn bias_gradient(dy: &Array2<f64>) -> Array1<f64> {
    // b reaches every sample, so its gradient adds up dY over the samples.
    dy.sum_axis(Axis(0))
}

/// **4. Rows as samples (optional).** Many libraries store samples as
/// rows: `X` is `(n, d)`, `W` is `(d, m)`, `Y = XW + b` is `(n, m)`, with
/// `b` repeated down the rows. Return `∂L/∂b` for `dY` of shape `(n, m)`.
///
/// Book: [exercise 4](../../../src/affine-biases.md#4-rows-as-samples-optional).
/// Check: `cargo run -p exercises -- check affine_biases::rows_bias_gradient`
pub fn rows_bias_gradient(dy: &Array2<f64>) -> Array1<f64> {
    todo!()
}
