//! A two-layer network built from the book's layers, and the training loop
//! that teaches it to classify a spiral.
//!
//! **Network.** affine → ReLU → affine → softmax cross-entropy:
//!
//! ```text
//! Z = W1 X + b1,   H = max(0, Z),   S = W2 H + b2,
//! L = mean_i −ln softmax(S[.., i])[labels[i]] + 0.5·reg·(‖W1‖² + ‖W2‖²)
//! ```
//!
//! **Shapes** (columns are samples): `X` is `(d, n)`, `W1` `(h, d)`, `b1`
//! `(h)`, `Z` and `H` `(h, n)`, `W2` `(k, h)`, `b2` `(k)`, `S` `(k, n)`, for
//! `d` inputs, `h` hidden units and `k` classes.
//!
//! **Backward.** [`Network::loss`] runs the layers' own backward functions
//! in reverse order ([`loss`](crate::loss), then
//! [`affine`](crate::affine), [`relu`](crate::relu), [`affine`] again);
//! the regulariser adds `reg·W` to each weight gradient. It caches `X`,
//! `Z` and `H`, the inputs that the backward functions ask for.
//!
//! **Training.** [`Trainer`] computes the same numbers, to the last bit
//! on every run and every processor, without allocating and several times
//! faster: it keeps a buffer for every intermediate array of one block of
//! samples, and instead of general matrix products it runs loops written
//! for these thin shapes (every product has a dimension of 2 or 3). For
//! the spiral's shape the whole step is two fused passes over the hidden
//! layer, in AVX-512 where the processor has it (see the private modules
//! `fused` and `fused_avx512`). [`train`] runs plain full-batch gradient
//! descent with it. [`Network::loss`] remains the readable reference: the
//! tests check the trainer against it.

use crate::gradcheck::random;
use crate::{affine, loss, relu, shapes};
use ndarray::{Array1, Array2};

/// The shape convention of this module, repeated in every shape message
/// it raises itself (the layers it calls append their own).
pub const CONVENTION: &str = "convention: X is (d, n), columns are samples; \
     W1 is (h, d), W2 is (k, h), scores are (k, n); labels has length n, each label below k";

/// [`shapes::require_all`] for two shapes: every shape message of this
/// module ends with its own [`CONVENTION`].
#[track_caller]
fn require(ok: bool, context: &str, a: (&str, &[usize]), b: (&str, &[usize]), rule: &str) {
    shapes::require_all(ok, context, &[a, b], rule, CONVENTION);
}

/// The network's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// First layer's weights, `(h, d)`.
    pub w1: Array2<f64>,
    /// First layer's bias, length `h`.
    pub b1: Array1<f64>,
    /// Second layer's weights, `(k, h)`.
    pub w2: Array2<f64>,
    /// Second layer's bias, length `k`.
    pub b2: Array1<f64>,
}

/// The gradient of the loss with respect to each parameter, each shaped
/// like its parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `∂L/∂W1`, `(h, d)`.
    pub dw1: Array2<f64>,
    /// `∂L/∂b1`, length `h`.
    pub db1: Array1<f64>,
    /// `∂L/∂W2`, `(k, h)`.
    pub dw2: Array2<f64>,
    /// `∂L/∂b2`, length `k`.
    pub db2: Array1<f64>,
}

/// The scale of the initial weights: uniform in `[-0.01, 0.01)`.
pub const INIT_SCALE: f64 = 0.01;

impl Network {
    // Shown in "A network that learns", section "The network".
    // ANCHOR: network
    /// A network with `inputs` inputs, `hidden` hidden units and `classes`
    /// outputs: weights uniform in `[-INIT_SCALE, INIT_SCALE)` from `seed`,
    /// biases zero.
    pub fn new(inputs: usize, hidden: usize, classes: usize, seed: u64) -> Self {
        Network {
            w1: random::<_, ndarray::Ix2>((hidden, inputs), seed) * INIT_SCALE,
            b1: Array1::zeros(hidden),
            w2: random::<_, ndarray::Ix2>((classes, hidden), seed + 1) * INIT_SCALE,
            b2: Array1::zeros(classes),
        }
    }

    /// The class scores `S = W2 max(0, W1 X + b1) + b2`, `(k, n)` for `X`
    /// `(d, n)`.
    ///
    /// # Panics
    /// If `X`'s rows are not the network's `d` (the affine layer's check).
    pub fn scores(&self, x: &Array2<f64>) -> Array2<f64> {
        let h = relu::forward(&affine::forward(&self.w1, x, &self.b1));
        affine::forward(&self.w2, &h, &self.b2)
    }

    /// The fraction of samples whose largest score is their label.
    ///
    /// # Panics
    /// As [`Network::scores`], and if `labels` does not have one entry per
    /// sample.
    pub fn accuracy(&self, x: &Array2<f64>, labels: &[usize]) -> f64 {
        require_labels("net::Network::accuracy", x, labels);
        let predicted = loss::predictions(&self.scores(x));
        let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        right as f64 / labels.len() as f64
    }
    // ANCHOR_END: network

    // Shown in "A network that learns", section "Backward, one layer at a time".
    // ANCHOR: loss
    /// The loss `L` (data loss plus `0.5·reg·(‖W1‖² + ‖W2‖²)`) and its
    /// gradients, by running each layer's forward and then each layer's
    /// backward in reverse order.
    ///
    /// Shapes: `x` `(d, n)`, `labels` of length `n`.
    ///
    /// # Panics
    /// If `x`'s rows are not `d`, or on bad labels (see
    /// [`loss::softmax_cross_entropy`]).
    pub fn loss(&self, x: &Array2<f64>, labels: &[usize], reg: f64) -> (f64, Gradients) {
        // Forward, keeping what backward will ask for.
        let z = affine::forward(&self.w1, x, &self.b1); //   (h, n)
        let h = relu::forward(&z); //                          (h, n)
        let s = affine::forward(&self.w2, &h, &self.b2); //   (k, n)
        let (data_loss, ds) = loss::softmax_cross_entropy(&s, labels);
        let penalty = 0.5 * reg * (self.w1.mapv(|v| v * v).sum() + self.w2.mapv(|v| v * v).sum());

        // Backward: each layer turns the gradient of its output into the
        // gradients of its inputs.
        let g2 = affine::backward(&self.w2, &h, &ds); //      dW2, dH, db2
        let dz = relu::backward(&z, &g2.dx); //                dZ
        let g1 = affine::backward(&self.w1, x, &dz); //       dW1, dX, db1
        let grads = Gradients {
            dw1: g1.dw + reg * &self.w1, // the penalty adds reg·W1
            db1: g1.db,
            dw2: g2.dw + reg * &self.w2,
            db2: g2.db,
        };
        (data_loss + penalty, grads)
    }
    // ANCHOR_END: loss

    // Shown in "A network that learns", section "Training".
    // ANCHOR: update
    /// One step of gradient descent: every parameter moves by
    /// `−step_size` times its gradient.
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
    require(
        labels.len() == x.ncols(),
        context,
        ("labels", &[labels.len()]),
        ("X", x.shape()),
        "labels must have one entry per sample (X's columns, n)",
    );
}

/// The buffers of one training step, allocated once for a network and a
/// batch size and reused by every [`Trainer::step`].
///
/// The step runs the whole network on [`SAMPLES_PER_BLOCK`] samples at a
/// time: the loss is a sum over samples, so each block's gradients can be
/// added up as the blocks go by. A block's hidden layer (100 × 128
/// numbers for the spiral) stays in the processor's cache while the block
/// is worked on.
#[derive(Debug, Clone)]
pub struct Trainer {
    n: usize,
    xb: Vec<f64>,
    hb: Vec<f64>,
    sb: Vec<f64>,
    dsb: Vec<f64>,
    dzb: Vec<f64>,
    grads: Gradients,
}

/// How many samples [`Trainer::step`] pushes through the network at once.
pub const SAMPLES_PER_BLOCK: usize = 128;

impl Trainer {
    // Shown in "A network that learns", section "Making it fast".
    // ANCHOR: trainer
    /// Buffers for `net` on batches of `n` samples.
    pub fn new(net: &Network, n: usize) -> Self {
        let (hidden, inputs) = net.w1.dim();
        let classes = net.w2.nrows();
        let b = SAMPLES_PER_BLOCK;
        Trainer {
            n,
            xb: vec![0.0; inputs * b],
            hb: vec![0.0; hidden * b],
            sb: vec![0.0; classes * b],
            dsb: vec![0.0; classes * b],
            dzb: vec![0.0; hidden * b],
            grads: Gradients {
                dw1: Array2::zeros(net.w1.raw_dim()),
                db1: Array1::zeros(net.b1.len()),
                dw2: Array2::zeros(net.w2.raw_dim()),
                db2: Array1::zeros(net.b2.len()),
            },
        }
    }

    /// The gradients of the last [`Trainer::step`].
    pub fn gradients(&self) -> &Gradients {
        &self.grads
    }
    // ANCHOR_END: trainer

    // Shown in "A network that learns", section "Making it fast".
    // ANCHOR: step
    /// One full-batch gradient-descent step: computes the same loss and
    /// gradients as [`Network::loss`], writing every intermediate array
    /// into the trainer's buffers, then updates `net`. Returns the loss
    /// before the update.
    ///
    /// Shapes: `x` `(d, n)` and `labels` of length `n`, with the `n` and the
    /// network this trainer was made for.
    ///
    /// # Panics
    /// If `x` or `labels` do not match the trainer's batch, or `x`'s rows
    /// are not the network's `d`, or a label is not below `k`.
    pub fn step(
        &mut self,
        net: &mut Network,
        x: &Array2<f64>,
        labels: &[usize],
        step_size: f64,
        reg: f64,
    ) -> f64 {
        self.require_batch(net, x, labels);
        let x = x.as_standard_layout();
        let data_loss =
            self.accumulate(net, x.as_slice().expect("standard layout"), labels, self.n);
        finish_step(net, &mut self.grads, data_loss, step_size, reg)
    }

