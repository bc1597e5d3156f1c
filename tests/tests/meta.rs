//! The book's own rules. Each rule is checked on the real book, and on a
//! small broken book to show that the check can fail.

#[path = "../src/book.rs"]
#[allow(dead_code)]
mod book;

/// How the book lists its exercises, read as the workbook reads it
/// (`cargo run -p exercises`): the same file, not a copy.
#[path = "../../chapters-code/exercises/src/book.rs"]
#[allow(dead_code)]
mod exercises;

use book::*;
use exercises::{listed, sections, Chapter, Listed, CHECK};
use std::path::Path;

fn real_book() -> Vec<Page> {
    read_pages(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../src"))
}

fn page(path: &str, text: &str) -> Page {
    (path.to_string(), text.to_string())
}

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

const GOOD_BLOCK: &str =
    "```rust\n# fn main() {\nassert_eq!(1 + 1, 2);\n# }\n```\n";

#[test]
fn summary_lists_every_page_and_only_pages_that_exist() {
    assert_no_problems(
        "SUMMARY.md and src/ disagree",
        summary_problems(&real_book()),
    );
}

#[test]
fn summary_check_catches_an_unlisted_page_and_a_dangling_link() {
    let broken = vec![
        page(
            "SUMMARY.md",
            "# Summary\n\n- [A](a.md)\n- [Gone](gone.md)\n",
        ),
        page("a.md", "# A\n"),
        page("orphan.md", "# Orphan\n"),
    ];
    let problems = summary_problems(&broken);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("src/orphan.md is not listed"),
        "{problems:?}"
    );
    assert!(problems[1].contains("links to gone.md"), "{problems:?}");
}

#[test]
fn no_rust_block_carries_a_forbidden_attribute() {
    assert_no_problems(
        "forbidden attributes",
        attribute_problems(&real_book()),
    );
}

#[test]
fn attribute_check_catches_each_forbidden_attribute() {
    for bad in FORBIDDEN {
        let text = format!("# C\n\n```rust,{bad}\nassert!(true);\n```\n");
        let problems = attribute_problems(&[page("c.md", &text)]);
        assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
        assert!(problems[0].contains(&format!("`{bad}`")), "{problems:?}");
        assert!(problems[0].starts_with("src/c.md:3:"), "{problems:?}");
    }
    assert!(attribute_problems(&[page("c.md", GOOD_BLOCK)]).is_empty());
}

#[test]
fn every_rust_block_asserts_something() {
    assert_no_problems(
        "blocks without an assertion",
        assertion_problems(&real_book()),
    );
}

#[test]
fn assertion_check_catches_a_block_that_only_prints() {
    let text = "# C\n\nSome prose.\n\n```rust\nprintln!(\"hi\");\n```\n\n"
        .to_string()
        + GOOD_BLOCK;
    let problems = assertion_problems(&[page("c.md", &text)]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("src/c.md:5:"), "{problems:?}");
    // A ```text block is output, not code: it is never asked to assert.
    let text = "```text\nhello\n```\n";
    assert!(assertion_problems(&[page("c.md", text)]).is_empty());
}

#[test]
fn every_chapter_but_the_introduction_has_a_rust_block() {
    assert_no_problems(
        "chapters without code",
        untested_chapters(&real_book()),
    );
}

#[test]
fn chapter_check_catches_a_chapter_without_code() {
    let broken = vec![
        page("SUMMARY.md", "- [I](introduction.md)\n"),
        page("introduction.md", "# Intro\n"),
        page("prose-only.md", "# Only prose\n\n```text\noutput\n```\n"),
        page("good.md", GOOD_BLOCK),
    ];
    let problems = untested_chapters(&broken);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("src/prose-only.md"), "{problems:?}");
}

#[test]
fn rust_blocks_are_found_inside_details_and_counted_like_skeptic() {
    let text = "# C\n\n<details>\n<summary>Solution</summary>\n\n```rust\nassert!(true);\n```\n\n</details>\n\n```rust,ignore\n```\n\n```text\nx\n```\n";
    let blocks = rust_blocks(text);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].line, 6);
    assert_eq!(blocks[1].info, "rust,ignore");
}

#[test]
fn include_only_blocks_are_shown_but_not_tested() {
    let text = "# C\n\n```rust\n{{#include ../code.rs:forward}}\n```\n\n```rust\n{{#include ../code.rs:forward}}\nassert!(true);\n```\n";
    assert!(is_include_only(
        "{{#include ../a.rs:x}}\n\n{{#rustdoc_include ../b.rs:y}}\n"
    ));
    assert!(!is_include_only(""));
    assert!(!is_include_only("{{#include ../a.rs:x}}\nlet y = 1;\n"));
    // Only the mixed block is a test, and skeptic sees the other as text,
    // on the same line.
    let tested = tested_blocks(text);
    assert_eq!(tested.len(), 1);
    assert_eq!(tested[0].line, 7);
    let seen = for_skeptic(text);
    assert_eq!(seen.lines().count(), text.lines().count());
    assert_eq!(seen.lines().nth(2), Some("```text"));
    assert_eq!(rust_blocks(&seen).len(), 1);
    assert_eq!(rust_blocks(&seen)[0].line, 7);
    // An include-only block needs no assertion and does not make a chapter
    // "tested".
    assert!(assertion_problems(&[page(
        "c.md",
        "```rust\n{{#include a.rs:x}}\n```\n"
    )])
    .is_empty());
    assert_eq!(
        untested_chapters(&[page(
            "c.md",
            "```rust\n{{#include a.rs:x}}\n```\n"
        )])
        .len(),
        1
    );
}

/// The tests that skeptic generated in build.rs, as (name, code) pairs.
fn generated_tests() -> Vec<String> {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));
    generated
        .split("#[test] fn ")
        .skip(1)
        .map(|t| t.split('(').next().unwrap().to_string())
        .collect()
}

