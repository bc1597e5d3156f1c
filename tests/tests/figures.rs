//! The book's figures. The files in `src/figures/` must be what
//! `backprop::figures` draws now, at the precision they print (a figure
//! edited by hand, a missing one or a leftover file fails here); every
//! figure must be included by its chapter, be accessible and safe to inline
//! in markdown, show the worked numbers, and show only numbers its chapter
//! states. Figures are read with an XML parser (roxmltree).

use backprop::figures::costs::{ink_start, jacobian_costs, Measured};
use backprop::figures::{
    descent, plain_letter, text_width, ASCENT, FIGURES, FONT, MATH_FONT, MINUS,
    MIN_FONT_SIZE, REGENERATE, SCRIPT_RATIO,
};
use backprop::scalar::{sigmoid_neuron_graph, SIGMOID_W, SIGMOID_X};
use roxmltree::{Document, Node};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn book_src() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    dir.canonicalize().unwrap_or(dir)
}

fn chapter(name: &str) -> String {
    let path = book_src().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every figure as `(file, SVG)`, drawn once per test run.
fn all() -> &'static [(&'static str, String)] {
    static ALL: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    ALL.get_or_init(backprop::figures::all)
}

/// The appendix's cost chart as the code draws it from the committed table
/// (`chapters-code/measured/jacobian-costs.html`, written by `bench-report`).
fn measured_chart() -> &'static str {
    static CHART: OnceLock<String> = OnceLock::new();
    CHART.get_or_init(|| {
        let table =
            book_src().join("../chapters-code/measured/jacobian-costs.html");
        let table = std::fs::read_to_string(&table).unwrap();
        let (stated, _) =
            Measured::from_table(&table).unwrap_or_else(|e| panic!("{e}"));
        jacobian_costs(&stated)
    })
}

/// Every drawing the book inlines: the figures and the cost chart.
fn drawings() -> Vec<(&'static str, &'static str)> {
    let figures = all().iter().map(|(n, s)| (*n, s.as_str()));
    figures
        .chain([("jacobian-costs.svg", measured_chart())])
        .collect()
}

fn figure(name: &str) -> &'static str {
    let found = all().iter().find(|(n, _)| *n == name);
    &found.unwrap_or_else(|| panic!("no figure {name}")).1
}

fn parse<'a>(name: &str, svg: &'a str) -> Document<'a> {
    Document::parse(svg)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"))
}

/// The `<text>` elements of a figure, each with its text as a reader would
/// select it (the text of its `<tspan>`s joined, entities decoded).
fn texts<'a, 'i>(doc: &'a Document<'i>) -> Vec<(Node<'a, 'i>, String)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            (
                n,
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect(),
            )
        })
        .collect()
}

/// Whether a text node is inside an index (a `<tspan>` with a
/// `baseline-shift`).
fn in_index(n: Node) -> bool {
    n.ancestors()
        .take_while(|a| !a.has_tag_name("text"))
        .any(|a| a.has_attribute("baseline-shift"))
}

/// A `<text>`'s words without its indices (sub- and superscripts).
fn without_indices(text: Node) -> String {
    text.descendants()
        .filter(|d| d.is_text() && !in_index(*d))
        .filter_map(|d| d.text())
        .collect()
}

/// Whether a figure has a text that reads `wanted`, its mathematical
/// italic letters read as the letters they are (`𝑥` as `x`), spaces aside
/// (a formula draws its spaces as room, `dx`, not as characters).
fn has_text(svg: &str, wanted: &str) -> bool {
    let read = |t: &str| -> String {
        t.chars()
            .filter(|c| !c.is_whitespace())
            .map(plain_letter)
            .collect()
    };
    texts(&parse("figure", svg))
        .iter()
        .any(|(_, t)| read(t) == read(wanted))
}

/// The numbers written in one line of figure text, in order, with a hyphen
/// for the minus sign (`"[0.5, −1]"` gives `["0.5", "-1"]`). Digits that are
/// part of a name (`w0`, `x₁`) do not count.
fn numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.replace(MINUS, "-").chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(|d| d.is_ascii_digit());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = digit(i) || (chars[i] == '-' && digit(i + 1));
        let after_name =
            i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.');
        if starts && !after_name {
            let mut j = i + 1;
            while digit(j) || (chars.get(j) == Some(&'.') && digit(j + 1)) {
                j += 1;
            }
            out.push(chars[i..j].iter().collect());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The numbers of every text of a figure, with the text they are in. An
/// axis's tick labels (class `lg-tick`, in the plots) are a scale rather
/// than numbers the figure states, and are left out, and so are indices
/// (the `(1)` of \(x_1^{(1)}\) names a sample).
fn figure_numbers(svg: &str) -> Vec<(String, Vec<String>)> {
    let doc = parse("figure", svg);
    texts(&doc)
        .into_iter()
        .filter(|(n, _)| {
            !n.attribute("class").is_some_and(|c| c.contains("lg-tick"))
        })
        .map(|(n, t)| (numbers_in(&without_indices(n)), t))
        .filter(|(n, _)| !n.is_empty())
        .map(|(n, t)| (t, n))
        .collect()
}

/// A figure's text cut into numbers, each with the number of decimals it
/// is printed with, and the text between them.
fn tokens(svg: &str) -> Vec<Result<(f64, i32), String>> {
    let chars: Vec<char> = svg.replace(MINUS, "-").chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(|d| d.is_ascii_digit());
    let (mut out, mut other, mut i) = (Vec::new(), String::new(), 0);
    while i < chars.len() {
        if digit(i) || (chars[i] == '-' && digit(i + 1)) {
            let mut j = i + 1;
            while digit(j) || (chars.get(j) == Some(&'.') && digit(j + 1)) {
                j += 1;
            }
            let number: String = chars[i..j].iter().collect();
            let decimals =
                number.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
            out.push(Err(std::mem::take(&mut other)));
            out.push(Ok((number.parse().unwrap(), decimals)));
            i = j;
        } else {
            other.push(chars[i]);
            i += 1;
        }
    }
    out.push(Err(other));
    out
}

/// Whether two drawings of a figure agree at the precision they print:
/// the same text and markup, and every number within one unit of its last
/// printed digit. A value that lies on a rounding boundary may print one
/// way on one processor and the other way on another (ndarray's matrix
/// product uses FMA where the processor has it), so that much is allowed.
fn same_at_printed_precision(old: &str, new: &str) -> bool {
    let (a, b) = (tokens(old), tokens(new));
    a.len() == b.len()
        && a.iter().zip(&b).all(|pair| match pair {
            (Ok((x, dx)), Ok((y, dy))) => {
                (x - y).abs() <= 10f64.powi(-(*dx.min(dy))) * (1.0 + 1e-9)
            }
            (Err(x), Err(y)) => x == y,
            _ => false,
        })
}

/// How the numbers of a figure changed from `old` (the committed file) to
/// `new` (what the code draws now), one readable phrase per change.
fn number_changes(old: &str, new: &str) -> Vec<String> {
    let (old_n, new_n) = (figure_numbers(old), figure_numbers(new));
    if old_n.len() == new_n.len() {
        let pairs = old_n.iter().zip(&new_n).filter(|((_, a), (_, b))| a != b);
        return pairs
            .map(|((old_t, a), (new_t, b))| {
                let (a, b) = (a.join(", "), b.join(", "));
                format!("{a} → {b} (text \"{old_t}\" is now \"{new_t}\")")
            })
            .collect();
    }
    let flat = |v: &[(String, Vec<String>)]| -> Vec<String> {
        v.iter().flat_map(|(_, n)| n.clone()).collect()
    };
    let (mut gone, came) = (flat(&old_n), flat(&new_n));
    let mut only_new = Vec::new();
    for x in came {
        match gone.iter().position(|y| *y == x) {
            Some(i) => drop(gone.remove(i)),
            None => only_new.push(x),
        }
    }
    if gone.is_empty() && only_new.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "only in the committed file: [{}]; only in what the code draws now: [{}]",
        gone.join(", "),
        only_new.join(", ")
    )]
}

/// Compares the figures in `dir` with what the code draws and returns one
/// message per problem: a figure that is missing, that differs at its
/// printed precision, or an `.svg` file that no figure produces. A figure
/// whose numbers changed gets the list of changes and a warning: the code
/// may be wrong, and regenerating would bake the bug into the book.
fn stale_figures(dir: &Path, figures: &[(&str, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, svg) in figures {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!("{} is missing", path.display()));
            continue;
        };
        if same_at_printed_precision(&text, svg) {
            continue;
        }
        let changes = number_changes(&text, svg);
        problems.push(if changes.is_empty() {
            format!(
                "{} differs from what backprop::figures draws now, but every number it states is the same (layout, wording or styling changed)",
                path.display()
            )
        } else {
            format!(
                "{} differs from what backprop::figures draws now, and its NUMBERS changed (committed → drawn now):\n      {}\n    A change in the numbers may mean a bug in the code, not a stale figure: run `cargo test -p backprop` and compare with the numbers the chapter states BEFORE you regenerate, or the bug goes into the book.",
                path.display(),
                changes.join("\n      ")
            )
        });
    }
    let mut extra: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
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
    problems
}

#[test]
fn figures_are_up_to_date() {
    let problems = stale_figures(&book_src().join("figures"), all());
    assert!(
        problems.is_empty(),
        "the book's figures differ from what the code draws:\n  - {}\nOnly once you are sure the code is right, regenerate them with\n  {REGENERATE}\n(never edit src/figures/*.svg by hand: change chapters-code/src/figures/)",
        problems.join("\n  - ")
    );
}

#[test]
fn the_cost_chart_is_drawn_from_its_table() {
    let path = book_src().join("../chapters-code/measured/jacobian-costs.svg");
    let committed = std::fs::read_to_string(&path).unwrap();
    let changes = number_changes(&committed, measured_chart()).join("; ");
    assert!(
        same_at_printed_precision(&committed, measured_chart()),
        "{} differs from what backprop::figures::costs draws from the table beside it {changes}; redraw it with\n  cargo run -p backprop --features figures --bin bench-report -- --redraw",
        path.display()
    );
}

#[test]
fn stale_figures_names_missing_changed_and_extra_files() {
    let dir =
        std::env::temp_dir().join(format!("lg-figures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, svg) in all() {
        std::fs::write(dir.join(name), svg).unwrap();
    }
    assert!(stale_figures(&dir, all()).is_empty());
    let edited = figure("relu-mask.svg").replace(">0.3<", ">0.5<");
    std::fs::write(dir.join("relu-mask.svg"), edited).unwrap();
    let restyled = figure("relu-jacobian.svg").replace("lg-block", "lg-blocks");
    std::fs::write(dir.join("relu-jacobian.svg"), restyled).unwrap();
    std::fs::remove_file(dir.join("fan-out.svg")).unwrap();
    std::fs::write(dir.join("old.svg"), "<svg/>").unwrap();
    let problems = stale_figures(&dir, all());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].contains("fan-out.svg is missing"));
    assert!(problems[1].contains("relu-mask.svg differs"));
    assert!(problems[1].contains("0.5 → 0.3"), "{}", problems[1]);
    assert!(problems[1].contains("may mean a bug in the code"));
    assert!(problems[2].contains("relu-jacobian.svg differs"));
    assert!(problems[2].contains("every number it states is the same"));
    assert!(problems[3].contains("old.svg is not drawn"));
}

#[test]
fn figures_are_compared_at_their_printed_precision() {
    let svg =
        |v: &str| format!("<svg><path d=\"M72 {v}\"/><text>{v}</text></svg>");
    // The last printed digit may flip (a rounding boundary, FMA or not)…
    assert!(same_at_printed_precision(&svg("0.24"), &svg("0.25")));
    assert!(same_at_printed_precision(&svg("339"), &svg("340")));
    assert!(same_at_printed_precision(&svg("\u{2212}0.5"), &svg("-0.4")));
    // …but nothing more, and the text around the numbers must not change.
    assert!(!same_at_printed_precision(&svg("0.24"), &svg("0.26")));
    assert!(!same_at_printed_precision(&svg("339"), &svg("341")));
    assert!(!same_at_printed_precision(&svg("0.24"), &svg("0.24 ")));
    assert!(!same_at_printed_precision(&svg("0.24"), &svg("0.24, 1")));
}

#[test]
fn numbers_are_read_from_text_but_not_from_names() {
    assert_eq!(numbers_in("[0.5, −1]"), ["0.5", "-1"]);
    assert_eq!(numbers_in("∂f/∂x = −1 + 3 = 2"), ["-1", "3", "2"]);
    assert_eq!(numbers_in("w0 = 2"), ["2"]);
    assert_eq!(numbers_in("x₁⁽¹⁾"), Vec::<String>::new());
    assert_eq!(numbers_in("−x"), Vec::<String>::new());
    assert_eq!(numbers_in("1/x"), ["1"]);
    assert_eq!(numbers_in("0.5 · (−1)."), ["0.5", "-1"]);
    let svg = "<svg>\n<text x=\"1\">a <tspan class=\"c\">−0.20</tspan></text>\n<text class=\"lg-tick\">5</text></svg>";
    assert!(has_text(svg, "a −0.20"));
    assert_eq!(
        figure_numbers(svg),
        [("a −0.20".to_string(), vec!["-0.20".to_string()])]
    );
}