    /// The data part of a step on this trainer's samples, for a batch of
    /// `total` samples in all: sets the trainer's gradients to this part's
    /// share of `∂(data loss)/∂θ` (every sample weighted `1/total`) and
    /// returns its share of the data loss. Picks the build of the loops
    /// for AVX2 and FMA when the processor has them.
    fn accumulate(&mut self, net: &Network, x: &[f64], labels: &[usize], total: usize) -> f64 {
        match Build::detect() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `detect` picks this build only on a CPU with AVX-512F
            // (which includes AVX2 and FMA).
            Build::Avx512 => unsafe { self.accumulate_avx512(net, x, labels, total) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `detect` picks this build only on a CPU with AVX2 and FMA.
            Build::Avx2 => unsafe { self.accumulate_avx2(net, x, labels, total) },
            _ => self.accumulate_portable(net, x, labels, total),
        }
    }

    /// [`Trainer::accumulate`] compiled for AVX2 and FMA: the same code,
    /// which the compiler vectorises four `f64` at a time instead of two.
    /// Every operation and its order are the same, and `mul_add` rounds
    /// once in both builds, so the numbers are the same too. It runs the
    /// layer-by-layer loops: with only 16 vector registers, the fused
    /// backward pass's accumulators do not fit, and the spiral run took
    /// 0.71 s with them against 0.63 s without.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn accumulate_avx2(
        &mut self,
        net: &Network,
        x: &[f64],
        labels: &[usize],
        total: usize,
    ) -> f64 {
        self.accumulate_with(net, x, labels, total, Loops::Layers)
    }

    /// [`Trainer::accumulate`] compiled for AVX-512: eight `f64` at a
    /// time, and 32 vector registers, enough for the fused backward pass's
    /// accumulators (see [`fused`]). Same operations, same order, same
    /// numbers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn accumulate_avx512(
        &mut self,
        net: &Network,
        x: &[f64],
        labels: &[usize],
        total: usize,
    ) -> f64 {
        self.accumulate_with(net, x, labels, total, Loops::Avx512)
    }

    /// The body of [`Trainer::accumulate`] without special instructions:
    /// the generic [`fused`] passes where they apply.
    #[inline(always)]
    fn accumulate_portable(
        &mut self,
        net: &Network,
        x: &[f64],
        labels: &[usize],
        total: usize,
    ) -> f64 {
        self.accumulate_with(net, x, labels, total, Loops::Fused)
    }

    /// The body of every build of [`Trainer::accumulate`], one block of
    /// samples at a time, with `x` `(d, n)` as a row-major slice: each
    /// layer's forward and backward written as loops over contiguous rows
    /// (see [`kernels`]), or, for the spiral's shape and unless `loops` is
    /// `Layers`, the same arithmetic as two fused passes. Which loops run
    /// changes the speed, never a bit of the result.
    #[inline(always)]
    fn accumulate_with(
        &mut self,
        net: &Network,
        x: &[f64],
        labels: &[usize],
        total: usize,
        loops: Loops,
    ) -> f64 {
        let n = self.n;
        let d = net.w1.ncols();
        let w1 = slice(&net.w1);
        let w2 = slice(&net.w2);
        let b1 = net.b1.as_slice().expect("contiguous");
        let b2 = net.b2.as_slice().expect("contiguous");
        let g = &mut self.grads;
        let dw1 = g.dw1.as_slice_mut().expect("standard layout");
        let dw2 = g.dw2.as_slice_mut().expect("standard layout");
        let db1 = g.db1.as_slice_mut().expect("contiguous");
        let db2 = g.db2.as_slice_mut().expect("contiguous");
        for grad in [&mut *dw1, &mut *dw2, &mut *db1, &mut *db2] {
            grad.fill(0.0);
        }
        let mut data_loss = 0.0;
        for start in (0..n).step_by(SAMPLES_PER_BLOCK) {
            let m = SAMPLES_PER_BLOCK.min(n - start); // samples in this block
            let xb = &mut self.xb[..d * m];
            for (row, x_row) in xb.chunks_exact_mut(m).zip(x.chunks_exact(n)) {
                row.copy_from_slice(&x_row[start..start + m]);
            }
            let (hb, sb) = (&mut self.hb[..b1.len() * m], &mut self.sb[..b2.len() * m]);
            let (dsb, dzb) = (&mut self.dsb[..b2.len() * m], &mut self.dzb[..b1.len() * m]);
            if loops != Loops::Layers && d == 2 && b2.len() == 3 {
                // The spiral's shape: the same numbers from two fused
                // passes (see [`fused`]).
                match loops {
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: `Loops::Avx512` is only chosen on a CPU with AVX-512F.
                    Loops::Avx512 => unsafe {
                        fused_avx512::forward(w1, b1, w2, b2, xb, m, hb, sb)
                    },
                    _ => fused::forward::<2, 3>(w1, b1, w2, b2, xb, m, hb, sb),
                }
                data_loss +=
                    kernels::softmax_cross_entropy(sb, &labels[start..start + m], total, dsb);
                kernels::add_row_sums(dsb, m, db2);
                match loops {
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: as above.
                    Loops::Avx512 => unsafe {
                        fused_avx512::backward(w2, xb, hb, dsb, m, dw1, db1, dw2)
                    },
                    _ => fused::backward::<2, 3>(w2, xb, hb, dsb, m, dw1, db1, dw2),
                }
                continue;
            }
            // Forward: H = max(0, W1 X + b1), S = W2 H + b2.
            kernels::affine_relu(w1, xb, b1, m, hb);
            kernels::affine(w2, hb, b2, m, sb);
            // The loss and dS = (P − Y) / total, for this block's samples.
            data_loss += kernels::softmax_cross_entropy(sb, &labels[start..start + m], total, dsb);
            // Second affine layer: dW2 += dS Hᵀ, db2 += Σ dS.
            kernels::add_outer_products(dsb, hb, m, dw2);
            kernels::add_row_sums(dsb, m, db2);
            // dH = W2ᵀ dS, then the ReLU: dZ = 1{H > 0} ⊙ dH.
            kernels::back_relu(w2, dsb, hb, m, dzb);
            // First affine layer: dW1 += dZ Xᵀ, db1 += Σ dZ.
            kernels::add_outer_products(dzb, xb, m, dw1);
            kernels::add_row_sums(dzb, m, db1);
        }
        data_loss
    }
    // ANCHOR_END: step

    #[track_caller]
    fn require_batch(&self, net: &Network, x: &Array2<f64>, labels: &[usize]) {
        let batch = [net.w1.ncols(), self.n];
        require(
            x.shape() == batch && self.n > 0,
            "net::Trainer::step",
            ("X", x.shape()),
            ("the trainer's batch", &batch),
            "X must be (d, n) for the network's d and the trainer's n, and n must be at least 1",
        );
        require_labels("net::Trainer::step", x, labels);
        require(
            self.grads.dw1.shape() == net.w1.shape() && self.grads.dw2.shape() == net.w2.shape(),
            "net::Trainer::step",
            ("W2", net.w2.shape()),
            ("the trainer's W2", self.grads.dw2.shape()),
            "the trainer must be made for this network's sizes (h, d, k)",
        );
        let k = net.w2.nrows();
        if let Some((i, &label)) = labels.iter().enumerate().find(|(_, &l)| l >= k) {
            panic!(
                "net::Trainer::step: label {label} of sample {i} is out of range: W2 has shape {:?}, \
                 so labels must be below K = {k} ({CONVENTION})",
                net.w2.shape()
            );
        }
    }
}

/// The builds of [`Trainer::accumulate`], compiled for different
/// instruction sets; all of them give the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Build {
    /// For AVX-512F (which includes AVX2 and FMA).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx512,
    /// For AVX2 and FMA.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx2,
    /// For any processor.
    Portable,
}

impl Build {
    /// The fastest build a processor with these features can run.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn for_features(avx512f: bool, avx2: bool, fma: bool) -> Build {
        if avx512f {
            Build::Avx512
        } else if avx2 && fma {
            Build::Avx2
        } else {
            Build::Portable
        }
    }

    /// The fastest build this processor can run.
    fn detect() -> Build {
        #[cfg(target_arch = "x86_64")]
        return Build::for_features(
            std::arch::is_x86_feature_detected!("avx512f"),
            std::arch::is_x86_feature_detected!("avx2"),
            std::arch::is_x86_feature_detected!("fma"),
        );
        #[cfg(not(target_arch = "x86_64"))]
        Build::Portable
    }
}

/// Which loops a [`Trainer`] step runs; all of them give the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loops {
    /// One product at a time ([`kernels`]), for any sizes.
    Layers,
    /// The [`fused`] passes where `d = 2` and `k = 3`, else `Layers`.
    Fused,
    /// As `Fused`, with the passes written in AVX-512 ([`fused_avx512`]).
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

// Shown in "A network that learns", section "Making it fast".
// ANCHOR: kernels
/// The loops of [`Trainer::step`], on row-major slices. They are written
/// so that the compiler can vectorise them: the innermost loop always runs
/// along a contiguous row, and sums use 16 independent partial sums rather
/// than one running total (which would make every addition wait for the
/// previous one). None of them allocates.
pub mod kernels {
    /// Entries computed at once in registers by [`affine`],
    /// [`affine_relu`] and [`back_relu`].
    pub const BLOCK: usize = 16;