#[test]
fn skeptic_runs_exactly_one_test_per_rust_block() {
    let book = real_book();
    let blocks: usize =
        book.iter().map(|(_, text)| tested_blocks(text).len()).sum();
    let tests = generated_tests();
    assert_eq!(
        tests.len(),
        blocks,
        "skeptic generated {} tests for {blocks} rust blocks",
        tests.len()
    );
    // And no test is marked to be skipped or to pass on a panic.
    let generated = include_str!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));
    assert!(!generated.contains("#[ignore]"));
    assert!(!generated.contains("#[should_panic]"));
    assert!(
        !generated.contains("compile_test("),
        "a no_run block is only compiled"
    );
}

#[test]
fn every_page_with_rust_blocks_has_generated_tests() {
    let tests = generated_tests();
    for (path, text) in real_book() {
        let stem = path.trim_end_matches(".md").replace('-', "_");
        let expected = tested_blocks(&text).len();
        let found = tests
            .iter()
            // "gradient_checking_" is also the start of
            // "gradient_checking_in_depth_": match up to the part skeptic
            // adds after the page's name.
            .filter(|t| {
                t.strip_prefix(&format!("{stem}_")).is_some_and(|rest| {
                    rest.starts_with("sect_") || rest.starts_with("line_")
                })
            })
            .count();
        assert_eq!(
            found, expected,
            "src/{path}: {expected} rust blocks, {found} tests"
        );
    }
}

/// Figures that `src/figures/` holds but no page includes, and includes of
/// figures that do not exist.
fn figure_problems(pages: &[Page], figures: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let included: Vec<(String, String)> = pages
        .iter()
        .flat_map(|(path, text)| {
            text.match_indices("{{#include figures/")
                .map(move |(at, m)| {
                    let rest = &text[at + m.len()..];
                    (
                        path.clone(),
                        rest[..rest.find("}}").unwrap_or(0)].to_string(),
                    )
                })
        })
        .collect();
    for figure in figures {
        if !included.iter().any(|(_, f)| f == figure) {
            problems.push(format!(
                "src/figures/{figure} is not included by any page"
            ));
        }
    }
    for (path, figure) in &included {
        if !figures.contains(figure) {
            problems.push(format!(
                "src/{path} includes figures/{figure}, which does not exist"
            ));
        }
    }
    problems
}

#[test]
fn every_figure_is_shown_and_every_shown_figure_exists() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/figures");
    let mut figures: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".svg"))
        .collect();
    figures.sort();
    assert_no_problems("figures", figure_problems(&real_book(), &figures));
}

#[test]
fn figure_check_catches_an_unused_and_a_missing_figure() {
    let pages = vec![page(
        "a.md",
        "<figure>\n{{#include figures/gone.svg}}\n</figure>\n",
    )];
    let problems = figure_problems(&pages, &["unused.svg".to_string()]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("unused.svg is not included"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("includes figures/gone.svg, which does not exist"),
        "{problems:?}"
    );
}

/// A file's text by its path relative to `src/`, for the include checks.
fn read_from_src(path: &str) -> Option<String> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src")
        .join(path);
    std::fs::read_to_string(full).ok()
}

/// Modules of the crate that are infrastructure rather than a chapter's
/// code: their functions need not appear on a page.
const INFRASTRUCTURE: [&str; 3] = ["lib.rs", "shapes.rs", "figures.rs"];

/// Chapter modules whose chapter is still to be written (none now). Until
/// a page includes one, its functions need not be shown; as soon as a page
/// includes it, it must leave this list
/// (`a_module_waiting_for_its_chapter_is_on_no_page`).
const CHAPTER_TO_COME: [&str; 0] = [];

/// Every chapter module of the crate, as (path relative to `src/`, source).
fn chapter_modules() -> Vec<(String, String)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../chapters-code/src");
    let mut modules: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| {
            !INFRASTRUCTURE.contains(&p.file_name().unwrap().to_str().unwrap())
        })
        .filter(|p| {
            !CHAPTER_TO_COME.contains(&p.file_name().unwrap().to_str().unwrap())
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                format!("../chapters-code/src/{name}"),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    modules.sort();
    modules
}

#[test]
fn every_included_file_and_anchor_exists() {
    let book = real_book();
    assert!(
        includes(&book).iter().any(|i| i.anchor.is_some()),
        "the book includes no crate code at all"
    );
    assert_no_problems("includes", include_problems(&book, read_from_src));
}

#[test]
fn include_check_catches_a_missing_file_a_missing_anchor_and_line_numbers() {
    let source =
        "// ANCHOR: forward\npub fn forward() {}\n// ANCHOR_END: forward\n// ANCHOR: open\n";
    let read = |p: &str| (p == "../code/a.rs").then(|| source.to_string());
    let text = "# C\n\n```rust\n{{#include ../code/a.rs:forward}}\n```\n\n\
                ```rust\n{{#include ../code/gone.rs:forward}}\n```\n\n\
                ```rust\n{{#include ../code/a.rs:backward}}\n```\n\n\
                ```rust\n{{#include ../code/a.rs:open}}\n```\n\n\
                ```rust\n{{#include ../code/a.rs:2:3}}\n```\n";
    let problems = include_problems(&[page("c.md", text)], read);
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems[0].starts_with(
        "src/c.md:8: includes ../code/gone.rs, which does not exist"
    ));
    assert!(problems[1]
        .starts_with("src/c.md:12: includes ../code/a.rs:backward, but"));
    assert!(
        problems[2].starts_with("src/c.md:16: includes ../code/a.rs:open, but")
    );
    assert!(
        problems[3].contains("by line numbers (2:3)"),
        "{problems:?}"
    );
    // An anchor region is what mdBook shows: no anchor lines.
    assert_eq!(
        anchor_region(source, "forward").as_deref(),
        Some("pub fn forward() {}")
    );
}

