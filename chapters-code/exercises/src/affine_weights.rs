//! Exercises: the affine layer's weights
//! ([the chapter](../../../src/affine-weights.md#exercises)).
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)`, `b` has length `m` and `Y = WX + b` is `(m, n)`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use backprop::affine::Gradients;
use ndarray::{Array1, Array2, Axis};

/// **1. Find the bug: a missing transpose.** This backward pass of
/// `Y = WX + b` should return `dW = dY Xᵀ`, `dX = Wᵀ dY` and
/// `db = Σ_k dY[.., k]`. One of the three is wrong (it even has the right
/// shape when `W` is square). Fix it.
///
/// Book: [exercise 1](../../../src/affine-weights.md#1-find-the-bug-a-missing-transpose).
/// Check: `cargo run -p exercises -- check affine_weights::backward`
pub fn backward(w: &Array2<f64>, x: &Array2<f64>, dy: &Array2<f64>) -> Gradients {
    Gradients {
        dw: dy.dot(&x.t()),
        dx: w.dot(dy),
        db: dy.sum_axis(Axis(1)),
    }
}

/// **2. A real loss: half the sum of squares.** With
/// `L = ½ Σ_{i,k} Y[[i, k]]²` and `Y = WX + b`, return `∂L/∂W`, shape
/// `(m, d)`. (`backprop::affine::forward` computes `Y`.)
///
/// Book: [exercise 2](../../../src/affine-weights.md#2-a-real-loss-half-the-sum-of-squares).
/// Check: `cargo run -p exercises -- check affine_weights::squared_loss_dw`
pub fn squared_loss_dw(w: &Array2<f64>, x: &Array2<f64>, b: &Array1<f64>) -> Array2<f64> {
    todo!()
}

/// **3. Rows as samples.** With samples as rows, `X` is `(n, d)`, `W` is
/// `(d, m)` and `Y = XW + b` is `(n, m)`. Return `(∂L/∂W, ∂L/∂X)` for an
/// upstream gradient `dY` of shape `(n, m)`.
///
/// Book: [exercise 3](../../../src/affine-weights.md#3-rows-as-samples).
/// Check: `cargo run -p exercises -- check affine_weights::row_layout_gradients`
pub fn row_layout_gradients(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>) {
    todo!()
}

/// **4. Which gradients a sample moves (optional).** Run the backward pass
/// (`backprop::affine::backward`) with two upstream gradients `dy` and
/// `dy2`, and return the columns of `dX`, then the columns of `dW`, in
/// which any entry differs, in increasing order.
///
/// Book: [exercise 4](../../../src/affine-weights.md#4-which-gradients-a-sample-moves-optional).
/// Check: `cargo run -p exercises -- check affine_weights::columns_that_move`
pub fn columns_that_move(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
    dy2: &Array2<f64>,
) -> (Vec<usize>, Vec<usize>) {
    todo!()
}