    /// `out (m, n) = max(0, a (m, d) · x (d, n) + b)`, with `b` of length
    /// `m` added to every column. Each output row is built [`BLOCK`]
    /// entries at a time in registers: start from the bias, add `a[i, j]`
    /// times row `j` of `x`, clip at 0, store once.
    #[inline(always)]
    pub fn affine_relu(a: &[f64], x: &[f64], b: &[f64], n: usize, out: &mut [f64]) {
        let d = x.len() / n;
        for ((row, a_row), &bias) in out.chunks_exact_mut(n).zip(a.chunks_exact(d)).zip(b) {
            let (blocks, tail) = row.as_chunks_mut::<BLOCK>();
            for (k, block) in blocks.iter_mut().enumerate() {
                let mut acc = [bias; BLOCK];
                for (&w, x_row) in a_row.iter().zip(x.chunks_exact(n)) {
                    let xs: &[f64; BLOCK] = x_row[k * BLOCK..(k + 1) * BLOCK]
                        .try_into()
                        .expect("a full block");
                    for t in 0..BLOCK {
                        acc[t] = w.mul_add(xs[t], acc[t]);
                    }
                }
                for t in 0..BLOCK {
                    block[t] = if acc[t] < 0.0 { 0.0 } else { acc[t] };
                }
            }
            let start = n - tail.len();
            for (t, o) in tail.iter_mut().enumerate() {
                let mut v = bias;
                for (&w, x_row) in a_row.iter().zip(x.chunks_exact(n)) {
                    v = w.mul_add(x_row[start + t], v);
                }
                *o = if v < 0.0 { 0.0 } else { v };
            }
        }
    }

    /// `out (k, n) = a (k, h) · m (h, n) + b`, with `b` of length `k` added
    /// to every column, in blocks of [`BLOCK`] columns: for each block and
    /// each output row, `BLOCK` partial sums run over the `h` rows of `m`.
    #[inline(always)]
    pub fn affine(a: &[f64], m: &[f64], b: &[f64], n: usize, out: &mut [f64]) {
        let h = m.len() / n;
        for start in (0..n).step_by(BLOCK) {
            let width = BLOCK.min(n - start);
            for ((out_row, a_row), &bias) in out.chunks_exact_mut(n).zip(a.chunks_exact(h)).zip(b) {
                let mut acc = [bias; BLOCK];
                if width == BLOCK {
                    for (&w, m_row) in a_row.iter().zip(m.chunks_exact(n)) {
                        let block: &[f64; BLOCK] = m_row[start..start + BLOCK]
                            .try_into()
                            .expect("a full block");
                        for t in 0..BLOCK {
                            acc[t] = w.mul_add(block[t], acc[t]);
                        }
                    }
                } else {
                    for (&w, m_row) in a_row.iter().zip(m.chunks_exact(n)) {
                        let block = &m_row[start..start + width];
                        for (acc, &v) in acc.iter_mut().zip(block) {
                            *acc = w.mul_add(v, *acc);
                        }
                    }
                }
                out_row[start..start + width].copy_from_slice(&acc[..width]);
            }
        }
    }

    /// The dot product of two slices of the same length, with 16 partial
    /// sums.
    #[inline(always)]
    pub fn dot(a: &[f64], b: &[f64]) -> f64 {
        let (ca, ta) = a.as_chunks::<16>();
        let (cb, tb) = b.as_chunks::<16>();
        let mut acc = [0.0; 16];
        for (x, y) in ca.iter().zip(cb) {
            for t in 0..16 {
                acc[t] = x[t].mul_add(y[t], acc[t]);
            }
        }
        let tail = ta.iter().zip(tb).fold(0.0, |s, (x, y)| x.mul_add(*y, s));
        fold16(acc) + tail
    }

    /// The sum of 16 partial sums, added in pairs (8 + 4 + 2 + 1 additions
    /// deep, rather than 15 in a row), which the compiler can also
    /// vectorise.
    #[inline(always)]
    pub fn fold16(acc: [f64; 16]) -> f64 {
        let mut a8 = [0.0; 8];
        for t in 0..8 {
            a8[t] = acc[t] + acc[t + 8];
        }
        let mut a4 = [0.0; 4];
        for t in 0..4 {
            a4[t] = a8[t] + a8[t + 4];
        }
        (a4[0] + a4[2]) + (a4[1] + a4[3])
    }

    /// `out (k, h) += g (k, n) · m (h, n)ᵀ`: the weight gradient of an
    /// affine layer whose input is `m` and whose output's gradient is `g`,
    /// added to what `out` holds. Every entry is one dot product of two
    /// contiguous rows.
    #[inline(always)]
    pub fn add_outer_products(g: &[f64], m: &[f64], n: usize, out: &mut [f64]) {
        let h = m.len() / n;
        // Row j of m is read once and dotted with every row of g.
        for (j, m_row) in m.chunks_exact(n).enumerate() {
            for (c, g_row) in g.chunks_exact(n).enumerate() {
                out[c * h + j] += dot(g_row, m_row);
            }
        }
    }

    /// `out += ` the sum of every row of `a` (rows of length `n`).
    #[inline(always)]
    pub fn add_row_sums(a: &[f64], n: usize, out: &mut [f64]) {
        for (o, row) in out.iter_mut().zip(a.chunks_exact(n)) {
            let (chunks, tail) = row.as_chunks::<16>();
            let mut acc = [0.0; 16];
            for c in chunks {
                for t in 0..16 {
                    acc[t] += c[t];
                }
            }
            *o += fold16(acc) + tail.iter().sum::<f64>();
        }
    }

    /// The softmax cross-entropy of the `m` columns of `s` (`(k, m)`), as
    /// [`loss::softmax_cross_entropy`](crate::loss::softmax_cross_entropy)
    /// computes it, for a block of a batch of `n` samples: writes
    /// `(P − Y) / n` into `ds` and returns the block's share of the mean
    /// loss, `Σ_i −ln p_{y_i} / n`. Labels must be below `k`.
    #[inline(always)]
    pub fn softmax_cross_entropy(s: &[f64], labels: &[usize], n: usize, ds: &mut [f64]) -> f64 {
        if s.len() == 3 * labels.len() && !labels.is_empty() {
            return softmax_rows::<3>(s, labels, n, ds);
        }
        softmax_any(s, labels, n, ds)
    }

    /// [`softmax_cross_entropy`] for any number of classes, one column at
    /// a time.
    #[inline(always)]
    pub(super) fn softmax_any(s: &[f64], labels: &[usize], n: usize, ds: &mut [f64]) -> f64 {
        let m = labels.len();
        let scale = 1.0 / n as f64;
        let mut loss = 0.0;
        for (t, &label) in labels.iter().enumerate() {
            let max = s[t..]
                .iter()
                .step_by(m)
                .fold(f64::NEG_INFINITY, |a, &v| a.max(v));
            let mut sum = 0.0;
            for (d, &v) in ds[t..].iter_mut().step_by(m).zip(s[t..].iter().step_by(m)) {
                *d = (v - max).exp();
                sum += *d;
            }
            loss += sum.ln() - (s[label * m + t] - max);
            for d in ds[t..].iter_mut().step_by(m) {
                *d = *d / sum * scale;
            }
            ds[label * m + t] -= scale;
        }
        loss * scale
    }

    /// [`softmax_any`] with the number of classes `K` known when
    /// compiling, to the bit, and with one call to `exp` fewer per
    /// sample: the largest score's term is `exp(0) = 1` exactly, so it is
    /// not computed (unless the maximum is infinite or NaN, where
    /// `v − max` is not 0). The exponentials are the largest part of the
    /// softmax's time.
    #[inline(always)]
    pub(super) fn softmax_rows<const K: usize>(
        s: &[f64],
        labels: &[usize],
        n: usize,
        ds: &mut [f64],
    ) -> f64 {
        let m = labels.len();
        let scale = 1.0 / n as f64;
        let s_rows: [&[f64]; K] = std::array::from_fn(|c| &s[c * m..(c + 1) * m]);
        let mut rows = ds.chunks_exact_mut(m);
        let mut ds_rows: [&mut [f64]; K] = std::array::from_fn(|_| rows.next().expect("K rows"));
        let mut loss = 0.0;
        for (t, &label) in labels.iter().enumerate() {
            let v: [f64; K] = std::array::from_fn(|c| s_rows[c][t]);
            let max = v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let mut top = 0;
            for (c, &vc) in v.iter().enumerate().skip(1) {
                top = if vc == max { c } else { top };
            }
            let mut e = [0.0; K];
            for r in 1..K {
                let c = (top + r) % K;
                e[c] = (v[c] - max).exp();
            }
            let z = v[top] - max;
            e[top] = if z == 0.0 { 1.0 } else { z.exp() };
            let mut sum = 0.0;
            for &ec in &e {
                sum += ec;
            }
            loss += sum.ln() - (v[label] - max);
            for (ds_row, &ec) in ds_rows.iter_mut().zip(&e) {
                ds_row[t] = ec / sum * scale;
            }
            ds_rows[label][t] -= scale;
        }
        loss * scale
    }

