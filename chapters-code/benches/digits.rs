//! How long one epoch of the digits network takes, and where a minibatch's
//! time goes.
//!
//! Run with `cargo bench -p backprop-benches --bench digits`. Nothing here
//! is asserted in `cargo test`: speed depends on the machine. The
//! side-by-side run against the same network in numpy is
//! `python3 chapters-code/benches/digits-vs-numpy.py`.
//!
//! - `digits/one epoch`: [`Trainer::epoch`] on the 1,437 training images,
//!   minibatches of [`TRAINING`]'s size, from the same trainer each time;
//! - `one minibatch`: [`Net::loss`] on one minibatch, then each layer's
//!   forward and backward call alone, on the arrays that `Net::loss`
//!   passes it.

use backprop::digits::{
    self, flatten, unflatten, Net, Trainer, CONV, POOL, SPLIT_SEED, TEST_IMAGES, TRAINING,
};
use backprop::{affine, conv, loss, pool, relu};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn one_epoch(c: &mut Criterion) {
    let (train, _) = digits::committed().split(TEST_IMAGES, SPLIT_SEED);
    let trainer = Trainer::new(&TRAINING);
    let mut group = c.benchmark_group("digits");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("one epoch", |b| {
        b.iter_batched(
            || trainer.clone(),
            |mut t| t.epoch(black_box(&train)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn one_minibatch(c: &mut Criterion) {
    let (train, _) = digits::committed().split(TEST_IMAGES, SPLIT_SEED);
    let batch = train.select(&(0..TRAINING.batch).collect::<Vec<_>>());
    let (x, labels) = (&batch.images, &batch.labels[..]);
    let net = Net::new(TRAINING.filters, TRAINING.init_seed);
    // The arrays of one pass, as Net::loss computes them.
    let (z, cache) = conv::forward(&net.w1, x, &net.b1, CONV);
    let a = relu::forward(&z);
    let p = pool::forward(&a, POOL);
    let h = flatten(&p);
    let y = affine::forward(&net.w2, &h, &net.b2);
    let (_, dy) = loss::softmax_cross_entropy(&y, labels);
    let dh = affine::backward(&net.w2, &h, &dy).dx;
    let dp = unflatten(&dh, p.dim());
    let da = pool::backward(&a, &dp, POOL);
    let dz = relu::backward(&z, &da);

    let mut group = c.benchmark_group(format!("one minibatch of {}", TRAINING.batch));
    group.bench_function("Net::loss (forward and backward)", |b| {
        b.iter(|| net.loss(black_box(x), labels))
    });
    group.bench_function("conv::forward", |b| {
        b.iter(|| conv::forward(&net.w1, black_box(x), &net.b1, CONV))
    });
    group.bench_function("relu::forward", |b| b.iter(|| relu::forward(black_box(&z))));
    group.bench_function("pool::forward", |b| {
        b.iter(|| pool::forward(black_box(&a), POOL))
    });
    group.bench_function("flatten", |b| b.iter(|| flatten(black_box(&p))));
    group.bench_function("affine::forward", |b| {
        b.iter(|| affine::forward(&net.w2, black_box(&h), &net.b2))
    });
    group.bench_function("loss::softmax_cross_entropy", |b| {
        b.iter(|| loss::softmax_cross_entropy(black_box(&y), labels))
    });
    group.bench_function("affine::backward", |b| {
        b.iter(|| affine::backward(&net.w2, &h, black_box(&dy)))
    });
    group.bench_function("unflatten", |b| {
        b.iter(|| unflatten(black_box(&dh), p.dim()))
    });
    group.bench_function("pool::backward", |b| {
        b.iter(|| pool::backward(&a, black_box(&dp), POOL))
    });
    group.bench_function("relu::backward", |b| {
        b.iter(|| relu::backward(&z, black_box(&da)))
    });
    group.bench_function("conv::backward", |b| {
        b.iter(|| conv::backward(&net.w1, &cache, black_box(&dz), CONV))
    });
    group.finish();
}

criterion_group!(benches, one_epoch, one_minibatch);
criterion_main!(benches);
