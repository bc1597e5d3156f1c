//! The graders: one function per exercise, built from the book's own
//! checks (`backprop::layer_check`, `backprop::gradcheck`,
//! `backprop::jacobian`) and the numbers the chapters state.
//!
//! Each grader takes the reader's functions as arguments, so the same
//! grader runs on a stub and on its reference solution. It returns
//! `Ok(what passed)` or `Err(the checker's message)`; a `todo!()` or any
//! other panic in the reader's code is caught one level up, in
//! [`crate::grade`].

use backprop::layer_check::{self, LayerReport};
use backprop::{affine, gradcheck, jacobian};
use ndarray::{arr0, array, Array, Array1, Array2, ArrayD, Dimension, Ix1, Ix2};

/// `Ok(a summary of what passed)` or `Err(why the answer is wrong)`.
pub type Verdict = Result<String, String>;

/// [`layer_check::try_check_layer`], with the failure as its message.
#[track_caller]
fn layer(
    name: &str,
    inputs: &[(&str, ArrayD<f64>)],
    forward: impl Fn(&[ArrayD<f64>]) -> ArrayD<f64>,
    backward: impl Fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>,
) -> Result<LayerReport, String> {
    layer_check::try_check_layer(name, inputs, forward, backward).map_err(|f| f.message)
}

/// [`gradcheck::try_check_gradient_with`] with the book's step and
/// tolerance, with the failure as its message.
fn gradient<D: Dimension>(
    f: impl FnMut(&Array<f64, D>) -> f64,
    x: &Array<f64, D>,
    analytic: &Array<f64, D>,
) -> Result<gradcheck::Report, String> {
    gradcheck::try_check_gradient_with(f, x, analytic, gradcheck::H, gradcheck::TOLERANCE)
        .map_err(|f| f.message)
}

/// A number the book states, to within `tol`.
fn close(what: &str, got: f64, want: f64, tol: f64) -> Result<(), String> {
    if (got - want).abs() <= tol {
        Ok(())
    } else {
        Err(format!("{what}: expected {want}, got {got}"))
    }
}

/// An array the book states, entry by entry to within `tol`.
fn close_array<D: Dimension>(
    what: &str,
    got: &Array<f64, D>,
    want: &Array<f64, D>,
    tol: f64,
) -> Result<(), String> {
    let same_shape = got.shape() == want.shape();
    if same_shape && got.iter().zip(want).all(|(g, w)| (g - w).abs() <= tol) {
        Ok(())
    } else {
        Err(format!(
            "{what}: expected\n{want}\n(shape {:?}), got\n{got}\n(shape {:?})",
            want.shape(),
            got.shape()
        ))
    }
}

fn matrix(a: &ArrayD<f64>) -> Array2<f64> {
    a.clone().into_dimensionality::<Ix2>().expect("a matrix")
}

fn vector(a: &ArrayD<f64>) -> Array1<f64> {
    a.clone().into_dimensionality::<Ix1>().expect("a vector")
}

/// The largest relative error of several layer checks. On a layer report
/// `max_relative_error()` is a method (the largest over all its inputs);
/// on the gradient checker's own `gradcheck::Report` it is a field.
fn worst(reports: &[LayerReport]) -> f64 {
    reports
        .iter()
        .map(LayerReport::max_relative_error)
        .fold(0.0, f64::max)
}

/// Graders for the computational-graphs chapter.
pub mod computational_graphs {
    use super::*;
    use crate::computational_graphs::MaxTie;
    use backprop::scalar::{Graph, Op, Var};

    pub fn square_graph(f: fn(f64) -> (Graph, Var, Var)) -> Verdict {
        let (g, a, y) = f(3.0);
        if g.len() != 2 {
            return Err(format!(
                "the graph has {} nodes; y = x·x needs two: the input x and one multiply node",
                g.len()
            ));
        }
        let node = g.node(y);
        if node.op != Op::Mul || node.inputs != [a, a] {
            return Err(format!(
                "y is a {:?} node with inputs {:?}; it must be g.mul(a, a), one multiply node \
                 with the input x in both slots",
                node.op, node.inputs
            ));
        }
        close("y at x = 3", g.value(y), 9.0, 1e-12)?;
        close("the gradient of x at x = 3", g.grad(a), 6.0, 1e-12)?;
        let mut max_error: f64 = 0.0;
        for x0 in [-1.5, 0.25, 2.0] {
            let (g, a, _) = f(x0);
            let value = |v: &Array1<f64>| {
                let (g, _, y) = f(v[0]);
                g.value(y)
            };
            let report = gradient(value, &array![x0], &array![g.grad(a)])?;
            max_error = max_error.max(report.max_relative_error);
        }
        Ok(format!(
            "y = 9 and dy/dx = 6 at x = 3; gradient check at 3 more points, \
             max relative error {max_error:.1e}"
        ))
    }

    pub fn fan_out_backward(f: fn(f64, f64) -> [f64; 2]) -> Verdict {
        let loss = |v: &Array1<f64>| (v[0] + v[1]) * v[0];
        let mut max_error: f64 = 0.0;
        for (x, y) in [(3.0, -4.0), (0.5, 1.25), (-2.0, 0.75)] {
            let report = gradient(loss, &array![x, y], &Array1::from(f(x, y).to_vec()))?;
            max_error = max_error.max(report.max_relative_error);
        }
        let [dx, dy] = f(3.0, -4.0);
        close("∂f/∂x at (3, -4)", dx, 2.0, 1e-12)?;
        close("∂f/∂y at (3, -4)", dy, 3.0, 1e-12)?;
        Ok(format!(
            "(∂f/∂x, ∂f/∂y) = (2, 3) at (3, -4); gradient check at 3 points, \
             max relative error {max_error:.1e}"
        ))
    }

