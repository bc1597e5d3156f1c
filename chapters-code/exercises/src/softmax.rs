//! Exercises: softmax and cross-entropy
//! ([the chapter](../../../src/softmax-cross-entropy.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left. The scores `Y`
//! are `(m, n)` for `m` classes: columns are samples.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::Array2;

/// **1. Two classes: softmax is a sigmoid.** For two classes with scores
/// `y1`, `y2` and the first class the true one, return
/// `[∂L/∂y1, ∂L/∂y2]` written with the sigmoid `σ(v) = 1 / (1 + e^(-v))` of
/// `v = y1 − y2`.
///
/// Book: [exercise 1](../../../src/softmax-cross-entropy.md#1-two-classes-softmax-is-a-sigmoid).
/// Check: `cargo run -p exercises -- check softmax::two_class_gradient`
pub fn two_class_gradient(y1: f64, y2: f64) -> [f64; 2] {
    todo!()
}

/// **2. The gradient of softmax cross-entropy.** Return `∂L/∂Y` of the
/// mean loss `L = (1/n) Σ_k −ln softmax(Y[.., k])[τ_k]`, where the true
/// class `τ_k` of sample `k` is `labels[k]`. The grader
/// also tries scores near 1000, and checks that every column of your
/// gradient adds up to 0.
///
/// Book: [exercise 2](../../../src/softmax-cross-entropy.md#2-the-gradient-of-softmax-cross-entropy).
/// Check: `cargo run -p exercises -- check softmax::softmax_cross_entropy_gradient`
pub fn softmax_cross_entropy_gradient(
    scores: &Array2<f64>,
    labels: &[usize],
) -> Array2<f64> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { softmax:
    two_class_gradient => |m| {
        for (y1, y2) in [(0.8, -0.4), (-2.0, 1.5), (3.0, 3.0)] {
            let dy = loss::softmax_cross_entropy(&array![[y1], [y2]], &[0]).1.column(0).to_owned();
            let what = format!("[∂L/∂y1, ∂L/∂y2] at (y1, y2) = ({y1}, {y2})");
            stated(&what, &v(&m::two_class_gradient(y1, y2)), &dy)?;
        }
        Ok("matches loss::softmax_cross_entropy at 3 pairs of scores".to_string())
    };
    softmax_cross_entropy_gradient => |m| {
        let (labels, scores) = ([0, 2, 1, 2], random((3, 4), 51) * 2.0);
        let grad = m::softmax_cross_entropy_gradient(&scores, &labels);
        let loss = |y: &Array2<f64>| loss::softmax_cross_entropy(y, &labels).0;
        let worst = gradients(loss, [scores.clone()], |_| grad.clone())?;
        let sums = grad.sum_axis(ndarray::Axis(0));
        stated("the sums of the gradient's columns", &sums, &v(&[0.0; 4]))?;
        let shifted = m::softmax_cross_entropy_gradient(&(&scores + 1000.0), &labels);
        let finite = shifted.iter().all(|v| v.is_finite());
        ensure(finite, "at scores near 1000 the gradient is not finite: exp(1000) overflows; subtract each column's largest score before exp (softmax does not change)".to_string())?;
        close_array("the gradient at the same scores plus 1000", &shifted, &grad, 1e-9)?;
        passed("gradient check of the mean loss; columns sum to 0; stable near 1000", worst)
    };
}
