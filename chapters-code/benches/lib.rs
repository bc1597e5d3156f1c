//! The book's benchmarks live in this package's bench targets
//! (`backward.rs`, `network.rs`, `digits.rs`), outside the `backprop` package, so that
//! `cargo test` never builds criterion. The library itself is empty.
