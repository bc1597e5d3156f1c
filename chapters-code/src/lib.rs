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
//! Each layer module ([`relu`], [`affine`], [`conv`], [`pool`]) has the
//! same parts, in the same order, and the book's meta-tests check that it
//! does:
//!
//! 1. a module doc stating the layer, its shapes, its convention (a
//!    `CONVENTION` constant that ends every message it raises) and what it
//!    caches for the backward pass;
//! 2. `forward`, and `backward` returning one gradient per input (a struct
//!    named `Gradients`, with a field per input, when there are several,
//!    such as [`affine::Gradients`] and [`conv::Gradients`]);
//! 3. one argument order everywhere: the weights, then the input (or what
//!    the layer cached of it), then `dy`, and settings ([`conv::ConvParams`],
//!    [`pool::PoolParams`]) last;
//! 4. `try_forward` and `try_backward`, which return bad input as the
//!    crate's one [`Error`], next to the panicking forms (ReLU's forward
//!    pass cannot fail and has no `try_` form); allocation-free forms such
//!    as [`relu::backward_in_place`] need no `try_` twin;
//! 5. shape checks on entry, through [`shapes`]: a module only attaches its
//!    convention, with a [`shapes::Checker`];
//! 6. its chapter's worked example, as a function of the module itself;
//! 7. unit tests, which run the shared [`layer_check::check_layer`].
//!
//! The loss, [`loss`], is the graph's last node: one call,
//! [`loss::softmax_cross_entropy`], returns the loss and its gradient
//! `∂L/∂Y` together, with a `try_` form and an `_into` form.
//!
//! The tape, [`tape`], records these layers as they run and calls their
//! backward functions in reverse. It is not a layer, and keeps the parts
//! of the contract that apply: a `CONVENTION`, its checks through a
//! [`shapes::Checker`], and a `try_` form of every operation, whose
//! messages name the operation and its position on the tape.
//!
//! **What a layer caches, and why.** The backward pass gets the upstream
//! gradient `dy`, which says nothing about where the forward pass was; the
//! layer keeps exactly what its local Jacobian depends on. ReLU keeps its
//! input `x` (its output would do, as `y > 0` exactly where `x > 0`); the
//! affine layer keeps `W` and `X`, since `dX = Wᵀ dY` and `dW = dY Xᵀ`, and
//! not `b`, which appears in no gradient; the convolution keeps `w` and the
//! patch matrix `X_col` that its forward pass built from `x` (a
//! [`conv::Cache`]); max pooling keeps its input `x` and finds each
//! window's winner again in the backward pass. The loss keeps nothing: its
//! gradient comes out of the same call as its value, so the softmax's
//! probabilities never leave it.
//!
//! # Random test data
//!
//! [`gradcheck::random`] draws test inputs from the `rand` crate's
//! `StdRng`, seeded with `seed_from_u64`: the same seed gives the same
//! values, on every machine. `rand` is pinned to one exact version in
//! `Cargo.toml`, because `StdRng` keeps its stream only within a version.

// No code here opts out of Rust's safety checks. `deny` rather than
// `forbid`: ndarray's `s!` slicing macro allows such code inside its own
// expansion, which `forbid` would reject. `tests/tests/meta.rs` checks the
// sources too.
#![deny(unsafe_code)]

pub mod shapes;

