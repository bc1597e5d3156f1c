//! Reference solutions: autograd from local gradients.

pub use crate::autograd::Op;
use backprop::tape::{Tape, Var};
use ndarray::{arr0, Array1, ArrayD};

// ANCHOR: silu
/// SiLU, `y = x σ(x)` entry by entry, on the tape. By the product rule,
/// `y' = σ(x) + x σ(x) (1 − σ(x)) = σ(x) (1 + x (1 − σ(x)))`, and the
/// backward pass multiplies `dy` by it.
pub fn silu(tape: &mut Tape, x: Var) -> Var {
    let sigmoid = |a: f64| 1.0 / (1.0 + (-a).exp());
    let forward = move |v: &[ArrayD<f64>]| v[0].mapv(|a| a * sigmoid(a));
    let backward = move |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
        let slope = v[0].mapv(|a| sigmoid(a) * (1.0 + a * (1.0 - sigmoid(a))));
        vec![dy * &slope]
    };
    tape.custom("silu", &[("x", x)], forward, backward)
}
// ANCHOR_END: silu

// ANCHOR: tiny_backward
/// The tiny tape's walk back: `∂L/∂values[k]` for every `k`, where `L`
/// sums the last value. A value used twice gets what both of its users
/// send: the gradients add.
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
            grads[input] += &g; // the fix: add, do not overwrite
        }
    }
    grads
}
// ANCHOR_END: tiny_backward

// ANCHOR: network_of_any_depth
/// The loss of a network of any depth on the tape: `params` holds the
/// handles of `[W1, b1, W2, b2, …]`. Each pair is an affine layer, with a
/// ReLU after every layer but the last; then the mean softmax
/// cross-entropy, plus `½ λ` times the sum of the squares of every weight
/// matrix's entries. The tape writes the backward pass.
pub fn network_of_any_depth(
    tape: &mut Tape,
    params: &[Var],
    x: Var,
    labels: &[usize],
    reg: f64,
) -> Var {
    let layers = params.len() / 2;
    let (mut h, mut squares) = (x, None);
    for (l, pair) in params.chunks(2).enumerate() {
        let (w, b) = (pair[0], pair[1]);
        h = tape.affine(w, h, b);
        if l + 1 < layers {
            h = tape.relu(h);
        }
        // ‖W‖², added to the squares of the layers before
        let ww = tape.mul(w, w);
        let s = tape.sum(ww);
        squares = Some(match squares {
            Some(before) => tape.add(before, s),
            None => s,
        });
    }
    let data_loss = tape.softmax_cross_entropy(h, labels);
    let half_reg = tape.leaf(arr0(0.5 * reg));
    let squares = squares.expect("at least one layer");
    let penalty = tape.mul(half_reg, squares);
    tape.add(data_loss, penalty)
}
// ANCHOR_END: network_of_any_depth
