//! Handwritten digits, and a small convolutional network that learns to
//! read them, assembled from the book's layers.
//!
//! **Data.** The UCI set "Optical Recognition of Handwritten Digits"
//! (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), as scikit-learn ships it:
//! `chapters-code/data/digits.csv.gz`, whose README gives its source. Each
//! of its 1,797 lines holds 64 pixels from 0 to 16, row by row, then the
//! label from 0 to 9 ([`CONVENTION`]). [`load`] reads it with the `flate2`
//! and `csv` crates and refuses a truncated or malformed file with the
//! crate's one [`Error`], naming the line. The images come back as
//! `(n, 1, 8, 8)`, the convolution chapter's layout (images, channels,
//! height, width), every pixel divided by 16 so that it lies in `[0, 1]`.
//! [`Digits::split`] sets aside [`TEST_IMAGES`] of them for testing, by a
//! fixed seed, before any training.
//!
//! **Network** ([`Net`]), for `F` filters and `n` images:
//!
//! ```text
//! Z = conv(W1, X) + b1     (n, F, 8, 8)   3 × 3 filters, stride 1, padding 1
//! A = max(0, Z)            (n, F, 8, 8)
//! P = maxpool(A)           (n, F, 4, 4)   2 × 2 windows, stride 2
//! H = flatten(P)           (16F, n)       one column per image
//! Y = W2 H + b2            (10, n)        the class scores
//! L = softmax cross-entropy of Y and the labels
//! ```
//!
//! with `W1` `(F, 1, 3, 3)`, `b1` `(F)`, `W2` `(10, 16F)` and `b2` `(10)`.
//! [`flatten`] turns the convolution's layout into the affine layer's,
//! where columns are samples, and [`unflatten`] turns a gradient back.
//!
//! **Backward.** [`Net::loss`] calls the chapters' own functions, forward
//! and then backward in reverse order: [`loss::softmax_cross_entropy`],
//! [`affine::backward`], [`pool::backward`], [`relu::backward`] and
//! [`conv::backward`], which takes the patch matrix `X_col` that
//! [`conv::forward`] cached.
//!
//! **Training.** Minibatch stochastic gradient descent with momentum
//! ([`Momentum`], [`Trainer`]): every epoch visits the training images in
//! a new random order, a minibatch at a time, with the settings of
//! [`TRAINING`].

use crate::conv::{self, ConvParams};
use crate::gradcheck::random;
use crate::pool::{self, PoolParams};
use crate::shapes::Checker;
use crate::{affine, loss, relu, Error};
use ndarray::{Array1, Array2, Array4, Axis, Ix2, Ix4};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::io::Read;
use std::path::Path;

/// The data's format and the layouts of this module, repeated in every
/// message it raises.
pub const CONVENTION: &str = "convention: digits.csv.gz is gzipped CSV, one image per line: \
     64 pixels from 0 to 16, row by row, then the label from 0 to 9; images are (n, 1, 8, 8) \
     with pixels scaled to [0, 1], scores are (10, n), columns are samples";

/// This module's messages, ending with its [`CONVENTION`].
const SHAPES: Checker = Checker::new(CONVENTION);

/// An image's height and width, in pixels.
pub const SIDE: usize = 8;

/// Pixels per image, `SIDE · SIDE`.
pub const PIXELS: usize = SIDE * SIDE;

/// The largest pixel value in the file: a pixel counts the black dots in a
/// 4 × 4 block of the scanned digit.
pub const MAX_PIXEL: u8 = 16;

/// The number of classes, the digits 0 to 9.
pub const CLASSES: usize = 10;

/// The committed data file, `chapters-code/data/digits.csv.gz`.
pub const DATA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv.gz");

/// How many images [`Digits::split`] sets aside for testing: 360 of the
/// 1,797, leaving 1,437 to train on.
pub const TEST_IMAGES: usize = 360;

/// The seed of the split into training and test images.
pub const SPLIT_SEED: u64 = 1998;

/// Images and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    /// `(n, 1, 8, 8)`, every pixel in `[0, 1]`.
    pub images: Array4<f64>,
    /// The digit each image shows, `n` of them, each below [`CLASSES`].
    pub labels: Vec<usize>,
}

