//! Typesetting repairs to the MathML that KaTeX writes, made once at build
//! time so that they hold without JavaScript, in print and in search.
//!
//! KaTeX's MathML follows its own HTML layout, which has its own fonts and
//! spacing. A browser drawing the MathML with an OpenType math font sets a
//! few things worse than TeX would, and each rule below fixes one of them:
//!
//! - [`prime`]: `f'` is a superscript prime, drawn far above the letter;
//! - [`space_names`]: operator names (ln, sin, max, …) touch their argument;
//! - [`plus_equals`]: `+=` has a gap inside it;
//! - [`norm_bar`]: the bars of ‖W‖ are spaced like the relation ∥;
//! - [`table::lay_out`]: the columns of `aligned` and of matrices are
//!   centred and padded, so the "=" of an aligned block do not line up;
//! - [`signs`]: a leading minus (after "=", "(", a comma or ∑) is spaced as
//!   a subtraction, "= − 2";
//! - [`space_inner`]: two bracketed matrices, two fractions, or a number
//!   and a matrix, touch ("0.5\[…\]\[…\]"), where TeX puts a thin space;
//! - [`brace_label`]: the label under an underbrace is set at 70%, smaller
//!   than the eye reads comfortably in a math font without optical sizes;
//! - [`letter`]: MathML Core draws only normal and italic letters, so a
//!   double-struck R or a bold 1 would be a plain R or 1;
//! - [`whole_base`]: `10^{-5}` has only its last digit as the base, so a
//!   screen reader reads "1, 0 to the power −5";
//! - [`steady_base`]: the subscript of y sits lower than the subscript of
//!   x, because the browser drops it below the base's descender;
//! - [`explicit_space`]: `\,` comes out as wide as the font's thin space,
//!   and `\!` as a positive one, so the ⊤ of `(…)^{\!\top}` floats away
//!   from its bracket;
//! - [`italic_correction`] and [`end_italic`]: an italic capital's top runs
//!   into what follows it ("Y=", "P−", "E)", "Y X"), past the end of its
//!   formula, and past the bar of a fraction it ends;
//! - [`slashed_derivative`]: a stacked ∂L/∂W in running text is set small
//!   and opens the lines around it;
//! - [`ellipsis`]: `0, \dots, M-1` puts an operator's space around the dots;
//! - [`script_spacing`]: `\sum_{i=1}` spaces its limit's "=" as in the text;
//! - [`radicand`]: the top of f in √f touches the bar of the root;
//! - [`matrix_brackets`]: the stretched \[ of a matrix touches its first
//!   column while the \] stands clear of the last;
//! - [`large_operators`]: ∑ gets a thin space on both sides on top of the
//!   space of the "=" or "+" beside it, and one before "(";
//! - [`big_bracket`]: a `\big(` has air inside, in a box as wide as the
//!   font's widest bracket;
//! - [`wide_hat`]: `\widehat{dy}` is a small hat over the d alone;
//! - [`closing_bases`]: the ² of ‖W‖² and the ⊤ of (dY)⊤ float high above
//!   their bar or bracket, which the browser raises them over as it would
//!   over a tall box.
//!
//! A formula that no rule changes is left exactly as KaTeX wrote it.

use crate::mathml::{parse, Element, Node};
use crate::table;

/// How KaTeX starts every formula.
const KATEX_MATH: &str = "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"";

/// How many places each rule changed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Changes {
    /// Primed symbols rewritten (φ″ counts once).
    pub primes: usize,
    /// Operator names given a thin space on one side or both.
    pub names: usize,
    pub plus_equals: usize,
    pub norm_bars: usize,
    /// Tables whose cells were given their alignment and spacing.
    pub tables: usize,
    /// Signs (a leading − or +) set as prefix operators.
    pub signs: usize,
    /// Bracketed groups (matrices, \left( … \right)) and fractions given a
    /// thin space on one side or both.
    pub inner: usize,
    /// Large operators (∑, ∏, ∫ …) given TeX's space on each side.
    pub operators: usize,
    /// Underbrace and overbrace labels enlarged.
    pub labels: usize,
    /// Double-struck and bold letters written as their own characters.
    pub letters: usize,
    /// Numbers made whole again under a script (`10⁻⁵`).
    pub numbers: usize,
    /// Subscripted letters and numbers given a base of no depth.
    pub subscripts: usize,
    /// TeX's spaces (`\,`, `\;`, `\!` …) written as their widths.
    pub spaces: usize,
    /// Italic capitals given their italic correction.
    pub italics: usize,
    /// Ellipses set as TeX's inner atoms.
    pub ellipses: usize,
    /// Operators in a script (or an inline fraction) set without space.
    pub scripted: usize,
    /// Square roots given room under their bar.
    pub radicands: usize,
    /// Matrices whose brackets the stylesheet draws.
    pub brackets: usize,
    /// `\big` brackets set as their character enlarged.
    pub big: usize,
    /// Closing brackets and bars given no height under their script.
    pub closing: usize,
    /// Derivatives in running text written with a slash (∂L/∂W).
    pub slashed: usize,
    /// Wide hats given the circumflex a font can widen.
    pub hats: usize,
    /// Accents over an italic letter moved right, over its slanted top.
    pub accents: usize,
}

/// `html` with every KaTeX formula in it repaired by the rules of this
/// module, and how many places each rule changed.
///
/// Panics if a formula is not the well-formed MathML KaTeX writes: that
/// would mean its output changed.
pub fn typeset(html: &str) -> (String, Changes) {
    let mut out = String::with_capacity(html.len());
    let mut changes = Changes::default();
    let mut rest = html;
    while let Some(start) = rest.find(KATEX_MATH) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find("</math>").map(|e| e + "</math>".len());
        let source = &after[..end.unwrap_or(after.len())];
        let mut math = parse(source).unwrap_or_else(|e| {
            panic!("mdbook-drop-tex: a formula is not the MathML KaTeX writes: {e}")
        });
        let before = changes;
        repair(
            &mut math,
            &mut changes,
            Style {
                display: false,
                script: false,
                inline: false,
            },
        );
        changes.italics += end_italic(&mut math);
        // Last, so that every rule before it sees the bracket itself.
        changes.closing += closing_bases(&mut math);
        if changes == before {
            out.push_str(source);
        } else {
            math.write(&mut out);
        }
        rest = &after[source.len()..];
    }
    out.push_str(rest);
    (out, changes)
}

/// Applies every rule to `el` and everything inside it, innermost first.
/// `style` is TeX's style of `el`'s contents.
fn repair(el: &mut Element, changes: &mut Changes, style: Style) {
    let inside = style.inside(el);
    for (i, child) in el.children.iter_mut().enumerate() {
        let Node::Element(inner) = child else {
            continue;
        };
        repair(inner, changes, inside.of_child(&el.name, i));
        if norm_bar(inner) {
            changes.norm_bars += 1;
        }
        if letter(inner) {
            changes.letters += 1;
        }
        if table::lay_out(inner) {
            changes.tables += 1;
        }
        if brace_label(inner) {
            changes.labels += 1;
        }
        if ellipsis(inner) {
            changes.ellipses += 1;
        }
        if explicit_space(inner) {
            changes.spaces += 1;
        }
        if radicand(inner) {
            changes.radicands += 1;
        }
        if matrix_brackets(inner) {
            changes.brackets += 1;
        }
        if big_bracket(inner) {
            changes.big += 1;
        }
        if wide_hat(inner) {
            changes.hats += 1;
        }
        if skewed_accent(inner) {
            changes.accents += 1;
        }
        let base = SCRIPTED.contains(&el.name.as_str()) && i == 0;
        if inside.inline && !inside.script && !base {
            if let Some(slashed) = slashed_derivative(inner) {
                *child = slashed;
                changes.slashed += 1;
                continue;
            }
        }
        if let Some(primed) = prime(inner) {
            *child = primed;
            changes.primes += 1;
        }
        if let Node::Element(inner) = child {
            if steady_base(inner) {
                changes.subscripts += 1;
            }
        }
    }
    if ROWS.contains(&el.name.as_str()) {
        changes.plus_equals += plus_equals(&mut el.children);
        changes.names += space_names(&mut el.children);
        changes.signs += signs(&mut el.children);
        changes.operators += large_operators(&mut el.children);
        if inside.script {
            changes.scripted += script_spacing(&mut el.children);
        } else {
            changes.inner += space_inner(&mut el.children);
        }
        changes.numbers += whole_base(&mut el.children);
        changes.italics += italic_correction(&mut el.children);
    }
    if el.name == "mfrac" || el.name == "msqrt" {
        changes.italics += end_italic(el);
    }
}

/// TeX's style, as far as spacing goes: whether a formula is displayed,
/// and whether it is set in a script (or in the numerator or denominator
/// of a fraction in the text), where TeX puts no space around relations,
/// binary operators and punctuation.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Style {
    display: bool,
    script: bool,
    /// Whether the formula is inline, in running text.
    inline: bool,
}

impl Style {
    /// The style inside `el`, which may set it (`<mstyle displaystyle>`).
    fn inside(self, el: &Element) -> Style {
        match (el.name.as_str(), el.attr("displaystyle")) {
            ("math", _) => Style {
                display: el.attr("display") == Some("block"),
                script: false,
                inline: el.attr("display") != Some("block"),
            },
            ("mstyle", d) => Style {
                display: d.map_or(self.display, |d| d == "true"),
                script: match el.attr("scriptlevel") {
                    Some("0") => false,
                    Some(_) => true,
                    None => self.script,
                },
                ..self
            },
            _ => self,
        }
    }

    /// The style of the `i`-th child of an element called `name` in this
    /// style.
    fn of_child(self, name: &str, i: usize) -> Style {
        match name {
            _ if SCRIPTED.contains(&name) && i > 0 => Style {
                display: false,
                script: true,
                ..self
            },
            "mfrac" => Style {
                display: false,
                script: self.script || !self.display,
                ..self
            },
            "mtd" => Style {
                display: false,
                ..self
            },
            _ => self,
        }
    }
}

/// Elements that lay out their children in a row, one after the other.
const ROWS: [&str; 8] = [
    "math", "mrow", "mstyle", "mtd", "msqrt", "mpadded", "mphantom", "menclose",
];

/// Elements whose first child is a base and the others its scripts.
const SCRIPTED: [&str; 6] =
    ["msub", "msup", "msubsup", "munder", "mover", "munderover"];

// ---------------------------------------------------------------------------
// Primes

/// One, two, three and four primes, each a single character.
const PRIMES: [char; 4] = ['′', '″', '‴', '⁗'];

/// KaTeX writes `f'` as `<msup><mi>f</mi><mo>′</mo></msup>` and `f''` with an
/// `<mrow>` of two `<mo>′</mo>`. But a math font's ′ is already drawn at the
/// height of a prime, so raised again as a superscript it floats far above
/// the letter, with a gap before "(x)". The prime goes after its base
/// instead, as one character (″ for two, ‴ for three): φ′, φ″, H′.
///
/// A real superscript after the primes stays one (`f'^2` is f′ squared),
/// and a subscript goes after the prime (`W'_k` is W′ then k).
/// Returns the replacement for `el`, or `None` if it has no prime.
fn prime(el: &Element) -> Option<Node> {
    let (base, sub) = match (el.name.as_str(), &el.children[..]) {
        ("msup", [base, _]) => (base, None),
        ("msubsup", [base, sub, _]) => (base, Some(sub)),
        _ => return None,
    };
    let (count, rest) = split_primes(el.children.last()?)?;
    let sup = (!rest.is_empty()).then(|| row(rest));
    let name = match (sub, &sup) {
        (None, None) => return Some(primed(base.clone(), count)),
        (None, Some(_)) => "msup",
        (Some(_), None) => "msub",
        (Some(_), Some(_)) => "msubsup",
    };
    let children = [Some(primed(base.clone(), count)), sub.cloned(), sup];
    Some(Node::Element(Element::new(
        name,
        &[],
        children.into_iter().flatten().collect(),
    )))
}

/// How many primes `node` is, if it is an `<mo>` of nothing else.
fn primes_in(node: &Node) -> Option<usize> {
    let el = node.element().filter(|e| e.name == "mo")?;
    let text = el.text();
    let count = text
        .chars()
        .map(|c| PRIMES.iter().position(|&p| p == c).map(|i| i + 1))
        .sum::<Option<usize>>()?;
    (count > 0).then_some(count)
}

/// A superscript's leading primes, and what follows them (if anything).
fn split_primes(sup: &Node) -> Option<(usize, Vec<Node>)> {
    if let Some(count) = primes_in(sup) {
        return Some((count, Vec::new()));
    }
    let row = sup.element().filter(|e| e.name == "mrow")?;
    let lead = row
        .children
        .iter()
        .take_while(|c| primes_in(c).is_some())
        .count();
    let count: usize = row.children[..lead].iter().filter_map(primes_in).sum();
    (count > 0).then(|| (count, row.children[lead..].to_vec()))
}

/// `base` followed by `count` primes, in one row; a bare `<mrow>` base is
/// opened, so that \tanh' is one row: tanh, function application, prime.
fn primed(base: Node, count: usize) -> Node {
    let mut children = match base {
        Node::Element(el) if el.name == "mrow" && el.attrs.is_empty() => {
            el.children
        }
        other => vec![other],
    };
    let text = match count {
        1..=4 => PRIMES[count - 1].to_string(),
        _ => "′".repeat(count),
    };
    children.push(Element::leaf(
        "mo",
        &[("lspace", "0em"), ("rspace", "0em")],
        &text,
    ));
    Node::Element(Element::new("mrow", &[], children))
}

/// `nodes` as one node: itself if there is one, else an `<mrow>`.
fn row(mut nodes: Vec<Node>) -> Node {
    if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node::Element(Element::new("mrow", &[], nodes))
    }
}

// ---------------------------------------------------------------------------
// Operator names

/// TeX's thin space, 3mu.
const THIN: &str = "0.1667em";

/// KaTeX writes \ln, \sin, \max, \operatorname{softmax} … as the name in an
/// `<mi>` followed by `<mo>⁡</mo>` (U+2061 FUNCTION APPLICATION), which the
/// browser sets with no space at all: "lnp", "rsint", "100max". TeX puts a
/// thin space between an operator name and an ordinary symbol, a closing
/// bracket or another operator name on either side ("r sin t", "ln ln x",
/// "100 max"), and none before an opening bracket ("ln(x)"). Next to a
/// relation, a binary operator or punctuation the browser already spaces
/// the operator, as TeX would. A sign (the − in "−ln p") counts as ordinary,
/// as it does in TeX.
///
/// A name with scripts (tanh², max over k) or primes (tanh′) counts as a
/// name. Inserts `<mspace>`s into `row` and returns how many names got one.
fn space_names(row: &mut Vec<Node>) -> usize {
    let mut spaces = Vec::new();
    let mut spaced = 0;
    let mut k = 0;
    while k < row.len() {
        let Some(end) = name_at(row, k) else {
            k += 1;
            continue;
        };
        // A name just before this one (an Op, or ending in ⁡, Spaced) has
        // already put the space between them.
        let before =
            k > 0 && matches!(atom_before(row, k), Atom::Ord | Atom::Close);
        let after = end < row.len()
            && matches!(edge(&row[end], Side::Left), Atom::Ord | Atom::Op);
        if before {
            spaces.push(k);
        }
        if after {
            spaces.push(end);
        }
        spaced += usize::from(before || after);
        k = end;
    }
    for &at in spaces.iter().rev() {
        let mut space = Element::new("mspace", &[("width", THIN)], Vec::new());
        space.empty = true;
        row.insert(at, Node::Element(space));
    }
    spaced
}

