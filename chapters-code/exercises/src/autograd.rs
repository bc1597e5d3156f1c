//! Exercises: autograd from local gradients
//! ([the chapter](../../../src/autograd.md#exercises)).
//!
//! Replace each `todo!()` with your answer (or, in a "find the bug"
//! exercise, fix the stub), then run the command under the exercise.
//! `cargo run -p exercises` shows what is left. The tape is
//! `backprop::tape::Tape`; a `Var` is a value's position on it.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use backprop::tape::{Tape, Var};
use ndarray::Array1;

/// **1. A SiLU of your own.** Record SiLU, `y = x σ(x)` entry by entry
/// with `σ(x) = 1 / (1 + e^(−x))` (PyTorch's `nn.SiLU`), on `tape` with
/// `Tape::custom`, and return the handle of its output. At `x = 2` it is
/// 1.7616, with derivative 1.0908.
///
/// Book: [exercise 1](../../../src/autograd.md#1-a-silu-of-your-own).
/// Check: `cargo run -p exercises -- check autograd::silu`
pub fn silu(tape: &mut Tape, x: Var) -> Var {
    todo!()
}

/// An operation of the tiny tape of exercise 2, entry by entry on arrays
/// of one length, with the positions of its inputs on the tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A value that is given.
    Leaf,
    /// `values[a] + values[b]`.
    Add(usize, usize),
    /// `values[a] ⊙ values[b]`.
    Mul(usize, usize),
}

/// The tiny tape's forward pass: `ops[k]` makes `values[k]`, and the
/// `Leaf`s take the `leaves`, in order.
pub fn tiny_forward(ops: &[Op], leaves: &[Array1<f64>]) -> Vec<Array1<f64>> {
    let mut leaves = leaves.iter();
    let mut values: Vec<Array1<f64>> = Vec::new();
    for op in ops {
        let value = match *op {
            Op::Leaf => leaves.next().expect("one array per Leaf").clone(),
            Op::Add(a, b) => &values[a] + &values[b],
            Op::Mul(a, b) => &values[a] * &values[b],
        };
        values.push(value);
    }
    values
}

/// **2. Find the bug: a tape that overwrites.** The tiny tape's walk back:
/// for the values `tiny_forward` made, it returns `∂L/∂values[k]` for every
/// `k`, where `L` is the sum of the last value's entries. For
/// `L = Σ (x ⊙ y + x)`, where `x` is used twice, it returns `y` as `∂L/∂x`,
/// not `y + 1`. Find the line and fix it.
///
/// Book: [exercise 2](../../../src/autograd.md#2-find-the-bug-a-tape-that-overwrites).
/// Check: `cargo run -p exercises -- check autograd::tiny_backward`
pub fn tiny_backward(ops: &[Op], values: &[Array1<f64>]) -> Vec<Array1<f64>> {
    let zero = |v: &Array1<f64>| Array1::zeros(v.len());
    let mut grads: Vec<Array1<f64>> = values.iter().map(zero).collect();
    let last = values.len() - 1;
    grads[last].fill(1.0); // L sums the last value
    for k in (0..=last).rev() {
        let dy = grads[k].clone();
        // What the operation at k sends back to each of its inputs.
        let sent = match ops[k] {
            Op::Leaf => vec![],
            Op::Add(a, b) => vec![(a, dy.clone()), (b, dy)],
            Op::Mul(a, b) => vec![(a, &dy * &values[b]), (b, &dy * &values[a])],
        };
        for (input, g) in sent {
            grads[input] = g;
        }
    }
    grads
}

