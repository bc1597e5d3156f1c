//! One check for every layer: the gradient check of each input, and the
//! explicit-Jacobian comparison where the sizes allow.
//!
//! A layer is described by two closures over its inputs, given in a fixed
//! order with a name each (for the affine layer: `w`, `x`, `b`):
//!
//! - `forward(inputs) -> y`;
//! - `backward(inputs, dy) -> [d input_0, d input_1, …]`, one gradient per
//!   input, each shaped like its input.
//!
//! Inputs and outputs are dynamic-dimensional arrays ([`ArrayD`]), so one
//! function serves a ReLU on a vector, an affine layer on matrices and a
//! convolution on 4-D tensors: name each input with [`input`], take it
//! back as the layer's own array with [`arg`], and return `.into_dyn()`.
//!
//! For each input in turn, [`check_layer`]
//! 1. draws a seeded random upstream gradient `dy` shaped like `y` (the same
//!    for every input);
//! 2. gradient-checks that input's gradient from `backward(inputs, dy)`
//!    against the centred differences of `Σ forward(inputs) ⊙ dy` with
//!    respect to that input, the others held at their values
//!    ([`gradcheck::try_check_gradient_with`]);
//! 3. when `y.len()` times the input's length is at most [`JACOBIAN_LIMIT`],
//!    builds the input's Jacobian twice, by centred differences
//!    ([`jacobian::numerical`]) and row by row from `backward` (as
//!    [`jacobian::from_backward`] does, with one `backward` call per output
//!    entry serving every input), and compares them entry by entry, each
//!    difference scaled by `max(1, |entries|)` and held to
//!    [`JACOBIAN_TOLERANCE`]. The comparison has no kink rule, so an input
//!    within `h` of a corner fails there.
//!
//! A failure names the layer, the gradient (`d` + the input's name), the
//! failing entries with the input's value at each, the input's shape, the
//! caller's file and line, and the running test, so a wrong `dW` reads
//! "affine: dw failed … where w[1, 0] = … checked from src/affine.rs:…
//! (test affine::tests::…)" rather than pointing inside this module. In a
//! book listing the caller is named by page and line, with the line where
//! the listing starts: "checked from src/relu.md:N (the listing at
//! src/relu.md:F)". A failed Jacobian comparison names the entry `(i, j)`,
//! the input entry behind column `j` and its value, both values, their
//! difference raw and scaled, and the input's gradient check, which had
//! passed (with any entries it skipped as kinks). An input of which no entry
//! was compared (all skipped as kinks, or none at all) fails the check too.
//!
//! [`check_layer_with_step`] uses another step for both the gradient checks
//! and the numerical Jacobians; the tolerances are unchanged. A layer that
//! is linear in each input separately (a convolution, `y = w ∗ x + b`) has
//! an exact centred difference at any step, so a larger `h` only shrinks
//! the rounding error, about `ε·|L| / h` for the checked loss `L = Σ y ⊙ dy`.

use crate::{gradcheck, jacobian, shapes};
use ndarray::{Array1, Array2, ArrayD, Dimension, IxDyn};
use std::panic::Location;

/// The convention appended to this module's shape messages.
pub const CONVENTION: &str =
    "convention: backward returns one gradient per input, in order, each shaped like its input";

/// The largest Jacobian (output entries times input entries) that
/// [`check_layer`] builds explicitly; larger inputs get the gradient check
/// only.
pub const JACOBIAN_LIMIT: usize = 4096;

/// The largest absolute difference allowed between an entry of the
/// numerical Jacobian and the same entry read off `backward`, relative to
/// `max(1, |entry|)`.
pub const JACOBIAN_TOLERANCE: f64 = 1e-6;

/// The seed of the random upstream gradient `dy`.
pub const DY_SEED: u64 = 0x5EED;

// Shown in "Gradient checking in depth", section "The layer check".
// ANCHOR: report
/// What a passing [`check_layer`] measured, one entry per input.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerReport {
    /// For each input, in order: its gradient's name (`"dx"`, `"dw"`, …) and
    /// the gradient check's report.
    pub gradients: Vec<(String, gradcheck::Report)>,
    /// How many inputs also had their explicit Jacobians compared.
    pub jacobians_compared: usize,
    /// The largest scaled difference over every compared Jacobian, and
    /// where it is; `None` when no Jacobian was small enough to build.
    pub worst_jacobian: Option<JacobianError>,
}

/// One entry of a Jacobian, read off `backward` and by centred
/// differences: which input's Jacobian, which entry, both values, and
/// their difference, raw and scaled.
#[derive(Debug, Clone, PartialEq)]
pub struct JacobianError {
    /// The input's name (`"x"`, `"w"`, …); its gradient is `"d"` + name.
    pub input: String,
    /// The entry `(i, j)`: output entry `vec(y)_i`, input entry `vec(input)_j`.
    pub entry: (usize, usize),
    /// The entry `j` of `vec(input)` as an index into the input itself.
    pub input_index: Vec<usize>,
    /// The entry read off `backward`.
    pub from_backward: f64,
    /// The entry by centred differences.
    pub numerical: f64,
    /// `|from_backward - numerical|`.
    pub difference: f64,
    /// `difference / max(1, |from_backward|, |numerical|)`, the number
    /// compared with [`JACOBIAN_TOLERANCE`]; NaN if a value is not finite.
    pub scaled: f64,
}

