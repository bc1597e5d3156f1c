//! The affine (fully connected) layer `Y = WX + b`, forward and backward.
//!
//! Shapes follow the crate convention: columns are samples, so `X` is
//! `(d, n)` for `n` samples of dimension `d`, `W` is `(m, d)`, `b` has
//! length `m` and is repeated across the `n` columns, and `Y` is `(m, n)`.
//! Every gradient has the shape of the thing it is the gradient of.

use crate::shapes::require;
use ndarray::{Array1, Array2, Axis};

/// Forward pass: `Y = W X + b`, with `b` added to every column.
///
/// Shapes: `w` is `(m, d)`, `x` is `(d, n)`, `b` has length `m`; the
/// result `Y` is `(m, n)`, and `Y[[i, k]] = Σ_j W[[i, j]] X[[j, k]] + b[i]`.
///
/// # Panics
/// If `W`'s columns do not match `X`'s rows, or `b`'s length does not
/// match `W`'s rows. The message names both shapes and the convention.
pub fn forward(w: &Array2<f64>, x: &Array2<f64>, b: &Array1<f64>) -> Array2<f64> {
    require_w_x("affine::forward", w, x);
    require(
        b.len() == w.nrows(),
        "affine::forward",
        ("b", b.shape()),
        ("W", w.shape()),
        "b's length must equal W's rows (m)",
    );
    w.dot(x) + b.view().insert_axis(Axis(1))
}

/// The three gradients of the affine layer, each with the shape of the
/// thing it is the gradient of.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineGrads {
    /// `∂L/∂W = dY Xᵀ`, shape `(m, d)`.
    pub dw: Array2<f64>,
    /// `∂L/∂X = Wᵀ dY`, shape `(d, n)`.
    pub dx: Array2<f64>,
    /// `∂L/∂b = Σ_k dY[.., k]`, the row sums of `dY`, length `m`.
    pub db: Array1<f64>,
}

/// Backward pass: given the upstream gradient `dY = ∂L/∂Y`, returns
/// `dW = dY Xᵀ`, `dX = Wᵀ dY` and `db = Σ_k dY[.., k]` (`dY` summed over
/// the samples, `Axis(1)`).
///
/// Shapes: `w` is `(m, d)`, `x` is `(d, n)` (the input cached from the
/// forward pass), `dy` is `(m, n)`; the results are `dw` `(m, d)`, `dx`
/// `(d, n)` and `db` of length `m`. `b` is not needed: it does not appear
/// in any of the three gradients.
///
/// # Panics
/// If `W`'s columns do not match `X`'s rows, or `dY` is not `(m, n)`, the
/// shape of `Y`. The message names both shapes and the convention.
pub fn backward(w: &Array2<f64>, x: &Array2<f64>, dy: &Array2<f64>) -> AffineGrads {
    require_w_x("affine::backward", w, x);
    let y_shape = [w.nrows(), x.ncols()];
    require(
        dy.shape() == y_shape,
        "affine::backward",
        ("dY", dy.shape()),
        ("Y = WX + b", &y_shape),
        "dY must have the shape of Y, (m, n) = (W's rows, X's columns)",
    );
    AffineGrads {
        dw: dy.dot(&x.t()),
        dx: w.t().dot(dy),
        db: dy.sum_axis(Axis(1)),
    }
}

/// The check shared by `forward` and `backward`: `W (m, d)` times `X (d, n)`.
#[track_caller]
fn require_w_x(context: &str, w: &Array2<f64>, x: &Array2<f64>) {
    require(
        w.ncols() == x.nrows(),
        context,
        ("W", w.shape()),
        ("X", x.shape()),
        "W's columns must equal X's rows (d)",
    );
}

/// The affine chapters' worked example for one sample, `(W, x, b, dy)`:
/// `W = [[1, -2, 0.5], [3, 0, -1]]` (2 × 3), the sample `x = [2, 1, -1]`
/// as a (3, 1) column, `b = [0.5, -1]` and the upstream gradient
/// `∂L/∂y = [0.5, -1]` as a (2, 1) column. They give `y = [0, 6]` and
/// `∂L/∂W = ∂L/∂y xᵀ = [[1, 0.5, -0.5], [-2, -1, 1]]`. The chapters, the
/// outer-product figure and the unit tests use these numbers.
pub fn example_one_sample() -> (Array2<f64>, Array2<f64>, Array1<f64>, Array2<f64>) {
    (
        ndarray::array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]],
        ndarray::array![[2.0], [1.0], [-1.0]],
        ndarray::array![0.5, -1.0],
        ndarray::array![[0.5], [-1.0]],
    )
}

