//! A two-layer network built from the book's layers, and the training loop
//! that teaches it to classify a spiral.
//!
//! **Network.** affine → ReLU → affine → softmax cross-entropy:
//!
//! ```text
//! Z = W1 X + b1,   V = max(0, Z),   Y = W2 V + b2,
//! L = mean_k −ln softmax(Y[.., k])[τ_k] + 0.5·reg·(‖W1‖² + ‖W2‖²)
//! ```
//!
//! **Shapes** (columns are samples): `X` is `(d, n)`, `W1` `(u, d)`, `b1`
//! `(u)`, `Z` and `V` `(u, n)`, `W2` `(m, u)`, `b2` `(m)`, the scores `Y`
//! `(m, n)`, for `d` inputs, `u` hidden units and `m` classes; `τ_k` is
//! `labels[k]`.
//!
//! **Backward.** [`Network::loss`] runs the layers' own backward functions
//! in reverse order ([`loss`](crate::loss), then
//! [`affine`](crate::affine), [`relu`](crate::relu), [`affine`] again);
//! the regulariser adds `reg·W` to each weight gradient. It caches `X`,
//! `Z` and `V`, the inputs that the backward functions ask for.
//!
//! **Training.** [`Trainer`] runs the same layers, in the same order, in
//! their allocation-free forms ([`affine::forward_into`],
//! [`affine::backward_into`], [`relu::backward_in_place`],
//! [`loss::softmax_cross_entropy_into`]), writing into buffers made once
//! for a network and a batch size. [`train`] runs plain full-batch
//! gradient descent with it.
//!
//! **Checking.** [`check`] gradient-checks the whole network and, when
//! that fails, walks back from the loss and names the first layer whose
//! own check fails on the inputs the forward pass cached for it.

use crate::gradcheck::random;
use crate::layer_check::{self, arg, input, LayerCheckFailure, LayerReport};
use crate::shapes::Checker;
use crate::{affine, loss, relu};
use ndarray::{arr0, Array1, Array2, ArrayD, Ix2};
use std::f64::consts::TAU;

/// The shape convention of this module, repeated in every shape message
/// it raises itself (the layers it calls append their own).
pub const CONVENTION: &str = "convention: X is (d, n), columns are samples; \
     W1 is (u, d), W2 is (m, u), scores Y are (m, n); labels has length n, each label below m";

/// This module's shape checks, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// The network's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// First layer's weights, `(u, d)`.
    pub w1: Array2<f64>,
    /// First layer's bias, length `u`.
    pub b1: Array1<f64>,
    /// Second layer's weights, `(m, u)`.
    pub w2: Array2<f64>,
    /// Second layer's bias, length `m`.
    pub b2: Array1<f64>,
}

/// The gradient of the loss with respect to each parameter, each shaped
/// like its parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `∂L/∂W1`, `(u, d)`.
    pub dw1: Array2<f64>,
    /// `∂L/∂b1`, length `u`.
    pub db1: Array1<f64>,
    /// `∂L/∂W2`, `(m, u)`.
    pub dw2: Array2<f64>,
    /// `∂L/∂b2`, length `m`.
    pub db2: Array1<f64>,
}

/// The scale of the initial weights: uniform in `[-0.01, 0.01)`.
pub const INIT_SCALE: f64 = 0.01;

impl Network {
    /// A network with `inputs` inputs, `hidden` hidden units and `classes`
    /// outputs: weights uniform in `[-INIT_SCALE, INIT_SCALE)` from `seed`,
    /// biases zero.
    // Shown in "A network that learns", section "The network".
    // ANCHOR: network
    // In `impl Network`:
    pub fn new(
        inputs: usize,
        hidden: usize,
        classes: usize,
        seed: u64,
    ) -> Self {
        Network {
            w1: random::<_, Ix2>((hidden, inputs), seed) * INIT_SCALE,
            b1: Array1::zeros(hidden),
            w2: random::<_, Ix2>((classes, hidden), seed + 1) * INIT_SCALE,
            b2: Array1::zeros(classes),
        }
    }

    /// The class scores `Y = W2 max(0, W1 X + b1) + b2`, `(m, n)` for `X`
    /// `(d, n)`.
    pub fn scores(&self, x: &Array2<f64>) -> Array2<f64> {
        let v = relu::forward(&affine::forward(&self.w1, x, &self.b1));
        affine::forward(&self.w2, &v, &self.b2)
    }

    /// The fraction of samples whose largest score is their label.
    pub fn accuracy(&self, x: &Array2<f64>, labels: &[usize]) -> f64 {
        require_labels("net::Network::accuracy", x, labels);
        let predicted = loss::predictions(&self.scores(x));
        let right =
            predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        right as f64 / labels.len() as f64
    }
    // ANCHOR_END: network

