//! What the graders are built from: the book's own checks
//! (`backprop::layer_check`, `backprop::gradcheck`) and comparisons with
//! the numbers the chapters state. Each returns the checker's message as
//! its error, so that a grader can use `?`.

pub(crate) use crate::Verdict;
pub(crate) use backprop::{gradcheck, layer_check::LayerReport};
pub(crate) use ndarray::{array, Array, Array1, ArrayD, Dimension, Ix1, Ix2};

/// [`backprop::layer_check::try_check_layer`], with the failure as its
/// message.
#[track_caller]
pub(crate) fn layer(
    name: &str,
    inputs: &[(&str, ArrayD<f64>)],
    forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
    backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
) -> Result<LayerReport, String> {
    backprop::layer_check::try_check_layer(name, inputs, forward, backward).map_err(|f| f.message)
}

/// Layer checks of a one-input layer (its input named `x`) at each input of
/// `xs`: `forward` against the reader's `backward`; the largest relative
/// error.
#[track_caller]
pub(crate) fn layers<D: Dimension, E: Dimension>(
    name: &str,
    xs: impl IntoIterator<Item = Array<f64, D>>,
    forward: impl Fn(&Array<f64, D>) -> Array<f64, E>,
    backward: impl Fn(&Array<f64, D>, &Array<f64, E>) -> Array<f64, D>,
) -> Result<f64, String> {
    let (mut worst, x) = (0.0f64, |v: &ArrayD<f64>| typed::<D>(v));
    for x0 in xs {
        let f = |v: &[ArrayD<f64>]| forward(&x(&v[0])).into_dyn();
        let b =
            |v: &[ArrayD<f64>], dy: &ArrayD<f64>| vec![backward(&x(&v[0]), &typed(dy)).into_dyn()];
        worst = worst.max(layer(name, &[("x", x0.into_dyn())], f, b)?.max_relative_error());
    }
    Ok(worst)
}

/// A layer check's `ArrayD` back in the layer's own dimension.
pub(crate) fn typed<D: Dimension>(a: &ArrayD<f64>) -> Array<f64, D> {
    a.clone()
        .into_dimensionality::<D>()
        .expect("the layer's own shape")
}

/// [`gradcheck::try_check_gradient_with`] with the book's step and
/// tolerance, with the failure as its message.
pub(crate) fn gradient<D: Dimension>(
    f: impl FnMut(&Array<f64, D>) -> f64,
    x: &Array<f64, D>,
    analytic: &Array<f64, D>,
) -> Result<gradcheck::Report, String> {
    gradcheck::try_check_gradient_with(f, x, analytic, gradcheck::H, gradcheck::TOLERANCE)
        .map_err(|f| f.message)
}

/// The largest relative error of gradient checks of `loss` at each input
/// of `xs`, with the reader's gradient `grad`.
pub(crate) fn gradients<D: Dimension>(
    loss: impl Fn(&Array<f64, D>) -> f64,
    xs: impl IntoIterator<Item = Array<f64, D>>,
    grad: impl Fn(&Array<f64, D>) -> Array<f64, D>,
) -> Result<f64, String> {
    let mut worst: f64 = 0.0;
    for x in xs {
        worst = worst.max(gradient(&loss, &x, &grad(&x))?.max_relative_error);
    }
    Ok(worst)
}

/// A number the book states, to within `tol`.
pub(crate) fn close(what: &str, got: f64, want: f64, tol: f64) -> Result<(), String> {
    let ok = (got - want).abs() <= tol;
    ok.then_some(())
        .ok_or_else(|| format!("{what}: expected {want}, got {got}"))
}

/// The numbers the book states, as a vector.
pub(crate) fn v(numbers: &[f64]) -> Array1<f64> {
    Array1::from(numbers.to_vec())
}

/// An array the book states, entry by entry to within `tol`. A failure
/// names the worst entry, and how many entries are off.
pub(crate) fn close_array<D: Dimension>(
    what: &str,
    got: &Array<f64, D>,
    want: &Array<f64, D>,
    tol: f64,
) -> Result<(), String> {
    let (g, w) = (got.shape(), want.shape());
    if g != w {
        return Err(format!(
            "{what}: expected shape {w:?}, got shape {g:?}:\n{got}"
        ));
    }
    let off = |(g, w): (&f64, &f64)| {
        if g.is_nan() {
            f64::INFINITY
        } else {
            (g - w).abs()
        }
    };
    let wrong = got.iter().zip(want).filter(|&p| off(p) > tol).count();
    if wrong == 0 {
        return Ok(());
    }
    let pairs = got.iter().zip(want.iter()).enumerate();
    let (k, (g, w)) = pairs.max_by(|a, b| off(a.1).total_cmp(&off(b.1))).unwrap();
    // Entry k in logical (row-major) order, as an index.
    let mut rest = k;
    let mut index: Vec<usize> = (got.shape().iter().rev())
        .map(|&d| (rest % d, rest /= d).0)
        .collect();
    index.reverse();
    let n = got.len();
    Err(format!("{what}: {wrong} of {n} entries are off; the worst, entry {index:?}, is {g}, expected {w}.\nExpected\n{want}\ngot\n{got}"))
}

/// An array the chapter states, to within rounding (1e-12).
pub(crate) fn worked<D: Dimension>(
    what: &str,
    got: &Array<f64, D>,
    want: &Array<f64, D>,
) -> Result<(), String> {
    close_array(what, got, want, 1e-12)
}

/// What passed, with the largest relative error of its checks.
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
            close_array("dx", &array![[1.0, 2.5], [3.0, -4.0]], &want, 1e-12).unwrap_err();
        assert!(
            message.starts_with(
                "dx: 2 of 4 entries are off; the worst, entry [1, 1], is -4, expected 4."
            ),
            "{message}"
        );
        let message = close_array("dx", &v(&[1.0, f64::NAN]), &v(&[1.0, 2.0]), 1e-12).unwrap_err();
        assert!(
            message.contains("1 of 2 entries are off; the worst, entry [1], is NaN"),
            "{message}"
        );
        let message = close_array("dx", &v(&[1.0]), &v(&[1.0, 2.0]), 1e-12).unwrap_err();
        assert!(
            message.contains("expected shape [2], got shape [1]"),
            "{message}"
        );
    }
}
