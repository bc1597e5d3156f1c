//! Reference solutions: from scalars to tensors.

use ndarray::{array, s, Array1, Array2};

// ANCHOR: vec_position
/// Where `X[[r, c]]` of a matrix with `d` rows lands in `vec(X)`, which
/// stacks the columns (samples) one after another: position `d·c + r`,
/// counting from zero.
pub fn vec_position(r: usize, c: usize, d: usize) -> usize {
    d * c + r
}
// ANCHOR_END: vec_position

// ANCHOR: jacobian_entries
/// The number of entries of the Jacobian of a layer that maps a `(d, n)`
/// minibatch to an `(m, n)` one: `(m·n)·(d·n)`, one row per output number
/// and one column per input number.
pub fn jacobian_entries(d: u64, m: u64, n: u64) -> u64 {
    (m * n) * (d * n)
}
// ANCHOR_END: jacobian_entries

// ANCHOR: neighbour_products_jacobian
/// The Jacobian of `y_i = x_i x_{i+1}`, written by hand: row `i` has
/// `x_{i+1}` in column `i`, `x_i` in column `i + 1`, and zeros elsewhere.
/// Shape `(d - 1, d)` for `x` of length `d ≥ 2`.
pub fn neighbour_products_jacobian(x: &Array1<f64>) -> Array2<f64> {
    let d = x.len();
    Array2::from_shape_fn((d - 1, d), |(i, j)| {
        if j == i {
            x[i + 1]
        } else if j == i + 1 {
            x[i]
        } else {
            0.0
        }
    })
}
// ANCHOR_END: neighbour_products_jacobian

// ANCHOR: neighbour_products_backward
/// The backward pass of `y_i = x_i x_{i+1}` without the Jacobian:
/// `dx_j = x_{j+1} dy_j + x_{j-1} dy_{j-1}`, each term present when its
/// index exists. Shapes: `x` and `dx` have length `d`, `dy` has length
/// `d - 1`.
pub fn neighbour_products_backward(
    x: &Array1<f64>,
    dy: &Array1<f64>,
) -> Array1<f64> {
    let d = x.len();
    let mut dx = Array1::zeros(d);
    // y_i reaches x_i with slope x_{i+1} ...
    dx.slice_mut(s![..d - 1])
        .scaled_add(1.0, &(&x.slice(s![1..]) * dy));
    // ... and x_{i+1} with slope x_i: an inner x_j gets both, and adds them.
    dx.slice_mut(s![1..])
        .scaled_add(1.0, &(&x.slice(s![..d - 1]) * dy));
    dx
}
// ANCHOR_END: neighbour_products_backward

// ANCHOR: example_backward
/// The backward pass of `y = (x₁x₂, x₁ + 3x₂)`: `dx = Jᵀ dy` with
/// `J = [[x₂, x₁], [1, 3]]`, so `dx₁ = x₂ dy₁ + dy₂` and
/// `dx₂ = x₁ dy₁ + 3 dy₂`. Shapes: `x`, `dy` and `dx` have length 2.
pub fn example_backward(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    // Row j of Jᵀ is column j of J: how every output moves with x_j.
    array![x[1] * dy[0] + dy[1], x[0] * dy[0] + 3.0 * dy[1]]
}
// ANCHOR_END: example_backward

// ANCHOR: product_loss_gradient
/// The gradient of `L(x) = x₁ x₂ (x₁ + 3x₂)`, written directly by the
/// product rule: `(x₂(x₁ + 3x₂) + x₁x₂, x₁(x₁ + 3x₂) + 3x₁x₂)`.
pub fn product_loss_gradient(x: &Array1<f64>) -> Array1<f64> {
    let (x1, x2) = (x[0], x[1]);
    array![
        x2 * (x1 + 3.0 * x2) + x1 * x2,
        x1 * (x1 + 3.0 * x2) + 3.0 * x1 * x2
    ]
}
// ANCHOR_END: product_loss_gradient