#[test]
fn every_public_function_of_a_chapter_module_is_shown_in_a_chapter() {
    let modules = chapter_modules();
    let names: Vec<&str> = modules.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [
        "scalar.rs",
        "gradcheck.rs",
        "jacobian.rs",
        "layer_check.rs",
        "relu.rs",
        "affine.rs",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(expected)),
            "{expected} not found: {names:?}"
        );
    }
    assert_no_problems(
        "public functions not shown",
        unshown_functions(&real_book(), &modules, read_from_src),
    );
}

#[test]
fn a_module_waiting_for_its_chapter_is_on_no_page() {
    let book = real_book();
    for module in CHAPTER_TO_COME {
        let shown: Vec<String> = includes(&book)
            .iter()
            .filter(|i| {
                i.path.ends_with(&format!("chapters-code/src/{module}"))
            })
            .map(|i| format!("{}: {{{{#include {}}}}}", i.page, i.path))
            .collect();
        assert!(
            shown.is_empty(),
            "{module} is in CHAPTER_TO_COME (tests/tests/meta.rs), but a page includes it, so \
             its chapter exists: remove it from the list. Included at: {shown:?}"
        );
    }
}

#[test]
fn shown_function_check_catches_a_function_outside_every_included_region() {
    let source = "// ANCHOR: forward\npub fn forward() {}\n// ANCHOR_END: forward\n\
                  pub fn backward() {}\n#[cfg(test)]\nmod tests { pub fn helper() {} }\n";
    let read = |p: &str| (p == "../code/layer.rs").then(|| source.to_string());
    let modules = [("../code/layer.rs".to_string(), source.to_string())];
    let shows = page(
        "c.md",
        "```rust\n{{#include ../code/layer.rs:forward}}\n```\n",
    );
    let problems = unshown_functions(&[shows], &modules, read);
    assert_eq!(problems, ["code/layer.rs: pub fn backward is not shown in any chapter (no included anchor region holds it)"]);
    // Including the whole file shows everything; a page without includes shows nothing.
    let whole = page("d.md", "```rust\n{{#include ../code/layer.rs}}\n```\n");
    assert!(unshown_functions(&[whole], &modules, read).is_empty());
    assert_eq!(
        unshown_functions(&[page("e.md", GOOD_BLOCK)], &modules, read).len(),
        2
    );
}

#[test]
fn no_rust_block_mixes_an_include_with_other_code() {
    assert_no_problems("mixed blocks", mixed_include_problems(&real_book()));
}

#[test]
fn mixed_block_check_catches_an_include_next_to_code() {
    let text = "# C\n\n```rust\n{{#include ../a.rs:x}}\n```\n\n```rust\n# fn main() {\n{{#rustdoc_include ../a.rs:x}}\nassert!(true);\n# }\n```\n\n".to_string() + GOOD_BLOCK;
    let problems = mixed_include_problems(&[page("c.md", &text)]);
    assert_eq!(
        problems,
        ["src/c.md:7: this rust block mixes an include with other code"]
    );
}

#[test]
fn listings_are_labelled_with_their_page_and_line() {
    let generated = "header\n#[test] fn c_sect_a_line_3() { r\"fn main() {\nx\n}\" }\n\
                     #[test] fn c_sect_b_line_9() { r\"use a;\nfn main() {}\" }\n";
    let listings = ["src/c.md:3".to_string(), "src/c.md:9".to_string()];
    let labelled = label_listings(generated, &listings).unwrap();
    assert_eq!(labelled.lines().count(), generated.lines().count());
    assert!(labelled
        .contains("fn main() { std::env::set_var(\"BACKPROP_LISTING\", \"src/c.md:3\");\nx"));
    assert!(labelled.contains("\"src/c.md:9\");}"));
    // A test that is not the listing it is paired with, or a count that
    // differs, is refused rather than mislabelled.
    let swapped = [listings[1].clone(), listings[0].clone()];
    assert!(label_listings(generated, &swapped)
        .unwrap_err()
        .contains("c_sect_a_line_3"));
    assert!(label_listings(generated, &listings[..1]).is_err());
}

#[test]
fn every_anchor_is_marked_with_the_page_that_shows_it() {
    assert_no_problems(
        "anchor markers",
        marker_problems(&real_book(), &chapter_modules()),
    );
}

#[test]
fn marker_check_catches_an_unmarked_anchor_an_unknown_title_and_a_wrong_section(
) {
    let pages = [page(
        "c.md",
        "# Real title\n\n## Forward: \\(y = \\max(0, x)\\)\n\n\
         ```rust\n{{#include ../code/m.rs:a}}\n```\n\n## Other\n\n\
         ```rust\n{{#include ../code/m.rs:e}}\n```\n\n### Sub\n\n\
         ```rust\n{{#include ../code/m.rs:f}}\n```\n",
    )];
    let source = "// Shown in \"Real title\", section\n// \"Forward: y = max(0, x)\".\n\
                  // ANCHOR: a\n// ANCHOR_END: a\n\n\
                  // ANCHOR: b\n// ANCHOR_END: b\n\
                  // Shown in \"Gone\", section \"Other\".\n// ANCHOR: c\n// ANCHOR_END: c\n\
                  // Shown in \"Real title\", section \"Gone\".\n// ANCHOR: d\n// ANCHOR_END: d\n\
                  // Shown in \"Real title\", section \"Forward: y = max(0, x)\".\n\
                  // ANCHOR: e\n// ANCHOR_END: e\n\
                  // Shown in \"Real title\", section \"Other\".\n// ANCHOR: f\n// ANCHOR_END: f\n";
    let problems = marker_problems(
        &pages,
        &[("../code/m.rs".to_string(), source.to_string())],
    );
    let expected = [
        "code/m.rs:6: anchor b has no",
        "code/m.rs:9: anchor c is marked as shown in \"Gone\", and no page",
        "code/m.rs:12: anchor d is marked as shown in \"Real title\", section \"Gone\", and src/c.md has no such heading",
        "code/m.rs:15: anchor e is marked as shown in \"Real title\", section \"Forward: y = max(0, x)\", and that section of src/c.md does not include it",
    ];
    assert_eq!(problems.len(), expected.len(), "{problems:?}");
    for (problem, start) in problems.iter().zip(expected) {
        assert!(
            problem.starts_with(start),
            "expected {start:?}, got {problem:?}"
        );
    }
}

