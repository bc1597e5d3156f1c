//! How long the spiral network takes to train, and where the time goes.
//!
//! Run with `cargo bench -p backprop --bench network`. Nothing here is
//! asserted in `cargo test`: speed depends on the machine.
//!
//! - `train 10,000 steps`: the whole run of `cargo run --release --example
//!   spiral` (300 points, 100 hidden units), the number the chapter quotes;
//! - `one step`: the allocation-free, vectorised [`Trainer::step`] against
//!   the same step assembled from the layers' own functions
//!   ([`Network::loss`] then [`Network::update`]), which allocates every
//!   intermediate array;
//! - `parts of a step`: the trainer's loops on their own, on the whole
//!   batch, built for AVX2 and FMA as the trainer runs them (where the
//!   processor has them), and ndarray's general product for comparison.

use backprop::gradcheck::random;
use backprop::loss;
use backprop::net::{
    kernels, spiral, train, Network, Trainer, SPIRAL_SEEDS, SPIRAL_SIZES, SPIRAL_TRAINING,
};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array1, Array2};
use std::hint::black_box;
use std::time::Duration;

fn data() -> (Array2<f64>, Vec<usize>, Network) {
    let (per_class, classes, hidden) = SPIRAL_SIZES;
    let (x, labels) = spiral(per_class, classes, SPIRAL_SEEDS.0);
    let net = Network::new(2, hidden, classes, SPIRAL_SEEDS.1);
    (x, labels, net)
}

fn whole_run(c: &mut Criterion) {
    let (x, labels, net) = data();
    let mut group = c.benchmark_group("spiral");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("train 10,000 steps", |b| {
        b.iter(|| {
            let mut net = net.clone();
            train(&mut net, black_box(&x), &labels, SPIRAL_TRAINING)
        })
    });
    group.finish();
}

fn one_step(c: &mut Criterion) {
    let (x, labels, net) = data();
    let (step, reg) = (SPIRAL_TRAINING.step_size, SPIRAL_TRAINING.reg);
    let mut group = c.benchmark_group("one step");
    let mut fast = net.clone();
    let mut trainer = Trainer::new(&fast, x.ncols());
    group.bench_function("Trainer::step (buffers, vectorised loops)", |b| {
        b.iter(|| trainer.step(&mut fast, black_box(&x), &labels, step, reg))
    });
    let mut slow = net.clone();
    group.bench_function("layers: Network::loss + update (allocating)", |b| {
        b.iter(|| {
            let (l, g) = slow.loss(black_box(&x), &labels, reg);
            slow.update(&g, step);
            l
        })
    });
    group.finish();
}

fn parts(c: &mut Criterion) {
    // The shapes of the spiral run: d = 2, h = 100, k = 3, n = 300.
    let (d, h, k, n) = (2, 100, 3, 300);
    let w1: Array2<f64> = random((h, d), 1);
    let x: Array2<f64> = random((d, n), 2);
    let w2: Array2<f64> = random((k, h), 3);
    let b1: Array1<f64> = random(h, 4);
    let b2: Array1<f64> = random(k, 5);
    let hid: Array2<f64> = random((h, n), 6).mapv(|v: f64| v.max(0.0));
    let ds: Array2<f64> = random((k, n), 7);
    let scores: Array2<f64> = random((k, n), 8) * 5.0;
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let s = |a: &Array2<f64>| a.as_slice().unwrap().to_vec();
    let (w1s, xs, w2s, hs, dss) = (s(&w1), s(&x), s(&w2), s(&hid), s(&ds));
    let (mut out_h, mut out_s) = (vec![0.0; h * n], vec![0.0; k * n]);
    let (mut dw1, mut dw2) = (vec![0.0; h * d], vec![0.0; k * h]);
    let mut group = c.benchmark_group("parts of a step");
    group.bench_function("H = relu(W1 X + b1)   (100x2 by 2x300)", |b| {
        b.iter(|| {
            fast(|| {
                kernels::affine_relu(&w1s, black_box(&xs), b1.as_slice().unwrap(), n, &mut out_h)
            })
        })
    });
    group.bench_function("S = W2 H + b2         (3x100 by 100x300)", |b| {
        b.iter(|| {
            fast(|| kernels::affine(&w2s, black_box(&hs), b2.as_slice().unwrap(), n, &mut out_s))
        })
    });
    group.bench_function("dW2 = dS H^T          (3x300 by 300x100)", |b| {
        b.iter(|| fast(|| kernels::add_outer_products(black_box(&dss), &hs, n, &mut dw2)))
    });
    group.bench_function("dZ = 1{H>0} W2^T dS   (100x3 by 3x300)", |b| {
        b.iter(|| fast(|| kernels::back_relu(&w2s, black_box(&dss), &hs, n, &mut out_h)))
    });
    group.bench_function("dW1 = dZ X^T          (100x300 by 300x2)", |b| {
        b.iter(|| fast(|| kernels::add_outer_products(black_box(&hs), &xs, n, &mut dw1)))
    });
    let mut dscores = Array2::zeros((k, n));
    group.bench_function("softmax cross-entropy (3x300)", |b| {
        b.iter(|| loss::softmax_cross_entropy_into(black_box(&scores), &labels, &mut dscores))
    });
    let ss = s(&scores);
    let mut ds = vec![0.0; k * n];
    group.bench_function("softmax cross-entropy, trainer's loop (3x300)", |b| {
        b.iter(|| fast(|| kernels::softmax_cross_entropy(black_box(&ss), &labels, n, &mut ds)))
    });
    group.bench_function("ndarray dot: W2 H     (3x100 by 100x300)", |b| {
        b.iter(|| w2.dot(black_box(&hid)))
    });
    group.finish();
}

/// Runs `f` compiled for AVX2 and FMA where the processor has them, as
/// `Trainer::step` does, and as it is otherwise.
fn fast<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU has AVX2 and FMA, checked on the line above.
        return unsafe { with_avx2(f) };
    }
    f()
}

criterion_group!(benches, whole_run, one_step, parts);
criterion_main!(benches);
