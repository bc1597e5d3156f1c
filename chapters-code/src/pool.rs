//! Max pooling, forward and backward.
//!
//! **Layer.** A window of `Q₁ × Q₂` entries (`height × width`) slides over
//! every channel of every image, `S` (`stride`) entries at a time, and each
//! output is the largest entry under the window:
//!
//! ```text
//! y[k, c, i1, i2] = max_{o1 < Q₁, o2 < Q₂} x[k, c, S·i1 + o1, S·i2 + o2]
//! ```
//!
//! where `k` is the image, `c` the channel, `(i1, i2)` the output position
//! and `(o1, o2)` the offset inside the window.
//!
//! **Shapes** ([`CONVENTION`]): `x` is `(n, C, D₁, D₂)` (images, channels,
//! height, width) and `y` is `(n, C, M₁, M₂)` with `M = 1 + (D − Q) / S`
//! along each axis; sizes for which the division is not exact are refused.
//! There is no padding and nothing to learn.
//!
//! **Gradient.** Each output is a max gate: its whole upstream gradient
//! goes to the entry that won (the argmax), and every other entry of the
//! window gets 0. Where windows overlap (`stride` smaller than the window),
//! an entry that wins in several windows receives the sum.
//!
//! **Ties.** When several entries of a window share the maximum, the first
//! one in row-major order (smallest `o1`, then smallest `o2`) is the argmax
//! and takes all the gradient. Handing each tied entry a fraction of the
//! gradient, the fractions nonnegative and adding up to 1, would be an
//! equally valid subgradient; no other split is. A tie is a kink, where the
//! one-sided slopes differ, so gradient checks must use inputs without ties.
//!
//! **Cache.** Backward needs the input `x`, to find each window's argmax
//! again; a layer could keep the argmax positions from forward instead.
//!
//! **Names.** The chapter calls the two passes max pooling's forward and
//! backward; here they are [`forward`] and [`backward`], the same names as
//! every other layer's, with [`try_forward`] and [`try_backward`] returning
//! bad input as the crate's [`Error`].

use crate::shapes::Checker;
use crate::Error;
use ndarray::{Array4, CowArray, Ix4};

/// The shape convention of this module, repeated in every shape message.
pub const CONVENTION: &str =
    "convention: X is (n, C, D₁, D₂), the window is (Q₁, Q₂), \
     Y is (n, C, M₁, M₂) with M = 1 + (D − Q)/S along each axis (S the stride)";

/// This module's shape checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// The window and stride of a max pooling layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolParams {
    /// Window height (at least 1).
    pub height: usize,
    /// Window width (at least 1).
    pub width: usize,
    /// How far the window moves between neighbouring outputs (at least 1).
    pub stride: usize,
}

/// The output shape `[n, C, M₁, M₂]`, after checking that the window fits
/// and that the windows end exactly at the input's edge.
fn output_shape(
    context: &str,
    x: &Array4<f64>,
    p: PoolParams,
) -> Result<[usize; 4], Error> {
    let (window, xs) = ([p.height, p.width], x.shape());
    // Each rule is formatted only for a message.
    let fail = |rule: String| {
        SHAPES.check(false, context, ("x", xs), ("window", &window), &rule)
    };
    if p.height == 0 || p.width == 0 || p.stride == 0 {
        fail(format!(
            "the window and the stride must be at least 1 (stride is {})",
            p.stride
        ))?;
    }
    let mut out = [xs[0], xs[1], 0, 0];
    for (index, name, size, win) in
        [(2, "height", xs[2], p.height), (3, "width", xs[3], p.width)]
    {
        if win > size {
            fail(format!(
                "the window's {name} ({win}) is larger than the input's ({size})"
            ))?;
        }
        if !(size - win).is_multiple_of(p.stride) {
            fail(format!(
                "with stride {} the windows do not end at the input's edge along its {name}: \
                 {size} − {win} = {} is not a multiple of {}",
                p.stride,
                size - win,
                p.stride
            ))?;
        }
        out[index] = 1 + (size - win) / p.stride;
    }
    Ok(out)
}

