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
    /// the engine's gradient.
    pub skipped_kinks: usize,
}

/// **4. Max at a tie (optional).** At `a = b = 2`, what does
/// `Graph::backward` give for `g = max(a, b)`, what do centered differences
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

use crate::grade::*;
use backprop::scalar::Op;

crate::exercises! { computational_graphs:
    square_graph => |m| square(m::square_graph);
    fan_out_backward => |m| fan_out(m::fan_out_backward);
    tanh_graph => |m| tanh(m::tanh_graph);
    max_at_tie => |m| max_tie(m::max_at_tie);
}

/// A graph's output as a function of its one input `x`, for the gradient
/// check: `f` builds the graph at `x` and returns `(graph, x, output)`.
fn value_of(f: fn(f64) -> (Graph, Var, Var)) -> impl Fn(&Array1<f64>) -> f64 {
    move |v| {
        let (g, _, y) = f(v[0]);
        g.value(y)
    }
}

/// The gradient of `x` that the reader's graph computes.
fn grad_of(f: fn(f64) -> (Graph, Var, Var)) -> impl Fn(&Array1<f64>) -> Array1<f64> {
    move |v| {
        let (g, x, _) = f(v[0]);
        array![g.grad(x)]
    }
}

fn square(f: fn(f64) -> (Graph, Var, Var)) -> Verdict {
    let (g, a, y) = f(3.0);
    if g.len() != 2 {
        let n = g.len();
        return Err(format!(
            "the graph has {n} nodes; y = x·x needs two: the input x and one multiply node"
        ));
    }
    let node = g.node(y);
    if node.op != Op::Mul || node.inputs != [a, a] {
        let (op, inputs) = (node.op, &node.inputs);
        return Err(format!("y is a {op:?} node with inputs {inputs:?}; it must be g.mul(a, a), one multiply node with the input x in both slots"));
    }
    close("y at x = 3", g.value(y), 9.0, 1e-12)?;
    close("the gradient of x at x = 3", g.grad(a), 6.0, 1e-12)?;
    let worst = gradients(
        value_of(f),
        [-1.5, 0.25, 2.0].map(|x| array![x]),
        grad_of(f),
    )?;
    Ok(format!("y = 9 and dy/dx = 6 at x = 3; gradient check at 3 more points, max relative error {worst:.1e}"))
}

fn fan_out(f: fn(f64, f64) -> [f64; 2]) -> Verdict {
    let loss = |v: &Array1<f64>| (v[0] + v[1]) * v[0];
    let points = [(3.0, -4.0), (0.5, 1.25), (-2.0, 0.75)].map(|(x, y)| array![x, y]);
    let worst = gradients(loss, points, |v| Array1::from(f(v[0], v[1]).to_vec()))?;
    let [dx, dy] = f(3.0, -4.0);
    close("∂f/∂x at (3, -4)", dx, 2.0, 1e-12)?;
    close("∂f/∂y at (3, -4)", dy, 3.0, 1e-12)?;
    Ok(format!("(∂f/∂x, ∂f/∂y) = (2, 3) at (3, -4); gradient check at 3 points, max relative error {worst:.1e}"))
}

fn tanh(f: fn(f64) -> (Graph, Var, Var)) -> Verdict {
    let (g, x, t) = f(0.5);
    close(
        "t at x = 0.5, against f64::tanh",
        g.value(t),
        0.5f64.tanh(),
        1e-12,
    )?;
    close("tanh(0.5) to four places", g.value(t), 0.4621, 1e-4)?;
    close("tanh'(0.5) to four places", g.grad(x), 0.7864, 1e-4)?;
    close(
        "the gradient against 1 - tanh²(x)",
        g.grad(x),
        1.0 - g.value(t).powi(2),
        1e-12,
    )?;
    let worst = gradients(
        value_of(f),
        [-2.0, -0.3, 0.5, 1.7].map(|x| array![x]),
        grad_of(f),
    )?;
    Ok(format!("tanh(0.5) = 0.4621, tanh'(0.5) = 0.7864; gradient check at 4 points, max relative error {worst:.1e}"))
}

fn max_tie(f: fn() -> MaxTie) -> Verdict {
    let answer = f();
    let mut g = Graph::new();
    let (a, b) = (g.input("a", 2.0), g.input("b", 2.0));
    let m = g.max(a, b);
    g.backward(m);
    let engine = [g.grad(a), g.grad(b)];
    if answer.engine != engine {
        let got = answer.engine;
        return Err(format!(
            "engine: {got:?} is not what Graph::backward gives for max(a, b) at a = b = 2"
        ));
    }
    let max = |v: &Array1<f64>| v[0].max(v[1]);
    let at = array![2.0, 2.0];
    let centered = gradcheck::numerical_gradient(max, &at, gradcheck::H);
    let got = Array1::from(answer.centered.to_vec());
    close_array(
        "centered: the centered differences at the tie",
        &got,
        &centered,
        1e-9,
    )?;
    let report = gradient(max, &at, &Array1::from(engine.to_vec()))?;
    if answer.skipped_kinks != report.skipped_kinks {
        let got = answer.skipped_kinks;
        return Err(format!(
            "skipped_kinks: the gradient checker skips a different number of entries than {got}"
        ));
    }
    Ok("engine [1, 0], centered [0.5, 0.5], 2 entries skipped as kinks".to_string())
}
