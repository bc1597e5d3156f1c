//! Property tests: the book's checks on random shapes and values (a few
//! dozen cases each in a reader's `cargo test`, 256 in CI's deeper run).
//!
//! - every layer's backward passes the shared layer check
//!   ([`layer_check::check_layer`]) for random shapes, every dimension from
//!   1 to 6 and a batch of 1 to 5 (ReLU's values stay away from its kink);
//! - the scalar engine's gradients of random expressions that reuse nodes
//!   (diamonds) match centred differences;
//! - the gradient checker passes a correct gradient and fails a gradient
//!   with any single entry perturbed beyond the tolerance, near kinks too.
//!
//! The runs are deterministic (a fixed seed), so a failure can be replayed.

use backprop::gradcheck::{self, relative_error, ABSOLUTE_FLOOR, H, TOLERANCE};
use backprop::layer_check::{arg, input};
use backprop::scalar::{Graph, Var};
use backprop::{affine, layer_check, relu};
use ndarray::{Array1, Array2, ArrayD, IxDyn};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The same cases on every run, no files written. A reader's `cargo test`
/// runs [`DEFAULT_CASES`] per property; `PROPTEST_CASES=256` (as CI sets
/// it) runs a deeper search.
fn config() -> Config {
    Config {
        cases: cases(DEFAULT_CASES),
        rng_seed: RngSeed::Fixed(0x10CA1),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Cases per property in a reader's `cargo test`.
const DEFAULT_CASES: u32 = 32;

/// `PROPTEST_CASES` if it is set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `len` values uniform in `[-1, 1)`.
fn values(len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1.0..1.0f64, len)
}

/// `len` values with `0.01 <= |v| < 1`: at least `1000 h` from ReLU's kink.
fn away_from_zero(len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        (0.01..1.0f64, any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m }),
        len,
    )
}

/// A `(rows, cols)` matrix of the given values.
fn matrix(rows: usize, cols: usize, v: Vec<f64>) -> Array2<f64> {
    Array2::from_shape_vec((rows, cols), v).unwrap()
}

// ---------------------------------------------------------------------
// Every layer.

/// A ReLU input of shape `(d, n)`, away from the kink.
fn relu_input() -> impl Strategy<Value = Array2<f64>> {
    (1..=6usize, 1..=5usize)
        .prop_flat_map(|(d, n)| away_from_zero(d * n).prop_map(move |v| matrix(d, n, v)))
}

