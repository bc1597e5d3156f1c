//! How much the shortcuts of the book save. Each backward function computes
//! Jᵀ·dY without building J; these benchmarks time that against building
//! the Jacobian explicitly (as `backprop::jacobian::from_backward` does, one
//! backward call per output entry) and multiplying by it.
//!
//! Run with `cargo bench -p backprop`. Nothing here is asserted in
//! `cargo test`: speed depends on the machine.

use backprop::{affine, gradcheck::random, jacobian, relu};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array1, Array2};
use std::hint::black_box;

fn affine_backward(c: &mut Criterion) {
    // A 32 -> 32 layer on a minibatch of 8: Y is 32 x 8, so the Jacobian of
    // vec(Y) with respect to vec(X) is 256 x 256.
    let (m, d, n) = (32, 32, 8);
    let w: Array2<f64> = random((m, d), 1);
    let x: Array2<f64> = random((d, n), 2);
    let dy: Array2<f64> = random((m, n), 3);
    let mut group = c.benchmark_group("affine dX, 32x32 layer, n = 8");
    group.bench_function("shortcut W^T dY", |b| {
        b.iter(|| affine::backward(black_box(&w), black_box(&x), black_box(&dy)).dx)
    });
    group.bench_function("explicit Jacobian, then J^T vec(dY)", |b| {
        b.iter(|| {
            let j = jacobian::from_backward(
                |dy: &Array2<f64>| affine::backward(&w, &x, dy).dx,
                x.raw_dim(),
                dy.raw_dim(),
            );
            let dx: Array1<f64> = j.t().dot(&jacobian::vec(black_box(&dy)));
            dx
        })
    });
    group.finish();
}

fn relu_backward(c: &mut Criterion) {
    let x: Array2<f64> = random((100, 64), 4);
    let dy: Array2<f64> = random((100, 64), 5);
    let mut group = c.benchmark_group("relu dX, 100 x 64");
    group.bench_function("mask, new array", |b| {
        b.iter(|| relu::backward(black_box(&x), black_box(&dy)))
    });
    group.bench_function("mask, in place", |b| {
        b.iter_batched_ref(
            || dy.clone(),
            |dy| relu::backward_in_place(black_box(&x), dy),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, affine_backward, relu_backward);
criterion_main!(benches);
