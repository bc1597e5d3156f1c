//! What the graders are built from: the book's own checks
//! (`backprop::layer_check`, `backprop::gradcheck`) and comparisons with
//! the numbers the chapters state. Each returns the checker's message as
//! its error, so that a grader can use `?`.

pub(crate) use crate::Verdict;
pub(crate) use backprop::{gradcheck, layer_check::LayerReport};
pub(crate) use ndarray::{array, Array, Array1, Array2, ArrayD, Dimension, Ix1, Ix2};

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

/// The largest relative error of several gradient checks of `loss` at the
/// inputs `xs`, with the reader's gradient `grad`.
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
    if (got - want).abs() <= tol {
        Ok(())
    } else {
        Err(format!("{what}: expected {want}, got {got}"))
    }
}

/// An array the book states, entry by entry to within `tol`. A failure
/// names the worst entry, and how many entries are off.
pub(crate) fn close_array<D: Dimension>(
    what: &str,
    got: &Array<f64, D>,
    want: &Array<f64, D>,
    tol: f64,
) -> Result<(), String> {
    if got.shape() != want.shape() {
        let (g, w) = (got.shape(), want.shape());
        return Err(format!(
            "{what}: expected shape {w:?}, got shape {g:?}:\n{got}"
        ));
    }
    let off = |(g, w): (&f64, &f64)| (g - w).abs() > tol || g.is_nan();
    let wrong = got.iter().zip(want).filter(|&p| off(p)).count();
    if wrong == 0 {
        return Ok(());
    }
    let distance = |(g, w): (&f64, &f64)| {
        if g.is_nan() {
            f64::INFINITY
        } else {
            (g - w).abs()
        }
    };
    let pairs = got.iter().zip(want.iter());
    let (k, (g, w)) = pairs
        .enumerate()
        .max_by(|a, b| distance(a.1).total_cmp(&distance(b.1)))
        .unwrap();
    // Entry k in logical (row-major) order, as an index.
    let mut index: Vec<usize> = got
        .shape()
        .iter()
        .rev()
        .scan(k, |rest, &d| {
            let i = *rest % d;
            *rest /= d;
            Some(i)
        })
        .collect();
    index.reverse();
    let n = got.len();
    Err(format!(
        "{what}: {wrong} of {n} entries are off; the worst, entry {index:?}, is {g}, expected {w}.\nExpected\n{want}\ngot\n{got}"
    ))
}

/// A layer's input taken back from the layer check's `ArrayD`.
pub(crate) fn matrix(a: &ArrayD<f64>) -> Array2<f64> {
    a.clone().into_dimensionality::<Ix2>().expect("a matrix")
}

pub(crate) fn vector(a: &ArrayD<f64>) -> Array1<f64> {
    a.clone().into_dimensionality::<Ix1>().expect("a vector")
}

/// The largest relative error of several layer checks.
pub(crate) fn worst(reports: &[LayerReport]) -> f64 {
    reports
        .iter()
        .map(LayerReport::max_relative_error)
        .fold(0.0, f64::max)
}

/// Layer checks of a one-input layer at each input of `xs`: `forward`
/// against the reader's `backward`; the largest relative error.
#[track_caller]
pub(crate) fn layers(
    name: &str,
    xs: impl IntoIterator<Item = ArrayD<f64>>,
    forward: impl Fn(&ArrayD<f64>) -> ArrayD<f64>,
    backward: impl Fn(&ArrayD<f64>, &ArrayD<f64>) -> ArrayD<f64>,
) -> Result<f64, String> {
    let mut reports = Vec::new();
    for x in xs {
        reports.push(layer(
            name,
            &[("x", x)],
            |v| forward(&v[0]),
            |v, dy| vec![backward(&v[0], dy)],
        )?);
    }
    Ok(worst(&reports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_array_is_named_by_its_worst_entry() {
        let want = array![[1.0, 2.0], [3.0, 4.0]];
        assert!(close_array("dx", &want.clone(), &want, 0.0).is_ok());
        let got = array![[1.0, 2.5], [3.0, -4.0]];
        let message = close_array("dx", &got, &want, 1e-12).unwrap_err();
        assert!(
            message.starts_with(
                "dx: 2 of 4 entries are off; the worst, entry [1, 1], is -4, expected 4."
            ),
            "{message}"
        );
        let message =
            close_array("dx", &array![1.0, f64::NAN], &array![1.0, 2.0], 1e-12).unwrap_err();
        assert!(
            message.contains("1 of 2 entries are off; the worst, entry [1], is NaN"),
            "{message}"
        );
        let message = close_array("dx", &array![1.0], &array![1.0, 2.0], 1e-12).unwrap_err();
        assert!(
            message.contains("expected shape [2], got shape [1]"),
            "{message}"
        );
    }
}
