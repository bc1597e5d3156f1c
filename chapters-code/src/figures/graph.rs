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

use super::svg::{
    coord, font_size, formula_width, has_subscript, math_width, plain,
    plain_letter, Anchor, Span, Svg, MATH_SCALE,
};
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

/// Smallest radius of an operation node. Every circle of a figure has the
/// same radius: the largest that one of its symbols needs.
const OP_RADIUS: f64 = 18.0;
/// A symbol that needs a larger circle than this goes in a pill instead
/// (a rounded box as high as the circles), like `+ Wx⁽¹⁾`.
const MAX_CIRCLE: f64 = 25.0;
/// Height and corner radius of an input (leaf) node.
const INPUT_HEIGHT: f64 = 30.0;
const INPUT_ROUND: f64 = 6.0;
/// Clear space between a node's name (its ink box, estimated) and the
/// inside of its outline, and between a badge and the node's name.
const NODE_PAD: f64 = 5.0;
/// The same for an operation's symbol, which needs more air: its circle is
/// round, and the symbol's ink fills its box.
const OP_PAD: f64 = 8.0;
/// Clear space on each side of the output's name (which has no outline):
/// the arrowhead that points at it stops this far from it.
const OUTPUT_PAD: f64 = 8.0;
/// Width of a node's outline (the stylesheet's `stroke-width`).
const STROKE: f64 = 1.5;
/// A node's name has its baseline this far below the node's middle,
/// which centres capitals and digits.
const NAME_BASELINE: f64 = 5.0;
/// Free space the layout keeps around each node: little along the edges
/// (the labels sit there and have their own room), more across them.
const HALO: (f64, f64) = (10.0, 24.0);
/// The placeholder labels use a font this many units wide per character
/// and high per line, so their size follows the real labels closely.
const LABEL_UNIT: usize = 2;
/// Height of the room kept for an edge's two labels (value and gradient),
/// to which `layout-rs` adds 10 units of padding: so much that the labels
/// of two edges side by side are clearly farther apart than an edge's own
/// value and gradient.
const LABEL_HEIGHT: f64 = 40.0;
/// Clear space between an edge's labels and the nodes left and right of
/// them. `layout-rs` keeps 15 units on each side of a label (its padding
/// and halo around the label, half the nodes' [`HALO`]); the placeholder
/// is narrower than the labels by the difference.
const LABEL_SIDE: f64 = 9.0;
/// Room added to the right of every edge's labels, for the arrowhead at
/// the edge's end (10.5 units long): with [`LABEL_SIDE`], the labels keep
/// clear of it.
const ARROW_ROOM: f64 = 4.0;
/// Margin around the drawing.
const MARGIN: f64 = 12.0;
/// Radius of the step-number badge of an operation node, and where its
/// number's baseline sits below its middle.
const BADGE_RADIUS: f64 = 11.0;
const BADGE_BASELINE: f64 = 4.5;

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A leaf (an input or a parameter): a rounded box with its name.
    Input,
    /// An operation: a circle with its symbol (a pill if the symbol is
    /// long, like `+ Wx⁽¹⁾`).
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
    /// left side is free), e.g. the sum of the gradients of a fan-out; each
    /// line break (`\n`) inside its formula starts a new line, flush left.
    /// It is drawn in the gradient colour and the figure's regular weight,
    /// as the edges' gradients are.
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

    fn draw_line(
        &mut self,
        _: Point,
        _: Point,
        _: &StyleAttr,
        _: Option<String>,
    ) {
    }

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

/// The distance between the baselines of a note's lines.
const NOTE_LEADING: f64 = 22.0;

/// The lines of a gradient note: a long formula is broken before a
/// relation, as TeX breaks a display, each line a formula of its own
/// (`$a = b\n= c$`).
fn note_lines(note: &str) -> Vec<String> {
    let lines: Vec<&str> = note.split('\n').collect();
    if lines.len() == 1 {
        return vec![note.to_string()];
    }
    let open = |l: &str| {
        if l.starts_with('$') {
            l.to_string()
        } else {
            format!("${l}")
        }
    };
    let close = |l: String| if l.ends_with('$') { l } else { format!("{l}$") };
    lines.iter().map(|l| close(open(l))).collect()
}

/// The width of a note's widest line.
fn note_width(note: &str) -> f64 {
    note_lines(note)
        .iter()
        .map(|l| text_width(l))
        .fold(0.0, f64::max)
}

