//! Exercises: max pooling
//! ([the chapter](../../../src/max-pooling.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2};

/// **1. Max pooling in one dimension.** Windows of `window` entries that
/// do not overlap slide along `x`: `y[i]` is the largest of
/// `x[i·window .. (i + 1)·window]`. Return `dx` for the upstream gradient
/// `dy`; on a tie, the first largest entry takes the whole gradient.
///
/// Book: [exercise 1](../../../src/max-pooling.md#1-max-pooling-in-one-dimension).
/// Check: `cargo run -p exercises -- check max_pooling::max_pool_1d_backward`
pub fn max_pool_1d_backward(x: &Array1<f64>, dy: &Array1<f64>, window: usize) -> Array1<f64> {
    todo!()
}

/// **2. Average pooling.** Average pooling replaces each window's maximum
/// by its mean. Return `dx` for `2 × 2` windows with stride 2: `dy` is
/// `(h, w)` and `dx` is `(2h, 2w)`.
///
/// Book: [exercise 2](../../../src/max-pooling.md#2-average-pooling).
/// Check: `cargo run -p exercises -- check max_pooling::avg_pool_backward`
pub fn avg_pool_backward(dy: &Array2<f64>) -> Array2<f64> {
    todo!()
}

/// **3. One entry wins four windows (optional).** A `2 × 2` window with
/// stride 1 on a `3 × 3` input gives four overlapping windows. Return an
/// input (no two entries equal) whose centre entry wins all four.
///
/// Book: [exercise 3](../../../src/max-pooling.md#3-one-entry-wins-four-windows-optional).
/// Check: `cargo run -p exercises -- check max_pooling::centre_wins_everywhere`
pub fn centre_wins_everywhere() -> Array2<f64> {
    todo!()
}
