//! The convolution layer, forward and backward, twice: as plain loops
//! ([`forward_loops`], [`backward_loops`]), the form the chapter derives
//! first, and as the affine layer applied to image patches ([`forward`],
//! [`backward`]), the form a network uses.
//!
//! **Layer.** Each of `F` filters slides over the input and, at every
//! position, takes the dot product of its weights with the window under it
//! and adds its bias. This is cross-correlation (the filter is not
//! flipped), as deep-learning libraries compute it:
//!
//! ```text
//! y[k, f, i1, i2] = b[f] + Σ_{c, o1, o2} w[f, c, o1, o2] · xp[k, c, S·i1 + o1, S·i2 + o2]
//! ```
//!
//! where `xp` is `x` with `R` rings of zeros around each image (the
//! padding), `S` is the stride, `k` the image, `f` the filter, `c` the
//! channel, `(i1, i2)` the output position and `(o1, o2)` the offset inside
//! the filter.
//!
//! **Shapes** ([`CONVENTION`]): `x` is `(n, C, D₁, D₂)` (images, channels,
//! height, width), `w` is `(F, C, Q₁, Q₂)`, `b` has length `F`, and `y` is
//! `(n, F, M₁, M₂)` with `M = 1 + (D + 2R − Q) / S` along each axis. Sizes
//! for which the division is not exact are refused: the last window would
//! not end at the padded input's edge, and the inputs past the last window would get no
//! gradient for a reason no shape shows.
//!
//! **Cache.** Backward needs the filters `w` and the input `x` (each
//! gradient is the other one times `dy`), not the output `y` and not `b`.
//! [`forward`] builds the patch matrix `X_col = im2col(x)` anyway, so it
//! returns it, in a [`Cache`], next to `y`, and [`backward`] takes that
//! cache in place of `x`. Keeping `X_col` costs memory (`Q₁·Q₂` copies of
//! every input entry, for stride 1) and saves building it again. The loops
//! keep `x` itself.
//!
//! **Argument order**, as in every layer: the weights `w`, then the input
//! `x` (or its cache), then `b` or `dy`, and the settings [`ConvParams`]
//! last.
//!
//! The 1-D functions [`forward_1d`] and [`backward_1d`] are the chapter's
//! first example: one filter of length `Q` sliding along one signal of
//! length `D`.

use crate::shapes::Checker;
use crate::{affine, Error};
use ndarray::{
    s, Array1, Array2, Array4, ArrayView3, ArrayView4, ArrayViewMut3, Axis,
};

/// The shape convention of this module, repeated in every shape message.
pub const CONVENTION: &str = "convention: X is (n, C, D₁, D₂), W is (F, C, Q₁, Q₂), \
     b has length F, Y is (n, F, M₁, M₂) with M = 1 + (D + 2R − Q)/S along each axis \
     (S the stride, R the padding)";

/// This module's shape checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// Stride and zero padding of a convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvParams {
    /// The stride `S`: how far the filter moves between neighbouring
    /// outputs (at least 1).
    pub stride: usize,
    /// The padding `R`: how many rings of zeros are added around every
    /// image (top, bottom, left and right).
    pub pad: usize,
}

/// The three gradients of a convolution, each shaped like its input.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `∂L/∂w`, shape `(F, C, Q₁, Q₂)`.
    pub dw: Array4<f64>,
    /// `∂L/∂x`, shape `(n, C, D₁, D₂)`.
    pub dx: Array4<f64>,
    /// `∂L/∂b = Σ_{k, i1, i2} dy[k, f, i1, i2]`, length `F`.
    pub db: Array1<f64>,
}

/// The gradients of the 1-D convolution [`forward_1d`]: the same three as
/// [`Gradients`], for one filter on one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients1d {
    /// `∂L/∂w`, length `Q`.
    pub dw: Array1<f64>,
    /// `∂L/∂x`, length `D`.
    pub dx: Array1<f64>,
    /// `∂L/∂b = Σ_i dy[i]`.
    pub db: f64,
}

// Shown in "Convolution", section "One dimension, one filter".
/// One filter `w` (length `Q`) sliding along one signal `x` (length `D`),
/// stride 1, no padding: `y[i] = b + Σ_o w[o] · x[i + o]`, for
/// `i = 0, …, D − Q`, so `y` has length `M = D − Q + 1`.
///
/// # Panics
/// If the filter is longer than the signal.
// ANCHOR: forward_1d
#[track_caller]
pub fn forward_1d(w: &Array1<f64>, x: &Array1<f64>, b: f64) -> Array1<f64> {
    check_fits_1d("conv::forward_1d", w, x).unwrap_or_else(|e| e.raise());
    let m = x.len() - w.len() + 1;
    Array1::from_shape_fn(m, |i| {
        let mut y = b;
        for o in 0..w.len() {
            y += w[o] * x[i + o];
        }
        y
    })
}
// ANCHOR_END: forward_1d

// Shown in "Convolution", section "One dimension, one filter".
/// Backward pass of [`forward_1d`]: every output `y[i]` sends
/// `w[o] · dy[i]` to `x[i + o]` and `x[i + o] · dy[i]` to `w[o]`, and `b`
/// receives `dy[i]` from every output. So `dw[o] = Σ_i dy[i] · x[i + o]`,
/// `db = Σ_i dy[i]` and `dx[i + o] += w[o] · dy[i]`.
///
/// Shapes: `w` has length `Q`, `x` length `D`, `dy` length `D − Q + 1`.
///
/// # Panics
/// If the filter is longer than the signal, or `dy` is not the length of
/// `y`.
// ANCHOR: backward_1d
#[track_caller]
pub fn backward_1d(
    w: &Array1<f64>,
    x: &Array1<f64>,
    dy: &Array1<f64>,
) -> Gradients1d {
    check_fits_1d("conv::backward_1d", w, x).unwrap_or_else(|e| e.raise());
    let y_len = [x.len() - w.len() + 1];
    SHAPES
        .check(
            dy.shape() == y_len,
            "conv::backward_1d",
            ("dy", dy.shape()),
            ("y", &y_len),
            "dy must be y's length D − Q + 1 (x has length D, w length Q)",
        )
        .unwrap_or_else(|e| e.raise());
    let mut g = Gradients1d {
        dw: Array1::zeros(w.len()),
        dx: Array1::zeros(x.len()),
        db: 0.0,
    };
    for i in 0..dy.len() {
        g.db += dy[i]; // b is used by every output: fan-out
        for o in 0..w.len() {
            g.dw[o] += dy[i] * x[i + o]; // every output uses w[o]: fan-out
            g.dx[i + o] += w[o] * dy[i]; // x[i + o] is used by up to Q outputs
        }
    }
    g
}
// ANCHOR_END: backward_1d

fn check_fits_1d(
    context: &str,
    w: &Array1<f64>,
    x: &Array1<f64>,
) -> Result<(), Error> {
    SHAPES.check(
        w.len() <= x.len(),
        context,
        ("x", x.shape()),
        ("w", w.shape()),
        "the filter w must not be longer than the signal x (1-D: x has length D, w length Q ≤ D)",
    )
}

