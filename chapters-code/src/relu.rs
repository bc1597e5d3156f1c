//! The ReLU layer: `y = max(0, x)`, entry by entry.
//!
//! Every function is generic over the dimension, so the same code handles
//! one sample (a vector of length `d`) and a minibatch (a `(d, n)` matrix
//! whose columns are samples). Output and gradients always have the shape
//! of the input.

use crate::shapes;
use ndarray::{Array, Dimension, Zip};

/// Forward pass: `y = max(0, x)` elementwise.
///
/// Shapes: `y` has the shape of `x` (`(d,)` for one sample, `(d, n)` for a
/// minibatch). A NaN in `x` stays NaN in `y` (`f64::max` alone would turn
/// it into 0 and hide the problem from every later check).
pub fn forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| if v < 0.0 { 0.0 } else { v })
}

/// The local gradient of ReLU as a 0/1 array: `1{x > 0}`.
///
/// This is the diagonal of ReLU's Jacobian (all off-diagonal entries are
/// zero). At the kink `x = 0` the derivative is taken to be 0.
///
/// Shapes: the mask has the shape of `x`.
pub fn mask<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
}

/// Backward pass: `dx = 1{x > 0} ⊙ dy`.
///
/// `x` is the input **cached** from the forward pass (not the output `y`,
/// although for ReLU `y > 0` exactly where `x > 0`); `dy = ∂L/∂y` is the
/// upstream gradient. This equals `Jᵀ · vec(dy)` with the diagonal
/// Jacobian `J = diag(1{vec(x) > 0})`, computed without building `J`.
///
/// Shapes: `x`, `dy` and the returned `dx = ∂L/∂x` all have the same shape.
///
/// Panics if `x` and `dy` have different shapes.
pub fn backward<D: Dimension>(x: &Array<f64, D>, dy: &Array<f64, D>) -> Array<f64, D> {
    shapes::require_same("relu::backward", ("x", x.shape()), ("dy", dy.shape()));
    let mut dx = dy.clone();
    backward_in_place(x, &mut dx);
    dx
}

/// Backward pass in place: zeroes `dy` wherever `x <= 0`, turning the
/// upstream gradient `∂L/∂y` into `∂L/∂x = 1{x > 0} ⊙ dy` without
/// allocating.
///
/// Shapes: `x` and `dy` have the same shape.
///
/// Panics if `x` and `dy` have different shapes.
pub fn backward_in_place<D: Dimension>(x: &Array<f64, D>, dy: &mut Array<f64, D>) {
    shapes::require_same(
        "relu::backward_in_place",
        ("x", x.shape()),
        ("dy", dy.shape()),
    );
    Zip::from(dy).and(x).for_each(|g, &v| {
        if v <= 0.0 {
            *g = 0.0;
        }
    });
}

/// The ReLU chapter's worked example for one sample, `(x, dy)`: the input
/// `x = (2, -1, 0.5)` and the upstream gradient `∂L/∂y = (0.3, -0.7, 1.2)`.
/// They give the mask `(1, 0, 1)` and `∂L/∂x = (0.3, 0, 1.2)`. The chapter,
/// its mask figure and the unit tests use these numbers.
pub fn example_sample() -> (ndarray::Array1<f64>, ndarray::Array1<f64>) {
    (
        ndarray::array![2.0, -1.0, 0.5],
        ndarray::array![0.3, -0.7, 1.2],
    )
}

/// The ReLU chapter's worked minibatch, `(X, dY)`, both `(d, n) = (3, 2)`
/// (columns are samples): `X = [[2, -1.5], [-1, 3], [0.5, -0.2]]` and
/// `dY = [[0.3, -0.4], [-0.7, 0.5], [1.2, 0.9]]`, so that
/// `∂L/∂X = [[0.3, 0], [0, 0.5], [1.2, 0]]`. The chapter, its Jacobian
/// figure and the unit tests use these numbers.
pub fn example_minibatch() -> (ndarray::Array2<f64>, ndarray::Array2<f64>) {
    (
        ndarray::array![[2.0, -1.5], [-1.0, 3.0], [0.5, -0.2]],
        ndarray::array![[0.3, -0.4], [-0.7, 0.5], [1.2, 0.9]],
    )
}

#[cfg(test)]
mod worked_example_tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_worked_examples_give_the_chapters_numbers() {
        let (x, dy) = example_sample();
        assert_eq!(mask(&x), array![1.0, 0.0, 1.0]);
        assert_eq!(backward(&x, &dy), array![0.3, 0.0, 1.2]);
        let (x, dy) = example_minibatch();
        assert_eq!(
            backward(&x, &dy),
            array![[0.3, 0.0], [0.0, 0.5], [1.2, 0.0]]
        );
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn forward_passes_nan_through() {
        let y = forward(&ndarray::array![f64::NAN, -1.0, 2.0]);
        assert!(y[0].is_nan());
        assert_eq!((y[1], y[2]), (0.0, 2.0));
    }

