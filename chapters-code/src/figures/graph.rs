//! Computational-graph figures: `layout-rs` places the nodes and routes the
//! edges (a Graphviz-style layered layout, left to right); this module
//! reads the computed positions back and draws the figure itself, so that
//! every edge can carry two labels (forward value above, gradient below)
//! styled by the book's CSS classes.
//!
//! The positions are captured with a [`RenderBackend`] that records what
//! `layout-rs` would draw instead of drawing it. Nodes and edges are
//! recognised by the `properties` string `layout-rs` passes through
//! (`n3`, `e5`). Each edge is given to the layout with a placeholder label
//! of the size of its two labels (`#5#___…`, in a tiny font so the size is
//! precise), so the layout reserves room for them like Graphviz does; we
//! find the placeholder by its tag and write the value above the edge and
//! the gradient below it, at that spot.

use super::svg::{coord, Anchor, Span, Svg};
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

/// Radius of an operation node.
const OP_RADIUS: f64 = 18.0;
/// Height of an input (leaf) node.
const INPUT_HEIGHT: f64 = 28.0;
/// Free space the layout keeps around each node: little along the edges
/// (the labels sit there and have their own room), more across them.
const HALO: (f64, f64) = (10.0, 36.0);
/// The placeholder labels use a font this many units wide per character
/// and high per line, so their size follows the real labels closely.
const LABEL_UNIT: usize = 2;
/// Height of the room kept for an edge's two labels (value and gradient),
/// to which `layout-rs` adds 10 units of padding.
const LABEL_HEIGHT: f64 = 26.0;
/// Margin around the drawing.
const MARGIN: f64 = 12.0;
/// Radius of the step-number badge of an operation node.
const BADGE_RADIUS: f64 = 8.5;

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A leaf (an input or a parameter): a rounded box with its name.
    Input,
    /// An operation: a circle with its symbol (a pill if the symbol is
    /// long, like `+ z⁽¹⁾`).
    Op,
    /// The end of the output edge: just its name, no border.
    Output,
}

/// A node of a graph figure.
#[derive(Clone, Debug)]
pub(crate) struct GNode {
    pub label: String,
    pub kind: Kind,
    /// The node's step in the backward pass (1 = first visited), drawn as a
    /// small numbered badge.
    pub badge: Option<usize>,
    /// A gradient note written to the left of the node (for leaves, whose
    /// left side is free), e.g. the sum of the gradients of a fan-out.
    pub note: Option<String>,
}

/// An edge `from → to` (indices into the node list) with the forward value
/// it carries (drawn above it) and the gradient that flows back along it
/// (drawn below it, in the gradient colour).
#[derive(Clone, Debug)]
pub(crate) struct GEdge {
    pub from: usize,
    pub to: usize,
    pub value: String,
    pub grad: String,
}

/// What `layout-rs` would have drawn: shapes and arrows (by properties),
/// and texts (the placeholders of the edge labels).
#[derive(Default)]
struct Recorder {
    texts: Vec<(Point, String)>,
    shapes: Vec<(String, Point, Point)>,
    arrows: Vec<(String, Vec<(Point, Point)>)>,
}

impl RenderBackend for Recorder {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        if let Some(p) = properties {
            let center = Point::new(xy.x + size.x / 2.0, xy.y + size.y / 2.0);
            self.shapes.push((p, center, size));
        }
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
    ) {
        if let Some(p) = properties {
            self.shapes.push((p, xy, size));
        }
    }

    fn draw_text(&mut self, xy: Point, text: &str, _look: &StyleAttr) {
        self.texts.push((xy, text.to_string()));
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        _head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        if let Some(p) = properties {
            self.arrows.push((p, path.to_vec()));
        }
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// Estimated width of a line of 14px sans-serif text (digits and most
/// letters about 0.57 em, punctuation narrower).
pub(crate) fn text_width(text: &str) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            '.' | ',' | ' ' | '[' | ']' | '(' | ')' | '1' | 'i' | 'l' => 0.33,
            '-' => 0.36,
            'm' | 'w' | 'W' | '∂' => 0.8,
            '⁽' | '⁾' | '¹' | '²' | '³' => 0.25,
            _ => 0.58,
        })
        .sum();
    em * 14.0
}

