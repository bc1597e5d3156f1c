//! Exercises: computational graphs in one dimension
//! ([the chapter](../../../src/computational-graphs.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use backprop::scalar::{Graph, Var};

/// **1. Squaring with a multiply node.** Build `y = x · x` as
/// `g.mul(a, a)`, with the same `Var` `a` in both slots, run
/// `g.backward(y)`, and return `(g, a, y)`. Why is the gradient of `x` right
/// although a multiply node only ever swaps its inputs?
///
/// Book: [exercise 1](../../../src/computational-graphs.md#1-squaring-with-a-multiply-node).
/// Check: `cargo run -p exercises -- check computational_graphs::square_graph`
pub fn square_graph(x: f64) -> (Graph, Var, Var) {
    todo!()
}

/// **2. Find the bug: an overwritten gradient.** This backward pass of
/// `f(x, y) = (x + y) · x` should return `[∂f/∂x, ∂f/∂y]`, which is
/// `[2, 3]` at `(3, -4)`. It gets `∂f/∂x` wrong. Find the line and fix it.
///
/// Book: [exercise 2](../../../src/computational-graphs.md#2-find-the-bug-an-overwritten-gradient).
/// Check: `cargo run -p exercises -- check computational_graphs::fan_out_backward`
pub fn fan_out_backward(x: f64, y: f64) -> [f64; 2] {
    // Forward: s = x + y, f = s · x.
    let s = x + y;
    // Backward from df = ∂f/∂f = 1. grad = [dx, dy] starts at zero.
    let df = 1.0;
    let mut grad = [0.0; 2];
    // The multiply node swaps: x gets s, and s gets x.
    grad[0] += df * s;
    let ds = df * x;
    // The add node passes ds to both of its inputs.
    grad[0] = ds;
    grad[1] = ds;
    grad
}

/// **3. A tanh from the parts we have.** The graph has no `tanh` node, but
/// `tanh(x) = 1 - 2 / (e^(2x) + 1)` can be built from `add`, `exp`,
/// `add_const`, `recip` and `neg`. Build it at `x`, run `backward` from
/// its output `t`, and return `(g, x, t)`. At `x = 0.5` the grader expects
/// `tanh(0.5) = 0.4621` and a gradient of `1 - tanh²(0.5) = 0.7864`.
///
/// Book: [exercise 3](../../../src/computational-graphs.md#3-a-tanh-from-the-parts-we-have).
/// Check: `cargo run -p exercises -- check computational_graphs::tanh_graph`
pub fn tanh_graph(x: f64) -> (Graph, Var, Var) {
    todo!()
}

/// What three referees say about `max(a, b)` at the tie `a = b = 2`.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxTie {
    /// `[∂g/∂a, ∂g/∂b]` from `Graph::backward`.
    pub engine: [f64; 2],
    /// The same two partial derivatives by centered differences.
    pub centered: [f64; 2],
    /// How many entries the gradient checker skipped as kinks when handed
    /// the engine's gradient (its failure says how many: a check that
    /// compared no entry fails).
    pub skipped_kinks: usize,
}

/// **4. Max at a tie (optional).** At `a = b = 2`, what does
/// `Graph::backward` give for `g = max(a, b)`, what do centered differences
/// give (`gradcheck::numerical_gradient`), and how many entries does the
/// gradient checker skip as kinks when it is handed the engine's answer
/// (`gradcheck::try_check_gradient_with`, field `skipped_kinks` of its
/// report, or of its failure when it compared nothing)? Compute
/// all three.
///
/// Book: [exercise 4](../../../src/computational-graphs.md#4-max-at-a-tie-optional).
/// Check: `cargo run -p exercises -- check computational_graphs::max_at_tie`
pub fn max_at_tie() -> MaxTie {
    todo!()
}