impl LayerReport {
    /// The largest relative error over every input's gradient check.
    pub fn max_relative_error(&self) -> f64 {
        self.gradients
            .iter()
            .map(|(_, r)| r.max_relative_error)
            .fold(0.0, f64::max)
    }
}
// ANCHOR_END: report

/// One line per gradient (see [`gradcheck::Report`]'s `Display`, which
/// counts skipped entries), then one for the Jacobians, e.g.
/// `"Jacobians compared for 2 inputs; worst: entry (1, 3) for b, difference
/// 2.2e-11 (scaled 2.2e-11)"`.
impl std::fmt::Display for LayerReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (gradient, report) in &self.gradients {
            writeln!(f, "{gradient}: {report}")?;
        }
        let inputs = if self.jacobians_compared == 1 {
            "input"
        } else {
            "inputs"
        };
        write!(
            f,
            "Jacobians compared for {} {inputs}",
            self.jacobians_compared
        )?;
        if let Some(j) = &self.worst_jacobian {
            write!(
                f,
                "; worst: entry ({}, {}) for {}, difference {:.1e} (scaled {:.1e})",
                j.entry.0, j.entry.1, j.input, j.difference, j.scaled
            )?;
        }
        Ok(())
    }
}

/// A failed layer check: which layer, which gradient, where it was called
/// from, and the checker's report.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCheckFailure {
    /// The layer's name, as given to [`check_layer`].
    pub layer: String,
    /// The gradient that failed: `"d"` followed by the input's name.
    pub gradient: String,
    /// The whole message.
    pub message: String,
}

impl std::fmt::Display for LayerCheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LayerCheckFailure {}

// Shown in "Gradient checking in depth", section "The layer check".
// ANCHOR: check_layer
/// Checks a layer's `backward` against its `forward` at `inputs`, and
/// panics with a message naming the layer, the gradient and the caller
/// (see the module docs). `backward(inputs, dy)` returns one gradient per
/// input, each shaped like its input.
#[track_caller]
pub fn check_layer(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
    backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
) -> LayerReport {
    check_layer_with_step(layer, inputs, gradcheck::H, forward, backward)
}

/// [`check_layer`] with the step `h` in place of [`gradcheck::H`].
#[track_caller]
pub fn check_layer_with_step(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    h: f64,
    forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
    backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
) -> LayerReport {
    match try_check_layer_with_step(layer, inputs, h, forward, backward) {
        Ok(report) => report,
        Err(failure) => panic!("{failure}"),
    }
}

/// [`check_layer`] that returns a failed check; bad input still panics.
#[track_caller]
pub fn try_check_layer(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
    backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
) -> Result<LayerReport, LayerCheckFailure> {
    try_check_layer_with_step(layer, inputs, gradcheck::H, forward, backward)
}

/// [`try_check_layer`] with the step `h` of [`check_layer_with_step`].
#[track_caller]
pub fn try_check_layer_with_step(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    h: f64,
    forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
    backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
) -> Result<LayerReport, LayerCheckFailure> {
    require_finite_inputs(layer, inputs, h);
    let caller = Location::caller();
    let values: Vec<ArrayD<f64>> =
        inputs.iter().map(|(_, v)| v.clone()).collect();
    let y = forward(&values);
    let dy: ArrayD<f64> = gradcheck::random(IxDyn(y.shape()), DY_SEED);
    let grads = backward(&values, &dy);
    require_one_gradient_per_input(layer, inputs, &grads, None);
    let mut report = LayerReport {
        gradients: Vec::new(),
        jacobians_compared: 0,
        worst_jacobian: None,
    };
    let small: Vec<bool> = values
        .iter()
        .map(|v| y.len() * v.len() <= JACOBIAN_LIMIT)
        .collect();
    // The Jacobians read off backward, built on first use for every small
    // input at once: one backward call per output entry serves them all.
    let mut from_backward: Option<Vec<Option<Array2<f64>>>> = None;
    let context = format!("layer_check::check_layer ({layer})");
    for (k, ((name, value), grad)) in inputs.iter().zip(&grads).enumerate() {
        let gradient = format!("d{name}");
        require_same_shape(
            &context,
            (&gradient, grad.shape()),
            (name, value.shape()),
        );
        let fail = |what: String| {
            LayerCheckFailure {
            layer: layer.to_string(),
            gradient: gradient.clone(),
            message: format!(
                "{layer}: {gradient} failed {what}\n  input {name} has shape {:?}; \
                 checked from {}",
                value.shape(),
                checked_from(caller)
            ),
        }
        };
        // Every input but this one is held at its value.
        let scratch = std::cell::RefCell::new(values.clone());
        let forward_k = |v: &ArrayD<f64>| {
            let mut all = scratch.borrow_mut();
            all[k].assign(v);
            forward(&all)
        };
        let loss = |v: &ArrayD<f64>| {
            let y = forward_k(v);
            require_same_shape(
                &context,
                ("forward's output", y.shape()),
                ("dy", dy.shape()),
            );
            (&y * &dy).sum()
        };
        let tolerance = gradcheck::TOLERANCE;
        let checked =
            gradcheck::check_named(name, loss, value, grad, h, tolerance)
                .map_err(|e| fail(format!("the gradient check: {e}")))?;
        report.gradients.push((gradient.clone(), checked));

        if small[k] {
            let numerical = jacobian::numerical(forward_k, value, h);
            let all = from_backward.get_or_insert_with(|| {
                jacobians_from_backward(
                    layer,
                    inputs,
                    y.raw_dim(),
                    &backward,
                    &small,
                )
            });
            let read = all[k].as_ref().expect("built for every small input");
            if let Some(w) = worst_entry(name, value, &numerical, read) {
                if w.scaled.is_nan() || w.scaled > JACOBIAN_TOLERANCE {
                    let passed = &report.gradients[k].1;
                    let what =
                        jacobian_failure(&w, value, numerical.dim(), passed);
                    return Err(fail(what));
                }
                let worse = |r: &JacobianError| w.scaled > r.scaled;
                if report.worst_jacobian.as_ref().is_none_or(worse) {
                    report.worst_jacobian = Some(w);
                }
            }
            report.jacobians_compared += 1;
        }
    }
    Ok(report)
}
// ANCHOR_END: check_layer