/// The drawn size of a node.
fn node_size(node: &GNode) -> Point {
    match node.kind {
        Kind::Op => Point::new(
            (text_width(&node.label) + 10.0).max(2.0 * OP_RADIUS),
            2.0 * OP_RADIUS,
        ),
        Kind::Input => Point::new(text_width(&node.label) + 20.0, INPUT_HEIGHT),
        Kind::Output => Point::new(text_width(&node.label) + 8.0, INPUT_HEIGHT - 6.0),
    }
}

/// The point at `t` of the cubic Bézier `p0, c0, c1, p1`.
fn bezier(p0: Point, c0: Point, c1: Point, p1: Point, t: f64) -> Point {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point::new(
        a * p0.x + b * c0.x + c * c1.x + d * p1.x,
        a * p0.y + b * c0.y + c * c1.y + d * p1.y,
    )
}

/// Points along a path in `layout-rs`'s format (`M p0 C c0 c1 p1 S c2 p2
/// S …`, where each `S` reflects the previous control point), 40 per
/// segment.
fn sample_path(path: &[(Point, Point)]) -> Vec<Point> {
    let mut out = Vec::new();
    let (mut start, mut c0) = path[0];
    for &(c1, end) in &path[1..] {
        for i in 0..=40 {
            out.push(bezier(start, c0, c1, end, i as f64 / 40.0));
        }
        // The next segment's first control point mirrors this one's last.
        c0 = Point::new(2.0 * end.x - c1.x, 2.0 * end.y - c1.y);
        start = end;
    }
    out
}

/// The placeholder label of edge `k`: as wide as its longer label, as
/// high as [`LABEL_HEIGHT`], in units of [`LABEL_UNIT`], and starting with
/// `#k#` so that it can be found again.
fn placeholder(k: usize, edge: &GEdge) -> String {
    let unit = LABEL_UNIT as f64;
    let width = text_width(&edge.value).max(text_width(&edge.grad)) + 4.0;
    let chars = ((width / unit).ceil() as usize).max(4);
    let lines = (LABEL_HEIGHT / unit).ceil() as usize;
    let first = format!("{:_<chars$}", format!("#{k}#"));
    let mut all = vec![first];
    all.resize(lines, "_".to_string());
    all.join("\n")
}

/// The `y` where the path passes `x` (the closest sample).
fn y_at(path: &[(Point, Point)], x: f64) -> f64 {
    sample_path(path)
        .into_iter()
        .min_by(|a, b| (a.x - x).abs().total_cmp(&(b.x - x).abs()))
        .map(|p| p.y)
        .expect("a path has points")
}

/// Positions computed by the layout, in the layout's coordinates.
struct Placed {
    /// Centre and size of every node.
    nodes: Vec<(Point, Point)>,
    /// Every edge's path, in `layout-rs`'s format: the start point and its
    /// control point, then (control point, point) pairs.
    paths: Vec<Vec<(Point, Point)>>,
    /// Where every edge's labels go: the middle of the room the layout
    /// kept for them, at the height of the edge there.
    labels: Vec<(f64, f64)>,
}

/// Runs `layout-rs` on the graph and reads back the positions.
fn place(nodes: &[GNode], edges: &[GEdge]) -> Placed {
    let halo = Point::new(HALO.0, HALO.1);
    let mut vg = VisualGraph::new(Orientation::LeftToRight);
    let handles: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let shape = match n.kind {
                Kind::Op if node_size(n).x <= 2.0 * OP_RADIUS => ShapeKind::new_circle(""),
                _ => ShapeKind::new_box(""),
            };
            let mut element = Element::create_with_properties(
                shape,
                StyleAttr::simple(),
                Orientation::LeftToRight,
                node_size(n),
                format!("n{i}"),
            );
            element.pos = Position::new(Point::zero(), node_size(n), Point::zero(), halo);
            vg.add_node(element)
        })
        .collect();
    for (k, e) in edges.iter().enumerate() {
        let mut arrow = Arrow::simple_with_properties(&placeholder(k, e), format!("e{k}"));
        arrow.look.font_size = LABEL_UNIT;
        vg.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    let mut rec = Recorder::default();
    vg.do_it(false, false, false, &mut rec);

    let find_shape = |i: usize| {
        let key = format!("n{i}");
        let (_, c, s) = rec
            .shapes
            .iter()
            .find(|(p, _, _)| *p == key)
            .unwrap_or_else(|| panic!("layout-rs did not place node {i}"));
        (*c, *s)
    };
    let find_path = |k: usize| {
        let key = format!("e{k}");
        rec.arrows
            .iter()
            .find(|(p, _)| *p == key)
            .unwrap_or_else(|| panic!("layout-rs did not route edge {k}"))
            .1
            .clone()
    };
    let paths: Vec<_> = (0..edges.len()).map(find_path).collect();
    let labels = (0..edges.len())
        .map(|k| {
            let tag = format!("#{k}#");
            let (at, _) = rec
                .texts
                .iter()
                .find(|(_, t)| t.starts_with(&tag))
                .unwrap_or_else(|| panic!("layout-rs did not place the label of edge {k}"));
            (at.x, y_at(&paths[k], at.x))
        })
        .collect();
    Placed {
        nodes: (0..nodes.len()).map(find_shape).collect(),
        paths,
        labels,
    }
}

