//! Exercises: the affine layer's weights
//! ([the chapter](../../../src/affine-weights.md#exercises)).
//!
//! Columns are samples unless an exercise says otherwise: `W` is `(m, d)`,
//! `X` is `(d, n)`, `b` has length `m` and `Y = WX + b` is `(m, n)`.

// A stub ignores its arguments until you write it.
#![allow(unused_variables)]

use backprop::affine::Gradients;
use ndarray::{Array1, Array2, Axis};

/// **1. Find the bug: a missing transpose.** This backward pass of
/// `Y = WX + b` should return `dW = dY Xᵀ`, `dX = Wᵀ dY` and
/// `db = Σ_k dY[.., k]`. One of the three is wrong (it even has the right
/// shape when `W` is square). Fix it.
///
/// Book: [exercise 1](../../../src/affine-weights.md#1-find-the-bug-a-missing-transpose).
/// Check: `cargo run -p exercises -- check affine_weights::backward`
pub fn backward(w: &Array2<f64>, x: &Array2<f64>, dy: &Array2<f64>) -> Gradients {
    Gradients {
        dw: dy.dot(&x.t()),
        dx: w.dot(dy),
        db: dy.sum_axis(Axis(1)),
    }
}

/// **2. A real loss: half the sum of squares.** With
/// `L = ½ Σ_{i,k} Y[[i, k]]²` and `Y = WX + b`, return `∂L/∂W`, shape
/// `(m, d)`. (`backprop::affine::forward` computes `Y`.)
///
/// Book: [exercise 2](../../../src/affine-weights.md#2-a-real-loss-half-the-sum-of-squares).
/// Check: `cargo run -p exercises -- check affine_weights::squared_loss_dw`
pub fn squared_loss_dw(w: &Array2<f64>, x: &Array2<f64>, b: &Array1<f64>) -> Array2<f64> {
    todo!()
}

/// **3. Rows as samples.** With samples as rows, `X` is `(n, d)`, `W` is
/// `(d, m)` and `Y = XW + b` is `(n, m)`. Return `(∂L/∂W, ∂L/∂X)` for an
/// upstream gradient `dY` of shape `(n, m)`.
///
/// Book: [exercise 3](../../../src/affine-weights.md#3-rows-as-samples).
/// Check: `cargo run -p exercises -- check affine_weights::row_layout_gradients`
pub fn row_layout_gradients(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>) {
    todo!()
}

/// **4. Which gradients a sample moves (optional).** Run the backward pass
/// (`backprop::affine::backward`) with two upstream gradients `dy` and
/// `dy2`, and return the columns of `dX`, then the columns of `dW`, in
/// which any entry differs, in increasing order.
///
/// Book: [exercise 4](../../../src/affine-weights.md#4-which-gradients-a-sample-moves-optional).
/// Check: `cargo run -p exercises -- check affine_weights::columns_that_move`
pub fn columns_that_move(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
    dy2: &Array2<f64>,
) -> (Vec<usize>, Vec<usize>) {
    todo!()
}

// Grading: how the exercises above are checked (you need not read on).

use crate::grade::*;
use backprop::affine;

crate::exercises! { affine_weights:
    backward => |m| affine_backward(m::backward);
    squared_loss_dw => |m| squared_loss(m::squared_loss_dw);
    row_layout_gradients => |m| row_layout(m::row_layout_gradients);
    columns_that_move => |m| columns(m::columns_that_move);
}

type Moves = fn(&Array2<f64>, &Array2<f64>, &Array2<f64>, &Array2<f64>) -> (Vec<usize>, Vec<usize>);

/// The chapter's `W` `(2, 3)` and two-sample `X` `(3, 2)`.
fn chapter() -> (Array2<f64>, Array2<f64>) {
    (
        array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]],
        array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]],
    )
}

fn affine_backward(f: fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> Gradients) -> Verdict {
    let mut reports = Vec::new();
    // Square W first: a missing transpose then keeps every shape right, and
    // the layer check names the wrong entries.
    for (m, d, n) in [(3, 3, 2), (2, 3, 4)] {
        let (w, x): (Array2<f64>, Array2<f64>) =
            (gradcheck::random((m, d), 11), gradcheck::random((d, n), 12));
        let b: Array1<f64> = gradcheck::random(m, 17);
        let inputs = [
            ("w", w.into_dyn()),
            ("x", x.into_dyn()),
            ("b", b.into_dyn()),
        ];
        let forward = |v: &[ArrayD<f64>]| {
            affine::forward(&matrix(&v[0]), &matrix(&v[1]), &vector(&v[2])).into_dyn()
        };
        reports.push(layer("affine", &inputs, forward, |v, dy| {
            let g = f(&matrix(&v[0]), &matrix(&v[1]), &matrix(dy));
            vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
        })?);
    }
    Ok(format!(
        "layer check of dW, dX and db at 2 shapes, max relative error {:.1e}",
        worst(&reports)
    ))
}