    pub fn tanh_graph(f: fn(f64) -> (Graph, Var, Var)) -> Verdict {
        let (g, x, t) = f(0.5);
        close(
            "t at x = 0.5, against f64::tanh",
            g.value(t),
            0.5f64.tanh(),
            1e-12,
        )?;
        close("tanh(0.5) to four places", g.value(t), 0.4621, 1e-4)?;
        close("tanh'(0.5) to four places", g.grad(x), 0.7864, 1e-4)?;
        close(
            "the gradient against 1 - tanh²(x)",
            g.grad(x),
            1.0 - g.value(t).powi(2),
            1e-12,
        )?;
        let value = |v: &Array1<f64>| {
            let (g, _, t) = f(v[0]);
            g.value(t)
        };
        let mut max_error: f64 = 0.0;
        for x0 in [-2.0, -0.3, 0.5, 1.7] {
            let (g, x, _) = f(x0);
            let report = gradient(value, &array![x0], &array![g.grad(x)])?;
            max_error = max_error.max(report.max_relative_error);
        }
        Ok(format!(
            "tanh(0.5) = 0.4621, tanh'(0.5) = 0.7864; gradient check at 4 points, \
             max relative error {max_error:.1e}"
        ))
    }

    pub fn max_at_tie(f: fn() -> MaxTie) -> Verdict {
        let answer = f();
        let mut g = Graph::new();
        let (a, b) = (g.input("a", 2.0), g.input("b", 2.0));
        let m = g.max(a, b);
        g.backward(m);
        let engine = [g.grad(a), g.grad(b)];
        if answer.engine != engine {
            return Err(format!(
                "engine: {:?} is not what Graph::backward gives for max(a, b) at a = b = 2",
                answer.engine
            ));
        }
        let max = |v: &Array1<f64>| v[0].max(v[1]);
        let at = array![2.0, 2.0];
        let centered = gradcheck::numerical_gradient(max, &at, gradcheck::H);
        close_array(
            "centered: the centered differences at the tie",
            &Array1::from(answer.centered.to_vec()),
            &centered,
            1e-9,
        )?;
        // Every entry is skipped, so the check compares nothing and fails.
        let engine = Array1::from(engine.to_vec());
        let (h, tol) = (gradcheck::H, gradcheck::TOLERANCE);
        let report = gradcheck::try_check_gradient_with(max, &at, &engine, h, tol)
            .err()
            .ok_or("the gradient checker passed a check that compared nothing")?;
        if answer.skipped_kinks != report.skipped_kinks {
            return Err(format!(
                "skipped_kinks: the gradient checker skips a different number of entries \
                 than {}",
                answer.skipped_kinks
            ));
        }
        Ok("engine [1, 0], centered [0.5, 0.5], 2 entries skipped as kinks".to_string())
    }
}

/// Graders for the gradient-checking chapter.
pub mod gradient_checking {
    use super::*;

    pub fn sin_cos_gradient(f: fn(&Array1<f64>) -> Array1<f64>) -> Verdict {
        let loss = |x: &Array1<f64>| x.mapv(|v| v.sin() * v.cos()).sum();
        let mut max_error: f64 = 0.0;
        for seed in 1..=3 {
            let x: Array1<f64> = gradcheck::random(5, seed) * 3.0;
            max_error = max_error.max(gradient(loss, &x, &f(&x))?.max_relative_error);
        }
        Ok(format!(
            "gradient check on 3 random inputs of length 5, max relative error {max_error:.1e}"
        ))
    }

    pub fn difference_errors(f: fn(f64) -> [f64; 2]) -> Verdict {
        let e = 1f64.exp();
        let measured = |h: f64| {
            let forward = ((1.0 + h).exp() - e) / h;
            let centered = ((1.0 + h).exp() - (1.0 - h).exp()) / (2.0 * h);
            [(forward - e).abs(), (centered - e).abs()]
        };
        for h in [1e-3, 1e-2] {
            let [forward, centered] = f(h);
            let [want_forward, want_centered] = measured(h);
            let tol = |want: f64| 1e-6 * want + 1e-12;
            close(
                &format!("the forward difference's error at h = {h:e}"),
                forward,
                want_forward,
                tol(want_forward),
            )?;
            close(
                &format!("the centered difference's error at h = {h:e}"),
                centered,
                want_centered,
                tol(want_centered),
            )?;
        }
        let h = 1e-5;
        let [forward, centered] = f(h);
        close(
            "the forward error at h = 1e-5, against h·e/2",
            forward,
            h / 2.0 * e,
            1e-9,
        )?;
        close(
            "the forward error at h = 1e-5, rounded",
            forward,
            1.4e-5,
            1e-6,
        )?;
        if forward <= 1e5 * centered || forward.is_nan() {
            return Err(format!(
                "at h = 1e-5 the forward error {forward:e} should be more than 1e5 times \
                 the centered error {centered:e}"
            ));
        }
        Ok(format!(
            "at h = 1e-5: forward error {forward:.2e}, centered error {centered:.1e}"
        ))
    }

    /// The grader's own copies, so that editing the stub's cannot change
    /// the verdict.
    fn abs_sum(x: &Array1<f64>) -> f64 {
        x.mapv(f64::abs).sum()
    }

    fn buggy_backward(x: &Array1<f64>) -> Array1<f64> {
        x.mapv(|_| 1.0)
    }

    pub fn input_that_exposes_the_bug(f: fn() -> Array1<f64>) -> Verdict {
        // The book's claim: at positive inputs the bug goes unnoticed.
        let positive = array![0.5, 1.5];
        gradient(abs_sum, &positive, &buggy_backward(&positive))?;
        let x = f();
        if x.is_empty() || x.iter().any(|v| !v.is_finite()) {
            return Err(format!("{x} must be a non-empty vector of finite numbers"));
        }
        match gradient(abs_sum, &x, &buggy_backward(&x)) {
            Ok(report) => Err(format!(
                "the gradient check passes at {x} (max relative error {:.1e}): the bug hides \
                 there",
                report.max_relative_error
            )),
            Err(message) => Ok(format!(
                "the check rejects the buggy backward at {x}: {}",
                message.lines().nth(1).unwrap_or("").trim()
            )),
        }
    }
}

/// Graders for the tensors chapter.
pub mod tensors {
    use super::*;

