//! The book's figures, drawn as SVG by the same code that computes the
//! chapters' numbers (only with the `figures` feature).
//!
//! Every number in a figure is computed here by the crate (the scalar graph
//! engine, [`relu`](crate::relu), [`jacobian`](crate::jacobian),
//! [`affine`](crate::affine)) from the chapters' named worked examples
//! (for instance [`scalar::SIGMOID_W`](crate::scalar::SIGMOID_W) or
//! [`relu::example_sample`](crate::relu::example_sample)), the same ones
//! the unit tests check, so a figure cannot disagree with the page it
//! illustrates. One module per chapter draws that chapter's figures:
//! [`computational_graphs`], [`relu`], [`affine`]. The computational graphs
//! are laid out by the `layout-rs` crate (module `graph`); the grids are
//! drawn directly (module `grid`); module `svg` writes the elements.
//!
//! The generated files live in the book's `src/figures/`; regenerate them
//! with [`REGENERATE`]. A test in `tests/` fails when a file there differs
//! from [`all`], and names the numbers that changed ([`stale_figures`]).
//!
//! The SVG is meant to be inlined into the page (mdBook
//! `{{#include figures/NAME.svg}}`), so it has no blank lines and no
//! indentation (the markdown parser keeps it as one HTML block), it is
//! styled by `lg-…` classes that `theme/local-gradients.css` colours for
//! every mdBook theme, and it carries `role="img"`, `<title>` and `<desc>`
//! as alt text. Its `width` attribute is its natural width in CSS pixels
//! (one user unit per pixel), at which no text is smaller than
//! [`MIN_FONT_SIZE`] pixels.

pub mod affine;
pub mod computational_graphs;
pub mod conv;
pub mod costs;
mod format;
mod graph;
mod grid;
pub mod network;
pub mod relu;
mod svg;

pub use affine::{bias_minibatch, weight_outer_product};
pub use computational_graphs::{fan_out, sigmoid_neuron};
pub use format::{ascii_minus, fixed2, short, MINUS};
pub use relu::{relu_jacobian, relu_mask};
pub use svg::MIN_FONT_SIZE;

use std::path::Path;

/// The command that regenerates `src/figures/`.
pub const REGENERATE: &str = "cargo run -p backprop --features figures --bin figures";

/// One figure of the book: its file in `src/figures/`, the chapter (a
/// file in `src/`) that includes it, and the function that draws it.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    pub file: &'static str,
    pub chapter: &'static str,
    pub draw: fn() -> String,
}

/// Every figure of the book, in chapter order.
pub const FIGURES: &[Figure] = &[
    Figure {
        file: "sigmoid-neuron.svg",
        chapter: "computational-graphs.md",
        draw: sigmoid_neuron,
    },
    Figure {
        file: "fan-out.svg",
        chapter: "computational-graphs.md",
        draw: fan_out,
    },
    Figure {
        file: "relu-mask.svg",
        chapter: "relu.md",
        draw: relu_mask,
    },
    Figure {
        file: "relu-jacobian.svg",
        chapter: "relu.md",
        draw: relu_jacobian,
    },
    Figure {
        file: "bias-minibatch.svg",
        chapter: "affine-biases.md",
        draw: bias_minibatch,
    },
    Figure {
        file: "weight-outer-product.svg",
        chapter: "affine-weights.md",
        draw: weight_outer_product,
    },
    Figure {
        file: "im2col.svg",
        chapter: "convolution.md",
        draw: conv::im2col,
    },
    Figure {
        file: "spiral-loss.svg",
        chapter: "network.md",
        draw: network::spiral_loss,
    },
    Figure {
        file: "spiral-regions.svg",
        chapter: "network.md",
        draw: network::spiral_regions,
    },
];

/// Every figure of the book as `(file name, SVG text)`, in chapter order.
pub fn all() -> Vec<(&'static str, String)> {
    FIGURES.iter().map(|f| (f.file, (f.draw)())).collect()
}

/// The text of every `<text>` element of a figure, in document order, as
/// a reader would select it (tags removed, entities decoded).
pub fn texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let after = &rest[start..];
        let end = after.find("</text>").map_or(after.len(), |e| e + 7);
        let mut text = String::new();
        let mut in_tag = false;
        for c in after[..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[end..];
    }
    out
}

