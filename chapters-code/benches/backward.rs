//! What the shortcuts of the book save, measured. Each backward function
//! computes Jᵀ·vec(dY) without building the Jacobian J; these benchmarks
//! time that against building J and multiplying by it, and time each
//! matrix-product backward against the products it is made of.
//!
//! Run with `cargo bench -p backprop-benches --bench backward`, then draw the
//! appendix's figure from the results with
//! `cargo run -p backprop --features figures --bin bench-report`.
//! Nothing here is asserted in `cargo test`: speed depends on the machine.
//!
//! Besides criterion's timings (`target/criterion/<group>/<id>/new/`), the
//! ReLU group records the peak heap memory of one backward call of each
//! method in `target/criterion/relu_backward/peak-bytes.tsv`, measured by
//! the counting allocator below.

use backprop::conv::{self, ConvParams};
use backprop::{affine, gradcheck::random, jacobian, relu};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ndarray::{Array1, Array2, Array4};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most heap memory `f` holds at once beyond what was in use before,
/// its result included.
fn peak_bytes<R>(f: impl FnOnce() -> R) -> usize {
    let before = IN_USE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let result = f();
    let peak = PEAK.load(Relaxed) - before;
    drop(result);
    peak
}

/// Keeps freed memory (blocks up to 32 MiB) in the process, as a training
/// loop that allocates the same arrays step after step has it in its
/// steady state. By default
/// glibc hands every block over 128 KiB back to the system when it is
/// freed, so each call of a convolution's backward pass would also pay
/// for thousands of fresh pages (on a virtual machine the cost of those
/// page faults varies from run to run by a factor of 2 or more). The
/// bytes counted by [`peak_bytes`] are unchanged: they are what the code
/// asks for, wherever the allocator finds it.
fn steady_state_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes two thresholds of glibc's allocator;
    // it is called before any benchmark runs.
    unsafe {
        // 32 MiB is the largest mmap threshold glibc accepts on 64 bits.
        assert_eq!(libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20), 1);
        assert_eq!(libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30), 1);
    }
}

/// `target/criterion`, where criterion writes its results: the bench runs
/// as `target/<profile>/deps/backward-<hash>`.
fn criterion_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the bench's own path");
    exe.ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<bench>")
        .join("criterion")
}

/// Short runs: the machine is small and shared, and the ratios the
/// appendix reports are far larger than the noise.
fn config() -> Criterion {
    steady_state_heap();
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// The sizes of the ReLU comparison.
const RELU_SIZES: [usize; 5] = [16, 64, 256, 1024, 4096];

/// ReLU backward on one sample of `n` entries: the mask `[x > 0] ⊙ dy`
/// against the explicit `n × n` Jacobian `diag([x > 0])` times `dy`.
fn relu_explicit(x: &Array1<f64>, dy: &Array1<f64>) -> Array1<f64> {
    let j = Array2::from_diag(&relu::mask(x));
    j.t().dot(dy)
}

fn relu_backward(c: &mut Criterion) {
    let mut group = c.benchmark_group("relu_backward");
    let mut memory = String::from("method\tn\tpeak_bytes\n");
    for n in RELU_SIZES {
        let x: Array1<f64> = random(n, 4);
        let dy: Array1<f64> = random(n, 5);
        assert_eq!(relu_explicit(&x, &dy), relu::backward(&x, &dy));
        memory +=
            &format!("mask\t{n}\t{}\n", peak_bytes(|| relu::backward(&x, &dy)));
        memory += &format!(
            "explicit_jacobian\t{n}\t{}\n",
            peak_bytes(|| relu_explicit(&x, &dy))
        );
        group.bench_with_input(BenchmarkId::new("mask", n), &n, |b, _| {
            b.iter(|| relu::backward(black_box(&x), black_box(&dy)))
        });
        group.bench_with_input(
            BenchmarkId::new("explicit_jacobian", n),
            &n,
            |b, _| b.iter(|| relu_explicit(black_box(&x), black_box(&dy))),
        );
    }
    group.finish();
    let dir = criterion_dir().join("relu_backward");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("peak-bytes.tsv"), memory).unwrap();
}

