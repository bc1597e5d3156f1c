//! Trains the book's convolutional network on the handwritten digits:
//!
//! ```text
//! cargo run --release -p backprop --example digits
//! cargo run --release -p backprop --example digits -- --seed 3
//! cargo run --release -p backprop --example digits -- --save
//! cargo run --release -p backprop --example digits -- --cached
//! ```
//!
//! The 1,797 images of `chapters-code/data/digits.csv.gz`, split by a fixed
//! seed into 1,437 for training and 360 for testing; a 3 × 3 convolution
//! with 16 filters, ReLU, 2 × 2 max pooling and an affine layer to the 10
//! classes; 10 epochs of minibatches of 16, SGD with momentum 0.9 and step
//! size 0.1 (`backprop::digits::TRAINING`), each minibatch recorded on a
//! tape. `--seed N` draws the initial weights from seed `N` instead.
//! `--save` also writes the run (weights, every epoch's numbers, the test
//! images it gets wrong) to `chapters-code/data/digits-run.json`, the
//! cached run the book's figures and tests read; `--cached` trains
//! nothing and prints that run's line, `cached: <epochs> epochs, test
//! accuracy <acc>`, which CI compares with a fresh run's.
//!
//! Each epoch's mean loss and test accuracy go to standard error; standard
//! output gets one line, the number of epochs, the training time (training
//! and the test accuracy after each epoch, not loading) and the final test
//! accuracy as a fraction.

use backprop::digits::{
    self, Run, RUN_FILE, SPLIT_SEED, TEST_IMAGES, TRAINING,
};
use std::time::Instant;

fn main() {
    let mut settings = TRAINING;
    let mut save = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--save" => save = true,
            "--cached" => {
                let run = Run::cached();
                println!(
                    "cached: {} epochs, test accuracy {:.4}",
                    run.epochs.len(),
                    run.test_accuracy()
                );
                return;
            }
            "--seed" => match args.next().map(|s| s.parse::<u64>()) {
                Some(Ok(seed)) => settings.init_seed = seed,
                _ => usage(),
            },
            _ => usage(),
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
    let (net, epochs) = digits::train(&settings, &train, &test, |e| {
        eprintln!(
            "epoch {:>2}: loss {:.4}, test accuracy {:.4}",
            e.epoch, e.loss, e.test_accuracy
        );
    });
    let seconds = start.elapsed().as_secs_f64();

    let run = Run::new(settings, net, epochs, &test);
    println!(
        "trained: {} epochs in {seconds:.3} s, test accuracy {:.4}",
        run.epochs.len(),
        run.test_accuracy()
    );
    if save {
        std::fs::write(RUN_FILE, run.to_json())
            .unwrap_or_else(|e| panic!("cannot write {RUN_FILE}: {e}"));
        eprintln!("wrote {RUN_FILE}");
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: digits [--seed N] [--save] | digits --cached\n  \
         --seed N  the seed of the initial weights\n  \
         --save    also write the run to {RUN_FILE}\n  \
         --cached  print the line of the run in {RUN_FILE}, without training"
    );
    std::process::exit(2);
}
