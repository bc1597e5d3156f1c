//! Reference solutions: the local gradients of array operations.

use backprop::shapes;
use ndarray::{Array2, Axis, Zip};

// ANCHOR: center_backward
/// The backward pass of centring, `y[[i, k]] = x[[i, k]] - μ_k`:
/// `dx = dy - mean(dy)`, each column of `dy` minus its own mean. The
/// direct path gives `dy`; the path through `μ_k` gives `-mean(dy)` to
/// every entry of column `k`. Shapes: `x`, `dy` and `dx` are `(d, n)`.
pub fn center_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    shapes::require_same(
        "center_backward",
        ("x", x.shape()),
        ("dy", dy.shape()),
    );
    let mean = dy.mean_axis(Axis(0)).expect("d > 0"); // one per sample
    dy - &mean.insert_axis(Axis(0))
}
// ANCHOR_END: center_backward

// ANCHOR: divide_by_sum_backward
/// The backward pass of `y[[i, k]] = x[[i, k]] / s_k` with
/// `s_k = Σ_j x[[j, k]]`:
/// `dx[[i, k]] = (dy[[i, k]] - Σ_j dy[[j, k]] y[[j, k]]) / s_k`.
/// The direct path gives `dy / s`; the path through `s_k` gives
/// `-Σ_j dy[[j, k]] x[[j, k]] / s_k²` to every entry of column `k`.
/// Shapes: `x`, `dy` and `dx` are `(d, n)`.
pub fn divide_by_sum_backward(
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> Array2<f64> {
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
/// The backward pass of `y[[i, k]] = x[[i, k]] - x[[j*, k]]` with `j*` the
/// row of the largest entry of column `k`, assumed unique:
/// `dx[[i, k]] = dy[[i, k]] - [i = j*] Σ_j dy[[j, k]]`, where `[i = j*]`
/// is 1 for that row and 0 for the others. The direct path gives `dy`; the
/// path through the maximum reaches only the entry that is the maximum,
/// which receives minus the column's sum of `dy`.
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
            let arg = x.iter().enumerate().fold(0, |best, (i, &v)| {
                if v > x[best] {
                    i
                } else {
                    best
                }
            });
            dx[arg] -= dy.sum();
        });
    dx
}
// ANCHOR_END: subtract_max_backward