/// If an operator name starts at `row[k]`, the index just after it.
fn name_at(row: &[Node], k: usize) -> Option<usize> {
    if row[k].is("mi") && row.get(k + 1).is_some_and(is_apply) {
        Some(k + 2)
    } else {
        row[k].element().filter(|el| is_name(el)).map(|_| k + 1)
    }
}

/// `<mo>⁡</mo>`, which KaTeX writes after every operator name.
fn is_apply(node: &Node) -> bool {
    node.element()
        .is_some_and(|el| el.name == "mo" && el.text() == "\u{2061}")
}

/// Whether `el` is an operator name grouped with its scripts or primes:
/// `<mrow><mi>tanh</mi><mo>⁡</mo></mrow>` under a superscript, the same
/// followed by a prime, or either with scripts.
fn is_name(el: &Element) -> bool {
    match &el.children[..] {
        [Node::Element(base), ..] if SCRIPTED.contains(&el.name.as_str()) => {
            is_name(base)
        }
        [mi, apply, primes @ ..] if el.name == "mrow" => {
            mi.is("mi")
                && is_apply(apply)
                && primes.iter().all(|p| primes_in(p).is_some())
        }
        _ => false,
    }
}

/// What TeX would call a formula's pieces, as far as the space around an
/// operator name goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Atom {
    /// A letter, number, fraction, text …: a thin space from a name.
    Ord,
    /// An operator name.
    Op,
    /// A closing bracket: a thin space before a name.
    Close,
    /// An operator the browser spaces itself, as TeX would next to a name:
    /// an opening bracket (no space), =, +, a comma, ∑, the ⁡ after a name.
    Spaced,
    /// A space the author wrote, or nothing: no more space is added.
    Blank,
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
}

/// The atom just before `row[k]`, where a sign counts as ordinary: a − or
/// + at the start of a row, or after an operator or a space.
fn atom_before(row: &[Node], k: usize) -> Atom {
    let sign = row[k - 1].element().is_some_and(|el| {
        el.name == "mo" && ["−", "+", "±", "∓"].contains(&el.text().as_str())
    });
    let after_operator =
        k < 2 || matches!(atom_before(row, k - 1), Atom::Spaced | Atom::Blank);
    if sign && after_operator {
        Atom::Ord
    } else {
        edge(&row[k - 1], Side::Right)
    }
}

/// The atom at one side of `node`: what a name on that side touches.
fn edge(node: &Node, side: Side) -> Atom {
    let Node::Element(el) = node else {
        return Atom::Blank;
    };
    if is_name(el) {
        return Atom::Op;
    }
    match el.name.as_str() {
        "mo" => match el.text().as_str() {
            ")" | "]" | "}" | "⟩" | "⌋" | "⌉" => Atom::Close,
            _ if primes_in(node).is_some() => Atom::Ord,
            _ => Atom::Spaced,
        },
        "mspace" => Atom::Blank,
        "mtext" if el.text().trim().is_empty() => Atom::Blank,
        name if SCRIPTED.contains(&name) => el
            .children
            .first()
            .map_or(Atom::Blank, |base| edge(base, side)),
        "mrow" | "mstyle" | "mpadded" | "mphantom" => {
            let mut atoms = el.children.iter().map(|c| edge(c, side));
            let outer = match side {
                Side::Left => atoms.find(|&a| a != Atom::Blank),
                Side::Right => atoms.rev().find(|&a| a != Atom::Blank),
            };
            outer.unwrap_or(Atom::Blank)
        }
        _ => Atom::Ord,
    }
}

// ---------------------------------------------------------------------------
// += and norms

/// TeX's thick space, 5mu, around a relation.
const THICK: &str = "0.2778em";

/// KaTeX writes `+=` as `<mo>+</mo><mo>=</mo>`, which the browser sets as a
/// binary plus then a relation, with a gap inside. It is one relation, as
/// TeX's `\mathrel{+}=` sets it: `<mo>+=</mo>`, with a relation's thick
/// space outside and nothing inside. Returns how many it joined.
fn plus_equals(row: &mut Vec<Node>) -> usize {
    let bare_mo = |node: &Node, text: &str| {
        node.element().is_some_and(|el| {
            el.name == "mo" && el.attrs.is_empty() && el.text() == text
        })
    };
    let mut joined = 0;
    let mut k = 0;
    while k + 1 < row.len() {
        if bare_mo(&row[k], "+") && bare_mo(&row[k + 1], "=") {
            row[k] = Element::leaf(
                "mo",
                &[("lspace", THICK), ("rspace", THICK)],
                "+=",
            );
            row.remove(k + 1);
            joined += 1;
        }
        k += 1;
    }
    joined
}

/// KaTeX writes the bars of \lVert W \rVert as `<mo stretchy="false">∥</mo>`
/// (\left\| as `<mo fence="true">`), and of \|W\| as `<mi>∥</mi>`, with
/// U+2225 PARALLEL TO. The browser spaces an ∥ operator as that relation,
/// a thick space each side, so ‖ W ‖ comes out loose. TeX sets the bars
/// tight against what they enclose: write U+2016 DOUBLE VERTICAL LINE, the
/// norm's character (and what screen readers read as one), with no space
/// around the operator. \parallel, a plain `<mo>∥</mo>`, stays a relation.
/// Returns whether `el` was such a bar.
fn norm_bar(el: &mut Element) -> bool {
    if el.text() != "∥" {
        return false;
    }
    match el.name.as_str() {
        "mi" => {}
        "mo" if el.attr("stretchy") == Some("false")
            || el.attr("fence") == Some("true") =>
        {
            el.set_attr("lspace", "0em");
            el.set_attr("rspace", "0em");
        }
        _ => return false,
    }
    el.children = vec![Node::Text("‖".to_string())];
    true
}

// ---------------------------------------------------------------------------
// Signs and bracketed groups: TeX's classes of atoms

/// TeX's class of an atom, which decides the space around it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Class {
    Ord,
    /// A large operator (∑) or an operator name (ln).
    Op,
    Bin,
    Rel,
    Open,
    Close,
    Punct,
    /// A `\left … \right` group, such as a matrix in its brackets.
    Inner,
}

const OPENING: [&str; 6] = ["(", "[", "{", "⟨", "⌊", "⌈"];
const CLOSING: [&str; 6] = [")", "]", "}", "⟩", "⌋", "⌉"];
const BINARY: [&str; 16] = [
    "+", "−", "±", "∓", "⋅", "×", "∗", "∘", "⊗", "⊙", "⊕", "÷", "∖", "∩", "∪",
    "⋆",
];
const RELATIONS: [&str; 33] = [
    "=", "&lt;", "&gt;", "≤", "≥", "≠", "≈", "≡", "∼", "≃", "≅", "∝", "∈", "∉",
    "∋", "⊂", "⊆", "⊃", "⊇", "→", "←", "↦", "⇒", "⇐", "⇔", "⟶", "⟹", "⟸", "⟺",
    ":", ":=", "+=", "≔",
];
const LARGE: [&str; 7] = ["∑", "∏", "∐", "∫", "∮", "⋃", "⋂"];
/// Signs, which TeX sets without space where they cannot be binary.
const SIGNS: [&str; 4] = ["−", "+", "±", "∓"];

/// TeX's class of `node`, or `None` for a space (which TeX skips over when
/// it decides whether a sign is binary). `first` says whether `node` opens
/// its row, which decides what a bar written as a fence is.
fn class(node: &Node, first: bool) -> Option<Class> {
    let Node::Element(el) = node else {
        return None;
    };
    if is_name(el) {
        return Some(Class::Op);
    }
    let text = el.text();
    match el.name.as_str() {
        "mspace" => None,
        "mtext" if text.trim().is_empty() => None,
        "mo" => {
            let t = text.as_str();
            Some(match t {
                "" => return None,
                "\u{2061}" => Class::Op,
                "," | ";" => Class::Punct,
                _ if OPENING.contains(&t) => Class::Open,
                _ if CLOSING.contains(&t) => Class::Close,
                _ if BINARY.contains(&t) => Class::Bin,
                _ if RELATIONS.contains(&t) => Class::Rel,
                _ if LARGE.contains(&t) => Class::Op,
                _ if ELLIPSES.contains(&t) => Class::Inner,
                _ if el.attr("fence") == Some("true") && first => Class::Open,
                _ if el.attr("fence") == Some("true") => Class::Close,
                // Primes, bars whose side is unknown, and the like.
                _ => Class::Ord,
            })
        }
        name if SCRIPTED.contains(&name) => {
            el.children.first().and_then(|b| class(b, first))
        }
        "mrow" if is_group(el) => Some(Class::Inner),
        // A derivative written with a slash is still the fraction it was.
        "mrow" if el.attr("class") == Some(SLASHED) => Some(Class::Inner),
        // A fraction (\dfrac's in its <mstyle>) is a generalized fraction,
        // which TeX spaces as an Inner atom.
        "mfrac" => Some(Class::Inner),
        "mstyle" if matches!(&el.children[..], [only] if only.is("mfrac")) => {
            Some(Class::Inner)
        }
        _ => Some(Class::Ord),
    }
}

/// Whether `el` is a `\left … \right` group: an `<mrow>` that starts and
/// ends with a fence, as KaTeX writes matrices and \left( … \right).
fn is_group(el: &Element) -> bool {
    let fence = |n: Option<&Node>| {
        n.and_then(Node::element)
            .is_some_and(|e| e.name == "mo" && e.attr("fence") == Some("true"))
    };
    el.name == "mrow"
        && el.children.len() >= 2
        && fence(el.children.first())
        && fence(el.children.last())
}

/// A − or + is binary, a subtraction, only between two operands: TeX sets
/// it as an ordinary symbol, with no space of its own, when nothing comes
/// before it, or an operator, a relation, an opening bracket or a comma
/// (the atom before it, spaces skipped). KaTeX writes every one as a plain
/// `<mo>−</mo>`, which the browser spaces as binary unless it opens its
/// row: "= − 0.25", "(− 1)", "∑ − ln p". Such a sign becomes a prefix
/// operator, which takes no space; the space before it comes from the
/// relation, comma or ∑ before it, as in TeX. Returns how many it changed.
fn signs(row: &mut [Node]) -> usize {
    let mut changed = 0;
    for k in 1..row.len() {
        let sign = row[k].element().is_some_and(|el| {
            el.name == "mo"
                && el.attrs.is_empty()
                && SIGNS.contains(&el.text().as_str())
        });
        if !sign {
            continue;
        }
        let before = (0..k).rev().find_map(|j| class(&row[j], j == 0));
        let unary = matches!(
            before,
            None | Some(
                Class::Bin
                    | Class::Op
                    | Class::Rel
                    | Class::Open
                    | Class::Punct
            )
        );
        if let (true, Node::Element(mo)) = (unary, &mut row[k]) {
            mo.set_attr("form", "prefix");
            changed += 1;
        }
    }
    changed
}

/// TeX puts a thin space between a `\left … \right` group or a fraction
/// (Inner atoms) and an ordinary symbol, another Inner atom, a closing
/// bracket before it, or an opening bracket or punctuation after it:
/// "0.5 [⋯]", "[⋯] [⋯]", "[⋯] ,", "∂g/∂f ∂f/∂x" — but not in a script or in
/// the numerator of a fraction in the text, where no rule spaces them.
/// KaTeX's MathML has nothing there, and the browser draws two matrices of
/// a product bracket against bracket, and two fractions bar against bar.
/// Next to a large operator the operator takes the space
/// ([`large_operators`]). Relations and binary
/// operators are spaced by the browser already, and a space the author
/// wrote (or an operator name's) stays the only one. Inserts `<mspace>`s
/// and returns how many groups got one.
fn space_inner(row: &mut Vec<Node>) -> usize {
    let classes: Vec<Option<Class>> =
        (0..row.len()).map(|k| class(&row[k], k == 0)).collect();
    let mut spaces = Vec::new();
    let mut spaced = 0;
    for k in 0..row.len() {
        if classes[k] != Some(Class::Inner) {
            continue;
        }
        let before = k > 0
            && matches!(
                classes[k - 1],
                Some(Class::Ord | Class::Close) // Inner before Inner: below.
            );
        // A slashed derivative is no longer set apart from a comma.
        let slashed = row[k]
            .element()
            .is_some_and(|e| e.attr("class") == Some(SLASHED));
        let after = k + 1 < row.len()
            && match classes[k + 1] {
                Some(Class::Ord | Class::Open | Class::Inner) => true,
                Some(Class::Punct) => !slashed,
                _ => false,
            };
        if before {
            spaces.push(k);
        }
        if after {
            spaces.push(k + 1);
        }
        spaced += usize::from(before || after);
    }
    spaces.dedup();
    for &at in spaces.iter().rev() {
        let mut space = Element::new("mspace", &[("width", THIN)], Vec::new());
        space.empty = true;
        row.insert(at, Node::Element(space));
    }
    spaced
}

/// The core `<mo>` of a large operator: ∑ itself, or the ∑ that a script
/// or a limit is set on (`\sum_{i=1}^{n}`).
fn large_core(node: &mut Node) -> Option<&mut Element> {
    let Node::Element(el) = node else {
        return None;
    };
    if el.name == "mo" {
        return LARGE.contains(&el.text().as_str()).then_some(el);
    }
    if SCRIPTED.contains(&el.name.as_str()) {
        return el.children.first_mut().and_then(large_core);
    }
    None
}

/// The browser gives ∑ (∏, ∫, ⋃ …, with or without limits) the operator
/// dictionary's thin space on both sides, on top of the space of the
/// relation or binary operator beside it: "= ∑" gets a thick and a thin
/// space where TeX puts only the thick one, and "∑ (" a thin space where
/// TeX puts none. TeX sets such an operator (an Op atom) with a thin space
/// next to an ordinary symbol, a closing bracket before it, another
/// operator, a fraction or a `\left … \right` group, and nothing of its
/// own next to a relation, a binary operator, punctuation or an opening
/// bracket (whose own space, if any, is TeX's), nor next to a space the
/// author wrote. Each operator's `lspace` and `rspace` are set from its
/// neighbours' classes; a sign after it counts as ordinary, since it is
/// one. Two operators side by side share one thin space, the second's.
/// Returns how many operators it changed.
fn large_operators(row: &mut [Node]) -> usize {
    // A sign marked by [`signs`], or one that opens the row (which the
    // browser sets as a prefix by itself).
    let class_at = |row: &[Node], k: usize| {
        let prefix = row[k].element().is_some_and(|el| {
            el.attr("form") == Some("prefix")
                || (k == 0
                    && el.name == "mo"
                    && SIGNS.contains(&el.text().as_str()))
        });
        if prefix {
            Some(Class::Ord)
        } else {
            class(&row[k], k == 0)
        }
    };
    let mut changed = 0;
    for k in 0..row.len() {
        if large_core(&mut row[k]).is_none() {
            continue;
        }
        let before = if k == 0 { None } else { class_at(row, k - 1) };
        let after = if k + 1 < row.len() {
            class_at(row, k + 1)
        } else {
            None
        };
        let next_large =
            k + 1 < row.len() && large_core(&mut row[k + 1]).is_some();
        let lspace = match before {
            Some(Class::Ord | Class::Op | Class::Close | Class::Inner) => THIN,
            _ => "0em",
        };
        let rspace = match after {
            Some(Class::Op) if next_large => "0em",
            Some(Class::Ord | Class::Op | Class::Inner) => THIN,
            _ => "0em",
        };
        let core = large_core(&mut row[k]).expect("a large operator");
        if core.attr("lspace") == Some(lspace)
            && core.attr("rspace") == Some(rspace)
        {
            continue;
        }
        core.set_attr("lspace", lspace);
        core.set_attr("rspace", rspace);
        changed += 1;
    }
    changed
}

