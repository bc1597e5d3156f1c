//! The figures of the ReLU chapter: the mask for one sample, and the
//! Jacobian on a minibatch. Both are drawn from the chapter's named worked
//! examples, [`relu::example_sample`] and [`relu::example_minibatch`].

use super::format::{short, short_vec};
use super::graph;
use super::grid::{cells, Cell};
use super::svg::{Anchor, Svg};
use crate::{jacobian, relu};
use ndarray::{Array2, Axis};

/// Width and height of a number cell in the mask figure.
const CELL_W: f64 = 60.0;
const CELL_H: f64 = 34.0;

/// The room between two columns of the mask figure, where the operator
/// (→, ⊙, =) stands. With it the figure is 396 units wide: at 0.85 of
/// that, the narrowest the stylesheet draws a figure (its 13-unit text
/// then 11 px), it fits a phone's 350 px column whole.
const MASK_GAP: f64 = 44.0;

/// Figure `relu-mask.svg`: for the chapter's one sample
/// ([`relu::example_sample`]), the input `x`, the mask
/// `[x > 0]` ([`relu::mask`], the Iverson bracket), the upstream gradient `dy` and
/// `dx = mask ⊙ dy` ([`relu::backward`]) as four columns of cells; rows
/// where `x <= 0` are dimmed.
pub fn relu_mask() -> String {
    let (x, dy) = relu::example_sample();
    let mask = relu::mask(&x);
    let dx = relu::backward(&x, &dy);
    assert_eq!(dx, &mask * &dy, "figures: relu::backward is not mask ⊙ dy");

    let mut svg = Svg::new("relu-mask");
    let gap = MASK_GAP;
    let (top, left) = (58.0, 12.0);
    let col_x = |c: usize| left + c as f64 * (CELL_W + gap);
    let on = |i: usize| mask[i] > 0.0;
    // x and dy keep their colours in dimmed rows: only the mask and the
    // result are switched off there.
    let columns = [
        ("input", "$x$", "lg-value", &x, false),
        ("mask", "$[x > 0]$", "lg-value", &mask, true),
        ("upstream", "$∂L/∂y$", "lg-grad", &dy, false),
        ("result", "$∂L/∂x$", "lg-grad", &dx, true),
    ];
    for (c, (role, symbol, class, values, switched)) in
        columns.into_iter().enumerate()
    {
        let cx = col_x(c) + CELL_W / 2.0;
        svg.text(cx, top - 30.0, Anchor::Middle, "lg-caption", role);
        let head = format!("lg-head {class}");
        svg.text(cx, top - 10.0, Anchor::Middle, &head, symbol);
        let cell = |(i, &v): (usize, &f64)| {
            let (cell, text) = match (switched, on(i)) {
                (false, _) => ("lg-cell", class),
                (true, true) => ("lg-cell lg-cell-nonzero", class),
                (true, false) => ("lg-cell lg-cell-zero", "lg-zero"),
            };
            vec![Cell::new(short(v), cell, text)]
        };
        let rows: Vec<Vec<Cell>> =
            values.iter().enumerate().map(cell).collect();
        cells(&mut svg, col_x(c), top, CELL_W, CELL_H, &rows);
    }
    let mid = top + 1.5 * CELL_H + 6.0;
    for (c, op) in ["$→$", "$⊙$", "$=$"].iter().enumerate() {
        let ox = col_x(c) + CELL_W + gap / 2.0;
        svg.text(ox, mid, Anchor::Middle, "lg-op", op);
    }
    let bottom = top + 3.0 * CELL_H;
    let legend = "Where $x ≤ 0$ the mask is 0 and the gradient stops there.";
    svg.text(12.0, bottom + 28.0, Anchor::Start, "lg-legend", legend);
    let width = col_x(3) + CELL_W + 12.0;
    let desc = format!(
        "Four columns side by side. The input x = {} gives the mask [x > 0] = {}. The upstream gradient dL/dy = {} is multiplied entry by entry with the mask, giving dL/dx = {}. In the second row x is negative, so the mask is 0 there and the gradient {} is stopped.",
        short_vec(&x),
        short_vec(&mask),
        short_vec(&dy),
        short_vec(&dx),
        short(dy[1]),
    );
    svg.finish(
        width,
        bottom + 42.0,
        "ReLU backward: the mask lets the gradient through where x > 0",
        &desc,
    )
}