    /// The loss `L` (data loss plus `0.5·reg·(‖W1‖² + ‖W2‖²)`) and its
    /// gradients, by running each layer's forward and then each layer's
    /// backward in reverse order.
    ///
    /// Shapes: `x` `(d, n)`, `labels` of length `n`.
    ///
    /// # Panics
    /// If `x`'s rows are not `d`, or on bad labels (see
    /// [`loss::softmax_cross_entropy`]).
    // Shown in "A network that learns", section "Backward, one layer at a time".
    // ANCHOR: loss
    // In `impl Network`:
    pub fn loss(
        &self,
        x: &Array2<f64>,
        labels: &[usize],
        reg: f64,
    ) -> (f64, Gradients) {
        // Forward, keeping what backward will ask for.
        let z = affine::forward(&self.w1, x, &self.b1); //  (u, n)
        let v = relu::forward(&z); //                       (u, n)
        let y = affine::forward(&self.w2, &v, &self.b2); // (m, n)
        let (data_loss, dy) = loss::softmax_cross_entropy(&y, labels);

        // Backward: each layer turns the gradient of its output into the
        // gradients of its inputs.
        let g2 = affine::backward(&self.w2, &v, &dy); // dW2, dV, db2
        let dz = relu::backward(&z, &g2.dx); //          dZ
        let g1 = affine::backward(&self.w1, x, &dz); //  dW1, dX, db1
        let grads = Gradients {
            dw1: g1.dw + reg * &self.w1, // the penalty adds reg·W1
            db1: g1.db,
            dw2: g2.dw + reg * &self.w2,
            db2: g2.db,
        };
        (data_loss + self.penalty(reg), grads)
    }

    /// The L2 penalty `0.5·reg·(‖W1‖² + ‖W2‖²)`.
    pub fn penalty(&self, reg: f64) -> f64 {
        let squares = |w: &Array2<f64>| w.iter().map(|v| v * v).sum::<f64>();
        0.5 * reg * (squares(&self.w1) + squares(&self.w2))
    }
    // ANCHOR_END: loss

    /// One step of gradient descent: every parameter moves by
    /// `−step_size` times its gradient.
    // Shown in "A network that learns", section "Training".
    // ANCHOR: update
    // In `impl Network`:
    pub fn update(&mut self, g: &Gradients, step_size: f64) {
        self.w1.scaled_add(-step_size, &g.dw1);
        self.b1.scaled_add(-step_size, &g.db1);
        self.w2.scaled_add(-step_size, &g.dw2);
        self.b2.scaled_add(-step_size, &g.db2);
    }
    // ANCHOR_END: update
}

#[track_caller]
fn require_labels(context: &str, x: &Array2<f64>, labels: &[usize]) {
    SHAPES.require(
        labels.len() == x.ncols(),
        context,
        ("labels", &[labels.len()]),
        ("X", x.shape()),
        "labels must have one entry per sample (X's columns, n)",
    );
}

/// Every array of one training step, made once for a network and a batch
/// size and overwritten by every [`Trainer::loss`].
#[derive(Debug, Clone)]
pub struct Trainer {
    /// `Z = W1 X + b1`, then, in place, `V = max(0, Z)`: `(u, n)`.
    v: Array2<f64>,
    /// The scores `Y`, `(m, n)`, stored row by row like every buffer, so
    /// that the affine layers' row operations run along contiguous rows.
    y: Array2<f64>,
    /// `dY = ∂L/∂Y`, `(m, n)`.
    dy: Array2<f64>,
    /// The output layer's gradients: `dW2`, `dV` (then, in place, `dZ`)
    /// and `db2`.
    out: affine::Gradients,
    /// The hidden layer's gradients: `dW1`, `dX` (computed, not used) and
    /// `db1`.
    hidden: affine::Gradients,
    /// The network's gradients, the penalty's `reg·W` included.
    grads: Gradients,
}

impl Trainer {
    /// The buffers for `net` on batches of `n` samples.
    pub fn new(net: &Network, n: usize) -> Self {
        let (hidden, inputs) = net.w1.dim();
        let classes = net.w2.nrows();
        let layer = |m: usize, d: usize| affine::Gradients {
            dw: Array2::zeros((m, d)),
            dx: Array2::zeros((d, n)),
            db: Array1::zeros(m),
        };
        Trainer {
            v: Array2::zeros((hidden, n)),
            y: Array2::zeros((classes, n)),
            dy: Array2::zeros((classes, n)),
            out: layer(classes, hidden),
            hidden: layer(hidden, inputs),
            grads: Gradients {
                dw1: Array2::zeros((hidden, inputs)),
                db1: Array1::zeros(hidden),
                dw2: Array2::zeros((classes, hidden)),
                db2: Array1::zeros(classes),
            },
        }
    }