/// Affine inputs `(W, X, b)` with `W` `(m, d)`, `X` `(d, n)`, `b` `(m)`.
fn affine_inputs() -> impl Strategy<Value = (Array2<f64>, Array2<f64>, Array1<f64>)> {
    (1..=6usize, 1..=6usize, 1..=5usize).prop_flat_map(|(m, d, n)| {
        (values(m * d), values(d * n), values(m))
            .prop_map(move |(w, x, b)| (matrix(m, d, w), matrix(d, n, x), Array1::from_vec(b)))
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn relu_backward_passes_the_layer_check(x in relru_or_vector()) {
        let report = layer_check::check_layer(
            "relu",
            &[("x", x.clone())],
            |v| relu::forward(&v[0]),
            |v, dy| vec![relu::backward(&v[0], dy)],
        );
        prop_assert_eq!(report.gradients[0].1.checked, x.len());
        prop_assert_eq!(report.gradients[0].1.skipped_kinks, 0);
        prop_assert_eq!(report.jacobians_compared, 1);
    }

    #[test]
    fn relu_backward_in_place_agrees_with_backward(x in relu_input(), seed in any::<u64>()) {
        let dy: Array2<f64> = gradcheck::random(x.raw_dim(), seed);
        let mut dx = dy.clone();
        relu::backward_in_place(&x, &mut dx);
        prop_assert_eq!(&dx, &relu::backward(&x, &dy));
        prop_assert_eq!(dx, &relu::mask(&x) * &dy);
    }

    #[test]
    fn affine_backward_passes_the_layer_check((w, x, b) in affine_inputs()) {
        let report = layer_check::check_layer(
            "affine",
            &[input("w", &w), input("x", &x), input("b", &b)],
            |v| affine::forward(&arg(&v[0]), &arg(&v[1]), &arg(&v[2])).into_dyn(),
            |v, dy| {
                let g = affine::backward(&arg(&v[0]), &arg(&v[1]), &arg(dy));
                vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
            },
        );
        prop_assert_eq!(report.gradients.len(), 3);
        prop_assert_eq!(report.jacobians_compared, 3);
    }
}

/// ReLU inputs of either rank: a `(d, n)` minibatch or one sample `(d)`.
fn relru_or_vector() -> impl Strategy<Value = ArrayD<f64>> {
    prop_oneof![
        relu_input().prop_map(|x| x.into_dyn()),
        (1..=6usize).prop_flat_map(|d| away_from_zero(d)
            .prop_map(move |v| ArrayD::from_shape_vec(IxDyn(&[d]), v).unwrap())),
    ]
}

// ---------------------------------------------------------------------
// The scalar engine.

/// One step of a random expression: an operation and the earlier nodes it
/// reads. Every step reads the node just before it, and a binary step also
/// reads any earlier node, so nodes are reused and the graph has diamonds.
#[derive(Clone, Debug)]
enum Step {
    Add(usize),
    Mul(usize),
    Max(usize),
    Neg,
    Exp,
    AddConst(f64),
    Recip,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(|i| Step::Add(i.index(usize::MAX))),
        any::<prop::sample::Index>().prop_map(|i| Step::Mul(i.index(usize::MAX))),
        any::<prop::sample::Index>().prop_map(|i| Step::Max(i.index(usize::MAX))),
        Just(Step::Neg),
        Just(Step::Exp),
        (-2.0..2.0f64).prop_map(Step::AddConst),
        Just(Step::Recip),
    ]
}

/// Builds the expression on inputs `x`; returns the graph, the input
/// handles, the output, and whether every value stayed well-conditioned
/// (finite and moderate, no reciprocal near 0, no near-tie in a max).
fn build(x: &[f64], steps: &[Step]) -> (Graph, Vec<Var>, Var, bool) {
    let mut g = Graph::new();
    let inputs: Vec<Var> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| g.input(&format!("x{i}"), v))
        .collect();
    let mut nodes = inputs.clone();
    let mut tame = true;
    for s in steps {
        let last = *nodes.last().unwrap();
        let earlier = |k: usize| nodes[k % nodes.len()];
        let v = match *s {
            Step::Add(k) => g.add(last, earlier(k)),
            Step::Mul(k) => g.mul(last, earlier(k)),
            Step::Max(k) => {
                let other = earlier(k);
                if other != last && (g.value(last) - g.value(other)).abs() < 1e-3 {
                    tame = false;
                }
                g.max(last, other)
            }
            Step::Neg => g.neg(last),
            Step::Exp => {
                if g.value(last) > 5.0 {
                    tame = false;
                }
                g.exp(last)
            }
            Step::AddConst(c) => g.add_const(last, c),
            Step::Recip => {
                if g.value(last).abs() < 0.2 {
                    tame = false;
                }
                g.recip(last)
            }
        };
        if !g.value(v).is_finite() || g.value(v).abs() > 1e3 {
            tame = false;
        }
        nodes.push(v);
    }
    let out = *nodes.last().unwrap();
    (g, inputs, out, tame)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scalar_engine_matches_centered_differences(
        x in prop::collection::vec(-1.5..1.5f64, 1..=4),
        steps in prop::collection::vec(step(), 1..=12),
    ) {
        let (mut g, inputs, out, tame) = build(&x, &steps);
        prop_assume!(tame);
        g.backward(out);
        let analytic = Array1::from_iter(inputs.iter().map(|&v| g.grad(v)));
        let f = |p: &Array1<f64>| {
            let (g, _, out, _) = build(p.as_slice().unwrap(), &steps);
            g.value(out)
        };
        // Relative 1e-5: a chain of a dozen operations loses a few digits.
        let checked = gradcheck::try_check_gradient_with(f, &Array1::from_vec(x), &analytic, H, 1e-5);
        prop_assert!(checked.is_ok(), "{:?}: {}", steps, checked.unwrap_err());
        // Running backward again gives the same gradients.
        g.backward(out);
        let again = Array1::from_iter(inputs.iter().map(|&v| g.grad(v)));
        prop_assert_eq!(again, analytic);
    }
}

