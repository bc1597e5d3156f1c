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
//!
//! The edges themselves are not drawn along `layout-rs`'s curves, whose
//! control points can turn back just before an arrowhead (a kink) and
//! whose labels can sit on a steep stretch (an edge through its label).
//! We keep its end points and joints and draw our own route ([`route`]):
//! out of the source along the radius, level and straight under the whole
//! width of the label, and into the target along the radius, with smooth
//! cubic pieces in between.

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
const BADGE_RADIUS: f64 = 10.0;

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
pub fn text_width(text: &str) -> f64 {
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
#[cfg(test)]
fn bezier(p0: Point, c0: Point, c1: Point, p1: Point, t: f64) -> Point {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point::new(
        a * p0.x + b * c0.x + c * c1.x + d * p1.x,
        a * p0.y + b * c0.y + c * c1.y + d * p1.y,
    )
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

/// The unit vector along `v` (zero stays zero).
fn unit(v: Point) -> Point {
    let len = (v.x * v.x + v.y * v.y).sqrt();
    if len == 0.0 {
        v
    } else {
        Point::new(v.x / len, v.y / len)
    }
}

/// Our route of one edge from `layout-rs`'s path (in its format: the
/// start point and its control point, then (control point, point) pairs),
/// the placeholder label's middle `at`, and the centres of the source and
/// target nodes. Returns the route's points, each with the unit direction
/// of the edge there, and the middle of the label.
///
/// `layout-rs` runs the edge through the label's box and joins it at the
/// box's right end. The route keeps the start, the end and every joint,
/// adds the box's left end, and is level along the whole box, so the
/// labels above and below it never touch the edge. It leaves the source
/// and enters the target along the line to the node's centre, so the
/// arrowhead points at the centre and the curve has no kink.
fn route(
    path: &[(Point, Point)],
    at: Point,
    from: Point,
    to: Point,
) -> (Vec<(Point, Point)>, (f64, f64)) {
    let level = Point::new(1.0, 0.0);
    let start = path[0].0;
    let end = path[path.len() - 1].1;
    let joints: Vec<Point> = path[1..path.len() - 1].iter().map(|p| p.1).collect();
    // The label's joint: the first joint right of the label's middle.
    let label_joint = joints
        .iter()
        .position(|j| j.x >= at.x)
        .unwrap_or_else(|| panic!("layout-rs ran no joint through the label at {at:?}"));
    let mut points = vec![(start, unit(Point::new(start.x - from.x, start.y - from.y)))];
    for (i, &j) in joints.iter().enumerate() {
        if i == label_joint {
            let left = (2.0 * at.x - j.x).max(start.x + 4.0);
            points.push((Point::new(left, j.y), level));
        }
        points.push((j, level));
    }
    points.push((end, unit(Point::new(to.x - end.x, to.y - end.y))));
    (points, (at.x, joints[label_joint].y))
}

/// The SVG path data of a route: one cubic piece between each two points,
/// leaving and arriving along each point's direction (a straight line
/// where both are level at the same height), with handles a third of the
/// distance long but never longer than the horizontal distance, so the
/// curve never turns back.
fn route_d(points: &[(Point, Point)], at: impl Fn(Point) -> (f64, f64)) -> String {
    let p = |q: Point| {
        let (x, y) = at(q);
        format!("{} {}", coord(x), coord(y))
    };
    let mut d = format!("M{}", p(points[0].0));
    for w in points.windows(2) {
        let ((a, ta), (b, tb)) = (w[0], w[1]);
        let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
        if ta.x == tb.x && ta.y == tb.y && (b.y - a.y).abs() < 1e-9 && ta.y == 0.0 {
            d.push_str(&format!(" L{}", p(b)));
            continue;
        }
        // Handles no longer than the horizontal distance, so that neither
        // control point passes the other end and the curve never bulges back.
        let h = (len / 3.0).min((b.x - a.x).abs());
        let c0 = Point::new(a.x + ta.x * h, a.y + ta.y * h);
        let c1 = Point::new(b.x - tb.x * h, b.y - tb.y * h);
        d.push_str(&format!(" C{}, {}, {}", p(c0), p(c1), p(b)));
    }
    d
}

/// Positions computed by the layout, in the layout's coordinates.
struct Placed {
    /// Centre and size of every node.
    nodes: Vec<(Point, Point)>,
    /// Every edge's route: points on it, each with the direction the
    /// edge has there (see [`route`]).
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
    let mut paths = Vec::new();
    let mut labels = Vec::new();
    for (k, e) in edges.iter().enumerate() {
        let tag = format!("#{k}#");
        let (at, _) = rec
            .texts
            .iter()
            .find(|(_, t)| t.starts_with(&tag))
            .unwrap_or_else(|| panic!("layout-rs did not place the label of edge {k}"));
        let (from, to) = (find_shape(e.from).0, find_shape(e.to).0);
        let (points, label) = route(&find_path(k), *at, from, to);
        paths.push(points);
        labels.push(label);
    }
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
        for (a, _) in path {
            grow(a.x, a.y);
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
        svg.arrow_path(&route_d(path, at), "lg-edge");
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
    fn a_route_is_level_under_its_label_and_ends_along_the_radius() {
        // start on the right of a node at (0, 0), label box around x = 60
        // at height 40, end on the left of a node at (130, 40)
        let path = [
            (Point::new(10.0, 0.0), Point::new(40.0, 0.0)),
            (Point::new(50.0, 40.0), Point::new(80.0, 40.0)),
            (Point::new(100.0, 40.0), Point::new(118.0, 40.0)),
        ];
        let (points, label) = route(
            &path,
            Point::new(60.0, 40.0),
            Point::zero(),
            Point::new(130.0, 40.0),
        );
        assert_eq!(label, (60.0, 40.0));
        let xy: Vec<(f64, f64)> = points.iter().map(|(p, _)| (p.x, p.y)).collect();
        assert_eq!(xy, [(10.0, 0.0), (40.0, 40.0), (80.0, 40.0), (118.0, 40.0)]);
        assert_eq!((points[0].1.x, points[0].1.y), (1.0, 0.0));
        let d = route_d(&points, |p| (p.x, p.y));
        assert!(d.contains(" L80 40"), "{d}");
        assert!(d.starts_with("M10 0 C"), "{d}");
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
