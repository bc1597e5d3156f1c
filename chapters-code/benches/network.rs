//! How long the spiral network takes to train, and where a step's time
//! goes.
//!
//! Run with `cargo bench -p backprop-benches --bench network`. Nothing
//! here is asserted in `cargo test`: speed depends on the machine. The
//! side-by-side run against the numpy case study is
//! `python3 chapters-code/benches/spiral-vs-numpy.py`.
//!
//! - `spiral/train 10,000 steps`: the whole run of the `spiral` example;
//! - `one step`: [`Trainer::step`], the layers' allocation-free forms,
//!   against the same step from [`Network::loss`] and [`Network::update`],
//!   which allocate every intermediate array;
//! - `products`: each of a step's six matrix products alone, through
//!   ndarray's `general_mat_mul`, in the trainer's layouts;
//! - `softmax cross-entropy`: the loss layer's `_into` form on the
//!   spiral's 3 × 300 scores.

use backprop::gradcheck::random;
use backprop::loss;
use backprop::net::{
    spiral, train, Network, Trainer, SPIRAL_SEEDS, SPIRAL_SIZES,
    SPIRAL_TRAINING,
};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::linalg::general_mat_mul;
use ndarray::Array2;
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
    group.measurement_time(Duration::from_secs(20));
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
    group.bench_function("Trainer::step (buffers made once)", |b| {
        b.iter(|| trainer.step(&mut fast, black_box(&x), &labels, step, reg))
    });
    let mut slow = net.clone();
    group.bench_function("Network::loss + update (allocating)", |b| {
        b.iter(|| {
            let (l, g) = slow.loss(black_box(&x), &labels, reg);
            slow.update(&g, step);
            l
        })
    });
    group.finish();
}

fn products(c: &mut Criterion) {
    // The trainer's arrays, all row-major like its buffers: X (2, 300),
    // Z, V, dV and dZ (100, 300), the scores Y and dY (3, 300), for d = 2
    // inputs, u = 100 hidden units, m = 3 classes and n = 300 samples. One
    // random (u, n) array stands in for V and for dZ.
    let (d, u, m, n) = (2, 100, 3, 300);
    let (w1, w2): (Array2<f64>, Array2<f64>) =
        (random((u, d), 1), random((m, u), 2));
    let x: Array2<f64> = random((d, n), 3);
    let v: Array2<f64> = random((u, n), 4);
    let dy: Array2<f64> = random((m, n), 5);
    let (mut z, mut dv) = (Array2::zeros((u, n)), Array2::zeros((u, n)));
    let mut y = Array2::zeros((m, n));
    let (mut dw1, mut dw2, mut dx) = (
        Array2::zeros((u, d)),
        Array2::zeros((m, u)),
        Array2::zeros((d, n)),
    );
    let mut group = c.benchmark_group("products");
    group.bench_function("W1 X (100x2 by 2x300)", |b| {
        b.iter(|| general_mat_mul(1.0, &w1, black_box(&x), 0.0, &mut z))
    });
    group.bench_function("W2 V (3x100 by 100x300)", |b| {
        b.iter(|| general_mat_mul(1.0, &w2, black_box(&v), 0.0, &mut y))
    });
    group.bench_function("dY Vt (3x300 by 300x100)", |b| {
        b.iter(|| general_mat_mul(1.0, black_box(&dy), &v.t(), 0.0, &mut dw2))
    });
    group.bench_function("W2t dY (100x3 by 3x300)", |b| {
        b.iter(|| general_mat_mul(1.0, &w2.t(), black_box(&dy), 0.0, &mut dv))
    });
    group.bench_function("dZ Xt (100x300 by 300x2)", |b| {
        b.iter(|| general_mat_mul(1.0, black_box(&v), &x.t(), 0.0, &mut dw1))
    });
    group.bench_function("W1t dZ (2x100 by 100x300)", |b| {
        b.iter(|| general_mat_mul(1.0, &w1.t(), black_box(&v), 0.0, &mut dx))
    });
    group.finish();
}

fn softmax(c: &mut Criterion) {
    // The scores Y (m, n) for m = 3 classes and n = 300 samples, row-major
    // like the trainer's.
    let (m, n) = (3, 300);
    let scores: Array2<f64> = random::<_, ndarray::Ix2>((m, n), 8) * 5.0;
    let labels: Vec<usize> = (0..n).map(|k| k % m).collect();
    let mut dscores = Array2::zeros((m, n));
    let mut group = c.benchmark_group("softmax cross-entropy, 3 x 300");
    group.bench_function("loss::softmax_cross_entropy_into", |b| {
        b.iter(|| {
            loss::softmax_cross_entropy_into(
                black_box(&scores),
                &labels,
                &mut dscores,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, whole_run, one_step, products, softmax);
criterion_main!(benches);