/// The bias chapter's upstream gradient for a minibatch of three samples,
/// `dY = [[0.5, -1, 2], [-1, 0.25, 1]]`, `(m, n) = (2, 3)`: its columns
/// flow back to `b` and add up to `∂L/∂b = [1.5, 0.25]`. The chapter, its
/// minibatch figure and the unit tests use these numbers.
pub fn example_bias_dy() -> Array2<f64> {
    ndarray::array![[0.5, -1.0, 2.0], [-1.0, 0.25, 1.0]]
}

#[cfg(test)]
mod worked_example_tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_worked_examples_give_the_chapters_numbers() {
        let (w, x, b, dy) = example_one_sample();
        assert_eq!(forward(&w, &x, &b), array![[0.0], [6.0]]);
        let g = backward(&w, &x, &dy);
        assert_eq!(g.dw, array![[1.0, 0.5, -0.5], [-2.0, -1.0, 1.0]]);
        let dy = example_bias_dy();
        let x = Array2::zeros((w.ncols(), dy.ncols()));
        assert_eq!(backward(&w, &x, &dy).db, array![1.5, 0.25]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_gradient_array, random, TOLERANCE};
    use crate::jacobian;
    use crate::testing::assert_shape_panic;
    use approx::assert_abs_diff_eq;
    use ndarray::{array, Array, Dimension, Ix2};