/// Estimated width of a line of 14px text in the book's font, Open Sans
/// (mdBook's, which the inlined figures inherit), regular weight: each
/// character's advance width in em, as Chromium measures it; 0.6 em for a
/// character not in the table. Semibold text is about 4% wider. A
/// formula (`$w_0$`) is as wide as [`svg::math`](super::svg::math) sets
/// it ([`formula_width`]); its markup takes no room.
pub fn text_width(text: &str) -> f64 {
    let mut em = 0.0;
    for (i, piece) in text.split('$').enumerate() {
        em += if i % 2 == 1 {
            formula_width(piece)
        } else {
            words_width(piece)
        };
    }
    em * 14.0
}

/// The width of words in the page font, in em; a mathematical italic
/// letter (as a reader selects a figure's formula) in the math font.
fn words_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            c if plain_letter(c) != c => {
                math_width(&c.to_string()) * MATH_SCALE
            }
            ',' | 'i' | 'j' | 'l' | '⁽' | '⁾' => 0.25,
            ' ' => 0.26,
            '.' | ':' | ';' | 'J' | '·' => 0.27,
            'I' => 0.28,
            '(' | ')' => 0.3,
            '-' => 0.32,
            '[' | ']' => 0.33,
            'f' => 0.34,
            't' | '¹' | '²' | '³' => 0.35,
            '/' => 0.37,
            '{' | '}' | 'ᵀ' => 0.38,
            '₀'..='₉' => 0.4,
            'r' => 0.41,
            '_' => 0.45,
            'z' => 0.47,
            'c' | 's' => 0.48,
            'v' | 'y' => 0.5,
            'F' | 'L' | 'x' => 0.52,
            'k' => 0.53,
            '*' | 'S' | 'T' | 'g' => 0.55,
            'E' | 'Y' | 'a' | 'e' => 0.56,
            '0'..='9' | '+' | '=' | 'Z' | '×' | '÷' | '−' | '≤' => 0.57,
            'X' | '∂' => 0.58,
            'b' | 'd' | 'h' | 'n' | 'p' | 'q' | 'u' | 'K' => 0.61,
            'R' | 'µ' => 0.62,
            'A' | 'C' => 0.63,
            'D' | 'G' | 'U' | '&' => 0.73,
            'H' | 'N' => 0.75,
            'O' | 'Q' | 'w' => 0.78,
            '→' | '⊙' => 0.84,
            'M' => 0.9,
            'W' | 'm' => 0.93,
            _ => 0.6,
        })
        .sum()
}

/// How far a line of text reaches above its baseline, in em: capitals
/// and digits reach 0.72 em in Open Sans.
pub const ASCENT: f64 = 0.75;

/// How far a line of text reaches below its baseline, in em: 0.25 if it
/// has a descender (`p`, `y`, a parenthesis, a subscript, a comma), else
/// 0.05 (round letters dip a little).
pub fn descent(text: &str) -> f64 {
    let descends =
        |c: char| "gjpqyµ,;()[]{}|".contains(c) || ('₀'..='₉').contains(&c);
    if has_subscript(text) || text.chars().any(descends) {
        0.25
    } else {
        0.05
    }
}

/// The ink box of a line of text of `size` pixels around the point it is
/// anchored at (its middle, on the baseline): half its width, and how far
/// it reaches above (negative) and below the baseline.
fn ink(text: &str, size: f64) -> (f64, f64, f64) {
    (
        text_width(text) * size / 14.0 / 2.0,
        -ASCENT * size,
        descent(text) * size,
    )
}

/// The outline of a node, centred on the node: a rounded box of half-width
/// `half.x` and half-height `half.y` with corners of radius `round` (a
/// circle when all three are equal).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Outline {
    half: Point,
    round: f64,
}

impl Outline {
    fn is_circle(&self) -> bool {
        self.half.x == self.round && self.half.y == self.round
    }
}

/// The smallest half-width of a rounded box (half-height `half_h`, corner
/// radius `round`) that keeps a text's ink box (half width `tw`, reaching
/// from `top` to `bottom` around the box's middle) `pad` inside the
/// outline's stroke, rounded corners included.
fn fitting_half_width(
    tw: f64,
    (top, bottom): (f64, f64),
    half_h: f64,
    round: f64,
    pad: f64,
) -> f64 {
    let room = round - STROKE / 2.0 - pad;
    let th = (-top).max(bottom);
    // How far the text reaches into the rounded corners, vertically.
    let dy = (th - (half_h - round)).max(0.0);
    assert!(
        dy < room,
        "figures: a node's name is too tall for its outline"
    );
    (tw - (room * room - dy * dy).sqrt()).max(0.0) + round
}

