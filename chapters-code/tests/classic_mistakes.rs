//! The classic backprop bugs, each applied on purpose: the book's check must
//! fail on every one of them.
//!
//! Each test builds the buggy version next to the right one (a `Mistake`
//! switch), and asserts that the check fails with the mistake and passes
//! without it, so a check that could not tell them apart fails the test.

use backprop::affine;
use backprop::gradcheck::{self, CheckFailure};
use backprop::layer_check::{self, arg, input, LayerCheckFailure, LayerReport};
use backprop::scalar::{self, Graph, Op, Var};
use ndarray::{Array1, Array2, ArrayD, Axis};

/// `ours`, the hand-written backward pass, equals `theirs`, the crate's
/// function `name`, entry by entry; otherwise panics naming the function,
/// the first entry that differs, both values, and `x` there.
#[track_caller]
fn same_entries<D: ndarray::Dimension>(
    name: &str,
    ours: &ndarray::Array<f64, D>,
    theirs: &ndarray::Array<f64, D>,
    x: &ndarray::Array<f64, D>,
) {
    assert_eq!(ours.shape(), theirs.shape(), "{name}: shapes differ");
    let differs = ours
        .indexed_iter()
        .zip(theirs)
        .zip(x)
        .find(|(((_, a), b), _)| a != b);
    if let Some((((at, a), b), x)) = differs {
        panic!("{name}: entry {at:?} is {b}, but the hand-written version gives {a}, at x = {x}");
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mistake {
    Made,
    Avoided,
}
use Mistake::{Avoided, Made};

// ---------------------------------------------------------------------
// The scalar engine.

/// The diamond of the scalar chapter: `a = x·y`, `b = a + a`, `c = a·b`,
/// so `c = 2x²y²` and `a` reaches `c` along three paths.
fn diamond(x: f64, y: f64) -> (Graph, [Var; 2], Var) {
    let mut g = Graph::new();
    let (vx, vy) = (g.input("x", x), g.input("y", y));
    let a = g.mul(vx, vy);
    let b = g.add(a, a);
    let c = g.mul(a, b);
    (g, [vx, vy], c)
}

/// The chain rule over `g`'s nodes, written out as `Graph::backward` does
/// it, into `grads` (one per node), with the engine's local gradients.
/// `overwrite` stores each contribution with `=` instead of adding it with
/// `+=`; `rezero` clears `grads` first.
fn backward_by_hand(g: &Graph, out: Var, grads: &mut [f64], overwrite: Mistake, rezero: Mistake) {
    let engine = |op: Op, inputs: &[f64], output: f64| op.local_gradients(inputs, output);
    backward_with(g, out, grads, engine, overwrite, rezero);
}

/// [`backward_by_hand`] with the local gradients of each node computed by
/// `locals(op, inputs, output)`.
fn backward_with(
    g: &Graph,
    out: Var,
    grads: &mut [f64],
    locals: impl Fn(Op, &[f64], f64) -> Vec<f64>,
    overwrite: Mistake,
    rezero: Mistake,
) {
    if rezero == Avoided {
        grads.iter_mut().for_each(|v| *v = 0.0);
    }
    grads[out.0] = 1.0;
    let nodes = g.nodes();
    for v in g.topological_order(out).into_iter().rev() {
        let node = &nodes[v.0];
        let inputs: Vec<f64> = node.inputs.iter().map(|i| nodes[i.0].value).collect();
        let locals = locals(node.op, &inputs, node.value);
        for (input, local) in node.inputs.iter().zip(locals) {
            let contribution = grads[v.0] * local;
            if overwrite == Made {
                grads[input.0] = contribution;
            } else {
                grads[input.0] += contribution;
            }
        }
    }
}

/// The gradient check of `c = 2x²y²` at `(2, 3)` against `analytic`.
fn check_diamond(analytic: [f64; 2]) -> Result<gradcheck::Report, CheckFailure> {
    let point = Array1::from_vec(vec![2.0, 3.0]);
    let f = |p: &Array1<f64>| {
        let (g, _, c) = diamond(p[0], p[1]);
        g.value(c)
    };
    gradcheck::try_check_gradient(f, &point, &Array1::from_vec(analytic.to_vec()))
}

/// `[∂c/∂x, ∂c/∂y]` of the diamond at `(2, 3)`, by hand, after `passes`
/// backward passes.
fn diamond_gradient(overwrite: Mistake, rezero: Mistake, passes: usize) -> [f64; 2] {
    let (g, [x, y], c) = diamond(2.0, 3.0);
    let mut grads = vec![0.0; g.len()];
    for _ in 0..passes {
        backward_by_hand(&g, c, &mut grads, overwrite, rezero);
    }
    [grads[x.0], grads[y.0]]
}

#[test]
fn a_reused_node_whose_gradients_are_overwritten_is_caught() {
    let wrong = diamond_gradient(Made, Avoided, 1);
    let failure = check_diamond(wrong).expect_err("overwritten gradients passed the check");
    assert!(failure.message.contains("2 of 2 entries"), "{failure}");
    // Adding the contributions is right, and is what the engine does.
    let right = diamond_gradient(Avoided, Avoided, 1);
    assert_eq!(right, [72.0, 48.0]); // 4xy², 4x²y
    check_diamond(right).unwrap();
    let (mut g, [x, y], c) = diamond(2.0, 3.0);
    g.backward(c);
    assert_eq!([g.grad(x), g.grad(y)], right);
}

#[test]
fn backward_twice_without_rezeroing_is_caught() {
    let wrong = diamond_gradient(Avoided, Made, 2);
    let failure = check_diamond(wrong).expect_err("stale gradients passed the check");
    assert!(failure.message.contains("2 of 2 entries"), "{failure}");
    // Zeroing first makes the second pass harmless, as in Graph::backward.
    let right = diamond_gradient(Avoided, Avoided, 2);
    check_diamond(right).unwrap();
    let (mut g, [x, y], c) = diamond(2.0, 3.0);
    g.backward(c);
    g.backward(c);
    assert_eq!([g.grad(x), g.grad(y)], right);
}

// ---------------------------------------------------------------------
// The affine layer, on square shapes where every wrong gradient still has
// the right shape.

/// The layer check of the affine layer with `W` `(m, d)` and `X` `(d, n)`,
/// whose backward is the crate's except for `dw` and `db`, which
/// `grads(w, x, dy)` computes.
fn check_affine(
    (m, d, n): (usize, usize, usize),
    grads: impl Fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> (Array2<f64>, Array1<f64>),
) -> Result<LayerReport, LayerCheckFailure> {
    let w: Array2<f64> = gradcheck::random((m, d), 31);
    let x: Array2<f64> = gradcheck::random((d, n), 32);
    let b: Array1<f64> = gradcheck::random(m, 33);
    layer_check::try_check_layer(
        "affine",
        &[input("w", &w), input("x", &x), input("b", &b)],
        |v| affine::forward(&arg(&v[0]), &arg(&v[1]), &arg(&v[2])).into_dyn(),
        |v, dy| {
            let (w, x, dy) = (arg(&v[0]), arg(&v[1]), arg(dy));
            let (dw, db) = grads(&w, &x, &dy);
            let dx = affine::backward(&w, &x, &dy).dx;
            vec![dw.into_dyn(), dx.into_dyn(), db.into_dyn()]
        },
    )
}

/// `db` summed over the right axis (the samples, `Axis(1)`) or, with the
/// mistake, over the outputs (`Axis(0)`).
fn bias_gradient(dy: &Array2<f64>, mistake: Mistake) -> Array1<f64> {
    match mistake {
        Made => dy.sum_axis(Axis(0)),
        Avoided => dy.sum_axis(Axis(1)),
    }
}

/// `dW = dY Xᵀ`, or, with the mistake, `dY X` (the transpose forgotten).
fn weight_gradient(x: &Array2<f64>, dy: &Array2<f64>, mistake: Mistake) -> Array2<f64> {
    match mistake {
        Made => dy.dot(x),
        Avoided => dy.dot(&x.t()),
    }
}

#[test]
fn a_bias_gradient_summed_over_the_wrong_axis_is_caught_on_square_shapes() {
    // m = n: dY is square, so both sums have length m.
    let square = (4, 3, 4);
    let with = |mistake| {
        check_affine(square, move |_, x, dy| {
            (weight_gradient(x, dy, Avoided), bias_gradient(dy, mistake))
        })
    };
    let failure = with(Made).expect_err("db over the wrong axis passed the check");
    assert_eq!(failure.gradient, "db", "{failure}");
    assert!(
        failure.message.contains("input b has shape [4]"),
        "{failure}"
    );
    with(Avoided).unwrap();
}

#[test]
fn a_weight_gradient_missing_its_transpose_is_caught_on_square_shapes() {
    // d = n: X is square, so dY X has the shape (m, d) of dY Xᵀ.
    let square = (2, 3, 3);
    let with = |mistake| {
        check_affine(square, move |_, x, dy| {
            (weight_gradient(x, dy, mistake), bias_gradient(dy, Avoided))
        })
    };
    let failure = with(Made).expect_err("dY X passed the check");
    assert_eq!(failure.gradient, "dw", "{failure}");
    assert!(
        failure.message.contains("input w has shape [2, 3]"),
        "{failure}"
    );
    with(Avoided).unwrap();
}

// ---------------------------------------------------------------------
// Softmax cross-entropy and max pooling.

use backprop::loss;
use backprop::pool::{self, PoolParams};
use ndarray::{s, Array4};

/// `∂L/∂Y = (P − E) / n` for the mean loss of the scores `Y`, or, with
/// the mistake, `P − E`: the gradient of the sum, not of the mean.
fn softmax_gradient(scores: &Array2<f64>, labels: &[usize], mistake: Mistake) -> Array2<f64> {
    let (_, dy) = loss::softmax_cross_entropy(scores, labels);
    match mistake {
        Made => dy * labels.len() as f64,
        Avoided => dy,
    }
}

#[test]
fn a_softmax_gradient_without_the_batch_mean_is_caught() {
    let scores: Array2<f64> = gradcheck::random((3, 4), 41) * 2.0;
    let labels = [0, 2, 1, 2];
    let check = |mistake| {
        layer_check::try_check_layer(
            "softmax cross-entropy",
            &[input("scores", &scores)],
            |v| {
                ArrayD::from_elem(
                    ndarray::IxDyn(&[]),
                    loss::softmax_cross_entropy(&arg(&v[0]), &labels).0,
                )
            },
            |v, dy| vec![softmax_gradient(&arg(&v[0]), &labels, mistake).into_dyn() * dy[[]]],
        )
    };
    let failure = check(Made).expect_err("the gradient of the sum passed the check");
    assert_eq!(failure.gradient, "dscores", "{failure}");
    check(Avoided).unwrap();
}

/// Max-pooling backward written out window by window: `dy` goes to the
/// argmax of each window, or, with the mistake, to every entry of it.
fn pool_backward(
    x: &Array4<f64>,
    dy: &Array4<f64>,
    p: PoolParams,
    mistake: Mistake,
) -> Array4<f64> {
    let mut dx = Array4::zeros(x.raw_dim());
    // Image k, channel c, output position (i1, i2), whose window starts at
    // row `top` and column `left` of the input.
    for ((k, c, i1, i2), &g) in dy.indexed_iter() {
        let (top, left) = (i1 * p.stride, i2 * p.stride);
        let window = x.slice(s![k, c, top..top + p.height, left..left + p.width]);
        let mut target = dx.slice_mut(s![k, c, top..top + p.height, left..left + p.width]);
        match mistake {
            Made => target += g,
            Avoided => {
                let (best, _) =
                    window
                        .indexed_iter()
                        .fold(((0, 0), f64::NEG_INFINITY), |(b, a), (o, &v)| {
                            if v > a {
                                (o, v)
                            } else {
                                (b, a)
                            }
                        });
                target[best] += g;
            }
        }
    }
    dx
}

#[test]
fn a_max_pool_gradient_sent_to_the_whole_window_is_caught() {
    // 2 x 2 windows, stride 2, on a 4 x 4 image: no ties (random values).
    let x: Array4<f64> = gradcheck::random((1, 2, 4, 4), 51);
    let p = PoolParams {
        height: 2,
        width: 2,
        stride: 2,
    };
    let check = |mistake| {
        layer_check::try_check_layer(
            "max pool",
            &[input("x", &x)],
            |v| pool::forward(&arg(&v[0]), p).into_dyn(),
            |v, dy| vec![pool_backward(&arg(&v[0]), &arg(dy), p, mistake).into_dyn()],
        )
    };
    let failure = check(Made).expect_err("a gradient to every window entry passed the check");
    assert_eq!(failure.gradient, "dx", "{failure}");
    check(Avoided).unwrap();
    // The hand-written version is the crate's.
    let dy: Array4<f64> = gradcheck::random((1, 2, 2, 2), 52);
    same_entries(
        "pool::backward",
        &pool_backward(&x, &dy, p, Avoided),
        &pool::backward(&x, &dy, p),
        &x,
    );
}

// ---------------------------------------------------------------------
// ReLU and the scalar engine's exp node: a mask read off the wrong array,
// and a local gradient that forgot to exponentiate. Each failure must name
// the layer or node, the gradient, the entry, and the input that decides
// it.

use backprop::relu;
use ndarray::Zip;

/// ReLU's backward pass: `dy` where `x > 0`, else 0. With the mistake the
/// mask is read off `dy` instead of `x`.
fn relu_backward(x: &Array2<f64>, dy: &Array2<f64>, mistake: Mistake) -> Array2<f64> {
    let decides = match mistake {
        Made => dy,
        Avoided => x,
    };
    Zip::from(dy)
        .and(decides)
        .map_collect(|&g, &d| if d > 0.0 { g } else { 0.0 })
}

#[test]
fn a_relu_mask_taken_from_dy_instead_of_x_is_caught_and_named() {
    let x: Array2<f64> = gradcheck::random((4, 3), 61);
    let check = |mistake| {
        layer_check::try_check_layer(
            "relu",
            &[input("x", &x)],
            |v| relu::forward(&v[0]),
            |v, dy| vec![relu_backward(&arg(&v[0]), &arg(dy), mistake).into_dyn()],
        )
    };
    let failure = check(Made).expect_err("a mask read off dy passed the check");
    assert_eq!(
        (failure.layer.as_str(), failure.gradient.as_str()),
        ("relu", "dx")
    );
    // The wrong entries are where x and the check's dy differ in sign:
    // there dx is nonzero where x ≤ 0, or zero where x > 0.
    let dy: Array2<f64> = gradcheck::random((4, 3), layer_check::DY_SEED);
    let wrong: Vec<(usize, usize)> = x
        .indexed_iter()
        .filter(|&(at, &v)| (v > 0.0) != (dy[at] > 0.0))
        .map(|(at, _)| at)
        .collect();
    assert!(!wrong.is_empty());
    let lines: Vec<&str> = failure.message.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "relu: dx failed the gradient check: gradient check failed: {} of 12 entries \
             exceed relative error 1e-7 (h = 1e-5); worst first:",
            wrong.len()
        )
    );
    // Every entry line names its index, both values, and the x there.
    let shown = wrong.len().min(5);
    for line in &lines[1..=shown] {
        let (i, j) = wrong
            .iter()
            .copied()
            .find(|&(i, j)| line.starts_with(&format!("  index [{i}, {j}]: analytic ")))
            .unwrap_or_else(|| panic!("{line} names no wrong entry"));
        let decides = format!(", where x[{i}, {j}] = {:.10e}", x[[i, j]]);
        assert!(line.ends_with(&decides), "{line}");
        let analytic = if x[[i, j]] > 0.0 { 0.0 } else { dy[[i, j]] };
        assert!(
            line.contains(&format!("analytic {analytic:.10e}")),
            "{line}"
        );
    }
    assert!(
        failure
            .message
            .contains("\n  input x has shape [4, 3]; checked from"),
        "{failure}"
    );
    check(Avoided).unwrap();
    // The hand-written version is the crate's.
    same_entries(
        "relu::backward",
        &relu_backward(&x, &dy, Avoided),
        &relu::backward(&x, &dy),
        &x,
    );
}