/// Forward pass: `y[k, c, i1, i2]` is the largest entry of
/// `x[k, c, S·i1 .. S·i1 + Q₁, S·i2 .. S·i2 + Q₂]`.
///
/// Shapes: `x` `(n, C, D₁, D₂)`; returns `y` `(n, C, M₁, M₂)`.
///
/// # Panics
/// If the window or stride is 0, or the window is larger than the input
/// or its windows do not end at its edge, with [`try_forward`]'s message.
// Shown in "Max pooling", section "Forward".
// ANCHOR: forward
#[track_caller]
pub fn forward(x: &Array4<f64>, p: PoolParams) -> Array4<f64> {
    try_forward(x, p).unwrap_or_else(|e| e.raise())
}

/// [`forward`] that returns bad input as `Err` instead of panicking.
pub fn try_forward(
    x: &Array4<f64>,
    p: PoolParams,
) -> Result<Array4<f64>, Error> {
    let shape = output_shape("pool::forward", x, p)?;
    let [_, _, m1, m2] = shape;
    let mut y = Array4::zeros(shape);
    let x = x.as_standard_layout(); // row-major, so each map is one slice
    let d2 = x.dim().3;
    // One feature map at a time, walked once, window by window.
    for (map, out) in maps(&x).zip(maps_mut(&mut y)) {
        for i1 in 0..m1 {
            for i2 in 0..m2 {
                out[i1 * m2 + i2] = map[winner(map, d2, p, (i1, i2))];
            }
        }
    }
    Ok(y)
}

/// Where the window under output `(i1, i2)` has its largest entry in
/// `map`, one feature map `(D₁, D₂)` with entry `(j1, j2)` at
/// `j1·D₂ + j2`: on a tie, the first in row-major order. [`backward`]
/// calls it too, so the two passes agree on who won.
fn winner(
    map: &[f64],
    d2: usize,
    p: PoolParams,
    (i1, i2): (usize, usize),
) -> usize {
    let (top, left) = (i1 * p.stride, i2 * p.stride);
    let (mut best, mut largest) = (top * d2 + left, map[top * d2 + left]);
    for j1 in top..top + p.height {
        let row = j1 * d2 + left; // where entry (j1, left) is
        for (j, &v) in map[row..row + p.width].iter().enumerate() {
            if v > largest {
                (best, largest) = (row + j, v);
            }
        }
    }
    best
}
// ANCHOR_END: forward

/// The feature maps of `a`, `(n, C, ·, ·)` in row-major order, one slice
/// each: image 0's channels, then image 1's, and so on.
fn maps<'a>(a: &'a CowArray<f64, Ix4>) -> std::slice::ChunksExact<'a, f64> {
    let (.., d1, d2) = a.dim();
    a.as_slice()
        .expect("a row-major array")
        .chunks_exact(d1 * d2)
}

/// [`maps`] of a fresh array, to fill.
fn maps_mut(a: &mut Array4<f64>) -> std::slice::ChunksExactMut<'_, f64> {
    let (.., d1, d2) = a.dim();
    let entries = a.as_slice_mut().expect("a fresh array is row-major");
    entries.chunks_exact_mut(d1 * d2)
}

/// Backward pass: each `dy[k, c, i1, i2]` is added to `dx` at the argmax
/// of its window; every other entry of `dx` is 0. Overlapping windows add
/// (fan-out).
///
/// Shapes: `x` `(n, C, D₁, D₂)` (cached from the forward pass), `dy`
/// `(n, C, M₁, M₂)`; returns `dx` `(n, C, D₁, D₂)`.
///
/// # Panics
/// As [`forward`], and if `dy` is not shaped like `y`, with
/// [`try_backward`]'s message.
// Shown in "Max pooling", section "Backward: route to the winner".
// ANCHOR: backward
#[track_caller]
pub fn backward(
    x: &Array4<f64>,
    dy: &Array4<f64>,
    p: PoolParams,
) -> Array4<f64> {
    try_backward(x, dy, p).unwrap_or_else(|e| e.raise())
}

