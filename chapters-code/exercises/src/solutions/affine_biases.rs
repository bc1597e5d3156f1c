//! Reference solutions: the affine layer's biases.
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)` and `dY = ∂L/∂Y` is `(m, n)`.

use ndarray::{Array1, Array2, Axis};

// ANCHOR: scalar_bias_gradient
/// `Y = WX + β` with one scalar `β` added to every entry: `β` fans out to
/// all `m·n` entries, so `∂L/∂β = Σ_{i,k} dY[[i, k]]`.
pub fn scalar_bias_gradient(dy: &Array2<f64>) -> f64 {
    dy.sum()
}
// ANCHOR_END: scalar_bias_gradient

// ANCHOR: per_sample_bias_gradient
/// Column `k` of `Y` is `W x⁽ᵏ⁾ + b⁽ᵏ⁾`: each entry `b⁽ᵏ⁾ᵢ` feeds one
/// addition node, so column `k` of the answer is column `k` of `dY`.
pub fn per_sample_bias_gradient(dy: &Array2<f64>) -> Array2<f64> {
    dy.clone()
}
// ANCHOR_END: per_sample_bias_gradient

// ANCHOR: bias_gradient
/// `Y = WX + b` with `b` (length `m`) repeated in every column:
/// `∂L/∂b = Σ_k dY[.., k]`, the sum over the samples (`Axis(1)`),
/// length `m`.
pub fn bias_gradient(dy: &Array2<f64>) -> Array1<f64> {
    dy.sum_axis(Axis(1))
}
// ANCHOR_END: bias_gradient

// ANCHOR: rows_bias_gradient
/// Rows are samples: `Y = XW + b` is `(n, m)` with `b` (length `m`)
/// repeated down the rows, so `∂L/∂b` sums `dY` over its rows (`Axis(0)`),
/// length `m`.
pub fn rows_bias_gradient(dy: &Array2<f64>) -> Array1<f64> {
    dy.sum_axis(Axis(0))
}
// ANCHOR_END: rows_bias_gradient
