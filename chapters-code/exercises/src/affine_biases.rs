//! Exercises: the affine layer's biases
//! ([the chapter](../../../src/affine-biases.md#exercises)).
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)`, and the upstream gradient `dY = ∂L/∂Y` is `(m, n)`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2, Axis};

/// **1. One scalar bias for everything.** The layer adds one scalar `c` to
/// every entry: `Y = WX + c`. Return `∂L/∂c`; for the chapter's `dY` it is
/// `1.75`.
///
/// Book: [exercise 1](../../../src/affine-biases.md#1-one-scalar-bias-for-everything).
/// Check: `cargo run -p exercises -- check affine_biases::scalar_bias_gradient`
pub fn scalar_bias_gradient(dy: &Array2<f64>) -> f64 {
    todo!()
}

/// **2. A bias for every sample.** Every sample gets its own bias: `B` has
/// shape `(m, n)` and `Y = WX + B`. Return `∂L/∂B`.
///
/// Book: [exercise 2](../../../src/affine-biases.md#2-a-bias-for-every-sample).
/// Check: `cargo run -p exercises -- check affine_biases::per_sample_bias_gradient`
pub fn per_sample_bias_gradient(dy: &Array2<f64>) -> Array2<f64> {
    todo!()
}

/// **3. Find the bug: a sum over the wrong axis.** `Y = WX + b` repeats
/// `b` (length `m`) in every column, so `∂L/∂b` should be `(1.5, 0.25)`
/// for the chapter's `dY`. This backward pass gets it wrong. Fix it.
///
/// Book: [exercise 3](../../../src/affine-biases.md#3-find-the-bug-a-sum-over-the-wrong-axis).
/// Check: `cargo run -p exercises -- check affine_biases::bias_gradient`
pub fn bias_gradient(dy: &Array2<f64>) -> Array1<f64> {
    // b reaches every sample, so its gradient adds up dY over the samples.
    dy.sum_axis(Axis(0))
}

/// **4. Rows as samples (optional).** Many libraries store samples as
/// rows: `X` is `(n, d)`, `W` is `(d, m)`, `Y = XW + b` is `(n, m)`, with
/// `b` repeated down the rows. Return `∂L/∂b` for `dY` of shape `(n, m)`.
///
/// Book: [exercise 4](../../../src/affine-biases.md#4-rows-as-samples-optional).
/// Check: `cargo run -p exercises -- check affine_biases::rows_bias_gradient`
pub fn rows_bias_gradient(dy: &Array2<f64>) -> Array1<f64> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

use crate::grade::*;
use backprop::affine;
use ndarray::arr0;

crate::exercises! { affine_biases:
    scalar_bias_gradient => |m| scalar_bias(m::scalar_bias_gradient);
    per_sample_bias_gradient => |m| per_sample_bias(m::per_sample_bias_gradient);
    bias_gradient => |m| bias(m::bias_gradient, false);
    rows_bias_gradient => |m| bias(m::rows_bias_gradient, true);
}

/// Random `W` `(m, d)` and `X` `(d, n)`, and their product.
fn random_wx(m: usize, d: usize, n: usize) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let (w, x): (Array2<f64>, Array2<f64>) =
        (gradcheck::random((m, d), 11), gradcheck::random((d, n), 12));
    let wx = w.dot(&x);
    (w, x, wx)
}

fn scalar_bias(f: fn(&Array2<f64>) -> f64) -> Verdict {
    let (_, _, wx) = random_wx(2, 3, 4);
    let c = [("c", arr0(0.3).into_dyn())];
    let report = layer(
        "affine with one scalar bias c",
        &c,
        |v| (&wx + v[0].sum()).into_dyn(),
        |_, dy| vec![arr0(f(&matrix(dy))).into_dyn()],
    )?;
    close(
        "dc for the chapter's dY",
        f(&affine::example_bias_dy()),
        1.75,
        1e-12,
    )?;
    Ok(format!(
        "dc = 1.75 for the chapter's dY; layer check, relative error {:.1e}",
        report.max_relative_error()
    ))
}

fn per_sample_bias(f: fn(&Array2<f64>) -> Array2<f64>) -> Verdict {
    let (_, _, wx) = random_wx(2, 3, 4);
    let big_b = [("B", gradcheck::random::<_, Ix2>((2, 4), 9).into_dyn())];
    let report = layer(
        "affine with a bias matrix B",
        &big_b,
        |v| (&wx + &matrix(&v[0])).into_dyn(),
        |_, dy| vec![f(&matrix(dy)).into_dyn()],
    )?;
    Ok(format!(
        "layer check (gradient and Jacobian), max relative error {:.1e}",
        report.max_relative_error()
    ))
}

/// `∂L/∂b` of `Y = WX + b`, or with `rows` of `Y = XW + b` (samples as
/// rows), at two shapes. A square `dY` comes first, so that a sum over the
/// wrong axis still has the right shape and the layer check names the
/// wrong entries.
fn bias(f: fn(&Array2<f64>) -> Array1<f64>, rows: bool) -> Verdict {
    let mut reports = Vec::new();
    for (m, d, n) in [(3, 2, 3), (2, 3, 4)] {
        let (w, x, _) = random_wx(m, d, n);
        let (xt, wt) = (x.t().to_owned(), w.t().to_owned());
        let b = [("b", gradcheck::random::<_, Ix1>(m, 13).into_dyn())];
        let name = if rows {
            "affine biases, rows as samples"
        } else {
            "affine biases"
        };
        let forward = |v: &[ArrayD<f64>]| match rows {
            true => (xt.dot(&wt) + &vector(&v[0])).into_dyn(),
            false => affine::forward(&w, &x, &vector(&v[0])).into_dyn(),
        };
        reports.push(layer(name, &b, forward, |_, dy| {
            vec![f(&matrix(dy)).into_dyn()]
        })?);
    }
    let dy = affine::example_bias_dy();
    let dy = if rows { dy.t().to_owned() } else { dy };
    let what = if rows {
        "db for the transpose of the chapter's dY"
    } else {
        "db for the chapter's dY"
    };
    close_array(what, &f(&dy), &array![1.5, 0.25], 1e-12)?;
    Ok(format!(
        "db = (1.5, 0.25) for the chapter's dY; layer check at 2 shapes, max relative error {:.1e}",
        worst(&reports)
    ))
}
