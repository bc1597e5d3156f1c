//! The ReLU layer: `y = max(0, x)`, entry by entry.
//!
//! - **Shapes.** Every function is generic over the dimension, so the same
//!   code handles one sample (a vector of length `d`) and a minibatch (a
//!   `(d, n)` matrix whose columns are samples). `y`, `dy` and `dx` always
//!   have the shape of `x`.
//! - **Convention.** ReLU acts on each entry alone; at the kink `x = 0` the
//!   slope is taken to be 0 ([`CONVENTION`] ends every shape message).
//! - **Cache.** The backward pass needs the sign of every input entry, so
//!   the forward pass's input `x` is what a ReLU layer keeps for
//!   [`backward`]. (Its output `y` would do as well, since `y > 0` exactly
//!   where `x > 0`; the book's layers all keep their inputs.)
//! - **Backward** returns one gradient, `dx`, for the one input.

use crate::shapes::Checker;
use crate::Error;
use ndarray::{Array, Dimension, Zip};

/// The convention appended to this module's shape messages.
pub const CONVENTION: &str =
    "convention: ReLU acts entry by entry, so x, y, dy and dx all have one shape; columns are samples";

/// This module's shape checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

// Shown in "ReLU", section "Forward: y = max(0, x)".
// ANCHOR: forward
/// Forward pass: `y = max(0, x)` entry by entry, `y` shaped like `x`. A NaN
/// stays NaN (`f64::max` would turn it into 0).
pub fn forward<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    let mut y = x.clone();
    forward_in_place(&mut y);
    y
}

/// Forward pass in place: overwrites `x` with `max(0, x)`.
pub fn forward_in_place<D: Dimension>(x: &mut Array<f64, D>) {
    x.mapv_inplace(|v| if v < 0.0 { 0.0 } else { v });
}
// ANCHOR_END: forward

// Shown in "ReLU", section "The mask shortcut".
// ANCHOR: mask
/// The mask `[x > 0]` (Iverson bracket), shaped like `x`: the diagonal of
/// ReLU's Jacobian, with slope 0 taken at the kink `x = 0`.
pub fn mask<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
}
// ANCHOR_END: mask

// Shown in "ReLU", section "Without a mask: overwriting the upstream gradient".
// ANCHOR: backward
/// Backward pass: `dx = [x > 0] ⊙ dy`, from the cached input `x` and the
/// upstream gradient `dy`, all three of one shape.
///
/// Panics if `x` and `dy` have different shapes, with [`try_backward`]'s
/// message.
#[track_caller]
pub fn backward<D>(x: &Array<f64, D>, dy: &Array<f64, D>) -> Array<f64, D>
where
    D: Dimension,
{
    try_backward(x, dy).unwrap_or_else(|e| e.raise())
}

/// [`backward`] that returns a shape mismatch as `Err` instead of
/// panicking.
pub fn try_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> Result<Array<f64, D>, Error> {
    SHAPES.check_same(
        "relu::backward",
        ("x", x.shape()),
        ("dy", dy.shape()),
    )?;
    let mut dx = dy.clone();
    backward_in_place(x, &mut dx);
    Ok(dx)
}

/// Backward pass in place: turns `dy` into `[x > 0] ⊙ dy`.
///
/// Panics if `x` and `dy` have different shapes.
#[track_caller]
pub fn backward_in_place<D>(x: &Array<f64, D>, dy: &mut Array<f64, D>)
where
    D: Dimension,
{
    SHAPES
        .check_same(
            "relu::backward_in_place",
            ("x", x.shape()),
            ("dy", dy.shape()),
        )
        .unwrap_or_else(|e| e.raise());
    // "Keep where x > 0", not "zero where x <= 0": only this one gives a
    // NaN the mask's 0.
    Zip::from(dy).and(x).for_each(|g, &v| {
        *g = if v > 0.0 { *g } else { 0.0 };
    });
}
// ANCHOR_END: backward

// Shown in "ReLU", section "A minibatch".
// ANCHOR: examples
/// The chapter's one sample, `(x, dy)`.
pub fn example_sample() -> (ndarray::Array1<f64>, ndarray::Array1<f64>) {
    (
        ndarray::array![2.0, -1.0, 0.5],
        ndarray::array![0.3, -0.7, 1.2],
    )
}