/// `KEY=value` from `.ci/run`, the one place the tool versions are pinned.
fn pinned(run: &str, key: &str) -> String {
    run.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!(".ci/run pins no {key}"))
        .trim()
        .to_string()
}

/// Pages and files that tell the reader which mdbook tools to install but
/// name other versions than the ones `.ci/run` pins.
fn install_command_problems(run: &str, docs: &[(&str, String)]) -> Vec<String> {
    let want = format!(
        "cargo install --locked mdbook@{} mdbook-katex@{}",
        pinned(run, "MDBOOK_VERSION"),
        pinned(run, "MDBOOK_KATEX_VERSION")
    );
    docs.iter()
        .filter(|(_, text)| {
            text.contains("cargo install --locked mdbook@")
                && !text.contains(&want)
        })
        .map(|(name, _)| {
            format!("{name} does not say `{want}`, the versions .ci/run pins")
        })
        .collect()
}

#[test]
fn the_install_command_names_the_versions_ci_pins() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let run = read(".ci/run");
    let docs = [
        ("README.md", read("README.md")),
        ("src/introduction.md", read("src/introduction.md")),
    ];
    assert_eq!(
        docs.iter().filter(|(_, t)| t.contains("mdbook@")).count(),
        2
    );
    assert_no_problems(
        "install commands",
        install_command_problems(&run, &docs),
    );
    // And the check can fail: a page that names another mdbook.
    let stale = [(
        "old.md",
        "cargo install --locked mdbook@0.4.0 mdbook-katex@0.10.0".to_string(),
    )];
    assert_eq!(install_command_problems(&run, &stale).len(), 1);
}

/// The contract every layer module keeps (the crate's doc, "One shape for
/// every layer"), and the parts of it that apply to the tape, which
/// records the layers: for each module, the items its source must define
/// outside its tests. `pub fn NAME` must be followed by `(` or `<`, so
/// `forward` is not satisfied by `forward_loops`.
const LAYER_CONTRACT: [(&str, &[&str]); 6] = [
    (
        "relu.rs",
        &[
            "pub const CONVENTION",
            "pub fn forward",
            "pub fn backward",
            "pub fn try_backward",
            "pub fn backward_in_place",
            "pub fn example_sample",
        ],
    ),
    (
        "affine.rs",
        &[
            "pub const CONVENTION",
            "pub fn forward",
            "pub fn try_forward",
            "pub fn backward",
            "pub fn try_backward",
            "pub struct Gradients",
            "pub fn example_one_sample",
        ],
    ),
    (
        "conv.rs",
        &[
            "pub const CONVENTION",
            "pub fn forward",
            "pub fn try_forward",
            "pub fn backward",
            "pub fn try_backward",
            "pub struct Gradients",
            "pub fn example",
        ],
    ),
    (
        "pool.rs",
        &[
            "pub const CONVENTION",
            "pub fn forward",
            "pub fn try_forward",
            "pub fn backward",
            "pub fn try_backward",
            "pub fn example",
        ],
    ),
    (
        "loss.rs",
        &[
            "pub const CONVENTION",
            "pub fn softmax_cross_entropy",
            "pub fn try_softmax_cross_entropy",
            "pub fn softmax_cross_entropy_into",
            "pub fn example",
        ],
    ),
    (
        "tape.rs",
        &[
            "pub const CONVENTION",
            "pub fn backward",
            "pub fn try_backward",
            "pub fn affine",
            "pub fn try_affine",
            "pub fn custom",
            "pub fn try_custom",
        ],
    ),
];

