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

/// How far a cell's second line stands below its number, baseline to
/// baseline, in user units: the second line's formula (15.6 units, its
/// parentheses reaching 0.72 em above its baseline) keeps 5 units clear of
/// the number's digits (14 units, reaching 0.05 em below theirs).
const SUB_LEAD: f64 = 17.0;

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
                // The number 3 units above the middle, its second line
                // SUB_LEAD below it: the pair sits about the middle.
                Some(sub) => {
                    svg.text(
                        cx + w / 2.0,
                        cy + h / 2.0 - 3.0,
                        Anchor::Middle,
                        cell.text_class,
                        &cell.text,
                    );
                    svg.text(
                        cx + w / 2.0,
                        cy + h / 2.0 - 3.0 + SUB_LEAD,
                        Anchor::Middle,
                        "lg-sub",
                        sub,
                    );
                }
            }
        }
    }
}
