//! Jacobians, built explicitly for small sizes.
//!
//! A layer maps an array `x` to an array `y`. Its Jacobian is the matrix of
//! every partial derivative of an output entry with respect to an input
//! entry. To write it as an ordinary matrix, both arrays are first
//! flattened into vectors with [`vec`], which stacks the entries **sample
//! after sample**: for a `(d, n)` minibatch whose columns are samples, the
//! columns are stacked one after another (column-major, "Fortran" order).
//!
//! With `x` of `d` entries and `y` of `m` entries, the Jacobian `J` has
//! shape `(m, d)`: row `i` belongs to output entry `vec(y)_i`, column `j`
//! to input entry `vec(x)_j`, and `J[i, j] = ∂vec(y)_i / ∂vec(x)_j`.
//!
//! Real layers never build `J`; the book builds it here only to show that
//! each backward pass computes `Jᵀ · vec(dy)` without it.

use crate::gradcheck::{centered, require_step};
use crate::shapes::require_all;
use ndarray::{Array, Array1, Array2, Dimension, ShapeBuilder};

/// The convention appended to this module's shape messages.
pub const CONVENTION: &str =
    "convention: vec stacks entries sample after sample (first axis \
     fastest), and a Jacobian is (output entries, input entries)";

// Shown in "Jacobians: from scalars to tensors", section "Flattening a minibatch, sample after sample".
// ANCHOR: vec
/// Flattens `x` into a vector, sample after sample: column-major order,
/// the first axis fastest, so a `(d, n)` matrix gives column 0, then
/// column 1, and so on.
pub fn vec<D: Dimension>(x: &Array<f64, D>) -> Array1<f64> {
    // Row-major order of the reversed axes is column-major order.
    x.t().iter().copied().collect()
}

/// The inverse of [`vec`]: `unvec(&vec(&x), x.raw_dim()) == x`.
///
/// Panics if `v.len()` is not the number of elements of `shape`.
pub fn unvec<D: Dimension>(v: &Array1<f64>, shape: D) -> Array<f64, D> {
    require_all(
        v.len() == shape.size(),
        "jacobian::unvec",
        &[("v", v.shape()), ("the requested array", shape.slice())],
        "v must have one entry per element of the requested array",
        CONVENTION,
    );
    Array::from_shape_vec(shape.f(), v.to_vec())
        .expect("length was checked against the shape")
}
// ANCHOR_END: vec

// Shown in "Jacobians: from scalars to tensors", section "A small example with numbers".
// ANCHOR: numerical
/// The Jacobian of `f` at `x`, `(m, d)` for `d = x.len()` and
/// `m = f(x).len()`, by centred differences: column `j` is
/// `(vec(f(x + h e_j)) - vec(f(x - h e_j))) / 2h`, with the
/// centred-difference kernel of [`crate::gradcheck`].
///
/// Panics if `f` changes its output's shape, or if `h` is not a positive
/// finite number.
pub fn numerical<D: Dimension, E: Dimension>(
    mut f: impl FnMut(&Array<f64, D>) -> Array<f64, E>,
    x: &Array<f64, D>,
    h: f64,
) -> Array2<f64> {
    require_step("jacobian::numerical", h);
    let y_shape = f(x).raw_dim();
    // Column-major, so the kernel's entry j is entry j of vec(x).
    let mut probe = unvec(&vec(x), x.raw_dim());
    let mut eval = |x: &Array<f64, D>| {
        let y = f(x);
        require_all(
            y.raw_dim() == y_shape,
            "jacobian::numerical",
            &[("f(x + h e_j)", y.shape()), ("f(x)", y_shape.slice())],
            "f must return the same shape for every input",
            CONVENTION,
        );
        vec(&y)
    };
    let mut j = Array2::zeros((y_shape.size(), x.len()));
    for (col, mut column) in j.columns_mut().into_iter().enumerate() {
        let (plus, minus) = centered(&mut eval, &mut probe, col, h);
        column.assign(&((plus - minus) / (2.0 * h)));
    }
    j
}
// ANCHOR_END: numerical

