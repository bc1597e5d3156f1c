//! Trains the book's two-layer network on the three-arm spiral:
//!
//! ```text
//! cargo run --release -p backprop --example spiral
//! ```
//!
//! 300 points in 2-D, 100 hidden units, step size 1, reg 1e-3, 10,000
//! full-batch gradient-descent steps. The last line reports the number of
//! steps, the training time (training only, not data generation) and the
//! training accuracy as a fraction.
//!
//! Training runs on one thread with `backprop::net::train`: the chapters'
//! layers, in their allocation-free forms, writing into buffers made once.
//! `chapters-code/benches/spiral-vs-numpy.py` runs this example and the
//! CS231n numpy case study side by side.

use backprop::net::{
    spiral, train, Network, SPIRAL_SEEDS, SPIRAL_SIZES, SPIRAL_TRAINING,
};
use std::time::Instant;

fn main() {
    let (per_class, classes, hidden) = SPIRAL_SIZES;
    let (x, labels) = spiral(per_class, classes, SPIRAL_SEEDS.0);
    let mut net = Network::new(2, hidden, classes, SPIRAL_SEEDS.1);
    let params = SPIRAL_TRAINING;
    println!(
        "spiral: {} points, {classes} classes, {hidden} hidden units, step size {}, reg {}",
        x.ncols(),
        params.step_size,
        params.reg
    );

    let start = Instant::now();
    let losses = train(&mut net, &x, &labels, params);
    let seconds = start.elapsed().as_secs_f64();

    for step in (0..params.steps).step_by(1000) {
        println!("step {step:>5}: loss {:.4}", losses[step]);
    }
    let accuracy = net.accuracy(&x, &labels);
    println!(
        "trained: {} steps in {seconds:.3} s, training accuracy {accuracy:.3}",
        params.steps
    );
}