    pub fn vec_position(f: fn(usize, usize, usize) -> usize) -> Verdict {
        let worked = f(0, 1, 3);
        if worked != 3 {
            return Err(format!(
                "X[[0, 1]] = 2 of the book's (3, 2) matrix is at position 3 of vec(X), not {worked}"
            ));
        }
        for (d, n) in [(3, 2), (2, 5), (4, 1), (1, 3)] {
            let x = Array2::from_shape_fn((d, n), |(r, c)| (10 * r + c) as f64);
            let v = jacobian::vec(&x);
            for ((r, c), &value) in x.indexed_iter() {
                let p = f(r, c, d);
                if v.get(p) != Some(&value) {
                    let right = v.iter().position(|&e| e == value).unwrap_or(0);
                    return Err(format!(
                        "X[[{r}, {c}]] of a ({d}, {n}) matrix is at position {right} of vec(X), \
                         not {p}"
                    ));
                }
            }
        }
        Ok("every entry of four matrices lands where jacobian::vec puts it".to_string())
    }

    pub fn jacobian_entries(f: fn(u64, u64, u64) -> u64) -> Verdict {
        for (d, m, n) in [(1, 1, 1), (3, 2, 1), (2, 3, 4), (3, 1, 2)] {
            let w: Array2<f64> = gradcheck::random((m, d), 1);
            let b: Array1<f64> = gradcheck::random(m, 2);
            let x: Array2<f64> = gradcheck::random((d, n), 3);
            let j = jacobian::numerical(|x: &Array2<f64>| affine::forward(&w, x, &b), &x, 1e-5);
            let got = f(d as u64, m as u64, n as u64);
            if got != j.len() as u64 {
                return Err(format!(
                    "(d, m, n) = ({d}, {m}, {n}): the affine layer's Jacobian with respect to X \
                     has shape {:?}, {} entries, not {got}",
                    j.shape(),
                    j.len()
                ));
            }
        }
        let got = f(784, 256, 128);
        if got != 3_288_334_336 {
            return Err(format!(
                "(d, m, n) = (784, 256, 128): expected 3288334336 entries, got {got}"
            ));
        }
        Ok(
            "four small Jacobians counted; 3 288 334 336 entries (26.3 GB) for the big one"
                .to_string(),
        )
    }

    fn neighbour_products(x: &Array1<f64>) -> Array1<f64> {
        let k = x.len();
        &x.slice(ndarray::s![..k - 1]) * &x.slice(ndarray::s![1..])
    }

    pub fn neighbour_products_jacobian(f: fn(&Array1<f64>) -> Array2<f64>) -> Verdict {
        let x = array![1.0, -2.0, 0.5];
        close_array(
            "the Jacobian at x = (1, -2, 0.5)",
            &f(&x),
            &array![[-2.0, 1.0, 0.0], [0.0, 0.5, -2.0]],
            1e-12,
        )?;
        for k in 2..=5 {
            let x: Array1<f64> = gradcheck::random(k, k as u64);
            let numerical = jacobian::numerical(neighbour_products, &x, 1e-5);
            close_array(
                &format!("the Jacobian at x = {x}, against jacobian::numerical"),
                &f(&x),
                &numerical,
                1e-6,
            )?;
        }
        Ok(
            "[[-2, 1, 0], [0, 0.5, -2]] at (1, -2, 0.5); matches jacobian::numerical at 4 more \
             points"
                .to_string(),
        )
    }

    pub fn neighbour_products_backward(
        f: fn(&Array1<f64>, &Array1<f64>) -> Array1<f64>,
    ) -> Verdict {
        let mut reports = Vec::new();
        for (k, seed) in [(3, 1), (5, 2)] {
            let x: Array1<f64> = gradcheck::random(k, seed);
            reports.push(layer(
                "neighbouring products",
                &[("x", x.into_dyn())],
                |v| neighbour_products(&vector(&v[0])).into_dyn(),
                |v, dy| vec![f(&vector(&v[0]), &vector(dy)).into_dyn()],
            )?);
        }
        let dx = f(&array![1.0, -2.0, 0.5], &array![0.3, -0.7]);
        close_array(
            "dx at x = (1, -2, 0.5), dy = (0.3, -0.7)",
            &dx,
            &array![-0.6, -0.05, 1.4],
            1e-12,
        )?;
        Ok(format!(
            "layer check (gradient and Jacobian) on inputs of length 3 and 5, max relative \
             error {:.1e}",
            worst(&reports)
        ))
    }

    pub fn example_backward(f: fn(&Array1<f64>, &Array1<f64>) -> Array1<f64>) -> Verdict {
        let forward = |v: &[ArrayD<f64>]| {
            let x = &v[0];
            array![x[0] * x[1], x[0] + 3.0 * x[1]].into_dyn()
        };
        let mut reports = Vec::new();
        for x in [array![2.0, -1.0], gradcheck::random(2, 7)] {
            reports.push(layer(
                "tensors example y = (x1·x2, x1 + 3·x2)",
                &[("x", x.into_dyn())],
                forward,
                |v, dy| vec![f(&vector(&v[0]), &vector(dy)).into_dyn()],
            )?);
        }
        close_array(
            "dx at x = (2, -1) for L = y1·y2, dy = (-1, -2)",
            &f(&array![2.0, -1.0], &array![-1.0, -2.0]),
            &array![-1.0, -8.0],
            1e-12,
        )?;
        Ok(format!(
            "dx = (-1, -8) at the worked example; layer check at 2 points, max relative error \
             {:.1e}",
            worst(&reports)
        ))
    }

    pub fn product_loss_gradient(f: fn(&Array1<f64>) -> Array1<f64>) -> Verdict {
        close_array(
            "the gradient at x = (2, -1)",
            &f(&array![2.0, -1.0]),
            &array![-1.0, -8.0],
            1e-12,
        )?;
        let loss = |x: &Array1<f64>| x[0] * x[1] * (x[0] + 3.0 * x[1]);
        let mut max_error: f64 = 0.0;
        for seed in 1..=3 {
            let x: Array1<f64> = gradcheck::random(2, seed) * 2.0;
            max_error = max_error.max(gradient(loss, &x, &f(&x))?.max_relative_error);
        }
        Ok(format!(
            "(-1, -8) at (2, -1); gradient check at 3 random points, max relative error \
             {max_error:.1e}"
        ))
    }
}

