//! Softmax and the cross-entropy loss.
//!
//! **Layer.** For `m` classes, a sample's scores `y ∈ ℝ^m` (the last
//! layer's output) become probabilities `p_i = exp(y_i) / Σ_j exp(y_j)` (the
//! softmax), and the loss of a sample whose true class is `τ` is `−ln p_τ`
//! (the cross-entropy). The loss of a minibatch is the mean over its
//! samples.
//!
//! **Shapes** ([`CONVENTION`]): the scores `Y` are `(m, n)`, since columns
//! are samples; `labels` holds the `n` true classes `τ_k`, each below `m`.
//! The gradient `∂L/∂Y` is `(m, n)`, and equals `(P − E) / n`, where `P`
//! holds the probabilities and `E` the one-hot labels: `E[i, k] = 1` when
//! `labels[k] = i`.
//!
//! **Stability.** Softmax does not change when a constant is subtracted
//! from a column, so each column's largest score `y_max` is subtracted
//! first: every exponent is then at most 0, and scores around 1000 give
//! finite numbers. The loss is computed as
//! `ln Σ_j exp(y_j − y_max) − (y_τ − y_max)`, which never takes the
//! logarithm of an underflowed 0.
//!
//! **Cache.** Nothing: the loss is the last node of the graph, so its
//! gradient is computed in the same call as its value.

use crate::shapes::Checker;
use crate::Error;
use ndarray::{Array2, Axis, Zip};

/// The shape convention of this module, repeated in every shape message.
pub const CONVENTION: &str =
    "convention: scores Y are (m, n), columns are samples; \
     labels has length n, each label below m";

/// This module's checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// Softmax of every column: `P[i, k] = exp(Y[i, k] − y_max) / Σ_j exp(Y[j, k] − y_max)`
/// with `y_max` the largest score of column `k` (which does not change `P`,
/// and keeps every exponent at most 0).
///
/// Shapes: `scores` `(m, n)`; returns `P` `(m, n)`, whose columns sum to 1.
// Shown in "Softmax and cross-entropy", section "From scores to a loss".
// ANCHOR: softmax
pub fn softmax(scores: &Array2<f64>) -> Array2<f64> {
    let mut p = scores.clone();
    for mut column in p.columns_mut() {
        let max = column.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        column.mapv_inplace(|v| (v - max).exp());
        let sum = column.sum();
        column /= sum;
    }
    p
}
// ANCHOR_END: softmax

/// The mean cross-entropy loss of softmax probabilities and its gradient:
/// `L = (1/n) Σ_k −ln P[labels[k], k]` and `∂L/∂Y = (P − E) / n`, with
/// `P = softmax(Y)` and `E` the one-hot labels.
///
/// Shapes: `scores` `(m, n)`, `labels` of length `n`; returns the loss and
/// `∂L/∂Y` `(m, n)`.
///
/// # Panics
/// On an empty batch (`n = 0`) or no classes (`m = 0`), when `labels` and
/// `scores` disagree on `n`, and on a label that is not below `m`, with
/// [`try_softmax_cross_entropy`]'s message.
// Shown in "Softmax and cross-entropy", section "Scores around 1000".
// ANCHOR: softmax_cross_entropy
#[track_caller]
pub fn softmax_cross_entropy(
    scores: &Array2<f64>,
    labels: &[usize],
) -> (f64, Array2<f64>) {
    try_softmax_cross_entropy(scores, labels).unwrap_or_else(|e| e.raise())
}

/// [`softmax_cross_entropy`] that returns bad input (shapes or labels) as
/// `Err` instead of panicking.
pub fn try_softmax_cross_entropy(
    scores: &Array2<f64>,
    labels: &[usize],
) -> Result<(f64, Array2<f64>), Error> {
    check("loss::softmax_cross_entropy", scores, labels)?;
    let mut dscores = Array2::zeros(scores.raw_dim());
    let loss = loss_and_gradient(scores, labels, &mut dscores);
    Ok((loss, dscores))
}