/// The output's length along one axis, `M = 1 + (D + 2R − Q) / S`, after
/// checking that the stride is at least 1 and that the filter fits in the
/// padded input and the windows end exactly at its edge; otherwise the crate's [`Error`], naming
/// `x` and `w` by their shapes.
///
/// `axis` names the axis in messages (`"height"` or `"width"`).
fn output_size(
    context: &str,
    axis: &str,
    (d, q): (usize, usize),
    p: ConvParams,
    x: (&str, &[usize]),
    w: (&str, &[usize]),
) -> Result<usize, Error> {
    let padded = d + 2 * p.pad;
    SHAPES.check(
        p.stride > 0,
        context,
        x,
        w,
        "the stride must be at least 1, not 0",
    )?;
    // Each rule is formatted only for a message.
    if q > padded {
        let rule = format!(
            "the filter's {axis} ({q}) is larger than the padded input's \
             ({d} + 2·{} = {padded})",
            p.pad
        );
        SHAPES.check(false, context, x, w, &rule)?;
    }
    if !(padded - q).is_multiple_of(p.stride) {
        let rule = format!(
            "with stride {} and padding {} the windows do not end at the padded input's edge along its {axis}: \
             {d} + 2·{} − {q} = {} is not a multiple of {}",
            p.stride,
            p.pad,
            p.pad,
            padded - q,
            p.stride
        );
        SHAPES.check(false, context, x, w, &rule)?;
    }
    Ok(1 + (padded - q) / p.stride)
}

/// Checks `w` against `x` (channels, fit, tiling) and returns the shape of
/// `y`, `[n, F, M₁, M₂]`.
fn output_shape(
    context: &str,
    w: &Array4<f64>,
    xs: &[usize],
    p: ConvParams,
) -> Result<[usize; 4], Error> {
    let ws = w.shape();
    SHAPES.check(
        ws[1] == xs[1],
        context,
        ("x", xs),
        ("w", ws),
        "w's channels (axis 1) must equal x's channels (axis 1), C",
    )?;
    let m1 = output_size(
        context,
        "height",
        (xs[2], ws[2]),
        p,
        ("x", xs),
        ("w", ws),
    )?;
    let m2 =
        output_size(context, "width", (xs[3], ws[3]), p, ("x", xs), ("w", ws))?;
    Ok([xs[0], ws[0], m1, m2])
}

fn check_bias(
    context: &str,
    w: &Array4<f64>,
    b: &Array1<f64>,
) -> Result<(), Error> {
    SHAPES.check(
        b.len() == w.shape()[0],
        context,
        ("b", b.shape()),
        ("w", w.shape()),
        "b's length must equal w's filters (axis 0), F",
    )
}

fn check_cols(
    context: &str,
    name: &str,
    cols: &Array2<f64>,
    expected: [usize; 2],
) -> Result<(), Error> {
    if cols.shape() == expected {
        return Ok(()); // no message to format
    }
    SHAPES.check(
        false,
        context,
        (name, cols.shape()),
        ("im2col(x)", &expected),
        &format!("{name} must be (C·Q₁·Q₂, n·M₁·M₂)"),
    )
}

fn check_dy(
    context: &str,
    dy: &Array4<f64>,
    y_shape: &[usize; 4],
) -> Result<(), Error> {
    SHAPES.check(
        dy.shape() == y_shape,
        context,
        ("dy", dy.shape()),
        ("y", y_shape),
        "dy must have the shape of y",
    )
}

/// `x` with `r` rings of zeros around each image: shape
/// `(n, C, D₁ + 2r, D₂ + 2r)`.
fn pad(x: &Array4<f64>, r: usize) -> Array4<f64> {
    let (n, c, d1, d2) = x.dim();
    let mut xp = Array4::zeros((n, c, d1 + 2 * r, d2 + 2 * r));
    xp.slice_mut(s![.., .., r..r + d1, r..r + d2]).assign(x);
    xp
}

// Shown in "Convolution", section "Two dimensions".
/// Forward pass, as loops over every output entry:
/// `y[k, f, i1, i2] = b[f] + Σ_{c, o1, o2} w[f, c, o1, o2] · xp[k, c, S·i1 + o1, S·i2 + o2]`
/// with `xp` the zero-padded input. Computes the same numbers as
/// [`forward`].
///
/// Shapes: `w` `(F, C, Q₁, Q₂)`, `x` `(n, C, D₁, D₂)`, `b` `(F)`; returns
/// `y` `(n, F, M₁, M₂)`.
///
/// # Panics
/// On mismatched channels or bias length, a zero stride, a filter larger
/// than the padded input, or sizes at which the windows do not end at its edge.
// ANCHOR: forward_loops
#[track_caller]
pub fn forward_loops(
    w: &Array4<f64>,
    x: &Array4<f64>,
    b: &Array1<f64>,
    p: ConvParams,
) -> Array4<f64> {
    let context = "conv::forward_loops";
    let [n, filters, m1, m2] = output_shape(context, w, x.shape(), p)
        .and_then(|shape| check_bias(context, w, b).map(|()| shape))
        .unwrap_or_else(|e| e.raise());
    let (_, channels, q1, q2) = w.dim();
    let (xp, s) = (pad(x, p.pad), p.stride);
    let mut y = Array4::zeros((n, filters, m1, m2));
    for k in 0..n {
        for f in 0..filters {
            for i1 in 0..m1 {
                for i2 in 0..m2 {
                    let mut v = b[f];
                    for c in 0..channels {
                        for o1 in 0..q1 {
                            for o2 in 0..q2 {
                                v += w[[f, c, o1, o2]]
                                    * xp[[k, c, s * i1 + o1, s * i2 + o2]];
                            }
                        }
                    }
                    y[[k, f, i1, i2]] = v;
                }
            }
        }
    }
    y
}
// ANCHOR_END: forward_loops

