//! The affine (fully connected) layer `Y = WX + b`, forward and backward.
//!
//! - **Shapes.** Columns are samples: `X` is `(d, n)` for `n` samples of
//!   dimension `d`, `W` is `(m, d)`, `b` has length `m` and is repeated
//!   across the `n` columns, and `Y` is `(m, n)`. Every gradient has the
//!   shape of the thing it is the gradient of.
//! - **Convention.** [`CONVENTION`] ends every shape message.
//! - **Cache.** The backward pass needs `W` (for `dX = Wᵀ dY`) and `X` (for
//!   `dW = dY Xᵀ`), so those are what an affine layer keeps from its
//!   forward pass. `b` is not needed: it appears in no gradient.
//! - **Backward** returns one gradient per input, named, in a
//!   [`Gradients`] struct: `dw`, `dx` and `db`.

use crate::shapes::Checker;
use crate::Error;
use ndarray::{Array1, Array2, Axis, Zip};

/// The convention appended to this module's shape messages.
pub const CONVENTION: &str =
    "convention: columns are samples, X is (d, n), W is (m, d), b has length m, Y = WX + b is (m, n)";

/// This module's shape checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

// Shown in "Affine layer: biases", section "One sample, written out".
/// Forward pass: `Y = W X + b`, with `b` added to every column.
///
/// Shapes: `w` is `(m, d)`, `x` is `(d, n)`, `b` has length `m`; the
/// result `Y` is `(m, n)`, and `Y[[i, k]] = Σ_j W[[i, j]] X[[j, k]] + b[i]`.
///
/// # Panics
/// If `W`'s columns do not match `X`'s rows, or `b`'s length does not
/// match `W`'s rows, with [`try_forward`]'s message.
// ANCHOR: forward
#[track_caller]
pub fn forward(
    w: &Array2<f64>,
    x: &Array2<f64>,
    b: &Array1<f64>,
) -> Array2<f64> {
    try_forward(w, x, b).unwrap_or_else(|e| e.raise())
}

/// [`forward`] that returns a shape mismatch as `Err` instead of
/// panicking. The message names the shapes and the convention.
pub fn try_forward(
    w: &Array2<f64>,
    x: &Array2<f64>,
    b: &Array1<f64>,
) -> Result<Array2<f64>, Error> {
    check_w_x("affine::forward", w, x)?;
    SHAPES.check(
        b.len() == w.nrows(),
        "affine::forward",
        ("b", b.shape()),
        ("W", w.shape()),
        "b's length must equal W's rows (m)",
    )?;
    Ok(w.dot(x) + b.view().insert_axis(Axis(1)))
}
// ANCHOR_END: forward

/// The three gradients of the affine layer, each with the shape of the
/// thing it is the gradient of.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `∂L/∂W = dY Xᵀ`, shape `(m, d)`.
    pub dw: Array2<f64>,
    /// `∂L/∂X = Wᵀ dY`, shape `(d, n)`.
    pub dx: Array2<f64>,
    /// `∂L/∂b = Σ_k dY[.., k]`, the row sums of `dY`, length `m`.
    pub db: Array1<f64>,
}