/// Refuses a step that is not positive and finite, and a non-finite input,
/// naming the layer (and the input and its entry).
fn require_finite_inputs(layer: &str, inputs: &[(&str, ArrayD<f64>)], h: f64) {
    assert!(
        h > 0.0 && h.is_finite(),
        "layer_check::check_layer ({layer}): the step h must be positive and finite, got {h}"
    );
    for (name, value) in inputs {
        if let Some((at, v)) =
            value.indexed_iter().find(|(_, v)| !v.is_finite())
        {
            panic!(
                "layer_check::check_layer ({layer}): input {name} has a non-finite entry {v} \
                 at index {:?}; a gradient check needs finite numbers",
                at.slice()
            );
        }
    }
}

/// Refuses a `backward` that returned the wrong number of gradients (for the
/// check's own `dy`, or for `dy = e_i` when `basis` is `Some(i)`).
fn require_one_gradient_per_input(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    grads: &[ArrayD<f64>],
    basis: Option<usize>,
) {
    let given =
        basis.map_or(String::new(), |i| format!(" when given dy = e_{i}"));
    assert!(
        grads.len() == inputs.len(),
        "layer_check::check_layer: {layer}'s backward returned {} gradients for {} inputs{given}; \
         it must return one per input, in order",
        grads.len(),
        inputs.len()
    );
}

/// Panics with [`shapes::check_same`]'s message, with this module's
/// [`CONVENTION`], when the two shapes differ.
fn require_same_shape(context: &str, a: (&str, &[usize]), b: (&str, &[usize])) {
    if let Err(e) = shapes::check_same(context, a, b, CONVENTION) {
        panic!("{e}");
    }
}

/// The Jacobian of `y` with respect to each small input, read off `backward`
/// row by row: `backward(inputs, e_i)` gives row `i` of every one of them
/// (as [`jacobian::from_backward`] does for one input).
fn jacobians_from_backward(
    layer: &str,
    inputs: &[(&str, ArrayD<f64>)],
    y_dim: IxDyn,
    backward: &impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
    small: &[bool],
) -> Vec<Option<Array2<f64>>> {
    let values: Vec<ArrayD<f64>> =
        inputs.iter().map(|(_, v)| v.clone()).collect();
    let rows = y_dim.size();
    let mut js: Vec<Option<Array2<f64>>> = values
        .iter()
        .zip(small)
        .map(|(v, &small)| small.then(|| Array2::zeros((rows, v.len()))))
        .collect();
    let context = format!("layer_check::check_layer ({layer})");
    for i in 0..rows {
        let mut e = Array1::zeros(rows);
        e[i] = 1.0;
        let g = backward(&values, &jacobian::unvec(&e, y_dim.clone()));
        require_one_gradient_per_input(layer, inputs, &g, Some(i));
        for ((j, g), (input, v)) in js.iter_mut().zip(&g).zip(inputs) {
            if let Some(j) = j {
                let name = format!("d{input} for dy = e_{i}");
                require_same_shape(
                    &context,
                    (&name, g.shape()),
                    (input, v.shape()),
                );
                j.row_mut(i).assign(&jacobian::vec(g));
            }
        }
    }
    js
}

/// The entry of the two Jacobians of input `name` whose difference, scaled
/// by `max(1, |entries|)`, is largest (a NaN counts as largest).
fn worst_entry(
    name: &str,
    value: &ArrayD<f64>,
    numerical: &Array2<f64>,
    from_backward: &Array2<f64>,
) -> Option<JacobianError> {
    numerical
        .indexed_iter()
        .map(|((i, j), &n)| {
            let a = from_backward[[i, j]];
            let difference = (a - n).abs();
            JacobianError {
                input: name.to_string(),
                entry: (i, j),
                input_index: fortran_index(j, value.shape()),
                from_backward: a,
                numerical: n,
                difference,
                scaled: difference / 1f64.max(a.abs()).max(n.abs()),
            }
        })
        .max_by(|p, q| p.scaled.total_cmp(&q.scaled))
}