// ---------------------------------------------------------------------------
// Brace labels

/// The size of an underbrace's label, against the formula around it.
const LABEL_SIZE: &str = "0.8em";

/// KaTeX writes `\underbrace{x}_{n}` as `<munder><munder>x<mo>⏟</mo>
/// </munder>n</munder>` (and \overbrace with `<mover>` and ⏞). The browser
/// sets the label as a script, at 70% of the formula: TeX's ratio, but TeX
/// has fonts drawn for that size, and a math font's letters scaled to 70%
/// (12 px beside 17.6 px) are hard to read. The label is set at 80%.
/// Returns whether `el` was such a brace.
fn brace_label(el: &mut Element) -> bool {
    let brace = match el.name.as_str() {
        "munder" => "⏟",
        "mover" => "⏞",
        _ => return false,
    };
    let braced =
        el.children
            .first()
            .and_then(Node::element)
            .is_some_and(|inner| {
                inner.name == el.name
                    && inner.children.len() == 2
                    && inner.children[1]
                        .element()
                        .is_some_and(|mo| mo.name == "mo" && mo.text() == brace)
            });
    match el.children.get_mut(1) {
        Some(Node::Element(label))
            if braced && label.attr("mathsize").is_none() =>
        {
            label.set_attr("mathsize", LABEL_SIZE);
            true
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Numbers under a script

/// KaTeX reads the base of a script as the last token before it, so
/// `10^{-5}` becomes `<mn>1</mn><msup><mn>0</mn>…</msup>`: the base is 0,
/// and a screen reader says "1, 0 to the power −5". It looks the same on
/// screen. A number written right before a script whose base is a number
/// is one number: it joins that base, `<msup><mn>10</mn>…</msup>`. Returns
/// how many it joined.
fn whole_base(row: &mut Vec<Node>) -> usize {
    let bare_mn = |node: &Node| {
        node.element()
            .filter(|el| el.name == "mn" && el.attrs.is_empty())
            .map(Element::text)
    };
    let mut joined = 0;
    let mut k = 0;
    while k + 1 < row.len() {
        let Some(digits) = bare_mn(&row[k]) else {
            k += 1;
            continue;
        };
        let Node::Element(script) = &mut row[k + 1] else {
            k += 1;
            continue;
        };
        let base = script.children.first().and_then(bare_mn);
        match base {
            Some(rest) if SCRIPTED.contains(&script.name.as_str()) => {
                script.children[0] =
                    Element::leaf("mn", &[], &format!("{digits}{rest}"));
                row.remove(k);
                joined += 1;
            }
            _ => k += 1,
        }
    }
    joined
}

// ---------------------------------------------------------------------------
// Double-struck and bold letters

/// MathML Core, which Chromium implements, draws only normal and italic
/// letters: KaTeX's `<mi mathvariant="double-struck">R</mi>` (\R) and
/// `<mn mathvariant="bold">1</mn>` (\one) would come out as a plain R
/// and a plain 1. They become the characters that mean them, ℝ and 𝟏, in
/// normal style. Returns whether `el` was such a letter or number.
fn letter(el: &mut Element) -> bool {
    let text = el.text();
    let mapped = match (el.name.as_str(), el.attr("mathvariant")) {
        ("mi", Some("double-struck")) => double_struck(&text),
        ("mi" | "mn", Some("bold"))
            if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) =>
        {
            Some(text.chars().map(|d| offset(d, '0', 0x1d7ce)).collect())
        }
        _ => None,
    };
    let Some(mapped) = mapped else {
        return false;
    };
    el.children = vec![Node::Text(mapped)];
    el.set_attr("mathvariant", "normal");
    true
}

/// The double-struck form of one Latin letter: seven capitals live in the
/// Letterlike Symbols block (ℝ), the other letters in Mathematical
/// Alphanumerics (𝕀).
fn double_struck(text: &str) -> Option<String> {
    const LETTERLIKE: [(char, char); 7] = [
        ('C', 'ℂ'),
        ('H', 'ℍ'),
        ('N', 'ℕ'),
        ('P', 'ℙ'),
        ('Q', 'ℚ'),
        ('R', 'ℝ'),
        ('Z', 'ℤ'),
    ];
    let mut chars = text.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return None;
    };
    let mapped = match c {
        _ if LETTERLIKE.iter().any(|&(l, _)| l == c) => {
            LETTERLIKE.iter().find(|&&(l, _)| l == c)?.1
        }
        'A'..='Z' => offset(c, 'A', 0x1d538),
        'a'..='z' => offset(c, 'a', 0x1d552),
        _ => return None,
    };
    Some(mapped.to_string())
}

// ---------------------------------------------------------------------------
// Subscripts, negative spaces, italic corrections, ellipses, scripts

/// The browser drops a subscript below its base's descender, so in
/// `x_i + y_i` the i of y sits lower than the i of x, and the indices of one
/// formula wobble. TeX drops the subscript of a single letter or number by
/// the same amount whatever its shape. The base, a letter or number (or one
/// followed by its primes, or an accented symbol), is given no depth: `<mpadded depth="0">`, which
/// changes nothing else (the letter is drawn as before), except that the
/// browser no longer sees the letter's italic correction, by which it (and
/// TeX) moves a superscript right of its subscript: the 2 of \(Y^2_{ik}\)
/// would run into the Y. So an italic letter with both scripts gets its
/// correction back as a space before its superscript, in the
/// superscript's smaller em ([`SCRIPT_SCALE`]). Returns whether `el` was
/// such a subscript.
fn steady_base(el: &mut Element) -> bool {
    let token = |n: &Node| n.is("mi") || n.is("mn");
    let letter = |base: &Element| {
        matches!(base.name.as_str(), "mi" | "mn")
            || (base.name == "mrow"
                && base.children.len() == 2
                && token(&base.children[0])
                && primes_in(&base.children[1]).is_some())
            // An accented symbol (\widehat{dy}_{Si}): the browser would
            // drop its index below the y's descender, twice as far as the
            // i of dy_i beside it, where TeX drops it a little.
            || (base.name == "mover" && base.attr("accent") == Some("true"))
    };
    let correction = match &el.children[..] {
        [Node::Element(base), _, _] if el.name == "msubsup" => {
            italic_correction_of(base)
        }
        _ => None,
    };
    if !pad_base(el, &["msub", "msubsup"], "depth", letter) {
        return false;
    }
    if let (Some(width), Some(Node::Element(sup))) =
        (correction, el.children.get_mut(2))
    {
        let sup = std::mem::replace(sup, Element::new("mrow", &[], Vec::new()));
        let mut space = Element::new(
            "mspace",
            &[("width", &format!("{:.4}em", width / SCRIPT_SCALE))],
            Vec::new(),
        );
        space.empty = true;
        let Some(Node::Element(row)) = el.children.get_mut(2) else {
            unreachable!("the superscript was just replaced by a row")
        };
        row.children = vec![Node::Element(space), Node::Element(sup)];
    }
    true
}

/// How much smaller a first-level script is than its base: Latin Modern
/// Math's `scriptPercentScaleDown`, 70%.
const SCRIPT_SCALE: f64 = 0.7;

/// Latin Modern Math's italic corrections of the italic a to z, in em (its
/// `MATH` table, as fontTools reads it); the capitals' are
/// [`ITALIC_CORRECTION`].
const ITALIC_CORRECTION_LOWER: [f64; 26] = [
    0.0, 0.014, 0.025, 0.024, 0.0, 0.09, 0.025, 0.0, 0.0, 0.013, 0.015, 0.0,
    0.0, 0.0, 0.012, 0.015, 0.034, 0.013, 0.0, 0.0, 0.0, 0.011, 0.003, 0.0,
    0.028, 0.03,
];

/// The italic correction of `base` if it is a single italic letter (an
/// `<mi>` of one ASCII letter, which the browser sets in italic), and
/// that correction is not zero.
fn italic_correction_of(base: &Element) -> Option<f64> {
    let text = base.text();
    let mut chars = text.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return None;
    };
    if base.name != "mi" || base.attr("mathvariant").is_some() {
        return None;
    }
    let width = match c {
        'A'..='Z' => ITALIC_CORRECTION[c as usize - 'A' as usize],
        'a'..='z' => ITALIC_CORRECTION_LOWER[c as usize - 'a' as usize],
        _ => return None,
    };
    (width > 0.0).then_some(width)
}

/// Puts the base of `el`, if `el` is one of the scripted elements `names`
/// and its base passes `wanted`, in an `<mpadded>` that sets `extent`
/// ("depth" or "height") to 0. Returns whether it did.
fn pad_base(
    el: &mut Element,
    names: &[&str],
    extent: &str,
    wanted: impl Fn(&Element) -> bool,
) -> bool {
    if !names.contains(&el.name.as_str()) {
        return false;
    }
    let Some(Node::Element(base)) = el.children.first_mut() else {
        return false;
    };
    if !wanted(base) {
        return false;
    }
    let inner = std::mem::replace(
        base,
        Element::new("mpadded", &[(extent, "0")], Vec::new()),
    );
    base.children.push(Node::Element(inner));
    true
}

/// The browser raises a superscript above its base's top less a fixed
/// drop (MathML Core), as TeX does above a box. A closing bracket or a
/// norm's bar reaches well above a letter, so the ² of ‖W‖² and the ⊤ of
/// (dY)⊤ float about 0.55 em up, where TeX, which raises the script of a
/// single character by the font's fixed amount whatever its height, puts
/// them 0.41 em up. The base, a closing bracket or bar at its own size
/// (not a `\big` one, which TeX treats as a box), is given no height:
/// `<mpadded height="0">`, which changes nothing else (the bracket is drawn
/// as before), so the browser too raises the script by the font's fixed
/// amount. Returns how many such scripts `el` holds, itself included.
fn closing_bases(el: &mut Element) -> usize {
    let mut n = usize::from(closing_base(el));
    for child in &mut el.children {
        if let Node::Element(inner) = child {
            n += closing_bases(inner);
        }
    }
    n
}

/// [`closing_bases`] for `el` alone.
fn closing_base(el: &mut Element) -> bool {
    let closing = |base: &Element| {
        matches!(base.name.as_str(), "mo" | "mi")
            && base.attr("mathsize").is_none()
            && base.attr("stretchy") != Some("true")
            && (CLOSING.contains(&base.text().as_str())
                || ["‖", "|"].contains(&base.text().as_str()))
    };
    pad_base(el, &["msup", "msubsup"], "height", closing)
}

/// KaTeX writes TeX's spaces `\,`, `\:` and `\;` as an `<mtext>` of a
/// Unicode space, which the browser draws as wide as the font makes that
/// character (`\,` comes out 0.2 em, not TeX's 0.1667 em), and a negative
/// space (`\!`, `\negmedspace`, `\negthickspace`) as the same character
/// followed by U+2063 INVISIBLE SEPARATOR, which the browser draws as a
/// positive space: `(…)^{\!\top}` puts a thin space before the ⊤, which
/// floats away from its bracket. Each becomes an `<mspace>` of TeX's
/// width; a negative one an empty `<mspace>` with that width as a negative
/// left margin, since the browser draws a negative width as no space at
/// all, and the ⊤ of `\left(…\right)^{\!\top}` would stand clear of the
/// bracket by the stretched bracket's air as well. Returns whether `el`
/// was such a space.
fn explicit_space(el: &mut Element) -> bool {
    const SPACES: [(&str, &str); 7] = [
        ("\u{2009}", "0.1667em"),
        ("\u{205f}", "0.2222em"),
        ("\u{2005}", "0.2778em"),
        ("\u{200a}\u{2063}", "-0.0556em"),
        ("\u{2009}\u{2063}", "-0.1667em"),
        ("\u{205f}\u{2063}", "-0.2222em"),
        ("\u{2005}\u{2063}", "-0.2778em"),
    ];
    if el.name != "mtext" {
        return false;
    }
    let text = el.text();
    let Some(&(_, width)) = SPACES.iter().find(|(t, _)| *t == text) else {
        return false;
    };
    *el = match width.strip_prefix('-') {
        // The browser draws a negative width as none, and honours a
        // negative margin.
        Some(_) => Element::new(
            "mspace",
            &[("style", &format!("margin-left: {width}"))],
            Vec::new(),
        ),
        None => Element::new("mspace", &[("width", width)], Vec::new()),
    };
    el.empty = true;
    true
}

/// TeX's italic correction of each italic capital, A to Z, in em (from
/// Computer Modern's math italic, whose shapes Latin Modern Math keeps).
const ITALIC_CORRECTION: [f64; 26] = [
    0.0, 0.0502, 0.0715, 0.0278, 0.0576, 0.1389, 0.0, 0.0813, 0.0785, 0.0962,
    0.0715, 0.0, 0.109, 0.109, 0.0278, 0.1389, 0.0, 0.0077, 0.0576, 0.1389,
    0.109, 0.2222, 0.1389, 0.0785, 0.2222, 0.0715,
];

/// An italic capital leans to the right: its top reaches past the end of
/// its box. TeX adds its italic correction after every one that has no
/// subscript, but the browser does not, so what follows runs into it:
/// "Y=", "(P− E)", "V+", "dY X", "W?". After an italic capital (alone, or
/// last in a group) that something follows (not a written space, a prime
/// or an invisible operator), an `<mspace>` of TeX's italic correction
/// for that letter is inserted; [`end_italic`] does the same at the end
/// of a formula, a fraction's part and a root. Returns how many it
/// inserted.
fn italic_correction(row: &mut Vec<Node>) -> usize {
    let mut at = Vec::new();
    for k in 0..row.len().saturating_sub(1) {
        let follows =
            row[k + 1]
                .element()
                .is_some_and(|el| match el.name.as_str() {
                    "mspace" => false,
                    "mo" => {
                        !el.text().is_empty()
                            && !el
                                .text()
                                .chars()
                                .all(|c| ('\u{2061}'..='\u{2064}').contains(&c))
                            && primes_in(&row[k + 1]).is_none()
                    }
                    "mtext" => !el.text().trim().is_empty(),
                    _ => true,
                });
        if let (true, Some(width)) = (follows, trailing_capital(&row[k])) {
            at.push((k + 1, width));
        }
    }
    for &(k, width) in at.iter().rev() {
        row.insert(k, correction(width));
    }
    at.len()
}