/// Graders for the array-operations chapter.
pub mod array_operations {
    use super::*;

    type Backward = fn(&Array2<f64>, &Array2<f64>) -> Array2<f64>;

    /// Layer checks of `backward` against `forward` on two random
    /// `(d, n)` batches made by `input`, then the worked numbers for one
    /// sample `(x, dy, dx)`.
    fn per_sample(
        name: &str,
        forward: fn(&Array2<f64>) -> Array2<f64>,
        backward: Backward,
        input: fn(Array2<f64>) -> Array2<f64>,
        worked: [Array1<f64>; 3],
    ) -> Verdict {
        let mut reports = Vec::new();
        for (shape, seed) in [((4, 3), 21), ((3, 1), 22)] {
            let x = input(gradcheck::random(shape, seed));
            reports.push(layer(
                name,
                &[("x", x.into_dyn())],
                |v| forward(&matrix(&v[0])).into_dyn(),
                |v, dy| vec![backward(&matrix(&v[0]), &matrix(dy)).into_dyn()],
            )?);
        }
        let [x, dy, dx] = worked;
        let column = |v: &Array1<f64>| v.clone().insert_axis(ndarray::Axis(1));
        close_array(
            &format!("dx at x = {x}, dy = {dy} (one sample, as a column)"),
            &backward(&column(&x), &column(&dy)),
            &column(&dx),
            1e-12,
        )?;
        Ok(format!(
            "worked numbers; layer check (gradient and Jacobian) on a (4, 3) and a (3, 1) \
             batch, max relative error {:.1e}",
            worst(&reports)
        ))
    }

    fn center(x: &Array2<f64>) -> Array2<f64> {
        x - &x.mean_axis(ndarray::Axis(0)).expect("d > 0")
    }

    fn divide_by_sum(x: &Array2<f64>) -> Array2<f64> {
        x / &x.sum_axis(ndarray::Axis(0))
    }

    fn subtract_max(x: &Array2<f64>) -> Array2<f64> {
        let m = x.map_axis(ndarray::Axis(0), |c| {
            c.iter()
                .copied()
                .fold(f64::NEG_INFINITY, |a, b| if b > a { b } else { a })
        });
        x - &m
    }

    pub fn center_backward(f: Backward) -> Verdict {
        per_sample(
            "centring",
            center,
            f,
            |x| x,
            [
                array![1.0, 2.0, 6.0],
                array![0.5, -1.0, 2.0],
                array![0.0, -1.5, 1.5],
            ],
        )
    }

    pub fn divide_by_sum_backward(f: Backward) -> Verdict {
        per_sample(
            "dividing by the sum",
            divide_by_sum,
            f,
            // Positive entries, so no sum is near zero.
            |x| x.mapv(|v| v.abs() + 0.5),
            [
                array![1.0, 2.0, 5.0],
                array![1.0, 0.0, -1.0],
                array![0.1875, 0.0625, -0.0625],
            ],
        )
    }

    pub fn subtract_max_backward(f: Backward) -> Verdict {
        per_sample(
            "subtracting the maximum",
            subtract_max,
            f,
            |x| x,
            [
                array![1.0, 4.0, 2.0],
                array![0.5, -1.0, 2.0],
                array![0.5, -2.5, 2.0],
            ],
        )
    }
}

/// Graders for the ReLU chapter's other activations.
pub mod relu {
    use super::*;

    type Backward = fn(&ArrayD<f64>, &ArrayD<f64>) -> ArrayD<f64>;

    /// Layer checks of `backward` against the true activation `phi` on a
    /// random minibatch and a random vector, then the worked numbers
    /// `(x, dy, dx)`.
    fn elementwise(
        name: &str,
        phi: fn(f64) -> f64,
        backward: Backward,
        worked: &[(ArrayD<f64>, ArrayD<f64>, ArrayD<f64>)],
    ) -> Verdict {
        let x2: Array2<f64> = gradcheck::random((3, 4), 1) * 3.0;
        let x1: Array1<f64> = gradcheck::random(5, 2) * 3.0;
        let mut reports = Vec::new();
        for x in [x2.into_dyn(), x1.into_dyn()] {
            reports.push(layer(
                name,
                &[("x", x)],
                |v| v[0].mapv(phi),
                |v, dy| vec![backward(&v[0], dy)],
            )?);
        }
        for (x, dy, dx) in worked {
            close_array(
                &format!("dx at x = {x}, dy = {dy}"),
                &backward(x, dy),
                dx,
                1e-12,
            )?;
        }
        Ok(format!(
            "worked numbers; layer check on a (3, 4) minibatch and a vector, max relative \
             error {:.1e}",
            worst(&reports)
        ))
    }

    fn scalar(v: f64) -> ArrayD<f64> {
        array![v].into_dyn()
    }

    pub fn sigmoid_backward(backward: Backward) -> Verdict {
        let sigma = |v: f64| 1.0 / (1.0 + (-v).exp());
        elementwise(
            "sigmoid",
            sigma,
            backward,
            &[(scalar(0.0), scalar(1.0), scalar(0.25))],
        )
    }

    pub fn tanh_backward(backward: Backward) -> Verdict {
        elementwise(
            "tanh",
            f64::tanh,
            backward,
            &[(scalar(0.0), scalar(1.0), scalar(1.0))],
        )
    }

    pub fn leaky_relu_backward(backward: Backward) -> Verdict {
        // The chapter's sample, x = (2, -1, 0.5) and dy = (0.3, -0.7, 1.2).
        let (x, dy) = backprop::relu::example_sample();
        elementwise(
            "leaky relu",
            |v| if v > 0.0 { v } else { 0.01 * v },
            backward,
            &[(
                x.into_dyn(),
                dy.into_dyn(),
                array![0.3, -0.007, 1.2].into_dyn(),
            )],
        )
    }
}

/// Random `W` `(m, d)` and `X` `(d, n)`.
fn random_w_x(m: usize, d: usize, n: usize) -> (Array2<f64>, Array2<f64>) {
    (gradcheck::random((m, d), 11), gradcheck::random((d, n), 12))
}