    /// `dz (h, n) = 1{hid > 0} ⊙ (w (k, h)ᵀ · g (k, n))`: the input
    /// gradient of an affine layer with weights `w` and output gradient
    /// `g`, passed back through the ReLU whose output was `hid`. Row `j` of
    /// `dz` is built [`BLOCK`] entries at a time in registers, as the sum
    /// of `w[c, j]` times row `c` of `g`, then masked and stored once.
    #[inline(always)]
    pub fn back_relu(w: &[f64], g: &[f64], hid: &[f64], n: usize, dz: &mut [f64]) {
        let h = hid.len() / n;
        for (j, (dz_row, hid_row)) in dz.chunks_exact_mut(n).zip(hid.chunks_exact(n)).enumerate() {
            let (blocks, tail) = dz_row.as_chunks_mut::<BLOCK>();
            for (k, block) in blocks.iter_mut().enumerate() {
                let mut acc = [0.0; BLOCK];
                for (c, g_row) in g.chunks_exact(n).enumerate() {
                    let wv = w[c * h + j];
                    let gs: &[f64; BLOCK] = g_row[k * BLOCK..(k + 1) * BLOCK]
                        .try_into()
                        .expect("a full block");
                    for t in 0..BLOCK {
                        acc[t] = wv.mul_add(gs[t], acc[t]);
                    }
                }
                let mask: &[f64; BLOCK] = hid_row[k * BLOCK..(k + 1) * BLOCK]
                    .try_into()
                    .expect("a full block");
                for t in 0..BLOCK {
                    block[t] = if mask[t] > 0.0 { acc[t] } else { 0.0 };
                }
            }
            let start = n - tail.len();
            for (t, o) in tail.iter_mut().enumerate() {
                let mut v = 0.0;
                for (c, g_row) in g.chunks_exact(n).enumerate() {
                    v = w[c * h + j].mul_add(g_row[start + t], v);
                }
                *o = if hid_row[start + t] > 0.0 { v } else { 0.0 };
            }
        }
    }
}
// ANCHOR_END: kernels

/// The fused loops that [`Trainer::step`] runs when the network has the
/// spiral's shape (`d = 2` inputs, `k = 3` classes; any number of hidden
/// units). They compute exactly what the layer-by-layer loops of
/// [`kernels`] compute, with every multiply-add and every addition in the
/// same order, so the numbers agree to the last bit; they just read and
/// write memory far less.
///
/// **Why they are fast.** Every product of the network has a dimension of
/// 2 or 3, so its arithmetic is small next to the traffic of its operands:
/// the layer-by-layer loops read each row of the `(h, m)` hidden layer once
/// per product that uses it, and write `Z`, `H`, `dH` and `dZ` out in full.
/// Here, with `d` and `k` known when compiling, each loop keeps a whole
/// strip of [`L`] samples of everything small in registers and touches the
/// big arrays once:
///
/// - [`forward`] walks over the hidden units for one strip of samples: unit
///   `j`'s activations are made from the strip's two input rows, stored
///   (the backward pass needs them), and at once added into the strip's
///   three score rows, which stay in registers for the whole walk. One
///   pass makes `H` and `S`.
/// - [`backward`] walks along hidden unit `j`'s row of `H` once and, per
///   strip, forms `dZ` (the masked `W2ᵀ dS`) in registers and adds it into
///   the partial sums of `dW1` and `db1`, while the same loaded `H` feeds
///   the partial sums of `dW2`. `dZ` is never stored. Five products and
///   two bias sums become one loop with twelve accumulators, which fits
///   the 32 vector registers of AVX-512 (16 lanes of `f64` are 2 of them).
///
/// The strip width [`L`] is 16 because [`kernels::dot`] sums with 16
/// partial sums: a strip's lane `t` is exactly partial sum `t`, and the
/// last `m mod 16` samples of a block are added one at a time afterwards,
/// as `dot` adds its tail.
///
/// On the spiral run (one thread, AVX-512), a step went from about 66 µs
/// of processor time with the layer-by-layer loops to about 26 µs; a
/// profile then puts about 42% of it in [`backward`], 29% in [`forward`],
/// and most of the rest in the softmax's `ln` and `exp` (18%: one `ln`
/// and two `exp` per sample, which must stay the maths library's own so
/// that the loss curve does not change by a bit). Tried and
/// dropped: skipping a strip's `dZ` work when the ReLU is off for all of
/// it (no faster: the branch is unpredictable), and splitting the blocks
/// between two threads (slower on a shared two-core machine, where each
/// thread often waits for the other to be scheduled).
///
/// They are an optimisation only: [`Network::loss`], which calls each
/// layer's own functions, is the readable definition of the same step.
mod fused {
    // Lane and class loops index several arrays at once; indices read best.
    #![allow(clippy::needless_range_loop)]
    use super::kernels::fold16;
    use std::array::from_fn;

    /// Samples per strip: the lanes held in registers, and the 16 partial
    /// sums of [`super::kernels::dot`].
    pub(super) const L: usize = 16;

    /// `hid (h, m) = max(0, w1 (h, D) · x (D, m) + b1)` and
    /// `s (K, m) = w2 (K, h) · hid + b2`, one strip of [`L`] samples at a
    /// time, the strip's `K` score rows in registers while every hidden
    /// unit is visited. As [`super::kernels::affine_relu`] then
    /// [`super::kernels::affine`], to the bit.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn forward<const D: usize, const K: usize>(
        w1: &[f64],
        b1: &[f64],
        w2: &[f64],
        b2: &[f64],
        x: &[f64],
        m: usize,
        hid: &mut [f64],
        s: &mut [f64],
    ) {
        let h = b1.len();
        let w2_rows: [&[f64]; K] = from_fn(|c| &w2[c * h..(c + 1) * h]);
        for start in (0..m).step_by(L) {
            let width = L.min(m - start);
            // The strip's inputs; lanes past the block's end are zero, and
            // what they produce is never stored.
            let mut xs = [[0.0; L]; D];
            for (xs_row, x_row) in xs.iter_mut().zip(x.chunks_exact(m)) {
                xs_row[..width].copy_from_slice(&x_row[start..start + width]);
            }
            let mut acc: [[f64; L]; K] = from_fn(|c| [b2[c]; L]);
            let units = w1.chunks_exact(D).zip(b1).zip(hid.chunks_exact_mut(m));
            for (j, ((w1_row, &bias), hid_row)) in units.enumerate() {
                let mut z = [bias; L];
                for (&w, xs_row) in w1_row.iter().zip(&xs) {
                    for t in 0..L {
                        z[t] = w.mul_add(xs_row[t], z[t]);
                    }
                }
                for zt in &mut z {
                    *zt = if *zt < 0.0 { 0.0 } else { *zt };
                }
                store(&mut hid_row[start..start + width], &z);
                for (acc_c, w2_row) in acc.iter_mut().zip(&w2_rows) {
                    let w = w2_row[j];
                    for t in 0..L {
                        acc_c[t] = w.mul_add(z[t], acc_c[t]);
                    }
                }
            }
            for (acc_c, s_row) in acc.iter().zip(s.chunks_exact_mut(m)) {
                store(&mut s_row[start..start + width], acc_c);
            }
        }
    }

    /// Stores the first `dst.len()` lanes (all of them but at a block's
    /// end).
    #[inline(always)]
    fn store(dst: &mut [f64], lanes: &[f64; L]) {
        if let Ok(full) = <&mut [f64; L]>::try_from(&mut *dst) {
            *full = *lanes;
        } else {
            dst.copy_from_slice(&lanes[..dst.len()]);
        }
    }

    /// The backward pass of the whole network for one block of `m`
    /// samples, given `ds = dS (K, m)`, the block's inputs `x (D, m)` and
    /// hidden layer `hid (h, m)`: adds `dS Hᵀ` to `dw2 (K, h)`, and, with
    /// `dZ = 1{H > 0} ⊙ (w2ᵀ dS)`, `dZ Xᵀ` to `dw1 (h, D)` and the row sums
    /// of `dZ` to `db1`. As [`super::kernels::add_outer_products`],
    /// [`super::kernels::back_relu`], `add_outer_products` and
    /// [`super::kernels::add_row_sums`], to the bit: lane `t` of each
    /// accumulator is partial sum `t` of [`super::kernels::dot`].
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn backward<const D: usize, const K: usize>(
        w2: &[f64],
        x: &[f64],
        hid: &[f64],
        ds: &[f64],
        m: usize,
        dw1: &mut [f64],
        db1: &mut [f64],
        dw2: &mut [f64],
    ) {
        let h = db1.len();
        let full = m - m % L; // samples in whole strips
        let w2_rows: [&[f64]; K] = from_fn(|c| &w2[c * h..(c + 1) * h]);
        let ds_rows: [&[f64]; K] = from_fn(|c| &ds[c * m..(c + 1) * m]);
        let x_rows: [&[f64]; D] = from_fn(|i| &x[i * m..(i + 1) * m]);
        let mut dw2_rows = dw2.chunks_exact_mut(h);
        let mut dw2_rows: [&mut [f64]; K] = from_fn(|_| dw2_rows.next().expect("K rows"));
        let units = hid.chunks_exact(m).zip(dw1.chunks_exact_mut(D)).zip(db1);
        for (j, ((hid_row, dw1_row), db1_j)) in units.enumerate() {
            let w: [f64; K] = from_fn(|c| w2_rows[c][j]);
            let mut a2 = [[0.0; L]; K]; // dW2[c, j]
            let mut a1 = [[0.0; L]; D]; // dW1[j, i]
            let mut ab = [0.0; L]; //      db1[j]
            for start in (0..full).step_by(L) {
                let hv = strip(hid_row, start);
                let mut dz = [0.0; L];
                for c in 0..K {
                    let g = strip(ds_rows[c], start);
                    for t in 0..L {
                        dz[t] = w[c].mul_add(g[t], dz[t]);
                        a2[c][t] = g[t].mul_add(hv[t], a2[c][t]);
                    }
                }
                for t in 0..L {
                    dz[t] = if hv[t] > 0.0 { dz[t] } else { 0.0 };
                }
                for i in 0..D {
                    let xv = strip(x_rows[i], start);
                    for t in 0..L {
                        a1[i][t] = dz[t].mul_add(xv[t], a1[i][t]);
                    }
                }
                for t in 0..L {
                    ab[t] += dz[t];
                }
            }
            let sums = Sums {
                f2: a2.map(fold16),
                f1: a1.map(fold16),
                fb: fold16(ab),
            };
            let block = Block {
                ds: &ds_rows,
                x: &x_rows,
                hid: hid_row,
                m,
                full,
            };
            sums.finish(&block, &w, j, &mut dw2_rows, dw1_row, db1_j);
        }
    }

    /// A block's rows as [`backward`] reads them, for hidden unit `j`'s
    /// [`Sums::finish`].
    pub(super) struct Block<'a, const D: usize, const K: usize> {
        pub ds: &'a [&'a [f64]; K],
        pub x: &'a [&'a [f64]; D],
        /// Row `j` of the hidden layer.
        pub hid: &'a [f64],
        pub m: usize,
        /// Samples in whole strips: `m − m mod L`.
        pub full: usize,
    }

    /// Hidden unit `j`'s sums of `dW2[.., j]`, `dW1[j, ..]` and `db1[j]`
    /// over a block's whole strips: each of its [`L`] partial sums folded
    /// as [`super::kernels::fold16`] folds them.
    pub(super) struct Sums<const D: usize, const K: usize> {
        pub f2: [f64; K],
        pub f1: [f64; D],
        pub fb: f64,
    }

    impl<const D: usize, const K: usize> Sums<D, K> {
        /// Adds the block's last `m mod L` samples one at a time, in
        /// order, to the folded sums and adds the results to the
        /// gradients, as [`super::kernels::dot`] and
        /// [`super::kernels::add_row_sums`] finish.
        #[inline(always)]
        pub(super) fn finish(
            self,
            b: &Block<'_, D, K>,
            w: &[f64; K],
            j: usize,
            dw2_rows: &mut [&mut [f64]; K],
            dw1_row: &mut [f64],
            db1_j: &mut f64,
        ) {
            let (mut t2, mut t1, mut dz_tail) = ([0.0; K], [0.0; D], [0.0; L]);
            for (t, dz_t) in (b.full..b.m).zip(&mut dz_tail) {
                let mut v = 0.0;
                for c in 0..K {
                    v = w[c].mul_add(b.ds[c][t], v);
                }
                let v = if b.hid[t] > 0.0 { v } else { 0.0 };
                *dz_t = v;
                for c in 0..K {
                    t2[c] = b.ds[c][t].mul_add(b.hid[t], t2[c]);
                }
                for i in 0..D {
                    t1[i] = v.mul_add(b.x[i][t], t1[i]);
                }
            }
            for c in 0..K {
                dw2_rows[c][j] += self.f2[c] + t2[c];
            }
            for i in 0..D {
                dw1_row[i] += self.f1[i] + t1[i];
            }
            *db1_j += self.fb + dz_tail[..b.m - b.full].iter().sum::<f64>();
        }
    }

    /// The [`L`] entries of `row` from `start`.
    #[inline(always)]
    fn strip(row: &[f64], start: usize) -> &[f64; L] {
        row[start..start + L].try_into().expect("a whole strip")
    }
}

