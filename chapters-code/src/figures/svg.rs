//! A tiny SVG writer made for figures that are inlined into markdown.
//!
//! The output has one element per line, no indentation and no blank lines,
//! so that the markdown parser keeps the whole figure in one HTML block.
//! Colours come from CSS classes (`lg-…`, defined in
//! `theme/local-gradients.css`); every element also carries presentation
//! attributes (`currentColor`, a `font-size` in user units, and friends)
//! that look right without the stylesheet.
//!
//! Why not the `svg` crate (0.18)? Its output has no indentation and no
//! blank lines, and it escapes text and attribute values correctly, but
//! its `Display` for an element writes a line break before every child
//! that is itself an element (only text children stay on the line). A
//! `<text>` built from `<tspan>` pieces (the legends, `∂L/∂W = ∂L/∂y xᵀ`)
//! would therefore spread over several lines, with line breaks between
//! its pieces, and so would `<defs><marker><path/></marker></defs>`. One
//! element per line cannot be kept with it, and the checks that read a
//! figure line by line (text sizes, the stale-figure number diff, the
//! edge-through-label test) would have to parse XML instead. The writer
//! therefore stays here: one `format!` per element, and [`escape`], its
//! only hand-written XML rule, which is tested.

use std::fmt::Write;

/// Formats a coordinate with at most one decimal, without a trailing `.0`,
/// so that the output is short and the same on every platform.
pub(crate) fn coord(v: f64) -> String {
    let s = format!("{:.1}", v);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// Escapes the XML special characters, and typesets the apostrophe as
/// a typographer's (’, U+2019), as the pages do: a figure's text, title
/// and description never have a straight one.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push('’'),
            _ => out.push(c),
        }
    }
    out
}

/// Sets each `_name` of an escaped text (an underscore and lower-case
/// letters, as in `X_col`) as a subscript ([`index`]) in text of `size`
/// user units, no smaller than `floor`; and sets the mathematics between
/// `$` signs as the page sets it ([`math`]).
pub(crate) fn subscripts(escaped: &str, size: f64, floor: f64) -> String {
    let mut out = String::new();
    // The room the last formula left after itself (its italic
    // correction), which the words after it keep.
    let mut room = 0.0;
    for (i, piece) in escaped.split('$').enumerate() {
        if i % 2 == 1 {
            let (markup, after) = math_and_room(piece, size, floor);
            out.push_str(&moved(&markup, room));
            room = after;
            continue;
        }
        let words = words_markup(piece, size, floor);
        if !words.is_empty() {
            out.push_str(&moved(&words, room));
            room = 0.0;
        }
    }
    out
}

/// Words outside a formula, each `_name` set as a subscript.
fn words_markup(piece: &str, size: f64, floor: f64) -> String {
    let mut out = String::new();
    let mut parts = piece.split('_');
    out.push_str(parts.next().unwrap_or_default());
    for part in parts {
        let (sub, rest) = part.split_at(
            part.find(|c: char| !c.is_ascii_lowercase())
                .unwrap_or(part.len()),
        );
        if sub.is_empty() {
            out.push('_');
        } else {
            out.push_str(&index(sub, (size, floor), Index::Sub, false, 0.0));
        }
        out.push_str(rest);
    }
    out
}

/// The font of the figures' mathematics: the stack the book's pages set
/// their formulas in (`math` in `theme/local-gradients.css`), so that a
/// symbol in a figure looks like the same symbol in the text.
pub const MATH_FONT: &str =
    "'STIX Two Math', 'Latin Modern Math', 'Cambria Math', 'Noto Sans Math', math";

/// How much larger a formula is set than the text around it: the math
/// fonts' letters are smaller for their size than the page font's (an
/// x-height of 0.43 em in Latin Modern Math, 0.54 em in Open Sans), and
/// at 1.2 times the size the two x-heights agree.
pub const MATH_SCALE: f64 = 1.2;

/// The size of an index, as a share of its base's: TeX's script size
/// (7 pt on 10 pt).
pub const SCRIPT_RATIO: f64 = 0.7;

/// A subscript or a superscript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Index {
    Sub,
    Sup,
}

/// The size of an index on a base of `size` user units: TeX's
/// [`SCRIPT_RATIO`] of it, but never below the figure's smallest text,
/// `floor` (at least [`MIN_FONT_SIZE`]).
fn index_size(size: f64, floor: f64) -> f64 {
    (SCRIPT_RATIO * size).max(floor)
}

/// How far a subscript drops below the baseline, in ems of its base (not
/// of the index: an index raised to the figure's floor, larger than
/// [`SCRIPT_RATIO`] of its base, must not drop further for it): Latin
/// Modern Math's `SubscriptShiftDown` (0.247), which the pages' MathML
/// uses; TeX drops a subscript 0.15 to 0.25 em.
pub(crate) const SUB_DROP: f64 = 0.25;
/// How far a superscript rises, in ems of its base: Latin Modern Math's
/// `SuperscriptShiftUp` (0.363).
pub(crate) const SUP_RISE: f64 = 0.36;
/// A subscript and a superscript stacked on one letter move apart, as TeX
/// and MathML move them to keep `SubSuperscriptGapMin` (0.16 em) between
/// a digit below and a parenthesis above (`x_1^{(1)}`): the subscript
/// drops this far, in ems of the base...
pub(crate) const STACKED_SUB_DROP: f64 = 0.29;
/// ...and the superscript rises this far.
pub(crate) const STACKED_SUP_RISE: f64 = 0.58;