/// Where a layer module breaks the contract: an item of
/// [`LAYER_CONTRACT`] missing, a `try_` function that does not return the
/// crate's one `Error`, or a shape check of its own (`fn require`) instead
/// of a `shapes::Checker` that only attaches its convention.
fn contract_problems(modules: &[(&str, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, items) in LAYER_CONTRACT {
        let Some((_, source)) = modules.iter().find(|(name, _)| *name == file)
        else {
            problems.push(format!("{file}: the layer module is missing"));
            continue;
        };
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for item in items {
            let found = if item.starts_with("pub fn ") {
                code.contains(&format!("{item}("))
                    || code.contains(&format!("{item}<"))
            } else if item.starts_with("pub struct ") {
                code.contains(&format!("{item} {{"))
            } else {
                code.contains(&format!("{item}:"))
            };
            if !found {
                problems.push(format!(
                    "{file}: no `{item}`, which every layer of its kind has"
                ));
            }
        }
        for (at, _) in code.match_indices("pub fn try_") {
            let signature = &code
                [at..code[at..].find('{').map_or(code.len(), |end| at + end)];
            let name: String = signature["pub fn ".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !signature.contains("Error>") {
                problems.push(format!(
                    "{file}: {name} does not return the crate's one error type, `Error`"
                ));
            }
        }
        if code.contains("fn require(") {
            problems.push(format!(
                "{file}: defines its own `fn require`; shape checks go through shapes::Checker"
            ));
        }
    }
    problems
}

fn layer_modules() -> Vec<(&'static str, String)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../chapters-code/src");
    LAYER_CONTRACT
        .iter()
        .map(|(file, _)| {
            (*file, std::fs::read_to_string(dir.join(file)).unwrap())
        })
        .collect()
}

#[test]
fn every_layer_module_keeps_the_contract() {
    assert_no_problems(
        "the layer contract",
        contract_problems(&layer_modules()),
    );
}

#[test]
fn contract_check_catches_an_old_name_a_second_error_type_and_a_private_require(
) {
    let broken: Vec<(&str, String)> = layer_modules()
        .into_iter()
        .map(|(file, source)| {
            let source = match file {
                "pool.rs" => {
                    source.replace("pub fn forward(", "pub fn max_forward(")
                }
                "conv.rs" => source.replace(
                    "pub struct Gradients {",
                    "pub struct ConvGrads {",
                ),
                "affine.rs" => source.replace(
                    "Result<Gradients, Error>",
                    "Result<Gradients, String>",
                ),
                "loss.rs" => source.replace(
                    "const SHAPES",
                    "fn require(ok: bool) { assert!(ok) }\nconst SHAPES",
                ),
                _ => source,
            };
            (file, source)
        })
        .filter(|(file, _)| *file != "relu.rs")
        .collect();
    let problems = contract_problems(&broken);
    assert_eq!(
        problems,
        [
            "relu.rs: the layer module is missing",
            "affine.rs: try_backward does not return the crate's one error type, `Error`",
            "conv.rs: no `pub struct Gradients`, which every layer of its kind has",
            "pool.rs: no `pub fn forward`, which every layer of its kind has",
            "loss.rs: defines its own `fn require`; shape checks go through shapes::Checker",
        ]
    );
}

/// Words that mark unsafe code or code chosen per processor: the crate is
/// teaching code, fast only through its algorithms and its libraries.
const NOT_IN_THE_CRATE: [&str; 4] = [
    "unsafe",
    "target_feature",
    "std::arch",
    "is_x86_feature_detected",
];

/// Every `NOT_IN_THE_CRATE` word in the sources, outside comments, as
/// `file:line: word`.
fn unsafe_or_dispatch(sources: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, source) in sources {
        for (i, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in NOT_IN_THE_CRATE {
                // A whole word: `unsafe_code`, the lint's name, is not one.
                let whole = code.match_indices(word).any(|(at, _)| {
                    let next = code[at + word.len()..].chars().next();
                    !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if whole {
                    problems.push(format!("{file}:{}: {word}", i + 1));
                }
            }
        }
    }
    problems
}

/// The library's sources, every `.rs` under `chapters-code/src`.
fn library_sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../chapters-code/src"),
        &mut out,
    );
    out
}

#[test]
fn the_library_has_no_unsafe_code_and_no_processor_dispatch() {
    let sources = library_sources();
    assert!(sources.len() > 10, "found only {} sources", sources.len());
    assert_no_problems(
        "unsafe code or per-processor code in chapters-code/src",
        unsafe_or_dispatch(&sources),
    );
}

#[test]
fn the_unsafe_check_finds_unsafe_code_and_dispatch() {
    let broken = vec![(
        "net.rs".to_string(),
        "#![deny(unsafe_code)]\nfn f() {\n    // unsafe in a comment is fine\n    unsafe { g() }\n    if std::arch::is_x86_feature_detected!(\"fma\") {}\n}\n"
            .to_string(),
    )];
    assert_eq!(
        unsafe_or_dispatch(&broken),
        [
            "net.rs:4: unsafe",
            "net.rs:5: std::arch",
            "net.rs:5: is_x86_feature_detected"
        ]
    );
}

/// Where a page's `## Exercises` section breaks the book's form: each
/// exercise is a `### N. Title` section, numbered from 1 on its page, with
/// one `<details>` solution, ending with the command that checks it; and no
/// solution stands outside such a section.
fn exercise_problems(pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, text) in pages {
        let (sections, loose) = sections(text, &Chapter::default());
        if loose > 0 {
            problems.push(format!(
                "src/{page}: {loose} <details> solutions under ## Exercises are not in a ### section"
            ));
        }
        for (k, section) in (1..).zip(&sections) {
            let at = format!(
                "src/{page}:{}: exercise \"{}\"",
                section.line, section.heading
            );
            let body = section.body.iter();
            let solutions = body.filter(|l| l.trim() == "<details>").count();
            if solutions != 1 {
                problems.push(format!(
                    "{at} has {solutions} <details> solutions, not 1"
                ));
            }
            if !section.heading.starts_with(&format!("{k}. ")) {
                problems.push(format!("{at} must be numbered {k}."));
            }
            if section.id().is_none() {
                problems.push(format!(
                    "{at} must end with `{CHECK}<chapter>::<exercise>`"
                ));
            }
        }
    }
    problems
}

#[test]
fn every_exercise_section_is_numbered_and_has_one_solution_and_its_check_command(
) {
    let book = real_book();
    let exercises = listed(&book).len();
    assert!(exercises > 30, "the book lists only {exercises} exercises");
    assert_no_problems("exercise sections", exercise_problems(&book));
}

#[test]
fn exercise_check_catches_a_wrong_number_a_missing_solution_and_command_and_a_loose_solution(
) {
    let solution = "<details>\n<summary>Solution</summary>\n</details>\n";
    let check = |id: &str| format!("`{CHECK}c::{id}`\n");
    let text = [
        "# C\n\n## Exercises\n\n",
        solution,
        "\n### 1. Good\n\n",
        solution,
        &check("good"),
        // A heading inside fenced code is not a section.
        "\n### 3. Misnumbered\n\n```text\n### 2. Code\n```\n\n",
        &check("misnumbered"),
        "\n### 3. No command\n\n",
        solution,
        "\nThe end.\n",
        "\n## Next section\n\n### Not an exercise\n\n",
        solution,
    ]
    .concat();
    let problems = exercise_problems(&[page("c.md", &text)]);
    assert_eq!(
        problems,
        [
            "src/c.md: 1 <details> solutions under ## Exercises are not in a ### section",
            "src/c.md:16: exercise \"3. Misnumbered\" has 0 <details> solutions, not 1",
            "src/c.md:16: exercise \"3. Misnumbered\" must be numbered 2.",
            "src/c.md:24: exercise \"3. No command\" must end with `cargo run -p exercises -- check <chapter>::<exercise>`",
        ]
    );
}