    /// [`Network::loss`] without allocating: the same layers in the same
    /// order, each in its form that writes into the trainer's buffers.
    /// Returns the loss; [`Trainer::gradients`] holds the gradients.
    ///
    /// Shapes: `x` `(d, n)` and `labels` of length `n`, for the `n` and the
    /// network sizes this trainer was made for.
    ///
    /// # Panics
    /// If `x` or the network does not match the trainer, or on bad labels
    /// (see [`loss::softmax_cross_entropy`]).
    pub fn loss(
        &mut self,
        net: &Network,
        x: &Array2<f64>,
        labels: &[usize],
        reg: f64,
    ) -> f64 {
        self.require_batch(net, x);
        // Forward: Z, then V = max(0, Z) in the same buffer.
        affine::forward_into(&net.w1, x, &net.b1, &mut self.v); //   Z
        relu::forward_in_place(&mut self.v); //                       V
        affine::forward_into(&net.w2, &self.v, &net.b2, &mut self.y);
        let data_loss =
            loss::softmax_cross_entropy_into(&self.y, labels, &mut self.dy);

        // Backward. V > 0 exactly where Z > 0, so V serves as ReLU's cache.
        affine::backward_into(&net.w2, &self.v, &self.dy, &mut self.out); // dW2, dV, db2
        relu::backward_in_place(&self.v, &mut self.out.dx); //               dZ
        affine::backward_into(&net.w1, x, &self.out.dx, &mut self.hidden); // dW1, dX, db1
        let g = &mut self.grads;
        g.dw1.assign(&self.hidden.dw);
        g.dw1.scaled_add(reg, &net.w1); // the penalty adds reg·W1
        g.db1.assign(&self.hidden.db);
        g.dw2.assign(&self.out.dw);
        g.dw2.scaled_add(reg, &net.w2);
        g.db2.assign(&self.out.db);
        data_loss + net.penalty(reg)
    }

    /// One full-batch gradient-descent step: [`Trainer::loss`], then
    /// [`Network::update`]. Returns the loss before the update.
    ///
    /// # Panics
    /// As [`Trainer::loss`].
    // Shown in "A network that learns", section "Making it fast".
    // ANCHOR: trainer_step
    // In `impl Trainer`:
    pub fn step(
        &mut self,
        net: &mut Network,
        x: &Array2<f64>,
        labels: &[usize],
        step_size: f64,
        reg: f64,
    ) -> f64 {
        let loss = self.loss(net, x, labels, reg);
        net.update(&self.grads, step_size);
        loss
    }

    /// The gradients of the last [`Trainer::loss`] or [`Trainer::step`].
    pub fn gradients(&self) -> &Gradients {
        &self.grads
    }
    // ANCHOR_END: trainer_step

    #[track_caller]
    fn require_batch(&self, net: &Network, x: &Array2<f64>) {
        let batch = [net.w1.ncols(), self.v.ncols()];
        SHAPES.require(
            x.shape() == batch,
            "net::Trainer::loss",
            ("X", x.shape()),
            ("the trainer's batch", &batch),
            "X must be (d, n) for the network's d and the trainer's n",
        );
        SHAPES.require(
            self.grads.dw1.shape() == net.w1.shape()
                && self.grads.dw2.shape() == net.w2.shape(),
            "net::Trainer::loss",
            ("W2", net.w2.shape()),
            ("the trainer's W2", self.grads.dw2.shape()),
            "the trainer must be made for this network's sizes (u, d, m)",
        );
    }
}

/// The settings of a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainParams {
    /// The gradient-descent step size.
    pub step_size: f64,
    /// The L2 regularisation strength `reg`.
    pub reg: f64,
    /// How many full-batch steps to take.
    pub steps: usize,
}

/// The settings of the book's spiral run: step size 1, `reg = 1e-3`,
/// 10,000 steps.
pub const SPIRAL_TRAINING: TrainParams = TrainParams {
    step_size: 1.0,
    reg: 1e-3,
    steps: 10_000,
};

/// Points per class, classes and hidden units of the book's spiral run.
pub const SPIRAL_SIZES: (usize, usize, usize) = (100, 3, 100);

/// The seeds of the spiral data and of the network's initial weights.
pub const SPIRAL_SEEDS: (u64, u64) = (2017, 7);

/// Trains `net` on `(x, labels)` with full-batch gradient descent and
/// returns the loss before each step (length `params.steps`).
///
/// # Panics
/// As [`Trainer::loss`].
// Shown in "A network that learns", section "Training".
// ANCHOR: train
pub fn train(
    net: &mut Network,
    x: &Array2<f64>,
    labels: &[usize],
    params: TrainParams,
) -> Vec<f64> {
    let mut trainer = Trainer::new(net, x.ncols());
    (0..params.steps)
        .map(|_| trainer.step(net, x, labels, params.step_size, params.reg))
        .collect()
}
// ANCHOR_END: train

/// A loss node: the scores `Y` `(m, n)` and the labels give `(L, ∂L/∂Y)`.
pub type LossFn = fn(&Array2<f64>, &[usize]) -> (f64, Array2<f64>);