/// The class of a node's name, and how far below the node's middle its
/// baseline sits. An operation that is one sign (`+`, `·`) is drawn as
/// large as the operators between the grids ([`font_size`] of
/// `lg-node-sign`), so that a product's dot is not lost in its circle;
/// the sign's middle (0.36 em above the baseline) is the node's.
fn name_style(node: &GNode) -> (&'static str, f64) {
    let sign = plain(&node.label).chars().count() == 1
        && plain(&node.label).chars().all(|c| "+−·×".contains(c));
    match node.kind {
        Kind::Output => ("lg-node-label lg-node-output", NAME_BASELINE),
        Kind::Op if sign => (
            "lg-node-label lg-node-sign",
            0.36 * font_size("lg-node-sign"),
        ),
        _ => ("lg-node-label", NAME_BASELINE),
    }
}

/// The ink box of a node's name around the node's middle: half width, top
/// and bottom.
fn name_ink(node: &GNode) -> (f64, f64, f64) {
    let (class, baseline) = name_style(node);
    let size = font_size(class);
    let (tw, top, bottom) = ink(&node.label, size);
    // Italic letters lean past their advance: a little more room. And a
    // name is given room below for a descender whether it has one or not,
    // as `.ci/browser-test` measures it.
    let lean = if node.label.contains('$') {
        0.12 * size
    } else {
        0.0
    };
    (
        tw + lean,
        top + baseline,
        bottom.max(0.25 * size) + baseline,
    )
}

/// The outline of every node (`None` for the output, which has none).
/// Operations are circles, all of one radius, the smallest that keeps
/// every symbol [`OP_PAD`] inside (at least [`OP_RADIUS`]); a symbol too
/// wide for a circle of [`MAX_CIRCLE`] gets a pill of the circles' height.
/// Inputs are rounded boxes [`INPUT_HEIGHT`] high, as wide as their names
/// need.
fn outlines(nodes: &[GNode]) -> Vec<Option<Outline>> {
    let circle_for = |n: &GNode| {
        let (tw, top, bottom) = name_ink(n);
        tw.hypot((-top).max(bottom)) + STROKE / 2.0 + OP_PAD
    };
    let radius = nodes
        .iter()
        .filter(|n| n.kind == Kind::Op)
        .map(circle_for)
        .filter(|&r| r <= MAX_CIRCLE)
        .fold(OP_RADIUS, f64::max);
    nodes
        .iter()
        .map(|n| {
            let (tw, top, bottom) = name_ink(n);
            match n.kind {
                Kind::Op if circle_for(n) <= radius => Some(Outline {
                    half: Point::splat(radius),
                    round: radius,
                }),
                Kind::Op => Some(Outline {
                    half: Point::new(
                        fitting_half_width(
                            tw,
                            (top, bottom),
                            radius,
                            radius,
                            OP_PAD,
                        ),
                        radius,
                    ),
                    round: radius,
                }),
                Kind::Input => Some(Outline {
                    half: Point::new(
                        fitting_half_width(
                            tw,
                            (top, bottom),
                            INPUT_HEIGHT / 2.0,
                            INPUT_ROUND,
                            NODE_PAD,
                        ),
                        INPUT_HEIGHT / 2.0,
                    ),
                    round: INPUT_ROUND,
                }),
                Kind::Output => None,
            }
        })
        .collect()
}

/// The middle of a node's badge, from the node's middle: up and to the
/// right at 45° from the centre of the outline's right end, just far
/// enough that the badge keeps [`NODE_PAD`] from the node's name.
fn badge_offset(node: &GNode, outline: &Outline) -> Point {
    let (tw, top, bottom) = name_ink(node);
    let end = outline.half.x - outline.round;
    let reach = BADGE_RADIUS + STROKE / 2.0 + NODE_PAD;
    // Start with the badge's middle on the outline, and move outwards.
    let mut d = outline.round;
    loop {
        let c = Point::new(end + d / 2f64.sqrt(), -d / 2f64.sqrt());
        let dx = (c.x - tw).max(-tw - c.x).max(0.0);
        let dy = (c.y - bottom).max(top - c.y).max(0.0);
        if dx.hypot(dy) >= reach {
            return c;
        }
        d += 0.5;
    }
}

/// The size of a node for the layout: its outline's, or for the output
/// node its name's.
fn node_size(node: &GNode, outline: Option<Outline>) -> Point {
    match outline {
        Some(o) => Point::new(2.0 * o.half.x, 2.0 * o.half.y),
        None => Point::new(
            text_width(&node.label) + 2.0 * OUTPUT_PAD,
            INPUT_HEIGHT - 6.0,
        ),
    }
}

