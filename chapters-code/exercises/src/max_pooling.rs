//! Exercises: max pooling
//! ([the chapter](../../../src/max-pooling.md#exercises)).
//!
//! Replace each `todo!()` with your answer, then run the command under the
//! exercise. `cargo run -p exercises` shows what is left.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use ndarray::{Array1, Array2};

/// **1. Max pooling in one dimension.** Windows of `window` entries that
/// do not overlap slide along `x`: `y[i]` is the largest of
/// `x[i·window .. (i + 1)·window]`. Return `dx` for the upstream gradient
/// `dy`; on a tie, the first largest entry takes the whole gradient.
///
/// Book: [exercise 1](../../../src/max-pooling.md#1-max-pooling-in-one-dimension).
/// Check: `cargo run -p exercises -- check max_pooling::max_pool_1d_backward`
pub fn max_pool_1d_backward(
    x: &Array1<f64>,
    dy: &Array1<f64>,
    window: usize,
) -> Array1<f64> {
    todo!()
}

/// **2. Average pooling.** Average pooling replaces each window's maximum
/// by its mean. Return `dx` for `2 × 2` windows with stride 2: `dy` is
/// `(M₁, M₂)` and `dx` is `(2M₁, 2M₂)`.
///
/// Book: [exercise 2](../../../src/max-pooling.md#2-average-pooling).
/// Check: `cargo run -p exercises -- check max_pooling::avg_pool_backward`
pub fn avg_pool_backward(dy: &Array2<f64>) -> Array2<f64> {
    todo!()
}

/// **3. One entry wins four windows (optional).** A `2 × 2` window with
/// stride 1 on a `3 × 3` input gives four overlapping windows. Return an
/// input (no two entries equal) whose centre entry wins all four.
///
/// Book: [exercise 3](../../../src/max-pooling.md#3-one-entry-wins-four-windows-optional).
/// Check: `cargo run -p exercises -- check max_pooling::centre_wins_everywhere`
pub fn centre_wins_everywhere() -> Array2<f64> {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

crate::exercises! { max_pooling:
    max_pool_1d_backward => |m| {
        let f = m::max_pool_1d_backward;
        let worst = worst([(8, 2), (9, 3), (4, 4), (3, 1)], |(len, window)| {
            let max = |c: ndarray::ArrayView1<f64>| c.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
            let forward = |x: &Array1<f64>| x.exact_chunks(window).into_iter().map(max).collect();
            layers("max pooling 1-D", [random(len, 41)], forward, |x, dy| f(x, dy, window))
        })?;
        let what = "dx at a tie, x = (1, 1), dy = (1): the first entry takes it all";
        close_array(what, &f(&v(&[1.0, 1.0]), &v(&[1.0]), 2), &v(&[1.0, 0.0]), 0.0)?;
        passed("ties go to the first entry; layer check at 4 sizes", worst)
    };
    avg_pool_backward => |m| {
        // The chapter's x and dy, one (4, 4) image and its (2, 2) dy.
        let (x, dy, _) = pool::example();
        let (x, dy) = (x.into_shape_with_order((4, 4)).unwrap(), dy.into_shape_with_order((2, 2)));
        let dx = m::avg_pool_backward(&dy.unwrap());
        close("dx[[0, 0]] for the chapter's dy", dx[[0, 0]], 0.125, 1e-15)?;
        let average = |x: &Array2<f64>| {
            let window = |(i, j)| x.slice(s![2 * i..2 * i + 2, 2 * j..2 * j + 2]).sum() / 4.0;
            Array2::from_shape_fn((x.nrows() / 2, x.ncols() / 2), window)
        };
        let xs = [x, random((6, 2), 42)];
        let worst = layers("average pooling", xs, average, |_, dy| m::avg_pool_backward(dy))?;
        passed("dx[[0, 0]] = 0.125; layer check on the chapter's x and a (6, 2) input", worst)
    };
    centre_wins_everywhere => |m| {
        let x = m::centre_wins_everywhere();
        let finite = x.dim() == (3, 3) && x.iter().all(|v| v.is_finite());
        ensure(finite, format!("expected a 3 × 3 input of finite numbers, got\n{x}"))?;
        let mut sorted: Vec<f64> = x.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let distinct = sorted.windows(2).all(|w| w[0] != w[1]);
        ensure(distinct, format!("two entries of\n{x}\nare equal: a tie is a kink"))?;
        let x4: Array4<f64> = x.into_shape_with_order((1, 1, 3, 3)).unwrap();
        let dy = array![[1.0, -2.0], [0.25, 4.0]].into_shape_with_order((1, 1, 2, 2)).unwrap();
        let p = PoolParams { height: 2, width: 2, stride: 1 };
        let dx = pool::backward(&x4, &dy, p);
        close("the centre's gradient, against the sum of dy", dx[[0, 0, 1, 1]], dy.sum(), 1e-15)?;
        Ok(format!("the centre wins all four windows: its gradient is the sum of dy, {}", dy.sum()))
    };
}