/// The functions a network's backward pass is assembled from, which the
/// walk of [`check_with`] checks one layer at a time: the book's own
/// ([`LAYERS`]), or, in a test, a set with a bug planted on purpose.
#[derive(Debug, Clone, Copy)]
pub struct Layers {
    /// The loss and `∂L/∂Y`, as [`loss::softmax_cross_entropy`].
    pub loss: LossFn,
    /// The affine layer's backward pass, as [`affine::backward`].
    pub affine_backward:
        fn(&Array2<f64>, &Array2<f64>, &Array2<f64>) -> affine::Gradients,
    /// ReLU's backward pass, as [`relu::backward`].
    pub relu_backward: fn(&Array2<f64>, &Array2<f64>) -> Array2<f64>,
}

/// The book's layers, the ones [`Network::loss`] calls.
pub const LAYERS: Layers = Layers {
    loss: loss::softmax_cross_entropy,
    affine_backward: affine::backward,
    relu_backward: relu::backward::<Ix2>,
};

/// The whole network's gradient check: [`Network::loss`] as one layer
/// whose inputs are `W1`, `b1`, `W2` and `b2` and whose output is the
/// loss, checked by [`layer_check::try_check_layer`].
///
/// When it fails, the error names the first layer, walking back from the
/// loss, whose own check fails on the inputs the forward pass cached for
/// it (see [`check_with`]).
///
/// Shapes: `x` `(d, n)`, `labels` of length `n`.
// Shown in "A network that learns", section "Checking the whole network".
// ANCHOR: check
#[track_caller]
pub fn check(
    net: &Network,
    x: &Array2<f64>,
    labels: &[usize],
    reg: f64,
) -> Result<LayerReport, LayerCheckFailure> {
    check_with(net, x, labels, |n| n.loss(x, labels, reg), &LAYERS)
}

/// [`check`] of `whole`, a network's loss and gradients assembled from
/// `layers`; on failure, returns the first failing layer's error, walking
/// back from the loss, or says that the fault is in the assembly.
#[track_caller]
pub fn check_with(
    net: &Network,
    x: &Array2<f64>,
    labels: &[usize],
    whole: impl Fn(&Network) -> (f64, Gradients),
    layers: &Layers,
) -> Result<LayerReport, LayerCheckFailure> {
    let unpack = |v: &[ArrayD<f64>]| Network {
        w1: arg(&v[0]),
        b1: arg(&v[1]),
        w2: arg(&v[2]),
        b2: arg(&v[3]),
    };
    let parameters = [
        input("w1", &net.w1),
        input("b1", &net.b1),
        input("w2", &net.w2),
        input("b2", &net.b2),
    ];
    let failure = match layer_check::try_check_layer(
        "two-layer network",
        &parameters,
        |v| arr0(whole(&unpack(v)).0).into_dyn(),
        |v, dl| {
            let (_, g) = whole(&unpack(v));
            let dl = dl[[]];
            vec![
                (g.dw1 * dl).into_dyn(),
                (g.db1 * dl).into_dyn(),
                (g.dw2 * dl).into_dyn(),
                (g.db2 * dl).into_dyn(),
            ]
        },
    ) {
        Ok(report) => return Ok(report),
        Err(failure) => failure,
    };
    // The forward pass's caches, then each layer, walking back from the loss.
    let z = affine::forward(&net.w1, x, &net.b1);
    let v = relu::forward(&z);
    let y = affine::forward(&net.w2, &v, &net.b2);
    check_loss_node(layers, &y, labels)?;
    check_affine("affine (output layer)", layers, &net.w2, &v, &net.b2)?;
    check_relu(layers, &z)?;
    check_affine("affine (hidden layer)", layers, &net.w1, x, &net.b1)?;
    Err(LayerCheckFailure {
        message: format!(
            "{}\n  every layer passes its own check on the inputs it \
             cached, so the fault is in how the network puts them \
             together (Network::loss)",
            failure.message
        ),
        ..failure
    })
}
// ANCHOR_END: check

mod walk;
use walk::{check_affine, check_loss_node, check_relu};

/// A seeded spiral with `classes` arms of `points_per_class` points in the
/// plane: point `i` of arm `c` (counted from 0) is at radius
/// `ρ = i / (points_per_class − 1)` and angle `θ = 4c + 4ρ + 0.2·ε`
/// (radians), with `ε` standard normal, at `(ρ sin θ, ρ cos θ)`.
///
/// Returns `X` `(2, classes · points_per_class)`, columns are samples, and
/// the labels (arm numbers).
///
/// # Panics
/// If `points_per_class < 2` or `classes == 0`.
// Shown in "A network that learns", section "The spiral".
// ANCHOR: spiral
pub fn spiral(
    points_per_class: usize,
    classes: usize,
    seed: u64,
) -> (Array2<f64>, Vec<usize>) {
    assert!(
        points_per_class >= 2 && classes > 0,
        "net::spiral: needs at least 2 points per class and 1 class, \
         got {points_per_class} and {classes}"
    );
    let n = points_per_class * classes;
    // Box–Muller: a in (0, 1], so ln a is finite, and b in [0, 1) give
    // one standard normal.
    let u1: Array1<f64> = random(n, seed);
    let u2: Array1<f64> = random(n, seed + 1);
    let mut x = Array2::zeros((2, n));
    let mut labels = Vec::with_capacity(n);
    for c in 0..classes {
        for i in 0..points_per_class {
            let k = c * points_per_class + i;
            let (a, b) = (1.0 - (u1[k] + 1.0) / 2.0, (u2[k] + 1.0) / 2.0);
            let normal = (-2.0 * a.ln()).sqrt() * (TAU * b).cos();
            let radius = i as f64 / (points_per_class - 1) as f64;
            let angle = 4.0 * c as f64 + 4.0 * radius + 0.2 * normal;
            x[[0, k]] = radius * angle.sin();
            x[[1, k]] = radius * angle.cos();
            labels.push(c);
        }
    }
    (x, labels)
}
// ANCHOR_END: spiral