    /// The brief's one-sample example, as a single column.
    fn one_sample() -> (Array2<f64>, Array2<f64>, Array1<f64>, Array2<f64>) {
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0], [1.0], [-1.0]];
        let b = array![0.5, -1.0];
        let dy = array![[0.5], [-1.0]];
        (w, x, b, dy)
    }

    #[test]
    fn forward_one_sample_matches_the_worked_numbers() {
        let (w, x, b, _) = one_sample();
        assert_eq!(forward(&w, &x, &b), array![[0.0], [6.0]]);
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
            assert_abs_diff_eq!(col, expected.view(), epsilon = 1e-15);
        }
    }

    #[test]
    fn backward_one_sample_matches_the_worked_numbers() {
        let (w, x, _, dy) = one_sample();
        let g = backward(&w, &x, &dy);
        assert_eq!(g.dw, array![[1.0, 0.5, -0.5], [-2.0, -1.0, 1.0]]);
        assert_eq!(g.dx, array![[-2.5], [-1.0], [1.25]]);
        assert_eq!(g.db, array![0.5, -1.0]);
    }

    #[test]
    fn backward_minibatch_matches_the_worked_numbers() {
        // Bias: db is the row sums of dY.
        let dy = array![[0.5, -1.0, 2.0], [-1.0, 0.25, 1.0]];
        let w = random((2, 4), 4);
        let x = random((4, 3), 5);
        assert_eq!(backward(&w, &x, &dy).db, array![1.5, 0.25]);
        // Weights: dW = dY Xᵀ.
        let x = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let dy = array![[0.5, 1.0], [-1.0, 2.0]];
        let w = random((2, 3), 6);
        let g = backward(&w, &x, &dy);
        assert_eq!(g.dw, array![[0.0, 0.5, 2.5], [-4.0, -1.0, 7.0]]);
    }

    #[test]
    fn gradients_pass_the_gradient_check() {
        let (m, d, n) = (4, 5, 3);
        let w = random((m, d), 10);
        let x = random((d, n), 11);
        let b = random(m, 12);
        let dy = random((m, n), 13);
        let g = backward(&w, &x, &dy);

        let r = check_gradient_array(|w| forward(w, &x, &b), &w, &dy, &g.dw);
        assert!(r.max_relative_error < TOLERANCE, "dW: {r:?}");
        assert_eq!(r.checked, m * d);
        let r = check_gradient_array(|x| forward(&w, x, &b), &x, &dy, &g.dx);
        assert!(r.max_relative_error < TOLERANCE, "dX: {r:?}");
        assert_eq!(r.checked, d * n);
        let r = check_gradient_array(|b| forward(&w, &x, b), &b, &dy, &g.db);
        assert!(r.max_relative_error < TOLERANCE, "db: {r:?}");
        assert_eq!(r.checked, m);
    }

    /// Largest absolute difference between two arrays of the same shape.
    fn max_abs_diff<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>) -> f64 {
        assert_eq!(a.shape(), b.shape());
        (a - b).iter().fold(0.0_f64, |acc, v| acc.max(v.abs()))
    }

    /// Builds the Jacobian of `Y` with respect to `W`, `X` and `b` at one
    /// size, both numerically and from `backward`, and checks that they agree
    /// with each other and that `Jᵀ vec(dY)` is the gradient `backward` returns.
    fn check_jacobians_at(m: usize, d: usize, n: usize, seed: u64) {
        // The layer is linear in each argument, so centered differences
        // have no truncation error, only rounding error, which shrinks as
        // the step grows (about 1e-16 * |Y| / h). A step of 1e-3 keeps it
        // near 1e-13, far below the 1e-10 we ask for.
        let h = 1e-3;
        let tol = 1e-10;
        let w: Array2<f64> = random((m, d), seed);
        let x: Array2<f64> = random((d, n), seed + 1);
        let b: Array1<f64> = random(m, seed + 2);
        let dy: Array2<f64> = random((m, n), seed + 3);
        let y_dim = Ix2(m, n);
        let g = backward(&w, &x, &dy);
        let vdy = jacobian::vec(&dy);
        let size = format!("m={m} d={d} n={n}");

        let num = jacobian::numerical(|w| forward(w, &x, &b), &w, h);
        let bwd = jacobian::from_backward(|dy| backward(&w, &x, dy).dw, w.raw_dim(), y_dim);
        assert_eq!(num.shape(), &[m * n, m * d], "W, {size}");
        assert!(max_abs_diff(&num, &bwd) < tol, "W, {size}");
        let jt_dy = num.t().dot(&vdy);
        assert!(
            max_abs_diff(&jt_dy, &jacobian::vec(&g.dw)) < tol,
            "W, {size}"
        );

        let num = jacobian::numerical(|x| forward(&w, x, &b), &x, h);
        let bwd = jacobian::from_backward(|dy| backward(&w, &x, dy).dx, x.raw_dim(), y_dim);
        assert_eq!(num.shape(), &[m * n, d * n], "X, {size}");
        assert!(max_abs_diff(&num, &bwd) < tol, "X, {size}");
        let jt_dy = num.t().dot(&vdy);
        assert!(
            max_abs_diff(&jt_dy, &jacobian::vec(&g.dx)) < tol,
            "X, {size}"
        );

        let num = jacobian::numerical(|b| forward(&w, &x, b), &b, h);
        let bwd = jacobian::from_backward(|dy| backward(&w, &x, dy).db, b.raw_dim(), y_dim);
        assert_eq!(num.shape(), &[m * n, m], "b, {size}");
        assert!(max_abs_diff(&num, &bwd) < tol, "b, {size}");
        let jt_dy = num.t().dot(&vdy);
        assert!(max_abs_diff(&jt_dy, &g.db) < tol, "b, {size}");
    }

    #[test]
    fn explicit_jacobians_agree_with_backward_for_every_size_up_to_6() {
        let sizes =
            (1..=6).flat_map(|m| (1..=6).flat_map(move |d| (1..=6).map(move |n| (m, d, n))));
        let mut count = 0;
        for (k, (m, d, n)) in sizes.enumerate() {
            check_jacobians_at(m, d, n, 100 + 4 * k as u64);
            count += 1;
        }
        assert_eq!(count, 216);
    }

    #[test]
    fn bias_jacobian_is_n_stacked_identities() {
        let (m, d, n) = (2, 3, 3);
        let w = random((m, d), 20);
        let x = random((d, n), 21);
        let b = random(m, 22);
        let j = jacobian::numerical(|b| forward(&w, &x, b), &b, crate::gradcheck::H);
        let identity = Array2::<f64>::eye(m);
        let stacked = ndarray::concatenate(Axis(0), &[identity.view(); 3]).unwrap();
        assert_abs_diff_eq!(j, stacked, epsilon = 1e-10);
    }

    #[test]
    fn forward_rejects_w_columns_that_do_not_match_x_rows() {
        assert_shape_panic(
            "affine::forward: ",
            &[
                "W has shape [2, 3]",
                "X has shape [4, 5]",
                "W's columns must equal X's rows (d)",
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
                "dY has shape [5, 2]",
                "Y = WX + b has shape [2, 5]",
                "dY must have the shape of Y",
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

    #[test]
    fn shapes_that_match_do_not_panic() {
        let (w, x, b, dy) = one_sample();
        let _ = forward(&w, &x, &b);
        let _ = backward(&w, &x, &dy);
    }
}
