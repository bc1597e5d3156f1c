#![deny(unsafe_code)]
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
//!
//! # The code on the page
//!
//! The chapters show this crate's own code: regions of the sources are
//! marked `// ANCHOR: name` … `// ANCHOR_END: name`, each under a comment
//! naming the chapter and section that shows it, and the pages include them
//! with mdBook's `{{#include}}`. The book's meta-tests check that every
//! included anchor exists and that every public function of a chapter
//! module appears on some page.
//!
//! # One shape for every layer
//!
//! Each layer module ([`relu`], [`affine`], and the layers still to come)
//! has the same parts, in the same order:
//!
//! 1. a module doc stating the layer, its shapes, its convention (a
//!    `CONVENTION` constant that ends every shape message it raises) and
//!    what it caches for the backward pass;
//! 2. `forward`;
//! 3. `backward(cached…, dy)`, returning one gradient per input (a struct
//!    with named fields when there are several, such as
//!    [`affine::Gradients`]), with `try_` forms that return a shape
//!    mismatch as an error;
//! 4. shape checks on entry ([`shapes`]);
//! 5. unit tests, which run the shared [`layer_check::check_layer`].
//!
//! **What a layer caches, and why.** The backward pass gets the upstream
//! gradient `dy`, which says nothing about where the forward pass was; the
//! layer keeps exactly what its local Jacobian depends on. ReLU keeps its
//! input `x` (its output would do, as `y > 0` exactly where `x > 0`); the
//! affine layer keeps `W` and `X`, since `dX = Wᵀ dY` and `dW = dY Xᵀ`, and
//! not `b`, which appears in no gradient; a pooling layer will keep where
//! each maximum came from (its argmax), and softmax its output `y`, since
//! its Jacobian is `diag(y) - y yᵀ`.
//!
//! # Random test data
//!
//! [`gradcheck::random`] draws test inputs from the `rand` crate's
//! `StdRng`, seeded with `seed_from_u64`: the same seed gives the same
//! values, on every machine. `rand` is pinned to one exact version in
//! `Cargo.toml`, because `StdRng` keeps its stream only within a version.

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
    /// `context`, contains every fragment (the shapes, the rule and, for a
    /// module with its own, the module's convention), and ends with a
    /// convention.
    pub fn assert_shape_panic(context: &str, fragments: &[&str], f: impl FnOnce()) {
        let msg = panic_message(f);
        assert!(msg.starts_with(context), "{msg}");
        for fragment in fragments {
            assert!(msg.contains(fragment), "no {fragment:?} in: {msg}");
        }
        assert!(msg.contains(" (convention: "), "{msg}");
        assert!(msg.ends_with(')'), "{msg}");
    }
}

/// "Computational graphs in one dimension": scalar computational graphs.
pub mod scalar;

/// "Checking gradients numerically": numerical gradient checking.
pub mod gradcheck;

/// "Jacobians: from scalars to tensors": Jacobians, built explicitly for small sizes.
pub mod jacobian;

/// "Checking gradients numerically", last section (and the appendix
/// "Gradient checking in depth"): one shared check for
/// every layer, gradient checks of every input and explicit-Jacobian
/// comparisons.
pub mod layer_check;

/// "The local gradients of array operations": elementwise functions and
/// products, broadcasts, sums and means along an axis, matrix products,
/// transposes and reshapes, and centring a sample.
pub mod array_ops;

/// "ReLU": the ReLU layer.
pub mod relu;

/// "Affine layer: biases" and "Affine layer: weights": the affine (fully
/// connected) layer.
pub mod affine;

/// Chapter 8: the convolution layer, as loops and as im2col + affine.
pub mod conv;

/// Chapter 9: max pooling.
pub mod pool;

/// Chapter 10: softmax and the cross-entropy loss.
pub mod loss;

/// Chapter 11: a two-layer network built from the layers, and its training.
pub mod net;

/// The book's figures (`src/figures/*.svg`), drawn from the numbers this
/// crate computes. Only with `--features figures`.
#[cfg(feature = "figures")]
pub mod figures;
