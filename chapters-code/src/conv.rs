//! The convolution layer, forward and backward, twice: as plain loops
//! ([`forward`], [`backward`]) and as the affine layer applied to image
//! patches ([`forward_im2col`], [`backward_im2col`]).
//!
//! **Layer.** Each of `F` filters slides over the input and, at every
//! position, takes the dot product of its weights with the patch under it
//! and adds its bias. This is cross-correlation (the filter is not
//! flipped), as deep-learning libraries compute it:
//!
//! ```text
//! y[n, f, i, j] = b[f] + Σ_{c, k, l} w[f, c, k, l] · xp[n, c, i·stride + k, j·stride + l]
//! ```
//!
//! where `xp` is `x` with `pad` zeros added on every side of each image.
//!
//! **Shapes** ([`CONVENTION`]): `x` is `(N, C, H, W)` (samples, channels,
//! height, width: NCHW), `w` is `(F, C, HH, WW)`, `b` has length `F`, and
//! `y` is `(N, F, H', W')` with `H' = 1 + (H + 2·pad − HH) / stride` and
//! `W' = 1 + (W + 2·pad − WW) / stride`. Sizes for which the division is not
//! exact are rejected: the filter would not tile the padded input.
//!
//! **Cache.** Backward needs the input `x` and the filters `w` (each
//! gradient is the other one times `dy`), not the output `y` and not `b`.
//! The im2col version rebuilds the patch matrix from `x` in backward; a
//! layer that keeps it from forward trades memory (`HH·WW` copies of every
//! input entry, for stride 1) for that time.
//!
//! The 1-D functions [`forward_1d`] and [`backward_1d`] are the chapter's
//! first example: one filter sliding along one signal.

use crate::{affine, shapes};
use ndarray::{s, Array1, Array2, Array4, ArrayView3, ArrayView4, ArrayViewMut3, Axis};

/// The shape convention of this module, repeated in every shape message.
pub const CONVENTION: &str = "convention: x is (N, C, H, W), w is (F, C, HH, WW), \
     b has length F, y is (N, F, H', W') with H' = 1 + (H + 2·pad − HH)/stride";

/// [`shapes::require_all`] for two shapes: every shape message of this
/// module ends with its own [`CONVENTION`].
#[track_caller]
fn require(ok: bool, context: &str, a: (&str, &[usize]), b: (&str, &[usize]), rule: &str) {
    shapes::require_all(ok, context, &[a, b], rule, CONVENTION);
}

/// Stride and zero padding of a convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvParams {
    /// How far the filter moves between neighbouring outputs (at least 1).
    pub stride: usize,
    /// How many zeros are added on each side of every image (top, bottom,
    /// left and right).
    pub pad: usize,
}

/// The three gradients of a convolution, each shaped like its input.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvGrads {
    /// `∂L/∂x`, shape `(N, C, H, W)`.
    pub dx: Array4<f64>,
    /// `∂L/∂w`, shape `(F, C, HH, WW)`.
    pub dw: Array4<f64>,
    /// `∂L/∂b = Σ_{n, i, j} dy[n, f, i, j]`, length `F`.
    pub db: Array1<f64>,
}

/// The gradients of the 1-D convolution [`forward_1d`].
#[derive(Debug, Clone, PartialEq)]
pub struct Conv1dGrads {
    /// `∂L/∂x`, length `L`.
    pub dx: Array1<f64>,
    /// `∂L/∂w`, length `K`.
    pub dw: Array1<f64>,
    /// `∂L/∂b = Σ_i dy[i]`.
    pub db: f64,
}

// Shown in "Convolution", section "One dimension, one filter".
// ANCHOR: forward_1d
/// One filter `w` (length `K`) sliding along one signal `x` (length `L`),
/// stride 1, no padding: `y[i] = b + Σ_k w[k] · x[i + k]`, for
/// `i = 0, …, L − K`, so `y` has length `L − K + 1`.
///
/// # Panics
/// If the filter is longer than the signal.
pub fn forward_1d(x: &Array1<f64>, w: &Array1<f64>, b: f64) -> Array1<f64> {
    require_fits_1d("conv::forward_1d", x, w);
    let out = x.len() - w.len() + 1;
    Array1::from_shape_fn(out, |i| {
        let mut y = b;
        for k in 0..w.len() {
            y += w[k] * x[i + k];
        }
        y
    })
}
// ANCHOR_END: forward_1d

// Shown in "Convolution", section "One dimension, one filter".
// ANCHOR: backward_1d
/// Backward pass of [`forward_1d`]: every output `y[i]` sends
/// `w[k] · dy[i]` to `x[i + k]` and `x[i + k] · dy[i]` to `w[k]`, and `b`
/// receives `dy[i]` from every output. So `dw[k] = Σ_i dy[i] · x[i + k]`,
/// `db = Σ_i dy[i]` and `dx[i + k] += w[k] · dy[i]`.
///
/// Shapes: `x` has length `L`, `w` length `K`, `dy` length `L − K + 1`.
///
/// # Panics
/// If the filter is longer than the signal, or `dy` is not the length of
/// `y`.
pub fn backward_1d(x: &Array1<f64>, w: &Array1<f64>, dy: &Array1<f64>) -> Conv1dGrads {
    require_fits_1d("conv::backward_1d", x, w);
    let out = [x.len() - w.len() + 1];
    require(
        dy.shape() == out,
        "conv::backward_1d",
        ("dy", dy.shape()),
        ("y", &out),
        "dy must have the shape of y, length L − K + 1 (1-D: x has length L, w length K)",
    );
    let mut g = Conv1dGrads {
        dx: Array1::zeros(x.len()),
        dw: Array1::zeros(w.len()),
        db: 0.0,
    };
    for i in 0..dy.len() {
        g.db += dy[i]; // b is used by every output: fan-out
        for k in 0..w.len() {
            g.dw[k] += dy[i] * x[i + k]; // w[k] is used by every output: fan-out
            g.dx[i + k] += w[k] * dy[i]; // x[i + k] is used by up to K outputs
        }
    }
    g
}
// ANCHOR_END: backward_1d

