//! The book's figures, drawn as SVG by the same code that computes the
//! chapters' numbers (only with the `figures` feature).
//!
//! Every number in a figure is computed here by the crate (the scalar graph
//! engine, [`relu`](crate::relu), [`jacobian`](crate::jacobian),
//! [`affine`](crate::affine)) from the chapters' named worked examples
//! (for instance [`scalar::SIGMOID_W`](crate::scalar::SIGMOID_W) or
//! [`relu::example_sample`](crate::relu::example_sample)), the same ones
//! the unit tests check, so a figure cannot disagree with the page it
//! illustrates. One module per chapter draws that chapter's figures:
//! [`computational_graphs`], [`relu`], [`affine`]. The computational graphs
//! are laid out by the `layout-rs` crate (module `graph`); the grids are
//! drawn directly (module `grid`); module `svg` writes the elements.
//!
//! The generated files live in the book's `src/figures/`; regenerate them
//! with [`REGENERATE`]. The book's tests (`tests/tests/figures.rs`) fail
//! when a file there differs from [`all`] at its printed precision, and
//! check that every figure is accessible and states only numbers its
//! chapter states.
//!
//! The SVG is meant to be inlined into the page (mdBook
//! `{{#include figures/NAME.svg}}`), so it has no blank lines and no
//! indentation (the markdown parser keeps it as one HTML block), it is
//! styled by `lg-…` classes that `theme/local-gradients.css` colours for
//! every mdBook theme, and it carries `role="img"`, `<title>` and `<desc>`
//! as alt text. Its `width` attribute is its natural width in CSS pixels
//! (one user unit per pixel), at which no text is smaller than
//! [`MIN_FONT_SIZE`] pixels.

pub mod affine;
pub mod autograd;
pub mod computational_graphs;
pub mod conv;
pub mod costs;
mod format;
mod graph;
mod grid;
pub mod network;
pub mod relu;
mod svg;

pub use affine::{bias_minibatch, weight_outer_product};
pub use computational_graphs::{fan_out, sigmoid_neuron};
pub use format::MINUS;
pub use graph::{descent, text_width, ASCENT};
pub use relu::{relu_jacobian, relu_mask};
pub use svg::{
    math_italic, plain_letter, FONT, MATH_FONT, MATH_SCALE, MIN_FONT_SIZE,
    MIN_SHOWN_FONT_SIZE, SCRIPT_RATIO,
};

/// The command that regenerates `src/figures/`.
pub const REGENERATE: &str =
    "cargo run -p backprop --features figures --bin figures";

/// One figure of the book: its file in `src/figures/`, the chapter (a
/// file in `src/`) that includes it, and the function that draws it.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    pub file: &'static str,
    pub chapter: &'static str,
    pub draw: fn() -> String,
}

/// Every figure of the book, in chapter order.
pub const FIGURES: &[Figure] = &[
    Figure {
        file: "sigmoid-neuron.svg",
        chapter: "computational-graphs.md",
        draw: sigmoid_neuron,
    },
    Figure {
        file: "fan-out.svg",
        chapter: "computational-graphs.md",
        draw: fan_out,
    },
    Figure {
        file: "relu-mask.svg",
        chapter: "relu.md",
        draw: relu_mask,
    },
    Figure {
        file: "relu-jacobian.svg",
        chapter: "relu.md",
        draw: relu_jacobian,
    },
    Figure {
        file: "bias-minibatch.svg",
        chapter: "affine-biases.md",
        draw: bias_minibatch,
    },
    Figure {
        file: "weight-outer-product.svg",
        chapter: "affine-weights.md",
        draw: weight_outer_product,
    },
    Figure {
        file: "im2col.svg",
        chapter: "convolution.md",
        draw: conv::im2col,
    },
    Figure {
        file: "spiral-loss.svg",
        chapter: "network.md",
        draw: network::spiral_loss,
    },
    Figure {
        file: "spiral-regions.svg",
        chapter: "network.md",
        draw: network::spiral_regions,
    },
    Figure {
        file: "digits-filters.svg",
        chapter: "autograd.md",
        draw: autograd::digits_filters,
    },
    Figure {
        file: "digits-wrong.svg",
        chapter: "autograd.md",
        draw: autograd::digits_wrong,
    },
    Figure {
        file: "digits-curves.svg",
        chapter: "autograd.md",
        draw: autograd::digits_curves,
    },
];

/// Every figure of the book as `(file name, SVG text)`, in chapter order.
pub fn all() -> Vec<(&'static str, String)> {
    FIGURES.iter().map(|f| (f.file, (f.draw)())).collect()
}
