//! A small convolutional network that learns to read handwritten digits,
//! written as forward code on the [`Tape`] and trained with [`Sgd`].
//!
//! **Network**, for `F` filters and `n` images ([`scores`], [`loss`]):
//!
//! ```text
//! Z = conv(W1, X) + b1     (n, F, 8, 8)   3 × 3 filters, stride 1, padding 1
//! A = max(0, Z)            (n, F, 8, 8)
//! M = maxpool(A)           (n, F, 4, 4)   2 × 2 windows, stride 2
//! H = flatten(M)           (16F, n)       one column per image
//! Y = W2 H + b2            (10, n)        the class scores
//! L = softmax cross-entropy of Y and the labels
//! ```
//!
//! with `W1` `(F, 1, 3, 3)`, `b1` `(F)`, `W2` `(10, 16F)` and `b2` `(10)`,
//! each operation one of the tape's, which call the chapters' forward and
//! backward functions.
//!
//! **Training** ([`Trainer::step`]): each minibatch is recorded on a fresh
//! tape, with the parameters and the images as leaves; `backward` gives
//! the parameters' gradients, and [`Sgd`] moves them, with the settings
//! of [`TRAINING`]. Every epoch visits the training images in a new
//! random order.
//!
//! Support code, in files of their own: the data (`digits/data.rs`:
//! [`load`], [`Digits::split`]), the rest of the training loop
//! (`digits/training.rs`: [`Net::new`], [`Net::accuracy`],
//! [`Trainer::epoch`], [`train`]) and the cached run that the chapter's
//! figures are drawn from (`digits/run.rs`: [`Run`]).

use crate::conv::ConvParams;
use crate::pool::PoolParams;
use crate::tape::{Sgd, Tape, Var};
use ndarray::ArrayD;
use rand::rngs::StdRng;

mod data;
mod run;
mod training;

pub use data::{
    committed, load, Digits, CLASSES, CONVENTION, DATA_FILE, MAX_PIXEL, PIXELS,
    SIDE, SPLIT_SEED, TEST_IMAGES,
};
pub use run::{Run, Wrong, RUN_FILE};
pub use training::train;

/// The convolution's filter size, `(Q₁, Q₂)`.
pub const FILTER: (usize, usize) = (3, 3);

/// The side of the pooled maps, `SIDE / 2`.
pub const POOLED: usize = SIDE / 2;

/// How many images [`Net::predictions`] sends through the network at
/// once, so that no value on its tape grows with the size of the data.
pub const EVAL_BATCH: usize = 64;

// Shown in "Autograd from local gradients", section "A conv net that reads digits".
// ANCHOR: forward
/// The convolution's settings: 3 × 3 filters (the filters' own shape),
/// stride 1 and one ring of zeros, so the output keeps the 8 × 8 size.
pub const CONV: ConvParams = ConvParams { stride: 1, pad: 1 };

/// The pooling's settings: 2 × 2 windows at stride 2, which halve each
/// side, 8 × 8 to 4 × 4.
pub const POOL: PoolParams = PoolParams {
    height: 2,
    width: 2,
    stride: 2,
};

/// The class scores `Y`, `(10, n)`, of the images `x`, `(n, 1, 8, 8)`;
/// `p` holds the handles of `W1`, `b1`, `W2` and `b2`.
#[track_caller]
pub fn scores(tape: &mut Tape, p: [Var; 4], x: Var) -> Var {
    let [w1, b1, w2, b2] = p;
    let z = tape.conv2d(w1, x, b1, CONV); // (n, F, 8, 8)
    let a = tape.relu(z);
    let m = tape.max_pool(a, POOL); //       (n, F, 4, 4)
    let h = tape.flatten(m); //              (16F, n)
    tape.affine(w2, h, b2) //                (10, n)
}

/// The mean cross-entropy of the images `x` against their `labels`.
#[track_caller]
pub fn loss(tape: &mut Tape, p: [Var; 4], x: Var, labels: &[usize]) -> Var {
    let y = scores(tape, p, x);
    tape.softmax_cross_entropy(y, labels)
}
// ANCHOR_END: forward

/// The network's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Net {
    /// `W1` `(F, 1, 3, 3)`, `b1` `(F)`, `W2` `(10, 16F)` and `b2` `(10)`,
    /// in that order, as [`Tape::leaves`] and [`Sgd::step`] take them.
    pub params: Vec<ArrayD<f64>>,
}

/// The settings of a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// The number of filters `F`.
    pub filters: usize,
    /// Images per minibatch (the last one of an epoch may be smaller).
    pub batch: usize,
    /// The step size η.
    pub step_size: f64,
    /// The momentum κ.
    pub momentum: f64,
    /// How many times to visit every training image.
    pub epochs: usize,
    /// The seed of the initial weights ([`Net::new`]).
    pub init_seed: u64,
    /// The seed of the order in which each epoch visits the images.
    pub order_seed: u64,
}

/// The settings of the `digits` example and of the cached [`Run`].
pub const TRAINING: Training = Training {
    filters: 16,
    batch: 16,
    step_size: 0.1,
    momentum: 0.9,
    epochs: 10,
    init_seed: 1,
    order_seed: 2,
};

// Shown in "Autograd from local gradients", section "A conv net that reads digits".
// ANCHOR: step
/// A network in training, its optimiser and the random order of its
/// minibatches.
#[derive(Debug, Clone)]
pub struct Trainer {
    /// The network being trained.
    pub net: Net,
    /// The optimiser, with a velocity per parameter.
    pub sgd: Sgd,
    /// Images per minibatch.
    pub batch: usize,
    /// Draws each epoch's order.
    rng: StdRng,
}

impl Trainer {
    /// One step on a minibatch (its images `(n, 1, 8, 8)` and labels): a
    /// fresh tape, the loss, `backward`, and a step of the optimiser.
    /// Returns the loss before the step.
    #[track_caller]
    pub fn step(&mut self, batch: Digits) -> f64 {
        let mut tape = Tape::new();
        let p = tape.leaves(&self.net.params);
        let p = [p[0], p[1], p[2], p[3]];
        let x = tape.leaf(batch.images);
        let l = loss(&mut tape, p, x, &batch.labels);
        tape.backward(l);
        self.sgd.step(&mut self.net.params, &tape.grads(&p));
        tape.value(l)[[]]
    }
}
// ANCHOR_END: step

/// What one epoch of [`train`] measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Epoch {
    /// The epoch's number, from 1.
    pub epoch: usize,
    /// The mean minibatch loss over the epoch ([`Trainer::epoch`]).
    pub loss: f64,
    /// The accuracy on the test images after the epoch.
    pub test_accuracy: f64,
}
