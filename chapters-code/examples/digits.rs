//! Trains the book's convolutional network on the handwritten digits:
//!
//! ```text
//! cargo run --release -p backprop --example digits
//! cargo run --release -p backprop --example digits -- --seed 3
//! ```
//!
//! The 1,797 images of `chapters-code/data/digits.csv.gz`, split by a fixed
//! seed into 1,437 for training and 360 for testing; a 3 × 3 convolution
//! with 16 filters, ReLU, 2 × 2 max pooling and an affine layer to the 10
//! classes; 10 epochs of minibatches of 16, SGD with momentum 0.9 and step
//! size 0.1 (`backprop::digits::TRAINING`). `--seed N` draws the initial
//! weights from seed `N` instead.
//!
//! Each epoch's mean loss and test accuracy go to standard error; standard
//! output gets one line, the number of epochs, the training time (training
//! and the test accuracy after each epoch, not loading) and the final test
//! accuracy as a fraction.

use backprop::digits::{self, SPLIT_SEED, TEST_IMAGES, TRAINING};
use std::time::Instant;

fn main() {
    let mut settings = TRAINING;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|s| s.parse::<u64>())) {
            ("--seed", Some(Ok(seed))) => settings.init_seed = seed,
            _ => {
                eprintln!("usage: digits [--seed N]  (N: the seed of the initial weights)");
                std::process::exit(2);
            }
        }
    }

    let (train, test) = digits::committed().split(TEST_IMAGES, SPLIT_SEED);
    eprintln!(
        "digits: {} training and {} test images; {} filters, batches of {}, step size {}, \
         momentum {}, init seed {}",
        train.len(),
        test.len(),
        settings.filters,
        settings.batch,
        settings.step_size,
        settings.momentum,
        settings.init_seed
    );

    let start = Instant::now();
    let (_, epochs) = digits::train(&settings, &train, &test, |e| {
        eprintln!(
            "epoch {:>2}: loss {:.4}, test accuracy {:.4}",
            e.epoch, e.loss, e.test_accuracy
        );
    });
    let seconds = start.elapsed().as_secs_f64();

    let accuracy = epochs.last().map_or(0.0, |e| e.test_accuracy);
    println!(
        "trained: {} epochs in {seconds:.3} s, test accuracy {accuracy:.4}",
        epochs.len()
    );
}
