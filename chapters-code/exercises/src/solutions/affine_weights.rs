//! Reference solutions: the affine layer's weights.
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)`, `b` has length `m` and `Y = WX + b` is `(m, n)`.

use backprop::affine::{self, Gradients};
use ndarray::{Array1, Array2, Axis};

// ANCHOR: backward
/// The affine layer's backward pass: `dW = dY Xᵀ` `(m, d)`,
/// `dX = Wᵀ dY` `(d, n)` and `db = Σ_k dY[.., k]` (length `m`).
pub fn backward(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> Gradients {
    Gradients {
        dw: dy.dot(&x.t()),
        dx: w.t().dot(dy),
        db: dy.sum_axis(Axis(1)),
    }
}
// ANCHOR_END: backward

// ANCHOR: squared_loss_dw
/// `∂L/∂W` for `L = ½ Σ_{i,k} Y[[i, k]]²` with `Y = WX + b`: the loss node
/// hands back `dY = Y`, so `∂L/∂W = Y Xᵀ`, shape `(m, d)`.
pub fn squared_loss_dw(
    w: &Array2<f64>,
    x: &Array2<f64>,
    b: &Array1<f64>,
) -> Array2<f64> {
    let y = affine::forward(w, x, b);
    y.dot(&x.t())
}
// ANCHOR_END: squared_loss_dw

// ANCHOR: row_layout_gradients
/// Rows are samples: `X` is `(n, d)`, `W` is `(d, m)`, `Y = XW + b` is
/// `(n, m)`. Returns `(dW, dX) = (Xᵀ dY, dY Wᵀ)`, shapes `(d, m)` and
/// `(n, d)`.
pub fn row_layout_gradients(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>) {
    (x.t().dot(dy), dy.dot(&w.t()))
}
// ANCHOR_END: row_layout_gradients

// ANCHOR: columns_that_move
/// Runs the backward pass for two upstream gradients `dy` and `dy2` and
/// returns the columns of `dX`, then the columns of `dW`, in which any
/// entry differs.
pub fn columns_that_move(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
    dy2: &Array2<f64>,
) -> (Vec<usize>, Vec<usize>) {
    let (g, g2) = (affine::backward(w, x, dy), affine::backward(w, x, dy2));
    let moved = |a: &Array2<f64>, b: &Array2<f64>| -> Vec<usize> {
        (0..a.ncols())
            .filter(|&j| a.column(j) != b.column(j))
            .collect()
    };
    (moved(&g.dx, &g2.dx), moved(&g.dw, &g2.dw))
}
// ANCHOR_END: columns_that_move
