//! The figures of the two affine chapters: the bias shared by a minibatch,
//! and the weight gradient of one sample as an outer product. Both are
//! drawn from the chapters' named worked examples,
//! [`affine::example_bias_dy`] and [`affine::example_one_sample`].

use super::format::{factor, short, short_vec};
use super::graph::{self, GEdge, GNode, Kind};
use super::grid::{cells, numbers, Cell};
use super::svg::{Anchor, Span, Svg};
use crate::affine;
use ndarray::{Array2, Axis};

/// Figure `bias-minibatch.svg`: the bias `b` is added to every sample's
/// `W x⁽ᵏ⁾` (three addition nodes `+ Wx⁽ᵏ⁾`, one per column, as the chapter
/// draws them), so it fans out, and its gradient is the sum of the three
/// columns of `dY`: `db = [1.5, 0.25]` from [`affine::backward`].
pub fn bias_minibatch() -> String {
    let dy = affine::example_bias_dy();
    let (m, n) = dy.dim();
    // db does not depend on W or X; any W (m, d) and X (d, n) do.
    let (w, _, _, _) = affine::example_one_sample();
    let x = Array2::zeros((w.ncols(), n));
    let db = affine::backward(&w, &x, &dy).db;
    assert_eq!(
        db,
        dy.sum_axis(Axis(1)),
        "figures: db is not the row sums of dY"
    );
    assert_eq!(db.len(), m);

    let mut nodes = vec![GNode {
        label: "$b$".into(),
        kind: Kind::Input,
        badge: None,
        // The formula in the math font, the value in the figure's font,
        // as the edges write theirs; the legend says it is their sum.
        note: Some(format!("$∂L/∂b =$ {}", short_vec(&db))),
    }];
    let mut edges = Vec::new();
    for i in 0..n {
        let col = short_vec(dy.column(i));
        let sup = format!("^{{({})}}", i + 1);
        // Sample i's addition node adds W x⁽ⁱ⁾ to b, as the sigmoid graph's
        // "+1" node adds a constant: the figure is about b.
        let plus = nodes.len();
        nodes.push(GNode {
            label: format!("$+ Wx{sup}$"),
            kind: Kind::Op,
            badge: None,
            note: None,
        });
        let out = nodes.len();
        nodes.push(GNode {
            label: format!("$y{sup}$"),
            kind: Kind::Output,
            badge: None,
            note: None,
        });
        for (from, to, value) in [(0, plus, "$b$"), (plus, out, "")] {
            edges.push(GEdge {
                from,
                to,
                value: value.into(),
                grad: col.clone(),
            });
        }
    }
    let cols: Vec<String> = (0..n).map(|i| short_vec(dy.column(i))).collect();
    let desc = format!(
        "A minibatch of {n} samples through the bias addition. The same bias b feeds {n} addition nodes, one per sample; node k adds W x(k) to b and gives y(k). Below each edge is its gradient: each sample's column of dL/dY, {}, flows back through its addition node unchanged to b. Since b was used {n} times, its gradient is the sum of the columns, {}.",
        cols.join(", "),
        short_vec(&db),
    );
    let legend: [&[Span]; 1] = [&[
        ("gradient", Some("lg-grad")),
        (
            " below each edge: one column of $∂L/∂Y$ per sample, summed into $∂L/∂b$",
            None,
        ),
    ]];
    graph::draw(
        "bias-minibatch",
        &nodes,
        &edges,
        &legend,
        "The bias is used by every sample, so its gradient sums the columns of dY",
        &desc,
    )
}

/// Figure `weight-outer-product.svg`: for one sample, the column `dy`
/// (2 × 1) times the row `xᵀ` (1 × 3) gives the grid `dW = dy xᵀ` (2 × 3),
/// from [`affine::backward`]; each cell shows its product.
pub fn weight_outer_product() -> String {
    let (w, x, _, dy) = affine::example_one_sample();
    let dw = affine::backward(&w, &x, &dy).dw;
    let (m, d) = dw.dim();

    let (cw, ch) = (86.0, 46.0);
    let gap = 36.0;
    let left = 110.0;
    let top = 34.0;
    let grid_x = left + cw + gap;
    let grid_y = top + ch + gap;
    let mut svg = Svg::new("weight-outer-product");

    // The row xᵀ above the grid, the column dy left of it.
    cells(
        &mut svg,
        grid_x,
        top,
        cw,
        ch,
        &numbers((1, d), |_, j| x[[j, 0]], |_, _| false),
    );
    let (tx, ty) = (grid_x + d as f64 * cw + 10.0, top + ch / 2.0);
    svg.text(tx, ty + 5.0, Anchor::Start, "lg-head lg-value", "$x^⊤$");
    svg.text(tx, ty + 23.0, Anchor::Start, "lg-caption", "$1 × 3$");
    let column: Vec<Vec<Cell>> = dy
        .iter()
        .map(|&v| vec![Cell::new(short(v), "lg-cell", "lg-grad")])
        .collect();
    cells(&mut svg, left, grid_y, cw, ch, &column);
    let mid = grid_y + m as f64 * ch / 2.0;
    svg.text(left - 10.0, mid, Anchor::End, "lg-head lg-grad", "$∂L/∂y$");
    svg.text(
        left - 10.0,
        mid + 18.0,
        Anchor::End,
        "lg-caption",
        "$2 × 1$",
    );

    // Guides from each factor into the grid.
    for j in 0..d {
        let gx = grid_x + (j as f64 + 0.5) * cw;
        svg.line((gx, top + ch + 4.0), (gx, grid_y - 4.0), "lg-guide");
    }
    for i in 0..m {
        let gy = grid_y + (i as f64 + 0.5) * ch;
        svg.line((left + cw + 4.0, gy), (grid_x - 4.0, gy), "lg-guide");
    }

    let grid: Vec<Vec<Cell>> = (0..m)
        .map(|i| {
            (0..d)
                .map(|j| {
                    Cell::new(
                        short(dw[[i, j]]),
                        "lg-cell lg-cell-nonzero",
                        "lg-grad",
                    )
                    .with_sub(format!(
                        "${} · {}$",
                        short(dy[[i, 0]]),
                        factor(x[[j, 0]])
                    ))
                })
                .collect()
        })
        .collect();
    cells(&mut svg, grid_x, grid_y, cw, ch, &grid);
    let below = grid_y + m as f64 * ch;
    // One formula, so that TeX's spaces set it: a thick space on each
    // side of the relation, after W's italic correction.
    svg.text(
        grid_x + d as f64 * cw / 2.0,
        below + 26.0,
        Anchor::Middle,
        "lg-head",
        r"$\class{lg-grad}{∂L/∂W} = \class{lg-grad}{∂L/∂y} \class{lg-value}{x^⊤}$",
    );
    svg.text(
        grid_x + d as f64 * cw / 2.0,
        below + 44.0,
        Anchor::Middle,
        "lg-caption",
        "$2 × 3$",
    );
    let rows: Vec<String> = dw.axis_iter(Axis(0)).map(short_vec).collect();
    let desc = format!(
        "An outer product laid out as a multiplication table. The row x transposed, {}, sits above a 2 by 3 grid; the column dL/dy, {}, sits to its left. Each cell of the grid is the product of the dL/dy entry of its row and the x entry of its column, giving dL/dW with rows {}.",
        short_vec(&x),
        short_vec(&dy),
        rows.join(" and "),
    );
    svg.finish(
        grid_x + d as f64 * cw + 50.0,
        below + 56.0,
        "The weight gradient of one sample is the outer product dy times x transposed",
        &desc,
    )
}