// Shown in "Affine layer: weights", section "The input gradient".
/// Backward pass: given the upstream gradient `dY = ∂L/∂Y`, returns
/// `dW = dY Xᵀ`, `dX = Wᵀ dY` and `db = Σ_k dY[.., k]` (`dY` summed over
/// the samples, `Axis(1)`).
///
/// Shapes: `w` is `(m, d)`, `x` is `(d, n)` (both cached from the forward
/// pass), `dy` is `(m, n)`; the results are `dw` `(m, d)`, `dx` `(d, n)`
/// and `db` of length `m`. `b` is not needed: it does not appear in any of
/// the three gradients.
///
/// # Panics
/// If `W`'s columns do not match `X`'s rows, or `dY` is not `(m, n)`, the
/// shape of `Y`, with [`try_backward`]'s message.
// ANCHOR: backward
#[track_caller]
pub fn backward(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> Gradients {
    try_backward(w, x, dy).unwrap_or_else(|e| e.raise())
}

/// [`backward`] that returns a shape mismatch as `Err` instead of
/// panicking.
pub fn try_backward(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> Result<Gradients, Error> {
    check_w_x("affine::backward", w, x)?;
    SHAPES.check_all(
        dy.shape() == [w.nrows(), x.ncols()],
        "affine::backward",
        &[("dY", dy.shape()), ("W", w.shape()), ("X", x.shape())],
        "dY must have the shape of Y, (m, n) = (W's rows, X's columns)",
    )?;
    Ok(Gradients {
        dw: dy.dot(&x.t()),
        dx: w.t().dot(dy),
        db: dy.sum_axis(Axis(1)),
    })
}
// ANCHOR_END: backward

/// The check shared by `forward` and `backward`: `W (m, d)` times `X (d, n)`.
fn check_w_x(
    context: &str,
    w: &Array2<f64>,
    x: &Array2<f64>,
) -> Result<(), Error> {
    SHAPES.check(
        w.ncols() == x.nrows(),
        context,
        ("W", w.shape()),
        ("X", x.shape()),
        "W's columns must equal X's rows (d)",
    )
}

// Shown in "A network that learns", section "Making it fast".
// ANCHOR: into
/// [`forward`] writing into `y` instead of allocating: `Y = W X + b`, the
/// same formula, for loops that reuse their buffers. It works one row of
/// `Y` at a time: row `i` is `b_i` plus the rows of `X`, row `j` weighted
/// by `W[i, j]`. Every step reads and writes whole rows, which sit next to
/// each other in memory.
///
/// Shapes: `w` `(m, d)`, `x` `(d, n)`, `b` of length `m`, `y` `(m, n)`, in
/// any memory layout.
///
/// # Panics
/// As [`forward`], and if `y` is not `(m, n)`.
#[track_caller]
pub fn forward_into(
    w: &Array2<f64>,
    x: &Array2<f64>,
    b: &Array1<f64>,
    y: &mut Array2<f64>,
) {
    let checked = check_w_x("affine::forward_into", w, x)
        .and_then(|()| {
            SHAPES.check_all(
                b.len() == w.nrows(),
                "affine::forward_into",
                &[("b", b.shape()), ("W", w.shape())],
                "b's length must equal W's rows (m)",
            )
        })
        .and_then(|()| {
            SHAPES.check_all(
                y.shape() == [w.nrows(), x.ncols()],
                "affine::forward_into",
                &[("Y", y.shape()), ("W", w.shape()), ("X", x.shape())],
                "Y must be (m, n) = (W's rows, X's columns)",
            )
        });
    checked.unwrap_or_else(|e| e.raise());
    Zip::from(y.rows_mut()).and(w.rows()).and(b).for_each(
        |mut y_i, w_i, &b_i| {
            y_i.fill(b_i);
            for (x_j, &w_ij) in x.rows().into_iter().zip(w_i) {
                y_i.scaled_add(w_ij, &x_j); // Y[i, ..] += W[i, j] X[j, ..]
            }
        },
    );
}

/// [`backward`] writing into `g` instead of allocating: `dW = dY Xᵀ`,
/// `dX = Wᵀ dY` and `db = Σ_k dY[.., k]` (a sum over the samples `k`), the
/// same formulas, row by row as in [`forward_into`]: entry `(i, j)` of
/// `dW` is the dot product of row `i` of `dY` with row `j` of `X`, and
/// row `j` of `dX` is the sum of the rows of `dY`, row `i` weighted by
/// `W[i, j]`.
///
/// Shapes: `w` `(m, d)`, `x` `(d, n)`, `dy` `(m, n)`; `g.dw` `(m, d)`,
/// `g.dx` `(d, n)` and `g.db` of length `m`, in any memory layout. What
/// `g` held before is overwritten.
///
/// # Panics
/// As [`backward`], and if a field of `g` is not shaped like its input.
#[track_caller]
pub fn backward_into(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
    g: &mut Gradients,
) {
    let checked = check_w_x("affine::backward_into", w, x)
        .and_then(|()| {
            SHAPES.check_all(
                dy.shape() == [w.nrows(), x.ncols()],
                "affine::backward_into",
                &[("dY", dy.shape()), ("W", w.shape()), ("X", x.shape())],
                "dY must have the shape of Y, (m, n) = (W's rows, X's columns)",
            )
        })
        .and_then(|()| {
            SHAPES.check_all(
                g.dw.shape() == w.shape()
                    && g.dx.shape() == x.shape()
                    && g.db.len() == w.nrows(),
                "affine::backward_into",
                &[
                    ("g.dw", g.dw.shape()),
                    ("g.dx", g.dx.shape()),
                    ("g.db", g.db.shape()),
                    ("W", w.shape()),
                    ("X", x.shape()),
                ],
                "each gradient must have the shape of its input: \
                 dw of W, dx of X, db of length m",
            )
        });
    checked.unwrap_or_else(|e| e.raise());
    g.dx.fill(0.0);
    Zip::from(g.dw.rows_mut())
        .and(&mut g.db)
        .and(w.rows())
        .and(dy.rows())
        .for_each(|mut dw_i, db_i, w_i, dy_i| {
            // dW[i, j] = dY[i, ..] · X[j, ..]
            Zip::from(&mut dw_i)
                .and(x.rows())
                .for_each(|dw_ij, x_j| *dw_ij = dy_i.dot(&x_j));
            for (mut dx_j, &w_ij) in g.dx.rows_mut().into_iter().zip(w_i) {
                dx_j.scaled_add(w_ij, &dy_i); // dX[j, ..] += W[i, j] dY[i, ..]
            }
            *db_i = dy_i.sum();
        });
}
// ANCHOR_END: into

// Shown in "Affine layer: biases", section "One sample, written out".
// ANCHOR: examples
/// The affine chapters' worked example for one sample, `(W, x, b, dy)`:
/// `W = [[1, -2, 0.5], [3, 0, -1]]` (2 × 3), the sample `x = [2, 1, -1]`
/// as a (3, 1) column, `b = [1.5, -2]` and the upstream gradient
/// `∂L/∂y = [0.5, -1]` as a (2, 1) column. They give `y = [1, 5]` and
/// `∂L/∂b = [0.5, -1]`, which differs from `b`; the weights chapter
/// derives `∂L/∂W` from them. The chapters, the outer-product figure and
/// the unit tests use these numbers.
pub fn example_one_sample(
) -> (Array2<f64>, Array2<f64>, Array1<f64>, Array2<f64>) {
    (
        ndarray::array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]],
        ndarray::array![[2.0], [1.0], [-1.0]],
        ndarray::array![1.5, -2.0],
        ndarray::array![[0.5], [-1.0]],
    )
}
// ANCHOR_END: examples