/// What a failed Jacobian comparison says: the entry, the input entry behind
/// its column and that input's value, both values, the difference raw and
/// scaled, and the input's gradient check, which had passed.
fn jacobian_failure(
    w: &JacobianError,
    value: &ArrayD<f64>,
    (rows, cols): (usize, usize),
    passed: &gradcheck::Report,
) -> String {
    let ((i, j), name) = (w.entry, &w.input);
    format!(
        "the Jacobian comparison: entry ({i}, {j}) of the {rows}x{cols} Jacobian \
         (output vec(y)_{i}, input vec({name})_{j}, which is {name}{:?} = {:.10e}) \
         is {:.10e} from backward but {:.10e} by centred differences: \
         difference {:.3e}, scaled by max(1, |entries|) {:.3e} > {JACOBIAN_TOLERANCE:e}\n  \
         (its gradient check had passed: {passed})",
        w.input_index,
        value[w.input_index.as_slice()],
        w.from_backward,
        w.numerical,
        w.difference,
        w.scaled,
    )
}

/// Entry `j` of `vec(a)` (first axis fastest, as [`jacobian::vec`] reads
/// it) as an index into an array of shape `shape`.
fn fortran_index(j: usize, shape: &[usize]) -> Vec<usize> {
    let mut rest = j;
    shape
        .iter()
        .map(|&len| {
            let k = rest % len;
            rest /= len;
            k
        })
        .collect()
}

/// The environment variable through which the book's test crate tells a
/// listing where it sits on its page: `"src/PAGE.md:LINE"`, with `LINE` the
/// line of the listing's opening fence. (`tests/build.rs` sets it on the
/// first line of each listing's `main`, so that no line moves.)
pub const LISTING_VAR: &str = "BACKPROP_LISTING";

/// Where a check was called from, for failure messages:
/// - in a unit test, the caller's `file:line` and `(test NAME)`;
/// - in a book listing, the page and the line on the page, and the listing
///   (a listing runs as its own program, on its main thread, and its
///   caller's line counts from the listing's first line);
/// - otherwise the caller's `file:line`.
fn checked_from(caller: &Location) -> String {
    let listing = std::env::var(LISTING_VAR).ok();
    describe_caller(
        &caller.to_string(),
        caller.line(),
        std::thread::current().name(),
        listing.as_deref(),
    )
}

/// The body of [`checked_from`]: `caller` is `file:line:column`, `line` its
/// line, `thread` the running thread's name and `listing` the value of
/// [`LISTING_VAR`], if set.
fn describe_caller(
    caller: &str,
    line: u32,
    thread: Option<&str>,
    listing: Option<&str>,
) -> String {
    match thread {
        Some(name) if name != "main" => {
            return format!("{caller} (test {name})")
        }
        _ => {}
    }
    let parsed = listing.and_then(|l| {
        let (page, fence) = l.rsplit_once(':')?;
        Some((page, fence.parse::<u32>().ok()?))
    });
    match parsed {
        Some((page, fence)) => format!(
            "{page}:{} (the listing at {page}:{fence})",
            fence + line - 1
        ),
        None => caller.to_string(),
    }
}

// Shown in "The local gradients of array operations", section "The table".
// ANCHOR: adapter
/// One input of [`check_layer`], named, from the layer's own array:
/// `input("x", &x)` for an `x` of any dimension.
pub fn input<'a, D: ndarray::Dimension>(
    name: &'a str,
    value: &ndarray::Array<f64, D>,
) -> (&'a str, ArrayD<f64>) {
    (name, value.view().into_dyn().to_owned())
}

/// An input of [`check_layer`]'s closures, or their `dy`, back as the
/// layer's own array: `arg::<Ix4>(&v[0])`, or `arg(&v[0])` where the call
/// it feeds fixes the type.
///
/// # Panics
/// If the array does not have `D`'s number of axes; the message names its
/// shape and the dimension wanted.
#[track_caller]
pub fn arg<D: ndarray::Dimension>(
    value: &ArrayD<f64>,
) -> ndarray::Array<f64, D> {
    match value.view().into_dimensionality::<D>() {
        Ok(typed) => typed.to_owned(),
        Err(_) => panic!(
            "layer_check::arg: the array has shape {:?} but the layer \
             takes {}-dimensional arrays ({CONVENTION})",
            value.shape(),
            // Only a fixed dimension can fail: `IxDyn` takes every array.
            D::NDIM.unwrap_or(0),
        ),
    }
}
// ANCHOR_END: adapter

#[cfg(test)]
mod adapter_tests {
    use super::{arg, input, CONVENTION};
    use crate::testing::panic_message;
    use ndarray::{array, Ix1, Ix2};

    #[test]
    fn input_and_arg_carry_an_array_there_and_back() {
        let x = array![[1.0, 2.0], [3.0, 4.0]];
        let (name, value) = input("x", &x);
        assert_eq!((name, value.shape()), ("x", &[2, 2][..]));
        assert_eq!(arg::<Ix2>(&value), x);
    }