// ---------------------------------------------------------------------
// The gradient checker.

/// `f(x) = Σ sin(x_i) + (Σ x_i)² / 2`: smooth, and every entry's gradient
/// depends on every other entry.
fn smooth(x: &Array1<f64>) -> f64 {
    x.mapv(f64::sin).sum() + x.sum().powi(2) / 2.0
}

fn smooth_gradient(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(f64::cos) + x.sum()
}

/// `f(x) = Σ relu(x_i) + Σ |x_i| / 2`, kinked at 0 in every entry.
fn kinked(x: &Array1<f64>) -> f64 {
    relu::forward(x).sum() + x.mapv(f64::abs).sum() / 2.0
}

/// The one-sided slopes of [`kinked`] in one entry, left and right of 0:
/// `-1/2` and `3/2`.
const KINK_SLOPES: (f64, f64) = (-0.5, 1.5);

fn kinked_gradient(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(|v| if v > 0.0 { 1.5 } else { -0.5 })
}

/// A perturbation of `g` that is off by more than the tolerance in both the
/// relative and the absolute sense: `r · max(|g|, 1e-3)` with `r` from
/// `1e-5` (a hundred times the tolerance) up to 10, either sign.
fn perturbed(g: f64, r: f64, up: bool) -> f64 {
    let delta = r * g.abs().max(1e-3);
    if up {
        g + delta
    } else {
        g - delta
    }
}

/// Points with some entries within `0.9 h` of the kink at 0 (so the kink
/// lies inside `[x - h, x + h]`, and not within `KINK_TOLERANCE · h` of
/// its ends) and the others at least `0.01` away.
fn kink_points() -> impl Strategy<Value = Array1<f64>> {
    prop::collection::vec(
        prop_oneof![
            (-0.9..0.9f64).prop_map(|u| u * H),
            (0.01..1.0f64, any::<bool>()).prop_map(|(m, neg)| if neg { -m } else { m }),
        ],
        1..=8,
    )
    .prop_map(Array1::from_vec)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_correct_gradient_passes(x in prop::collection::vec(-2.0..2.0f64, 1..=10)) {
        let x = Array1::from_vec(x);
        let report = gradcheck::check_gradient(smooth, &x, &smooth_gradient(&x));
        prop_assert_eq!(report.checked, x.len());
        prop_assert_eq!(report.skipped_kinks, 0);
        prop_assert!(report.max_relative_error <= TOLERANCE);
    }

    #[test]
    fn one_entry_off_by_more_than_the_tolerance_fails(
        x in prop::collection::vec(-2.0..2.0f64, 1..=10),
        i in any::<prop::sample::Index>(),
        r in prop_oneof![1e-5..1e-3f64, 1e-3..10.0f64],
        up in any::<bool>(),
    ) {
        let x = Array1::from_vec(x);
        let i = i.index(x.len());
        let mut analytic = smooth_gradient(&x);
        let correct = analytic[i];
        analytic[i] = perturbed(correct, r, up);
        prop_assert!(relative_error(analytic[i], correct) > 10.0 * TOLERANCE);
        prop_assert!((analytic[i] - correct).abs() > 10.0 * ABSOLUTE_FLOOR);
        let failure = gradcheck::try_check_gradient_with(smooth, &x, &analytic, H, TOLERANCE)
            .expect_err("a wrong entry passed");
        let named = format!("index [{i}]");
        prop_assert!(failure.message.contains(&named), "{}", failure.message);
        prop_assert!(failure.message.contains(&format!("1 of {} entries", x.len())), "{}", failure.message);
    }

    #[test]
    fn near_kinks_a_correct_gradient_passes(x in kink_points()) {
        let near = x.iter().filter(|v| v.abs() < H).count();
        let result = gradcheck::try_check_gradient(kinked, &x, &kinked_gradient(&x));
        if near == x.len() {
            // Every entry skipped: the check compared nothing, and says so.
            let failure = result.expect_err("a check that compared nothing passed");
            prop_assert!(
                failure.message.starts_with("gradient check compared nothing"),
                "{}",
                failure.message
            );
            prop_assert_eq!((failure.checked, failure.skipped_kinks), (0, near));
        } else {
            let report = result.unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(report.skipped_kinks, near);
            prop_assert_eq!(report.checked, x.len() - near);
        }
    }

    #[test]
    fn near_kinks_one_entry_off_by_more_than_the_tolerance_fails(
        x in kink_points(),
        i in any::<prop::sample::Index>(),
        r in prop_oneof![1e-5..1e-3f64, 1e-3..10.0f64],
        up in any::<bool>(),
    ) {
        let i = i.index(x.len());
        let mut analytic = kinked_gradient(&x);
        analytic[i] = if x[i].abs() < H {
            // At a kink any value between the one-sided slopes is
            // acceptable, so step outside them.
            let (lo, hi) = KINK_SLOPES;
            if up { perturbed(hi, r, true) } else { perturbed(lo, r, false) }
        } else {
            perturbed(analytic[i], r, up)
        };
        let failure = gradcheck::try_check_gradient_with(kinked, &x, &analytic, H, TOLERANCE)
            .expect_err("a wrong entry passed");
        prop_assert!(failure.message.contains(&format!("index [{i}]")), "{}", failure.message);
    }
}