/// Graders for the biases chapter.
pub mod affine_biases {
    use super::*;

    pub fn scalar_bias_gradient(f: fn(&Array2<f64>) -> f64) -> Verdict {
        let (w, x) = random_w_x(2, 3, 4);
        let wx = w.dot(&x);
        let report = layer(
            "affine with one scalar bias c",
            &[("c", arr0(0.3).into_dyn())],
            |v| (&wx + v[0].sum()).into_dyn(),
            |_, dy| vec![arr0(f(&matrix(dy))).into_dyn()],
        )?;
        let dy = affine::example_bias_dy();
        close("dc for the chapter's dY", f(&dy), 1.75, 1e-12)?;
        Ok(format!(
            "dc = 1.75 for the chapter's dY; layer check, relative error {:.1e}",
            report.max_relative_error()
        ))
    }

    pub fn per_sample_bias_gradient(f: fn(&Array2<f64>) -> Array2<f64>) -> Verdict {
        let (w, x) = random_w_x(2, 3, 4);
        let wx = w.dot(&x);
        let big_b: Array2<f64> = gradcheck::random((2, 4), 9);
        let report = layer(
            "affine with a bias matrix B",
            &[("B", big_b.into_dyn())],
            |v| (&wx + &matrix(&v[0])).into_dyn(),
            |_, dy| vec![f(&matrix(dy)).into_dyn()],
        )?;
        Ok(format!(
            "layer check (gradient and Jacobian), max relative error {:.1e}",
            report.max_relative_error()
        ))
    }

    pub fn bias_gradient(f: fn(&Array2<f64>) -> Array1<f64>) -> Verdict {
        let mut reports = Vec::new();
        // A square dY first, so that a sum over the wrong axis still has
        // the right shape and the gradient check names the wrong entries.
        for (m, d, n) in [(3, 2, 3), (2, 3, 4)] {
            let (w, x) = random_w_x(m, d, n);
            let b: Array1<f64> = gradcheck::random(m, 13);
            reports.push(layer(
                "affine biases",
                &[("b", b.into_dyn())],
                |v| affine::forward(&w, &x, &vector(&v[0])).into_dyn(),
                |_, dy| vec![f(&matrix(dy)).into_dyn()],
            )?);
        }
        let dy = affine::example_bias_dy();
        close_array(
            "db for the chapter's dY",
            &f(&dy),
            &array![1.5, 0.25],
            1e-12,
        )?;
        Ok(format!(
            "db = (1.5, 0.25) for the chapter's dY; layer check at 2 shapes, max relative \
             error {:.1e}",
            worst(&reports)
        ))
    }

    pub fn rows_bias_gradient(f: fn(&Array2<f64>) -> Array1<f64>) -> Verdict {
        let mut reports = Vec::new();
        for (n, d, m) in [(3, 2, 3), (4, 3, 2)] {
            let x: Array2<f64> = gradcheck::random((n, d), 14);
            let w: Array2<f64> = gradcheck::random((d, m), 15);
            let b: Array1<f64> = gradcheck::random(m, 16);
            reports.push(layer(
                "affine biases, rows as samples",
                &[("b", b.into_dyn())],
                |v| (x.dot(&w) + &vector(&v[0])).into_dyn(),
                |_, dy| vec![f(&matrix(dy)).into_dyn()],
            )?);
        }
        let dy = affine::example_bias_dy();
        close_array(
            "db for the transpose of the chapter's dY",
            &f(&dy.t().to_owned()),
            &array![1.5, 0.25],
            1e-12,
        )?;
        Ok(format!(
            "db = (1.5, 0.25); layer check at 2 shapes, max relative error {:.1e}",
            worst(&reports)
        ))
    }
}

/// Graders for the weights chapter.
pub mod affine_weights {
    use super::*;
    use backprop::affine::Gradients;

    type Backward = fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> Gradients;
    type SquaredLossDw = fn(&Array2<f64>, &Array2<f64>, &Array1<f64>) -> Array2<f64>;
    type RowLayout = fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> (Array2<f64>, Array2<f64>);

    pub fn backward(f: Backward) -> Verdict {
        let mut reports = Vec::new();
        // Square W first: a missing transpose then keeps every shape right,
        // and the gradient check names the wrong entries.
        for (m, d, n) in [(3, 3, 2), (2, 3, 4)] {
            let (w, x) = random_w_x(m, d, n);
            let b: Array1<f64> = gradcheck::random(m, 17);
            reports.push(layer(
                "affine",
                &[
                    ("w", w.into_dyn()),
                    ("x", x.into_dyn()),
                    ("b", b.into_dyn()),
                ],
                |v| affine::forward(&matrix(&v[0]), &matrix(&v[1]), &vector(&v[2])).into_dyn(),
                |v, dy| {
                    let g = f(&matrix(&v[0]), &matrix(&v[1]), &matrix(dy));
                    vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
                },
            )?);
        }
        Ok(format!(
            "layer check of dW, dX and db at 2 shapes, max relative error {:.1e}",
            worst(&reports)
        ))
    }

    pub fn squared_loss_dw(f: SquaredLossDw) -> Verdict {
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let b = array![0.5, -1.0];
        close_array(
            "dW for the chapter's two-sample minibatch",
            &f(&w, &x, &b),
            &array![[-1.0, 0.0, 3.0], [19.0, 6.0, -27.0]],
            1e-12,
        )?;
        let (w, x) = random_w_x(2, 3, 4);
        let b: Array1<f64> = gradcheck::random(2, 18);
        let loss = |w: &Array2<f64>| 0.5 * affine::forward(w, &x, &b).mapv(|v| v * v).sum();
        let report = gradient(loss, &w, &f(&w, &x, &b))?;
        Ok(format!(
            "dW = [[-1, 0, 3], [19, 6, -27]] for the chapter's numbers; gradient check of L(W), \
             max relative error {:.1e}",
            report.max_relative_error
        ))
    }

