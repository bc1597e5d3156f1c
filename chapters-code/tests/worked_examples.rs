//! The chapters' named worked examples, pinned to the numbers the pages
//! state, so that a changed example fails in `cargo test -p backprop`
//! already, not only in the listings.

use approx::assert_abs_diff_eq;
use backprop::scalar::{sigmoid_neuron, SIGMOID_W, SIGMOID_X};

#[test]
fn the_sigmoid_neuron_example() {
    // z = w0·x0 + w1·x1 + w2 = 2·(-1) + (-3)·(-2) + (-3) = 1.
    assert_eq!(SIGMOID_W, [2.0, -3.0, -3.0]);
    assert_eq!(SIGMOID_X, [-1.0, -2.0]);
    let s = sigmoid_neuron(SIGMOID_W, SIGMOID_X);
    let sigma = 1.0 / (1.0 + (-1.0f64).exp()); // σ(1) ≈ 0.7311
    let local = sigma * (1.0 - sigma); // σ'(1) ≈ 0.1966
    assert_abs_diff_eq!(s.out, sigma, epsilon = 1e-15);
    assert_abs_diff_eq!(s.out, 0.7311, epsilon = 1e-4);
    // ∂out/∂w = σ'(z)·(x0, x1, 1), ∂out/∂x = σ'(z)·(w0, w1).
    let dw = [-local, -2.0 * local, local];
    let dx = [2.0 * local, -3.0 * local];
    for (got, want) in s.dw.iter().zip(dw).chain(s.dx.iter().zip(dx)) {
        assert_abs_diff_eq!(*got, want, epsilon = 1e-15);
    }
    assert_abs_diff_eq!(s.dx[1], -0.59, epsilon = 1e-2);
}