// Shown in "Affine layer: biases", section "One bias, n addition nodes".
// ANCHOR: bias_dy
/// The bias chapter's upstream gradient for its minibatch of three
/// samples, `(m, n) = (2, 3)`; it gives `∂L/∂b = [1.5, 0.25]`.
pub fn example_bias_dy() -> Array2<f64> {
    ndarray::array![[0.5, -1.0, 2.0], [-1.0, 0.25, 1.0]]
}
// ANCHOR_END: bias_dy

#[cfg(test)]
mod worked_example_tests {
    use super::*;
    use crate::testing::assert_entries_eq;
    use ndarray::array;

    #[test]
    fn the_worked_examples_give_the_chapters_numbers() {
        super::tests::each_gradient_named_first();
        let (w, x, b, dy) = example_one_sample();
        let y = forward(&w, &x, &b);
        let inputs = [("x", x.view().into_dyn()), ("b", b.view().into_dyn())];
        assert_entries_eq(
            "affine::forward",
            ("Y", &y),
            &array![[1.0], [5.0]],
            &inputs,
        );
        let g = backward(&w, &x, &dy);
        let want = array![[1.0, 0.5, -0.5], [-2.0, -1.0, 1.0]];
        let inputs = [("dY", dy.view().into_dyn()), ("X", x.view().into_dyn())];
        assert_entries_eq("affine::backward", ("dW", &g.dw), &want, &inputs);
        let dy = example_bias_dy();
        let x = Array2::zeros((w.ncols(), dy.ncols()));
        let inputs = [("dY", dy.view().into_dyn())];
        let db = backward(&w, &x, &dy).db;
        assert_entries_eq(
            "affine::backward",
            ("db", &db),
            &array![1.5, 0.25],
            &inputs,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::random;
    use crate::jacobian;
    use crate::layer_check::{arg, check_layer, input, try_check_layer};
    use crate::testing::{
        assert_entries_close, assert_entries_eq, assert_shape_panic,
    };
    use ndarray::{array, ArrayD, ArrayViewD, Ix2};

    /// The inputs that decide a gradient, for failure messages.
    fn quoted<'a>(
        named: &[(&'a str, &'a Array2<f64>)],
    ) -> Vec<(&'a str, ArrayViewD<'a, f64>)> {
        named
            .iter()
            .map(|&(n, a)| (n, a.view().into_dyn()))
            .collect()
    }

    /// The chapters' one-sample example, as a single column.
    fn one_sample() -> (Array2<f64>, Array2<f64>, Array1<f64>, Array2<f64>) {
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0], [1.0], [-1.0]];
        let b = array![1.5, -2.0];
        let dy = array![[0.5], [-1.0]];
        (w, x, b, dy)
    }

    #[test]
    fn forward_one_sample_matches_the_worked_numbers() {
        let (w, x, b, _) = one_sample();
        let y = forward(&w, &x, &b);
        let inputs = quoted(&[("W", &w), ("X", &x)]);
        assert_entries_eq(
            "affine::forward",
            ("Y", &y),
            &array![[1.0], [5.0]],
            &inputs,
        );
    }

    #[test]
    fn forward_adds_b_to_every_column() {
        let w = random((2, 3), 1);
        let x = random((3, 4), 2);
        let b = random(2, 3);
        let y = forward(&w, &x, &b);
        assert_eq!(y.shape(), &[2, 4]);
        for (k, col) in y.columns().into_iter().enumerate() {
            let expected = w.dot(&x.column(k)) + &b;
            let inputs = [("b", b.view().into_dyn())];
            let function = format!("affine::forward, column {k}");
            assert_entries_close(
                &function,
                ("Y", &col.to_owned()),
                &expected,
                &inputs,
                1e-15,
            );
        }
    }

    /// Checks dW, dX and db one at a time, by name, on a square,
    /// non-symmetric layer (m = d = n = 3), where a missing transpose gives
    /// the right shape and the wrong numbers. Tests whose own shapes are
    /// not square call it first: there a missing transpose would make
    /// ndarray panic ("inputs 2 × 3 and 2 × 1 are not compatible") inside
    /// `backward`, and the message would not say which gradient is wrong.
    #[track_caller]
    pub(super) fn each_gradient_named_first() {
        let inputs = inputs(3, 3, 3, 40);
        check_layer("affine", &inputs, affine_forward, affine_backward);
    }

    #[test]
    fn backward_one_sample_matches_the_worked_numbers() {
        each_gradient_named_first();
        let (w, x, _, dy) = one_sample();
        let g = backward(&w, &x, &dy);
        let want = array![[1.0, 0.5, -0.5], [-2.0, -1.0, 1.0]];
        let inputs = quoted(&[("dY", &dy), ("X", &x)]);
        assert_entries_eq("affine::backward", ("dW", &g.dw), &want, &inputs);
        let want = array![[-2.5], [-1.0], [1.25]];
        let inputs = quoted(&[("W", &w), ("dY", &dy)]);
        assert_entries_eq("affine::backward", ("dX", &g.dx), &want, &inputs);
        let inputs = quoted(&[("dY", &dy)]);
        assert_entries_eq(
            "affine::backward",
            ("db", &g.db),
            &array![0.5, -1.0],
            &inputs,
        );
    }

    // The value tests of the three gradients use square, non-symmetric
    // matrices (m = d, W ≠ Wᵀ, X ≠ Xᵀ): a missing transpose then has the
    // right shape and gives wrong numbers in its own test only, instead of
    // a shape panic inside `backward` that fails the other two as well.

    /// A square, non-symmetric example: `W`, `X` and `dY` are all 2 × 2.
    fn square() -> (Array2<f64>, Array2<f64>, Array2<f64>) {
        let w = array![[1.0, 2.0], [0.0, -1.0]];
        let x = array![[3.0, -1.0], [2.0, 1.0]];
        let dy = array![[1.0, 0.5], [-2.0, 1.0]];
        assert!(w != w.t() && x != x.t() && dy != dy.t());
        (w, x, dy)
    }

    #[test]
    fn dx_is_w_transposed_times_dy() {
        let (w, x, dy) = square();
        let b = array![0.5, -1.0];
        let inputs = [input("w", &w), input("x", &x), input("b", &b)];
        check_layer("affine", &inputs, affine_forward, affine_backward);
        // Wᵀ dY; W dY would be [[-3, 2.5], [2, -1]].
        let dx = backward(&w, &x, &dy).dx;
        let inputs = quoted(&[("W", &w), ("dY", &dy)]);
        let want = array![[1.0, 0.5], [4.0, 0.0]];
        assert_entries_eq(
            "affine::backward (dX = Wᵀ dY)",
            ("dX", &dx),
            &want,
            &inputs,
        );
    }

    #[test]
    fn dw_is_dy_times_x_transposed() {
        let (w, x, dy) = square();
        // dY Xᵀ; dY X would be [[4, -0.5], [-4, 3]].
        let dw = backward(&w, &x, &dy).dw;
        let inputs = quoted(&[("dY", &dy), ("X", &x)]);
        let want = array![[2.5, 2.5], [-7.0, -3.0]];
        assert_entries_eq(
            "affine::backward (dW = dY Xᵀ)",
            ("dW", &dw),
            &want,
            &inputs,
        );
    }

    #[test]
    fn db_is_the_row_sums_of_dy() {
        let (w, x, dy) = square();
        let db = backward(&w, &x, &dy).db;
        let inputs = quoted(&[("dY", &dy)]);
        assert_entries_eq(
            "affine::backward",
            ("db", &db),
            &array![1.5, -1.0],
            &inputs,
        );
        // The bias chapter's minibatch dY (m = 2, n = 3), with W square (d = m).
        let dy = array![[0.5, -1.0, 2.0], [-1.0, 0.25, 1.0]];
        let w = random((2, 2), 4);
        let x = random((2, 3), 5);
        let db = backward(&w, &x, &dy).db;
        let inputs = quoted(&[("dY", &dy)]);
        assert_entries_eq(
            "affine::backward",
            ("db", &db),
            &array![1.5, 0.25],
            &inputs,
        );
    }

    fn affine_forward(v: &[ArrayD<f64>]) -> ArrayD<f64> {
        forward(&arg(&v[0]), &arg(&v[1]), &arg(&v[2])).into_dyn()
    }

    fn affine_backward(
        v: &[ArrayD<f64>],
        dy: &ArrayD<f64>,
    ) -> Vec<ArrayD<f64>> {
        let g = backward(&arg(&v[0]), &arg(&v[1]), &arg(dy));
        vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
    }

    fn inputs(
        m: usize,
        d: usize,
        n: usize,
        seed: u64,
    ) -> [(&'static str, ArrayD<f64>); 3] {
        [
            input("w", &random((m, d), seed)),
            input("x", &random((d, n), seed + 1)),
            input("b", &random(m, seed + 2)),
        ]
    }

    /// The shared layer check (gradient check of dW, dX and db, and their
    /// explicit Jacobians) for every size up to 6. Square W (m = d) first,
    /// so that a missing transpose is named by the check before a
    /// non-square size turns it into ndarray's shape panic.
    #[test]
    fn the_shared_layer_check_passes_for_every_size_up_to_6() {
        let mut sizes: Vec<(usize, usize, usize)> = (1..=6)
            .flat_map(|m| {
                (1..=6).flat_map(move |d| (1..=6).map(move |n| (m, d, n)))
            })
            .collect();
        sizes.sort_by_key(|&(m, d, _)| m != d);
        let mut count = 0;
        for (k, &(m, d, n)) in sizes.iter().enumerate() {
            let report = check_layer(
                "affine",
                &inputs(m, d, n, 100 + 4 * k as u64),
                affine_forward,
                affine_backward,
            );
            assert_eq!(report.jacobians_compared, 3);
            count += 1;
        }
        assert_eq!(count, 216);
    }

    /// Summing dY over the wrong axis has the right shape when m = n, and
    /// still fails the layer check, which names this test and the input b.
    /// Only b is an input of the check (W and X are held fixed), so the
    /// test does not depend on dW or dX being right.
    #[test]
    fn a_wrong_bias_gradient_fails_the_layer_check_by_name() {
        let [(_, w), (_, x), b] = inputs(3, 4, 3, 7);
        let (w, x) = (arg::<Ix2>(&w), arg::<Ix2>(&x));
        let forward_b =
            |v: &[ArrayD<f64>]| forward(&w, &x, &arg(&v[0])).into_dyn();
        let wrong =
            |_: &[ArrayD<f64>], dy: &ArrayD<f64>| vec![dy.sum_axis(Axis(0))];
        let err =
            try_check_layer("affine", &[b], forward_b, wrong).unwrap_err();
        assert!(err.message.starts_with("affine: db failed"), "{err}");
        assert!(err.message.contains("input b has shape [3]"), "{err}");
        assert!(
            err.message.contains(
                "(test affine::tests::a_wrong_bias_gradient_fails_the_layer_check_by_name)"
            ),
            "{err}"
        );
    }

    #[test]
    fn bias_jacobian_is_n_stacked_identities() {
        let (m, d, n) = (2, 3, 3);
        let w = random((m, d), 20);
        let x = random((d, n), 21);
        let b = random(m, 22);
        let j = jacobian::numerical(
            |b| forward(&w, &x, b),
            &b,
            crate::gradcheck::H,
        );
        let identity = Array2::<f64>::eye(m);
        let stacked =
            ndarray::concatenate(Axis(0), &[identity.view(); 3]).unwrap();
        assert_entries_close("∂Y/∂b", ("J", &j), &stacked, &[], 1e-10);
    }

    #[test]
    fn forward_rejects_w_columns_that_do_not_match_x_rows() {
        assert_shape_panic(
            "affine::forward: ",
            &[
                "W has shape [2, 3]",
                "X has shape [4, 5]",
                "W's columns must equal X's rows (d)",
                CONVENTION,
            ],
            || {
                forward(
                    &Array2::zeros((2, 3)),
                    &Array2::zeros((4, 5)),
                    &Array1::zeros(2),
                );
            },
        );
    }

    #[test]
    fn forward_rejects_b_whose_length_does_not_match_w_rows() {
        assert_shape_panic(
            "affine::forward: ",
            &[
                "b has shape [3]",
                "W has shape [2, 3]",
                "b's length must equal W's rows (m)",
                CONVENTION,
            ],
            || {
                forward(
                    &Array2::zeros((2, 3)),
                    &Array2::zeros((3, 5)),
                    &Array1::zeros(3),
                );
            },
        );
    }

    #[test]
    fn backward_rejects_w_columns_that_do_not_match_x_rows() {
        assert_shape_panic(
            "affine::backward: ",
            &[
                "W has shape [2, 3]",
                "X has shape [5, 3]",
                "W's columns must equal X's rows (d)",
                CONVENTION,
            ],
            || {
                backward(
                    &Array2::zeros((2, 3)),
                    &Array2::zeros((5, 3)),
                    &Array2::zeros((2, 5)),
                );
            },
        );
    }

    #[test]
    fn backward_rejects_dy_that_is_not_the_shape_of_y() {
        // dY passed transposed: (n, m) instead of (m, n).
        assert_shape_panic(
            "affine::backward: ",
            &[
                "dY has shape [5, 2], W has shape [2, 3] and X has shape [3, 5]",
                "dY must have the shape of Y",
                CONVENTION,
            ],
            || {
                backward(
                    &Array2::zeros((2, 3)),
                    &Array2::zeros((3, 5)),
                    &Array2::zeros((5, 2)),
                );
            },
        );
    }

    /// The mistake the weights chapter names in a sentence: a minibatch with
    /// rows as samples, `X` `(n, d)`, and a transposed `dY`. The messages are
    /// asserted whole, so that a change to their wording fails here.
    #[test]
    fn rows_as_samples_are_refused_with_both_shapes_and_the_convention() {
        let w: Array2<f64> = random((2, 3), 1); // (m, d)
        let x: Array2<f64> = random((3, 4), 2); // (d, n)
        let b: Array1<f64> = random(2, 3);
        let err = try_forward(&w, &x.t().to_owned(), &b).unwrap_err();
        assert_eq!(
            err.message,
            "affine::forward: W has shape [2, 3] but X has shape [4, 3]; W's columns must equal \
             X's rows (d) (convention: columns are samples, X is (d, n), W is (m, d), b has \
             length m, Y = WX + b is (m, n))"
        );
        let dy_rows: Array2<f64> = random((4, 2), 4); // (n, m)
        let err = try_backward(&w, &x, &dy_rows).unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "affine::backward: dY has shape [4, 2], W has shape [2, 3] and X has shape \
                 [3, 4]; dY must have the shape of Y, (m, n) = (W's rows, X's columns) \
                 ({CONVENTION})"
            )
        );
    }

    #[test]
    fn shapes_that_match_do_not_panic() {
        each_gradient_named_first();
        let (w, x, b, dy) = one_sample();
        let _ = forward(&w, &x, &b);
        let _ = backward(&w, &x, &dy);
        assert!(try_forward(&w, &x, &b).is_ok());
        let err = try_forward(&w, &x.t().to_owned(), &b).unwrap_err();
        assert!(err.message.contains("X has shape [1, 3]"), "{err}");
        let err = try_backward(&w, &x, &dy.t().to_owned()).unwrap_err();
        assert!(err.message.contains("dY has shape [1, 2]"), "{err}");
    }
}

