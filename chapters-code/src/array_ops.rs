//! The local gradients of array operations: the array counterpart of the
//! scalar engine's table of primitives.
//!
//! Every operation comes as a pair in the shape of a layer:
//! `*_forward(inputs…) -> y`, and `*_backward(inputs…, dy) -> gradients`,
//! where `dy = ∂L/∂y` has the shape of `y` and each returned gradient has
//! the shape of its input. Each backward function computes `Jᵀ vec(dy)`
//! without building the Jacobian `J`.
//!
//! | operation          | forward                   | backward                                   |
//! |--------------------|---------------------------|--------------------------------------------|
//! | elementwise `f`    | `y = f(x)`                | `dx = f'(x) ⊙ dy`                          |
//! | elementwise product| `y = a ⊙ b`               | `da = dy ⊙ b`, `db = dy ⊙ a`               |
//! | broadcast          | `v` copied along an axis  | `dv = dy` summed along that axis           |
//! | sum along an axis  | `s = Σ_axis x`            | `dx = ds` copied along that axis           |
//! | mean along an axis | `μ = Σ_axis x / count`    | `dx = dμ / count` copied along that axis   |
//! | matrix product     | `Y = A B`                 | `dA = dY Bᵀ`, `dB = Aᵀ dY`                 |
//! | transpose          | `Y = Xᵀ`                  | `dX = dYᵀ`                                 |
//! | reshape            | `Y = reshape(X)`          | `dX = dY` reshaped back                    |
//! | centring           | `y = x - mean(x)`         | `dx = dy - mean(dy)`                       |
//!
//! The axis operations work on matrices whose columns are samples, as
//! everywhere in the crate: `Axis(0)` runs down a column (over the `d`
//! features of one sample), `Axis(1)` runs along a row (over the `n`
//! samples). Centring ([`center_forward`], [`center_backward`]) combines
//! the rows into a layer with fan-out inside a sample.
//!
//! Shapes: every gradient has the shape of its input, and `dy` the shape
//! of the forward output. Every function panics, naming both shapes, when
//! its arrays' shapes disagree (a matrix product's inner sizes, a reshape's
//! number of entries, `dy` against the output), and on an axis other than
//! `Axis(0)` or `Axis(1)`.

use crate::shapes;
use ndarray::{Array, Array1, Array2, Axis, Dimension, Zip};

/// Panics unless `axis` is `Axis(0)` or `Axis(1)`, the two axes of a
/// matrix, naming the matrix's shape.
#[track_caller]
fn require_matrix_axis(context: &str, name: &str, shape: &[usize], axis: Axis) {
    assert!(
        axis.index() < 2,
        "{context}: Axis({}) does not exist for {name} of shape {shape:?}; use Axis(0) (down a \
         column, over one sample's features) or Axis(1) (along a row, over the samples) ({})",
        axis.index(),
        shapes::CONVENTION
    );
}

/// The shape of `v` (of length `len`) copied `count` times along `axis`:
/// `(count, len)` for `Axis(0)`, `(len, count)` for `Axis(1)`.
fn broadcast_shape(len: usize, axis: Axis, count: usize) -> [usize; 2] {
    if axis == Axis(0) {
        [count, len]
    } else {
        [len, count]
    }
}

// Shown in "The local gradients of array operations", section "The table"
// (the row is derived in "ReLU").
// ANCHOR: elementwise
/// Forward of an elementwise function: `y_i = f(x_i)` for every entry.
pub fn map_forward<D: Dimension>(
    x: &Array<f64, D>,
    f: impl Fn(f64) -> f64,
) -> Array<f64, D> {
    x.mapv(f)
}

/// Backward of an elementwise function: `dx = f'(x) ⊙ dy`, where `df` is
/// the derivative `f'`.
pub fn map_backward<D: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, D>,
    df: impl Fn(f64) -> f64,
) -> Array<f64, D> {
    shapes::require_same(
        "array_ops::map_backward",
        ("x", x.shape()),
        ("dy", dy.shape()),
    );
    Zip::from(x).and(dy).map_collect(|&x, &g| df(x) * g)
}
// ANCHOR_END: elementwise