    #[test]
    fn arg_of_the_wrong_dimension_names_the_shape_and_the_dimension() {
        let msg = panic_message(|| {
            arg::<Ix1>(&input("x", &array![[1.0, 2.0]]).1);
        });
        assert_eq!(
            msg,
            format!(
                "layer_check::arg: the array has shape [1, 2] but the layer takes 1-dimensional \
                 arrays ({CONVENTION})"
            )
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::panic_message;
    use ndarray::{array, Array2, Ix2, IxDyn};

    #[test]
    fn the_jacobian_column_is_read_as_an_index_first_axis_fastest() {
        for (j, shape, want) in [
            (3, vec![2, 2], vec![1, 1]),
            (5, vec![2, 3], vec![1, 2]),
            (4, vec![3, 2], vec![1, 1]),
        ] {
            assert_eq!(
                fortran_index(j, &shape),
                want,
                "fortran_index: entry {j} of vec(a) for a of shape {shape:?}"
            );
        }
    }

    /// `y = 2a + 2b`, checked at the step 0.25, where every centred
    /// difference is exactly 2; `backward` adds `extra` to each gradient.
    fn worst_of(extra: [f64; 2]) -> JacobianError {
        let one = || ArrayD::from_elem(IxDyn(&[1]), 1.0);
        let report = check_layer_with_step(
            "sum",
            &[("a", one()), ("b", one())],
            0.25,
            |v| 2.0 * &v[0] + 2.0 * &v[1],
            |_, dy| vec![dy * 2.0 + extra[0], dy * 2.0 + extra[1]],
        );
        report.worst_jacobian.expect("two Jacobians compared")
    }

    #[test]
    fn the_worst_jacobian_entry_is_the_largest_over_every_input() {
        let tiny = 2f64.powi(-30);
        let worst = worst_of([tiny, 4.0 * tiny]);
        assert_eq!(worst.input, "b", "the larger error, b's: {worst:?}");
        let worst = worst_of([4.0 * tiny, tiny]);
        assert_eq!(worst.input, "a", "the larger error, a's: {worst:?}");
        // A tie keeps the first input that reached it.
        let worst = worst_of([tiny, tiny]);
        assert_eq!(worst.input, "a", "a tie: {worst:?}");
        assert_eq!(worst.difference, tiny, "exact differences: {worst:?}");
    }

    /// y = a ⊙ b + sum(a), a small two-input layer with fan-out.
    fn forward(v: &[ArrayD<f64>]) -> ArrayD<f64> {
        &v[0] * &v[1] + v[0].sum()
    }

    fn backward(v: &[ArrayD<f64>], dy: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
        vec![dy * &v[1] + dy.sum(), dy * &v[0]]
    }

    fn inputs() -> Vec<(&'static str, ArrayD<f64>)> {
        let a: Array2<f64> = gradcheck::random((2, 3), 1);
        let b: Array2<f64> = gradcheck::random((2, 3), 2);
        vec![("a", a.into_dyn()), ("b", b.into_dyn())]
    }

    #[test]
    fn a_correct_layer_passes_both_checks() {
        let report = check_layer("toy", &inputs(), forward, backward);
        assert_eq!(report.gradients.len(), 2);
        assert_eq!(report.gradients[0].0, "da");
        assert_eq!(report.gradients[1].0, "db");
        assert_eq!(report.jacobians_compared, 2);
        assert!(report.max_relative_error() < 1e-7, "{report:?}");
    }

    #[test]
    fn a_wrong_gradient_names_the_layer_the_gradient_and_the_caller() {
        // Forget the fan-out term of da.
        let wrong =
            |v: &[ArrayD<f64>], dy: &ArrayD<f64>| vec![dy * &v[1], dy * &v[0]];
        let line = line!() + 1;
        let result = try_check_layer("toy", &inputs(), forward, wrong);
        let err = result.unwrap_err();
        assert_eq!((err.layer.as_str(), err.gradient.as_str()), ("toy", "da"));
        assert!(
            err.message.starts_with("toy: da failed the gradient check"),
            "{err}"
        );
        assert!(err.message.contains("input a has shape [2, 3]"), "{err}");
        assert!(
            err.message.contains(&format!("layer_check.rs:{line}")),
            "{err}"
        );
        assert!(err.message.contains("(test layer_check::tests::"), "{err}");
        // The panicking form carries the same message.
        let msg = panic_message(|| {
            check_layer("toy", &inputs(), forward, wrong);
        });
        assert!(msg.starts_with("toy: da failed"), "{msg}");
    }

    #[test]
    fn a_wrong_second_gradient_is_named() {
        let wrong = |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            vec![dy * &v[1] + dy.sum(), dy * &v[0] * 1.01]
        };
        let err =
            try_check_layer("toy", &inputs(), forward, wrong).unwrap_err();
        assert_eq!(err.gradient, "db");
    }

    #[test]
    fn a_backward_that_passes_the_gradient_check_but_not_the_jacobian_is_caught(
    ) {
        // Right for the one random dy the gradient check uses, wrong for
        // every other upstream gradient: it ignores dy altogether.
        let fixed_dy: ArrayD<f64> = gradcheck::random(IxDyn(&[2, 3]), DY_SEED);
        let wrong =
            move |v: &[ArrayD<f64>], _dy: &ArrayD<f64>| backward(v, &fixed_dy);
        let err =
            try_check_layer("toy", &inputs(), forward, wrong).unwrap_err();
        assert_eq!(err.gradient, "da");
        let first = err.message.lines().next().unwrap();
        assert!(
            first
                .starts_with("toy: da failed the Jacobian comparison: entry ("),
            "{err}"
        );
        assert!(
            first.contains(") of the 6x6 Jacobian (output vec(y)_"),
            "{err}"
        );
        assert!(first.contains(", which is a["), "{err}");
        // Both the raw difference and the scaled one that was compared.
        assert!(
            first.contains(" by centred differences: difference "),
            "{err}"
        );
        assert!(first.contains(", scaled by max(1, |entries|) "), "{err}");
        assert!(first.ends_with(" > 1e-6"), "{err}");
    }

    #[test]
    fn the_report_carries_the_worst_jacobian_entry_and_displays_it() {
        let report = check_layer("toy", &inputs(), forward, backward);
        let worst = report
            .worst_jacobian
            .clone()
            .expect("two Jacobians compared");
        // The worst over both inputs' Jacobians, built here the same way.
        let values: Vec<ArrayD<f64>> =
            inputs().into_iter().map(|(_, v)| v).collect();
        let largest = (0..2)
            .flat_map(|k| {
                let at = |v: &ArrayD<f64>| {
                    let mut all = values.clone();
                    all[k] = v.clone();
                    forward(&all)
                };
                let numerical =
                    jacobian::numerical(at, &values[k], gradcheck::H);
                let read =
                    |dy: &ArrayD<f64>| backward(&values, dy).swap_remove(k);
                let y_shape = IxDyn(&[2, 3]);
                let from_backward =
                    jacobian::from_backward(read, values[k].raw_dim(), y_shape);
                let scaled: Vec<f64> = numerical
                    .iter()
                    .zip(&from_backward)
                    .map(|(n, a)| {
                        (a - n).abs() / 1f64.max(a.abs()).max(n.abs())
                    })
                    .collect();
                scaled
            })
            .fold(0.0, f64::max);
        assert_eq!(worst.scaled, largest, "{worst:?}");
        assert!(worst.input == "a" || worst.input == "b", "{worst:?}");
        assert!(worst.scaled <= JACOBIAN_TOLERANCE, "{worst:?}");
        assert_eq!(
            worst.difference,
            (worst.from_backward - worst.numerical).abs()
        );
        // vec(a)_j is a[j % 2, j / 2]: the first axis runs fastest.
        let (_, j) = worst.entry;
        assert_eq!(worst.input_index, [j % 2, j / 2]);
        let shown = report.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert!(
            lines[0].starts_with("da: 6 entries checked, max relative error ")
        );
        assert!(
            lines[1].starts_with("db: 6 entries checked, max relative error ")
        );
        assert_eq!(
            lines[2],
            format!(
                "Jacobians compared for 2 inputs; worst: entry ({}, {j}) for {}, \
                 difference {:.1e} (scaled {:.1e})",
                worst.entry.0, worst.input, worst.difference, worst.scaled
            )
        );
    }

    #[test]
    fn a_report_with_skipped_entries_counts_them() {
        // ReLU at one input on its corner and 69 away from it: too many for
        // the Jacobian comparison, which has no kink rule.
        let mut x: ArrayD<f64> =
            gradcheck::random(IxDyn(&[70]), 4).mapv(|t| t + t.signum());
        x[[0]] = 0.0;
        const { assert!(70 * 70 > JACOBIAN_LIMIT) };
        let report = check_layer(
            "relu",
            &[("x", x)],
            |v| v[0].mapv(|t| t.max(0.0)),
            |v, dy| vec![dy * &v[0].mapv(|t| f64::from(t > 0.0))],
        );
        assert_eq!(report.gradients[0].1.skipped_kinks, 1);
        let first = report.to_string();
        let first = first.lines().next().unwrap();
        assert!(
            first.starts_with("dx: 69 entries checked, 1 skipped as kinks, max relative error"),
            "{first}"
        );
        // Small enough for the Jacobian, which has no kink rule: the corner
        // fails there, and the failure counts what the gradient check
        // skipped, which explains it.
        let small = vec![("x", array![0.0, 0.5, -0.5].into_dyn())];
        let err = try_check_layer(
            "relu",
            &small,
            |v| v[0].mapv(|t| t.max(0.0)),
            |v, dy| vec![dy * &v[0].mapv(|t| f64::from(t > 0.0))],
        )
        .unwrap_err();
        let lines: Vec<&str> = err.message.lines().collect();
        assert!(
            lines[0].starts_with(
                "relu: dx failed the Jacobian comparison: entry (0, 0) of the 3x3 Jacobian \
                 (output vec(y)_0, input vec(x)_0, which is x[0] = 0.0000000000e0)"
            ),
            "{err}"
        );
        assert!(
            lines[1].starts_with(
                "  (its gradient check had passed: 2 entries checked, 1 skipped as kinks, max"
            ),
            "{err}"
        );
    }

    #[test]
    fn an_input_that_no_entry_of_was_compared_fails_the_layer_check() {
        // An empty input: nothing to compare.
        let empty = vec![("a", ArrayD::zeros(IxDyn(&[2, 0])))];
        let err = try_check_layer(
            "toy",
            &empty,
            |v| v[0].clone(),
            |_, dy| vec![dy.clone()],
        )
        .unwrap_err();
        assert_eq!((err.layer.as_str(), err.gradient.as_str()), ("toy", "da"));
        assert!(
            err.message.starts_with(
                "toy: da failed the gradient check: gradient check compared nothing: a has no \
                 entries (shape [2, 0])"
            ),
            "{err}"
        );
        assert!(
            err.message
                .contains("\n  input a has shape [2, 0]; checked from"),
            "{err}"
        );
        // A ReLU with every input on its corner: all skipped, so it fails,
        // and the panicking form says the same.
        let corner = vec![("x", ArrayD::zeros(IxDyn(&[3])))];
        let relu = |v: &[ArrayD<f64>]| v[0].mapv(|t| t.max(0.0));
        let mask = |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            vec![dy * &v[0].mapv(|t| f64::from(t > 0.0))]
        };
        let msg = panic_message(|| {
            check_layer("relu", &corner, relu, mask);
        });
        assert!(
            msg.starts_with(
                "relu: dx failed the gradient check: gradient check compared nothing: all 3 \
                 entries of x were skipped as kinks (h = 1e-5)"
            ),
            "{msg}"
        );
        assert!(
            msg.contains(
                "  index [1]: analytic 0.0000000000e0, one-sided slopes 0.0000000000e0 (below) \
                 and 6.0703749418e-1 (above), where x[1] = 0.0000000000e0"
            ),
            "{msg}"
        );
    }

