//! Reference solutions: softmax and cross-entropy.

use ndarray::Array2;

// ANCHOR: two_class_gradient
/// With two classes, `p1 = e^s1 / (e^s1 + e^s2) = σ(s1 − s2)`, so for the
/// first class as the true one `∂L/∂s1 = p1 − 1 = σ(t) − 1` and
/// `∂L/∂s2 = p2 = 1 − σ(t)`, with `t = s1 − s2`.
pub fn two_class_gradient(s1: f64, s2: f64) -> [f64; 2] {
    let sigma = 1.0 / (1.0 + (-(s1 - s2)).exp());
    [sigma - 1.0, 1.0 - sigma]
}
// ANCHOR_END: two_class_gradient

// ANCHOR: softmax_cross_entropy_gradient
/// `∂L/∂S = (P − Y) / n`, with `P` the softmax of each column and `Y`
/// one-hot (`Y[labels[i], i] = 1`). Each column's largest score is
/// subtracted before `exp`, which leaves `P` unchanged and keeps `exp`
/// finite. Shapes: `scores` `(K, n)`, `labels` length `n`; the result is
/// `(K, n)`.
pub fn softmax_cross_entropy_gradient(scores: &Array2<f64>, labels: &[usize]) -> Array2<f64> {
    let n = scores.ncols() as f64;
    let mut grad = scores.clone();
    for (i, mut column) in grad.columns_mut().into_iter().enumerate() {
        let max = column.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        column.mapv_inplace(|v| (v - max).exp());
        let sum = column.sum();
        column /= sum;
        column[labels[i]] -= 1.0;
    }
    grad / n
}
// ANCHOR_END: softmax_cross_entropy_gradient