/// [`softmax_cross_entropy`] that writes `∂L/∂Y` into `dscores`
/// (shaped like `scores`) instead of allocating it, for training loops
/// that reuse their buffers. Returns the loss.
///
/// # Panics
/// As [`softmax_cross_entropy`], and if `dscores` is not shaped like
/// `scores`.
#[track_caller]
pub fn softmax_cross_entropy_into(
    scores: &Array2<f64>,
    labels: &[usize],
    dscores: &mut Array2<f64>,
) -> f64 {
    let context = "loss::softmax_cross_entropy_into";
    check(context, scores, labels)
        .and_then(|()| {
            SHAPES.check(
                dscores.shape() == scores.shape(),
                context,
                ("dscores", dscores.shape()),
                ("scores", scores.shape()),
                "dscores must have the shape of scores",
            )
        })
        .unwrap_or_else(|e| e.raise());
    loss_and_gradient(scores, labels, dscores)
}

/// The loss and, written into `dscores`, its gradient, for checked input.
fn loss_and_gradient(
    scores: &Array2<f64>,
    labels: &[usize],
    dscores: &mut Array2<f64>,
) -> f64 {
    let n = labels.len() as f64;
    let mut loss = 0.0;
    Zip::from(dscores.columns_mut())
        .and(scores.columns())
        .and(labels)
        .for_each(|mut d, y, &label| {
            let max = y.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
            Zip::from(&mut d)
                .and(&y)
                .for_each(|d, &v| *d = (v - max).exp());
            let sum = d.sum();
            // −ln p_τ = ln Σ_j exp(y_j − y_max) − (y_τ − y_max)
            loss += sum.ln() - (y[label] - max);
            // (p − e_τ) / n
            d.mapv_inplace(|e| e / sum / n);
            d[label] -= 1.0 / n;
        });
    loss / n
}
// ANCHOR_END: softmax_cross_entropy

/// The checks on entry: a non-empty batch, one label per sample, and every
/// label a valid class.
fn check(
    context: &str,
    scores: &Array2<f64>,
    labels: &[usize],
) -> Result<(), Error> {
    let (m, n) = scores.dim();
    SHAPES.check(
        n > 0 && m > 0,
        context,
        ("scores", scores.shape()),
        ("labels", &[labels.len()]),
        "an empty batch (or no classes) has no mean loss",
    )?;
    SHAPES.check(
        labels.len() == n,
        context,
        ("labels", &[labels.len()]),
        ("scores", scores.shape()),
        "labels must have one entry per sample (scores' columns, n)",
    )?;
    match labels.iter().enumerate().find(|(_, &l)| l >= m) {
        Some((k, &label)) => Err(SHAPES.value(
            context,
            &format!(
                "label {label} of sample {k} is out of range: scores has shape {:?}, \
                 so labels must be below m = {m}",
                scores.shape()
            ),
        )),
        None => Ok(()),
    }
}

/// The largest score's class in every column (the first on a tie).
///
/// Shapes: `scores` `(m, n)`; returns `n` class indices.
// Shown in "Softmax and cross-entropy", section "From scores to a loss".
// ANCHOR: predictions
pub fn predictions(scores: &Array2<f64>) -> Vec<usize> {
    scores
        .axis_iter(Axis(1))
        .map(|column| {
            let mut best = 0;
            for (c, &v) in column.iter().enumerate() {
                if v > column[best] {
                    best = c;
                }
            }
            best
        })
        .collect()
}
// ANCHOR_END: predictions

