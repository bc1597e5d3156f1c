//! Turns every ```rust block of every markdown file under `../src` into a
//! test, with skeptic. A new chapter is picked up without editing this file.
//!
//! Blocks that only include the crate's own code (`{{#include …}}`) are not
//! tests: mdBook expands them, but skeptic would see the bare directive. So
//! skeptic is handed copies of the pages, in `OUT_DIR/book/`, in which those
//! blocks are marked `text` ([`book::for_skeptic`]); every other line is
//! unchanged, so test names keep the real page names and line numbers.
//!
//! Then each generated test is labelled with its listing
//! ([`book::label_listings`]): the listing's `main` starts by setting
//! `BACKPROP_LISTING` to `src/PAGE.md:LINE`, on the same line, so that a
//! failed layer check inside a listing names the page and line.
//!
//! A copy is rewritten only when its text changes. Skeptic asks cargo to
//! rerun this script when a copy changes, so rewriting an unchanged copy
//! would rerun it (and recompile every listing) on every `cargo test`.
//! Together with skeptic's `binary-cache` feature, an unchanged book
//! compiles nothing, and an edited page recompiles only its own listings.
//! (For the same reason this package has no library: a library here would
//! be rebuilt whenever this script reruns, and every cached listing, which
//! is linked against it, would have to be compiled again.)

#[path = "src/book.rs"]
#[allow(dead_code)]
mod book;

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=../src");
    println!("cargo:rerun-if-changed=src/book.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("book");
    let src = Path::new("../src");
    let mut files = Vec::new();
    let mut listings = Vec::new();
    for (rel, text) in book::read_pages(src) {
        let copy = out.join(&rel);
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        let for_skeptic = book::for_skeptic(&text);
        if std::fs::read_to_string(&copy).ok().as_deref()
            != Some(for_skeptic.as_str())
        {
            std::fs::write(&copy, for_skeptic).unwrap();
        }
        files.push(copy.to_string_lossy().into_owned());
        for block in book::tested_blocks(&text) {
            listings.push(format!("src/{rel}:{}", block.line));
        }
    }
    skeptic::generate_doc_tests(&files);
    let generated = PathBuf::from(std::env::var("OUT_DIR").unwrap())
        .join("skeptic-tests.rs");
    let tests = std::fs::read_to_string(&generated).unwrap();
    let labelled = book::label_listings(&tests, &listings)
        .unwrap_or_else(|e| panic!("{e}"));
    // Each generated test calls skeptic's runtime; route it through
    // `run_listing` in tests/skeptic.rs, which retries a listing whose
    // cached executable could not be started (see there).
    let labelled =
        labelled.replace("skeptic::rt::run_test(", "crate::run_listing(");
    std::fs::write(&generated, labelled).unwrap();
}