/// **3. A network of any depth.** `params` holds the handles of
/// `[W1, b1, W2, b2, …]`, one pair `(W, b)` per affine layer. Record the
/// network's loss on `tape` and return its handle: the affine layers in
/// order from the data `x`, a ReLU after each but the last, the mean
/// softmax cross-entropy of the last one's scores, plus the penalty
/// `½ λ` times the sum of the squares of every weight matrix's entries
/// (`reg` is `λ`). With two layers it is `Network::loss`.
///
/// Book: [exercise 3](../../../src/autograd.md#3-a-network-of-any-depth).
/// Check: `cargo run -p exercises -- check autograd::network_of_any_depth`
pub fn network_of_any_depth(
    tape: &mut Tape,
    params: &[Var],
    x: Var,
    labels: &[usize],
    reg: f64,
) -> Var {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { autograd:
    silu => |m| {
        let (x, w, b) = (random::<_, Ix2>((4, 3), 91), random::<_, Ix2>((2, 4), 92), random(2, 93));
        let inputs = [input("x", &x), input("w", &w), input("b", &b)];
        let report = tape::check("SiLU, then affine and the loss", &inputs, |t, v| {
            let h = m::silu(t, v[0]);
            let y = t.affine(v[1], h, v[2]);
            t.softmax_cross_entropy(y, &[0, 1, 1])
        });
        let worst = report.map_err(|f| f.message)?.max_relative_error();
        let mut tape = Tape::new();
        let x = tape.leaf(v(&[2.0]));
        let y = m::silu(&mut tape, x);
        tape.backward(y);
        close("SiLU(2)", tape.value(y)[0], 1.7616, 5e-5)?;
        close("SiLU's derivative at 2", tape.grad(x)[0], 1.0908, 5e-5)?;
        passed("SiLU(2) = 1.7616, derivative 1.0908; tape::check", worst)
    };
    tiny_backward => |m| {
        use crate::autograd::{tiny_forward, Op::*};
        // x is used twice in each: the sum of the last value is L.
        let graphs = [
            ("L = Σ (x ⊙ y + x)", [Leaf, Leaf, Mul(0, 1), Add(2, 0)]),
            ("L = Σ (x + y) ⊙ x", [Leaf, Leaf, Add(0, 1), Mul(2, 0)]),
            ("L = Σ x ⊙ x ⊙ y", [Leaf, Leaf, Mul(0, 0), Mul(2, 1)]),
        ];
        let worst = worst(graphs, |(name, ops)| {
            let values = |v: &[ArrayD<f64>]| tiny_forward(&ops, &[arg(&v[0]), arg(&v[1])]);
            let forward = |v: &[ArrayD<f64>]| arr0(values(v)[3].sum());
            let backward = |v: &[ArrayD<f64>], dl: &ndarray::Array0<f64>| {
                let grads = m::tiny_backward(&ops, &values(v));
                grads[..2].iter().map(|g| (g * dl[[]]).into_dyn()).collect()
            };
            let (x, y) = (random::<_, Ix1>(3, 94), random::<_, Ix1>(3, 95));
            layer(name, &[input("x", &x), input("y", &y)], forward, backward)
        })?;
        passed("layer check of dx and dy on 3 tapes that use x twice", worst)
    };
    network_of_any_depth => |m| {
        let f = m::network_of_any_depth;
        // The reader's loss of a network whose inputs are x, W1, b1, W2, b2, …
        let tape_loss = |values: &[ArrayD<f64>], labels: &[usize], reg: f64| {
            let mut t = Tape::new();
            let v = t.leaves(values);
            let loss = f(&mut t, &v[1..], v[0], labels, reg);
            t.value(loss).sum()
        };
        // Two layers on the spiral, against Network::loss.
        let ((x, labels), mut net) = (spiral(100, 3, SPIRAL_SEEDS.0), Network::new(2, 100, 3, 7));
        (net.b1, net.b2) = (random(100, 96), random(3, 97));
        let want = net.loss(&x, &labels, 1e-3).0;
        let (w1, b1, w2, b2) = (net.w1.into_dyn(), net.b1.into_dyn(), net.w2.into_dyn(), net.b2);
        let got = tape_loss(&[x.into_dyn(), w1, b1, w2, b2.into_dyn()], &labels, 1e-3);
        close("the loss of two layers, against Network::loss", got, want, 1e-12 * want)?;
        // Three layers: the loss, computed here layer by layer, and tape::check.
        let (x, labels, reg) = (random::<_, Ix2>((2, 4), 98), [0, 1, 2, 1], 0.1);
        let (mut scores, mut penalty, mut inputs) = (x.clone(), 0.0, vec![input("x", &x)]);
        for (l, &[d, u]) in [[2, 5], [5, 4], [4, 3]].iter().enumerate() {
            let w = random::<_, Ix2>((u, d), 60 + l as u64);
            let b = random::<_, Ix1>(u, 65 + l as u64);
            scores = affine::forward(&w, &scores, &b);
            scores = if l < 2 { relu_layer::forward(&scores) } else { scores };
            penalty += 0.5 * reg * w.mapv(|a| a * a).sum();
            inputs.extend([input(["W1", "W2", "W3"][l], &w), input(["b1", "b2", "b3"][l], &b)]);
        }
        let want = loss::softmax_cross_entropy(&scores, &labels).0 + penalty;
        let values: Vec<_> = inputs.iter().map(|i| i.1.clone()).collect();
        close("the loss of three layers", tape_loss(&values, &labels, reg), want, 1e-12)?;
        let build = |t: &mut Tape, v: &[Var]| f(t, &v[1..], v[0], &labels, reg);
        let report = tape::check("three layers", &inputs, build).map_err(|f| f.message)?;
        passed("two layers against Network::loss; three layers' loss and tape::check", report.max_relative_error())
    };
}
