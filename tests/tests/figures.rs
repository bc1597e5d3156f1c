//! The figures in `src/figures/` must be exactly what `backprop::figures`
//! draws now (a figure edited by hand, a missing one or a leftover file
//! fails here), every figure must be included by its chapter, and the
//! numbers a figure shows must be numbers its chapter states.

use backprop::figures::{figure_numbers, stale_figures, FIGURES, REGENERATE};
use backprop::scalar::{sigmoid_neuron_graph, SIGMOID_W, SIGMOID_X};
use std::path::{Path, PathBuf};

fn book_src() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    dir.canonicalize().unwrap_or(dir)
}

fn chapter(name: &str) -> String {
    let path = book_src().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn figures_are_up_to_date() {
    let problems = stale_figures(&book_src().join("figures"));
    assert!(
        problems.is_empty(),
        "the book's figures differ from what the code draws:\n  - {}\nOnly once you are sure the code is right, regenerate them with\n  {REGENERATE}\n(never edit src/figures/*.svg by hand: change chapters-code/src/figures/)",
        problems.join("\n  - ")
    );
}

/// The figures a page includes, `{{#include figures/NAME.svg}}`, in order.
fn included_figures(page: &str) -> Vec<String> {
    page.split("{{#include figures/")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}").map(|(name, _)| name.to_string()))
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
            for f in included_figures(&std::fs::read_to_string(&path).unwrap()) {
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
                    || (chars[j] == '.' && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit())))
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
        problems.extend(unstated_numbers(f.file, &(f.draw)(), &chapter(f.chapter)));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_figure_number_the_chapter_does_not_state_is_named() {
    let svg = "<svg>\n<text x=\"1\" class=\"lg-grad\">[0.5, \u{2212}1.25]</text>\n</svg>";
    assert!(unstated_numbers("x.svg", svg, "the gradient is [0.5, -1.25] here").is_empty());
    assert!(unstated_numbers("x.svg", svg, "the gradient is [0.5, -1.249] here").is_empty());
    let problems = unstated_numbers("x.svg", svg, "the gradient is [0.5, 1.25] here");
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
                .filter_map(|n| cells[2].find(n).map(|at| (at, n.replace('_', ""))))
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
    // The listing's comments: `let p0 = g.mul(w0, x0); // node 7`.
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
    for line in page.lines() {
        let Some((code, comment)) = line.split_once("// node ") else {
            continue;
        };
        let Some(name) = code.strip_prefix("let ").and_then(|c| c.split(' ').next()) else {
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
