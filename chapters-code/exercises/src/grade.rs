//! What the graders are built from (`exercises!` imports it all): the book's
//! own checks and comparisons with the numbers the chapters state. Each
//! returns the checker's message as its error, for `?`; a check returns its
//! largest relative error.

pub(crate) use crate::Verdict;
pub(crate) use backprop::gradcheck::{self, random};
pub(crate) use backprop::layer_check::{arg, input};
pub(crate) use backprop::net::{spiral, Network, SPIRAL_SEEDS};
pub(crate) use backprop::pool::{self, PoolParams};
pub(crate) use backprop::scalar::Op;
pub(crate) use backprop::tape;
pub(crate) use backprop::{affine, conv, jacobian, loss, relu as relu_layer};
pub(crate) use ndarray::{
    arr0, array, s, Array, Array1, Array4, ArrayD, Dimension, IntoDimension,
};
pub(crate) use ndarray::{Ix1, Ix2, IxDyn};

/// The largest relative error of the checks, or the first failure.
pub(crate) type Worst = Result<f64, String>;
pub(crate) type Check = Result<(), String>;
pub(crate) type A<D> = Array<f64, D>;

/// [`backprop::layer_check::try_check_layer`], with `forward` returning the
/// layer's own array and `backward` taking it as `dy`.
#[track_caller]
pub(crate) fn layer<E: Dimension>(
    name: &str,
    inputs: &[(&str, ArrayD<f64>)],
    forward: impl Fn(&[ArrayD<f64>]) -> A<E>,
    backward: impl Fn(&[ArrayD<f64>], &A<E>) -> Vec<ArrayD<f64>>,
) -> Worst {
    let f = |v: &[ArrayD<f64>]| forward(v).into_dyn();
    let b = |v: &[ArrayD<f64>], dy: &ArrayD<f64>| backward(v, &arg(dy));
    let report = backprop::layer_check::try_check_layer(name, inputs, f, b);
    Ok(report.map_err(|f| f.message)?.max_relative_error())
}

/// Layer checks of a one-input layer (its input named `x`) at each of
/// `xs`: `forward` against the reader's `backward`.
#[track_caller]
pub(crate) fn layers<D: Dimension, E: Dimension>(
    name: &str,
    xs: impl IntoIterator<Item = A<D>>,
    forward: impl Fn(&A<D>) -> A<E>,
    backward: impl Fn(&A<D>, &A<E>) -> A<D>,
) -> Worst {
    let f = |v: &[ArrayD<f64>]| forward(&arg(&v[0]));
    let b = |v: &[ArrayD<f64>], dy: &A<E>| {
        vec![backward(&arg(&v[0]), dy).into_dyn()]
    };
    let mut worst: f64 = 0.0;
    for x in xs {
        // A loop, not a closure, so that `#[track_caller]` names the grader.
        worst = worst.max(layer(name, &[input("x", &x)], f, b)?);
    }
    Ok(worst)
}

/// [`layers`] at the two shapes of `xs`, then the chapter's one sample
/// `[x, dy, dx]`, each a [`column`]: `dx` is the backward pass at `x`, `dy`.
#[track_caller]
pub(crate) fn backward_pass<D: Dimension, E: Dimension>(
    name: &str,
    xs: [A<D>; 2],
    forward: impl Fn(&A<D>) -> A<E>,
    backward: impl Fn(&A<D>, &A<E>) -> A<D>,
    [x, dy, dx]: [&[f64]; 3],
) -> Verdict {
    let worst = layers(name, xs, forward, &backward)?;
    let (x, dy, dx) = (column(x), column(dy), column(dx));
    let what = format!("dx at x = {x}, dy = {dy}");
    stated(&what, &backward(&x, &dy), &dx)?;
    passed("the chapter's numbers; layer check at 2 shapes", worst)
}

/// `numbers` as one sample: a column with `D`'s axes (a vector for `IxDyn`).
fn column<D: Dimension>(numbers: &[f64]) -> A<D> {
    let mut shape = vec![1; D::NDIM.unwrap_or(1)];
    shape[0] = numbers.len();
    let column = v(numbers).into_shape_with_order(shape).unwrap();
    column.into_dimensionality().unwrap()
}