// Shown in "The local gradients of array operations", section
// "Elementwise product".
// ANCHOR: product
/// Forward of the elementwise product: `y = f1 ⊙ f2`, `y_i = f1_i f2_i`.
pub fn mul_forward<D: Dimension>(
    f1: &Array<f64, D>,
    f2: &Array<f64, D>,
) -> Array<f64, D> {
    shapes::require_same(
        "array_ops::mul_forward",
        ("f1", f1.shape()),
        ("f2", f2.shape()),
    );
    f1 * f2
}

/// Backward of the elementwise product: `df1 = dy ⊙ f2` and `df2 = dy ⊙ f1`.
pub fn mul_backward<D: Dimension>(
    f1: &Array<f64, D>,
    f2: &Array<f64, D>,
    dy: &Array<f64, D>,
) -> (Array<f64, D>, Array<f64, D>) {
    let context = "array_ops::mul_backward";
    shapes::require_same(context, ("f1", f1.shape()), ("f2", f2.shape()));
    shapes::require_same(context, ("dy", dy.shape()), ("f1", f1.shape()));
    (dy * f2, dy * f1)
}
// ANCHOR_END: product

// Shown in "The local gradients of array operations", section "The table"
// (the row is derived in "Affine layer: biases").
// ANCHOR: broadcast
/// Forward of a broadcast: `v` copied `count` times along `axis`. With
/// `Axis(1)` every column is a copy of `v`, `y[[r, c]] = v[r]` (a bias
/// added to every sample); with `Axis(0)` every row is, `y[[r, c]] = v[c]`.
pub fn broadcast_forward(
    v: &Array1<f64>,
    axis: Axis,
    count: usize,
) -> Array2<f64> {
    require_matrix_axis(
        "array_ops::broadcast_forward",
        "y",
        &[v.len(), count],
        axis,
    );
    let shape = broadcast_shape(v.len(), axis, count);
    v.view()
        .insert_axis(axis)
        .broadcast(shape)
        .expect("v's length fits the shape")
        .to_owned()
}

/// Backward of a broadcast: `dv = Σ_axis dy`, the fan-out's sum.
pub fn broadcast_backward(
    v: &Array1<f64>,
    axis: Axis,
    count: usize,
    dy: &Array2<f64>,
) -> Array1<f64> {
    let context = "array_ops::broadcast_backward";
    require_matrix_axis(context, "dy", dy.shape(), axis);
    let y_shape = broadcast_shape(v.len(), axis, count);
    shapes::require_same(context, ("dy", dy.shape()), ("y", &y_shape));
    dy.sum_axis(axis)
}
// ANCHOR_END: broadcast

// Shown in "The local gradients of array operations", section
// "Sum and mean, which copy back".
// ANCHOR: sum
/// Forward of a sum along an axis: `s[c] = Σ_r x[[r, c]]` for `Axis(0)`,
/// one number per sample, and `s[r] = Σ_c x[[r, c]]` for `Axis(1)`.
pub fn sum_forward(x: &Array2<f64>, axis: Axis) -> Array1<f64> {
    require_matrix_axis("array_ops::sum_forward", "x", x.shape(), axis);
    x.sum_axis(axis)
}

/// Backward of a sum along an axis: `ds` copied back along that axis,
/// [`broadcast_forward`] of `ds`.
pub fn sum_backward(
    x: &Array2<f64>,
    axis: Axis,
    ds: &Array1<f64>,
) -> Array2<f64> {
    let context = "array_ops::sum_backward";
    require_matrix_axis(context, "x", x.shape(), axis);
    let s_shape = [x.len_of(other(axis))];
    shapes::require_same(context, ("ds", ds.shape()), ("s", &s_shape));
    broadcast_forward(ds, axis, x.len_of(axis))
}
// ANCHOR_END: sum

/// The other axis of a matrix.
fn other(axis: Axis) -> Axis {
    Axis(1 - axis.index())
}

