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
//! **Training.** [`Trainer`] computes the same numbers without allocating:
//! it keeps one buffer for every intermediate array and writes matrix
//! products into them with `general_mat_mul`. [`train`] runs plain
//! full-batch gradient descent with it.

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
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA, checked on the line above.
            return unsafe { self.accumulate_avx2(net, x, labels, total) };
        }
        self.accumulate_portable(net, x, labels, total)
    }

    /// [`Trainer::accumulate`] compiled for AVX2 and FMA: the same code,
    /// which the compiler vectorises four `f64` at a time instead of two.
    /// Every operation and its order are the same, and `mul_add` rounds
    /// once in both builds, so the numbers are the same too.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn accumulate_avx2(
        &mut self,
        net: &Network,
        x: &[f64],
        labels: &[usize],
        total: usize,
    ) -> f64 {
        self.accumulate_portable(net, x, labels, total)
    }

    /// The body of [`Trainer::accumulate`]: each layer's forward and
    /// backward written as loops over contiguous rows (see [`kernels`]),
    /// one block of samples at a time, with `x` `(d, n)` as a row-major
    /// slice.
    #[inline(always)]
    fn accumulate_portable(
        &mut self,
        net: &Network,
        x: &[f64],
        labels: &[usize],
        total: usize,
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
    let penalty = 0.5 * reg * (kernels::dot(w1, w1) + kernels::dot(w2, w2));
    net.update(grads, step_size);
    data_loss + penalty
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
    use approx::assert_abs_diff_eq;
    use ndarray::{arr0, ArrayD, Axis, Ix1, Ix2};

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
}