pub(crate) fn worst<T>(
    cases: impl IntoIterator<Item = T>,
    check: impl Fn(T) -> Worst,
) -> Worst {
    let mut cases = cases.into_iter();
    cases.try_fold(0.0, |w: f64, c| Ok(w.max(check(c)?)))
}

/// [`gradcheck::try_check_gradient`], with the book's step and tolerance.
pub(crate) fn gradient<D: Dimension>(
    f: impl FnMut(&A<D>) -> f64,
    x: &A<D>,
    analytic: &A<D>,
) -> Result<gradcheck::Report, String> {
    gradcheck::try_check_gradient(f, x, analytic).map_err(|f| f.message)
}

pub(crate) fn gradients<D: Dimension>(
    loss: impl Fn(&A<D>) -> f64,
    xs: impl IntoIterator<Item = A<D>>,
    grad: impl Fn(&A<D>) -> A<D>,
) -> Worst {
    let check =
        |x: A<D>| Ok(gradient(&loss, &x, &grad(&x))?.max_relative_error);
    worst(xs, check)
}

pub(crate) fn ensure(ok: bool, why: String) -> Check {
    ok.then_some(()).ok_or(why)
}

/// A number the book states, to within `tol`.
pub(crate) fn close(what: &str, got: f64, want: f64, tol: f64) -> Check {
    let why = format!("{what}: expected {want}, got {got}");
    ensure((got - want).abs() <= tol, why)
}

pub(crate) fn v(numbers: &[f64]) -> Array1<f64> {
    Array1::from(numbers.to_vec())
}

/// An array, entry by entry to within `tol`. A failure names the worst
/// entry, and how many entries are off.
pub(crate) fn close_array<D: Dimension>(
    what: &str,
    got: &A<D>,
    want: &A<D>,
    tol: f64,
) -> Check {
    let (g, w) = (got.shape(), want.shape());
    let why = format!("{what}: expected shape {w:?}, got shape {g:?}:\n{got}");
    ensure(g == w, why)?;
    let entries = got.indexed_iter().zip(want);
    let entries =
        entries.map(|((at, g), w)| ((g - w).abs(), at.into_dimension(), g, w));
    let off: Vec<_> = entries.filter(|e| e.0.is_nan() || e.0 > tol).collect();
    let Some((_, at, g, w)) = off.iter().max_by(|a, b| a.0.total_cmp(&b.0))
    else {
        return Ok(());
    };
    let (n, wrong, at) = (got.len(), off.len(), at.slice());
    Err(format!("{what}: {wrong} of {n} entries are off; the worst, entry {at:?}, is {g}, expected {w}.\nExpected\n{want}\ngot\n{got}"))
}

/// An array the chapter states, to within rounding (1e-12).
pub(crate) fn stated<D: Dimension>(
    what: &str,
    got: &A<D>,
    want: &A<D>,
) -> Check {
    close_array(what, got, want, 1e-12)
}

pub(crate) fn passed(what: &str, worst: f64) -> Verdict {
    Ok(format!("{what}, max relative error {worst:.1e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_array_is_named_by_its_worst_entry() {
        let want = array![[1.0, 2.0], [3.0, 4.0]];
        assert!(close_array("dx", &want.clone(), &want, 0.0).is_ok());
        let message =
            close_array("dx", &array![[1.0, 2.5], [3.0, -4.0]], &want, 0.0)
                .unwrap_err();
        let worst = "dx: 2 of 4 entries are off; the worst, entry [1, 1], is -4, expected 4.";
        assert!(message.starts_with(worst), "{message}");
        let message =
            close_array("dx", &v(&[1.0, f64::NAN]), &v(&[1.0, 2.0]), 0.0)
                .unwrap_err();
        let nan = "1 of 2 entries are off; the worst, entry [1], is NaN";
        assert!(message.contains(nan), "{message}");
        let message =
            close_array("dx", &v(&[1.0]), &v(&[1.0, 2.0]), 0.0).unwrap_err();
        let shape = "expected shape [2], got shape [1]";
        assert!(message.contains(shape), "{message}");
    }
}