/// The book's spiral run, start to end.
#[derive(Debug, Clone, PartialEq)]
pub struct SpiralRun {
    /// The 300 points, `(2, 300)`, columns are samples.
    pub x: Array2<f64>,
    /// Their arms, 0, 1 or 2.
    pub labels: Vec<usize>,
    /// The network after 10,000 steps.
    pub net: Network,
    /// The loss before every step.
    pub losses: Vec<f64>,
}

/// Generates the spiral ([`SPIRAL_SIZES`], [`SPIRAL_SEEDS`]) and trains a
/// fresh network on it with [`SPIRAL_TRAINING`].
// Shown in "A network that learns", section "Training".
// ANCHOR: spiral_run
pub fn spiral_run() -> SpiralRun {
    let (per_class, classes, hidden) = SPIRAL_SIZES;
    let (x, labels) = spiral(per_class, classes, SPIRAL_SEEDS.0);
    let mut net = Network::new(2, hidden, classes, SPIRAL_SEEDS.1);
    let losses = train(&mut net, &x, &labels, SPIRAL_TRAINING);
    SpiralRun {
        x,
        labels,
        net,
        losses,
    }
}
// ANCHOR_END: spiral_run

mod cache;
pub use cache::spiral_run_cached;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_shape_panic, panic_message};
    use approx::assert_abs_diff_eq;
    use ndarray::{array, Axis};

    fn small() -> (Network, Array2<f64>, Vec<usize>) {
        let mut net = Network::new(2, 5, 3, 1);
        // Larger weights than at initialisation, so that every path matters.
        net.w1 *= 100.0;
        net.w2 *= 100.0;
        net.b1 = random(5, 3);
        net.b2 = random(3, 4);
        let x = random((2, 6), 5);
        (net, x, vec![0, 1, 2, 2, 1, 0])
    }

    #[test]
    fn the_whole_network_passes_its_check() {
        let (net, x, labels) = small();
        let r = check(&net, &x, &labels, 0.1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.jacobians_compared, 4);
        assert!(r.gradients.iter().all(|(_, g)| g.skipped_kinks == 0));
    }

    /// [`Network::loss`] assembled from `layers` instead of the book's
    /// functions: the same lines, so that a bug can be planted in one
    /// layer. With [`LAYERS`] it must give `Network::loss`'s numbers.
    fn assembled(
        net: &Network,
        x: &Array2<f64>,
        labels: &[usize],
        reg: f64,
        layers: &Layers,
    ) -> (f64, Gradients) {
        let z = affine::forward(&net.w1, x, &net.b1);
        let v = relu::forward(&z);
        let y = affine::forward(&net.w2, &v, &net.b2);
        let (data_loss, dy) = (layers.loss)(&y, labels);
        let g2 = (layers.affine_backward)(&net.w2, &v, &dy);
        let dz = (layers.relu_backward)(&z, &g2.dx);
        let g1 = (layers.affine_backward)(&net.w1, x, &dz);
        let grads = Gradients {
            dw1: g1.dw + reg * &net.w1,
            db1: g1.db,
            dw2: g2.dw + reg * &net.w2,
            db2: g2.db,
        };
        (data_loss + net.penalty(reg), grads)
    }

    #[test]
    fn the_assembly_with_the_books_layers_is_network_loss() {
        let (net, x, labels) = small();
        assert_eq!(
            assembled(&net, &x, &labels, 0.1, &LAYERS),
            net.loss(&x, &labels, 0.1)
        );
    }

    /// The failure of the whole-network check of a small network whose
    /// backward pass is assembled from `planted`.
    fn walk_failure(planted: &Layers) -> LayerCheckFailure {
        let (net, x, labels) = small();
        let whole = |n: &Network| assembled(n, &x, &labels, 0.1, planted);
        check_with(&net, &x, &labels, whole, planted).unwrap_err()
    }

    #[test]
    fn a_relu_mask_taken_from_the_wrong_array_is_named_by_the_walk() {
        // The mask [dy > 0] in place of [x > 0].
        let planted = Layers {
            relu_backward: |_x, dy| relu::backward(dy, dy),
            ..LAYERS
        };
        let err = walk_failure(&planted);
        assert!(
            err.message.starts_with(
                "relu (hidden layer): dx is nonzero where x ≤ 0 at entry ["
            ),
            "{err}"
        );
        assert_eq!(
            (err.layer.as_str(), err.gradient.as_str()),
            ("relu (hidden layer)", "dx")
        );
    }

    #[test]
    fn the_relu_walk_names_the_first_entry_that_breaks_the_rule() {
        // Row-major order: [0, 0] comes first. The mask [x ≥ 0] lets the
        // gradient through at the kink x = 0.
        let z = array![[0.0, 1.0], [-1.0, 2.0]];
        let at_kink = Layers {
            relu_backward: |x, dy| {
                dy * &x.mapv(|v| if v >= 0.0 { 1.0 } else { 0.0 })
            },
            ..LAYERS
        };
        let err = check_relu(&at_kink, &z).unwrap_err();
        assert!(
            err.message.starts_with(
                "relu (hidden layer): dx is nonzero where x ≤ 0 at entry [0, 0] (x = 0e0,"
            ),
            "{err}"
        );
        // Twice the gradient where x > 0: the first such entry is [0, 1].
        let doubled = Layers {
            relu_backward: |x, dy| relu::backward(x, dy) * 2.0,
            ..LAYERS
        };
        let err = check_relu(&doubled, &z).unwrap_err();
        assert!(
            err.message.starts_with(
                "relu (hidden layer): dx differs from dy where x > 0 at entry [0, 1] (x = 1e0,"
            ),
            "{err}"
        );
        // The book's ReLU passes (away from the kink, where the explicit
        // Jacobian's centred difference is the average of two slopes).
        let away = array![[0.5, 1.0], [-1.0, 2.0]];
        assert_eq!(check_relu(&LAYERS, &away), Ok(()));
    }

    #[test]
    fn a_wrong_affine_backward_is_named_by_the_walk() {
        // dW = dY X in place of dY Xᵀ would not even have W's shape here;
        // db summed over the wrong axis of a square dY does.
        let planted = Layers {
            affine_backward: |w, x, dy| {
                let mut g = affine::backward(w, x, dy);
                g.db = g.db.mapv(|v| 2.0 * v);
                g
            },
            ..LAYERS
        };
        let err = walk_failure(&planted);
        assert!(
            err.message.starts_with("affine (output layer): db failed"),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_loss_gradient_is_named_by_the_walk() {
        // The softmax gradient without its 1/n: the walk's first stop.
        let planted = Layers {
            loss: |s, labels| {
                let (l, ds) = loss::softmax_cross_entropy(s, labels);
                (l, ds * labels.len() as f64)
            },
            ..LAYERS
        };
        let err = walk_failure(&planted);
        assert!(
            err.message
                .starts_with("softmax cross-entropy (loss): dscores failed"),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_assembly_of_right_layers_is_named_as_such() {
        // The penalty's gradient forgotten: every layer is right.
        let (net, x, labels) = small();
        let whole = |n: &Network| {
            let (l, _) = n.loss(&x, &labels, 0.1);
            (l, n.loss(&x, &labels, 0.0).1)
        };
        let err = check_with(&net, &x, &labels, whole, &LAYERS).unwrap_err();
        assert!(
            err.message.starts_with("two-layer network: dw1 failed"),
            "{err}"
        );
        assert!(
            err.message.contains("every layer passes its own check"),
            "{err}"
        );
        assert!(err.message.contains("(Network::loss)"), "{err}");
    }

    #[test]
    fn the_trainer_gives_network_loss_numbers_layer_by_layer() {
        // The spiral's shapes, a small network with kinks in play, and one
        // sample; then a second step, which reuses the buffers.
        let mut spiral_net = Network::new(2, 100, 3, 2);
        spiral_net.w1 *= 50.0;
        let (sx, sl) = spiral(100, 3, 1);
        let (net, x, labels) = small();
        let cases = [
            ("spiral", spiral_net, sx, sl),
            ("small", net.clone(), x.clone(), labels.clone()),
            (
                "one sample",
                net,
                x.slice(ndarray::s![.., ..1]).to_owned(),
                vec![2],
            ),
        ];
        for (case, net, x, labels) in cases {
            let mut trainer = Trainer::new(&net, x.ncols());
            let (mut fast, mut by_layers) = (net.clone(), net);
            for step in 0..2 {
                let (loss, g) = by_layers.loss(&x, &labels, 0.1);
                let fast_loss = trainer.step(&mut fast, &x, &labels, 0.5, 0.1);
                by_layers.update(&g, 0.5);
                let t = trainer.gradients();
                let at = format!(
                    "{case}, step {step}: Trainer against Network::loss"
                );
                assert!(
                    (fast_loss - loss).abs() <= 1e-12,
                    "{at}: loss {fast_loss} against {loss}"
                );
                for (name, a, b) in
                    [("dw1", &t.dw1, &g.dw1), ("dw2", &t.dw2, &g.dw2)]
                {
                    assert!(
                        a.abs_diff_eq(b, 1e-12),
                        "{at}: {name}\n{a}\nagainst\n{b}"
                    );
                }
                for (name, a, b) in
                    [("db1", &t.db1, &g.db1), ("db2", &t.db2, &g.db2)]
                {
                    assert!(
                        a.abs_diff_eq(b, 1e-12),
                        "{at}: {name}\n{a}\nagainst\n{b}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_initial_loss_is_ln_k() {
        // Tiny weights: every class gets probability about 1/3.
        let (x, labels) = spiral(10, 3, 1);
        let net = Network::new(2, 10, 3, 2);
        let (loss, _) = net.loss(&x, &labels, 0.0);
        assert_abs_diff_eq!(loss, 3f64.ln(), epsilon = 1e-3);
    }

    #[test]
    fn the_penalty_adds_reg_w_to_the_weight_gradients_and_nothing_to_the_biases(
    ) {
        // The penalty node reads W1 and W2 only: by fan-out, each weight
        // gradient gains reg·W, and the bias gradients do not change.
        let (net, x, labels) = small();
        let reg = 0.3;
        let (_, plain) = net.loss(&x, &labels, 0.0);
        let (_, with) = net.loss(&x, &labels, reg);
        let pairs = [
            ("dw1", &with.dw1, &plain.dw1 + &(reg * &net.w1)),
            ("dw2", &with.dw2, &plain.dw2 + &(reg * &net.w2)),
        ];
        for (name, got, want) in pairs {
            assert!(
                got.abs_diff_eq(&want, 1e-15),
                "{name} with reg {reg}:\n{got}\nagainst\n{want}"
            );
        }
        assert_eq!(with.db1, plain.db1, "db1 changed with the penalty");
        assert_eq!(with.db2, plain.db2, "db2 changed with the penalty");
    }

    #[test]
    fn the_penalty_is_half_reg_times_the_sum_of_squares() {
        let (net, _, _) = small();
        let squares =
            net.w1.mapv(|v| v * v).sum() + net.w2.mapv(|v| v * v).sum();
        assert_abs_diff_eq!(net.penalty(0.3), 0.15 * squares, epsilon = 1e-12);
    }

    #[test]
    fn spiral_has_three_arms_inside_the_unit_disc() {
        let (x, labels) = spiral(100, 3, SPIRAL_SEEDS.0);
        assert_eq!(x.dim(), (2, 300));
        assert_eq!(labels.iter().filter(|&&l| l == 2).count(), 100);
        let radius = x.map_axis(Axis(0), |c| c.dot(&c).sqrt());
        assert!(radius.iter().all(|&r| r <= 1.0 + 1e-12));
        assert_eq!((radius[0], radius[99]), (0.0, 1.0));
        assert_eq!(spiral(100, 3, SPIRAL_SEEDS.0).0, x);
    }

    #[test]
    fn a_short_run_lowers_the_loss() {
        let (x, labels) = spiral(20, 3, 3);
        let mut net = Network::new(2, 20, 3, 4);
        let params = TrainParams {
            steps: 200,
            ..SPIRAL_TRAINING
        };
        let losses = train(&mut net, &x, &labels, params);
        assert_eq!(losses.len(), 200);
        assert!(
            losses[199] < 0.7 * losses[0],
            "{} -> {}",
            losses[0],
            losses[199]
        );
    }

    #[test]
    fn loss_rejects_a_batch_of_another_size() {
        let (net, x, labels) = small();
        let mut trainer = Trainer::new(&net, 4);
        assert_shape_panic(
            "net::Trainer::loss: ",
            &[
                "X has shape [2, 6]",
                "the trainer's batch has shape [2, 4]",
                CONVENTION,
            ],
            || {
                trainer.step(&mut net.clone(), &x, &labels, 1.0, 0.0);
            },
        );
    }

    #[test]
    fn loss_rejects_a_network_of_other_sizes() {
        let (net, x, labels) = small();
        let mut trainer = Trainer::new(&net, 6);
        // One class more: W1 still fits the trainer, W2 does not.
        assert_shape_panic(
            "net::Trainer::loss: ",
            &[
                "W2 has shape [4, 5]",
                "the trainer's W2 has shape [3, 5]",
                "made for this network's sizes",
                CONVENTION,
            ],
            || {
                trainer.loss(&Network::new(2, 5, 4, 1), &x, &labels, 0.0);
            },
        );
        // One hidden unit more: neither fits.
        assert_shape_panic(
            "net::Trainer::loss: ",
            &["W2 has shape [3, 6]", "the trainer's W2 has shape [3, 5]"],
            || {
                trainer.loss(&Network::new(2, 6, 3, 1), &x, &labels, 0.0);
            },
        );
    }

    #[test]
    fn loss_rejects_bad_labels_with_the_loss_layers_message() {
        let (net, x, mut labels) = small();
        labels[4] = 3;
        let mut trainer = Trainer::new(&net, 6);
        let msg = panic_message(|| {
            trainer.loss(&net, &x, &labels, 0.0);
        });
        assert!(
            msg.starts_with(
                "loss::softmax_cross_entropy_into: label 3 of sample 4 is out of range"
            ),
            "{msg}"
        );
    }

    #[test]
    fn accuracy_rejects_labels_of_the_wrong_length() {
        let (net, x, _) = small();
        assert_shape_panic(
            "net::Network::accuracy: ",
            &[
                "labels has shape [2]",
                "X has shape [2, 6]",
                "one entry per sample",
                CONVENTION,
            ],
            || {
                net.accuracy(&x, &[0, 1]);
            },
        );
        let msg = panic_message(|| {
            net.accuracy(&x, &[0, 1]);
        });
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
    }

    #[test]
    fn loss_rejects_x_with_the_wrong_rows() {
        let (net, _, labels) = small();
        assert_shape_panic(
            "affine::forward: ",
            &["W has shape [5, 2]", "X has shape [3, 6]"],
            || {
                net.loss(&Array2::zeros((3, 6)), &labels, 0.0);
            },
        );
    }

    #[test]
    fn accuracy_counts_the_samples_whose_top_score_is_their_label() {
        // One input, one hidden unit V = max(0, x), scores (V, 0.5 − V):
        // class 1 wins while x ≤ 0.5 (x = −2 is clipped to V = 0), class 0
        // above.
        let net = Network {
            w1: array![[1.0]],
            b1: array![0.0],
            w2: array![[1.0], [-1.0]],
            b2: array![0.0, 0.5],
        };
        let x = array![[-2.0, 1.0, 2.0, 3.0]];
        assert_eq!(loss::predictions(&net.scores(&x)), [1, 0, 0, 0]);
        assert_eq!(net.accuracy(&x, &[1, 0, 1, 0]), 0.75);
        assert_eq!(net.accuracy(&x, &[1, 0, 0, 0]), 1.0);
        assert_eq!(net.accuracy(&x, &[0, 1, 1, 1]), 0.0);
    }

    #[test]
    fn spiral_points_follow_the_stated_formula() {
        // Every point of a small spiral, recomputed from the doc comment:
        // point i of arm c at radius ρ = i / (points − 1) and angle
        // θ = 4c + 4ρ + 0.2ε, at (ρ sin θ, ρ cos θ). ε is Box–Muller's
        // sqrt(−2 ln a)·cos(2π b) of a = (1 − u1) / 2 and b = (1 + u2) / 2,
        // where u1 = random(n, seed) and u2 = random(n, seed + 1) are
        // uniform in [−1, 1), so a and b are uniform in (0, 1] and [0, 1).
        let (points, arms, seed) = (6, 3, 5);
        let (x, labels) = spiral(points, arms, seed);
        let n = points * arms;
        assert_eq!(x.dim(), (2, n));
        let u1: Array1<f64> = random(n, seed);
        let u2: Array1<f64> = random(n, seed + 1);
        for k in 0..n {
            let (c, i) = (k / points, k % points);
            let (a, b) = ((1.0 - u1[k]) / 2.0, (1.0 + u2[k]) / 2.0);
            let eps =
                (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos();
            let r = i as f64 / (points - 1) as f64;
            let t = 4.0 * (c as f64 + r) + 0.2 * eps;
            assert_eq!(labels[k], c);
            assert_abs_diff_eq!(x[[0, k]], r * t.sin(), epsilon = 1e-12);
            assert_abs_diff_eq!(x[[1, k]], r * t.cos(), epsilon = 1e-12);
        }
    }

    #[test]
    fn the_books_spiral_is_the_same_to_the_last_bit() {
        // The book's figures and the numbers it states come from these 300
        // points, so a change in their last bit is a change. Some changes
        // show in no other way: b − 1 in place of b, say, gives the same
        // normal in exact arithmetic (cos has period 2π) but rounds
        // differently. So: the generator's arithmetic, operation for
        // operation. (The same calls of ln, cos and sin on the same
        // arguments give the same bits on any platform.)
        let (per_class, classes, _) = SPIRAL_SIZES;
        let seed = SPIRAL_SEEDS.0;
        let (x, _) = spiral(per_class, classes, seed);
        let n = per_class * classes;
        let u1: Array1<f64> = random(n, seed);
        let u2: Array1<f64> = random(n, seed + 1);
        for k in 0..n {
            let (c, i) = (k / per_class, k % per_class);
            let a = 1.0 - (u1[k] + 1.0) / 2.0;
            let b = (u2[k] + 1.0) / 2.0;
            let normal =
                (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos();
            let r = i as f64 / (per_class - 1) as f64;
            let t = 4.0 * c as f64 + 4.0 * r + 0.2 * normal;
            let expected = [r * t.sin(), r * t.cos()];
            assert_eq!(
                [x[[0, k]].to_bits(), x[[1, k]].to_bits()],
                expected.map(f64::to_bits),
                "point {k}"
            );
        }
    }
}
