//! Reference solutions: elementwise activations beyond ReLU.

use ndarray::{Array, Dimension};

// ANCHOR: sigmoid_backward
/// `σ(x) = 1 / (1 + e^(-x))`, elementwise. Shape: that of `x`.
pub fn sigmoid_forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| 1.0 / (1.0 + (-v).exp()))
}

/// `dx = σ(x) ⊙ (1 - σ(x)) ⊙ dy`: the local slope comes from the output
/// alone. This backward takes `x`, as the book's do, so it computes
/// `y = σ(x)` again; a library would cache `y` from the forward pass.
/// Shapes: `x`, `dy` and `dx` are alike.
pub fn sigmoid_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Array<f64, D> {
    let y = sigmoid_forward(x);
    y.mapv(|s| s * (1.0 - s)) * dy
}
// ANCHOR_END: sigmoid_backward

// ANCHOR: leaky_relu_backward
/// The slope of the leaky ReLU for negative inputs.
pub const ALPHA: f64 = 0.01;

/// `y = max(αx, x)`, elementwise. Shape: that of `x`.
pub fn leaky_relu_forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    // A comparison, not f64::max, which would hide a NaN.
    x.mapv(|v| if v > 0.0 { v } else { ALPHA * v })
}

/// `dx = ([x > 0] + α·[x ≤ 0]) ⊙ dy`, with `[·]` 1 where the condition
/// holds and 0 elsewhere. Shapes: `x`, `dy` and `dx` are
/// alike.
pub fn leaky_relu_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Array<f64, D> {
    x.mapv(|v| if v > 0.0 { 1.0 } else { ALPHA }) * dy
}
// ANCHOR_END: leaky_relu_backward

// ANCHOR: tanh_backward
/// `tanh(x)`, elementwise. Shape: that of `x`.
pub fn tanh_forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(f64::tanh)
}

/// `dx = (1 - tanh²(x)) ⊙ dy`. Shapes: `x`, `dy` and `dx` are alike.
pub fn tanh_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Array<f64, D> {
    tanh_forward(x).mapv(|t| 1.0 - t * t) * dy
}
// ANCHOR_END: tanh_backward