/// `v` ems with at most two decimals, no trailing zeros (`-0.35em`).
fn ems(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}em")
}

/// An index (already set as markup) on a base of `size` user units, at
/// [`index_size`], moved off the baseline as far as [`SUB_DROP`] and its
/// kin say (written in ems of the index, which is what `baseline-shift`
/// reads); a superscript `stacked` over a subscript moves `back` units to
/// the left to stand over it. An index after a letter keeps a little room
/// from it ([`room`]), as TeX's italic correction and kerning do.
fn index(
    markup: &str,
    (size, floor): (f64, f64),
    kind: Index,
    stacked: bool,
    back: f64,
) -> String {
    let shift = match (kind, stacked) {
        (Index::Sub, false) => -SUB_DROP,
        (Index::Sub, true) => -STACKED_SUB_DROP,
        (Index::Sup, false) => SUP_RISE,
        (Index::Sup, true) => STACKED_SUP_RISE,
    };
    let small = index_size(size, floor);
    let dx = coord(if back > 0.0 { -back } else { room(kind) * size });
    format!(
        "<tspan dx=\"{dx}\" baseline-shift=\"{}\" font-size=\"{}\">{markup}</tspan>",
        ems(shift * size / small),
        coord(small)
    )
}

/// The room between a letter and its index, in ems of the letter: a
/// subscript keeps clear of the letter's foot; a superscript already
/// stands clear of a leaning letter's top, as in TeX.
fn room(kind: Index) -> f64 {
    match kind {
        Index::Sub => 0.05,
        Index::Sup => 0.0,
    }
}

/// The Unicode mathematical italic form of a letter (`x` is 𝑥, U+1D465),
/// which is how the pages' MathML draws a variable in the math font (a
/// math font has no italic style of its own); `None` for any other
/// character.
pub fn math_italic(c: char) -> Option<char> {
    let from = |base: u32, first: char| {
        char::from_u32(base + (c as u32 - first as u32))
    };
    match c {
        'h' => Some('ℎ'),
        'a'..='z' => from(0x1D44E, 'a'),
        'A'..='Z' => from(0x1D434, 'A'),
        'α'..='ω' => from(0x1D6FC, 'α'),
        'Α'..='Ω' => from(0x1D6E2, 'Α'),
        _ => None,
    }
}

/// The letter a mathematical italic letter stands for (`𝑥` is `x`), or
/// the character itself.
pub fn plain_letter(c: char) -> char {
    let all = ('a'..='z')
        .chain('A'..='Z')
        .chain('α'..='ω')
        .chain('Α'..='Ω');
    all.clone()
        .find(|&l| math_italic(l) == Some(c))
        .unwrap_or(c)
}

/// Sets a formula written in a small part of TeX's notation, as the
/// book's pages set it, in text of `size` user units: in the pages' math
/// font ([`MATH_FONT`]), [`MATH_SCALE`] times as large, in one weight
/// (regular, whatever the text around it); a single letter is a
/// variable, in mathematical italics (`x`, `θ`, `W`, and `Wx` is two of
/// them); a run of lower-case letters (digits after the first letter
/// allowed) is an operator name, upright (`exp`, `sin`, `im2col`, `col`);
/// `_` and `^` take the next character or a `{…}` group as a subscript or
/// superscript at TeX's script size (`x_1^{(1)}` stacks the superscript
/// over the subscript, as TeX does); `\class{lg-grad}{…}` colours a part;
/// `\text{…}` sets words upright, as one ordinary symbol (`\text{out}`);
/// digits, operators and everything else stay as they are. The space
/// between two symbols is TeX's ([`glue`]), not the source's.
#[cfg(test)]
pub(crate) fn math(formula: &str, size: f64, floor: f64) -> String {
    math_and_room(formula, size, floor).0
}

/// [`math`], and the room (in user units) the formula leaves after its
/// last symbol: an italic letter's italic correction, and any space
/// written at its end (`\;`).
fn math_and_room(formula: &str, size: f64, floor: f64) -> (String, f64) {
    let base = MATH_SCALE * size;
    let (inner, room) = formula_markup(formula, base, floor, false);
    (
        format!(
            "<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\" font-size=\"{}\">{inner}</tspan>",
            coord(base),
        ),
        room,
    )
}

/// `markup` moved `dx` user units to the right (unchanged when `dx`
/// rounds to nothing).
fn moved(markup: &str, dx: f64) -> String {
    let d = coord(dx);
    if d == "0" || markup.is_empty() {
        markup.to_string()
    } else {
        format!("<tspan dx=\"{d}\">{markup}</tspan>")
    }
}

/// TeX's classes of the atoms of a formula, which decide the space
/// between two neighbours ([`glue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A variable, a number, `∂`, `/`, a group.
    Ord,
    /// An operator name: `sin`, `ln`, `exp`, `sum`.
    Op,
    /// A binary operator: `+ − · × ⊙`.
    Bin,
    /// A relation: `= < > ≤ ≥ →`.
    Rel,
    Open,
    Close,
    /// A comma.
    Punct,
}