pub use shapes::Error;

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
    pub fn assert_shape_panic(
        context: &str,
        fragments: &[&str],
        f: impl FnOnce(),
    ) {
        let msg = panic_message(f);
        assert!(msg.starts_with(context), "{msg}");
        for fragment in fragments {
            assert!(msg.contains(fragment), "no {fragment:?} in: {msg}");
        }
        assert!(msg.contains(" (convention: "), "{msg}");
        assert!(msg.ends_with(')'), "{msg}");
    }

    /// Panics unless `got` equals `want` entry by entry (within
    /// `tolerance`; NaN equals NaN), naming the function, the first wrong
    /// entry and the inputs that decide it:
    /// `relu::backward: dx[0] is 5 but should be 0, where x[0] = -1`.
    /// An input shaped like `got` is quoted at the same entry; any other
    /// input is quoted whole.
    #[track_caller]
    pub fn assert_entries_close<D: ndarray::Dimension>(
        function: &str,
        (name, got): (&str, &ndarray::Array<f64, D>),
        want: &ndarray::Array<f64, D>,
        inputs: &[(&str, ndarray::ArrayViewD<f64>)],
        tolerance: f64,
    ) {
        assert!(
            got.shape() == want.shape(),
            "{function}: {name} has shape {:?} but should have shape {:?}",
            got.shape(),
            want.shape()
        );
        let got = got.view().into_dyn();
        for (index, &g) in got.indexed_iter() {
            let w = want.view().into_dyn()[&index];
            if (g - w).abs() <= tolerance || (g.is_nan() && w.is_nan()) {
                continue;
            }
            let at = ndarray::Dimension::slice(&index);
            let deciding: Vec<String> = inputs
                .iter()
                .map(|(input, v)| {
                    if v.shape() == got.shape() {
                        format!("{input}{at:?} = {}", v[&index])
                    } else {
                        format!("{input} = {v}")
                    }
                })
                .collect();
            let within = if tolerance > 0.0 {
                format!(" (within {tolerance:e})")
            } else {
                String::new()
            };
            let mut message = format!(
                "{function}: {name}{at:?} is {g} but should be {w}{within}"
            );
            if !deciding.is_empty() {
                message += &format!(", where {}", deciding.join(" and "));
            }
            panic!("{message}");
        }
    }

    /// [`assert_entries_close`] with no tolerance.
    #[track_caller]
    pub fn assert_entries_eq<D: ndarray::Dimension>(
        function: &str,
        got: (&str, &ndarray::Array<f64, D>),
        want: &ndarray::Array<f64, D>,
        inputs: &[(&str, ndarray::ArrayViewD<f64>)],
    ) {
        assert_entries_close(function, got, want, inputs, 0.0);
    }

    #[test]
    fn a_wrong_entry_is_named_with_the_input_that_decides_it() {
        use ndarray::array;
        let x = array![-1.0, 2.0, 3.0];
        let msg = panic_message(|| {
            assert_entries_eq(
                "relu::backward",
                ("dx", &array![5.0, 2.0, 3.0]),
                &array![0.0, 2.0, 3.0],
                &[("x", x.view().into_dyn())],
            );
        });
        assert_eq!(
            msg,
            "relu::backward: dx[0] is 5 but should be 0, where x[0] = -1"
        );
        let w = array![[1.0, 2.0]];
        let msg = panic_message(|| {
            assert_entries_close(
                "affine::backward",
                ("dx", &array![[1.0], [2.5]]),
                &array![[1.0], [2.0]],
                &[("W", w.view().into_dyn())],
                1e-12,
            );
        });
        assert_eq!(
            msg,
            "affine::backward: dx[1, 0] is 2.5 but should be 2 (within 1e-12), where W = [[1, 2]]"
        );
        let msg = panic_message(|| {
            assert_entries_eq("f", ("y", &array![1.0]), &array![1.0, 2.0], &[]);
        });
        assert_eq!(msg, "f: y has shape [1] but should have shape [2]");
        assert_entries_eq(
            "f",
            ("y", &array![f64::NAN]),
            &array![f64::NAN],
            &[],
        );
    }
}

/// "Computational graphs in one dimension": scalar computational graphs.
pub mod scalar;

/// "Checking gradients numerically": numerical gradient checking.
pub mod gradcheck;

/// "Checking gradients numerically", last section (and the appendix
/// "Gradient checking in depth"): one shared check for
/// every layer, gradient checks of every input and explicit-Jacobian
/// comparisons.
pub mod layer_check;

/// "Jacobians: from scalars to tensors": Jacobians, built explicitly for small sizes.
pub mod jacobian;

/// "ReLU": the ReLU layer.
pub mod relu;

/// "Affine layer: biases" and "Affine layer: weights": the affine (fully
/// connected) layer.
pub mod affine;

/// "The local gradients of array operations": elementwise functions and
/// products, broadcasts, sums and means along an axis, matrix products,
/// transposes and reshapes, and centring a sample.
pub mod array_ops;

/// "Convolution": the convolution layer, as loops and as im2col + affine.
pub mod conv;

/// "Max pooling": the max pooling layer.
pub mod pool;

/// "Softmax and cross-entropy": softmax and the cross-entropy loss.
pub mod loss;

/// "A network that learns": a two-layer network built from the layers, and
/// its training.
pub mod net;

/// "Autograd from local gradients": a tape that records the layers as they
/// run forward and calls their own backward functions in reverse, and
/// gradient descent with momentum.
pub mod tape;

/// "Autograd from local gradients", section "A conv net that reads
/// digits": a small convolutional network on the tape that learns to read
/// handwritten digits (`data/digits.csv.gz`), and its cached run.
pub mod digits;

/// The book's figures (`src/figures/*.svg`), drawn from the numbers this
/// crate computes. Only with `--features figures`.
#[cfg(feature = "figures")]
pub mod figures;