    pub fn row_layout_gradients(f: RowLayout) -> Verdict {
        let mut reports = Vec::new();
        for (n, d, m) in [(3, 3, 3), (2, 3, 4)] {
            let x: Array2<f64> = gradcheck::random((n, d), 19);
            let w: Array2<f64> = gradcheck::random((d, m), 20);
            let b: Array1<f64> = gradcheck::random(m, 21);
            reports.push(layer(
                "affine, rows as samples",
                &[("w", w.into_dyn()), ("x", x.into_dyn())],
                |v| (matrix(&v[1]).dot(&matrix(&v[0])) + &b).into_dyn(),
                |v, dy| {
                    let (dw, dx) = f(&matrix(&v[0]), &matrix(&v[1]), &matrix(dy));
                    vec![dw.into_dyn(), dx.into_dyn()]
                },
            )?);
        }
        let w = array![[1.0, 3.0], [-2.0, 0.0], [0.5, -1.0]];
        let x = array![[2.0, 1.0, -1.0], [-1.0, 0.0, 3.0]];
        let dy = array![[0.5, -1.0], [1.0, 2.0]];
        let (dw, dx) = f(&w, &x, &dy);
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
            "the chapter's numbers, transposed; layer check at 2 shapes, max relative error \
             {:.1e}",
            worst(&reports)
        ))
    }

    type Moves =
        fn(&Array2<f64>, &Array2<f64>, &Array2<f64>, &Array2<f64>) -> (Vec<usize>, Vec<usize>);

    pub fn columns_that_move(f: Moves) -> Verdict {
        let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
        let x = array![[2.0, -1.0], [1.0, 0.0], [-1.0, 3.0]];
        let dy = array![[0.5, 1.0], [-1.0, 2.0]];
        let mut second = dy.clone();
        second.column_mut(1).assign(&array![-3.0, 0.5]);
        let mut first = dy.clone();
        first.column_mut(0).assign(&array![2.0, -0.5]);
        let expect = |dy2: &Array2<f64>, dx_cols: Vec<usize>, dw_cols: Vec<usize>, what: &str| {
            let got = f(&w, &x, &dy, dy2);
            if got == (dx_cols.clone(), dw_cols.clone()) {
                Ok(())
            } else {
                Err(format!(
                    "changing {what} of dY moves the columns {dx_cols:?} of dX and {dw_cols:?} \
                     of dW; got {:?} and {:?}",
                    got.0, got.1
                ))
            }
        };
        expect(&second, vec![1], vec![0, 2], "the second column")?;
        expect(&first, vec![0], vec![0, 1, 2], "the first column")?;
        Ok("dX moves in the changed sample only; dW everywhere but where x = 0".to_string())
    }
}

/// Graders for the convolution chapter.
pub mod convolution {
    use super::*;
    use backprop::conv::{self, Conv1dGrads};

    type Vector2 = fn(&Array1<f64>, &Array1<f64>) -> Array1<f64>;
    type Backward1d = fn(&Array1<f64>, &Array1<f64>, &Array1<f64>) -> Conv1dGrads;

    /// The chapter's signal, filter and upstream gradient.
    fn chapter() -> (Array1<f64>, Array1<f64>, Array1<f64>) {
        (
            array![1.0, 2.0, -1.0, 0.5, 3.0],
            array![2.0, -1.0, 0.5],
            array![1.0, -2.0, 0.5],
        )
    }

    /// Random `(x, w, dy)` with `x` of length `l` and `w` of length `k`.
    fn random(l: usize, k: usize) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
        (
            gradcheck::random(l, 31),
            gradcheck::random(k, 32),
            gradcheck::random(l - k + 1, 33),
        )
    }

    const SIZES: [(usize, usize); 3] = [(7, 3), (5, 5), (6, 1)];

    pub fn dw_as_convolution(f: Vector2) -> Verdict {
        let (x, _, dy) = chapter();
        close_array(
            "dw for the chapter's numbers",
            &f(&x, &dy),
            &array![-3.5, 4.25, -0.5],
            1e-12,
        )?;
        for (l, k) in SIZES {
            let (x, w, dy) = random(l, k);
            let want = conv::backward_1d(&x, &w, &dy).dw;
            close_array(
                &format!("dw for L = {l}, K = {k}, against conv::backward_1d"),
                &f(&x, &dy),
                &want,
                1e-12,
            )?;
        }
        Ok(
            "(-3.5, 4.25, -0.5) for the chapter's numbers; equals conv::backward_1d at 3 sizes"
                .to_string(),
        )
    }

    pub fn conv1d_backward(f: Backward1d) -> Verdict {
        let mut reports = Vec::new();
        for (l, k) in SIZES {
            let (x, w, _) = random(l, k);
            reports.push(layer(
                "conv1d",
                &[
                    ("x", x.into_dyn()),
                    ("w", w.into_dyn()),
                    ("b", arr0(0.3).into_dyn()),
                ],
                |v| conv::forward_1d(&vector(&v[0]), &vector(&v[1]), v[2].sum()).into_dyn(),
                |v, dy| {
                    let g = f(&vector(&v[0]), &vector(&v[1]), &vector(dy));
                    vec![g.dx.into_dyn(), g.dw.into_dyn(), arr0(g.db).into_dyn()]
                },
            )?);
        }
        Ok(format!(
            "layer check of dx, dw and db at 3 sizes, max relative error {:.1e}",
            worst(&reports)
        ))
    }

    pub fn dx_as_convolution(f: Vector2) -> Verdict {
        let (_, w, dy) = chapter();
        close_array(
            "dx for the chapter's numbers",
            &f(&w, &dy),
            &array![2.0, -5.0, 3.5, -1.5, 0.25],
            1e-12,
        )?;
        for (l, k) in SIZES {
            let (x, w, dy) = random(l, k);
            let want = conv::backward_1d(&x, &w, &dy).dx;
            close_array(
                &format!("dx for L = {l}, K = {k}, against conv::backward_1d"),
                &f(&w, &dy),
                &want,
                1e-12,
            )?;
        }
        Ok("(2, -5, 3.5, -1.5, 0.25) for the chapter's numbers; equals conv::backward_1d at 3 sizes".to_string())
    }
    pub fn strided_dx(f: fn(f64, &Array1<f64>) -> Array1<f64>) -> Verdict {
        use backprop::conv::ConvParams;
        use ndarray::Array4;
        let p = ConvParams { stride: 2, pad: 0 };
        close_array(
            "dx for w = 2, dy = (1, -1, 0.5)",
            &f(2.0, &array![1.0, -1.0, 0.5]),
            &array![2.0, 0.0, -2.0, 0.0, 1.0],
            1e-12,
        )?;
        let x: Array1<f64> = gradcheck::random(5, 34);
        let dy: Array1<f64> = gradcheck::random(3, 35);
        let w = 0.7;
        let image = |x: &Array1<f64>| -> Array4<f64> {
            x.clone()
                .into_shape_with_order((1, 1, 1, 5))
                .expect("five entries")
        };
        let filter = Array4::from_elem((1, 1, 1, 1), w);
        let dy4: Array4<f64> = dy
            .clone()
            .into_shape_with_order((1, 1, 1, 3))
            .expect("three");
        let report = gradient(
            |x: &Array1<f64>| (conv::forward(&image(x), &filter, &array![0.0], p) * &dy4).sum(),
            &x,
            &f(w, &dy),
        )?;
        Ok(format!(
            "(2, 0, -2, 0, 1) for the chapter's numbers; gradient check of conv::forward, {} \
             entries",
            report.checked
        ))
    }
}