/// [`backward`] that returns bad input as `Err` instead of panicking.
pub fn try_backward(
    x: &Array4<f64>,
    dy: &Array4<f64>,
    p: PoolParams,
) -> Result<Array4<f64>, Error> {
    let shape = output_shape("pool::backward", x, p)?;
    SHAPES.check(
        dy.shape() == shape,
        "pool::backward",
        ("dy", dy.shape()),
        ("y", &shape),
        "dy must have the shape of y",
    )?;
    let [_, _, m1, m2] = shape;
    let mut dx = Array4::zeros(x.raw_dim());
    let (x, dy) = (x.as_standard_layout(), dy.as_standard_layout());
    let d2 = x.dim().3;
    for ((map, dx_map), dy_map) in
        maps(&x).zip(maps_mut(&mut dx)).zip(maps(&dy))
    {
        for i1 in 0..m1 {
            for i2 in 0..m2 {
                // route dy to the winner
                dx_map[winner(map, d2, p, (i1, i2))] += dy_map[i1 * m2 + i2];
            }
        }
    }
    Ok(dx)
}
// ANCHOR_END: backward

/// The chapter's worked example, `(x, dy, p)`: one 4 × 4 image as
/// `(1, 1, 4, 4)`, the upstream gradient as `(1, 1, 2, 2)`, and 2 × 2
/// windows at stride 2, which give `y = [[4, 5], [2, 6]]`.
// Shown in "Max pooling", section "Forward".
// ANCHOR: example
pub fn example() -> (Array4<f64>, Array4<f64>, PoolParams) {
    let x = ndarray::array![
        [1.0, 3.0, 2.0, 0.0],
        [4.0, -1.0, 5.0, 1.0],
        [0.0, 2.0, -3.0, 6.0],
        [1.0, 1.5, 2.5, -2.0]
    ];
    let dy = ndarray::array![[0.5, -1.0], [2.0, 3.0]];
    (
        x.into_shape_with_order((1, 1, 4, 4)).expect("16 entries"),
        dy.into_shape_with_order((1, 1, 2, 2)).expect("4 entries"),
        PoolParams {
            height: 2,
            width: 2,
            stride: 2,
        },
    )
}
// ANCHOR_END: example

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::random;
    use crate::layer_check::{arg, check_layer, input};
    use crate::testing::{assert_entries_eq, assert_shape_panic};
    use ndarray::array;

    fn p(height: usize, width: usize, stride: usize) -> PoolParams {
        PoolParams {
            height,
            width,
            stride,
        }
    }

    fn image(rows: ndarray::Array2<f64>) -> Array4<f64> {
        let (d1, d2) = rows.dim();
        rows.into_shape_with_order((1, 1, d1, d2)).unwrap()
    }

    /// `backward(x, dy, q)` gives `want`, or fails naming the entry, `x`
    /// and `dy`.
    #[track_caller]
    fn assert_backward_gives(
        x: &Array4<f64>,
        dy: &Array4<f64>,
        q: PoolParams,
        want: &Array4<f64>,
    ) {
        let inputs = [("x", x.view().into_dyn()), ("dy", dy.view().into_dyn())];
        assert_entries_eq(
            "pool::backward",
            ("dx", &backward(x, dy, q)),
            want,
            &inputs,
        );
    }

    #[test]
    fn the_worked_example() {
        let (x, dy, q) = example();
        assert_eq!(q, p(2, 2, 2));
        let inputs = [("x", x.view().into_dyn())];
        let want = image(array![[4.0, 5.0], [2.0, 6.0]]);
        assert_entries_eq(
            "pool::forward",
            ("y", &forward(&x, q)),
            &want,
            &inputs,
        );
        let want = image(array![
            [0.0, 0.0, 0.0, 0.0],
            [0.5, 0.0, -1.0, 0.0],
            [0.0, 2.0, 0.0, 3.0],
            [0.0, 0.0, 0.0, 0.0]
        ]);
        assert_backward_gives(&x, &dy, q, &want);
    }

    #[test]
    fn overlapping_windows_add_up_at_a_shared_winner() {
        // 3-wide windows with stride 1 on a row whose middle entry is largest:
        // all three windows pick it.
        let x = image(array![[1.0, 2.0, 9.0, 3.0, 0.0]]);
        let dy = image(array![[1.0, 10.0, 100.0]]);
        let want = image(array![[0.0, 0.0, 111.0, 0.0, 0.0]]);
        assert_backward_gives(&x, &dy, p(1, 3, 1), &want);
    }

    #[test]
    fn a_tie_sends_everything_to_the_first_maximum() {
        let x = image(array![[2.0, 7.0], [7.0, 7.0]]);
        let inputs = [("x", x.view().into_dyn())];
        let y = forward(&x, p(2, 2, 2));
        assert_entries_eq(
            "pool::forward",
            ("y", &y),
            &image(array![[7.0]]),
            &inputs,
        );
        let want = image(array![[0.0, 1.0], [0.0, 0.0]]);
        assert_backward_gives(&x, &image(array![[1.0]]), p(2, 2, 2), &want);
    }

    #[test]
    fn a_tie_is_a_kink_that_the_gradient_check_reports() {
        // Nudging either tied entry up raises y; nudging it down does not:
        // the one-sided slopes are 1 and 0. The checker excuses the winner
        // (analytic 1 lies between the slopes) and also the loser (0 does).
        let x = image(array![[2.0, 7.0], [7.0, 1.0]]);
        let dy = image(array![[1.0]]);
        let dx = backward(&x, &dy, p(2, 2, 2));
        let r = crate::gradcheck::check_gradient_array(
            |x| forward(x, p(2, 2, 2)),
            &x,
            &dy,
            &dx,
        );
        assert_eq!((r.checked, r.skipped_kinks), (2, 2));
    }

    /// Window settings, each with an input width whose windows end at its
    /// edge (the height is 6): square and not, overlapping and not.
    fn windows() -> [(PoolParams, usize); 4] {
        [
            (p(2, 2, 2), 6),
            (p(3, 3, 1), 5),
            (p(2, 3, 1), 5),
            (p(3, 2, 3), 5),
        ]
    }

    #[test]
    fn passes_the_layer_check_without_ties() {
        let cases = windows();
        for (k, (q, width)) in cases.into_iter().enumerate() {
            let x: Array4<f64> = random((2, 2, 6, width), 50 + k as u64);
            let r = check_layer(
                "max pool",
                &[input("x", &x)],
                |v| forward(&arg(&v[0]), q).into_dyn(),
                |v, dy| vec![backward(&arg(&v[0]), &arg(dy), q).into_dyn()],
            );
            assert_eq!(r.gradients[0].1.skipped_kinks, 0, "{q:?}");
            assert_eq!(r.gradients[0].1.checked, 2 * 2 * 6 * width);
        }
    }

    /// The forward pass by its definition, one window sliced out of `x` at
    /// a time: the reference that [`forward`]'s walk over each map must
    /// match, image by image and channel by channel.
    fn forward_by_definition(x: &Array4<f64>, q: PoolParams) -> Array4<f64> {
        let (n, channels, d1, d2) = x.dim();
        let m = |d: usize, w: usize| 1 + (d - w) / q.stride;
        let shape = (n, channels, m(d1, q.height), m(d2, q.width));
        Array4::from_shape_fn(shape, |(k, c, i1, i2)| {
            let (top, left) = (i1 * q.stride, i2 * q.stride);
            let window = x.slice(ndarray::s![
                k,
                c,
                top..top + q.height,
                left..left + q.width
            ]);
            window.fold(f64::NEG_INFINITY, |m, &v| m.max(v))
        })
    }

    #[test]
    fn forward_is_the_largest_entry_of_every_window_of_every_map() {
        let cases = windows();
        for (k, (q, width)) in cases.into_iter().enumerate() {
            let x: Array4<f64> = random((3, 2, 6, width), 70 + k as u64);
            let inputs = [("x", x.view().into_dyn())];
            let want = forward_by_definition(&x, q);
            assert_entries_eq(
                "pool::forward",
                ("y", &forward(&x, q)),
                &want,
                &inputs,
            );
        }
    }

    #[test]
    fn any_memory_layout_gives_the_same_passes() {
        // The same (n, C, D₁, D₂) values, and dy's, stored channel-first in
        // memory.
        let x: Array4<f64> = random((3, 2, 4, 6), 80);
        let mut stored =
            Array4::zeros((2, 3, 4, 6)).permuted_axes([1, 0, 2, 3]);
        stored.assign(&x);
        assert!(!stored.is_standard_layout());
        let dy: Array4<f64> = random((3, 2, 2, 3), 81);
        let mut dy_stored =
            Array4::zeros((2, 3, 2, 3)).permuted_axes([1, 0, 2, 3]);
        dy_stored.assign(&dy);
        let inputs = [("x", x.view().into_dyn()), ("dy", dy.view().into_dyn())];
        let q = p(2, 2, 2);
        assert_entries_eq(
            "pool::forward",
            ("y", &forward(&stored, q)),
            &forward(&x, q),
            &inputs,
        );
        let dx = backward(&stored, &dy_stored, q);
        assert_entries_eq(
            "pool::backward",
            ("dx", &dx),
            &backward(&x, &dy, q),
            &inputs,
        );
    }

    #[test]
    fn rejects_a_window_that_does_not_tile() {
        assert_shape_panic(
            "pool::forward: ",
            &[
                "x has shape [1, 2, 5, 4]",
                "window has shape [2, 2]",
                "with stride 2 the windows do not end at the input's edge along its height: 5 − 2 = 3 is not a multiple of 2",
                CONVENTION,
            ],
            || {
                forward(&Array4::zeros((1, 2, 5, 4)), p(2, 2, 2));
            },
        );
        let err =
            try_forward(&Array4::zeros((1, 2, 4, 5)), p(2, 2, 2)).unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "pool::forward: x has shape [1, 2, 4, 5] but window has shape [2, 2]; \
                 with stride 2 the windows do not end at the input's edge along its width: \
                 5 − 2 = 3 is not a multiple of 2 ({CONVENTION})"
            )
        );
    }

    #[test]
    fn rejects_a_window_larger_than_the_input() {
        assert_shape_panic(
            "pool::backward: ",
            &[
                "x has shape [1, 1, 4, 2]",
                "window has shape [2, 3]",
                "the window's width (3) is larger than the input's (2)",
                CONVENTION,
            ],
            || {
                backward(
                    &Array4::zeros((1, 1, 4, 2)),
                    &Array4::zeros((1, 1, 2, 1)),
                    p(2, 3, 2),
                );
            },
        );
    }

    #[test]
    fn rejects_a_zero_stride_or_window() {
        for q in [p(2, 2, 0), p(0, 2, 1), p(2, 0, 1)] {
            assert_shape_panic(
                "pool::forward: ",
                &[
                    "x has shape [1, 1, 4, 4]",
                    "the window and the stride must be at least 1",
                    CONVENTION,
                ],
                || {
                    forward(&Array4::zeros((1, 1, 4, 4)), q);
                },
            );
        }
        let err = try_backward(
            &Array4::zeros((1, 1, 4, 4)),
            &Array4::zeros((1, 1, 2, 2)),
            p(2, 2, 0),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "pool::backward: x has shape [1, 1, 4, 4] but window has shape [2, 2]; \
                 the window and the stride must be at least 1 (stride is 0) ({CONVENTION})"
            )
        );
    }

    #[test]
    fn backward_rejects_dy_not_shaped_like_y() {
        assert_shape_panic(
            "pool::backward: ",
            &[
                "dy has shape [1, 1, 4, 4]",
                "y has shape [1, 1, 2, 2]",
                "dy must have the shape of y",
                CONVENTION,
            ],
            || {
                backward(
                    &Array4::zeros((1, 1, 4, 4)),
                    &Array4::zeros((1, 1, 4, 4)),
                    p(2, 2, 2),
                );
            },
        );
    }

    #[test]
    fn shape_messages_end_with_this_modules_convention() {
        let msg = crate::testing::panic_message(|| {
            forward(&Array4::zeros((1, 2, 5, 4)), p(2, 2, 2));
        });
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }
}