/// The book's parts, each by its chapters' pages.
const PARTS: [&[&str]; 5] = [
    &["computational-graphs.md", "gradient-checking.md"],
    &["tensors.md", "relu.md"],
    &[
        "affine-biases.md",
        "affine-weights.md",
        "array-operations.md",
    ],
    &[
        "convolution.md",
        "max-pooling.md",
        "softmax-cross-entropy.md",
        "network.md",
    ],
    &["autograd.md"],
];

/// A part of `parts` without a "Find the bug" exercise, and an optional
/// exercise (its heading ends in "(optional)") before a required one of
/// its chapter.
fn exercise_order_problems(pages: &[Page], parts: &[&[&str]]) -> Vec<String> {
    let exercises = listed(pages);
    let mut problems = Vec::new();
    for part in parts {
        let in_part = |l: &&Listed| part.contains(&l.chapter.page.as_str());
        if !exercises.iter().filter(in_part).any(Listed::find_the_bug) {
            problems.push(format!(
                "the part {part:?} has no \"Find the bug\" exercise"
            ));
        }
    }
    let optional = |l: &Listed| l.heading.ends_with("(optional)");
    for pair in exercises.windows(2) {
        let (before, l) = (&pair[0], &pair[1]);
        if before.chapter == l.chapter && optional(before) && !optional(l) {
            let (page, line, heading) = (&l.chapter.page, l.line, &l.heading);
            problems.push(format!(
                "src/{page}:{line}: exercise \"{heading}\" is required but comes after \"{}\"",
                before.heading
            ));
        }
    }
    problems
}

#[test]
fn every_part_has_a_bug_to_find_and_optional_exercises_come_last() {
    assert_no_problems(
        "exercise order",
        exercise_order_problems(&real_book(), &PARTS),
    );
}

#[test]
fn order_check_catches_a_part_without_a_bug_and_an_early_optional_exercise() {
    let exercises = |headings: &[&str]| {
        let section = |h: &&str| format!("### {h}\n\n`{CHECK}c::x`\n\n");
        let sections: String = headings.iter().map(section).collect();
        format!("# C\n\n## Exercises\n\n{sections}")
    };
    let pages = [
        page("SUMMARY.md", "- [A](a.md)\n- [B](b.md)\n- [C](c.md)\n"),
        page(
            "a.md",
            &exercises(&["1. Find the bug: a", "2. Extra (optional)"]),
        ),
        page("b.md", &exercises(&["1. Extra (optional)", "2. Required"])),
        page("c.md", &exercises(&["1. Required", "2. Extra (optional)"])),
    ];
    let parts: [&[&str]; 2] = [&["a.md", "b.md"], &["c.md"]];
    assert_eq!(
        exercise_order_problems(&pages, &parts),
        [
            "the part [\"c.md\"] has no \"Find the bug\" exercise",
            "src/b.md:9: exercise \"2. Required\" is required but comes after \"1. Extra (optional)\"",
        ]
    );
}

/// One formula of a page's source: its line, whether it is displayed
/// (`\[ … \]`) or inline (`\( … \)`), and its TeX.
struct Formula {
    line: usize,
    display: bool,
    tex: String,
}

/// A page's text with fenced code and inline code blanked out (lines
/// kept), so that only prose and formulas are left.
fn without_code(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker =
            ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(f), Some(m)) if f == m => fence = None,
            _ => {}
        }
        if fence.is_some() || marker.is_some() {
            out.push('\n');
            continue;
        }
        // Inline code: a run of n backticks up to the next run of n.
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '`' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            let n = chars[i..].iter().take_while(|&&c| c == '`').count();
            let close = (i + n..chars.len()).find(|&j| {
                chars[j..].iter().take_while(|&&c| c == '`').count() == n
                    && (j == 0 || chars[j - 1] != '`')
            });
            match close {
                Some(j) => {
                    out.extend(std::iter::repeat_n(' ', j + n - i));
                    i = j + n;
                }
                None => {
                    out.extend(&chars[i..i + n]);
                    i += n;
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The formulas of a page, outside code, in order.
fn formulas(text: &str) -> Vec<Formula> {
    let text = without_code(text);
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find('\\').map(|i| at + i) {
        let next = text[open + 1..].chars().next();
        let close = match next {
            Some('(') => "\\)",
            Some('[') => "\\]",
            _ => {
                // `\\` (a TeX line break, as in `\\[4pt]`) opens nothing.
                at = open
                    + 1
                    + next.map_or(0, |c| if c == '\\' { 1 } else { 0 });
                continue;
            }
        };
        let start = open + 2;
        let Some(end) = text[start..].find(close).map(|i| start + i) else {
            break;
        };
        found.push(Formula {
            line: text[..open].matches('\n').count() + 1,
            display: next == Some('['),
            tex: text[start..end].to_string(),
        });
        at = end + 2;
    }
    found
}

/// The TeX command starting at `tex[at..]` (after its backslash), if any.
fn command_at(tex: &str, at: usize) -> Option<&str> {
    let rest = tex[at..].strip_prefix('\\')?;
    let len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}

/// The group `{…}` that starts at `tex[at..]`, braces balanced, without
/// its braces.
fn group_at(tex: &str, at: usize) -> Option<&str> {
    let rest = tex[at..].strip_prefix('{')?;
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Some(&rest[..i]);
        }
    }
    None
}