// Shown in "Convolution", section "Two dimensions".
/// Backward pass, as loops: every output entry `y[k, f, i1, i2]` hands its
/// upstream gradient `g = dy[k, f, i1, i2]` to everything it was made from,
/// and the fan-out rule adds up what each input receives:
///
/// - `db[f] += g` (the bias is used by every output of filter `f`);
/// - `dw[f, c, o1, o2] += xp[k, c, j1, j2] · g` with `(j1, j2) =
///   (S·i1 + o1, S·i2 + o2)` (each weight is used at every position:
///   weight sharing);
/// - `dxp[k, c, j1, j2] += w[f, c, o1, o2] · g` (an input entry is used by
///   every window that covers it), and `dx` is `dxp` without the padding.
///
/// Shapes: `w` `(F, C, Q₁, Q₂)` and `x` `(n, C, D₁, D₂)`, both cached from
/// the forward pass; `dy` `(n, F, M₁, M₂)`. The gradients have the shapes
/// of `w`, `x` and `b`. Computes the same numbers as [`backward`].
///
/// # Panics
/// As [`forward_loops`], and if `dy` is not shaped like `y`.
// ANCHOR: backward_loops
#[track_caller]
pub fn backward_loops(
    w: &Array4<f64>,
    x: &Array4<f64>,
    dy: &Array4<f64>,
    p: ConvParams,
) -> Gradients {
    let context = "conv::backward_loops";
    let [n, filters, m1, m2] = output_shape(context, w, x.shape(), p)
        .and_then(|shape| check_dy(context, dy, &shape).map(|()| shape))
        .unwrap_or_else(|e| e.raise());
    let (_, channels, q1, q2) = w.dim();
    let (_, _, d1, d2) = x.dim();
    let (xp, s, r) = (pad(x, p.pad), p.stride, p.pad);
    let mut dxp = Array4::zeros(xp.raw_dim());
    let mut dw = Array4::zeros(w.raw_dim());
    let mut db = Array1::zeros(filters);
    for k in 0..n {
        for f in 0..filters {
            for i1 in 0..m1 {
                for i2 in 0..m2 {
                    let g = dy[[k, f, i1, i2]];
                    db[f] += g;
                    for c in 0..channels {
                        for o1 in 0..q1 {
                            for o2 in 0..q2 {
                                let (j1, j2) = (s * i1 + o1, s * i2 + o2);
                                dw[[f, c, o1, o2]] += xp[[k, c, j1, j2]] * g;
                                dxp[[k, c, j1, j2]] += w[[f, c, o1, o2]] * g;
                            }
                        }
                    }
                }
            }
        }
    }
    let dx = dxp.slice(s![.., .., r..r + d1, r..r + d2]).to_owned();
    Gradients { dw, dx, db }
}
// ANCHOR_END: backward_loops

/// Channel `c` of `xp` `(n, C, D₁ + 2R, D₂ + 2R)` seen through filter
/// entry `(o1, o2)`: the `(n, M₁, M₂)` view `xp[.., c, S·i1 + o1, S·i2 + o2]`,
/// which is entry `(c, o1, o2)` of the window under every output position
/// `(i1, i2)`.
fn shifted<'a>(
    xp: ArrayView4<'a, f64>,
    (c, o1, o2): (usize, usize, usize),
    (m1, m2): (usize, usize),
    s: usize,
) -> ArrayView3<'a, f64> {
    xp.slice_move(
        s![.., c, o1..o1 + (m1 - 1) * s + 1;s, o2..o2 + (m2 - 1) * s + 1;s],
    )
}

/// [`shifted`], writable.
fn shifted_mut<'a>(
    xp: &'a mut Array4<f64>,
    (c, o1, o2): (usize, usize, usize),
    (m1, m2): (usize, usize),
    s: usize,
) -> ArrayViewMut3<'a, f64> {
    xp.slice_mut(
        s![.., c, o1..o1 + (m1 - 1) * s + 1;s, o2..o2 + (m2 - 1) * s + 1;s],
    )
}

// Shown in "Convolution", section "im2col: the affine layer in disguise".
/// im2col: every window becomes one column. For a filter of `(Q₁, Q₂)`,
/// column `(k·M₁ + i1)·M₂ + i2` holds the window of image `k` under output
/// position `(i1, i2)`, and row `(c·Q₁ + o1)·Q₂ + o2` holds entry
/// `(c, o1, o2)` of every window:
/// `cols[(c·Q₁ + o1)·Q₂ + o2, (k·M₁ + i1)·M₂ + i2] = xp[k, c, S·i1 + o1, S·i2 + o2]`.
///
/// Shapes: `x` `(n, C, D₁, D₂)`; returns `(C·Q₁·Q₂, n·M₁·M₂)`, windows as
/// samples (columns).
///
/// # Panics
/// If the filter does not fit, or the windows do not end at the edge.
// ANCHOR: im2col
#[track_caller]
pub fn im2col(
    x: &Array4<f64>,
    (q1, q2): (usize, usize),
    p: ConvParams,
) -> Array2<f64> {
    let (n, channels, d1, d2) = x.dim();
    let filter = [channels, q1, q2];
    let (xs, fs) = (("x", x.shape()), ("filter", &filter[..]));
    let raise = |e: Error| e.raise();
    let m1 = output_size("conv::im2col", "height", (d1, q1), p, xs, fs)
        .unwrap_or_else(raise);
    let m2 = output_size("conv::im2col", "width", (d2, q2), p, xs, fs)
        .unwrap_or_else(raise);
    let xp = pad(x, p.pad);
    // Row (c, o1, o2) holds entry (c, o1, o2) of every window: channel c of
    // the padded input, shifted by (o1, o2) and read every S-th entry.
    let rows: Vec<ArrayView3<f64>> = (0..channels * q1 * q2)
        .map(|row| {
            let entry = (row / (q1 * q2), row / q2 % q1, row % q2);
            shifted(xp.view(), entry, (m1, m2), p.stride)
        })
        .collect();
    let cols =
        ndarray::stack(Axis(0), &rows).expect("every row is (n, M₁, M₂)");
    cols.into_shape_with_order((channels * q1 * q2, n * m1 * m2))
        .expect("stacked rows are contiguous")
}
// ANCHOR_END: im2col

// Shown in "Convolution", section "im2col: the affine layer in disguise".
/// col2im, the adjoint of [`im2col`]: every entry of column
/// `(k·M₁ + i1)·M₂ + i2` is added back to the input position it was copied
/// from. Windows that overlap add up (the fan-out rule), and entries that
/// landed in the padding are dropped.
///
/// Shapes: `cols` `(C·Q₁·Q₂, n·M₁·M₂)`; `x_dim` is `(n, C, D₁, D₂)`;
/// returns an array of shape `x_dim`.
///
/// # Panics
/// If the filter does not fit, or the windows do not end at the edge, or `cols` is not
/// `(C·Q₁·Q₂, n·M₁·M₂)`.
// ANCHOR: col2im
#[track_caller]
pub fn col2im(
    cols: &Array2<f64>,
    x_dim: (usize, usize, usize, usize),
    (q1, q2): (usize, usize),
    p: ConvParams,
) -> Array4<f64> {
    let (n, channels, d1, d2) = x_dim;
    let (x_shape, filter) = ([n, channels, d1, d2], [channels, q1, q2]);
    let (xs, fs) = (("x", &x_shape[..]), ("filter", &filter[..]));
    let raise = |e: Error| e.raise();
    let m1 = output_size("conv::col2im", "height", (d1, q1), p, xs, fs)
        .unwrap_or_else(raise);
    let m2 = output_size("conv::col2im", "width", (d2, q2), p, xs, fs)
        .unwrap_or_else(raise);
    check_cols(
        "conv::col2im",
        "cols",
        cols,
        [channels * q1 * q2, n * m1 * m2],
    )
    .unwrap_or_else(|e| e.raise());
    let r = p.pad;
    let mut dxp = Array4::zeros((n, channels, d1 + 2 * r, d2 + 2 * r));
    for (row, values) in cols.axis_iter(Axis(0)).enumerate() {
        let entry = (row / (q1 * q2), row / q2 % q1, row % q2);
        let values = values
            .into_shape_with_order((n, m1, m2))
            .expect("a row of cols has n·M₁·M₂ entries");
        // Scatter-add: where windows overlap, the rows add up.
        let mut window = shifted_mut(&mut dxp, entry, (m1, m2), p.stride);
        window += &values;
    }
    dxp.slice(s![.., .., r..r + d1, r..r + d2]).to_owned()
}
// ANCHOR_END: col2im