// ---------------------------------------------------------------------
// Convolution, max pooling, softmax cross-entropy, the two-layer network.

use backprop::conv::{self, ConvParams};
use backprop::loss;
use backprop::net::Network;
use backprop::pool::{self, PoolParams};
use ndarray::Array4;

/// A 4-D array of the given shape and values.
fn tensor(shape: (usize, usize, usize, usize), v: Vec<f64>) -> Array4<f64> {
    Array4::from_shape_vec(shape, v).unwrap()
}

/// Convolution inputs: `x` `(n, C, D₁, D₂)` with `n` 1..5 and `C, D₁, D₂`
/// 1..6, `w` `(F, C, Q₁, Q₂)` with `F` 1..6, a padding `R` of 0 or 1 and a
/// stride `S` of 1 or 2, and a filter that fits the padded input and tiles
/// it with the stride.
fn conv_inputs() -> impl Strategy<Value = (Array4<f64>, Array4<f64>, Array1<f64>, ConvParams)> {
    (
        1..=5usize,
        1..=6usize,
        1..=6usize,
        1..=6usize,
        1..=6usize,
        0..=1usize,
        1..=2usize,
    )
        .prop_flat_map(|(n, c, d1, d2, f, pad, stride)| {
            let q1_max = (d1 + 2 * pad).min(3);
            let q2_max = (d2 + 2 * pad).min(3);
            (Just((n, c, d1, d2, f, pad, stride)), 1..=q1_max, 1..=q2_max)
        })
        .prop_filter(
            "the filter must tile the padded input",
            |&((_, _, d1, d2, _, pad, stride), q1, q2)| {
                (d1 + 2 * pad - q1) % stride == 0 && (d2 + 2 * pad - q2) % stride == 0
            },
        )
        .prop_flat_map(|((n, c, d1, d2, f, pad, stride), q1, q2)| {
            (values(n * c * d1 * d2), values(f * c * q1 * q2), values(f)).prop_map(
                move |(x, wv, b)| {
                    (
                        tensor((n, c, d1, d2), x),
                        tensor((f, c, q1, q2), wv),
                        Array1::from_vec(b),
                        ConvParams { stride, pad },
                    )
                },
            )
        })
}

/// Max-pooling inputs: `x` `(n, C, D₁, D₂)` of distinct values in (-1, 1),
/// at least `2 / 1080` apart (no ties, no kink within reach of the step),
/// and a `Q₁ × Q₂` window and stride that tile the input.
fn pool_inputs() -> impl Strategy<Value = (Array4<f64>, PoolParams)> {
    (1..=5usize, 1..=6usize, 1..=6usize, 1..=6usize, 1..=3usize)
        .prop_flat_map(|(n, c, d1, d2, stride)| {
            (Just((n, c, d1, d2, stride)), 1..=d1.min(3), 1..=d2.min(3))
        })
        .prop_filter(
            "the window must tile the input",
            |&((_, _, d1, d2, stride), q1, q2)| (d1 - q1) % stride == 0 && (d2 - q2) % stride == 0,
        )
        .prop_flat_map(|((n, c, d1, d2, stride), q1, q2)| {
            let len = n * c * d1 * d2;
            Just((0..len).collect::<Vec<usize>>())
                .prop_shuffle()
                .prop_map(move |order| {
                    let v = order
                        .iter()
                        .map(|&rank| (2 * rank + 1) as f64 / len as f64 - 1.0)
                        .collect();
                    (
                        tensor((n, c, d1, d2), v),
                        PoolParams {
                            height: q1,
                            width: q2,
                            stride,
                        },
                    )
                })
        })
}

