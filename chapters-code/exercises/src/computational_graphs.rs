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

/// **3. A tanh from the parts we have.** The graph has a `tanh` node, but
/// `tanh(x) = 1 - 2 / (e^(2x) + 1)` can also be built from `add`, `exp`,
/// `add_const`, `recip` and `neg`. Build it at `x`, run `backward` from
/// its output `y`, and return `(g, x, y)`. At `x = 0.5` the grader expects
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
    /// The same two partial derivatives by centred differences.
    pub centered: [f64; 2],
    /// How many entries the gradient checker skipped as kinks when handed
    /// the engine's gradient.
    pub skipped_kinks: usize,
}

/// **4. Max at a tie (optional).** At `a = b = 2`, what does
/// `Graph::backward` give for `g = max(a, b)`, what do centred differences
/// give (`gradcheck::numerical_gradient`), and how many entries does the
/// gradient checker skip as kinks when it is handed the engine's answer
/// (`gradcheck::try_check_gradient_with`, field `skipped_kinks`)? Compute
/// all three.
///
/// Book: [exercise 4](../../../src/computational-graphs.md#4-max-at-a-tie-optional).
/// Check: `cargo run -p exercises -- check computational_graphs::max_at_tie`
pub fn max_at_tie() -> MaxTie {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { computational_graphs:
    square_graph => |m| {
        let (g, x, y) = m::square_graph(3.0);
        let (n, op, inputs) = (g.len(), g.node(y).op, &g.node(y).inputs);
        let one_node = n == 2 && op == Op::Mul && *inputs == [x, x];
        ensure(one_node, format!("the graph has {n} nodes and y is a {op:?} node with inputs {inputs:?}; y = x·x is g.mul(a, a): two nodes, the input x in both slots of one multiply node"))?;
        one_input_graph(m::square_graph, |x| [x * x, 2.0 * x], 3.0)
    };
    fan_out_backward => |m| {
        let loss = |v: &Array1<f64>| (v[0] + v[1]) * v[0];
        let points = [(3.0, -4.0), (0.5, 1.25), (-2.0, 0.75)].map(|(x, y)| array![x, y]);
        let worst = gradients(loss, points, |p| v(&m::fan_out_backward(p[0], p[1])))?;
        passed("(2, 3) at (3, -4); gradient check at 3 points", worst)
    };
    tanh_graph => |m| one_input_graph(m::tanh_graph, |x| [x.tanh(), 1.0 - x.tanh().powi(2)], 0.5);
    max_at_tie => |m| {
        let answer = m::max_at_tie();
        stated("engine: Graph::backward's [∂g/∂a, ∂g/∂b]", &v(&answer.engine), &v(&[1.0, 0.0]))?;
        let what = "centered: the centred differences at the tie";
        close_array(what, &v(&answer.centered), &v(&[0.5, 0.5]), 1e-9)?;
        let kinks = answer.skipped_kinks;
        ensure(kinks == 2, format!("skipped_kinks: the checker skips both entries as kinks, not {kinks}"))?;
        Ok("engine [1, 0], centred [0.5, 0.5], 2 entries skipped as kinks".to_string())
    };
}

/// The graph the reader's `f` builds, `(graph, x, output)`: its output and
/// gradient against the closed form `exact` (`[y, dy/dx]`), and a gradient
/// check, at `x` and four more points.
fn one_input_graph(
    f: fn(f64) -> (Graph, Var, Var),
    exact: fn(f64) -> [f64; 2],
    x: f64,
) -> Verdict {
    let at = |x: f64| {
        let (g, x, y) = f(x);
        [g.value(y), g.grad(x)]
    };
    let points = [x, -2.0, -0.3, 0.25, 1.7].map(|x| array![x]);
    for p in &points {
        let what = format!("[output, gradient] at x = {}", p[0]);
        close_array(&what, &v(&at(p[0])), &v(&exact(p[0])), 1e-12)?;
    }
    let worst = gradients(|p| at(p[0])[0], points, |p| array![at(p[0])[1]])?;
    let what = "output and gradient as the closed form gives them, gradient check at 5 points";
    passed(what, worst)
}