/// One atom of a formula: its class, its nucleus, its indices (their
/// sources), whether the source had a space before it, and any explicit
/// space (`\,` `\:` `\;`, in ems) before it.
#[derive(Clone, Debug)]
struct Atom {
    class: Class,
    nucleus: Nucleus,
    sub: Option<String>,
    sup: Option<String>,
    spaced: bool,
    kern: f64,
}

/// What an atom draws.
#[derive(Clone, Debug)]
enum Nucleus {
    /// Characters as they are drawn (a variable already in mathematical
    /// italics).
    Chars(String),
    /// A `{…}` group, or the second group of `\class{name}{…}` with its
    /// class.
    Group(String, Option<String>),
}

/// TeX's thin, medium and thick spaces (3, 4 and 5 mu), in ems.
const THIN: f64 = 3.0 / 18.0;
const MEDIUM: f64 = 4.0 / 18.0;
const THICK: f64 = 5.0 / 18.0;

/// The space TeX puts between two atoms, in ems of the formula
/// (The TeXbook, chapter 18): a thin space between an operator name and
/// a symbol on either side (none before an opening bracket), a medium
/// space around a binary operator, a thick space around a relation, a
/// thin space after a comma; in an index (`script`) only the operator
/// names keep theirs. A space in the source where TeX puts none (`W_{col}
/// X_{col}`, `∂L/∂y x^⊤`) is a thin space, as `\,` would be.
fn glue(left: Class, right: &Atom, script: bool) -> f64 {
    use Class::*;
    let (em, always) = match (left, right.class) {
        (Ord | Op | Close, Op) | (Op, Ord) => (THIN, true),
        (Ord | Close, Bin) | (Bin, Ord | Op | Open) => (MEDIUM, false),
        (Ord | Op | Close, Rel) | (Rel, Ord | Op | Open) => (THICK, false),
        (Punct, _) => (THIN, false),
        _ => (0.0, true),
    };
    let em = if script && !always { 0.0 } else { em };
    let loose =
        right.spaced && left != Open && !matches!(right.class, Close | Punct);
    if em == 0.0 && loose && !script {
        THIN
    } else {
        em
    }
}

/// A formula's source with the XML entities of [`escape`] read back.
fn unescape(formula: &str) -> String {
    formula
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The atoms of a formula, and the explicit space written after the last
/// one (in ems). A binary operator with nothing to combine on its left
/// (at the start, after an operator, a relation, an opening bracket or a
/// comma) or on its right is a sign, an ordinary symbol, as in TeX
/// (`−1`, `(−1)`).
fn atoms(formula: &str) -> (Vec<Atom>, f64) {
    use Class::*;
    let chars: Vec<char> = unescape(formula).chars().collect();
    let mut atoms: Vec<Atom> = Vec::new();
    let (mut spaced, mut kern) = (false, 0.0);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let (class, nucleus) = match c {
            ' ' => {
                spaced = true;
                i += 1;
                continue;
            }
            '_' | '^' => {
                let (g, next) = group(&chars, i + 1);
                if atoms.is_empty() {
                    atoms.push(Atom {
                        class: Ord,
                        nucleus: Nucleus::Chars(String::new()),
                        sub: None,
                        sup: None,
                        spaced: false,
                        kern: 0.0,
                    });
                }
                let last = atoms.last_mut().unwrap();
                let slot = if c == '_' {
                    &mut last.sub
                } else {
                    &mut last.sup
                };
                assert!(slot.is_none(), "figures: a double index in {formula}");
                *slot = Some(g);
                i = next;
                continue;
            }
            '\\' => {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                if name.is_empty() {
                    kern += match chars.get(i + 1) {
                        Some(',') => THIN,
                        Some(':') => MEDIUM,
                        Some(';') => THICK,
                        other => panic!(
                            "figures: unknown space \\{other:?} in {formula}"
                        ),
                    };
                    i += 2;
                    continue;
                }
                let (first, next) = group(&chars, i + 1 + name.len());
                match name.as_str() {
                    // Words set upright, an ordinary symbol (`\text{out}`).
                    "text" => {
                        i = next;
                        (Ord, Nucleus::Chars(first))
                    }
                    "class" => {
                        let (inner, next) = group(&chars, next);
                        i = next;
                        (Ord, Nucleus::Group(inner, Some(first)))
                    }
                    _ => panic!("figures: unknown command in {formula}"),
                }
            }
            '{' => {
                let (inner, next) = group(&chars, i);
                i = next;
                (Ord, Nucleus::Group(inner, None))
            }
            c if c.is_lowercase() => {
                let end = (i + 1..chars.len())
                    .find(|&j| {
                        !(chars[j].is_lowercase() || chars[j].is_ascii_digit())
                    })
                    .unwrap_or(chars.len());
                // A name ends with a letter: `ln3` is `ln` and `3`.
                let end =
                    (i..end).rev().find(|&j| chars[j].is_lowercase()).unwrap()
                        + 1;
                let run: String = chars[i..end].iter().collect();
                if run.chars().filter(|c| c.is_lowercase()).count() > 1 {
                    i = end;
                    (Op, Nucleus::Chars(run))
                } else {
                    i += 1;
                    (Ord, Nucleus::Chars(italic(c)))
                }
            }
            c if c.is_alphabetic() => {
                i += 1;
                (Ord, Nucleus::Chars(italic(c)))
            }
            c if c.is_ascii_digit() => {
                let end = (i..chars.len())
                    .find(|&j| {
                        let number_dot = chars[j] == '.'
                            && chars
                                .get(j + 1)
                                .is_some_and(|d| d.is_ascii_digit());
                        !(chars[j].is_ascii_digit() || number_dot)
                    })
                    .unwrap_or(chars.len());
                let run: String = chars[i..end].iter().collect();
                i = end;
                (Ord, Nucleus::Chars(run))
            }
            _ => {
                i += 1;
                let class = match c {
                    '+' | '−' | '·' | '×' | '⊙' => Bin,
                    '=' | '<' | '>' | '≤' | '≥' | '→' => Rel,
                    '(' | '[' => Open,
                    ')' | ']' => Close,
                    ',' => Punct,
                    _ => Ord,
                };
                (class, Nucleus::Chars(c.to_string()))
            }
        };
        atoms.push(Atom {
            class,
            nucleus,
            sub: None,
            sup: None,
            spaced,
            kern,
        });
        (spaced, kern) = (false, 0.0);
    }
    for k in 0..atoms.len() {
        if atoms[k].class != Bin {
            continue;
        }
        let before = k.checked_sub(1).map(|j| atoms[j].class);
        let after = atoms.get(k + 1).map(|a| a.class);
        if matches!(before, None | Some(Bin | Op | Rel | Open | Punct))
            || matches!(after, None | Some(Rel | Close | Punct))
        {
            atoms[k].class = Ord;
        }
    }
    (atoms, kern)
}