/// Scores `Y` `(m, n)` with `m` 1..6 classes and `n` 1..5 samples, and a
/// label (a class below `m`) per sample.
fn loss_inputs() -> impl Strategy<Value = (Array2<f64>, Vec<usize>)> {
    (1..=6usize, 1..=5usize).prop_flat_map(|(m, n)| {
        (
            prop::collection::vec(-3.0..3.0f64, m * n).prop_map(move |v| matrix(m, n, v)),
            prop::collection::vec(0..m, n),
        )
    })
}

/// A network `(W1, b1, W2, b2)` with `d` inputs, `u` hidden units and `m`
/// classes, each 1..6, a batch `X` `(d, n)` with `n` 1..5, and labels.
type NetCase = (Network, Array2<f64>, Vec<usize>);
fn net_inputs() -> impl Strategy<Value = NetCase> {
    (1..=6usize, 1..=6usize, 1..=6usize, 1..=5usize).prop_flat_map(|(d, u, m, n)| {
        (
            values(u * d),
            values(u),
            values(m * u),
            values(m),
            values(d * n),
            prop::collection::vec(0..m, n),
        )
            .prop_map(move |(w1, b1, w2, b2, x, labels)| {
                let net = Network {
                    w1: matrix(u, d, w1),
                    b1: Array1::from_vec(b1),
                    w2: matrix(m, u, w2),
                    b2: Array1::from_vec(b2),
                };
                (net, matrix(d, n, x), labels)
            })
    })
}