/// Where `s` sets digit groups apart with one of `separators` ("100 352",
/// "100\\,352") instead of a comma: the byte offset of each separator.
fn spaced_digit_groups(s: &str, separators: &[&str]) -> Vec<usize> {
    let mut found = Vec::new();
    for (i, c) in s.char_indices() {
        // The first group is a number of its own, not the end of `x_1`.
        let before = s[..i].chars().next_back();
        if !c.is_ascii_digit()
            || before
                .is_some_and(|b| b.is_ascii_alphanumeric() || "_^.".contains(b))
        {
            continue;
        }
        let first = s[i..].chars().take_while(char::is_ascii_digit).count();
        let after = i + first;
        for sep in separators {
            let rest = s[after..].strip_prefix(sep).unwrap_or("");
            let group = rest.chars().take_while(char::is_ascii_digit).count();
            if (1..=3).contains(&first)
                && group == 3
                && !rest[3..].starts_with('.')
            {
                found.push(after);
            }
        }
    }
    found
}

/// A page's prose: its text without code and without formulas.
fn prose(text: &str) -> String {
    let mut text = without_code(text);
    for (open, close) in [("\\(", "\\)"), ("\\[", "\\]")] {
        while let Some(start) = text.find(open) {
            let end = text[start..]
                .find(close)
                .map_or(text.len(), |i| start + i + 2);
            let blank: String = text[start..end]
                .chars()
                .map(|c| if c == '\n' { c } else { ' ' })
                .collect();
            text.replace_range(start..end, &blank);
        }
    }
    text
}