// Shown in "Jacobians: from scalars to tensors", section "The chain rule as a product of Jacobians".
// ANCHOR: from_backward
/// The Jacobian `(m, d)` of a layer, read off its backward function: row
/// `i` is `vec(backward(e_i))`, since `Jᵀ e_i` is row `i` of `J`.
///
/// Panics if `backward` returns an array whose shape is not `x_shape`.
pub fn from_backward<D: Dimension, E: Dimension>(
    mut backward: impl FnMut(&Array<f64, E>) -> Array<f64, D>,
    x_shape: D,
    y_shape: E,
) -> Array2<f64> {
    let (m, d) = (y_shape.size(), x_shape.size());
    let mut j = Array2::zeros((m, d));
    for (i, mut row) in j.rows_mut().into_iter().enumerate() {
        let mut e = Array1::zeros(m);
        e[i] = 1.0;
        let dx = backward(&unvec(&e, y_shape.clone()));
        require_all(
            dx.raw_dim() == x_shape,
            "jacobian::from_backward",
            &[
                ("backward(e_i)", dx.shape()),
                ("the input", x_shape.slice()),
            ],
            "backward must return a gradient shaped like the input",
            CONVENTION,
        );
        row.assign(&vec(&dx));
    }
    j
}

/// `Jᵀ vec(dy)`, of length `d`, the slow way with an explicit `J`.
///
/// Panics if `dy` does not have one element per row of `j`.
pub fn vector_jacobian_product<E: Dimension>(
    j: &Array2<f64>,
    dy: &Array<f64, E>,
) -> Array1<f64> {
    require_all(
        j.nrows() == dy.len(),
        "jacobian::vector_jacobian_product",
        &[("J", j.shape()), ("dy", dy.shape())],
        "dy must have one element per row of J (one per output entry)",
        CONVENTION,
    );
    j.t().dot(&vec(dy))
}
// ANCHOR_END: from_backward

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_shape_panic, panic_message};
    use ndarray::{array, Array3, Ix1, Ix2};

    /// `got` and `want` agree entry by entry to within `tol`; otherwise
    /// panics naming `what` (the function and what it computed), the
    /// shapes or the first entry that differs, and both values there.
    #[track_caller]
    fn assert_entries<D: Dimension>(
        what: &str,
        got: &Array<f64, D>,
        want: &Array<f64, D>,
        tol: f64,
    ) {
        assert!(
            got.shape() == want.shape(),
            "{what}: shape {:?}, expected {:?}",
            got.shape(),
            want.shape()
        );
        let bad = got
            .indexed_iter()
            .zip(want)
            .find(|((_, g), w)| (*g - *w).abs() > tol || (*g - *w).is_nan());
        if let Some(((at, g), w)) = bad {
            panic!(
                "{what}: entry {:?} is {g} but should be {w} (tolerance {tol:e})",
                ndarray::IntoDimension::into_dimension(at).slice()
            );
        }
    }

    #[test]
    fn assert_entries_names_the_entry_that_differs() {
        let msg = panic_message(|| {
            assert_entries(
                "vec",
                &array![[1.0, 2.0]],
                &array![[1.0, 3.0]],
                0.0,
            );
        });
        assert_eq!(
            msg,
            "vec: entry [0, 1] is 2 but should be 3 (tolerance 0e0)"
        );
        let msg = panic_message(|| {
            assert_entries("vec", &array![1.0], &array![1.0, 2.0], 0.0);
        });
        assert_eq!(msg, "vec: shape [1], expected [2]");
    }

    #[test]
    fn vec_stacks_columns_one_after_another() {
        let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_entries(
            "vec of a (2, 3) matrix",
            &vec(&x),
            &array![1.0, 4.0, 2.0, 5.0, 3.0, 6.0],
            0.0,
        );
        assert_entries("unvec(vec(x))", &unvec(&vec(&x), x.raw_dim()), &x, 0.0);
        let v = array![1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
        assert_entries("unvec to (2, 3)", &unvec(&v, Ix2(2, 3)), &x, 0.0);
    }

    #[test]
    fn vec_of_a_vector_is_itself_and_of_3d_has_first_axis_fastest() {
        let v = array![3.0, -1.0, 2.0];
        assert_entries("vec of a vector", &vec(&v), &v, 0.0);
        assert_entries("unvec to a vector", &unvec(&v, Ix1(3)), &v, 0.0);
        let t = Array3::from_shape_fn((2, 2, 2), |(a, b, c)| {
            (a + 10 * b + 100 * c) as f64
        });
        let want = array![0.0, 1.0, 10.0, 11.0, 100.0, 101.0, 110.0, 111.0];
        assert_entries("vec of a (2, 2, 2) tensor", &vec(&t), &want, 0.0);
        assert_entries(
            "unvec(vec(t)) in 3-D",
            &unvec(&vec(&t), t.raw_dim()),
            &t,
            0.0,
        );
    }

    #[test]
    fn unvec_refuses_a_wrong_length() {
        assert_shape_panic(
            "jacobian::unvec:",
            &[
                "v has shape [5] but the requested array has shape [2, 3]",
                CONVENTION,
            ],
            || {
                unvec(&array![1.0, 2.0, 3.0, 4.0, 5.0], Ix2(2, 3));
            },
        );
    }

    #[test]
    fn numerical_jacobian_of_a_linear_map_is_its_matrix() {
        let a = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let j = numerical(
            |x: &Array1<f64>| a.dot(x),
            &array![2.0, 1.0, -1.0],
            1e-5,
        );
        assert_eq!(j.dim(), (2, 3));
        assert_entries("numerical Jacobian of x ↦ A x", &j, &a, 1e-9);
    }

    #[test]
    fn numerical_jacobian_of_a_worked_nonlinear_example() {
        // y = (x1 x2, x1 + 3 x2) at (2, -1): J = [[x2, x1], [1, 3]].
        let f = |x: &Array1<f64>| array![x[0] * x[1], x[0] + 3.0 * x[1]];
        let j = numerical(f, &array![2.0, -1.0], 1e-5);
        assert_entries(
            "numerical Jacobian at (2, -1)",
            &j,
            &array![[-1.0, 2.0], [1.0, 3.0]],
            1e-9,
        );
    }

    /// vec(W X) = (I_n ⊗ W) vec(X): a block-diagonal matrix with one copy
    /// of W per sample. This only holds with sample-after-sample stacking.
    #[test]
    fn numerical_jacobian_of_a_minibatch_map_is_block_diagonal() {
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let j = numerical(|x: &Array2<f64>| w.dot(x), &x, 1e-5);
        let mut expected = Array2::zeros((4, 6));
        expected.slice_mut(ndarray::s![0..2, 0..3]).assign(&w);
        expected.slice_mut(ndarray::s![2..4, 3..6]).assign(&w);
        assert_entries("numerical Jacobian of X ↦ W X", &j, &expected, 1e-9);
    }

    #[test]
    fn numerical_refuses_a_function_that_changes_shape() {
        let msg = panic_message(|| {
            numerical(
                |x: &Array1<f64>| {
                    if x[0] > 0.0 {
                        array![1.0, 2.0]
                    } else {
                        array![1.0]
                    }
                },
                &array![0.0],
                1e-5,
            );
        });
        assert!(msg.starts_with("jacobian::numerical:"), "{msg}");
        assert!(msg.contains("f(x + h e_j) has shape [2]"), "{msg}");
        assert!(msg.contains("f(x) has shape [1]"), "{msg}");
    }

    #[test]
    fn numerical_refuses_a_bad_step_as_gradcheck_does() {
        for h in [0.0, -1e-5, f64::NAN, f64::INFINITY] {
            let msg = panic_message(move || {
                numerical(|x: &Array1<f64>| x.clone(), &array![1.0], h);
            });
            assert_eq!(
                msg,
                format!(
                    "jacobian::numerical: the step h must be a positive finite number, got {h}"
                )
            );
            let msg = panic_message(move || {
                crate::gradcheck::numerical_gradient(
                    |x: &Array1<f64>| x.sum(),
                    &array![1.0],
                    h,
                );
            });
            assert_eq!(
                msg,
                format!("gradcheck: the step h must be a positive finite number, got {h}")
            );
        }
    }

    #[test]
    fn from_backward_matches_numerical_for_a_minibatch_map() {
        // f(X) = W X with backward dX = Wᵀ dY, and an elementwise square
        // with backward dX = 2 X ⊙ dY.
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let num = numerical(|x: &Array2<f64>| w.dot(x), &x, 1e-5);
        let ana = from_backward(
            |dy: &Array2<f64>| w.t().dot(dy),
            x.raw_dim(),
            Ix2(2, 2),
        );
        assert_entries("from_backward of X ↦ W X", &ana, &num, 1e-9);

        let num = numerical(|x: &Array2<f64>| x.mapv(|v| v * v), &x, 1e-5);
        let ana = from_backward(
            |dy: &Array2<f64>| 2.0 * &x * dy,
            x.raw_dim(),
            x.raw_dim(),
        );
        assert_entries("from_backward of X ↦ X ⊙ X", &ana, &num, 1e-9);
        let diagonal = Array2::from_diag(&(2.0 * vec(&x)));
        assert_entries("from_backward of X ↦ X ⊙ X", &ana, &diagonal, 1e-12);
    }

    #[test]
    fn from_backward_puts_outputs_in_rows_and_inputs_in_columns() {
        // The book's worked example: y = (x1 x2, x1 + 3 x2) at x = (2, -1),
        // with backward dx = (x2 dy1 + dy2, x1 dy1 + 3 dy2). Its Jacobian is
        // not symmetric, so a transposed result would not pass.
        let x = array![2.0, -1.0];
        let backward = |dy: &Array1<f64>| {
            array![x[1] * dy[0] + dy[1], x[0] * dy[0] + 3.0 * dy[1]]
        };
        let j = from_backward(backward, Ix1(2), Ix1(2));
        assert_entries(
            "from_backward at (2, -1)",
            &j,
            &array![[-1.0, 2.0], [1.0, 3.0]],
            0.0,
        );
    }

    #[test]
    fn from_backward_refuses_a_gradient_of_the_wrong_shape() {
        let msg = panic_message(|| {
            from_backward(|dy: &Array1<f64>| dy.clone(), Ix1(3), Ix1(2));
        });
        assert!(msg.starts_with("jacobian::from_backward:"), "{msg}");
        assert!(msg.contains("backward(e_i) has shape [2]"), "{msg}");
        assert!(msg.contains("the input has shape [3]"), "{msg}");
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }

    #[test]
    fn vector_jacobian_product_is_the_backward_pass() {
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let dy = array![[0.5, 1.0], [-1.0, 2.0]];
        let j = numerical(|x: &Array2<f64>| w.dot(x), &x, 1e-5);
        let dx = unvec(&vector_jacobian_product(&j, &dy), x.raw_dim());
        assert_entries("unvec(Jᵀ vec(dY))", &dx, &w.t().dot(&dy), 1e-9);
    }

    #[test]
    fn vector_jacobian_product_refuses_a_wrong_dy() {
        let msg = panic_message(|| {
            vector_jacobian_product(
                &Array2::zeros((4, 6)),
                &array![1.0, 2.0, 3.0],
            );
        });
        assert!(
            msg.starts_with("jacobian::vector_jacobian_product:"),
            "{msg}"
        );
        assert!(msg.contains("J has shape [4, 6]"), "{msg}");
        assert!(msg.contains("dy has shape [3]"), "{msg}");
    }
}