proptest! {
    // Each case costs a few hundred forward passes: fewer cases, unless
    // PROPTEST_CASES asks for more.
    #![proptest_config(Config { cases: cases(12), ..config() })]

    #[test]
    fn conv_backward_passes_the_layer_check((x, w, b, p) in conv_inputs()) {
        // The shared layer check, at a step of 1e-2 instead of H = 1e-5. At
        // H its rounding error, about ε·|L|/h for the checked loss
        // L = Σ y ⊙ dy, reaches 1e-9, and random convolutions have gradient
        // entries near 1e-3 (sums of many terms of both signs), which then
        // miss the 1e-7 tolerance although they are right. Convolution is
        // linear in x, in w and in b separately, so its centred difference
        // is exact at any step up to rounding: h = 1e-2 has a thousand times
        // less rounding error, with the same tolerances.
        let checked = layer_check::try_check_layer_with_step(
            "conv loops",
            &[input("w", &w), input("x", &x), input("b", &b)],
            1e-2,
            |v| conv::forward_loops(&arg(&v[0]), &arg(&v[1]), &arg(&v[2]), p).into_dyn(),
            |v, dy| {
                let g = conv::backward_loops(&arg(&v[0]), &arg(&v[1]), &arg(dy), p);
                vec![g.dw.into_dyn(), g.dx.into_dyn(), g.db.into_dyn()]
            },
        );
        prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
        let y = conv::forward_loops(&w, &x, &b, p);
        let dy: Array4<f64> = gradcheck::random(y.raw_dim(), layer_check::DY_SEED);
        let g = conv::backward_loops(&w, &x, &dy, p);
        // The im2col form, which the layer check of the chapter covers,
        // computes the same numbers (up to the order of its sums).
        let (y2, cache) = conv::forward(&w, &x, &b, p);
        let g2 = conv::backward(&w, &cache, &dy, p);
        for (name, a, b) in [("y", &y, &y2), ("dx", &g.dx, &g2.dx), ("dw", &g.dw, &g2.dw)] {
            let worst = (a - b).iter().fold(0.0f64, |m, d| m.max(d.abs()));
            prop_assert!(worst < 1e-12, "conv: {name} of the loops and of im2col differ by {worst:e}");
        }
        let worst = (&g.db - &g2.db).iter().fold(0.0f64, |m, d| m.max(d.abs()));
        prop_assert!(worst < 1e-12, "conv: db of the loops and of im2col differ by {worst:e}");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn max_pool_backward_passes_the_layer_check((x, p) in pool_inputs()) {
        let report = layer_check::check_layer(
            "max pool",
            &[input("x", &x)],
            |v| pool::forward(&arg(&v[0]), p).into_dyn(),
            |v, dy| vec![pool::backward(&arg(&v[0]), &arg(dy), p).into_dyn()],
        );
        prop_assert_eq!(report.gradients[0].1.skipped_kinks, 0);
    }

    #[test]
    fn softmax_cross_entropy_passes_the_layer_check((y, labels) in loss_inputs()) {
        let loss_of = |y: &Array2<f64>| loss::softmax_cross_entropy(y, &labels);
        let report = layer_check::check_layer(
            "softmax cross-entropy",
            &[input("scores", &y)],
            |v| ArrayD::from_elem(IxDyn(&[]), loss_of(&arg(&v[0])).0),
            |v, dy| vec![loss_of(&arg(&v[0])).1.into_dyn() * dy[[]]],
        );
        prop_assert_eq!(report.jacobians_compared, 1);
    }

    #[test]
    fn the_network_passes_the_layer_check((net, x, labels) in net_inputs(), reg in 0.0..0.1f64) {
        // Away from ReLU's kink: every hidden pre-activation at least 1e-3
        // from 0.
        let z = affine::forward(&net.w1, &x, &net.b1);
        prop_assume!(z.iter().all(|v| v.abs() > 1e-3));
        let with = |v: &[ArrayD<f64>]| Network {
            w1: arg(&v[0]),
            b1: arg(&v[1]),
            w2: arg(&v[2]),
            b2: arg(&v[3]),
        };
        layer_check::check_layer(
            "network",
            &[
                input("w1", &net.w1),
                input("b1", &net.b1),
                input("w2", &net.w2),
                input("b2", &net.b2),
            ],
            |v| ArrayD::from_elem(IxDyn(&[]), with(v).loss(&x, &labels, reg).0),
            |v, dy| {
                let g = with(v).loss(&x, &labels, reg).1;
                let dl = dy[[]];
                vec![
                    g.dw1.into_dyn() * dl,
                    g.db1.into_dyn() * dl,
                    g.dw2.into_dyn() * dl,
                    g.db2.into_dyn() * dl,
                ]
            },
        );
    }
}

/// Found by the convolution property: with one output position
/// (n·M₁·M₂ = 1), dW_col is an outer product that comes back column-major,
/// and reshaping it to (F, C, Q₁, Q₂) used to panic.
#[test]
fn im2col_backward_with_a_single_output_position() {
    let x: Array4<f64> = gradcheck::random((1, 1, 2, 1), 1);
    let w: Array4<f64> = gradcheck::random((2, 1, 2, 1), 2);
    let dy: Array4<f64> = gradcheck::random((1, 2, 1, 1), 3);
    let p = ConvParams { stride: 2, pad: 0 };
    let g = conv::backward(&w, &conv::Cache::new(&x, (2, 1), p), &dy, p);
    let loops = conv::backward_loops(&w, &x, &dy, p);
    for (got, want) in g.dw.iter().zip(&loops.dw) {
        assert!(
            (got - want).abs() < 1e-15,
            "conv::backward: dw {} but the loops give {}",
            g.dw,
            loops.dw
        );
    }
}

/// Found by mutation testing: the tiling rule is `D + 2R − Q` a multiple
/// of the stride `S`, which a stride of 2 cannot tell from `D + 2R + Q`; a
/// stride of 3 can.
#[test]
fn a_stride_of_three_tiles_four_with_a_one_by_one_filter() {
    let x: Array4<f64> = gradcheck::random((1, 1, 4, 4), 4);
    let w: Array4<f64> = gradcheck::random((1, 1, 1, 1), 5);
    let p = ConvParams { stride: 3, pad: 0 };
    let (y, _) = conv::forward(&w, &x, &Array1::zeros(1), p);
    assert_eq!(y.shape(), &[1, 1, 2, 2]);
    assert_eq!(y[[0, 0, 1, 1]], w[[0, 0, 0, 0]] * x[[0, 0, 3, 3]]);
}
