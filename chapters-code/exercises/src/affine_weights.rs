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
pub fn backward(
    w: &Array2<f64>,
    x: &Array2<f64>,
    dy: &Array2<f64>,
) -> Gradients {
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
pub fn squared_loss_dw(
    w: &Array2<f64>,
    x: &Array2<f64>,
    b: &Array1<f64>,
) -> Array2<f64> {
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

crate::exercises! { affine_weights:
    // Square W first: a missing transpose then keeps every shape right, and
    // the layer check names the wrong entries.
    backward => |m| {
        let worst = worst([(3, 3, 2), (2, 3, 4)], |(k, d, n)| {
            let (w, x) = (random::<_, Ix2>((k, d), 11), random::<_, Ix2>((d, n), 12));
            let b = random::<_, Ix1>(k, 17);
            let forward = |v: &[_]| affine::forward(&arg(&v[0]), &arg(&v[1]), &arg(&v[2]));
            let backward = |v: &[ArrayD<f64>], dy: &Array2<f64>| {
                let g = m::backward(&arg(&v[0]), &arg(&v[1]), dy);
                vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
            };
            layer("affine", &[input("w", &w), input("x", &x), input("b", &b)], forward, backward)
        })?;
        passed("layer check of dW, dX and db at 2 shapes", worst)
    };
    squared_loss_dw => |m| {
        let (x, b): (Array2<f64>, Array1<f64>) = (random((3, 4), 12), random(2, 18));
        let loss = |w: &Array2<f64>| 0.5 * affine::forward(w, &x, &b).mapv(|v| v * v).sum();
        let worst = gradients(loss, [random((2, 3), 11)], |w| m::squared_loss_dw(w, &x, &b))?;
        passed("gradient check of L(W)", worst)
    };
    // Rows as samples: X is (n, d), W is (d, m), Y = XW + b is (n, m).
    row_layout_gradients => |m| {
        let worst = worst([(3, 3, 3), (2, 3, 4)], |(n, d, k)| {
            let (w, x) = (random::<_, Ix2>((d, k), 20), random::<_, Ix2>((n, d), 19));
            let b = random::<_, Ix1>(k, 21);
            let forward = |v: &[ArrayD<f64>]| arg::<Ix2>(&v[1]).dot(&arg::<Ix2>(&v[0])) + &b;
            let backward = |v: &[ArrayD<f64>], dy: &Array2<f64>| {
                let (dw, dx) = m::row_layout_gradients(&arg(&v[0]), &arg(&v[1]), dy);
                vec![dw.into_dyn(), dx.into_dyn()]
            };
            layer("affine, rows as samples", &[input("w", &w), input("x", &x)], forward, backward)
        })?;
        let ((w, x), dy) = (chapter(), array![[0.5, -1.0], [1.0, 2.0]]);
        let (dw, dx) = m::row_layout_gradients(&w.t().to_owned(), &x.t().to_owned(), &dy);
        let want_dw = array![[0.0, -4.0], [0.5, -1.0], [2.5, 7.0]];
        stated("dW for the chapter's numbers, transposed", &dw, &want_dw)?;
        let want_dx = array![[-2.5, -1.0, 1.25], [7.0, -2.0, -1.5]];
        stated("dX for the chapter's numbers, transposed", &dx, &want_dx)?;
        passed("the chapter's numbers, transposed; layer check at 2 shapes", worst)
    };
    columns_that_move => |m| {
        let ((w, x), dy) = (chapter(), array![[0.5, 1.0], [-1.0, 2.0]]);
        for (what, column, values, dx_cols, dw_cols) in [
            ("the second column", 1, [-3.0, 0.5], vec![1], vec![0, 2]),
            ("the first column", 0, [2.0, -0.5], vec![0], vec![0, 1, 2]),
        ] {
            let mut dy2 = dy.clone();
            dy2.column_mut(column).assign(&v(&values));
            let (dx, dw) = m::columns_that_move(&w, &x, &dy, &dy2);
            let right = (&dx, &dw) == (&dx_cols, &dw_cols);
            ensure(right, format!("changing {what} of dY moves the columns {dx_cols:?} of dX and {dw_cols:?} of dW; got {dx:?} and {dw:?}"))?;
        }
        Ok("dX moves in the changed sample only; dW everywhere but where x = 0".to_string())
    };
}

/// The chapter's `W` `(2, 3)` and two-sample `X` `(3, 2)`.
fn chapter() -> (Array2<f64>, Array2<f64>) {
    let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
    (w, array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]])
}