impl Digits {
    /// The number of images, `n`.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images at `indices`, in that order.
    ///
    /// # Panics
    /// If an index is not below [`Digits::len`].
    pub fn select(&self, indices: &[usize]) -> Digits {
        Digits {
            images: self.images.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// `(train, test)`: `test` images drawn at random for testing, and the
    /// rest for training, each part in the order of the file. The same
    /// `seed` always gives the same split.
    ///
    /// # Panics
    /// If `test` is larger than [`Digits::len`].
    #[track_caller]
    pub fn split(&self, test: usize, seed: u64) -> (Digits, Digits) {
        SHAPES
            .check(
                test <= self.len(),
                "digits::Digits::split",
                ("test", &[test]),
                ("labels", &[self.len()]),
                "the test part cannot hold more images than there are",
            )
            .unwrap_or_else(|e| e.raise());
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        let (test_part, train_part) = order.split_at_mut(test);
        train_part.sort_unstable();
        test_part.sort_unstable();
        (self.select(train_part), self.select(test_part))
    }
}

/// Reads a digits file: gzipped CSV, one image per line, 64 pixels from 0
/// to 16 and then the label from 0 to 9 ([`CONVENTION`]). Returns the
/// images `(n, 1, 8, 8)`, each pixel divided by [`MAX_PIXEL`], and the
/// labels.
///
/// # Errors
/// An [`Error`] naming the file, and the line where one is to blame: a
/// file that cannot be opened, a gzip stream that is truncated or corrupt,
/// a line without 65 fields, a field that is not a whole number, a pixel
/// above 16, a label above 9, or a file with no lines.
pub fn load(path: impl AsRef<Path>) -> Result<Digits, Error> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| SHAPES.value("digits::load", &format!("cannot open {name}: {e}")))?;
    read(file, &name)
}

/// The committed data, [`DATA_FILE`]: 1,797 images.
///
/// # Panics
/// If the file is missing or damaged, with [`load`]'s message.
#[track_caller]
pub fn committed() -> Digits {
    load(DATA_FILE).unwrap_or_else(|e| e.raise())
}

/// [`load`] from any reader of the gzipped bytes, `name` standing for the
/// file in messages.
fn read(gzipped: impl Read, name: &str) -> Result<Digits, Error> {
    let context = "digits::load";
    let fail = |line: u64, detail: String| {
        SHAPES.value(context, &format!("{name}, line {line}: {detail}"))
    };
    // Records of any length, as bytes: the checks below report a short
    // line or a bad field in this module's words, so reading itself fails
    // only when the gzip stream does.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(flate2::read::GzDecoder::new(gzipped));
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    let mut record = csv::ByteRecord::new();
    let mut last_line = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(fail(
                    last_line + 1,
                    format!(
                        "the gzip stream breaks off here ({e}): the file is truncated or corrupt"
                    ),
                ))
            }
        }
        last_line = record
            .position()
            .expect("a record read from a file has a position")
            .line();
        if record.len() != PIXELS + 1 {
            return Err(fail(
                last_line,
                format!(
                    "{} fields, but a line holds {}: {PIXELS} pixels, then the label",
                    record.len(),
                    PIXELS + 1
                ),
            ));
        }
        for (i, field) in record.iter().enumerate() {
            let (what, max) = if i < PIXELS {
                (format!("pixel {}", i + 1), MAX_PIXEL)
            } else {
                ("the label".to_string(), CLASSES as u8 - 1)
            };
            let value = std::str::from_utf8(field)
                .ok()
                .and_then(|text| text.parse::<u8>().ok())
                .filter(|&v| v <= max)
                .ok_or_else(|| {
                    fail(
                        last_line,
                        format!(
                            "{what} (field {}) is {:?}, not a whole number from 0 to {max}",
                            i + 1,
                            String::from_utf8_lossy(field)
                        ),
                    )
                })?;
            if i < PIXELS {
                pixels.push(f64::from(value) / f64::from(MAX_PIXEL));
            } else {
                labels.push(usize::from(value));
            }
        }
    }
    if labels.is_empty() {
        return Err(SHAPES.value(context, &format!("{name} holds no images")));
    }
    let images = Array4::from_shape_vec((labels.len(), 1, SIDE, SIDE), pixels)
        .expect("every line adds 64 pixels");
    Ok(Digits { images, labels })
}

/// The convolution's settings: 3 × 3 filters (the filters' own shape),
/// stride 1 and one ring of zeros, so the output keeps the 8 × 8 size.
pub const CONV: ConvParams = ConvParams { stride: 1, pad: 1 };

/// The convolution's filter size, `(Q₁, Q₂)`.
pub const FILTER: (usize, usize) = (3, 3);

/// The pooling's settings: 2 × 2 windows at stride 2, which halve each
/// side, 8 × 8 to 4 × 4.
pub const POOL: PoolParams = PoolParams {
    height: 2,
    width: 2,
    stride: 2,
};

/// The side of the pooled maps, `SIDE / 2`.
pub const POOLED: usize = SIDE / 2;

/// `(n, C, H, W)` to `(C·H·W, n)`: each image's maps, read row by row,
/// become one column, the affine layer's layout. A reshape to
/// `(n, C·H·W)` and a transpose.
pub fn flatten(y: &Array4<f64>) -> Array2<f64> {
    let (n, c, h, w) = y.dim();
    y.to_shape((n, c * h * w))
        .expect("a (n, C, H, W) array has n·C·H·W entries")
        .reversed_axes()
        .to_owned()
}