/// An `<mspace>` of `width` em: an italic correction.
fn correction(width: f64) -> Node {
    let width = format!("{width}em");
    let mut space = Element::new("mspace", &[("width", &width)], Vec::new());
    space.empty = true;
    Node::Element(space)
}

/// The italic correction of a capital that ends `el`'s row (or the last
/// group in it), which nothing follows there: the end of a formula, of a
/// fraction's numerator or denominator, or of a root, where TeX adds it
/// too (so that "W" in a denominator stays inside its bar, and text after
/// a formula clears it). A bare capital that is a fraction's part becomes
/// a row with its correction. Returns how many it inserted.
fn end_italic(el: &mut Element) -> usize {
    if el.name == "mfrac" {
        let mut n = 0;
        for part in el.children.iter_mut() {
            if let Some(width) = part
                .element()
                .filter(|e| e.name == "mi")
                .and_then(|_| trailing_capital(part))
            {
                let letter = std::mem::replace(part, correction(width));
                *part = Node::Element(Element::new(
                    "mrow",
                    &[],
                    vec![letter, correction(width)],
                ));
                n += 1;
            } else if let Node::Element(row) = part {
                if row.name == "mrow" && !is_group(row) {
                    n += end_italic(row);
                }
            }
        }
        return n;
    }
    match el.children.last_mut() {
        Some(Node::Element(last)) if last.name == "mrow" && !is_group(last) => {
            end_italic(last)
        }
        Some(last) => match trailing_capital(last) {
            Some(width) => {
                el.children.push(correction(width));
                1
            }
            None => 0,
        },
        None => 0,
    }
}

/// The italic correction of `node` if it is an italic capital with one,
/// or a row that ends in one.
fn trailing_capital(node: &Node) -> Option<f64> {
    let el = node.element()?;
    match el.name.as_str() {
        "mi" if matches!(el.attr("mathvariant"), None | Some("italic")) => {
            let text = el.text();
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c @ 'A'..='Z'), None) => {
                    Some(ITALIC_CORRECTION[c as usize - 'A' as usize])
                        .filter(|&w| w > 0.0)
                }
                _ => None,
            }
        }
        "mrow" if !is_group(el) => {
            el.children.last().and_then(trailing_capital)
        }
        _ => None,
    }
}

/// In running text TeX writes a derivative with a solidus, ∂L/∂W: a
/// stacked fraction there is set small, its scripts smaller still, and it
/// opens the lines around it. So an inline formula's fraction whose
/// numerator and denominator each start with ∂ (\pd, \dL) becomes the
/// row "∂L / ∂W", as if written so. Not one in a script, in another
/// fraction, or as the base of a script ((∂L/∂y)⊤ would need brackets),
/// nor one whose parts hold an operator or a relation; displays keep
/// every fraction stacked. The row is marked [`SLASHED`]. Returns the
/// row, or `None` to leave `el`.
fn slashed_derivative(el: &Element) -> Option<Node> {
    if el.name != "mfrac" || el.children.len() != 2 {
        return None;
    }
    let part = |node: &Node| -> Option<Node> {
        let el = node.element()?;
        let starts = |e: &Element| e.name == "mi" && e.text() == "\u{2202}";
        let plain = |nodes: &[Node]| {
            nodes.iter().all(|n| {
                n.element().is_none_or(|e| {
                    e.name != "mo"
                        || !(BINARY.contains(&e.text().as_str())
                            || RELATIONS.contains(&e.text().as_str()))
                })
            })
        };
        let ok = el.name == "mrow"
            && el
                .children
                .first()
                .and_then(Node::element)
                .is_some_and(starts)
            && plain(&el.children);
        ok.then(|| node.clone())
    };
    let numerator = part(&el.children[0])?;
    let denominator = part(&el.children[1])?;
    let slash = Element::leaf("mi", &[("mathvariant", "normal")], "/");
    Some(Node::Element(Element::new(
        "mrow",
        &[("class", SLASHED)],
        vec![numerator, slash, denominator],
    )))
}

/// The class of a derivative [`slashed_derivative`] wrote with a slash. It
/// keeps the thin space the stacked fraction had from a neighbouring
/// symbol or derivative ([`space_inner`]), the space an author writes in
/// "∂z/∂y ∂y/∂x" and "3 ∂L/∂y", which would otherwise read ∂z/∂y∂y/∂x.
const SLASHED: &str = "lg-slashed";

/// KaTeX writes \dots, \ldots and \cdots as `<mo>…</mo>` or `<mo>⋯</mo>`,
/// which the browser spaces as an operator: "0,  … , M". TeX sets them
/// as an inner atom: a thin space after the comma before them, and a thin
/// space before the comma after them ("0, …, M"). The operator's own space
/// goes, and [`space_inner`] puts TeX's thin spaces around it, since
/// [`class`] calls it Inner. Returns whether `el` was an ellipsis.
fn ellipsis(el: &mut Element) -> bool {
    if el.name != "mo"
        || !ELLIPSES.contains(&el.text().as_str())
        || el.attr("lspace").is_some()
    {
        return false;
    }
    el.set_attr("lspace", "0em");
    el.set_attr("rspace", "0em");
    true
}

/// The ellipses set as inner atoms.
const ELLIPSES: [&str; 2] = ["…", "⋯"];

/// In a script, and in the numerator and denominator of a fraction in the
/// text, TeX puts no space around relations, binary operators and
/// punctuation (`\sum_{i=1}` has "i=1" set tight), but the browser spaces
/// them as it does on the line. Each such operator is given no space.
/// Returns how many it changed.
fn script_spacing(row: &mut [Node]) -> usize {
    let mut changed = 0;
    for k in 0..row.len() {
        // A sign that opens its row is already set without space.
        let spaced = match class(&row[k], k == 0) {
            Some(Class::Bin) => {
                (0..k).any(|j| class(&row[j], j == 0).is_some())
            }
            Some(Class::Rel | Class::Punct) => true,
            _ => false,
        };
        let Node::Element(mo) = &mut row[k] else {
            continue;
        };
        if mo.name != "mo" || !spaced || mo.attr("form") == Some("prefix") {
            continue;
        }
        if mo.attr("lspace") == Some("0em") && mo.attr("rspace") == Some("0em")
        {
            continue;
        }
        mo.set_attr("lspace", "0em");
        mo.set_attr("rspace", "0em");
        changed += 1;
    }
    changed
}

/// The room between a radicand and the bar of its root. A math font's
/// letters reach above their box (the f of √f, the top of a 2), and the
/// browser puts the bar a rule's thickness above that box, so the bar
/// touches them; TeX's gap is about a tenth of an em above the letters.
const RADICAND_ROOM: &str = "padding-top: 0.1em";

/// The contents of `\sqrt{…}` go into one `<mrow>` with [`RADICAND_ROOM`]
/// above it, which lifts the bar clear of the tallest letter. Returns
/// whether `el` was a square root.
fn radicand(el: &mut Element) -> bool {
    if el.name != "msqrt" || el.children.is_empty() {
        return false;
    }
    if let [Node::Element(only)] = &el.children[..] {
        if only.attr("style") == Some(RADICAND_ROOM) {
            return false;
        }
    }
    let inside = std::mem::take(&mut el.children);
    let room = Element::new("mrow", &[("style", RADICAND_ROOM)], inside);
    el.children.push(Node::Element(room));
    true
}

/// The class that marks a bracketed matrix for the book's stylesheet
/// (theme/local-gradients.css), which draws its brackets.
const MATRIX: &str = "lg-matrix";

/// KaTeX writes `\begin{bmatrix}` as `<mrow><mo fence="true">[</mo>`, the
/// `<mtable>`, and `<mo fence="true">]</mo>`. The browser stretches the two
/// brackets, and once a matrix is taller than the font's largest bracket it
/// builds each from pieces, but it places those pieces off centre: it
/// centres them by their ink, in a box as wide as the font's widest bracket,
/// and then draws them as far in from the box's edge as the font puts them
/// (crbug.com/1124301). The ink of both brackets moves right by the same
/// amount, so the \[ runs into the first column and the \] stands far from the
/// last; how far depends on the font, which only the browser knows.
///
/// So the stylesheet draws the brackets instead, as rules along the table's
/// sides, the same on both sides in every font and at every height (and in
/// a font that cannot stretch a bracket at all). The row gets [`MATRIX`],
/// and the two `<mo>`s are no longer stretched: they stay in the formula
/// for screen readers, and the stylesheet hides their ink. Returns whether
/// `el` was such a matrix.
fn matrix_brackets(el: &mut Element) -> bool {
    let fence = |n: &Node, c: &str| {
        n.element().is_some_and(|e| {
            e.name == "mo" && e.attr("fence") == Some("true") && e.text() == c
        })
    };
    let matrix = el.name == "mrow"
        && el.attr("class").is_none()
        && matches!(&el.children[..], [open, table, close]
            if fence(open, "[") && table.is("mtable") && fence(close, "]"));
    if !matrix {
        return false;
    }
    el.set_attr("class", MATRIX);
    for k in [0, 2] {
        if let Node::Element(mo) = &mut el.children[k] {
            mo.set_attr("stretchy", "false");
        }
    }
    true
}

/// KaTeX writes `\widehat{dy}` as an accent `<mo stretchy="true">^</mo>`,
/// but a math font stretches only the combining circumflex (U+0302), so
/// the browser draws a small hat over the first letter alone. The accent
/// becomes U+0302, which the font widens over its whole base as TeX's
/// `\widehat` is. Returns whether `el` was such an accent.
fn wide_hat(el: &mut Element) -> bool {
    if el.name != "mo"
        || el.attr("stretchy") != Some("true")
        || el.text() != "^"
    {
        return false;
    }
    el.children = vec![Node::Text("\u{0302}".to_string())];
    true
}

/// Where an accent sits over each italic letter, A to Z and a to z: how
/// far right of the middle of its advance, in em. These are Latin Modern
/// Math's top accent attachments (its `MATH` table, as fontTools reads
/// it: attachment less half the advance, over units per em), which place
/// an accent as TeX places one over Computer Modern's slanted letters
/// with its skew character.
const ACCENT_SKEW: [[f64; 26]; 2] = [
    [
        0.175, 0.041, 0.238, 0.013, 0.114, 0.153, 0.203, 0.127, 0.127, 0.209,
        0.12, 0.019, 0.14, 0.141, 0.114, 0.095, 0.1, 0.018, 0.192, 0.106, 0.08,
        0.121, 0.08, 0.114, 0.108, 0.143,
    ],
    [
        0.022, -0.05, 0.101, 0.182, 0.067, 0.219, 0.077, -0.075, 0.074, 0.153,
        -0.048, 0.035, -0.035, -0.035, 0.072, -0.005, 0.126, 0.021, 0.061,
        0.044, 0.019, 0.051, 0.047, 0.043, 0.059, 0.103,
    ],
];

/// An italic letter leans right, so TeX sets an accent over it right of
/// the middle of its box, over the middle of its slanted top; the browser
/// centres it over the box, and the bar of \(\bar X\) sits left of the X.
/// A short accent (not a stretched one) over a single italic letter is
/// drawn right of its place by the letter's [`ACCENT_SKEW`], by relative
/// positioning, which moves nothing else. (An `<mpadded lspace>` would
/// move it too, but the browser then no longer sets it as an accent, close
/// over its letter, but as a script, far above it.) Returns whether `el`
/// was such an accent.
fn skewed_accent(el: &mut Element) -> bool {
    if el.name != "mover" || el.attr("accent") != Some("true") {
        return false;
    }
    let [Node::Element(base), Node::Element(accent)] = &mut el.children[..]
    else {
        return false;
    };
    let letter = base.text();
    let mut chars = letter.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return false;
    };
    if base.name != "mi"
        || base.attr("mathvariant").is_some()
        || !c.is_ascii_alphabetic()
        || accent.name != "mo"
        || accent.attr("stretchy") == Some("true")
    {
        return false;
    }
    if accent.attr("style").is_some() {
        return false;
    }
    let case = usize::from(c.is_ascii_lowercase());
    let skew =
        ACCENT_SKEW[case][(c.to_ascii_lowercase() as u8 - b'a') as usize];
    accent.set_attr("style", &format!("position: relative; left: {skew}em"));
    true
}

/// The size KaTeX gives a `\big` bracket.
const BIG: &str = "1.2em";

/// KaTeX writes `\big(` as an `<mo>` stretched to exactly [`BIG`]
/// (`minsize` and `maxsize`). The browser makes a stretched bracket's box as
/// wide as the font's widest form of it (MathML Core), 0.87 em in Latin
/// Modern Math, and centres the narrow glyph it draws in it: ~0.2 em of air
/// inside each bracket, and a ⊤ after it floats away. The bracket becomes
/// its own character drawn at 1.2 em (`mathsize`), which has a box as wide
/// as its ink in every font, and in a font that cannot stretch a bracket
/// (Noto Sans Math) is still big. Only `\big`: a larger one drawn that way
/// would sit too high above the axis and look heavy. Returns whether `el`
/// was such a bracket.
fn big_bracket(el: &mut Element) -> bool {
    let big = el.name == "mo"
        && el.attr("minsize") == Some(BIG)
        && el.attr("maxsize") == Some(BIG)
        && (OPENING.contains(&el.text().as_str())
            || CLOSING.contains(&el.text().as_str()));
    if !big {
        return false;
    }
    el.attrs.retain(|(k, _)| {
        !["minsize", "maxsize", "stretchy"].contains(&k.as_str())
    });
    el.set_attr("stretchy", "false");
    el.set_attr("mathsize", BIG);
    true
}

