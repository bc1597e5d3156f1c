//! The allocation-free forms allocate nothing: a counting global
//! allocator (this test binary's own) counts every allocation made on the
//! test's thread while a closure runs.

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
    let labels: Vec<usize> = (0..300).map(|k| k % 3).collect();
    let mut dscores = Array2::zeros((3, 300));
    let counted = allocations(|| {
        relu::forward_in_place(&mut dy);
        relu::backward_in_place(&x, &mut dy);
        loss::softmax_cross_entropy_into(&scores, &labels, &mut dscores);
    });
    assert_eq!(
        counted,
        (0, 0),
        "relu::forward_in_place, relu::backward_in_place and loss::softmax_cross_entropy_into: (allocations, bytes left in use)"
    );
}

#[test]
fn the_affine_into_forms_allocate_nothing() {
    let (w, x, b): (Array2<f64>, Array2<f64>, Array1<f64>) =
        (random((100, 2), 1), random((2, 300), 2), random(100, 3));
    let dy: Array2<f64> = random((100, 300), 4);
    let mut y = Array2::zeros((100, 300));
    let mut g = affine::backward(&w, &x, &dy);
    let counted = allocations(|| affine::forward_into(&w, &x, &b, &mut y));
    assert_eq!(
        counted,
        (0, 0),
        "affine::forward_into: (allocations, bytes left in use)"
    );
    let counted = allocations(|| affine::backward_into(&w, &x, &dy, &mut g));
    assert_eq!(
        counted,
        (0, 0),
        "affine::backward_into: (allocations, bytes left in use)"
    );
}

#[test]
fn a_training_step_allocates_nothing() {
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
        assert_eq!(
            counted,
            (0, 0),
            "net::Trainer::step after its first step: (allocations, bytes left in use)"
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
