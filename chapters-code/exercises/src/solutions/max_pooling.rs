//! Reference solutions: max pooling.

use ndarray::{array, Array1, Array2};

// ANCHOR: max_pool_1d_backward
/// The backward pass of 1-D max pooling with windows of `window` entries
/// that do not overlap: `y[i]` is the largest of
/// `x[i·window .. (i + 1)·window]`, and its whole `dy[i]` goes to that
/// entry (the first one, on a tie). Shapes: `x` has length
/// `window · len(dy)`; `dx` has the shape of `x`.
pub fn max_pool_1d_backward(
    x: &Array1<f64>,
    dy: &Array1<f64>,
    window: usize,
) -> Array1<f64> {
    let mut dx = Array1::zeros(x.len());
    for (i, &g) in dy.iter().enumerate() {
        let start = i * window;
        let mut best = start;
        for j in start..start + window {
            if x[j] > x[best] {
                best = j;
            }
        }
        dx[best] += g;
    }
    dx
}
// ANCHOR_END: max_pool_1d_backward

// ANCHOR: avg_pool_backward
/// The backward pass of `2 × 2` average pooling with stride 2: every entry
/// of a window gets a quarter of the window's upstream gradient. Shapes:
/// `dy` `(M₁, M₂)`; `dx` `(2M₁, 2M₂)`.
pub fn avg_pool_backward(dy: &Array2<f64>) -> Array2<f64> {
    let (m1, m2) = dy.dim();
    Array2::from_shape_fn((2 * m1, 2 * m2), |(r, c)| dy[[r / 2, c / 2]] / 4.0)
}
// ANCHOR_END: avg_pool_backward

// ANCHOR: centre_wins_everywhere
/// A `3 × 3` input whose centre is its largest entry: the centre belongs
/// to all four `2 × 2` windows (stride 1), so it wins each of them.
pub fn centre_wins_everywhere() -> Array2<f64> {
    array![[0.1, 0.4, -0.3], [0.2, 9.0, 0.5], [-0.6, 0.7, 0.3]]
}
// ANCHOR_END: centre_wins_everywhere