/// A letter as a variable: in mathematical italics.
fn italic(c: char) -> String {
    math_italic(c).unwrap_or(c).to_string()
}

/// The italic correction of a variable (how far its top leans past its
/// advance), in ems: Computer Modern's math italic values, which Latin
/// Modern Math keeps; 0 for anything else. TeX adds it after a letter
/// that has no index, so that `W =` and `Y per` do not touch.
fn italic_correction(drawn: &str) -> f64 {
    let Some(last) = drawn.chars().last() else {
        return 0.0;
    };
    if plain_letter(last) == last {
        return 0.0;
    }
    match plain_letter(last) {
        'V' | 'Y' => 0.222,
        'F' | 'P' | 'T' | 'W' => 0.139,
        'M' | 'N' | 'U' => 0.109,
        'f' => 0.108,
        'J' => 0.096,
        'H' => 0.081,
        'I' | 'X' => 0.078,
        'C' | 'K' | 'Z' => 0.072,
        'E' | 'S' | 'j' => 0.057,
        'B' => 0.05,
        'z' => 0.044,
        'q' | 'v' | 'y' => 0.036,
        'D' | 'O' | 'r' | 'θ' => 0.028,
        'w' => 0.027,
        _ => 0.0,
    }
}

/// The inside of [`math`]: the formula on a base of `size` user units
/// (`script` in an index), and the room it leaves after itself, in user
/// units.
fn formula_markup(
    formula: &str,
    size: f64,
    floor: f64,
    script: bool,
) -> (String, f64) {
    let (atoms, trailing) = atoms(formula);
    let mut out = String::new();
    // Space owed before the next symbol, in ems of `size`.
    let mut owed = 0.0;
    let mut prev = None;
    for a in &atoms {
        if let Some(p) = prev {
            owed += glue(p, a, script);
        }
        owed += a.kern;
        let (nucleus, correction) = match &a.nucleus {
            Nucleus::Chars(s) => (escape(s), italic_correction(s)),
            Nucleus::Group(inner, css) => {
                let (m, room) = formula_markup(inner, size, floor, script);
                let m = match css {
                    Some(k) => format!(
                        "<tspan class=\"{k}\" fill=\"{}\">{m}</tspan>",
                        fallback_fill(k)
                    ),
                    None => m,
                };
                (m, room / size)
            }
        };
        if !nucleus.is_empty() {
            out.push_str(&moved(&nucleus, owed * size));
            owed = 0.0;
        }
        let small = index_size(size, floor);
        let mut sub_width = 0.0;
        if let Some(sub) = &a.sub {
            let (inner, _) = formula_markup(sub, small, floor, true);
            let stacked = a.sup.is_some();
            out.push_str(&index(
                &inner,
                (size, floor),
                Index::Sub,
                stacked,
                0.0,
            ));
            sub_width = math_width(&flat(sub)) * small;
        }
        if let Some(sup) = &a.sup {
            let (inner, _) = formula_markup(sup, small, floor, true);
            let stacked = a.sub.is_some();
            out.push_str(&index(
                &inner,
                (size, floor),
                Index::Sup,
                stacked,
                sub_width,
            ));
        }
        if a.sub.is_none() && a.sup.is_none() {
            owed += correction;
        }
        prev = Some(a.class);
    }
    (out, (owed + trailing) * size)
}

/// The characters a formula draws, in order, indices included: what a
/// reader selects (`x_1^{(1)}` is `x1(1)`, `ρ sin θ` is `ρsinθ`).
fn flat(formula: &str) -> String {
    let mut out = String::new();
    for a in atoms(formula).0 {
        match &a.nucleus {
            Nucleus::Chars(s) => out.extend(s.chars().map(plain_letter)),
            Nucleus::Group(inner, _) => out.push_str(&flat(inner)),
        }
        for index in [&a.sub, &a.sup].into_iter().flatten() {
            out.push_str(&flat(index));
        }
    }
    out
}