/// The inverse of [`flatten`]: a `(C·H·W, n)` array, such as the
/// gradient that flows back into the flattened maps, as `(n, C, H, W)`.
///
/// # Panics
/// If `dh` is not `(C·H·W, n)` for `dim = (n, C, H, W)`.
#[track_caller]
pub fn unflatten(dh: &Array2<f64>, dim: (usize, usize, usize, usize)) -> Array4<f64> {
    let (n, c, h, w) = dim;
    SHAPES
        .check(
            dh.dim() == (c * h * w, n),
            "digits::unflatten",
            ("dh", dh.shape()),
            ("the maps", &[n, c, h, w]),
            "dh must be (C·H·W, n) for maps of (n, C, H, W)",
        )
        .unwrap_or_else(|e| e.raise());
    dh.t()
        .to_shape(dim)
        .expect("checked: C·H·W·n entries")
        .into_owned()
}

/// How many images [`Net::accuracy`] sends through the network at once.
pub const EVAL_BATCH: usize = 64;

/// The network's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Net {
    /// The filters, `(F, 1, 3, 3)`.
    pub w1: Array4<f64>,
    /// The filters' biases, length `F`.
    pub b1: Array1<f64>,
    /// The output layer's weights, `(10, 16F)`.
    pub w2: Array2<f64>,
    /// The output layer's biases, length 10.
    pub b2: Array1<f64>,
}

/// The gradient of the loss with respect to each parameter and the
/// images, each shaped like what it differentiates.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `∂L/∂W1`, `(F, 1, 3, 3)`.
    pub dw1: Array4<f64>,
    /// `∂L/∂b1`, length `F`.
    pub db1: Array1<f64>,
    /// `∂L/∂W2`, `(10, 16F)`.
    pub dw2: Array2<f64>,
    /// `∂L/∂b2`, length 10.
    pub db2: Array1<f64>,
    /// `∂L/∂X`, `(n, 1, 8, 8)`: computed by [`conv::backward`] and not
    /// used in training, where the images are data, not parameters.
    pub dx: Array4<f64>,
}

impl Net {
    /// A network with `filters` filters: every weight uniform in
    /// `[−√(6/fan_in), √(6/fan_in))`, where `fan_in` is the number of
    /// inputs that each of the layer's outputs adds up (9 for a filter,
    /// `16F` for the output layer), so that the layers' outputs start out
    /// neither vanishing nor growing from layer to layer; biases zero. `W1`
    /// is drawn from `seed`, `W2` from `seed + 1`.
    pub fn new(filters: usize, seed: u64) -> Self {
        let (q1, q2) = FILTER;
        let hidden = filters * POOLED * POOLED;
        let scale = |fan_in: usize| (6.0 / fan_in as f64).sqrt();
        Net {
            w1: random::<_, Ix4>((filters, 1, q1, q2), seed) * scale(q1 * q2),
            b1: Array1::zeros(filters),
            w2: random::<_, Ix2>((CLASSES, hidden), seed + 1) * scale(hidden),
            b2: Array1::zeros(CLASSES),
        }
    }

    /// The class scores `Y`, `(10, n)`, of images `x` `(n, 1, 8, 8)`.
    ///
    /// # Panics
    /// If `x` does not have the filters' one channel (see
    /// [`conv::forward`]) or is not 8 × 8 (then [`pool::forward`] or
    /// [`affine::forward`] refuses it).
    pub fn scores(&self, x: &Array4<f64>) -> Array2<f64> {
        let (z, _) = conv::forward(&self.w1, x, &self.b1, CONV);
        let p = pool::forward(&relu::forward(&z), POOL);
        affine::forward(&self.w2, &flatten(&p), &self.b2)
    }

    /// The fraction of `data`'s images whose largest score is their label.
    /// The images go through the network [`EVAL_BATCH`] at a time, so
    /// that no intermediate array grows with the size of `data`.
    pub fn accuracy(&self, data: &Digits) -> f64 {
        let mut right = 0;
        let images = data.images.axis_chunks_iter(Axis(0), EVAL_BATCH);
        for (x, labels) in images.zip(data.labels.chunks(EVAL_BATCH)) {
            let predicted = loss::predictions(&self.scores(&x.to_owned()));
            right += predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        }
        right as f64 / data.len() as f64
    }