/// [`fused`]'s two passes for `d = 2` and `k = 3`, written with AVX-512
/// instructions: a strip of 16 samples is two registers of eight `f64`.
/// Left to itself, the compiler spills the generic versions' arrays to the
/// stack; written out, the backward pass's twelve accumulators, the strip
/// of `H`, `dS` and `X` and the three weights all stay in the 32 registers.
/// The backward pass also folds each unit's 16 partial sums inside the
/// registers, and adds the block's last samples (those short of a whole
/// strip) for eight hidden units at once, one unit per lane, instead of
/// one unit at a time in scalar code: with them, the spiral run went from
/// 0.31 s to 0.27 s of processor time. Every lane does exactly the
/// multiply-adds, comparisons and additions of the generic loops, in the
/// same order, so the numbers are the same.
#[cfg(target_arch = "x86_64")]
mod fused_avx512 {
    #![allow(clippy::needless_range_loop)]
    use super::fused::L;
    use std::arch::x86_64::*;
    use std::array::from_fn;

    /// The lanes of a strip of `width ≤ 16` samples: a mask for each of
    /// its two registers.
    #[inline(always)]
    fn masks(width: usize) -> [__mmask8; 2] {
        let bits = ((1u32 << width) - 1) as u16;
        [bits as u8, (bits >> 8) as u8]
    }

    /// [`super::fused::forward`] for `D = 2`, `K = 3`.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) fn forward(
        w1: &[f64],
        b1: &[f64],
        w2: &[f64],
        b2: &[f64],
        x: &[f64],
        m: usize,
        hid: &mut [f64],
        s: &mut [f64],
    ) {
        let h = b1.len();
        assert!(w1.len() == 2 * h && w2.len() == 3 * h && b2.len() == 3);
        assert!(x.len() == 2 * m && hid.len() == h * m && s.len() == 3 * m);
        let zero = _mm512_setzero_pd();
        let (xp, hp, sp) = (x.as_ptr(), hid.as_mut_ptr(), s.as_mut_ptr());
        for start in (0..m).step_by(L) {
            let k = masks(L.min(m - start));
            // SAFETY: every load and store below is of lanes `start..start
            // + width` of a row of length `m` of a slice whose length was
            // checked above; the masks leave out the lanes past `width`,
            // and pointers to them are only formed with `wrapping_add`.
            unsafe {
                let ld = |p: *const f64, half: usize| {
                    _mm512_maskz_loadu_pd(k[half], p.wrapping_add(start + 8 * half))
                };
                let x0 = [ld(xp, 0), ld(xp, 1)];
                let x1 = [ld(xp.add(m), 0), ld(xp.add(m), 1)];
                let mut acc = [
                    [_mm512_set1_pd(b2[0]); 2],
                    [_mm512_set1_pd(b2[1]); 2],
                    [_mm512_set1_pd(b2[2]); 2],
                ];
                for j in 0..h {
                    let bias = _mm512_set1_pd(*b1.get_unchecked(j));
                    let wa = _mm512_set1_pd(*w1.get_unchecked(2 * j));
                    let wb = _mm512_set1_pd(*w1.get_unchecked(2 * j + 1));
                    let wc = [
                        _mm512_set1_pd(*w2.get_unchecked(j)),
                        _mm512_set1_pd(*w2.get_unchecked(h + j)),
                        _mm512_set1_pd(*w2.get_unchecked(2 * h + j)),
                    ];
                    for half in 0..2 {
                        let z = _mm512_fmadd_pd(wa, x0[half], bias);
                        let z = _mm512_fmadd_pd(wb, x1[half], z);
                        // `if z < 0 { 0 } else { z }`: keep the lanes
                        // not below 0 (NaN and −0 included).
                        let keep = _mm512_cmp_pd_mask::<_CMP_NLT_UQ>(z, zero);
                        let z = _mm512_maskz_mov_pd(keep, z);
                        let dst = hp.wrapping_add(j * m + start + 8 * half);
                        _mm512_mask_storeu_pd(dst, k[half], z);
                        for c in 0..3 {
                            acc[c][half] = _mm512_fmadd_pd(wc[c], z, acc[c][half]);
                        }
                    }
                }
                for (c, acc_c) in acc.iter().enumerate() {
                    for half in 0..2 {
                        let dst = sp.wrapping_add(c * m + start + 8 * half);
                        _mm512_mask_storeu_pd(dst, k[half], acc_c[half]);
                    }
                }
            }
        }
    }

    /// [`super::kernels::fold16`] of the 16 partial sums in two
    /// registers (lanes 0–7 and 8–15), without leaving the registers: the
    /// same additions of the same pairs, in the same order.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn fold16(v: [__m512d; 2]) -> f64 {
        let a8 = _mm512_add_pd(v[0], v[1]); // a8[t] = acc[t] + acc[t + 8]
        let a4 = _mm256_add_pd(_mm512_castpd512_pd256(a8), _mm512_extractf64x4_pd::<1>(a8));
        // (a4[0] + a4[2], a4[1] + a4[3])
        let a2 = _mm_add_pd(_mm256_castpd256_pd128(a4), _mm256_extractf128_pd::<1>(a4));
        _mm_cvtsd_f64(a2) + _mm_cvtsd_f64(_mm_unpackhi_pd(a2, a2))
    }

    /// [`super::fused::backward`] for `D = 2`, `K = 3`.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) fn backward(
        w2: &[f64],
        x: &[f64],
        hid: &[f64],
        ds: &[f64],
        m: usize,
        dw1: &mut [f64],
        db1: &mut [f64],
        dw2: &mut [f64],
    ) {
        let h = db1.len();
        assert!(w2.len() == 3 * h && dw2.len() == 3 * h && dw1.len() == 2 * h);
        assert!(x.len() == 2 * m && hid.len() == h * m && ds.len() == 3 * m);
        let full = m - m % L;
        let ds_rows = [&ds[..m], &ds[m..2 * m], &ds[2 * m..]];
        let x_rows = [&x[..m], &x[m..]];
        let (dw2_0, rest) = dw2.split_at_mut(h);
        let (dw2_1, dw2_2) = rest.split_at_mut(h);
        let dw2_rows = [dw2_0, dw2_1, dw2_2];
        let zero = _mm512_setzero_pd();
        let (xp, dsp) = (x.as_ptr(), ds.as_ptr());
        // The value of an empty `iter().sum()`, where the sums of dZ's
        // tail start.
        let neutral: f64 = [0.0f64; 0].iter().sum();
        // Eight hidden units at a time: their tails (the block's last
        // `m − full` samples) are added one sample at a time, in order, as
        // the generic loops do, but with the eight units in the lanes of a
        // register rather than one after another.
        for j0 in (0..h).step_by(8) {
            let units = (h - j0).min(8);
            let mut t2 = [zero; 3];
            let mut t1 = [zero; 2];
            let mut tb = _mm512_set1_pd(neutral);
            if full < m {
                // Row offsets of the eight units in `hid`; lanes past `h`
                // repeat the last unit, and what they compute is not used.
                let rows: [i64; 8] = from_fn(|l| ((j0 + l.min(units - 1)) * m) as i64);
                let k = ((1u16 << units) - 1) as u8;
                // SAFETY: `rows` are rows of `hid` and `t < m`, so every
                // gathered entry is in `hid`; the weight loads are masked to
                // the `units` lanes that lie in `w2`'s rows.
                unsafe {
                    let rows = _mm512_loadu_si512(rows.as_ptr().cast());
                    let wv: [__m512d; 3] =
                        from_fn(|c| _mm512_maskz_loadu_pd(k, w2.as_ptr().add(c * h + j0)));
                    for t in full..m {
                        let hv = _mm512_i64gather_pd::<8>(rows, hid.as_ptr().add(t));
                        let mut dz = zero;
                        for c in 0..3 {
                            let g = _mm512_set1_pd(ds_rows[c][t]);
                            dz = _mm512_fmadd_pd(wv[c], g, dz);
                            t2[c] = _mm512_fmadd_pd(g, hv, t2[c]);
                        }
                        let on = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(hv, zero);
                        let dz = _mm512_maskz_mov_pd(on, dz);
                        for i in 0..2 {
                            t1[i] = _mm512_fmadd_pd(dz, _mm512_set1_pd(x_rows[i][t]), t1[i]);
                        }
                        tb = _mm512_add_pd(tb, dz);
                    }
                }
            }
            let lanes = |v: __m512d| -> [f64; 8] {
                // SAFETY: a register of eight f64 is eight f64.
                unsafe { std::mem::transmute(v) }
            };
            let (t2, t1, tb) = (t2.map(lanes), t1.map(lanes), lanes(tb));
            for l in 0..units {
                let j = j0 + l;
                let wv = [w2[j], w2[h + j], w2[2 * h + j]].map(|v| _mm512_set1_pd(v));
                let mut a2 = [[zero; 2]; 3];
                let mut a1 = [[zero; 2]; 2];
                let mut ab = [zero; 2];
                // The loads below read the first `full` entries of unit
                // j's row through `hp`: check that they are in it.
                let row = &hid[j * m..(j + 1) * m];
                assert!(full <= row.len(), "a strip past the end of a row of hid");
                let hp = row.as_ptr();
                for start in (0..full).step_by(L) {
                    for half in 0..2 {
                        let off = start + 8 * half;
                        // SAFETY: `off + 8 ≤ full ≤ m`, and every row read
                        // here has length `m` (checked above).
                        unsafe {
                            let hv = _mm512_loadu_pd(hp.add(off));
                            let mut dz = zero;
                            for c in 0..3 {
                                let g = _mm512_loadu_pd(dsp.add(c * m + off));
                                dz = _mm512_fmadd_pd(wv[c], g, dz);
                                a2[c][half] = _mm512_fmadd_pd(g, hv, a2[c][half]);
                            }
                            let on = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(hv, zero);
                            let dz = _mm512_maskz_mov_pd(on, dz);
                            for i in 0..2 {
                                let xv = _mm512_loadu_pd(xp.add(i * m + off));
                                a1[i][half] = _mm512_fmadd_pd(dz, xv, a1[i][half]);
                            }
                            ab[half] = _mm512_add_pd(ab[half], dz);
                        }
                    }
                }
                for c in 0..3 {
                    dw2_rows[c][j] += fold16(a2[c]) + t2[c][l];
                }
                for i in 0..2 {
                    dw1[2 * j + i] += fold16(a1[i]) + t1[i][l];
                }
                db1[j] += fold16(ab) + tb[l];
            }
        }
    }
}