#[cfg(test)]
mod into_tests {
    use super::*;
    use crate::gradcheck::random;
    use crate::testing::assert_shape_panic;
    use approx::assert_abs_diff_eq;
    use ndarray::ShapeBuilder;

    /// Buffers of the right shapes for `W (m, d)` and `X (d, n)`, in
    /// column-major layout when `f` is set.
    fn buffers(
        m: usize,
        d: usize,
        n: usize,
        f: bool,
    ) -> (Array2<f64>, Gradients) {
        let zeros =
            |r: usize, c: usize| Array2::from_elem((r, c).set_f(f), f64::NAN);
        let g = Gradients {
            dw: zeros(m, d),
            dx: zeros(d, n),
            db: Array1::from_elem(m, f64::NAN),
        };
        (zeros(m, n), g)
    }

    #[test]
    fn the_into_forms_give_the_allocating_forms_numbers() {
        // Thin and square shapes, both layouts of the buffers; the buffers
        // start as NaN, so an entry left unwritten would show.
        for (k, &(m, d, n)) in
            [(3, 3, 3), (100, 2, 30), (3, 100, 30), (1, 1, 1), (5, 4, 7)]
                .iter()
                .enumerate()
        {
            for f in [false, true] {
                let seed = 10 * k as u64;
                let (w, x, b) = (
                    random((m, d), seed),
                    random((d, n), seed + 1),
                    random(m, seed + 2),
                );
                let dy: Array2<f64> = random((m, n), seed + 3);
                let (mut y, mut g) = buffers(m, d, n, f);
                let case = format!(
                    "(m, d, n) = ({m}, {d}, {n}), column-major buffers: {f}"
                );
                forward_into(&w, &x, &b, &mut y);
                let expected = forward(&w, &x, &b);
                assert!(
                    y.abs_diff_eq(&expected, 1e-12),
                    "affine::forward_into: Y differs from affine::forward's for {case}:\n{y}\nagainst\n{expected}"
                );
                backward_into(&w, &x, &dy, &mut g);
                let e = backward(&w, &x, &dy);
                for (name, got, want) in
                    [("dw", &g.dw, &e.dw), ("dx", &g.dx, &e.dx)]
                {
                    assert!(
                        got.abs_diff_eq(want, 1e-12),
                        "affine::backward_into: {name} differs from affine::backward's for {case}:\n{got}\nagainst\n{want}"
                    );
                }
                assert_abs_diff_eq!(g.db, e.db, epsilon = 1e-12);
            }
        }
    }