#[test]
fn every_figure_is_accessible_and_safe_to_inline_in_markdown() {
    assert_eq!(all().len(), FIGURES.len());
    for (name, svg) in drawings() {
        let stem = name.trim_end_matches(".svg");
        assert!(svg.starts_with("<svg "), "{name}: must start with <svg");
        assert!(svg.ends_with("</svg>\n"), "{name}: must end with </svg>");
        for (i, line) in svg.lines().enumerate() {
            let at = format!("{name}: line {}", i + 1);
            assert!(!line.trim().is_empty(), "{at} is blank");
            assert!(!line.starts_with([' ', '\t']), "{at} is indented");
            assert!(
                !line.contains(['\\', '$']),
                "{at} has \\ or $ (KaTeX would see it)"
            );
        }
        let doc = parse(name, svg);
        let root = doc.root_element();
        assert_eq!(
            doc.descendants().filter(|n| n.has_tag_name("svg")).count(),
            1,
            "{name}"
        );
        for attr in ["role", "viewBox", "width", "style", "aria-labelledby"] {
            assert!(root.has_attribute(attr), "{name}: <svg> lacks {attr}");
        }
        assert_eq!(root.attribute("role"), Some("img"), "{name}");
        assert!(
            root.attribute("style").unwrap().contains("max-width:100%"),
            "{name}"
        );
        for (tag, id) in [
            ("title", format!("{stem}-title")),
            ("desc", format!("{stem}-desc")),
        ] {
            let found = root.children().find(|n| n.has_tag_name(tag));
            assert_eq!(
                found.and_then(|n| n.attribute("id")),
                Some(id.as_str()),
                "{name}: <{tag}>"
            );
        }
        // Every id starts with the figure's stem, so figures can share a page.
        for n in doc.descendants().filter_map(|n| n.attribute("id")) {
            assert!(n.starts_with(stem), "{name}: id {n} is not prefixed");
        }
    }
}

#[test]
fn negative_numbers_use_a_true_minus_sign() {
    let hyphen = |t: &str| {
        let chars: Vec<char> = t.chars().collect();
        chars
            .windows(2)
            .any(|w| w[0] == '-' && (w[1].is_ascii_digit() || w[1] == 'x'))
    };
    for (name, svg) in drawings() {
        let doc = parse(name, svg);
        let alt = ["title", "desc"].map(|tag| {
            let n = doc.descendants().find(|n| n.has_tag_name(tag));
            n.and_then(|n| n.text()).unwrap_or_default().to_string()
        });
        for t in texts(&doc).into_iter().map(|(_, t)| t).chain(alt) {
            assert!(
                !hyphen(&t),
                "{name}: \"{t}\" has a hyphen where a minus sign belongs"
            );
        }
    }
    // A caption's formulas (`\(x = -1\)`) are TeX, whose "-" is a minus.
    let prose = |c: &str| {
        let parts = c
            .split("\\(")
            .map(|p| p.split_once("\\)").map_or(p, |(_, rest)| rest));
        parts.collect::<Vec<_>>().join(" ")
    };
    for (page, name, caption) in captions() {
        assert!(
            !hyphen(&prose(&caption)),
            "{page}: the caption of {name} has a hyphen where a minus sign belongs: {caption}"
        );
    }
    assert!(hyphen("x = -1") && !hyphen("x = −1, a-b"));
    assert!(
        hyphen(&prose("\\(x\\) = -1")) && !hyphen(&prose("\\(x = -1\\), a-b"))
    );
}

/// Every figure's caption in the book, as `(page, figure, caption)`: the
/// text of its `<figcaption>`, without markup and without code (a Rust
/// listing writes `-1`).
fn captions() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(book_src()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let page = std::fs::read_to_string(&path).unwrap();
        for fig in page.split("<figure").skip(1) {
            let name = fig
                .split("{{#include ")
                .nth(1)
                .and_then(|r| r.split("}}").next());
            let caption = fig
                .split("<figcaption>")
                .nth(1)
                .and_then(|r| r.split("</figcaption>").next());
            let (Some(name), Some(caption)) = (name, caption) else {
                continue;
            };
            let mut text = String::new();
            for (i, piece) in caption.split("<code>").enumerate() {
                text.push_str(if i == 0 {
                    piece
                } else {
                    piece.split_once("</code>").map_or("", |p| p.1)
                });
            }
            let words: String = text
                .split('<')
                .enumerate()
                .map(|(i, p)| {
                    if i == 0 {
                        p
                    } else {
                        p.split_once('>').map_or("", |p| p.1)
                    }
                })
                .collect();
            let page = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((
                page,
                name.rsplit('/').next().unwrap().to_string(),
                words,
            ));
        }
    }
    assert!(out.len() >= FIGURES.len(), "captions found: {out:?}");
    out
}

/// A caption states only numbers its figure states (in its text or its
/// alt text), which the figure code computes from the book's run: a
/// caption cannot go stale when the data changes.
#[test]
fn every_number_in_a_caption_is_stated_by_its_figure() {
    let mut problems = Vec::new();
    for (page, name, caption) in captions() {
        let svg = drawings().into_iter().find(|d| d.0 == name).map(|d| d.1);
        let svg = svg.unwrap_or_else(|| {
            panic!("{page} includes {name}, which is not drawn")
        });
        let doc = parse(&name, svg);
        let said: String = doc
            .descendants()
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join(" ");
        let known = numbers_of(&said);
        for n in numbers_in(&caption) {
            if !stated(&n, &known) {
                problems.push(format!(
                    "{page}: the caption of {name} says {n}, which the figure does not state"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_text_is_at_least_the_minimum_size_at_natural_width() {
    for (name, svg) in drawings() {
        let doc = parse(name, svg);
        let root = doc.root_element();
        let view_width = root
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap();
        assert_eq!(
            root.attribute("width"),
            Some(view_width),
            "{name}: width is not the natural width"
        );
        let found = texts(&doc);
        assert!(!found.is_empty(), "{name}: no text");
        for (node, text) in found {
            let size: f64 = node
                .attribute("font-size")
                .unwrap_or_else(|| {
                    panic!("{name}: \"{text}\" has no font-size")
                })
                .parse()
                .unwrap();
            assert!(
                size >= MIN_FONT_SIZE,
                "{name}: \"{text}\" is {size} < {MIN_FONT_SIZE} units tall"
            );
        }
    }
}

/// Points along every edge (`class="lg-edge"` paths made of `M`, `C` and
/// `L` pieces), 40 per piece.
fn edge_points(doc: &Document) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let edges = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lg-edge"));
    for d in edges.filter_map(|n| n.attribute("d")) {
        let mut pen = (0.0, 0.0);
        let spaced: String = d
            .chars()
            .flat_map(|c| match c {
                'M' | 'L' | 'C' => vec![' ', c, ' '],
                ',' => vec![' '],
                _ => vec![c],
            })
            .collect();
        let mut words = spaced.split_whitespace().peekable();
        while let Some(cmd) = words.next() {
            let mut nums = Vec::new();
            while let Some(v) = words.peek().and_then(|w| w.parse::<f64>().ok())
            {
                nums.push(v);
                words.next();
            }
            let at = |t: f64| -> (f64, f64) {
                let u = 1.0 - t;
                match (cmd, nums.as_slice()) {
                    ("L", &[x, y]) => {
                        (pen.0 + t * (x - pen.0), pen.1 + t * (y - pen.1))
                    }
                    ("C", &[x1, y1, x2, y2, x, y]) => {
                        let (a, b, c, e) = (
                            u * u * u,
                            3.0 * u * u * t,
                            3.0 * u * t * t,
                            t * t * t,
                        );
                        (
                            a * pen.0 + b * x1 + c * x2 + e * x,
                            a * pen.1 + b * y1 + c * y2 + e * y,
                        )
                    }
                    ("M", &[x, y]) => (x, y),
                    _ => panic!("unexpected path piece {cmd} {nums:?} in {d}"),
                }
            };
            out.extend((0..=40).map(|i| at(i as f64 / 40.0)));
            pen = at(1.0);
        }
    }
    out
}

/// Every text whose box ([`text_box`]) an edge passes through, as
/// `"text" at (x, y)`.
fn edges_through_text(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let points = edge_points(&doc);
    let mut hits = Vec::new();
    for (node, text) in texts(&doc) {
        let b = text_box(node, &text);
        let inside = |&(px, py): &(f64, f64)| {
            px > b.left && px < b.right && py > b.top && py < b.bottom
        };
        if points.iter().any(inside) {
            let at = |a: &str| node.attribute(a).unwrap_or("?");
            hits.push(format!("\"{text}\" at ({}, {})", at("x"), at("y")));
        }
    }
    hits
}

#[test]
fn no_edge_runs_through_a_label() {
    for (name, svg) in all() {
        let hits = edges_through_text(svg);
        assert!(hits.is_empty(), "{name}: edges run through {hits:?}");
    }
    // An edge straight through a label is found.
    let svg = "<svg>\n<path d=\"M0 20 L100 20\" class=\"lg-edge\"/>\n<text x=\"50\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">0.5</text>\n</svg>";
    assert_eq!(edges_through_text(svg).len(), 1);
    let below = svg.replace("y=\"24\"", "y=\"40\"");
    assert!(edges_through_text(&below).is_empty());
}

#[test]
fn figures_are_deterministic() {
    assert_eq!(backprop::figures::all(), all());
}

/// A figure, the texts it must show, and how many elements it has of some
/// classes.
type Shows = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, usize)],
);

#[test]
fn every_figure_shows_its_worked_numbers() {
    let must: &[Shows] = &[
        (
            "sigmoid-neuron.svg",
            &[
                "2.00", "−1.00", "−3.00", "−2.00", "6.00", "4.00", "1.00",
                "0.37", "1.37", "0.73", "−0.53", "−0.20", "0.20", "0.39",
                "−0.39", "−0.59",
            ],
            // 8 operation nodes numbered in backward order; 12 edges plus the output edge
            &[
                ("lg-badge", 8),
                ("lg-node lg-node-op", 8),
                ("lg-edge", 13),
                ("lg-grad lg-edge-label", 13),
            ],
        ),
        (
            "fan-out.svg",
            // ∂q/∂x = −1 + 3 = 2, broken before each relation
            &["∂q/∂x", "= −1 + 3", "= 2", "3", "−4", "−1", "−3"],
            &[],
        ),
        (
            "relu-mask.svg",
            &[
                "2",
                "−1",
                "0.5",
                "1",
                "0",
                "0.3",
                "−0.7",
                "1.2",
                "[x > 0]",
                "∂L/∂y",
                "∂L/∂x",
            ],
            // the mask has two ones, the result two nonzeros: four highlighted cells
            &[("lg-cell lg-cell-nonzero", 4), ("lg-cell lg-cell-zero", 2)],
        ),
        (
            "relu-jacobian.svg",
            &["x1(1)", "x3(2)", "y2(1)", "−1.5", "−0.2"],
            &[("lg-block", 2)],
        ),
        (
            "bias-minibatch.svg",
            &[
                "[0.5, −1]",
                "[−1, 0.25]",
                "[2, 1]",
                "∂L/∂b = [1.5, 0.25]",
                "+ Wx(2)",
            ],
            &[("lg-node lg-node-op", 3), ("lg-edge", 6)],
        ),
        (
            "weight-outer-product.svg",
            &[
                "1",
                "0.5",
                "−0.5",
                "−2",
                "−1",
                "0.5 · 2",
                "−1 · (−1)",
                "x⊤",
                "∂L/∂W = ∂L/∂y x⊤",
            ],
            &[],
        ),
    ];
    for (name, shown, classes) in must {
        let svg = figure(name);
        for v in *shown {
            assert!(has_text(svg, v), "{name}: no text {v}");
        }
        let doc = parse(name, svg);
        for (class, count) in *classes {
            let n = doc
                .descendants()
                .filter(|n| n.attribute("class") == Some(class))
                .count();
            assert_eq!(n, *count, "{name}: elements of class \"{class}\"");
        }
    }
    // The ReLU Jacobian: 36 cells, three ones on the diagonal, three zeros
    // beside them inside the blocks.
    let doc = parse("relu-jacobian.svg", figure("relu-jacobian.svg"));
    let cells = |c: &str| {
        doc.descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|k| k.split(' ').any(|k| k == c))
            })
            .count()
    };
    assert_eq!(
        (
            cells("lg-cell"),
            cells("lg-cell-nonzero"),
            cells("lg-cell-diag-off")
        ),
        (36, 3, 3)
    );
}

/// A phone's text column, in CSS px: the column of a 390 px window.
const PHONE_COLUMN: f64 = 350.0;