/// Draws a graph figure.
///
/// `id` is the figure's file stem (it prefixes ids inside the SVG),
/// `title` and `desc` its alt text, `legend` lines of spans drawn under
/// the graph.
pub(crate) fn draw(
    id: &str,
    nodes: &[GNode],
    edges: &[GEdge],
    legend: &[&[Span]],
    title: &str,
    desc: &str,
) -> String {
    let placed = place(nodes, edges);

    // Bounding box of everything we draw, in layout coordinates.
    let mut lo = Point::splat(f64::INFINITY);
    let mut hi = Point::splat(f64::NEG_INFINITY);
    let mut grow = |x: f64, y: f64| {
        lo = Point::new(lo.x.min(x), lo.y.min(y));
        hi = Point::new(hi.x.max(x), hi.y.max(y));
    };
    for (node, &(c, s)) in nodes.iter().zip(&placed.nodes) {
        grow(c.x - s.x / 2.0, c.y - s.y / 2.0 - BADGE_RADIUS);
        grow(c.x + s.x / 2.0 + BADGE_RADIUS, c.y + s.y / 2.0);
        if let Some(note) = &node.note {
            grow(c.x - s.x / 2.0 - 8.0 - text_width(note), c.y);
        }
    }
    for path in &placed.paths {
        for (a, b) in path {
            grow(a.x, a.y);
            grow(b.x, b.y);
        }
    }
    for (edge, &(x, y)) in edges.iter().zip(&placed.labels) {
        let half = text_width(&edge.value).max(text_width(&edge.grad)) / 2.0;
        grow(x - half, y - 20.0);
        grow(x + half, y + 20.0);
    }
    let legend_width = legend
        .iter()
        .map(|line| text_width(&line.iter().map(|(t, _)| *t).collect::<String>()))
        .fold(0.0, f64::max);
    let legend_height = 20.0 * legend.len() as f64 + if legend.is_empty() { 0.0 } else { 6.0 };
    let dx = MARGIN - lo.x;
    let dy = MARGIN - lo.y;
    let width = (hi.x - lo.x + 2.0 * MARGIN).max(legend_width + 2.0 * MARGIN);
    let height = hi.y - lo.y + 2.0 * MARGIN + legend_height;
    let at = |p: Point| (p.x + dx, p.y + dy);

    let mut svg = Svg::new(id);
    // Edges first, so that nodes sit on top of their ends.
    for path in &placed.paths {
        let p = |q: Point| {
            let (x, y) = at(q);
            format!("{} {}", coord(x), coord(y))
        };
        let mut d = format!(
            "M{} C{}, {}, {}",
            p(path[0].0),
            p(path[0].1),
            p(path[1].0),
            p(path[1].1)
        );
        for seg in &path[2..] {
            d.push_str(&format!(" S{}, {}", p(seg.0), p(seg.1)));
        }
        svg.arrow_path(&d, "lg-edge");
    }
    for (edge, &(x, y)) in edges.iter().zip(&placed.labels) {
        let (x, y) = at(Point::new(x, y));
        if !edge.value.is_empty() {
            svg.text(
                x,
                y - 6.0,
                Anchor::Middle,
                "lg-value lg-edge-label",
                &edge.value,
            );
        }
        if !edge.grad.is_empty() {
            svg.text(
                x,
                y + 16.0,
                Anchor::Middle,
                "lg-grad lg-edge-label lg-small",
                &edge.grad,
            );
        }
    }
    for (node, &(c, s)) in nodes.iter().zip(&placed.nodes) {
        let (x, y) = at(c);
        match node.kind {
            Kind::Op if s.x <= 2.0 * OP_RADIUS => svg.circle(x, y, OP_RADIUS, "lg-node lg-node-op"),
            Kind::Op => svg.rect(
                x - s.x / 2.0,
                y - s.y / 2.0,
                s.x,
                s.y,
                OP_RADIUS,
                "lg-node lg-node-op",
            ),
            Kind::Input => svg.rect(
                x - s.x / 2.0,
                y - s.y / 2.0,
                s.x,
                s.y,
                6.0,
                "lg-node lg-node-input",
            ),
            Kind::Output => {}
        }
        let class = if node.kind == Kind::Output {
            "lg-node-label lg-node-output"
        } else {
            "lg-node-label"
        };
        svg.text(x, y + 5.0, Anchor::Middle, class, &node.label);
        if let Some(n) = node.badge {
            let (bx, by) = (x + 0.8 * OP_RADIUS, y - 0.8 * OP_RADIUS);
            svg.circle(bx, by, BADGE_RADIUS, "lg-badge");
            svg.text(
                bx,
                by + 3.5,
                Anchor::Middle,
                "lg-badge-text",
                &n.to_string(),
            );
        }
        if let Some(note) = &node.note {
            svg.text(
                x - s.x / 2.0 - 8.0,
                y + 5.0,
                Anchor::End,
                "lg-grad lg-note",
                note,
            );
        }
    }
    let legend_top = height - MARGIN - 20.0 * legend.len() as f64;
    for (i, line) in legend.iter().enumerate() {
        let y = legend_top + 20.0 * (i as f64 + 1.0) - 5.0;
        svg.spans(MARGIN, y, Anchor::Start, "lg-legend", line);
    }
    svg.finish(width, height, title, desc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_tagged_and_as_large_as_the_labels() {
        let e = GEdge {
            from: 0,
            to: 1,
            value: "-0.53".into(),
            grad: "[1.5, 0.25]".into(),
        };
        let p = placeholder(7, &e);
        assert!(p.starts_with("#7#_"));
        let first = p.lines().next().unwrap().chars().count();
        assert!((first * LABEL_UNIT) as f64 >= text_width("[1.5, 0.25]"));
        assert!((p.lines().count() * LABEL_UNIT) as f64 >= LABEL_HEIGHT);
    }

    #[test]
    fn a_path_is_followed_through_its_mirrored_segments() {
        let (a, b) = (Point::new(0.0, 0.0), Point::new(100.0, 0.0));
        let c = Point::new(200.0, 50.0);
        let path = [
            (a, Point::new(30.0, 0.0)),
            (Point::new(70.0, 0.0), b),
            (Point::new(170.0, 50.0), c),
        ];
        assert_eq!(y_at(&path, 50.0), 0.0);
        assert_eq!(y_at(&path, 200.0), 50.0);
    }

    #[test]
    fn wider_text_is_estimated_wider() {
        assert!(text_width("-0.53") < text_width("[-1, 0.25]"));
        assert!(text_width("1") < text_width("8"));
    }

    #[test]
    fn bezier_ends_are_its_end_points() {
        let (a, b) = (Point::new(0.0, 0.0), Point::new(10.0, 4.0));
        let mid = Point::new(5.0, 2.0);
        assert_eq!(bezier(a, mid, mid, b, 0.0).x, 0.0);
        assert_eq!(bezier(a, mid, mid, b, 1.0).y, 4.0);
    }

    #[test]
    fn every_node_and_edge_is_placed_left_to_right() {
        let nodes = vec![
            GNode {
                label: "a".into(),
                kind: Kind::Input,
                badge: None,
                note: None,
            },
            GNode {
                label: "+".into(),
                kind: Kind::Op,
                badge: Some(1),
                note: None,
            },
        ];
        let edges = vec![GEdge {
            from: 0,
            to: 1,
            value: "1.00".into(),
            grad: "2.00".into(),
        }];
        let placed = place(&nodes, &edges);
        assert!(placed.nodes[0].0.x < placed.nodes[1].0.x);
        let (lx, _) = placed.labels[0];
        assert!(placed.nodes[0].0.x < lx && lx < placed.nodes[1].0.x);
    }
}