    #[test]
    fn large_inputs_skip_the_explicit_jacobian() {
        let big: Array2<f64> = gradcheck::random((20, 20), 3);
        let report = check_layer(
            "relu-like",
            &[("x", big.into_dyn())],
            |v| v[0].mapv(|t| t * t),
            |v, dy| vec![dy * &v[0] * 2.0],
        );
        assert_eq!(report.jacobians_compared, 0);
        assert_eq!(report.gradients[0].1.checked, 400);
    }

    #[test]
    fn the_wrong_number_of_gradients_is_refused() {
        let msg = panic_message(|| {
            check_layer("toy", &inputs(), forward, |v, dy| vec![dy * &v[1]]);
        });
        assert!(msg.contains("returned 1 gradients for 2 inputs"), "{msg}");
    }

    #[test]
    fn a_backward_that_changes_for_other_upstream_gradients_is_named() {
        // Right for the check's own dy; for the basis vectors e_i of the
        // Jacobian it returns one gradient too few, then a db of the
        // wrong shape.
        let seen: ArrayD<f64> = gradcheck::random(IxDyn(&[2, 3]), DY_SEED);
        let short = {
            let seen = seen.clone();
            move |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
                let mut g = backward(v, dy);
                if *dy != seen {
                    g.pop();
                }
                g
            }
        };
        let msg = panic_message(|| {
            check_layer("toy", &inputs(), forward, short);
        });
        assert_eq!(
            msg,
            "layer_check::check_layer: toy's backward returned 1 gradients for 2 inputs when \
             given dy = e_0; it must return one per input, in order"
        );
        let flat = move |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            let mut g = backward(v, dy);
            if *dy != seen {
                g[1] = ArrayD::zeros(IxDyn(&[6]));
            }
            g
        };
        let msg = panic_message(|| {
            check_layer("toy", &inputs(), forward, flat);
        });
        assert!(
            msg.starts_with(
                "layer_check::check_layer (toy): db for dy = e_0 has shape [6] but b has shape \
                 [2, 3]"
            ),
            "{msg}"
        );
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }

    #[test]
    fn a_non_finite_input_is_refused_with_the_layer_and_the_entry() {
        let mut bad = inputs();
        bad[1].1[[1, 2]] = f64::NAN;
        let msg = panic_message(|| {
            check_layer("toy", &bad, forward, backward);
        });
        assert_eq!(
            msg,
            "layer_check::check_layer (toy): input b has a non-finite entry NaN at index \
             [1, 2]; a gradient check needs finite numbers"
        );
    }

    #[test]
    fn a_gradient_of_the_wrong_shape_is_refused() {
        let msg = panic_message(|| {
            check_layer("toy", &inputs(), forward, |_, _| {
                vec![array![1.0].into_dyn(), array![1.0].into_dyn()]
            });
        });
        assert!(msg.contains("da has shape [1]"), "{msg}");
        assert!(msg.contains("a has shape [2, 3]"), "{msg}");
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }

    /// y = a³ entry by entry: its centred difference is off by exactly h².
    fn cube(v: &[ArrayD<f64>]) -> ArrayD<f64> {
        v[0].mapv(|a| a * a * a)
    }

    fn cube_backward(v: &[ArrayD<f64>], dy: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
        vec![dy * &v[0].mapv(|a| 3.0 * a * a)]
    }

    #[test]
    fn the_step_is_the_one_given() {
        let a = vec![("a", array![0.5, -1.0, 2.0].into_dyn())];
        // A linear layer passes at a large step ...
        let linear =
            check_layer_with_step("toy", &inputs(), 0.5, forward, backward);
        assert_eq!(linear.jacobians_compared, 2);
        // ... and a cube passes at the default step but not at h = 0.5,
        // where every centred difference is off by h² = 0.25. The gradient
        // check reads that curvature as kinks and skips every entry, which
        // compares nothing and fails.
        check_layer("cube", &a, cube, cube_backward);
        let msg =
            try_check_layer_with_step("cube", &a, 0.5, cube, cube_backward)
                .unwrap_err()
                .message;
        assert!(
            msg.starts_with(
                "cube: da failed the gradient check: gradient check compared nothing: \
                 all 3 entries of a were skipped as kinks (h = 5e-1)"
            ),
            "{msg}"
        );
        let msg = panic_message(|| {
            check_layer_with_step("cube", &a, 0.5, cube, cube_backward);
        });
        assert!(
            msg.starts_with("cube: da failed the gradient check"),
            "{msg}"
        );
    }

    #[test]
    fn a_jacobian_failure_gives_the_raw_and_the_scaled_difference() {
        // y = 3x at x = 0.5: the Jacobian is 3I. This backward is right for
        // the check's own dy but adds 4·dy[0] to dx[1] for every other dy,
        // so entry (0, 1) read off it is 4 where 0 belongs: a difference
        // of 4, scaled by max(1, 4, 0) to 1.
        let seen: ArrayD<f64> = gradcheck::random(IxDyn(&[2]), DY_SEED);
        let wrong = move |_: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            let mut dx = dy * 3.0;
            if *dy != seen {
                dx[[1]] += 4.0 * dy[[0]];
            }
            vec![dx]
        };
        let x = vec![("x", ArrayD::from_elem(IxDyn(&[2]), 0.5))];
        let err =
            try_check_layer("triple", &x, |v| &v[0] * 3.0, wrong).unwrap_err();
        let lines: Vec<&str> = err.message.lines().collect();
        assert_eq!(
            lines[0],
            "triple: dx failed the Jacobian comparison: entry (0, 1) of the 2x2 Jacobian \
             (output vec(y)_0, input vec(x)_1, which is x[1] = 5.0000000000e-1) is \
             4.0000000000e0 from backward but 0.0000000000e0 by centred differences: \
             difference 4.000e0, scaled by max(1, |entries|) 1.000e0 > 1e-6"
        );
        assert!(
            lines[1].starts_with(
                "  (its gradient check had passed: 2 entries checked, max"
            ),
            "{err}"
        );
        assert!(
            lines[2].starts_with("  input x has shape [2]; checked from"),
            "{err}"
        );
    }

    #[test]
    fn the_caller_is_named_by_test_by_listing_or_by_file() {
        let at = "src/relu.rs:40:9";
        assert_eq!(
            describe_caller(
                at,
                40,
                Some("relu::tests::t"),
                Some("src/relu.md:7")
            ),
            "src/relu.rs:40:9 (test relu::tests::t)"
        );
        // A listing counts lines from its opening fence, line 1 of main.
        assert_eq!(
            describe_caller(at, 9, Some("main"), Some("src/relu.md:120")),
            "src/relu.md:128 (the listing at src/relu.md:120)"
        );
        assert_eq!(describe_caller(at, 40, Some("main"), None), at);
        assert_eq!(describe_caller(at, 40, None, Some("no line")), at);
    }

    #[test]
    fn a_transposed_gradient_at_distinct_sizes_is_refused_by_its_shapes() {
        // dW written X dYᵀ instead of dY Xᵀ: at m = 4, d = 5, n = 3 it is
        // 5 x 4 where w is 4 x 5, and the check names both shapes.
        use crate::affine;
        let forward = |v: &[ArrayD<f64>]| {
            affine::forward(&arg(&v[0]), &arg(&v[1]), &arg(&v[2])).into_dyn()
        };
        let dw_transposed = |v: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            let (w, x, dy) =
                (arg::<Ix2>(&v[0]), arg::<Ix2>(&v[1]), arg::<Ix2>(dy));
            let g = affine::backward(&w, &x, &dy);
            vec![x.dot(&dy.t()).into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
        };
        let (m, d, n) = (4, 5, 3);
        let inputs = [
            input("w", &gradcheck::random((m, d), 1)),
            input("x", &gradcheck::random((d, n), 2)),
            input("b", &gradcheck::random(m, 3)),
        ];
        let msg = panic_message(|| {
            _ = try_check_layer("affine", &inputs, forward, dw_transposed);
        });
        assert_eq!(
            msg,
            "layer_check::check_layer (affine): dw has shape [5, 4] but w has shape [4, 5]; \
             dw and w must have the same shape (convention: backward returns one gradient \
             per input, in order, each shaped like its input)"
        );
    }

    #[test]
    fn a_step_that_is_not_positive_and_finite_is_refused() {
        for h in [0.0, -1e-5, f64::INFINITY, f64::NAN] {
            let msg = panic_message(|| {
                check_layer_with_step("toy", &inputs(), h, forward, backward);
            });
            assert!(
                msg.contains(
                    "layer_check::check_layer (toy): the step h must be positive and finite"
                ),
                "{msg}"
            );
        }
    }
}