// Shown in "Convolution", section "im2col: the affine layer in disguise".
/// `w` `(F, C, Q₁, Q₂)` as the affine layer's weight matrix
/// `(F, C·Q₁·Q₂)`: row `f` is filter `f`, read in `(c, o1, o2)` order.
// ANCHOR: w_col
pub fn w_col(w: &Array4<f64>) -> Array2<f64> {
    let (filters, channels, q1, q2) = w.dim();
    w.to_shape((filters, channels * q1 * q2))
        .expect("a (F, C, Q₁, Q₂) array has F·C·Q₁·Q₂ entries")
        .into_owned()
}
// ANCHOR_END: w_col

/// What [`forward`] keeps for [`backward`]: the patch matrix
/// `X_col = im2col(x)`, `(C·Q₁·Q₂, n·M₁·M₂)`, and the shape of `x`,
/// `(n, C, D₁, D₂)`, which `X_col` alone does not determine.
#[derive(Debug, Clone, PartialEq)]
pub struct Cache {
    /// `im2col(x)`, shape `(C·Q₁·Q₂, n·M₁·M₂)`.
    pub x_col: Array2<f64>,
    /// The shape of `x`, `(n, C, D₁, D₂)`.
    pub x_dim: (usize, usize, usize, usize),
}

impl Cache {
    // Shown in "Convolution", section "im2col: the affine layer in disguise".
    /// The cache of `x` for a filter of `(Q₁, Q₂)`: [`im2col`] and the
    /// shape. [`forward`] builds it; a caller that kept only `x` can build
    /// it again.
    ///
    /// # Panics
    /// As [`im2col`].
    // ANCHOR: cache
    // In `impl Cache`:
    #[track_caller]
    pub fn new(x: &Array4<f64>, filter: (usize, usize), p: ConvParams) -> Self {
        Cache {
            x_col: im2col(x, filter, p),
            x_dim: x.dim(),
        }
    }
    // ANCHOR_END: cache
}

// Shown in "Convolution", section "im2col: the affine layer in disguise".
/// Forward pass as an affine layer: `Y_col = W_col · X_col + b` with
/// `X_col = im2col(x)` `(C·Q₁·Q₂, n·M₁·M₂)` and `W_col` `(F, C·Q₁·Q₂)`,
/// then `Y_col` `(F, n·M₁·M₂)` is read back as `y` `(n, F, M₁, M₂)`.
/// Returns `y` and the [`Cache`] that [`backward`] takes. Computes the
/// same numbers as [`forward_loops`].
///
/// Shapes: `w` `(F, C, Q₁, Q₂)`, `x` `(n, C, D₁, D₂)`, `b` `(F)`.
///
/// # Panics
/// On mismatched channels or bias length, a zero stride, a filter larger
/// than the padded input, or sizes at which the windows do not end at its edge, with
/// [`try_forward`]'s message.
// ANCHOR: forward
#[track_caller]
pub fn forward(
    w: &Array4<f64>,
    x: &Array4<f64>,
    b: &Array1<f64>,
    p: ConvParams,
) -> (Array4<f64>, Cache) {
    try_forward(w, x, b, p).unwrap_or_else(|e| e.raise())
}

/// [`forward`] that returns bad input as `Err` instead of panicking.
pub fn try_forward(
    w: &Array4<f64>,
    x: &Array4<f64>,
    b: &Array1<f64>,
    p: ConvParams,
) -> Result<(Array4<f64>, Cache), Error> {
    let [n, filters, m1, m2] = output_shape("conv::forward", w, x.shape(), p)?;
    check_bias("conv::forward", w, b)?;
    let cache = Cache::new(x, (w.dim().2, w.dim().3), p);
    let y_col = affine::forward(&w_col(w), &cache.x_col, b); // (F, n·M₁·M₂)
    let y = y_col
        .into_shape_with_order((filters, n, m1 * m2))
        .expect("Y_col has F·n·M₁·M₂ entries")
        .permuted_axes([1, 0, 2]) // (n, F, M₁·M₂)
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((n, filters, m1, m2))
        .expect("y has n·F·M₁·M₂ entries");
    Ok((y, cache))
}
// ANCHOR_END: forward

// Shown in "Convolution", section "im2col: the affine layer in disguise".
/// Backward pass as an affine layer, from the [`Cache`] of the forward
/// pass. With `dY_col` the upstream gradient laid out like `Y_col`
/// `(F, n·M₁·M₂)`, the affine layer's backward gives
/// `dW_col = dY_col · X_colᵀ` (reshaped to `(F, C, Q₁, Q₂)`),
/// `db = Σ over columns of dY_col` (over images and positions), and
/// `dX_col = W_colᵀ · dY_col`, which [`col2im`] scatter-adds into `dx`.
/// Computes the same numbers as [`backward_loops`].
///
/// Shapes: `w` `(F, C, Q₁, Q₂)`; `cache.x_col` `(C·Q₁·Q₂, n·M₁·M₂)`, the
/// [`im2col`] of an `x` of shape `cache.x_dim` `(n, C, D₁, D₂)`; `dy`
/// `(n, F, M₁, M₂)`. The gradients have the shapes of `w`, `x` and `b`.
///
/// # Panics
/// As [`forward`], if `dy` is not shaped like `y`, or if `cache.x_col` is
/// not `(C·Q₁·Q₂, n·M₁·M₂)`, with [`try_backward`]'s message.
// ANCHOR: backward
#[track_caller]
pub fn backward(
    w: &Array4<f64>,
    cache: &Cache,
    dy: &Array4<f64>,
    p: ConvParams,
) -> Gradients {
    try_backward(w, cache, dy, p).unwrap_or_else(|e| e.raise())
}