/// How far the stylesheet lets a figure shrink below its natural width
/// (the factor of `min-width: calc(var(--lg-natural-width) * …)` in
/// `theme/local-gradients.css`): as far as its 13-unit text stays 11 px.
fn narrowest_factor() -> f64 {
    let css = book_src().join("../theme/local-gradients.css");
    let css = std::fs::read_to_string(&css).unwrap();
    css.split("min-width: calc(var(--lg-natural-width) *")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|f| f.trim().parse().ok())
        .expect("theme/local-gradients.css: no figure min-width factor")
}

/// The figures too wide for a phone's column at any readable size, which
/// scroll sideways inside their own box there, on purpose: the sigmoid
/// neuron's graph (eight operations in a row), the bias shared by three
/// samples, the outer-product grid, im2col's two grids side by side and
/// the loss curve. Each must be too wide (else it belongs with the rest).
const SCROLLING_FIGURES: [&str; 5] = [
    "sigmoid-neuron.svg",
    "bias-minibatch.svg",
    "weight-outer-product.svg",
    "im2col.svg",
    "spiral-loss.svg",
];

/// The width, in CSS px, at which the stylesheet draws a figure in a
/// phone's column: no wider than the column, no narrower than `factor`
/// of its natural width (its `width` attribute, one unit per px).
fn shown_width(svg: &str, factor: f64) -> (f64, f64) {
    let doc = parse("figure", svg);
    let width: f64 = doc
        .root_element()
        .attribute("width")
        .unwrap()
        .parse()
        .unwrap();
    (width, (width * factor).max(width.min(PHONE_COLUMN)))
}

/// Every figure of the book fits a phone's column whole, with no sideways
/// scroll, at the narrowest the stylesheet draws it (0.85 of its natural
/// width, where its 13-unit text is 11 px), unless it is one of the
/// [`SCROLLING_FIGURES`]: the ReLU mask (396 units, 337 px) and Jacobian
/// (its legend broken into lines no wider than its grid), the fan-out
/// graph (its note on three lines), the region plot and the digits
/// figures. A new figure must fit too, or be listed there.
#[test]
fn figures_fit_a_phones_column_unless_they_must_scroll() {
    let factor = narrowest_factor();
    let mut problems = Vec::new();
    for (name, svg) in drawings() {
        let (width, shown) = shown_width(svg, factor);
        let scrolls = shown > PHONE_COLUMN;
        if SCROLLING_FIGURES.contains(&name) != scrolls {
            problems.push(if scrolls {
                format!("{name} is {width} units wide: at {factor} of that it is {shown:.0} px, wider than a phone's {PHONE_COLUMN} px column")
            } else {
                format!("{name} fits a phone's column ({width} units, {shown:.0} px): take it off SCROLLING_FIGURES")
            });
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A figure of 412 units is drawn at 350.2 px: too wide by a fraction.
    let svg = |w: f64| format!("<svg width=\"{w}\"/>");
    assert_eq!(shown_width(&svg(396.0), 0.85), (396.0, PHONE_COLUMN));
    assert!(shown_width(&svg(412.0), 0.85).1 > PHONE_COLUMN);
    assert_eq!(shown_width(&svg(300.0), 0.85).1, 300.0);
}

/// The figures a page includes, `{{#include figures/NAME.svg}}`, in order.
fn included_figures(page: &str) -> Vec<String> {
    page.split("{{#include figures/")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("}}").map(|(name, _)| name.to_string())
        })
        .collect()
}

/// The figure list is derived from the book: every figure is included
/// exactly once, by the chapter [`FIGURES`] names, and every included
/// figure is drawn.
#[test]
fn every_figure_is_included_once_by_its_chapter() {
    let mut included = Vec::new();
    for entry in std::fs::read_dir(book_src()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let page = path.file_name().unwrap().to_string_lossy().into_owned();
            for f in included_figures(&std::fs::read_to_string(&path).unwrap())
            {
                included.push((page.clone(), f));
            }
        }
    }
    included.sort();
    let mut drawn: Vec<(String, String)> = FIGURES
        .iter()
        .map(|f| (f.chapter.to_string(), f.file.to_string()))
        .collect();
    drawn.sort();
    assert_eq!(
        included, drawn,
        "(chapter, figure) pairs: included by the book vs drawn by backprop::figures::FIGURES"
    );
}

/// Every number written in a chapter (a hyphen or a minus sign counts as
/// a minus), as `f64`.
fn numbers_of(text: &str) -> Vec<f64> {
    let text = text.replace('\u{2212}', "-");
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = if i > 0 && chars[i - 1] == '-' {
                i - 1
            } else {
                i
            };
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (chars[j] == '.'
                        && chars
                            .get(j + 1)
                            .is_some_and(|d| d.is_ascii_digit())))
            {
                j += 1;
            }
            let s: String = chars[start..j].iter().collect();
            out.push(s.parse().unwrap());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `shown` (as the figure writes it, e.g. `-0.53`) is a number of
/// the chapter rounded to the figure's decimals (`-0.5344` → `-0.53`).
fn stated(shown: &str, chapter: &[f64]) -> bool {
    let decimals = shown.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let value: f64 = shown.parse().unwrap();
    let scale = 10f64.powi(decimals);
    chapter
        .iter()
        .any(|c| ((c * scale).round() - value * scale).abs() < 1e-6)
}

/// The problems of one figure: numbers it shows that its chapter never
/// states.
fn unstated_numbers(figure: &str, svg: &str, chapter: &str) -> Vec<String> {
    let known = numbers_of(chapter);
    let mut problems = Vec::new();
    for (text, numbers) in figure_numbers(svg) {
        for n in numbers {
            if !stated(&n, &known) {
                problems.push(format!("{figure}: the figure shows {n} (in \"{text}\"), which its chapter never states"));
            }
        }
    }
    problems
}

#[test]
fn every_number_in_a_figure_is_stated_by_its_chapter() {
    let mut problems = Vec::new();
    for f in FIGURES {
        problems.extend(unstated_numbers(
            f.file,
            &(f.draw)(),
            &chapter(f.chapter),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_figure_number_the_chapter_does_not_state_is_named() {
    let svg = "<svg>\n<text x=\"1\" class=\"lg-grad\">[0.5, \u{2212}1.25]</text>\n</svg>";
    assert!(unstated_numbers(
        "x.svg",
        svg,
        "the gradient is [0.5, -1.25] here"
    )
    .is_empty());
    assert!(unstated_numbers(
        "x.svg",
        svg,
        "the gradient is [0.5, -1.249] here"
    )
    .is_empty());
    let problems =
        unstated_numbers("x.svg", svg, "the gradient is [0.5, 1.25] here");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("shows -1.25"), "{}", problems[0]);
}

/// One row of the chapter's table of the sigmoid neuron's nodes:
/// `| 7 | `*` | \(w_0 = 2,\ x_0 = -1\) | \(-2\) |`.
#[derive(Debug)]
struct Row {
    number: usize,
    op: String,
    input_names: Vec<String>,
    value: f64,
}

fn node_table(page: &str) -> Vec<Row> {
    page.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            if cells.len() != 4 {
                return None;
            }
            let number = cells[0].parse().ok()?;
            let op = cells[1].split('`').nth(1)?.to_string();
            // the names w_0 … x_1 in the inputs column, in their order there
            let names: Vec<String> = ["w_0", "x_0", "w_1", "x_1", "w_2"]
                .iter()
                .filter_map(|n| {
                    cells[2].find(n).map(|at| (at, n.replace('_', "")))
                })
                .collect::<std::collections::BTreeMap<_, _>>()
                .into_values()
                .collect();
            let value = *numbers_of(cells[3]).last()?;
            Some(Row {
                number,
                op,
                input_names: names,
                value,
            })
        })
        .collect()
}

/// The figure numbers the sigmoid neuron's nodes with
/// `SigmoidNeuronGraph::steps` (a unit test in the crate checks the badges
/// against it); here that list is checked against the chapter's table and
/// against the `// node k` comments of its listing.
#[test]
fn the_sigmoid_figures_numbering_is_the_chapters() {
    let page = chapter("computational-graphs.md");
    let rows = node_table(&page);
    let neuron = sigmoid_neuron_graph(SIGMOID_W, SIGMOID_X);
    let g = &neuron.graph;
    let steps = neuron.steps();
    assert_eq!(
        rows.len(),
        steps.len(),
        "the chapter's table has {} node rows: {rows:?}",
        rows.len()
    );
    for row in &rows {
        let v = steps[row.number - 1];
        let node = g.node(v);
        assert_eq!(
            row.op, node.label,
            "node {}: the table says {}, the figure's node is {}",
            row.number, row.op, node.label
        );
        assert!(
            (g.value(v) - row.value).abs() < 5e-4,
            "node {}: the table says it produces {}, the figure's node produces {}",
            row.number,
            row.value,
            g.value(v)
        );
        let inputs: Vec<String> = node
            .inputs
            .iter()
            .map(|&i| g.node(i).label.clone())
            .filter(|l| l.starts_with('w') || l.starts_with('x'))
            .collect();
        assert_eq!(
            row.input_names, inputs,
            "node {}: inputs named in the table vs in the figure",
            row.number
        );
    }
    // The listing's comments: `let p0 = g.mul(w0, x0); // node 7`, in the
    // crate's sigmoid_neuron_graph, which the chapter includes.
    let include = "{{#include ../chapters-code/src/scalar.rs:sigmoid_neuron}}";
    assert!(
        page.contains(include),
        "the chapter no longer shows {include}"
    );
    let source = std::fs::read_to_string(
        book_src().join("../chapters-code/src/scalar.rs"),
    )
    .unwrap();
    let (_, region) = source.split_once("// ANCHOR: sigmoid_neuron\n").unwrap();
    let (region, _) =
        region.split_once("// ANCHOR_END: sigmoid_neuron").unwrap();
    let named = [
        ("p0", neuron.p0),
        ("p1", neuron.p1),
        ("s", neuron.s),
        ("z", neuron.z),
        ("n", neuron.n),
        ("e", neuron.e),
        ("d", neuron.d),
        ("out", neuron.out),
    ];
    let mut seen = 0;
    for line in page.lines().chain(region.lines()).map(str::trim_start) {
        let Some((code, comment)) = line.split_once("// node ") else {
            continue;
        };
        let Some(name) =
            code.strip_prefix("let ").and_then(|c| c.split(' ').next())
        else {
            continue;
        };
        let Ok(k) = comment.trim().parse::<usize>() else {
            continue;
        };
        let v = named.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(steps[k - 1], v, "the listing calls {name} node {k}");
        seen += 1;
    }
    assert_eq!(seen, 8, "the listing should number all eight nodes");
}

/// An axis-aligned box in the figure's user units.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Box2 {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Box2 {
    /// The gap between two boxes (0 when they touch or overlap), and
    /// whether they overlap.
    fn gap(&self, o: &Box2) -> f64 {
        let dx = (o.left - self.right).max(self.left - o.right).max(0.0);
        let dy = (o.top - self.bottom).max(self.top - o.bottom).max(0.0);
        dx.hypot(dy)
    }
    fn corners(&self) -> [(f64, f64); 4] {
        [
            (self.left, self.top),
            (self.right, self.top),
            (self.left, self.bottom),
            (self.right, self.bottom),
        ]
    }
}

