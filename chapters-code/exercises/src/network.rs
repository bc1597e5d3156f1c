//! Exercises: a network that learns
//! ([the chapter](../../../src/network.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left. Columns are
//! samples: `X` is `(d, n)`, `W1` `(u, d)`, `Z` and `V = max(0, Z)`
//! `(u, n)`, `W2` `(m, u)` and the scores `Y` `(m, n)`, for `u` hidden
//! units and `m` classes.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2};

/// **1. The penalty's gradient.** Return the gradient of the penalty
/// `½ λ ‖W‖²` (the sum of the squares of every entry, times `λ / 2`) with
/// respect to `W`.
///
/// Book: [exercise 1](../../../src/network.md#1-the-penaltys-gradient).
/// Check: `cargo run -p exercises -- check network::penalty_gradient`
pub fn penalty_gradient(w: &Array2<f64>, reg: f64) -> Array2<f64> {
    todo!()
}

/// **2. Back through two layers.** In `Y = W2 · max(0, Z) + b2`, return
/// `∂L/∂Z` given the upstream gradient `dY = ∂L/∂Y`.
///
/// Book: [exercise 2](../../../src/network.md#2-back-through-two-layers).
/// Check: `cargo run -p exercises -- check network::hidden_gradient`
pub fn hidden_gradient(
    w2: &Array2<f64>,
    z: &Array2<f64>,
    dy: &Array2<f64>,
) -> Array2<f64> {
    todo!()
}

/// **3. A linear classifier.** For `Y = W X + b` followed by the mean
/// softmax cross-entropy (`backprop::loss`) and the penalty `½ λ ‖W‖²`,
/// return `(∂L/∂W, ∂L/∂b)`. The grader trains it on the spiral with your
/// gradients.
///
/// Book: [exercise 3](../../../src/network.md#3-a-linear-classifier).
/// Check: `cargo run -p exercises -- check network::linear_classifier_gradients`
pub fn linear_classifier_gradients(
    w: &Array2<f64>,
    b: &Array1<f64>,
    x: &Array2<f64>,
    labels: &[usize],
    reg: f64,
) -> (Array2<f64>, Array1<f64>) {
    todo!()
}

/// **4. Dead units (optional).** Return the hidden units (rows of the
/// ReLU output `V`, `(u, n)`) that are off, that is 0, for every sample,
/// in increasing order.
///
/// Book: [exercise 4](../../../src/network.md#4-dead-units-optional).
/// Check: `cargo run -p exercises -- check network::dead_units`
pub fn dead_units(v: &Array2<f64>) -> Vec<usize> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { network:
    penalty_gradient => |m| {
        let loss = |w: &Array2<f64>| 0.5 * 0.3 * w.mapv(|v| v * v).sum();
        let worst = gradients(loss, [random((3, 4), 71)], |w| m::penalty_gradient(w, 0.3))?;
        passed("gradient check of ½ λ ‖W‖²", worst)
    };
    hidden_gradient => |m| {
        // (m, u, n): classes, hidden units, samples.
        let worst = worst([(3, 3, 2), (2, 4, 3)], |(classes, u, n)| {
            let (w2, b2) = (random((classes, u), 61), random(classes, 62));
            let forward = |z: &Array2<f64>| affine::forward(&w2, &relu_layer::forward(z), &b2);
            let z = [random((u, n), 63)];
            layers("affine after relu", z, forward, |z, dy| m::hidden_gradient(&w2, z, dy))
        })?;
        passed("layer check of dZ at 2 shapes", worst)
    };
    linear_classifier_gradients => |m| {
        let (f, (x, labels), reg) = (m::linear_classifier_gradients, spiral(10, 3, 5), 0.1);
        let (w, b) = (random((3, 2), 72), random(3, 73));
        let loss = |w: &Array2<f64>, b: &Array1<f64>| {
            let penalty = 0.5 * reg * w.mapv(|v| v * v).sum();
            loss::softmax_cross_entropy(&affine::forward(w, &x, b), &labels).0 + penalty
        };
        let (dw, db) = f(&w, &b, &x, &labels, reg);
        let rw = gradient(|w: &Array2<f64>| loss(w, &b), &w, &dw)?.max_relative_error;
        let rb = gradient(|b: &Array1<f64>| loss(&w, b), &b, &db)?.max_relative_error;
        // The chapter's run: 1,000 steps of size 1 on the spiral.
        let (x, labels) = spiral(100, 3, SPIRAL_SEEDS.0);
        let (mut w, mut b) = (random((3, 2), 1) * 0.01, Array1::<f64>::zeros(3));
        for _ in 0..1000 {
            let (dw, db) = f(&w, &b, &x, &labels, 1e-3);
            w.scaled_add(-1.0, &dw);
            b.scaled_add(-1.0, &db);
        }
        let predicted = loss::predictions(&affine::forward(&w, &x, &b));
        let right = predicted.iter().zip(&labels).filter(|(p, l)| p == l).count();
        let accuracy = right as f64 / labels.len() as f64;
        close("the training accuracy after 1,000 steps", accuracy, 0.51, 0.02)?;
        let what = format!("gradient checks of dW and db; trained with your gradients, accuracy {accuracy}");
        passed(&what, rw.max(rb))
    };
    dead_units => |m| {
        let mut v = relu_layer::forward(&random((6, 5), 74));
        v.row_mut(1).fill(0.0);
        v.row_mut(4).fill(0.0);
        let (want, got) = (vec![1, 4], m::dead_units(&v));
        ensure(got == want, format!("the dead units of\n{v}\nare the rows {want:?}, not {got:?}"))?;
        Ok(format!("found the dead rows {want:?}"))
    };
}