// Shown in "The local gradients of array operations", section
// "Sum and mean, which copy back".
// ANCHOR: mean
/// Forward of a mean along an axis: `μ = Σ_axis x / count`, where `count`
/// is `d` for `Axis(0)` and `n` for `Axis(1)`.
pub fn mean_forward(x: &Array2<f64>, axis: Axis) -> Array1<f64> {
    require_matrix_axis("array_ops::mean_forward", "x", x.shape(), axis);
    x.sum_axis(axis) / x.len_of(axis) as f64
}

/// Backward of a mean along an axis: `dμ / count` copied back along that
/// axis.
pub fn mean_backward(
    x: &Array2<f64>,
    axis: Axis,
    dmu: &Array1<f64>,
) -> Array2<f64> {
    let context = "array_ops::mean_backward";
    require_matrix_axis(context, "x", x.shape(), axis);
    let mu_shape = [x.len_of(other(axis))];
    shapes::require_same(context, ("dmu", dmu.shape()), ("mu", &mu_shape));
    broadcast_forward(&(dmu / x.len_of(axis) as f64), axis, x.len_of(axis))
}
// ANCHOR_END: mean

// Shown in "The local gradients of array operations", section "The table"
// (the row is derived in "Affine layer: weights").
// ANCHOR: matmul
/// Forward of a matrix product: `Y = A B`, `Y[[r, c]] = Σ_t A[[r, t]] B[[t, c]]`,
/// for `A` of shape `(m, d)` and `B` of shape `(d, n)`.
pub fn matmul_forward(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    require_a_b("array_ops::matmul_forward", a, b);
    a.dot(b)
}

/// Backward of a matrix product: `dA = dY Bᵀ` and `dB = Aᵀ dY`, where the
/// shapes force the transposes: `(m, n)(n, d)` and `(d, m)(m, n)`.
pub fn matmul_backward(
    a: &Array2<f64>,
    b: &Array2<f64>,
    dy: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>) {
    let context = "array_ops::matmul_backward";
    require_a_b(context, a, b);
    let y_shape = [a.nrows(), b.ncols()];
    shapes::require_same(context, ("dY", dy.shape()), ("Y = AB", &y_shape));
    (dy.dot(&b.t()), a.t().dot(dy))
}
// ANCHOR_END: matmul

/// `A (m, d)` times `B (d, n)`: the inner sizes must agree.
#[track_caller]
fn require_a_b(context: &str, a: &Array2<f64>, b: &Array2<f64>) {
    shapes::require(
        a.ncols() == b.nrows(),
        context,
        ("A", a.shape()),
        ("B", b.shape()),
        "A's columns must equal B's rows (d)",
    );
}

// Shown in "The local gradients of array operations", section
// "Transpose and reshape".
// ANCHOR: transpose
/// Forward of a transpose: `Y[[c, r]] = X[[r, c]]`.
pub fn transpose_forward(x: &Array2<f64>) -> Array2<f64> {
    x.t().to_owned()
}

/// Backward of a transpose: `dX = dYᵀ`, each gradient moved back.
pub fn transpose_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    let y_shape = [x.ncols(), x.nrows()];
    shapes::require_same(
        "array_ops::transpose_backward",
        ("dY", dy.shape()),
        ("Y = Xᵀ", &y_shape),
    );
    dy.t().to_owned()
}
// ANCHOR_END: transpose

// Shown in "The local gradients of array operations", section
// "Transpose and reshape".
// ANCHOR: reshape
/// Forward of a reshape: the entries of `x`, read in row-major order (the
/// last axis fastest), written into `shape` in the same order.
pub fn reshape_forward<D: Dimension, E: Dimension>(
    x: &Array<f64, D>,
    shape: E,
) -> Array<f64, E> {
    shapes::require(
        shape.size() == x.len(),
        "array_ops::reshape_forward",
        ("x", x.shape()),
        ("the new shape", shape.slice()),
        "a reshape keeps every entry, so both must hold the same number of entries",
    );
    x.to_shape(shape)
        .expect("the sizes were checked")
        .into_owned()
}

/// Backward of a reshape: `dy` reshaped back to the shape of `x`.
pub fn reshape_backward<D: Dimension, E: Dimension>(
    x: &Array<f64, D>,
    dy: &Array<f64, E>,
) -> Array<f64, D> {
    shapes::require(
        dy.len() == x.len(),
        "array_ops::reshape_backward",
        ("dY", dy.shape()),
        ("x", x.shape()),
        "dY must hold one entry per entry of x",
    );
    dy.to_shape(x.raw_dim())
        .expect("the sizes were checked")
        .into_owned()
}
// ANCHOR_END: reshape

