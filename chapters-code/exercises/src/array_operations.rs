//! Exercises: the local gradients of array operations
//! ([the chapter](../../../src/array-operations.md#exercises)).
//!
//! Replace each `todo!()` with your answer (or, in a "find the bug"
//! exercise, fix the stub), then run the command under the exercise.
//! `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

// What the answers need; the stubs use only some of it.
#[allow(unused_imports)]
use ndarray::{Array2, Axis, Zip};

/// **1. Find the bug: centring that skips the mean.** The
/// backward pass of centring, `y[[i, k]] = x[[i, k]] - μ_k` with `μ_k` the
/// mean of column (sample) `k`. For the chapter's sample `x = (1, 2, 6)`
/// with `dy = (0.5, -1, 2)` it should return `(0, -1.5, 1.5)`, but it fails
/// the gradient check. Find the mistake and fix it.
/// Shapes: `x`, `dy` and the result are `(d, n)`.
///
/// Book: [exercise 1](../../../src/array-operations.md#1-find-the-bug-centring-that-skips-the-mean).
/// Check: `cargo run -p exercises -- check array_operations::center_backward`
pub fn center_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    // Each y_i moves one for one with its own x_i.
    dy.clone()
}

/// **2. Dividing by the sample's sum.** Each sample (column) is divided by
/// the sum of its entries: `y[[i, k]] = x[[i, k]] / s_k` with
/// `s_k = Σ_j x[[j, k]]`. Return `∂L/∂x` for the upstream gradient `dy`.
/// At `x = (1, 2, 5)` with `dy = (1, 0, -1)` it is
/// `(0.1875, 0.0625, -0.0625)`. Shapes: `x`, `dy` and the result are
/// `(d, n)`.
///
/// Book: [exercise 2](../../../src/array-operations.md#2-dividing-by-the-samples-sum).
/// Check: `cargo run -p exercises -- check array_operations::divide_by_sum_backward`
pub fn divide_by_sum_backward(
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> Array2<f64> {
    todo!()
}

/// **3. Subtracting the sample's maximum (optional).** Each sample
/// (column) minus its largest entry: `y[[i, k]] = x[[i, k]] - x[[j*, k]]`
/// with `j*` the row of the largest entry of column `k`. Return `∂L/∂x`
/// for the upstream gradient `dy`, assuming the largest entry of each
/// column is unique. At `x = (1, 4, 2)` with `dy = (0.5, -1, 2)` it is
/// `(0.5, -2.5, 2)`. Shapes: `x`, `dy` and the result are `(d, n)`.
///
/// Book: [exercise 3](../../../src/array-operations.md#3-subtracting-the-samples-maximum-optional).
/// Check: `cargo run -p exercises -- check array_operations::subtract_max_backward`
pub fn subtract_max_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { array_operations:
    center_backward => |m| {
        let center = |x: &Array2<f64>| x - &x.mean_axis(Axis(0)).unwrap();
        let stated = [&[1.0, 2.0, 6.0][..], &[0.5, -1.0, 2.0], &[0.0, -1.5, 1.5]];
        backward_pass("centring", batches(0.0), center, m::center_backward, stated)
    };
    // Entries shifted up by 1.5 to [0.5, 2.5), so that no sum is near zero.
    divide_by_sum_backward => |m| {
        let divide = |x: &Array2<f64>| x / &x.sum_axis(Axis(0));
        let stated = [&[1.0, 2.0, 5.0][..], &[1.0, 0.0, -1.0], &[0.1875, 0.0625, -0.0625]];
        let f = m::divide_by_sum_backward;
        backward_pass("dividing by the sum", batches(1.5), divide, f, stated)
    };
    subtract_max_backward => |m| {
        let largest = |c: ndarray::ArrayView1<f64>| c.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let max = |x: &Array2<f64>| x - &x.map_axis(Axis(0), largest);
        let stated = [&[1.0, 4.0, 2.0][..], &[0.5, -1.0, 2.0], &[0.5, -2.5, 2.0]];
        let f = m::subtract_max_backward;
        backward_pass("subtracting the maximum", batches(0.0), max, f, stated)
    };
}

/// Two random batches, shifted up by `shift`.
fn batches(shift: f64) -> [Array2<f64>; 2] {
    [random((4, 3), 21), random((3, 1), 22)].map(|x| x + shift)
}