/// The numbers written in one line of figure text, in order, with a
/// hyphen for the minus sign (`"[0.5, −1]"` gives `["0.5", "-1"]`). Digits
/// that are part of a name (`w0`, `x₁`) do not count.
pub fn numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = ascii_minus(text).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number = c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()));
        let after_name = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.');
        if starts_number && !after_name {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (chars[j] == '.' && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit())))
            {
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

/// The numbers of every text element of a figure, with the text they are
/// in: `(text, numbers)` for each `<text>` that has any.
///
/// An axis's tick labels (`<text class="lg-tick">`, in the plots) are a
/// scale rather than numbers the figure states, and are left out.
pub fn figure_numbers(svg: &str) -> Vec<(String, Vec<String>)> {
    let stated: String = svg
        .lines()
        .filter(|l| !l.starts_with("<text class=\"lg-tick\""))
        .collect::<Vec<_>>()
        .join("\n");
    texts(&stated)
        .into_iter()
        .map(|t| {
            let n = numbers_in(&t);
            (t, n)
        })
        .filter(|(_, n)| !n.is_empty())
        .collect()
}

/// How the numbers of a figure changed from `old` (the committed file) to
/// `new` (what the code draws now), one readable phrase per change; empty
/// when the numbers are the same.
pub fn number_changes(old: &str, new: &str) -> Vec<String> {
    let (old_n, new_n) = (figure_numbers(old), figure_numbers(new));
    let mut changes = Vec::new();
    if old_n.len() == new_n.len() {
        for ((old_t, a), (new_t, b)) in old_n.iter().zip(&new_n) {
            if a != b {
                changes.push(format!(
                    "{} → {} (text \"{old_t}\" is now \"{new_t}\")",
                    a.join(", "),
                    b.join(", ")
                ));
            }
        }
    } else {
        let flat = |v: &[(String, Vec<String>)]| -> Vec<String> {
            v.iter().flat_map(|(_, n)| n.clone()).collect()
        };
        let (mut gone, mut came) = (flat(&old_n), flat(&new_n));
        let both: Vec<String> = gone.iter().filter(|x| came.contains(x)).cloned().collect();
        for x in both {
            if let (Some(i), Some(j)) = (
                gone.iter().position(|y| *y == x),
                came.iter().position(|y| *y == x),
            ) {
                gone.remove(i);
                came.remove(j);
            }
        }
        if !gone.is_empty() || !came.is_empty() {
            changes.push(format!(
                "only in the committed file: [{}]; only in what the code draws now: [{}]",
                gone.join(", "),
                came.join(", ")
            ));
        }
    }
    changes
}

/// Compares the figures in `dir` with [`all`] and returns one message per
/// problem: a figure that is missing, that differs from what the code draws
/// now, or an `.svg` file that no figure produces. Empty means up to date.
///
/// A figure whose numbers changed gets the list of changed numbers and a
/// warning: the code may be wrong, and regenerating would bake the bug
/// into the book.
pub fn stale_figures(dir: &Path) -> Vec<String> {
    let figures = all();
    let mut problems = Vec::new();
    for (name, svg) in &figures {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Err(_) => problems.push(format!("{} is missing", path.display())),
            Ok(text) if text != *svg => {
                let changes = number_changes(&text, svg);
                problems.push(if changes.is_empty() {
                    format!(
                        "{} differs from what backprop::figures draws now, but every number is the same (layout, wording or styling changed)",
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn figure(name: &str) -> String {
        all()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no figure {name}"))
            .1
    }

    pub(crate) fn has_text(svg: &str, wanted: &str) -> bool {
        texts(svg).iter().any(|t| t == wanted)
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
        let svg = "<svg>\n<text x=\"1\">a <tspan class=\"c\">−0.20</tspan></text>\n</svg>";
        assert_eq!(texts(svg), ["a −0.20"]);
        assert_eq!(
            figure_numbers(svg),
            [("a −0.20".to_string(), vec!["-0.20".to_string()])]
        );
    }

    #[test]
    fn every_figure_is_accessible_and_safe_to_inline_in_markdown() {
        let figures = all();
        assert_eq!(figures.len(), FIGURES.len());
        for (name, svg) in &figures {
            let stem = name.trim_end_matches(".svg");
            assert!(svg.starts_with("<svg "), "{name}: must start with <svg");
            assert!(svg.ends_with("</svg>\n"), "{name}: must end with </svg>");
            assert_eq!(svg.matches("<svg").count(), 1, "{name}");
            let head = svg.lines().next().unwrap();
            for attr in [
                "role=\"img\"",
                "viewBox=\"0 0 ",
                "width=\"",
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
    fn negative_numbers_use_a_true_minus_sign() {
        for (name, svg) in all() {
            for t in texts(&svg) {
                let chars: Vec<char> = t.chars().collect();
                for w in chars.windows(2) {
                    assert!(
                        !(w[0] == '-' && (w[1].is_ascii_digit() || w[1] == 'x')),
                        "{name}: \"{t}\" has a hyphen where a minus sign belongs"
                    );
                }
            }
        }
    }

    #[test]
    fn every_text_is_at_least_the_minimum_size_at_natural_width() {
        for (name, svg) in all() {
            let head = svg.lines().next().unwrap();
            let attr = |a: &str| -> f64 {
                let key = format!(" {a}=\"");
                let at = head.find(&key).unwrap() + key.len();
                head[at..].split('"').next().unwrap().parse().unwrap()
            };
            let view_width: f64 = head
                .split("viewBox=\"0 0 ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(
                attr("width"),
                view_width,
                "{name}: width is not the natural width"
            );
            let mut count = 0;
            for line in svg.lines().filter(|l| l.starts_with("<text")) {
                let size: f64 = line
                    .split(" font-size=\"")
                    .nth(1)
                    .unwrap_or_else(|| panic!("{name}: text without font-size: {line}"))
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(
                    size >= MIN_FONT_SIZE,
                    "{name}: font-size {size} < {MIN_FONT_SIZE}: {line}"
                );
                count += 1;
            }
            assert!(count > 0, "{name}: no text");
        }
    }

    /// The value of attribute `name` in one element's line.
    fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
        let key = format!(" {name}=\"");
        let at = line.find(&key)? + key.len();
        line[at..].split('"').next()
    }

    /// Points along every edge (`class="lg-edge"` paths made of `M`, `C`
    /// and `L` pieces), 40 per piece.
    fn edge_points(svg: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for line in svg
            .lines()
            .filter(|l| l.starts_with("<path") && l.contains("\"lg-edge\""))
        {
            let d = attr(line, "d").unwrap();
            let mut pen = (0.0, 0.0);
            let mut cmd = ' ';
            let mut nums: Vec<f64> = Vec::new();
            let mut flush = |cmd: char, nums: &mut Vec<f64>, pen: &mut (f64, f64)| {
                match (cmd, nums.len()) {
                    ('M', 2) => *pen = (nums[0], nums[1]),
                    ('L', 2) => {
                        for i in 0..=40 {
                            let t = i as f64 / 40.0;
                            out.push((
                                pen.0 + t * (nums[0] - pen.0),
                                pen.1 + t * (nums[1] - pen.1),
                            ));
                        }
                        *pen = (nums[0], nums[1]);
                    }
                    ('C', 6) => {
                        for i in 0..=40 {
                            let t = i as f64 / 40.0;
                            let u = 1.0 - t;
                            let (a, b, c, e) =
                                (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
                            out.push((
                                a * pen.0 + b * nums[0] + c * nums[2] + e * nums[4],
                                a * pen.1 + b * nums[1] + c * nums[3] + e * nums[5],
                            ));
                        }
                        *pen = (nums[4], nums[5]);
                    }
                    (' ', 0) => {}
                    _ => panic!("unexpected path piece {cmd} {nums:?} in {d}"),
                }
                nums.clear();
            };
            for token in d.replace(',', " ").split_whitespace() {
                let (head, rest) = match token.chars().next() {
                    Some(c @ ('M' | 'C' | 'L')) => (Some(c), &token[1..]),
                    _ => (None, token),
                };
                if let Some(c) = head {
                    flush(cmd, &mut nums, &mut pen);
                    cmd = c;
                }
                if !rest.is_empty() {
                    nums.push(rest.parse().unwrap());
                }
            }
            flush(cmd, &mut nums, &mut pen);
        }
        out
    }

    /// Every text whose box (estimated from its font size and characters)
    /// an edge passes through, as `"text" at (x, y)`.
    fn edges_through_text(svg: &str) -> Vec<String> {
        let points = edge_points(svg);
        let mut hits = Vec::new();
        for line in svg.lines().filter(|l| l.starts_with("<text")) {
            let num = |n: &str| -> f64 { attr(line, n).unwrap().parse().unwrap() };
            let (x, y, size) = (num("x"), num("y"), num("font-size"));
            let text = &texts(line)[0];
            let w = graph::text_width(text) * size / 14.0;
            let left = match attr(line, "text-anchor").unwrap() {
                "middle" => x - w / 2.0,
                "end" => x - w,
                _ => x,
            };
            let (top, bottom) = (y - 0.7 * size, y + 0.15 * size);
            if points
                .iter()
                .any(|&(px, py)| px > left && px < left + w && py > top && py < bottom)
            {
                hits.push(format!("\"{text}\" at ({x}, {y})"));
            }
        }
        hits
    }

    #[test]
    fn no_edge_runs_through_a_label() {
        for (name, svg) in all() {
            let hits = edges_through_text(&svg);
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
        assert_eq!(all(), all());
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
        let edited = figure("relu-mask.svg").replace(">0.3<", ">0.4<");
        std::fs::write(dir.join("relu-mask.svg"), edited).unwrap();
        let restyled = figure("relu-jacobian.svg").replace("lg-block", "lg-blocks");
        std::fs::write(dir.join("relu-jacobian.svg"), restyled).unwrap();
        std::fs::remove_file(dir.join("fan-out.svg")).unwrap();
        std::fs::write(dir.join("old.svg"), "<svg/>").unwrap();
        let problems = stale_figures(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("fan-out.svg is missing"));
        assert!(problems[1].contains("relu-mask.svg differs"));
        assert!(problems[1].contains("0.4 → 0.3"), "{}", problems[1]);
        assert!(problems[1].contains("may mean a bug in the code"));
        assert!(problems[2].contains("relu-jacobian.svg differs"));
        assert!(problems[2].contains("every number is the same"));
        assert!(problems[3].contains("old.svg is not drawn"));
    }
}
