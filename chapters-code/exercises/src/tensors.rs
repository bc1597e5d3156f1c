//! Exercises: Jacobians, from scalars to tensors
//! ([the chapter](../../../src/tensors.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{array, Array1, Array2};

/// **1. Where an entry lands in vec.** `vec(X)` stacks the columns
/// (samples) of a matrix `X` with `d` rows one after another. At which
/// position of `vec(X)`, counting from zero, does `X[[r, c]]` land?
///
/// Book: [exercise 1](../../../src/tensors.md#1-where-an-entry-lands-in-vec).
/// Check: `cargo run -p exercises -- check tensors::vec_position`
pub fn vec_position(r: usize, c: usize, d: usize) -> usize {
    todo!()
}

/// **2. How big a Jacobian gets.** A layer maps a minibatch `X` of shape
/// `(d, n)` to `Y` of shape `(m, n)`. How many entries does its Jacobian
/// `∂vec(Y)/∂vec(X)` have? (For 128 images of 784 pixels mapped to 256
/// features, how many bytes is that as `f64`?)
///
/// Book: [exercise 2](../../../src/tensors.md#2-how-big-a-jacobian-gets).
/// Check: `cargo run -p exercises -- check tensors::jacobian_entries`
pub fn jacobian_entries(d: u64, m: u64, n: u64) -> u64 {
    todo!()
}

/// **3. The Jacobian of neighbouring products.** Write down, by hand,
/// the Jacobian of `y_i = x_i x_{i+1}` at `x`: for `x` of length `k ≥ 2`,
/// `y` has length `k - 1` and the Jacobian has shape `(k - 1, k)`. For
/// `k = 3` that is `y = (x₁x₂, x₂x₃)`. The grader compares it with
/// `jacobian::numerical`.
///
/// Book: [exercise 3](../../../src/tensors.md#3-the-jacobian-of-neighbouring-products).
/// Check: `cargo run -p exercises -- check tensors::neighbour_products_jacobian`
pub fn neighbour_products_jacobian(x: &Array1<f64>) -> Array2<f64> {
    todo!()
}

/// **4. Neighbouring products without their Jacobian.** Return
/// `∂L/∂x = Jᵀ dy` for `y_i = x_i x_{i+1}`, without building `J`. Shapes:
/// `x` and the result have length `k`, `dy` has length `k - 1`.
///
/// Book: [exercise 4](../../../src/tensors.md#4-neighbouring-products-without-their-jacobian).
/// Check: `cargo run -p exercises -- check tensors::neighbour_products_backward`
pub fn neighbour_products_backward(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// **5. Find the bug: a missing transpose.** The backward pass of the
/// chapter's example `y = (x₁x₂, x₁ + 3x₂)`, whose Jacobian is
/// `J = [[x₂, x₁], [1, 3]]`, must return `Jᵀ dy`. At `x = (2, -1)` and
/// `dy = (-1, -2)` it should give `(-1, -8)`. Find the mistake and fix it.
///
/// Book: [exercise 5](../../../src/tensors.md#5-find-the-bug-a-missing-transpose).
/// Check: `cargo run -p exercises -- check tensors::example_backward`
pub fn example_backward(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    // Row j of the result: how every output moves with x_j, times dy.
    array![x[1] * dy[0] + x[0] * dy[1], dy[0] + 3.0 * dy[1]]
}

/// **6. The same gradient without the chain rule (optional).** With the
/// loss `L = y₁ y₂` of the chapter's example, `L = x₁ x₂ (x₁ + 3x₂)`.
/// Differentiate it directly and return `(∂L/∂x₁, ∂L/∂x₂)`; at `(2, -1)`
/// the chain rule gave `(-1, -8)`.
///
/// Book: [exercise 6](../../../src/tensors.md#6-the-same-gradient-without-the-chain-rule-optional).
/// Check: `cargo run -p exercises -- check tensors::product_loss_gradient`
pub fn product_loss_gradient(x: &Array1<f64>) -> Array1<f64> {
    todo!()
}
