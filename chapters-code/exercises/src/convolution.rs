//! Exercises: convolution
//! ([the chapter](../../../src/convolution.md#exercises)).
//!
//! Replace each `todo!()` with your answer (or, in a "find the bug"
//! exercise, fix the stub), then run the command under the exercise.
//! `cargo run -p exercises` shows what is left. The 1-D convolution is
//! `backprop::conv::forward_1d`: `y[i] = b + Σ_o w[o] · x[i + o]`, with `o`
//! the offset inside the filter.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use backprop::conv::Gradients1d;
use ndarray::Array1;

/// **1. The weight gradient is a convolution.** Return
/// `∂L/∂w_o = Σ_i dy_i x_{i+o}` by calling `conv::forward_1d` once, with
/// `dy` as the filter. For the chapter's numbers it is `(-3.5, 4.25, -0.5)`.
///
/// Book: [exercise 1](../../../src/convolution.md#1-the-weight-gradient-is-a-convolution).
/// Check: `cargo run -p exercises -- check convolution::dw_as_convolution`
pub fn dw_as_convolution(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// **2. Find the bug: an overwritten gradient.** This backward pass of the
/// 1-D convolution gets `dx` wrong, although `dw` and `db` are right. Find
/// the line and fix it.
///
/// Book: [exercise 2](../../../src/convolution.md#2-find-the-bug-an-overwritten-gradient).
/// Check: `cargo run -p exercises -- check convolution::conv1d_backward`
pub fn conv1d_backward(
    x: &Array1<f64>,
    w: &Array1<f64>,
    dy: &Array1<f64>,
) -> Gradients1d {
    let mut g = Gradients1d {
        dx: Array1::zeros(x.len()),
        dw: Array1::zeros(w.len()),
        db: 0.0,
    };
    for i in 0..dy.len() {
        g.db += dy[i];
        for o in 0..w.len() {
            g.dw[o] += dy[i] * x[i + o];
            g.dx[i + o] = w[o] * dy[i];
        }
    }
    g
}

/// **3. The input gradient is a convolution too.** Return `∂L/∂x` by
/// padding `dy` with `Q − 1` zeros on each side and sliding the reversed
/// filter along it with `conv::forward_1d`. For the chapter's numbers it is
/// `(2, -5, 3.5, -1.5, 0.25)`.
///
/// Book: [exercise 3](../../../src/convolution.md#3-the-input-gradient-is-a-convolution-too).
/// Check: `cargo run -p exercises -- check convolution::dx_as_convolution`
pub fn dx_as_convolution(w: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// **4. A filter that skips entries (optional).** A `1 × 1` filter `w`
/// with stride 2 on a `1 × 5` image reads only the entries in columns 0, 2
/// and 4, giving three outputs. Return `∂L/∂x` (length 5) for the upstream
/// gradient `dy` (length 3).
///
/// Book: [exercise 4](../../../src/convolution.md#4-a-filter-that-skips-entries-optional).
/// Check: `cargo run -p exercises -- check convolution::strided_dx`
pub fn strided_dx(w: f64, dy: &Array1<f64>) -> Array1<f64> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { convolution:
    dw_as_convolution => |m| as_convolution("dw", |[x, _, dy]| m::dw_as_convolution(x, dy));
    conv1d_backward => |m| {
        let worst = worst(SIZES, |(d, q)| {
            let [x, w, _] = random_1d(d, q);
            let forward = |v: &[ArrayD<f64>]| conv::forward_1d(&arg(&v[1]), &arg(&v[0]), v[2][[]]);
            let backward = |v: &[ArrayD<f64>], dy: &Array1<f64>| {
                let g = m::conv1d_backward(&arg(&v[0]), &arg(&v[1]), dy);
                vec![g.dx.into_dyn(), g.dw.into_dyn(), arr0(g.db).into_dyn()]
            };
            let inputs = [input("x", &x), input("w", &w), input("b", &arr0(0.3))];
            layer("conv1d", &inputs, forward, backward)
        })?;
        passed("layer check of dx, dw and db at 3 sizes", worst)
    };
    dx_as_convolution => |m| as_convolution("dx", |[_, w, dy]| m::dx_as_convolution(w, dy));
    strided_dx => |m| {
        let dx = m::strided_dx(2.0, &v(&[1.0, -1.0, 0.5]));
        stated("dx for w = 2, dy = (1, -1, 0.5)", &dx, &v(&[2.0, 0.0, -2.0, 0.0, 1.0]))?;
        let (x, dy, w): (Array1<f64>, Array1<f64>, f64) = (random(5, 34), random(3, 35), 0.7);
        let image = |x: &Array1<f64>| x.clone().into_shape_with_order((1, 1, 1, x.len())).unwrap();
        let (filter, dy4) = (ndarray::Array4::from_elem((1, 1, 1, 1), w), image(&dy));
        let p = conv::ConvParams { stride: 2, pad: 0 };
        let y = |x: &Array1<f64>| conv::forward(&filter, &image(x), &array![0.0], p).0;
        let loss = |x: &Array1<f64>| (y(x) * &dy4).sum();
        let checked = gradient(loss, &x, &m::strided_dx(w, &dy))?.checked;
        Ok(format!("(2, 0, -2, 0, 1) for the chapter's numbers; gradient check of conv::forward, {checked} entries"))
    };
}

/// The signal length `D` and filter length `Q` of each convolution.
const SIZES: [(usize, usize); 3] = [(7, 3), (5, 5), (6, 1)];

/// Random `[x, w, dy]` with `x` of length `d`, `w` of length `q` and `dy`
/// of length `d − q + 1`.
fn random_1d(d: usize, q: usize) -> [Array1<f64>; 3] {
    [random(d, 31), random(q, 32), random(d - q + 1, 33)]
}

/// `dw` or `dx` from `[x, w, dy]`, against `conv::backward_1d` at the
/// chapter's numbers and at three sizes.
fn as_convolution(
    what: &str,
    f: impl Fn(&[Array1<f64>; 3]) -> Array1<f64>,
) -> Verdict {
    let chapter = [1.0, 2.0, -1.0, 0.5, 3.0, 2.0, -1.0, 0.5, 1.0, -2.0, 0.5];
    let chapter = [v(&chapter[..5]), v(&chapter[5..8]), v(&chapter[8..])];
    for [x, w, dy] in
        std::iter::once(chapter).chain(SIZES.map(|(d, q)| random_1d(d, q)))
    {
        let g = conv::backward_1d(&w, &x, &dy);
        let right = if what == "dw" { g.dw } else { g.dx };
        let at = format!(
            "{what} at x = {x}, w = {w}, dy = {dy}, against conv::backward_1d"
        );
        stated(&at, &f(&[x, w, dy]), &right)?;
    }
    Ok(
        "equals conv::backward_1d at the chapter's numbers and 3 sizes"
            .to_string(),
    )
}