/// Half the width of the wider of an edge's two labels.
fn label_half_width(edge: &GEdge) -> f64 {
    text_width(&edge.value).max(text_width(&edge.grad)) / 2.0
}

/// The placeholder label of edge `k`: `extra` wider than its longer label
/// (less the padding `layout-rs` adds, so that the labels keep
/// [`LABEL_SIDE`] from the nodes), as high as [`LABEL_HEIGHT`], in units of [`LABEL_UNIT`], and starting with
/// `#k#` so that it can be found again.
fn placeholder(k: usize, edge: &GEdge, extra: f64) -> String {
    let unit = LABEL_UNIT as f64;
    let width =
        2.0 * label_half_width(edge) + 2.0 * (LABEL_SIDE - 15.0) + extra;
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
/// box's right end. The route keeps the start, the end and the joints
/// outside the labels, and is level under the labels and a little beyond
/// them (`half_width` either side of their middle, plus a third of
/// [`LABEL_SIDE`]), so the labels above and below it never touch the
/// edge. It leaves the source
/// and enters the target along the line to the node's centre, so the
/// arrowhead points at the centre and the curve has no kink.
fn route(
    path: &[(Point, Point)],
    at: Point,
    half_width: f64,
    from: Point,
    to: Point,
) -> (Vec<(Point, Point)>, (f64, f64)) {
    let level = Point::new(1.0, 0.0);
    let start = path[0].0;
    let end = path[path.len() - 1].1;
    let joints: Vec<Point> =
        path[1..path.len() - 1].iter().map(|p| p.1).collect();
    // The label's joint: the first joint right of the label's middle.
    let label_joint =
        joints.iter().position(|j| j.x >= at.x).unwrap_or_else(|| {
            panic!("layout-rs ran no joint through the label at {at:?}")
        });
    let reach = half_width + LABEL_SIDE / 3.0;
    let left = (at.x - reach).max(start.x + 4.0);
    let right = (at.x + reach).min(end.x - 4.0);
    let mut points =
        vec![(start, unit(Point::new(start.x - from.x, start.y - from.y)))];
    for (i, &j) in joints.iter().enumerate() {
        if i == label_joint {
            points.push((Point::new(left, j.y), level));
            points.push((Point::new(right, j.y), level));
        } else if j.x < left || j.x > right {
            points.push((j, level));
        }
    }
    points.push((end, unit(Point::new(to.x - end.x, to.y - end.y))));
    (points, (at.x, joints[label_joint].y))
}

/// Steepest angle (from the horizontal) at which an edge leaves or enters
/// a node.
const MAX_SLOPE: f64 = 40.0;

/// Where an edge meets a node: the point of the node's `outline` (around
/// `centre`) in the direction of `toward`, that direction turned to at
/// most [`MAX_SLOPE`] from the horizontal on the node's right (`side` 1)
/// or left (-1), and the direction itself, out of the node.
fn port(
    centre: Point,
    outline: Outline,
    toward: Point,
    side: f64,
) -> (Point, Point) {
    let (dx, dy) = ((toward.x - centre.x) * side, toward.y - centre.y);
    let limit = MAX_SLOPE.to_radians();
    let angle = dy.atan2(dx.max(0.0)).clamp(-limit, limit);
    let dir = Point::new(side * angle.cos(), angle.sin());
    // The outline's signed distance along the ray; it is convex, so the
    // distance grows along the ray and bisection finds the crossing.
    let inner = Point::new(
        outline.half.x - outline.round,
        outline.half.y - outline.round,
    );
    let sdf = |t: f64| {
        let q = Point::new(
            (t * dir.x).abs() - inner.x,
            (t * dir.y).abs() - inner.y,
        );
        q.x.max(0.0).hypot(q.y.max(0.0)) + q.x.max(q.y).min(0.0) - outline.round
    };
    let (mut lo, mut hi) = (0.0, outline.half.x + outline.half.y);
    for _ in 0..50 {
        let mid = (lo + hi) / 2.0;
        if sdf(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (
        Point::new(centre.x + lo * dir.x, centre.y + lo * dir.y),
        dir,
    )
}

/// The SVG path data of a route: one cubic piece between each two points,
/// leaving and arriving along each point's direction (a straight line
/// where both are level at the same height), with handles a third of the
/// distance long but reaching at most half the horizontal distance
/// sideways, so the curve never turns back.
fn route_d(
    points: &[(Point, Point)],
    at: impl Fn(Point) -> (f64, f64),
) -> String {
    let p = |q: Point| {
        let (x, y) = at(q);
        format!("{} {}", coord(x), coord(y))
    };
    let mut d = format!("M{}", p(points[0].0));
    for w in points.windows(2) {
        let ((a, ta), (b, tb)) = (w[0], w[1]);
        let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
        if ta.x == tb.x
            && ta.y == tb.y
            && (b.y - a.y).abs() < 1e-9
            && ta.y == 0.0
        {
            d.push_str(&format!(" L{}", p(b)));
            continue;
        }
        // Handles a third of the distance long, but reaching at most half
        // the horizontal distance sideways, so that the two control points
        // never pass each other and the curve never bulges back.
        let half = (b.x - a.x).abs() / 2.0;
        let handle = |t: Point| (len / 3.0).min(half / t.x.abs().max(1e-9));
        let (h0, h1) = (handle(ta), handle(tb));
        let c0 = Point::new(a.x + ta.x * h0, a.y + ta.y * h0);
        let c1 = Point::new(b.x - tb.x * h1, b.y - tb.y * h1);
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
///
/// A node with a badge is given to the layout wider by as much as the
/// badge reaches out on its right, so that the layout keeps the room for
/// it; the node is drawn at the left of that box.
fn place(
    nodes: &[GNode],
    outlines: &[Option<Outline>],
    badges: &[Option<Point>],
    edges: &[GEdge],
    extra: &[f64],
) -> Placed {
    let halo = Point::new(HALO.0, HALO.1);
    let reserve: Vec<f64> = outlines
        .iter()
        .zip(badges)
        .map(|(o, b)| match (o, b) {
            (Some(o), Some(b)) => {
                (b.x + BADGE_RADIUS + STROKE / 2.0 - o.half.x).max(0.0)
            }
            _ => 0.0,
        })
        .collect();
    let mut vg = VisualGraph::new(Orientation::LeftToRight);
    let handles: Vec<_> = nodes
        .iter()
        .zip(outlines)
        .enumerate()
        .map(|(i, (n, &o))| {
            let shape = match o {
                Some(o) if o.is_circle() && reserve[i] == 0.0 => {
                    ShapeKind::new_circle("")
                }
                _ => ShapeKind::new_box(""),
            };
            let size = node_size(n, o).add(Point::new(reserve[i], 0.0));
            let mut element = Element::create_with_properties(
                shape,
                StyleAttr::simple(),
                Orientation::LeftToRight,
                size,
                format!("n{i}"),
            );
            element.pos =
                Position::new(Point::zero(), size, Point::zero(), halo);
            vg.add_node(element)
        })
        .collect();
    for (k, e) in edges.iter().enumerate() {
        let mut arrow = Arrow::simple_with_properties(
            &placeholder(k, e, extra[k] + ARROW_ROOM),
            format!("e{k}"),
        );
        arrow.look.font_size = LABEL_UNIT;
        vg.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    let mut rec = Recorder::default();
    vg.do_it(false, false, false, &mut rec);

    // The middle and size of node i as drawn.
    let find_shape = |i: usize| {
        let key = format!("n{i}");
        let (_, c, s) = rec
            .shapes
            .iter()
            .find(|(p, _, _)| *p == key)
            .unwrap_or_else(|| panic!("layout-rs did not place node {i}"));
        let r = reserve[i];
        (Point::new(c.x - r / 2.0, c.y), Point::new(s.x - r, s.y))
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
            .unwrap_or_else(|| {
                panic!("layout-rs did not place the label of edge {k}")
            });
        let (from, to) = (find_shape(e.from).0, find_shape(e.to).0);
        // The labels keep to the left of their room, clear of the
        // arrowhead on its right.
        let at = Point::new(at.x - ARROW_ROOM / 2.0, at.y);
        let (mut points, label) =
            route(&find_path(k), at, label_half_width(e), from, to);
        // Leave and enter the nodes through their sides, never steeply.
        let last = points.len() - 1;
        if let Some(o) = outlines[e.from] {
            points[0] = port(from, o, points[0].0, 1.0);
        }
        if let Some(o) = outlines[e.to] {
            let (p, out) = port(to, o, points[last].0, -1.0);
            points[last] = (p, Point::new(-out.x, -out.y));
        }
        paths.push(points);
        labels.push(label);
    }
    Placed {
        nodes: (0..nodes.len()).map(find_shape).collect(),
        paths,
        labels,
    }
}

/// An edge should rise or fall at most this much per unit it runs
/// sideways, on average, between a node and its labels.
const CLIMB: f64 = 2.0;

/// How much wider than its labels each edge's placeholder must be so that
/// the edge, as `placed`, climbs at most [`CLIMB`] between its source and
/// its labels and between its labels and its target (the labels sit in
/// the middle of their room, so each side gets half).
fn room_to_climb(placed: &Placed, edges: &[GEdge]) -> Vec<f64> {
    edges
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let path = &placed.paths[k];
            let (start, end) = (path[0].0, path[path.len() - 1].0);
            let (x, y) = placed.labels[k];
            let hw = label_half_width(e) + LABEL_SIDE / 3.0;
            let before = (y - start.y).abs() / CLIMB - (x - hw - start.x);
            let after = (end.y - y).abs() / CLIMB - (end.x - x - hw);
            2.0 * before.max(after).max(0.0)
        })
        .collect()
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
    let outlines = outlines(nodes);
    let badges: Vec<Option<Point>> = nodes
        .iter()
        .zip(&outlines)
        .map(|(n, o)| match (n.badge, o) {
            (Some(_), Some(o)) => Some(badge_offset(n, o)),
            _ => None,
        })
        .collect();
    // Lay out once, then again with more room beside the labels of edges
    // that would climb too steeply to or from them.
    let mut placed =
        place(nodes, &outlines, &badges, edges, &vec![0.0; edges.len()]);
    let extra = room_to_climb(&placed, edges);
    if extra.iter().any(|&x| x > 0.0) {
        placed = place(nodes, &outlines, &badges, edges, &extra);
    }

    // Bounding box of everything we draw, in layout coordinates.
    let mut lo = Point::splat(f64::INFINITY);
    let mut hi = Point::splat(f64::NEG_INFINITY);
    let mut grow = |x: f64, y: f64| {
        lo = Point::new(lo.x.min(x), lo.y.min(y));
        hi = Point::new(hi.x.max(x), hi.y.max(y));
    };
    for ((node, &(c, s)), badge) in nodes.iter().zip(&placed.nodes).zip(&badges)
    {
        grow(c.x - s.x / 2.0, c.y - s.y / 2.0);
        grow(c.x + s.x / 2.0, c.y + s.y / 2.0);
        if let Some(b) = badge {
            grow(c.x + b.x + BADGE_RADIUS, c.y + b.y - BADGE_RADIUS);
        }
        if let Some(note) = &node.note {
            let lines = note_lines(note);
            let top =
                c.y - NOTE_LEADING * (lines.len() - 1) as f64 / 2.0 - 15.0;
            grow(c.x - s.x / 2.0 - 8.0 - note_width(note), top);
            grow(c.x, top + NOTE_LEADING * lines.len() as f64 + 5.0);
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
        .map(|line| {
            text_width(&line.iter().map(|(t, _)| *t).collect::<String>())
        })
        .fold(0.0, f64::max);
    let legend_height =
        20.0 * legend.len() as f64 + if legend.is_empty() { 0.0 } else { 6.0 };
    let dx = MARGIN - lo.x;
    let dy = MARGIN - lo.y;
    let width = (hi.x - lo.x + 2.0 * MARGIN).max(legend_width + 2.0 * MARGIN);
    let height = hi.y - lo.y + 2.0 * MARGIN + legend_height;
    let at = |p: Point| (p.x + dx, p.y + dy);

    // Small print of 14 units (not 13): the graphs are wide, and this
    // lets them shrink to fit the text column.
    let mut svg = Svg::new(id).min_font(14.0);
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
                "lg-grad lg-edge-label",
                &edge.grad,
            );
        }
    }
    for (((node, &(c, s)), outline), badge) in
        nodes.iter().zip(&placed.nodes).zip(&outlines).zip(&badges)
    {
        let (x, y) = at(c);
        if let Some(o) = outline {
            let class = match node.kind {
                Kind::Input => "lg-node lg-node-input",
                _ => "lg-node lg-node-op",
            };
            if o.is_circle() {
                svg.circle(x, y, o.round, class);
            } else {
                let (w, h) = (2.0 * o.half.x, 2.0 * o.half.y);
                svg.rect(x - w / 2.0, y - h / 2.0, w, h, o.round, class);
            }
        }
        let (class, baseline) = name_style(node);
        svg.text(x, y + baseline, Anchor::Middle, class, &node.label);
        if let (Some(n), Some(b)) = (node.badge, badge) {
            let (bx, by) = (x + b.x, y + b.y);
            svg.circle(bx, by, BADGE_RADIUS, "lg-badge");
            svg.text(
                bx,
                by + BADGE_BASELINE,
                Anchor::Middle,
                "lg-badge-text",
                &n.to_string(),
            );
        }
        if let Some(note) = &node.note {
            let lines = note_lines(note);
            let left = x - s.x / 2.0 - 8.0 - note_width(note);
            let first = y + NAME_BASELINE
                - NOTE_LEADING * (lines.len() - 1) as f64 / 2.0;
            // One line ends at the node; several start flush left, where
            // the widest ends at the node.
            let (x, anchor) = match lines.len() {
                1 => (x - s.x / 2.0 - 8.0, Anchor::End),
                _ => (left, Anchor::Start),
            };
            for (i, line) in lines.iter().enumerate() {
                let at = first + NOTE_LEADING * i as f64;
                svg.text(x, at, anchor, "lg-grad", line);
            }
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
    fn a_note_breaks_into_formulas_of_its_own() {
        assert_eq!(note_lines("$a = b$"), ["$a = b$"]);
        assert_eq!(note_lines("$a\n{}= b = c$"), ["$a$", "${}= b = c$"]);
        assert_eq!(note_width("$a\n{}= b = c$"), text_width("${}= b = c$"));
    }

    #[test]
    fn placeholders_are_tagged_and_as_large_as_the_labels() {
        let e = GEdge {
            from: 0,
            to: 1,
            value: "-0.53".into(),
            grad: "[1.5, 0.25]".into(),
        };
        let p = placeholder(7, &e, 0.0);
        assert!(p.starts_with("#7#_"));
        let first = p.lines().next().unwrap().chars().count();
        // layout-rs pads it by 15 on each side: the labels keep LABEL_SIDE.
        let room = (first * LABEL_UNIT) as f64 + 30.0;
        assert!(room >= text_width("[1.5, 0.25]") + 2.0 * LABEL_SIDE);
        assert!(room <= text_width("[1.5, 0.25]") + 2.0 * LABEL_SIDE + 2.0);
        assert!((p.lines().count() * LABEL_UNIT) as f64 >= LABEL_HEIGHT);
        let wider = placeholder(7, &e, 20.0);
        assert_eq!(wider.lines().next().unwrap().len(), first + 10);
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
        // labels 20 wide: level from 60 - 10 - LABEL_SIDE / 3 to 60 + 13
        let (points, label) = route(
            &path,
            Point::new(60.0, 40.0),
            10.0,
            Point::zero(),
            Point::new(130.0, 40.0),
        );
        assert_eq!(label, (60.0, 40.0));
        let xy: Vec<(f64, f64)> =
            points.iter().map(|(p, _)| (p.x, p.y)).collect();
        assert_eq!(
            xy,
            [(10.0, 0.0), (47.0, 40.0), (73.0, 40.0), (118.0, 40.0)]
        );
        assert_eq!((points[0].1.x, points[0].1.y), (1.0, 0.0));
        let d = route_d(&points, |p| (p.x, p.y));
        assert!(d.contains(" L73 40 L118 40"), "{d}");
        assert!(d.starts_with("M10 0 C"), "{d}");
        // Handles a third of the distance long (18.2), as that is less
        // than half the way across (18.5).
        assert!(d.starts_with("M10 0 C28.2 0, 28.8 40, 47 40"), "{d}");
        // A steep climb: the handles stop halfway across (at x = 5).
        let steep = [
            (Point::zero(), Point::new(1.0, 0.0)),
            (Point::new(10.0, 60.0), Point::new(1.0, 0.0)),
        ];
        let d = route_d(&steep, |p| (p.x, p.y));
        assert_eq!(d, "M0 0 C5 0, 5 60, 10 60");
    }

    #[test]
    fn wider_text_is_estimated_wider() {
        assert!(text_width("-0.53") < text_width("[-1, 0.25]"));
        // Open Sans's digits are all as wide (0.57 em).
        assert_eq!(text_width("1"), text_width("8"));
        assert!(text_width("i") < text_width("m"));
        assert_eq!(descent("exp"), 0.25);
        assert_eq!(descent("1.37"), 0.05);
    }

    /// The corners of a name's ink box, from the node's middle.
    fn corners(node: &GNode) -> [(f64, f64); 4] {
        let (tw, top, bottom) = name_ink(node);
        [(-tw, top), (tw, top), (-tw, bottom), (tw, bottom)]
    }

    /// How far inside a rounded box a point is (negative outside).
    fn depth(o: &Outline, (x, y): (f64, f64)) -> f64 {
        let (inner_x, inner_y) = (o.half.x - o.round, o.half.y - o.round);
        let (dx, dy) =
            ((x.abs() - inner_x).max(0.0), (y.abs() - inner_y).max(0.0));
        o.round - dx.hypot(dy)
    }

    #[test]
    fn every_name_keeps_its_padding_inside_its_node() {
        let op = |label: &str| GNode {
            label: label.into(),
            kind: Kind::Op,
            badge: Some(1),
            note: None,
        };
        let input = |label: &str| GNode {
            kind: Kind::Input,
            badge: None,
            ..op(label)
        };
        let nodes = vec![
            op("$·$"),
            op("exp"),
            op("1/x"),
            op("$+ Wx^{(1)}$"),
            input("$w_{0}$"),
            input("y"),
        ];
        let found = outlines(&nodes);
        let circle = found[0].unwrap();
        // One radius for every circle, as "exp" needs it.
        assert!(circle.is_circle() && circle.round > OP_RADIUS, "{circle:?}");
        assert_eq!(found[1], Some(circle));
        assert_eq!(found[2], Some(circle));
        // "+ Wx⁽¹⁾" is too wide for a circle: a pill as high as the circles.
        let pill = found[3].unwrap();
        assert!(!pill.is_circle() && pill.half.y == circle.round, "{pill:?}");
        for (node, o) in nodes.iter().zip(&found) {
            let o = o.unwrap();
            let pad = if node.kind == Kind::Op {
                OP_PAD
            } else {
                NODE_PAD
            };
            let tight = corners(node)
                .map(|c| depth(&o, c))
                .into_iter()
                .fold(f64::INFINITY, f64::min);
            // The padding and half the stroke, and not a pixel more than
            // needed for the widest name.
            assert!(
                tight >= pad + STROKE / 2.0 - 1e-9,
                "{}: {tight}",
                node.label
            );
            if node.label == "exp"
                || node.label == "$+ Wx^{(1)}$"
                || node.label == "$w_{0}$"
            {
                assert!(
                    tight < pad + STROKE / 2.0 + 0.5,
                    "{}: {tight}",
                    node.label
                );
            }
            // The badge keeps its distance from the name, and touches the
            // node's outline.
            if node.badge.is_some() {
                let b = badge_offset(node, &o);
                let (tw, top, bottom) = name_ink(node);
                let dx = (b.x - tw).max(-tw - b.x).max(0.0);
                let dy = (b.y - bottom).max(top - b.y).max(0.0);
                let gap = dx.hypot(dy) - BADGE_RADIUS - STROKE / 2.0;
                // Just far enough, unless a small name (the product's
                // dot) leaves it on the outline, where it starts.
                let on_outline = depth(&o, (b.x, b.y)).abs() < 1e-6;
                assert!(
                    gap >= NODE_PAD && (on_outline || gap < NODE_PAD + 0.5),
                    "{}: {gap}",
                    node.label
                );
                assert!(
                    depth(&o, (b.x, b.y)) > -BADGE_RADIUS,
                    "{}: {b:?}",
                    node.label
                );
            }
        }
    }

    #[test]
    fn edges_meet_nodes_at_most_40_degrees_from_the_horizontal() {
        let circle = Outline {
            half: Point::splat(20.0),
            round: 20.0,
        };
        let c = Point::new(100.0, 100.0);
        // Straight right, and straight up (turned down to 40°).
        let (p, d) = port(c, circle, Point::new(150.0, 100.0), 1.0);
        assert!(
            (p.x - 120.0).abs() < 1e-6 && (p.y - 100.0).abs() < 1e-6,
            "{p:?}"
        );
        assert_eq!((d.x, d.y), (1.0, 0.0));
        let (p, d) = port(c, circle, Point::new(100.0, 50.0), 1.0);
        let angle = (-d.y).atan2(d.x).to_degrees();
        assert!((angle - MAX_SLOPE).abs() < 1e-9, "{angle}");
        assert!(
            ((p.x - 100.0).hypot(p.y - 100.0) - 20.0).abs() < 1e-6,
            "{p:?}"
        );
        // Into a box from the lower left: on its left side.
        let boxed = Outline {
            half: Point::new(30.0, 15.0),
            round: 6.0,
        };
        let (p, d) = port(c, boxed, Point::new(60.0, 110.0), -1.0);
        assert!(
            (p.x - 70.0).abs() < 1e-6 && p.y > 100.0 && p.y < 109.0,
            "{p:?}"
        );
        assert!(d.x < 0.0 && d.y > 0.0, "{d:?}");
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
        let outlines = outlines(&nodes);
        let badges =
            [None, Some(badge_offset(&nodes[1], &outlines[1].unwrap()))];
        let placed = place(&nodes, &outlines, &badges, &edges, &[0.0]);
        assert!(placed.nodes[0].0.x < placed.nodes[1].0.x);
        let (lx, _) = placed.labels[0];
        assert!(placed.nodes[0].0.x < lx && lx < placed.nodes[1].0.x);
    }
}
