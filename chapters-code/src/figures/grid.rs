//! Cells for the grid figures (ReLU mask, Jacobian, outer product): a
//! rectangle with a number centred in it, styled by class.

use super::format::short;
use super::svg::{Anchor, Svg};

/// One cell: its text, the class of its box and the class of its text.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    pub text: String,
    pub cell_class: &'static str,
    pub text_class: &'static str,
    /// A second, smaller line under the number (e.g. how it was computed).
    pub sub: Option<String>,
}

impl Cell {
    pub(crate) fn new(
        text: String,
        cell_class: &'static str,
        text_class: &'static str,
    ) -> Self {
        Cell {
            text,
            cell_class,
            text_class,
            sub: None,
        }
    }

    pub(crate) fn with_sub(mut self, sub: String) -> Self {
        self.sub = Some(sub);
        self
    }
}

/// A `rows` × `cols` grid of numbers, `value(r, c)` in row `r` and column
/// `c`, highlighted where `on(r, c)`.
pub(crate) fn numbers(
    (rows, cols): (usize, usize),
    value: impl Fn(usize, usize) -> f64,
    on: impl Fn(usize, usize) -> bool,
) -> Vec<Vec<Cell>> {
    let cell = |r, c| {
        let class = if on(r, c) {
            "lg-cell lg-cell-nonzero"
        } else {
            "lg-cell"
        };
        Cell::new(short(value(r, c)), class, "lg-value")
    };
    (0..rows)
        .map(|r| (0..cols).map(|c| cell(r, c)).collect())
        .collect()
}

/// Draws `rows` of cells, each `w` × `h`, with the top-left corner of the
/// first cell at `(x, y)`.
pub(crate) fn cells(
    svg: &mut Svg,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    rows: &[Vec<Cell>],
) {
    for (i, row) in rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let (cx, cy) = (x + j as f64 * w, y + i as f64 * h);
            svg.rect(cx, cy, w, h, 0.0, cell.cell_class);
            match &cell.sub {
                None => svg.text(
                    cx + w / 2.0,
                    cy + h / 2.0 + 5.0,
                    Anchor::Middle,
                    cell.text_class,
                    &cell.text,
                ),
                Some(sub) => {
                    svg.text(
                        cx + w / 2.0,
                        cy + h / 2.0,
                        Anchor::Middle,
                        cell.text_class,
                        &cell.text,
                    );
                    svg.text(
                        cx + w / 2.0,
                        cy + h / 2.0 + 14.0,
                        Anchor::Middle,
                        "lg-sub",
                        sub,
                    );
                }
            }
        }
    }
}