/// `out = exp(x · w) + x` in the scalar engine: node 2 is `x · w`, node 3
/// its exponential, node 4 the output.
fn exp_graph(x: f64, w: f64) -> (Graph, [Var; 2], Var, Var) {
    let mut g = Graph::new();
    let (vx, vw) = (g.input("x", x), g.input("w", w));
    let p = g.mul(vx, vw);
    let e = g.exp(p);
    let out = g.add(e, vx);
    (g, [vx, vw], e, out)
}

/// The engine's local gradients, except that with the mistake the exp
/// node's returns its input `f` instead of `e^f`.
fn exp_locals(mistake: Mistake) -> impl Fn(Op, &[f64], f64) -> Vec<f64> {
    move |op, inputs, output| match (op, mistake) {
        (Op::Exp, Made) => inputs.to_vec(),
        _ => op.local_gradients(inputs, output),
    }
}

#[test]
fn an_exp_local_gradient_that_returns_its_input_is_caught_and_named() {
    let (x, w) = (0.5, -1.2);
    let (g, [vx, vw], e, out) = exp_graph(x, w);
    let failure = scalar::check_local_gradients_with(&g, exp_locals(Made))
        .expect_err("exp's local gradient f passed the check");
    assert_eq!(failure.failures.len(), 1);
    let node = &failure.failures[0];
    assert_eq!((node.node, node.label.as_str()), (e, "exp"));
    assert_eq!(node.failure.input, 0);
    // The node, what feeds it, its input f = x·w, and both values of ∂g/∂f_1.
    let f = x * w;
    let message = failure.to_string();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(
        lines[0],
        "scalar::check_local_gradients: 1 of 3 operation nodes have a wrong local gradient"
    );
    let expected = format!(
        "  node 3 (label \"exp\"; f_1 = node 2 \"*\"): the exp operation (Exp) at inputs \
         [{f:.10e}], output {:.10e}: ∂g/∂f_1 is {f:.10e} by local_gradients but ",
        f.exp()
    );
    assert!(lines[1].starts_with(&expected), "{message}");
    assert!(
        lines[1].contains("by centred differences of the operation"),
        "{message}"
    );
    assert_eq!(node.failure.analytic, f);
    assert!((node.failure.numerical - f.exp()).abs() < 1e-9, "{message}");

    // A gradient check of the whole graph fails too, but can only name the
    // graph's inputs, x and w, not the node.
    let gradient = |mistake| {
        let mut grads = vec![0.0; g.len()];
        backward_with(&g, out, &mut grads, exp_locals(mistake), Avoided, Avoided);
        Array1::from_vec(vec![grads[vx.0], grads[vw.0]])
    };
    let point = Array1::from_vec(vec![x, w]);
    let value = |p: &Array1<f64>| {
        let (g, _, _, out) = exp_graph(p[0], p[1]);
        g.value(out)
    };
    let whole = gradcheck::try_check_gradient(value, &point, &gradient(Made)).unwrap_err();
    assert!(whole.message.contains("2 of 2 entries"), "{whole}");

    // With exp's own rule, both checks pass.
    scalar::check_local_gradients_with(&g, exp_locals(Avoided)).unwrap();
    gradcheck::try_check_gradient(value, &point, &gradient(Avoided)).unwrap();
}
