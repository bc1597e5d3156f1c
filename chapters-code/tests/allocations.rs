//! The allocation-free forms allocate nothing of their own: a counting
//! global allocator (this test binary's own) counts every allocation made
//! on the test's thread while a closure runs.
//!
//! The one allocation these forms cannot avoid is inside ndarray's matrix
//! product, [`general_mat_mul`]: its `matrixmultiply` backend takes a
//! packing buffer from the allocator on every call and gives it back
//! before returning. So the products are counted exactly: one allocation
//! per product, none left in use afterwards, and nothing else.
//!
//! [`general_mat_mul`]: ndarray::linalg::general_mat_mul

use backprop::net::{spiral, Network, Trainer, SPIRAL_TRAINING};
use backprop::{affine, gradcheck::random, loss, relu};
use ndarray::{Array1, Array2};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the calls of the thread that asked.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
    static IN_USE: Cell<isize> = const { Cell::new(0) };
}

fn note(bytes: isize, call: bool) {
    // `try_with`: a thread being torn down has no locals left to count in.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = CALLS.try_with(|c| c.set(c.get() + usize::from(call)));
            let _ = IN_USE.try_with(|u| u.set(u.get() + bytes));
        }
    });
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// counting only touches this thread's `Cell`s, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize, true);
        // SAFETY: as the caller promised for `alloc`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize), false);
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize, true);
        // SAFETY: as the caller promised for `realloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The allocations `f` makes on this thread, and the bytes it leaves in
/// use.
fn allocations(f: impl FnOnce()) -> (usize, isize) {
    CALLS.with(|c| c.set(0));
    IN_USE.with(|u| u.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    (CALLS.with(Cell::get), IN_USE.with(Cell::get))
}

#[test]
fn relu_and_the_loss_allocate_nothing() {
    let x: Array2<f64> = random((100, 300), 1);
    let mut dy: Array2<f64> = random((100, 300), 2);
    let scores: Array2<f64> = random((3, 300), 3);
    let labels: Vec<usize> = (0..300).map(|i| i % 3).collect();
    let mut ds = Array2::zeros((3, 300));
    let counted = allocations(|| {
        relu::backward_in_place(&x, &mut dy);
        loss::softmax_cross_entropy_into(&scores, &labels, &mut ds);
    });
    assert_eq!(
        counted,
        (0, 0),
        "relu::backward_in_place and loss::softmax_cross_entropy_into: (allocations, bytes left in use)"
    );
}

#[test]
fn the_affine_into_forms_allocate_only_one_packing_buffer_per_product() {
    let (w, x, b): (Array2<f64>, Array2<f64>, Array1<f64>) =
        (random((100, 2), 1), random((2, 300), 2), random(100, 3));
    let dy: Array2<f64> = random((100, 300), 4);
    let mut y = Array2::zeros((100, 300));
    let mut g = affine::backward(&w, &x, &dy);
    let counted = allocations(|| affine::forward_into(&w, &x, &b, &mut y));
    assert_eq!(
        counted,
        (1, 0),
        "affine::forward_into (one product, W X): (allocations, bytes left in use)"
    );
    let counted = allocations(|| affine::backward_into(&w, &x, &dy, &mut g));
    assert_eq!(
        counted,
        (2, 0),
        "affine::backward_into (two products, dY Xᵀ and Wᵀ dY): (allocations, bytes left in use)"
    );
}

#[test]
fn a_training_step_allocates_only_the_products_packing_buffers() {
    // The book's spiral sizes: 300 points, 100 hidden units, 3 classes.
    let (x, labels) = spiral(100, 3, 1);
    let mut net = Network::new(2, 100, 3, 2);
    let mut trainer = Trainer::new(&net, x.ncols());
    let (step, reg) = (SPIRAL_TRAINING.step_size, SPIRAL_TRAINING.reg);
    trainer.step(&mut net, &x, &labels, step, reg); // warm-up
    for _ in 0..3 {
        let counted = allocations(|| {
            trainer.step(&mut net, &x, &labels, step, reg);
        });
        // Forward: W1 X and W2 H; backward: two products per affine layer.
        assert_eq!(
            counted,
            (6, 0),
            "net::Trainer::step, six matrix products: (allocations, bytes left in use)"
        );
    }
}

#[test]
fn the_counter_sees_an_allocation() {
    // The check above could pass by counting nothing: it does count.
    let counted = allocations(|| drop(std::hint::black_box(vec![1.0f64; 300])));
    assert_eq!(counted, (1, 0));
    let kept = allocations(|| std::mem::forget(std::hint::black_box(vec![0u8; 64])));
    assert_eq!(kept, (1, 64));
}