    #[test]
    fn forward_into_rejects_each_mismatch_by_name() {
        let (w, x, b) = (
            Array2::zeros((2, 3)),
            Array2::zeros((3, 5)),
            Array1::zeros(2),
        );
        let mut y = Array2::zeros((2, 5));
        assert_shape_panic(
            "affine::forward_into: ",
            &[
                "W has shape [2, 3] but X has shape [4, 5]",
                "W's columns must equal X's rows (d)",
                CONVENTION,
            ],
            || forward_into(&w, &Array2::zeros((4, 5)), &b, &mut y.clone()),
        );
        assert_shape_panic(
            "affine::forward_into: ",
            &[
                "b has shape [3] but W has shape [2, 3]",
                "b's length must equal W's rows (m)",
            ],
            || forward_into(&w, &x, &Array1::zeros(3), &mut y.clone()),
        );
        assert_shape_panic(
            "affine::forward_into: ",
            &[
                "Y has shape [5, 2], W has shape [2, 3] and X has shape [3, 5]",
                "Y must be (m, n)",
            ],
            || forward_into(&w, &x, &b, &mut Array2::zeros((5, 2))),
        );
        forward_into(&w, &x, &b, &mut y);
    }

    #[test]
    fn backward_into_rejects_each_mismatch_by_name() {
        let (w, x, dy) = (
            Array2::zeros((2, 3)),
            Array2::zeros((3, 5)),
            Array2::zeros((2, 5)),
        );
        let (_, g) = buffers(2, 3, 5, false);
        assert_shape_panic(
            "affine::backward_into: ",
            &[
                "W has shape [2, 3] but X has shape [5, 3]",
                "W's columns must equal X's rows (d)",
                CONVENTION,
            ],
            || backward_into(&w, &Array2::zeros((5, 3)), &dy, &mut g.clone()),
        );
        assert_shape_panic(
            "affine::backward_into: ",
            &[
                "dY has shape [5, 2], W has shape [2, 3] and X has shape [3, 5]",
                "dY must have the shape of Y",
            ],
            || backward_into(&w, &x, &Array2::zeros((5, 2)), &mut g.clone()),
        );
        let mut wrong = g.clone();
        wrong.dx = Array2::zeros((5, 3));
        assert_shape_panic(
            "affine::backward_into: ",
            &[
                "g.dw has shape [2, 3], g.dx has shape [5, 3], g.db has shape [2]",
                "each gradient must have the shape of its input",
            ],
            || backward_into(&w, &x, &dy, &mut wrong.clone()),
        );
        backward_into(&w, &x, &dy, &mut g.clone());
    }
}