/// Graders for the max-pooling chapter.
pub mod max_pooling {
    use super::*;
    use backprop::pool::{self, PoolParams};
    use ndarray::{s, Array4};

    type Backward1d = fn(&Array1<f64>, &Array1<f64>, usize) -> Array1<f64>;

    fn forward_1d(x: &Array1<f64>, window: usize) -> Array1<f64> {
        x.exact_chunks(window)
            .into_iter()
            .map(|c| c.fold(f64::NEG_INFINITY, |m, &v| m.max(v)))
            .collect()
    }

    pub fn max_pool_1d_backward(f: Backward1d) -> Verdict {
        let mut reports = Vec::new();
        for (len, window) in [(8, 2), (9, 3), (4, 4), (3, 1)] {
            let x: Array1<f64> = gradcheck::random(len, 41);
            reports.push(layer(
                "max pooling 1-D",
                &[("x", x.into_dyn())],
                |v| forward_1d(&vector(&v[0]), window).into_dyn(),
                |v, dy| vec![f(&vector(&v[0]), &vector(dy), window).into_dyn()],
            )?);
        }
        close_array(
            "dx at a tie, x = (1, 1), dy = (1): the first entry takes it all",
            &f(&array![1.0, 1.0], &array![1.0], 2),
            &array![1.0, 0.0],
            0.0,
        )?;
        Ok(format!(
            "ties go to the first entry; layer check at 4 sizes, max relative error {:.1e}",
            worst(&reports)
        ))
    }

    fn avg_pool(x: &Array2<f64>) -> Array2<f64> {
        let (h, w) = x.dim();
        Array2::from_shape_fn((h / 2, w / 2), |(i, j)| {
            x.slice(s![2 * i..2 * i + 2, 2 * j..2 * j + 2]).sum() / 4.0
        })
    }

    pub fn avg_pool_backward(f: fn(&Array2<f64>) -> Array2<f64>) -> Verdict {
        let x = array![
            [1.0, 3.0, 2.0, 0.0],
            [4.0, -1.0, 5.0, 1.0],
            [0.0, 2.0, -3.0, 6.0],
            [1.0, 1.5, 2.5, -2.0]
        ];
        let dy = array![[0.5, -1.0], [2.0, 3.0]];
        close(
            "dx[[0, 0]] for the chapter's dy",
            f(&dy)[[0, 0]],
            0.125,
            1e-15,
        )?;
        let mut reports = Vec::new();
        for x in [x, gradcheck::random((6, 2), 42)] {
            reports.push(layer(
                "average pooling",
                &[("x", x.into_dyn())],
                |v| avg_pool(&matrix(&v[0])).into_dyn(),
                |_, dy| vec![f(&matrix(dy)).into_dyn()],
            )?);
        }
        Ok(format!(
            "dx[[0, 0]] = 0.125; layer check on the chapter's x and a (6, 2) input, max \
             relative error {:.1e}",
            worst(&reports)
        ))
    }

    pub fn centre_wins_everywhere(f: fn() -> Array2<f64>) -> Verdict {
        let x = f();
        if x.dim() != (3, 3) || x.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "expected a 3 × 3 input of finite numbers, got\n{x}"
            ));
        }
        let mut sorted: Vec<f64> = x.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(format!("two entries of\n{x}\nare equal: a tie is a kink"));
        }
        let x4: Array4<f64> = x.into_shape_with_order((1, 1, 3, 3)).expect("3 × 3");
        let dy: Array4<f64> = array![[1.0, -2.0], [0.25, 4.0]]
            .into_shape_with_order((1, 1, 2, 2))
            .expect("2 × 2");
        let p = PoolParams {
            height: 2,
            width: 2,
            stride: 1,
        };
        let dx = pool::max_backward(&x4, &dy, p);
        close(
            "the centre's gradient, against the sum of dy",
            dx[[0, 0, 1, 1]],
            dy.sum(),
            1e-15,
        )?;
        let report = gradient(
            |x: &Array4<f64>| (pool::max_forward(x, p) * &dy).sum(),
            &x4,
            &dx,
        )?;
        Ok(format!(
            "the centre gets the sum of dy, {}; gradient check with {} kinks skipped",
            dy.sum(),
            report.skipped_kinks
        ))
    }
}

/// Graders for the softmax and cross-entropy chapter.
pub mod softmax {
    use super::*;
    use backprop::loss;

    type Gradient = fn(&Array2<f64>, &[usize]) -> Array2<f64>;