fn squared_loss(f: fn(&Array2<f64>, &Array2<f64>, &Array1<f64>) -> Array2<f64>) -> Verdict {
    let (w, x) = chapter();
    let want = array![[-1.0, 0.0, 3.0], [19.0, 6.0, -27.0]];
    close_array(
        "dW for the chapter's two-sample minibatch",
        &f(&w, &x, &array![0.5, -1.0]),
        &want,
        1e-12,
    )?;
    let (w, x): (Array2<f64>, Array2<f64>) =
        (gradcheck::random((2, 3), 11), gradcheck::random((3, 4), 12));
    let b: Array1<f64> = gradcheck::random(2, 18);
    let loss = |w: &Array2<f64>| 0.5 * affine::forward(w, &x, &b).mapv(|v| v * v).sum();
    let report = gradient(loss, &w, &f(&w, &x, &b))?;
    let worst = report.max_relative_error;
    Ok(format!("dW = [[-1, 0, 3], [19, 6, -27]] for the chapter's numbers; gradient check of L(W), max relative error {worst:.1e}"))
}

fn row_layout(
    f: fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> (Array2<f64>, Array2<f64>),
) -> Verdict {
    let mut reports = Vec::new();
    for (n, d, m) in [(3, 3, 3), (2, 3, 4)] {
        let (x, w): (Array2<f64>, Array2<f64>) =
            (gradcheck::random((n, d), 19), gradcheck::random((d, m), 20));
        let b: Array1<f64> = gradcheck::random(m, 21);
        let inputs = [("w", w.into_dyn()), ("x", x.into_dyn())];
        let forward = |v: &[ArrayD<f64>]| (matrix(&v[1]).dot(&matrix(&v[0])) + &b).into_dyn();
        reports.push(layer(
            "affine, rows as samples",
            &inputs,
            forward,
            |v, dy| {
                let (dw, dx) = f(&matrix(&v[0]), &matrix(&v[1]), &matrix(dy));
                vec![dw.into_dyn(), dx.into_dyn()]
            },
        )?);
    }
    let (w, x) = chapter();
    let (dw, dx) = f(
        &w.t().to_owned(),
        &x.t().to_owned(),
        &array![[0.5, -1.0], [1.0, 2.0]],
    );
    close_array(
        "dW for the chapter's numbers, transposed",
        &dw,
        &array![[0.0, -4.0], [0.5, -1.0], [2.5, 7.0]],
        1e-12,
    )?;
    close_array(
        "dX for the chapter's numbers, transposed",
        &dx,
        &array![[-2.5, -1.0, 1.25], [7.0, -2.0, -1.5]],
        1e-12,
    )?;
    Ok(format!(
        "the chapter's numbers, transposed; layer check at 2 shapes, max relative error {:.1e}",
        worst(&reports)
    ))
}

fn columns(f: Moves) -> Verdict {
    let (w, x) = chapter();
    let dy = array![[0.5, 1.0], [-1.0, 2.0]];
    let changed = |column: usize, values: [f64; 2]| {
        let mut dy2 = dy.clone();
        dy2.column_mut(column)
            .assign(&Array1::from(values.to_vec()));
        dy2
    };
    for (what, dy2, dx_cols, dw_cols) in [
        (
            "the second column",
            changed(1, [-3.0, 0.5]),
            vec![1],
            vec![0, 2],
        ),
        (
            "the first column",
            changed(0, [2.0, -0.5]),
            vec![0],
            vec![0, 1, 2],
        ),
    ] {
        let got = f(&w, &x, &dy, &dy2);
        if got != (dx_cols.clone(), dw_cols.clone()) {
            let (dx, dw) = got;
            return Err(format!("changing {what} of dY moves the columns {dx_cols:?} of dX and {dw_cols:?} of dW; got {dx:?} and {dw:?}"));
        }
    }
    Ok("dX moves in the changed sample only; dW everywhere but where x = 0".to_string())
}