/// The entries of a matrix in standard (row-major) layout, as every buffer
/// and parameter of the network is.
fn slice(a: &Array2<f64>) -> &[f64] {
    a.as_slice().expect("standard layout")
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

/// The end of a step, once `grads` holds the data gradients: adds the
/// penalty's `reg·W` to the weight gradients, updates `net`, and returns
/// the loss `data_loss + 0.5·reg·(‖W1‖² + ‖W2‖²)` from before the update.
fn finish_step(
    net: &mut Network,
    grads: &mut Gradients,
    data_loss: f64,
    step_size: f64,
    reg: f64,
) -> f64 {
    grads.dw1.scaled_add(reg, &net.w1);
    grads.dw2.scaled_add(reg, &net.w2);
    let (w1, w2) = (slice(&net.w1), slice(&net.w2));
    let penalty = 0.5 * reg * (sum_of_squares(w1) + sum_of_squares(w2));
    net.update(grads, step_size);
    data_loss + penalty
}

/// `Σ a_i²` as [`kernels::dot`]`(a, a)` computes it, with the processor's
/// FMA instruction where it has one: without it, each `mul_add` is a call
/// to the maths library. Same numbers either way.
fn sum_of_squares(a: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        #[target_feature(enable = "fma")]
        fn with_fma(a: &[f64]) -> f64 {
            kernels::dot(a, a)
        }
        // SAFETY: the CPU has FMA, checked on the line above.
        return unsafe { with_fma(a) };
    }
    kernels::dot(a, a)
}

// Shown in "A network that learns", section "Training".
// ANCHOR: train
/// Trains `net` on `(x, labels)` with full-batch gradient descent and
/// returns the loss before each step (length `params.steps`).
///
/// # Panics
/// As [`Trainer::step`].
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