/// Typesetting slips that the typesetters sent back (issue 18), each a
/// class that can come back, as `src/page:line: what`:
/// - a bare italic d as a differential, `\frac{d}{\dd x}` (the book's d is
///   upright, `\dd`);
/// - an inline formula that starts with a relation, as after a code name:
///   "`H` \( = 10^{-5} \)" breaks before the "=";
/// - `\dfrac` in running text, which opens up the line spacing;
/// - low dots between the entries of a matrix (the book uses `\cdots`);
/// - a fraction (`\frac` or a slash) under an inline square root, whose
///   surd spreads the lines;
/// - digit groups set apart by a space rather than a comma (1,000);
/// - a wide space after a comma between the numbers of a vector: vectors
///   are `[1, -2, 3]`;
/// - a times sign in prose ("6 &times; 6" in a caption), set in the text
///   face while the same size in running text is a formula, \(6 \times 6\);
/// - the two ways of writing a size crossed (the symbol table's rule: a
///   matrix is \(d \times n\), an array has shape \((d, n)\)): "shape
///   \(m \times n\)", or "a \((d, n)\) matrix".
fn typesetting_problems(pages: &[Page]) -> Vec<String> {
    const RELATIONS: [&str; 11] = [
        "le", "leq", "ge", "geq", "approx", "ne", "neq", "lt", "gt", "sim",
        "equiv",
    ];
    let mut problems = Vec::new();
    for (page, text) in pages {
        for f in formulas(text) {
            let at = format!("src/{page}:{}", f.line);
            let tex = f.tex.as_str();
            let mut say = |what: &str| {
                problems.push(format!("{at}: {what} in \\({tex}\\)"))
            };
            if tex.contains("\\frac{d") {
                say("a bare d as a differential (write \\dd, the book's upright d)");
            }
            let lead = tex.trim_start();
            let relation = lead.starts_with(['=', '<', '>'])
                || command_at(lead, 0).is_some_and(|c| RELATIONS.contains(&c));
            if !f.display && relation {
                say("an inline formula that starts with a relation (name the symbol first: \\( h = 10^{-5} \\))");
            }
            let commands: Vec<(usize, &str)> = tex
                .match_indices('\\')
                .filter_map(|(i, _)| command_at(tex, i).map(|c| (i, c)))
                .collect();
            if !f.display && commands.iter().any(|&(_, c)| c == "dfrac") {
                say("\\dfrac in running text (use \\frac or a slash)");
            }
            let mut matrix = 0;
            for &(i, c) in &commands {
                match c {
                    "begin" | "end"
                        if group_at(tex, i + c.len() + 1)
                            .is_some_and(|g| g.ends_with("matrix")) =>
                    {
                        matrix += if c == "begin" { 1 } else { -1 };
                    }
                    "ldots" | "dots" | "dotsc" if matrix > 0 => {
                        say("low dots between matrix entries (use \\cdots)");
                    }
                    "sqrt" if !f.display => {
                        let arg = group_at(tex, i + c.len() + 1).unwrap_or("");
                        if arg.contains("frac") || arg.contains('/') {
                            say("a fraction under an inline square root, whose surd spreads the lines (write \\sqrt{6}/\\sqrt{9})");
                        }
                    }
                    _ => {}
                }
            }
            if !spaced_digit_groups(
                tex,
                &["\\,", "\\ ", "\\;", "\\:", "~", " "],
            )
            .is_empty()
            {
                say("digit groups set apart by a space (the book writes 1{,}000)");
            }
            let wide = tex.match_indices(",\\").any(|(i, _)| {
                let before = tex[..i].chars().next_back();
                let after = tex[i + 2..].trim_start_matches([' ', ';', ':']);
                tex[i + 2..].starts_with([' ', ';', ':'])
                    && before.is_some_and(|c| c.is_ascii_digit())
                    && after
                        .trim_start_matches('-')
                        .starts_with(|c: char| c.is_ascii_digit())
            });
            if wide {
                say("a wide space between the numbers of a vector (write [1, -2, 3])");
            }
        }
        let prose = prose(text);
        for at in spaced_digit_groups(
            &prose,
            &[" ", "\u{2009}", "\u{202f}", "\u{a0}"],
        ) {
            let line = prose[..at].matches('\n').count() + 1;
            let start = prose[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = prose[at..].find('\n').map_or(prose.len(), |i| at + i);
            let words = prose[start..end].trim();
            problems.push(format!(
                "src/{page}:{line}: digit groups set apart by a space (the book writes 1,000) in \"{words}\""
            ));
        }
        for (at, what) in crossed_sizes(&without_code(text)) {
            problems.push(format!("src/{page}:{at}: {what}"));
        }
        for (n, line) in prose.lines().enumerate() {
            if line.contains('×') || line.contains("&times;") {
                problems.push(format!(
                    "src/{page}:{}: a times sign in prose (write the size as a formula, \\(6 \\times 6\\)) in \"{}\"",
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    problems
}

/// Where `text` crosses the two ways of writing a size, as (line, what):
/// "shape" followed by a formula with `\times` (in the same sentence, the
/// formula's own `\text{shape}` included), or a tuple formula, `\((d,
/// n)\)`, followed by "matrix", "matrices", "Jacobian" or "block".
fn crossed_sizes(text: &str) -> Vec<(usize, String)> {
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in text.match_indices("shape") {
        let after = &text[at + 5..];
        let sentence =
            &after[..after.find(['.', ';', ':']).unwrap_or(after.len())];
        let formula = sentence
            .trim_start_matches([' ', '\n', '}'])
            .strip_prefix("\\(")
            .map_or(sentence, |f| f.split("\\)").next().unwrap_or(f));
        let near = sentence.len() < 60 || formula.len() < sentence.len();
        if near && formula.contains("\\times") && !formula.contains(',') {
            found.push((
                line(at),
                format!("a size after \"shape\" (a shape is a tuple, \\((m, n)\\); a size is \\(m \\times n\\)) in \"shape{}\"", &sentence[..sentence.len().min(40)]),
            ));
        }
    }
    for (at, _) in text.match_indices("\\)") {
        let Some(start) = text[..at].rfind("\\(") else {
            continue;
        };
        let tex = text[start + 2..at].trim();
        let tuple =
            tex.starts_with('(') && tex.ends_with(')') && tex.contains(',');
        let next = text[at + 2..].trim_start();
        let noun = ["matrix", "matrices", "Jacobian", "block"]
            .iter()
            .any(|w| next.starts_with(w));
        if tuple && noun {
            found.push((
                line(at),
                format!("a tuple as a size (write \\(m \\times n\\) before a noun; \\((m, n)\\) is a shape) in \"\\({tex}\\) {}\"", next.split_whitespace().next().unwrap_or("")),
            ));
        }
    }
    found
}

#[test]
fn the_pages_have_none_of_the_typesetting_slips_sent_back() {
    let book = real_book();
    let count: usize = book.iter().map(|(_, t)| formulas(t).len()).sum();
    assert!(count > 500, "found only {count} formulas in the book");
    assert_no_problems("typesetting", typesetting_problems(&book));
}

#[test]
fn typesetting_check_catches_each_slip() {
    let text = [
        "# C\n\n",
        "Fine: \\( \\frac{\\dd}{\\dd x} \\sin x \\), \\( h = 10^{-5} \\), \\( \\sqrt{6}/3 \\),\n",
        "`x = (1,\\ 2)` and `1 000` are code, \\( 40{,}960{,}000 \\), \\( x_1 100 \\).\n\n",
        "```text\n\\( = 1 \\)\n```\n\n",
        "\\( \\frac{d}{\\dd x} \\sin x \\)\n",
        "`H` \\( = 10^{-5} \\) and `FLOOR` \\(\\le 10^{-10}\\); \\(\\left(x\\right)\\) is fine\n",
        "\\( \\sigma(x) = \\dfrac{1}{1 + e^{-x}} \\)\n",
        "\\[\n\\begin{bmatrix} 1 & \\ldots & n \\end{bmatrix} \\dfrac{1}{2}\n\\]\n",
        "within \\( \\pm\\sqrt{\\frac{6}{9}} \\) and \\( \\sqrt{6/9} \\), not \\[ \\sqrt{6/9} \\]\n",
        "\\( 3\\,288 \\) entries, and 100\u{2009}352 in words\n",
        "\\( x = (1,\\ -2,\\; 3) \\)\n",
        "<figcaption>The 6 &times; 6 Jacobian, \\(3 \\times 2\\) and `2 × 3`</figcaption>\n",
        "X of shape \\((d, n)\\), a \\(d \\times n\\) matrix, \\(J\\) of shape\n",
        "\\(m \\times d\\), and a \\((m, d)\\) Jacobian; \\[ J \\text{ of shape } 2 \\times 2 \\]\n",
    ]
    .concat();
    let problems = typesetting_problems(&[page("c.md", &text)]);
    let want = [
        "src/c.md:10: a bare d as a differential",
        "src/c.md:11: an inline formula that starts with a relation",
        "src/c.md:11: an inline formula that starts with a relation",
        "src/c.md:12: \\dfrac in running text",
        "src/c.md:13: low dots between matrix entries",
        "src/c.md:16: a fraction under an inline square root",
        "src/c.md:16: a fraction under an inline square root",
        "src/c.md:17: digit groups set apart by a space (the book writes 1{,}000)",
        "src/c.md:18: a wide space between the numbers of a vector",
        "src/c.md:17: digit groups set apart by a space (the book writes 1,000) in \"",
        "src/c.md:20: a size after \"shape\"",
        "src/c.md:21: a size after \"shape\"",
        "src/c.md:21: a tuple as a size",
        "src/c.md:19: a times sign in prose",
    ];
    assert_eq!(problems.len(), want.len(), "{problems:#?}");
    for (problem, want) in problems.iter().zip(want) {
        assert!(
            problem.starts_with(want),
            "{problem:?} should start with {want:?}"
        );
    }
}