    pub fn two_class_gradient(f: fn(f64, f64) -> [f64; 2]) -> Verdict {
        for (s1, s2) in [(0.8, -0.4), (-2.0, 1.5), (3.0, 3.0)] {
            let (_, ds) = loss::softmax_cross_entropy(&array![[s1], [s2]], &[0]);
            close_array(
                &format!("[∂L/∂s1, ∂L/∂s2] at (s1, s2) = ({s1}, {s2})"),
                &Array1::from(f(s1, s2).to_vec()),
                &array![ds[[0, 0]], ds[[1, 0]]],
                1e-12,
            )?;
        }
        Ok("matches loss::softmax_cross_entropy at 3 pairs of scores".to_string())
    }

    pub fn softmax_cross_entropy_gradient(f: Gradient) -> Verdict {
        let labels = [0, 2, 1, 2];
        let scores: Array2<f64> = gradcheck::random((3, 4), 51) * 2.0;
        let grad = f(&scores, &labels);
        let report = gradient(
            |s: &Array2<f64>| loss::softmax_cross_entropy(s, &labels).0,
            &scores,
            &grad,
        )?;
        for (i, column) in grad.columns().into_iter().enumerate() {
            close(
                &format!("the sum of column {i} of the gradient"),
                column.sum(),
                0.0,
                1e-12,
            )?;
        }
        let shifted = f(&(&scores + 1000.0), &labels);
        if shifted.iter().any(|v| !v.is_finite()) {
            return Err(
                "at scores near 1000 the gradient is not finite: exp(1000) overflows; \
                 subtract each column's largest score before exp (softmax does not change)"
                    .to_string(),
            );
        }
        close_array(
            "the gradient at the same scores plus 1000",
            &shifted,
            &grad,
            1e-9,
        )?;
        Ok(format!(
            "gradient check of the mean loss, max relative error {:.1e}; columns sum to 0; \
             stable near 1000",
            report.max_relative_error
        ))
    }
}

/// Graders for the network chapter.
pub mod network {
    use super::*;
    use backprop::net::{spiral, SPIRAL_SEEDS};
    use backprop::{loss, relu as relu_layer};
    use ndarray::Axis;

    type HiddenGradient = fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> Array2<f64>;
    type Linear =
        fn(&Array2<f64>, &Array1<f64>, &Array2<f64>, &[usize], f64) -> (Array2<f64>, Array1<f64>);

    pub fn penalty_gradient(f: fn(&Array2<f64>, f64) -> Array2<f64>) -> Verdict {
        let w: Array2<f64> = gradcheck::random((3, 4), 71);
        let reg = 0.3;
        let report = gradient(
            |w: &Array2<f64>| 0.5 * reg * w.mapv(|v| v * v).sum(),
            &w,
            &f(&w, reg),
        )?;
        Ok(format!(
            "gradient check of ½ λ ‖W‖², max relative error {:.1e}",
            report.max_relative_error
        ))
    }

    pub fn hidden_gradient(f: HiddenGradient) -> Verdict {
        let mut reports = Vec::new();
        for (k, h, n) in [(3, 3, 2), (2, 4, 3)] {
            let w2: Array2<f64> = gradcheck::random((k, h), 61);
            let b2: Array1<f64> = gradcheck::random(k, 62);
            let z: Array2<f64> = gradcheck::random((h, n), 63);
            reports.push(layer(
                "affine after relu",
                &[("z", z.into_dyn())],
                |v| {
                    let hidden = relu_layer::forward(&matrix(&v[0]));
                    (w2.dot(&hidden) + b2.view().insert_axis(Axis(1))).into_dyn()
                },
                |v, dy| vec![f(&w2, &matrix(&v[0]), &matrix(dy)).into_dyn()],
            )?);
        }
        Ok(format!(
            "layer check of dZ at 2 shapes, max relative error {:.1e}",
            worst(&reports)
        ))
    }

    pub fn linear_classifier_gradients(f: Linear) -> Verdict {
        let (x, labels) = spiral(10, 3, 5);
        let w: Array2<f64> = gradcheck::random((3, 2), 72);
        let b: Array1<f64> = gradcheck::random(3, 73);
        let reg = 0.1;
        let loss = |w: &Array2<f64>, b: &Array1<f64>| {
            let s = affine::forward(w, &x, b);
            loss::softmax_cross_entropy(&s, &labels).0 + 0.5 * reg * w.mapv(|v| v * v).sum()
        };
        let (dw, db) = f(&w, &b, &x, &labels, reg);
        let rw = gradient(|w: &Array2<f64>| loss(w, &b), &w, &dw)?;
        let rb = gradient(|b: &Array1<f64>| loss(&w, b), &b, &db)?;
        // The chapter's run: 1,000 steps of size 1 on the spiral.
        let (x, labels) = spiral(100, 3, SPIRAL_SEEDS.0);
        let mut w: Array2<f64> = gradcheck::random((3, 2), 1) * 0.01;
        let mut b = Array1::<f64>::zeros(3);
        for _ in 0..1000 {
            let (dw, db) = f(&w, &b, &x, &labels, 1e-3);
            w.scaled_add(-1.0, &dw);
            b.scaled_add(-1.0, &db);
        }
        let predicted = loss::predictions(&affine::forward(&w, &x, &b));
        let right = predicted
            .iter()
            .zip(&labels)
            .filter(|(p, l)| p == l)
            .count();
        let accuracy = right as f64 / labels.len() as f64;
        close(
            "the training accuracy after 1,000 steps",
            accuracy,
            0.51,
            0.02,
        )?;
        Ok(format!(
            "gradient checks of dW and db, max relative error {:.1e}; trained with your \
             gradients, accuracy {accuracy}",
            rw.max_relative_error.max(rb.max_relative_error)
        ))
    }

    pub fn dead_units(f: fn(&Array2<f64>) -> Vec<usize>) -> Verdict {
        let z: Array2<f64> = gradcheck::random((6, 5), 74);
        let mut h = relu_layer::forward(&z);
        for j in [1, 4] {
            h.row_mut(j).fill(0.0);
        }
        let want: Vec<usize> = (0..h.nrows())
            .filter(|&j| h.row(j).iter().all(|&v| v == 0.0))
            .collect();
        let got = f(&h);
        if got != want {
            return Err(format!(
                "the dead units of\n{h}\nare the rows {want:?}, not {got:?}"
            ));
        }
        Ok(format!("found the dead rows {want:?}"))
    }
}
