//! The book's test crate. `tests/skeptic.rs` runs every ```rust block of the
//! book; `tests/meta.rs` checks the book's own rules. This library holds the
//! small markdown helpers that the meta-tests share.

pub mod book;