#[track_caller]
fn require_fits_1d(context: &str, x: &Array1<f64>, w: &Array1<f64>) {
    require(
        w.len() <= x.len(),
        context,
        ("x", x.shape()),
        ("w", w.shape()),
        "the filter w must not be longer than the signal x (1-D: x has length L, w length K <= L)",
    );
}

// Shown in "Convolution", section "Sizes that do not tile".
// ANCHOR: output_size
/// The output size along one axis, `1 + (size + 2·pad − filter) / stride`,
/// after checking that the filter fits in the padded input and tiles it.
///
/// `axis` names the axis in messages (`"H"` or `"W"`); `x_shape` and
/// `w_shape` are the shapes named in the message.
///
/// # Panics
/// If the stride is 0, the filter is larger than the padded input, or
/// `size + 2·pad − filter` is not a multiple of the stride.
#[track_caller]
pub fn output_size(
    context: &str,
    axis: &str,
    (size, filter): (usize, usize),
    p: ConvParams,
    (x_name, x_shape): (&str, &[usize]),
    (w_name, w_shape): (&str, &[usize]),
) -> usize {
    let padded = size + 2 * p.pad;
    require(
        p.stride > 0,
        context,
        (x_name, x_shape),
        (w_name, w_shape),
        "the stride must be at least 1, not 0",
    );
    require(
        filter <= padded,
        context,
        (x_name, x_shape),
        (w_name, w_shape),
        &format!(
            "the filter's {axis} ({filter}) is larger than the padded input's \
             ({size} + 2·{} = {padded})",
            p.pad
        ),
    );
    require(
        (padded - filter).is_multiple_of(p.stride),
        context,
        (x_name, x_shape),
        (w_name, w_shape),
        &format!(
            "with stride {} and pad {} the filter does not tile the input along {axis}: \
             {size} + 2·{} − {filter} = {} is not a multiple of {}",
            p.stride,
            p.pad,
            p.pad,
            padded - filter,
            p.stride
        ),
    );
    1 + (padded - filter) / p.stride
}
// ANCHOR_END: output_size

/// Checks `x` against `w` (channels, fit, tiling) and returns the shape of
/// `y`, `[N, F, H', W']`.
#[track_caller]
fn output_shape(context: &str, xs: &[usize], w: &Array4<f64>, p: ConvParams) -> [usize; 4] {
    let ws = w.shape();
    require(
        ws[1] == xs[1],
        context,
        ("x", xs),
        ("w", ws),
        "w's channels (axis 1) must equal x's channels (axis 1), C",
    );
    let oh = output_size(context, "H", (xs[2], ws[2]), p, ("x", xs), ("w", ws));
    let ow = output_size(context, "W", (xs[3], ws[3]), p, ("x", xs), ("w", ws));
    [xs[0], ws[0], oh, ow]
}

#[track_caller]
fn require_bias(context: &str, w: &Array4<f64>, b: &Array1<f64>) {
    require(
        b.len() == w.shape()[0],
        context,
        ("b", b.shape()),
        ("w", w.shape()),
        "b's length must equal w's filters (axis 0), F",
    );
}

#[track_caller]
fn require_cols(context: &str, name: &str, cols: &Array2<f64>, expected: [usize; 2]) {
    require(
        cols.shape() == expected,
        context,
        (name, cols.shape()),
        ("im2col(x)", &expected),
        &format!("{name} must be (C·HH·WW, N·H'·W')"),
    );
}

#[track_caller]
fn require_dy(context: &str, dy: &Array4<f64>, y_shape: &[usize; 4]) {
    require(
        dy.shape() == y_shape,
        context,
        ("dy", dy.shape()),
        ("y", y_shape),
        "dy must have the shape of y",
    );
}

// Shown in "Convolution", section "im2col: the affine layer in disguise".
// ANCHOR: pad
/// `x` with `pad` zeros added before and after each image along H and W:
/// shape `(N, C, H + 2·pad, W + 2·pad)`.
pub fn pad(x: &Array4<f64>, pad: usize) -> Array4<f64> {
    let (n, c, h, w) = x.dim();
    let mut xp = Array4::zeros((n, c, h + 2 * pad, w + 2 * pad));
    xp.slice_mut(s![.., .., pad..pad + h, pad..pad + w])
        .assign(x);
    xp
}
// ANCHOR_END: pad

