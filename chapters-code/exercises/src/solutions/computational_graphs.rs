//! Reference solutions: computational graphs in one dimension.
//!
//! The book shows each solution by its anchor; `cargo test -p exercises
//! --features solutions` grades them with the same checks as the stubs.

use backprop::gradcheck::{
    numerical_gradient, try_check_gradient_with, H, TOLERANCE,
};
use backprop::scalar::{Graph, Var};
use ndarray::{array, Array1};

// ANCHOR: square_graph
/// `y = x · x` as one multiply node with the same `Var` in both slots.
/// Returns the graph after `backward(y)`, the input and the output.
pub fn square_graph(x: f64) -> (Graph, Var, Var) {
    let mut g = Graph::new();
    let a = g.input("x", x);
    let y = g.mul(a, a);
    g.backward(y);
    (g, a, y)
}
// ANCHOR_END: square_graph

// ANCHOR: fan_out_backward
/// `f(x, y) = (x + y) · x` and its backward pass by hand:
/// returns `[∂f/∂x, ∂f/∂y] = [s + x, x]` with `s = x + y`.
pub fn fan_out_backward(x: f64, y: f64) -> [f64; 2] {
    // Forward: s = x + y, f = s · x.
    let s = x + y;
    // Backward from df = ∂f/∂f = 1. grad = [dx, dy] starts at zero.
    let df = 1.0;
    let mut grad = [0.0; 2];
    // The multiply node swaps: x gets s, and s gets x.
    grad[0] += df * s;
    let ds = df * x;
    // The add node passes ds to both inputs. x is used twice, so its
    // second contribution is added to the first, never written over it.
    grad[0] += ds;
    grad[1] += ds;
    grad
}
// ANCHOR_END: fan_out_backward

// ANCHOR: tanh_graph
/// `tanh(x) = 1 - 2 / (e^(2x) + 1)` from add, exp, add-a-constant,
/// reciprocal and negate. Returns the graph after `backward(y)`, the input
/// and the output `y`.
pub fn tanh_graph(x: f64) -> (Graph, Var, Var) {
    let mut g = Graph::new();
    let x = g.input("x", x);
    let two_x = g.add(x, x); // fan-out doubles the gradient
    let e = g.exp(two_x);
    let e_plus_1 = g.add_const(e, 1.0);
    let r = g.recip(e_plus_1);
    let two_r = g.add(r, r);
    let minus = g.neg(two_r);
    let y = g.add_const(minus, 1.0); // 1 - 2r
    g.backward(y);
    (g, x, y)
}
// ANCHOR_END: tanh_graph

pub use crate::computational_graphs::MaxTie;

// ANCHOR: max_at_tie
/// Asks the engine, the centred difference and the gradient checker about
/// `g = max(a, b)` at `a = b = 2`.
pub fn max_at_tie() -> MaxTie {
    let mut g = Graph::new();
    let (a, b) = (g.input("a", 2.0), g.input("b", 2.0));
    let m = g.max(a, b);
    g.backward(m);
    let engine = [g.grad(a), g.grad(b)];

    let max = |v: &Array1<f64>| v[0].max(v[1]);
    let at = array![2.0, 2.0];
    let centered = numerical_gradient(max, &at, H);
    // Both entries sit on the corner: the checker skips them, and having
    // compared nothing, it fails the check and says so.
    let failure = try_check_gradient_with(
        max,
        &at,
        &Array1::from(engine.to_vec()),
        H,
        TOLERANCE,
    )
    .expect_err("a check that compared nothing fails");
    MaxTie {
        engine,
        centered: [centered[0], centered[1]],
        skipped_kinks: failure.skipped_kinks,
    }
}
// ANCHOR_END: max_at_tie