    use super::*;
    use crate::testing::{assert_shape_panic, panic_message};
    use crate::{gradcheck, jacobian};
    use approx::assert_abs_diff_eq;
    use ndarray::{array, Array1, Array2, Ix1};

    #[test]
    fn the_books_one_sample_numbers() {
        let x = array![2.0, -1.0, 0.5];
        let dy = array![0.3, -0.7, 1.2];
        assert_eq!(forward(&x), array![2.0, 0.0, 0.5]);
        assert_eq!(mask(&x), array![1.0, 0.0, 1.0]);
        assert_eq!(backward(&x, &dy), array![0.3, 0.0, 1.2]);
        let mut g = dy.clone();
        backward_in_place(&x, &mut g);
        assert_eq!(g, array![0.3, 0.0, 1.2]);
    }

    #[test]
    fn the_books_minibatch_numbers() {
        let x = array![[2.0, -1.5], [-1.0, 3.0], [0.5, -0.2]];
        let dy = array![[0.3, -0.4], [-0.7, 0.5], [1.2, 0.9]];
        assert_eq!(
            backward(&x, &dy),
            array![[0.3, 0.0], [0.0, 0.5], [1.2, 0.0]]
        );
        let j =
            jacobian::from_backward(|g: &Array2<f64>| backward(&x, g), x.raw_dim(), x.raw_dim());
        assert_eq!(j, Array2::from_diag(&array![1.0, 0.0, 1.0, 0.0, 1.0, 0.0]));
    }

    #[test]
    fn zero_is_treated_as_inactive() {
        assert_eq!(mask(&array![0.0, -0.0]), array![0.0, 0.0]);
        assert_eq!(backward(&array![0.0], &array![5.0]), array![0.0]);
    }

    #[test]
    fn gradient_check_one_sample() {
        for seed in 0..5 {
            let x: Array1<f64> = gradcheck::random(6, seed);
            let dy: Array1<f64> = gradcheck::random(6, seed + 100);
            let report = gradcheck::check_gradient_array(forward, &x, &dy, &backward(&x, &dy));
            assert!(report.max_relative_error < 1e-7, "{report:?}");
            assert_eq!((report.checked, report.skipped_kinks), (x.len(), 0));
        }
    }

    #[test]
    fn gradient_check_minibatch() {
        for seed in 0..5 {
            let x: Array2<f64> = gradcheck::random((4, 3), seed);
            let dy: Array2<f64> = gradcheck::random((4, 3), seed + 100);
            let report = gradcheck::check_gradient_array(forward, &x, &dy, &backward(&x, &dy));
            assert!(report.max_relative_error < 1e-7, "{report:?}");
            assert_eq!((report.checked, report.skipped_kinks), (x.len(), 0));
        }
    }

    #[test]
    fn explicit_jacobians_agree_with_backward() {
        for d in 1..=6 {
            let x: Array1<f64> = gradcheck::random(d, d as u64);
            let dy: Array1<f64> = gradcheck::random(d, 50 + d as u64);
            let num = jacobian::numerical(forward, &x, 1e-4);
            let ana = jacobian::from_backward(|g: &Array1<f64>| backward(&x, g), Ix1(d), Ix1(d));
            assert_abs_diff_eq!(num, ana, epsilon = 1e-10);
            assert_abs_diff_eq!(ana, Array2::from_diag(&mask(&x)), epsilon = 0.0);
            let dx = jacobian::vector_jacobian_product(&num, &dy);
            assert_abs_diff_eq!(dx, backward(&x, &dy), epsilon = 1e-10);
        }
        // And a 2-D minibatch: a 6 x 6 Jacobian for a (3, 2) input.
        let x: Array2<f64> = gradcheck::random((3, 2), 7);
        let num = jacobian::numerical(forward, &x, 1e-4);
        let ana =
            jacobian::from_backward(|g: &Array2<f64>| backward(&x, g), x.raw_dim(), x.raw_dim());
        assert_eq!(ana.dim(), (6, 6));
        assert_abs_diff_eq!(num, ana, epsilon = 1e-10);
    }

    #[test]
    fn backward_refuses_mismatched_shapes() {
        assert_shape_panic(
            "relu::backward:",
            &["x has shape [3, 2]", "dy has shape [2, 3]"],
            || {
                backward(&Array2::<f64>::zeros((3, 2)), &Array2::zeros((2, 3)));
            },
        );
    }

    #[test]
    fn backward_in_place_refuses_mismatched_shapes() {
        let msg = panic_message(|| {
            let mut dy = Array1::<f64>::zeros(4);
            backward_in_place(&Array1::zeros(3), &mut dy);
        });
        assert!(msg.starts_with("relu::backward_in_place:"), "{msg}");
        assert!(msg.contains("x has shape [3]"), "{msg}");
        assert!(msg.contains("dy has shape [4]"), "{msg}");
    }
}
