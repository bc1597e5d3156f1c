//! Exercises: the affine layer's biases
//! ([the chapter](../../../src/affine-biases.md#exercises)).
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)`, and the upstream gradient `dY = ∂L/∂Y` is `(m, n)`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2, Axis};

/// **1. One scalar bias for everything.** The layer adds one scalar `β` to
/// every entry: `Y = WX + β`. Return `∂L/∂β`; for the chapter's `dY` it is
/// `1.75`.
///
/// Book: [exercise 1](../../../src/affine-biases.md#1-one-scalar-bias-for-everything).
/// Check: `cargo run -p exercises -- check affine_biases::scalar_bias_gradient`
pub fn scalar_bias_gradient(dy: &Array2<f64>) -> f64 {
    todo!()
}

/// **2. A bias for every sample.** Every sample `k` gets its own bias
/// `b⁽ᵏ⁾`, so column `k` of `Y` is `W x⁽ᵏ⁾ + b⁽ᵏ⁾`. Return the `(m, n)` array
/// whose column `k` is `∂L/∂b⁽ᵏ⁾`.
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

crate::exercises! { affine_biases:
    scalar_bias_gradient => |m| bias("β", |dy| arr0(m::scalar_bias_gradient(dy)), &[1.75]);
    per_sample_bias_gradient => |m| bias("b(k)", m::per_sample_bias_gradient, &[]);
    bias_gradient => |m| bias("b", m::bias_gradient, &[1.5, 0.25]);
    rows_bias_gradient => |m| {
        let f = |dy: &Array2<f64>| m::rows_bias_gradient(&dy.t().to_owned());
        bias("b (rows as samples)", f, &[1.5, 0.25])
    };
}

/// Layer checks of the gradient `f(dY)` of a bias `β`, `b(k)` or `b` added to
/// `WX`, then the chapter's `numbers`, if any. A square `dY` comes first, so
/// that a sum over the wrong axis keeps its shape and fails by its entries.
fn bias<D: Dimension>(
    name: &str,
    f: impl Fn(&Array2<f64>) -> A<D>,
    numbers: &[f64],
) -> Verdict {
    let worst = worst([(3, 2, 3), (2, 3, 4)], |(m, d, n)| {
        let (w, x): (Array2<f64>, Array2<f64>) =
            (random((m, d), 11), random((d, n), 12));
        let bias = match name {
            "β" => input(name, &arr0(0.3)),
            "b(k)" => input(name, &random::<_, Ix2>((m, n), 9)),
            _ => input(name, &random::<_, Ix1>(m, 13)),
        };
        // A vector goes through the affine layer itself; β and b(k) add to WX.
        let forward = |v: &[ArrayD<f64>]| match v[0].ndim() {
            1 => affine::forward(&w, &x, &arg(&v[0])).into_dyn(),
            _ => &w.dot(&x).into_dyn() + &v[0],
        };
        let backward =
            |_: &[ArrayD<f64>], dy: &ArrayD<f64>| vec![f(&arg(dy)).into_dyn()];
        layer(&format!("affine bias {name}"), &[bias], forward, backward)
    })?;
    if !numbers.is_empty() {
        let got = f(&affine::example_bias_dy()).into_dyn();
        let want = v(numbers).into_shape_with_order(got.shape()).unwrap();
        stated(&format!("d{name} for the chapter's dY"), &got, &want)?;
    }
    passed("the chapter's numbers; layer check at 2 shapes", worst)
}