/// The chapter's worked example, `(scores, labels)`: one sample with three
/// classes, scores `y = (2, 1, −1)` as a `(3, 1)` column, label 0. They
/// give `p ≈ (0.705, 0.259, 0.035)` and `L = −ln 0.705 ≈ 0.349`. The
/// chapter and the unit tests use these numbers.
// Shown in "Softmax and cross-entropy", section "From scores to a loss".
// ANCHOR: example
pub fn example() -> (Array2<f64>, Vec<usize>) {
    (ndarray::array![[2.0], [1.0], [-1.0]], vec![0])
}
// ANCHOR_END: example

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{self, random};
    use crate::layer_check::{arg, check_layer, input};
    use crate::testing::{
        assert_entries_close, assert_shape_panic, panic_message,
    };
    use approx::assert_abs_diff_eq;
    use ndarray::{array, Array1};

    #[test]
    fn the_worked_numbers() {
        // One sample, three classes, true class 0.
        let (s, labels) = example();
        assert_eq!(labels, [0]);
        let p = softmax(&s);
        let e = [2f64.exp(), 1f64.exp(), (-1f64).exp()];
        let z: f64 = e.iter().sum();
        let inputs = [("scores", s.view().into_dyn())];
        let want = array![[e[0] / z], [e[1] / z], [e[2] / z]];
        assert_entries_close("loss::softmax", ("P", &p), &want, &inputs, 1e-15);
        assert_abs_diff_eq!(p[[0, 0]], 0.705, epsilon = 5e-4);
        let (loss, ds) = softmax_cross_entropy(&s, &labels);
        assert_abs_diff_eq!(loss, -(e[0] / z).ln(), epsilon = 1e-15);
        assert_abs_diff_eq!(loss, 0.349, epsilon = 5e-4);
        let expected = &p - &array![[1.0], [0.0], [0.0]];
        let function = "loss::softmax_cross_entropy, label 0";
        assert_entries_close(function, ("dY", &ds), &expected, &inputs, 1e-15);
    }

    #[test]
    fn gradient_is_p_minus_e_over_n() {
        let s: Array2<f64> = random((4, 5), 1);
        let labels = [0, 3, 1, 1, 2];
        let (_, ds) = softmax_cross_entropy(&s, &labels);
        let mut e = Array2::zeros((4, 5));
        for (k, &label) in labels.iter().enumerate() {
            e[[label, k]] = 1.0;
        }
        let inputs =
            [("scores", s.view().into_dyn()), ("E", e.view().into_dyn())];
        let want = (softmax(&s) - &e) / 5.0;
        let function = "loss::softmax_cross_entropy (dY = (P − E)/n)";
        assert_entries_close(function, ("dY", &ds), &want, &inputs, 1e-15);
        // The allocation-free form writes the same numbers.
        let mut d = Array2::zeros((4, 5));
        let loss = softmax_cross_entropy_into(&s, &labels, &mut d);
        assert_eq!(loss, softmax_cross_entropy(&s, &labels).0);
        let function = "loss::softmax_cross_entropy_into";
        assert_entries_close(function, ("dscores", &d), &ds, &inputs, 0.0);
    }

    #[test]
    fn passes_the_layer_check() {
        let labels = [2, 0, 1, 2];
        let s: Array2<f64> = random((3, 4), 2) * 3.0;
        let loss = |v: &[ndarray::ArrayD<f64>]| {
            ndarray::arr0(softmax_cross_entropy(&arg(&v[0]), &labels).0)
                .into_dyn()
        };
        let r = check_layer(
            "softmax cross-entropy",
            &[input("scores", &s)],
            loss,
            |v, dl| {
                vec![(softmax_cross_entropy(&arg(&v[0]), &labels).1 * dl[[]])
                    .into_dyn()]
            },
        );
        assert_eq!(r.jacobians_compared, 1);
    }

    #[test]
    fn softmax_jacobian_is_diag_p_minus_p_pt() {
        let s: Array1<f64> = random(4, 3);
        let col = s.clone().insert_axis(Axis(1));
        let p = softmax(&col).column(0).to_owned();
        let j = crate::jacobian::numerical(
            |s: &Array1<f64>| {
                softmax(&s.clone().insert_axis(Axis(1)))
                    .column(0)
                    .to_owned()
            },
            &s,
            gradcheck::H,
        );
        let pp = p.clone().insert_axis(Axis(1));
        let expected = Array2::from_diag(&p) - pp.dot(&pp.t());
        let inputs = [("s", s.view().into_dyn())];
        assert_entries_close(
            "softmax's Jacobian",
            ("J", &j),
            &expected,
            &inputs,
            1e-9,
        );
    }

    #[test]
    fn large_scores_stay_finite() {
        let s = array![[1000.0, -1000.0], [999.0, -1002.0], [1001.0, -1001.0]];
        let (loss, ds) = softmax_cross_entropy(&s, &[0, 2]);
        assert!(loss.is_finite());
        assert!(ds.iter().all(|v| v.is_finite()));
        // The same as the scores shifted down by 1000 (and up by 1000).
        let shifted = array![[0.0, 0.0], [-1.0, -2.0], [1.0, -1.0]];
        let (l2, d2) = softmax_cross_entropy(&shifted, &[0, 2]);
        assert_abs_diff_eq!(loss, l2, epsilon = 1e-12);
        let inputs = [("scores", s.view().into_dyn())];
        let function = "loss::softmax_cross_entropy at scores around 1000";
        assert_entries_close(function, ("dY", &ds), &d2, &inputs, 1e-15);
        // softmax itself subtracts each column's largest score before exp.
        let function = "loss::softmax at scores around 1000";
        assert_entries_close(
            function,
            ("P", &softmax(&s)),
            &softmax(&shifted),
            &inputs,
            1e-15,
        );
        // A hopeless sample: p_y underflows to 0 but the loss is exactly 2000.
        let (l3, _) = softmax_cross_entropy(&array![[1000.0], [-1000.0]], &[1]);
        assert_abs_diff_eq!(l3, 2000.0, epsilon = 1e-9);
    }

    #[test]
    fn predictions_pick_the_largest_score() {
        let s = array![[1.0, 0.0, 5.0], [2.0, 0.0, -1.0]];
        assert_eq!(predictions(&s), vec![1, 0, 0]);
    }

    #[test]
    fn rejects_labels_of_the_wrong_length() {
        assert_shape_panic(
            "loss::softmax_cross_entropy: ",
            &[
                "labels has shape [2] but scores has shape [3, 4]",
                "labels must have one entry per sample",
                CONVENTION,
            ],
            || {
                softmax_cross_entropy(&Array2::zeros((3, 4)), &[0, 1]);
            },
        );
    }

    #[test]
    fn rejects_an_empty_batch() {
        assert_shape_panic(
            "loss::softmax_cross_entropy: ",
            &[
                "scores has shape [3, 0] but labels has shape [0]",
                "an empty batch",
                CONVENTION,
            ],
            || {
                softmax_cross_entropy(&Array2::zeros((3, 0)), &[]);
            },
        );
        assert_shape_panic(
            "loss::softmax_cross_entropy: ",
            &[
                "scores has shape [0, 2] but labels has shape [2]",
                "(or no classes)",
                CONVENTION,
            ],
            || {
                softmax_cross_entropy(&Array2::zeros((0, 2)), &[0, 0]);
            },
        );
    }

    #[test]
    fn rejects_a_label_out_of_range() {
        let want = format!(
            "loss::softmax_cross_entropy: label 3 of sample 2 is out of range: scores has \
             shape [3, 4], so labels must be below m = 3 ({CONVENTION})"
        );
        let msg = panic_message(|| {
            softmax_cross_entropy(&Array2::zeros((3, 4)), &[0, 1, 3, 2]);
        });
        assert_eq!(msg, want);
        let err =
            try_softmax_cross_entropy(&Array2::zeros((3, 4)), &[0, 1, 3, 2])
                .unwrap_err();
        assert_eq!(err.message, want);
        let msg = panic_message(|| {
            let mut d = Array2::zeros((3, 4));
            softmax_cross_entropy_into(
                &Array2::zeros((3, 4)),
                &[0, 1, 3, 2],
                &mut d,
            );
        });
        assert_eq!(msg, want.replace("entropy:", "entropy_into:"));
    }

    #[test]
    fn into_rejects_a_buffer_of_the_wrong_shape() {
        assert_shape_panic(
            "loss::softmax_cross_entropy_into: ",
            &[
                "dscores has shape [4, 3] but scores has shape [3, 4]",
                "dscores must have the shape of scores",
                CONVENTION,
            ],
            || {
                let mut d = Array2::zeros((4, 3));
                softmax_cross_entropy_into(
                    &Array2::zeros((3, 4)),
                    &[0, 1, 2, 0],
                    &mut d,
                );
            },
        );
    }

    #[test]
    fn try_returns_the_panics_message() {
        let err = try_softmax_cross_entropy(&Array2::zeros((3, 4)), &[0, 1])
            .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "loss::softmax_cross_entropy: labels has shape [2] but scores has shape [3, 4]; \
                 labels must have one entry per sample (scores' columns, n) ({CONVENTION})"
            )
        );
        assert!(try_softmax_cross_entropy(&array![[1.0], [2.0]], &[1]).is_ok());
    }

    #[test]
    fn shape_messages_end_with_this_modules_convention() {
        let msg = crate::testing::panic_message(|| {
            softmax_cross_entropy(&Array2::zeros((3, 4)), &[0, 1]);
        });
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }
}
