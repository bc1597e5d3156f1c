//! Exercises: softmax and cross-entropy
//! ([the chapter](../../../src/softmax-cross-entropy.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left. Scores are
//! `(K, n)`: columns are samples.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::Array2;

/// **1. Two classes: softmax is a sigmoid.** For two classes with scores
/// `s1`, `s2` and the first class the true one, return
/// `[∂L/∂s1, ∂L/∂s2]` written with the sigmoid `σ(t) = 1 / (1 + e^(-t))` of
/// `t = s1 − s2`.
///
/// Book: [exercise 1](../../../src/softmax-cross-entropy.md#1-two-classes-softmax-is-a-sigmoid).
/// Check: `cargo run -p exercises -- check softmax::two_class_gradient`
pub fn two_class_gradient(s1: f64, s2: f64) -> [f64; 2] {
    todo!()
}

/// **2. The gradient of softmax cross-entropy.** Return `∂L/∂S` of the
/// mean loss `L = (1/n) Σ_i −ln softmax(S[.., i])[labels[i]]`. The grader
/// also tries scores near 1000, and checks that every column of your
/// gradient adds up to 0.
///
/// Book: [exercise 2](../../../src/softmax-cross-entropy.md#2-the-gradient-of-softmax-cross-entropy).
/// Check: `cargo run -p exercises -- check softmax::softmax_cross_entropy_gradient`
pub fn softmax_cross_entropy_gradient(scores: &Array2<f64>, labels: &[usize]) -> Array2<f64> {
    todo!()
}