/// The character `start` + (`c` − `from`).
fn offset(c: char, from: char, start: u32) -> char {
    char::from_u32(start + (c as u32 - from as u32))
        .expect("a Mathematical Alphanumerics character")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Formulas as mdbook-katex 0.10 writes them into the book (copied from
    // book/*.html), and a few from the same KaTeX for TeX the book does not
    // use yet. `M` opens each one.
    const M: &str = "<math xmlns=\"http://www.w3.org/1998/Math/MathML\">";
    const BLOCK: &str =
        "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">";

    fn math(body: &str) -> String {
        format!("{M}<mrow>{body}</mrow></math>")
    }

    /// The formula's text, with each thin space this module inserts as "␣"
    /// and the invisible function application dropped.
    fn sketch(html: &str) -> String {
        let spaced = html.replace("<mspace width=\"0.1667em\"/>", "␣");
        let mut text = String::new();
        let mut in_tag = false;
        for c in spaced.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                '\u{2061}' => {}
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    }

    /// Typesets `html`, and checks that it made exactly the changes `want`.
    /// A test of the rules before [`steady_base`] that counts none of the
    /// rules from there on (subscripts, spaces, italic
    /// corrections, ellipses, scripts, roots, brackets, large operators,
    /// big brackets, closing bases, slashed derivatives)
    /// leaves them to their own tests: only
    /// the earlier rules' counts are checked.
    fn run(html: &str, want: Changes) -> String {
        let (out, mut got) = typeset(html);
        let later = |c: &Changes| {
            [
                c.subscripts,
                c.spaces,
                c.italics,
                c.ellipses,
                c.scripted,
                c.radicands,
                c.brackets,
                c.operators,
                c.big,
                c.closing,
                c.slashed,
                c.hats,
                c.accents,
            ]
        };
        if later(&want) == [0; 13] {
            (got.subscripts, got.spaces, got.italics) = (0, 0, 0);
            (got.ellipses, got.scripted, got.radicands) = (0, 0, 0);
            (got.brackets, got.operators, got.big) = (0, 0, 0);
            (got.closing, got.slashed, got.hats) = (0, 0, 0);
            got.accents = 0;
        }
        assert_eq!(got, want, "changes made to {html}\ngiving {out}");
        out
    }

    const NONE: Changes = Changes {
        primes: 0,
        names: 0,
        plus_equals: 0,
        norm_bars: 0,
        tables: 0,
        signs: 0,
        inner: 0,
        operators: 0,
        labels: 0,
        letters: 0,
        numbers: 0,
        subscripts: 0,
        spaces: 0,
        italics: 0,
        ellipses: 0,
        scripted: 0,
        radicands: 0,
        brackets: 0,
        big: 0,
        closing: 0,
        slashed: 0,
        hats: 0,
        accents: 0,
    };

    fn primes(n: usize) -> Changes {
        Changes { primes: n, ..NONE }
    }

    fn names(n: usize) -> Changes {
        Changes { names: n, ..NONE }
    }

    const PRIME: &str =
        "<mo mathvariant=\"normal\" lspace=\"0em\" rspace=\"0em\">′</mo>";
    const ONE_PRIME: &str = "<mo lspace=\"0em\" rspace=\"0em\">′</mo>";

    #[test]
    fn a_number_under_a_script_is_one_number() {
        // h = 10^{-5} (checking gradients): the whole number is the base.
        let before = math("<mi>h</mi><mo>=</mo><mn>1</mn><msup><mn>0</mn><mrow><mo>−</mo><mn>5</mn></mrow></msup>");
        let after =
            math("<mi>h</mi><mo>=</mo><msup><mn>10</mn><mrow><mo>−</mo><mn>5</mn></mrow></msup>");
        assert_eq!(run(&before, Changes { numbers: 1, ..NONE }), after);
        // A number before a lettered base, or a script on a letter, stays.
        let apart = math("<mn>2</mn><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mn>3</mn><msup><mi>W</mi><mn>1</mn></msup>");
        assert_eq!(run(&apart, NONE), apart);
    }

    #[test]
    fn a_prime_follows_its_letter() {
        // NH'W' (convolution).
        let before = math(&format!(
            "<mi>N</mi><msup><mi>H</mi>{PRIME}</msup><msup><mi>W</mi>{PRIME}</msup>"
        ));
        let after = math(&format!(
            "<mi>N</mi><mspace width=\"0.109em\"/><mrow><mi>H</mi>{ONE_PRIME}</mrow><mrow><mi>W</mi>{ONE_PRIME}</mrow>"
        ));
        assert_eq!(run(&before, primes(2)), after);
    }

    #[test]
    fn two_primes_are_one_double_prime() {
        // \frac{h}{2}\phi''(x) (checking gradients).
        let primes_mrow =
            "<mrow><mo mathvariant=\"normal\">′</mo><mo mathvariant=\"normal\">′</mo></mrow>";
        let x = "<mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo>";
        let half = "<mfrac><mi>h</mi><mn>2</mn></mfrac>";
        let before =
            math(&format!("{half}<msup><mi>ϕ</mi>{primes_mrow}</msup>{x}"));
        // The fraction, an Inner atom, is a thin space from ϕ″.
        let after = math(&format!(
            "{half}<mspace width=\"0.1667em\"/><mrow><mi>ϕ</mi><mo lspace=\"0em\" rspace=\"0em\">″</mo></mrow>{x}"
        ));
        let want = Changes {
            primes: 1,
            inner: 1,
            ..NONE
        };
        assert_eq!(run(&before, want), after);
        // And three, \phi''' (checking gradients in depth).
        let three = format!(
            "<mrow>{0}{0}{0}</mrow>",
            "<mo mathvariant=\"normal\">′</mo>"
        );
        let out =
            run(&math(&format!("<msup><mi>ϕ</mi>{three}</msup>")), primes(1));
        assert_eq!(sketch(&out), "ϕ‴");
    }

    #[test]
    fn a_primed_operator_name_is_one_row_with_no_space_before_its_argument() {
        // \tanh'(x) = 1 - \tanh^2(x) (computational graphs): the prime joins
        // the name's row; tanh² is not a prime and keeps its superscript.
        let tanh = "<mrow><mi>tanh</mi><mo>⁡</mo></mrow>";
        let x = "<mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo>";
        let before = math(&format!(
            "<msup>{tanh}{PRIME}</msup>{x}<mo>=</mo><mn>1</mn><mo>−</mo><msup>{tanh}<mn>2</mn></msup>{x}"
        ));
        let after = math(&format!(
            "<mrow><mi>tanh</mi><mo>⁡</mo>{ONE_PRIME}</mrow>{x}<mo>=</mo><mn>1</mn><mo>−</mo><msup>{tanh}<mn>2</mn></msup>{x}"
        ));
        assert_eq!(run(&before, primes(1)), after);
    }

    #[test]
    fn a_subscript_or_a_real_superscript_follows_the_prime() {
        // KaTeX's W'_k(x): a subscript and a prime on W.
        let before = math(&format!(
            "<msubsup><mi>W</mi><mi>k</mi>{PRIME}</msubsup><mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo>"
        ));
        let after = math(&format!(
            "<msub><mpadded depth=\"0\"><mrow><mi>W</mi>{ONE_PRIME}</mrow></mpadded><mi>k</mi></msub><mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo>"
        ));
        let subscript = Changes {
            primes: 1,
            subscripts: 1,
            ..NONE
        };
        assert_eq!(run(&before, subscript), after);
        // KaTeX's f'^2: f prime, squared.
        let before =
            math("<msup><mi>f</mi><mrow><mo mathvariant=\"normal\">′</mo><mn>2</mn></mrow></msup>");
        let after = math(&format!(
            "<msup><mrow><mi>f</mi>{ONE_PRIME}</mrow><mn>2</mn></msup>"
        ));
        assert_eq!(run(&before, primes(1)), after);
        // KaTeX's f''_k: both.
        let before = math("<msubsup><mi>f</mi><mi>k</mi><mrow><mo mathvariant=\"normal\">′</mo><mo mathvariant=\"normal\">′</mo><mn>2</mn></mrow></msubsup>");
        let after = math("<msubsup><mpadded depth=\"0\"><mrow><mi>f</mi><mo lspace=\"0em\" rspace=\"0em\">″</mo></mrow></mpadded><mi>k</mi><mn>2</mn></msubsup>");
        assert_eq!(run(&before, subscript), after);
    }

    #[test]
    fn scripts_that_are_not_primes_are_left_alone() {
        // p_i - p_i^2 and 1/(1 + e^{-(s_1 - s_2)}) (softmax), and KaTeX's
        // x^{\mathop{}}, an empty operator.
        let formula = math(
            "<msup><mi>x</mi><mo lspace=\"0em\" rspace=\"0em\"></mo></msup>",
        );
        assert_eq!(run(&formula, NONE), formula);
        // Their subscripts are steadied, and the minus in the exponent set
        // tight, by the rules below; no prime comes in.
        for (formula, want) in [
            (math("<msub><mi>p</mi><mi>i</mi></msub><mo>−</mo><msubsup><mi>p</mi><mi>i</mi><mn>2</mn></msubsup>"), Changes { subscripts: 2, ..NONE }),
            (math("<mn>1</mn><mi mathvariant=\"normal\">/</mi><mo stretchy=\"false\">(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mo stretchy=\"false\">(</mo><msub><mi>s</mi><mn>1</mn></msub><mo>−</mo><msub><mi>s</mi><mn>2</mn></msub><mo stretchy=\"false\">)</mo></mrow></msup><mo stretchy=\"false\">)</mo>"), Changes { subscripts: 2, scripted: 1, ..NONE }),
        ] {
            assert!(!run(&formula, want).contains('″'));
        }
    }

    #[test]
    fn a_name_is_spaced_from_the_symbols_around_it() {
        // (r\sin t, r\cos t) (network).
        let out = run(&math("<mo stretchy=\"false\">(</mo><mi>r</mi><mi>sin</mi><mo>⁡</mo><mi>t</mi><mo separator=\"true\">,</mo><mi>r</mi><mi>cos</mi><mo>⁡</mo><mi>t</mi><mo stretchy=\"false\">)</mo>"), names(2));
        assert_eq!(
            out,
            math("<mo stretchy=\"false\">(</mo><mi>r</mi><mspace width=\"0.1667em\"/><mi>sin</mi><mo>⁡</mo><mspace width=\"0.1667em\"/><mi>t</mi><mo separator=\"true\">,</mo><mi>r</mi><mspace width=\"0.1667em\"/><mi>cos</mi><mo>⁡</mo><mspace width=\"0.1667em\"/><mi>t</mi><mo stretchy=\"false\">)</mo>")
        );
        // \frac{d}{dx} \sin x \cos x = \cos^2 x - \sin^2 x = \cos 2x
        // (checking gradients): a fraction, scripted names, a relation and
        // a binary minus on the left.
        let out = run(&math("<mfrac><mi>d</mi><mrow><mi>d</mi><mi>x</mi></mrow></mfrac><mi>sin</mi><mo>⁡</mo><mi>x</mi><mi>cos</mi><mo>⁡</mo><mi>x</mi><mo>=</mo><msup><mrow><mi>cos</mi><mo>⁡</mo></mrow><mn>2</mn></msup><mi>x</mi><mo>−</mo><msup><mrow><mi>sin</mi><mo>⁡</mo></mrow><mn>2</mn></msup><mi>x</mi><mo>=</mo><mi>cos</mi><mo>⁡</mo><mn>2</mn><mi>x</mi>"), names(5));
        assert_eq!(sketch(&out), "ddx␣sin␣x␣cos␣x=cos2␣x−sin2␣x=cos␣2x");
        // |L''| < 100\max(1, |L'|) (checking gradients): a number on the
        // left, an opening bracket on the right.
        let bar = "<mi mathvariant=\"normal\">∣</mi>";
        let out = run(&math(&format!("{bar}<msup><mi>L</mi><mrow><mo mathvariant=\"normal\">′</mo><mo mathvariant=\"normal\">′</mo></mrow></msup>{bar}<mo>&lt;</mo><mn>100</mn><mi>max</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><mn>1</mn><mo separator=\"true\">,</mo>{bar}<msup><mi>L</mi>{PRIME}</msup>{bar}<mo stretchy=\"false\">)</mo>")), Changes { primes: 2, names: 1, ..NONE });
        assert_eq!(sketch(&out), "∣L″∣&lt;100␣max(1,∣L′∣)");
    }

    #[test]
    fn a_sign_counts_as_a_symbol_and_two_names_share_one_space() {
        // -\ln p_y (softmax).
        let out = run(
            &math("<mo>−</mo><mi>ln</mi><mo>⁡</mo><msub><mi>p</mi><mi>y</mi></msub>"),
            Changes {
                subscripts: 1,
                ..names(1)
            },
        );
        assert_eq!(out, math("<mo>−</mo><mspace width=\"0.1667em\"/><mi>ln</mi><mo>⁡</mo><mspace width=\"0.1667em\"/><msub><mpadded depth=\"0\"><mi>p</mi></mpadded><mi>y</mi></msub>"));
        // -\ln\operatorname{softmax}(S_{:,i})_{y_i} after a sum (network).
        let out = run(&format!("{BLOCK}<mrow><mi>L</mi><mo>=</mo><mfrac><mn>1</mn><mi>n</mi></mfrac><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mo>−</mo><mi>ln</mi><mo>⁡</mo><mi mathvariant=\"normal\">softmax</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><msub><mi>S</mi><mrow><mo>:</mo><mo separator=\"true\">,</mo><mi>i</mi></mrow></msub><msub><mo stretchy=\"false\">)</mo><msub><mi>y</mi><mi>i</mi></msub></msub></mrow></math>"), Changes { names: 1, signs: 1, ..NONE });
        assert_eq!(sketch(&out), "L=1n∑i=1n−␣ln␣softmax(S:,i)yi");
        // The minus after the sum is a sign (the rule below), the first a
        // minus that opens its row already is.
        assert!(
            out.contains("</munderover><mo form=\"prefix\">−</mo>"),
            "{out}"
        );
        // KaTeX's \ln\ln x, \ln\cos^2 x, and \tanh'\sin x, whose first
        // name ends in a prime.
        let out = run(
            &math("<mi>ln</mi><mo>⁡</mo><mi>ln</mi><mo>⁡</mo><mi>x</mi>"),
            names(2),
        );
        assert_eq!(sketch(&out), "ln␣ln␣x");
        let out = run(&math("<mi>ln</mi><mo>⁡</mo><msup><mrow><mi>cos</mi><mo>⁡</mo></mrow><mn>2</mn></msup><mi>x</mi>"), names(2));
        assert_eq!(sketch(&out), "ln␣cos2␣x");
        let tanh =
            format!("<msup><mrow><mi>tanh</mi><mo>⁡</mo></mrow>{PRIME}</msup>");
        let out = run(
            &math(&format!("{tanh}<mi>sin</mi><mo>⁡</mo><mi>x</mi>")),
            Changes {
                primes: 1,
                names: 2,
                ..NONE
            },
        );
        assert_eq!(sketch(&out), "tanh′␣sin␣x");
        // -\ln \sum_j … = \ln … : a large operator spaces itself.
        let out = run(&math("<mi>ln</mi><mo>⁡</mo><munder><mo>∑</mo><mi>j</mi></munder><msup><mi>e</mi><mi>s</mi></msup>"), NONE);
        assert_eq!(sketch(&out), "ln∑jes");
    }

    #[test]
    fn no_space_before_an_opening_bracket_or_after_a_relation() {
        // \operatorname{vec}(X) (introduction), p = \operatorname{softmax}(s)
        // (network) and \operatorname{diag}\bigl(…\bigr) (affine weights).
        for formula in [
            math("<mi mathvariant=\"normal\">vec</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><mi>X</mi><mo stretchy=\"false\">)</mo>"),
            math("<mi>p</mi><mo>=</mo><mi mathvariant=\"normal\">softmax</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><mi>s</mi><mo stretchy=\"false\">)</mo>"),
            math("<mo>=</mo><mi mathvariant=\"normal\">diag</mi><mo>⁡</mo><mo fence=\"false\" stretchy=\"true\" minsize=\"1.2em\" maxsize=\"1.2em\">(</mo><mi>x</mi><mo fence=\"false\" stretchy=\"true\" minsize=\"1.2em\" maxsize=\"1.2em\">)</mo>"),
        ] {
            // (X's italic correction before ")" is the rule below.)
            assert_eq!(sketch(&run(&formula, NONE)), sketch(&formula));
        }
    }

    #[test]
    fn a_closing_bracket_before_a_name_is_a_symbol() {
        // L(x) = \sum_i \sin(x_i) \cos(x_i) (checking gradients).
        let x_i = "<mo stretchy=\"false\">(</mo><msub><mi>x</mi><mi>i</mi></msub><mo stretchy=\"false\">)</mo>";
        let out = run(&math(&format!("<mi>L</mi><mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo><mo>=</mo><msub><mo>∑</mo><mi>i</mi></msub><mi>sin</mi><mo>⁡</mo>{x_i}<mi>cos</mi><mo>⁡</mo>{x_i}")), names(1));
        assert_eq!(sketch(&out), "L(x)=∑isin(xi)␣cos(xi)");
        // (∂vec(Y)/∂b)^⊤ vec(dY), from a display in "Affine layer: biases":
        // the group ends in a bracket.
        let out = run(&math("<msup><mrow><mo fence=\"true\">(</mo><mfrac><mi>a</mi><mi>b</mi></mfrac><mo fence=\"true\">)</mo></mrow><mrow><mtext> ⁣</mtext><mi mathvariant=\"normal\">⊤</mi></mrow></msup><mi mathvariant=\"normal\">vec</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><mi>d</mi><mi>Y</mi><mo stretchy=\"false\">)</mo>"), names(1));
        assert_eq!(sketch(&out), "(ab) ⁣⊤␣vec(dY)");
    }

    #[test]
    fn a_written_space_needs_no_other() {
        // ⟹ \quad \operatorname{vec}(X) (tensors), and KaTeX's x\ \ln y.
        let formula = math("<mi>X</mi><mspace width=\"1em\"/><mo>⟹</mo><mspace width=\"1em\"/><mi mathvariant=\"normal\">vec</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><mi>X</mi><mo stretchy=\"false\">)</mo>");
        assert_eq!(sketch(&run(&formula, NONE)), sketch(&formula));
        let out = run(
            &math(
                "<mi>x</mi><mtext>\u{a0}</mtext><mi>ln</mi><mo>⁡</mo><mi>y</mi>",
            ),
            names(1),
        );
        assert_eq!(sketch(&out), "x\u{a0}ln␣y");
    }

    #[test]
    fn a_primed_symbol_before_a_name_is_a_symbol() {
        // KaTeX's \phi' \ln x: the prime rule runs first.
        let out = run(
            &math(&format!(
                "<msup><mi>ϕ</mi>{PRIME}</msup><mi>ln</mi><mo>⁡</mo><mi>x</mi>"
            )),
            Changes {
                primes: 1,
                names: 1,
                ..NONE
            },
        );
        assert_eq!(sketch(&out), "ϕ′␣ln␣x");
    }

    #[test]
    fn a_scripted_name_is_a_name() {
        // m = \max_k x_k (softmax): the subscript goes with max.
        let out = run(&math("<mi>m</mi><mo>=</mo><msub><mrow><mi>max</mi><mo>⁡</mo></mrow><mi>k</mi></msub><msub><mi>x</mi><mi>k</mi></msub>"), names(1));
        assert_eq!(sketch(&out), "m=maxk␣xk");
    }

    #[test]
    fn formulas_without_names_are_left_alone() {
        // p_1 = 1/(1 + e^{…}) = \sigma(t) (softmax): a one-letter function.
        let formula = math("<msub><mi>p</mi><mn>1</mn></msub><mo>=</mo><mn>1</mn><mi mathvariant=\"normal\">/</mi><mo stretchy=\"false\">(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><mi>t</mi></msup><mo stretchy=\"false\">)</mo><mo>=</mo><mi>σ</mi><mo stretchy=\"false\">(</mo><mi>t</mi><mo stretchy=\"false\">)</mo>");
        assert_eq!(sketch(&run(&formula, NONE)), sketch(&formula));
        // KaTeX's \mathrm{ReLU}(x): upright letters, not an operator name.
        let formula = math("<mrow><mi mathvariant=\"normal\">R</mi><mi mathvariant=\"normal\">e</mi><mi mathvariant=\"normal\">L</mi><mi mathvariant=\"normal\">U</mi></mrow><mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo>");
        assert_eq!(run(&formula, NONE), formula);
    }

    #[test]
    fn plus_equals_is_one_relation() {
        // The first of convolution's three += (the others are alike).
        let formula = format!("{BLOCK}<mrow><mfrac><mrow><mi mathvariant=\"normal\">∂</mi><mi>L</mi></mrow><mrow><mi mathvariant=\"normal\">∂</mi><mi>b</mi><mo stretchy=\"false\">[</mo><mi>f</mi><mo stretchy=\"false\">]</mo></mrow></mfrac><mo>+</mo><mo>=</mo><mi>g</mi><mo separator=\"true\">,</mo><mspace width=\"2em\"/></mrow></math>");
        let out = run(
            &formula,
            Changes {
                plus_equals: 1,
                ..NONE
            },
        );
        assert_eq!(
            out,
            formula.replace(
                "<mo>+</mo><mo>=</mo>",
                "<mo lspace=\"0.2778em\" rspace=\"0.2778em\">+=</mo>"
            )
        );
    }

    #[test]
    fn a_plus_and_an_equals_apart_are_left_alone() {
        // g = a + b (computational graphs) and s_+ = 1 (checking gradients).
        let formula =
            math("<mi>g</mi><mo>=</mo><mi>a</mi><mo>+</mo><mi>b</mi>");
        assert_eq!(run(&formula, NONE), formula);
        let out = run(
            &math("<msub><mi>s</mi><mo>+</mo></msub><mo>=</mo><mn>1</mn>"),
            Changes {
                subscripts: 1,
                ..NONE
            },
        );
        assert!(out.contains("<mo>+</mo></msub><mo>=</mo>"), "{out}");
    }

    #[test]
    fn norm_bars_are_tight() {
        // \lVert W \rVert^2 (network).
        let out = run(&math("<mo stretchy=\"false\">∥</mo><mi>W</mi><msup><mo stretchy=\"false\">∥</mo><mn>2</mn></msup>"), Changes { norm_bars: 2, ..NONE });
        let bar = "<mo stretchy=\"false\" lspace=\"0em\" rspace=\"0em\">‖</mo>";
        assert_eq!(
            out,
            math(&format!(
                "{bar}<mi>W</mi><mspace width=\"0.1389em\"/><msup><mpadded height=\"0\">{bar}</mpadded><mn>2</mn></msup>"
            ))
        );
        // \tfrac12 \lambda \|W\|^2 (network): bars that are not operators
        // take no space already; they get the norm's character.
        let out = run(&math("<mi>λ</mi><mi mathvariant=\"normal\">∥</mi><mi>W</mi><msup><mi mathvariant=\"normal\">∥</mi><mn>2</mn></msup>"), Changes { norm_bars: 2, ..NONE });
        assert_eq!(out, math("<mi>λ</mi><mi mathvariant=\"normal\">‖</mi><mi>W</mi><mspace width=\"0.1389em\"/><msup><mpadded height=\"0\"><mi mathvariant=\"normal\">‖</mi></mpadded><mn>2</mn></msup>"));
        // KaTeX's \left\| W \right\|.
        let out = run(
            &math(
                "<mo fence=\"true\">∥</mo><mi>W</mi><mo fence=\"true\">∥</mo>",
            ),
            Changes {
                norm_bars: 2,
                ..NONE
            },
        );
        assert_eq!(sketch(&out), "‖W‖");
    }

    #[test]
    fn parallel_stays_a_relation() {
        // KaTeX's a \parallel b.
        let formula = math("<mi>a</mi><mo>∥</mo><mi>b</mi>");
        assert_eq!(run(&formula, NONE), formula);
    }

    #[test]
    fn leaves_everything_outside_katex_formulas_alone() {
        let formula =
            math("<msup><mi>f</mi><mo mathvariant=\"normal\">′</mo></msup>");
        let page =
            format!("Write `<math>f'</math>` as {formula}, not <em>f'</em>.");
        let (out, _) = typeset(&page);
        let primed = math(&format!("<mrow><mi>f</mi>{ONE_PRIME}</mrow>"));
        assert_eq!(
            out,
            format!("Write `<math>f'</math>` as {primed}, not <em>f'</em>.")
        );
    }

    // A table that the table rule lays out, in the tests below.
    const TABLE: &str = "<mtable rowspacing=\"0.16em\" columnalign=\"center\" columnspacing=\"1em\"><mtr><mtd><mn>1</mn></mtd></mtr></mtable>";
    const LAID_OUT: &str = "<mtable rowspacing=\"0.16em\" columnalign=\"center\" columnspacing=\"1em\"><mtr><mtd style=\"padding-left: 0em; padding-right: 0em\"><mn>1</mn></mtd></mtr></mtable>";

    /// A bmatrix around [`TABLE`], as KaTeX writes one.
    fn bmatrix(table: &str) -> String {
        format!("<mrow><mo fence=\"true\">[</mo>{table}<mo fence=\"true\">]</mo></mrow>")
    }

    #[test]
    fn an_aligned_block_is_laid_out_in_its_cells() {
        // Convolution's y_0, y_1, y_2, cut to one row: the table rule
        // (table.rs) runs on every table, and only once.
        let row = "<mtr><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><msub><mi>y</mi><mn>0</mn></msub></mstyle></mtd><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><mrow><mrow></mrow><mo>=</mo><mn>5.5</mn></mrow></mstyle></mtd></mtr>";
        let formula = format!("{BLOCK}<mtable rowspacing=\"0.25em\" columnalign=\"right left\" columnspacing=\"0em\">{row}</mtable></math>");
        let out = run(&formula, Changes { tables: 1, ..NONE });
        assert!(out.contains("<mtd style=\"text-align: right; text-align: -webkit-right; padding-left: 0em; padding-right: 0em\"><mstyle"), "{out}");
        assert!(out.contains("<mtd style=\"text-align: left; text-align: -webkit-left; padding-left: 0em; padding-right: 0em\"><mstyle"), "{out}");
        let (again, changes) = typeset(&out);
        assert_eq!((again, changes), (out, NONE));
    }

    /// How many operators in `html` are prefix operators.
    fn prefixed(html: &str) -> usize {
        html.matches("<mo form=\"prefix\">").count()
    }

    #[test]
    fn a_sign_after_a_relation_or_an_opening_bracket_is_not_a_subtraction() {
        // Convolution's y_0 = 2 ⋅ 1 − 1 ⋅ 2 + 0.5 ⋅ (−1) + 0.25 = −0.25: the
        // minus after "(" and after "=" are signs, the one between 1 and 1
        // a subtraction.
        let formula = math("<mrow></mrow><mo>=</mo><mn>2</mn><mo>⋅</mo><mn>1</mn><mo>−</mo><mn>1</mn><mo>⋅</mo><mn>2</mn><mo>+</mo><mn>0.5</mn><mo>⋅</mo><mo stretchy=\"false\">(</mo><mo>−</mo><mn>1</mn><mo stretchy=\"false\">)</mo><mo>+</mo><mn>0.25</mn><mo>=</mo><mo>−</mo><mn>0.25</mn>");
        let out = run(&formula, Changes { signs: 2, ..NONE });
        assert_eq!(
            out,
            formula
                .replace("(</mo><mo>−", "(</mo><mo form=\"prefix\">−")
                .replace(
                    "<mo>=</mo><mo>−</mo><mn>0.25",
                    "<mo>=</mo><mo form=\"prefix\">−</mo><mn>0.25"
                )
        );
    }

    #[test]
    fn a_sign_after_a_comma_a_sum_or_a_name_is_not_a_subtraction() {
        // (0.5,\ -1,\ 2) (array operations): the space after the comma is
        // skipped over.
        let out = run(&math("<mo stretchy=\"false\">(</mo><mn>0.5</mn><mo separator=\"true\">,</mo><mtext>\u{a0}</mtext><mo>−</mo><mn>1</mn><mo stretchy=\"false\">)</mo>"), Changes { signs: 1, ..NONE });
        assert_eq!(prefixed(&out), 1, "{out}");
        // \sum_i -x_i, inline, and KaTeX's \ln -x.
        let out = run(
            &math("<msub><mo>∑</mo><mi>i</mi></msub><mo>−</mo><msub><mi>x</mi><mi>i</mi></msub>"),
            Changes { signs: 1, ..NONE },
        );
        assert_eq!(prefixed(&out), 1, "{out}");
        let out = run(
            &math("<mi>ln</mi><mo>⁡</mo><mo>−</mo><mi>x</mi>"),
            Changes { signs: 1, ..NONE },
        );
        assert_eq!(prefixed(&out), 1, "{out}");
        // A space before a sign that opens its row: the browser would
        // otherwise space it as binary, the space being its first child.
        let out = run(
            &math("<mspace width=\"1em\"/><mo>−</mo><mn>1</mn>"),
            Changes { signs: 1, ..NONE },
        );
        assert_eq!(prefixed(&out), 1, "{out}");
    }

    #[test]
    fn a_minus_between_two_operands_stays_a_subtraction() {
        for formula in [
            // (x) - 1, x^2 - 1, \|W\|^2 - 1 and \tanh' - 1.
            math("<mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo><mo>−</mo><mn>1</mn>"),
            math("<msup><mi>x</mi><mn>2</mn></msup><mo>−</mo><mn>1</mn>"),
            math("<msup><mpadded height=\"0\"><mi mathvariant=\"normal\">‖</mi></mpadded><mn>2</mn></msup><mo>−</mo><mn>1</mn>"),
            // {} - 1: an empty group is an operand in TeX.
            math("<mrow></mrow><mo>−</mo><mn>1</mn>"),
            // A minus that opens its row is a prefix operator already, and
            // one KaTeX gave its own spacing keeps it.
            math("<mo>−</mo><mn>1</mn>"),
            math("<mo>=</mo><mo lspace=\"0em\">−</mo><mn>1</mn>"),
            // 1 - 1/d: a subtraction after a number.
            math("<mn>1</mn><mo>−</mo><mn>1</mn><mi mathvariant=\"normal\">/</mi><mi>d</mi>"),
        ] {
            assert_eq!(run(&formula, NONE), formula);
        }
    }

    #[test]
    fn two_matrices_of_a_product_do_not_touch() {
        // \begin{bmatrix} 0.5 \\ -1 \end{bmatrix} \begin{bmatrix} 2 & 1 & -1
        // \end{bmatrix} (affine weights), with one-entry tables.
        let m = bmatrix(TABLE);
        // Laid out, and with the brackets the stylesheet draws.
        let laid = format!("<mrow class=\"lg-matrix\"><mo fence=\"true\" stretchy=\"false\">[</mo>{LAID_OUT}<mo fence=\"true\" stretchy=\"false\">]</mo></mrow>");
        let space = "<mspace width=\"0.1667em\"/>";
        let out = run(
            &math(&format!("<mo>=</mo>{m}{m}<mo>=</mo>{m}")),
            Changes {
                tables: 3,
                inner: 1,
                ..NONE
            },
        );
        assert_eq!(
            out,
            math(&format!("<mo>=</mo>{laid}{space}{laid}<mo>=</mo>{laid}"))
        );
        // 0.5 [⋯] + (-1) [⋯] = [⋯].  (affine weights): a number and a
        // closing bracket before, a full stop after.
        let period = "<mi mathvariant=\"normal\">.</mi>";
        let out = run(
            &math(&format!("<mn>0.5</mn>{m}<mo>+</mo><mo stretchy=\"false\">(</mo><mo>−</mo><mn>1</mn><mo stretchy=\"false\">)</mo>{m}<mo>=</mo>{m}{period}")),
            Changes { tables: 3, inner: 3, signs: 1, ..NONE },
        );
        assert_eq!(sketch(&out), "0.5␣[1]+(−1)␣[1]=[1]␣.");
        // [⋯], \quad: a comma after, then the author's space.
        let out = run(
            &math(&format!(
                "{m}<mo separator=\"true\">,</mo><mspace width=\"1em\"/>"
            )),
            Changes {
                tables: 1,
                inner: 1,
                ..NONE
            },
        );
        assert_eq!(sketch(&out), "[1]␣,");
    }

    #[test]
    fn a_matrix_beside_a_relation_or_a_space_gets_no_other_space() {
        // J = \pd{y}{x} = [⋯] \in \R^d and W = [⋯], \quad x = [⋯].
        let m = bmatrix(TABLE);
        let out = run(
            &math(&format!("<mi>J</mi><mo>=</mo>{m}<mo>∈</mo><mi>x</mi><mspace width=\"1em\"/>{m}<mspace width=\"1em\"/>")),
            Changes { tables: 2, ..NONE },
        );
        assert!(!out.contains("0.1667em"), "{out}");
        // \left( \frac{a}{b} \right)^\top \operatorname{vec}(dY) is spaced
        // once, by the operator name's rule.
        let out = run(&math("<msup><mrow><mo fence=\"true\">(</mo><mfrac><mi>a</mi><mi>b</mi></mfrac><mo fence=\"true\">)</mo></mrow><mi mathvariant=\"normal\">⊤</mi></msup><mi mathvariant=\"normal\">vec</mi><mo>⁡</mo><mo stretchy=\"false\">(</mo><mi>d</mi><mi>Y</mi><mo stretchy=\"false\">)</mo>"), names(1));
        assert_eq!(sketch(&out), "(ab)⊤␣vec(dY)");
    }

    #[test]
    fn an_underbrace_label_is_set_larger() {
        // \underbrace{dY}_{(m, n)} (array operations).
        let label = "<mrow><mo stretchy=\"false\">(</mo><mi>m</mi><mo separator=\"true\">,</mo><mi>n</mi><mo stretchy=\"false\">)</mo></mrow>";
        // The label is a script: its comma is set tight (the rule below).
        let tight =
            "<mo separator=\"true\" lspace=\"0em\" rspace=\"0em\">,</mo>";
        let braced =
            "<munder><mrow><mi>d</mi><mi>Y</mi></mrow><mo stretchy=\"true\">⏟</mo></munder>";
        let out = run(
            &math(&format!("<munder>{braced}{label}</munder>")),
            Changes { labels: 1, ..NONE },
        );
        assert_eq!(
            out,
            math(&format!(
                "<munder>{braced}{}</munder>",
                label
                    .replacen("<mrow>", "<mrow mathsize=\"0.8em\">", 1)
                    .replace("<mo separator=\"true\">,</mo>", tight)
            ))
        );
        // \overbrace{x}^{n}, and the text label of \underbrace{…}_{\text{direct}}.
        let out = run(
            &math("<mover><mover><mi>x</mi><mo stretchy=\"true\">⏞</mo></mover><mi>n</mi></mover>"),
            Changes { labels: 1, ..NONE },
        );
        assert!(out.contains("<mi mathsize=\"0.8em\">n</mi>"), "{out}");
        let out = run(&math("<munder><munder><mi>x</mi><mo stretchy=\"true\">⏟</mo></munder><mtext>direct</mtext></munder>"), Changes { labels: 1, ..NONE });
        assert!(
            out.contains("<mtext mathsize=\"0.8em\">direct</mtext>"),
            "{out}"
        );
    }

    #[test]
    fn limits_and_accents_are_not_brace_labels() {
        // \sum_{i=1}^n (a limit) and \underline{x} (KaTeX's ‾ under x).
        for formula in [
            math("<munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover>"),
            math("<munder><munder><mi>x</mi><mo stretchy=\"true\">‾</mo></munder><mi>n</mi></munder>"),
            math("<munder><mi>x</mi><mo stretchy=\"true\">⏟</mo></munder>"),
        ] {
            assert!(!run(&formula, NONE).contains("mathsize"));
        }
    }

    #[test]
    fn double_struck_and_bold_letters_are_their_own_characters() {
        // \R^{d} (tensors), \ind{…} (ReLU) and \one (array operations).
        let out = run(
            &math("<msup><mi mathvariant=\"double-struck\">R</mi><mi>d</mi></msup><mi mathvariant=\"double-struck\">I</mi><mn mathvariant=\"bold\">1</mn><mi mathvariant=\"double-struck\">z</mi>"),
            Changes { letters: 4, ..NONE },
        );
        assert_eq!(out, math("<msup><mi mathvariant=\"normal\">ℝ</mi><mi>d</mi></msup><mi mathvariant=\"normal\">𝕀</mi><mn mathvariant=\"normal\">𝟏</mn><mi mathvariant=\"normal\">𝕫</mi>"));
        // \mathbf{x}, a bold letter, and \mathbb{RR}: no one character
        // means them; left for the browser.
        for formula in [
            math("<mi mathvariant=\"bold\">x</mi>"),
            math("<mi mathvariant=\"double-struck\">RR</mi>"),
        ] {
            assert_eq!(run(&formula, NONE), formula);
        }
    }

    #[test]
    fn a_subscripted_letter_has_no_depth() {
        // x_i + y_i: both bases lose their depth, so both i sit level.
        let out = run(
            &math("<msub><mi>x</mi><mi>i</mi></msub><mo>+</mo><msubsup><mi>y</mi><mi>i</mi><mn>2</mn></msubsup>"),
            Changes { subscripts: 2, ..NONE },
        );
        // The y keeps its italic correction before its superscript, in
        // the script's em: 0.028 / 0.7.
        assert_eq!(out, math("<msub><mpadded depth=\"0\"><mi>x</mi></mpadded><mi>i</mi></msub><mo>+</mo><msubsup><mpadded depth=\"0\"><mi>y</mi></mpadded><mi>i</mi><mrow><mspace width=\"0.0400em\"/><mn>2</mn></mrow></msubsup>"));
        assert_eq!(run(&out, NONE), out, "run twice");
        // Y^2_{ik} (affine weights): the 2 clears the Y's arm, 0.2222 / 0.7;
        // a letter without a correction, or a number, gets no space.
        let capital = run(
            &math("<msubsup><mi>Y</mi><mrow><mi>i</mi><mi>k</mi></mrow><mn>2</mn></msubsup>"),
            Changes { subscripts: 1, ..NONE },
        );
        assert!(
            capital.contains(
                "<mrow><mspace width=\"0.3174em\"/><mn>2</mn></mrow>"
            ),
            "{capital}"
        );
        for plain in ["<mi>a</mi>", "<mn>3</mn>"] {
            let out = run(
                &math(&format!(
                    "<msubsup>{plain}<mi>i</mi><mn>2</mn></msubsup>"
                )),
                Changes {
                    subscripts: 1,
                    ..NONE
                },
            );
            assert!(!out.contains("mspace"), "{out}");
        }
        // An accented symbol's index sits as a letter's does.
        let hat = "<mover accent=\"true\"><mrow><mi mathvariant=\"normal\">d</mi><mi>y</mi></mrow><mo stretchy=\"true\">\u{0302}</mo></mover>";
        let out = run(
            &math(&format!("<msub>{hat}<mi>i</mi></msub>")),
            Changes {
                subscripts: 1,
                ..NONE
            },
        );
        assert_eq!(
            out,
            math(&format!(
                "<msub><mpadded depth=\"0\">{hat}</mpadded><mi>i</mi></msub>"
            )),
            "the index of a wide hat"
        );
        // A bracketed group keeps its depth, as in TeX; a superscript alone
        // is left alone.
        let group = math("<msub><mrow><mo fence=\"true\">(</mo><mi>y</mi><mo fence=\"true\">)</mo></mrow><mi>i</mi></msub><msup><mi>y</mi><mn>2</mn></msup>");
        assert_eq!(
            run(
                &group,
                Changes {
                    subscripts: 0,
                    inner: 1,
                    ..NONE
                }
            ),
            group.replace("</msub>", "</msub><mspace width=\"0.1667em\"/>")
        );
    }

    #[test]
    fn a_closing_bracket_or_bar_under_a_script_has_no_height() {
        // \|W\|^2 (network) and (\dd Y)^\top (array operations): the
        // script is raised as over a letter, not over the bar's top.
        let out = run(
            &math("<mi mathvariant=\"normal\">‖</mi><mi>W</mi><msup><mi mathvariant=\"normal\">‖</mi><mn>2</mn></msup><msup><mo stretchy=\"false\">)</mo><mi mathvariant=\"normal\">⊤</mi></msup>"),
            Changes {
                closing: 2,
                italics: 1,
                ..NONE
            },
        );
        assert_eq!(out, math("<mi mathvariant=\"normal\">‖</mi><mi>W</mi><mspace width=\"0.1389em\"/><msup><mpadded height=\"0\"><mi mathvariant=\"normal\">‖</mi></mpadded><mn>2</mn></msup><msup><mpadded height=\"0\"><mo stretchy=\"false\">)</mo></mpadded><mi mathvariant=\"normal\">⊤</mi></msup>"));
        // A \big bracket, a stretched one, a group and an opening bracket
        // keep their height, as a box does in TeX.
        for base in [
            "<mo stretchy=\"false\" mathsize=\"1.2em\">)</mo>",
            "<mo fence=\"true\" stretchy=\"true\">)</mo>",
            "<mrow><mo>(</mo><mi>y</mi><mo>)</mo></mrow>",
            "<mo stretchy=\"false\">(</mo>",
        ] {
            let html = math(&format!("<msup>{base}<mn>2</mn></msup>"));
            let (_, got) = typeset(&html);
            assert_eq!(got.closing, 0, "closing_base changed {html}");
        }
    }

    #[test]
    fn a_negative_thin_space_is_negative() {
        // \left(\pd{y}{x}\right)^{\!\top} (ReLU).
        let out = run(
            &math("<msup><mi>a</mi><mrow><mtext>\u{2009}\u{2063}</mtext><mi mathvariant=\"normal\">⊤</mi></mrow></msup>"),
            Changes { spaces: 1, ..NONE },
        );
        assert!(
            out.contains(
                "<mrow><mspace style=\"margin-left: -0.1667em\"/><mi mathvariant=\"normal\">⊤</mi></mrow>"
            ),
            "{out}"
        );
        // A positive thin space (\,) is TeX's 0.1667 em, not the font's.
        let thin = run(
            &math("<mi>a</mi><mtext>\u{2009}</mtext><mi>b</mi>"),
            Changes { spaces: 1, ..NONE },
        );
        assert!(
            thin.contains("<mi>a</mi><mspace width=\"0.1667em\"/><mi>b</mi>"),
            "{thin}"
        );
    }

    #[test]
    fn an_italic_capital_before_an_operator_gets_its_italic_correction() {
        // dY = [...] (affine biases), (P - E) (softmax), W_2 V + b_2 (network).
        let out = run(
            &math("<mrow><mi mathvariant=\"normal\">d</mi><mi>Y</mi></mrow><mo>=</mo><mo stretchy=\"false\">(</mo><mi>P</mi><mo>−</mo><mi>E</mi><mo stretchy=\"false\">)</mo><mi>V</mi><mo>+</mo><mi>b</mi>"),
            Changes { italics: 4, ..NONE },
        );
        assert_eq!(out, math("<mrow><mi mathvariant=\"normal\">d</mi><mi>Y</mi></mrow><mspace width=\"0.2222em\"/><mo>=</mo><mo stretchy=\"false\">(</mo><mi>P</mi><mspace width=\"0.1389em\"/><mo>−</mo><mi>E</mi><mspace width=\"0.0576em\"/><mo stretchy=\"false\">)</mo><mi>V</mi><mspace width=\"0.2222em\"/><mo>+</mo><mi>b</mi>"));
        // Before a letter and at the end of the formula too (dY X^⊤,
        // affine weights), and at the end of a fraction's part.
        let out = run(
            &math("<mi>Y</mi><mi>X</mi>"),
            Changes { italics: 2, ..NONE },
        );
        assert_eq!(out, math("<mi>Y</mi><mspace width=\"0.2222em\"/><mi>X</mi><mspace width=\"0.0785em\"/>"));
        let out = run(
            &format!("{BLOCK}<mrow><mfrac><mi>y</mi><mi>W</mi></mfrac></mrow></math>"),
            Changes { italics: 1, ..NONE },
        );
        assert!(
            out.contains(
                "<mrow><mi>W</mi><mspace width=\"0.1389em\"/></mrow></mfrac>"
            ),
            "{out}"
        );
        // Not after a letter with no correction (L), an upright capital, a
        // lower-case letter, or before a written space or a prime.
        for formula in [
            math("<mi>L</mi><mo>=</mo><mi mathvariant=\"normal\">Y</mi><mo>=</mo><mi>y</mi><mo>=</mo><mi>y</mi>"),
            math("<mi>Y</mi><mspace width=\"0.1667em\"/>"),
            math(&format!("<mrow><mi>H</mi>{ONE_PRIME}</mrow>")),
        ] {
            assert_eq!(run(&formula, NONE), formula);
        }
    }

    #[test]
    fn an_ellipsis_between_commas_is_an_inner_atom() {
        // i = 0, \dots, M - 1 (convolution): thin space before the comma.
        let comma = "<mo separator=\"true\">,</mo>";
        let out = run(
            &math(&format!(
                "<mi>i</mi><mo>=</mo><mn>0</mn>{comma}<mo>…</mo>{comma}<mi>M</mi>"
            )),
            Changes {
                ellipses: 1,
                inner: 1,
                italics: 1,
                ..NONE
            },
        );
        assert_eq!(out, math(&format!("<mi>i</mi><mo>=</mo><mn>0</mn>{comma}<mo lspace=\"0em\" rspace=\"0em\">…</mo><mspace width=\"0.1667em\"/>{comma}<mi>M</mi><mspace width=\"0.109em\"/>")));
        // 3.14159\ldots: a thin space after a number; + \cdots: the plus
        // spaces itself.
        let out = run(
            &math("<mn>3.14159</mn><mo>…</mo><mo>+</mo><mo>⋯</mo>"),
            Changes {
                ellipses: 2,
                inner: 1,
                ..NONE
            },
        );
        assert_eq!(sketch(&out), "3.14159␣…+⋯");
    }

    #[test]
    fn operators_in_a_script_or_an_inline_fraction_are_set_tight() {
        // \sum_{i=1}^{n} (a display), and \frac{a+b}{2} inline.
        let out = run(
            &format!("{BLOCK}<mrow><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mfrac><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mn>2</mn></mfrac></mrow></math>"),
            Changes {
                scripted: 1,
                operators: 1,
                ..NONE
            },
        );
        assert!(
            out.contains("<mi>i</mi><mo lspace=\"0em\" rspace=\"0em\">=</mo>"),
            "{out}"
        );
        assert!(
            out.contains("<mi>a</mi><mo>+</mo>"),
            "a display fraction keeps its spaces: {out}"
        );
        let out = run(
            &math("<mfrac><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mn>2</mn></mfrac><mo>=</mo><mi>c</mi>"),
            Changes { scripted: 1, ..NONE },
        );
        assert!(
            out.contains("<mi>a</mi><mo lspace=\"0em\" rspace=\"0em\">+</mo>"),
            "{out}"
        );
        assert!(out.contains("</mfrac><mo>=</mo>"), "{out}");
        // A sign that opens its script is set tight already: 10^{-5}.
        let out = run(
            &math("<msup><mn>10</mn><mrow><mo>−</mo><mn>5</mn></mrow></msup>"),
            NONE,
        );
        assert!(out.contains("<mrow><mo>−</mo>"), "{out}");
    }

    /// The `lspace` and `rspace` that [`large_operators`] gives each ∑ in
    /// `out`, in order.
    fn operator_spaces(out: &str) -> Vec<(String, String)> {
        out.split("<mo lspace=\"")
            .skip(1)
            .filter_map(|rest| {
                let (l, rest) = rest.split_once("\" rspace=\"")?;
                let (r, rest) = rest.split_once("\">")?;
                rest.starts_with('∑')
                    .then(|| (l.to_string(), r.to_string()))
            })
            .collect()
    }

    #[test]
    fn a_large_operator_takes_only_tex_s_space_beside_a_relation_or_a_bracket()
    {
        // \frac{\partial L}{\partial b} = \sum_{k=1}^{N} (…) (affine biases),
        // shortened: after "=" the relation's thick space alone, before "("
        // nothing; and "a + \sum_k x": after "+" its medium space alone, and
        // a thin space before the letter x.
        let limits = "<mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>N</mi>";
        let out = run(
            &format!("{BLOCK}<mrow><mi>y</mi><mo>=</mo><munderover><mo>∑</mo>{limits}</munderover><mo stretchy=\"false\">(</mo><mi>x</mi><mo stretchy=\"false\">)</mo><mo>+</mo><msub><mo>∑</mo><mi>k</mi></msub><mi>x</mi></mrow></math>"),
            Changes {
                operators: 2,
                scripted: 1,
                ..NONE
            },
        );
        let sp = |l: &str, r: &str| (l.to_string(), r.to_string());
        assert_eq!(
            operator_spaces(&out),
            [sp("0em", "0em"), sp("0em", THIN)],
            "{out}"
        );
    }

    #[test]
    fn a_large_operator_is_a_thin_space_from_a_symbol_a_fraction_or_a_sign() {
        // x ∑ 1/2 (Ord, Op, Inner), then ∑ −x (a sign after ∑ is ordinary),
        // then ∑∑ x: the two operators share one thin space; and −∑_j x
        // (softmax), where the sign opens the formula.
        let half = "<mfrac><mn>1</mn><mn>2</mn></mfrac>";
        let out = run(
            &math(&format!("<mi>x</mi><mo>∑</mo>{half}<mo>,</mo><mo>∑</mo><mo>−</mo><mi>x</mi><mo>,</mo><mo>∑</mo><mo>∑</mo><mi>x</mi>")),
            Changes {
                operators: 4,
                signs: 1,
                inner: 1, // the fraction's thin space before the comma
                ..NONE
            },
        );
        let sp = |l: &str, r: &str| (l.to_string(), r.to_string());
        assert_eq!(
            operator_spaces(&out),
            [
                sp(THIN, THIN),
                sp("0em", THIN),
                sp("0em", "0em"),
                sp(THIN, THIN)
            ],
            "{out}"
        );
        // The fraction after ∑ takes no thin space of its own as well.
        assert!(out.contains(&format!("∑</mo>{half}<mspace")), "{out}");
        let out = run(
            &math("<mo>−</mo><msub><mo>∑</mo><mi>j</mi></msub><mi>x</mi>"),
            Changes {
                operators: 1,
                ..NONE
            },
        );
        assert_eq!(operator_spaces(&out), [sp(THIN, THIN)], "{out}");
    }

    #[test]
    fn two_fractions_side_by_side_are_a_thin_space_apart() {
        // \pd{g}{f_1}\pd{f_1}{x} (computational graphs), shortened, then a
        // fraction before a letter and after a closing bracket, then one
        // beside a relation, an opening bracket and a written space.
        let frac = |n: &str, d: &str| {
            format!("<mfrac><mi>{n}</mi><mi>{d}</mi></mfrac>")
        };
        let (g, f) = (frac("g", "f"), frac("f", "x"));
        let open = "<mo stretchy=\"false\">(</mo>";
        let close = "<mo stretchy=\"false\">)</mo>";
        let html = math(&format!(
            "{g}{f}<mi>y</mi><mo>=</mo>{close}{g}<mo>=</mo>{open}{f}{close}<mspace width=\"0.1667em\"/>{g}"
        ));
        let out = run(&html, Changes { inner: 3, ..NONE });
        assert_eq!(sketch(&out), "gf␣fx␣y=)␣gf=(fx)␣gf", "{out}");
        // \dfrac, in its <mstyle>, is a fraction too.
        let d = format!(
            "<mstyle displaystyle=\"true\" scriptlevel=\"0\">{g}</mstyle>"
        );
        let out = run(&math(&format!("{d}{f}")), Changes { inner: 1, ..NONE });
        assert_eq!(sketch(&out), "gf␣fx", "{out}");
    }

    #[test]
    fn fractions_in_a_script_or_an_inline_fraction_are_not_spaced() {
        // e^{\frac{a}{b}\frac{c}{d}} and \frac{\frac{a}{b}c}{2} inline: script
        // style, where TeX puts no space around an Inner atom.
        let ab = "<mfrac><mi>a</mi><mi>b</mi></mfrac>";
        let script = math(&format!(
            "<msup><mi>e</mi><mrow>{ab}<mfrac><mi>c</mi><mi>d</mi></mfrac></mrow></msup>"
        ));
        assert_eq!(run(&script, NONE), script);
        let nested = math(&format!(
            "<mfrac><mrow>{ab}<mi>c</mi></mrow><mn>2</mn></mfrac>"
        ));
        assert_eq!(run(&nested, NONE), nested);
        // In a display the numerator is set in text style: spaced.
        let display = format!(
            "{BLOCK}<mrow><mfrac><mrow>{ab}<mi>c</mi></mrow><mn>2</mn></mfrac></mrow></math>"
        );
        let out = run(&display, Changes { inner: 1, ..NONE });
        assert_eq!(sketch(&out), "ab␣c2", "{out}");
    }

    #[test]
    fn a_big_bracket_is_its_character_enlarged() {
        // \big( … \big) (tensors), shortened; \Big
        // stays stretched.
        let big = |size: &str, c: &str| {
            format!("<mo fence=\"false\" stretchy=\"true\" minsize=\"{size}\" maxsize=\"{size}\">{c}</mo>")
        };
        let before = math(&format!(
            "<mi>y</mi>{}<mi>x</mi>{}",
            big("1.2em", "("),
            big("1.2em", ")")
        ));
        let after = math("<mi>y</mi><mo fence=\"false\" stretchy=\"false\" mathsize=\"1.2em\">(</mo><mi>x</mi><mo fence=\"false\" stretchy=\"false\" mathsize=\"1.2em\">)</mo>");
        assert_eq!(run(&before, Changes { big: 2, ..NONE }), after);
        let larger = math(&format!(
            "{}<mi>x</mi>{}",
            big("1.8em", "("),
            big("1.8em", ")")
        ));
        assert_eq!(run(&larger, NONE), larger);
    }

    #[test]
    fn a_derivative_in_running_text_is_slashed() {
        // \dL{W} inline (affine weights): ∂L/∂W, once, however often run.
        let frac = |top: &str, bottom: &str| {
            format!(
                "<mfrac><mrow><mi mathvariant=\"normal\">∂</mi>{top}</mrow><mrow><mi mathvariant=\"normal\">∂</mi>{bottom}</mrow></mfrac>"
            )
        };
        let dl = frac("<mi>L</mi>", "<mi>W</mi>");
        let out = run(
            &math(&dl),
            Changes {
                slashed: 1,
                italics: 1,
                ..NONE
            },
        );
        let slashed = math("<mrow class=\"lg-slashed\"><mrow><mi mathvariant=\"normal\">∂</mi><mi>L</mi></mrow><mi mathvariant=\"normal\">/</mi><mrow><mi mathvariant=\"normal\">∂</mi><mi>W</mi><mspace width=\"0.1389em\"/></mrow></mrow>");
        assert_eq!(out, slashed);
        assert_eq!(run(&slashed, NONE), slashed);
        // Beside a symbol or another derivative it keeps the thin space
        // of the fraction it was ("∂z/∂y ∂y/∂x", "3 ∂L/∂y"), not before a
        // comma.
        let (pair, _) = typeset(&math(&format!(
            "<mn>3</mn>{dl}{}<mo separator=\"true\">,</mo>",
            frac("<mi>z</mi>", "<mi>y</mi>")
        )));
        let shape: Vec<&str> = pair
            .split(['<', '>'])
            .filter(|t| {
                t.starts_with("mspace")
                    || t.starts_with("mrow class")
                    || *t == "mn"
                    || t.starts_with("mo ")
            })
            .collect();
        assert_eq!(
            shape,
            [
                "mn",
                "mspace width=\"0.1667em\"/",
                "mrow class=\"lg-slashed\"",
                "mspace width=\"0.1389em\"/",
                "mspace width=\"0.1667em\"/",
                "mrow class=\"lg-slashed\"",
                "mo separator=\"true\""
            ],
            "3 ∂L/∂W ∂z/∂y, became {pair}"
        );
        // A display keeps it stacked, and so does running text where the
        // fraction is a script's base, or its parts hold an operator, or
        // it is not a derivative.
        let display = format!("{BLOCK}<mrow>{dl}</mrow></math>");
        let (kept, changes) = typeset(&display);
        assert!(changes.slashed == 0 && kept.contains("<mfrac>"), "{kept}");
        for body in [
            format!("<msup>{dl}<mi mathvariant=\"normal\">⊤</mi></msup>"),
            frac("<mi>L</mi><mo>+</mo><mi>R</mi>", "<mi>W</mi>"),
            "<mfrac><mi>a</mi><mi>b</mi></mfrac>".to_string(),
        ] {
            let (kept, changes) = typeset(&math(&body));
            assert_eq!(changes.slashed, 0, "{body} became {kept}");
        }
    }

    #[test]
    fn a_wide_hat_is_the_circumflex_a_font_widens() {
        // \widehat{\dd y} (introduction): once, however often it is run;
        // an operator ^ that is not stretched is left alone.
        let hat = |c: &str| {
            math(&format!("<mover accent=\"true\"><mrow><mi mathvariant=\"normal\">d</mi><mi>y</mi></mrow><mo stretchy=\"true\">{c}</mo></mover>"))
        };
        let out = run(&hat("^"), Changes { hats: 1, ..NONE });
        assert_eq!(out, hat("\u{0302}"));
        assert_eq!(run(&out, NONE), out);
        let plain = math("<mi>a</mi><mo>^</mo><mi>b</mi>");
        assert_eq!(run(&plain, NONE), plain);
    }

    #[test]
    fn an_accent_over_an_italic_letter_sits_over_its_slanted_top() {
        // \bar X (convolution): once, however often it is run; an upright
        // letter, a longer base and a stretched accent are left alone.
        let bar = |base: &str, accent: &str| {
            math(&format!("<mover accent=\"true\">{base}{accent}</mover>"))
        };
        let (x, macron) = ("<mi>X</mi>", "<mo>ˉ</mo>");
        let out = run(&bar(x, macron), Changes { accents: 1, ..NONE });
        assert_eq!(
            out,
            bar(x, "<mo style=\"position: relative; left: 0.114em\">ˉ</mo>"),
            "the bar over X"
        );
        assert_eq!(run(&out, NONE), out, "run twice");
        let f = run(&bar("<mi>f</mi>", macron), Changes { accents: 1, ..NONE });
        assert!(f.contains("left: 0.219em"), "the bar over f: {f}");
        for kept in [
            bar("<mi mathvariant=\"normal\">d</mi>", macron),
            bar("<mrow><mi>d</mi><mi>y</mi></mrow>", macron),
            bar(x, "<mo stretchy=\"true\">‾</mo>"),
            bar("<mi>sin</mi>", macron),
        ] {
            assert_eq!(run(&kept, NONE), kept, "left alone");
        }
    }

    #[test]
    fn a_radicand_has_room_under_the_bar() {
        // \sqrt{f} (computational graphs): once, however often it is run.
        let out = run(
            &math("<msqrt><mi>f</mi></msqrt>"),
            Changes {
                radicands: 1,
                ..NONE
            },
        );
        let roomy = math("<msqrt><mrow style=\"padding-top: 0.1em\"><mi>f</mi></mrow></msqrt>");
        assert_eq!(out, roomy);
        assert_eq!(run(&roomy, NONE), roomy);
    }

    #[test]
    fn a_matrix_has_its_brackets_drawn() {
        // \begin{bmatrix} a \\ b \end{bmatrix}: once, however often it is
        // run; a \left[ … \right] around something else keeps its glyphs.
        let table = "<mtable rowspacing=\"0.16em\" columnalign=\"center\" columnspacing=\"1em\"><mtr><mtd style=\"padding-left: 0em; padding-right: 0em\"><mstyle scriptlevel=\"0\" displaystyle=\"false\"><mi>a</mi></mstyle></mtd></mtr><mtr><mtd style=\"padding-left: 0em; padding-right: 0em\"><mstyle scriptlevel=\"0\" displaystyle=\"false\"><mi>b</mi></mstyle></mtd></mtr></mtable>";
        let out = run(
            &math(&format!(
                "<mrow><mo fence=\"true\">[</mo>{table}<mo fence=\"true\">]</mo></mrow>"
            )),
            Changes {
                brackets: 1,
                ..NONE
            },
        );
        let drawn = math(&format!("<mrow class=\"lg-matrix\"><mo fence=\"true\" stretchy=\"false\">[</mo>{table}<mo fence=\"true\" stretchy=\"false\">]</mo></mrow>"));
        assert_eq!(out, drawn);
        assert_eq!(run(&drawn, NONE), drawn);
        let group = math("<mrow><mo fence=\"true\">[</mo><mfrac><mi>a</mi><mi>b</mi></mfrac><mo fence=\"true\">]</mo></mrow>");
        assert_eq!(run(&group, NONE), group);
    }

    #[test]
    #[should_panic(
        expected = "not the MathML KaTeX writes: <mi> closed by </mrow>"
    )]
    fn refuses_a_formula_katex_would_not_write() {
        typeset(&format!("{M}<mrow><mi>x</mrow></math>"));
    }
}
