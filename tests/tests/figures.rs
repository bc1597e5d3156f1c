//! The figures in `src/figures/` must be exactly what `backprop::figures`
//! draws now: a figure edited by hand, a missing one or a leftover file
//! fails here, with the command that regenerates them.

use backprop::figures::{stale_figures, REGENERATE};
use std::path::Path;

#[test]
fn figures_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/figures");
    let problems = stale_figures(&dir.canonicalize().unwrap_or(dir));
    assert!(
        problems.is_empty(),
        "the book's figures are out of date:\n  - {}\nRegenerate them with\n  {REGENERATE}\n(never edit src/figures/*.svg by hand: change chapters-code/src/figures.rs)",
        problems.join("\n  - ")
    );
}
