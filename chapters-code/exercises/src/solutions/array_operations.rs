//! Reference solutions: the local gradients of array operations.

use backprop::shapes;
use ndarray::{Array2, Axis, Zip};

// ANCHOR: center_backward
/// The backward pass of centring, `y[[i, j]] = x[[i, j]] - μ_j`:
/// `dx = dy - mean(dy)`, each column of `dy` minus its own mean. The
/// direct path gives `dy`; the path through `μ_j` gives `-mean(dy)` to
/// every entry of column `j`. Shapes: `x`, `dy` and `dx` are `(d, n)`.
pub fn center_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    shapes::require_same("center_backward", ("x", x.shape()), ("dy", dy.shape()));
    let mean = dy.mean_axis(Axis(0)).expect("d > 0"); // one per sample
    dy - &mean.insert_axis(Axis(0))
}
// ANCHOR_END: center_backward

// ANCHOR: divide_by_sum_backward
/// The backward pass of `y[[i, j]] = x[[i, j]] / s_j` with
/// `s_j = Σ_i x[[i, j]]`: `dx[[i, j]] = (dy[[i, j]] - Σ_k dy[[k, j]] y[[k, j]]) / s_j`.
/// The direct path gives `dy / s`; the path through `s_j` gives
/// `-Σ_k dy[[k, j]] x[[k, j]] / s_j²` to every entry of column `j`.
/// Shapes: `x`, `dy` and `dx` are `(d, n)`.
pub fn divide_by_sum_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    shapes::require_same(
        "divide_by_sum_backward",
        ("x", x.shape()),
        ("dy", dy.shape()),
    );
    let s = x.sum_axis(Axis(0)).insert_axis(Axis(0)); // (1, n)
    let y = x / &s;
    let through_s = (dy * &y).sum_axis(Axis(0)).insert_axis(Axis(0)); // (1, n)
    (dy - &through_s) / &s
}
// ANCHOR_END: divide_by_sum_backward

// ANCHOR: subtract_max_backward
/// The backward pass of `y[[i, j]] = x[[i, j]] - m_j` with
/// `m_j = max_i x[[i, j]]`, the maximum unique:
/// `dx[[i, j]] = dy[[i, j]] - ind{i is the argmax of column j} Σ_k dy[[k, j]]`.
/// The direct path gives `dy`; the path through `m_j` reaches only the
/// entry that is the maximum, which receives minus the column's sum of `dy`.
/// Shapes: `x`, `dy` and `dx` are `(d, n)`.
pub fn subtract_max_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    shapes::require_same(
        "subtract_max_backward",
        ("x", x.shape()),
        ("dy", dy.shape()),
    );
    let mut dx = dy.clone();
    Zip::from(dx.columns_mut())
        .and(x.columns())
        .and(dy.columns())
        .for_each(|mut dx, x, dy| {
            // The row of the column's largest entry.
            let arg = x
                .iter()
                .enumerate()
                .fold(0, |best, (i, &v)| if v > x[best] { i } else { best });
            dx[arg] -= dy.sum();
        });
    dx
}
// ANCHOR_END: subtract_max_backward
