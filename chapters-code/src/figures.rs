//! The book's figures, drawn as SVG by the same code that computes the
//! chapters' numbers (only with the `figures` feature).
//!
//! Every number in a figure is computed here by the crate (the scalar graph
//! engine, [`relu`](crate::relu), [`jacobian`](crate::jacobian),
//! [`affine`](crate::affine)) from the book's fixed worked examples, so a
//! figure cannot disagree with the page it illustrates. The computational
//! graphs are laid out by the `layout-rs` crate; the grids are drawn
//! directly.
//!
//! The generated files live in the book's `src/figures/`; regenerate them
//! with [`REGENERATE`]. A test in `tests/` fails when a file there differs
//! from [`all`].
//!
//! The SVG is meant to be inlined into the page (mdBook
//! `{{#include figures/NAME.svg}}`), so it has no blank lines and no
//! indentation (the markdown parser keeps it as one HTML block), it is
//! styled by `lg-…` classes that `theme/local-gradients.css` colours for
//! every mdBook theme, and it carries `role="img"`, `<title>` and `<desc>`
//! as alt text.

pub mod conv;
mod graph;
mod grid;
pub mod network;
mod svg;

use crate::scalar::{sigmoid_neuron_graph, Graph, Op, Var};
use crate::{affine, jacobian, relu};
use graph::{GEdge, GNode, Kind};
use grid::{cells, Cell};
use ndarray::{array, Array1, Array2, Axis};
use std::path::Path;
use svg::{Anchor, Svg};

/// The command that regenerates `src/figures/`.
pub const REGENERATE: &str = "cargo run -p backprop --features figures --bin figures";

/// Every figure of the book as `(file name, SVG text)`, in chapter order.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("sigmoid-neuron.svg", sigmoid_neuron()),
        ("fan-out.svg", fan_out()),
        ("relu-mask.svg", relu_mask()),
        ("relu-jacobian.svg", relu_jacobian()),
        ("bias-minibatch.svg", bias_minibatch()),
        ("weight-outer-product.svg", weight_outer_product()),
        ("im2col.svg", conv::im2col()),
        ("spiral-loss.svg", network::spiral_loss()),
        ("spiral-regions.svg", network::spiral_regions()),
    ]
}

/// Compares the figures in `dir` with [`all`] and returns one sentence per
/// problem: a figure that is missing, that differs from what the code draws
/// now, or an `.svg` file that no figure produces. Empty means up to date.
pub fn stale_figures(dir: &Path) -> Vec<String> {
    let figures = all();
    let mut problems = Vec::new();
    for (name, svg) in &figures {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Err(_) => problems.push(format!("{} is missing", path.display())),
            Ok(text) if text != *svg => problems.push(format!(
                "{} differs from what backprop::figures draws now (edited by hand, or the numbers changed)",
                path.display()
            )),
            Ok(_) => {}
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut extra: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".svg") && !figures.iter().any(|(n, _)| n == f))
            .collect();
        extra.sort();
        for f in extra {
            problems.push(format!(
                "{} is not drawn by backprop::figures (a figure was renamed or removed?)",
                dir.join(f).display()
            ));
        }
    }
    problems
}

