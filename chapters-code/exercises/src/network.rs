//! Exercises: a network that learns
//! ([the chapter](../../../src/network.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left. Columns are
//! samples: `X` is `(d, n)`, `W1` `(h, d)`, `Z` and `H` `(h, n)`, `W2`
//! `(k, h)`, `S` `(k, n)`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2};

/// **1. The penalty's gradient.** Return the gradient of the penalty
/// `½ λ ‖W‖²` (the sum of the squares of every entry, times `λ / 2`) with
/// respect to `W`.
///
/// Book: [exercise 1](../../../src/network.md#1-the-penaltys-gradient).
/// Check: `cargo run -p exercises -- check network::penalty_gradient`
pub fn penalty_gradient(w: &Array2<f64>, reg: f64) -> Array2<f64> {
    todo!()
}

/// **2. Back through two layers.** In `S = W2 · max(0, Z) + b2`, return
/// `∂L/∂Z` given the upstream gradient `dS = ∂L/∂S`.
///
/// Book: [exercise 2](../../../src/network.md#2-back-through-two-layers).
/// Check: `cargo run -p exercises -- check network::hidden_gradient`
pub fn hidden_gradient(w2: &Array2<f64>, z: &Array2<f64>, ds: &Array2<f64>) -> Array2<f64> {
    todo!()
}

/// **3. A linear classifier.** For `S = W X + b` followed by the mean
/// softmax cross-entropy (`backprop::loss`) and the penalty `½ λ ‖W‖²`,
/// return `(∂L/∂W, ∂L/∂b)`. The grader trains it on the spiral with your
/// gradients.
///
/// Book: [exercise 3](../../../src/network.md#3-a-linear-classifier).
/// Check: `cargo run -p exercises -- check network::linear_classifier_gradients`
pub fn linear_classifier_gradients(
    w: &Array2<f64>,
    b: &Array1<f64>,
    x: &Array2<f64>,
    labels: &[usize],
    reg: f64,
) -> (Array2<f64>, Array1<f64>) {
    todo!()
}

/// **4. Dead units (optional).** Return the hidden units (rows of the
/// ReLU output `H`, `(h, n)`) that are off, that is 0, for every sample,
/// in increasing order.
///
/// Book: [exercise 4](../../../src/network.md#4-dead-units-optional).
/// Check: `cargo run -p exercises -- check network::dead_units`
pub fn dead_units(h: &Array2<f64>) -> Vec<usize> {
    todo!()
}