/// The chapter's minibatch, `(X, dY)`, both `(3, 2)`: columns are samples.
pub fn example_minibatch() -> (ndarray::Array2<f64>, ndarray::Array2<f64>) {
    (
        ndarray::array![[2.0, -1.5], [-1.0, 3.0], [0.5, -0.2]],
        ndarray::array![[0.3, -0.4], [-0.7, 0.5], [1.2, 0.9]],
    )
}
// ANCHOR_END: examples

/// What every test of this module asks of the backward pass: `backward`,
/// the mask and `backward_in_place` give `want`, and a wrong entry is
/// named with the input that decides it (`dx[0] is 5 but should be 0,
/// where x[0] = -1`).
#[cfg(test)]
#[track_caller]
fn assert_backward_gives<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
    want: &Array<f64, D>,
) {
    use crate::testing::assert_entries_eq;
    let inputs = [("x", x.view().into_dyn()), ("dy", dy.view().into_dyn())];
    assert_entries_eq(
        "relu::backward",
        ("dx", &backward(x, dy)),
        want,
        &inputs,
    );
    assert_entries_eq(
        "relu::mask ⊙ dy",
        ("dx", &(&mask(x) * dy)),
        want,
        &inputs,
    );
    let mut g = dy.clone();
    backward_in_place(x, &mut g);
    assert_entries_eq("relu::backward_in_place", ("dx", &g), want, &inputs);
}

#[cfg(test)]
mod worked_example_tests {
    use super::*;
    use crate::testing::assert_entries_eq;
    use ndarray::array;