// Shown in "Convolution", section "Two dimensions".
// ANCHOR: forward
/// Forward pass, as loops over every output entry:
/// `y[n, f, i, j] = b[f] + Σ_{c, k, l} w[f, c, k, l] · xp[n, c, i·s + k, j·s + l]`
/// with `s` the stride and `xp` the zero-padded input.
///
/// Shapes: `x` `(N, C, H, W)`, `w` `(F, C, HH, WW)`, `b` `(F)`; returns `y`
/// `(N, F, H', W')`.
///
/// # Panics
/// On mismatched channels or bias length, a zero stride, a filter larger
/// than the padded input, or sizes that do not tile (see [`output_size`]).
pub fn forward(x: &Array4<f64>, w: &Array4<f64>, b: &Array1<f64>, p: ConvParams) -> Array4<f64> {
    let [big_n, big_f, oh, ow] = output_shape("conv::forward", x.shape(), w, p);
    require_bias("conv::forward", w, b);
    let (_, big_c, hh, ww) = w.dim();
    let xp = pad(x, p.pad);
    let s = p.stride;
    let mut y = Array4::zeros((big_n, big_f, oh, ow));
    for n in 0..big_n {
        for f in 0..big_f {
            for i in 0..oh {
                for j in 0..ow {
                    let mut v = b[f];
                    for c in 0..big_c {
                        for k in 0..hh {
                            for l in 0..ww {
                                v += w[[f, c, k, l]] * xp[[n, c, i * s + k, j * s + l]];
                            }
                        }
                    }
                    y[[n, f, i, j]] = v;
                }
            }
        }
    }
    y
}
// ANCHOR_END: forward

// Shown in "Convolution", section "Two dimensions".
// ANCHOR: backward
/// Backward pass, as loops: every output entry `y[n, f, i, j]` hands its
/// upstream gradient `g = dy[n, f, i, j]` to everything it was made from,
/// and the fan-out rule adds up what each input receives:
///
/// - `db[f] += g` (the bias is used by every output of filter `f`);
/// - `dw[f, c, k, l] += xp[n, c, i·s + k, j·s + l] · g` (each weight is
///   used at every position: weight sharing);
/// - `dxp[n, c, i·s + k, j·s + l] += w[f, c, k, l] · g` (an input entry is
///   used by every patch that covers it), and `dx` is `dxp` without the
///   padding.
///
/// Shapes: `x` `(N, C, H, W)` and `w` `(F, C, HH, WW)`, both cached from the
/// forward pass; `dy` `(N, F, H', W')`. The gradients have the shapes of
/// `x`, `w` and `b`.
///
/// # Panics
/// As [`forward`], and if `dy` is not shaped like `y`.
pub fn backward(x: &Array4<f64>, w: &Array4<f64>, dy: &Array4<f64>, p: ConvParams) -> ConvGrads {
    let y_shape = output_shape("conv::backward", x.shape(), w, p);
    require_dy("conv::backward", dy, &y_shape);
    let [big_n, big_f, oh, ow] = y_shape;
    let (_, big_c, hh, ww) = w.dim();
    let (_, _, h, wd) = x.dim();
    let xp = pad(x, p.pad);
    let s = p.stride;
    let mut dxp = Array4::zeros(xp.raw_dim());
    let mut dw = Array4::zeros(w.raw_dim());
    let mut db = Array1::zeros(big_f);
    for n in 0..big_n {
        for f in 0..big_f {
            for i in 0..oh {
                for j in 0..ow {
                    let g = dy[[n, f, i, j]];
                    db[f] += g;
                    for c in 0..big_c {
                        for k in 0..hh {
                            for l in 0..ww {
                                let (r, q) = (i * s + k, j * s + l);
                                dw[[f, c, k, l]] += xp[[n, c, r, q]] * g;
                                dxp[[n, c, r, q]] += w[[f, c, k, l]] * g;
                            }
                        }
                    }
                }
            }
        }
    }
    let dx = dxp
        .slice(s![.., .., p.pad..p.pad + h, p.pad..p.pad + wd])
        .to_owned();
    ConvGrads { dx, dw, db }
}
// ANCHOR_END: backward

// Shown in "Convolution", section "im2col: the affine layer in disguise".
// ANCHOR: im2col
/// Channel `c` of `xp` `(N, C, Hp, Wp)` seen through filter entry `(k, l)`:
/// the `(N, H', W')` view `xp[.., c, k + i·s, l + j·s]`, which is entry
/// `(c, k, l)` of the patch under every output position `(i, j)`.
fn shifted<'a>(
    xp: ArrayView4<'a, f64>,
    (c, k, l): (usize, usize, usize),
    (oh, ow): (usize, usize),
    s: usize,
) -> ArrayView3<'a, f64> {
    xp.slice_move(s![.., c, k..k + (oh - 1) * s + 1;s, l..l + (ow - 1) * s + 1;s])
}

/// [`shifted`], writable.
fn shifted_mut<'a>(
    xp: &'a mut Array4<f64>,
    (c, k, l): (usize, usize, usize),
    (oh, ow): (usize, usize),
    s: usize,
) -> ArrayViewMut3<'a, f64> {
    xp.slice_mut(s![.., c, k..k + (oh - 1) * s + 1;s, l..l + (ow - 1) * s + 1;s])
}

