//! Reference solutions: a network that learns.

use backprop::{affine, loss, relu};
use ndarray::{Array1, Array2};

// ANCHOR: penalty_gradient
/// `∂(½ λ ‖W‖²)/∂W = λ W`: each entry's square contributes only to its
/// own derivative. Shape: that of `W`.
pub fn penalty_gradient(w: &Array2<f64>, reg: f64) -> Array2<f64> {
    reg * w
}
// ANCHOR_END: penalty_gradient

// ANCHOR: hidden_gradient
/// `∂L/∂Z` for `S = W2 · max(0, Z) + b2`: back through the affine layer,
/// `dH = W2ᵀ dS`, then through ReLU, `dZ = 1{Z > 0} ⊙ dH`. Shapes: `W2`
/// `(k, h)`, `Z` `(h, n)`, `dS` `(k, n)`; `dZ` is `(h, n)`.
pub fn hidden_gradient(w2: &Array2<f64>, z: &Array2<f64>, ds: &Array2<f64>) -> Array2<f64> {
    let dh = w2.t().dot(ds);
    relu::backward(z, &dh)
}
// ANCHOR_END: hidden_gradient

// ANCHOR: linear_classifier_gradients
/// `(∂L/∂W, ∂L/∂b)` for `L = mean cross-entropy(softmax(W X + b)) +
/// ½ λ ‖W‖²`: the loss hands back `dS`, the affine layer turns it into
/// `dS Xᵀ` and the row sums of `dS`, and the penalty adds `λ W`. Shapes:
/// `W` `(k, d)`, `b` length `k`, `X` `(d, n)`, `labels` length `n`.
pub fn linear_classifier_gradients(
    w: &Array2<f64>,
    b: &Array1<f64>,
    x: &Array2<f64>,
    labels: &[usize],
    reg: f64,
) -> (Array2<f64>, Array1<f64>) {
    let s = affine::forward(w, x, b);
    let (_, ds) = loss::softmax_cross_entropy(&s, labels);
    let g = affine::backward(w, x, &ds);
    (g.dw + reg * w, g.db)
}
// ANCHOR_END: linear_classifier_gradients

// ANCHOR: dead_units
/// The rows of `H` `(h, n)` that are 0 in every column: hidden units that
/// no sample turns on.
pub fn dead_units(h: &Array2<f64>) -> Vec<usize> {
    (0..h.nrows())
        .filter(|&j| h.row(j).iter().all(|&v| v == 0.0))
        .collect()
}
// ANCHOR_END: dead_units
