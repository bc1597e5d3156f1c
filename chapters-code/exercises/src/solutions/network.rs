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
/// `∂L/∂Z` for `Y = W2 · max(0, Z) + b2`: back through the affine layer,
/// `dV = W2ᵀ dY`, then through ReLU, `dZ = [Z > 0] ⊙ dV`. Shapes: `W2`
/// `(m, u)`, `Z` `(u, n)`, `dY` `(m, n)`; `dZ` is `(u, n)`.
pub fn hidden_gradient(
    w2: &Array2<f64>,
    z: &Array2<f64>,
    dy: &Array2<f64>,
) -> Array2<f64> {
    let dv = w2.t().dot(dy);
    relu::backward(z, &dv)
}
// ANCHOR_END: hidden_gradient

// ANCHOR: linear_classifier_gradients
/// `(∂L/∂W, ∂L/∂b)` for `L = mean cross-entropy(softmax(W X + b)) +
/// ½ λ ‖W‖²`: the loss hands back `dY`, the affine layer turns it into
/// `dY Xᵀ` and the row sums of `dY`, and the penalty adds `λ W`. Shapes:
/// `W` `(m, d)`, `b` length `m`, `X` `(d, n)`, `labels` length `n`.
pub fn linear_classifier_gradients(
    w: &Array2<f64>,
    b: &Array1<f64>,
    x: &Array2<f64>,
    labels: &[usize],
    reg: f64,
) -> (Array2<f64>, Array1<f64>) {
    let y = affine::forward(w, x, b);
    let (_, dy) = loss::softmax_cross_entropy(&y, labels);
    let g = affine::backward(w, x, &dy);
    (g.dw + reg * w, g.db)
}
// ANCHOR_END: linear_classifier_gradients

// ANCHOR: dead_units
/// The rows of `V = max(0, Z)` `(u, n)` that are 0 in every column:
/// hidden units that no sample turns on.
pub fn dead_units(v: &Array2<f64>) -> Vec<usize> {
    (0..v.nrows())
        .filter(|&i| v.row(i).iter().all(|&a| a == 0.0))
        .collect()
}
// ANCHOR_END: dead_units
