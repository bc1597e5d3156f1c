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
//! - `one minibatch`: [`Trainer::step`] on one minibatch (recorded on a
//!   tape: forward, backward and the optimiser's step), then each layer's
//!   forward and backward call alone, on the arrays that the tape passes
//!   it.

use backprop::digits::{
    self, Net, Trainer, CONV, POOL, SPLIT_SEED, TEST_IMAGES, TRAINING,
};
use backprop::layer_check::arg;
use backprop::{affine, array_ops, conv, loss, pool, relu};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ndarray::{Array1, Array2, Array4, Ix1, Ix2, Ix4};
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
    let params = Net::new(TRAINING.filters, TRAINING.init_seed).params;
    let (w1, b1): (Array4<f64>, Array1<f64>) =
        (arg::<Ix4>(&params[0]), arg::<Ix1>(&params[1]));
    let (w2, b2): (Array2<f64>, Array1<f64>) =
        (arg::<Ix2>(&params[2]), arg::<Ix1>(&params[3]));
    // The tape's flatten and unflatten: a reshape and a transpose.
    let flatten = |p: &Array4<f64>| {
        let (n, c, h, w) = p.dim();
        array_ops::transpose_forward(&array_ops::reshape_forward(
            p,
            Ix2(n, c * h * w),
        ))
    };
    let unflatten = |dh: &Array2<f64>, dim: (usize, usize, usize, usize)| {
        dh.t().to_shape(dim).expect("(C·H·W, n)").into_owned()
    };
    // The arrays of one pass, as the tape computes them.
    let (z, cache) = conv::forward(&w1, x, &b1, CONV);
    let a = relu::forward(&z);
    let p = pool::forward(&a, POOL);
    let h = flatten(&p);
    let y = affine::forward(&w2, &h, &b2);
    let (_, dy) = loss::softmax_cross_entropy(&y, labels);
    let dh = affine::backward(&w2, &h, &dy).dx;
    let dp = unflatten(&dh, p.dim());
    let da = pool::backward(&a, &dp, POOL);
    let dz = relu::backward(&z, &da);

    let mut group =
        c.benchmark_group(format!("one minibatch of {}", TRAINING.batch));
    group.bench_function(
        "Trainer::step (on a tape: forward, backward, step)",
        |b| {
            b.iter_batched(
                || (Trainer::new(&TRAINING), batch.clone()),
                |(mut t, minibatch)| t.step(black_box(minibatch)),
                BatchSize::SmallInput,
            )
        },
    );
    group.bench_function("conv::forward", |b| {
        b.iter(|| conv::forward(&w1, black_box(x), &b1, CONV))
    });
    group.bench_function("relu::forward", |b| {
        b.iter(|| relu::forward(black_box(&z)))
    });
    group.bench_function("pool::forward", |b| {
        b.iter(|| pool::forward(black_box(&a), POOL))
    });
    group.bench_function("flatten", |b| b.iter(|| flatten(black_box(&p))));
    group.bench_function("affine::forward", |b| {
        b.iter(|| affine::forward(&w2, black_box(&h), &b2))
    });
    group.bench_function("loss::softmax_cross_entropy", |b| {
        b.iter(|| loss::softmax_cross_entropy(black_box(&y), labels))
    });
    group.bench_function("affine::backward", |b| {
        b.iter(|| affine::backward(&w2, &h, black_box(&dy)))
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
        b.iter(|| conv::backward(&w1, &cache, black_box(&dz), CONV))
    });
    group.finish();
}

criterion_group!(benches, one_epoch, one_minibatch);
criterion_main!(benches);