/// A figure text's ink box, estimated from its font size and characters
/// (an SVG file has no font metrics): [`text_width`] wide (the book's
/// font, Open Sans, at 14 px, scaled to the text's size), from [`ASCENT`]
/// em above the baseline to [`descent`] em below it. Reads `text-anchor`, a `dy` in `em` or `ex` (plotters
/// writes them) and a `rotate(a, x, y)` by a multiple of 90°.
fn text_box(node: Node, text: &str) -> Box2 {
    let num = |a: &str| -> f64 {
        node.attribute(a)
            .unwrap_or_else(|| panic!("text \"{text}\" has no {a}"))
            .parse()
            .unwrap_or_else(|e| panic!("text \"{text}\": {a}: {e}"))
    };
    let (x, mut y, size) = (num("x"), num("y"), num("font-size"));
    if let Some(dy) = node.attribute("dy") {
        let (v, unit) = dy.split_at(dy.len() - 2);
        let v: f64 = v.parse().unwrap();
        y += match unit {
            "em" => v * size,
            "ex" => v * size / 2.0,
            _ => panic!("text \"{text}\": dy {dy}"),
        };
    }
    // A formula's spaces are room (`dx`) before a piece, not characters.
    let room: f64 = node
        .descendants()
        .filter(|d| d.has_attribute("dx") && !d.has_attribute("baseline-shift"))
        .map(|d| d.attribute("dx").unwrap().parse::<f64>().unwrap())
        .sum();
    let w = text_width(text) * size / 14.0 + room;
    let left = match node.attribute("text-anchor") {
        Some("middle") => x - w / 2.0,
        Some("end") => x - w,
        _ => x,
    };
    let mut b = Box2 {
        left,
        top: y - ASCENT * size,
        right: left + w,
        bottom: y + descent(&without_indices(node)) * size,
    };
    // A formula is set larger than the text around it (in a math font
    // whose capitals and ∂ reach 0.72 em).
    for formula in node.descendants().filter(|d| is_math(*d)) {
        b.top = b.top.min(y - 0.72 * size_of(formula));
    }
    // An index reaches as high, or as low, as its shift and its own size
    // take it.
    for index in node
        .descendants()
        .filter(|d| d.has_attribute("baseline-shift"))
    {
        let shift = index.attribute("baseline-shift").unwrap();
        let em: f64 = shift
            .strip_suffix("em")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                panic!("text \"{text}\": baseline-shift {shift}")
            });
        let small: f64 = index
            .attribute("font-size")
            .map_or(size, |v| v.parse().unwrap());
        let words: String =
            index.descendants().filter_map(|d| d.text()).collect();
        let base = y - em * small;
        b.top = b.top.min(base - ASCENT * small);
        b.bottom = b.bottom.max(base + descent(&words) * small);
    }
    let Some(t) = node.attribute("transform") else {
        return b;
    };
    let args: Vec<f64> = t
        .strip_prefix("rotate(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or_else(|| panic!("text \"{text}\": transform {t}"))
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let (a, cx, cy) = (args[0].to_radians(), args[1], args[2]);
    let turn = |(px, py): (f64, f64)| {
        let (dx, dy) = (px - cx, py - cy);
        (
            cx + dx * a.cos() - dy * a.sin(),
            cy + dx * a.sin() + dy * a.cos(),
        )
    };
    let c = b.corners().map(turn);
    let (xs, ys) = (c.map(|p| p.0), c.map(|p| p.1));
    Box2 {
        left: xs.iter().copied().fold(f64::INFINITY, f64::min),
        top: ys.iter().copied().fold(f64::INFINITY, f64::min),
        right: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        bottom: ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// A node of a graph figure (a shape of class `lg-node` or `lg-badge`):
/// every point within `radius` of the box `core`. A circle is its centre
/// and radius, a rounded rectangle its rectangle shrunk by the corner
/// radius and that radius; half the outline's stroke (1.5 units, the
/// stylesheet's) is added to the radius.
#[derive(Clone, Copy, Debug)]
struct Outline {
    core: Box2,
    radius: f64,
}

const STROKE: f64 = 1.5;

impl Outline {
    /// The distance from a point outside the node to its outline (negative
    /// inside: minus the distance to the outline, at most the radius).
    fn distance(&self, (x, y): (f64, f64)) -> f64 {
        let p = Box2 {
            left: x,
            top: y,
            right: x,
            bottom: y,
        };
        p.gap(&self.core) - self.radius
    }
}

/// The nodes and badges of a figure, each with its description.
fn outlines(doc: &Document) -> Vec<(Outline, String)> {
    let mut out = Vec::new();
    for n in doc.descendants() {
        let Some(class) = n.attribute("class") else {
            continue;
        };
        if !class.split(' ').any(|c| c == "lg-node" || c == "lg-badge") {
            continue;
        }
        let num = |a: &str| -> f64 {
            n.attribute(a).map_or(0.0, |v| v.parse().unwrap())
        };
        let outline = match n.tag_name().name() {
            "circle" => {
                let (cx, cy) = (num("cx"), num("cy"));
                Outline {
                    core: Box2 {
                        left: cx,
                        top: cy,
                        right: cx,
                        bottom: cy,
                    },
                    radius: num("r") + STROKE / 2.0,
                }
            }
            "rect" => {
                let (x, y, w, h) =
                    (num("x"), num("y"), num("width"), num("height"));
                let r = num("rx").min(w / 2.0).min(h / 2.0);
                Outline {
                    core: Box2 {
                        left: x + r,
                        top: y + r,
                        right: x + w - r,
                        bottom: y + h - r,
                    },
                    radius: r + STROKE / 2.0,
                }
            }
            other => panic!("a node drawn as <{other}>"),
        };
        let (cx, cy) = (
            (outline.core.left + outline.core.right) / 2.0,
            (outline.core.top + outline.core.bottom) / 2.0,
        );
        out.push((outline, format!("{class} at ({cx:.0}, {cy:.0})")));
    }
    out
}

/// How close a label may come to another label (their ink boxes), and to
/// the outline of a node, in user units (pixels at natural size).
const LABEL_GAP: f64 = 2.0;
const NODE_GAP: f64 = 4.0;

/// Labels too close to each other or to a node, one message each. A text
/// whose middle is inside a node (its name, or a badge's number) must fit
/// inside the last-drawn such node, [`NODE_GAP`] from its outline, and is
/// not checked against the nodes under that one; every other text, and
/// every node drawn over the text's own, must keep [`NODE_GAP`] apart. Two texts must keep [`LABEL_GAP`]. On an
/// edge, the value above and the gradient below belong together: the
/// labels of another edge must be farther from each than they are from
/// each other, so that no label can be read as another edge's.
fn crowded_labels(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let nodes = outlines(&doc);
    let labels: Vec<(Node, String, Box2)> = texts(&doc)
        .into_iter()
        .map(|(n, t)| {
            let b = text_box(n, &t);
            (n, t, b)
        })
        .collect();
    let name = |t: &str, b: &Box2| {
        format!("\"{t}\" at ({:.0}, {:.0})", b.left, b.bottom)
    };
    let mut problems = Vec::new();
    for (_, t, b) in &labels {
        let middle = ((b.left + b.right) / 2.0, (b.top + b.bottom) / 2.0);
        let home = nodes.iter().rposition(|(o, _)| o.distance(middle) < 0.0);
        for (i, (o, what)) in nodes.iter().enumerate() {
            match home {
                Some(h) if h == i => {
                    let worst = b
                        .corners()
                        .map(|c| -o.distance(c))
                        .into_iter()
                        .fold(f64::INFINITY, f64::min);
                    if worst < NODE_GAP {
                        problems.push(format!(
                            "{} comes {worst:.1} from the outline of its node, {what} (at least {NODE_GAP})",
                            name(t, b)
                        ));
                    }
                }
                // A node under the text's own node is hidden there.
                Some(h) if i < h => {}
                _ => {
                    let gap = b.gap(&o.core) - o.radius;
                    if gap < NODE_GAP {
                        problems.push(format!(
                            "{} comes {gap:.1} from the node {what} (at least {NODE_GAP})",
                            name(t, b)
                        ));
                    }
                }
            }
        }
    }
    for (i, (_, t, b)) in labels.iter().enumerate() {
        for (_, u, c) in &labels[i + 1..] {
            let gap = b.gap(c);
            if gap < LABEL_GAP {
                problems.push(format!(
                    "{} and {} are {gap:.1} apart (at least {LABEL_GAP})",
                    name(t, b),
                    name(u, c)
                ));
            }
        }
    }
    // Each edge's value and gradient: a value label followed by the
    // gradient label at the same x.
    let is = |n: &Node, c: &str| {
        n.attribute("class")
            .is_some_and(|k| k.split(' ').any(|k| k == c))
    };
    let edge_labels: Vec<&(Node, String, Box2)> = labels
        .iter()
        .filter(|(n, _, _)| is(n, "lg-edge-label"))
        .collect();
    let pairs: Vec<(usize, usize)> = edge_labels
        .windows(2)
        .enumerate()
        .filter(|(_, w)| {
            is(&w[0].0, "lg-value")
                && is(&w[1].0, "lg-grad")
                && w[0].0.attribute("x") == w[1].0.attribute("x")
        })
        .map(|(k, _)| (k, k + 1))
        .collect();
    for &(v, g) in &pairs {
        let own = edge_labels[v].2.gap(&edge_labels[g].2);
        for (k, (_, u, c)) in
            edge_labels.iter().map(|l| (&l.0, &l.1, &l.2)).enumerate()
        {
            if k == v || k == g {
                continue;
            }
            for mine in [v, g] {
                let (_, t, b) = edge_labels[mine];
                let gap = b.gap(c);
                if gap <= own {
                    problems.push(format!(
                        "{} is {gap:.1} from {}, another edge's label, but only {own:.1} from its own edge's other label: the labels cannot be told apart",
                        name(t, b),
                        name(u, c)
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn no_label_crowds_another_label_or_a_node() {
    let mut problems = Vec::new();
    for (name, svg) in drawings() {
        problems.extend(
            crowded_labels(svg)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(
        problems.is_empty(),
        "labels too close:\n  {}",
        problems.join("\n  ")
    );
}

/// How close a label may come to an arrowhead, in user units.
const ARROW_GAP: f64 = 3.0;

/// The box around every arrowhead of a figure: the marker at the end of
/// each `lg-edge` path (its `<path>` in the marker's `viewBox`, placed by
/// `refX`/`refY`, scaled by `markerWidth` and the edge's stroke width,
/// turned along the edge's last piece).
fn arrowheads(doc: &Document) -> Vec<Box2> {
    let Some(marker) = doc.descendants().find(|n| n.has_tag_name("marker"))
    else {
        return Vec::new();
    };
    let num =
        |n: Node, a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    let view: Vec<f64> = marker
        .attribute("viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let (rx, ry) = (num(marker, "refX"), num(marker, "refY"));
    let shape: Vec<f64> = marker
        .descendants()
        .find(|n| n.has_tag_name("path"))
        .unwrap()
        .attribute("d")
        .unwrap()
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|s| !s.is_empty())
        .map(|v| v.parse().unwrap())
        .collect();
    let mut out = Vec::new();
    for edge in doc.descendants().filter(|n| {
        n.attribute("class") == Some("lg-edge") && n.has_attribute("marker-end")
    }) {
        let scale =
            num(marker, "markerWidth") / view[2] * num(edge, "stroke-width");
        let d: Vec<f64> = edge
            .attribute("d")
            .unwrap()
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| !s.is_empty())
            .map(|v| v.parse().unwrap())
            .collect();
        let [px, py, ex, ey] = d[d.len() - 4..] else {
            unreachable!()
        };
        let len = (ex - px).hypot(ey - py);
        let (ux, uy) = ((ex - px) / len, (ey - py) / len);
        let corners: Vec<(f64, f64)> = shape
            .chunks(2)
            .map(|p| {
                let (a, b) = ((p[0] - rx) * scale, (p[1] - ry) * scale);
                (ex + a * ux - b * uy, ey + a * uy + b * ux)
            })
            .collect();
        let xs = corners.iter().map(|c| c.0);
        let ys = corners.iter().map(|c| c.1);
        out.push(Box2 {
            left: xs.clone().fold(f64::INFINITY, f64::min),
            top: ys.clone().fold(f64::INFINITY, f64::min),
            right: xs.fold(f64::NEG_INFINITY, f64::max),
            bottom: ys.fold(f64::NEG_INFINITY, f64::max),
        });
    }
    out
}

/// Labels that come closer than [`ARROW_GAP`] to an arrowhead.
fn labels_at_arrowheads(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let heads = arrowheads(&doc);
    let mut problems = Vec::new();
    for (n, t) in texts(&doc) {
        let b = text_box(n, &t);
        for h in &heads {
            let gap = b.gap(h);
            if gap < ARROW_GAP {
                problems.push(format!(
                    "\"{t}\" at ({:.0}, {:.0}) comes {gap:.1} from the arrowhead at ({:.0}, {:.0}) (at least {ARROW_GAP})",
                    b.left, b.bottom, h.right, h.bottom
                ));
            }
        }
    }
    problems
}

#[test]
fn no_label_touches_an_arrowhead() {
    let mut problems = Vec::new();
    for (name, svg) in all() {
        let found = labels_at_arrowheads(svg);
        problems.extend(found.into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(
        problems.is_empty(),
        "labels at arrowheads:\n  {}",
        problems.join("\n  ")
    );
    // Every graph figure has its arrowheads found, one per edge.
    let doc = parse("sigmoid-neuron.svg", figure("sigmoid-neuron.svg"));
    assert_eq!(arrowheads(&doc).len(), 13);
    // A label just past an arrow's tip is found; one farther on is not.
    let svg = |x: f64| {
        format!(
            "<svg>\n<defs><marker id=\"a\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\"><path d=\"M0,1 L10,5 L0,9 z\"/></marker></defs>\n<path d=\"M0 20 L100 20\" class=\"lg-edge\" stroke-width=\"1.5\" marker-end=\"url(#a)\"/>\n<text x=\"{x}\" y=\"25\" font-size=\"14\">out</text>\n</svg>"
        )
    };
    assert_eq!(labels_at_arrowheads(&svg(102.0)).len(), 1);
    assert!(labels_at_arrowheads(&svg(106.0)).is_empty());
}

/// The words of every text a figure shows or says: its texts, its title
/// and its description.
fn words(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let alt = ["title", "desc"].map(|tag| {
        let n = doc.descendants().find(|n| n.has_tag_name(tag));
        n.and_then(|n| n.text()).unwrap_or_default().to_string()
    });
    texts(&doc).into_iter().map(|(_, t)| t).chain(alt).collect()
}

#[test]
fn figures_and_captions_use_typographers_apostrophes() {
    for (name, svg) in drawings() {
        for t in words(svg) {
            assert!(
                !t.contains('\''),
                "{name}: \"{t}\" has a straight apostrophe (write ’)"
            );
        }
    }
    for (page, name, caption) in captions() {
        assert!(
            !caption.contains('\''),
            "{page}: the caption of {name} has a straight apostrophe (write ’): {caption}"
        );
    }
}

/// Symbols set differently from the pages' mathematics, in one figure
/// text: an index written on the line (`w0`) or in Unicode sub- and
/// superscript characters (`x₁⁽¹⁾`, `xᵀ`) instead of as a `<tspan>`
/// index, an asterisk for a product, or a single-letter variable set
/// upright.
fn unlike_the_page(text: Node) -> Vec<String> {
    let mut problems = Vec::new();
    let words = without_indices(text);
    let chars: Vec<char> = words.chars().collect();
    let letter = |i: usize| {
        chars
            .get(i)
            .is_some_and(|&c| plain_letter(c).is_ascii_alphabetic())
    };
    for (i, &c) in chars.iter().enumerate() {
        if "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁽⁾ᵀ".contains(c) {
            problems.push(format!(
                "\"{words}\" writes the index {c} as a character"
            ));
        }
        if c == '*' {
            problems.push(format!("\"{words}\" writes a product as *"));
        }
        let alone = letter(i) && !letter(i + 1) && (i == 0 || !letter(i - 1));
        if alone && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
            problems
                .push(format!("\"{words}\" writes an index on the line: {c}"));
        }
    }
    // A single letter between non-letters that is not a mathematical
    // italic letter (`𝑥`, as the pages' MathML draws a variable) is a
    // variable set upright, or slanted by the browser ("a" and "I" are
    // words, not variables).
    for d in text.descendants().filter(|d| d.is_text()) {
        let t: Vec<char> = d.text().unwrap_or_default().chars().collect();
        let letter = |i: usize| t.get(i).is_some_and(|c| c.is_alphabetic());
        for (i, &c) in t.iter().enumerate() {
            let alone =
                letter(i) && !letter(i + 1) && (i == 0 || !letter(i - 1));
            // A unit after a number (`1 s`) is upright.
            let unit = i >= 2 && t[i - 1] == ' ' && t[i - 2].is_ascii_digit();
            let math_italic = plain_letter(c) != c;
            if alone && !unit && !math_italic && !"aAI".contains(c) {
                problems
                    .push(format!("\"{words}\" sets the variable {c} upright"));
            }
        }
    }
    problems
}

#[test]
fn figures_set_symbols_as_the_pages_do() {
    let mut problems = Vec::new();
    for (name, svg) in drawings() {
        let doc = parse(name, svg);
        for (n, _) in texts(&doc) {
            problems.extend(
                unlike_the_page(n)
                    .into_iter()
                    .map(|p| format!("{name}: {p}")),
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let doc = |t: &str| format!("<svg><text>{t}</text></svg>");
    for bad in [
        "w0",
        "x₁⁽¹⁾",
        "∂L/∂y xᵀ",
        "*",
        "1/x",
        "<tspan font-style=\"italic\">w</tspan>",
        "𝑤0",
    ] {
        let d = doc(bad);
        let d = parse("test", &d);
        let t = d.descendants().find(|n| n.has_tag_name("text")).unwrap();
        assert!(!unlike_the_page(t).is_empty(), "{bad} is not found");
    }
    let good =
        "𝑤<tspan baseline-shift=\"-0.35em\">0</tspan> = 2, im2col, a value";
    let d = doc(good);
    let d = parse("test", &d);
    let t = d.descendants().find(|n| n.has_tag_name("text")).unwrap();
    assert_eq!(unlike_the_page(t), Vec::<String>::new());
}

/// Every drawing names the figures' font, the book's body font, once, on
/// its `<svg>`; only a formula (a `<tspan class="lg-math">`) names
/// another, the pages' math font ([`math_problems`]).
#[test]
fn figures_speak_in_the_pages_font() {
    for (name, svg) in drawings() {
        let doc = parse(name, svg);
        assert_eq!(
            doc.root_element().attribute("font-family"),
            Some(FONT),
            "{name}: the <svg>'s font"
        );
        for n in doc.root_element().descendants().skip(1) {
            assert!(
                !n.has_attribute("font-family") || is_math(n),
                "{name}: <{}> names its own font, {:?}",
                n.tag_name().name(),
                n.attribute("font-family")
            );
        }
    }
}

/// Whether an element has the class `c`.
fn has_class(n: Node, c: &str) -> bool {
    n.attribute("class")
        .is_some_and(|k| k.split(' ').any(|k| k == c))
}

/// A rule of the stylesheet that sets the weight of figure text: its
/// selector after the figures' class `.lg-svg` (compound selectors in
/// descendant order, each a tag name or none and its classes), its
/// specificity (classes, tags) and the weight it sets.
#[derive(Clone, Debug)]
struct WeightRule {
    compounds: Vec<(Option<String>, Vec<String>)>,
    specificity: (usize, usize),
    weight: u32,
}

/// A `font-weight` value as a number (`normal` 400, `bold` 700).
fn weight_value(v: &str) -> u32 {
    let v = v.trim().trim_end_matches("!important").trim();
    match v {
        "normal" => 400,
        "bold" => 700,
        _ => v.parse().unwrap_or_else(|_| {
            panic!("font-weight {v}: teach weight_value this value")
        }),
    }
}

/// The style rules of a stylesheet, `(selectors, declarations)`, in
/// source order, those inside `@media` and `@supports` included (as if
/// every condition held: a figure must read right on screen and paper).
fn style_rules(css: &str) -> Vec<(String, String)> {
    fn collect(css: &str, out: &mut Vec<(String, String)>) {
        let mut rest = css;
        while let Some(open) = rest.find('{') {
            let prelude = rest[..open].rsplit([';', '}']).next().unwrap();
            let prelude = prelude.trim();
            let mut depth = 0;
            let close = rest[open..]
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(i, _)| open + i)
                .expect("the stylesheet's braces do not balance");
            let body = &rest[open + 1..close];
            if prelude.starts_with("@media") || prelude.starts_with("@supports")
            {
                collect(body, out);
            } else if !prelude.starts_with('@') {
                out.push((prelude.to_string(), body.to_string()));
            }
            rest = &rest[close + 1..];
        }
    }
    let mut plain = String::new();
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        plain.push_str(&rest[..i]);
        rest = rest[i..].split_once("*/").map_or("", |(_, r)| r);
    }
    plain.push_str(rest);
    let mut out = Vec::new();
    collect(&plain, &mut out);
    out
}

/// The rules of a stylesheet that set `font-weight` inside a figure (a
/// selector that starts with `.lg-svg`, the class of every figure's
/// `<svg>`), in source order. A selector this reader cannot match (a
/// combinator other than a space, a pseudo-class) fails loudly.
fn weight_rules(css: &str) -> Vec<WeightRule> {
    let mut out = Vec::new();
    for (selectors, body) in style_rules(css) {
        let Some(weight) = body
            .split(';')
            .filter_map(|d| d.split_once(':'))
            .find(|(p, _)| p.trim() == "font-weight")
            .map(|(_, v)| weight_value(v))
        else {
            continue;
        };
        for selector in selectors.split(',') {
            let mut parts = selector.split_whitespace();
            if parts.next() != Some(".lg-svg") {
                continue;
            }
            let compounds: Vec<(Option<String>, Vec<String>)> = parts
                .map(|c| {
                    assert!(
                        c.chars().all(
                            |ch| ch.is_alphanumeric() || "-_.".contains(ch)
                        ),
                        "{selector}: teach weight_rules this selector"
                    );
                    let mut it = c.split('.');
                    let tag = it.next().filter(|t| !t.is_empty());
                    (tag.map(String::from), it.map(String::from).collect())
                })
                .collect();
            let classes: usize = compounds.iter().map(|c| c.1.len()).sum();
            let tags = compounds.iter().filter(|c| c.0.is_some()).count();
            out.push(WeightRule {
                compounds,
                specificity: (classes + 1, tags),
                weight,
            });
        }
    }
    out
}

/// Whether an element matches a compound selector.
fn matches_compound(
    n: Node,
    (tag, classes): &(Option<String>, Vec<String>),
) -> bool {
    n.is_element()
        && tag.as_deref().is_none_or(|t| n.tag_name().name() == t)
        && classes.iter().all(|c| has_class(n, c))
}

/// Whether a rule selects an element of a figure (whose `<svg>` has the
/// class `lg-svg`).
fn rule_selects(rule: &WeightRule, n: Node) -> bool {
    let Some((last, before)) = rule.compounds.split_last() else {
        // `.lg-svg` alone: the figure's `<svg>`.
        return has_class(n, "lg-svg");
    };
    if !matches_compound(n, last) {
        return false;
    }
    let mut up = n.ancestors().skip(1).filter(|a| a.is_element());
    let outer = before
        .iter()
        .rev()
        .all(|c| up.any(|a| matches_compound(a, c)));
    outer && up.any(|a| has_class(a, "lg-svg"))
}

/// The weight a text is drawn in on the page: the weight of the nearest
/// element, from the text up, that a rule selects (the most specific
/// rule, the last of equals) or that sets `font-weight` itself (a
/// presentation attribute, which any rule overrides); 400, the page's,
/// if none does.
fn weight_on_page(text: Node, rules: &[WeightRule]) -> u32 {
    for e in text.ancestors().filter(|a| a.is_element()) {
        let best = rules
            .iter()
            .filter(|r| rule_selects(r, e))
            .max_by_key(|r| r.specificity);
        if let Some(r) = best {
            return r.weight;
        }
        if let Some(w) = e.attribute("font-weight") {
            return weight_value(w);
        }
    }
    400
}

/// Whether a piece of figure text is mathematics: in a formula, the name
/// of a graph's node (a variable or an operation: `out` is one), or a
/// value (a digit, a bracket, a variable in mathematical italics, `∂`).
fn math_like(text: Node) -> bool {
    let t = text.text().unwrap_or_default();
    text.ancestors()
        .any(|a| is_math(a) || has_class(a, "lg-node-label"))
        || t.chars().any(|c| {
            c.is_ascii_digit() || "()[]{}∂⊤".contains(c) || plain_letter(c) != c
        })
}

/// Mathematics drawn in another weight than regular, in one figure, with
/// the stylesheet's `rules`: the pages set their mathematics in one
/// regular weight, and a figure does too. Only the step
/// numbers on a graph's badges (class `lg-badge-text`) are bold, on
/// purpose: they count the steps of the backward pass rather than state
/// a value, and are drawn in the page's colour on a small filled disc,
/// where a regular numeral would be too thin to read. (Words in bold,
/// like the legend's "value" and "gradient", are no mathematics.)
fn weight_problems(svg: &str, rules: &[WeightRule]) -> Vec<String> {
    let doc = parse("figure", svg);
    doc.descendants()
        .filter(|n| n.is_text() && n.ancestors().any(|a| a.has_tag_name("text")))
        .filter(|n| !n.text().unwrap_or_default().trim().is_empty())
        .filter(|&n| math_like(n))
        .filter(|n| !n.ancestors().any(|a| has_class(a, "lg-badge-text")))
        .filter_map(|n| {
            let w = weight_on_page(n, rules);
            (w != 400).then(|| {
                let line = n.ancestors().find(|a| a.has_tag_name("text"));
                format!(
                    "\"{}\" (in a <text class=\"{}\">) is set at weight {w}, not the regular 400",
                    n.text().unwrap_or_default(),
                    line.and_then(|l| l.attribute("class")).unwrap_or_default()
                )
            })
        })
        .collect()
}

/// No figure sets mathematics (a formula, a value, a node's name) bold or
/// semibold on the page: the weights are the stylesheet's
/// (`theme/local-gradients.css`), as the page draws the inlined figure.
#[test]
fn figures_set_their_mathematics_in_the_regular_weight() {
    let css = book_src().join("../theme/local-gradients.css");
    let rules = weight_rules(&std::fs::read_to_string(&css).unwrap());
    assert!(!rules.is_empty(), "no figure weights in {}", css.display());
    let mut problems = Vec::new();
    for (name, svg) in drawings() {
        problems.extend(
            weight_problems(svg, &rules)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The reader of weights, on a stylesheet of its own.
    let rules = weight_rules(
        "/* a */ .lg-svg .lg-note, .lg-svg .lg-out { font-weight: 600; }\n\
         @media screen { .lg-svg .lg-legend tspan.lg-grad { font-weight: bold } }\n\
         .lg-svg .lg-badge-text { fill: red; font-weight: 700 }\n\
         p .lg-note { font-weight: 300 }\n\
         .lg-svg { font-weight: normal }",
    );
    assert_eq!(rules.len(), 5, "{rules:?}");
    let math = format!(
        "<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\">∂𝐿/∂𝑏</tspan>"
    );
    let doc = |t: &str| format!("<svg class=\"lg-svg\">{t}</svg>");
    for (bad, why) in [
        (
            format!("<text class=\"lg-note\">{math} [1.5, 0.25]</text>"),
            "[1.5, 0.25]",
        ),
        (
            "<text class=\"lg-node-label lg-out\">out</text>".into(),
            "\"out\"",
        ),
        (
            format!(
                "<text class=\"lg-legend\">a {}</text>",
                math.replace("∂𝐿/∂𝑏", "<tspan class=\"lg-grad\">𝑥</tspan>")
            ),
            "\"𝑥\"",
        ),
        ("<text font-weight=\"bold\">2</text>".into(), "\"2\""),
    ] {
        let found = weight_problems(&doc(&bad), &rules);
        assert!(
            found.len() == 1 && found[0].contains(why),
            "{bad}: {found:?}"
        );
    }
    let good = [
        format!("<text class=\"lg-note\">{math}</text>"),
        "<text class=\"lg-legend\"><tspan class=\"lg-grad\">gradient</tspan>: back</text>".into(),
        "<text class=\"lg-badge-text\">7</text>".into(),
        "<text class=\"lg-value\">[0.5, −1]</text>".into(),
    ];
    for ok in good {
        assert_eq!(
            weight_problems(&doc(&ok), &rules),
            Vec::<String>::new(),
            "{ok}"
        );
    }
}

/// The names of a graph's nodes (class `lg-node-label`) that are not set
/// whole in a formula, each with the words outside it; and how many
/// names there are.
fn names_outside_formulas(svg: &str) -> (Vec<(String, String)>, usize) {
    let doc = parse("figure", svg);
    let names: Vec<(Node, String)> = texts(&doc)
        .into_iter()
        .filter(|(n, _)| has_class(*n, "lg-node-label"))
        .collect();
    let outside = names
        .iter()
        .map(|(n, text)| {
            let words: String = n
                .descendants()
                .filter(|d| d.is_text() && !d.ancestors().any(is_math))
                .filter_map(|d| d.text())
                .collect();
            (text.clone(), words)
        })
        .filter(|(_, words)| !words.trim().is_empty())
        .collect();
    (outside, names.len())
}

/// Every node of a graph is named as the page names it, in a formula in
/// the pages' math font ([`math_problems`] checks the formula's font and
/// weight): a variable in italics (`𝑤₀`), an operation (`exp`, `+`), and
/// the sigmoid neuron's output, `\text{out}` on the page, upright, as in
/// the introduction's table of symbols; never in the figure's sans-serif
/// font, where a name reads as a word (and an output's, semibold).
#[test]
fn every_node_is_named_in_the_math_font() {
    let mut problems = Vec::new();
    let mut names = 0;
    for (name, svg) in drawings() {
        let (outside, count) = names_outside_formulas(svg);
        names += count;
        problems.extend(outside.into_iter().map(|(text, words)| {
            format!("{name}: the node \"{text}\" is named in the figure's font ({FONT}), not in a formula: \"{words}\"")
        }));
    }
    assert!(names > 20, "only {names} node names found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let svg = figure("sigmoid-neuron.svg");
    let doc = parse("sigmoid-neuron.svg", svg);
    let out = texts(&doc)
        .into_iter()
        .find(|(n, _)| has_class(*n, "lg-node-output"))
        .expect("sigmoid-neuron.svg has no output node");
    assert_eq!(out.1, "out", "the output is \\text{{out}}, upright");
    // The output as it was drawn, in bold sans, and a name half in a
    // formula.
    let math = |t: &str| {
        format!("<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\">{t}</tspan>")
    };
    let doc = |t: &str| {
        format!("<svg><text class=\"lg-node-label lg-node-output\">{t}</text></svg>")
    };
    let bad = [("out", "out"), (&format!("{} + 1", math("𝑥")), " + 1")];
    for (t, words) in bad {
        let (outside, _) = names_outside_formulas(&doc(t));
        assert_eq!(outside.len(), 1, "{t}");
        assert_eq!(outside[0].1, words, "{t}");
    }
    assert_eq!(names_outside_formulas(&doc(&math("out"))), (vec![], 1));
}

/// Whether an element is a formula: a `<tspan class="lg-math">`.
fn is_math(n: Node) -> bool {
    n.has_tag_name("tspan") && n.attribute("class") == Some("lg-math")
}

/// The font size an element sets, or inherits from the nearest element
/// that sets one.
fn size_of(n: Node) -> f64 {
    n.ancestors()
        .find_map(|a| a.attribute("font-size"))
        .map_or(14.0, |v| v.parse().unwrap())
}

/// How a figure's mathematics differs from the pages': a symbol of a
/// formula (a mathematical italic letter, `∂`, `⊤`) outside a formula;
/// a formula not in the pages' math font ([`MATH_FONT`], which
/// `theme/local-gradients.css` gives `math`) or not in one regular
/// weight; an index not at TeX's script size ([`SCRIPT_RATIO`] of its
/// base, but no smaller than [`MIN_FONT_SIZE`], or than the figure's
/// smallest text where the figure raises its floor) or not smaller than
/// its base, or larger than 75 % of it in a figure that keeps the
/// [`MIN_FONT_SIZE`] floor (its formula set in text too small for an
/// index at the floor to be near script size); a subscript that touches
/// its letter (no room before it), or that drops more or less than TeX
/// drops one (0.15 to 0.25 em of its base, to 0.3 under a superscript,
/// which pushes it down: the drop is measured in the base's ems, so that
/// an index floored above script size must not drop further for it); a
/// weight or a style set inside a formula.
fn math_problems(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    // The figure's smallest text, under which no index goes.
    let floor = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(size_of)
        .fold(f64::INFINITY, f64::min)
        .max(MIN_FONT_SIZE);
    let mut problems = Vec::new();
    for n in doc.descendants() {
        let inside = n.ancestors().any(is_math);
        let words: String = n
            .descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .collect();
        if n.is_text() && !inside {
            let t = n.text().unwrap_or_default();
            if let Some(c) = t
                .chars()
                .find(|&c| plain_letter(c) != c || "∂⊤".contains(c))
            {
                problems.push(format!(
                    "\"{t}\" sets {c} outside a formula, not in the math font"
                ));
            }
        }
        if is_math(n) {
            if n.attribute("font-family") != Some(MATH_FONT) {
                problems.push(format!(
                    "the formula \"{words}\" is in {:?}, not the pages' math font",
                    n.attribute("font-family")
                ));
            }
            if n.attribute("font-weight") != Some("400") {
                problems.push(format!(
                    "the formula \"{words}\" is not set in one regular weight"
                ));
            }
        } else if inside
            && (n.has_attribute("font-weight") || n.has_attribute("font-style"))
        {
            problems.push(format!(
                "\"{words}\" sets its own weight or style inside a formula"
            ));
        }
        let Some(shift) = n.attribute("baseline-shift") else {
            continue;
        };
        let size = size_of(n);
        let base = n.parent().map_or(14.0, size_of);
        let script = SCRIPT_RATIO * base;
        let near = |s: f64| (size - s).abs() <= 0.06;
        if size >= base
            || !(near(script.max(MIN_FONT_SIZE)) || near(script.max(floor)))
        {
            problems.push(format!(
                "the index \"{words}\" is {size} units on a base of {base} (script size: {:.1})",
                script.max(floor)
            ));
        }
        // An index floored at the smallest text is larger than TeX's
        // script size; a formula with one is set in text large enough
        // (heading size, a base of 18) that it stays near 70 %. A figure
        // that raises its floor (the graphs, for print) floors its
        // indices there, larger.
        if floor <= MIN_FONT_SIZE && size > 0.75 * base {
            problems.push(format!(
                "the index \"{words}\" is {:.0} % of its base of {base} units (TeX: 70 %): set its formula in larger text",
                100.0 * size / base
            ));
        }
        let dx: f64 = n.attribute("dx").map_or(0.0, |v| v.parse().unwrap());
        if shift.starts_with('-') && dx <= 0.0 {
            problems.push(format!(
                "the subscript \"{words}\" touches its letter (dx {dx})"
            ));
        }
        let em: f64 = shift
            .strip_suffix("em")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("\"{words}\": baseline-shift {shift}"));
        let under_sup = n
            .next_sibling_element()
            .and_then(|s| s.attribute("baseline-shift"))
            .is_some_and(|s| !s.starts_with('-'));
        let most = if under_sup { 0.3 } else { 0.25 };
        // The shift is written with two decimals in ems of the index.
        let drop = -em * size / base;
        let slack = 0.005 * size / base;
        if em < 0.0 && !(0.15 - slack..=most + slack).contains(&drop) {
            problems.push(format!(
                "the subscript \"{words}\" drops {drop:.2} em of its base (TeX: 0.15 to {most})"
            ));
        }
    }
    problems
}

/// The figures' math font is the stack the stylesheet gives `math`.
#[test]
fn the_figures_math_font_is_the_pages() {
    let css = book_src().join("../theme/local-gradients.css");
    let css = std::fs::read_to_string(&css).unwrap();
    let rule = css
        .split("\nmath {")
        .nth(1)
        .and_then(|r| r.split("font-family:").nth(1))
        .and_then(|r| r.split(';').next())
        .expect(
            "theme/local-gradients.css has no `math { font-family: … }` rule",
        );
    let stack = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|f| f.trim().trim_matches(['"', '\'']).to_string())
            .collect()
    };
    assert_eq!(
        stack(MATH_FONT),
        stack(rule),
        "MATH_FONT (chapters-code/src/figures/svg.rs) differs from the math font of theme/local-gradients.css"
    );
}

#[test]
fn figures_set_their_mathematics_in_the_pages_math_font() {
    let mut problems = Vec::new();
    for (name, svg) in drawings() {
        problems.extend(
            math_problems(svg)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Each rule finds its mistake.
    let math = |attrs: &str, inner: &str| {
        format!("<svg font-size=\"14\"><text font-size=\"15\"><tspan class=\"lg-math\" {attrs} font-size=\"18\">{inner}</tspan></text></svg>")
    };
    let good = format!("font-family=\"{MATH_FONT}\" font-weight=\"400\"");
    let sub = |dx: &str, size: &str| {
        format!("𝑥<tspan dx=\"{dx}\" baseline-shift=\"-0.35em\" font-size=\"{size}\">1</tspan>")
    };
    assert_eq!(
        math_problems(&math(&good, &sub("0.9", "13"))),
        Vec::<String>::new()
    );
    for (bad, found) in [
        (
            math("font-family=\"'Open Sans'\" font-weight=\"400\"", "𝑥"),
            "not the pages' math font",
        ),
        (
            math(&format!("font-family=\"{MATH_FONT}\""), "𝑥"),
            "one regular weight",
        ),
        (math(&good, &sub("0.9", "18")), "script size"),
        (math(&good, &sub("0.9", "15.6")), "script size"),
        (math(&good, &sub("0", "13")), "touches its letter"),
        // A subscript floored at 13 units on caption-size text (a base of
        // 15.6) that drops 0.35 em of itself drops 0.29 em of its base.
        (
            format!("<svg><text font-size=\"13\"><tspan class=\"lg-math\" {good} font-size=\"15.6\">{}</tspan></text></svg>", sub("0.8", "13")),
            "drops 0.29 em of its base",
        ),
        // The same subscript dropped as TeX drops it is still 83 % of its
        // base: its formula is set in text too small.
        (
            format!("<svg><text font-size=\"13\"><tspan class=\"lg-math\" {good} font-size=\"15.6\">𝑥<tspan dx=\"0.8\" baseline-shift=\"-0.3em\" font-size=\"13\">1</tspan></tspan></text></svg>"),
            "83 % of its base",
        ),
        (
            math(&good, "<tspan font-weight=\"600\">𝑥</tspan>"),
            "inside a formula",
        ),
        (
            "<svg><text>∂L/∂y</text></svg>".to_string(),
            "outside a formula",
        ),
        (
            "<svg><text>𝑥<tspan>⊤</tspan></text></svg>".to_string(),
            "outside a formula",
        ),
    ] {
        let got = math_problems(&bad).join("; ");
        assert!(
            got.contains(found),
            "{bad}: expected \"{found}\", found \"{got}\""
        );
    }
}

/// The appendix's cost chart reads without guessing: its ratios have an
/// axis with a scale and a name; each value is written inside the end of
/// its own bar; each limit is labelled in its bar's row, clear of every
/// bar and every value.
#[test]
fn the_cost_charts_ratios_have_an_axis_and_clear_limits() {
    let doc = parse("jacobian-costs.svg", measured_chart());
    let found = texts(&doc);
    let find = |t: &str| {
        found
            .iter()
            .find(|(_, s)| s == t)
            .map(|(n, s)| text_box(*n, s))
            .unwrap_or_else(|| panic!("the cost chart has no text \"{t}\""))
    };
    find("time ÷ time of the products alone");
    for tick in ["0", "0.5", "1", "1.5"] {
        let shown = found
            .iter()
            .any(|(n, s)| s == tick && n.attribute("class") == Some("lg-tick"));
        assert!(shown, "the ratio axis has no tick {tick}");
    }
    let bars: Vec<Box2> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lg-tint-2"))
        .map(|n| {
            let num =
                |a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
            Box2 {
                left: num("x"),
                top: num("y"),
                right: num("x") + num("width"),
                bottom: num("y") + num("height"),
            }
        })
        .collect();
    let table = std::fs::read_to_string(
        book_src().join("../chapters-code/measured/jacobian-costs.html"),
    )
    .unwrap();
    let (measured, _) =
        backprop::figures::costs::Measured::from_table(&table).unwrap();
    assert_eq!(bars.len(), measured.ratios.len(), "one bar per ratio");
    let values: Vec<Box2> = measured
        .ratios
        .iter()
        .map(|r| find(&format!("{:.2}", r.value)))
        .collect();
    for ((r, bar), value) in measured.ratios.iter().zip(&bars).zip(&values) {
        let inside = value.left >= bar.left
            && value.right <= bar.right
            && value.top >= bar.top
            && value.bottom <= bar.bottom;
        assert!(
            inside,
            "{}: its value {:.2} is not inside the end of its bar ({value:?} vs {bar:?})",
            r.label, r.value
        );
        let Some(limit) = r.limit else { continue };
        let label = find(&format!("limit {limit:.2}"));
        let middle = (label.top + label.bottom) / 2.0;
        assert!(
            (bar.top - 20.0..bar.bottom + 20.0).contains(&middle),
            "{}: its limit's label is not in its bar's row",
            r.label
        );
        for (other, v) in bars.iter().zip(&values) {
            assert!(
                label.gap(other) > 0.0 && label.gap(v) >= LABEL_GAP,
                "{}: its limit's label touches a bar or a value",
                r.label
            );
        }
    }
}

/// TeX's thin, medium and thick spaces (3, 4 and 5 mu), in ems.
const THIN: f64 = 3.0 / 18.0;
const MEDIUM: f64 = 4.0 / 18.0;
const THICK: f64 = 5.0 / 18.0;

/// The smallest italic correction of a capital that leans far past its
/// advance (F, P, T, V, W, Y: 0.139 to 0.222 em), less a margin.
const LEAN: f64 = 0.12;

/// Whether a character is an ordinary symbol on the side it touches a
/// neighbour: a letter, a digit, a closing bracket, `⊤`.
fn ordinary(c: char) -> bool {
    c.is_alphanumeric() || ")]⊤∂".contains(c)
}

/// Whether a character is a mathematical italic capital whose italic
/// correction TeX adds after it.
fn leaning(c: char) -> bool {
    "FPTVWY".contains(plain_letter(c)) && plain_letter(c) != c
}

/// Operator names that are no English words: in a figure they are
/// mathematics, and belong in a formula ("log scale" and the procedure
/// im2col are words).
const NAMES: [&str; 7] = ["ln", "sin", "cos", "exp", "tanh", "max", "softmax"];

/// Mathematics set in the page's font, in one figure text: an operator,
/// a relation, a binary minus (one with an operand on its left) or an
/// operator name outside every formula. A sign before a number (`−1`,
/// `[0.5, −1]`) is a value and may stay in the page's font.
fn math_outside_formulas(text: Node) -> Vec<String> {
    let mut problems = Vec::new();
    let outside: String = text
        .descendants()
        .filter(|d| d.is_text() && !d.ancestors().any(is_math))
        .filter_map(|d| d.text())
        .collect();
    let chars: Vec<char> = outside.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let left = chars[..i].iter().rev().find(|c| !c.is_whitespace());
        // An operand: a number or a bracket closing one (a word before a
        // sign, "and −4", is no operand).
        let operand = |l: char| l.is_ascii_digit() || ")]".contains(l);
        let binary_minus = c == MINUS && left.is_some_and(|&l| operand(l));
        if "=+·×⊙→≤≥<>".contains(c) || binary_minus {
            problems.push(format!(
                "\"{outside}\" sets {c} in the page's font, outside its formula"
            ));
        }
    }
    for word in outside.split(|c: char| !c.is_alphanumeric()) {
        if NAMES.contains(&word) {
            problems.push(format!(
                "\"{outside}\" sets the operator name {word} in the page's font"
            ));
        }
    }
    problems
}

/// The pieces of a formula (a `<tspan class="lg-math">`): each text node
/// with the room (`dx`, in user units) the tspans that begin with it put
/// before it, and whether it is an index.
fn formula_pieces(formula: Node) -> Vec<(String, f64, bool)> {
    formula
        .descendants()
        .filter(|d| d.is_text())
        .map(|d| {
            let dx: f64 = d
                .ancestors()
                .skip(1)
                .take_while(|a| a.id() != formula.id())
                .filter(|a| {
                    a.descendants().find(|t| t.is_text()).map(|t| t.id())
                        == Some(d.id())
                })
                .filter_map(|a| a.attribute("dx"))
                .map(|v| v.parse::<f64>().unwrap())
                .sum();
            (d.text().unwrap_or_default().to_string(), dx, in_index(d))
        })
        .collect()
}

/// How a figure's formulas are spaced unlike TeX: a relation without a
/// thick space on each side, a binary operator without a medium one, an
/// operator name without a thin space next to an ordinary symbol (none is
/// needed before a bracket), each as a piece of its own; and no room for
/// the italic correction after a leaning capital without an index (`W =`),
/// inside the formula or before the words after it (`∂L/∂Y per`). And
/// mathematics outside a formula ([`math_outside_formulas`]).
fn spacing_problems(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let mut problems = Vec::new();
    for formula in doc.descendants().filter(|n| is_math(*n)) {
        let size = size_of(formula);
        let pieces = formula_pieces(formula);
        let whole: String = pieces.iter().map(|p| p.0.as_str()).collect();
        let room =
            |i: usize| pieces.get(i).map_or(f64::INFINITY, |p| p.1 / size);
        let last = |i: usize| {
            i.checked_sub(1)
                .and_then(|j| pieces.get(j))
                .and_then(|p| p.0.chars().last())
        };
        for (i, (piece, _, index)) in pieces.iter().enumerate() {
            // An index is spaced as TeX's script style: not at all.
            if *index {
                continue;
            }
            // What TeX adds before this piece after a leaning capital.
            let lean = if last(i).is_some_and(leaning) {
                LEAN
            } else {
                0.0
            };
            if last(i).is_some_and(leaning) && room(i) < 0.9 * lean {
                problems.push(format!(
                    "\"{whole}\": no italic correction before \"{piece}\""
                ));
            }
            if piece.contains(char::is_whitespace) {
                problems.push(format!(
                    "\"{whole}\": \"{piece}\" has a word space where TeX spaces by the symbols' classes"
                ));
            }
            let chars: Vec<char> = piece.chars().collect();
            for (j, &c) in chars.iter().enumerate() {
                let left = if j == 0 { last(i) } else { Some(chars[j - 1]) };
                let (kind, em) = match c {
                    '=' | '<' | '>' | '≤' | '≥' | '→' => {
                        ("relation", THICK)
                    }
                    '+' | '·' | '×' | '⊙' | MINUS
                        if left.is_some_and(ordinary) =>
                    {
                        ("binary operator", MEDIUM)
                    }
                    _ => continue,
                };
                // Alone it is a symbol of its own, as in a node or between
                // two matrices.
                if pieces.len() == 1 && chars.len() == 1 {
                    continue;
                }
                let spaced = j == 0
                    && chars.len() == 1
                    && room(i) >= 0.9 * em + lean
                    && room(i + 1) >= 0.9 * em;
                if !spaced {
                    let plus = if lean > 0.0 {
                        ", after the italic correction of the capital before it"
                    } else {
                        ""
                    };
                    problems.push(format!(
                        "\"{whole}\": the {kind} {c} is not spaced as TeX spaces it ({em:.3} em each side{plus})"
                    ));
                }
            }
            // The operator names in the piece: runs of two or more
            // lower-case letters (digits inside, as in im2col), with what
            // stands right before and after each inside the piece.
            let mut names = Vec::new();
            let mut k = 0;
            while k < chars.len() {
                let end = (k..chars.len())
                    .find(|&e| !chars[e].is_ascii_alphanumeric())
                    .unwrap_or(chars.len());
                // A name ends with a letter: in `ln3`, 3 touches `ln`.
                let end = (k..end)
                    .rev()
                    .find(|&e| chars[e].is_ascii_lowercase())
                    .map_or(end, |e| e + 1);
                let run = &chars[k..end];
                if run.iter().filter(|c| c.is_ascii_lowercase()).count() > 1 {
                    names.push((
                        k.checked_sub(1).map(|b| chars[b]),
                        chars.get(end).copied(),
                    ));
                }
                k = end.max(k + 1);
            }
            if names.is_empty() {
                continue;
            }
            let first_ordinary = |k: usize| {
                pieces
                    .get(k)
                    .and_then(|p| p.0.chars().next())
                    .is_some_and(|c| c.is_alphanumeric())
            };
            // Nothing ordinary touches a name inside its piece (a bracket
            // may follow it).
            let alone = names.iter().all(|(b, a)| {
                !b.is_some_and(ordinary)
                    && !a.is_some_and(|a| a.is_alphanumeric())
            });
            let before =
                !last(i).is_some_and(ordinary) || room(i) >= 0.9 * THIN;
            let after = !first_ordinary(i + 1) || room(i + 1) >= 0.9 * THIN;
            if !(alone && before && after) {
                problems.push(format!(
                    "\"{whole}\": the operator name in \"{piece}\" has no thin space from a symbol beside it"
                ));
            }
        }
        // The words after a formula that ends in a leaning capital.
        let ends_leaning = pieces
            .last()
            .and_then(|p| p.0.chars().last())
            .is_some_and(leaning);
        let next = formula.next_sibling();
        if ends_leaning && next.is_some() {
            let dx: f64 = next
                .and_then(|n| n.attribute("dx"))
                .map_or(0.0, |v| v.parse().unwrap());
            if dx < 0.9 * LEAN * size {
                problems.push(format!(
                    "\"{whole}\": no italic correction before the words after it"
                ));
            }
        }
    }
    for text in doc.descendants().filter(|n| n.has_tag_name("text")) {
        problems.extend(math_outside_formulas(text));
    }
    problems
}

#[test]
fn figure_formulas_are_whole_and_spaced_as_tex_spaces_them() {
    let mut problems = Vec::new();
    for (name, svg) in drawings() {
        problems.extend(
            spacing_problems(svg)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Each rule finds its mistake, on 18-unit formulas (a thin space is
    // 3 units, a medium one 4, a thick one 5).
    let math = |inner: &str, after: &str| {
        format!("<svg><text font-size=\"15\"><tspan class=\"lg-math\" font-size=\"18\">{inner}</tspan>{after}</text></svg>")
    };
    let at = |dx: &str, s: &str| format!("<tspan dx=\"{dx}\">{s}</tspan>");
    let good = [
        math(&format!("𝜌{}{}", at("3", "sin"), at("3", "𝜃")), ""),
        math(&format!("ln{}", at("3", "3")), ": guessing"),
        math("ln(𝑥)", ""),
        math(&format!("𝑞{}{}1", at("5", "="), at("5", "−")), ""),
        math(&format!("𝑊{}{}", at("7.5", "="), at("5", "𝑥")), ""),
        math(&format!("0.5{}{}−1)", at("4", "·"), at("4", "(")), ""),
        math("∂𝐿/∂𝑌", &at("3.7", " per sample")),
        math("+", ""),
        "<svg><text>[0.5, −1] and −4</text></svg>".to_string(),
    ];
    for g in good {
        assert_eq!(spacing_problems(&g), Vec::<String>::new(), "{g}");
    }
    for (bad, found) in [
        (math("𝜌 sin 𝜃", ""), "word space"),
        (math("𝜌sin𝜃", ""), "operator name"),
        (math(&format!("𝜌{}𝜃", at("3", "sin")), ""), "operator name"),
        (math("ln3", ""), "operator name"),
        (math("𝑞=−1", ""), "relation ="),
        (
            math(&format!("𝑞{}{}", at("2", "="), at("5", "1")), ""),
            "relation =",
        ),
        (
            math(&format!("𝑊{}{}", at("5", "="), at("5", "𝑥")), ""),
            "italic correction",
        ),
        (
            math(&format!("1{}2", at("4", "+")), ""),
            "binary operator +",
        ),
        (math("0.5 · 2", ""), "word space"),
        (math("0.5·2", ""), "binary operator ·"),
        (math("∂𝐿/∂𝑌", " per sample"), "italic correction"),
        (
            "<svg><text>∂q/∂x = −1 + 3 = 2</text></svg>".to_string(),
            "= in the page's font",
        ),
        (
            "<svg><text>3 × 3 input</text></svg>".to_string(),
            "× in the page's font",
        ),
        (
            "<svg><text>2 − 1</text></svg>".to_string(),
            "− in the page's font",
        ),
        (
            "<svg><text>ln 3: guessing</text></svg>".to_string(),
            "operator name ln",
        ),
    ] {
        let got = spacing_problems(&bad).join("; ");
        assert!(
            got.contains(found),
            "{bad}: expected \"{found}\", found \"{got}\""
        );
    }
}

/// The texts of a plot (not its tick labels) that come within `margin`
/// units of one of its lines: a gridline (a `<line>`) or a drawn line
/// (a `<polyline>`) that passes through the text's box grown by `margin`.
fn texts_on_lines(svg: &str, margin: f64) -> Vec<String> {
    let doc = parse("plot", svg);
    let mut segments: Vec<((f64, f64), (f64, f64))> = Vec::new();
    let num =
        |n: Node, a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    for n in doc.descendants() {
        if n.has_tag_name("line") {
            segments.push((
                (num(n, "x1"), num(n, "y1")),
                (num(n, "x2"), num(n, "y2")),
            ));
        } else if n.has_tag_name("polyline") {
            let points: Vec<(f64, f64)> = n
                .attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            segments.extend(points.windows(2).map(|w| (w[0], w[1])));
        }
    }
    // Whether a segment meets a box: sampled every half unit.
    let meets = |b: &Box2, (p, q): ((f64, f64), (f64, f64))| {
        let steps =
            ((q.0 - p.0).hypot(q.1 - p.1) * 2.0).ceil().max(1.0) as usize;
        (0..=steps).any(|k| {
            let t = k as f64 / steps as f64;
            let (x, y) = (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1));
            x >= b.left && x <= b.right && y >= b.top && y <= b.bottom
        })
    };
    let mut problems = Vec::new();
    for (n, t) in texts(&doc) {
        if n.attribute("class") == Some("lg-tick") {
            continue;
        }
        let b = text_box(n, &t);
        let grown = Box2 {
            left: b.left - margin,
            top: b.top - margin,
            right: b.right + margin,
            bottom: b.bottom + margin,
        };
        for s in &segments {
            if meets(&grown, *s) {
                problems.push(format!(
                    "\"{t}\" ({:.1}–{:.1}, {:.1}–{:.1}) comes within {margin} of the line {:?}–{:?}",
                    b.left, b.right, b.top, b.bottom, s.0, s.1
                ));
                break;
            }
        }
    }
    problems
}

/// The loss plot's label keeps clear of every gridline and of the curve
/// and the line it names.
#[test]
fn the_loss_plots_label_keeps_clear_of_its_lines() {
    let svg = figure("spiral-loss.svg");
    assert_eq!(texts_on_lines(svg, 3.0), Vec::<String>::new());
    // The label where it was, ending on the step-10 gridline, is found.
    let old = svg.replacen("<text x=\"80\"", "<text x=\"108\"", 1);
    assert_ne!(old, svg, "the label has moved: update this check");
    let found = texts_on_lines(&old, 3.0).join("; ");
    assert!(
        found.contains("guessing"),
        "the old label is not found: {found}"
    );
}

/// A `<rect>`'s box.
fn rect_box(n: Node) -> Box2 {
    let num = |a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    Box2 {
        left: num("x"),
        top: num("y"),
        right: num("x") + num("width"),
        bottom: num("y") + num("height"),
    }
}

/// How far a series' label stands from its last marker (to the label's
/// ink: [`ink_start`]), and how much two series' gaps may differ, in user
/// units.
const SERIES_LABEL_GAP: f64 = 5.5;
const SERIES_GAP_SPREAD: f64 = 1.0;

/// For each series of a plot (markers, `<circle>` or `<rect>`, of class
/// `lg-series-N`), the gap from its last marker's right edge to the ink of
/// its label (the nearest text to its right, level with it), as
/// `(series, label, gap)`.
fn series_label_gaps(svg: &str) -> Vec<(String, String, f64)> {
    let doc = parse("plot", svg);
    let labels: Vec<(Node, String, Box2)> = texts(&doc)
        .into_iter()
        .map(|(n, t)| {
            let b = text_box(n, &t);
            (n, t, b)
        })
        .collect();
    let mut classes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") || n.has_tag_name("rect"))
        .filter_map(|n| n.attribute("class"))
        .filter(|c| c.starts_with("lg-series-"))
        .collect();
    classes.sort();
    classes.dedup();
    let mut out = Vec::new();
    for class in classes {
        let num = |n: Node, a: &str| -> f64 {
            n.attribute(a).unwrap().parse().unwrap()
        };
        let last = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .filter_map(|n| match n.tag_name().name() {
                "circle" => {
                    let (cx, cy, r) = (num(n, "cx"), num(n, "cy"), num(n, "r"));
                    Some((cx + r, cy))
                }
                // A marker, not a bar.
                "rect" if n.attribute("fill") != Some("none") => {
                    let b = rect_box(n);
                    let small = b.right - b.left <= 12.0;
                    small.then_some((b.right, (b.top + b.bottom) / 2.0))
                }
                _ => None,
            })
            .fold(None, |a: Option<(f64, f64)>, m| match a {
                Some(a) if a.0 >= m.0 => Some(a),
                _ => Some(m),
            });
        let Some((right, middle)) = last else {
            continue;
        };
        let label = labels
            .iter()
            .filter(|(_, _, b)| {
                b.left >= right && (b.top..b.bottom).contains(&middle)
            })
            .min_by(|a, b| a.2.left.total_cmp(&b.2.left));
        let Some((n, t, b)) = label else {
            out.push((class.to_string(), String::new(), f64::INFINITY));
            continue;
        };
        let ink = b.left + ink_start(t) * size_of(*n);
        out.push((class.to_string(), t.clone(), ink - right));
    }
    out
}

/// Each series label of the cost chart stands [`SERIES_LABEL_GAP`] or more
/// from its last marker, all at about the same gap.
#[test]
fn series_labels_stand_clear_of_their_last_markers_alike() {
    let check = |svg: &str| -> Vec<String> {
        let gaps = series_label_gaps(svg);
        let mut problems: Vec<String> = gaps
            .iter()
            .filter(|g| g.2 < SERIES_LABEL_GAP)
            .map(|(c, t, g)| format!("\"{t}\" stands {g:.1} from the last marker of {c} (at least {SERIES_LABEL_GAP})"))
            .collect();
        let (lo, hi) =
            gaps.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), g| {
                (lo.min(g.2), hi.max(g.2))
            });
        if hi - lo > SERIES_GAP_SPREAD {
            problems.push(format!(
                "the series labels stand {lo:.1} to {hi:.1} from their markers: {gaps:?}"
            ));
        }
        problems
    };
    let svg = measured_chart();
    assert_eq!(series_label_gaps(svg).len(), 2, "two series, two labels");
    assert_eq!(check(svg), Vec::<String>::new());
    // The labels where they stood, 4 units from the markers' edges (the
    // hook of "J" 2.9 from its square), are found.
    let old = svg
        .replacen("<text x=\"343\"", "<text x=\"342\"", 1)
        .replacen("<text x=\"345\"", "<text x=\"342\"", 1);
    assert_ne!(old, svg, "the labels have moved: update this check");
    let found = check(&old).join("; ");
    assert!(found.contains("\"Jacobian\" stands 2.9"), "{found}");
}

/// How close two lines of text in one cell may come (their ink boxes), in
/// user units.
const CELL_LINE_GAP: f64 = 4.0;

/// Lines of text in one cell (a `<rect>` of class `lg-cell`, the text's
/// anchor inside it) closer than [`CELL_LINE_GAP`].
fn crowded_cells(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let found = texts(&doc);
    let mut problems = Vec::new();
    let cells = doc.descendants().filter(|n| {
        n.has_tag_name("rect")
            && n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|k| k == "lg-cell"))
    });
    for cell in cells {
        let c = rect_box(cell);
        let inside: Vec<(String, Box2)> = found
            .iter()
            .filter(|(n, _)| {
                let at = |a: &str| -> f64 {
                    n.attribute(a).unwrap().parse().unwrap()
                };
                let (x, y) = (at("x"), at("y"));
                x > c.left && x < c.right && y > c.top && y < c.bottom
            })
            .map(|(n, t)| (t.clone(), text_box(*n, t)))
            .collect();
        for (i, (t, b)) in inside.iter().enumerate() {
            for (u, d) in &inside[i + 1..] {
                let gap = b.gap(d);
                if gap < CELL_LINE_GAP {
                    problems.push(format!(
                        "\"{t}\" and \"{u}\" in the cell at ({:.0}, {:.0}) are {gap:.1} apart (at least {CELL_LINE_GAP})",
                        c.left, c.top
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn no_two_lines_of_a_cell_crowd_each_other() {
    for (name, svg) in drawings() {
        let problems = crowded_cells(svg);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
    // The outer product's numbers where they stood, 3 units lower, are
    // found.
    let svg = figure("weight-outer-product.svg");
    let old = svg.replace(" y=\"136\" ", " y=\"139\" ");
    let old = old.replace(" y=\"182\" ", " y=\"185\" ");
    assert_ne!(old, svg, "the cells have moved: update this check");
    let found = crowded_cells(&old).join("; ");
    assert!(found.contains("\"−0.5\" and \"0.5·(−1)\""), "{found}");
    assert!(found.contains("are 2.1 apart"), "{found}");
}

/// How far a guide (`class="lg-guide"`, a dashed connector) may stop from
/// what it joins at each end, a cell or a label, in user units.
const GUIDE_GAP: std::ops::RangeInclusive<f64> = 2.0..=6.0;

/// Guide ends that stop too far from (or too near) what lies ahead of
/// them: the nearest cell or text whose box comes within 10 units of the
/// guide's line beyond that end.
fn loose_guides(svg: &str) -> Vec<String> {
    let doc = parse("figure", svg);
    let mut things: Vec<(String, Box2)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .map(|n| ("a cell".to_string(), rect_box(n)))
        .collect();
    for (n, t) in texts(&doc) {
        things.push((format!("\"{t}\""), text_box(n, &t)));
    }
    let mut problems = Vec::new();
    let guides = doc.descendants().filter(|n| {
        n.has_tag_name("line") && n.attribute("class") == Some("lg-guide")
    });
    for g in guides {
        let num = |a: &str| -> f64 { g.attribute(a).unwrap().parse().unwrap() };
        let (p, q) = ((num("x1"), num("y1")), (num("x2"), num("y2")));
        for (end, from) in [(p, q), (q, p)] {
            // Along x (a horizontal guide) or y, outward from this end.
            let across = end.1 == from.1;
            assert!(across || end.0 == from.0, "a slanted guide {p:?}–{q:?}");
            let out = if across {
                end.0 - from.0
            } else {
                end.1 - from.1
            };
            let ahead = things.iter().filter_map(|(what, b)| {
                let (lo, hi, near, far, at) = if across {
                    (b.top, b.bottom, b.left, b.right, end)
                } else {
                    (b.left, b.right, b.top, b.bottom, (end.1, end.0))
                };
                if at.1 < lo - 10.0 || at.1 > hi + 10.0 {
                    return None;
                }
                let d = if out > 0.0 { near - at.0 } else { at.0 - far };
                (d > -0.5).then_some((d, what))
            });
            let nearest = ahead.min_by(|a, b| a.0.total_cmp(&b.0));
            let Some((d, what)) = nearest else {
                problems.push(format!(
                    "the guide {p:?}–{q:?} points at nothing from {end:?}"
                ));
                continue;
            };
            if !GUIDE_GAP.contains(&d) {
                problems.push(format!(
                    "the guide {p:?}–{q:?} ends {d:.1} from {what} at {end:?} (within {GUIDE_GAP:?})"
                ));
            }
        }
    }
    problems
}

/// A guide reaches what it joins: it ends a few units before a cell or
/// before a label.
#[test]
fn guides_reach_what_they_join() {
    let mut seen = 0;
    for (name, svg) in drawings() {
        seen += svg.matches("class=\"lg-guide\"").count();
        let problems = loose_guides(svg);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
    assert_eq!(seen, 7, "the guides of the outer product and im2col");
    // im2col's guide where it stopped, at x = 190, before labels that
    // ended at x = 280, is found.
    let svg = figure("im2col.svg");
    let mut old = svg.replacen(
        "x1=\"187.9\" y1=\"92\" x2=\"158\"",
        "x1=\"190\" y1=\"92\" x2=\"158\"",
        1,
    );
    for y in [80, 114, 148, 182] {
        old = old.replace(
            &format!("<text x=\"193.9\" y=\"{y}\" text-anchor=\"start\""),
            &format!("<text x=\"280\" y=\"{y}\" text-anchor=\"end\""),
        );
    }
    assert!(
        !old.contains("193.9"),
        "the guide has moved: update this check"
    );
    let found = loose_guides(&old).join("; ");
    assert!(found.contains("from \"𝑊0,1=−1\""), "{found}");
}