// Shown in "The local gradients of array operations", section
// "Fan-out inside a sample: centring".
// ANCHOR: center
/// Forward of centring: every sample (column) minus its own mean.
pub fn center_forward(x: &Array2<f64>) -> Array2<f64> {
    let mu = mean_forward(x, Axis(0)); // length n, one mean per sample
    x - &mu.insert_axis(Axis(0)) // copied down each column
}

/// Backward of centring: each column of `dy` minus its own mean, which is
/// `(I - 11ᵀ/d) dy` per sample.
pub fn center_backward(x: &Array2<f64>, dy: &Array2<f64>) -> Array2<f64> {
    shapes::require_same(
        "array_ops::center_backward",
        ("x", x.shape()),
        ("dy", dy.shape()),
    );
    dy - &dy.mean_axis(Axis(0)).expect("d > 0").insert_axis(Axis(0))
}
// ANCHOR_END: center

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::random;
    use crate::layer_check::{arg, check_layer, input, try_check_layer};
    use crate::testing::{assert_shape_panic, panic_message};
    use crate::{jacobian, scalar};
    use approx::assert_abs_diff_eq;
    use ndarray::{array, ArrayD, Ix1, Ix2, IxDyn};

    #[test]
    fn elementwise_tanh_numbers_and_check() {
        let x = array![0.0, 0.5, -1.0];
        let dy = array![2.0, 1.0, -1.0];
        let dtanh = |v: f64| 1.0 - v.tanh().powi(2);
        let dx = map_backward(&x, &dy, dtanh);
        assert_abs_diff_eq!(dx, array![2.0, 0.7864, -0.4200], epsilon = 1e-4);
        let x: Array2<f64> = random((3, 4), 1);
        check_layer(
            "elementwise tanh",
            &[input("x", &x)],
            |v| map_forward(&v[0], f64::tanh),
            |v, dy| vec![map_backward(&v[0], dy, dtanh)],
        );
    }

    #[test]
    fn elementwise_product_swaps() {
        let (f1, f2) = (array![1.0, -2.0, 3.0], array![4.0, 0.5, -1.0]);
        let dy = array![1.0, 2.0, -1.0];
        assert_eq!(mul_forward(&f1, &f2), array![4.0, -1.0, -3.0]);
        let (df1, df2) = mul_backward(&f1, &f2, &dy);
        assert_eq!(
            (df1, df2),
            (array![4.0, 1.0, 1.0], array![1.0, -4.0, -3.0])
        );
        let f1: Array2<f64> = random((3, 4), 2);
        let f2: Array2<f64> = random((3, 4), 3);
        check_layer(
            "elementwise product",
            &[input("f1", &f1), input("f2", &f2)],
            |v| mul_forward(&v[0], &v[1]),
            |v, dy| {
                let (df1, df2) = mul_backward(&v[0], &v[1], dy);
                vec![df1, df2]
            },
        );
    }

    #[test]
    fn broadcast_sums_back_along_either_axis() {
        let v = array![1.0, -2.0];
        let y = broadcast_forward(&v, Axis(1), 3);
        assert_eq!(y, array![[1.0, 1.0, 1.0], [-2.0, -2.0, -2.0]]);
        let dy = array![[0.5, -1.0, 2.0], [-1.0, 0.25, 1.0]];
        assert_eq!(broadcast_backward(&v, Axis(1), 3, &dy), array![1.5, 0.25]);
        assert_eq!(
            broadcast_forward(&v, Axis(0), 3),
            array![[1.0, -2.0], [1.0, -2.0], [1.0, -2.0]]
        );
        for (axis, count) in [(Axis(0), 4), (Axis(1), 3)] {
            let v: Array1<f64> = random(5, 4);
            check_layer(
                "broadcast",
                &[input("v", &v)],
                |u| broadcast_forward(&arg(&u[0]), axis, count).into_dyn(),
                |u, dy| {
                    vec![broadcast_backward(&arg(&u[0]), axis, count, &arg(dy))
                        .into_dyn()]
                },
            );
        }
    }

    #[test]
    fn sum_and_mean_copy_back() {
        let x = array![[1.0, 4.0], [2.0, -1.0], [6.0, 0.0]];
        assert_eq!(sum_forward(&x, Axis(0)), array![9.0, 3.0]);
        assert_eq!(sum_forward(&x, Axis(1)), array![5.0, 1.0, 6.0]);
        assert_eq!(mean_forward(&x, Axis(0)), array![3.0, 1.0]);
        assert_eq!(mean_forward(&x, Axis(1)), array![2.5, 0.5, 3.0]);
        let ds = array![2.0, -1.0];
        let copied = array![[2.0, -1.0], [2.0, -1.0], [2.0, -1.0]];
        assert_eq!(sum_backward(&x, Axis(0), &ds), copied);
        assert_eq!(mean_backward(&x, Axis(0), &(3.0 * &ds)), copied);
        assert_eq!(
            mean_backward(&x, Axis(1), &array![2.0, 4.0, -6.0]),
            array![[1.0, 1.0], [2.0, 2.0], [-3.0, -3.0]]
        );
        for axis in [Axis(0), Axis(1)] {
            let x: Array2<f64> = random((3, 4), 5);
            check_layer(
                "sum",
                &[input("x", &x)],
                |v| sum_forward(&arg(&v[0]), axis).into_dyn(),
                |v, ds| {
                    vec![sum_backward(&arg(&v[0]), axis, &arg(ds)).into_dyn()]
                },
            );
            check_layer(
                "mean",
                &[input("x", &x)],
                |v| mean_forward(&arg(&v[0]), axis).into_dyn(),
                |v, dmu| {
                    vec![mean_backward(&arg(&v[0]), axis, &arg(dmu)).into_dyn()]
                },
            );
        }
    }

    #[test]
    fn matmul_has_two_transposes() {
        let a = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let b = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let dy = array![[0.5, 1.0], [-1.0, 2.0]];
        assert_eq!(matmul_forward(&a, &b), array![[-0.5, 0.5], [7.0, -6.0]]);
        let (da, db) = matmul_backward(&a, &b, &dy);
        assert_eq!(da, array![[0.0, 0.5, 2.5], [-4.0, -1.0, 7.0]]);
        assert_eq!(db, array![[-2.5, 7.0], [-1.0, -2.0], [1.25, -1.5]]);
        // Square, non-symmetric factors: a missing transpose has the right
        // shape and the wrong numbers.
        let (m, k, n) = (3, 3, 3);
        let a: Array2<f64> = random((m, k), 6);
        let b: Array2<f64> = random((k, n), 7);
        assert_ne!(a, a.t());
        assert_ne!(b, b.t());
        let inputs = [input("a", &a), input("b", &b)];
        let forward = |v: &[ArrayD<f64>]| {
            matmul_forward(&arg(&v[0]), &arg(&v[1])).into_dyn()
        };
        check_layer("matrix product", &inputs, forward, |v, dy| {
            let (da, db) = matmul_backward(&arg(&v[0]), &arg(&v[1]), &arg(dy));
            vec![da.into_dyn(), db.into_dyn()]
        });
        // dB = A dY instead of Aᵀ dY: right shape, wrong numbers, and named.
        let failure =
            try_check_layer("matrix product", &inputs, forward, |v, dy| {
                let (a, b, dy) =
                    (arg::<Ix2>(&v[0]), arg::<Ix2>(&v[1]), arg::<Ix2>(dy));
                vec![dy.dot(&b.t()).into_dyn(), a.dot(&dy).into_dyn()]
            })
            .unwrap_err();
        assert_eq!(failure.gradient, "db");
        assert!(
            failure.message.starts_with("matrix product: db failed"),
            "{failure}"
        );
    }

    #[test]
    fn transpose_and_reshape_move_gradients_back() {
        let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_eq!(
            transpose_forward(&x),
            array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
        );
        let y = reshape_forward(&x, Ix2(3, 2));
        assert_eq!(y, array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
        assert_eq!(reshape_backward(&x, &y), x);
        assert_eq!(
            reshape_forward(&x, Ix1(6)),
            array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        let dy = array![[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]];
        assert_eq!(
            transpose_backward(&x, &dy),
            array![[10.0, 30.0, 50.0], [20.0, 40.0, 60.0]]
        );
        let x: Array2<f64> = random((2, 6), 8);
        check_layer(
            "transpose",
            &[input("x", &x)],
            |v| transpose_forward(&arg(&v[0])).into_dyn(),
            |v, dy| vec![transpose_backward(&arg(&v[0]), &arg(dy)).into_dyn()],
        );
        check_layer(
            "reshape",
            &[input("x", &x)],
            |v| reshape_forward(&v[0], IxDyn(&[3, 2, 2])),
            |v, dy| vec![reshape_backward(&v[0], dy)],
        );
    }

    #[test]
    fn centring_numbers_paths_and_dense_jacobian() {
        let x = array![[1.0], [2.0], [6.0]];
        let dy = array![[0.5], [-1.0], [2.0]];
        assert_eq!(center_forward(&x), array![[-2.0], [-1.0], [3.0]]);
        let dx = center_backward(&x, &dy);
        assert_eq!(dx, array![[0.0], [-1.5], [1.5]]);
        // The direct path plus the path through the mean.
        let through_mean = mean_backward(
            &x,
            Axis(0),
            &broadcast_backward(&array![3.0], Axis(0), 3, &-&dy),
        );
        assert_eq!(&dy + &through_mean, dx);
        // The dense Jacobian I - 11ᵀ/d.
        let j = jacobian::numerical(center_forward, &x, 1e-5);
        let dense = Array2::eye(3) - Array2::from_elem((3, 3), 1.0 / 3.0);
        assert_abs_diff_eq!(j, dense, epsilon = 1e-9);
        let x: Array2<f64> = random((4, 3), 9);
        let report = check_layer(
            "centring",
            &[input("x", &x)],
            |v| center_forward(&arg(&v[0])).into_dyn(),
            |v, dy| vec![center_backward(&arg(&v[0]), &arg(dy)).into_dyn()],
        );
        assert_eq!(report.jacobians_compared, 1);
    }

    #[test]
    fn centring_rebuilt_node_by_node_agrees() {
        let (x, dy) = ([1.0, 2.0, 6.0], [0.5, -1.0, 2.0]);
        let mut g = scalar::Graph::new();
        let xs = x.map(|v| g.input("x", v));
        let three = g.input("3", 3.0);
        let s = g.add(xs[0], xs[1]);
        let s = g.add(s, xs[2]);
        let mu = g.div(s, three);
        let minus_mu = g.neg(mu);
        let mut loss = None;
        for (xi, dyi) in xs.iter().zip(dy) {
            let yi = g.add(*xi, minus_mu);
            let w = g.input("dy", dyi);
            let term = g.mul(yi, w);
            loss = Some(match loss {
                None => term,
                Some(l) => g.add(l, term),
            });
        }
        g.backward(loss.unwrap());
        scalar::assert_local_gradients(&g);
        let grads = xs.map(|v| g.grad(v));
        let dx = center_backward(
            &array![[1.0], [2.0], [6.0]],
            &array![[0.5], [-1.0], [2.0]],
        );
        for (got, want) in grads.iter().zip(dx.iter()) {
            assert_abs_diff_eq!(*got, *want, epsilon = 1e-15);
        }
    }

    #[test]
    fn shape_mismatches_name_both_shapes() {
        let m = |r, c| Array2::<f64>::zeros((r, c));
        let v = |n| Array1::<f64>::zeros(n);
        assert_shape_panic(
            "array_ops::map_backward:",
            &["x has shape [2, 3]", "dy has shape [3, 2]"],
            || _ = map_backward(&m(2, 3), &m(3, 2), |t| t),
        );
        assert_shape_panic(
            "array_ops::mul_forward:",
            &["f1 has shape [2, 3]", "f2 has shape [2, 2]"],
            || _ = mul_forward(&m(2, 3), &m(2, 2)),
        );
        assert_shape_panic(
            "array_ops::mul_backward:",
            &["dy has shape [3, 2]", "f1 has shape [2, 3]"],
            || _ = mul_backward(&m(2, 3), &m(2, 3), &m(3, 2)),
        );
        assert_shape_panic(
            "array_ops::broadcast_backward:",
            &["dy has shape [3, 2]", "y has shape [2, 3]"],
            || _ = broadcast_backward(&v(2), Axis(1), 3, &m(3, 2)),
        );
        assert_shape_panic(
            "array_ops::sum_backward:",
            &["ds has shape [3]", "s has shape [2]"],
            || _ = sum_backward(&m(3, 2), Axis(0), &v(3)),
        );
        assert_shape_panic(
            "array_ops::mean_backward:",
            &["dmu has shape [2]", "mu has shape [3]"],
            || _ = mean_backward(&m(3, 2), Axis(1), &v(2)),
        );
        assert_shape_panic(
            "array_ops::matmul_forward:",
            &["A has shape [2, 3]", "B has shape [2, 3]", "A's columns"],
            || _ = matmul_forward(&m(2, 3), &m(2, 3)),
        );
        assert_shape_panic(
            "array_ops::matmul_backward:",
            &["dY has shape [4, 2]", "Y = AB has shape [2, 4]"],
            || _ = matmul_backward(&m(2, 3), &m(3, 4), &m(4, 2)),
        );
        assert_shape_panic(
            "array_ops::transpose_backward:",
            &["dY has shape [2, 3]", "Y = Xᵀ has shape [3, 2]"],
            || _ = transpose_backward(&m(2, 3), &m(2, 3)),
        );
        assert_shape_panic(
            "array_ops::reshape_forward:",
            &["x has shape [2, 3]", "the new shape has shape [4, 2]"],
            || _ = reshape_forward(&m(2, 3), Ix2(4, 2)),
        );
        assert_shape_panic(
            "array_ops::reshape_backward:",
            &["dY has shape [5]", "x has shape [2, 3]"],
            || _ = reshape_backward(&m(2, 3), &v(5)),
        );
        assert_shape_panic(
            "array_ops::center_backward:",
            &["x has shape [3, 2]", "dy has shape [2, 3]"],
            || _ = center_backward(&m(3, 2), &m(2, 3)),
        );
    }

    /// The matrix product's message names the inner size with the book's
    /// letters, `A (m, d)` times `B (d, n)`.
    #[test]
    fn matmul_refuses_mismatched_inner_sizes_in_the_books_letters() {
        let msg = panic_message(|| {
            _ = matmul_forward(&Array2::zeros((2, 3)), &Array2::zeros((2, 3)));
        });
        assert_eq!(
            msg,
            format!(
                "array_ops::matmul_forward: A has shape [2, 3] but B has shape [2, 3]; \
                 A's columns must equal B's rows (d) ({})",
                shapes::CONVENTION
            )
        );
    }

    #[test]
    fn a_third_axis_is_refused_with_the_matrix_shape() {
        let x = Array2::<f64>::zeros((3, 2));
        let uses: [Box<dyn Fn() + '_>; 5] = [
            Box::new(|| _ = sum_forward(&x, Axis(2))),
            Box::new(|| _ = mean_forward(&x, Axis(2))),
            Box::new(|| _ = sum_backward(&x, Axis(2), &Array1::zeros(2))),
            Box::new(|| _ = mean_backward(&x, Axis(2), &Array1::zeros(2))),
            Box::new(|| {
                _ = broadcast_backward(&Array1::zeros(3), Axis(2), 2, &x)
            }),
        ];
        for use_it in uses {
            let msg = panic_message(use_it);
            assert!(msg.contains("Axis(2) does not exist for"), "{msg}");
            assert!(msg.contains("of shape [3, 2]"), "{msg}");
            assert!(msg.contains(shapes::CONVENTION), "{msg}");
        }
        let msg = panic_message(|| {
            _ = broadcast_forward(&Array1::zeros(3), Axis(2), 2)
        });
        assert!(
            msg.starts_with("array_ops::broadcast_forward: Axis(2)"),
            "{msg}"
        );
    }
}