    /// The mean softmax cross-entropy loss of images `x` `(n, 1, 8, 8)`
    /// with their `labels`, and its gradients: each layer forward, keeping
    /// what its backward pass asks for, then each layer's backward in
    /// reverse order.
    ///
    /// # Panics
    /// On images or labels that do not fit (see the layers' messages).
    pub fn loss(&self, x: &Array4<f64>, labels: &[usize]) -> (f64, Gradients) {
        // Forward.
        let (z, cache) = conv::forward(&self.w1, x, &self.b1, CONV); //  (n, F, 8, 8), X_col
        let a = relu::forward(&z); //                                  (n, F, 8, 8)
        let p = pool::forward(&a, POOL); //                            (n, F, 4, 4)
        let h = flatten(&p); //                                        (16F, n)
        let y = affine::forward(&self.w2, &h, &self.b2); //            (10, n)
        let (loss, dy) = loss::softmax_cross_entropy(&y, labels);

        // Backward: each layer turns the gradient of its output into the
        // gradients of its inputs.
        let g2 = affine::backward(&self.w2, &h, &dy); //               dW2, dH, db2
        let dp = unflatten(&g2.dx, p.dim()); //                        dP
        let da = pool::backward(&a, &dp, POOL); //                     dA
        let dz = relu::backward(&z, &da); //                           dZ
        let g1 = conv::backward(&self.w1, &cache, &dz, CONV); //       dW1, dX, db1
        let grads = Gradients {
            dw1: g1.dw,
            db1: g1.db,
            dw2: g2.dw,
            db2: g2.db,
            dx: g1.dx,
        };
        (loss, grads)
    }
}

/// Stochastic gradient descent with momentum: each parameter `θ` keeps a
/// velocity `v`, which starts at 0, and every step makes
/// `v ← μ·v − η·∂L/∂θ` and then `θ ← θ + v`, for the momentum `μ` and the
/// step size `η`. The velocity keeps moving the parameters in the
/// direction that recent steps agreed on.
#[derive(Debug, Clone, PartialEq)]
pub struct Momentum {
    /// The velocities, one per parameter, shaped like the parameters.
    pub velocity: Net,
    /// The momentum `μ`, between 0 and 1.
    pub momentum: f64,
    /// The step size `η`.
    pub step_size: f64,
}

impl Momentum {
    /// Zero velocities for `net`'s parameters.
    pub fn new(net: &Net, momentum: f64, step_size: f64) -> Self {
        Momentum {
            velocity: Net {
                w1: Array4::zeros(net.w1.raw_dim()),
                b1: Array1::zeros(net.b1.raw_dim()),
                w2: Array2::zeros(net.w2.raw_dim()),
                b2: Array1::zeros(net.b2.raw_dim()),
            },
            momentum,
            step_size,
        }
    }

    /// One step: `v ← μ·v − η·g`, then `θ ← θ + v`, for every parameter.
    ///
    /// # Panics
    /// If `net` or `g` does not have the shapes this was made for.
    pub fn step(&mut self, net: &mut Net, g: &Gradients) {
        let (mu, eta) = (self.momentum, self.step_size);
        let v = &mut self.velocity;
        v.w1 *= mu;
        v.w1.scaled_add(-eta, &g.dw1);
        net.w1 += &v.w1;
        v.b1 *= mu;
        v.b1.scaled_add(-eta, &g.db1);
        net.b1 += &v.b1;
        v.w2 *= mu;
        v.w2.scaled_add(-eta, &g.dw2);
        net.w2 += &v.w2;
        v.b2 *= mu;
        v.b2.scaled_add(-eta, &g.db2);
        net.b2 += &v.b2;
    }
}

/// The settings of a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// The number of filters `F`.
    pub filters: usize,
    /// Images per minibatch (the last one of an epoch may be smaller).
    pub batch: usize,
    /// The step size `η`.
    pub step_size: f64,
    /// The momentum `μ`.
    pub momentum: f64,
    /// How many times to visit every training image.
    pub epochs: usize,
    /// The seed of the initial weights ([`Net::new`]).
    pub init_seed: u64,
    /// The seed of the order in which each epoch visits the images.
    pub order_seed: u64,
}

/// The settings of the `digits` example.
pub const TRAINING: Training = Training {
    filters: 16,
    batch: 16,
    step_size: 0.1,
    momentum: 0.9,
    epochs: 10,
    init_seed: 1,
    order_seed: 2,
};

/// A network in training, its optimiser and the random order of its
/// minibatches.
#[derive(Debug, Clone)]
pub struct Trainer {
    /// The network being trained.
    pub net: Net,
    /// The optimiser and its velocities.
    pub optimiser: Momentum,
    /// Images per minibatch.
    pub batch: usize,
    /// Draws each epoch's order.
    rng: StdRng,
}

