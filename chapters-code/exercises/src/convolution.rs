//! Exercises: convolution
//! ([the chapter](../../../src/convolution.md#exercises)).
//!
//! Replace each `todo!()` with your answer (or, in a "find the bug"
//! exercise, fix the stub), then run the command under the exercise.
//! `cargo run -p exercises` shows what is left. The 1-D convolution is
//! `backprop::conv::forward_1d`: `y[i] = b + Σ_k w[k] · x[i + k]`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use backprop::conv::Gradients1d;
use ndarray::Array1;

/// **1. The weight gradient is a convolution.** Return
/// `∂L/∂w_k = Σ_i dy_i x_{i+k}` by calling `conv::forward_1d` once, with
/// `dy` as the filter. For the chapter's numbers it is `(-3.5, 4.25, -0.5)`.
///
/// Book: [exercise 1](../../../src/convolution.md#1-the-weight-gradient-is-a-convolution).
/// Check: `cargo run -p exercises -- check convolution::dw_as_convolution`
pub fn dw_as_convolution(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// **2. Find the bug: an overwritten gradient.** This backward pass of the
/// 1-D convolution gets `dx` wrong, although `dw` and `db` are right. Find
/// the line and fix it.
///
/// Book: [exercise 2](../../../src/convolution.md#2-find-the-bug-an-overwritten-gradient).
/// Check: `cargo run -p exercises -- check convolution::conv1d_backward`
pub fn conv1d_backward(x: &Array1<f64>, w: &Array1<f64>, dy: &Array1<f64>) -> Gradients1d {
    let mut g = Gradients1d {
        dx: Array1::zeros(x.len()),
        dw: Array1::zeros(w.len()),
        db: 0.0,
    };
    for i in 0..dy.len() {
        g.db += dy[i];
        for k in 0..w.len() {
            g.dw[k] += dy[i] * x[i + k];
            g.dx[i + k] = w[k] * dy[i];
        }
    }
    g
}

/// **3. The input gradient is a convolution too.** Return `∂L/∂x` by
/// padding `dy` with `K − 1` zeros on each side and sliding the reversed
/// filter along it with `conv::forward_1d`. For the chapter's numbers it is
/// `(2, -5, 3.5, -1.5, 0.25)`.
///
/// Book: [exercise 3](../../../src/convolution.md#3-the-input-gradient-is-a-convolution-too).
/// Check: `cargo run -p exercises -- check convolution::dx_as_convolution`
pub fn dx_as_convolution(w: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// **4. A filter that skips entries (optional).** A `1 × 1` filter `w`
/// with stride 2 on a `1 × 5` image reads only the entries in columns 0, 2
/// and 4, giving three outputs. Return `∂L/∂x` (length 5) for the upstream
/// gradient `dy` (length 3).
///
/// Book: [exercise 4](../../../src/convolution.md#4-a-filter-that-skips-entries-optional).
/// Check: `cargo run -p exercises -- check convolution::strided_dx`
pub fn strided_dx(w: f64, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}
