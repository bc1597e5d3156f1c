//! Reference solutions: autograd from local gradients.

pub use crate::autograd::Op;
use backprop::tape::{Tape, Var};
use ndarray::{arr0, Array1, ArrayD};

// ANCHOR: silu
/// SiLU on the tape: its backward pass multiplies `dy` by
/// `y' = σ(x) (1 + x (1 − σ(x)))`.
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
/// The tiny tape's walk back, adding what arrives at each value.
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
            grads[input] += &g; // add, do not overwrite
        }
    }
    grads
}
// ANCHOR_END: tiny_backward

// ANCHOR: network_of_any_depth
/// The loss of any number of layers: `params` holds `[W1, b1, W2, b2, …]`.
pub fn network_of_any_depth(
    tape: &mut Tape,
    params: &[Var],
    x: Var,
    labels: &[usize],
    reg: f64,
) -> Var {
    let mut h = x;
    let mut squares = tape.leaf(arr0(0.0)); // the sum of every ‖W‖²
    for (l, pair) in params.chunks(2).enumerate() {
        let (w, b) = (pair[0], pair[1]);
        h = tape.affine(w, h, b);
        if 2 * l + 2 < params.len() {
            h = tape.relu(h); // after every layer but the last
        }
        let ww = tape.mul(w, w);
        let s = tape.sum(ww);
        squares = tape.add(squares, s);
    }
    let data_loss = tape.softmax_cross_entropy(h, labels);
    let half_reg = tape.leaf(arr0(0.5 * reg));
    let penalty = tape.mul(half_reg, squares);
    tape.add(data_loss, penalty)
}
// ANCHOR_END: network_of_any_depth