/// [`backward`] that returns bad input as `Err` instead of panicking.
pub fn try_backward(
    w: &Array4<f64>,
    cache: &Cache,
    dy: &Array4<f64>,
    p: ConvParams,
) -> Result<Gradients, Error> {
    let context = "conv::backward";
    let (n, channels, d1, d2) = cache.x_dim;
    let y_shape = output_shape(context, w, &[n, channels, d1, d2], p)?;
    check_dy(context, dy, &y_shape)?;
    let [_, filters, m1, m2] = y_shape;
    let (q1, q2) = (w.dim().2, w.dim().3);
    let expected = [channels * q1 * q2, n * m1 * m2];
    check_cols(context, "x_col", &cache.x_col, expected)?;
    let dy_col = dy
        .to_shape((n, filters, m1 * m2))
        .expect("dy has n·F·M₁·M₂ entries")
        .permuted_axes([1, 0, 2]) // (F, n, M₁·M₂)
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((filters, n * m1 * m2))
        .expect("dy has F·n·M₁·M₂ entries");
    let g = affine::backward(&w_col(w), &cache.x_col, &dy_col);
    Ok(Gradients {
        // `to_shape` reads dW_col in row-major order whatever its memory
        // layout: the product may come back column-major (for example
        // when it is an outer product, n·M₁·M₂ = 1).
        dw: g
            .dw
            .to_shape(w.raw_dim())
            .expect("dW_col has F·C·Q₁·Q₂ entries")
            .into_owned(),
        dx: col2im(&g.dx, cache.x_dim, (q1, q2), p),
        db: g.db,
    })
}
// ANCHOR_END: backward