/// A number with exactly two decimals (`0.73`, `-0.20`, `2.00`), never `-0.00`.
pub fn fixed2(v: f64) -> String {
    let s = format!("{v:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// A number with at most two decimals and no trailing zeros (`0.5`, `-1`,
/// `1.25`), never `-0`.
pub fn short(v: f64) -> String {
    let s = fixed2(v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A second factor of a product: negative numbers in parentheses, `(-1)`.
fn factor(v: f64) -> String {
    if v < 0.0 {
        format!("({})", short(v))
    } else {
        short(v)
    }
}

/// A vector as `[0.5, -1]`.
fn short_vec<'a>(v: impl IntoIterator<Item = &'a f64>) -> String {
    let parts: Vec<String> = v.into_iter().map(|&x| short(x)).collect();
    format!("[{}]", parts.join(", "))
}

/// The gradient that flows back along each edge of a scalar graph: for the
/// edge into input slot `i` of node `g`, `g.grad · ∂g/∂f_i`. A value used
/// by several nodes has one edge per use; its `grad` is the sum of theirs.
/// Returns `(from, to, gradient)` for every edge, in node order.
fn edge_gradients(g: &Graph) -> Vec<(Var, Var, f64)> {
    let mut out = Vec::new();
    for (j, node) in g.nodes().iter().enumerate() {
        if node.op == Op::Input {
            continue;
        }
        let inputs: Vec<f64> = node.inputs.iter().map(|&v| g.value(v)).collect();
        let locals = node.op.local_gradients(&inputs, node.value);
        for (&from, local) in node.inputs.iter().zip(locals) {
            out.push((from, Var(j), node.grad * local));
        }
    }
    // Fan-out rule: every node's gradient is the sum over its outgoing edges.
    for (i, node) in g.nodes().iter().enumerate() {
        let sum: f64 = out.iter().filter(|e| e.0 == Var(i)).map(|e| e.2).sum();
        let used = out.iter().any(|e| e.0 == Var(i));
        assert!(
            !used || (sum - node.grad).abs() < 1e-12,
            "figures: edge gradients out of node {i} sum to {sum}, but its grad is {}",
            node.grad
        );
    }
    out
}

/// The nodes and edges of a scalar graph figure, with an extra output node
/// `out_label` after `out`. Operation nodes get their step in the backward
/// pass as a badge (1 = `out`, then reversed topological order). Values
/// and gradients are formatted with `fmt`.
fn scalar_figure(
    g: &Graph,
    out: Var,
    out_label: &str,
    fmt: fn(f64) -> String,
) -> (Vec<GNode>, Vec<GEdge>) {
    let order = g.topological_order(out);
    let steps: Vec<Var> = order
        .iter()
        .rev()
        .copied()
        .filter(|&v| g.node(v).op != Op::Input)
        .collect();
    let mut nodes: Vec<GNode> = g
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, n)| GNode {
            label: n.label.clone(),
            kind: if n.op == Op::Input {
                Kind::Input
            } else {
                Kind::Op
            },
            badge: steps.iter().position(|&v| v == Var(i)).map(|p| p + 1),
            note: None,
        })
        .collect();
    nodes.push(GNode {
        label: out_label.to_string(),
        kind: Kind::Output,
        badge: None,
        note: None,
    });
    let mut edges: Vec<GEdge> = edge_gradients(g)
        .into_iter()
        .map(|(from, to, grad)| GEdge {
            from: from.0,
            to: to.0,
            value: fmt(g.value(from)),
            grad: fmt(grad),
        })
        .collect();
    edges.push(GEdge {
        from: out.0,
        to: nodes.len() - 1,
        value: fmt(g.value(out)),
        grad: fmt(g.grad(out)),
    });
    (nodes, edges)
}

/// The legend of the two computational graphs.
const GRAPH_LEGEND: [&[svg::Span]; 3] = [
    &[
        ("value", Some("lg-value")),
        (": carried forward (above each edge)", None),
    ],
    &[
        ("gradient", Some("lg-grad")),
        (": flowing back (below each edge)", None),
    ],
    &[("numbered nodes: order of the backward pass", None)],
];

/// Figure `sigmoid-neuron.svg`: the sigmoid neuron
/// `1 / (1 + exp(-(w0·x0 + w1·x1 + w2)))` with `w = [2, -3, -3]`,
/// `x = [-1, -2]`, from [`sigmoid_neuron_graph`]: every edge with its value
/// (2 decimals) and gradient, operation nodes numbered in backward order.
pub fn sigmoid_neuron() -> String {
    let (w, x) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
    let (g, out) = sigmoid_neuron_graph(w, x);
    let (nodes, edges) = scalar_figure(&g, out, "out", fixed2);
    let inputs: Vec<String> = g
        .nodes()
        .iter()
        .filter(|n| n.op == Op::Input)
        .map(|n| format!("{} = {}", n.label, short(n.value)))
        .collect();
    let grads: Vec<String> = g
        .nodes()
        .iter()
        .filter(|n| n.op == Op::Input)
        .map(|n| format!("{} {}", n.label, fixed2(n.grad)))
        .collect();
    let ops: Vec<String> = g
        .nodes()
        .iter()
        .filter(|n| n.op != Op::Input)
        .map(|n| n.label.clone())
        .collect();
    let desc = format!(
        "Computational graph of a sigmoid neuron, read left to right. Inputs {}. They flow through the nodes {} and give the output {}. Each edge is labelled with the value it carries forward and, below it, the gradient of the output with respect to that value; the gradient starts as {} at the output and reaches the inputs as {}. A number on each operation node gives its place in the backward pass, 1 for the reciprocal at the end.",
        inputs.join(", "),
        ops.join(", "),
        fixed2(g.value(out)),
        fixed2(g.grad(out)),
        grads.join(", "),
    );
    graph::draw(
        "sigmoid-neuron",
        &nodes,
        &edges,
        &GRAPH_LEGEND,
        "The sigmoid neuron as a computational graph, forward values and gradients",
        &desc,
    )
}

/// Figure `fan-out.svg`: `x = 3`, `y = -4`, `s = x + y`, `f = s · x`. `x`
/// is used twice, so two gradients flow back to it (`3` through `+`, `-1`
/// through `*`) and add up to `∂f/∂x = 2`, written next to `x`.
pub fn fan_out() -> String {
    let mut g = Graph::new();
    let x = g.input("x", 3.0);
    let y = g.input("y", -4.0);
    let s = g.add(x, y);
    let f = g.mul(s, x);
    g.backward(f);
    let (mut nodes, edges) = scalar_figure(&g, f, "f", short);
    // The contributions to x in the order the backward pass delivers them
    // (the product, step 1, before the sum, step 2), as the chapter writes
    // them: -1 + 3.
    let step = |v: Var| nodes[v.0].badge.unwrap_or(0);
    let mut into_x: Vec<(Var, Var, f64)> = edge_gradients(&g)
        .into_iter()
        .filter(|e| e.0 == x)
        .collect();
    into_x.sort_by_key(|e| step(e.1));
    let parts: Vec<String> = into_x.iter().map(|e| short(e.2)).collect();
    nodes[x.0].note = Some(format!(
        "∂f/∂x = {} = {}",
        parts.join(" + "),
        short(g.grad(x))
    ));
    let desc = format!(
        "Computational graph of f = (x + y) times x with x = {}, y = {}: s = x + y = {}, f = s times x = {}. The input x feeds two nodes, the addition and the multiplication. Going backward, the gradient {} reaches x through the multiplication and {} through the addition; the two add up, so the gradient of f with respect to x is {}. The gradient with respect to y is {}.",
        short(g.value(x)),
        short(g.value(y)),
        short(g.value(s)),
        short(g.value(f)),
        parts[0],
        parts[1],
        short(g.grad(x)),
        short(g.grad(y)),
    );
    graph::draw(
        "fan-out",
        &nodes,
        &edges,
        &GRAPH_LEGEND,
        "A value used twice: the gradients of its two uses add up",
        &desc,
    )
}

/// Width and height of a number cell in the grid figures.
const CELL_W: f64 = 64.0;
const CELL_H: f64 = 34.0;

/// Figure `relu-mask.svg`: for one sample, the input `x`, the mask
/// `1{x > 0}` ([`relu::mask`]), the upstream gradient `dy` and
/// `dx = mask ⊙ dy` ([`relu::backward`]) as four columns of cells; rows
/// where `x <= 0` are dimmed.
pub fn relu_mask() -> String {
    let x = array![2.0, -1.0, 0.5];
    let dy = array![0.3, -0.7, 1.2];
    let mask = relu::mask(&x);
    let dx = relu::backward(&x, &dy);
    assert_eq!(dx, &mask * &dy, "figures: relu::backward is not mask ⊙ dy");

    let mut svg = Svg::new("relu-mask");
    let gap = 52.0;
    let (top, left) = (58.0, 12.0);
    let col_x = |c: usize| left + c as f64 * (CELL_W + gap);
    let on = |i: usize| mask[i] > 0.0;
    let column = |values: &Array1<f64>, text: &'static str| -> Vec<Vec<Cell>> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (cell, text) = if on(i) {
                    ("lg-cell lg-cell-nonzero", text)
                } else {
                    ("lg-cell lg-cell-zero", "lg-zero")
                };
                vec![Cell::new(short(v), cell, text)]
            })
            .collect()
    };
    let headers = [
        ("input", "x", "lg-value"),
        ("mask", "1{x > 0}", "lg-value"),
        ("upstream", "∂L/∂y", "lg-grad"),
        ("result", "∂L/∂x", "lg-grad"),
    ];
    for (c, (role, symbol, class)) in headers.iter().enumerate() {
        let cx = col_x(c) + CELL_W / 2.0;
        svg.text(cx, top - 30.0, Anchor::Middle, "lg-caption", role);
        svg.text(
            cx,
            top - 10.0,
            Anchor::Middle,
            &format!("lg-head {class}"),
            symbol,
        );
    }
    // x and dy keep their colours in dimmed rows: only mask and result are switched off.
    let all_on = |values: &Array1<f64>, text: &'static str| -> Vec<Vec<Cell>> {
        values
            .iter()
            .map(|&v| vec![Cell::new(short(v), "lg-cell", text)])
            .collect()
    };
    cells(
        &mut svg,
        col_x(0),
        top,
        CELL_W,
        CELL_H,
        &all_on(&x, "lg-value"),
    );
    cells(
        &mut svg,
        col_x(1),
        top,
        CELL_W,
        CELL_H,
        &column(&mask, "lg-value"),
    );
    cells(
        &mut svg,
        col_x(2),
        top,
        CELL_W,
        CELL_H,
        &all_on(&dy, "lg-grad"),
    );
    cells(
        &mut svg,
        col_x(3),
        top,
        CELL_W,
        CELL_H,
        &column(&dx, "lg-grad"),
    );
    let mid = top + 1.5 * CELL_H + 6.0;
    for (c, op) in ["→", "⊙", "="].iter().enumerate() {
        let ox = col_x(c) + CELL_W + gap / 2.0;
        svg.text(ox, mid, Anchor::Middle, "lg-op", op);
    }
    let bottom = top + 3.0 * CELL_H;
    svg.text(
        12.0,
        bottom + 28.0,
        Anchor::Start,
        "lg-legend",
        "Where x ≤ 0 the mask is 0 and the gradient stops there.",
    );
    let width = col_x(3) + CELL_W + 12.0;
    let desc = format!(
        "Four columns side by side. The input x = {} gives the mask 1{{x > 0}} = {}. The upstream gradient dL/dy = {} is multiplied entry by entry with the mask, giving dL/dx = {}. In the second row x is negative, so the mask is 0 there and the gradient {} is stopped.",
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

/// Unicode subscript digits, for entry names like `x₂⁽¹⁾`.
fn subscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap()).unwrap())
        .collect()
}