/// im2col: every receptive field becomes one column. For a filter of
/// `(HH, WW)`, column `(n·H' + i)·W' + j` holds the patch of sample `n`
/// under output position `(i, j)`, and row `(c·HH + k)·WW + l` holds
/// entry `(c, k, l)` of every patch:
/// `cols[(c·HH + k)·WW + l, (n·H' + i)·W' + j] = xp[n, c, i·s + k, j·s + l]`.
///
/// Shapes: `x` `(N, C, H, W)`; returns `(C·HH·WW, N·H'·W')`, patches as
/// samples (columns).
///
/// # Panics
/// If the filter does not fit or tile (see [`output_size`]).
pub fn im2col(x: &Array4<f64>, (hh, ww): (usize, usize), p: ConvParams) -> Array2<f64> {
    let (big_n, big_c, h, wd) = x.dim();
    let filter = [x.shape()[1], hh, ww];
    let oh = output_size(
        "conv::im2col",
        "H",
        (h, hh),
        p,
        ("x", x.shape()),
        ("filter", &filter),
    );
    let ow = output_size(
        "conv::im2col",
        "W",
        (wd, ww),
        p,
        ("x", x.shape()),
        ("filter", &filter),
    );
    let xp = pad(x, p.pad);
    // Row (c, k, l) holds entry (c, k, l) of every patch: channel c of the
    // padded input, shifted by (k, l) and read every s-th entry.
    let rows: Vec<ArrayView3<f64>> = (0..big_c * hh * ww)
        .map(|r| {
            shifted(
                xp.view(),
                (r / (hh * ww), r / ww % hh, r % ww),
                (oh, ow),
                p.stride,
            )
        })
        .collect();
    let cols = ndarray::stack(Axis(0), &rows).expect("every row is (N, H', W')");
    cols.into_shape_with_order((big_c * hh * ww, big_n * oh * ow))
        .expect("stacked rows are contiguous")
}
// ANCHOR_END: im2col

// Shown in "Convolution", section "im2col: the affine layer in disguise".
// ANCHOR: col2im
/// col2im, the adjoint of [`im2col`]: every entry of column
/// `(n·H' + i)·W' + j` is added back to the input position it was copied
/// from. Patches that overlap add up (the fan-out rule), and entries that
/// landed in the padding are dropped.
///
/// Shapes: `cols` `(C·HH·WW, N·H'·W')`; `x_dim` is `(N, C, H, W)`; returns
/// an array of shape `x_dim`.
///
/// # Panics
/// If the filter does not fit or tile, or `cols` is not
/// `(C·HH·WW, N·H'·W')`.
pub fn col2im(
    cols: &Array2<f64>,
    x_dim: (usize, usize, usize, usize),
    (hh, ww): (usize, usize),
    p: ConvParams,
) -> Array4<f64> {
    let (big_n, big_c, h, wd) = x_dim;
    let x_shape = [big_n, big_c, h, wd];
    let filter = [big_c, hh, ww];
    let oh = output_size(
        "conv::col2im",
        "H",
        (h, hh),
        p,
        ("x", &x_shape),
        ("filter", &filter),
    );
    let ow = output_size(
        "conv::col2im",
        "W",
        (wd, ww),
        p,
        ("x", &x_shape),
        ("filter", &filter),
    );
    require_cols(
        "conv::col2im",
        "cols",
        cols,
        [big_c * hh * ww, big_n * oh * ow],
    );
    let mut dxp = Array4::zeros((big_n, big_c, h + 2 * p.pad, wd + 2 * p.pad));
    for (r, row) in cols.axis_iter(Axis(0)).enumerate() {
        let (c, k, l) = (r / (hh * ww), r / ww % hh, r % ww);
        let row = row
            .into_shape_with_order((big_n, oh, ow))
            .expect("a row of cols has N·H'·W' entries");
        // Scatter-add: where patches overlap, the rows add up.
        let mut window = shifted_mut(&mut dxp, (c, k, l), (oh, ow), p.stride);
        window += &row;
    }
    dxp.slice(s![.., .., p.pad..p.pad + h, p.pad..p.pad + wd])
        .to_owned()
}
// ANCHOR_END: col2im

// Shown in "Convolution", section "im2col: the affine layer in disguise".
// ANCHOR: w_col
/// `w` `(F, C, HH, WW)` as the affine layer's weight matrix
/// `(F, C·HH·WW)`: row `f` is filter `f`, read in `(c, k, l)` order.
pub fn w_col(w: &Array4<f64>) -> Array2<f64> {
    let (big_f, big_c, hh, ww) = w.dim();
    w.to_shape((big_f, big_c * hh * ww))
        .expect("a (F, C, HH, WW) array has F·C·HH·WW entries")
        .into_owned()
}
// ANCHOR_END: w_col

// Shown in "Convolution", section "im2col: the affine layer in disguise".
// ANCHOR: forward_im2col
/// Forward pass as an affine layer: `Y_col = W_col · X_col + b` with
/// `X_col = im2col(x)` `(C·HH·WW, N·H'·W')` and `W_col` `(F, C·HH·WW)`, then
/// `Y_col` `(F, N·H'·W')` is read back as `y` `(N, F, H', W')`. Computes
/// the same numbers as [`forward`].
///
/// # Panics
/// As [`forward`].
pub fn forward_im2col(
    x: &Array4<f64>,
    w: &Array4<f64>,
    b: &Array1<f64>,
    p: ConvParams,
) -> Array4<f64> {
    let [big_n, big_f, oh, ow] = output_shape("conv::forward_im2col", x.shape(), w, p);
    require_bias("conv::forward_im2col", w, b);
    let x_col = im2col(x, (w.dim().2, w.dim().3), p);
    let y_col = affine::forward(&w_col(w), &x_col, b); // (F, N·H'·W')
    y_col
        .into_shape_with_order((big_f, big_n, oh, ow))
        .expect("Y_col has F·N·H'·W' entries")
        .permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
}
// ANCHOR_END: forward_im2col