// Shown in "Convolution", section "Two dimensions".
/// The chapter's worked example, `(w, x, b, dy, p)`: one 2 × 2 filter
/// `w = [[1, -1], [0.5, 2]]` as `(1, 1, 2, 2)`, one 3 × 3 image
/// `x = [[1, 2, 0], [-1, 3, 1], [2, 0, -2]]` as `(1, 1, 3, 3)`, bias
/// `b = [1]`, the upstream gradient `dy = [[1, 0], [0, -1]]` as
/// `(1, 1, 2, 2)`, stride 1 and no padding. They give
/// `y = [[5.5, 6.5], [-2, -1]]`, `∂L/∂w = [[-2, 1], [-1, 5]]`, `∂L/∂b = 0`
/// and `∂L/∂x = [[1, -1, 0], [0.5, 1, 1], [0, -0.5, -2]]`. The chapter, its
/// im2col figure and the unit tests use these numbers.
// ANCHOR: example
pub fn example() -> (
    Array4<f64>,
    Array4<f64>,
    Array1<f64>,
    Array4<f64>,
    ConvParams,
) {
    let image = |rows: Array2<f64>| {
        let (d1, d2) = rows.dim();
        rows.into_shape_with_order((1, 1, d1, d2))
            .expect("one image, one channel")
    };
    (
        image(ndarray::array![[1.0, -1.0], [0.5, 2.0]]),
        image(ndarray::array![
            [1.0, 2.0, 0.0],
            [-1.0, 3.0, 1.0],
            [2.0, 0.0, -2.0]
        ]),
        ndarray::array![1.0],
        image(ndarray::array![[1.0, 0.0], [0.0, -1.0]]),
        ConvParams { stride: 1, pad: 0 },
    )
}
// ANCHOR_END: example

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::random;
    use crate::layer_check::{arg, check_layer, input};
    use crate::testing::{
        assert_entries_close, assert_entries_eq, assert_shape_panic,
    };
    use ndarray::{array, ArrayD, ArrayViewD, ShapeBuilder};

    fn p(stride: usize, pad: usize) -> ConvParams {
        ConvParams { stride, pad }
    }

    fn image(rows: Array2<f64>) -> Array4<f64> {
        let (h, w) = rows.dim();
        rows.into_shape_with_order((1, 1, h, w)).unwrap()
    }

    /// `got` equals `want` to `tolerance`, or a failure naming `function`,
    /// the entry and the inputs `w`, `x` (quoted whole).
    #[track_caller]
    fn assert_close<D: ndarray::Dimension>(
        function: &str,
        got: (&str, &ndarray::Array<f64, D>),
        want: &ndarray::Array<f64, D>,
        inputs: &[(&str, ArrayViewD<f64>)],
        tolerance: f64,
    ) {
        assert_entries_close(function, got, want, inputs, tolerance);
    }

    #[test]
    fn one_d_matches_the_worked_numbers() {
        let x = array![1.0, 2.0, -1.0, 0.5, 3.0];
        let w = array![2.0, -1.0, 0.5];
        let inputs = [("w", w.view().into_dyn()), ("x", x.view().into_dyn())];
        let y = forward_1d(&w, &x, 0.25);
        // y0 = 2·1 − 2 + 0.5·(−1) + 0.25 = −0.25, and so on.
        assert_entries_eq(
            "conv::forward_1d",
            ("y", &y),
            &array![-0.25, 5.5, -0.75],
            &inputs,
        );
        let dy = array![1.0, -2.0, 0.5];
        let g = backward_1d(&w, &x, &dy);
        assert_eq!(g.db, -0.5, "conv::backward_1d: db = Σ dy");
        let inputs = [("x", x.view().into_dyn()), ("dy", dy.view().into_dyn())];
        assert_entries_eq(
            "conv::backward_1d",
            ("dw", &g.dw),
            &array![-3.5, 4.25, -0.5],
            &inputs,
        );
        let inputs = [("w", w.view().into_dyn()), ("dy", dy.view().into_dyn())];
        let want = array![2.0, -5.0, 3.5, -1.5, 0.25];
        assert_entries_eq("conv::backward_1d", ("dx", &g.dx), &want, &inputs);
    }

    #[test]
    fn one_d_passes_the_layer_check() {
        let x: Array1<f64> = random(7, 1);
        let w: Array1<f64> = random(3, 2);
        let b = ndarray::arr1(&[0.3]);
        let r = check_layer(
            "conv 1-d",
            &[input("w", &w), input("x", &x), input("b", &b)],
            |v| forward_1d(&arg(&v[0]), &arg(&v[1]), v[2][[0]]).into_dyn(),
            |v, dy| {
                let g = backward_1d(&arg(&v[0]), &arg(&v[1]), &arg(dy));
                vec![
                    g.dw.into_dyn(),
                    g.dx.into_dyn(),
                    ndarray::arr1(&[g.db]).into_dyn(),
                ]
            },
        );
        assert!(r.max_relative_error() < 1e-7, "{r:?}");
        assert_eq!(r.jacobians_compared, 3);
    }

    #[test]
    fn two_d_matches_the_worked_numbers() {
        // One 3x3 image, one 2x2 filter, stride 1, no padding.
        let (w, x, b, dy, q) = example();
        assert_eq!(q, p(1, 0));
        let inputs = [("w", w.view().into_dyn()), ("x", x.view().into_dyn())];
        let want = image(array![[5.5, 6.5], [-2.0, -1.0]]);
        let y = forward_loops(&w, &x, &b, q);
        assert_entries_eq("conv::forward_loops", ("y", &y), &want, &inputs);
        let (y, cache) = forward(&w, &x, &b, q);
        assert_entries_eq("conv::forward", ("y", &y), &want, &inputs);
        let want_dw = image(array![[-2.0, 1.0], [-1.0, 5.0]]);
        let want_dx =
            image(array![[1.0, -1.0, 0.0], [0.5, 1.0, 1.0], [0.0, -0.5, -2.0]]);
        let inputs = [
            ("w", w.view().into_dyn()),
            ("x", x.view().into_dyn()),
            ("dy", dy.view().into_dyn()),
        ];
        for (function, g) in [
            ("conv::backward_loops", backward_loops(&w, &x, &dy, q)),
            ("conv::backward", backward(&w, &cache, &dy, q)),
        ] {
            assert_entries_eq(function, ("db", &g.db), &array![0.0], &inputs);
            assert_entries_eq(function, ("dw", &g.dw), &want_dw, &inputs);
            assert_entries_eq(function, ("dx", &g.dx), &want_dx, &inputs);
        }
    }

    type Forward =
        fn(&Array4<f64>, &Array4<f64>, &Array1<f64>, ConvParams) -> Array4<f64>;
    type Backward =
        fn(&Array4<f64>, &Array4<f64>, &Array4<f64>, ConvParams) -> Gradients;

    /// The im2col form with the loops' signature: `x` in, `y` out, and the
    /// cache built from `x` again in backward.
    fn forward_im2col(
        w: &Array4<f64>,
        x: &Array4<f64>,
        b: &Array1<f64>,
        q: ConvParams,
    ) -> Array4<f64> {
        forward(w, x, b, q).0
    }

    fn backward_im2col(
        w: &Array4<f64>,
        x: &Array4<f64>,
        dy: &Array4<f64>,
        q: ConvParams,
    ) -> Gradients {
        backward(w, &Cache::new(x, (w.dim().2, w.dim().3), q), dy, q)
    }

    fn layer_check_at(
        name: &str,
        fwd: Forward,
        bwd: Backward,
        dims: [usize; 6],
        q: ConvParams,
    ) {
        let [n, c, h, f, hh, seed] = dims;
        let x: Array4<f64> = random((n, c, h, h), seed as u64);
        let w: Array4<f64> = random((f, c, hh, hh), seed as u64 + 1);
        let b: Array1<f64> = random(f, seed as u64 + 2);
        let r = check_layer(
            name,
            &[input("w", &w), input("x", &x), input("b", &b)],
            |v| fwd(&arg(&v[0]), &arg(&v[1]), &arg(&v[2]), q).into_dyn(),
            |v, dy: &ArrayD<f64>| {
                let g = bwd(&arg(&v[0]), &arg(&v[1]), &arg(dy), q);
                vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
            },
        );
        // check_layer panics on a failure; an entry passes when its relative
        // error is below 1e-7 or both values agree to 1e-10 (near zero).
        assert_eq!(r.gradients.len(), 3);
        assert!(r.gradients.iter().all(|(_, g)| g.skipped_kinks == 0));
    }

    #[test]
    fn loops_pass_the_layer_check() {
        // x is (n, 2, 5, 5), w is (F, 2, Q, Q), with strides and paddings that tile.
        let (fwd, bwd): (Forward, Backward) = (forward_loops, backward_loops);
        layer_check_at("conv loops", fwd, bwd, [2, 2, 5, 3, 3, 10], p(1, 0));
        layer_check_at("conv loops", fwd, bwd, [2, 2, 5, 3, 3, 20], p(1, 1));
        layer_check_at("conv loops", fwd, bwd, [1, 2, 5, 2, 3, 30], p(2, 2));
        layer_check_at("conv loops", fwd, bwd, [1, 1, 5, 2, 3, 40], p(3, 2));
    }

    #[test]
    fn im2col_passes_the_layer_check() {
        let (fwd, bwd): (Forward, Backward) = (forward_im2col, backward_im2col);
        layer_check_at("conv", fwd, bwd, [2, 2, 5, 3, 3, 11], p(1, 0));
        layer_check_at("conv", fwd, bwd, [1, 2, 5, 2, 3, 31], p(2, 2));
    }

    #[test]
    fn loops_and_im2col_agree_to_1e_12() {
        // (n, C, D₁, D₂, F, Q₁, Q₂, stride, padding)
        let cases = [
            (2, 3, 7, 7, 4, 3, 3, 1, 0),
            (2, 3, 7, 7, 4, 3, 3, 2, 0),
            (2, 3, 7, 7, 4, 3, 3, 2, 2),
            (3, 2, 8, 6, 2, 4, 2, 2, 2),
            (1, 1, 5, 9, 3, 1, 3, 2, 0),
            (2, 2, 6, 6, 3, 2, 2, 2, 2),
        ];
        for (k, &(n, c, h, wd, f, hh, ww, stride, pad)) in
            cases.iter().enumerate()
        {
            let q = p(stride, pad);
            let seed = 100 + 4 * k as u64;
            let x: Array4<f64> = random((n, c, h, wd), seed);
            let w: Array4<f64> = random((f, c, hh, ww), seed + 1);
            let b: Array1<f64> = random(f, seed + 2);
            let y = forward_loops(&w, &x, &b, q);
            let dy: Array4<f64> = random(y.raw_dim(), seed + 3);
            let function =
                format!("conv::forward against forward_loops, {q:?}");
            let (y2, cache) = forward(&w, &x, &b, q);
            assert_close(&function, ("y", &y2), &y, &[], 1e-12);
            let (g, h2) =
                (backward_loops(&w, &x, &dy, q), backward(&w, &cache, &dy, q));
            let function =
                format!("conv::backward against backward_loops, {q:?}");
            assert_close(&function, ("dx", &h2.dx), &g.dx, &[], 1e-12);
            assert_close(&function, ("dw", &h2.dw), &g.dw, &[], 1e-12);
            assert_close(&function, ("db", &h2.db), &g.db, &[], 1e-12);
        }
    }

    #[test]
    fn backward_reads_a_dy_in_any_memory_layout() {
        let q = p(1, 1);
        let (x, w, b): (Array4<f64>, Array4<f64>, Array1<f64>) = (
            random((2, 3, 4, 5), 90),
            random((4, 3, 3, 3), 91),
            random(4, 92),
        );
        let (y, cache) = forward(&w, &x, &b, q);
        let dy: Array4<f64> = random(y.raw_dim(), 93);
        let mut stored = Array4::zeros(dy.raw_dim().f()); // column-major
        stored.assign(&dy);
        assert!(!stored.is_standard_layout());
        let (got, want) = (
            backward(&w, &cache, &stored, q),
            backward(&w, &cache, &dy, q),
        );
        let inputs = [("dy", dy.view().into_dyn())];
        let function = "conv::backward, dy column-major";
        assert_entries_eq(function, ("dw", &got.dw), &want.dw, &inputs);
        assert_entries_eq(function, ("dx", &got.dx), &want.dx, &inputs);
        assert_entries_eq(function, ("db", &got.db), &want.db, &inputs);
    }

    #[test]
    fn the_cache_is_im2col_and_the_shape_of_x() {
        let q = p(2, 1);
        let x = random((2, 3, 5, 5), 40);
        let w = random((4, 3, 3, 3), 41);
        let b = random(4, 43);
        let (_, cache) = forward(&w, &x, &b, q);
        assert_eq!(cache.x_dim, x.dim(), "conv::forward: the cache's x_dim");
        let want = im2col(&x, (3, 3), q);
        assert_close(
            "conv::forward",
            ("cache.x_col", &cache.x_col),
            &want,
            &[],
            0.0,
        );
        let again = Cache::new(&x, (3, 3), q);
        assert_eq!(again.x_dim, x.dim(), "conv::Cache::new: x_dim");
        assert_close(
            "conv::Cache::new",
            ("x_col", &again.x_col),
            &want,
            &[],
            0.0,
        );
    }

    #[test]
    fn output_size_follows_the_formula() {
        let x = Array4::<f64>::zeros((2, 3, 7, 9));
        let w = Array4::<f64>::zeros((4, 3, 3, 3));
        let b = Array1::zeros(4);
        assert_eq!(forward(&w, &x, &b, p(1, 0)).0.dim(), (2, 4, 5, 7));
        assert_eq!(forward(&w, &x, &b, p(2, 0)).0.dim(), (2, 4, 3, 4));
        assert_eq!(forward_loops(&w, &x, &b, p(1, 1)).dim(), (2, 4, 7, 9));
        assert_eq!(forward(&w, &x, &b, p(2, 2)).0.dim(), (2, 4, 5, 6));
        // A 2 × 2 filter at stride 3 tiles 5 entries (5 − 2 = 3), though
        // 5 + 2 is not a multiple of 3.
        let (x5, w2) = (
            Array4::<f64>::zeros((1, 1, 5, 5)),
            Array4::<f64>::zeros((1, 1, 2, 2)),
        );
        assert_eq!(
            forward(&w2, &x5, &Array1::zeros(1), p(3, 0)).0.dim(),
            (1, 1, 2, 2)
        );
    }

    #[test]
    fn pad_adds_zeros_around_each_image() {
        let x = Array4::from_shape_fn((2, 3, 2, 4), |(n, c, i, j)| {
            (1 + n + c + i + j) as f64
        });
        for k in 0..3 {
            let xp = pad(&x, k);
            assert_eq!(xp.dim(), (2, 3, 2 + 2 * k, 4 + 2 * k));
            let inside = xp.slice(s![.., .., k..k + 2, k..k + 4]).to_owned();
            assert_close(
                &format!("conv::pad by {k}"),
                ("inside", &inside),
                &x,
                &[],
                0.0,
            );
            assert_eq!(xp.sum(), x.sum(), "everything else is zero");
        }
    }

    #[test]
    fn im2col_of_the_worked_example() {
        let (_, x, _, _, q) = example();
        let cols = im2col(&x, (2, 2), q);
        let want = array![
            [1.0, 2.0, -1.0, 3.0],
            [2.0, 0.0, 3.0, 1.0],
            [-1.0, 3.0, 2.0, 0.0],
            [3.0, 1.0, 0.0, -2.0]
        ];
        let inputs = [("x", x.view().into_dyn())];
        assert_entries_eq("conv::im2col", ("cols", &cols), &want, &inputs);
        // col2im of all ones counts how many patches cover each entry.
        let counts = col2im(&Array2::ones((4, 4)), (1, 1, 3, 3), (2, 2), q);
        let want =
            image(array![[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]);
        assert_entries_eq(
            "conv::col2im of ones",
            ("counts", &counts),
            &want,
            &[],
        );
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), c> = <x, col2im(c)> for every x and c, with padding
        // up to 3, where windows reach the far edge of the padding.
        for q in [p(2, 1), p(1, 3), p(2, 3)] {
            let x: Array4<f64> = random((2, 2, 5, 5), 7);
            let cols = im2col(&x, (3, 3), q);
            let c: Array2<f64> = random(cols.raw_dim(), 8);
            let lhs = (&cols * &c).sum();
            let rhs = (&x * &col2im(&c, x.dim(), (3, 3), q)).sum();
            assert!(
                (lhs - rhs).abs() < 1e-12,
                "conv::col2im is not im2col's adjoint at {q:?}: {lhs} ≠ {rhs}"
            );
        }
    }

    fn x4(shape: (usize, usize, usize, usize)) -> Array4<f64> {
        Array4::zeros(shape)
    }

    fn forward_y(
        w: &Array4<f64>,
        x: &Array4<f64>,
        b: &Array1<f64>,
        q: ConvParams,
    ) -> Array4<f64> {
        forward(w, x, b, q).0
    }

    #[test]
    fn rejects_mismatched_channels() {
        for (ctx, f) in [
            ("conv::forward_loops: ", forward_loops as Forward),
            ("conv::forward: ", forward_y as Forward),
        ] {
            assert_shape_panic(
                ctx,
                &[
                    "x has shape [2, 3, 5, 5] but w has shape [4, 2, 3, 3]",
                    "w's channels (axis 1) must equal x's channels",
                    CONVENTION,
                ],
                || {
                    f(
                        &x4((4, 2, 3, 3)),
                        &x4((2, 3, 5, 5)),
                        &Array1::zeros(4),
                        p(1, 0),
                    );
                },
            );
        }
    }

    #[test]
    fn rejects_a_bias_of_the_wrong_length() {
        for (ctx, f) in [
            ("conv::forward_loops: ", forward_loops as Forward),
            ("conv::forward: ", forward_y as Forward),
        ] {
            assert_shape_panic(
                ctx,
                &[
                    "b has shape [3] but w has shape [4, 3, 3, 3]",
                    "b's length must equal w's filters",
                    CONVENTION,
                ],
                || {
                    f(
                        &x4((4, 3, 3, 3)),
                        &x4((2, 3, 5, 5)),
                        &Array1::zeros(3),
                        p(1, 0),
                    );
                },
            );
        }
    }

    #[test]
    fn rejects_a_stride_that_does_not_tile() {
        // 5 + 0 − 2 = 3 is not a multiple of 2.
        for (ctx, f) in [
            ("conv::forward_loops: ", forward_loops as Forward),
            ("conv::forward: ", forward_y as Forward),
        ] {
            assert_shape_panic(
                ctx,
                &[
                    "x has shape [1, 1, 5, 5] but w has shape [1, 1, 2, 2]",
                    "with stride 2 and padding 0 the windows do not end at the padded input's edge along its height: \
                     5 + 2·0 − 2 = 3 is not a multiple of 2",
                    CONVENTION,
                ],
                || {
                    f(
                        &x4((1, 1, 2, 2)),
                        &x4((1, 1, 5, 5)),
                        &Array1::zeros(1),
                        p(2, 0),
                    );
                },
            );
        }
        let err = try_forward(
            &x4((1, 1, 2, 2)),
            &x4((1, 1, 5, 5)),
            &Array1::zeros(1),
            p(2, 0),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "conv::forward: x has shape [1, 1, 5, 5] but w has shape [1, 1, 2, 2]; \
                 with stride 2 and padding 0 the windows do not end at the padded input's edge along its height: \
                 5 + 2·0 − 2 = 3 is not a multiple of 2 ({CONVENTION})"
            )
        );
    }

    #[test]
    fn rejects_a_padding_that_does_not_tile() {
        // 6 + 2 − 2 = 6 tiles with stride 2 along the height, but along the width
        // 5 + 2·1 − 2 = 5 does not.
        assert_shape_panic(
            "conv::backward_loops: ",
            &[
                "x has shape [1, 1, 6, 5] but w has shape [1, 1, 2, 2]",
                "with stride 2 and padding 1 the windows do not end at the padded input's edge along its width: \
                 5 + 2·1 − 2 = 5 is not a multiple of 2",
                CONVENTION,
            ],
            || {
                backward_loops(
                    &x4((1, 1, 2, 2)),
                    &x4((1, 1, 6, 5)),
                    &x4((1, 1, 4, 3)),
                    p(2, 1),
                );
            },
        );
    }

    #[test]
    fn rejects_a_filter_larger_than_the_padded_input() {
        assert_shape_panic(
            "conv::forward: ",
            &[
                "x has shape [1, 1, 3, 3] but w has shape [1, 1, 6, 6]",
                "the filter's height (6) is larger than the padded input's (3 + 2·1 = 5)",
                CONVENTION,
            ],
            || {
                forward(
                    &x4((1, 1, 6, 6)),
                    &x4((1, 1, 3, 3)),
                    &Array1::zeros(1),
                    p(1, 1),
                );
            },
        );
    }

    #[test]
    fn accepts_a_filter_exactly_as_large_as_the_padded_input() {
        // One window covers the whole padded input: one output per filter.
        let (y, _) = forward(
            &x4((1, 1, 5, 5)),
            &x4((1, 1, 3, 3)),
            &Array1::zeros(1),
            p(1, 1),
        );
        assert_eq!(y.shape(), &[1, 1, 1, 1], "conv::forward: y's shape");
    }

    #[test]
    fn rejects_a_zero_stride() {
        assert_shape_panic(
            "conv::forward: ",
            &[
                "x has shape [1, 1, 3, 3] but w has shape [1, 1, 2, 2]",
                "the stride must be at least 1, not 0",
                CONVENTION,
            ],
            || {
                forward(
                    &x4((1, 1, 2, 2)),
                    &x4((1, 1, 3, 3)),
                    &Array1::zeros(1),
                    p(0, 0),
                );
            },
        );
        let cache = Cache {
            x_col: Array2::zeros((4, 4)),
            x_dim: (1, 1, 3, 3),
        };
        let err =
            try_backward(&x4((1, 1, 2, 2)), &cache, &x4((1, 1, 2, 2)), p(0, 0))
                .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "conv::backward: x has shape [1, 1, 3, 3] but w has shape [1, 1, 2, 2]; \
                 the stride must be at least 1, not 0 ({CONVENTION})"
            )
        );
    }

    #[test]
    fn backward_rejects_dy_not_shaped_like_y() {
        let cache = Cache {
            x_col: Array2::zeros((27, 18)),
            x_dim: (2, 3, 5, 5),
        };
        let backward_from_x =
            |w: &Array4<f64>, _: &Array4<f64>, dy: &Array4<f64>, q| {
                backward(w, &cache, dy, q)
            };
        assert_shape_panic(
            "conv::backward_loops: ",
            &[
                "dy has shape [2, 4, 5, 5] but y has shape [2, 4, 3, 3]",
                "dy must have the shape of y",
                CONVENTION,
            ],
            || {
                backward_loops(
                    &x4((4, 3, 3, 3)),
                    &x4((2, 3, 5, 5)),
                    &x4((2, 4, 5, 5)),
                    p(1, 0),
                );
            },
        );
        assert_shape_panic(
            "conv::backward: ",
            &[
                "dy has shape [2, 4, 5, 5] but y has shape [2, 4, 3, 3]",
                "dy must have the shape of y",
                CONVENTION,
            ],
            || {
                backward_from_x(
                    &x4((4, 3, 3, 3)),
                    &x4((2, 3, 5, 5)),
                    &x4((2, 4, 5, 5)),
                    p(1, 0),
                );
            },
        );
    }

    #[test]
    fn col2im_rejects_cols_of_the_wrong_shape() {
        assert_shape_panic(
            "conv::col2im: ",
            &[
                "cols has shape [4, 5] but im2col(x) has shape [4, 4]",
                "cols must be (C·Q₁·Q₂, n·M₁·M₂)",
                CONVENTION,
            ],
            || {
                col2im(&Array2::zeros((4, 5)), (1, 1, 3, 3), (2, 2), p(1, 0));
            },
        );
        assert_shape_panic(
            "conv::im2col: ",
            &[
                "x has shape [1, 1, 3, 3] but filter has shape [1, 4, 4]",
                "the filter's height (4) is larger than the padded input's (3 + 2·0 = 3)",
                CONVENTION,
            ],
            || {
                im2col(&x4((1, 1, 3, 3)), (4, 4), p(1, 0));
            },
        );
    }

    #[test]
    fn backward_rejects_a_cache_of_the_wrong_shape() {
        // x (1, 1, 3, 3) and a 2 × 2 filter: X_col is (4, 4), y (1, 1, 2, 2).
        let w = x4((1, 1, 2, 2));
        let cache = |rows, cols, x_dim| Cache {
            x_col: Array2::zeros((rows, cols)),
            x_dim,
        };
        assert_shape_panic(
            "conv::backward: ",
            &[
                "x_col has shape [4, 5] but im2col(x) has shape [4, 4]",
                "x_col must be (C·Q₁·Q₂, n·M₁·M₂)",
                CONVENTION,
            ],
            || {
                backward(
                    &w,
                    &cache(4, 5, (1, 1, 3, 3)),
                    &x4((1, 1, 2, 2)),
                    p(1, 0),
                );
            },
        );
        assert_shape_panic(
            "conv::backward: ",
            &[
                "x has shape [1, 2, 3, 3] but w has shape [1, 1, 2, 2]",
                "w's channels (axis 1)",
                CONVENTION,
            ],
            || {
                backward(
                    &w,
                    &cache(8, 4, (1, 2, 3, 3)),
                    &x4((1, 1, 2, 2)),
                    p(1, 0),
                );
            },
        );
    }

    #[test]
    fn one_d_rejects_a_filter_longer_than_the_signal_and_a_short_dy() {
        assert_shape_panic(
            "conv::forward_1d: ",
            &[
                "x has shape [2] but w has shape [3]",
                "must not be longer",
                CONVENTION,
            ],
            || {
                forward_1d(&Array1::zeros(3), &Array1::zeros(2), 0.0);
            },
        );
        assert_shape_panic(
            "conv::backward_1d: ",
            &[
                "dy has shape [2] but y has shape [3]",
                "length D − Q + 1",
                CONVENTION,
            ],
            || {
                backward_1d(
                    &Array1::zeros(3),
                    &Array1::zeros(5),
                    &Array1::zeros(2),
                );
            },
        );
    }
}