/// Figure `relu-jacobian.svg`: the 6 × 6 Jacobian of ReLU on the chapter's
/// 3 × 2 minibatch `X` ([`relu::example_minibatch`]) (columns are samples), built with
/// [`jacobian::from_backward`] from [`relu::backward`]. Entries are stacked
/// sample after sample, so the two samples' 3 × 3 blocks sit on the
/// diagonal; the nonzero entries (1 where `x > 0`) stand out.
pub fn relu_jacobian() -> String {
    let (x, _) = relu::example_minibatch();
    let j = jacobian::from_backward(
        |dy: &Array2<f64>| relu::backward(&x, dy),
        x.raw_dim(),
        x.raw_dim(),
    );
    let xv = jacobian::vec(&x);
    let (d, n) = x.dim();
    let k = d * n;
    assert_eq!(j.dim(), (k, k));

    let cell = 42.0;
    let (left, top) = (66.0, 82.0);
    let mut svg = Svg::new("relu-jacobian");
    let name = |letter: &str, e: usize| {
        format!("${letter}_{{{}}}^{{({})}}$", e % d + 1, e / d + 1)
    };
    for s in 0..n {
        let x0 = left + (s * d) as f64 * cell;
        let w = d as f64 * cell;
        let sample = format!("sample {}", s + 1);
        svg.text(x0 + w / 2.0, 16.0, Anchor::Middle, "lg-caption", &sample);
        svg.line((x0 + 4.0, 22.0), (x0 + w - 4.0, 22.0), "lg-rule");
    }
    for e in 0..k {
        let cx = left + (e as f64 + 0.5) * cell;
        svg.text(cx, 47.0, Anchor::Middle, "lg-head", &name("x", e));
        // The values keep clear of the labels' subscripts above them.
        svg.text(cx, 70.0, Anchor::Middle, "lg-value lg-small", &short(xv[e]));
        let cy = top + (e as f64 + 0.5) * cell;
        svg.text(left - 10.0, cy + 5.0, Anchor::End, "lg-head", &name("y", e));
    }
    let rows: Vec<Vec<Cell>> = j
        .axis_iter(Axis(0))
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, &v)| {
                    let same_sample = r / d == c / d;
                    if v != 0.0 {
                        Cell::new(
                            short(v),
                            "lg-cell lg-cell-nonzero",
                            "lg-value",
                        )
                    } else if r == c {
                        Cell::new(
                            short(v),
                            "lg-cell lg-cell-diag-off",
                            "lg-zero",
                        )
                    } else if same_sample {
                        Cell::new(short(v), "lg-cell", "lg-zero")
                    } else {
                        Cell::new(
                            short(v),
                            "lg-cell lg-cell-offblock",
                            "lg-zero",
                        )
                    }
                })
                .collect()
        })
        .collect();
    cells(&mut svg, left, top, cell, cell, &rows);
    for s in 0..n {
        let o = (s * d) as f64 * cell;
        svg.rect(
            left + o,
            top + o,
            d as f64 * cell,
            d as f64 * cell,
            0.0,
            "lg-block",
        );
    }
    let bottom = top + k as f64 * cell;
    // Each sentence broken into lines no wider than the grid and its row
    // labels, so that the grid sets the figure's width.
    let legend = [
        "Rows: output entries; columns: input",
        "entries, sample after sample.",
        "Only the diagonal can be nonzero:",
        "1 where $x > 0$, 0 where $x ≤ 0$ (dashed).",
    ];
    for (i, line) in legend.iter().enumerate() {
        let y = bottom + 26.0 + 20.0 * i as f64;
        svg.text(12.0, y, Anchor::Start, "lg-legend", line);
    }
    let diag: Vec<String> = (0..k).map(|i| short(j[[i, i]])).collect();
    let desc = format!(
        "A 6 by 6 grid: the Jacobian of ReLU for a minibatch of two samples with three entries each, x(1) = {} and x(2) = {}, entries stacked sample after sample. Thick squares mark the two 3 by 3 blocks, one per sample, on the diagonal; the blocks that mix the two samples are all zero. Every off-diagonal entry is zero, and the diagonal is {}: 1 where the input entry is positive, 0 where it is not.",
        short_vec(x.column(0)),
        short_vec(x.column(1)),
        diag.join(", "),
    );
    let legend_width = legend
        .iter()
        .map(|l| graph::text_width(l) * 13.0 / 14.0)
        .fold(0.0, f64::max);
    let grid_right = left + k as f64 * cell;
    assert!(
        12.0 + legend_width <= grid_right,
        "figures: a line of the ReLU Jacobian's legend is wider than its grid"
    );
    svg.finish(
        grid_right + 12.0,
        bottom + 18.0 + 20.0 * legend.len() as f64,
        "The Jacobian of ReLU on a minibatch is diagonal, with one block per sample",
        &desc,
    )
}