/// Estimated width of a formula (its source, `x_1^{(1)}`) as [`math`]
/// sets it, in ems of the text around it: its characters
/// ([`math_width`]) and TeX's spaces ([`glue`], italic corrections) at
/// [`MATH_SCALE`], its indices at the smallest text's size in 14-unit
/// text (their size is floored there) with their room, and a superscript
/// stacked over a subscript as wide as the wider.
pub(crate) fn formula_width(formula: &str) -> f64 {
    width(formula, MATH_SCALE, false)
}

/// [`formula_width`] with the formula's characters `scale` ems wide per
/// em of the math font (`script` in an index).
fn width(formula: &str, scale: f64, script: bool) -> f64 {
    let (atoms, trailing) = atoms(formula);
    let script_scale = MIN_FONT_SIZE / 14.0;
    let mut em = 0.0;
    let mut owed = 0.0;
    let mut prev = None;
    for a in &atoms {
        if let Some(p) = prev {
            owed += glue(p, a, script);
        }
        owed += a.kern;
        let (w, correction) = match &a.nucleus {
            Nucleus::Chars(s) => (math_width(s) * scale, italic_correction(s)),
            Nucleus::Group(inner, _) => (width(inner, scale, script), 0.0),
        };
        em += owed * scale + w;
        owed = 0.0;
        let sub = a.sub.as_deref().map(|g| width(g, script_scale, true));
        let sup = a.sup.as_deref().map(|g| width(g, script_scale, true));
        em += match (sub, sup) {
            (Some(b), Some(p)) => {
                b + room(Index::Sub) * MATH_SCALE + (p - b).max(0.0)
            }
            (Some(b), None) => b + room(Index::Sub) * MATH_SCALE,
            (None, Some(p)) => p + room(Index::Sup) * MATH_SCALE,
            (None, None) => {
                owed += correction;
                0.0
            }
        };
        prev = Some(a.class);
    }
    em + (owed + trailing) * scale
}

/// Estimated width of a formula's characters in the math font (Latin
/// Modern Math), in ems of the formula's size: a single letter is
/// italic, a name upright.
pub(crate) fn math_width(formula: &str) -> f64 {
    formula
        .chars()
        .map(|c| match plain_letter(c) {
            'i' | 'j' | 'l' | ',' | '.' | '·' | '[' | ']' | ' ' => 0.28,
            '(' | ')' | 't' | 'f' | 'r' => 0.39,
            'a' | 'b' | 'c' | 'e' | 'o' | 's' | 'v' | 'q' | 'z' | 'y' | 'θ'
            | 'ρ' => 0.49,
            'd'
            | 'g'
            | 'k'
            | 'n'
            | 'p'
            | 'u'
            | 'x'
            | 'h'
            | '∂'
            | '/'
            | '0'..='9' => 0.55,
            'L' | 'Y' | 'F' | 'T' | 'E' | 'Z' | 'S' => 0.68,
            'w' | 'A' | 'B' | 'C' | 'P' | 'R' | 'V' => 0.75,
            '+' | '−' | '=' | '>' | '<' | '≤' | '≥' | '⊤' | '×' | '⊙' => {
                0.78
            }
            '→' => 1.0,
            'X' | 'D' | 'G' | 'H' | 'K' | 'N' | 'O' | 'Q' | 'U' | 'm' => 0.83,
            'W' | 'M' => 0.95,
            _ => 0.6,
        })
        .sum()
}

/// The `{…}` group or the single character at `chars[at]`, and where the
/// formula goes on after it.
fn group(chars: &[char], at: usize) -> (String, usize) {
    match chars.get(at) {
        Some('{') => {
            let mut depth = 0;
            for (j, &c) in chars.iter().enumerate().skip(at) {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return (chars[at + 1..j].iter().collect(), j + 1);
                        }
                    }
                    _ => {}
                }
            }
            panic!("figures: an unclosed {{ in a formula")
        }
        Some(&c) => (c.to_string(), at + 1),
        None => panic!("figures: a formula ends with _ or ^"),
    }
}