// Shown in "A network that learns", section "The spiral".
// ANCHOR: spiral
/// A seeded spiral with `classes` arms of `points_per_class` points in the
/// plane: point `i` of arm `c` is at radius `r = i / (points_per_class − 1)`
/// and angle `t = 4c + 4r + 0.2·ε` (radians), with `ε` standard normal,
/// at `(r sin t, r cos t)`.
///
/// Returns `X` `(2, classes · points_per_class)`, columns are samples, and
/// the labels (arm numbers).
///
/// # Panics
/// If `points_per_class < 2` or `classes == 0`.
pub fn spiral(points_per_class: usize, classes: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    assert!(
        points_per_class >= 2 && classes > 0,
        "net::spiral: needs at least 2 points per class and 1 class, got {points_per_class} and {classes}"
    );
    let n = points_per_class * classes;
    // Box–Muller: two uniforms in (0, 1] give one standard normal.
    let u1: Array1<f64> = random(n, seed);
    let u2: Array1<f64> = random(n, seed + 1);
    let mut x = Array2::zeros((2, n));
    let mut labels = Vec::with_capacity(n);
    for c in 0..classes {
        for i in 0..points_per_class {
            let k = c * points_per_class + i;
            let (a, b) = (1.0 - (u1[k] + 1.0) / 2.0, (u2[k] + 1.0) / 2.0);
            let normal = (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos();
            let r = i as f64 / (points_per_class - 1) as f64;
            let t = 4.0 * c as f64 + 4.0 * r + 0.2 * normal;
            x[[0, k]] = r * t.sin();
            x[[1, k]] = r * t.cos();
            labels.push(c);
        }
    }
    (x, labels)
}
// ANCHOR_END: spiral

/// The book's spiral run, start to end.
#[derive(Debug, Clone)]
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

// Shown in "A network that learns", section "Training".
// ANCHOR: spiral_run
/// Generates the spiral ([`SPIRAL_SIZES`], [`SPIRAL_SEEDS`]) and trains a
/// fresh network on it with [`SPIRAL_TRAINING`].
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer_check::check_layer;
    use crate::testing::assert_shape_panic;
    use approx::{abs_diff_eq, assert_abs_diff_eq};
    use ndarray::{arr0, array, ArrayD, Axis, Ix1, Ix2};

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
    fn the_whole_network_passes_the_layer_check() {
        let (net, x, labels) = small();
        let reg = 0.1;
        let unpack = |v: &[ArrayD<f64>]| Network {
            w1: v[0].clone().into_dimensionality::<Ix2>().unwrap(),
            b1: v[1].clone().into_dimensionality::<Ix1>().unwrap(),
            w2: v[2].clone().into_dimensionality::<Ix2>().unwrap(),
            b2: v[3].clone().into_dimensionality::<Ix1>().unwrap(),
        };
        let r = check_layer(
            "two-layer net",
            &[
                ("w1", net.w1.into_dyn()),
                ("b1", net.b1.into_dyn()),
                ("w2", net.w2.into_dyn()),
                ("b2", net.b2.into_dyn()),
            ],
            |v| arr0(unpack(v).loss(&x, &labels, reg).0).into_dyn(),
            |v, dl| {
                let g = unpack(v).loss(&x, &labels, reg).1;
                let s = dl[[]];
                vec![
                    (g.dw1 * s).into_dyn(),
                    (g.db1 * s).into_dyn(),
                    (g.dw2 * s).into_dyn(),
                    (g.db2 * s).into_dyn(),
                ]
            },
        );
        assert_eq!(r.jacobians_compared, 4);
        assert!(r.gradients.iter().all(|(_, g)| g.skipped_kinks == 0));
    }

    #[test]
    fn the_trainer_takes_the_same_step_as_the_layers() {
        let (net, x, labels) = small();
        let (loss, g) = net.loss(&x, &labels, 0.1);
        let mut by_layers = net.clone();
        by_layers.update(&g, 0.5);
        let mut fast = net.clone();
        let mut trainer = Trainer::new(&net, x.ncols());
        let fast_loss = trainer.step(&mut fast, &x, &labels, 0.5, 0.1);
        assert_abs_diff_eq!(loss, fast_loss, epsilon = 1e-12);
        let t = trainer.gradients();
        assert_abs_diff_eq!(t.dw1, g.dw1, epsilon = 1e-12);
        assert_abs_diff_eq!(t.db1, g.db1, epsilon = 1e-12);
        assert_abs_diff_eq!(t.dw2, g.dw2, epsilon = 1e-12);
        assert_abs_diff_eq!(t.db2, g.db2, epsilon = 1e-12);
        assert_abs_diff_eq!(fast.w1, by_layers.w1, epsilon = 1e-12);
        assert_abs_diff_eq!(fast.b2, by_layers.b2, epsilon = 1e-12);
        // A second step reuses the buffers and still agrees.
        let (loss2, _) = by_layers.loss(&x, &labels, 0.1);
        assert_abs_diff_eq!(
            trainer.step(&mut fast, &x, &labels, 0.5, 0.1),
            loss2,
            epsilon = 1e-12
        );
    }

    #[test]
    fn the_build_needs_avx512f_or_both_avx2_and_fma() {
        use Build::*;
        for (avx512f, avx2, fma, build) in [
            (false, false, false, Portable),
            (false, true, false, Portable),
            (false, false, true, Portable),
            (false, true, true, Avx2),
            (true, false, false, Avx512),
            (true, true, true, Avx512),
        ] {
            assert_eq!(
                Build::for_features(avx512f, avx2, fma),
                build,
                "{avx512f} {avx2} {fma}"
            );
        }
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            Build::detect(),
            Build::for_features(
                std::arch::is_x86_feature_detected!("avx512f"),
                std::arch::is_x86_feature_detected!("avx2"),
                std::arch::is_x86_feature_detected!("fma"),
            )
        );
    }

    #[test]
    fn the_portable_build_gives_the_same_numbers_to_the_last_bit() {
        // step() picks the AVX2 build where the CPU has it. Both builds do
        // the same operations in the same order, with mul_add rounding once
        // in each, so they must agree exactly, not just closely.
        let (x, labels) = spiral(30, 3, 11);
        let mut net = Network::new(2, 9, 3, 12);
        net.w1 *= 80.0;
        net.w2 *= 80.0;
        let xs = x.as_standard_layout().into_owned();
        let xs = xs.as_slice().unwrap();
        let (mut ta, mut tb) = (Trainer::new(&net, 90), Trainer::new(&net, 90));
        let la = ta.accumulate(&net, xs, &labels, 90);
        let lb = tb.accumulate_portable(&net, xs, &labels, 90);
        assert_eq!(la.to_bits(), lb.to_bits());
        assert_eq!(ta.grads, tb.grads);
    }

    #[test]
    fn the_fused_passes_give_the_layer_loops_numbers_to_the_last_bit() {
        // 301 samples: blocks of 128, 128 and 45, the last with whole
        // strips of 16 and a tail of 13, so every path of the fused loops
        // runs. Some hidden units are off for some samples (ReLU kinks).
        let (x, labels) = spiral(100, 3, 21);
        let x = ndarray::concatenate![Axis(1), x, x.slice(ndarray::s![.., ..1])];
        let labels = [&labels[..], &labels[..1]].concat();
        let mut net = Network::new(2, 11, 3, 22);
        net.w1 *= 80.0;
        net.w2 *= 80.0;
        net.b1 = random(11, 23);
        let xs = x.as_standard_layout().into_owned();
        let xs = xs.as_slice().unwrap();
        let run = |loops| {
            let mut t = Trainer::new(&net, 301);
            let loss = t.accumulate_with(&net, xs, &labels, 301, loops);
            (loss.to_bits(), t.grads)
        };
        let reference = run(Loops::Layers);
        assert!(reference.1.dw1.iter().all(|v| v.is_finite()));
        assert_eq!(run(Loops::Fused), reference);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA.
            let mut t = Trainer::new(&net, 301);
            let loss = unsafe { t.accumulate_avx2(&net, xs, &labels, 301) };
            assert_eq!((loss.to_bits(), t.grads), reference);
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            let mut t = Trainer::new(&net, 301);
            let loss = unsafe { t.accumulate_avx512(&net, xs, &labels, 301) };
            assert_eq!((loss.to_bits(), t.grads), reference);
        }
    }

    #[test]
    fn the_three_class_softmax_loop_gives_the_general_loops_numbers() {
        // Large scores, exact ties (the skipped exp(0) must not depend on
        // which of two maxima is taken) and an infinite score.
        let m = 40;
        let mut s: Vec<f64> = random::<_, Ix1>(3 * m, 31)
            .iter()
            .map(|v| v * 30.0)
            .collect();
        s[m + 1] = s[1];
        s[5] = s[m + 5];
        s[2 * m + 5] = s[5];
        s[7] = 1e3;
        s[2 * m + 9] = f64::INFINITY;
        let labels: Vec<usize> = (0..m).map(|i| (i * 7) % 3).collect();
        let (mut a, mut b) = (vec![0.0; 3 * m], vec![0.0; 3 * m]);
        let la = kernels::softmax_rows::<3>(&s, &labels, 90, &mut a);
        let lb = kernels::softmax_any(&s, &labels, 90, &mut b);
        assert_eq!(la.to_bits(), lb.to_bits());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
        assert!(a[..9].iter().all(|v| v.is_finite()) && a[9].is_nan());
        // The infinite score makes both losses NaN, which says nothing
        // about the loss sums: without it, they are finite and still agree.
        s[2 * m + 9] = 0.0;
        let la = kernels::softmax_rows::<3>(&s, &labels, 90, &mut a);
        let lb = kernels::softmax_any(&s, &labels, 90, &mut b);
        assert!(la.is_finite() && la > 0.0, "{la}");
        assert_eq!(la.to_bits(), lb.to_bits());
        assert_eq!(bits(&a), bits(&b));
    }

    #[test]
    fn blocks_add_up_to_the_whole_batch() {
        // 75 samples: two full blocks of 32 and one of 11.
        let (x, labels) = spiral(25, 3, 9);
        let mut net = Network::new(2, 7, 3, 10);
        net.w1 *= 50.0;
        net.w2 *= 50.0;
        let (loss, g) = net.loss(&x, &labels, 0.01);
        let mut trainer = Trainer::new(&net, 75);
        let fast = trainer.step(&mut net.clone(), &x, &labels, 0.1, 0.01);
        assert_abs_diff_eq!(fast, loss, epsilon = 1e-12);
        assert_abs_diff_eq!(trainer.gradients().dw1, g.dw1, epsilon = 1e-12);
        assert_abs_diff_eq!(trainer.gradients().db1, g.db1, epsilon = 1e-12);
        assert_abs_diff_eq!(trainer.gradients().dw2, g.dw2, epsilon = 1e-12);
        assert_abs_diff_eq!(trainer.gradients().db2, g.db2, epsilon = 1e-12);
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
    fn step_rejects_a_batch_of_another_size() {
        let (net, x, labels) = small();
        let mut trainer = Trainer::new(&net, 4);
        assert_shape_panic(
            "net::Trainer::step: ",
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
    fn step_rejects_a_label_out_of_range_and_an_empty_batch() {
        let (mut net, x, mut labels) = small();
        labels[4] = 3;
        let mut trainer = Trainer::new(&net, 6);
        let msg = crate::testing::panic_message(|| {
            trainer.step(&mut net, &x, &labels, 1.0, 0.0);
        });
        assert!(
            msg.starts_with(
                "net::Trainer::step: label 3 of sample 4 is out of range: W2 has shape [3, 5]"
            ),
            "{msg}"
        );
        assert!(msg.ends_with(&format!("({CONVENTION})")), "{msg}");
        let mut empty = Trainer::new(&net, 0);
        assert_shape_panic(
            "net::Trainer::step: ",
            &["X has shape [2, 0]", "n must be at least 1"],
            || {
                empty.step(&mut net, &Array2::zeros((2, 0)), &[], 1.0, 0.0);
            },
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
        let msg = crate::testing::panic_message(|| {
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
        // One input, one hidden unit H = max(0, x), scores (H, 0.5 − H):
        // class 1 wins while x ≤ 0.5 (x = −2 is clipped to H = 0), class 0
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
        // point i of arm c at radius r = i / (points − 1) and angle
        // t = 4c + 4r + 0.2ε, at (r sin t, r cos t). ε is Box–Muller's
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
            let eps = (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos();
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
            let normal = (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos();
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

    #[test]
    fn step_rejects_a_network_of_other_sizes() {
        let (net, x, labels) = small();
        let mut trainer = Trainer::new(&net, 6);
        // One class more: W1 still fits the trainer, W2 does not.
        let mut more_classes = Network::new(2, 5, 4, 1);
        assert_shape_panic(
            "net::Trainer::step: ",
            &[
                "W2 has shape [4, 5]",
                "the trainer's W2 has shape [3, 5]",
                "made for this network's sizes",
                CONVENTION,
            ],
            || {
                trainer.step(&mut more_classes, &x, &labels, 1.0, 0.0);
            },
        );
        // One hidden unit more: neither fits.
        let mut more_units = Network::new(2, 6, 3, 1);
        assert_shape_panic(
            "net::Trainer::step: ",
            &["W2 has shape [3, 6]", "the trainer's W2 has shape [3, 5]"],
            || {
                trainer.step(&mut more_units, &x, &labels, 1.0, 0.0);
            },
        );
    }

    #[test]
    fn the_softmax_of_a_block_with_no_samples_is_zero() {
        // Nothing to write and nothing to add up; the three-class loop,
        // which needs at least one sample, must not be picked.
        assert_eq!(kernels::softmax_cross_entropy(&[], &[], 1, &mut []), 0.0);
    }

    /// A network of sizes `(d, h, k)` with random biases and weights large
    /// enough that the ReLU is on for some entries of the hidden layer and
    /// off for others, and `n` random samples whose labels go through
    /// every class.
    fn sized(
        d: usize,
        h: usize,
        k: usize,
        n: usize,
        seed: u64,
    ) -> (Network, Array2<f64>, Vec<usize>) {
        let mut net = Network::new(d, h, k, seed);
        net.w1 *= 80.0;
        net.w2 *= 80.0;
        net.b1 = random(h, seed + 2);
        net.b2 = random(k, seed + 3);
        let x = random((d, n), seed + 4);
        let labels = (0..n).map(|i| (3 * i + 1) % k).collect();
        (net, x, labels)
    }

    #[test]
    fn every_build_of_the_step_matches_the_layers_for_many_sizes() {
        // (d, h, k): the spiral's d = 2 and k = 3, where the fused passes
        // run, with hidden sizes below, at, between and at two multiples of
        // 8 (the units of one AVX-512 register in the backward pass's
        // tails); then shapes that must take the layer loops and the
        // softmax for any k, including d = 2 with k = 2 and k = 3 with
        // d = 3. With 3 samples, (2, 6, 2) has k·n = 3 + n, and with 1,
        // (3, 4, 4) too.
        let shapes = [
            (2, 11, 3),
            (2, 1, 3),
            (2, 8, 3),
            (2, 16, 3),
            (3, 4, 4),
            (2, 6, 2),
            (1, 9, 5),
            (3, 5, 3),
        ];
        // Samples: one; a strip's tail only; a strip of 16 and a tail; a
        // block of 128 and a tail; blocks of 128, 128 and 45 (two strips
        // and a tail of 13).
        for (d, h, k) in shapes {
            for n in [1, 3, 17, 130, 301] {
                let case = format!("(d, h, k) = ({d}, {h}, {k}), n = {n}");
                let (net, x, labels) = sized(d, h, k, n, (100 * d + 10 * h + k + n) as u64);
                // The independent reference: the layers' own functions.
                let (loss, g) = net.loss(&x, &labels, 0.0);
                let near = |(bits, t): &(u64, Gradients)| {
                    abs_diff_eq!(f64::from_bits(*bits), loss, epsilon = 1e-12)
                        && abs_diff_eq!(t.dw1, g.dw1, epsilon = 1e-12)
                        && abs_diff_eq!(t.db1, g.db1, epsilon = 1e-12)
                        && abs_diff_eq!(t.dw2, g.dw2, epsilon = 1e-12)
                        && abs_diff_eq!(t.db2, g.db2, epsilon = 1e-12)
                };
                let xs = slice(&x);
                let run = |loops| {
                    let mut t = Trainer::new(&net, n);
                    let l = t.accumulate_with(&net, xs, &labels, n, loops);
                    (l.to_bits(), t.grads)
                };
                let reference = run(Loops::Layers);
                assert!(near(&reference), "{case}: {reference:?}");
                // Every other way to the same numbers, to the last bit.
                assert_eq!(run(Loops::Fused), reference, "{case}");
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx512f") {
                    assert_eq!(run(Loops::Avx512), reference, "{case}");
                    let mut t = Trainer::new(&net, n);
                    // SAFETY: the CPU has AVX-512F.
                    let l = unsafe { t.accumulate_avx512(&net, xs, &labels, n) };
                    assert_eq!((l.to_bits(), t.grads), reference, "{case}");
                }
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    let mut t = Trainer::new(&net, n);
                    // SAFETY: the CPU has AVX2 and FMA.
                    let l = unsafe { t.accumulate_avx2(&net, xs, &labels, n) };
                    assert_eq!((l.to_bits(), t.grads), reference, "{case}");
                }
                // And the public step, which picks the build itself.
                let mut trainer = Trainer::new(&net, n);
                let l = trainer.step(&mut net.clone(), &x, &labels, 0.5, 0.0);
                assert_eq!(
                    (l.to_bits(), trainer.gradients().clone()),
                    reference,
                    "{case}"
                );
            }
        }
    }

    /// A copy of an array placed at the very end of readable memory: the
    /// page after it is mapped with no access, so reading or writing even
    /// one entry past its end stops the test process (SIGSEGV).
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    struct Fenced {
        map: *mut libc::c_void,
        map_len: usize,
        data: *mut f64,
        len: usize,
    }

    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    impl Fenced {
        fn new(values: &[f64]) -> Self {
            let len = values.len();
            // SAFETY: a fresh private mapping, checked; its last page made
            // inaccessible; the copy goes into the accessible pages, whose
            // end is aligned for f64.
            unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
                let open = (8 * len).div_ceil(page).max(1) * page;
                let map_len = open + page;
                let map = libc::mmap(
                    std::ptr::null_mut(),
                    map_len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                assert_ne!(map, libc::MAP_FAILED);
                let fence = map.cast::<u8>().add(open);
                assert_eq!(libc::mprotect(fence.cast(), page, libc::PROT_NONE), 0);
                let data = fence.cast::<f64>().sub(len);
                std::ptr::copy_nonoverlapping(values.as_ptr(), data, len);
                Fenced {
                    map,
                    map_len,
                    data,
                    len,
                }
            }
        }

        fn get(&self) -> &[f64] {
            // SAFETY: `len` initialised f64 at `data`, owned by `self`.
            unsafe { std::slice::from_raw_parts(self.data, self.len) }
        }

        fn get_mut(&mut self) -> &mut [f64] {
            // SAFETY: as in `get`, borrowed mutably through `self`.
            unsafe { std::slice::from_raw_parts_mut(self.data, self.len) }
        }
    }

    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    impl Drop for Fenced {
        fn drop(&mut self) {
            // SAFETY: the mapping made in `new`, no longer borrowed.
            unsafe { libc::munmap(self.map, self.map_len) };
        }
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    fn the_avx512_passes_touch_nothing_past_their_arrays() {
        // Their unsafe loads, gathers and stores, on arrays that each end
        // where readable memory ends, for hidden sizes that fill the
        // backward pass's groups of 8 units or leave a group part-empty
        // (whose spare lanes must still gather inside `hid`), and for
        // blocks with and without a tail of samples short of a strip.
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for h in [1, 3, 8, 11] {
            for m in [1, 13, 16, 45, 128] {
                let case = format!("h = {h}, m = {m}");
                let (net, x, labels) = sized(2, h, 3, m, (10 * h + m) as u64);
                let (w1, w2, xs) = (slice(&net.w1), slice(&net.w2), slice(&x));
                let (b1, b2) = (net.b1.as_slice().unwrap(), net.b2.as_slice().unwrap());
                // The generic passes on ordinary arrays.
                let (mut hid, mut s, mut ds) =
                    (vec![0.0; h * m], vec![0.0; 3 * m], vec![0.0; 3 * m]);
                fused::forward::<2, 3>(w1, b1, w2, b2, xs, m, &mut hid, &mut s);
                kernels::softmax_cross_entropy(&s, &labels, m, &mut ds);
                let (mut dw1, mut db1, mut dw2) =
                    (vec![0.0; 2 * h], vec![0.0; h], vec![0.0; 3 * h]);
                fused::backward::<2, 3>(w2, xs, &hid, &ds, m, &mut dw1, &mut db1, &mut dw2);
                // The AVX-512 passes on fenced copies.
                let [fw1, fb1, fw2, fb2, fx] = [w1, b1, w2, b2, xs].map(Fenced::new);
                let (mut fhid, mut fs) = (
                    Fenced::new(&vec![0.0; h * m]),
                    Fenced::new(&vec![0.0; 3 * m]),
                );
                // SAFETY: the CPU has AVX-512F.
                unsafe {
                    fused_avx512::forward(
                        fw1.get(),
                        fb1.get(),
                        fw2.get(),
                        fb2.get(),
                        fx.get(),
                        m,
                        fhid.get_mut(),
                        fs.get_mut(),
                    )
                };
                assert_eq!(bits(fhid.get()), bits(&hid), "{case}");
                assert_eq!(bits(fs.get()), bits(&s), "{case}");
                let fds = Fenced::new(&ds);
                let [mut fdw1, mut fdb1, mut fdw2] =
                    [2 * h, h, 3 * h].map(|len| Fenced::new(&vec![0.0; len]));
                // SAFETY: as above.
                unsafe {
                    fused_avx512::backward(
                        fw2.get(),
                        fx.get(),
                        fhid.get(),
                        fds.get(),
                        m,
                        fdw1.get_mut(),
                        fdb1.get_mut(),
                        fdw2.get_mut(),
                    )
                };
                assert_eq!(bits(fdw1.get()), bits(&dw1), "{case}");
                assert_eq!(bits(fdb1.get()), bits(&db1), "{case}");
                assert_eq!(bits(fdw2.get()), bits(&dw2), "{case}");
            }
        }
    }
}
