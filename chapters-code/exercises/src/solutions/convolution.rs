//! Reference solutions: convolution.

use backprop::conv::{self, Gradients1d};
use ndarray::{concatenate, Array1, Axis};

// ANCHOR: dw_as_convolution
/// `∂L/∂w_o = Σ_i dy_i x_{i+o}`: the forward formula with `dy` as the
/// filter and no bias. Shapes: `x` length `D`, `dy` length `D − Q + 1`;
/// the result has length `Q`.
pub fn dw_as_convolution(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    conv::forward_1d(dy, x, 0.0)
}
// ANCHOR_END: dw_as_convolution

// ANCHOR: conv1d_backward
/// The backward pass of `y[i] = b + Σ_o w[o] · x[i + o]`: every output
/// `y[i]` sends `w[o] · dy[i]` to `x[i + o]`, `x[i + o] · dy[i]` to `w[o]`
/// and `dy[i]` to `b`. Shapes: `x` length `D`, `w` length `Q`, `dy` length
/// `D − Q + 1`; `dx`, `dw` are shaped like `x`, `w`.
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
            // x[i + o] is used by up to Q outputs: its gradients add up.
            g.dx[i + o] += w[o] * dy[i];
        }
    }
    g
}
// ANCHOR_END: conv1d_backward

// ANCHOR: dx_as_convolution
/// `∂L/∂x_j = Σ_o w_o dy_{j−o}`: `dy` padded with `Q − 1` zeros on each
/// side, convolved with the reversed filter. Shapes: `w` length `Q`, `dy`
/// length `D − Q + 1`; the result has length `D`.
pub fn dx_as_convolution(w: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    let zeros = Array1::<f64>::zeros(w.len() - 1);
    let padded = concatenate(Axis(0), &[zeros.view(), dy.view(), zeros.view()])
        .expect("three vectors");
    let reversed: Array1<f64> = w.iter().rev().copied().collect();
    conv::forward_1d(&reversed, &padded, 0.0)
}
// ANCHOR_END: dx_as_convolution

// ANCHOR: strided_dx
/// `∂L/∂x` of a `1 × 1` filter `w` with stride 2 on a `1 × 5` image: the
/// entries in columns 0, 2 and 4 each feed one output and get `w · dy`;
/// the others feed none and get 0. Shapes: `dy` length 3; the result has
/// length 5.
pub fn strided_dx(w: f64, dy: &Array1<f64>) -> Array1<f64> {
    Array1::from_shape_fn(5, |j| if j % 2 == 0 { w * dy[j / 2] } else { 0.0 })
}
// ANCHOR_END: strided_dx