impl Trainer {
    /// A fresh network and optimiser for the settings `t`.
    pub fn new(t: &Training) -> Self {
        let net = Net::new(t.filters, t.init_seed);
        let optimiser = Momentum::new(&net, t.momentum, t.step_size);
        Trainer {
            net,
            optimiser,
            batch: t.batch,
            rng: StdRng::seed_from_u64(t.order_seed),
        }
    }

    /// One epoch: every image of `data` once, in a new random order, a
    /// minibatch at a time, with one step of the optimiser per minibatch.
    /// Returns the mean of the minibatches' losses, each taken before its
    /// step.
    ///
    /// # Panics
    /// If `data` is empty.
    pub fn epoch(&mut self, data: &Digits) -> f64 {
        let mut order: Vec<usize> = (0..data.len()).collect();
        order.shuffle(&mut self.rng);
        let mut losses = Vec::new();
        for indices in order.chunks(self.batch) {
            let minibatch = data.select(indices);
            let (loss, g) = self.net.loss(&minibatch.images, &minibatch.labels);
            self.optimiser.step(&mut self.net, &g);
            losses.push(loss);
        }
        losses.iter().sum::<f64>() / losses.len() as f64
    }
}

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

/// Trains a network with the settings `t` on `train` and measures it on
/// `test` after every epoch, calling `progress` with each [`Epoch`].
/// Returns the trained network and every epoch's numbers.
pub fn train(
    t: &Training,
    train: &Digits,
    test: &Digits,
    mut progress: impl FnMut(&Epoch),
) -> (Net, Vec<Epoch>) {
    let mut trainer = Trainer::new(t);
    let mut epochs = Vec::with_capacity(t.epochs);
    for epoch in 1..=t.epochs {
        let loss = trainer.epoch(train);
        let e = Epoch {
            epoch,
            loss,
            test_accuracy: trainer.net.accuracy(test),
        };
        progress(&e);
        epochs.push(e);
    }
    (trainer.net, epochs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer_check::{arg, check_layer, input};
    use crate::testing::{assert_entries_eq, assert_shape_panic};
    use ndarray::{arr0, s, ArrayD};
    use std::io::Write;

    /// `bytes` gzipped, as the data file stores them.
    fn gz_bytes(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    /// `text` gzipped.
    fn gz(text: &str) -> Vec<u8> {
        gz_bytes(text.as_bytes())
    }

    /// A line of the file: 64 pixels, every one `pixel`, then `label`.
    fn line(pixel: u8, label: usize) -> String {
        let mut fields = vec![pixel.to_string(); PIXELS];
        fields.push(label.to_string());
        fields.join(",") + "\n"
    }

    /// `read`'s error for `text`, gzipped, without the convention.
    fn read_error(text: &str) -> String {
        let e = read(&gz(text)[..], "t.csv.gz").expect_err("a malformed file");
        let suffix = format!(" ({CONVENTION})");
        assert!(e.message.ends_with(&suffix), "{}", e.message);
        e.message.trim_end_matches(&suffix).to_string()
    }

    #[test]
    fn the_committed_file_holds_1797_digits() {
        let d = committed();
        assert_eq!(d.images.dim(), (1797, 1, 8, 8));
        assert_eq!(d.len(), 1797);
        assert!(!d.is_empty() && d.select(&[]).is_empty());
        // The first line of the file: 0,0,5,13,9,1,0,0, … and the label 0.
        let first_row = d.images.slice(s![0, 0, 0, ..]).mapv(|v| v * 16.0);
        assert_eq!(
            first_row.to_vec(),
            [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0],
            "digits::load: the first image's top row"
        );
        assert_eq!(
            (d.labels[0], d.labels[1796]),
            (0, 8),
            "first and last labels"
        );
        // The UCI description's class counts for this (test) part.
        let mut counts = [0; CLASSES];
        for &l in &d.labels {
            counts[l] += 1;
        }
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        let (lo, hi) = d
            .images
            .iter()
            .fold((1.0, 0.0), |(lo, hi), &v| (v.min(lo), v.max(hi)));
        assert_eq!((lo, hi), (0.0, 1.0), "pixels are scaled to [0, 1]");
    }

    #[test]
    fn a_good_file_is_read_line_by_line() {
        let d = read(&gz(&(line(16, 9) + &line(4, 0)))[..], "t.csv.gz").unwrap();
        assert_eq!(d.labels, [9, 0]);
        assert_eq!(d.images.dim(), (2, 1, 8, 8));
        assert!(d.images.slice(s![0, .., .., ..]).iter().all(|&v| v == 1.0));
        assert!(d.images.slice(s![1, .., .., ..]).iter().all(|&v| v == 0.25));
        // Row by row: the tenth value of a line is row 1, column 1.
        let mut fields = vec!["0"; PIXELS + 1];
        fields[9] = "8";
        let d = read(&gz(&(fields.join(",") + "\n"))[..], "t.csv.gz").unwrap();
        assert_eq!(d.images[[0, 0, 1, 1]], 0.5);
        assert_eq!(d.images.sum(), 0.5);
    }

    #[test]
    fn a_truncated_gzip_stream_is_refused_naming_the_line_it_breaks_off_in() {
        let bytes = std::fs::read(DATA_FILE).unwrap();
        let cut = &bytes[..bytes.len() / 2];
        // The lines that the first half decodes to in full.
        let mut decoded = Vec::new();
        let _ = flate2::read::GzDecoder::new(cut).read_to_end(&mut decoded);
        let whole_lines = decoded.iter().filter(|&&b| b == b'\n').count();
        assert!((100..1797).contains(&whole_lines), "{whole_lines}");
        let e = read(cut, "half.csv.gz").unwrap_err();
        let want = format!(
            "digits::load: half.csv.gz, line {}: the gzip stream breaks off here",
            whole_lines + 1
        );
        assert!(
            e.message.starts_with(&want),
            "{}\nshould start with\n{want}",
            e.message
        );
        assert!(
            e.message.contains("the file is truncated or corrupt"),
            "{}",
            e.message
        );
        // Without its last bytes (the gzip trailer), the stream ends after
        // the last whole line.
        let e = read(&bytes[..bytes.len() - 4], "short.csv.gz").unwrap_err();
        assert!(
            e.message
                .starts_with("digits::load: short.csv.gz, line 1798: the gzip stream breaks off"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_file_that_is_not_gzip_is_refused_at_line_1() {
        let e = read(line(0, 0).as_bytes(), "plain.csv").unwrap_err();
        assert!(
            e.message
                .starts_with("digits::load: plain.csv, line 1: the gzip stream breaks off"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_line_with_63_pixels_is_refused_naming_it() {
        let mut short: Vec<String> = vec!["1".to_string(); PIXELS - 1];
        short.push("3".to_string());
        let text = line(0, 1) + &line(2, 2) + &(short.join(",") + "\n");
        assert_eq!(
            read_error(&text),
            "digits::load: t.csv.gz, line 3: 64 fields, but a line holds 65: 64 pixels, then the label"
        );
        // A blank line holds no image but still counts as a line.
        let text = line(0, 1) + "\n" + &line(2, 2) + &(short.join(",") + "\n");
        assert!(read_error(&text).starts_with("digits::load: t.csv.gz, line 4: 64 fields"));
    }

    #[test]
    fn a_pixel_17_a_label_10_and_a_non_number_are_refused_naming_line_and_field() {
        let mut bad = vec!["0"; PIXELS + 1];
        bad[4] = "17";
        let text = line(0, 0) + &(bad.join(",") + "\n");
        assert_eq!(
            read_error(&text),
            "digits::load: t.csv.gz, line 2: pixel 5 (field 5) is \"17\", not a whole number from 0 to 16"
        );
        let text = line(0, 0) + &line(16, 9) + &line(3, 10);
        assert_eq!(
            read_error(&text),
            "digits::load: t.csv.gz, line 3: the label (field 65) is \"10\", not a whole number from 0 to 9"
        );
        let mut bad = line(0, 0).into_bytes();
        bad[2] = 0xFF; // the second pixel, as a byte that is not UTF-8
        let e = read(&gz_bytes(&bad)[..], "t.csv.gz").unwrap_err();
        assert!(
            e.message.starts_with(
                "digits::load: t.csv.gz, line 1: pixel 2 (field 2) is \"\u{FFFD}\", not a whole"
            ),
            "{}",
            e.message
        );
        for not_a_number in ["x", "1.5", "-1", ""] {
            let mut bad = vec!["0"; PIXELS + 1];
            bad[63] = not_a_number;
            assert_eq!(
                read_error(&(bad.join(",") + "\n")),
                format!("digits::load: t.csv.gz, line 1: pixel 64 (field 64) is {not_a_number:?}, not a whole number from 0 to 16")
            );
        }
    }

    #[test]
    fn an_empty_or_missing_file_is_refused() {
        assert_eq!(read_error(""), "digits::load: t.csv.gz holds no images");
        let e = load("no/such/digits.csv.gz").unwrap_err();
        assert!(
            e.message
                .starts_with("digits::load: cannot open no/such/digits.csv.gz: "),
            "{}",
            e.message
        );
        assert!(
            e.message.ends_with(&format!("({CONVENTION})")),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_split_is_fixed_by_its_seed_and_keeps_images_with_their_labels() {
        let d = committed();
        let (train, test) = d.split(TEST_IMAGES, SPLIT_SEED);
        assert_eq!((train.len(), test.len()), (1437, 360));
        assert_eq!(train.images.dim(), (1437, 1, 8, 8));
        assert_eq!(
            d.split(TEST_IMAGES, SPLIT_SEED),
            (train.clone(), test.clone()),
            "same seed, same split"
        );
        assert_ne!(
            d.split(TEST_IMAGES, SPLIT_SEED + 1).1,
            test,
            "another seed, another split"
        );
        // Every image of either part is an image of the file with its own
        // label, and the parts together use every image of the file once.
        let mut used = vec![false; d.len()];
        for part in [&train, &test] {
            let mut from = 0;
            for (image, &label) in part.images.outer_iter().zip(&part.labels) {
                // Each part keeps the file's order, so search on from the
                // last match.
                let at = (from..d.len())
                    .find(|&i| {
                        !used[i] && d.labels[i] == label && d.images.index_axis(Axis(0), i) == image
                    })
                    .expect("an image of the file, with its label");
                used[at] = true;
                from = at + 1;
            }
        }
        assert!(
            used.iter().all(|&u| u),
            "an image of the file is in neither part"
        );
        assert_shape_panic("digits::Digits::split", &["test has shape [1798]"], || {
            d.split(1798, 0);
        });
    }

    #[test]
    fn flatten_makes_each_image_a_column_and_unflatten_undoes_it() {
        let y: Array4<f64> = random((2, 3, 4, 5), 1);
        let h = flatten(&y);
        assert_eq!(h.dim(), (60, 2));
        for ((k, c, i, j), &v) in y.indexed_iter() {
            assert_eq!(
                h[[(c * 4 + i) * 5 + j, k]],
                v,
                "digits::flatten: entry ({k}, {c}, {i}, {j})"
            );
        }
        assert_entries_eq("digits::unflatten", ("y", &unflatten(&h, y.dim())), &y, &[]);
        assert_shape_panic(
            "digits::unflatten",
            &["dh has shape [60, 2]", "the maps has shape [2, 3, 5, 5]"],
            || {
                unflatten(&h, (2, 3, 5, 5));
            },
        );
    }

    #[test]
    fn new_draws_each_layer_at_its_own_scale() {
        let net = Net::new(16, 7);
        assert_eq!(net.w1.dim(), (16, 1, 3, 3));
        assert_eq!(net.w2.dim(), (10, 256));
        assert_eq!((net.b1.len(), net.b2.len()), (16, 10));
        assert!(net.b1.iter().chain(&net.b2).all(|&b| b == 0.0));
        for (name, w, bound) in [
            ("w1", net.w1.view().into_dyn(), (6.0f64 / 9.0).sqrt()),
            ("w2", net.w2.view().into_dyn(), (6.0f64 / 256.0).sqrt()),
        ] {
            let largest = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(
                largest < bound && largest > 0.9 * bound,
                "{name}: largest |entry| {largest}, bound {bound}"
            );
        }
        assert_eq!(
            net.w1,
            random::<_, Ix4>((16, 1, 3, 3), 7) * (6.0f64 / 9.0).sqrt()
        );
        assert_ne!(Net::new(16, 8).w1, net.w1);
    }

    #[test]
    fn accuracy_counts_the_images_whose_top_score_is_their_label() {
        // All-zero weights: every image gets the scores b2, whose largest
        // entry is class 3; the accuracy is the share of threes.
        let mut net = Net::new(2, 0);
        net.w1.fill(0.0);
        net.w2.fill(0.0);
        net.b2[3] = 1.0;
        let d = committed();
        let threes = d.labels.iter().filter(|&&l| l == 3).count();
        assert_eq!(net.accuracy(&d), threes as f64 / 1797.0);
        assert_eq!(
            net.scores(&d.images.slice(s![..2, .., .., ..]).to_owned())
                .column(1)
                .to_vec(),
            net.b2.to_vec()
        );
    }

    /// The network as one layer of `check_layer`: inputs `w1, b1, w2, b2,
    /// x`, output the loss, and `backward` the gradients times `dy`.
    fn check_net(net: &Net, x: &Array4<f64>, labels: &[usize]) -> crate::layer_check::LayerReport {
        let as_net = |v: &[ArrayD<f64>]| Net {
            w1: arg(&v[0]),
            b1: arg(&v[1]),
            w2: arg(&v[2]),
            b2: arg(&v[3]),
        };
        check_layer(
            "digits net",
            &[
                input("w1", &net.w1),
                input("b1", &net.b1),
                input("w2", &net.w2),
                input("b2", &net.b2),
                input("x", x),
            ],
            |v| arr0(as_net(v).loss(&arg(&v[4]), labels).0).into_dyn(),
            |v, dy| {
                let g = as_net(v).loss(&arg(&v[4]), labels).1;
                let dy = dy[[]];
                vec![
                    (g.dw1 * dy).into_dyn(),
                    (g.db1 * dy).into_dyn(),
                    (g.dw2 * dy).into_dyn(),
                    (g.db2 * dy).into_dyn(),
                    (g.dx * dy).into_dyn(),
                ]
            },
        )
    }

    #[test]
    fn the_whole_nets_gradients_pass_the_layer_check_on_a_batch_of_4() {
        let mut net = Net::new(4, 11);
        net.b1 = random(4, 12) * 0.1;
        net.b2 = random(10, 13) * 0.1;
        // Random images (no two pixels equal, so no pooling window has a
        // tie), and four different labels.
        let x: Array4<f64> = random((4, 1, 8, 8), 14).mapv(|v| 0.5 + 0.5 * v);
        let r = check_net(&net, &x, &[3, 0, 9, 3]);
        assert!(r.max_relative_error() < 1e-6, "{r}");
        assert_eq!(r.jacobians_compared, 5, "{r}");
    }

    #[test]
    fn momentum_keeps_a_velocity_per_parameter() {
        let mut net = Net::new(1, 0);
        let start = net.clone();
        let mut sgd = Momentum::new(&net, 0.9, 0.1);
        let g = Gradients {
            dw1: Array4::from_elem((1, 1, 3, 3), 1.0),
            db1: Array1::from_elem(1, 2.0),
            dw2: Array2::from_elem((10, 16), -1.0),
            db2: Array1::from_elem(10, 0.5),
            dx: Array4::zeros((0, 1, 8, 8)),
        };
        sgd.step(&mut net, &g);
        sgd.step(&mut net, &g);
        // v1 = −0.1 g, v2 = 0.9 v1 − 0.1 g = −0.19 g; θ moves by −0.29 g.
        let moved =
            |now: &Array1<f64>, was: &Array1<f64>| (now - was).mapv(|d| (d * 1e12).round() / 1e12);
        assert_eq!(moved(&net.b1, &start.b1).to_vec(), [-0.58], "b1");
        assert_eq!(moved(&net.b2, &start.b2).to_vec(), [-0.145; 10], "b2");
        assert!(
            (&net.w1 - &start.w1)
                .iter()
                .all(|d| (d + 0.29).abs() < 1e-12),
            "w1"
        );
        assert!(
            (&net.w2 - &start.w2)
                .iter()
                .all(|d| (d - 0.29).abs() < 1e-12),
            "w2"
        );
        assert!(
            sgd.velocity.b1.iter().all(|v| (v + 0.38).abs() < 1e-12),
            "b1's velocity"
        );
    }

    #[test]
    fn a_few_steps_on_a_small_slice_make_the_loss_fall() {
        let (train, _) = committed().split(TEST_IMAGES, SPLIT_SEED);
        let slice = train.select(&(0..64).collect::<Vec<_>>());
        let mut trainer = Trainer::new(&TRAINING);
        let before = trainer.net.loss(&slice.images, &slice.labels).0;
        let epochs: Vec<f64> = (0..3).map(|_| trainer.epoch(&slice)).collect();
        let after = trainer.net.loss(&slice.images, &slice.labels).0;
        assert!(
            before > 2.0,
            "an untrained net's loss is near ln 10: {before}"
        );
        assert!(
            epochs[2] < epochs[0] && after < 0.5 * before,
            "loss before {before}, epochs {epochs:?}, after {after}"
        );
    }

    #[test]
    fn an_epoch_reports_the_mean_of_its_minibatch_losses() {
        // With step size 0 nothing moves, and two minibatches of 16 have
        // the mean loss of all 32 images.
        let slice = committed().select(&(0..32).collect::<Vec<_>>());
        let mut trainer = Trainer::new(&Training {
            step_size: 0.0,
            batch: 16,
            ..TRAINING
        });
        let whole = trainer.net.loss(&slice.images, &slice.labels).0;
        let epoch = trainer.epoch(&slice);
        assert!(
            (epoch - whole).abs() < 1e-12,
            "epoch {epoch}, all 32 at once {whole}"
        );
    }

    #[test]
    fn train_reports_every_epoch_and_returns_the_trained_net() {
        let d = committed();
        let (train_part, test) = (
            d.select(&(0..48).collect::<Vec<_>>()),
            d.select(&(48..80).collect::<Vec<_>>()),
        );
        let t = Training {
            epochs: 2,
            ..TRAINING
        };
        let mut seen = Vec::new();
        let (net, epochs) = train(&t, &train_part, &test, |e| seen.push(*e));
        assert_eq!(seen, epochs);
        assert_eq!(epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(epochs[1].test_accuracy, net.accuracy(&test));
        // The same run again gives the same numbers: the seeds fix it.
        assert_eq!(train(&t, &train_part, &test, |_| {}).0, net);
    }
}