fn affine_backward(c: &mut Criterion) {
    // (d, m, n) = (512, 512, 512): W is (m, d), X is (d, n), dY is (m, n).
    let (d, m, n) = (512, 512, 512);
    let w: Array2<f64> = random((m, d), 1);
    let x: Array2<f64> = random((d, n), 2);
    let dy: Array2<f64> = random((m, n), 3);
    let mut group = c.benchmark_group("affine_backward_512");
    group.bench_function("backward", |b| {
        b.iter(|| {
            affine::backward(black_box(&w), black_box(&x), black_box(&dy))
        })
    });
    group.bench_function("two_products", |b| {
        b.iter(|| {
            let (w, x, dy) = (black_box(&w), black_box(&x), black_box(&dy));
            (dy.dot(&x.t()), w.t().dot(dy))
        })
    });
    group.finish();
}

fn affine_dx_explicit(c: &mut Criterion) {
    // A 32 -> 32 layer on a minibatch of 8: Y is 32 x 8, so the Jacobian of
    // vec(Y) with respect to vec(X) is 256 x 256, built as
    // `jacobian::from_backward` does, one backward call per output entry.
    let (m, d, n) = (32, 32, 8);
    let w: Array2<f64> = random((m, d), 1);
    let x: Array2<f64> = random((d, n), 2);
    let dy: Array2<f64> = random((m, n), 3);
    let mut group = c.benchmark_group("affine_dx_32x32_n8");
    group.bench_function("shortcut", |b| {
        b.iter(|| {
            affine::backward(black_box(&w), black_box(&x), black_box(&dy)).dx
        })
    });
    group.bench_function("explicit_jacobian", |b| {
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

fn conv_backward(c: &mut Criterion) {
    // n = 8 images of C = 16 channels, 32 x 32; F = 32 filters of 3 x 3;
    // stride S = 1, padding R = 1, so y is (8, 32, 32, 32).
    let p = ConvParams { stride: 1, pad: 1 };
    let x: Array4<f64> = random((8, 16, 32, 32), 6);
    let w: Array4<f64> = random((32, 16, 3, 3), 7);
    let dy: Array4<f64> = random((8, 32, 32, 32), 8);
    // What im2col's backward multiplies: X_col (C·9, n·M₁·M₂), W_col
    // (F, C·9) and dY_col (F, n·M₁·M₂), built once, outside the timing.
    let x_col = conv::im2col(&x, (3, 3), p);
    let w_col = conv::w_col(&w);
    let dy_col = dy
        .view()
        .permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((32, 8 * 32 * 32))
        .unwrap();
    let cache = conv::Cache {
        x_col: x_col.clone(),
        x_dim: x.dim(),
    };
    let mut group = c.benchmark_group("conv_backward");
    group.bench_function("naive_backward", |b| {
        b.iter(|| {
            conv::backward_loops(
                black_box(&w),
                black_box(&x),
                black_box(&dy),
                p,
            )
        })
    });
    group.bench_function("im2col_backward", |b| {
        b.iter(|| {
            let cache = conv::Cache::new(black_box(&x), (3, 3), p);
            conv::backward(black_box(&w), &cache, black_box(&dy), p)
        })
    });
    group.bench_function("cols_backward", |b| {
        b.iter(|| {
            conv::backward(black_box(&w), black_box(&cache), black_box(&dy), p)
        })
    });
    group.bench_function("im2col_products", |b| {
        b.iter(|| {
            let (x_col, w_col, dy_col) =
                (black_box(&x_col), black_box(&w_col), black_box(&dy_col));
            (dy_col.dot(&x_col.t()), w_col.t().dot(dy_col))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = relu_backward, affine_backward, affine_dx_explicit, conv_backward
}
criterion_main!(benches);