// Shown in "Convolution", section "im2col: the affine layer in disguise".
// ANCHOR: backward_im2col
/// Backward pass as an affine layer: [`im2col`] builds `X_col` again from
/// `x`, and [`backward_cols`] does the rest. Computes the same numbers as
/// [`backward`].
///
/// Shapes: as [`backward`].
///
/// # Panics
/// As [`backward`].
pub fn backward_im2col(
    x: &Array4<f64>,
    w: &Array4<f64>,
    dy: &Array4<f64>,
    p: ConvParams,
) -> ConvGrads {
    let y_shape = output_shape("conv::backward_im2col", x.shape(), w, p);
    require_dy("conv::backward_im2col", dy, &y_shape);
    let x_col = im2col(x, (w.dim().2, w.dim().3), p);
    backward_cols(&x_col, x.dim(), w, dy, p)
}

/// Backward pass from `X_col` itself, which a layer can keep from its
/// forward pass instead of `x` (it built it there anyway). With `dY_col`
/// the upstream gradient laid out like `Y_col` `(F, N·H'·W')`, the affine
/// layer's backward gives `dW_col = dY_col · X_colᵀ` (reshaped to
/// `(F, C, HH, WW)`), `db = Σ over columns of dY_col` (over samples and
/// positions), and `dX_col = W_colᵀ · dY_col`, which [`col2im`]
/// scatter-adds into `dx`.
///
/// Shapes: `x_col` `(C·HH·WW, N·H'·W')`, the [`im2col`] of an `x` of shape
/// `x_dim` `(N, C, H, W)`; `w` `(F, C, HH, WW)`; `dy` `(N, F, H', W')`.
/// The gradients have the shapes of `x`, `w` and `b`.
///
/// # Panics
/// As [`backward`], and if `x_col` is not `(C·HH·WW, N·H'·W')`.
pub fn backward_cols(
    x_col: &Array2<f64>,
    x_dim: (usize, usize, usize, usize),
    w: &Array4<f64>,
    dy: &Array4<f64>,
    p: ConvParams,
) -> ConvGrads {
    let (n, c, h, wd) = x_dim;
    let y_shape = output_shape("conv::backward_cols", &[n, c, h, wd], w, p);
    require_dy("conv::backward_cols", dy, &y_shape);
    let [big_n, big_f, oh, ow] = y_shape;
    let (hh, ww) = (w.dim().2, w.dim().3);
    require_cols(
        "conv::backward_cols",
        "x_col",
        x_col,
        [c * hh * ww, big_n * oh * ow],
    );
    let dy_col = dy
        .view()
        .permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((big_f, big_n * oh * ow))
        .expect("dy has F·N·H'·W' entries");
    let g = affine::backward(&w_col(w), x_col, &dy_col);
    ConvGrads {
        dx: col2im(&g.dx, x_dim, (hh, ww), p),
        // `to_shape` reads dW_col in row-major order whatever its memory
        // layout: the product may come back column-major (for example
        // when it is an outer product, N·H'·W' = 1).
        dw: g
            .dw
            .to_shape(w.raw_dim())
            .expect("dW_col has F·C·HH·WW entries")
            .into_owned(),
        db: g.db,
    }
}
// ANCHOR_END: backward_im2col

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::random;
    use crate::layer_check::check_layer;
    use crate::testing::assert_shape_panic;
    use approx::assert_abs_diff_eq;
    use ndarray::{array, ArrayD, Ix4};

    fn p(stride: usize, pad: usize) -> ConvParams {
        ConvParams { stride, pad }
    }

    fn to4(a: &ArrayD<f64>) -> Array4<f64> {
        a.clone().into_dimensionality::<Ix4>().unwrap()
    }

    #[test]
    fn one_d_matches_the_worked_numbers() {
        let x = array![1.0, 2.0, -1.0, 0.5, 3.0];
        let w = array![2.0, -1.0, 0.5];
        let y = forward_1d(&x, &w, 0.25);
        // y0 = 2·1 − 2 + 0.5·(−1) + 0.25 = −0.25, and so on.
        assert_eq!(y, array![-0.25, 5.5, -0.75]);
        let dy = array![1.0, -2.0, 0.5];
        let g = backward_1d(&x, &w, &dy);
        assert_eq!(g.db, -0.5);
        assert_eq!(g.dw, array![-3.5, 4.25, -0.5]);
        assert_eq!(g.dx, array![2.0, -5.0, 3.5, -1.5, 0.25]);
    }

    #[test]
    fn one_d_passes_the_layer_check() {
        let x: Array1<f64> = random(7, 1);
        let w: Array1<f64> = random(3, 2);
        let b = ndarray::arr1(&[0.3]);
        let r = check_layer(
            "conv 1-d",
            &[
                ("x", x.into_dyn()),
                ("w", w.into_dyn()),
                ("b", b.into_dyn()),
            ],
            |v| {
                let x = v[0].clone().into_dimensionality().unwrap();
                let w = v[1].clone().into_dimensionality().unwrap();
                forward_1d(&x, &w, v[2][[0]]).into_dyn()
            },
            |v, dy| {
                let x = v[0].clone().into_dimensionality().unwrap();
                let w = v[1].clone().into_dimensionality().unwrap();
                let dy = dy.clone().into_dimensionality().unwrap();
                let g = backward_1d(&x, &w, &dy);
                vec![
                    g.dx.into_dyn(),
                    g.dw.into_dyn(),
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
        let x = array![[1.0, 2.0, 0.0], [-1.0, 3.0, 1.0], [2.0, 0.0, -2.0]]
            .into_shape_with_order((1, 1, 3, 3))
            .unwrap();
        let w = array![[1.0, -1.0], [0.5, 2.0]]
            .into_shape_with_order((1, 1, 2, 2))
            .unwrap();
        let b = array![1.0];
        let y = forward(&x, &w, &b, p(1, 0));
        let expected = array![[5.5, 6.5], [-2.0, -1.0]]
            .into_shape_with_order((1, 1, 2, 2))
            .unwrap();
        assert_eq!(y, expected);
        assert_eq!(forward_im2col(&x, &w, &b, p(1, 0)), expected);
        let dy = array![[1.0, 0.0], [0.0, -1.0]]
            .into_shape_with_order((1, 1, 2, 2))
            .unwrap();
        let g = backward(&x, &w, &dy, p(1, 0));
        assert_eq!(g.db, array![0.0]);
        let dw = array![[-2.0, 1.0], [-1.0, 5.0]]
            .into_shape_with_order((1, 1, 2, 2))
            .unwrap();
        assert_eq!(g.dw, dw);
        let dx = array![[1.0, -1.0, 0.0], [0.5, 1.0, 1.0], [0.0, -0.5, -2.0]]
            .into_shape_with_order((1, 1, 3, 3))
            .unwrap();
        assert_eq!(g.dx, dx);
    }

    type Conv = fn(&Array4<f64>, &Array4<f64>, &Array1<f64>, ConvParams) -> Array4<f64>;
    type ConvBack = fn(&Array4<f64>, &Array4<f64>, &Array4<f64>, ConvParams) -> ConvGrads;

    fn layer_check_at(name: &str, fwd: Conv, bwd: ConvBack, dims: [usize; 6], q: ConvParams) {
        let [n, c, h, f, hh, seed] = dims;
        let x: Array4<f64> = random((n, c, h, h), seed as u64);
        let w: Array4<f64> = random((f, c, hh, hh), seed as u64 + 1);
        let b: Array1<f64> = random(f, seed as u64 + 2);
        let r = check_layer(
            name,
            &[
                ("x", x.into_dyn()),
                ("w", w.into_dyn()),
                ("b", b.into_dyn()),
            ],
            |v| {
                let b = v[2].clone().into_dimensionality().unwrap();
                fwd(&to4(&v[0]), &to4(&v[1]), &b, q).into_dyn()
            },
            |v, dy| {
                let g = bwd(&to4(&v[0]), &to4(&v[1]), &to4(dy), q);
                vec![g.dx.into_dyn(), g.dw.into_dyn(), g.db.into_dyn()]
            },
        );
        // check_layer panics on a failure; an entry passes when its relative
        // error is below 1e-7 or both values agree to 1e-10 (near zero).
        assert_eq!(r.gradients.len(), 3);
        assert!(r.gradients.iter().all(|(_, g)| g.skipped_kinks == 0));
    }

    #[test]
    fn naive_passes_the_layer_check() {
        // x is (N, 2, 5, 5), w is (F, 2, HH, HH), with strides and pads that tile.
        layer_check_at("conv", forward, backward, [2, 2, 5, 3, 3, 10], p(1, 0));
        layer_check_at("conv", forward, backward, [2, 2, 5, 3, 3, 20], p(1, 1));
        layer_check_at("conv", forward, backward, [1, 2, 5, 2, 3, 30], p(2, 2));
        layer_check_at("conv", forward, backward, [1, 1, 5, 2, 3, 40], p(3, 2));
    }

    #[test]
    fn im2col_passes_the_layer_check() {
        layer_check_at(
            "conv im2col",
            forward_im2col,
            backward_im2col,
            [2, 2, 5, 3, 3, 11],
            p(1, 0),
        );
        layer_check_at(
            "conv im2col",
            forward_im2col,
            backward_im2col,
            [1, 2, 5, 2, 3, 31],
            p(2, 2),
        );
    }

    #[test]
    fn naive_and_im2col_agree_to_1e_12() {
        // (N, C, H, W, F, HH, WW, stride, pad)
        let cases = [
            (2, 3, 7, 7, 4, 3, 3, 1, 0),
            (2, 3, 7, 7, 4, 3, 3, 2, 0),
            (2, 3, 7, 7, 4, 3, 3, 2, 2),
            (3, 2, 8, 6, 2, 4, 2, 2, 2),
            (1, 1, 5, 9, 3, 1, 3, 2, 0),
            (2, 2, 6, 6, 3, 2, 2, 2, 2),
        ];
        for (k, &(n, c, h, wd, f, hh, ww, stride, pad)) in cases.iter().enumerate() {
            let q = p(stride, pad);
            let seed = 100 + 4 * k as u64;
            let x: Array4<f64> = random((n, c, h, wd), seed);
            let w: Array4<f64> = random((f, c, hh, ww), seed + 1);
            let b: Array1<f64> = random(f, seed + 2);
            let y = forward(&x, &w, &b, q);
            let dy: Array4<f64> = random(y.raw_dim(), seed + 3);
            assert_abs_diff_eq!(y, forward_im2col(&x, &w, &b, q), epsilon = 1e-12);
            let (g, h2) = (backward(&x, &w, &dy, q), backward_im2col(&x, &w, &dy, q));
            assert_abs_diff_eq!(g.dx, h2.dx, epsilon = 1e-12);
            assert_abs_diff_eq!(g.dw, h2.dw, epsilon = 1e-12);
            assert_abs_diff_eq!(g.db, h2.db, epsilon = 1e-12);
        }
    }

    #[test]
    fn output_size_follows_the_formula() {
        let x = Array4::<f64>::zeros((2, 3, 7, 9));
        let w = Array4::<f64>::zeros((4, 3, 3, 3));
        let b = Array1::zeros(4);
        assert_eq!(forward(&x, &w, &b, p(1, 0)).dim(), (2, 4, 5, 7));
        assert_eq!(forward(&x, &w, &b, p(2, 0)).dim(), (2, 4, 3, 4));
        assert_eq!(forward(&x, &w, &b, p(1, 1)).dim(), (2, 4, 7, 9));
        assert_eq!(forward(&x, &w, &b, p(2, 2)).dim(), (2, 4, 5, 6));
        // A 2 × 2 filter at stride 3 tiles 5 entries (5 − 2 = 3), though
        // 5 + 2 is not a multiple of 3.
        let (x5, w2) = (
            Array4::<f64>::zeros((1, 1, 5, 5)),
            Array4::<f64>::zeros((1, 1, 2, 2)),
        );
        assert_eq!(
            forward(&x5, &w2, &Array1::zeros(1), p(3, 0)).dim(),
            (1, 1, 2, 2)
        );
    }

    #[test]
    fn pad_adds_zeros_around_each_image() {
        let x = Array4::from_shape_fn((2, 3, 2, 4), |(n, c, i, j)| (1 + n + c + i + j) as f64);
        for k in 0..3 {
            let xp = pad(&x, k);
            assert_eq!(xp.dim(), (2, 3, 2 + 2 * k, 4 + 2 * k));
            assert_eq!(xp.slice(s![.., .., k..k + 2, k..k + 4]), x);
            assert_eq!(xp.sum(), x.sum(), "everything else is zero");
        }
    }

    #[test]
    fn im2col_of_the_worked_example() {
        let x = array![[1.0, 2.0, 0.0], [-1.0, 3.0, 1.0], [2.0, 0.0, -2.0]]
            .into_shape_with_order((1, 1, 3, 3))
            .unwrap();
        let cols = im2col(&x, (2, 2), p(1, 0));
        assert_eq!(
            cols,
            array![
                [1.0, 2.0, -1.0, 3.0],
                [2.0, 0.0, 3.0, 1.0],
                [-1.0, 3.0, 2.0, 0.0],
                [3.0, 1.0, 0.0, -2.0]
            ]
        );
        // col2im of all ones counts how many patches cover each entry.
        let counts = col2im(&Array2::ones((4, 4)), (1, 1, 3, 3), (2, 2), p(1, 0));
        assert_eq!(
            counts.into_shape_with_order((3, 3)).unwrap(),
            array![[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
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
            assert_abs_diff_eq!(lhs, rhs, epsilon = 1e-12);
        }
    }

    fn x4(shape: (usize, usize, usize, usize)) -> Array4<f64> {
        Array4::zeros(shape)
    }

    #[test]
    fn rejects_mismatched_channels() {
        for (ctx, f) in [
            ("conv::forward: ", forward as Conv),
            ("conv::forward_im2col: ", forward_im2col as Conv),
        ] {
            assert_shape_panic(
                ctx,
                &[
                    "x has shape [2, 3, 5, 5]",
                    "w has shape [4, 2, 3, 3]",
                    "w's channels (axis 1) must equal x's channels",
                    CONVENTION,
                ],
                || {
                    f(
                        &x4((2, 3, 5, 5)),
                        &x4((4, 2, 3, 3)),
                        &Array1::zeros(4),
                        p(1, 0),
                    );
                },
            );
        }
    }

    #[test]
    fn rejects_a_bias_of_the_wrong_length() {
        assert_shape_panic(
            "conv::forward: ",
            &[
                "b has shape [3]",
                "w has shape [4, 3, 3, 3]",
                "b's length must equal w's filters",
            ],
            || {
                forward(
                    &x4((2, 3, 5, 5)),
                    &x4((4, 3, 3, 3)),
                    &Array1::zeros(3),
                    p(1, 0),
                );
            },
        );
    }

    #[test]
    fn rejects_a_stride_that_does_not_tile() {
        // 5 + 0 − 2 = 3 is not a multiple of 2.
        for (ctx, f) in [
            ("conv::forward: ", forward as Conv),
            ("conv::forward_im2col: ", forward_im2col as Conv),
        ] {
            assert_shape_panic(
                ctx,
                &[
                    "x has shape [1, 1, 5, 5]",
                    "w has shape [1, 1, 2, 2]",
                    "with stride 2 and pad 0 the filter does not tile the input along H: \
                     5 + 2·0 − 2 = 3 is not a multiple of 2",
                ],
                || {
                    f(
                        &x4((1, 1, 5, 5)),
                        &x4((1, 1, 2, 2)),
                        &Array1::zeros(1),
                        p(2, 0),
                    );
                },
            );
        }
    }

    #[test]
    fn rejects_a_padding_that_does_not_tile() {
        // 6 + 2 − 2 = 6 tiles with stride 2 along H, but along W
        // 5 + 2·1 − 2 = 5 does not.
        assert_shape_panic(
            "conv::backward: ",
            &[
                "x has shape [1, 1, 6, 5]",
                "w has shape [1, 1, 2, 2]",
                "with stride 2 and pad 1 the filter does not tile the input along W: \
                 5 + 2·1 − 2 = 5 is not a multiple of 2",
            ],
            || {
                backward(
                    &x4((1, 1, 6, 5)),
                    &x4((1, 1, 2, 2)),
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
                "x has shape [1, 1, 3, 3]",
                "w has shape [1, 1, 6, 6]",
                "the filter's H (6) is larger than the padded input's (3 + 2·1 = 5)",
            ],
            || {
                forward(
                    &x4((1, 1, 3, 3)),
                    &x4((1, 1, 6, 6)),
                    &Array1::zeros(1),
                    p(1, 1),
                );
            },
        );
    }

    #[test]
    fn rejects_a_zero_stride() {
        assert_shape_panic(
            "conv::forward: ",
            &["the stride must be at least 1, not 0"],
            || {
                forward(
                    &x4((1, 1, 3, 3)),
                    &x4((1, 1, 2, 2)),
                    &Array1::zeros(1),
                    p(0, 0),
                );
            },
        );
    }

    #[test]
    fn backward_rejects_dy_not_shaped_like_y() {
        for (ctx, f) in [
            ("conv::backward: ", backward as ConvBack),
            ("conv::backward_im2col: ", backward_im2col as ConvBack),
        ] {
            assert_shape_panic(
                ctx,
                &[
                    "dy has shape [2, 4, 5, 5]",
                    "y has shape [2, 4, 3, 3]",
                    "dy must have the shape of y",
                ],
                || {
                    f(
                        &x4((2, 3, 5, 5)),
                        &x4((4, 3, 3, 3)),
                        &x4((2, 4, 5, 5)),
                        p(1, 0),
                    );
                },
            );
        }
    }

    #[test]
    fn col2im_rejects_cols_of_the_wrong_shape() {
        assert_shape_panic(
            "conv::col2im: ",
            &[
                "cols has shape [4, 5]",
                "im2col(x) has shape [4, 4]",
                "cols must be (C·HH·WW, N·H'·W')",
            ],
            || {
                col2im(&Array2::zeros((4, 5)), (1, 1, 3, 3), (2, 2), p(1, 0));
            },
        );
    }

    #[test]
    fn backward_cols_rejects_x_col_of_the_wrong_shape_and_a_wrong_dy() {
        // x (1, 1, 3, 3) and a 2 × 2 filter: X_col is (4, 4), y (1, 1, 2, 2).
        let w = x4((1, 1, 2, 2));
        assert_shape_panic(
            "conv::backward_cols: ",
            &[
                "x_col has shape [4, 5]",
                "im2col(x) has shape [4, 4]",
                "x_col must be (C·HH·WW, N·H'·W')",
            ],
            || {
                backward_cols(
                    &Array2::zeros((4, 5)),
                    (1, 1, 3, 3),
                    &w,
                    &x4((1, 1, 2, 2)),
                    p(1, 0),
                );
            },
        );
        assert_shape_panic(
            "conv::backward_cols: ",
            &[
                "dy has shape [1, 1, 3, 3]",
                "y has shape [1, 1, 2, 2]",
                "dy must have the shape of y",
            ],
            || {
                backward_cols(
                    &Array2::zeros((4, 4)),
                    (1, 1, 3, 3),
                    &w,
                    &x4((1, 1, 3, 3)),
                    p(1, 0),
                );
            },
        );
        assert_shape_panic(
            "conv::backward_cols: ",
            &[
                "x has shape [1, 2, 3, 3]",
                "w has shape [1, 1, 2, 2]",
                "w's channels (axis 1)",
            ],
            || {
                backward_cols(
                    &Array2::zeros((8, 4)),
                    (1, 2, 3, 3),
                    &w,
                    &x4((1, 1, 2, 2)),
                    p(1, 0),
                );
            },
        );
    }

    #[test]
    fn backward_cols_from_the_forward_cache_matches_backward() {
        let q = p(2, 1);
        let x = random((2, 3, 5, 5), 40);
        let w = random((4, 3, 3, 3), 41);
        let dy = random((2, 4, 3, 3), 42);
        let x_col = im2col(&x, (3, 3), q);
        let (a, b) = (
            backward(&x, &w, &dy, q),
            backward_cols(&x_col, x.dim(), &w, &dy, q),
        );
        assert_abs_diff_eq!(a.dx, b.dx, epsilon = 1e-12);
        assert_abs_diff_eq!(a.dw, b.dw, epsilon = 1e-12);
        assert_abs_diff_eq!(a.db, b.db, epsilon = 1e-12);
    }

    #[test]
    fn one_d_rejects_a_filter_longer_than_the_signal_and_a_short_dy() {
        assert_shape_panic(
            "conv::forward_1d: ",
            &["x has shape [2]", "w has shape [3]", "must not be longer"],
            || {
                forward_1d(&Array1::zeros(2), &Array1::zeros(3), 0.0);
            },
        );
        assert_shape_panic(
            "conv::backward_1d: ",
            &["dy has shape [2]", "y has shape [3]", "length L − K + 1"],
            || {
                backward_1d(&Array1::zeros(5), &Array1::zeros(3), &Array1::zeros(2));
            },
        );
    }

    #[test]
    fn shape_messages_end_with_this_modules_convention() {
        let msg = crate::testing::panic_message(|| {
            forward(
                &x4((2, 3, 5, 5)),
                &x4((4, 2, 3, 3)),
                &Array1::zeros(4),
                p(1, 0),
            );
        });
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }
}
