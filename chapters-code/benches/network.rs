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
//! - `softmax cross-entropy`: the loss module's function and the
//!   trainer's loop on the spiral's 3 × 300 scores.
//!
//! Where the rest of a step goes is best seen with a profiler (`perf
//! record` on `target/release/examples/spiral`): the trainer's loops are
//! inlined into one function, built for AVX2 and FMA at run time, which a
//! benchmark of each loop alone would not reproduce.

use backprop::gradcheck::random;
use backprop::loss;
use backprop::net::{
    kernels, spiral, train, Network, Trainer, SPIRAL_SEEDS, SPIRAL_SIZES, SPIRAL_TRAINING,
};
use criterion::{criterion_group, criterion_main, Criterion};
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

fn softmax(c: &mut Criterion) {
    // The spiral's scores: k = 3 classes, n = 300 samples.
    let (k, n) = (3, 300);
    let scores: Array2<f64> = random((k, n), 8) * 5.0;
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let mut group = c.benchmark_group("softmax cross-entropy, 3 x 300");
    let mut dscores = Array2::zeros((k, n));
    group.bench_function("loss::softmax_cross_entropy_into", |b| {
        b.iter(|| loss::softmax_cross_entropy_into(black_box(&scores), &labels, &mut dscores))
    });
    let s = scores.as_slice().unwrap().to_vec();
    let mut ds = vec![0.0; k * n];
    group.bench_function("the trainer's loop, kernels::softmax_cross_entropy", |b| {
        b.iter(|| kernels::softmax_cross_entropy(black_box(&s), &labels, n, &mut ds))
    });
    group.finish();
}

criterion_group!(benches, whole_run, one_step, softmax);
criterion_main!(benches);
