//! Reference solutions: softmax and cross-entropy.

use ndarray::Array2;

// ANCHOR: two_class_gradient
/// With two classes, `p1 = e^y1 / (e^y1 + e^y2) = σ(y1 − y2)`, so for the
/// first class as the true one `∂L/∂y1 = p1 − 1 = σ(y1 − y2) − 1` and
/// `∂L/∂y2 = p2 = 1 − σ(y1 − y2)`.
pub fn two_class_gradient(y1: f64, y2: f64) -> [f64; 2] {
    let sigma = 1.0 / (1.0 + (-(y1 - y2)).exp());
    [sigma - 1.0, 1.0 - sigma]
}
// ANCHOR_END: two_class_gradient

// ANCHOR: softmax_cross_entropy_gradient
/// `∂L/∂Y = (P − E) / n`, with `P` the softmax of each column of the
/// scores `Y` and `E` the one-hot labels (`E[labels[k], k] = 1`). Each
/// column's largest score is subtracted before `exp`, which leaves `P`
/// unchanged and keeps `exp` finite. Shapes: `scores` `(m, n)`, `labels`
/// length `n`; the result is `(m, n)`.
pub fn softmax_cross_entropy_gradient(
    scores: &Array2<f64>,
    labels: &[usize],
) -> Array2<f64> {
    let n = scores.ncols() as f64;
    let mut grad = scores.clone();
    for (k, mut column) in grad.columns_mut().into_iter().enumerate() {
        let max = column.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        column.mapv_inplace(|v| (v - max).exp());
        let sum = column.sum();
        column /= sum;
        column[labels[k]] -= 1.0;
    }
    grad / n
}
// ANCHOR_END: softmax_cross_entropy_gradient