/// A figure text as a reader sees it: each formula as the characters it
/// draws ([`flat`]: no `$`, no markup, no source spaces; an `_` outside a
/// formula is left to [`subscripts`]).
pub fn plain(text: &str) -> String {
    let mut out = String::new();
    for (i, piece) in text.split('$').enumerate() {
        if i % 2 == 1 {
            out.push_str(&flat(piece));
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// Whether a figure text has a subscript (an index that reaches below the
/// baseline): an `_` inside a formula.
pub(crate) fn has_subscript(text: &str) -> bool {
    text.split('$').skip(1).step_by(2).any(|f| f.contains('_'))
}

/// Text anchor of a `<text>` element (written as its name in lower case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// One `<tspan>` piece of a text line: its words and an optional class.
pub(crate) type Span<'a> = (&'a str, Option<&'a str>);

/// The fallback fill of a text class, used when the stylesheet is missing.
fn fallback_fill(class: &str) -> &'static str {
    if class.contains("lg-grad") {
        "#c2410c"
    } else {
        "currentColor"
    }
}

/// The smallest font size in the figures, in user units: at the figure's
/// natural width (its `width` attribute, one user unit per CSS pixel) no
/// text is smaller than this many pixels.
pub const MIN_FONT_SIZE: f64 = 13.0;

/// The font size of a text class, in user units (never below
/// [`MIN_FONT_SIZE`]).
pub(crate) fn font_size(class: &str) -> f64 {
    let has = |c: &str| class.split(' ').any(|k| k == c);
    if has("lg-op") || has("lg-node-sign") {
        22.0
    } else if has("lg-head") || has("lg-node-label") {
        15.0
    } else if has("lg-small")
        || has("lg-caption")
        || has("lg-legend")
        || has("lg-sub")
        || has("lg-badge-text")
    {
        MIN_FONT_SIZE
    } else {
        14.0
    }
}

/// The smallest text, in CSS pixels, that a figure may be shrunk to on a
/// page (`.ci/browser-test` checks it): a figure shrinks with the column
/// down to the width at which its smallest text is this size, and no
/// further.
pub const MIN_SHOWN_FONT_SIZE: f64 = 11.0;

/// The style of a figure's `<svg>`: it may shrink with the page
/// (`max-width:100%`), and two CSS variables give the stylesheet its
/// natural width and the narrowest it may be drawn,
/// `--lg-min-width`, at which its `smallest` text is
/// [`MIN_SHOWN_FONT_SIZE`] pixels.
pub(crate) fn svg_style(width: f64, smallest: f64) -> String {
    format!(
        "max-width:100%;height:auto;--lg-natural-width:{}px;--lg-min-width:{}px",
        coord(width),
        (width * MIN_SHOWN_FONT_SIZE / smallest).ceil()
    )
}

/// The figures' font: the one the book's body text is set in (mdBook's
/// stack, whose Open Sans the book ships in `fonts/`), so that a figure
/// inlined into a page, or opened alone on a machine with Open Sans,
/// speaks in the page's voice; any sans-serif font otherwise. Formulas
/// name the pages' math font instead, [`MATH_FONT`].
pub const FONT: &str = "'Open Sans', sans-serif";

/// Figures wider than this (in user units) get the class `lg-svg-wide`.
const WIDE: f64 = 640.0;

/// An SVG document under construction. Coordinates are in user units; the
/// finished document has a `viewBox` of `width` × `height`.
pub(crate) struct Svg {
    id: String,
    body: Vec<String>,
    /// No text is smaller than this (see [`Svg::min_font`]).
    floor: f64,
    /// The smallest text written so far.
    smallest: f64,
}

impl Svg {
    /// A new figure; `id` (the file stem) prefixes every id in the document,
    /// so several figures can share a page.
    pub(crate) fn new(id: &str) -> Self {
        Svg {
            id: id.to_string(),
            body: Vec::new(),
            floor: MIN_FONT_SIZE,
            smallest: f64::INFINITY,
        }
    }

    /// Raises the size of every smaller text to `size`: a wide figure with
    /// larger small print can shrink further to fit the column.
    pub(crate) fn min_font(mut self, size: f64) -> Self {
        self.floor = size;
        self
    }

    /// The id of the arrowhead marker, for `marker-end`.
    pub(crate) fn arrow_id(&self) -> String {
        format!("{}-arrow", self.id)
    }

    /// Adds a raw line (must be one complete element, no newline).
    fn push(&mut self, line: String) {
        debug_assert!(!line.contains('\n'));
        self.body.push(line);
    }

    /// A line of text whose baseline starts (or is centred, or ends) at
    /// `(x, y)`.
    pub(crate) fn text(
        &mut self,
        x: f64,
        y: f64,
        anchor: Anchor,
        class: &str,
        text: &str,
    ) {
        self.spans(x, y, anchor, class, &[(text, None)]);
    }

    /// A line of text made of spans with their own classes, e.g. a legend
    /// that names the value colour and the gradient colour.
    pub(crate) fn spans(
        &mut self,
        x: f64,
        y: f64,
        anchor: Anchor,
        class: &str,
        spans: &[Span],
    ) {
        let size = font_size(class).max(self.floor);
        let mut inner = String::new();
        for (words, span_class) in spans {
            match span_class {
                Some(c) => write!(
                    inner,
                    "<tspan class=\"{c}\" fill=\"{}\">{}</tspan>",
                    fallback_fill(c),
                    subscripts(&escape(words), size, self.floor)
                )
                .unwrap(),
                None => inner.push_str(&subscripts(
                    &escape(words),
                    size,
                    self.floor,
                )),
            }
        }
        self.smallest = self.smallest.min(size);
        self.push(format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"{class}\" font-size=\"{}\" fill=\"{}\">{inner}</text>",
            coord(x),
            coord(y),
            format!("{anchor:?}").to_lowercase(),
            coord(size),
            fallback_fill(class),
        ));
    }

    /// A heading centred at `x` above a block that starts at `top`: its
    /// symbol (class `lg-head` and `class`) over a caption.
    pub(crate) fn heading(
        &mut self,
        x: f64,
        top: f64,
        class: &str,
        symbol: &str,
        caption: &str,
    ) {
        self.text(
            x,
            top - 31.0,
            Anchor::Middle,
            &format!("lg-head {class}"),
            symbol,
        );
        self.text(x, top - 10.0, Anchor::Middle, "lg-caption", caption);
    }

    /// A rectangle with top-left corner `(x, y)`.
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        rx: f64,
        class: &str,
    ) {
        self.push(format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" class=\"{class}\" fill=\"none\" stroke=\"currentColor\"/>",
            coord(x),
            coord(y),
            coord(w),
            coord(h),
            coord(rx),
        ));
    }

    /// A circle centred at `(x, y)`.
    pub(crate) fn circle(&mut self, x: f64, y: f64, r: f64, class: &str) {
        self.push(format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" class=\"{class}\" fill=\"none\" stroke=\"currentColor\"/>",
            coord(x),
            coord(y),
            coord(r),
        ));
    }

    /// A straight line.
    pub(crate) fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        class: &str,
    ) {
        self.push(format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\" stroke=\"currentColor\"/>",
            coord(x1),
            coord(y1),
            coord(x2),
            coord(y2),
        ));
    }

    /// A path with the given `d` attribute, ending in the figure's
    /// arrowhead.
    pub(crate) fn arrow_path(&mut self, d: &str, class: &str) {
        let arrow = self.arrow_id();
        self.push(format!(
            "<path d=\"{d}\" class=\"{class}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" marker-end=\"url(#{arrow})\"/>"
        ));
    }

    /// The finished document: `role="img"`, `<title>` and `<desc>` (the
    /// alt text), a `viewBox` of `width` × `height`, its natural size in
    /// the `width` and `height` attributes, and the style of
    /// [`svg_style`]: it shrinks with the page, but not below the width
    /// at which its smallest text is [`MIN_SHOWN_FONT_SIZE`] pixels.
    pub(crate) fn finish(
        self,
        width: f64,
        height: f64,
        title: &str,
        desc: &str,
    ) -> String {
        let id = &self.id;
        // Wide figures keep a minimum width on phones (the page scrolls
        // them sideways instead of shrinking the text below reading size).
        let class = if width > WIDE {
            "lg-svg lg-svg-wide"
        } else {
            "lg-svg"
        };
        let mut out = Vec::new();
        out.push(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" style=\"{style}\" font-family=\"{FONT}\" font-size=\"14\">",
            w = coord(width),
            h = coord(height),
            style = svg_style(width, self.smallest),
        ));
        out.push(format!(
            "<title id=\"{id}-title\">{}</title>",
            escape(title)
        ));
        out.push(format!("<desc id=\"{id}-desc\">{}</desc>", escape(desc)));
        out.push(format!(
            "<defs><marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,1 L10,5 L0,9 z\" class=\"lg-arrowhead\" fill=\"currentColor\"/></marker></defs>",
            self.arrow_id()
        ));
        out.extend(self.body);
        out.push("</svg>".to_string());
        let mut s = out.join("\n");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short_and_have_no_negative_zero() {
        assert_eq!(coord(3.0), "3");
        assert_eq!(coord(2.26), "2.3");
        assert_eq!(coord(-0.01), "0");
        assert_eq!(coord(-12.36), "-12.4");
    }

    #[test]
    fn every_text_class_is_at_least_the_minimum_size() {
        for class in [
            "lg-sub",
            "lg-badge-text",
            "lg-caption",
            "lg-grad lg-edge-label lg-small",
            "x",
        ] {
            assert!(font_size(class) >= MIN_FONT_SIZE, "{class}");
        }
        assert_eq!(font_size("lg-head lg-grad"), 15.0);
    }

    #[test]
    fn formulas_are_set_as_the_pages_set_them() {
        // In the pages' math font, 1.2 times the text's size, regular.
        let wrap = |size: &str, inner: &str| {
            format!("<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\" font-size=\"{size}\">{inner}</tspan>")
        };
        // A variable in mathematical italics, its index upright, a little
        // clear of it, at TeX's script size (70% of 21.6 is 15.1), lowered
        // 0.25 em of its base (5.4 units, 0.36 em of the index).
        assert_eq!(
            math("w_0", 18.0, MIN_FONT_SIZE),
            wrap(
                "21.6",
                "𝑤<tspan dx=\"1.1\" baseline-shift=\"-0.36em\" font-size=\"15.1\">0</tspan>"
            )
        );
        // A small index is no smaller than the figure's smallest text, and
        // drops no further for it: 0.25 em of its base of 15.6 is 3.9
        // units, 0.3 em of the 13-unit index (not 0.35 em, 4.6 units).
        assert!(math("w_0", 13.0, MIN_FONT_SIZE)
            .contains("baseline-shift=\"-0.3em\" font-size=\"13\">0<"));
        // Names upright; two letters side by side are two variables; a
        // superscript ⊤ at script size, not on the line.
        assert_eq!(math("exp", 15.0, MIN_FONT_SIZE), wrap("18", "exp"));
        // Words upright, as one ordinary symbol: a medium space before a
        // binary operator, where a name would have a thin one.
        assert_eq!(math(r"\text{out}", 15.0, MIN_FONT_SIZE), wrap("18", "out"));
        assert_eq!(
            math(r"\text{out} + 1", 15.0, MIN_FONT_SIZE),
            wrap(
                "18",
                "out<tspan dx=\"4\">+</tspan><tspan dx=\"4\">1</tspan>"
            )
        );
        assert_eq!(plain(r"$\text{out}$"), "out");
        // W leans past its advance: its italic correction (0.139 em of 18).
        assert_eq!(
            math("Wx", 15.0, MIN_FONT_SIZE),
            wrap("18", "𝑊<tspan dx=\"2.5\">𝑥</tspan>")
        );
        assert_eq!(math("θ", 15.0, MIN_FONT_SIZE), wrap("18", "𝜃"));
        assert_eq!(math("h", 15.0, MIN_FONT_SIZE), wrap("18", "ℎ"));
        assert_eq!(
            math("x^⊤", 15.0, MIN_FONT_SIZE),
            wrap(
                "18",
                "𝑥<tspan dx=\"0\" baseline-shift=\"0.5em\" font-size=\"13\">⊤</tspan>"
            )
        );
        // A superscript stacked over a subscript: both move apart, and the
        // superscript moves back over the subscript.
        let stacked = math("x_1^{(1)}", 15.0, MIN_FONT_SIZE);
        assert!(
            stacked.contains(">𝑥<tspan dx=\"0.9\" baseline-shift=\"-0.4em\" font-size=\"13\">1<"),
            "{stacked}"
        );
        assert!(
            stacked.contains(
                "<tspan dx=\"-7.2\" baseline-shift=\"0.8em\" font-size=\"13\">(1)</tspan>"
            ),
            "{stacked}"
        );
        assert_eq!(plain("$x_1^{(1)}$ = 2"), "x1(1) = 2");
        assert_eq!(
            subscripts("$b$ = 1", 14.0, MIN_FONT_SIZE),
            format!("{} = 1", wrap("16.8", "𝑏"))
        );
        for c in ['x', 'h', 'W', 'θ', 'Ω'] {
            assert_eq!(plain_letter(math_italic(c).unwrap()), c);
        }
        assert_eq!((math_italic('1'), plain_letter('∂')), (None, '∂'));
    }

    #[test]
    fn formulas_are_spaced_as_tex_spaces_them() {
        let wrap = |size: &str, inner: &str| {
            format!("<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\" font-size=\"{size}\">{inner}</tspan>")
        };
        let at = |dx: &str, s: &str| format!("<tspan dx=\"{dx}\">{s}</tspan>");
        // On 18 units: a thin space is 3, a medium 4, a thick 5.
        // An operator name: a thin space on each side next to a symbol,
        // whatever the source's spaces, and none before a bracket.
        assert_eq!(
            math("ρ sin θ", 15.0, MIN_FONT_SIZE),
            wrap("18", &format!("𝜌{}{}", at("3", "sin"), at("3", "𝜃")))
        );
        assert_eq!(
            math("ln3", 15.0, MIN_FONT_SIZE),
            wrap("18", &format!("ln{}", at("3", "3")))
        );
        assert_eq!(math("ln(x)", 15.0, MIN_FONT_SIZE), wrap("18", "ln(𝑥)"));
        // A relation: thick spaces; a binary operator: medium ones; a
        // sign (a minus with nothing on its left) none; a comma a thin
        // space after it.
        assert_eq!(
            math("q=−1+3, 2", 15.0, MIN_FONT_SIZE),
            wrap(
                "18",
                &format!(
                    "𝑞{}{}1{}{},{}",
                    at("5.6", "="),
                    at("5", "−"),
                    at("4", "+"),
                    at("4", "3"),
                    at("3", "2")
                )
            )
        );
        assert_eq!(
            math("0.5 · (−1)", 15.0, MIN_FONT_SIZE),
            wrap("18", &format!("0.5{}{}−1)", at("4", "·"), at("4", "(")))
        );
        // Inside an index only operator names are spaced.
        assert!(math("W_{0,1}", 15.0, MIN_FONT_SIZE).contains(">0,1<"));
        // A source space between two symbols TeX would set close is a
        // thin space (`\,`); explicit spaces add to TeX's.
        assert_eq!(
            math("a b", 15.0, MIN_FONT_SIZE),
            wrap("18", &format!("𝑎{}", at("3", "𝑏")))
        );
        assert_eq!(
            math("a\\;b", 15.0, MIN_FONT_SIZE),
            wrap("18", &format!("𝑎{}", at("5", "𝑏")))
        );
        // A formula's last italic correction keeps the words after it
        // clear (Y: 0.222 em of 16.8), and a coloured part is one symbol.
        assert!(subscripts("$Y$ per", 14.0, MIN_FONT_SIZE)
            .ends_with("</tspan><tspan dx=\"3.7\"> per</tspan>"));
        assert_eq!(
            math("\\class{lg-grad}{W} = x", 15.0, MIN_FONT_SIZE),
            wrap(
                "18",
                &format!(
                    "<tspan class=\"lg-grad\" fill=\"#c2410c\">𝑊</tspan>{}{}",
                    at("7.5", "="),
                    at("5", "𝑥")
                )
            )
        );
        // The estimated width counts the spaces: `a = b` is two thick
        // spaces wider than `a`, `=` and `b` side by side.
        let bare = (math_width("𝑎=𝑏")) * MATH_SCALE;
        assert!(
            (formula_width("a = b") - bare - 2.0 * THICK * MATH_SCALE).abs()
                < 1e-9
        );
        assert_eq!(plain("$ρ sin θ$ and $x_1^{(1)}$"), "ρsinθ and x1(1)");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(escape("the sample's"), "the sample’s");
        assert_eq!(
            subscripts("W_col X_col + b_", 15.0, MIN_FONT_SIZE),
            "W<tspan dx=\"0.8\" baseline-shift=\"-0.29em\" font-size=\"13\">col</tspan> X<tspan dx=\"0.8\" baseline-shift=\"-0.29em\" font-size=\"13\">col</tspan> + b_"
        );
    }
}