/// `⁽n⁾` for a sample number (1 to 3).
fn sample_sup(n: usize) -> String {
    let digit = ['⁰', '¹', '²', '³'][n];
    format!("⁽{digit}⁾")
}

/// Figure `relu-jacobian.svg`: the 6 × 6 Jacobian of ReLU on the 3 × 2
/// minibatch `X` (columns are samples), built with
/// [`jacobian::from_backward`] from [`relu::backward`]. Entries are stacked
/// sample after sample, so the two samples' 3 × 3 blocks sit on the
/// diagonal; the nonzero entries (1 where `x > 0`) stand out.
pub fn relu_jacobian() -> String {
    let x = array![[2.0, -1.5], [-1.0, 3.0], [0.5, -0.2]];
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
    let (left, top) = (66.0, 78.0);
    let mut svg = Svg::new("relu-jacobian");
    let name = |letter: &str, e: usize| {
        format!("{letter}{}{}", subscript(e % d + 1), sample_sup(e / d + 1))
    };
    for s in 0..n {
        let x0 = left + (s * d) as f64 * cell;
        let w = d as f64 * cell;
        svg.text(
            x0 + w / 2.0,
            16.0,
            Anchor::Middle,
            "lg-caption",
            &format!("sample {}", s + 1),
        );
        svg.line((x0 + 4.0, 22.0), (x0 + w - 4.0, 22.0), "lg-rule");
    }
    for e in 0..k {
        let cx = left + (e as f64 + 0.5) * cell;
        svg.text(cx, 42.0, Anchor::Middle, "lg-head", &name("x", e));
        svg.text(cx, 62.0, Anchor::Middle, "lg-value lg-small", &short(xv[e]));
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
                        Cell::new(short(v), "lg-cell lg-cell-nonzero", "lg-value")
                    } else if r == c {
                        Cell::new(short(v), "lg-cell lg-cell-diag-off", "lg-zero")
                    } else if same_sample {
                        Cell::new(short(v), "lg-cell", "lg-zero")
                    } else {
                        Cell::new(short(v), "lg-cell lg-cell-offblock", "lg-zero")
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
    let legend = [
        "Rows: output entries; columns: input entries, sample after sample.",
        "Only the diagonal can be nonzero: 1 where x > 0, 0 where x ≤ 0 (dashed).",
    ];
    for (i, line) in legend.iter().enumerate() {
        svg.text(
            12.0,
            bottom + 26.0 + 20.0 * i as f64,
            Anchor::Start,
            "lg-legend",
            line,
        );
    }
    let diag: Vec<String> = (0..k).map(|i| short(j[[i, i]])).collect();
    let desc = format!(
        "A 6 by 6 grid: the Jacobian of ReLU for a minibatch of two samples with three entries each, x(1) = {} and x(2) = {}, entries stacked sample after sample. Thick squares mark the two 3 by 3 blocks, one per sample, on the diagonal; the blocks that mix the two samples are all zero. Every off-diagonal entry is zero, and the diagonal is {}: 1 where the input entry is positive, 0 where it is not.",
        short_vec(x.column(0)),
        short_vec(x.column(1)),
        diag.join(", "),
    );
    let legend_width = graph::text_width(legend[0]).max(graph::text_width(legend[1]));
    svg.finish(
        (left + k as f64 * cell).max(12.0 + legend_width) + 12.0,
        bottom + 58.0,
        "The Jacobian of ReLU on a minibatch is diagonal, with one block per sample",
        &desc,
    )
}

/// Figure `bias-minibatch.svg`: the bias `b` is added to every sample's
/// `z⁽ⁱ⁾ = W x⁽ⁱ⁾` (three addition nodes `+ z⁽ⁱ⁾`, one per column), so it
/// fans out, and its
/// gradient is the sum of the three columns of `dY`: `db = [1.5, 0.25]`
/// from [`affine::backward`].
pub fn bias_minibatch() -> String {
    let dy = array![[0.5, -1.0, 2.0], [-1.0, 0.25, 1.0]];
    let (m, n) = dy.dim();
    // db does not depend on W or X; any W (m, d) and X (d, n) do.
    let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
    let x = Array2::zeros((w.ncols(), n));
    let db = affine::backward(&w, &x, &dy).db;
    assert_eq!(
        db,
        dy.sum_axis(Axis(1)),
        "figures: db is not the row sums of dY"
    );
    assert_eq!(db.len(), m);

    let mut nodes = vec![GNode {
        label: "b".into(),
        kind: Kind::Input,
        badge: None,
        note: Some(format!("∂L/∂b = sum = {}", short_vec(&db))),
    }];
    let mut edges = Vec::new();
    for i in 0..n {
        let col = short_vec(dy.column(i));
        let sup = sample_sup(i + 1);
        // Sample i's addition node adds z⁽ⁱ⁾ = W x⁽ⁱ⁾ to b, as the sigmoid
        // graph's "+1" node adds a constant: the figure is about b.
        let plus = nodes.len();
        nodes.push(GNode {
            label: format!("+ z{sup}"),
            kind: Kind::Op,
            badge: None,
            note: None,
        });
        let out = nodes.len();
        nodes.push(GNode {
            label: format!("y{sup}"),
            kind: Kind::Output,
            badge: None,
            note: None,
        });
        for (from, to, value) in [(0, plus, "b"), (plus, out, "")] {
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
        "A minibatch of {n} samples through the bias addition. The same bias b feeds {n} addition nodes, one per sample; node i adds z(i) = W x(i) to b and gives y(i). Below each edge is its gradient: each sample's column of dL/dY, {}, flows back through its addition node unchanged to b. Since b was used {n} times, its gradient is the sum of the columns, {}.",
        cols.join(", "),
        short_vec(&db),
    );
    let legend: [&[svg::Span]; 1] = [&[
        ("gradient", Some("lg-grad")),
        (" below each edge: one column of ∂L/∂Y per sample", None),
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
    let w = array![[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]];
    let x = array![[2.0], [1.0], [-1.0]];
    let dy = array![[0.5], [-1.0]];
    let dw = affine::backward(&w, &x, &dy).dw;
    let (m, d) = dw.dim();

    let (cw, ch) = (76.0, 46.0);
    let gap = 36.0;
    let left = 110.0;
    let top = 34.0;
    let grid_x = left + cw + gap;
    let grid_y = top + ch + gap;
    let mut svg = Svg::new("weight-outer-product");

    // The row xᵀ above the grid, the column dy left of it.
    let row = vec![x
        .iter()
        .map(|&v| Cell::new(short(v), "lg-cell", "lg-value"))
        .collect::<Vec<_>>()];
    cells(&mut svg, grid_x, top, cw, ch, &row);
    svg.text(
        grid_x + d as f64 * cw + 10.0,
        top + ch / 2.0 + 5.0,
        Anchor::Start,
        "lg-head lg-value",
        "xᵀ",
    );
    svg.text(
        grid_x + d as f64 * cw + 10.0,
        top + ch / 2.0 + 23.0,
        Anchor::Start,
        "lg-caption",
        "1 × 3",
    );
    let column: Vec<Vec<Cell>> = dy
        .iter()
        .map(|&v| vec![Cell::new(short(v), "lg-cell", "lg-grad")])
        .collect();
    cells(&mut svg, left, grid_y, cw, ch, &column);
    let mid = grid_y + m as f64 * ch / 2.0;
    svg.text(left - 10.0, mid, Anchor::End, "lg-head lg-grad", "∂L/∂y");
    svg.text(left - 10.0, mid + 18.0, Anchor::End, "lg-caption", "2 × 1");

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
                    Cell::new(short(dw[[i, j]]), "lg-cell lg-cell-nonzero", "lg-grad")
                        .with_sub(format!("{} · {}", short(dy[[i, 0]]), factor(x[[j, 0]])))
                })
                .collect()
        })
        .collect();
    cells(&mut svg, grid_x, grid_y, cw, ch, &grid);
    let below = grid_y + m as f64 * ch;
    svg.spans(
        grid_x + d as f64 * cw / 2.0,
        below + 26.0,
        Anchor::Middle,
        "lg-head",
        &[
            ("∂L/∂W", Some("lg-grad")),
            (" = ", None),
            ("∂L/∂y", Some("lg-grad")),
            (" ", None),
            ("xᵀ", Some("lg-value")),
        ],
    );
    svg.text(
        grid_x + d as f64 * cw / 2.0,
        below + 44.0,
        Anchor::Middle,
        "lg-caption",
        "2 × 3",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(name: &str) -> String {
        all()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no figure {name}"))
            .1
    }

    /// The texts of all `<text>` elements (tspans joined), as a reader
    /// would select them.
    fn texts(svg: &str) -> Vec<String> {
        svg.lines()
            .filter(|l| l.starts_with("<text"))
            .map(|l| {
                let mut out = String::new();
                let mut in_tag = false;
                for c in l.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        _ if !in_tag => out.push(c),
                        _ => {}
                    }
                }
                out.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            })
            .collect()
    }

    fn has_text(svg: &str, wanted: &str) -> bool {
        texts(svg).iter().any(|t| t == wanted)
    }

    #[test]
    fn numbers_are_formatted_without_negative_zero() {
        assert_eq!(fixed2(0.7310585786300049), "0.73");
        assert_eq!(fixed2(-0.5898), "-0.59");
        assert_eq!(fixed2(-0.001), "0.00");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(1.25), "1.25");
        assert_eq!(short_vec(&[1.5, 0.25]), "[1.5, 0.25]");
        assert_eq!(subscript(12), "₁₂");
        assert_eq!(sample_sup(2), "⁽²⁾");
    }

    #[test]
    fn every_figure_is_accessible_and_safe_to_inline_in_markdown() {
        let figures = all();
        assert_eq!(figures.len(), 9);
        for (name, svg) in &figures {
            let stem = name.trim_end_matches(".svg");
            assert!(svg.starts_with("<svg "), "{name}: must start with <svg");
            assert!(svg.ends_with("</svg>\n"), "{name}: must end with </svg>");
            assert_eq!(svg.matches("<svg").count(), 1, "{name}");
            let head = svg.lines().next().unwrap();
            for attr in [
                "role=\"img\"",
                "viewBox=\"0 0 ",
                "max-width:100%",
                "aria-labelledby=",
            ] {
                assert!(head.contains(attr), "{name}: <svg> lacks {attr}");
            }
            assert!(
                svg.contains(&format!("<title id=\"{stem}-title\">")),
                "{name}: no <title>"
            );
            assert!(
                svg.contains(&format!("<desc id=\"{stem}-desc\">")),
                "{name}: no <desc>"
            );
            for (i, line) in svg.lines().enumerate() {
                assert!(!line.trim().is_empty(), "{name}: blank line {}", i + 1);
                assert!(
                    !line.starts_with(' ') && !line.starts_with('\t'),
                    "{name}: line {} is indented",
                    i + 1
                );
                assert!(
                    !line.contains('\\') && !line.contains('$'),
                    "{name}: line {} has \\ or $ (KaTeX would see it)",
                    i + 1
                );
            }
            // every id is prefixed with the figure's stem, so figures can share a page
            for part in svg.split(" id=\"").skip(1) {
                assert!(
                    part.starts_with(stem),
                    "{name}: id {} is not prefixed",
                    &part[..20.min(part.len())]
                );
            }
        }
    }

    #[test]
    fn figures_are_deterministic() {
        assert_eq!(all(), all());
    }

    #[test]
    fn sigmoid_neuron_shows_the_worked_numbers() {
        let svg = figure("sigmoid-neuron.svg");
        // forward values along the graph and the output
        for v in [
            "2.00", "-1.00", "-3.00", "-2.00", "6.00", "4.00", "1.00", "0.37", "1.37", "0.73",
        ] {
            assert!(has_text(&svg, v), "sigmoid-neuron: no value {v}");
        }
        // gradients: at the output, inside, and at the inputs (dw, dx)
        for v in ["-0.53", "-0.20", "0.20", "0.39", "-0.39", "-0.59"] {
            assert!(has_text(&svg, v), "sigmoid-neuron: no gradient {v}");
        }
        // 8 operation nodes, numbered 1..8 in backward order
        assert_eq!(svg.matches("class=\"lg-badge\"").count(), 8);
        assert_eq!(svg.matches("class=\"lg-node lg-node-op\"").count(), 8);
        // 12 edges in the graph plus the output edge
        assert_eq!(svg.matches("class=\"lg-edge\"").count(), 13);
        assert_eq!(
            svg.matches("class=\"lg-grad lg-edge-label lg-small\"")
                .count(),
            13
        );
    }

    #[test]
    fn sigmoid_badge_one_is_the_reciprocal_and_eight_a_product() {
        let (g, out) = sigmoid_neuron_graph([2.0, -3.0, -3.0], [-1.0, -2.0]);
        let (nodes, _) = scalar_figure(&g, out, "out", fixed2);
        let by_badge = |b: usize| {
            nodes
                .iter()
                .find(|n| n.badge == Some(b))
                .unwrap()
                .label
                .clone()
        };
        assert_eq!(by_badge(1), "1/x");
        assert_eq!(by_badge(2), "+1");
        assert_eq!(by_badge(3), "exp");
        assert_eq!(by_badge(4), "-x");
        assert_eq!(by_badge(8), "*");
        assert!(nodes
            .iter()
            .filter(|n| n.kind == Kind::Input)
            .all(|n| n.badge.is_none()));
    }

    #[test]
    fn fan_out_shows_both_contributions_and_their_sum() {
        let svg = figure("fan-out.svg");
        assert!(has_text(&svg, "∂f/∂x = -1 + 3 = 2"), "{:?}", texts(&svg));
        for v in ["3", "-4", "-1", "-3"] {
            assert!(has_text(&svg, v), "fan-out: no {v}");
        }
        let mut g = Graph::new();
        let x = g.input("x", 3.0);
        let y = g.input("y", -4.0);
        let s = g.add(x, y);
        let f = g.mul(s, x);
        g.backward(f);
        let into_x: Vec<f64> = edge_gradients(&g)
            .iter()
            .filter(|e| e.0 == x)
            .map(|e| e.2)
            .collect();
        assert_eq!(into_x, vec![3.0, -1.0]);
    }

    #[test]
    fn edge_gradients_refuse_a_graph_whose_grads_do_not_add_up() {
        let mut g = Graph::new();
        let x = g.input("x", 3.0);
        let y = g.mul(x, x);
        g.backward(y);
        assert_eq!(edge_gradients(&g).iter().map(|e| e.2).sum::<f64>(), 6.0);
        // Backward from x: x.grad = 1 but y.grad = 0, so the edges out of x
        // carry 0 and do not add up to x.grad.
        g.backward(x);
        let r = std::panic::catch_unwind(|| edge_gradients(&g));
        assert!(r.is_err());
    }

    #[test]
    fn relu_mask_shows_the_four_columns() {
        let svg = figure("relu-mask.svg");
        for v in [
            "2",
            "-1",
            "0.5",
            "1",
            "0",
            "0.3",
            "-0.7",
            "1.2",
            "1{x > 0}",
            "∂L/∂y",
            "∂L/∂x",
        ] {
            assert!(has_text(&svg, v), "relu-mask: no {v}");
        }
        // mask has two ones, result two nonzeros: four highlighted cells
        assert_eq!(svg.matches("lg-cell-nonzero").count(), 4);
        assert_eq!(svg.matches("lg-cell-zero").count(), 2);
    }

    #[test]
    fn relu_jacobian_has_three_ones_on_the_diagonal_and_two_blocks() {
        let svg = figure("relu-jacobian.svg");
        assert_eq!(svg.matches("lg-cell-nonzero").count(), 3);
        assert_eq!(svg.matches("lg-cell-diag-off").count(), 3);
        assert_eq!(svg.matches("class=\"lg-block\"").count(), 2);
        assert_eq!(svg.matches("class=\"lg-cell").count(), 36);
        for v in ["x₁⁽¹⁾", "x₃⁽²⁾", "y₂⁽¹⁾", "-1.5", "-0.2"] {
            assert!(has_text(&svg, v), "relu-jacobian: no {v}");
        }
    }

    #[test]
    fn bias_minibatch_shows_columns_and_their_sum() {
        let svg = figure("bias-minibatch.svg");
        for v in [
            "[0.5, -1]",
            "[-1, 0.25]",
            "[2, 1]",
            "∂L/∂b = sum = [1.5, 0.25]",
        ] {
            assert!(has_text(&svg, v), "bias-minibatch: no {v}");
        }
        assert_eq!(svg.matches("class=\"lg-node lg-node-op\"").count(), 3);
        assert_eq!(svg.matches("class=\"lg-edge\"").count(), 6);
        assert!(has_text(&svg, "+ z⁽²⁾"));
    }

    #[test]
    fn weight_outer_product_shows_dw() {
        let svg = figure("weight-outer-product.svg");
        for v in [
            "1",
            "0.5",
            "-0.5",
            "-2",
            "-1",
            "0.5 · 2",
            "-1 · (-1)",
            "xᵀ",
            "∂L/∂W = ∂L/∂y xᵀ",
        ] {
            assert!(has_text(&svg, v), "weight-outer-product: no {v}");
        }
    }

    #[test]
    fn stale_figures_names_missing_changed_and_extra_files() {
        let dir = std::env::temp_dir().join(format!("lg-figures-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, svg) in all() {
            std::fs::write(dir.join(name), svg).unwrap();
        }
        assert!(stale_figures(&dir).is_empty());
        let edited = figure("relu-mask.svg").replace("0.3", "0.4");
        std::fs::write(dir.join("relu-mask.svg"), edited).unwrap();
        std::fs::remove_file(dir.join("fan-out.svg")).unwrap();
        std::fs::write(dir.join("old.svg"), "<svg/>").unwrap();
        let problems = stale_figures(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("fan-out.svg is missing"));
        assert!(problems[1].contains("relu-mask.svg differs"));
        assert!(problems[2].contains("old.svg is not drawn"));
    }
}