    #[test]
    fn the_worked_examples_give_the_chapters_numbers() {
        let (x, dy) = example_sample();
        let inputs = [("x", x.view().into_dyn())];
        assert_entries_eq(
            "relu::mask",
            ("mask", &mask(&x)),
            &array![1.0, 0.0, 1.0],
            &inputs,
        );
        assert_backward_gives(&x, &dy, &array![0.3, 0.0, 1.2]);
        let (x, dy) = example_minibatch();
        assert_backward_gives(
            &x,
            &dy,
            &array![[0.3, 0.0], [0.0, 0.5], [1.2, 0.0]],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer_check::{arg, check_layer, input, try_check_layer};
    use crate::testing::{
        assert_entries_eq, assert_shape_panic, panic_message,
    };
    use crate::{gradcheck, jacobian};
    use ndarray::{array, Array1, Array2, ArrayD, IxDyn};

    #[test]
    fn forward_passes_nan_through() {
        let y = forward(&array![f64::NAN, -1.0, 2.0]);
        assert!(y[0].is_nan());
        assert_eq!((y[1], y[2]), (0.0, 2.0));
    }

    #[test]
    fn the_books_one_sample_numbers() {
        let x = array![2.0, -1.0, 0.5];
        let dy = array![0.3, -0.7, 1.2];
        let inputs = [("x", x.view().into_dyn())];
        assert_entries_eq(
            "relu::forward",
            ("y", &forward(&x)),
            &array![2.0, 0.0, 0.5],
            &inputs,
        );
        assert_entries_eq(
            "relu::mask",
            ("mask", &mask(&x)),
            &array![1.0, 0.0, 1.0],
            &inputs,
        );
        assert_backward_gives(&x, &dy, &array![0.3, 0.0, 1.2]);
    }

    #[test]
    fn the_books_minibatch_numbers() {
        let x = array![[2.0, -1.5], [-1.0, 3.0], [0.5, -0.2]];
        let dy = array![[0.3, -0.4], [-0.7, 0.5], [1.2, 0.9]];
        assert_backward_gives(
            &x,
            &dy,
            &array![[0.3, 0.0], [0.0, 0.5], [1.2, 0.0]],
        );
        let j = jacobian::from_backward(
            |g: &Array2<f64>| backward(&x, g),
            x.raw_dim(),
            x.raw_dim(),
        );
        let want = Array2::from_diag(&array![1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert_entries_eq("relu's Jacobian", ("J", &j), &want, &[]);
    }

    /// A NaN input blocks the gradient in every form of the backward pass,
    /// as `[NaN > 0] = 0` says: the mask, `backward` and
    /// `backward_in_place` agree entry for entry.
    #[test]
    fn a_nan_input_blocks_the_gradient_in_every_form() {
        let x = array![f64::NAN, 1.0, -1.0];
        let dy = array![5.0, 2.0, 3.0];
        let inputs = [("x", x.view().into_dyn())];
        assert_entries_eq(
            "relu::mask",
            ("mask", &mask(&x)),
            &array![0.0, 1.0, 0.0],
            &inputs,
        );
        assert_backward_gives(&x, &dy, &array![0.0, 2.0, 0.0]);
    }

    /// A planted bug, a mask that lets everything through,
    /// fails naming the function, the entry and the input that decides it.
    #[test]
    fn a_wrong_entry_names_the_input_that_decides_it() {
        let x = array![-1.0, 2.0, 3.0];
        let dy = array![5.0, 2.0, 3.0];
        let msg = panic_message(|| {
            assert_entries_eq(
                "relu::backward",
                ("dx", &dy),
                &backward(&x, &dy),
                &[("x", x.view().into_dyn())],
            );
        });
        assert_eq!(
            msg,
            "relu::backward: dx[0] is 5 but should be 0, where x[0] = -1"
        );
    }

    #[test]
    fn zero_is_treated_as_inactive() {
        let x = array![0.0, -0.0];
        let inputs = [("x", x.view().into_dyn())];
        assert_entries_eq(
            "relu::mask",
            ("mask", &mask(&x)),
            &array![0.0, 0.0],
            &inputs,
        );
        assert_backward_gives(&array![0.0], &array![5.0], &array![0.0]);
    }

    fn relu_forward(v: &[ArrayD<f64>]) -> ArrayD<f64> {
        forward(&v[0])
    }

    fn relu_backward(v: &[ArrayD<f64>], dy: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
        vec![backward(&v[0], dy)]
    }

    /// The shared layer check (gradient check and explicit Jacobian) for
    /// one sample and for a minibatch, on several random inputs.
    #[test]
    fn the_shared_layer_check_passes() {
        for seed in 0..5 {
            let one: Array1<f64> = gradcheck::random(6, seed);
            let batch: Array2<f64> = gradcheck::random((4, 3), seed);
            for x in [input("x", &one), input("x", &batch)] {
                let n = x.1.len();
                let report =
                    check_layer("relu", &[x], relu_forward, relu_backward);
                assert_eq!(report.gradients[0].1.checked, n);
                assert_eq!(report.jacobians_compared, 1);
            }
        }
        // The layer's own typed arrays, through the adapter.
        let batch: Array2<f64> = gradcheck::random((4, 3), 9);
        check_layer(
            "relu",
            &[input("x", &batch)],
            |v| forward(&arg::<IxDyn>(&v[0])),
            |v, dy| {
                vec![backward(&arg::<ndarray::Ix2>(&v[0]), &arg(dy)).into_dyn()]
            },
        );
    }

    /// A backward that lets the gradient through where x < 0 (the mask of a
    /// leaky ReLU with slope 1) fails, and the failure names this test and
    /// the input.
    #[test]
    fn a_wrong_backward_fails_the_layer_check_by_name() {
        let x: Array2<f64> = gradcheck::random((3, 2), 1);
        let wrong = |_: &[ArrayD<f64>], dy: &ArrayD<f64>| vec![dy.clone()];
        let err =
            try_check_layer("relu", &[input("x", &x)], relu_forward, wrong)
                .unwrap_err();
        assert!(err.message.starts_with("relu: dx failed"), "{err}");
        assert!(err.message.contains("input x has shape [3, 2]"), "{err}");
        assert!(
            err.message
                .contains("(test relu::tests::a_wrong_backward_fails_the_layer_check_by_name)"),
            "{err}"
        );
    }

    #[test]
    fn backward_refuses_mismatched_shapes() {
        assert_shape_panic(
            "relu::backward:",
            &["x has shape [3, 2] but dy has shape [2, 3]", CONVENTION],
            || {
                backward(&Array2::<f64>::zeros((3, 2)), &Array2::zeros((2, 3)));
            },
        );
        let err = try_backward(&Array1::<f64>::zeros(2), &Array1::zeros(3))
            .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "relu::backward: x has shape [2] but dy has shape [3]; \
                 x and dy must have the same shape ({CONVENTION})"
            )
        );
    }

    #[test]
    fn backward_in_place_refuses_mismatched_shapes() {
        assert_shape_panic(
            "relu::backward_in_place:",
            &["x has shape [3] but dy has shape [4]", CONVENTION],
            || {
                let mut dy = Array1::<f64>::zeros(4);
                backward_in_place(&Array1::zeros(3), &mut dy);
            },
        );
    }
}
