//! Exercises: elementwise activations beyond ReLU
//! ([the chapter](../../../src/relu.md#exercises)).
//!
//! For an elementwise activation `y = φ(x)` the backward pass is always
//! `dx = φ′(x) ⊙ dy`; only `φ′` changes. Each forward pass is given;
//! write the backward pass. Shapes: `x`, `dy` and `dx` are alike, of any
//! dimension.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array, Dimension};

/// `σ(x) = 1 / (1 + e^(-x))`, elementwise. Shape: that of `x`.
pub fn sigmoid_forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| 1.0 / (1.0 + (-v).exp()))
}

/// **1. The sigmoid.** Derive `σ'` and return `dx = σ'(x) ⊙ dy`. At
/// `x = 0` the slope is `0.25`.
///
/// Book: [exercise 1](../../../src/relu.md#1-the-sigmoid).
/// Check: `cargo run -p exercises -- check relu::sigmoid_backward`
pub fn sigmoid_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Array<f64, D> {
    todo!()
}

/// The slope of the leaky ReLU for negative inputs.
pub const ALPHA: f64 = 0.01;

/// `y = max(αx, x)`, elementwise. Shape: that of `x`.
pub fn leaky_relu_forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    // A comparison, not f64::max, which would hide a NaN.
    x.mapv(|v| if v > 0.0 { v } else { ALPHA * v })
}

/// **2. The leaky ReLU.** Return `dx` for `y = max(αx, x)` with
/// `α = ALPHA`. For the chapter's sample `x = (2, -1, 0.5)` and
/// `dy = (0.3, -0.7, 1.2)` it is `(0.3, -0.007, 1.2)`.
///
/// Book: [exercise 2](../../../src/relu.md#2-the-leaky-relu).
/// Check: `cargo run -p exercises -- check relu::leaky_relu_backward`
pub fn leaky_relu_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Array<f64, D> {
    todo!()
}

/// `tanh(x)`, elementwise. Shape: that of `x`.
pub fn tanh_forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(f64::tanh)
}

/// **3. The hyperbolic tangent (optional).** Return
/// `dx = tanh'(x) ⊙ dy`. At `x = 0` the slope is `1`.
///
/// Book: [exercise 3](../../../src/relu.md#3-the-hyperbolic-tangent-optional).
/// Check: `cargo run -p exercises -- check relu::tanh_backward`
pub fn tanh_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Array<f64, D> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { relu:
    sigmoid_backward => |m| {
        let sigmoid = |x: &ArrayD<f64>| x.mapv(|v| 1.0 / (1.0 + (-v).exp()));
        backward_pass("sigmoid", xs(), sigmoid, m::sigmoid_backward, [&[0.0], &[1.0], &[0.25]])
    };
    leaky_relu_backward => |m| {
        let stated = [&[2.0, -1.0, 0.5][..], &[0.3, -0.7, 1.2], &[0.3, -0.007, 1.2]];
        let leaky = |x: &ArrayD<f64>| x.mapv(|v| if v > 0.0 { v } else { 0.01 * v });
        backward_pass("leaky relu", xs(), leaky, m::leaky_relu_backward, stated)
    };
    tanh_backward => |m| {
        let tanh = |x: &ArrayD<f64>| x.mapv(f64::tanh);
        backward_pass("tanh", xs(), tanh, m::tanh_backward, [&[0.0], &[1.0], &[1.0]])
    };
}

/// Random inputs of two shapes, entries in [-3, 3).
fn xs() -> [ArrayD<f64>; 2] {
    [random(IxDyn(&[3, 4]), 1), random(IxDyn(&[5]), 2)].map(|x| x * 3.0)
}
