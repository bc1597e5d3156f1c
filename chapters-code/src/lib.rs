//! # backprop
//!
//! The code that the book *Local Gradients* builds, one module per chapter,
//! in chapter order. Every formula in the book is computed or checked by a
//! function here, and every ```rust block in the book calls into this crate.
//!
//! Conventions used throughout:
//! - numbers are `f64`;
//! - a minibatch is a matrix whose **columns are samples**: `X` has shape
//!   `(d, n)` for `n` samples of dimension `d`, and an affine layer computes
//!   `Y = W X + b` with `W` of shape `(m, d)`, `b` of length `m` and `Y` of
//!   shape `(m, n)`;
//! - the gradient of a scalar loss `L` with respect to an array always has
//!   the shape of that array.

pub mod shapes;

/// Helpers shared by the unit tests of every module.
#[cfg(test)]
mod testing {
    /// Runs `f`, which must panic, and returns its panic message.
    pub fn panic_message(f: impl FnOnce()) -> String {
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .expect_err("expected a panic");
        match err.downcast::<String>() {
            Ok(s) => *s,
            Err(e) => e
                .downcast_ref::<&str>()
                .expect("a text message")
                .to_string(),
        }
    }

    /// Runs `f`, which must panic with a shape message: one that starts with
    /// `context`, contains every fragment (the shapes and the rule), and
    /// ends with the convention.
    pub fn assert_shape_panic(context: &str, fragments: &[&str], f: impl FnOnce()) {
        let msg = panic_message(f);
        assert!(msg.starts_with(context), "{msg}");
        for fragment in fragments {
            assert!(msg.contains(fragment), "no {fragment:?} in: {msg}");
        }
        assert!(msg.contains(crate::shapes::CONVENTION), "{msg}");
    }
}

/// Chapter 2: scalar computational graphs.
pub mod scalar;

/// Chapter 3: numerical gradient checking.
pub mod gradcheck;

/// Chapter 4: Jacobians, built explicitly for small sizes.
pub mod jacobian;

/// One shared check for every layer: gradient checks of every input and
/// explicit-Jacobian comparisons.
pub mod layer_check;

/// The local gradients of array operations: elementwise functions and
/// products, broadcasts, sums and means along an axis, matrix products,
/// transposes and reshapes, and centring a sample.
pub mod array_ops;

/// Chapter 5: the ReLU layer.
pub mod relu;

/// Chapters 6 and 7: the affine (fully connected) layer.
pub mod affine;

/// The book's figures (`src/figures/*.svg`), drawn from the numbers this
/// crate computes. Only with `--features figures`.
#[cfg(feature = "figures")]
pub mod figures;
